"""``Independent``: some batch dims of a distribution read as one event.

>>> import autograd_core as ag
>>> from autograd_core.distributions import Independent, Normal
>>> m = Independent(Normal(ag.zeros(2, 3), 1.0), 1)
>>> m.batch_shape, m.event_shape
((2,), (3,))
"""
from __future__ import annotations

from typing import Any, Sequence

import autograd_core as ag
from autograd_core import Tensor

from . import constraints
from .distribution import Distribution

__all__ = ["Independent"]


def _sum_rightmost(value: Tensor, dims: int) -> Tensor:
    """``value`` summed over its ``dims`` rightmost dims."""
    if dims == 0:
        return value
    return value.reshape(tuple(value.shape[:value.ndim - dims]) + (-1,)).sum(-1)


class Independent(Distribution):
    """``base_distribution`` with its ``reinterpreted_batch_ndims`` rightmost batch dims
    taken as event dims: ``log_prob`` and ``entropy`` sum over them (a diagonal Gaussian
    from a batch of Normals, say).

    >>> import autograd_core as ag
    >>> from autograd_core.distributions import Normal
    >>> m = Independent(Normal(ag.zeros(3), 1.0), 1)
    >>> m.log_prob(ag.zeros(3))
    tensor(-2.7568)
    """

    arg_constraints: dict[str, constraints.Constraint] = {}

    def __init__(self, base_distribution: Distribution, reinterpreted_batch_ndims: int,
                 validate_args: bool | None = None) -> None:
        if reinterpreted_batch_ndims > len(base_distribution.batch_shape):
            raise ValueError(
                "Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), "
                f"actual {reinterpreted_batch_ndims} vs {len(base_distribution.batch_shape)}")
        shape = base_distribution.batch_shape + base_distribution.event_shape
        event_dim = reinterpreted_batch_ndims + len(base_distribution.event_shape)
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        super().__init__(shape[:len(shape) - event_dim], shape[len(shape) - event_dim:],
                         validate_args=validate_args)

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> "Independent":
        """This distribution with its batch shape expanded to ``batch_shape``.

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Normal
        >>> Independent(Normal(ag.zeros(3), 1.0), 1).expand((2,)).batch_shape
        (2,)
        """
        n = self.reinterpreted_batch_ndims
        base = self.base_dist.expand(tuple(batch_shape) + tuple(self.event_shape[:n]))
        return self._expanded(tuple(batch_shape), base_dist=base, reinterpreted_batch_ndims=n)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        """Whether the base distribution has ``rsample``."""
        return self.base_dist.has_rsample

    @property
    def has_enumerate_support(self) -> bool:  # type: ignore[override]
        """Only when no batch dim is reinterpreted."""
        return self.reinterpreted_batch_ndims == 0 and self.base_dist.has_enumerate_support

    @property
    def support(self) -> constraints.Constraint:  # type: ignore[override]
        """The base's support, taken over whole events."""
        if self.reinterpreted_batch_ndims:
            return constraints.independent(self.base_dist.support, self.reinterpreted_batch_ndims)
        return self.base_dist.support

    @property
    def mean(self) -> Tensor:
        """The base distribution's mean."""
        return self.base_dist.mean

    @property
    def mode(self) -> Tensor:
        """The base distribution's mode."""
        return self.base_dist.mode

    @property
    def variance(self) -> Tensor:
        """The base distribution's variance."""
        return self.base_dist.variance

    def sample(self, sample_shape: Sequence[int] = ag.Size()) -> Tensor:
        """The base distribution's draws."""
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape: Sequence[int] = ag.Size()) -> Tensor:
        """The base distribution's reparameterized draws."""
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """The base's ``log_prob`` summed over the event dims."""
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self) -> Tensor:
        """The base's entropy summed over the event dims."""
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The base's support, when no batch dim is reinterpreted."""
        if self.reinterpreted_batch_ndims > 0:
            raise NotImplementedError("Enumeration over cartesian product is not implemented")
        return self.base_dist.enumerate_support(expand=expand)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.base_dist}, {self.reinterpreted_batch_ndims})"
