"""ReLU and leaky ReLU in one pass each way; the sigmoid in one pass each way, SiLU and
exact GELU (float32) in one pass forward, and exp and tanh, with the vectorised functions
of :mod:`.vecmath`; large arrays split over our threads.

ReLU: ``max(x, 0)`` as ``np.maximum`` computes it (a NaN passes), and backward the
gradient where the output is not 0, else 0 (an inf or NaN gradient there too, as
PyTorch's ``threshold_backward``): NumPy needs three passes for that (the mask, the
product, the finiteness check of the gradient), this one.

Leaky ReLU: the forward writes the output and the mask ``x > 0``
that backward needs; the backward reads the mask and the gradient once.

Written with NumPy, the forward takes five passes over memory (the mask, its negation,
the slope array, its sum with the mask, the product) and keeps a float slope array for
backward; a GAN's discriminator runs it on every activation. Both paths compute
``x if x > 0 else x * slope`` (and ``g`` or ``g * slope``), so they agree bit for bit:
a NaN input counts as not positive, as PyTorch's ``x > 0`` does. Large arrays are split
over our threads.

GELU (exact, float32): the output ``x * Phi(x)`` and the derivative ``Phi(x) + x * phi(x)``
that backward needs, in one pass, with erf from Abramowitz and Stegun's 7.1.26
(``|error| <= 1.5e-7``, an exponential and a polynomial, no C library call per element:
NumPy has no erf, and ``math.erf`` takes five times as long as the whole pass). That is a
float32 ulp near 1: on standard normal inputs the output is within 4.6e-7 of the exact
value (PyTorch's float32 GELU within 3.6e-7, the two within 4.8e-7 of each other). float64
keeps the C library's erf (``ops/special.py``).

Sigmoid: ``1 / (1 + exp(-x))`` (0 for x << 0, where exp(-x) is inf), and backward
``g * (y * (1 - y))`` from the output, bit for bit as NumPy's three passes. SiLU: the
output ``x * s`` and the derivative ``s * (1 + x * (1 - s))`` that backward multiplies by,
``s`` the sigmoid. NumPy needs four passes for a sigmoid forward and five more for SiLU's.

>>> import numpy as np
>>> out = relu_forward(np.array([-2.0, 0.0, 3.0]))
>>> out.tolist(), relu_backward(np.array([5.0, np.inf, 7.0]), out).tolist()
([0.0, 0.0, 3.0], [0.0, 0.0, 7.0])
>>> out, mask = leaky_relu_forward(np.array([-2.0, 0.0, 3.0]), 0.1)
>>> out.tolist(), mask.tolist()
([-0.2, 0.0, 3.0], [False, False, True])
>>> leaky_relu_backward(np.ones(3), mask, 0.1).tolist()
[0.1, 0.1, 1.0]
"""
from __future__ import annotations

import math

import numpy as np

from . import dispatch, threads
from .vecmath import expf, vexp, vtanh
from .jit import lazy_njit

# A thread gets at least this many elements, else the call stays on one thread.
_SPLIT_MIN = 1 << 20
# ReLU is one read and one write per element: a smaller part already pays for a thread.
_RELU_SPLIT_MIN = 1 << 18
# Below this many elements NumPy's passes cost less than a kernel call's dispatch (a 4x8
# ReLU forward and backward: 47 us through the kernels, 6 us in NumPy); the results agree
# bit for bit.
_KERNEL_MIN = 1 << 12
# The float zeros NumPy's small passes compare with, as 0-d arrays: NumPy converts a
# Python 0 (or a NumPy scalar) on every call, which costs a tiny array's whole pass again.
_ZERO = {np.dtype(t): np.zeros((), t) for t in (np.float16, np.float32, np.float64)}


# Inner loops index 1-D views from 0 with the bare loop counter, the form LLVM vectorises.
@lazy_njit(nogil=True)
def _relu_forward_numba(x, out, lo, hi):
    xs, os = x[lo:hi], out[lo:hi]
    for i in range(xs.shape[0]):
        v = xs[i]
        os[i] = v if (v >= 0) | (v != v) else 0   # np.maximum(v, 0), bit for bit


