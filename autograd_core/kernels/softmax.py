"""Softmax and log-softmax over the last axis of float32 rows, forward and backward, one
row at a time while it sits in the L1 cache, rows split over our threads.

Per row, with ``m`` the row's largest value and ``expf`` the vectorised exponential
(:mod:`.vecmath`):

- softmax: ``y = expf(x - m) / s`` with ``s`` the sum of those exponentials; its
  backward ``dx = y * (g - sum(g * y))``;
- log-softmax: ``y = (x - m) - log(s)``; its backward ``dx = g - expf(y) * sum(g)``.

Sums are accumulated in float64 (in any order, which vectorises them). NumPy needs four
passes over memory for a forward (the max, the shift, the exponential, the sum) and
three for a backward, each through a temporary; these kernels read a row from memory
once and write it once. A NaN in a row makes the whole row NaN, as in PyTorch (an inf
too, through ``inf - inf``).

>>> import numpy as np
>>> y = softmax_rows(np.array([[0.0, np.log(3.0)]], np.float32))
>>> y.round(6).tolist()
[[0.25, 0.75]]
"""
from __future__ import annotations

import numpy as np

from . import threads
from .vecmath import expf
from .jit import lazy_callee, lazy_inline, lazy_njit

# A thread gets at least this many elements, else the call stays on one thread.
_SPLIT_MIN = 1 << 18


@lazy_inline
def _row_max(x):
    """The largest value of ``x`` (NaNs skipped unless ``x[0]`` is one: either way the
    row comes out NaN)."""
    m = x[0]
    for i in range(1, x.shape[0]):
        v = x[i]
        m = v if v > m else m
    return m


@lazy_callee(nogil=True, fastmath={"reassoc"})
def _row_sum(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += np.float64(x[i])
    return s


@lazy_callee(nogil=True, fastmath={"reassoc"})
def _row_dot(x, y):
    s = 0.0
    for i in range(x.shape[0]):
        s += np.float64(x[i]) * np.float64(y[i])
    return s


@lazy_inline
def _shifted_exp(xs, os):
    """``os = expf(xs - m)``: ``(m, s)``, the row's largest value and the sum of ``os``."""
    m = _row_max(xs)
    for i in range(xs.shape[0]):
        os[i] = expf(xs[i] - m)
    return m, _row_sum(os)


@lazy_njit(nogil=True, error_model="numpy")
def _softmax_numba(x, out, r0, r1):
    for r in range(r0, r1):
        os = out[r]
        inv = np.float32(1.0 / _shifted_exp(x[r], os)[1])
        for i in range(os.shape[0]):
            os[i] *= inv


@lazy_njit(nogil=True, error_model="numpy")
def _log_softmax_numba(x, out, r0, r1):
    for r in range(r0, r1):
        xs, os = x[r], out[r]
        m, s = _shifted_exp(xs, os)
        ls = np.float32(np.log(s))
        for i in range(xs.shape[0]):
            os[i] = (xs[i] - m) - ls


@lazy_njit(nogil=True, error_model="numpy")
def _softmax_backward_numba(g, y, out, r0, r1):
    for r in range(r0, r1):
        gs, ys, os = g[r], y[r], out[r]
        d = np.float32(_row_dot(gs, ys))
        for i in range(gs.shape[0]):
            os[i] = ys[i] * (gs[i] - d)


@lazy_njit(nogil=True, error_model="numpy")
def _log_softmax_backward_numba(g, y, out, r0, r1):
    for r in range(r0, r1):
        gs, ys, os = g[r], y[r], out[r]
        s = np.float32(_row_sum(gs))
        for i in range(gs.shape[0]):
            os[i] = gs[i] - expf(ys[i]) * s


def _run(kernel, arrays: tuple, out: np.ndarray) -> np.ndarray:
    rows, d = out.shape
    if out.size < 2 * _SPLIT_MIN:   # one thread's share at most: no split to arrange
        kernel(*arrays, out, 0, rows)
    else:
        threads.parallel_for(lambda r0, r1: kernel(*arrays, out, r0, r1), rows,
                             grain=max(1, -(-_SPLIT_MIN // d)))
    return out


def softmax_rows(x: np.ndarray) -> np.ndarray:
    """Softmax of each row of a C-contiguous 2-D float32 array, a new array."""
    return _run(_softmax_numba, (x,), np.empty_like(x))


def softmax_rows_into(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Softmax of each row of ``x`` into ``out`` (C-contiguous 2-D float32 arrays, not
    overlapping: the kernel vectorises only distinct ones), on the calling thread, for
    callers that split their own work over the threads."""
    _softmax_numba(x, out, 0, x.shape[0])
    return out


def softmax_backward_rows_into(g: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out = y * (g - sum(g * y))`` for rows (``out`` apart from ``g`` and ``y``), on the
    calling thread."""
    _softmax_backward_numba(g, y, out, 0, g.shape[0])
    return out


def log_softmax_rows(x: np.ndarray) -> np.ndarray:
    """Log-softmax of each row of a C-contiguous 2-D float32 array, a new array."""
    return _run(_log_softmax_numba, (x,), np.empty_like(x))


def softmax_backward_rows(g: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
    """dx of softmax rows ``y`` for the gradient ``g`` into ``out`` (which may be ``g``)."""
    return _run(_softmax_backward_numba, (g, y), out)


def log_softmax_backward_rows(g: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
    """dx of log-softmax rows ``y`` for the gradient ``g`` into ``out`` (which may be ``g``)."""
    return _run(_log_softmax_backward_numba, (g, y), out)
