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
from ..kernels.activation import exp_forward, sigmoid_backward, sigmoid_forward, tanh_forward
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
    fused = sigmoid_forward(a)     # float arrays of 4096 elements and more: one pass
    if fused is not None:
        return fused
    with np.errstate(over="ignore"):
        out = np.asarray(np.exp(-a))  # (a 0-d array, not a NumPy scalar, for the in-place ops)
    out += 1
    return np.reciprocal(out, out=out)


def _exp(a: np.ndarray) -> np.ndarray:
    """``np.exp``, or for float arrays of 4096 elements and more the kernels' one pass."""
    fused = exp_forward(a)
    return np.exp(a) if fused is None else fused


def _tanh(a: np.ndarray) -> np.ndarray:
    """``np.tanh``, or for float arrays of 4096 elements and more the kernels' one pass."""
    fused = tanh_forward(a)
    return np.tanh(a) if fused is None else fused


def _sigmoid_array_backward(ctx, grad: np.ndarray) -> np.ndarray:
    """``grad * (y * (1 - y))`` from the output ``y``, in one pass where the kernel takes it."""
    (y,) = ctx.saved_arrays
    fused = sigmoid_backward(grad, y)
    return grad * (y * (1 - y)) if fused is None else fused


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


def _function(name: str, ufunc: Callable, derivative: Callable, *, on_output: bool = False,
              doc: str = "", array_backward: Callable | None = None) -> type:
    """A subclass of ``Elementary``: the op ``name`` computed by ``ufunc``; with
    ``array_backward``, that fast array backward in place of the derivative's formula."""
    body = {"op": name, "ufunc": staticmethod(ufunc), "on_output": on_output,
            "derivative": staticmethod(derivative), "__doc__": doc, "__module__": __name__}
    if array_backward is not None:
        body["array_backward"] = staticmethod(array_backward)
    return type(name.capitalize(), (Elementary,), body)


def _elementary(name: str, ufunc: Callable, derivative: Callable, *, on_output: bool = False,
                doc: str = "", array_backward: Callable | None = None) -> type:
    """Declare ``Tensor.<name>()``: a subclass of ``Elementary`` registered as a method."""
    return tensor_method(name)(_function(name, ufunc, derivative, on_output=on_output, doc=doc,
                                         array_backward=array_backward))


# name, NumPy's function, derivative (of the input x, or of the output y with on_output)
Exp = _elementary("exp", _exp, lambda y, m: y, on_output=True, doc="``e**x``.")
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
Tanh = _elementary("tanh", _tanh, lambda y, m: 1 - y * y, on_output=True,
                   doc="Hyperbolic tangent.")
Asinh = _elementary("asinh", np.arcsinh, lambda x, m: 1 / m.sqrt(x * x + 1),
                    doc="Inverse hyperbolic sine.")
Acosh = _elementary("acosh", np.arccosh, lambda x, m: 1 / m.sqrt(x * x - 1),
                    doc="Inverse hyperbolic cosine.")
Atanh = _elementary("atanh", np.arctanh, lambda x, m: 1 / (1 - x * x),
                    doc="Inverse hyperbolic tangent.")
Sigmoid = _elementary("sigmoid", sigmoid_array, lambda y, m: y * (1 - y), on_output=True,
                      doc="``1 / (1 + exp(-x))``, stable for large ``|x|``.",
                      array_backward=_sigmoid_array_backward)
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




# ---- special functions of the gamma and error families, and their relatives ----------------

def _erfc_scalar(v):  # compiled by _math_ufunc
    return math.erfc(v)


def _lgamma_scalar(v):  # compiled by _math_ufunc; the C library gives +inf at the poles
    return math.lgamma(v)


_math_ufuncs: dict = {}


def _math_ufunc(scalar: Callable, x: np.ndarray) -> np.ndarray:
    """``scalar`` (a function of one float calling ``math``) over a float32 or float64
    array: a Numba ufunc compiled at first use and cached on disk; without Numba, the
    Python function per element."""
    fn = _math_ufuncs.get(scalar)
    if fn is None:
        try:
            import numba

            fn = numba.vectorize(["float32(float32)", "float64(float64)"], cache=True)(scalar)
        except ImportError:  # pragma: no cover - numba is a dependency
            def fn(v, slow=np.vectorize(scalar, otypes=[np.float64])):
                return slow(v).astype(v.dtype)
        _math_ufuncs[scalar] = fn
    with np.errstate(all="ignore"):
        return np.asarray(fn(x))


