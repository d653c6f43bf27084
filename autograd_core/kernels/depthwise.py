"""Depthwise conv2d (``groups`` equal to the input channels, each output channel reading one
input channel: MobileNet's, EfficientNet's, ShuffleNet's 3x3 layers), forward and both
backwards, as direct loops over each channel's plane.

The im2col + GEMM path of ``conv.py`` gives such a layer one GEMM per channel, one row
(an output channel) by ``kh*kw`` deep, padded to a whole register tile: most of its time
is the padding and the calls. Here each (sample, channel) plane is a few fused multiply-adds
per tap over contiguous rows of the zero-padded input, which LLVM vectorises at stride 1.
Shapes and semantics are ``conv.py``'s (a :class:`~.shapes.ConvGeometry`); with ``m``
output channels per input channel (``K = m * C``), output channel ``k`` reads input
channel ``k // m``.

>>> import numpy as np
>>> from autograd_core.kernels.shapes import conv2d_geometry
>>> x = np.ones((1, 2, 4, 4), np.float32); w = np.ones((2, 1, 3, 3), np.float32)
>>> geo = conv2d_geometry(x.shape, w.shape, padding=1, groups=2)
>>> depthwise_forward(x, w, geo)[0, 1, 0].tolist()
[4.0, 6.0, 6.0, 4.0]
"""
from __future__ import annotations

import numpy as np

from . import threads
from .jit import lazy_callee, lazy_inline, lazy_njit
from .shapes import ConvGeometry

# a thread's part has at least this many multiply-adds (elements, for the padding), else one
# thread does it all
_SPLIT_MIN_MACS = 200_000
_SPLIT_MIN_ELEMENTS = 1 << 16


def is_depthwise(geo: ConvGeometry) -> bool:
    """Whether ``geo`` is a depthwise convolution: one input channel per group (and a
    whole number of output channels per input channel)."""
    c = geo.input_shape[1]
    return (geo.groups == c and c > 1 and geo.weight_shape[1] == 1
            and geo.weight_shape[0] % c == 0)


