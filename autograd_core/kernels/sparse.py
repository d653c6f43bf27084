"""A sparse matrix in COO form times a dense one: for every stored entry ``k``,
``out[rows[k], :] += values[k] * dense[cols[k], :]``; entries at the same place add up.

NumPy is the reference (``np.add.at`` on the products, which adds them in entry order);
the Numba loop adds them in the same order, so both paths agree bit for bit. The Numba
path takes float32 or float64 values and dense of one dtype (anything else goes to NumPy).

>>> import numpy as np
>>> rows, cols = np.array([0, 2, 2]), np.array([1, 0, 0])
>>> coo_mm(rows, cols, np.array([2.0, 1.0, 3.0]), np.arange(4.0).reshape(2, 2), 3).tolist()
[[4.0, 6.0], [0.0, 0.0], [0.0, 4.0]]
"""
from __future__ import annotations

import numpy as np

from . import dispatch
from .jit import lazy_njit

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


@lazy_njit(nogil=True)
def _coo_mm_numba(rows, cols, values, dense, out):
    n = dense.shape[1]
    for k in range(rows.shape[0]):
        r = rows[k]
        c = cols[k]
        v = values[k]
        for j in range(n):
            out[r, j] += v * dense[c, j]


def coo_mm(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, dense: np.ndarray,
           m: int) -> np.ndarray:
    """The (m, n) product of the sparse matrix ``(rows, cols, values)`` (int64 indices,
    in range) and the (k, n) array ``dense``, in ``dense``'s dtype."""
    out = np.zeros((m, dense.shape[1]), dtype=dense.dtype)
    if not rows.size or not dense.shape[1]:
        return out
    if dispatch.choose_path() == "numba" and dense.dtype in _FLOATS and values.dtype == dense.dtype:
        _coo_mm_numba(rows, cols, values, np.ascontiguousarray(dense), out)
    else:
        np.add.at(out, rows, values[:, None].astype(dense.dtype, copy=False) * dense[cols])
    return out
