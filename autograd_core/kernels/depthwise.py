"""Depthwise conv2d (``groups`` equal to the input channels, each output channel reading one
input channel: MobileNet's, EfficientNet's, ShuffleNet's 3x3 layers), forward and both
backwards, as direct loops over each channel's plane.

The im2col + GEMM path of ``conv.py`` gives such a layer one GEMM per channel, one row
(an output channel) by ``kh*kw`` deep, padded to a whole register tile: most of its time
is the padding and the calls. Here each (sample, channel) plane is a few fused multiply-adds
per tap over contiguous runs of the zero-padded input, which LLVM vectorises; at a stride
above 1 the padded input is first split into its stride phases (``_phased``), in which
every tap reads at stride 1.
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


# Output rows narrower than this read the padded input at the stride instead of its phases:
# splitting a plane into phases costs per row, and at 2x2 outputs more than it saves
# (``benchmarks/README.md``, "depthwise convolutions at stride 2").
_PHASES_MIN_WIDTH = 4


def _phases(geo: ConvGeometry) -> tuple:
    """The strides the phases take, ``geo.stride`` or, for narrow outputs, (1, 1) (one
    phase, the padded plane, read at the stride by the kernels), and the shape of the
    phases' array, (N, C, sh*sw, Hq, Wq)."""
    sh, sw = geo.stride if geo.out_hw[1] >= _PHASES_MIN_WIDTH else (1, 1)
    n, c, h, w = geo.input_shape
    ph, pw = geo.padding
    return (sh, sw), (n, c, sh * sw, -(-(h + 2 * ph) // sh), -(-(w + 2 * pw) // sw))


def _phased(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """``x`` inside ``geo.padding`` zeros, split into its stride phases: (N, C, sh*sw, Hq, Wq)
    with ``[n, c, a*sw + b, y, x]`` the padded plane's ``[y*sh + a, x*sw + b]`` (zero past
    it). A tap ``(i, j)`` reads one phase, ``((i*dh) % sh, (j*dw) % sw)``, at stride 1 from
    ``((i*dh) // sh, (j*dw) // sw)`` on; at stride 1, or for narrow outputs (``_phases``),
    the one phase is the padded plane."""
    ph, pw = geo.padding
    (sh, sw), shape = _phases(geo)
    if not (ph or pw) and sh == sw == 1:
        return np.ascontiguousarray(x).reshape(shape)
    xq = np.empty(shape, x.dtype)
    threads.parallel_for(lambda lo, hi: _phase_planes(x, xq, lo, hi, ph, pw, sh, sw),
                         shape[0] * shape[1],
                         grain=max(1, _SPLIT_MIN_ELEMENTS // max(1, xq[0, 0].size)))
    return xq


def _grain(geo: ConvGeometry) -> int:
    """Planes (of one sample and channel) a thread takes at least."""
    kh, kw = geo.weight_shape[2:]
    return max(1, _SPLIT_MIN_MACS // max(1, geo.out_hw[0] * geo.out_hw[1] * kh * kw))


# --------------------------------------------------------------------------- kernels
# Each plane is handled "wide": the output laid out with the phase planes' row pitch ``wq``
# (columns past OW are junk), so that each tap is one contiguous run of
# ``span = (OH - 1) * wq + OW`` multiply-adds over the flat phase plane, however narrow the
# rows (an 8x8 plane: 9 runs of 78, not 72 runs of 8) and whatever the stride. A run
# stays inside its plane: its last element is row OH - 1 + oy, column OW - 1 + ox of it.
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


@lazy_inline
def _tap_offsets(kh, kw, sh, sw, dh, dw, plane, wq):
    """Where each tap's run starts in a sample-channel's flat phases (``_phased``):
    computed once per call (integer divisions are slow in an inner loop)."""
    offs = np.empty(kh * kw, np.int64)
    for i in range(kh):
        for j in range(kw):
            offs[i * kw + j] = (((i * dh) % sh * sw + (j * dw) % sw) * plane
                                + (i * dh) // sh * wq + (j * dw) // sw)
    return offs


@lazy_njit(nogil=True)
def _phase_planes(x, xq, lo, hi, ph, pw, sh, sw):
    """Planes ``n * C + c`` in [lo, hi) of ``x`` into their phases ``xq`` (``_phased``)."""
    c_all, h, w = x.shape[1], x.shape[2], x.shape[3]
    hq, wq = xq.shape[3], xq.shape[4]
    for p in range(lo, hi):
        n, c = p // c_all, p % c_all
        src_plane = x[n, c]
        if sh == 1 and sw == 1:     # one phase: the plane inside its border of zeros
            dst_plane = xq[n, c, 0]
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
            continue
        for a in range(sh):
            for b in range(sw):
                dst_plane = xq[n, c, a * sw + b]
                # the phase's columns t that hold input column t*sw + b - pw: [t0, t1)
                t0 = min(wq, max(0, (pw - b + sw - 1) // sw))
                t1 = max(t0, min(wq, (w - 1 + pw - b) // sw + 1))
                for y in range(hq):
                    row = dst_plane[y]
                    sy = y * sh + a - ph
                    if sy < 0 or sy >= h:
                        for t in range(wq):
                            row[t] = 0
                        continue
                    for t in range(t0):
                        row[t] = 0
                    for t in range(t1, wq):
                        row[t] = 0
                    src = src_plane[sy]
                    if sw == 1:
                        dst = row[t0:t1]
                        run = src[t0 + b - pw:t1 + b - pw]
                        for t in range(t1 - t0):
                            dst[t] = run[t]
                    elif sw == 2:    # a constant stride: LLVM deinterleaves with shuffles
                        dst = row[t0:t1]
                        run = src[2 * t0 + b - pw:]
                        for t in range(t1 - t0):
                            dst[t] = run[2 * t]
                    else:
                        for t in range(t0, t1):
                            row[t] = src[t * sw + b - pw]


@lazy_njit(nogil=True)
def _forward_planes(xq, w, out, lo, hi, sh, sw, dh, dw):
    """``out[n, k]`` for planes ``n * K + k`` in [lo, hi)."""
    k_all, oh_n, ow_n = out.shape[1], out.shape[2], out.shape[3]
    mult = k_all // xq.shape[1]
    kh, kw = w.shape[2], w.shape[3]
    wq = xq.shape[4]
    span = (oh_n - 1) * wq + ow_n
    wide = np.empty(span, out.dtype)
    offs = _tap_offsets(kh, kw, sh, sw, dh, dw, xq.shape[3] * wq, wq)
    for p in range(lo, hi):
        n, k = p // k_all, p % k_all
        if xq.shape[2] != sh * sw:       # narrow outputs: the padded plane at the stride
            o = out[n, k]
            o[:, :] = 0
            src_plane = xq[n, k // mult, 0]
            for i in range(kh):
                for j in range(kw):
                    wv = w[k, 0, i, j]
                    for y in range(oh_n):
                        row = src_plane[y * sh + i * dh]
                        dst = o[y]
                        for t in range(ow_n):
                            dst[t] += wv * row[j * dw + t * sw]
            continue
        flat = xq[n, k // mult].ravel()
        wide[:] = 0
        for i in range(kh):
            for j in range(kw):
                wv = w[k, 0, i, j]
                off = offs[i * kw + j]
                src = flat[off:off + span]
                for t in range(span):
                    wide[t] += wv * src[t]
        o = out[n, k]
        for y in range(oh_n):
            row = wide[y * wq:y * wq + ow_n]
            dst = o[y]
            for t in range(ow_n):
                dst[t] = row[t]


@lazy_njit(nogil=True)
def _backward_input_planes(g, w, dxq, lo, hi, sh, sw, dh, dw):
    """``dxq[n, c]`` (the input gradient's phases, zero on entry) for planes ``n * C + c``
    in [lo, hi): the taps of every output channel that reads input channel ``c`` added
    back."""
    c_all = dxq.shape[1]
    mult = g.shape[1] // c_all
    oh_n, ow_n = g.shape[2], g.shape[3]
    kh, kw = w.shape[2], w.shape[3]
    wq = dxq.shape[4]
    span = (oh_n - 1) * wq + ow_n
    wide = np.zeros(span, g.dtype)     # a gradient plane at the phases' pitch, junk zero
    offs = _tap_offsets(kh, kw, sh, sw, dh, dw, dxq.shape[3] * wq, wq)
    for p in range(lo, hi):
        n, c = p // c_all, p % c_all
        if dxq.shape[2] != sh * sw:      # narrow outputs: the padded plane at the stride
            dst_plane = dxq[n, c, 0]
            for k in range(c * mult, (c + 1) * mult):
                gp = g[n, k]
                for i in range(kh):
                    for j in range(kw):
                        wv = w[k, 0, i, j]
                        for y in range(oh_n):
                            row = dst_plane[y * sh + i * dh]
                            src = gp[y]
                            for t in range(ow_n):
                                row[j * dw + t * sw] += wv * src[t]
            continue
        flat = dxq[n, c].ravel()
        for k in range(c * mult, (c + 1) * mult):
            _rows_to_wide(g[n, k], wide, wq)
            for i in range(kh):
                for j in range(kw):
                    wv = w[k, 0, i, j]
                    off = offs[i * kw + j]
                    dst = flat[off:off + span]
                    for t in range(span):
                        dst[t] += wv * wide[t]


@lazy_njit(nogil=True)
def _unphase_planes(dxq, dx, lo, hi, ph, pw, sh, sw):
    """Planes ``n * C + c`` in [lo, hi) of ``dx`` read back from their phases ``dxq``
    (the padding dropped)."""
    c_all, h, w = dx.shape[1], dx.shape[2], dx.shape[3]
    for p in range(lo, hi):
        n, c = p // c_all, p % c_all
        src_planes, dst_plane = dxq[n, c], dx[n, c]
        for y in range(h):
            a, yq = (y + ph) % sh, (y + ph) // sh
            dst = dst_plane[y]
            for b in range(sw):
                # the columns t of phase b: t = t0 + sw*u, from column (t0 + pw) // sw + u
                t0 = (b - pw) % sw
                if t0 >= w:
                    continue
                run = src_planes[a * sw + b, yq, (t0 + pw) // sw:]
                part = dst[t0:]
                if sw == 2:    # a constant stride: LLVM interleaves with shuffles
                    for u in range((w - t0 + 1) // 2):
                        part[2 * u] = run[u]
                else:
                    for u in range((w - t0 + sw - 1) // sw):
                        part[sw * u] = run[u]


@lazy_njit(nogil=True)
def _backward_weight_channels(g, xq, dwt, lo, hi, sh, sw, dh, dw, wide_runs):
    """``dwt[k]`` for output channels ``k`` in [lo, hi): each tap's products summed over
    the batch and the output plane. With ``wide_runs`` one run a tap, whose junk columns
    meet the gradient's zeros (the input must be finite there: 0 * inf is NaN); else one
    run a row."""
    n_all, k_all, oh_n, ow_n = g.shape
    mult = k_all // xq.shape[1]
    kh, kw = dwt.shape[2], dwt.shape[3]
    wq = xq.shape[4]
    span = (oh_n - 1) * wq + ow_n
    wide = np.zeros(span, g.dtype)     # a gradient plane at the phases' pitch, junk zero
    offs = _tap_offsets(kh, kw, sh, sw, dh, dw, xq.shape[3] * wq, wq)
    for k in range(lo, hi):
        for i in range(kh):
            for j in range(kw):
                dwt[k, 0, i, j] = 0
        for n in range(n_all):
            gp = g[n, k]
            if xq.shape[2] != sh * sw:   # narrow outputs: the padded plane at the stride
                xs = xq[n, k // mult, 0]
                for i in range(kh):
                    for j in range(kw):
                        acc = 0.0
                        for y in range(oh_n):
                            row = xs[y * sh + i * dh]
                            gr = gp[y]
                            for t in range(ow_n):
                                acc += gr[t] * row[j * dw + t * sw]
                        dwt[k, 0, i, j] += acc
                continue
            flat = xq[n, k // mult].ravel()
            if wide_runs:
                _rows_to_wide(gp, wide, wq)
            for i in range(kh):
                for j in range(kw):
                    off = offs[i * kw + j]
                    if wide_runs:
                        dwt[k, 0, i, j] += _dot(wide, flat[off:off + span])
                    else:   # row y's run starts y rows of the phase on
                        for y in range(oh_n):
                            dwt[k, 0, i, j] += _dot(gp[y], flat[off + y * wq:off + y * wq + ow_n])


# --------------------------------------------------------------------------- entry points
def depthwise_forward(x: np.ndarray, w: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """The depthwise conv2d of ``x`` (N, C, H, W) with ``w`` (K, 1, kh, kw), no bias."""
    xq = _phased(x, geo)
    w = np.ascontiguousarray(w)
    out = np.empty(geo.output_shape, x.dtype)
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    planes = out.shape[0] * out.shape[1]
    threads.parallel_for(lambda lo, hi: _forward_planes(xq, w, out, lo, hi, sh, sw, dh, dw),
                         planes, grain=_grain(geo))
    return out


def depthwise_backward_input(g: np.ndarray, w: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """The gradient of :func:`depthwise_forward` with respect to its input."""
    n, c, h, wd = geo.input_shape
    (ph, pw), (sh, sw), (dh, dw) = geo.padding, geo.stride, geo.dilation
    (qh, qw), shape = _phases(geo)
    dxq = np.zeros(shape, g.dtype)
    g = np.ascontiguousarray(g)
    w = np.ascontiguousarray(w)
    threads.parallel_for(lambda lo, hi: _backward_input_planes(g, w, dxq, lo, hi, sh, sw, dh, dw),
                         n * c, grain=_grain(geo))
    if qh == qw == 1:
        dxp = dxq.reshape(n, c, h + 2 * ph, wd + 2 * pw)
        return dxp if not (ph or pw) else np.ascontiguousarray(dxp[:, :, ph:ph + h, pw:pw + wd])
    dx = np.empty(geo.input_shape, g.dtype)
    threads.parallel_for(lambda lo, hi: _unphase_planes(dxq, dx, lo, hi, ph, pw, sh, sw), n * c,
                         grain=max(1, _SPLIT_MIN_ELEMENTS // max(1, h * wd)))
    return dx


def depthwise_backward_weight(g: np.ndarray, x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """The gradient of :func:`depthwise_forward` with respect to its weight."""
    xq = _phased(x, geo)
    g = np.ascontiguousarray(g)
    dwt = np.empty(geo.weight_shape, g.dtype)
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    k = geo.weight_shape[0]
    wide_runs = _phases(geo)[0] == geo.stride and bool(np.isfinite(x).all())   # else unused
    threads.parallel_for(
        lambda lo, hi: _backward_weight_channels(g, xq, dwt, lo, hi, sh, sw, dh, dw, wide_runs),
        k, grain=max(1, _grain(geo) // max(1, geo.input_shape[0])))   # a channel: N planes
    return dwt


__all__ = ["is_depthwise", "depthwise_forward", "depthwise_backward_input",
           "depthwise_backward_weight"]
