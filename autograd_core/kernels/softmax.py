"""Softmax and log-softmax over the last axis of float32 rows, forward and backward, one
row at a time while it sits in the L1 cache, rows split over our threads.

Per row, with ``m`` the row's largest value and ``expf`` the vectorised exponential
(:mod:`.vecmath`):

- softmax: ``y = expf(x - m) / s`` with ``s`` the sum of those exponentials; its
  backward ``dx = y * (g - sum(g * y))``;
- log-softmax: ``y = (x - m) - log(s)``; its backward ``dx = g - expf(y) * sum(g)``;
- cross-entropy's forward with class-index targets: ``e = expf(x - m)``, ``s`` and the
  log-probability at the row's target ``(x[t] - m) - log(s)``, in one pass, with the
  targets checked in the same loop.

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

from . import dispatch, threads
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


@lazy_njit(nogil=True, error_model="numpy")
def _cross_entropy_numba(x, t, skip, e, s, picked, r0, r1):
    """Rows ``r0:r1``: ``e``, ``s`` and ``picked`` (the log-probability at the target);
    True, or False at the first target outside ``[0, C)`` or equal to ``skip``."""
    c = x.shape[1]
    for r in range(r0, r1):
        k = t[r]
        if k < 0 or k >= c or k == skip:
            return False
        xs = x[r]
        m, sr = _shifted_exp(xs, e[r])
        s[r, 0] = np.float32(sr)
        picked[r] = (xs[k] - m) - np.float32(np.log(sr))
    return True


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


def cross_entropy_rows(x: np.ndarray, targets: np.ndarray, skip: int
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Cross-entropy's forward terms for logit rows ``x`` (2-D) and one integer target per
    row: ``(e, s, picked)``, ``e = exp(x - max)`` per row, ``s`` its row sums (a column),
    and ``picked`` the log-probabilities at the targets. None where the kernel does not
    serve (not C-contiguous non-empty float32 rows, or NumPy chosen as the backend), and
    when a target is outside ``[0, C)`` or equals ``skip`` (the caller's
    ``ignore_index``): the caller then computes them with NumPy.

    >>> import numpy as np
    >>> e, s, picked = cross_entropy_rows(np.zeros((2, 4), np.float32), np.array([1, 3]), -100)
    >>> [round(p, 6) for p in picked.tolist()], cross_entropy_rows(
    ...     np.zeros((1, 4), np.float32), np.array([4]), -100)       # a target out of range
    ([-1.386294, -1.386294], None)
    """
    if (x.dtype != np.float32 or x.ndim != 2 or not x.size or not x.flags.c_contiguous
            or targets.dtype.kind not in "iu" or dispatch.choose_path() != "numba"):
        return None
    rows, d = x.shape
    e, s, picked = np.empty_like(x), np.empty((rows, 1), x.dtype), np.empty(rows, x.dtype)
    if x.size < 2 * _SPLIT_MIN:
        ok = _cross_entropy_numba(x, targets, skip, e, s, picked, 0, rows)
    else:
        parts = []
        threads.parallel_for(lambda r0, r1: parts.append(
            _cross_entropy_numba(x, targets, skip, e, s, picked, r0, r1)), rows,
            grain=max(1, -(-_SPLIT_MIN // d)))
        ok = all(parts)
    return (e, s, picked) if ok else None


def softmax_backward_rows(g: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
    """dx of softmax rows ``y`` for the gradient ``g`` into ``out`` (which may be ``g``)."""
    return _run(_softmax_backward_numba, (g, y), out)


def log_softmax_backward_rows(g: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
    """dx of log-softmax rows ``y`` for the gradient ``g`` into ``out`` (which may be ``g``)."""
    return _run(_log_softmax_backward_numba, (g, y), out)
