"""Pointwise ops: one output element from the elements at the same place of the inputs
(NumPy broadcasting). Arithmetic, powers, exponentials and logs, trigonometry, the
basic activations, comparisons-as-selection (clamp, maximum, where), casts and
rounding, and the overwrite ops behind ``fill_``/``copy_``.

Each backward returns the gradient at the broadcast shape; ``Function`` sums it back
to each input's shape. ``select``/``select_tensor`` give "gradient where a mask holds,
else 0" with PyTorch's where-semantics (an inf or NaN upstream gradient gives 0 where
the mask does not hold).

Longer than 600 lines on purpose: one concept (every pointwise ``Function``, each a short
forward and backward that share the ``select`` helpers above), kept in one place.

>>> import autograd_core as ag
>>> x = ag.tensor([-1.0, 2.0], requires_grad=True)
>>> (x.relu() * x.exp()).sum().backward()
>>> [round(v, 4) for v in x.grad.tolist()]
[0.0, 22.1672]
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function, const
from ..kernels.activation import relu_backward, relu_forward


class Add(Function):
    op = "add"

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad

    array_backward = backward  # the same arithmetic works on arrays


class Sub(Function):
    op = "sub"

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.next[1] is not None else None)

    array_backward = backward  # the same arithmetic works on arrays


class Mul(Function):
    op = "mul"

    @staticmethod
    def forward(ctx, a, b):
        # each input is kept only for the other's gradient (as PyTorch saves them)
        nxt = ctx.next
        ctx.save_for_backward(a if nxt[1] is not None else None,
                              b if nxt[0] is not None else None)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)

    @staticmethod
    def array_backward(ctx, grad):
        a, b = ctx.saved_arrays
        return (grad * b if b is not None else None), (grad * a if a is not None else None)


class Div(Function):
    op = "div"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.next[1] is not None else None, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad / b if need_a else None), (-grad * a / (b * b) if need_b else None)

    @staticmethod
    def array_backward(ctx, grad):
        a, b = ctx.saved_arrays
        ga = grad / b if ctx.next[0] is not None else None
        return ga, (-grad * a / (b * b) if a is not None else None)


def power_array(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a ** b`` with PyTorch's values: a scalar exponent of a float array goes to
    :func:`power_scalar`, anything else to NumPy's ``power``."""
    if np.ndim(b) == 0 and a.dtype.kind == "f" and b.dtype.kind in "fiu":
        return power_scalar(a, float(b), np.result_type(a, b))
    return np.asarray(a ** b)


def power_scalar(a: np.ndarray, e: float, dtype: np.dtype | None = None) -> np.ndarray:
    """``a ** e`` for a float array and a number, as PyTorch's ``pow(Tensor, Scalar)``: 0
    gives ones (whatever ``a``), 1 a copy, 2 and 3 the products ``a * a`` and
    ``a * a * a``, -1 and -2 their reciprocals, 0.5 and -0.5 ``sqrt`` and ``1 / sqrt``
    (``sqrt(-0.0)`` is -0.0 and ``1 / it`` -inf), all in ``a``'s dtype. Another integral
    exponent raises ``|a|`` and puts the sign back when it is odd, which is what ``pow``
    does with a negative base (NumPy's float ``power`` takes a slow path on negative bases:
    benchmarks/README.md, "Ops"); any other exponent is NumPy's ``power`` in ``dtype``
    (``a``'s by default)."""
    if e == 2.0:
        return a * a
    if e == 3.0:
        return a * a * a
    if e == 0.5:
        return np.sqrt(a)
    if e == -0.5:
        return np.divide(1, np.sqrt(a), dtype=a.dtype)
    if e == -1.0:
        return np.divide(1, a, dtype=a.dtype)
    if e == -2.0:
        return np.divide(1, a * a, dtype=a.dtype)
    if e == 1.0:
        return a.copy()
    if e == 0.0:
        return np.ones(a.shape, a.dtype)
    dtype = a.dtype if dtype is None else dtype
    if e.is_integer():
        out = np.power(np.abs(a), e, dtype=dtype)
        if e % 2:
            np.copysign(out, a, out=out)
        return out
    return np.power(a, e, dtype=dtype)