@lazy_njit(nogil=True)
def _relu_backward_numba(g, out, dx, lo, hi):
    gs, os, ds = g[lo:hi], out[lo:hi], dx[lo:hi]
    for i in range(gs.shape[0]):
        ds[i] = gs[i] if os[i] != 0 else 0


@lazy_njit(nogil=True)
def _forward_numba(x, slope, out, mask, lo, hi):
    xs, os, ms = x[lo:hi], out[lo:hi], mask[lo:hi]
    for i in range(xs.shape[0]):
        v = xs[i]
        pos = v > 0
        ms[i] = pos
        os[i] = v if pos else v * slope


@lazy_njit(nogil=True)
def _backward_numba(g, mask, slope, out, lo, hi):
    gs, ms, os = g[lo:hi], mask[lo:hi], out[lo:hi]
    for i in range(gs.shape[0]):
        v = gs[i]
        os[i] = v if ms[i] else v * slope


# Abramowitz and Stegun 7.1.26: erf(z) = 1 - t (a1 + t (a2 + ... + t a5)) exp(-z^2) for
# z >= 0, t = 1 / (1 + p z)
_AS_P = 0.3275911
_AS_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


@lazy_njit(nogil=True, error_model="numpy")
def _gelu_numba(x, out, deriv, lo, hi):
    xs, os, ds = x[lo:hi], out[lo:hi], deriv[lo:hi]
    f = np.float32
    c, k = f(0.7071067811865476), f(0.3989422804014327)      # 1/sqrt(2), 1/sqrt(2 pi)
    p, a1, a2, a3, a4, a5 = f(_AS_P), f(_AS_A[0]), f(_AS_A[1]), f(_AS_A[2]), f(_AS_A[3]), f(_AS_A[4])
    one, half = f(1), f(0.5)
    for i in range(xs.shape[0]):
        v = xs[i]
        z = v * c
        t = one / (p * abs(z) + one)
        e = expf(-z * z)                                     # also sqrt(2 pi) phi(v)
        erf = one - ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t * e
        cdf = half * (one + (erf if z >= 0 else -erf))
        ds[i] = cdf + v * (e * k)
        os[i] = v * cdf


@lazy_njit(nogil=True, error_model="numpy")
def _sigmoid_numba(x, one, out, lo, hi):
    xs, os = x[lo:hi], out[lo:hi]
    for i in range(xs.shape[0]):
        os[i] = one / (one + vexp(-xs[i]))        # vexp(-x) = inf for x << 0: 0


@lazy_njit(nogil=True, error_model="numpy")
def _exp_numba(x, out, lo, hi):
    xs, os = x[lo:hi], out[lo:hi]
    for i in range(xs.shape[0]):
        os[i] = vexp(xs[i])


@lazy_njit(nogil=True, error_model="numpy")
def _tanh_numba(x, out, lo, hi):
    xs, os = x[lo:hi], out[lo:hi]
    for i in range(xs.shape[0]):
        os[i] = vtanh(xs[i])


@lazy_njit(nogil=True, error_model="numpy")
def _sigmoid_backward_numba(g, y, one, out, lo, hi):
    gs, ys, os = g[lo:hi], y[lo:hi], out[lo:hi]
    for i in range(gs.shape[0]):
        s = ys[i]
        os[i] = gs[i] * (s * (one - s))       # ``one`` of the arrays' dtype: no float64


@lazy_njit(nogil=True, error_model="numpy")
def _silu_numba(x, one, out, deriv, lo, hi):
    xs, os, ds = x[lo:hi], out[lo:hi], deriv[lo:hi]
    for i in range(xs.shape[0]):
        v = xs[i]
        s = one / (one + vexp(-v))
        os[i] = v * s
        ds[i] = s * (one + v * (one - s))


def _float_kernel(x: np.ndarray) -> bool:
    return (x.dtype in (np.float32, np.float64) and x.size >= _KERNEL_MIN
            and dispatch.choose_path() == "numba")


def _elementwise(kernel, x: np.ndarray, *scalars) -> np.ndarray:
    """``kernel(x, *scalars, out, lo, hi)`` over all of ``x`` (C-contiguous), split over
    our threads: a new array."""
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    fx, fo = x.reshape(-1), out.reshape(-1)
    threads.parallel_for(lambda lo, hi: kernel(fx, *scalars, fo, lo, hi), x.size,
                         grain=_RELU_SPLIT_MIN)
    return out


