"""Pointwise Tensor methods: arithmetic operators with PyTorch's type promotion,
comparisons and logic, and elementwise math (exp, log, trigonometry, rounding,
special functions, clamp, maximum, ...); and the ``where`` function.

Longer than 600 lines on purpose: it is one concept (every pointwise method of Tensor,
each a few lines plus its runnable example); split, a reader would look in two places.
"""

from __future__ import annotations

from typing import Any, Callable, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..autograd.function import is_tensor
from .dtypes import get_default_dtype, scalar_type_name
from .args import _SCALARS, _array, _is_float, _pair_dtype, _require_float, _require_tensor
from ..ops import pointwise as P
from ..ops import TENSOR_METHODS
from ..ops import special as SP

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


class PointwiseMixin:
    """Pointwise Tensor methods: arithmetic operators with PyTorch's type promotion,"""

    __slots__ = ()

    def _other(self, other: Any, op: str) -> "Tensor":
        if is_tensor(other):
            return other
        if isinstance(other, _SCALARS):
            return _f.make(np.asarray(other, dtype=_pair_dtype(self._data, other)))
        if isinstance(other, np.ndarray):
            return _f.make(other)
        raise TypeError(f"unsupported operand type(s) for {op}: 'Tensor' and "
                        f"'{type(other).__name__}'")

    def _binary(self, other: Any, Op: type, op: str, **attrs: Any) -> "Tensor":
        if type(other) is _f.Tensor and other._data.dtype == self._data.dtype:  # the common case
            return Op.apply(self, other, **attrs)
        o = self._other(other, op)
        a = self
        da, do = a._data.dtype, o._data.dtype
        if da != do and _is_float(da) != _is_float(do):
            # int with float: the int side takes the float's dtype (PyTorch's rule);
            # integer tensors never require grad, so a plain cast is enough
            if _is_float(da):
                o = _f.make(o._data.astype(da))
            else:
                a = _f.make(a._data.astype(do))
        return Op.apply(a, o, **attrs)

    def _rbinary(self, other: Any, Op: type, op: str) -> "Tensor":
        return self._other(other, op)._binary(self, Op, op)

    def __add__(self, other: Any) -> "Tensor":
        return self._binary(other, P.Add, "+")

    def __radd__(self, other: Any) -> "Tensor":
        return self._rbinary(other, P.Add, "+")

    def __sub__(self, other: Any) -> "Tensor":
        return self._binary(other, P.Sub, "-")

    def __rsub__(self, other: Any) -> "Tensor":
        return self._rbinary(other, P.Sub, "-")

    def __mul__(self, other: Any) -> "Tensor":
        return self._binary(other, P.Mul, "*")

    def __rmul__(self, other: Any) -> "Tensor":
        return self._rbinary(other, P.Mul, "*")

    def __truediv__(self, other: Any) -> "Tensor":
        a = self if _is_float(self._data.dtype) or isinstance(other, float) or (
            is_tensor(other) and _is_float(other._data.dtype)) else self.float()
        return a._binary(other, P.Div, "/")

    def __rtruediv__(self, other: Any) -> "Tensor":
        return self._other(other, "/").__truediv__(self)

    def __pow__(self, other: Any) -> "Tensor":
        return self._binary(other, P.Pow, "**")

    def __rpow__(self, other: Any) -> "Tensor":
        return self._rbinary(other, P.Pow, "**")

    def __neg__(self) -> "Tensor":
        return P.Neg.apply(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return P.Abs.apply(self)

    def __floordiv__(self, other: Any) -> "Tensor":
        return self.floor_divide(other)

    def __rfloordiv__(self, other: Any) -> "Tensor":
        return self._other(other, "//").floor_divide(self)

    def __mod__(self, other: Any) -> "Tensor":
        return self.remainder(other)

    def __rmod__(self, other: Any) -> "Tensor":
        return self._other(other, "%").remainder(self)

    def floor_divide(self, other: Any) -> "Tensor":
        """``self / other`` rounded down (Python's ``//``); integers stay integers. PyTorch
        gives it no derivative: backward through it raises.

        >>> import autograd_core as ag
        >>> ag.tensor([7, -7]) // 2, ag.tensor([7.5]).floor_divide(-2)
        (tensor([ 3, -4]), tensor([-4.]))
        """
        return self._binary(other, P.FloorDivide, "//")

    def remainder(self, other: Any) -> "Tensor":
        """Python's ``%``: ``self - other * floor(self / other)``, with the sign of ``other``
        (``fmod`` keeps the sign of ``self``). Gradients 1 and ``-floor(self / other)``.

        >>> import autograd_core as ag
        >>> ag.tensor([5, -5]) % 3, ag.tensor([5.0, -5.0]).remainder(-3)
        (tensor([2, 1]), tensor([-1., -2.]))
        """
        return self._binary(other, P.Remainder, "%")

    def fmod(self, other: Any) -> "Tensor":
        """C's ``fmod``: the remainder of ``self / other`` rounded towards zero, with the
        sign of ``self``. Gradients 1 and ``-trunc(self / other)``.

        >>> import autograd_core as ag
        >>> ag.tensor([5, -5]).fmod(3)
        tensor([ 2, -2])
        """
        return self._binary(other, P.Fmod, "fmod")

    def copysign(self, other: Any) -> "Tensor":
        """``|self|`` with the sign of ``other`` (signed zeros count); integers give the
        default float dtype. The gradient flips ``self``'s where the sign changed (0 where
        ``self`` is 0); ``other`` gets zero, as PyTorch's.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, -2.0, 3.0]).copysign(ag.tensor([-1.0, 1.0, -0.0]))
        tensor([-1.,  2., -3.])
        """
        o = self._other(other, "copysign")
        a = self
        if not _is_float(a._data.dtype) and not _is_float(o._data.dtype):
            a, o = a._floating(), o._floating()
        return a._binary(o, P.Copysign, "copysign")

    def add(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        """``self + alpha * other``.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0]).add(ag.tensor([1.0, 1.0]), alpha=10)
        tensor([11., 12.])
        """
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        """``self - alpha * other``.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0]).sub(ag.tensor([1.0, 1.0]), alpha=2)
        tensor([-1.,  0.])
        """
        return self - (other if alpha == 1 else other * alpha)

    subtract = sub

    mul = __mul__

    multiply = mul

    def div(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        """``self / other``; ``rounding_mode='trunc'`` rounds the quotient towards zero,
        ``'floor'`` down (integers then stay integers, and both gradients are zero, as
        PyTorch's).

        >>> import autograd_core as ag
        >>> x = ag.tensor([-7, 7])
        >>> x.div(2), x.div(2, rounding_mode="trunc"), x.div(2, rounding_mode="floor")
        (tensor([-3.5,  3.5]), tensor([-3,  3]), tensor([-4,  3]))
        """
        if rounding_mode is None:
            return self.__truediv__(other)
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or "
                               f"'floor' but found '{rounding_mode}'")
        return self._binary(other, P.DivRounded, "div", rounding_mode=rounding_mode)

    divide = div

    true_divide = __truediv__

    pow = __pow__

    neg = __neg__

    # comparisons: bool tensors, no gradient
    def _compare(self, other: Any, fn: Callable, op: str) -> "Tensor":
        o = self._other(other, op)._data
        try:
            return _f.make(np.asarray(fn(self._data, o)))
        except ValueError:
            raise RuntimeError(f"{op}: shapes {self.shape} and {o.shape} cannot be broadcast "
                             "together") from None

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.equal, "==")

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.not_equal, "!=")

    def __lt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less, "<")

    def __le__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less_equal, "<=")

    def __gt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater, ">")

    def __ge__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater_equal, ">=")

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def _bitwise(self, other: Any, fn: Callable, kernel: str, reflected: bool = False
                 ) -> "Tensor":
        """An integer (or bool) op of two tensors with PyTorch's rules: a Python int takes
        this tensor's dtype, wrapping around as a C cast does (``int32 | 0xFFFFFFFF`` is
        ``-1``), a 0-d tensor does not widen a tensor with dims of its kind, and floats
        raise PyTorch's ``NotImplementedError``."""
        a = self._data
        if is_tensor(other):
            b = other._data
        elif isinstance(other, (bool, np.bool_)):
            b = np.asarray(other)
        elif isinstance(other, (int, np.integer)):
            b = _wrap_int(int(other), np.dtype(np.int64) if a.dtype == np.bool_ else a.dtype)
        elif isinstance(other, (float, np.floating)):
            b = np.asarray(other, dtype=get_default_dtype())
        else:
            b = self._other(other, kernel)._data
        if reflected:
            a, b = b, a
        dtype = _bitwise_dtype(a, b)
        if dtype.kind not in "iub":
            raise NotImplementedError(f'"{kernel}_cpu" not implemented for '
                                      f"'{scalar_type_name(dtype)}'")
        try:
            return _f.make(np.asarray(fn(a.astype(dtype, copy=False),
                                         b.astype(dtype, copy=False)), dtype=dtype))
        except ValueError:
            raise RuntimeError(f"{kernel}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot "
                               "be broadcast together") from None

    def bitwise_and(self, other: Any) -> "Tensor":
        """Elementwise AND of the bits of integers (of truth values for bools); ``&``.

        >>> import autograd_core as ag
        >>> ag.tensor([12, 10]) & 6, ag.tensor([True, False]) & True
        (tensor([4, 2]), tensor([ True, False]))
        """
        return self._bitwise(other, np.bitwise_and, "bitwise_and")

    def bitwise_or(self, other: Any) -> "Tensor":
        """Elementwise OR of the bits; ``|``. A Python int wraps to this tensor's dtype.

        >>> import autograd_core as ag
        >>> ag.tensor([1], dtype=ag.int32) | 0xFFFFFFFF
        tensor([-1], dtype=int32)
        """
        return self._bitwise(other, np.bitwise_or, "bitwise_or")

    def bitwise_xor(self, other: Any) -> "Tensor":
        """Elementwise XOR of the bits; ``^``.

        >>> import autograd_core as ag
        >>> ag.tensor([12, 10]) ^ 6
        tensor([10, 12])
        """
        return self._bitwise(other, np.bitwise_xor, "bitwise_xor")

    def bitwise_left_shift(self, other: Any) -> "Tensor":
        """``self << other``: shifts by a negative count or by the bit width or more give 0,
        as PyTorch's.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 1, 1]) << ag.tensor([3, 64, -1])
        tensor([8, 0, 0])
        """
        return self._bitwise(other, _left_shift, "lshift")

    def bitwise_right_shift(self, other: Any) -> "Tensor":
        """``self >> other`` (arithmetic for signed dtypes): shifts by a negative count or
        by the bit width or more give the sign (0 or -1), as PyTorch's.

        >>> import autograd_core as ag
        >>> ag.tensor([-8, -8, 8]) >> ag.tensor([1, 70, 70])
        tensor([-4, -1,  0])
        """
        return self._bitwise(other, _right_shift, "rshift")

    def bitwise_not(self) -> "Tensor":
        """Elementwise NOT of the bits of integers (logical NOT for bools); ``~``.

        >>> import autograd_core as ag
        >>> ag.bitwise_not(ag.tensor([0, 5])), ~ag.tensor([True, False])
        (tensor([-1, -6]), tensor([False,  True]))
        """
        d = self._data
        if d.dtype.kind not in "iub":
            raise NotImplementedError(f'"bitwise_not_cpu" not implemented for '
                                      f"'{scalar_type_name(d.dtype)}'")
        return _f.make(np.asarray(np.logical_not(d) if d.dtype == np.bool_ else np.invert(d)))

    def __invert__(self) -> "Tensor":
        if self._data.dtype.kind not in "iub":
            raise TypeError("~ (operator.invert) is only implemented on integer and "
                            "Boolean-type tensors")
        return self.bitwise_not()

    __and__ = bitwise_and
    __or__ = bitwise_or
    __xor__ = bitwise_xor
    __lshift__ = bitwise_left_shift
    __rshift__ = bitwise_right_shift

    def __rand__(self, other: Any) -> "Tensor":
        return self._bitwise(other, np.bitwise_and, "bitwise_and", reflected=True)

    def __ror__(self, other: Any) -> "Tensor":
        return self._bitwise(other, np.bitwise_or, "bitwise_or", reflected=True)

    def __rxor__(self, other: Any) -> "Tensor":
        return self._bitwise(other, np.bitwise_xor, "bitwise_xor", reflected=True)

    def __rlshift__(self, other: Any) -> "Tensor":
        return self._bitwise(other, _left_shift, "lshift", reflected=True)

    def __rrshift__(self, other: Any) -> "Tensor":
        return self._bitwise(other, _right_shift, "rshift", reflected=True)

    def logical_not(self) -> "Tensor":
        return _f.make(np.logical_not(self._data))

    def isnan(self) -> "Tensor":
        return _f.make(np.isnan(self._data))

    def isfinite(self) -> "Tensor":
        return _f.make(np.isfinite(self._data))

    def sign(self) -> "Tensor":
        """-1, 0 or 1 by the sign of each element (zero gradient, as PyTorch's).

        >>> import autograd_core as ag
        >>> ag.tensor([-2.0, 0.0, 3.0]).sign()
        tensor([-1.,  0.,  1.])
        """
        return P.Sign.apply(self)

    def allclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
                 equal_nan: bool = False) -> bool:
        """True when every ``|self - other| <= atol + rtol * |other|`` (NaNs equal with
        ``equal_nan``).

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("nan")]).allclose(ag.tensor([1.0, float("nan")]), equal_nan=True)
        True
        """
        return bool(np.allclose(self._data, np.asarray(other), rtol=rtol, atol=atol,
                                equal_nan=equal_nan))

    def equal(self, other: "Tensor") -> bool:
        return self.shape == other.shape and bool((self._data == other._data).all())

    def _floating(self) -> "Tensor":
        """Integer and bool tensors as the default float dtype, as PyTorch's float ops take
        them (``tensor([1, 2]).exp()`` is float32); float tensors as they are."""
        if self._data.dtype.kind == "f":
            return self
        return _f.make(self._data.astype(get_default_dtype()))

    def relu(self) -> "Tensor":
        return P.Relu.apply(self)

    def abs(self) -> "Tensor":
        return P.Abs.apply(self)

    def square(self) -> "Tensor":
        return self * self

    def clamp(self, min: float | None = None, max: float | None = None) -> "Tensor":
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        return P.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def maximum(self, other: Any) -> "Tensor":
        return self._binary(other, P.Maximum, "maximum")

    def minimum(self, other: Any) -> "Tensor":
        return self._binary(other, P.Minimum, "minimum")

    def round(self, *, decimals: int = 0) -> "Tensor":
        """Round to the nearest integer (ties to even), or to ``decimals`` places; zero gradient.

        >>> import autograd_core as ag
        >>> ag.tensor([0.5, 1.5, 2.675]).round(), ag.tensor([1.2345]).round(decimals=2)
        (tensor([0., 2., 3.]), tensor([1.23]))
        """
        if self._data.dtype.kind != "f":
            return self.clone()  # integers are already round: a copy, as PyTorch
        return P.Round.apply(self, decimals=int(decimals))

    def floor(self) -> "Tensor":
        """The largest integer not above each element (zero gradient).

        >>> import autograd_core as ag
        >>> ag.tensor([-1.5, 1.5]).floor()
        tensor([-2.,  1.])
        """
        return self._step(P.Floor, "floor")

    def ceil(self) -> "Tensor":
        """The smallest integer not below each element (zero gradient).

        >>> import autograd_core as ag
        >>> ag.tensor([-1.5, 1.5]).ceil()
        tensor([-1.,  2.])
        """
        return self._step(P.Ceil, "ceil")

    def trunc(self) -> "Tensor":
        """Each element rounded towards zero (zero gradient).

        >>> import autograd_core as ag
        >>> ag.tensor([-1.5, 1.5]).trunc()
        tensor([-1.,  1.])
        """
        return self._step(P.Trunc, "trunc")

    fix = trunc

    def _step(self, Op: type, name: str) -> "Tensor":
        if self._data.dtype == np.bool_:
            raise TypeError(f"{name}: not implemented for bool tensors")
        if self._data.dtype.kind != "f":
            return self.clone()
        return Op.apply(self)

    def frac(self) -> "Tensor":
        """The fractional part ``x - trunc(x)`` (its sign is x's); gradient 1.

        >>> import autograd_core as ag
        >>> ag.tensor([2.25, -1.5]).frac()
        tensor([ 0.25, -0.5 ])
        """
        _require_float(self, "frac")
        return self - self.trunc()

    def reciprocal(self) -> "Tensor":
        """``1 / x`` elementwise (integers give the default float dtype).

        >>> import autograd_core as ag
        >>> ag.tensor([2, 4]).reciprocal()
        tensor([0.5 , 0.25])
        """
        return 1 / self._floating()

    def hypot(self, other: Any) -> "Tensor":
        """``sqrt(self**2 + other**2)`` elementwise without overflow; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([3.0, 5.0]).hypot(ag.tensor([4.0, 12.0]))
        tensor([ 5., 13.])
        """
        o = self._other(other, "hypot")
        for t in (self, o):
            _require_float(t, "hypot")
        return self._binary(o, SP.Hypot, "hypot")

    def logaddexp(self, other: Any) -> "Tensor":
        """``log(exp(self) + exp(other))`` elementwise, without overflow; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1000.0, 0.0]).logaddexp(ag.tensor([1000.0, 0.0]))
        tensor([1.0007e+03, 6.9315e-01])
        """
        o = self._other(other, "logaddexp")
        for t in (self, o):
            _require_float(t, "logaddexp")
        try:
            m = np.maximum(self._data, o._data)
        except ValueError:
            raise RuntimeError(f"logaddexp: shapes {self.shape} and {o.shape} cannot be broadcast "
                             "together") from None
        m = _f.make(np.where(np.isfinite(m), m, 0).astype(m.dtype))
        return ((self - m).exp() + (o - m).exp()).log() + m

    def lerp(self, end: "Tensor", weight: Any) -> "Tensor":
        """``self + weight * (end - self)``; ``weight`` is a number or a tensor; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 10.0]).lerp(ag.tensor([10.0, 20.0]), 0.25)
        tensor([ 2.5, 12.5])
        """
        end = _require_tensor(end, "lerp", "end")
        if end.dtype != self.dtype:
            raise TypeError(f"lerp: expected end of dtype {self.dtype} like self, got {end.dtype}")
        if isinstance(weight, _f.Tensor) and weight.dtype != self.dtype:
            raise TypeError(f"lerp: expected weight of dtype {self.dtype} like self, got "
                            f"{weight.dtype}")
        return self + weight * (end - self)

    def addcmul(self, tensor1: "Tensor", tensor2: "Tensor", *, value: Any = 1) -> "Tensor":
        """``self + value * tensor1 * tensor2``; broadcasts.

        >>> import autograd_core as ag
        >>> ag.ones(2).addcmul(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]), value=0.5)
        tensor([2.5, 5. ])
        """
        prod = tensor1 * tensor2
        return self + (prod if value == 1 else value * prod)

    def addcdiv(self, tensor1: "Tensor", tensor2: "Tensor", *, value: Any = 1) -> "Tensor":
        """``self + value * tensor1 / tensor2``; broadcasts.

        >>> import autograd_core as ag
        >>> ag.ones(2).addcdiv(ag.tensor([1.0, 2.0]), ag.tensor([4.0, 4.0]), value=2)
        tensor([1.5, 2. ])
        """
        a, b = _array(tensor1), _array(tensor2)
        if a.dtype.kind in "iub" and b.dtype.kind in "iub":
            raise TypeError(f"addcdiv: integer division is not supported, got tensor1 of dtype "
                            f"{a.dtype} and tensor2 of dtype {b.dtype}")
        quot = tensor1 / tensor2
        return self + (quot if value == 1 else value * quot)

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                   neginf: float | None = None) -> "Tensor":
        """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and
        the dtype's largest and lowest values); the gradient is zero at the replaced places.

        >>> import autograd_core as ag
        >>> ag.tensor([float("nan"), float("inf"), -1.0]).nan_to_num(posinf=9.0)
        tensor([ 0.,  9., -1.])
        """
        d = self._data
        if d.dtype.kind != "f":
            return self.clone()
        info = np.finfo(d.dtype)
        posinf = info.max if posinf is None else posinf
        neginf = info.min if neginf is None else neginf
        with np.errstate(over="ignore"):
            fill = np.where(np.isnan(d), np.asarray(nan, d.dtype),
                            np.where(d > 0, np.asarray(posinf, d.dtype), np.asarray(neginf, d.dtype)))
        return where(np.isfinite(d), self, _f.make(fill))

    def isinf(self) -> "Tensor":
        """True where the element is +inf or -inf.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("inf"), -float("inf")]).isinf()
        tensor([False,  True,  True])
        """
        return _f.make(np.asarray(np.isinf(self._data)))

    def isposinf(self) -> "Tensor":
        """True where the element is +inf.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("inf"), -float("inf")]).isposinf()
        tensor([False,  True, False])
        """
        return _f.make(np.asarray(np.isposinf(self._data)))

    def isneginf(self) -> "Tensor":
        """True where the element is -inf.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("inf"), -float("inf")]).isneginf()
        tensor([False, False,  True])
        """
        return _f.make(np.asarray(np.isneginf(self._data)))

    def logical_and(self, other: Any) -> "Tensor":
        """Elementwise AND of truth values (non-zero is true); a bool tensor; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 0, 2]).logical_and(ag.tensor([True, True, False]))
        tensor([ True, False, False])
        """
        return self._compare(other, np.logical_and, "logical_and")

    def logical_or(self, other: Any) -> "Tensor":
        """Elementwise OR of truth values (non-zero is true); a bool tensor; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 0, 0]).logical_or(ag.tensor([0.0, 0.0, 3.0]))
        tensor([ True, False,  True])
        """
        return self._compare(other, np.logical_or, "logical_or")

    def logical_xor(self, other: Any) -> "Tensor":
        """Elementwise XOR of truth values (non-zero is true); a bool tensor; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 0, 2]).logical_xor(ag.tensor([1, 1, 0]))
        tensor([False,  True,  True])
        """
        return self._compare(other, np.logical_xor, "logical_xor")

    def where(self, condition: Any, other: Any) -> "Tensor":
        """``self`` where ``condition`` holds, else ``other``: ``ag.where(condition, self, other)``.

        >>> import autograd_core as ag
        >>> x = ag.tensor([-1.0, 2.0])
        >>> x.where(x > 0, 0.0)
        tensor([0., 2.])
        """
        return where(condition, self, other)

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> "Tensor":
        """True where ``|self - other| <= atol + rtol * |other|`` (equal infinities are close).

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0]).isclose(ag.tensor([1.0 + 1e-7, 2.1]))
        tensor([ True, False])
        """
        if rtol < 0 or atol < 0:
            raise RuntimeError(f"isclose: rtol and atol must be non-negative, got rtol={rtol} and "
                             f"atol={atol}")
        return self._compare(other, lambda a, b: np.isclose(a, b, rtol, atol, equal_nan),
                             "isclose")

    def atan2(self, other: Any) -> "Tensor":
        """Elementwise angle of the point ``(other, self)``, in ``(-pi, pi]``; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, -1.0]).atan2(ag.tensor([0.0, -1.0]))
        tensor([ 1.5708, -2.3562])
        """
        a = self if _is_float(self._data.dtype) else self.float()
        return a._binary(other, SP.Atan2, "atan2")

    arctan2 = atan2

    def clamp_min(self, min: Any) -> "Tensor":
        """``max(self, min)`` elementwise; ``min`` is a number or a broadcastable tensor.

        >>> import autograd_core as ag
        >>> ag.tensor([-1.0, 2.0]).clamp_min(0.5)
        tensor([0.5, 2. ])
        """
        if isinstance(min, _f.Tensor):
            # as PyTorch's: a NaN on either side gives NaN, and 0 gradient to both
            s, m = self._data, min._data
            nan = _f.make(np.asarray(np.maximum(s, m)))
            return where(s >= m, self, where(s < m, min, nan))
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> "Tensor":
        """``min(self, max)`` elementwise; ``max`` is a number or a broadcastable tensor.

        >>> import autograd_core as ag
        >>> ag.tensor([-1.0, 2.0]).clamp_max(0.5)
        tensor([-1. ,  0.5])
        """
        if isinstance(max, _f.Tensor):
            s, m = self._data, max._data
            nan = _f.make(np.asarray(np.minimum(s, m)))
            return where(s <= m, self, where(s > m, max, nan))
        return self.clamp(max=max)

