"""The sets a parameter or a sample must lie in (``torch.distributions.constraints``).

A constraint's ``check(value)`` returns a bool tensor saying, per element (per event when
``event_dim`` > 0), whether ``value`` satisfies it. Distributions use them to validate their
arguments and the values given to ``log_prob``; the printed forms are PyTorch's, so the
error messages read the same.

>>> import autograd_core as ag
>>> from autograd_core.distributions import constraints
>>> constraints.positive
GreaterThan(lower_bound=0.0)
>>> constraints.positive.check(ag.tensor([1.0, -1.0]))
tensor([ True, False])
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

__all__ = ["Constraint", "boolean", "dependent", "dependent_property", "greater_than",
           "lower_cholesky", "positive_definite",
           "greater_than_eq", "half_open_interval", "independent", "integer_interval",
           "interval", "is_dependent", "less_than", "nonnegative", "nonnegative_integer",
           "one_hot", "positive", "real", "real_vector", "simplex", "unit_interval"]


def _show(bound: Any) -> str:
    """A bound as PyTorch prints it in a constraint: a one-element tensor as its number."""
    if isinstance(bound, Tensor) and bound.ndim == 0:
        return str(bound.item())
    return str(bound)


def _array(v: Any) -> np.ndarray:
    """A value or a bound as an array (a Tensor's own data, not a copy)."""
    return v._data if isinstance(v, Tensor) else np.asarray(v)


class Constraint:
    """A set of values: ``check(value)`` is the elementwise (or per event) membership test.

    The constraints defined here test arrays (``_test``): a check is one NumPy expression
    and one tensor, and a distribution's validation (``holds``) makes no tensor at all,
    where the same test in Tensor ops costs an op's bookkeeping per comparison (a
    REINFORCE step validates a sample and a parameter at every environment step).

    >>> import autograd_core as ag
    >>> class Even(Constraint):
    ...     def check(self, value: Tensor) -> Tensor:
    ...         return value % 2 == 0
    >>> Even().check(ag.tensor([2, 3]))
    tensor([ True, False])
    >>> Even().holds(ag.tensor([2, 4])), positive.holds(ag.tensor([1.0, -1.0]))
    (True, False)
    """

    is_discrete = False
    event_dim = 0

    def check(self, value: Tensor) -> Tensor:
        ok = self._test(_array(value))
        if ok is None:
            raise NotImplementedError
        return ag.from_numpy(np.asarray(ok))

    def _test(self, a: np.ndarray) -> np.ndarray | None:
        """The test on an array, for the constraints defined here (None: ``check`` only)."""
        return None

    def holds(self, value: Tensor) -> bool:
        """Whether every element (every event) of ``value`` satisfies the constraint."""
        ok = self._test(_array(value))
        return bool(self.check(value).all()) if ok is None else bool(np.all(ok))

    def __repr__(self) -> str:
        return self.__class__.__name__.lstrip("_") + "()"


class _Dependent(Constraint):
    """A constraint that depends on other parameters: never checked."""

    def __init__(self, *, is_discrete: bool = False, event_dim: int = 0) -> None:
        self.is_discrete, self.event_dim = is_discrete, event_dim

    def check(self, value: Tensor) -> Tensor:
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint: Any) -> bool:
    """Whether ``constraint`` is a dependent one (which validation skips).

    >>> is_dependent(dependent), is_dependent(real)
    (True, False)
    """
    return isinstance(constraint, _Dependent)


class dependent_property(property):
    """A property of a distribution that is a constraint depending on its parameters
    (``support`` of a Uniform, say); read on the class it is a dependent constraint.

    >>> class D:
    ...     @dependent_property
    ...     def support(self) -> Constraint:
    ...         return real
    >>> D().support
    Real()
    """

    def __init__(self, fn: Callable[..., Any] | None = None, *, is_discrete: bool = False,
                 event_dim: int = 0) -> None:
        super().__init__(fn)
        self.is_discrete, self.event_dim = is_discrete, event_dim

    def __call__(self, fn: Callable[..., Any]) -> "dependent_property":
        return dependent_property(fn, is_discrete=self.is_discrete, event_dim=self.event_dim)


class _Real(Constraint):
    def _test(self, a: np.ndarray) -> np.ndarray:
        return a == a  # False only for NaN


class _Boolean(Constraint):
    is_discrete = True

    def _test(self, a: np.ndarray) -> np.ndarray:
        return (a == 0) | (a == 1)


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def _test(self, a: np.ndarray) -> np.ndarray:
        return ((a == 0) | (a == 1)).all(-1) & (a.sum(-1) == 1)


class _Simplex(Constraint):
    event_dim = 1

    def _test(self, a: np.ndarray) -> np.ndarray:
        return (a >= 0).all(-1) & (np.abs(a.sum(-1) - 1) < 1e-6)


class _LowerCholesky(Constraint):
    """Lower-triangular matrices with a positive diagonal (``lower_cholesky``)."""

    event_dim = 2

    def _test(self, a: np.ndarray) -> np.ndarray:
        lower = (np.triu(a, 1) == 0).all((-2, -1))
        return lower & (np.diagonal(a, axis1=-2, axis2=-1) > 0).all(-1)