def _with_derivative(kernel, x: np.ndarray, *scalars) -> tuple[np.ndarray, np.ndarray]:
    """``kernel(x, *scalars, out, deriv, lo, hi)`` over all of ``x`` (C-contiguous), split
    over our threads: new arrays ``(out, deriv)``."""
    x = np.ascontiguousarray(x)
    out, deriv = np.empty_like(x), np.empty_like(x)
    fx, fo, fd = x.reshape(-1), out.reshape(-1), deriv.reshape(-1)
    threads.parallel_for(lambda lo, hi: kernel(fx, *scalars, fo, fd, lo, hi), x.size,
                         grain=_RELU_SPLIT_MIN)
    return out, deriv


def sigmoid_forward(x: np.ndarray) -> np.ndarray | None:
    """``1 / (1 + exp(-x))`` of a float32 or float64 array of at least ``_KERNEL_MIN``
    elements, in one pass (a new C-contiguous array); None for others (NumPy's passes
    serve them)."""
    if not _float_kernel(x):
        return None
    return _elementwise(_sigmoid_numba, x, x.dtype.type(1))


def exp_forward(x: np.ndarray) -> np.ndarray | None:
    """``exp(x)`` by ``vexp`` for a float32 or float64 array of at least ``_KERNEL_MIN``
    elements (NumPy's float64 exp is a scalar loop on an AVX2 host); None for others."""
    return _elementwise(_exp_numba, x) if _float_kernel(x) else None


def tanh_forward(x: np.ndarray) -> np.ndarray | None:
    """``tanh(x)`` by ``vtanh``, as :func:`exp_forward`."""
    return _elementwise(_tanh_numba, x) if _float_kernel(x) else None


def sigmoid_backward(grad: np.ndarray, out: np.ndarray) -> np.ndarray | None:
    """``grad * (out * (1 - out))``, the sigmoid's gradient from its output, in one pass,
    bit for bit as NumPy's three; None where NumPy's serve (shapes or dtypes that differ,
    small arrays)."""
    if grad.shape != out.shape or grad.dtype != out.dtype or not _numba_ok(grad, out):
        return None
    grad, out = np.ascontiguousarray(grad), np.ascontiguousarray(out)
    dx = np.empty_like(grad)
    fg, fo, fd = grad.reshape(-1), out.reshape(-1), dx.reshape(-1)
    one = grad.dtype.type(1)
    threads.parallel_for(lambda lo, hi: _sigmoid_backward_numba(fg, fo, one, fd, lo, hi),
                         grad.size, grain=_RELU_SPLIT_MIN)
    return dx


def silu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(out, deriv)`` of SiLU, ``x * sigmoid(x)`` and its derivative ``s (1 + x (1 - s))``,
    for a float32 or float64 array of at least ``_KERNEL_MIN`` elements in one pass; None
    for others."""
    if not _float_kernel(x):
        return None
    return _with_derivative(_silu_numba, x, x.dtype.type(1))


@lazy_njit(nogil=True, error_model="numpy")
def _gelu_tanh_numba(x, c, a, k, half, one, out, deriv, lo, hi):
    # c = sqrt(2/pi), a = 0.044715 c, k = 3 a: constants of the arrays' dtype
    xs, os, ds = x[lo:hi], out[lo:hi], deriv[lo:hi]
    for i in range(xs.shape[0]):
        v = xs[i]
        t = vtanh(c * v + a * (v * v * v))
        ht = half * (one + t)
        os[i] = v * ht
        ds[i] = ht + half * v * (one - t * t) * (c + k * (v * v))


def gelu_tanh_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(out, deriv)`` of GELU's tanh approximation, ``0.5 x (1 + tanh(c (x + 0.044715
    x**3)))`` with ``c = sqrt(2/pi)``, and its derivative, for a float32 or float64 array of
    at least ``_KERNEL_MIN`` elements in one pass; None for others."""
    if not _float_kernel(x):
        return None
    f = x.dtype.type
    c = math.sqrt(2 / math.pi)
    return _with_derivative(_gelu_tanh_numba, x, f(c), f(0.044715 * c), f(3 * 0.044715 * c),
                            f(0.5), f(1))


