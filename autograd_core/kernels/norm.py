"""Batch norm in training mode (batch statistics), forward and backward, per channel;
layer norm, per row (at the end), its affine part and its weight and bias gradients in
the same calls.

``x`` is (N, C, L): the spatial axes flattened (L = 1 for (N, C) input). Per channel,
with ``d = x - first`` (``first`` the channel's first element: on a constant channel the
deviations are then exactly 0, see ``ops/normalization.first_of``), ``mean = first +
mean(d)``, ``var`` the biased variance, ``xhat = (d - mean(d)) * inv_std`` and
``y = xhat * weight + bias``; the backward is the closed form

    dx = inv_std * weight * (dy - mean(dy) - xhat * mean(dy * xhat)),
    dweight = sum(dy * xhat),  dbias = sum(dy).

Numba path: per channel, two passes over ``x`` for the statistics and one writing
``xhat`` and ``y`` (the backward: one pass for both sums, one writing dx), channels split
over our threads; sums are accumulated in float64 and may be reassociated (vectorised).
NumPy path: the same formulas in array expressions.

>>> import numpy as np
>>> x = np.arange(8.0).reshape(2, 2, 2)
>>> y, xhat, mean, var, inv_std = batch_norm_forward(x, None, None, 0.0)
>>> mean.tolist(), var.tolist(), y[:, 0].tolist()
([2.5, 4.5], [4.25, 4.25], [[-1.212678125181665, -0.7276068751089989], [0.7276068751089989, 1.212678125181665]])
"""
from __future__ import annotations

import math

import numpy as np

from . import dispatch, threads
from .jit import lazy_njit

# A thread gets at least this many elements of work, else we stay on one thread.
_SPLIT_MIN = 200_000


# error_model="numpy": with eps=0 (layer norm allows it) a constant channel or row divides
# by zero into inf, as in NumPy, instead of raising
@lazy_njit(nogil=True, fastmath={"reassoc"}, error_model="numpy")
def _fwd(x, w, b, eps, c0, c1, y, xhat, stats):
    """Channels c0..c1: stats[0, c] = mean, stats[1, c] = var, stats[2, c] = inv_std;
    xhat and y (y = xhat when ``w`` is empty)."""
    n, length = x.shape[0], x.shape[2]
    count = n * length
    affine = w.shape[0] > 0
    for c in range(c0, c1):
        first = x[0, c, 0]
        s = 0.0
        for i in range(n):
            row = x[i, c]
            for t in range(length):
                s += row[t] - first
        md = s / count
        q = 0.0
        for i in range(n):
            row = x[i, c]
            for t in range(length):
                v = (row[t] - first) - md
                q += v * v
        var = q / count
        inv = 1.0 / np.sqrt(var + eps)
        wc = w[c] if affine else 1.0
        bc = b[c] if affine else 0.0
        for i in range(n):
            row, xr, yr = x[i, c], xhat[i, c], y[i, c]
            for t in range(length):
                v = ((row[t] - first) - md) * inv
                xr[t] = v
                yr[t] = v * wc + bc
        stats[0, c] = first + md
        stats[1, c] = var
        stats[2, c] = inv


@lazy_njit(nogil=True, fastmath={"reassoc"}, error_model="numpy")
def _bwd(g, xhat, inv_std, w, need_x, c0, c1, gx, sums):
    """Channels c0..c1: sums[0, c] = sum(g * xhat), sums[1, c] = sum(g); gx when
    ``need_x``."""
    n, length = g.shape[0], g.shape[2]
    count = n * length
    affine = w.shape[0] > 0
    for c in range(c0, c1):
        s1 = 0.0
        s2 = 0.0
        for i in range(n):
            gr, xr = g[i, c], xhat[i, c]
            for t in range(length):
                s1 += gr[t]
                s2 += gr[t] * xr[t]
        sums[0, c] = s2
        sums[1, c] = s1
        if need_x:
            scale = inv_std[c] * (w[c] if affine else 1.0)
            m1 = s1 / count
            m2 = s2 / count
            for i in range(n):
                gr, xr, dr = g[i, c], xhat[i, c], gx[i, c]
                for t in range(length):
                    dr[t] = scale * (gr[t] - m1 - xr[t] * m2)


