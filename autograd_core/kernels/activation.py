"""Leaky ReLU in one pass each way: the forward writes the output and the mask ``x > 0``
that backward needs; the backward reads the mask and the gradient once.

Written with NumPy, the forward takes five passes over memory (the mask, its negation,
the slope array, its sum with the mask, the product) and keeps a float slope array for
backward; a GAN's discriminator runs it on every activation. Both paths compute
``x if x > 0 else x * slope`` (and ``g`` or ``g * slope``), so they agree bit for bit:
a NaN input counts as not positive, as PyTorch's ``x > 0`` does. Large arrays are split
over our threads.

>>> import numpy as np
>>> out, mask = leaky_relu_forward(np.array([-2.0, 0.0, 3.0]), 0.1)
>>> out.tolist(), mask.tolist()
([-0.2, 0.0, 3.0], [False, False, True])
>>> leaky_relu_backward(np.ones(3), mask, 0.1).tolist()
[0.1, 0.1, 1.0]
"""
from __future__ import annotations

import numpy as np

from . import dispatch, threads
from .jit import lazy_njit

# A thread gets at least this many elements, else the call stays on one thread.
_SPLIT_MIN = 1 << 20


# Inner loops index 1-D views from 0 with the bare loop counter, the form LLVM vectorises.
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


def leaky_relu_slopes(mask: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """1 where ``mask``, else ``slope`` (exactly: products with the masks, not np.where,
    which branches on every element)."""
    slopes = ~mask * slope
    slopes += mask
    return slopes


def _numba_ok(*arrays: np.ndarray) -> bool:
    return (arrays[0].dtype in (np.float32, np.float64) and dispatch.choose_path() == "numba"
            and all(a.flags.c_contiguous for a in arrays))


def leaky_relu_forward(x: np.ndarray, negative_slope: float) -> tuple[np.ndarray, np.ndarray]:
    """``(out, mask)``: ``F.leaky_relu(x, negative_slope)`` and ``x > 0`` (bool), both of
    ``x``'s shape."""
    slope = np.asarray(negative_slope, x.dtype)
    if not _numba_ok(x):
        mask = x > 0
        return x * leaky_relu_slopes(mask, slope), mask
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
    out = np.empty_like(grad)
    fg, fm, fo = grad.reshape(-1), mask.reshape(-1), out.reshape(-1)
    s = slope[()]
    threads.parallel_for(lambda lo, hi: _backward_numba(fg, fm, s, fo, lo, hi), grad.size,
                         grain=_SPLIT_MIN)
    return out