def _as_float(a: np.ndarray) -> np.ndarray:
    return a if a.dtype.kind == "f" else a.astype(np.float64)


def erfc_array(x: np.ndarray) -> np.ndarray:
    """``1 - erf(x)`` without cancellation for large ``x``, to the C library's precision.

    >>> erfc_array(np.array([0.0, 10.0])).tolist()
    [1.0, 2.088487583762545e-45]
    """
    return _math_ufunc(_erfc_scalar, _as_float(x))


def lgamma_array(x: np.ndarray) -> np.ndarray:
    """``log|Gamma(x)|`` (+inf at 0 and the negative integers), as the C library's.

    >>> lgamma_array(np.array([1.0, 0.5, 0.0])).round(6).tolist()
    [0.0, 0.572365, inf]
    """
    return _math_ufunc(_lgamma_scalar, _as_float(x))


# Bernoulli numbers B2, B4, ..., B20 for the asymptotic series below
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)


def digamma_array(a: np.ndarray) -> np.ndarray:
    """``d/dx log Gamma(x)``, computed in float64: negative ``x`` by the reflection
    ``psi(1 - x) - pi / tan(pi x)``, small ``x`` moved up past 10 by ``psi(x) = psi(x + 1)
    - 1 / x``, then the asymptotic series. As PyTorch: ``-inf`` at +0, ``+inf`` at -0, NaN
    at the negative integers.

    >>> digamma_array(np.array([1.0, 0.0, -1.0])).round(6).tolist()
    [-0.577216, -inf, nan]
    """
    x = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):
        neg = x < 0
        frac = x - np.trunc(x)
        y = np.where(neg, 1 - x, x)
        acc = np.zeros(y.shape)
        for _ in range(10):
            small = y < 10
            if not small.any():
                break
            acc = acc - np.where(small, 1 / y, 0)
            y = y + small
        z = 1 / (y * y)
        series = z * (1 / 12 + z * (-1 / 120 + z * (1 / 252 + z * (-1 / 240 + z * (
            1 / 132 + z * (-691 / 32760 + z / 12))))))
        out = acc + np.log(y) - 0.5 / y - series
        out = np.where(neg, out - np.pi / np.tan(np.pi * frac), out)
        out = np.where(neg & (frac == 0), np.nan, out)
        out = np.where(x == 0, np.copysign(np.inf, -x), out)
    return out.astype(a.dtype if a.dtype.kind == "f" else np.float64)


def hurwitz_zeta_array(s: int, q: np.ndarray) -> np.ndarray:
    """``sum over k >= 0 of (q + k) ** -s`` for an integer ``s >= 2``, in float64: the
    first terms summed until ``q + k`` passes ``20 + s``, the rest by Euler-Maclaurin.
    +inf at 0 and the negative integers.

    >>> round(float(hurwitz_zeta_array(2, np.array(1.0))), 12) == round(math.pi ** 2 / 6, 12)
    True
    """
    q = np.asarray(q, dtype=np.float64)
    big = 20.0 + s
    with np.errstate(all="ignore"):
        acc = np.zeros(q.shape)
        a = q.copy()
        low = (a < big) & (a > -np.inf)
        while low.any():
            acc = acc + np.where(low, a ** -s, 0)
            a = a + low
            low &= a < big
        tail = a ** (1 - s) / (s - 1) + 0.5 * a ** -s
        rising, power, fact = float(s), a ** (-s - 1), 2.0
        for j, b in enumerate(_BERNOULLI, start=1):
            tail = tail + b / fact * rising * power
            rising *= (s + 2 * j - 1) * (s + 2 * j)
            power = power / (a * a)
            fact *= (2 * j + 1) * (2 * j + 2)
        out = acc + tail
        out = np.where((q <= 0) & (q == np.floor(q)), np.inf, out)
    return np.where(q == -np.inf, np.nan, out)


def polygamma_array(n: int, a: np.ndarray) -> np.ndarray:
    """The ``n``-th derivative of ``digamma``: ``(-1)**(n+1) n! zeta(n + 1, x)`` for n >= 1.

    >>> round(float(polygamma_array(1, np.array(1.0))), 12) == round(math.pi ** 2 / 6, 12)
    True
    """
    if n == 0:
        return digamma_array(a)
    out = (-1.0) ** (n + 1) * float(math.factorial(n)) * hurwitz_zeta_array(n + 1, a)
    return out.astype(a.dtype if a.dtype.kind == "f" else np.float64)