class _PositiveDefinite(Constraint):
    """Symmetric matrices with a Cholesky factor (``positive_definite``)."""

    event_dim = 2

    def _test(self, a: np.ndarray) -> np.ndarray:
        symmetric = np.isclose(a, np.swapaxes(a, -2, -1), atol=1e-6).all((-2, -1))
        flat = a.reshape((-1,) + a.shape[-2:])
        ok = np.empty(flat.shape[0], bool)
        for i, m in enumerate(flat):
            try:
                np.linalg.cholesky(m)
                ok[i] = True
            except np.linalg.LinAlgError:
                ok[i] = False
        return symmetric & ok.reshape(a.shape[:-2])


class _GreaterThan(Constraint):
    """``value > lower_bound`` (``greater_than``).

    >>> import autograd_core as ag
    >>> greater_than(1.0).check(ag.tensor([1.0, 2.0]))
    tensor([False,  True])
    """

    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def _test(self, a: np.ndarray) -> np.ndarray:
        return a > _array(self.lower_bound)

    def __repr__(self) -> str:
        return f"GreaterThan(lower_bound={_show(self.lower_bound)})"


class _GreaterThanEq(_GreaterThan):
    """``value >= lower_bound`` (``greater_than_eq``).

    >>> import autograd_core as ag
    >>> greater_than_eq(1.0).check(ag.tensor([1.0, 0.0]))
    tensor([ True, False])
    """

    def _test(self, a: np.ndarray) -> np.ndarray:
        return a >= _array(self.lower_bound)

    def __repr__(self) -> str:
        return f"GreaterThanEq(lower_bound={_show(self.lower_bound)})"


class _LessThan(Constraint):
    """``value < upper_bound`` (``less_than``).

    >>> import autograd_core as ag
    >>> less_than(1.0).check(ag.tensor([0.0, 1.0]))
    tensor([ True, False])
    """

    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def _test(self, a: np.ndarray) -> np.ndarray:
        return a < _array(self.upper_bound)

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={_show(self.upper_bound)})"


class _Interval(Constraint):
    """The closed interval ``[lower_bound, upper_bound]`` (``interval``).

    >>> import autograd_core as ag
    >>> interval(0.0, 1.0).check(ag.tensor([0.0, 1.0, 1.5]))
    tensor([ True,  True, False])
    """

    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def _test(self, a: np.ndarray) -> np.ndarray:
        return (a >= _array(self.lower_bound)) & (a <= _array(self.upper_bound))

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__.lstrip('_')}(lower_bound={_show(self.lower_bound)}, "
                f"upper_bound={_show(self.upper_bound)})")


class _HalfOpenInterval(_Interval):
    """``[lower_bound, upper_bound)`` (``half_open_interval``).

    >>> import autograd_core as ag
    >>> half_open_interval(0.0, 1.0).check(ag.tensor([0.0, 1.0]))
    tensor([ True, False])
    """

    def _test(self, a: np.ndarray) -> np.ndarray:
        return (a >= _array(self.lower_bound)) & (a < _array(self.upper_bound))


class _IntegerInterval(_Interval):
    """Integers in ``[lower_bound, upper_bound]`` (``integer_interval``).

    >>> import autograd_core as ag
    >>> integer_interval(0, 2).check(ag.tensor([0.0, 1.5, 3.0]))
    tensor([ True, False, False])
    """

    is_discrete = True

    def _test(self, a: np.ndarray) -> np.ndarray:
        return ((a % 1 == 0) & (a >= _array(self.lower_bound))
                & (a <= _array(self.upper_bound)))


class _IntegerGreaterThan(_GreaterThanEq):
    is_discrete = True

    def _test(self, a: np.ndarray) -> np.ndarray:
        return (a % 1 == 0) & (a >= _array(self.lower_bound))

    def __repr__(self) -> str:
        return f"IntegerGreaterThan(lower_bound={_show(self.lower_bound)})"


class _IndependentConstraint(Constraint):
    """``base`` on each element, with the rightmost ``reinterpreted_batch_ndims`` dims
    taken as one event, all of which must satisfy it (``independent``).

    >>> import autograd_core as ag
    >>> independent(real, 1).check(ag.tensor([[0.0, 1.0], [float("nan"), 1.0]]))
    tensor([ True, False])
    """

    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int) -> None:
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value: Tensor) -> Tensor:
        if self.base_constraint._test(_array(value)) is not None:
            return super().check(value)
        return self._events(self.base_constraint.check(value), value)

    def _test(self, a: np.ndarray) -> np.ndarray | None:
        ok = self.base_constraint._test(a)
        return None if ok is None else self._events(ok, a)

    def _events(self, ok: Any, value: Any) -> Any:
        """``ok`` (per element, array or Tensor) reduced over each event's dims."""
        n = self.reinterpreted_batch_ndims
        if ok.ndim < n:
            raise ValueError(f"Expected value.dim() >= {self.event_dim} but got {value.ndim}")
        if n:
            ok = ok.reshape(tuple(ok.shape[:ok.ndim - n]) + (-1,)).all(-1)
        return ok

    def __repr__(self) -> str:
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


dependent = _Dependent()
real = _Real()
real_vector = _IndependentConstraint(real, 1)
boolean = _Boolean()
one_hot = _OneHot()
simplex = _Simplex()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
nonnegative_integer = _IntegerGreaterThan(0)
unit_interval = _Interval(0.0, 1.0)
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
independent = _IndependentConstraint
