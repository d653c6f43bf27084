"""Binary cross-entropy's elementwise terms in one pass.

``-(t * max(log x, -100) + (1 - t) * max(log1p(-x), -100))``, as PyTorch clamps each
log. With NumPy that is six passes and temporaries, and ``np.log1p`` on float32 runs
element by element (1.5 ms for a VAE's 128x784 batch, five times ``np.log``); here one
loop writes the loss and the two clamped logs (which the target's gradient reads). The
same expression in the same order: in float64 the two paths agree bit for bit (both call
the C library's ``log`` and ``log1p``; PyTorch's CPU kernel does too). In float32 NumPy's
``log`` is its own vectorised one, and the kernel takes log1p from ``log`` by Kahan's
correction: both within a few ulps.

>>> import numpy as np
>>> x, t = np.array([0.25, 1.0]), np.array([1.0, 0.0])
>>> loss, log_x, log_1mx = binary_cross_entropy_terms(x, t)
>>> loss.round(6).tolist(), log_1mx.tolist()      # log(0) is clamped to -100
([1.386294, 100.0], [-0.2876820724517809, -100.0])
"""
from __future__ import annotations

import math

import numpy as np

from . import dispatch, threads
from .jit import lazy_njit

# A thread gets at least this many elements, else the call stays on one thread.
_SPLIT_MIN = 1 << 16
# Each log is clamped to at least this, as PyTorch does (``ops.loss`` uses it too).
LOG_MIN = -100.0


@lazy_njit(nogil=True, error_model="numpy")
def _bce(x, t, lo, one, exact, loss, log_x, log_1mx, a, b):
    xs, ts, ls, lxs, l1s = x[a:b], t[a:b], loss[a:b], log_x[a:b], log_1mx[a:b]
    for i in range(xs.shape[0]):
        xi = xs[i]
        lx = math.log(xi)
        lx = lo if lx < lo else lx                 # np.maximum: a NaN stays NaN
        if exact:
            l1 = math.log1p(-xi)
        else:
            # log1p(-x) in Kahan's form: u = 1 - x rounded, and log(u) * (-x) / (u - 1)
            # corrects the rounding (a few ulps; the C library's float32 log1p takes
            # three times as long as its log)
            u = one - xi
            l1 = -xi if u == one else math.log(u) * (-xi / (u - one))
        l1 = lo if l1 < lo else l1
        lxs[i] = lx
        l1s[i] = l1
        ti = ts[i]
        ls[i] = -(ti * lx + (one - ti) * l1)


def binary_cross_entropy_terms(x: np.ndarray, t: np.ndarray
                               ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``(loss, log_x, log_1mx)`` elementwise for input ``x`` (in [0, 1], checked by the
    caller) and target ``t`` of the same shape, float dtype and contiguity; None where
    the kernel does not serve (the caller then computes them with NumPy).

    >>> import numpy as np
    >>> binary_cross_entropy_terms(np.ones(2), np.ones(3)) is None     # shapes differ
    True
    """
    if (x.dtype not in (np.float32, np.float64) or t.dtype != x.dtype or t.shape != x.shape
            or not (x.flags.c_contiguous and t.flags.c_contiguous)
            or dispatch.choose_path() != "numba"):
        return None
    loss, log_x, log_1mx = (np.empty_like(x) for _ in range(3))
    flat = [a.reshape(-1) for a in (x, t)]
    f = x.dtype.type
    exact = x.dtype == np.float64
    outs = [a.reshape(-1) for a in (loss, log_x, log_1mx)]
    threads.parallel_for(lambda a, b: _bce(*flat, f(LOG_MIN), f(1), exact, *outs, a, b),
                         x.size, grain=_SPLIT_MIN)
    return loss, log_x, log_1mx
