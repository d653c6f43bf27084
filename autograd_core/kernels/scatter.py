"""Picking slices along one or two dims, and its adjoint, adding slices back where they
were picked: ``out[..., i0[p], i1[q], ...] = x[...]`` and ``out[..., index[i], ...] +=
src[..., i, ...]`` with repeats adding up (PyTorch's ``index_add_``). These are the
indexing ``x[idx]``, ``x[:, idx]`` and the embedding, and padding and nearest upsampling,
which pick an open grid (``np.ix_``) of two dims; their backwards are the adds.

NumPy is the reference (``x[index]`` and ``np.add.at``): the adds run in ``np.add.at``'s
order, the picks along the leading dims first, so both paths agree bit for bit.

``picks`` are one integer array (of any shape) for ``dim``, or two 1-D arrays for ``dim``
and ``dim + 1``; their values lie in ``[-R, R)`` for a dim of size ``R`` (checked;
negative ones count from the end, as NumPy's). The Numba path takes C-contiguous float
arrays (any other goes to NumPy), seen as (A, R, D) for one pick and (A, R0, R1, D) for
two: the dims before ``dim``, the picked dims, the dims after them. A single pick is
picked by NumPy (its copy is as fast) and added slice by slice; the picks of a grid's
second dim go as runs of consecutive rows, each one contiguous copy.

>>> import numpy as np
>>> out = np.zeros((3, 2))
>>> add_along_dims(out, 0, [np.array([2, 0, 2])], np.arange(6.0).reshape(3, 2))
>>> out.tolist()
[[2.0, 3.0], [0.0, 0.0], [4.0, 6.0]]
>>> take_along_dims(np.arange(6.0).reshape(2, 3), 0, [np.array([1, 1]), np.array([2, 0])]).tolist()
[[5.0, 3.0], [5.0, 3.0]]
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from . import dispatch, threads
from .jit import lazy_njit, numba_available

# elements of the picked array per part when the leading dims are split over the threads
_SPLIT_MIN_ELEMENTS = 1 << 16


@lazy_njit(nogil=True)
def _take_numba(x, i0, runs, out, a0, a1):
    """out[a, p] = x[a, i0[p]] picked by ``runs`` (:func:`_runs`), for a0 <= a < a1."""
    for a in range(a0, a1):
        for p in range(i0.shape[0]):
            src = x[a, i0[p]]
            dst = out[a, p]
            for t in range(runs.shape[0]):
                d, s, n = runs[t, 0], runs[t, 1], runs[t, 2]
                for j in range(n):
                    dst[d + j] = src[s + j]


@lazy_njit(nogil=True)
def _add_rows_numba(out, index, src, a0, a1):
    """out[a, index[i]] += src[a, i] for a0 <= a < a1, in order of i (one pick)."""
    d = out.shape[2]
    for a in range(a0, a1):
        for i in range(index.shape[0]):
            o, s = out[a, index[i]], src[a, i]
            for j in range(d):
                o[j] += s[j]


@lazy_njit(nogil=True)
def _add_numba(out, i0, runs, src, a0, a1):
    """out[a, i0[p]] += src[a, p] placed by ``runs`` (:func:`_runs`), for a0 <= a < a1, in
    order of p and of the runs."""
    for a in range(a0, a1):
        for p in range(i0.shape[0]):
            dst = out[a, i0[p]]
            s_ = src[a, p]
            for t in range(runs.shape[0]):
                d, s, n = runs[t, 0], runs[t, 1], runs[t, 2]
                for j in range(n):
                    dst[s + j] += s_[d + j]


def _runs(index: np.ndarray, d: int) -> np.ndarray:
    """The picks of ``index`` along a dim of ``d``-element slices as runs of consecutive
    rows, (start in the picked array, start in the source, length), in elements: a copy
    of a run is one contiguous loop (padding picks two or three runs a row)."""
    if not index.size:
        return np.zeros((0, 3), np.intp)
    start = np.flatnonzero(np.diff(index) != 1) + 1
    start = np.concatenate(([0], start))
    length = np.diff(np.concatenate((start, [index.size])))
    return np.stack([start * d, index[start] * d, length * d], axis=1).astype(np.intp)


def _checked(shape: tuple, dim: int, picks: Sequence[np.ndarray]) -> list:
    """The picks as intp arrays in ``[0, R)``; IndexError (NumPy's message) for one out of
    range."""
    done = []
    for k, index in enumerate(picks):
        rows = shape[dim + k]
        index = np.asarray(index, dtype=np.intp)
        if index.size:
            low, high = index.min(), index.max()
            if low < -rows or high >= rows:
                bad = low if low < -rows else high
                raise IndexError(f"index {bad} is out of bounds for axis {dim + k} with size "
                                 f"{rows}")
            if low < 0:
                index = np.where(index < 0, index + rows, index)
        done.append(index)
    return done


def _numba(*arrays: np.ndarray) -> bool:
    return (_path() == "numba" and arrays[0].dtype.kind == "f"
            and all(a.flags.c_contiguous for a in arrays))


def _lead_tail(shape: tuple, dim: int, k: int) -> tuple[int, int]:
    """The sizes of the dims before ``dim`` and after the ``k`` picked ones, each as one."""
    return (math.prod(shape[:dim]),
            math.prod(shape[dim + k:]))


def _numpy_index(dim: int, picks: list) -> tuple:
    """NumPy's index for the picks: the one pick, or ``np.ix_`` of the two, at ``dim``."""
    return (slice(None),) * dim + (tuple(picks) if len(picks) == 1 else np.ix_(*picks))


def _picked(shape: tuple, dim: int, picks: list) -> tuple:
    """The shape of an array of ``shape`` picked at ``dim`` by ``picks``."""
    middle = picks[0].shape if len(picks) == 1 else tuple(p.size for p in picks)
    return shape[:dim] + middle + shape[dim + len(picks):]


def _split(fn, lead: int, per: int) -> None:
    threads.parallel_for(fn, lead, grain=max(1, _SPLIT_MIN_ELEMENTS // max(1, per)))


def take_along_dims(x: np.ndarray, dim: int, picks: Sequence[np.ndarray]) -> np.ndarray:
    """``x`` picked at ``picks`` along ``dim`` (and ``dim + 1``): ``x[(slice(None),) * dim
    + index]`` with ``index`` the one pick or ``np.ix_`` of the two (see the module's
    text)."""
    picks = _checked(x.shape, dim, picks)
    shape = _picked(x.shape, dim, picks)
    if len(picks) == 1 or not _numba(x) or not x.size:   # one pick: NumPy's copy is as fast
        return np.asarray(x[_numpy_index(dim, picks)])
    out = np.empty(shape, x.dtype)
    if out.size:
        lead, tail = _lead_tail(x.shape, dim, 2)
        i0, i1 = picks
        x3, out3 = x.reshape(lead, x.shape[dim], -1), out.reshape(lead, i0.size, -1)
        runs = _runs(i1, tail)
        _split(lambda a0, a1: _take_numba(x3, i0, runs, out3, a0, a1), lead, out3[0].size)
    return out


def add_along_dims(out: np.ndarray, dim: int, picks: Sequence[np.ndarray],
                   src: np.ndarray) -> None:
    """``out[(slice(None),) * dim + index] += src`` in place, repeats adding up in
    ``np.add.at``'s order, ``index`` the one pick or ``np.ix_`` of the two (see the
    module's text)."""
    picks = _checked(out.shape, dim, picks)
    if not out.size or not all(p.size for p in picks):
        return
    src = np.asarray(src, dtype=out.dtype)
    if not _numba(out):
        np.add.at(out, _numpy_index(dim, picks), src)
        return
    lead, tail = _lead_tail(out.shape, dim, len(picks))
    if len(picks) == 1:   # slice by slice: runs would cost more than they save
        index = picks[0].reshape(-1)
        out3 = out.reshape(lead, out.shape[dim], tail)
        src3 = np.ascontiguousarray(src).reshape(lead, index.size, tail)
        _split(lambda a0, a1: _add_rows_numba(out3, index, src3, a0, a1), lead, src3[0].size)
        return
    i0, i1 = picks
    out3 = out.reshape(lead, out.shape[dim], -1)
    src3 = np.ascontiguousarray(src).reshape(lead, i0.size, -1)
    runs = _runs(i1, tail)
    _split(lambda a0, a1: _add_numba(out3, i0, runs, src3, a0, a1), lead, src3[0].size)


def _path() -> str:
    """Numba unless NumPy is forced or numba is missing: one pass over the slices, where
    ``np.add.at`` pays a per-element dispatch."""
    forced = dispatch.get_backend()
    if forced != "auto":
        return forced
    return "numba" if numba_available() else "numpy"
