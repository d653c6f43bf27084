"""Rows added at an index, repeats adding up: ``out[index[i]] += src[i]`` for every ``i``
in order, the backward of picking rows (an embedding, ``x[idx]``). NumPy's ``np.add.at``
is the reference: both paths add the same numbers in the same order, so they agree bit
for bit.

``out`` is (R, ...), ``src`` (N, ...) with ``out``'s trailing shape, ``index`` N integers
in ``[-R, R)`` (checked; negative ones count from the end, as NumPy's). The Numba path
takes a C-contiguous float ``out`` (any other goes to NumPy), rows flattened to (R, D).

>>> import numpy as np
>>> out = np.zeros((3, 2))
>>> index_add_rows(out, np.array([2, 0, 2]), np.arange(6.0).reshape(3, 2))
>>> out.tolist()
[[2.0, 3.0], [0.0, 0.0], [4.0, 6.0]]
"""
from __future__ import annotations

import numpy as np

from . import dispatch
from .jit import lazy_njit, numba_available


@lazy_njit(nogil=True)
def _add_rows_numba(out, index, src):
    d = out.shape[1]
    for i in range(index.shape[0]):
        o, s = out[index[i]], src[i]
        for j in range(d):
            o[j] += s[j]


def index_add_rows(out: np.ndarray, index: np.ndarray, src: np.ndarray) -> None:
    """``out[index[i]] += src[i]`` in place, in order of ``i`` (see the module's text)."""
    rows = out.shape[0]
    index = np.asarray(index, dtype=np.intp).reshape(-1)
    if not index.size:
        return
    low, high = index.min(), index.max()
    if low < -rows or high >= rows:
        bad = low if low < -rows else high
        raise IndexError(f"index {bad} is out of bounds for axis 0 with size {rows}")
    if low < 0:
        index = np.where(index < 0, index + rows, index)
    if _path() == "numba" and out.flags.c_contiguous and out.dtype.kind == "f":
        src = np.ascontiguousarray(src, dtype=out.dtype).reshape(index.size, -1)
        _add_rows_numba(out.reshape(rows, -1), index, src)
    else:
        np.add.at(out, index, np.reshape(src, index.shape + out.shape[1:]))


def _path() -> str:
    """Numba unless NumPy is forced or numba is missing: one pass over the rows, where
    ``np.add.at`` pays a per-row dispatch."""
    forced = dispatch.get_backend()
    if forced != "auto":
        return forced
    return "numba" if numba_available() else "numpy"
