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
- Numba path: per chunk of samples (about 1 MB of columns), a ``nogil`` Numba kernel
  splits the zero-padded input into its stride phases (``sh*sw`` planes; one with stride
  1), im2col copies runs of those planes, and the register-tiled GEMM of
  ``microkernel.gemm`` (no BLAS) multiplies; the batch is split over our threads. In a
  phase plane every kernel tap reads with stride 1, so the columns can take the plane's
  width as pitch and each tap copy one contiguous run per sample (the junk columns are
  dropped from the GEMM result), or else one run per output row (``_wide`` chooses). col2im adds the same runs back into phase planes.
  (The measurements behind these choices: ``benchmarks/README.md``.)

>>> import numpy as np
>>> x = np.ones((1, 1, 4, 4), np.float32); w = np.ones((2, 1, 3, 3), np.float32)
>>> conv2d_forward(x, w, None, conv2d_geometry(x.shape, w.shape, padding=1))[0, 0].tolist()[0]
[4.0, 6.0, 6.0, 4.0]
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import dispatch, threads, winograd
from .depthwise import (depthwise_backward_input, depthwise_backward_weight, depthwise_forward,
                        is_depthwise)
from .jit import lazy_inline, lazy_njit
from .shapes import ConvGeometry, conforming, conv2d_geometry, geometry_of, round_up, same_dtype

# Bytes of im2col buffer per chunk of samples in the Numba path: bigger GEMMs win until
# the buffer leaves the cache.
_CHUNK_BYTES = 1024 * 1024
# ... except where the weight, the GEMM's A, is larger than this: each chunk's GEMM
# streams all of it from memory, so a chunk has at least _STREAMED_COLUMNS columns to
# spend each read on (ResNet-18's 512-channel 4x4 layer: a 9.4 MB weight, 3 samples of
# 16 columns a chunk, 28-38 GFLOP/s on an AVX2 host; 8 or 16 samples, 55-73).
_STREAMED_WEIGHT_BYTES = 4 * 1024 * 1024
_STREAMED_COLUMNS = 256
# A thread gets at least this many multiply-adds of work, else we stay on one thread.
_SPLIT_MIN_MACS = 1_000_000
# A weight gradient larger than this (bytes of dw) is accumulated over chunks at least
# _MIN_DEPTH columns deep: each chunk's GEMM reads and writes all of dw once.
_LARGE_GRADIENT_BYTES = 2 * 1024 * 1024
_MIN_DEPTH = 512
# Such a gradient, on several threads, is split by output channels over the columns of all
# samples at once, while those take at most this many bytes (ResNet-18's layer 3 at batch
# 32: 19 MB; a 56x56 layer of 256 channels at batch 64 would take 1.8 GB).
_BY_CHANNELS_MAX_BYTES = 32 * 1024 * 1024
# The wide columns are chosen unless they cost more than this many times the narrow
# ones in GEMM columns per sample: their im2col and col2im move one run per tap and
# sample, the narrow ones one per output row.
_WIDE_SLACK = 1.2
# A forward with wide columns reads them in place when rounding one sample's columns up to
# whole GEMM tiles adds at most 1/_GATHER_WASTE of them (an 8x8 output, 80 columns a
# sample, would take 96 or 128: then im2col, whose chunk of samples rounds up once).
_GATHER_WASTE = 8
# The weight gradient reads its columns in place when a sample's are at least this deep
# (or its output rows short): a 1x1 stride-2 conv's 256 a sample ran 14% slower in
# place than copied in runs of 16 and multiplied several samples deep.
_GATHER_MIN_DEPTH = 512
# The weight gradient's columns are its GEMM's depth, where junk columns cost GEMM time
# too. The wide ones are read in place (``gemm_gather_a``), the narrow ones copied (a
# 14x14 output's im2col: 0.40 ms narrow): wide while the junk adds at most _JUNK_MACS
# multiply-adds per element of the columns (Kg per junk column). At 7.5 (ResNet's 128
# channels at 16 of 17 columns) wide was 3-5% slower than copying runs of 16.
_JUNK_MACS = 6


# --------------------------------------------------------------------------- Numba kernels
# Inner loops index two 1-D views with the same ``t`` (``dst[t] = src[t]``): written so,
# LLVM vectorises them; with an offset in the index (``src[start + t]``) it does not.
#
# The Numba path lays a chunk of samples out as GEMM columns, samples side by side: column
# ``(n - n0)*lw + oy*pitch + ox`` is output pixel (oy, ox) of sample n. ``pitch`` is the
# output width, or at stride 1 ("wide") the padded input width, whose extra columns
# (ox >= OW) are junk; ``lw = OH * pitch``.