def where(condition: Any, input: Any, other: Any) -> Tensor:
    """Pick from ``input`` where ``condition`` holds, else from ``other`` (differentiable in both).

    >>> import autograd_core as ag
    >>> x = ag.tensor([-1.0, 2.0])
    >>> ag.where(x > 0, x, ag.zeros(2))
    tensor([0., 2.])
    """
    c = condition._data if is_tensor(condition) else np.asarray(condition)
    if c.dtype != np.bool_:
        raise TypeError(f"where: expected a bool condition, got dtype {c.dtype}")
    a = input if is_tensor(input) else None
    b = other if is_tensor(other) else None
    if a is None and b is None:
        a = _f.make(np.asarray(input, dtype=np.float32))
    if a is None:
        a = b._other(input, "where")
    if b is None:
        b = a._other(other, "where")
    if a.dtype != b.dtype:
        dt = np.result_type(a._data.dtype, b._data.dtype)
        a, b = a.to(dt), b.to(dt)
    return P.Where.apply(a, b, condition=c)


def _wrap_int(value: int, dtype: np.dtype) -> np.ndarray:
    """A Python int as a 0-d array of an integer ``dtype``, wrapped around modulo 2**bits as
    C casts it (PyTorch's cast of a scalar to the tensor's dtype)."""
    bits = dtype.itemsize * 8
    value %= 1 << bits
    if dtype.kind == "i" and value >= 1 << (bits - 1):
        value -= 1 << bits
    return np.asarray(value, dtype=dtype)