class Pow(Function):
    """``a ** b``. d/da = ``b * a ** (b - 1)`` (0 where the exponent is 0, whatever ``a``
    and the upstream gradient), d/db = ``out * log(a)`` (0 where ``a`` is 0 and the
    exponent >= 0), as PyTorch's formulas, in their order of operations."""

    op = "pow"

    @staticmethod
    def forward(ctx, a, b):
        out = power_array(a, b)
        # the result is kept only for the exponent's gradient (as PyTorch saves them)
        ctx.save_for_backward(a, b, out if ctx.next[1] is not None else None)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ad, bd = a._data, b._data
        zero = const(np.zeros((), grad._data.dtype))
        ga = gb = None
        if need_a:
            zero_exp = bd == 0
            if not need_b and zero_exp.all():  # zeros of no graph, as PyTorch's zeros_like
                ga = const(np.zeros(grad._data.shape, grad._data.dtype))
            else:
                ga = grad * (b * a ** (b - 1))
                if zero_exp.any():
                    ga = where(zero_exp, zero, ga)
        if need_b:
            with np.errstate(divide="ignore", invalid="ignore"):
                dlog = out * a.log()
            at_zero = (ad == 0) & (bd >= 0)
            if at_zero.any():
                dlog = where(at_zero, zero, dlog)
            gb = grad * dlog
        return ga, gb

    @staticmethod
    def array_backward(ctx, grad):
        a, b, out = ctx.saved_arrays
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if need_a:
                zero_exp = b == 0
                if zero_exp.all():
                    ga = np.zeros(a.shape, grad.dtype)
                else:
                    ga = grad * (b * power_array(a, b - np.ones((), b.dtype)))
                    if zero_exp.any():
                        ga = select(~zero_exp, ga)
            if need_b:
                dlog = out * np.log(a)
                at_zero = (a == 0) & (b >= 0)
                if at_zero.any():
                    dlog = select(~at_zero, dlog)
                gb = grad * dlog
        return ga, gb


class Neg(Function):
    op = "neg"

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad

    array_backward = backward  # the same arithmetic works on arrays


def sign_array(a: np.ndarray) -> np.ndarray:
    """-1, 0 or 1 by the sign of each element; 0 for NaN, as PyTorch's sign."""
    s = np.sign(a)
    if a.dtype.kind == "f" and np.isnan(s).any():
        s = np.nan_to_num(s, nan=0.0)
    return s


class Abs(Function):
    op = "abs"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_arrays
        return grad * const(sign_array(a))

    @staticmethod
    def array_backward(ctx, grad):
        (a,) = ctx.saved_arrays
        return grad * sign_array(a)