@lazy_inline
def _phase_columns(off, sw, wq, w):
    """``(lo, hi)``: the columns ``t`` of a phase plane ``wq`` wide whose input column
    ``t*sw + off`` lies inside ``[0, w)`` (``lo == hi`` when none does)."""
    lo = 0 if off >= 0 else min(wq, (-off + sw - 1) // sw)
    hi = max(lo, min(wq, (w - 1 - off) // sw + 1)) if w - 1 - off >= 0 else lo
    return lo, hi


@lazy_njit(nogil=True)
def _fill_phases(x, n0, n1, sh, sw, ph, pw, used, xq):
    """The zero-padded input of samples n0..n1 split into its sh*sw phase planes:
    ``xq[n - n0, c, a*sw + b, y, t] = xpad[n, c, a + y*sh, b + t*sw]`` for every entry of
    the planes marked in ``used`` (the others are never read). With stride 1 that is one
    plane, the padded input, which ``_Layout.fill`` copies with NumPy instead. Only the
    entries inside ``x`` are written: the padding must
    be zero already (``_Layout.phases`` allocates zeros, and no fill writes there, so a
    buffer serves chunk after chunk; the rows are short, and zeroing them one by one cost
    as much as copying them)."""
    c_in, h, w = x.shape[1], x.shape[2], x.shape[3]
    hq, wq = xq.shape[3], xq.shape[4]
    for n in range(n0, n1):
        for c in range(c_in):
            for a in range(sh):
                for b in range(sw):
                    if not used[a * sw + b]:
                        continue
                    plane = xq[n - n0, c, a * sw + b]
                    off = b - pw
                    lo, hi = _phase_columns(off, sw, wq, w)
                    y0 = max(0, (ph - a + sh - 1) // sh)          # the rows inside x
                    y1 = min(hq, (h - 1 + ph - a) // sh + 1) if h - 1 + ph - a >= 0 else 0
                    if y1 <= y0 or hi <= lo:
                        continue
                    # one 2-D copy: a view per row cost as much as its copy
                    src = x[n, c, a + y0 * sh - ph::sh, lo * sw + off::sw]
                    plane[y0:y1, lo:hi] = src[:y1 - y0, :hi - lo]


@lazy_njit(nogil=True)
def _gather_phases(dxq, n0, n1, sh, sw, ph, pw, dx):
    """``dx[n, c, iy, ix] = dxq[n - n0, c, phase, y, t]`` for the phase entry that holds the
    padded pixel (iy + ph, ix + pw): the inverse of :func:`_fill_phases` on the input."""
    c_in, h, w = dx.shape[1], dx.shape[2], dx.shape[3]
    hq, wq = dxq.shape[3], dxq.shape[4]
    for n in range(n0, n1):
        for c in range(c_in):
            for a in range(sh):
                for b in range(sw):
                    plane = dxq[n - n0, c, a * sw + b]
                    off = b - pw
                    lo, hi = _phase_columns(off, sw, wq, w)
                    for y in range(hq):
                        iy = a + y * sh - ph
                        if iy < 0 or iy >= h:
                            continue
                        src = plane[y]
                        if sw == 1:
                            dst = dx[n, c, iy, lo + off:]
                            seg = src[lo:]
                            for t in range(hi - lo):
                                dst[t] = seg[t]
                        elif sw == 2:   # a constant stride, which LLVM vectorises
                            dst = dx[n, c, iy, lo * 2 + off:]
                            seg = src[lo:]
                            for t in range(hi - lo):
                                dst[2 * t] = seg[t]
                        else:
                            drow = dx[n, c, iy]
                            for t in range(lo, hi):
                                drow[t * sw + off] = src[t]


@lazy_njit(nogil=True)
def _im2col_wide(xq, taps, oh, ow, pitch, wq, zero_tail, cols):
    """im2col from phase planes (:func:`_fill_phases`, flattened per plane, pitch ``wq``),
    samples side by side, ``lw = oh*pitch`` columns each: tap (c, t) of sample m reads
    that sample's channel c of phase planes from ``taps[t]`` on (``_Layout.taps``).
    With ``pitch == wq`` that is one contiguous run per tap and sample, columns
    ``ox >= ow`` of each output row junk (zeroed if ``zero_tail``); with ``pitch == ow``
    one run of ``ow`` per output row. (Runs of 8 and more are copied through views of
    the flat arrays, which LLVM vectorises; shorter ones by flat index.)"""
    nb, c_in, phases, plane = xq.shape
    ncp = cols.shape[1]
    lw = oh * pitch
    xf, cf = xq.reshape(-1), cols.reshape(-1)
    nt = taps.shape[0]
    for c in range(c_in):
        for tap in range(nt):
            for m in range(nb):
                s0 = (m * c_in + c) * phases * plane + taps[tap]
                d0 = (c * nt + tap) * ncp + m * lw
                if pitch == wq:
                    dst, src = cf[d0:d0 + lw], xf[s0:s0 + lw]
                    for t in range(lw):
                        dst[t] = src[t]
                    if zero_tail:
                        for t in range(ow, lw, wq):
                            for u in range(wq - ow):   # a slice per row costs more
                                dst[t + u] = 0
                elif ow >= 8:
                    for oy in range(oh):
                        d = cf[d0 + oy * pitch:d0 + oy * pitch + ow]
                        sr = xf[s0 + oy * wq:s0 + oy * wq + ow]
                        for t in range(ow):
                            d[t] = sr[t]
                else:
                    for oy in range(oh):
                        da, sa = d0 + oy * pitch, s0 + oy * wq
                        for t in range(ow):
                            cf[da + t] = xf[sa + t]


@lazy_njit(nogil=True)
def _col2im_wide(cols, taps, oh, ow, pitch, wq, dxq):
    """Adjoint of :func:`_im2col_wide`: dxq[m, c] = sum over taps of the shifted runs into
    their phase planes (with ``pitch == wq`` the junk columns of ``cols`` must be zero)."""
    nb, c_in, phases, plane = dxq.shape
    ncp = cols.shape[1]
    lw = oh * pitch
    df, cf = dxq.reshape(-1), cols.reshape(-1)
    df[:] = 0
    nt = taps.shape[0]
    for c in range(c_in):
        for tap in range(nt):
            for m in range(nb):
                s0 = (m * c_in + c) * phases * plane + taps[tap]
                d0 = (c * nt + tap) * ncp + m * lw
                if pitch == wq:
                    dst, src = df[s0:s0 + lw], cf[d0:d0 + lw]
                    for t in range(lw):
                        dst[t] += src[t]
                elif ow >= 8:
                    for oy in range(oh):
                        d = df[s0 + oy * wq:s0 + oy * wq + ow]
                        sr = cf[d0 + oy * pitch:d0 + oy * pitch + ow]
                        for t in range(ow):
                            d[t] += sr[t]
                else:
                    for oy in range(oh):
                        da, sa = s0 + oy * wq, d0 + oy * pitch
                        for t in range(ow):
                            df[da + t] += cf[sa + t]


@lazy_njit(nogil=True)
def _columns_to_output(res, out, n0, n1, groups, kg, kg_pad, lw, pitch):
    """out[n, g*kg + k, oy, ox] = res[g*kg_pad + k, (n - n0)*lw + oy*pitch + ox]: the GEMM's
    result, (channels, columns), to (N, K, OH, OW)."""
    oh, ow = out.shape[2], out.shape[3]
    for n in range(n0, n1):
        for g in range(groups):
            for k in range(kg):
                src = res[g * kg_pad + k, (n - n0) * lw:]
                dst = out[n, g * kg + k]
                for oy in range(oh):
                    s = src[oy * pitch:]
                    d = dst[oy]
                    for t in range(ow):
                        d[t] = s[t]


@lazy_njit(nogil=True)
def _output_to_columns(g, cols, n0, n1, lw, pitch):
    """cols[k, (n - n0)*lw + oy*pitch + ox] = g[n, k, oy, ox], and 0 in the junk columns
    (OW <= ox < pitch): :func:`_columns_to_output`'s inverse, for one group of all K."""
    k_out, oh, ow = g.shape[1], g.shape[2], g.shape[3]
    for n in range(n0, n1):
        for k in range(k_out):
            src = g[n, k]
            dst = cols[k, (n - n0) * lw:]
            for oy in range(oh):
                s = src[oy]
                d = dst[oy * pitch:]
                for t in range(ow):
                    d[t] = s[t]
                for t in range(ow, pitch):
                    d[t] = 0


@lazy_njit(nogil=True)
def _output_to_rows(g, rows, n0, n1, groups, kg, step, lead, pitch):
    """rows[gr, (n - n0)*step + lead + oy*pitch + ox, k] = g[n, gr*kg + k, oy, ox]: the
    transpose of :func:`_output_to_columns`, pixels by channels, per group, ``step`` rows a
    sample from ``lead`` rows in (one sample's wide columns and 0; the column-tap gradient
    leaves zero rows either side). Junk rows (and columns k >= kg) are left as they are
    (zero)."""
    oh, ow = g.shape[2], g.shape[3]
    for n in range(n0, n1):
        for gr in range(groups):
            # one output row at a time, so that the rows of ``rows`` it writes stay in
            # cache while every channel adds its column to them
            for oy in range(oh):
                dst = rows[gr, (n - n0) * step + lead + oy * pitch:]
                for k in range(kg):
                    src = g[n, gr * kg + k, oy]
                    for ox in range(ow):
                        dst[ox, k] = src[ox]


@lazy_njit(nogil=True)
def _transposed(src, out, ni, j_lo, j_hi):
    """out[g, j, i] = src[g, i, j] for i < ni, j_lo <= j < j_hi, strip by strip of 8 rows of
    ``src``, in blocks of 8 by 8, each output run written as eight named loads, which LLVM
    turns into vector shuffles where a loop over the block stays scalar (a strided NumPy
    copy of a large matrix misses the cache on every element)."""
    j_full = j_lo + (j_hi - j_lo) // 8 * 8
    i_full = ni // 8 * 8
    for g in range(src.shape[0]):
        s2, o2 = src[g], out[g]
        for i0 in range(0, i_full, 8):
            for j0 in range(j_lo, j_full, 8):
                for jj in range(j0, j0 + 8):
                    d = o2[jj, i0:i0 + 8]
                    d[0] = s2[i0, jj]
                    d[1] = s2[i0 + 1, jj]
                    d[2] = s2[i0 + 2, jj]
                    d[3] = s2[i0 + 3, jj]
                    d[4] = s2[i0 + 4, jj]
                    d[5] = s2[i0 + 5, jj]
                    d[6] = s2[i0 + 6, jj]
                    d[7] = s2[i0 + 7, jj]
            for j in range(j_full, j_hi):
                for i in range(i0, i0 + 8):
                    o2[j, i] = s2[i, j]
        for i in range(i_full, ni):
            for j in range(j_lo, j_hi):
                o2[j, i] = s2[i, j]


def _transpose(src: np.ndarray, out: np.ndarray, ni: int, nj: int) -> None:
    """out[g, j, i] = src[g, i, j] for i < ni, j < nj, split over the threads by 32
    columns of ``src``, each part copying at least ``_SPLIT_MIN_MACS`` elements (a large
    matrix takes milliseconds, a serial stretch in a parallel call)."""
    threads.parallel_for(lambda lo, hi: _transposed(src, out, ni, 32 * lo, min(nj, 32 * hi)),
                         -(-nj // 32), grain=max(1, _SPLIT_MIN_MACS // (32 * src.shape[0] * ni)))


# --------------------------------------------------------------------------- helpers
def _chunk(rows: int, cols: int, itemsize: int) -> int:
    return max(1, _CHUNK_BYTES // max(1, rows * cols * itemsize))


def _grain(macs_per_sample: int) -> int:
    return max(1, -(-_SPLIT_MIN_MACS // max(1, macs_per_sample)))


def _wide(ow: int, wq: int, stride: tuple) -> bool:
    """Whether the contiguous-run kernels may serve: at most a quarter of each run junk
    (the ``wq - ow`` columns past the end of an output row, ``wq`` the phase planes'
    width), and not for strided convolutions with output rows shorter than 16, whose junk
    costs more GEMM time than copying row by row."""
    return 4 * ow >= 3 * wq and (stride == (1, 1) or ow >= 16)


def _columns_per_chunk(lw: int, rows: int, itemsize: int, nr: int, n: int,
                       weight_bytes: int = 0) -> tuple[int, float]:
    """``(samples, columns per sample)`` of a chunk whose samples have ``lw`` columns
    each, for a GEMM tile ``nr`` columns wide: the fewest samples from the cache-sized
    count (:func:`_chunk`; for a weight of more than ``_STREAMED_WEIGHT_BYTES``, at least
    ``_STREAMED_COLUMNS`` columns) up whose columns, rounded up to a multiple of ``nr``,
    are at most 1/32 padding; failing that, within ``nr`` more samples, the count padding
    least."""
    base = _chunk(rows, lw, itemsize)
    if weight_bytes > _STREAMED_WEIGHT_BYTES:
        base = max(base, -(-_STREAMED_COLUMNS // lw))
    base = min(n, base)
    best = None
    for m in range(base, min(n, base + nr) + 1):
        per = round_up(m * lw, nr) / m
        if best is None or per < best[1]:
            best = (m, per)
        if 32 * (per - lw) <= lw:
            return m, per
    return best


_gemm_module = None


def _gemm():
    """``microkernel`` (its ``gemm`` and tiles), imported on first use (it imports Numba)."""
    global _gemm_module
    if _gemm_module is None:
        from . import microkernel
        _gemm_module = microkernel
    return _gemm_module


def _tile(size: int, itemsize: int, by: str) -> tuple[int, int, int]:
    """``(tile, MR, NR)``: the GEMM tile that pads ``size`` rows (``by="rows"``) or columns
    (``by="cols"``) least, each padded size weighed by ``GEMM_TILE_COST`` (the last tile
    runs slower on some shapes), the first of those that tie."""
    mk = _gemm()
    lanes = mk.VECTOR_BYTES // itemsize
    shapes = [(mr, nv * lanes) for mr, nv in mk.GEMM_TILES]
    cost = mk.GEMM_TILE_COST
    best = min(range(len(shapes)),
               key=lambda t: (round_up(size, shapes[t][0 if by == "rows" else 1]) * cost[t], t))
    return (best,) + shapes[best]


class _Layout:
    """The Numba path's geometry of a chunk: groups G, rows per group R = C/G*kh*kw, Kg
    output channels per group, the column ``pitch`` and ``lw`` per sample (see the
    kernels above), and ``chunk`` samples per chunk.

    ``nr`` is the width of the GEMM tile that will run over the columns (forward and
    input gradient): the pitch and the chunk are chosen so that the columns, rounded up
    to a multiple of ``nr``, hold the fewest junk and padding columns per sample. For the
    weight gradient (``nr=None``) the columns are the GEMM's depth: rows are pitched at
    the output width or, with little junk (``_JUNK_MACS``), wide, and a large gradient takes
    chunks at least ``_MIN_DEPTH`` deep. ``in_place``: the GEMM reads wide columns where they
    lie in the phase planes (``rows()``) instead of an im2col copy."""

    def __init__(self, geo: ConvGeometry, itemsize: int, nr: int | None = None):
        n, c, h, w = geo.input_shape
        k, cg, self.kh, self.kw = geo.weight_shape
        self.s, self.p, self.d, (self.oh, self.ow) = geo.stride, geo.padding, geo.dilation, geo.out_hw
        self.c, self.h, self.w = c, h, w
        self.groups, self.kg, self.r = geo.groups, k // geo.groups, cg * self.kh * self.kw
        # phase planes (:func:`_fill_phases`): hq rows (one spare, which keeps the last
        # run of :func:`_im2col_wide` in bounds) of pitch wq
        self.hq = -(-(h + 2 * self.p[0]) // self.s[0]) + 1
        self.wq = -(-(w + 2 * self.p[1]) // self.s[1])
        rows = c * self.kh * self.kw
        if nr is None:
            self.wide = (_wide(self.ow, self.wq, self.s)
                         and (self.wq - self.ow) * self.kg <= _JUNK_MACS * self.wq)
            self.pitch = self.wq if self.wide else self.ow
            self.lw = self.oh * self.pitch
            self.chunk = _chunk(rows, self.lw, itemsize)
            if self.groups * self.r * self.kg * itemsize > _LARGE_GRADIENT_BYTES:
                self.chunk = max(self.chunk, -(-_MIN_DEPTH // self.lw))
            # its GEMM reads wide columns in place (``gemm_gather_a``) one sample deep at a
            # time, reading and writing dw's tiles once a sample: only where a copy costs
            # more, for short rows or samples _GATHER_MIN_DEPTH deep
            self.in_place = self.wide and (self.ow < 16 or self.lw >= _GATHER_MIN_DEPTH)
        else:
            weight = k * self.r * itemsize
            narrow = _columns_per_chunk(self.oh * self.ow, rows, itemsize, nr, n, weight)
            self.wide = _wide(self.ow, self.wq, self.s)
            if self.wide:
                wide = _columns_per_chunk(self.oh * self.wq, rows, itemsize, nr, n, weight)
                self.wide = wide[1] <= narrow[1] * _WIDE_SLACK
            self.pitch = self.wq if self.wide else self.ow
            self.lw = self.oh * self.pitch
            self.chunk = (wide if self.wide else narrow)[0]
            # the GEMM reads wide columns in place (``gemm_gather``), one sample at a
            # time, when rounding a sample's columns up to whole tiles wastes little
            self.in_place = (self.wide
                             and _GATHER_WASTE * (round_up(self.lw, nr) - self.lw) <= self.lw)
        self.grain = _grain(k * self.r * self.oh * self.ow)
        # the phase planes some tap reads (a 1x1 kernel at stride 2 reads one of four)
        (sh, sw), (dh, dw) = self.s, self.d
        self.used = np.zeros(sh * sw, np.bool_)
        for i in range(self.kh):
            for j in range(self.kw):
                self.used[(i * dh % sh) * sw + j * dw % sw] = True
        # where tap (i, j) starts reading a sample's channel of phase planes: in the plane
        # of phase (i*dh % sh, j*dw % sw), at row i*dh // sh and column j*dw // sw
        plane = self.hq * self.wq
        self.taps = np.array([((i * dh % sh) * sw + j * dw % sw) * plane
                              + (i * dh // sh) * self.wq + j * dw // sw
                              for i in range(self.kh) for j in range(self.kw)], np.int64)

    def phases(self, m: int, dtype, spare: int = 0, zeros: bool = True) -> np.ndarray:
        """A per-thread buffer of phase planes for ``m`` samples (and ``spare`` elements
        after them, which a GEMM reading whole tiles past a sample's last run may touch):
        zeros, the padding that :meth:`fill` leaves as it is, or uninitialised (``zeros``
        false) for :meth:`col2im`, which zeroes it itself."""
        shape = (m, self.c, self.s[0] * self.s[1], self.hq, self.wq)
        alloc = np.zeros if zeros else np.empty
        if not spare:
            return alloc(shape, dtype)
        return alloc(math.prod(shape) + spare, dtype)[:-spare].reshape(shape)

    def rows(self) -> np.ndarray:
        """Where each GEMM row (c, tap) of one group starts in a sample's phase planes: the
        im2col columns of :meth:`im2col`, wide, read in place (``microkernel.gemm_gather``)."""
        plane = self.s[0] * self.s[1] * self.hq * self.wq
        cg = self.r // (self.kh * self.kw)
        return (np.arange(cg, dtype=np.int64)[:, None] * plane + self.taps[None, :]).reshape(-1)

    def fill(self, x: np.ndarray, a: int, b: int, xq: np.ndarray) -> np.ndarray:
        """The phase planes of samples a..b of ``x``, written into ``xq`` (returned). At
        stride 1 the one plane is the padded input: one NumPy copy into its middle (9.5 us
        for 16 samples of 8 channels at 14x14, where the kernel's copies plane by plane
        took 17)."""
        (sh, sw), (ph, pw) = self.s, self.p
        xq = xq[:b - a]
        if sh == sw == 1:
            xq[:, :, 0, ph:ph + self.h, pw:pw + self.w] = x[a:b]
        else:
            _fill_phases(x, a, b, sh, sw, ph, pw, self.used, xq)
        return xq

    def im2col(self, x: np.ndarray, a: int, b: int, xq: np.ndarray, cols: np.ndarray,
               zero_tail: bool) -> None:
        """Columns of samples a..b of ``x`` into ``cols`` (rows: taps)."""
        xq = self.fill(x, a, b, xq)
        _im2col_wide(xq.reshape(b - a, self.c, self.s[0] * self.s[1], -1), self.taps, self.oh,
                     self.ow, self.pitch, self.wq, zero_tail, cols)

    def col2im(self, cols: np.ndarray, a: int, b: int, dxq: np.ndarray, dx: np.ndarray) -> None:
        """dx of samples a..b from the columns ``cols`` (:meth:`im2col`'s adjoint)."""
        (sh, sw), (ph, pw) = self.s, self.p
        dxq = dxq[:b - a]
        _col2im_wide(cols, self.taps, self.oh, self.ow, self.pitch, self.wq,
                     dxq.reshape(b - a, self.c, sh * sw, -1))
        _gather_phases(dxq, a, b, sh, sw, ph, pw, dx)


def _im2col_numpy(x: np.ndarray, kh: int, kw: int, s, p, d, ohw) -> np.ndarray:
    """(N, C*kh*kw, OH*OW) im2col matrix built from a strided window view."""
    if p[0] or p[1]:
        x = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    n, c = x.shape[:2]
    sn, sc, sh_, sw_ = x.strides
    view = as_strided(x, (n, c, kh, kw) + ohw,
                      (sn, sc, sh_ * d[0], sw_ * d[1], sh_ * s[0], sw_ * s[1]), writeable=False)
    return view.reshape(n, c * kh * kw, ohw[0] * ohw[1])


def _dense(geo: ConvGeometry) -> bool:
    """Whether the kernel covers the whole input once (one output pixel, no padding, no
    dilation, one group), as in a DCGAN's last discriminator layer and first generator
    layer: the convolution is then a matrix product of the flattened samples and the
    flattened weight, for BLAS, with no columns to build."""
    return (geo.out_hw == (1, 1) and geo.padding == (0, 0) and geo.dilation == (1, 1)
            and geo.groups == 1 and geo.input_shape[2:] == geo.weight_shape[2:])


def _product(a: np.ndarray, b: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """``np.matmul(a, b)`` for a convolution done as BLAS products (``_dense``,
    ``_pointwise``), on one BLAS thread while the host is busy, as ``ops.linalg``'s
    products (``threads.blas_single_if_busy``)."""
    k, cg, kh, kw = geo.weight_shape
    macs = geo.output_shape[0] * k * cg * kh * kw * geo.out_hw[0] * geo.out_hw[1]
    with threads.blas_single_if_busy(macs):
        return np.matmul(a, b)


def _pointwise(geo: ConvGeometry) -> bool:
    """Whether the convolution is a 1x1 kernel, unpadded, in one group (the pointwise layers
    of MobileNet, ShuffleNet, ResNet-50's bottlenecks; at stride 2, ResNet's shortcuts):
    each sample is then a (K, C) @ (C, OH*OW) product, for BLAS, of the input where it lies
    or, at a stride, of its pixels the kernel visits, copied once; no columns to build (see
    ``benchmarks/README.md``, "pointwise convolutions")."""
    return geo.weight_shape[2:] == (1, 1) and geo.padding == (0, 0) and geo.groups == 1


def _visited(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """The pixels a pointwise convolution reads, (N, C, OH*OW)."""
    n, c = x.shape[:2]
    if geo.stride != (1, 1):
        x = np.ascontiguousarray(x[:, :, ::geo.stride[0], ::geo.stride[1]])
    return x.reshape(n, c, -1)


# The pointwise weight gradient sums one (K, C) product per sample: in blocks of samples
# whose products take at most this many bytes; with fewer than _POINTWISE_MIN_DEPTH pixels
# a sample (too shallow a product), as one product over all the samples' pixels instead.
_POINTWISE_BLOCK_BYTES = 8 * 1024 * 1024
_POINTWISE_MIN_DEPTH = 32


def _pointwise_backward_weight(g: np.ndarray, x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    x3 = _visited(x, geo)
    n, c, hw = x3.shape
    k = geo.weight_shape[0]
    g3 = g.reshape(n, k, hw)
    if hw < _POINTWISE_MIN_DEPTH:    # (K, N*HW) @ (N*HW, C), both operands copied
        g2 = np.ascontiguousarray(g3.transpose(1, 0, 2)).reshape(k, n * hw)
        x2 = np.ascontiguousarray(x3.transpose(0, 2, 1)).reshape(n * hw, c)
        return _product(g2, x2, geo).reshape(geo.weight_shape)
    block = max(1, _POINTWISE_BLOCK_BYTES // (k * c * g.itemsize))
    dw = _product(g3[:block], x3[:block].transpose(0, 2, 1), geo).sum(axis=0)
    for a in range(block, n, block):
        dw += _product(g3[a:a + block], x3[a:a + block].transpose(0, 2, 1), geo).sum(axis=0)
    return dw.reshape(geo.weight_shape)


def _tiny_gradient(geo: ConvGeometry) -> bool:
    """Whether the weight gradient is small: one group, at most ``_TINY_ROWS`` rows
    (C*kh*kw: a first layer of one to three input channels) and ``_TINY_CHANNELS`` output
    channels. Its GEMM would fill our register tiles mostly with padding (the Fashion-MNIST
    CNN's 1 -> 16 3x3 layer: 9 rows by 16, 0.73 ms a call on one thread), where BLAS's
    per-sample products of the columns take 0.32 (PyTorch 0.37); on one thread they won on
    every such layer measured, up to 3 -> 64 channels 3x3 at 32x32 (3.0 against 5.0 ms;
    ``benchmarks/README.md``)."""
    k, cg, kh, kw = geo.weight_shape
    return geo.groups == 1 and k <= _TINY_CHANNELS and cg * kh * kw <= _TINY_ROWS


_TINY_ROWS = 32
_TINY_CHANNELS = 64


def _tiny_backward_weight(g: np.ndarray, x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """``_pointwise_backward_weight``'s sum of per-sample products, over the im2col columns
    of ``_im2col_numpy`` (C*kh*kw, OH*OW) a sample, in blocks of samples whose columns take
    at most ``_POINTWISE_BLOCK_BYTES``; each thread sums an even share of the samples (BLAS
    on one thread meanwhile), and the sums are added."""
    n, c = x.shape[:2]
    k, _, kh, kw = geo.weight_shape
    r, pixels = c * kh * kw, geo.out_hw[0] * geo.out_hw[1]
    block = max(1, _POINTWISE_BLOCK_BYTES // (r * pixels * x.itemsize))
    sums: list = []

    def part(lo: int, hi: int) -> None:
        dw = np.zeros((k, r), x.dtype)
        for a in range(lo, hi, block):
            b = min(a + block, hi)
            cols = _im2col_numpy(x[a:b], kh, kw, geo.stride, geo.padding, geo.dilation,
                                 geo.out_hw)
            dw += np.matmul(g[a:b].reshape(-1, k, pixels), cols.transpose(0, 2, 1)).sum(axis=0)
        sums.append(dw)

    threads.parallel_for(part, n, grain=_grain(k * r * pixels), blas_single=True)
    dw = sums[0]
    for extra in sums[1:]:
        dw += extra
    return dw.reshape(geo.weight_shape)


# --------------------------------------------------------------------------- forward
def _forward_numpy(x, w, geo):
    s, p, d, groups, ohw = geo.stride, geo.padding, geo.dilation, geo.groups, geo.out_hw
    n = x.shape[0]
    k, cg, kh, kw = w.shape
    r, l = cg * kh * kw, ohw[0] * ohw[1]
    cols = _im2col_numpy(x, kh, kw, s, p, d, ohw).reshape(n, groups, r, l)
    out = np.matmul(w.reshape(groups, k // groups, r), cols)      # (N, G, Kg, L)
    return out.reshape((n, k) + ohw)


def _forward_numba(x, w, geo):
    """Per chunk: im2col (rows: taps, columns: pixels), one GEMM per group with the weight
    as A, and the result copied into the output. With wide columns the GEMM reads them
    in the phase planes, one sample at a time, and there is no im2col copy."""
    mk = _gemm()
    tile, mr, nr = _tile(geo.weight_shape[0] // geo.groups, x.itemsize, "rows")
    lay = _Layout(geo, x.itemsize, nr)
    g_, kg, r = lay.groups, lay.kg, lay.r
    kg_pad = round_up(kg, mr)
    if kg_pad == kg and w.flags.c_contiguous:                 # A: the weight where it lies
        wflat = w.reshape(-1)
    else:                                                     # A: rows past Kg are zero
        wpk = np.empty((g_, kg_pad, r), x.dtype)
        wpk[:, :kg] = w.reshape(g_, kg, r)
        wpk[:, kg:] = 0
        wflat = wpk.reshape(-1)
    out = np.empty(geo.output_shape, x.dtype)

    def part_in_place(lo: int, hi: int) -> None:
        m = min(lay.chunk, hi - lo)
        n = round_up(lay.lw, nr)                    # one sample's columns, whole tiles
        ncp = (m - 1) * lay.lw + n                   # a sample's last tile spills into the next
        res = np.empty((g_ * kg_pad, ncp), x.dtype)
        xq = lay.phases(m, x.dtype, spare=n - lay.lw)
        flat = xq.base if xq.base is not None else xq.reshape(-1)
        sample, group = xq[0].size, xq[0].size // g_
        for a in range(lo, hi, lay.chunk):
            b = min(a + lay.chunk, hi)
            lay.fill(x, a, b, xq)
            mk.gemm_gather(wflat, flat, res.reshape(-1), rows, kg_pad, n, r, r, 0, sample, 0,
                           lay.lw, ncp, b - a, tile, g_, kg_pad * r, group, kg_pad * ncp)
            _columns_to_output(res, out, a, b, g_, kg, kg_pad, lay.lw, lay.pitch)

    def part(lo: int, hi: int) -> None:
        m = min(lay.chunk, hi - lo)
        ncp = round_up(m * lay.lw, nr)
        # every column a sample has is written by im2col; the GEMM's last tile reads the
        # columns past them (results dropped), zero so that they hold no subnormals
        cols = np.empty((g_ * r, ncp), x.dtype)
        cols[:, m * lay.lw:] = 0
        res = np.empty((g_ * kg_pad, ncp), x.dtype)
        xq = lay.phases(m, x.dtype)
        for a in range(lo, hi, lay.chunk):
            b = min(a + lay.chunk, hi)
            lay.im2col(x, a, b, xq, cols, False)
            mk.gemm(wflat, cols.reshape(-1), res.reshape(-1), kg_pad,
                    round_up((b - a) * lay.lw, nr), r, 0, r, 1, 0, ncp, 0, ncp, 0, tile,
                    g_, kg_pad * r, r * ncp, kg_pad * ncp)
            _columns_to_output(res, out, a, b, g_, kg, kg_pad, lay.lw, lay.pitch)

    if lay.in_place:
        rows = lay.rows()
        threads.parallel_for(part_in_place, geo.input_shape[0], grain=lay.grain, piece=lay.chunk)
    else:
        threads.parallel_for(part, geo.input_shape[0], grain=lay.grain, piece=lay.chunk)
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
    elif _dense(g):   # (N, CHW) @ (CHW, K)
        out = _product(x.reshape(x.shape[0], -1), weight.reshape(weight.shape[0], -1).T, g)
        out = out.reshape(g.output_shape)
    elif _pointwise(g):   # (K, C) @ (N, C, OH*OW)
        out = _product(weight.reshape(g.weight_shape[:2]), _visited(x, g), g)
        out = out.reshape(g.output_shape)
    elif dispatch.choose_path() == "numba":
        if winograd.applies(g, dtype):
            out = winograd.forward(x, weight, g)
        else:
            out = (depthwise_forward if is_depthwise(g) else _forward_numba)(x, weight, g)
    else:
        out = _forward_numpy(x, weight, g)
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out


# --------------------------------------------------------------------------- backward (input)
def _backward_input_numpy(g, w, geo):
    s, p, d, groups, ohw = geo.stride, geo.padding, geo.dilation, geo.groups, geo.out_hw
    n, c, h, wd = geo.input_shape
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


def _adjoint_geometry(geo: ConvGeometry) -> ConvGeometry | None:
    """The forward convolution that computes ``geo``'s input gradient, or None. With stride
    1 the input gradient is ``grad_out`` padded by ``d*(k-1) - p`` and correlated with the
    weight flipped in space, its channel axes swapped per group, dilation kept (while
    ``p <= d*(k-1)``)."""
    k, cg, kh, kw = geo.weight_shape
    (ph, pw), (dh, dw) = geo.padding, geo.dilation
    if geo.stride != (1, 1) or ph > dh * (kh - 1) or pw > dw * (kw - 1):
        return None
    return conv2d_geometry(geo.output_shape, (geo.input_shape[1], k // geo.groups, kh, kw), 1,
                           (dh * (kh - 1) - ph, dw * (kw - 1) - pw), (dh, dw), geo.groups)


def _adjoint_pays(geo: ConvGeometry, adjoint: ConvGeometry, itemsize: int) -> bool:
    """Whether the adjoint forward beats the GEMM into columns and col2im: it must read its
    columns in place, and its GEMM rows, the input channels rounded up to its tile, must
    not waste more than this GEMM's, the channels times the taps (an RGB stem's 3 channels
    round up to 6 or 8 rows a tap, where 27 rows round up to 30)."""
    cg, taps = geo.weight_shape[1], geo.weight_shape[2] * geo.weight_shape[3]
    _, mr, nr = _tile(cg, itemsize, "rows")
    mr_own = _tile(cg * taps, itemsize, "rows")[1]
    return (round_up(cg, mr) * taps * 8 <= round_up(cg * taps, mr_own) * 9
            and _Layout(adjoint, itemsize, nr).in_place)


def _backward_input_as_forward(g, w, adjoint):
    """The input gradient as the forward convolution ``adjoint`` (:func:`_adjoint_geometry`),
    on the forward's kernels, which read their columns in place: no GEMM into columns
    and col2im."""
    groups = adjoint.groups
    k, cg, kh, kw = w.shape
    flipped = w.reshape(groups, k // groups, cg, kh, kw)[:, :, :, ::-1, ::-1]
    flipped = np.ascontiguousarray(flipped.transpose(0, 2, 1, 3, 4)).reshape(adjoint.weight_shape)
    return _forward_numba(g, flipped, adjoint)


def _weight_transposed(mk) -> bool:
    """Whether the input gradient's GEMM reads the weight copied transposed (row-major A)
    rather than where it lies. Read in place, a tile's rows at one depth share a cache
    line and the next depth is R elements on, a power of two apart in most networks, so
    a panel's depths crowd one set of the L1 cache. On an AVX2 host (32 KB, 8-way L1) that
    halved the GEMM (256 -> 512 at 8x8, k4 s2: 63 -> 48 ms with the copy; 128 -> 256 at
    16x16: 46 -> 29); on the AVX-512 hosts measured before (48 KB, 12-way), the copy cost
    more than it saved (DCGAN's 512 -> 256 4x4 layer 7.1 ms copied, 4.5 in place)."""
    return mk.VECTOR_BYTES < 64


def _backward_input_numba(g, w, geo):
    """Per chunk: the output gradient as GEMM columns (junk columns zero), one GEMM per
    group with the transposed weight as A, and col2im of the result into dx."""
    mk = _gemm()
    k, cg, kh, kw = geo.weight_shape
    tile, mr, nr = _tile(cg * kh * kw, g.itemsize, "rows")
    lay = _Layout(geo, g.itemsize, nr)
    g_, kg, r = lay.groups, lay.kg, lay.r
    r_pad = round_up(r, mr)
    # A is the weight transposed: row i, column k of group gr at gr*Kg*R + k*R + i where
    # it lies (lda 1, depth stride R), or, where ``_weight_transposed`` says, copied once
    # per call into (G, R, Kg) row-major (lda Kg, depth stride 1). Rows R..r_pad read into
    # the next group's rows, or into the zeros appended here for the last group, and give
    # result rows that are dropped.
    if _weight_transposed(mk):
        wa = np.empty(g_ * r * kg + (r_pad - r) * kg, g.dtype)
        wa[g_ * r * kg:] = 0
        _transpose(np.ascontiguousarray(w, g.dtype).reshape(g_, kg, r),
                   wa[:g_ * r * kg].reshape(g_, r, kg), kg, r)
        lda, aks = kg, 1
    else:
        wa = np.ascontiguousarray(w, g.dtype).reshape(-1)
        if r_pad > r:
            wa = np.concatenate([wa, np.zeros(r_pad - r, g.dtype)])
        lda, aks = 1, r
    dx = np.empty(geo.input_shape, g.dtype)

    def part(lo: int, hi: int) -> None:
        m = min(lay.chunk, hi - lo)
        ncp = round_up(m * lay.lw, nr)
        gcols = np.empty((g_ * kg, ncp), g.dtype)      # written up to m*lw; the tail read as
        gcols[:, m * lay.lw:] = 0                      # in the forward
        # group gr writes rows gr*R .. gr*R + r_pad: past its own, into the next group's
        # rows (which that group's GEMM writes afterwards) or the spare rows at the end
        cols = np.empty((g_ * r + r_pad - r, ncp), g.dtype)
        dxq = lay.phases(m, g.dtype, zeros=False)
        for a in range(lo, hi, lay.chunk):
            b = min(a + lay.chunk, hi)
            _output_to_columns(g, gcols, a, b, lay.lw, lay.pitch)
            mk.gemm(wa, gcols.reshape(-1), cols.reshape(-1), r_pad,
                    round_up((b - a) * lay.lw, nr), kg, 0, lda, aks, 0, ncp, 0, ncp, 0,
                    tile, g_, r * kg, kg * ncp, r * ncp)
            lay.col2im(cols, a, b, dxq, dx)

    threads.parallel_for(part, geo.input_shape[0], grain=lay.grain, piece=lay.chunk)
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
    if _dense(g):   # (N, K) @ (K, CHW)
        return _product(grad_out.reshape(grad_out.shape[0], -1),
                        weight.reshape(weight.shape[0], -1), g).reshape(g.input_shape)
    if _pointwise(g):   # (C, K) @ (N, K, OH*OW), at the pixels the kernel visits
        dx = _product(weight.reshape(g.weight_shape[:2]).T,
                      grad_out.reshape(grad_out.shape[:2] + (-1,)), g)
        if g.stride == (1, 1):
            return dx.reshape(g.input_shape)
        full = np.zeros(g.input_shape, grad_out.dtype)
        full[:, :, ::g.stride[0], ::g.stride[1]] = dx.reshape(g.input_shape[:2] + g.out_hw)
        return full
    if dispatch.choose_path() == "numpy":
        return _backward_input_numpy(grad_out, weight, g)
    if is_depthwise(g):
        return depthwise_backward_input(grad_out, weight, g)
    if winograd.applies(g, grad_out.dtype):
        return winograd.backward_input(grad_out, weight, g)
    adjoint = _adjoint_geometry(g)
    if adjoint is not None and _adjoint_pays(g, adjoint, grad_out.itemsize):
        return _backward_input_as_forward(grad_out, weight, adjoint)
    return _backward_input_numba(grad_out, weight, g)


# --------------------------------------------------------------------------- backward (weight)
def _backward_weight_numpy(g, x, geo):
    s, p, d, groups, ohw = geo.stride, geo.padding, geo.dilation, geo.groups, geo.out_hw
    n = x.shape[0]
    k, cg, kh, kw = geo.weight_shape
    r, l, kg = cg * kh * kw, ohw[0] * ohw[1], k // groups
    cols = _im2col_numpy(x, kh, kw, s, p, d, ohw).reshape(n, groups, r, l)
    g_v = g.reshape(n, groups, kg, l)
    # one GEMM per sample and group, then a sum over the batch (np.tensordot here falls
    # off BLAS for the transposed copies it makes)
    dw = np.matmul(g_v, cols.transpose(0, 1, 3, 2)).sum(axis=0)
    return dw.reshape(geo.weight_shape)


def _shifted_tile(lay: _Layout, itemsize: int) -> tuple | None:
    """``(tile, MR)`` for :func:`_shifted_backward_weight`, or None where it does not serve
    (one group of one vector of output channels, kw a tile's vectors; stride and dilation
    1, wide columns read in place) or the plain form pads less (as ``_tile`` weighs)."""
    mk = _gemm()
    lanes = mk.VECTOR_BYTES // itemsize
    if not (lay.in_place and lay.groups == 1 and lay.s == (1, 1) and lay.d == (1, 1)
            and lay.kg == lanes):
        return None
    tiles = [t for t, (_, nv) in enumerate(mk.GEMM_TILES) if nv == lay.kw]
    if not tiles:
        return None
    tile = tiles[0]
    mr = mk.GEMM_TILES[tile][0]
    old, mr0, nr0 = _tile(lay.kg, itemsize, "cols")
    cost = mk.GEMM_TILE_COST
    shifted = round_up(lay.c * lay.kh, mr) * lay.kw * lanes * cost[tile] * (lay.lw + lay.kw - 1)
    plain = round_up(lay.r, mr0) * round_up(lay.kg, nr0) * cost[old] * lay.lw
    return (tile, mr) if shifted < plain else None


def _shifted_backward_weight(g, x, lay: _Layout, tile: int, mr: int) -> np.ndarray:
    """The filters' gradient with the column taps moved from A to B. In the wide columns a
    tap (i, j) reads the tap (i, 0)'s run j elements further on, so

        dw[k, c, i, j] = sum over p of xq[c, i*pitch + p] * dy[k, p - j]

    (dy of the wide pixels, zero at junk ones and outside the sample): one GEMM of the
    C*kh rows of taps (i, 0), read in place (``gemm_gather_a``), by kw column blocks of
    one vector each, block j the pixel-major dy moved down j rows: the tile reads them
    from one copy (``shift``). A 3x3 layer of 16 output channels (float32) makes 3C rows
    by 48 columns, where the plain form's 9C rows by 16 padded to the narrowest tile's
    32 doubled the work (64x8x14x14 -> 16: 0.78 -> 0.47-0.50 ms on one thread,
    benchmarks/README.md)."""
    mk = _gemm()
    kg, kw, c, kh = lay.kg, lay.kw, lay.c, lay.kh
    m, n_cols = c * kh, kg * kw
    m_pad = round_up(m, mr)
    depth = lay.lw + kw - 1          # the pixels p of a sample: p - j over every j
    step = lay.lw + 2 * (kw - 1)     # B's rows a sample: kw - 1 zero rows either side
    plane = lay.hq * lay.wq
    table = np.zeros(m_pad, np.int64)   # rows past m read the first plane, are dropped
    table[:m] = (np.arange(c, dtype=np.int64)[:, None] * plane
                 + np.arange(kh, dtype=np.int64)[None, :] * lay.wq).reshape(-1)
    partials = []

    def part(lo: int, hi: int) -> None:
        chunk = min(lay.chunk, hi - lo)
        rows = np.zeros((1, chunk * step, kg), x.dtype)
        acc = np.zeros((m_pad, n_cols), x.dtype)
        xq = lay.phases(chunk, x.dtype)
        sample = xq[0].size
        for a in range(lo, hi, lay.chunk):
            b = min(a + lay.chunk, hi)
            lay.fill(x, a, b, xq)
            _output_to_rows(g, rows, a, b, 1, kg, step, kw - 1, lay.pitch)
            mk.gemm_gather_a(xq.reshape(-1), rows.reshape(-1), acc.reshape(-1), table, m_pad,
                             n_cols, depth, 0, sample, 0, (kw - 1) * kg, step * kg, kg, 0,
                             n_cols, 0, b - a, tile, 1, True)
        partials.append(acc)

    threads.parallel_for(part, g.shape[0], grain=lay.grain)
    acc = partials[0]
    for extra in partials[1:]:
        acc += extra
    # acc[(c, i), j*K + k] -> dw[k, c, i, j]
    return np.ascontiguousarray(acc[:m].reshape(c, kh, kw, kg).transpose(3, 0, 1, 2))


def _backward_weight_numba(g, x, geo):
    """Per chunk: im2col (junk columns zero) as A, the output gradient transposed (pixels
    by channels) as B, one GEMM per group accumulating dw transposed, (R, Kg)."""
    mk, lay = _gemm(), _Layout(geo, x.itemsize)
    g_, kg, r = lay.groups, lay.kg, lay.r
    tile, mr, nr = _tile(kg, x.itemsize, "cols")
    kg_pad, r_pad = round_up(kg, nr), round_up(r, mr)
    # wide columns' junk meets zero rows of B: read in place, it must not be inf or NaN
    # (copied, it is zeroed)
    in_place = lay.in_place and np.isfinite(x).all()
    shifted = _shifted_tile(lay, x.itemsize) if in_place else None
    if shifted is not None:
        return _shifted_backward_weight(g, x, lay, *shifted)
    partials = []

    def part_in_place(lo: int, hi: int) -> None:
        m = min(lay.chunk, hi - lo)
        ncp = m * lay.lw
        rows = np.zeros((g_, ncp, kg_pad), x.dtype)
        acc = np.zeros((g_, r_pad, kg_pad), x.dtype)
        xq = lay.phases(m, x.dtype)
        sample = xq[0].size
        for a in range(lo, hi, lay.chunk):
            b = min(a + lay.chunk, hi)
            lay.fill(x, a, b, xq)
            _output_to_rows(g, rows, a, b, g_, kg, lay.lw, 0, lay.pitch)
            mk.gemm_gather_a(xq.reshape(-1), rows.reshape(-1), acc.reshape(-1), table, r_pad,
                             kg_pad, lay.lw, 0, sample, sample // g_, 0, lay.lw * kg_pad,
                             kg_pad, ncp * kg_pad, kg_pad, r_pad * kg_pad, b - a, tile, g_, False)
        partials.append(acc)

    def part(lo: int, hi: int) -> None:
        m = min(lay.chunk, hi - lo)
        ncp = m * lay.lw
        # A: group gr's rows gr*R .. gr*R + r_pad (rows past R give rows of the result
        # that are dropped); B: junk rows and columns past Kg stay zero
        # (im2col writes every row below G*R, zeroing junk columns; the spare rows past it
        # are zeroed here; the first chunk's GEMM writes acc, the others add to it)
        cols = np.empty((g_ * r + r_pad - r, ncp), x.dtype)
        cols[g_ * r:] = 0
        rows = np.zeros((g_, ncp, kg_pad), x.dtype)
        acc = np.empty((g_, r_pad, kg_pad), x.dtype)
        xq = lay.phases(m, x.dtype)
        for a in range(lo, hi, lay.chunk):
            b = min(a + lay.chunk, hi)
            lay.im2col(x, a, b, xq, cols, lay.wide)
            _output_to_rows(g, rows, a, b, g_, kg, lay.lw, 0, lay.pitch)
            mk.gemm(cols.reshape(-1), rows.reshape(-1), acc.reshape(-1), r_pad, kg_pad,
                    (b - a) * lay.lw, 0, ncp, 1, 0, kg_pad, 0, kg_pad, int(a > lo), tile,
                    g_, r * ncp, ncp * kg_pad, r_pad * kg_pad)
        partials.append(acc)

    # A large gradient on several threads is split by output channels instead: each
    # thread would otherwise fill and sum a copy of it for its share of the samples. That
    # holds every sample's columns at once, so only while they are few enough.
    all_columns = (g_ * r + r_pad - r) * geo.input_shape[0] * lay.lw * x.itemsize
    by_channels = (not in_place and threads.get_num_threads() > 1 and kg_pad >= 2 * nr
                   and g_ * r_pad * kg_pad * x.itemsize > _LARGE_GRADIENT_BYTES
                   and all_columns <= _BY_CHANNELS_MAX_BYTES)
    if by_channels:
        acc = _weight_gradient_by_channels(mk, lay, g, x, tile, r_pad, kg_pad, nr)
    else:
        if in_place:
            table = np.zeros(r_pad, np.int64)        # rows past R read anything, are dropped
            table[:r] = lay.rows()
            threads.parallel_for(part_in_place, geo.input_shape[0], grain=lay.grain)
        else:
            threads.parallel_for(part, geo.input_shape[0], grain=lay.grain)
        acc = partials[0]
        for extra in partials[1:]:
            acc += extra
    dw = np.empty((g_, kg, r), x.dtype)
    _transpose(acc, dw, r, kg)
    return dw.reshape(geo.weight_shape)


def _weight_gradient_by_channels(mk, lay: _Layout, g, x, tile: int, r_pad: int, kg_pad: int,
                                 nr: int) -> np.ndarray:
    """dw transposed, (G, r_pad, kg_pad), computed in two parallel passes: the columns and
    the pixel-major output gradient of all samples (split by samples), then the GEMM split
    by blocks of output channels, each block over every sample, into one accumulator."""
    g_, kg, r = lay.groups, lay.kg, lay.r
    parts: dict = {}

    def columns(lo: int, hi: int) -> None:
        ncp = (hi - lo) * lay.lw
        cols = np.zeros((g_ * r + r_pad - r, ncp), x.dtype)
        rows = np.zeros((g_, ncp, kg_pad), x.dtype)
        lay.im2col(x, lo, hi, lay.phases(hi - lo, x.dtype), cols, lay.wide)
        _output_to_rows(g, rows, lo, hi, g_, kg, lay.lw, 0, lay.pitch)
        parts[lo] = (cols, rows)

    threads.parallel_for(columns, x.shape[0], grain=lay.grain)
    acc = np.empty((g_, r_pad, kg_pad), x.dtype)

    def product(lo: int, hi: int) -> None:
        for i, key in enumerate(sorted(parts)):
            cols, rows = parts[key]
            ncp = cols.shape[1]
            mk.gemm(cols.reshape(-1), rows.reshape(-1), acc.reshape(-1), r_pad, (hi - lo) * nr,
                    ncp, 0, ncp, 1, lo * nr, kg_pad, lo * nr, kg_pad, int(i > 0), tile,
                    g_, r * ncp, ncp * kg_pad, r_pad * kg_pad)

    threads.parallel_for(product, kg_pad // nr)
    return acc


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
    if _dense(g):   # (K, N) @ (N, CHW)
        return _product(grad_out.reshape(grad_out.shape[0], -1).T,
                        x.reshape(x.shape[0], -1), g).reshape(g.weight_shape)
    if _pointwise(g):   # sum over N of (K, OH*OW) @ (OH*OW, C)
        return _pointwise_backward_weight(grad_out, x, g)
    if dispatch.choose_path() == "numpy":
        return _backward_weight_numpy(grad_out, x, g)
    if winograd.applies(g, grad_out.dtype):
        return winograd.backward_weight(grad_out, x, g)
    if _tiny_gradient(g):
        return _tiny_backward_weight(grad_out, x, g)
    return (depthwise_backward_weight if is_depthwise(g) else _backward_weight_numba)(grad_out, x, g)