def _category(a: np.ndarray) -> int:
    return {"b": 0, "u": 1, "i": 1}.get(a.dtype.kind, 2)


def _bitwise_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """PyTorch's result dtype of two tensors: next to one with dims, a 0-d one (a Python
    number too) gives its dtype only when its kind (bool, integer, float) is higher."""
    if bool(a.ndim) != bool(b.ndim):
        dims, zero_d = (a, b) if a.ndim else (b, a)
        return dims.dtype if _category(zero_d) <= _category(dims) else zero_d.dtype
    return np.result_type(a, b)


def _left_shift(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a << b`` of one integer dtype, 0 where ``b`` is negative or at least the bit width."""
    if a.dtype == np.bool_:
        raise NotImplementedError('"lshift_cpu" not implemented for \'Bool\'')
    bits = a.dtype.itemsize * 8
    shift = b.astype(np.int64)
    ok = (shift >= 0) & (shift < bits)
    out = np.left_shift(a, np.where(ok, shift, 0).astype(a.dtype))
    return np.where(ok, out, 0).astype(a.dtype)


def _right_shift(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a >> b`` of one integer dtype; where ``b`` is negative or at least the bit width
    (less the sign bit), the sign: -1 for a negative ``a``, else 0."""
    if a.dtype == np.bool_:
        raise NotImplementedError('"rshift_cpu" not implemented for \'Bool\'')
    bits = a.dtype.itemsize * 8 - (a.dtype.kind == "i")
    shift = b.astype(np.int64)
    ok = (shift >= 0) & (shift < bits)
    out = np.right_shift(a, np.where(ok, shift, 0).astype(a.dtype))
    sign = (a < 0).astype(a.dtype) * -1 if a.dtype.kind == "i" else np.zeros_like(a)
    return np.where(ok, out, sign).astype(a.dtype)


def _elementary_method(name: str, op: type) -> Any:
    def method(self: Any) -> Any:
        return op.apply(self._floating())

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (f"{op.__doc__ or name} Integer tensors are taken as the default float "
                      f"dtype. In place: ``{name}_``.")
    return method


# the functions of one tensor declared in ops/special.py (``@tensor_method``)
for _name, _op in TENSOR_METHODS.items():
    setattr(PointwiseMixin, _name, _elementary_method(_name, _op))
del _name, _op