def gelu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(out, deriv)`` of exact GELU for a float32 ``x`` of any size and layout (one erf
    for all float32 arrays, see the module's text); None for other dtypes and on the NumPy
    path."""
    if x.dtype != np.float32 or dispatch.choose_path() != "numba":
        return None
    return _with_derivative(_gelu_numba, x)


def leaky_relu_slopes(mask: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """1 where ``mask``, else ``slope`` (exactly: products with the masks, not np.where,
    which branches on every element)."""
    slopes = ~mask * slope
    slopes += mask
    return slopes


def _numba_ok(*arrays: np.ndarray) -> bool:
    """Whether the kernels serve ``arrays`` (the first one's size and dtype decide). Any
    layout: the callers pass C-contiguous copies of strided arrays (a gradient that is a
    slice of a concatenation's), as NumPy's passes over strided operands cost several
    times a copy and the kernel (``benchmarks/README.md``, "strided operands")."""
    return (arrays[0].size >= _KERNEL_MIN and arrays[0].dtype in (np.float32, np.float64)
            and dispatch.choose_path() == "numba")


def relu_forward(x: np.ndarray) -> np.ndarray:
    """``F.relu(x)``: ``np.maximum(x, 0)`` in one pass (a NaN stays NaN)."""
    if not _numba_ok(x):
        return np.maximum(x, _ZERO.get(x.dtype, 0))
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    fx, fo = x.reshape(-1), out.reshape(-1)
    threads.parallel_for(lambda lo, hi: _relu_forward_numba(fx, fo, lo, hi), x.size,
                         grain=_RELU_SPLIT_MIN)
    return out


def relu_backward(grad: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The gradient of ReLU from its output: ``grad`` where ``out != 0`` (a NaN output
    passes it, as PyTorch's mask ``not out <= 0``), else 0 even for an inf or NaN ``grad``."""
    if grad.shape != out.shape or grad.dtype != out.dtype or not _numba_ok(grad, out):
        zero = _ZERO.get(grad.dtype)
        if zero is not None and out.dtype == grad.dtype:
            return np.where(out != zero, grad, zero)
        return np.where(out != 0, grad, 0).astype(grad.dtype, copy=False)
    grad, out = np.ascontiguousarray(grad), np.ascontiguousarray(out)
    dx = np.empty_like(grad)
    fg, fo, fd = grad.reshape(-1), out.reshape(-1), dx.reshape(-1)
    threads.parallel_for(lambda lo, hi: _relu_backward_numba(fg, fo, fd, lo, hi), grad.size,
                         grain=_RELU_SPLIT_MIN)
    return dx


def leaky_relu_forward(x: np.ndarray, negative_slope: float) -> tuple[np.ndarray, np.ndarray]:
    """``(out, mask)``: ``F.leaky_relu(x, negative_slope)`` and ``x > 0`` (bool), both of
    ``x``'s shape."""
    slope = np.asarray(negative_slope, x.dtype)
    if not _numba_ok(x):
        mask = x > 0
        return x * leaky_relu_slopes(mask, slope), mask
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    mask = np.empty(x.shape, np.bool_)
    fx, fo, fm = x.reshape(-1), out.reshape(-1), mask.reshape(-1)
    s = slope[()]
    threads.parallel_for(lambda lo, hi: _forward_numba(fx, s, fo, fm, lo, hi), x.size,
                         grain=_SPLIT_MIN)
    return out, mask


def leaky_relu_backward(grad: np.ndarray, mask: np.ndarray, negative_slope: float) -> np.ndarray:
    """The gradient of leaky ReLU: ``grad`` where the input was positive (``mask``), else
    ``grad * negative_slope``."""
    slope = np.asarray(negative_slope, grad.dtype)
    if grad.shape != mask.shape or not _numba_ok(grad, mask):
        return grad * leaky_relu_slopes(mask, slope)
    grad, mask = np.ascontiguousarray(grad), np.ascontiguousarray(mask)
    out = np.empty_like(grad)
    fg, fm, fo = grad.reshape(-1), mask.reshape(-1), out.reshape(-1)
    s = slope[()]
    threads.parallel_for(lambda lo, hi: _backward_numba(fg, fm, s, fo, lo, hi), grad.size,
                         grain=_SPLIT_MIN)
    return out
