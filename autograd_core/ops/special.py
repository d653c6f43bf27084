"""The elementary and special functions of one tensor: exponentials and logarithms,
powers of 1/2, trigonometric and hyperbolic functions and their inverses, the sigmoid
and the error function; and two of two tensors, ``hypot`` and ``atan2``.

Each one-tensor function is declared once: NumPy's function, whether its derivative is
written in terms of its input or its output, and that derivative as one formula that
serves both backward paths (on arrays with ``np``, on Tensors with ``TENSOR_MATH``, so
that a graph of the gradient gets second derivatives for free). ``@tensor_method``
makes it ``Tensor.<name>()``, ``autograd_core.<name>(x)`` and the in-place
``Tensor.<name>_()`` as well: adding one is writing its class here.

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
from typing import Any, Callable

import numpy as np

from ..autograd.function import Function, const
from . import tensor_method
from .pointwise import where

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


def sigmoid_array(a: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-a))`` on an array: exp overflows to inf for a << 0, which gives the
    right 0, in half the passes of a ``where(a >= 0, ...)`` form.

    >>> sigmoid_array(np.array([0.0, -1000.0])).tolist()
    [0.5, 0.0]
    """
    with np.errstate(over="ignore"):
        out = np.asarray(np.exp(-a))  # (a 0-d array, not a NumPy scalar, for the in-place ops)
    out += 1
    return np.reciprocal(out, out=out)


class TENSOR_MATH:
    """NumPy's names for the Tensor methods a derivative formula uses, so that one formula
    computes on arrays (``np``) and on Tensors (this class)."""

    sqrt = staticmethod(lambda t: t.sqrt())
    exp = staticmethod(lambda t: t.exp())
    sin = staticmethod(lambda t: t.sin())
    cos = staticmethod(lambda t: t.cos())
    sinh = staticmethod(lambda t: t.sinh())
    cosh = staticmethod(lambda t: t.cosh())


class Elementary(Function):
    """A function of one tensor. A subclass sets ``ufunc`` (arrays in, array out),
    ``on_output`` (its derivative reads the output rather than the input) and
    ``derivative(v, m)``: d out / d x from ``v`` (the input or the output) with ``m``'s
    ``sqrt``, ``exp``, ... (``np`` or ``TENSOR_MATH``)."""

    ufunc: Callable[[np.ndarray], np.ndarray]
    on_output = False

    @staticmethod
    def derivative(v: Any, m: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, a):
        out = np.asarray(cls.ufunc(a))
        ctx.save_for_backward(out if cls.on_output else a)
        return out

    @staticmethod
    def backward(ctx, grad):
        (v,) = ctx.saved_tensors
        return grad * type(ctx).derivative(v, TENSOR_MATH)

    @staticmethod
    def array_backward(ctx, grad):
        (v,) = ctx.saved_arrays
        return grad * type(ctx).derivative(v, np)


def _elementary(name: str, ufunc: Callable, derivative: Callable, *, on_output: bool = False,
                doc: str = "") -> type:
    """Declare ``Tensor.<name>()``: a subclass of ``Elementary`` registered as a method."""
    cls = type(name.capitalize(), (Elementary,), {
        "op": name, "ufunc": staticmethod(ufunc), "on_output": on_output,
        "derivative": staticmethod(derivative), "__doc__": doc, "__module__": __name__})
    return tensor_method(name)(cls)


# name, NumPy's function, derivative (of the input x, or of the output y with on_output)
Exp = _elementary("exp", np.exp, lambda y, m: y, on_output=True, doc="``e**x``.")
Exp2 = _elementary("exp2", np.exp2, lambda y, m: y * _LN2, on_output=True, doc="``2**x``.")
Expm1 = _elementary("expm1", np.expm1, lambda y, m: y + 1, on_output=True,
                    doc="``exp(x) - 1``, exact for tiny ``x``.")
Log = _elementary("log", np.log, lambda x, m: 1 / x, doc="The natural logarithm.")
Log2 = _elementary("log2", np.log2, lambda x, m: 1 / (x * _LN2), doc="Base-2 logarithm.")
Log10 = _elementary("log10", np.log10, lambda x, m: 1 / (x * _LN10), doc="Base-10 logarithm.")
Log1p = _elementary("log1p", np.log1p, lambda x, m: 1 / (x + 1),
                    doc="``log(1 + x)``, exact for tiny ``x``.")
Sqrt = _elementary("sqrt", np.sqrt, lambda y, m: 0.5 / y, on_output=True, doc="Square root.")
Rsqrt = _elementary("rsqrt", lambda a: 1 / np.sqrt(a), lambda y, m: -0.5 * y * y * y,
                    on_output=True, doc="``1 / sqrt(x)``.")
Sin = _elementary("sin", np.sin, lambda x, m: m.cos(x), doc="Sine.")
Cos = _elementary("cos", np.cos, lambda x, m: -m.sin(x), doc="Cosine.")
Tan = _elementary("tan", np.tan, lambda y, m: 1 + y * y, on_output=True, doc="Tangent.")
Asin = _elementary("asin", np.arcsin, lambda x, m: 1 / m.sqrt(1 - x * x), doc="Arcsine.")
Acos = _elementary("acos", np.arccos, lambda x, m: -1 / m.sqrt(1 - x * x), doc="Arccosine.")
Atan = _elementary("atan", np.arctan, lambda x, m: 1 / (1 + x * x), doc="Arctangent.")
Sinh = _elementary("sinh", np.sinh, lambda x, m: m.cosh(x), doc="Hyperbolic sine.")
Cosh = _elementary("cosh", np.cosh, lambda x, m: m.sinh(x), doc="Hyperbolic cosine.")
Tanh = _elementary("tanh", np.tanh, lambda y, m: 1 - y * y, on_output=True,
                   doc="Hyperbolic tangent.")
Asinh = _elementary("asinh", np.arcsinh, lambda x, m: 1 / m.sqrt(x * x + 1),
                    doc="Inverse hyperbolic sine.")
Acosh = _elementary("acosh", np.arccosh, lambda x, m: 1 / m.sqrt(x * x - 1),
                    doc="Inverse hyperbolic cosine.")
Atanh = _elementary("atanh", np.arctanh, lambda x, m: 1 / (1 - x * x),
                    doc="Inverse hyperbolic tangent.")
Sigmoid = _elementary("sigmoid", sigmoid_array, lambda y, m: y * (1 - y), on_output=True,
                      doc="``1 / (1 + exp(-x))``, stable for large ``|x|``.")
Erf = _elementary("erf", erf_array, lambda x, m: m.exp(-(x * x)) * _TWO_OVER_SQRT_PI,
                  doc="The error function.")


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


class Atan2(Function):
    """``atan2(a, b)``: the angle of the point ``(b, a)``."""

    op = "atan2"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        r2 = a * a + b * b
        # PyTorch's: 1 / r2 taken as 0 where r2 == 0, so the gradient at the origin is 0
        with np.errstate(divide="ignore"):
            recip = 1 / r2
        origin = r2._data == 0
        if origin.any():
            recip = where(origin, const(np.zeros((), recip._data.dtype)), recip)
        return (grad * b * recip if need_a else None), (grad * -a * recip if need_b else None)


