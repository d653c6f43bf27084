"""Elementwise functions that need NumPy's own kernel for accuracy: ``log2``, ``log10``,
``exp2``, ``log1p`` and ``expm1`` (exact near 0, where ``log(1 + x)`` and ``exp(x) - 1``
lose every digit), ``erf``
and ``hypot`` (no overflow in ``a*a + b*b``). Backwards are Tensor ops, so higher
derivatives come for free.

>>> import autograd_core as ag
>>> x = ag.tensor([1e-10, 1.0], dtype=ag.float64, requires_grad=True)
>>> x.expm1().tolist()[0]
1.00000000005e-10
>>> x.erf().sum().backward()
>>> round(x.grad.tolist()[1], 6)
0.415107
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

_erf_ufunc = None


def erf_array(x: np.ndarray) -> np.ndarray:
    """``erf`` on a float32 or float64 array, to the C library's precision (NumPy has
    none): a Numba ufunc around ``math.erf``, compiled at first use and cached on disk;
    without Numba, ``math.erf`` per element.

    >>> erf_array(np.array([0.0, 1.0])).round(6).tolist()
    [0.0, 0.842701]
    """
    global _erf_ufunc
    if _erf_ufunc is None:
        try:
            import numba

            @numba.vectorize(["float32(float32)", "float64(float64)"], cache=True)
            def _erf(v):  # pragma: no cover - compiled
                return math.erf(v)

            _erf_ufunc = _erf
        except ImportError:  # pragma: no cover - numba is a dependency
            slow = np.frompyfunc(math.erf, 1, 1)
            _erf_ufunc = lambda v: slow(v).astype(v.dtype)  # noqa: E731
    return np.asarray(_erf_ufunc(x))


class Log2(Function):
    op = "log2"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.asarray(np.log2(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * _LN2)


class Log10(Function):
    op = "log10"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.asarray(np.log10(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * _LN10)


class Exp2(Function):
    op = "exp2"

    @staticmethod
    def forward(ctx, a):
        out = np.asarray(np.exp2(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * _LN2


class Log1p(Function):
    op = "log1p"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.asarray(np.log1p(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a + 1)


class Expm1(Function):
    op = "expm1"

    @staticmethod
    def forward(ctx, a):
        out = np.asarray(np.expm1(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out + 1)


class Erf(Function):
    """The error function; its derivative is ``2/sqrt(pi) * exp(-x**2)``."""

    op = "erf"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return erf_array(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (-(a * a)).exp() * _TWO_OVER_SQRT_PI


class Hypot(Function):
    """``sqrt(a**2 + b**2)``; the gradient is ``(a, b) / hypot`` (NaN at the origin, as PyTorch)."""

    op = "hypot"

    @staticmethod
    def forward(ctx, a, b):
        out = np.asarray(np.hypot(a, b))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        g = grad / out
        return (g * a if need_a else None), (g * b if need_b else None)