@lazy_njit(nogil=True, fastmath={"reassoc"}, error_model="numpy")
def _ln_fwd(x, w, b, eps, r0, r1, y, xhat, inv_std):
    """Layer norm of rows r0..r1 of ``x`` (rows, D): xhat, inv_std[r] (float64) and, with a
    ``w`` (``b`` may be empty), ``y = xhat * w + b`` in x's dtype, NumPy's products."""
    d = x.shape[1]
    for r in range(r0, r1):
        row, xr = x[r], xhat[r]
        first = row[0]
        s = 0.0
        for t in range(d):
            s += row[t] - first
        md = s / d
        q = 0.0
        for t in range(d):
            v = (row[t] - first) - md
            q += v * v
        inv = 1.0 / np.sqrt(q / d + eps)
        for t in range(d):
            xr[t] = ((row[t] - first) - md) * inv
        inv_std[r] = inv
        if w.shape[0] > 0:
            yr = y[r]
            if b.shape[0] > 0:
                for t in range(d):
                    yr[t] = xr[t] * w[t] + b[t]
            else:
                for t in range(d):
                    yr[t] = xr[t] * w[t]


@lazy_njit(nogil=True, fastmath={"reassoc"}, error_model="numpy")
def _ln_bwd(g, xhat, inv_std, w, need_x, r0, r1, gx, dw, db):
    """Rows r0..r1: gx (when ``need_x``) from ``g * w`` (``g`` when ``w`` is empty), and,
    when ``dw`` is not empty, ``dw += g * xhat`` and ``db += g`` summed over the rows."""
    d = g.shape[1]
    affine = w.shape[0] > 0
    for r in range(r0, r1):
        gr, xr = g[r], xhat[r]
        if dw.shape[0] > 0:
            for t in range(d):
                dw[t] += gr[t] * xr[t]
                db[t] += gr[t]
        if need_x:
            s1 = 0.0
            s2 = 0.0
            for t in range(d):
                gw = gr[t] * w[t] if affine else gr[t]
                s1 += gw
                s2 += gw * xr[t]
            m1 = s1 / d
            m2 = s2 / d
            scale = inv_std[r]
            dr = gx[r]
            for t in range(d):
                gw = gr[t] * w[t] if affine else gr[t]
                dr[t] = scale * (gw - m1 - xr[t] * m2)


def first_of(x: np.ndarray, axes: tuple) -> np.ndarray:
    """The first element of each slice of ``x`` over ``axes`` (kept as size-1 dims).

    Statistics are computed on ``x`` minus it: that changes neither the deviations from
    the mean nor the variance, but on a constant slice it makes them exactly 0 (the mean
    of n copies of c is not always exactly c), so that it normalises to exactly 0, as in
    PyTorch's layer and group norm."""
    return x[tuple(slice(0, 1) if i in axes else slice(None) for i in range(x.ndim))]


