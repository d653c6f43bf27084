"""max_pool2d and avg_pool2d, forward and backward, with PyTorch's semantics and defaults.

- ``stride=None`` means ``stride = kernel_size``; ``padding`` is at most half the kernel;
  ``ceil_mode=True`` adds a last, partial window where PyTorch does.
- max pool pads with -inf, takes ``dilation``, and returns int64 ``indices``: flat
  positions ``iy * W + ix`` within each (n, c) plane, as ``return_indices=True`` does in
  PyTorch. Ties keep the first maximum in row-major order; a NaN wins (the last NaN).
- avg pool divides each window's sum by PyTorch's divisor: the window clipped to the
  padded input (``count_include_pad=True``, the default), its real pixels only
  (``False``), or ``divisor_override``. The kernels take the divisors as an array,
  computed once with the geometry.

Every kernel takes a geometry (``max_pool2d_geometry(...)``, ``avg_pool2d_geometry(...)``
from ``shapes.py``: the call validated once) and only checks that its arrays conform.

Numba path: one ``nogil`` pass per (n, c) plane, planes split over our threads.
NumPy path: an ``as_strided`` window view reduced with ``argmax``/``sum``; backward by
``np.bincount`` (max) or kh*kw strided slice-adds (avg).

>>> import numpy as np
>>> x = np.arange(16.0).reshape(1, 1, 4, 4)
>>> out, idx = max_pool2d_forward(x, max_pool2d_geometry(x.shape, 2))
>>> out[0, 0].tolist(), idx[0, 0].tolist()
([[5.0, 7.0], [13.0, 15.0]], [[5, 7], [13, 15]])
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import dispatch, threads
from .jit import lazy_inline, lazy_njit
from .shapes import (AvgPoolGeometry, MaxPoolGeometry, avg_pool2d_geometry, conforming,
                     geometry_of, max_pool2d_geometry)

# A thread gets at least this many window taps of work, else we stay on one thread.
_SPLIT_MIN_TAPS = 200_000


# --------------------------------------------------------------------------- Numba kernels
@lazy_inline
def _max_window(x, pl, ys, ye, xs, xe, dh, dw, w):
    """``(best, arg)`` of the window of plane ``pl`` with taps ``ys..ye`` by ``dh`` and
    ``xs..xe`` by ``dw``, compared in order: PyTorch's rule, ``v > best or isnan(v)``.
    Starting from the first real pixel instead of -inf picks the same element and keeps
    ``best`` in the input dtype."""
    best = x[pl, ys, xs]
    arg = ys * w + xs
    for iy in range(ys, ye, dh):
        for ix in range(xs, xe, dw):
            v = x[pl, iy, ix]
            if v > best or v != v:
                best = v
                arg = iy * w + ix
    return best, arg


@lazy_inline
def _winner(taps, m):
    """Which of a window's ``taps`` (a tuple, in row-major order) PyTorch's sequential
    ``v > best or isnan(v)`` keeps, given their maximum ``m``: the first equal to ``m`` or,
    when one is NaN, the last NaN. Integer arithmetic on the comparisons, no branch on the
    data (a branch per tap mispredicts on real activations)."""
    n = len(taps)
    k = n - 1   # the first tap equal to m: in reverse, the last one assigned
    for t in range(n - 2, -1, -1):
        k += np.int64(taps[t] == m) * (t - k)
    last_nan = 0
    nan = 0
    for t in range(n):
        e = np.int64(taps[t] != taps[t])
        last_nan += e * (t - last_nan)
        nan |= e
    return k + nan * (last_nan - k)


@lazy_njit(nogil=True)
def _max_fwd(x, p0, p1, kh, kw, sh, sw, ph, pw, dh, dw, out, idx):
    h, w = x.shape[1], x.shape[2]
    oh, ow = out.shape[1], out.shape[2]
    for pl in range(p0, p1):
        for oy in range(oh):
            y0 = oy * sh - ph
            # taps y0 + i*dh inside the input: from ys, by dh, below ye
            ys = y0 if y0 >= 0 else y0 + (-y0 + dh - 1) // dh * dh
            ye = min(y0 + (kh - 1) * dh + 1, h)
            for ox in range(ow):
                x0 = ox * sw - pw
                xs = x0 if x0 >= 0 else x0 + (-x0 + dw - 1) // dw * dw
                xe = min(x0 + (kw - 1) * dw + 1, w)
                out[pl, oy, ox], idx[pl, oy, ox] = _max_window(x, pl, ys, ye, xs, xe, dh, dw, w)


@lazy_njit(nogil=True)
def _max_fwd_2x2(x, p0, p1, out, idx):
    """``_max_fwd`` for the commonest pool (2x2 windows, stride 2, no padding or
    dilation), the same results without a data-dependent branch: on real activations the
    taps' order is random, and a branch per comparison mispredicts (2.7x slower on random
    data, measured). The window's maximum ``m`` is taken with max instructions; the
    winner is tap ``k``, the first equal to ``m`` in row-major order or, when the window
    holds a NaN, the last NaN (which is what the sequential ``v > best or v != v`` of
    PyTorch and ``_max_fwd`` pick), found with integer arithmetic; its value is reloaded,
    so a -0.0 or a NaN's payload is the winner's own."""
    w = x.shape[2]
    oh, ow = out.shape[1], out.shape[2]
    for pl in range(p0, p1):
        for oy in range(oh):
            r0 = x[pl, 2 * oy]
            r1 = x[pl, 2 * oy + 1]
            o = out[pl, oy]
            ii = idx[pl, oy]
            top = 2 * oy * w
            for ox in range(ow):
                a, b = r0[2 * ox], r0[2 * ox + 1]
                c, d = r1[2 * ox], r1[2 * ox + 1]
                m = a if a > b else b
                m2 = c if c > d else d
                m = m if m > m2 else m2
                k = _winner((a, b, c, d), m)
                row = k >> 1
                col = 2 * ox + (k & 1)
                o[ox] = x[pl, 2 * oy + row, col]
                ii[ox] = top + row * w + col


@lazy_njit(nogil=True)
def _max_fwd_3x3(x, p0, p1, sh, sw, ph, pw, out, idx):
    """``_max_fwd`` for 3x3 windows without dilation (ResNet's stem pools 3x3 at stride 2,
    padding 1), branch-free as ``_max_fwd_2x2`` where a window lies inside the input
    (2.5-3x faster on ReLU outputs, measured): the maximum by max instructions, the winner
    (the first tap equal to it, or the last NaN) by integer arithmetic, its value
    reloaded. Windows that reach into the padding take ``_max_window``."""
    h, w = x.shape[1], x.shape[2]
    oh, ow = out.shape[1], out.shape[2]
    for pl in range(p0, p1):
        for oy in range(oh):
            y0 = oy * sh - ph
            for ox in range(ow):
                x0 = ox * sw - pw
                if y0 < 0 or x0 < 0 or y0 + 3 > h or x0 + 3 > w:
                    out[pl, oy, ox], idx[pl, oy, ox] = _max_window(
                        x, pl, max(y0, 0), min(y0 + 3, h), max(x0, 0), min(x0 + 3, w), 1, 1, w)
                    continue
                r0, r1, r2 = x[pl, y0], x[pl, y0 + 1], x[pl, y0 + 2]
                v0, v1, v2 = r0[x0], r0[x0 + 1], r0[x0 + 2]
                v3, v4, v5 = r1[x0], r1[x0 + 1], r1[x0 + 2]
                v6, v7, v8 = r2[x0], r2[x0 + 1], r2[x0 + 2]
                m = v0 if v0 > v1 else v1
                m2 = v2 if v2 > v3 else v3
                m3 = v4 if v4 > v5 else v5
                m4 = v6 if v6 > v7 else v7
                m = m if m > m2 else m2
                m3 = m3 if m3 > m4 else m4
                m = m if m > m3 else m3
                m = m if m > v8 else v8
                k = _winner((v0, v1, v2, v3, v4, v5, v6, v7, v8), m)
                iy = y0 + k // 3
                ix = x0 + k % 3
                out[pl, oy, ox] = x[pl, iy, ix]
                idx[pl, oy, ox] = iy * w + ix


@lazy_njit(nogil=True)
def _max_bwd(g, idx, p0, p1, dx):
    hw = dx.shape[1]
    l = g.shape[1]
    for pl in range(p0, p1):
        for t in range(hw):
            dx[pl, t] = 0
        for t in range(l):
            dx[pl, idx[pl, t]] += g[pl, t]


@lazy_inline
def _window(o, s, p, k, n):
    """``(start, end)``: the input indices that output index ``o``'s window (size ``k``,
    stride ``s``, padding ``p``) covers inside ``[0, n)``."""
    i0 = o * s - p
    return max(i0, 0), min(i0 + k, n)


@lazy_njit(nogil=True)
def _avg_fwd(x, p0, p1, kh, kw, sh, sw, ph, pw, inv, out):
    h, w = x.shape[1], x.shape[2]
    oh, ow = out.shape[1], out.shape[2]
    for pl in range(p0, p1):
        for oy in range(oh):
            ys, ye = _window(oy, sh, ph, kh, h)
            for ox in range(ow):
                xs, xe = _window(ox, sw, pw, kw, w)
                acc = 0.0
                for iy in range(ys, ye):
                    for ix in range(xs, xe):
                        acc += x[pl, iy, ix]
                out[pl, oy, ox] = acc * inv[oy, ox]


@lazy_njit(nogil=True)
def _avg_bwd(g, p0, p1, kh, kw, sh, sw, ph, pw, inv, dx):
    h, w = dx.shape[1], dx.shape[2]
    oh, ow = g.shape[1], g.shape[2]
    for pl in range(p0, p1):
        for iy in range(h):
            for ix in range(w):
                dx[pl, iy, ix] = 0
        for oy in range(oh):
            ys, ye = _window(oy, sh, ph, kh, h)
            for ox in range(ow):
                xs, xe = _window(ox, sw, pw, kw, w)
                v = g[pl, oy, ox] * inv[oy, ox]
                for iy in range(ys, ye):
                    for ix in range(xs, xe):
                        dx[pl, iy, ix] += v


# --------------------------------------------------------------------------- helpers
def _windows(xp: np.ndarray, k, s, ohw, d=(1, 1)) -> np.ndarray:
    """(N, C, OH, OW, kh, kw) read-only view of the windows of the padded input ``xp``."""
    sn, sc, sh, sw = xp.strides
    return as_strided(xp, xp.shape[:2] + tuple(ohw) + tuple(k),
                      (sn, sc, sh * s[0], sw * s[1], sh * d[0], sw * d[1]), writeable=False)


def _pad_after(hw, k, s, p, ohw, d=(1, 1)) -> list[int]:
    """Padding after the input that every window needs: ``p``, or more for ``ceil_mode``'s
    last window, which may reach past it."""
    return [max(pp, (o - 1) * ss + dd * (kk - 1) + 1 - size - pp)
            for size, kk, ss, pp, o, dd in zip(hw, k, s, p, ohw, d)]


def _pad_to_windows(x: np.ndarray, k, s, p, ohw, d=(1, 1), value: float = 0.0) -> np.ndarray:
    """``x`` padded by ``p`` before and by :func:`_pad_after` after."""
    after = _pad_after(x.shape[2:], k, s, p, ohw, d)
    if not (p[0] or p[1] or after[0] or after[1]):
        return x
    return np.pad(x, ((0, 0), (0, 0), (p[0], after[0]), (p[1], after[1])), constant_values=value)


def _grain(taps_per_plane: int) -> int:
    return max(1, -(-_SPLIT_MIN_TAPS // max(1, taps_per_plane)))


# --------------------------------------------------------------------------- max pool
def _max_forward_numpy(x, k, s, p, d, ohw):
    n, c, h, w = x.shape
    # padding loses to every pixel: -inf, or an integer dtype's lowest value (a window of
    # which reports its first real pixel, as a window of -inf does)
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = _pad_to_windows(x, k, s, p, ohw, d, lowest)
    flat = _windows(xp, k, s, ohw, d).reshape(n, c, ohw[0], ohw[1], k[0] * k[1])
    a = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, a[..., None], axis=-1)[..., 0]
    nan = np.isnan(out) if x.dtype.kind == "f" else np.zeros(out.shape, bool)
    if nan.any():  # PyTorch keeps the last NaN of the window
        isn = np.isnan(flat)
        a = np.where(nan, k[0] * k[1] - 1 - isn[..., ::-1].argmax(axis=-1), a)
    y0 = (np.arange(ohw[0]) * s[0] - p[0])[:, None]
    x0 = (np.arange(ohw[1]) * s[1] - p[1])[None, :]
    idx = (y0 + a // k[1] * d[0]) * w + (x0 + a % k[1] * d[1])
    # a window of -inf only reports its first real pixel
    first_y = np.where(y0 >= 0, y0, y0 + (-y0 + d[0] - 1) // d[0] * d[0])
    first_x = np.where(x0 >= 0, x0, x0 + (-x0 + d[1] - 1) // d[1] * d[1])
    idx = np.where(out == lowest, first_y * w + first_x, idx).astype(np.int64)
    return np.ascontiguousarray(out), idx


def max_pool2d_forward(x: np.ndarray, geometry: MaxPoolGeometry) -> tuple[np.ndarray, np.ndarray]:
    """``F.max_pool2d(x, ..., return_indices=True)`` on arrays, as ``geometry`` says.

    Returns ``(out, indices)``, both (N, C, OH, OW); indices are int64.

    >>> import numpy as np
    >>> x = np.random.rand(2, 3, 7, 5)
    >>> out, idx = max_pool2d_forward(x, max_pool2d_geometry(x.shape, 3, stride=2, padding=1))
    >>> out.shape, idx.dtype
    ((2, 3, 4, 3), dtype('int64'))
    """
    op = "max_pool2d"
    geometry_of(op, geometry, MaxPoolGeometry)
    x = conforming(op, "input", x, geometry.input_shape, "(N, C, H, W)", real=True)
    k, s, p, d, ohw = geometry.kernel, geometry.stride, geometry.padding, geometry.dilation, geometry.out_hw
    n, c, h, w = x.shape
    if x.size == 0:
        return np.empty(geometry.output_shape, x.dtype), np.empty(geometry.output_shape, np.int64)
    if dispatch.choose_path() == "numpy":
        return _max_forward_numpy(x, k, s, p, d, ohw)
    out = np.empty(geometry.output_shape, x.dtype)
    idx = np.empty(geometry.output_shape, np.int64)
    x3, o3, i3 = x.reshape(n * c, h, w), out.reshape((n * c,) + ohw), idx.reshape((n * c,) + ohw)
    if (k, s, p, d) == ((2, 2), (2, 2), (0, 0), (1, 1)) and ohw == (h // 2, w // 2):
        def part(lo: int, hi: int) -> None:
            _max_fwd_2x2(x3, lo, hi, o3, i3)
    elif (k, d) == ((3, 3), (1, 1)):
        def part(lo: int, hi: int) -> None:
            _max_fwd_3x3(x3, lo, hi, s[0], s[1], p[0], p[1], o3, i3)
    else:
        def part(lo: int, hi: int) -> None:
            _max_fwd(x3, lo, hi, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], o3, i3)
    threads.parallel_for(part, n * c, grain=_grain(ohw[0] * ohw[1] * k[0] * k[1]))
    return out, idx


def max_pool2d_backward(grad_out: np.ndarray, indices: np.ndarray,
                        geometry: MaxPoolGeometry) -> np.ndarray:
    """Gradient of max_pool2d: each output gradient is added to the input pixel it came from.

    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> geo = max_pool2d_geometry(x.shape, 2)
    >>> out, idx = max_pool2d_forward(x, geo)
    >>> max_pool2d_backward(np.ones_like(out), idx, geo)[0, 0].tolist()[1]
    [0.0, 1.0, 0.0, 1.0]
    """
    op = "max_pool2d_backward"
    geometry_of(op, geometry, MaxPoolGeometry)
    input_shape = geometry.input_shape
    if not isinstance(indices, np.ndarray) or indices.dtype.kind not in "iu" \
            or indices.shape != geometry.output_shape:
        raise ValueError(f"{op}: expected integer indices of shape {geometry.output_shape}, got "
                         f"{getattr(indices, 'dtype', type(indices).__name__)} {getattr(indices, 'shape', '')}")
    grad_out = conforming(op, "grad_out", grad_out, geometry.output_shape, "(N, C, OH, OW)")
    indices = np.ascontiguousarray(indices, np.int64)
    n, c, h, w = input_shape
    if grad_out.size == 0 or h * w == 0:
        return np.zeros(input_shape, grad_out.dtype)
    if indices.min() < 0 or indices.max() >= h * w:
        raise ValueError(f"{op}: indices must lie in [0, {h * w}) for input_shape {input_shape}")
    l = indices.shape[2] * indices.shape[3]
    if dispatch.choose_path() == "numpy":
        flat = (np.arange(n * c, dtype=np.int64)[:, None] * (h * w) + indices.reshape(n * c, l)).ravel()
        dx = np.bincount(flat, weights=grad_out.ravel(), minlength=n * c * h * w)
        return dx.astype(grad_out.dtype, copy=False).reshape(input_shape)
    dx = np.empty(input_shape, grad_out.dtype)
    g2, i2, d2 = grad_out.reshape(n * c, l), indices.reshape(n * c, l), dx.reshape(n * c, h * w)
    threads.parallel_for(lambda lo, hi: _max_bwd(g2, i2, lo, hi, d2), n * c, grain=_grain(l + h * w))
    return dx


# --------------------------------------------------------------------------- avg pool
def avg_pool2d_forward(x: np.ndarray, geometry: AvgPoolGeometry) -> np.ndarray:
    """``F.avg_pool2d(x, ...)`` on arrays, as ``geometry`` says.

    >>> import numpy as np
    >>> x = np.ones((1, 1, 3, 3))
    >>> avg_pool2d_forward(x, avg_pool2d_geometry(x.shape, 2, stride=1, padding=1))[0, 0].tolist()[0]
    [0.25, 0.5, 0.5, 0.25]
    >>> geo = avg_pool2d_geometry(x.shape, 2, stride=1, padding=1, count_include_pad=False)
    >>> avg_pool2d_forward(x, geo)[0, 0].tolist()[0]
    [1.0, 1.0, 1.0, 1.0]
    """
    op = "avg_pool2d"
    geometry_of(op, geometry, AvgPoolGeometry)
    x = conforming(op, "input", x, geometry.input_shape, "(N, C, H, W)")
    k, s, p, ohw, inv = (geometry.kernel, geometry.stride, geometry.padding, geometry.out_hw,
                         geometry.inverse_divisors)
    n, c, h, w = x.shape
    if x.size == 0:
        return np.empty(geometry.output_shape, x.dtype)
    if dispatch.choose_path() == "numpy":
        out = _windows(_pad_to_windows(x, k, s, p, ohw), k, s, ohw).sum(axis=(-2, -1))
        out *= inv.astype(x.dtype)
        return out
    out = np.empty(geometry.output_shape, x.dtype)
    x3, o3 = x.reshape(n * c, h, w), out.reshape((n * c,) + ohw)
    threads.parallel_for(lambda lo, hi: _avg_fwd(x3, lo, hi, k[0], k[1], s[0], s[1], p[0], p[1],
                                                 inv, o3),
                         n * c, grain=_grain(ohw[0] * ohw[1] * k[0] * k[1]))
    return out


def avg_pool2d_backward(grad_out: np.ndarray, geometry: AvgPoolGeometry) -> np.ndarray:
    """Gradient of avg_pool2d: each window spreads grad/divisor over its (unpadded) pixels.

    >>> import numpy as np
    >>> avg_pool2d_backward(np.ones((1, 1, 2, 2)), avg_pool2d_geometry((1, 1, 4, 4), 2))[0, 0, 0].tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    op = "avg_pool2d_backward"
    geometry_of(op, geometry, AvgPoolGeometry)
    input_shape = geometry.input_shape
    k, s, p, ohw, inv = (geometry.kernel, geometry.stride, geometry.padding, geometry.out_hw,
                         geometry.inverse_divisors)
    n, c, h, w = input_shape
    grad_out = conforming(op, "grad_out", grad_out, geometry.output_shape, "(N, C, OH, OW)")
    if grad_out.size == 0 or h * w == 0:
        return np.zeros(input_shape, grad_out.dtype)
    if dispatch.choose_path() == "numpy":
        after = _pad_after((h, w), k, s, p, ohw)
        dxp = np.zeros((n, c, p[0] + h + after[0], p[1] + w + after[1]), grad_out.dtype)
        scaled = grad_out * inv.astype(grad_out.dtype)
        for i in range(k[0]):
            for j in range(k[1]):
                dxp[:, :, i:i + s[0] * (ohw[0] - 1) + 1:s[0], j:j + s[1] * (ohw[1] - 1) + 1:s[1]] += scaled
        return np.ascontiguousarray(dxp[:, :, p[0]:p[0] + h, p[1]:p[1] + w])
    dx = np.empty(input_shape, grad_out.dtype)
    g3, d3 = grad_out.reshape((n * c,) + ohw), dx.reshape(n * c, h, w)
    threads.parallel_for(lambda lo, hi: _avg_bwd(g3, lo, hi, k[0], k[1], s[0], s[1], p[0], p[1],
                                                 inv, d3),
                         n * c, grain=_grain(ohw[0] * ohw[1] * k[0] * k[1]))
    return dx
