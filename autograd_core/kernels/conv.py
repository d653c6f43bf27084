"""conv2d, forward and both backwards, with stride, padding, dilation and groups.

Shapes and semantics are PyTorch's: ``x`` (N, C, H, W), ``weight`` (K, C/groups, kh, kw),
zero padding, output size ``floor((H + 2p - d*(k-1) - 1)/s) + 1``. Every kernel takes a
:class:`~.shapes.ConvGeometry` (``conv2d_geometry(...)``: the call validated once) and
only checks that its arrays conform to it. (conv1d is conv2d over a height of 1: the
op does that, ``ops/conv.py``.)

Both paths are im2col + GEMM; they differ in who moves the data:

- NumPy path: ``as_strided`` window view of the padded input copied into one
  (N, C*kh*kw, OH*OW) matrix, one ``np.matmul`` over the batch; col2im by kh*kw
  strided slice-adds. Simple and exact, but the whole im2col matrix goes through
  memory (19 MB for the 32x16x32x32 benchmark).
- Numba path: a ``nogil`` Numba im2col (or col2im) fills a buffer for a chunk of
  samples (about 1 MB) and one sgemm per chunk consumes it; the batch is split over our
  threads with BLAS held to one thread (see ``threads.py``). With stride 1 the buffer
  rows have the padded width as pitch, so each kernel tap copies one contiguous run per
  sample (instead of one short run per output row) and the junk columns are dropped
  from the GEMM result. (The measurements behind these choices: ``benchmarks/README.md``.)

>>> import numpy as np
>>> x = np.ones((1, 1, 4, 4), np.float32); w = np.ones((2, 1, 3, 3), np.float32)
>>> conv2d_forward(x, w, None, conv2d_geometry(x.shape, w.shape, padding=1))[0, 0].tolist()[0]
[4.0, 6.0, 6.0, 4.0]
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import dispatch, threads
from .jit import lazy_njit
from .shapes import ConvGeometry, conforming, conv2d_geometry, geometry_of, same_dtype

# Bytes of im2col buffer per chunk of samples in the Numba path: bigger GEMMs win until
# the buffer leaves the cache.
_CHUNK_BYTES = 1024 * 1024
# A thread gets at least this many multiply-adds of work, else we stay on one thread.
_SPLIT_MIN_MACS = 1_000_000


# --------------------------------------------------------------------------- Numba kernels
# Inner loops index two 1-D views with the same ``t`` (``dst[t] = src[t]``): written so,
# LLVM vectorises them; with an offset in the index (``src[start + t]``) it does not.

@lazy_njit(nogil=True)
def _im2col(x, n0, n1, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols):
    """cols[n - n0, (c*kh + i)*kw + j, oy*ow + ox] = xpad[n, c, oy*sh + i*dh, ox*sw + j*dw]."""
    c_in, h, w = x.shape[1], x.shape[2], x.shape[3]
    for n in range(n0, n1):
        for c in range(c_in):
            for i in range(kh):
                for j in range(kw):
                    row = cols[n - n0, (c * kh + i) * kw + j]
                    off = j * dw - pw
                    # output columns ox whose input column ox*sw + off lies inside [0, w)
                    lo = 0 if off >= 0 else min(ow, (-off + sw - 1) // sw)
                    hi = max(lo, min(ow, (w - 1 - off) // sw + 1)) if w - 1 - off >= 0 else lo
                    for oy in range(oh):
                        iy = oy * sh - ph + i * dh
                        dst = row[oy * ow:(oy + 1) * ow]
                        if iy < 0 or iy >= h:
                            dst[:] = 0
                            continue
                        for ox in range(lo):
                            dst[ox] = 0
                        if sw == 1:
                            src = x[n, c, iy, lo + off:]
                            seg = dst[lo:]
                            for t in range(hi - lo):
                                seg[t] = src[t]
                        else:
                            src = x[n, c, iy]
                            for ox in range(lo, hi):
                                dst[ox] = src[ox * sw + off]
                        for ox in range(hi, ow):
                            dst[ox] = 0


@lazy_njit(nogil=True)
def _col2im(cols, n0, n1, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, dx):
    """dx[n] = sum of cols[n - n0] scattered back to the pixels each column read (n0 <= n < n1)."""
    c_in, h, w = dx.shape[1], dx.shape[2], dx.shape[3]
    for n in range(n0, n1):
        for c in range(c_in):
            dx[n, c] = 0
            for i in range(kh):
                for j in range(kw):
                    row = cols[n - n0, (c * kh + i) * kw + j]
                    off = j * dw - pw
                    lo = 0 if off >= 0 else min(ow, (-off + sw - 1) // sw)
                    hi = max(lo, min(ow, (w - 1 - off) // sw + 1)) if w - 1 - off >= 0 else lo
                    for oy in range(oh):
                        iy = oy * sh - ph + i * dh
                        if iy < 0 or iy >= h:
                            continue
                        src = row[oy * ow + lo:]
                        if sw == 1:
                            dst = dx[n, c, iy, lo + off:]
                            for t in range(hi - lo):
                                dst[t] += src[t]
                        else:
                            drow = dx[n, c, iy]
                            for t in range(hi - lo):
                                drow[(lo + t) * sw + off] += src[t]


@lazy_njit(nogil=True)
def _im2col_wide(xp, kh, kw, dh, dw, lw, wp, ow, zero_tail, cols):
    """Stride-1 im2col with rows of pitch ``wp`` (the padded width), samples side by side:
    for tap (c, i, j) and sample m, ``cols[(c*kh + i)*kw + j, m*lw:(m+1)*lw]`` is one
    contiguous run of the padded plane ``xp[m, c]`` (flattened) starting at
    ``i*dh*wp + j*dw``, ``lw = oh*wp`` long. Columns ``ox >= ow`` of each output row are
    junk (zeroed if ``zero_tail``)."""
    nb, c_in = xp.shape[0], xp.shape[1]
    for m in range(nb):
        for c in range(c_in):
            plane = xp[m, c]
            for i in range(kh):
                for j in range(kw):
                    dst = cols[(c * kh + i) * kw + j, m * lw:(m + 1) * lw]
                    src = plane[i * dh * wp + j * dw:]
                    for t in range(lw):
                        dst[t] = src[t]
                    if zero_tail:
                        for t in range(ow, lw, wp):
                            dst[t:t + wp - ow] = 0


@lazy_njit(nogil=True)
def _col2im_wide(cols, kh, kw, dh, dw, lw, wp, dxp):
    """Adjoint of :func:`_im2col_wide`: dxp[m, c] = sum over taps of the shifted runs
    (junk columns of ``cols`` must be zero)."""
    nb, c_in = dxp.shape[0], dxp.shape[1]
    for m in range(nb):
        for c in range(c_in):
            plane = dxp[m, c]
            plane[:] = 0
            for i in range(kh):
                for j in range(kw):
                    src = cols[(c * kh + i) * kw + j, m * lw:(m + 1) * lw]
                    dst = plane[i * dh * wp + j * dw:]
                    for t in range(lw):
                        dst[t] += src[t]


# --------------------------------------------------------------------------- helpers
def _chunk(rows: int, cols: int, itemsize: int) -> int:
    return max(1, _CHUNK_BYTES // max(1, rows * cols * itemsize))


def _grain(macs_per_sample: int) -> int:
    return max(1, -(-_SPLIT_MIN_MACS // max(1, macs_per_sample)))


def _wide(s, ohw, wp: int) -> bool:
    """Use the contiguous-run kernels: stride 1, and at most a quarter of each run is junk
    (the ``wp - ow`` columns past the end of an output row)."""
    return s == (1, 1) and 4 * ohw[1] >= 3 * wp


class _Padded:
    """A per-thread zero-bordered copy of a chunk of ``x``: (chunk, C, hp + 1, wp) flattened
    per plane. The extra bottom row keeps the last run of :func:`_im2col_wide` in bounds."""

    def __init__(self, chunk: int, c: int, h: int, w: int, p, dtype):
        self.h, self.w, self.p = h, w, p
        self.hp, self.wp = h + 2 * p[0], w + 2 * p[1]
        self.buf = np.zeros((chunk, c, self.hp + 1, self.wp), dtype)

    def fill(self, x_part: np.ndarray) -> np.ndarray:
        m = x_part.shape[0]
        ph, pw = self.p
        self.buf[:m, :, ph:ph + self.h, pw:pw + self.w] = x_part
        return self.buf[:m].reshape(m, self.buf.shape[1], -1)


def _im2col_numpy(x: np.ndarray, kh: int, kw: int, s, p, d, ohw) -> np.ndarray:
    """(N, C*kh*kw, OH*OW) im2col matrix built from a strided window view."""
    if p[0] or p[1]:
        x = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    n, c = x.shape[:2]
    sn, sc, sh_, sw_ = x.strides
    view = as_strided(x, (n, c, kh, kw) + ohw,
                      (sn, sc, sh_ * d[0], sw_ * d[1], sh_ * s[0], sw_ * s[1]), writeable=False)
    return view.reshape(n, c * kh * kw, ohw[0] * ohw[1])


# --------------------------------------------------------------------------- forward
def _forward_numpy(x, w, s, p, d, groups, ohw):
    n = x.shape[0]
    k, cg, kh, kw = w.shape
    r, l = cg * kh * kw, ohw[0] * ohw[1]
    cols = _im2col_numpy(x, kh, kw, s, p, d, ohw).reshape(n, groups, r, l)
    out = np.matmul(w.reshape(groups, k // groups, r), cols)      # (N, G, Kg, L)
    return out.reshape((n, k) + ohw)


def _forward_numba(x, w, s, p, d, groups, ohw):
    n, c, h, wd = x.shape
    k, cg, kh, kw = w.shape
    r, l = cg * kh * kw, ohw[0] * ohw[1]
    wg = w.reshape(groups, k // groups, r)
    out = np.empty((n, k) + ohw, x.dtype)
    if _wide(s, ohw, wd + 2 * p[1]):
        wp = wd + 2 * p[1]
        lw = ohw[0] * wp
        chunk = _chunk(c * kh * kw, lw, x.itemsize)

        def part(lo: int, hi: int) -> None:
            m = min(chunk, hi - lo)
            pad = _Padded(m, c, h, wd, p, x.dtype)
            cols = np.empty(groups * r * m * lw, x.dtype)     # flat: every view below is contiguous
            res = np.empty(k * m * lw, x.dtype)
            for a in range(lo, hi, chunk):
                b = min(a + chunk, hi)
                nl = (b - a) * lw
                cv = cols[:groups * r * nl].reshape(groups * r, nl)
                _im2col_wide(pad.fill(x[a:b]), kh, kw, d[0], d[1], lw, wp, ohw[1], False, cv)
                rv = res[:k * nl].reshape(groups, k // groups, nl)
                np.matmul(wg, cv.reshape(groups, r, nl), out=rv)
                out[a:b] = rv.reshape(k, b - a, ohw[0], wp)[:, :, :, :ohw[1]].transpose(1, 0, 2, 3)
    else:
        out_v = out.reshape(n, groups, k // groups, l)
        chunk = _chunk(c * kh * kw, l, x.itemsize)

        def part(lo: int, hi: int) -> None:
            cols = np.empty((min(chunk, hi - lo), groups, r, l), x.dtype)
            for a in range(lo, hi, chunk):
                b = min(a + chunk, hi)
                cv = cols[:b - a]
                _im2col(x, a, b, kh, kw, s[0], s[1], p[0], p[1], d[0], d[1], ohw[0], ohw[1],
                        cv.reshape(b - a, groups * r, l))
                np.matmul(wg, cv, out=out_v[a:b])

    threads.parallel_for(part, n, grain=_grain(k * r * l), blas_single=True)
    return out


def conv2d_forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
                   geometry: ConvGeometry) -> np.ndarray:
    """``torch.nn.functional.conv2d`` on arrays: (N, C, H, W) * (K, C/groups, kh, kw) ->
    (N, K, OH, OW), as ``geometry`` says.

    >>> import numpy as np
    >>> x = np.random.rand(2, 4, 9, 7).astype(np.float32)
    >>> w = np.random.rand(6, 2, 3, 3).astype(np.float32)
    >>> geo = conv2d_geometry(x.shape, w.shape, stride=2, padding=(1, 0), groups=2)
    >>> conv2d_forward(x, w, None, geo).shape
    (2, 6, 5, 3)
    """
    op = "conv2d"
    geometry_of(op, geometry, ConvGeometry)
    x = conforming(op, "input", x, geometry.input_shape, "(N, C, H, W)")
    weight = conforming(op, "weight", weight, geometry.weight_shape, "(K, C/groups, kh, kw)")
    dtype = same_dtype(op, input=x, weight=weight)
    if bias is not None:
        bias = conforming(op, "bias", bias, geometry.weight_shape[:1], "(K,)")
        same_dtype(op, input=x, bias=bias)
    g = geometry
    if x.shape[0] == 0 or weight.shape[0] == 0:
        out = np.zeros(g.output_shape, dtype)
    else:
        fwd = _forward_numba if dispatch.choose_path() == "numba" else _forward_numpy
        out = fwd(x, weight, g.stride, g.padding, g.dilation, g.groups, g.out_hw)
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out


# --------------------------------------------------------------------------- backward (input)
def _backward_input_numpy(g, w, input_shape, s, p, d, groups, ohw):
    n, c, h, wd = input_shape
    k, cg, kh, kw = w.shape
    r, l = cg * kh * kw, ohw[0] * ohw[1]
    wt = w.reshape(groups, k // groups, r).transpose(0, 2, 1)               # (G, R, Kg)
    gcols = np.matmul(wt, g.reshape(n, groups, k // groups, l))            # (N, G, R, L)
    gcols = gcols.reshape((n, c, kh, kw) + ohw)
    dxp = np.zeros((n, c, h + 2 * p[0], wd + 2 * p[1]), g.dtype)
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i * d[0]:i * d[0] + s[0] * (ohw[0] - 1) + 1:s[0],
                j * d[1]:j * d[1] + s[1] * (ohw[1] - 1) + 1:s[1]] += gcols[:, :, i, j]
    return np.ascontiguousarray(dxp[:, :, p[0]:p[0] + h, p[1]:p[1] + wd])


def _backward_input_numba(g, w, input_shape, s, p, d, groups, ohw):
    n, c, h, wd = input_shape
    k, cg, kh, kw = w.shape
    r, l = cg * kh * kw, ohw[0] * ohw[1]
    wt = w.reshape(groups, k // groups, r).transpose(0, 2, 1)               # (G, R, Kg)
    dx = np.empty(tuple(input_shape), g.dtype)
    if _wide(s, ohw, wd + 2 * p[1]):
        hp, wp = h + 2 * p[0], wd + 2 * p[1]
        lw = ohw[0] * wp
        chunk = _chunk(c * kh * kw, lw, g.itemsize)

        def part(lo: int, hi: int) -> None:
            m = min(chunk, hi - lo)
            gw = np.zeros((k, m, ohw[0], wp), g.dtype)       # junk columns stay zero
            cols = np.empty(groups * r * m * lw, g.dtype)
            dxp = np.empty((m, c, hp + 1, wp), g.dtype)
            for a in range(lo, hi, chunk):
                b = min(a + chunk, hi)
                nl = (b - a) * lw
                if b - a < m:                                 # last, short chunk
                    gw = np.zeros((k, b - a, ohw[0], wp), g.dtype)
                gv = gw[:, :b - a]
                gv[:, :, :, :ohw[1]] = g[a:b].transpose(1, 0, 2, 3)
                cv = cols[:groups * r * nl].reshape(groups * r, nl)
                np.matmul(wt, gv.reshape(groups, k // groups, nl), out=cv.reshape(groups, r, nl))
                _col2im_wide(cv, kh, kw, d[0], d[1], lw, wp, dxp[:b - a].reshape(b - a, c, -1))
                dx[a:b] = dxp[:b - a, :, p[0]:p[0] + h, p[1]:p[1] + wd]
    else:
        g_v = g.reshape(n, groups, k // groups, l)
        chunk = _chunk(c * kh * kw, l, g.itemsize)

        def part(lo: int, hi: int) -> None:
            cols = np.empty((min(chunk, hi - lo), groups, r, l), g.dtype)
            for a in range(lo, hi, chunk):
                b = min(a + chunk, hi)
                cv = cols[:b - a]
                np.matmul(wt, g_v[a:b], out=cv)
                _col2im(cv.reshape(b - a, groups * r, l), a, b, kh, kw, s[0], s[1], p[0], p[1],
                        d[0], d[1], ohw[0], ohw[1], dx)

    threads.parallel_for(part, n, grain=_grain(k * r * l), blas_single=True)
    return dx


def conv2d_backward_input(grad_out: np.ndarray, weight: np.ndarray,
                          geometry: ConvGeometry) -> np.ndarray:
    """Gradient of conv2d with respect to its input (``torch.nn.grad.conv2d_input``), of
    shape ``geometry.input_shape``.

    >>> import numpy as np
    >>> g = np.ones((2, 6, 5, 3), np.float32); w = np.ones((6, 2, 3, 3), np.float32)
    >>> geo = conv2d_geometry((2, 4, 9, 7), w.shape, stride=2, padding=(1, 0), groups=2)
    >>> conv2d_backward_input(g, w, geo).shape
    (2, 4, 9, 7)
    """
    op = "conv2d_backward_input"
    geometry_of(op, geometry, ConvGeometry)
    weight = conforming(op, "weight", weight, geometry.weight_shape, "(K, C/groups, kh, kw)")
    grad_out = conforming(op, "grad_out", grad_out, geometry.output_shape, "(N, K, OH, OW)")
    same_dtype(op, grad_out=grad_out, weight=weight)
    g = geometry
    if grad_out.size == 0 or 0 in g.input_shape:
        return np.zeros(g.input_shape, grad_out.dtype)
    bwd = _backward_input_numba if dispatch.choose_path() == "numba" else _backward_input_numpy
    return bwd(grad_out, weight, g.input_shape, g.stride, g.padding, g.dilation, g.groups, g.out_hw)


# --------------------------------------------------------------------------- backward (weight)
def _backward_weight_numpy(g, x, weight_shape, s, p, d, groups, ohw):
    n = x.shape[0]
    k, cg, kh, kw = weight_shape
    r, l, kg = cg * kh * kw, ohw[0] * ohw[1], k // groups
    cols = _im2col_numpy(x, kh, kw, s, p, d, ohw).reshape(n, groups, r, l)
    g_v = g.reshape(n, groups, kg, l)
    # one GEMM per sample and group, then a sum over the batch (np.tensordot here falls
    # off BLAS for the transposed copies it makes)
    dw = np.matmul(g_v, cols.transpose(0, 1, 3, 2)).sum(axis=0)
    return dw.reshape(weight_shape)


def _backward_weight_numba(g, x, weight_shape, s, p, d, groups, ohw):
    n, c, h, wd = x.shape
    k, cg, kh, kw = weight_shape
    r, l, kg = cg * kh * kw, ohw[0] * ohw[1], k // groups
    partials = []
    if _wide(s, ohw, wd + 2 * p[1]):
        wp = wd + 2 * p[1]
        lw = ohw[0] * wp
        chunk = _chunk(c * kh * kw, lw, x.itemsize)

        def part(lo: int, hi: int) -> None:
            m = min(chunk, hi - lo)
            pad = _Padded(m, c, h, wd, p, x.dtype)
            gw = np.zeros((k, m, ohw[0], wp), g.dtype)
            cols = np.empty(groups * r * m * lw, x.dtype)
            acc = np.zeros((groups, kg, r), x.dtype)
            for a in range(lo, hi, chunk):
                b = min(a + chunk, hi)
                nl = (b - a) * lw
                cv = cols[:groups * r * nl].reshape(groups * r, nl)
                _im2col_wide(pad.fill(x[a:b]), kh, kw, d[0], d[1], lw, wp, ohw[1], True, cv)
                if b - a < m:                                 # last, short chunk
                    gw = np.zeros((k, b - a, ohw[0], wp), g.dtype)
                gv = gw[:, :b - a]
                gv[:, :, :, :ohw[1]] = g[a:b].transpose(1, 0, 2, 3)
                acc += np.matmul(gv.reshape(groups, kg, nl), cv.reshape(groups, r, nl).transpose(0, 2, 1))
            partials.append(acc)
    else:
        g_v = g.reshape(n, groups, kg, l)
        chunk = _chunk(c * kh * kw, l, x.itemsize)

        def part(lo: int, hi: int) -> None:
            cols = np.empty((min(chunk, hi - lo), groups, r, l), x.dtype)
            acc = np.zeros((groups, kg, r), x.dtype)
            for a in range(lo, hi, chunk):
                b = min(a + chunk, hi)
                cv = cols[:b - a]
                _im2col(x, a, b, kh, kw, s[0], s[1], p[0], p[1], d[0], d[1], ohw[0], ohw[1],
                        cv.reshape(b - a, groups * r, l))
                acc += np.matmul(g_v[a:b], cv.transpose(0, 1, 3, 2)).sum(axis=0)
            partials.append(acc)

    threads.parallel_for(part, n, grain=_grain(k * r * l), blas_single=True)
    dw = partials[0]
    for extra in partials[1:]:
        dw += extra
    return dw.reshape(weight_shape)


def conv2d_backward_weight(grad_out: np.ndarray, x: np.ndarray,
                           geometry: ConvGeometry) -> np.ndarray:
    """Gradient of conv2d with respect to its weight (``torch.nn.grad.conv2d_weight``), of
    shape ``geometry.weight_shape``.

    >>> import numpy as np
    >>> g = np.ones((2, 6, 5, 3), np.float32); x = np.ones((2, 4, 9, 7), np.float32)
    >>> geo = conv2d_geometry(x.shape, (6, 2, 3, 3), stride=2, padding=(1, 0), groups=2)
    >>> conv2d_backward_weight(g, x, geo).shape
    (6, 2, 3, 3)
    """
    op = "conv2d_backward_weight"
    geometry_of(op, geometry, ConvGeometry)
    x = conforming(op, "input", x, geometry.input_shape, "(N, C, H, W)")
    grad_out = conforming(op, "grad_out", grad_out, geometry.output_shape, "(N, K, OH, OW)")
    same_dtype(op, grad_out=grad_out, input=x)
    g = geometry
    if grad_out.size == 0 or x.size == 0:
        return np.zeros(g.weight_shape, grad_out.dtype)
    bwd = _backward_weight_numba if dispatch.choose_path() == "numba" else _backward_weight_numpy
    return bwd(grad_out, x, g.weight_shape, g.stride, g.padding, g.dilation, g.groups, g.out_hw)