def normalize(x: np.ndarray, axes: tuple, eps: float) -> tuple:
    """``(xhat, mean, var, inv_std)`` of ``x`` over ``axes`` (statistics keep their dims),
    in array expressions: layer norm, and batch norm's NumPy path."""
    first = first_of(x, axes)
    d = x - first
    md = d.mean(axis=axes, keepdims=True)
    xc = d - md
    var = np.mean(xc * xc, axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    return xc * inv_std, first + md, var, inv_std.astype(x.dtype, copy=False)


def norm_backward(g: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray, axes: tuple,
                  w: np.ndarray | None) -> np.ndarray:
    """dx of :func:`normalize` followed by ``* w`` (broadcast), for the output gradient g."""
    gxhat = g * w if w is not None else g
    m1 = gxhat.mean(axis=axes, keepdims=True)
    m2 = (gxhat * xhat).mean(axis=axes, keepdims=True)
    return inv_std * (gxhat - m1 - xhat * m2)


def _channels(ndim: int) -> tuple[tuple, tuple]:
    """The reduced axes of batch norm and the broadcast shape of a per-channel vector."""
    return (0,) + tuple(range(2, ndim)), (1, -1) + (1,) * (ndim - 2)


def _as3d(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).reshape(a.shape[0], a.shape[1], -1)


def batch_norm_forward(x: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None,
                       eps: float) -> tuple:
    """``(y, xhat, mean, var, inv_std)`` of training-mode batch norm over axis 1 of ``x``
    (N, C, ...); mean, var and inv_std are (C,) in x's dtype."""
    shape, dtype = x.shape, x.dtype
    if dispatch.choose_path() == "numpy" or x.size == 0:
        axes, cshape = _channels(x.ndim)
        xhat, mean, var, inv_std = normalize(x, axes, eps)
        y = xhat * weight.reshape(cshape) + bias.reshape(cshape) if weight is not None else xhat
        return y, xhat, mean.reshape(-1), var.reshape(-1), inv_std.reshape(-1)
    x3 = _as3d(x)
    c = x3.shape[1]
    y = np.empty(x3.shape, dtype)
    xhat = np.empty(x3.shape, dtype) if weight is not None else y
    stats = np.empty((3, c), np.float64)
    w = np.ascontiguousarray(weight, dtype).reshape(-1) if weight is not None else np.empty(0, dtype)
    b = np.ascontiguousarray(bias, dtype).reshape(-1) if weight is not None else np.empty(0, dtype)
    threads.parallel_for(lambda c0, c1: _fwd(x3, w, b, float(eps), c0, c1, y, xhat, stats), c,
                         grain=max(1, -(-_SPLIT_MIN // max(1, x3.shape[0] * x3.shape[2]))))
    stats = stats.astype(dtype)
    return y.reshape(shape), xhat.reshape(shape), stats[0], stats[1], stats[2]


def batch_norm_backward(g: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray,
                        weight: np.ndarray | None, need_x: bool = True) -> tuple:
    """``(dx, dweight, dbias)`` of :func:`batch_norm_forward` for the output gradient
    ``g``; dx is None unless ``need_x``."""
    shape, dtype = g.shape, g.dtype
    if dispatch.choose_path() == "numpy" or g.size == 0:
        axes, cshape = _channels(g.ndim)
        w = weight.reshape(cshape) if weight is not None else None
        gx = norm_backward(g, xhat, inv_std.reshape(cshape), axes, w) if need_x else None
        return gx, (g * xhat).sum(axis=axes), g.sum(axis=axes)
    g3, x3 = _as3d(g), _as3d(xhat)
    c = g3.shape[1]
    gx = np.empty(g3.shape, dtype) if need_x else np.empty((0, 0, 0), dtype)
    sums = np.empty((2, c), np.float64)
    w = np.ascontiguousarray(weight, dtype).reshape(-1) if weight is not None else np.empty(0, dtype)
    inv = np.ascontiguousarray(inv_std, dtype).reshape(-1)
    threads.parallel_for(lambda c0, c1: _bwd(g3, x3, inv, w, need_x, c0, c1, gx, sums), c,
                         grain=max(1, -(-_SPLIT_MIN // max(1, g3.shape[0] * g3.shape[2]))))
    sums = sums.astype(dtype)
    return (gx.reshape(shape) if need_x else None), sums[0], sums[1]


def layer_norm_forward(x: np.ndarray, ndim: int, weight: np.ndarray | None,
                       bias: np.ndarray | None, eps: float) -> tuple:
    """``(y, xhat, inv_std)`` of layer norm over the last ``ndim`` axes of ``x``;
    ``inv_std`` keeps those axes as size 1, in x's dtype (as :func:`normalize`'s). Without
    ``weight`` and ``bias`` y is xhat itself.

    >>> import numpy as np
    >>> y, xhat, inv_std = layer_norm_forward(np.array([[1.0, 3.0]]), 1, None, None, 0.0)
    >>> y.tolist(), inv_std.tolist()
    ([[-1.0, 1.0]], [[1.0]])
    """
    dtype = x.dtype
    mixed = any(a is not None and a.dtype != dtype for a in (weight, bias))
    if dispatch.choose_path() == "numpy" or x.size == 0 or mixed or dtype.kind != "f":
        xhat, _, _, inv_std = normalize(x, tuple(range(x.ndim - ndim, x.ndim)), eps)
        y = xhat
        if weight is not None:
            y = y * weight
        if bias is not None:
            y = y + bias
        return y, xhat, inv_std
    # per row: the statistics, xhat and the affine part in one call
    d = math.prod(x.shape[x.ndim - ndim:])
    x2 = np.ascontiguousarray(x).reshape(-1, d)
    rows = x2.shape[0]
    xhat = np.empty(x2.shape, dtype)
    inv = np.empty(rows, np.float64)
    empty = np.empty(0, dtype)
    w = empty if weight is None else np.ascontiguousarray(weight).reshape(-1)
    b = empty if bias is None or weight is None else np.ascontiguousarray(bias).reshape(-1)
    y = xhat if weight is None else np.empty(x2.shape, dtype)
    threads.parallel_for(lambda r0, r1: _ln_fwd(x2, w, b, float(eps), r0, r1, y, xhat, inv),
                         rows, grain=max(1, -(-_SPLIT_MIN // max(1, d))))
    if bias is not None and weight is None:      # a bias alone (no kernel form)
        y = xhat + bias.reshape(-1)
    inv_std = inv.astype(dtype).reshape(x.shape[:x.ndim - ndim] + (1,) * ndim)
    return y.reshape(x.shape), xhat.reshape(x.shape), inv_std


def layer_norm_grads(g: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray, ndim: int,
                     weight: np.ndarray | None, need: tuple = (True, False, False)) -> tuple:
    """``(dx, dweight, dbias)`` of :func:`layer_norm_forward` for the output gradient ``g``,
    each None unless ``need`` asks for it (dweight and dbias of the ``ndim`` last axes).

    >>> import numpy as np
    >>> y, xhat, inv_std = layer_norm_forward(np.array([[1.0, 3.0]]), 1, None, None, 0.0)
    >>> dx, dw, db = layer_norm_grads(np.array([[1.0, 0.0]]), xhat, inv_std, 1, None,
    ...                               (True, True, True))
    >>> dx.tolist(), dw.tolist(), db.tolist()
    ([[0.0, 0.0]], [-1.0, 0.0], [1.0, 0.0])
    """
    axes = tuple(range(g.ndim - ndim, g.ndim))
    lead = tuple(range(g.ndim - ndim))
    mixed = g.dtype != xhat.dtype or (weight is not None and weight.dtype != g.dtype)
    if dispatch.choose_path() == "numpy" or g.size == 0 or mixed or g.dtype.kind != "f":
        # NumPy's type promotion
        return (norm_backward(g, xhat, inv_std, axes, weight) if need[0] else None,
                (g * xhat).sum(axis=lead) if need[1] else None,
                g.sum(axis=lead) if need[2] else None)
    d = math.prod(g.shape[g.ndim - ndim:])
    g2 = np.ascontiguousarray(g).reshape(-1, d)
    x2 = np.ascontiguousarray(xhat).reshape(-1, d)
    rows = g2.shape[0]
    inv = np.ascontiguousarray(inv_std, g.dtype).reshape(-1)
    gx = np.empty(g2.shape, g.dtype) if need[0] else np.empty((0, d), g.dtype)
    empty = np.empty(0, g.dtype)
    w = empty if weight is None else np.ascontiguousarray(weight).reshape(-1)
    sums = need[1] or need[2]
    partials: list = []

    def part(r0: int, r1: int) -> None:
        dw, db = (np.zeros(d), np.zeros(d)) if sums else (np.empty(0), np.empty(0))
        _ln_bwd(g2, x2, inv, w, need[0], r0, r1, gx, dw, db)
        partials.append((dw, db))

    threads.parallel_for(part, rows, grain=max(1, -(-_SPLIT_MIN // max(1, d))))
    shape = g.shape[g.ndim - ndim:]
    dw = sum(p[0] for p in partials).astype(g.dtype).reshape(shape) if need[1] else None
    db = sum(p[1] for p in partials).astype(g.dtype).reshape(shape) if need[2] else None
    return (gx.reshape(g.shape) if need[0] else None), dw, db


def layer_norm_backward(g: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray, ndim: int,
                        weight: np.ndarray | None) -> np.ndarray:
    """dx of :func:`layer_norm_forward` for the output gradient ``g``."""
    return layer_norm_grads(g, xhat, inv_std, ndim, weight)[0]
