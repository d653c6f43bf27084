"""``Normal``: the Gaussian distribution with mean ``loc`` and standard deviation ``scale``.

>>> import autograd_core as ag
>>> from autograd_core.distributions import Normal
>>> m = Normal(ag.tensor([0.0]), ag.tensor([1.0]))
>>> m.log_prob(ag.tensor([0.0]))
tensor([-0.9189])
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

import autograd_core as ag
from autograd_core import Tensor

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Normal"]

_LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))


class Normal(Distribution):
    """A normal distribution; ``loc`` and ``scale`` (numbers or tensors) broadcast to the
    batch shape. ``rsample`` is ``loc + eps * scale`` with ``eps ~ N(0, 1)``, so a loss of
    its draws differentiates with respect to both.

    >>> import autograd_core as ag
    >>> loc = ag.tensor([0.0, 1.0], requires_grad=True)
    >>> m = Normal(loc, 2.0)
    >>> m.batch_shape
    (2,)
    >>> m.rsample((3,)).sum().backward()
    >>> loc.grad
    tensor([3., 3.])
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Tensor | float, scale: Tensor | float,
                 validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        numbers_only = isinstance(loc, numbers.Number) and isinstance(scale, numbers.Number)
        batch_shape = () if numbers_only else tuple(self.loc.shape)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> "Normal":
        """This distribution with its parameters expanded to ``batch_shape``.

        >>> Normal(0.0, 1.0).expand((2,)).loc
        tensor([0., 0.])
        """
        shape = tuple(batch_shape)
        return self._expanded(shape, loc=self.loc.expand(shape), scale=self.scale.expand(shape))

    @property
    def mean(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def stddev(self) -> Tensor:
        """``scale``."""
        return self.scale

    @property
    def variance(self) -> Tensor:
        """``scale ** 2``."""
        return self.stddev.pow(2)

    def sample(self, sample_shape: Sequence[int] = ag.Size()) -> Tensor:
        """Draws of shape ``sample_shape + batch_shape``, outside the graph.

        >>> tuple(Normal(0.0, 1.0).sample((4,)).shape)
        (4,)
        """
        with ag.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Sequence[int] = ag.Size()) -> Tensor:
        """``loc + eps * scale`` with ``eps`` standard normal: differentiable.

        >>> tuple(Normal(ag.zeros(2), 1.0).rsample((3,)).shape)
        (3, 2)
        """
        shape = tuple(self._extended_shape(sample_shape))
        eps = ag.randn(shape, dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        """``-(value - loc)^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi))``.

        >>> Normal(0.0, 1.0).log_prob(ag.tensor(1.0))
        tensor(-1.4189)
        """
        if self._validate_args:
            self._validate_sample(value)
        var = self.scale ** 2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - _LOG_SQRT_2PI

    def cdf(self, value: Tensor) -> Tensor:
        """``(1 + erf((value - loc) / (scale sqrt 2))) / 2``.

        >>> Normal(0.0, 1.0).cdf(ag.tensor(0.0))
        tensor(0.5000)
        """
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ag.erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value: Tensor) -> Tensor:
        """The quantile: ``loc + scale sqrt(2) erfinv(2 value - 1)``.

        >>> round(Normal(0.0, 1.0).icdf(ag.tensor(0.975, dtype=ag.float64)).item(), 6)
        1.959964
        """
        return self.loc + self.scale * ag.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self) -> Tensor:
        """``1/2 + log(2 pi)/2 + log(scale)``.

        >>> Normal(0.0, 1.0).entropy()
        tensor(1.4189)
        """
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
