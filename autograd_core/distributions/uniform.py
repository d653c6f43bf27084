"""``Uniform``: the uniform distribution on ``[low, high)``.

>>> import autograd_core as ag
>>> from autograd_core.distributions import Uniform
>>> Uniform(0.0, 4.0).log_prob(ag.tensor(1.0))
tensor(-1.3863)
"""
from __future__ import annotations

import numbers
from typing import Any, Sequence

import autograd_core as ag
from autograd_core import Tensor

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Uniform"]


class Uniform(Distribution):
    """Uniform on ``[low, high)``; ``low`` and ``high`` broadcast to the batch shape.
    ``rsample`` is ``low + u (high - low)`` with ``u ~ U[0, 1)``: differentiable.

    >>> import autograd_core as ag
    >>> m = Uniform(ag.tensor([0.0, 1.0]), 3.0)
    >>> m.mean
    tensor([1.5000, 2.0000])
    >>> bool(((m.sample((100,)) >= m.low) & (m.sample((100,)) < m.high)).all())
    True
    """

    has_rsample = True

    @property
    def arg_constraints(self) -> dict[str, constraints.Constraint]:
        """``low < high``."""
        return {"low": constraints.less_than(self.high),
                "high": constraints.greater_than(self.low)}

    def __init__(self, low: Tensor | float, high: Tensor | float,
                 validate_args: bool | None = None) -> None:
        self.low, self.high = broadcast_all(low, high)
        numbers_only = isinstance(low, numbers.Number) and isinstance(high, numbers.Number)
        batch_shape = () if numbers_only else tuple(self.low.shape)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> "Uniform":
        """This distribution with its bounds expanded to ``batch_shape``.

        >>> Uniform(0.0, 1.0).expand((2,)).high
        tensor([1., 1.])
        """
        shape = tuple(batch_shape)
        return self._expanded(shape, low=self.low.expand(shape), high=self.high.expand(shape))

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> constraints.Constraint:
        """``[low, high]``."""
        return constraints.interval(self.low, self.high)

    @property
    def mean(self) -> Tensor:
        """``(low + high) / 2``."""
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Tensor:
        """Undefined: NaN."""
        return float("nan") * self.high

    @property
    def stddev(self) -> Tensor:
        """``(high - low) / sqrt(12)``."""
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self) -> Tensor:
        """``(high - low)^2 / 12``."""
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Sequence[int] = ag.Size()) -> Tensor:
        """``low + u (high - low)``, ``u`` uniform on ``[0, 1)``.

        >>> tuple(Uniform(0.0, 1.0).rsample((2, 3)).shape)
        (2, 3)
        """
        shape = tuple(self._extended_shape(sample_shape))
        u = ag.rand(shape, dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value: Tensor) -> Tensor:
        """``-log(high - low)`` inside ``[low, high)``, ``-inf`` outside.

        >>> Uniform(0.0, 2.0, validate_args=False).log_prob(ag.tensor([1.0, 3.0]))
        tensor([-0.6931,    -inf])
        """
        if self._validate_args:
            self._validate_sample(value)
        inside = self.low.le(value) & self.high.gt(value)
        return ag.where(inside, 0.0, float("-inf")).type_as(self.low) - (self.high - self.low).log()

    def cdf(self, value: Tensor) -> Tensor:
        """``(value - low) / (high - low)``, clamped to ``[0, 1]``.

        >>> Uniform(0.0, 4.0).cdf(ag.tensor(1.0))
        tensor(0.2500)
        """
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value: Tensor) -> Tensor:
        """``low + value (high - low)``.

        >>> Uniform(0.0, 4.0).icdf(ag.tensor(0.25))
        tensor(1.)
        """
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        """``log(high - low)``.

        >>> Uniform(0.0, 1.0).entropy()
        tensor(0.)
        """
        return (self.high - self.low).log()
