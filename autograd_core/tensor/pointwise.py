"""Pointwise Tensor methods: arithmetic operators with PyTorch's type promotion,
comparisons and logic, and elementwise math (exp, log, trigonometry, rounding,
special functions, clamp, maximum, ...); and the ``where`` function.

Longer than 600 lines on purpose: it is one concept (every pointwise method of Tensor,
each a few lines plus its runnable example); split, a reader would look in two places.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Callable, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..autograd.function import is_tensor
from .dtypes import get_default_dtype, scalar_type_name
from .args import _SCALARS, _array, _is_float, _pair_dtype, _require_float, _require_tensor
from ..ops import pointwise as P
from ..ops import TENSOR_METHODS
from ..ops import special as SP

# PyTorch's torch.return_types.frexp
Frexp = namedtuple("Frexp", ["mantissa", "exponent"])

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


class PointwiseMixin:
    """Pointwise Tensor methods: arithmetic operators with PyTorch's type promotion,"""

    __slots__ = ()

    def _other(self, other: Any, op: str) -> "Tensor":
        if is_tensor(other):
            # a sparse operand of a dense op takes its dense form (dense + sparse is dense)
            return other.to_dense() if other.is_sparse else other
        if isinstance(other, _SCALARS):
            return _f.make(np.asarray(other, dtype=_pair_dtype(self._data, other)))
        if isinstance(other, np.ndarray):
            return _f.make(other)
        raise TypeError(f"unsupported operand type(s) for {op}: 'Tensor' and "
                        f"'{type(other).__name__}'")

    def _binary(self, other: Any, Op: type, op: str, **attrs: Any) -> "Tensor":
        kind = type(other)
        if kind is _f.Tensor and other._data.dtype == self._data.dtype:  # the common case
            return Op.apply(self, other, **attrs)
        if kind is float or kind is int:  # a Python number that takes self's float dtype
            da = self._data.dtype
            if da.kind == "f" or (kind is int and da.kind in "iu"):   # (or int's: i + 1)
                return Op.apply_number(self, np.asarray(other, da), **attrs)
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
        # ``1 + x`` is ``x + 1``, as PyTorch's (the tensor is the op's first input)
        return self._binary(other, P.Add, "+")

    def __sub__(self, other: Any) -> "Tensor":
        return self._binary(other, P.Sub, "-")

    def __rsub__(self, other: Any) -> "Tensor":
        return self._rbinary(other, P.Sub, "-")

    def __mul__(self, other: Any) -> "Tensor":
        return self._binary(other, P.Mul, "*")

    def __rmul__(self, other: Any) -> "Tensor":
        return self._binary(other, P.Mul, "*")   # as __radd__

    def __truediv__(self, other: Any) -> "Tensor":
        a = self if _is_float(self._data.dtype) or isinstance(other, float) or (
            is_tensor(other) and _is_float(other._data.dtype)) else self._floating()
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
        (tensor([-3.5000,  3.5000]), tensor([-3,  3]), tensor([-4,  3]))
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

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":
        """Each element limited to ``[min, max]`` (either may be None): numbers, or tensors
        that broadcast with this one (both tensors, or one tensor and None, as PyTorch).

        >>> import autograd_core as ag
        >>> x = ag.tensor([-2.0, 0.5, 3.0])
        >>> lo, hi = ag.zeros(3), ag.tensor([1.0, 0.2, 5.0])
        >>> x.clamp(-1, 1), x.clamp(min=lo, max=hi)
        (tensor([-1.0000,  0.5000,  1.0000]), tensor([0.0000, 0.2000, 3.0000]))
        """
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        if is_tensor(min) or is_tensor(max):
            if not all(b is None or is_tensor(b) for b in (min, max)):
                raise TypeError(f"clamp(): min and max must both be tensors (or None) or both "
                                f"numbers, got min={type(min).__name__}, "
                                f"max={type(max).__name__}")
            # PyTorch's gradients: to self inside [min, max], to min below it, to max above
            out = self if min is None else self.clamp_min(min)
            return out if max is None else out.clamp_max(max)
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
        (tensor([0., 2., 3.]), tensor([1.2300]))
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
        tensor([ 0.2500, -0.5000])
        """
        _require_float(self, "frac")
        return self - self.trunc()

    def reciprocal(self) -> "Tensor":
        """``1 / x`` elementwise (integers give the default float dtype).

        >>> import autograd_core as ag
        >>> ag.tensor([2, 4]).reciprocal()
        tensor([0.5000, 0.2500])
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
        tensor([ 2.5000, 12.5000])
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
        tensor([2.5000, 5.0000])
        """
        prod = tensor1 * tensor2
        return self + (prod if value == 1 else value * prod)

    def addcdiv(self, tensor1: "Tensor", tensor2: "Tensor", *, value: Any = 1) -> "Tensor":
        """``self + value * tensor1 / tensor2``; broadcasts.

        >>> import autograd_core as ag
        >>> ag.ones(2).addcdiv(ag.tensor([1.0, 2.0]), ag.tensor([4.0, 4.0]), value=2)
        tensor([1.5000, 2.0000])
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
        tensor([0.5000, 2.0000])
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
        tensor([-1.0000,  0.5000])
        """
        if isinstance(max, _f.Tensor):
            s, m = self._data, max._data
            nan = _f.make(np.asarray(np.minimum(s, m)))
            return where(s <= m, self, where(s > m, max, nan))
        return self.clamp(max=max)

    # ---- special functions (ops/special.py) and NumPy-style names -------------------------

    def _float_op(self, Op: type, **attrs: Any) -> "Tensor":
        return Op.apply(self._floating(), **attrs)

    def lgamma(self) -> "Tensor":
        """``log|Gamma(x)|`` (+inf at 0 and the negative integers); gradient ``digamma``.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 0.5, 0.0]).lgamma()
        tensor([0.0000, 0.5724,    inf])
        """
        return self._float_op(SP.Lgamma)

    def digamma(self) -> "Tensor":
        """``d/dx log Gamma(x)`` (-inf at +0, NaN at the negative integers); gradient
        ``polygamma(1, x)``.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 0.5]).digamma()
        tensor([-0.5772, -1.9635])
        """
        return self._float_op(SP.Polygamma, n=0)

    def polygamma(self, n: int) -> "Tensor":
        """The ``n``-th derivative of ``digamma`` (``ag.polygamma(n, x)``); gradient
        ``polygamma(n + 1, x)``.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0]).polygamma(1)
        tensor([1.6449, 0.6449])
        """
        if int(n) < 0:
            raise RuntimeError("polygamma(n, x) does not support negative n.")
        return self._float_op(SP.Polygamma, n=int(n))

    def mvlgamma(self, p: int) -> "Tensor":
        """The log of the multivariate gamma function of dimension ``p``:
        ``p (p-1)/4 log(pi) + sum over i < p of lgamma(x - i/2)``; every element must be
        greater than ``(p - 1) / 2``.

        >>> import autograd_core as ag
        >>> ag.tensor([2.5]).mvlgamma(2)
        tensor([0.8570])
        """
        if p < 1:
            raise RuntimeError("p has to be greater than or equal to 1")
        x = self._floating()
        if not (x._data > (p - 1) / 2).all():
            raise RuntimeError("All elements must be greater than (p-1)/2")
        steps = _f.make(np.arange(p, dtype=x._data.dtype) / 2)
        terms = (x.unsqueeze(-1) - steps).lgamma().sum(-1)
        return terms + float(p * (p - 1) / 4 * np.log(np.pi))

    def erfc(self) -> "Tensor":
        """``1 - erf(x)``, exact for large ``x``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 1.0]).erfc()
        tensor([1.0000, 0.1573])
        """
        return self._float_op(SP.Erfc)

    def erfinv(self) -> "Tensor":
        """The inverse error function on [-1, 1] (±inf at ±1, NaN outside), to full float64
        precision; gradient ``sqrt(pi)/2 exp(erfinv(x)**2)``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 0.5, 1.0]).erfinv()
        tensor([0.0000, 0.4769,    inf])
        """
        return self._float_op(SP.Erfinv)

    def i0(self) -> "Tensor":
        """The modified Bessel function of the first kind of order 0; gradient ``i1``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 1.0]).i0()
        tensor([1.0000, 1.2661])
        """
        return self._float_op(SP.I0)

    def logit(self, eps: float | None = None) -> "Tensor":
        """``log(z / (1 - z))``, ``z`` the input clamped to ``[eps, 1 - eps]`` when ``eps``
        is given (the gradient then 0 outside).

        >>> import autograd_core as ag
        >>> ag.tensor([0.5, 0.75, 0.0]).logit(), ag.tensor([0.0]).logit(eps=0.25)
        (tensor([0.0000, 1.0986,   -inf]), tensor([-1.0986]))
        """
        return self._float_op(SP.Logit, eps=None if eps is None or eps < 0 else float(eps))

    def _float_pair(self, other: Any, Op: type, name: str, **attrs: Any) -> "Tensor":
        """A float op of two tensors (or a tensor and a number) with PyTorch's promotion;
        integers and bools give the default float dtype."""
        o = self._other(other, name)
        dt = result_dtype(self, other)
        if not _is_float(dt):
            dt = get_default_dtype()
        a = self if self._data.dtype == dt else self.to(dt)
        b = o if o._data.dtype == dt else o.to(dt)
        return Op.apply(a, b, **attrs)

    def xlogy(self, other: Any) -> "Tensor":
        """``self * log(other)``, 0 where ``self`` is 0 (unless ``other`` is NaN).

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 2.0]).xlogy(ag.tensor([0.0, 3.0]))
        tensor([0.0000, 2.1972])
        """
        return self._float_pair(other, SP.Xlogy, "xlogy")

    def sinc(self) -> "Tensor":
        """``sin(pi x) / (pi x)``, 1 at 0.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 0.5]).sinc()
        tensor([1.0000, 0.6366])
        """
        return self._float_op(SP.Sinc)

    def sgn(self) -> "Tensor":
        """The sign (``sign`` for real tensors); zero gradient.

        >>> import autograd_core as ag
        >>> ag.tensor([-2.0, 0.0, 3.0]).sgn()
        tensor([-1.,  0.,  1.])
        """
        if self._data.dtype == np.bool_:
            return self.clone()
        return self.sign()

    def signbit(self) -> "Tensor":
        """True where the sign bit is set (``-0.0`` and negative numbers); a bool tensor.

        >>> import autograd_core as ag
        >>> ag.tensor([-0.0, 0.0, -1.0]).signbit()
        tensor([ True, False,  True])
        """
        d = self._data
        return _f.make(np.asarray(np.signbit(d) if d.dtype.kind == "f" else d < 0))

    def deg2rad(self) -> "Tensor":
        """Degrees to radians (integers give the default float dtype).

        >>> import autograd_core as ag
        >>> ag.tensor([180.0]).deg2rad()
        tensor([3.1416])
        """
        return self._floating() * (np.pi / 180)

    def rad2deg(self) -> "Tensor":
        """Radians to degrees (integers give the default float dtype).

        >>> import autograd_core as ag
        >>> ag.tensor([3.141592653589793]).rad2deg()
        tensor([180.])
        """
        return self._floating() * (180 / np.pi)

    def float_power(self, exponent: Any) -> "Tensor":
        """``self ** exponent`` computed and returned in float64, as PyTorch's.

        >>> import autograd_core as ag
        >>> ag.tensor([2, 3]).float_power(2)
        tensor([4., 9.], dtype=float64)
        """
        base = self.to(np.float64)
        if is_tensor(exponent):
            return base ** exponent.to(np.float64)
        return base ** float(exponent)

    def fmax(self, other: Any) -> "Tensor":
        """Elementwise maximum that ignores NaN (NaN only where both are); broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("nan"), 3.0]).fmax(ag.tensor([2.0, 0.0, float("nan")]))
        tensor([2., 0., 3.])
        """
        return self._binary(other, SP.Fmax, "fmax")

    def fmin(self, other: Any) -> "Tensor":
        """Elementwise minimum that ignores NaN (NaN only where both are); broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("nan"), 3.0]).fmin(ag.tensor([2.0, 0.0, float("nan")]))
        tensor([1., 0., 3.])
        """
        return self._binary(other, SP.Fmin, "fmin")

    def heaviside(self, values: "Tensor") -> "Tensor":
        """The step function: 0 below zero, 1 above, ``values`` at zero (same dtypes).
        Not differentiable, as PyTorch's.

        >>> import autograd_core as ag
        >>> ag.tensor([-1.0, 0.0, 2.0]).heaviside(ag.tensor([0.5]))
        tensor([0.0000, 0.5000, 1.0000])
        """
        values = _require_tensor(values, "heaviside", "values")
        if values._data.dtype != self._data.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different "
                               "dtypes.")
        a, v = self._data, values._data
        out = np.where(a == 0, v, (a > 0).astype(a.dtype)).astype(a.dtype)
        if self.requires_grad or values.requires_grad:
            return SP.Heaviside.apply(self, values, array=out)
        return _f.make(np.asarray(out))

    def logaddexp2(self, other: Any) -> "Tensor":
        """``log2(2**self + 2**other)`` without overflow; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 1000.0]).logaddexp2(ag.tensor([1.0, 1000.0]))
        tensor([   2., 1001.])
        """
        o = self._other(other, "logaddexp2")
        dt = result_dtype(self, other)
        if not _is_float(dt):
            raise NotImplementedError(f'"logaddexp2_cpu" not implemented for '
                                      f"'{scalar_type_name(dt)}'")
        a = self if self._data.dtype == dt else self.to(dt)
        b = o if o._data.dtype == dt else o.to(dt)
        ln2 = float(np.log(2.0))
        return (a * ln2).logaddexp(b * ln2) / ln2

    def nextafter(self, other: Any) -> "Tensor":
        """The next float after each element towards ``other``; no gradient.

        >>> import autograd_core as ag
        >>> (ag.tensor([1.0], dtype=ag.float64).nextafter(ag.tensor([2.0], dtype=ag.float64))
        ...  - 1).item() == 2.0 ** -52
        True
        """
        o = self._other(other, "nextafter")
        dt = result_dtype(self, other)
        if not _is_float(dt):
            raise NotImplementedError(f'"nextafter_cpu" not implemented for '
                                      f"'{scalar_type_name(dt)}'")
        return _f.make(np.asarray(np.nextafter(self._data.astype(dt), o._data.astype(dt))))

    def ldexp(self, other: Any) -> "Tensor":
        """``self * 2 ** other`` (a float result).

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 3.0]).ldexp(ag.tensor([2, 3]))
        tensor([ 4., 24.])
        """
        o = self._other(other, "ldexp")
        a = self._floating()
        return a * (2.0 ** o.to(a.dtype) if not _is_float(o._data.dtype) else 2.0 ** o)

    def frexp(self) -> Any:
        """The mantissa in [0.5, 1) and the int32 exponent of each element, a named tuple
        ``(mantissa, exponent)`` with ``self == mantissa * 2 ** exponent``.

        >>> import autograd_core as ag
        >>> ag.tensor([8.0, 0.75]).frexp()
        Frexp(mantissa=tensor([0.5000, 0.7500]), exponent=tensor([4, 0], dtype=int32))
        """
        if not _is_float(self._data.dtype):
            raise RuntimeError("torch.frexp() only supports floating-point dtypes")
        m, e = np.frexp(self._data)
        return Frexp(_f.make(np.asarray(m)), _f.make(np.asarray(e, dtype=np.int32)))

    def _integer_pair(self, other: Any, fn: Callable, name: str) -> "Tensor":
        o = self._other(other, name)
        for t in (self, o):
            if t._data.dtype.kind not in "iu":
                raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                          f"'{scalar_type_name(t._data.dtype)}'")
        return _f.make(np.asarray(fn(self._data, o._data)))

    def gcd(self, other: Any) -> "Tensor":
        """The greatest common divisor of integers (non-negative); broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([12, -18, 0]).gcd(ag.tensor([8, 12, 5]))
        tensor([4, 6, 5])
        """
        return self._integer_pair(other, np.gcd, "gcd")

    def lcm(self, other: Any) -> "Tensor":
        """The least common multiple of integers (non-negative); broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([4, -6]).lcm(ag.tensor([6, 4]))
        tensor([12, 12])
        """
        return self._integer_pair(other, np.lcm, "lcm")

    def positive(self) -> "Tensor":
        """``self`` itself (``+x``); bool tensors raise, as PyTorch's.

        >>> import autograd_core as ag
        >>> ag.tensor([-1.0]).positive()
        tensor([-1.])
        """
        if self._data.dtype == np.bool_:
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    def conj(self) -> "Tensor":
        """The complex conjugate: ``self`` itself for a real tensor.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0]).conj()
        tensor([1.])
        """
        return self

    resolve_conj = resolve_neg = conj_physical = conj

    def is_conj(self) -> bool:
        """False: real tensors are never lazily conjugated.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0]).is_conj()
        False
        """
        return False

    def isreal(self) -> "Tensor":
        """True everywhere for a real tensor (a bool tensor of its shape).

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0]).isreal()
        tensor([ True,  True])
        """
        return _f.make(np.ones(self._data.shape, dtype=bool))

    def arccos(self) -> "Tensor":
        """NumPy's name of ``acos``.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0]).arccos()
        tensor([0.])
        """
        return self.acos()

    def arcsin(self) -> "Tensor":
        """NumPy's name of ``asin``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0]).arcsin()
        tensor([0.])
        """
        return self.asin()

    def arctan(self) -> "Tensor":
        """NumPy's name of ``atan``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0]).arctan()
        tensor([0.])
        """
        return self.atan()

    def arccosh(self) -> "Tensor":
        """NumPy's name of ``acosh``.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0]).arccosh()
        tensor([0.])
        """
        return self.acosh()

    def arcsinh(self) -> "Tensor":
        """NumPy's name of ``asinh``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0]).arcsinh()
        tensor([0.])
        """
        return self.asinh()

    def arctanh(self) -> "Tensor":
        """NumPy's name of ``atanh``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0]).arctanh()
        tensor([0.])
        """
        return self.atanh()

    negative = __neg__
    absolute = abs
    greater, greater_equal, less, less_equal, not_equal = __gt__, __ge__, __lt__, __le__, __ne__


def _kind(dtype: np.dtype) -> int:
    return 0 if dtype == np.bool_ else 2 if _is_float(dtype) else 1


def result_dtype(*operands: Any) -> np.dtype:
    """PyTorch's result dtype of tensors and Python numbers: the highest kind (bool, integer,
    float) wins; among the operands of that kind, tensors with dims decide, then 0-d tensors,
    then numbers (a float number gives the default float dtype, an int int64).

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.pointwise import result_dtype
    >>> result_dtype(1, 0), result_dtype(ag.ones(2, dtype=ag.int32), 0.5)
    (dtype('int64'), dtype('float32'))
    """
    groups: tuple = ([], [], [])  # tensors with dims, 0-d tensors, numbers
    for x in operands:
        if is_tensor(x):
            groups[0 if x._data.ndim else 1].append(x._data.dtype)
        elif isinstance(x, np.ndarray):
            groups[0 if x.ndim else 1].append(x.dtype)
        else:
            groups[2].append(np.dtype(np.bool_) if isinstance(x, (bool, np.bool_)) else
                             get_default_dtype() if isinstance(x, (float, np.floating)) else
                             np.dtype(np.int64))
    top = max(_kind(d) for g in groups for d in g)
    for g in groups:
        found = [d for d in g if _kind(d) == top]
        if found:
            return np.result_type(*found)
    raise AssertionError("unreachable")


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """Pick from ``input`` where ``condition`` holds, else from ``other`` (differentiable in
    both; numbers take PyTorch's result dtype: ``where(c, 1, 0)`` is int64). With the
    condition alone, ``nonzero(condition, as_tuple=True)``.

    >>> import autograd_core as ag
    >>> x = ag.tensor([-1.0, 2.0])
    >>> ag.where(x > 0, x, ag.zeros(2)), ag.where(x > 0, 1, 0), ag.where(x > 0)
    (tensor([0., 2.]), tensor([0, 1]), (tensor([1]),))
    """
    if input is None and other is None:
        if not is_tensor(condition):
            raise TypeError(f"where(): argument 'condition' must be Tensor, not "
                            f"{type(condition).__name__}")
        return condition.nonzero(as_tuple=True)
    if input is None or other is None:
        raise TypeError("where(): expected the condition alone or the condition, input and "
                        "other, got the condition and one of input or other")
    c = condition._data if is_tensor(condition) else np.asarray(condition)
    if c.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                           f"tensor with dtype {scalar_type_name(c.dtype)}")
    for name, x in (("input", input), ("other", other)):
        if not (is_tensor(x) or isinstance(x, (_SCALARS, np.ndarray))):
            raise TypeError(f"where(): argument '{name}' must be Tensor or Number, not "
                            f"{type(x).__name__}")
    dt = result_dtype(input, other)
    a, b = (x.to(dt) if is_tensor(x) else _f.make(np.asarray(x, dtype=dt))
            for x in (input, other))
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