def _padded(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """``x`` with ``geo.padding`` zeros around each plane (NumPy's ``pad`` and strided slice
    copies take several times longer than the loop)."""
    ph, pw = geo.padding
    if not (ph or pw):
        return np.ascontiguousarray(x)
    n, c, h, w = x.shape
    xp = np.empty((n, c, h + 2 * ph, w + 2 * pw), x.dtype)
    threads.parallel_for(lambda lo, hi: _pad_planes(x, xp, lo, hi, ph, pw), n * c,
                         grain=max(1, _SPLIT_MIN_ELEMENTS // max(1, xp[0, 0].size)))
    return xp


def _grain(geo: ConvGeometry) -> int:
    """Planes (of one sample and channel) a thread takes at least."""
    kh, kw = geo.weight_shape[2:]
    return max(1, _SPLIT_MIN_MACS // max(1, geo.out_hw[0] * geo.out_hw[1] * kh * kw))


# --------------------------------------------------------------------------- kernels
# At stride 1 a plane is handled "wide": the output laid out with the padded input's row
# pitch ``wp`` (columns past OW are junk), so that each tap is one contiguous run of
# ``span = (OH - 1) * wp + OW`` multiply-adds over the flat padded plane, however narrow
# the rows (an 8x8 plane: 9 runs of 78, not 72 runs of 8). Other strides go row by row.
# Inner loops index two 1-D views with the same ``t`` (``dst[t] += w * src[t]``): written
# so, LLVM vectorises them.

@lazy_callee(nogil=True, fastmath={"reassoc"})
def _dot(a, b):
    """The sum of ``a[t] * b[t]``, reassociated so that it vectorises (a weight gradient's
    sum over a plane; summed in order it is one dependent add after another)."""
    s = a.dtype.type(0)
    for t in range(a.shape[0]):
        s += a[t] * b[t]
    return s


@lazy_inline
def _rows_to_wide(plane, wide, wp):
    """The rows of ``plane`` (OH, OW) into ``wide`` at pitch ``wp`` (the junk between them
    left as it is: zero, in the backwards' buffers)."""
    for y in range(plane.shape[0]):
        dst = wide[y * wp:y * wp + plane.shape[1]]
        src = plane[y]
        for t in range(plane.shape[1]):
            dst[t] = src[t]


@lazy_njit(nogil=True)
def _pad_planes(x, xp, lo, hi, ph, pw):
    """Planes ``n * C + c`` in [lo, hi) of ``x`` copied into ``xp`` inside a border of zeros."""
    c_all, h, w = x.shape[1], x.shape[2], x.shape[3]
    for p in range(lo, hi):
        n, c = p // c_all, p % c_all
        src_plane, dst_plane = x[n, c], xp[n, c]
        for y in range(ph):
            dst_plane[y, :] = 0
            dst_plane[ph + h + y, :] = 0
        for y in range(h):
            row = dst_plane[ph + y]
            for t in range(pw):
                row[t] = 0
                row[pw + w + t] = 0
            dst = row[pw:pw + w]
            src = src_plane[y]
            for t in range(w):
                dst[t] = src[t]


@lazy_njit(nogil=True)
def _forward_planes(xp, w, out, lo, hi, sh, sw, dh, dw):
    """``out[n, k]`` for planes ``n * K + k`` in [lo, hi)."""
    k_all, oh_n, ow_n = out.shape[1], out.shape[2], out.shape[3]
    mult = k_all // xp.shape[1]
    kh, kw = w.shape[2], w.shape[3]
    wp = xp.shape[3]
    span = (oh_n - 1) * wp + ow_n
    wide = np.empty(span, out.dtype)
    for p in range(lo, hi):
        n, k = p // k_all, p % k_all
        o = out[n, k]
        if sh == 1 and sw == 1:
            flat = xp[n, k // mult].ravel()
            wide[:] = 0
            for i in range(kh):
                for j in range(kw):
                    wv = w[k, 0, i, j]
                    off = i * dh * wp + j * dw
                    src = flat[off:off + span]
                    for t in range(span):
                        wide[t] += wv * src[t]
            for y in range(oh_n):
                row = wide[y * wp:y * wp + ow_n]
                dst = o[y]
                for t in range(ow_n):
                    dst[t] = row[t]
            continue
        o[:, :] = 0
        src_plane = xp[n, k // mult]
        for i in range(kh):
            for j in range(kw):
                wv = w[k, 0, i, j]
                for y in range(oh_n):
                    row = src_plane[y * sh + i * dh]
                    dst = o[y]
                    for t in range(ow_n):
                        dst[t] += wv * row[j * dw + t * sw]


@lazy_njit(nogil=True)
def _backward_input_planes(g, w, dxp, lo, hi, sh, sw, dh, dw):
    """``dxp[n, c]`` (zero on entry) for planes ``n * C + c`` in [lo, hi): the taps of every
    output channel that reads input channel ``c`` added back."""
    c_all = dxp.shape[1]
    mult = g.shape[1] // c_all
    oh_n, ow_n = g.shape[2], g.shape[3]
    kh, kw = w.shape[2], w.shape[3]
    wp = dxp.shape[3]
    span = (oh_n - 1) * wp + ow_n
    wide = np.zeros(span, g.dtype)     # a gradient plane at the padded pitch, junk zero
    for p in range(lo, hi):
        n, c = p // c_all, p % c_all
        dst_plane = dxp[n, c]
        for k in range(c * mult, (c + 1) * mult):
            gp = g[n, k]
            if sh == 1 and sw == 1:
                flat = dst_plane.ravel()
                _rows_to_wide(gp, wide, wp)
                for i in range(kh):
                    for j in range(kw):
                        wv = w[k, 0, i, j]
                        off = i * dh * wp + j * dw
                        dst = flat[off:off + span]
                        for t in range(span):
                            dst[t] += wv * wide[t]
                continue
            for i in range(kh):
                for j in range(kw):
                    wv = w[k, 0, i, j]
                    for y in range(oh_n):
                        row = dst_plane[y * sh + i * dh]
                        src = gp[y]
                        for t in range(ow_n):
                            row[j * dw + t * sw] += wv * src[t]


@lazy_njit(nogil=True)
def _backward_weight_channels(g, xp, dwt, lo, hi, sh, sw, dh, dw):
    """``dwt[k]`` for output channels ``k`` in [lo, hi): each tap's products summed over
    the batch and the output plane."""
    n_all, k_all, oh_n, ow_n = g.shape
    mult = k_all // xp.shape[1]
    kh, kw = dwt.shape[2], dwt.shape[3]
    wp = xp.shape[3]
    span = (oh_n - 1) * wp + ow_n
    wide = np.zeros(span, g.dtype)     # a gradient plane at the padded pitch, junk zero
    for k in range(lo, hi):
        for i in range(kh):
            for j in range(kw):
                dwt[k, 0, i, j] = 0
        for n in range(n_all):
            gp = g[n, k]
            if sh == 1 and sw == 1:
                flat = xp[n, k // mult].ravel()
                _rows_to_wide(gp, wide, wp)
                for i in range(kh):
                    for j in range(kw):
                        off = i * dh * wp + j * dw
                        dwt[k, 0, i, j] += _dot(wide, flat[off:off + span])
                continue
            xs = xp[n, k // mult]
            for i in range(kh):
                for j in range(kw):
                    acc = 0.0
                    for y in range(oh_n):
                        row = xs[y * sh + i * dh]
                        gr = gp[y]
                        for t in range(ow_n):
                            acc += gr[t] * row[j * dw + t * sw]
                    dwt[k, 0, i, j] += acc


# --------------------------------------------------------------------------- entry points
def depthwise_forward(x: np.ndarray, w: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """The depthwise conv2d of ``x`` (N, C, H, W) with ``w`` (K, 1, kh, kw), no bias."""
    xp = _padded(x, geo)
    w = np.ascontiguousarray(w)
    out = np.empty(geo.output_shape, x.dtype)
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    planes = out.shape[0] * out.shape[1]
    threads.parallel_for(lambda lo, hi: _forward_planes(xp, w, out, lo, hi, sh, sw, dh, dw),
                         planes, grain=_grain(geo))
    return out


def depthwise_backward_input(g: np.ndarray, w: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """The gradient of :func:`depthwise_forward` with respect to its input."""
    n, c, h, wd = geo.input_shape
    ph, pw = geo.padding
    dxp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), g.dtype)
    g = np.ascontiguousarray(g)
    w = np.ascontiguousarray(w)
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    threads.parallel_for(lambda lo, hi: _backward_input_planes(g, w, dxp, lo, hi, sh, sw, dh, dw),
                         n * c, grain=_grain(geo))
    if not (ph or pw):
        return dxp
    return np.ascontiguousarray(dxp[:, :, ph:ph + h, pw:pw + wd])


def depthwise_backward_weight(g: np.ndarray, x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """The gradient of :func:`depthwise_forward` with respect to its weight."""
    xp = _padded(x, geo)
    g = np.ascontiguousarray(g)
    dwt = np.empty(geo.weight_shape, g.dtype)
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    k = geo.weight_shape[0]
    threads.parallel_for(
        lambda lo, hi: _backward_weight_channels(g, xp, dwt, lo, hi, sh, sw, dh, dw),
        k, grain=max(1, _grain(geo) // max(1, geo.input_shape[0])))   # a channel: N planes
    return dwt


__all__ = ["is_depthwise", "depthwise_forward", "depthwise_backward_input",
           "depthwise_backward_weight"]
