"""``Distribution``: the base class of every probability distribution.

A distribution has a ``batch_shape`` (independent, possibly different, distributions
side by side) and an ``event_shape`` (the shape of one draw). ``sample(sample_shape)``
returns ``sample_shape + batch_shape + event_shape``; ``log_prob(value)`` returns one
number per draw and batch entry. With validation on (the default, as PyTorch's: off only
under ``python -O``), parameters are checked against ``arg_constraints`` at construction
and values against ``support`` in ``log_prob``, raising PyTorch's ``ValueError``.

>>> import autograd_core as ag
>>> from autograd_core.distributions import Normal
>>> d = Normal(ag.zeros(3), 1.0)
>>> d.batch_shape, d.event_shape, tuple(d.sample((2,)).shape)
((3,), (), (2, 3))
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import autograd_core as ag
from autograd_core import Tensor

from . import constraints
from .utils import lazy_property

__all__ = ["Distribution"]

_Shape = Sequence[int]


def _show(t: Any) -> str:
    """A tensor as PyTorch's messages show it: a 0-dim tensor as its number."""
    if isinstance(t, Tensor) and t.ndim == 0:
        return str(t.item())
    return str(t)


class Distribution:
    """The base class: subclasses set ``arg_constraints`` and ``support`` and define the
    methods they can (``rsample`` when sampling is reparameterizable, then
    ``has_rsample = True``).

    >>> import autograd_core as ag
    >>> class Coin(Distribution):
    ...     arg_constraints = {}
    ...     support = constraints.boolean
    ...     def log_prob(self, value: Tensor) -> Tensor:
    ...         return ag.full_like(value, -0.6931471805599453)
    >>> Coin().log_prob(ag.tensor([0.0, 1.0]))
    tensor([-0.6931, -0.6931])
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument validation on or off for distributions made afterwards (without
        their own ``validate_args``).

        >>> Distribution.set_default_validate_args(False)
        >>> Distribution.set_default_validate_args(True)
        """
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape: _Shape = ag.Size(), event_shape: _Shape = ag.Size(),
                 validate_args: bool | None = None) -> None:
        self._batch_shape = ag.Size(batch_shape)
        self._event_shape = ag.Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
                warnings.warn(f"{self.__class__} does not define `arg_constraints`. Please set "
                              "`arg_constraints = {}` or initialize the distribution with "
                              "`validate_args=False` to turn off validation.", stacklevel=2)
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and isinstance(getattr(type(self), param, None),
                                                             lazy_property):
                    continue  # computed on first use from the parameter that was given
                value = getattr(self, param)
                if not constraint.holds(value):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{_show(value)}")

    # ---------------------------------------------------------------- shapes
    @property
    def batch_shape(self) -> ag.Size:
        """The shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self) -> ag.Size:
        """The shape of one draw, without batching."""
        return self._event_shape

    def _extended_shape(self, sample_shape: _Shape = ag.Size()) -> ag.Size:
        """``sample_shape + batch_shape + event_shape``."""
        return ag.Size(tuple(sample_shape)) + self._batch_shape + self._event_shape

    def expand(self, batch_shape: _Shape, _instance: Any = None) -> "Distribution":
        """A distribution of the same kind with its parameters expanded to ``batch_shape``
        (views: no copy, no validation again).

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Normal
        >>> Normal(0.0, 1.0).expand((2, 3)).batch_shape
        (2, 3)
        """
        raise NotImplementedError

    def _expanded(self, batch_shape: _Shape, **params: Tensor) -> Any:
        """A new instance of this class with ``params`` (already expanded) set and the
        given batch shape, keeping this one's validation setting."""
        new = self.__new__(type(self))
        new.__dict__.update(params)
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    # ------------------------------------------------------ what a subclass says
    @property
    def arg_constraints(self) -> dict[str, constraints.Constraint]:
        """The constraint each parameter must satisfy, by name."""
        raise NotImplementedError

    @property
    def support(self) -> constraints.Constraint:
        """The set the values of the distribution lie in."""
        raise NotImplementedError

    @property
    def mean(self) -> Tensor:
        """The mean, of shape ``batch_shape + event_shape``."""
        raise NotImplementedError

    @property
    def mode(self) -> Tensor:
        """The most likely value."""
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self) -> Tensor:
        """The variance, of shape ``batch_shape + event_shape``."""
        raise NotImplementedError

    @property
    def stddev(self) -> Tensor:
        """The standard deviation: the square root of the variance."""
        return self.variance.sqrt()

    def sample(self, sample_shape: _Shape = ag.Size()) -> Tensor:
        """Draws of shape ``sample_shape + batch_shape + event_shape``, outside the graph.

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Normal
        >>> tuple(Normal(ag.zeros(2), 1.0).sample((5,)).shape)
        (5, 2)
        """
        with ag.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: _Shape = ag.Size()) -> Tensor:
        """Reparameterized draws: differentiable with respect to the parameters."""
        raise NotImplementedError

    def log_prob(self, value: Tensor) -> Tensor:
        """The log of the density (or mass) at ``value``."""
        raise NotImplementedError

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at ``value``."""
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse of the cumulative distribution function at ``value``."""
        raise NotImplementedError

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """Every value of a discrete distribution, along dim 0."""
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """The entropy, of shape ``batch_shape``."""
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        """``exp(entropy)``.

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Categorical
        >>> Categorical(ag.ones(4)).perplexity()
        tensor(4.)
        """
        return self.entropy().exp()

    # ---------------------------------------------------------------- validation
    def _validate_sample(self, value: Tensor) -> None:
        """Raise PyTorch's ValueError when ``value`` is not a tensor, does not broadcast
        with ``batch_shape + event_shape`` or lies outside the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        actual = ag.Size(tuple(value.shape))
        start = len(actual) - len(self._event_shape)
        if actual[start:] != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: {actual} vs "
                             f"{self._event_shape}.")
        expected = self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{actual} vs {expected}.")
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f"{self.__class__} does not define `support` to enable sample "
                          "validation. Please initialize the distribution with "
                          "`validate_args=False` to turn off validation.", stacklevel=2)
            return
        if not support.holds(value):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                f"distribution {self!r}, but found invalid values:\n{_show(value)}")

    def __repr__(self) -> str:
        try:
            names = [k for k in self.arg_constraints if k in self.__dict__]
        except NotImplementedError:
            names = []
        params = {k: self.__dict__[k] for k in names}
        shown = ", ".join(f"{k}: {_show(v) if v.numel() == 1 else v.size()}"
                          for k, v in params.items())
        return f"{self.__class__.__name__}({shown})"