def select(mask: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """``grad`` where ``mask`` holds, else 0 (an inf or NaN where it does not hold gives 0,
    as PyTorch's where-based backwards). ``mask`` may also hold weights (of grad's dtype):
    then ``grad * mask`` where a weight is nonzero, else 0. A product with the mask, not
    ``np.where``, which branches on every element and mispredicts on a mask of random
    signs."""
    out = grad * mask
    if not np.isfinite(grad).all():
        out = np.where(mask, out, 0).astype(grad.dtype, copy=False)
    return out


def select_tensor(mask: np.ndarray, grad):
    """:func:`select` as a recorded Tensor op (for a graph of the backward)."""
    zero = const(np.zeros((), grad._data.dtype))
    if mask.dtype != np.bool_:
        return where(mask != 0, grad * const(mask), zero)
    return where(mask, grad, zero)


class Relu(Function):
    op = "relu"

    @staticmethod
    def forward(ctx, a):
        out = relu_forward(a)
        ctx.save_for_backward(out)
        return out

    # out is NaN or >= 0: out != 0 is PyTorch's mask "not out <= 0" (a NaN passes grad)
    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_arrays
        return select_tensor(out != 0, grad)

    @staticmethod
    def array_backward(ctx, grad):
        (out,) = ctx.saved_arrays
        return relu_backward(grad, out)


class Clamp(Function):
    op = "clamp"

    @staticmethod
    def forward(ctx, a, min=None, max=None):
        ctx.min, ctx.max = min, max
        ctx.save_for_backward(a)
        return np.clip(a, min, max)

    @staticmethod
    def _inside(ctx) -> np.ndarray:
        (a,) = ctx.saved_arrays
        lo, hi = ctx.min, ctx.max
        if lo is not None:
            return (a >= lo) & (a <= hi) if hi is not None else a >= lo
        return a <= hi if hi is not None else np.ones(a.shape, dtype=bool)

    @staticmethod
    def backward(ctx, grad):
        return select_tensor(Clamp._inside(ctx), grad)

    @staticmethod
    def array_backward(ctx, grad):
        return select(Clamp._inside(ctx), grad)


def _shares(a_loses, b_loses, tie, dtype: np.dtype) -> tuple:
    """The weights of an elementwise max's or min's gradient for each input, as PyTorch's:
    1 to the winner and 0 to the loser, 1/2 each at a tie, and 1 each where a NaN leaves
    them unordered."""
    if dtype.kind not in "fc":  # no gradient
        return None, None
    half = tie * dtype.type(0.5)
    return (np.asarray(~a_loses - half, dtype=dtype), np.asarray(~b_loses - half, dtype=dtype))


class Maximum(Function):
    """Elementwise maximum; at ties the gradient is split evenly, as in PyTorch."""

    op = "maximum"

    @staticmethod
    def forward(ctx, a, b):
        out = np.maximum(a, b)
        ctx.share = _shares(a < b, a > b, a == b, out.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        (wa, wb), (need_a, need_b) = ctx.share, ctx.needs_input_grad
        return (select_tensor(wa, grad) if need_a else None,
                select_tensor(wb, grad) if need_b else None)

    @staticmethod
    def array_backward(ctx, grad):
        (wa, wb), (need_a, need_b) = ctx.share, ctx.needs_input_grad
        return (select(wa, grad) if need_a else None), (select(wb, grad) if need_b else None)


class Minimum(Function):
    op = "minimum"

    @staticmethod
    def forward(ctx, a, b):
        out = np.minimum(a, b)
        ctx.share = _shares(a > b, a < b, a == b, out.dtype)
        return out

    backward = staticmethod(Maximum.backward)
    array_backward = staticmethod(Maximum.array_backward)


class Where(Function):
    op = "where"

    @staticmethod
    def forward(ctx, a, b, condition=None):
        ctx.condition = condition
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        c = ctx.condition
        return select_tensor(c, grad), select_tensor(~c, grad)

    @staticmethod
    def array_backward(ctx, grad):
        c = ctx.condition
        return select(c, grad), select(~c, grad)


def where(condition: np.ndarray, a, b):
    """``a`` where the array ``condition`` holds, else ``b`` (Tensors of one dtype), as a
    recorded op: the form backward formulas use."""
    return Where.apply(a, b, condition=condition)


class Clone(Function):
    """A copy in new, C-contiguous memory."""

    op = "clone"

    @staticmethod
    def forward(ctx, a):
        return np.array(a, order="C")

    @staticmethod
    def backward(ctx, grad):
        return grad

    array_backward = backward  # the same arithmetic works on arrays


class Cast(Function):
    """Change of dtype; the gradient is cast back."""

    op = "to"

    @staticmethod
    def forward(ctx, a, dtype=None):
        ctx.dtype = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.dtype)

    @staticmethod
    def array_backward(ctx, grad):
        return grad.astype(ctx.dtype)


class _Step(Function):
    """Base of the step functions: zero gradient of the input's shape."""

    @staticmethod
    def backward(ctx, grad):
        return const(np.zeros(grad._data.shape, grad._data.dtype))


class Round(_Step):
    op = "round"

    @staticmethod
    def forward(ctx, a, decimals=0):
        # half to even, as PyTorch; with decimals, round(a * 10**d) / 10**d as both do
        return np.asarray(np.round(a, decimals))


class _Rounding(_Step):
    """A step function that is one NumPy function of the input."""

    @classmethod
    def forward(cls, ctx, a):
        return np.asarray(cls.numpy_function(a))


class Floor(_Rounding):
    op = "floor"
    numpy_function = staticmethod(np.floor)


class Ceil(_Rounding):
    op = "ceil"
    numpy_function = staticmethod(np.ceil)


class Trunc(_Rounding):
    op = "trunc"
    numpy_function = staticmethod(np.trunc)


class Sign(_Rounding):
    op = "sign"
    numpy_function = staticmethod(sign_array)


class Fill(Function):
    """Every element set to ``value`` (a number or a 0-d tensor input) or to ``array``;
    the old values get a zero gradient."""

    op = "fill"

    @staticmethod
    def forward(ctx, a, v=None, value=None, array=None):
        if array is not None:
            return np.asarray(array, dtype=a.dtype).reshape(a.shape)
        return np.full(a.shape, value if v is None else v, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        zero = const(np.zeros(grad._data.shape, grad._data.dtype))
        if len(ctx.next) == 1:
            return zero
        return zero, (grad.sum() if ctx.next[1] is not None else None)

    @staticmethod
    def array_backward(ctx, grad):
        zero = np.zeros(grad.shape, grad.dtype)
        if len(ctx.next) == 1:
            return zero
        return zero, np.asarray(grad.sum())


class Copy(Function):
    """``src`` broadcast to ``a``'s shape and cast to its dtype (``a.copy_(src)``)."""

    op = "copy"

    @staticmethod
    def forward(ctx, a, src):
        return np.array(np.broadcast_to(src, a.shape), dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        zero = const(np.zeros(grad._data.shape, grad._data.dtype)) if ctx.next[0] is not None else None
        return zero, grad


class NoDerivative(Function):
    """Base of ops PyTorch gives no derivative (``floor_divide``, ``scatter(reduce=...)``):
    the result requires grad, and backward through it raises PyTorch's error."""

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(f"derivative for aten::{ctx.op} is not implemented")


def _check_int_divisor(a: np.ndarray, b: np.ndarray) -> None:
    """PyTorch's error for an integer division (or remainder) by zero."""
    if a.dtype.kind in "iub" and b.dtype.kind in "iub" and not np.all(b):
        raise RuntimeError("ZeroDivisionError")


def floor_divide_array(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b`` rounded down: integers divide exactly (Python's ``//``); floats as PyTorch's
    ``div_floor`` (``(a - fmod(a, b)) / b`` corrected to the floor, ``a / b`` when ``b`` is 0),
    which is also NumPy's ``floor_divide``."""
    _check_int_divisor(a, b)
    return np.asarray(np.floor_divide(a, b))


def trunc_divide_array(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b`` rounded towards zero: integers exactly, floats as ``trunc(a / b)``."""
    _check_int_divisor(a, b)
    if a.dtype.kind in "fc":
        return np.asarray(np.trunc(a / b))
    q = np.floor_divide(a, b)
    # floor and trunc differ where the exact quotient is negative and not whole
    return np.asarray(q + ((q < 0) & (q * b != a)))


class DivRounded(Function):
    """``div(a, b, rounding_mode='trunc'|'floor')``: a step function of both inputs, so
    both gradients are zero (as PyTorch's)."""

    op = "div"

    @staticmethod
    def forward(ctx, a, b, rounding_mode="trunc"):
        return (floor_divide_array if rounding_mode == "floor" else trunc_divide_array)(a, b)

    @staticmethod
    def backward(ctx, grad):
        zero = const(np.zeros(grad._data.shape, grad._data.dtype))
        return zero, zero


class FloorDivide(NoDerivative):
    """``a // b`` (``floor_divide``); PyTorch has no derivative for it."""

    op = "floor_divide"

    @staticmethod
    def forward(ctx, a, b):
        return floor_divide_array(a, b)


class _Remainder(Function):
    """``a - b * q(a / b)`` for a rounding ``q``: d/da = 1, d/db = -q(a / b)."""

    @staticmethod
    def rounded_quotient(a, b):
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, a, b):
        _check_int_divisor(a, b)
        ctx.save_for_backward(a, b)
        return np.asarray(cls.remainder(a, b))

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_arrays
        need_a, need_b = ctx.needs_input_grad
        return (grad if need_a else None), (
            -grad * const(cls.rounded_quotient(a, b)) if need_b else None)


class Fmod(_Remainder):
    """C's ``fmod``: the remainder of ``a / b`` rounded towards zero, with ``a``'s sign."""

    op = "fmod"
    remainder = staticmethod(np.fmod)
    rounded_quotient = staticmethod(trunc_divide_array)


class Remainder(_Remainder):
    """Python's ``%``: ``a - b * floor(a / b)``, with ``b``'s sign."""

    op = "remainder"
    remainder = staticmethod(np.remainder)
    rounded_quotient = staticmethod(floor_divide_array)


class Copysign(Function):
    """``|a|`` with the sign of ``b`` (signed zeros count). The gradient to ``a`` is
    ``grad * out / a`` (the sign flip; 0 where ``a`` is 0), to ``b`` zero, as PyTorch's."""

    op = "copysign"

    @staticmethod
    def forward(ctx, a, b):
        out = np.asarray(np.copysign(a, b))
        # PyTorch's ratio out / a, taken as 0 where a is 0 (a NaN input gives NaN)
        with np.errstate(invalid="ignore", divide="ignore"):
            ctx.flip = np.where(a == 0, 0, out / np.where(a == 0, 1, a)).astype(out.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        need_a, need_b = ctx.needs_input_grad
        zero = const(np.zeros(grad._data.shape, grad._data.dtype)) if need_b else None
        return (grad * const(ctx.flip) if need_a else None), zero