def _erfinv_guess(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """M. Giles' single-precision polynomial for ``erfinv(x)``, ``w = -log((1-x)(1+x))``:
    a start for the Newton steps."""
    central = w < 5
    t = np.where(central, w - 2.5, np.sqrt(np.where(central, 5.0, w)) - 3)
    pc = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
          -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
    pt = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
          -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
    p = np.where(central, pc[0], pt[0])
    for c, d in zip(pc[1:], pt[1:]):
        p = np.where(central, c, d) + p * t
    return p * x


def _erfcinv_small(q: np.ndarray) -> np.ndarray:
    """The ``y > 0`` with ``erfc(y) = q`` for ``0 < q <= 0.5``: Giles' start, then Newton
    steps on ``log erfc(y) - log q``, which stay exact however small ``q`` is."""
    logq = np.log(q)
    y = _erfinv_guess(1 - q, -np.log(q * (2 - q)))
    tiny = q < 1e-6
    if tiny.any():  # erfc(y) ~ exp(-y**2) / (y sqrt(pi)) (1 - 1 / (2 y**2)), solved by iteration
        y2 = -logq[tiny]
        for _ in range(4):
            y2 = -logq[tiny] - np.log(np.sqrt(y2 * math.pi)) + np.log1p(-0.5 / y2)
        y[tiny] = np.sqrt(y2)
    for _ in range(4):
        e = erfc_array(y)
        y = y + (np.log(e) - logq) * e / (_TWO_OVER_SQRT_PI * np.exp(-y * y))
    return y


def erfinv_array(a: np.ndarray) -> np.ndarray:
    """The inverse of ``erf`` on [-1, 1] (±inf at ±1, NaN outside), in float64: Giles'
    approximation refined by Halley steps on ``erf`` for ``|x| <= 0.5`` and by Newton steps
    on ``log erfc`` of the exact ``1 - |x|`` beyond, to full precision.

    >>> erfinv_array(np.array([0.0, 0.5, 1.0])).round(12).tolist()
    [0.0, 0.476936276204, inf]
    """
    x = np.asarray(a, dtype=np.float64)
    ax = np.abs(x)
    out = np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        inner = ax <= 0.5
        if inner.any():
            xi = x[inner]
            y = _erfinv_guess(xi, -np.log((1 - xi) * (1 + xi)))
            for _ in range(2):
                d = (erf_array(y) - xi) / (_TWO_OVER_SQRT_PI * np.exp(-y * y))
                y = y - d / (1 + y * d)
            out[inner] = y
        outer = (ax > 0.5) & (ax < 1)
        if outer.any():
            out[outer] = np.copysign(_erfcinv_small(1 - ax[outer]), x[outer])
        out[ax == 1] = np.copysign(np.inf, x[ax == 1])
    return out.astype(a.dtype if a.dtype.kind == "f" else np.float64)


def ndtri_array(a: np.ndarray) -> np.ndarray:
    """The inverse of the standard normal CDF on [0, 1] (±inf at the ends, NaN outside),
    accurate in both tails.

    >>> ndtri_array(np.array([0.5, 0.975])).round(6).tolist()
    [0.0, 1.959964]
    """
    p = np.asarray(a, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    with np.errstate(all="ignore"):
        lo, hi = (p > 0) & (p <= 0.25), (p >= 0.75) & (p < 1)
        mid = (p > 0.25) & (p < 0.75)
        if lo.any():
            out[lo] = -math.sqrt(2) * _erfcinv_small(2 * p[lo])
        if hi.any():
            out[hi] = math.sqrt(2) * _erfcinv_small(2 * (1 - p[hi]))
        if mid.any():
            out[mid] = math.sqrt(2) * erfinv_array(2 * p[mid] - 1)
        out[p == 0], out[p == 1] = -np.inf, np.inf
    return out.astype(a.dtype if a.dtype.kind == "f" else np.float64)


def log_ndtr_array(a: np.ndarray) -> np.ndarray:
    """``log`` of the standard normal CDF, exact in both tails (an asymptotic series of
    ``erfc`` below -20).

    >>> log_ndtr_array(np.array([0.0, -40.0])).round(6).tolist()
    [-0.693147, -804.608442]
    """
    x = np.asarray(a, dtype=np.float64)
    t = x / math.sqrt(2)
    with np.errstate(all="ignore"):
        out = np.where(x > 0, np.log1p(-0.5 * erfc_array(t)), np.log(0.5 * erfc_array(-t)))
        far = x < -20
        if far.any():
            z = -t[far]
            term, total = np.ones(z.shape), np.ones(z.shape)
            for n in range(1, 14):
                term = term * -(2 * n - 1) / (2 * z * z)
                total = total + term
            out[far] = -z * z - np.log(z) - 0.5 * math.log(math.pi) + np.log(total) - _LN2
    return out.astype(a.dtype if a.dtype.kind == "f" else np.float64)


def i1_array(a: np.ndarray) -> np.ndarray:
    """The modified Bessel function of the first kind of order 1, in float64: its power
    series up to ``|x| = 30``, the asymptotic series beyond.

    >>> i1_array(np.array([0.0, 1.0])).round(6).tolist()
    [0.0, 0.565159]
    """
    x = np.asarray(a, dtype=np.float64)
    ax = np.abs(x)
    with np.errstate(all="ignore"):
        h = np.where(ax <= 30, ax, 0) / 2
        term = h.copy()
        total = h.copy()
        for k in range(1, 90):
            term = term * h * h / (k * (k + 1))
            total = total + term
        big = np.where(ax > 30, ax, 1.0)
        aterm, asum = np.ones(x.shape), np.ones(x.shape)
        for k in range(1, 40):
            aterm = aterm * -(4 - (2 * k - 1) ** 2) / (8 * k * big)
            asum = asum + aterm
        far = np.exp(big) / np.sqrt(2 * np.pi * big) * asum
        out = np.copysign(np.where(ax > 30, far, total), x)
        out = np.where(np.isnan(x), x, out)
    return out.astype(a.dtype if a.dtype.kind == "f" else np.float64)


def i0_array(a: np.ndarray) -> np.ndarray:
    """The modified Bessel function of the first kind of order 0 (NumPy's ``i0``).

    >>> i0_array(np.array([0.0, 1.0])).round(6).tolist()
    [1.0, 1.266066]
    """
    x = np.asarray(a)
    with np.errstate(all="ignore"):
        out = np.asarray(np.i0(x))
    return out.astype(x.dtype if x.dtype.kind == "f" else np.float64)


class Polygamma(Function):
    """``polygamma(n, x)``, the ``n``-th derivative of ``digamma`` (``n = 0``: digamma);
    the gradient is ``polygamma(n + 1, x)``."""

    op = "polygamma"

    @staticmethod
    def forward(ctx, a, n=0):
        ctx.n = n
        ctx.save_for_backward(a)
        return polygamma_array(n, a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * Polygamma.apply(a, n=ctx.n + 1)


class Lgamma(Function):
    """``log|Gamma(x)|``; the gradient is ``digamma(x)``."""

    op = "lgamma"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return lgamma_array(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * Polygamma.apply(a, n=0)


Erfc = _function("erfc", erfc_array, lambda x, m: m.exp(-(x * x)) * -_TWO_OVER_SQRT_PI,
                 doc="The complementary error function ``1 - erf(x)``.")
Erfinv = _function("erfinv", erfinv_array,
                   lambda y, m: m.exp(y * y) * (math.sqrt(math.pi) / 2), on_output=True,
                   doc="The inverse error function.")
Ndtri = _function("ndtri", ndtri_array,
                  lambda y, m: m.exp(y * y * 0.5) * math.sqrt(2 * math.pi), on_output=True,
                  doc="The inverse of the standard normal CDF.")


class LogNdtr(Function):
    """``log`` of the standard normal CDF; the gradient ``exp(-x**2/2 - out) / sqrt(2 pi)``."""

    op = "log_ndtr"

    @staticmethod
    def forward(ctx, a):
        out = log_ndtr_array(a)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        return grad * (a * a * -0.5 - out).exp() * (1 / math.sqrt(2 * math.pi))


class I1(Function):
    """The modified Bessel function of order 1; the gradient ``i0(x) - i1(x) / x`` (1/2 at 0)."""

    op = "i1"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return i1_array(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        zero = a._data == 0
        safe = where(zero, const(np.ones((), a._data.dtype)), a) if zero.any() else a
        d = I0.apply(a) - I1.apply(a) / safe
        if zero.any():
            d = where(zero, const(np.full((), 0.5, a._data.dtype)), d)
        return grad * d


class I0(Function):
    """The modified Bessel function of order 0; the gradient is ``i1(x)``."""

    op = "i0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return i0_array(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * I1.apply(a)


class Logit(Function):
    """``log(z / (1 - z))`` with ``z`` the input clamped to ``[eps, 1 - eps]`` when ``eps``
    is given. The gradient ``1 / (x (1 - x))``: with ``eps``, 0 outside the clamp; without,
    NaN outside [0, 1], as PyTorch's."""

    op = "logit"

    @staticmethod
    def forward(ctx, a, eps=None):
        ctx.eps = eps
        ctx.save_for_backward(a)
        z = a if eps is None else np.clip(a, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.log(z / (1 - z)))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        d, eps = a._data, ctx.eps
        g = grad / (a * (1 - a))
        outside = (d < 0) | (d > 1) if eps is None else (d < eps) | (d > 1 - eps)
        if outside.any():
            fill = np.nan if eps is None else 0.0
            g = where(outside, const(np.full((), fill, d.dtype)), g)
        return g


class Xlogy(Function):
    """``a * log(b)``, 0 where ``a`` is 0 (unless ``b`` is NaN); with ``log1p``,
    ``a * log1p(b)`` (``xlog1py``). Gradients ``log(b)`` (0 where ``a`` is 0 and ``b <= 0``,
    as PyTorch's) and ``a / b`` (``a / (1 + b)``)."""

    op = "xlogy"

    @staticmethod
    def forward(ctx, a, b, log1p=False):
        ctx.log1p = log1p
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = a * (np.log1p(b) if log1p else np.log(b))
        return np.asarray(np.where((a == 0) & ~np.isnan(b), 0, out).astype(out.dtype))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = gb = None
        if need_a:
            ga = grad * (b.log1p() if ctx.log1p else b.log())
            # PyTorch's rule: 0 where a is 0 and log(b) is not a number above -inf
            zero = (a._data == 0) & (b._data <= (-1 if ctx.log1p else 0))
            if zero.any():
                ga = where(np.broadcast_to(zero, ga.shape), const(np.zeros((), ga._data.dtype)),
                           ga)
        if need_b:
            gb = grad * a / ((b + 1) if ctx.log1p else b)
        return ga, gb


class Fmax(Function):
    """Elementwise maximum that ignores a NaN (NaN only where both are). The gradient goes
    to ``a`` where ``a >= b`` or ``b`` is NaN, else to ``b``, as PyTorch's."""

    op = "fmax"
    numpy_function = staticmethod(np.fmax)
    wins = staticmethod(np.greater_equal)

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.mask = np.asarray(cls.wins(a, b) | np.isnan(b))
        return np.asarray(cls.numpy_function(a, b))

    @staticmethod
    def backward(ctx, grad):
        from .pointwise import select_tensor
        m, (need_a, need_b) = np.broadcast_to(ctx.mask, grad.shape), ctx.needs_input_grad
        return (select_tensor(m, grad) if need_a else None,
                select_tensor(~m, grad) if need_b else None)


class Fmin(Fmax):
    """Elementwise minimum that ignores a NaN; the gradient as ``Fmax``'s."""

    op = "fmin"
    numpy_function = staticmethod(np.fmin)
    wins = staticmethod(np.less_equal)


class Sinc(Function):
    """``sin(pi x) / (pi x)``, 1 at 0; the gradient ``(cos(pi x) - sinc(x)) / x``, 0 at 0."""

    op = "sinc"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.asarray(np.sinc(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        zero = a._data == 0
        safe = where(zero, const(np.ones((), a._data.dtype)), a) if zero.any() else a
        d = ((safe * math.pi).cos() - Sinc.apply(safe)) / safe
        if zero.any():
            d = where(zero, const(np.zeros((), a._data.dtype)), d)
        return grad * d


class Entr(Function):
    """``-x log x`` (0 at 0, -inf below); the gradient ``-(log x + 1)``."""

    op = "entr"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(a > 0, -a * np.log(np.where(a > 0, a, 1)), np.where(a == 0, 0, -np.inf))
        return np.asarray(np.where(np.isnan(a), a, out).astype(a.dtype))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * -(a.log() + 1)


class Heaviside(Function):
    """The step function (its result computed by the caller, ``array``); PyTorch gives it
    no derivative, so backward through it raises."""

    op = "heaviside"

    @staticmethod
    def forward(ctx, a, values, array=None):
        return np.asarray(array)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::heaviside is not implemented")
