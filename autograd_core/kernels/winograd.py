"""3x3 convolutions of stride 1 by Winograd's minimal filtering F(2x2, 3x3): each 2x2 block
of outputs from a 4x4 tile of the input, with 16 multiplies per channel pair where the
direct convolution takes 36 (Lavin and Gray, "Fast Algorithms for Convolutional Neural
Networks", 2015). Plain arrays in and out, as the other kernels.

With ``d`` an input tile and ``g`` a filter, the tile's outputs are ``A^T [(G g G^T) * (B^T
d B)] A``. The filters are transformed once (``U``, 16 numbers per input and output channel),
the tiles once (``V``, 16 per tile and channel), and at each of the 16 positions the sum over
input channels is one matrix product, ``M[xi] = V[xi] @ U[xi]`` (tiles by output channels),
for BLAS; the output transform then adds the 16 products of each tile into its 2x2
outputs. The transforms' constants are 0, +-1 and 1/2, exact in binary;
float32 results agree with float64 to a few 1e-7 of the largest output, as the direct
convolution's do.

The filters' gradient follows the chain rule through the same form: ``G^T [sum over tiles of
(A dy A^T) * (B^T d B)] G`` for the output gradient's 2x2 blocks ``dy``, the sum again 16
matrix products.

PyTorch's oneDNN convolutions do fewer multiplies than a direct convolution at stride 1 too
(``benchmarks/README.md``, "the Zen 4 host"). ``conv.conv2d_forward``,
``conv.conv2d_backward_input`` and ``conv.conv2d_backward_weight`` take this path where
:func:`applies` says so.

>>> import numpy as np
>>> x = np.arange(2 * 3 * 5 * 5, dtype=np.float32).reshape(2, 3, 5, 5) / 50
>>> w = np.ones((4, 3, 3, 3), np.float32)
>>> y = conv2d(x, w, None, 1, 1)
>>> y.shape, round(float(y[1, 2, 2, 2]), 3)   # the 27 inputs around (2, 2) of sample 1
((2, 4, 5, 5), 60.48)
"""
from __future__ import annotations

import numpy as np

from . import threads
from .jit import lazy_inline, lazy_njit
from .shapes import ConvGeometry

# Where the products pay for the transforms (float32, one thread, on the Zen 4 host;
# benchmarks/README.md): at least 128 channels in and out (64 channels at 32x32 lose,
# 24.5 -> 25.5 ms), and at most 32x32 outputs per channel (the sizes measured).
MIN_CHANNELS = 128
MAX_OUTPUT_PIXELS = 32 * 32
# Samples per call of the transforms and products: their buffers (16 transformed tiles per
# 2x2 outputs, for the input and for the output channels) take about this many bytes, or
# twice the transformed filters, which every call's products read again (a 512x512 layer's
# are 16 MB): small enough to stay in the caches, large enough to read the filters seldom.
_CHUNK_BYTES = 4 * 1024 * 1024


def applies(geometry: ConvGeometry, dtype: np.dtype) -> bool:
    """Whether :func:`conv2d` serves this convolution and is expected to beat the direct
    one: float32, a 3x3 kernel, stride and dilation 1, one group, padding of at most 2 (the
    input gradient is then the same kind of correlation), at least ``MIN_CHANNELS`` input
    and output channels and at most ``MAX_OUTPUT_PIXELS`` outputs per channel.

    >>> from autograd_core.kernels import conv2d_geometry
    >>> applies(conv2d_geometry((32, 256, 8, 8), (256, 256, 3, 3), padding=1), np.float32)
    True
    >>> applies(conv2d_geometry((32, 256, 8, 8), (256, 256, 3, 3), 2, 1), np.float32)
    False
    """
    g = geometry
    if dtype != np.float32 or g.weight_shape[2:] != (3, 3) or g.groups != 1:
        return False
    if g.stride != (1, 1) or g.dilation != (1, 1) or max(g.padding) > 2:
        return False
    oh, ow = g.out_hw
    return min(g.input_shape[1], g.weight_shape[0]) >= MIN_CHANNELS and 0 < oh * ow <= MAX_OUTPUT_PIXELS


# Each step of the transforms is a loop over one row of channels with one output, which
# LLVM vectorises (with 16 outputs in one loop it cannot rule out that they overlap the
# inputs, and stays scalar: 3-4x slower).

@lazy_inline
def _add(a, b, out):
    for i in range(out.shape[0]):
        out[i] = a[i] + b[i]


@lazy_inline
def _sub(a, b, out):
    for i in range(out.shape[0]):
        out[i] = a[i] - b[i]


@lazy_inline
def _copy(a, out):
    for i in range(out.shape[0]):
        out[i] = a[i]


@lazy_inline
def _half3(a, b, c, sign, out):
    """``out = (a + sign*b + c) / 2``, ``sign`` 1 or -1."""
    half = np.float32(0.5)
    for i in range(out.shape[0]):
        out[i] = (a[i] + sign * b[i] + c[i]) * half


@lazy_njit(nogil=True)
def _filters(taps, u, r0, r1):
    """``u[xi, r, :] = (G g G^T)[xi]`` for rows ``r0..r1``, where ``g[i, j] = taps[3i + j, r,
    :]``: ``taps`` (9, R, S) holds the filters' taps outermost, each step a row of S. G's
    rows: (1, 0, 0), (1/2, 1/2, 1/2), (1/2, -1/2, 1/2), (0, 0, 1)."""
    t = np.empty((6, taps.shape[2]), np.float32)   # rows 1 and 2 of G g
    one = np.float32(1)
    for r in range(r0, r1):
        for j in range(3):
            _half3(taps[j, r], taps[3 + j, r], taps[6 + j, r], one, t[j])
            _half3(taps[j, r], taps[3 + j, r], taps[6 + j, r], -one, t[3 + j])
        for a in range(4):      # row a of G g, times G^T
            if a == 0:
                x0, x1, x2 = taps[0, r], taps[1, r], taps[2, r]
            elif a == 1:
                x0, x1, x2 = t[0], t[1], t[2]
            elif a == 2:
                x0, x1, x2 = t[3], t[4], t[5]
            else:
                x0, x1, x2 = taps[6, r], taps[7, r], taps[8, r]
            _copy(x0, u[4 * a, r])
            _half3(x0, x1, x2, one, u[4 * a + 1, r])
            _half3(x0, x1, x2, -one, u[4 * a + 2, r])
            _copy(x2, u[4 * a + 3, r])


@lazy_njit(nogil=True)
def _tiles(xp, th, tw, v, n0, n1):
    """``V`` of samples ``n0..n1`` from the zero-padded input ``xp`` (N, 2TH + 2, 2TW + 2, C),
    channels last: ``v[xi, (ty*TW + tx)*N + n, :] = (B^T d B)[xi]`` for the 4x4 tile ``d``
    whose corner is (2ty, 2tx), every channel at once. B^T's rows: (1, 0, -1, 0),
    (0, 1, 1, 0), (0, -1, 1, 0), (0, 1, 0, -1)."""
    n_all = xp.shape[0]
    r = np.empty((4, 4, xp.shape[3]), np.float32)   # B^T d
    for n in range(n0, n1):
        for ty in range(th):
            for tx in range(tw):
                p = (ty * tw + tx) * n_all + n
                y, x = 2 * ty, 2 * tx
                for b in range(4):
                    _sub(xp[n, y, x + b], xp[n, y + 2, x + b], r[0, b])
                    _add(xp[n, y + 1, x + b], xp[n, y + 2, x + b], r[1, b])
                    _sub(xp[n, y + 2, x + b], xp[n, y + 1, x + b], r[2, b])
                    _sub(xp[n, y + 1, x + b], xp[n, y + 3, x + b], r[3, b])
                for a in range(4):      # (B^T d) B
                    _sub(r[a, 0], r[a, 2], v[4 * a, p])
                    _add(r[a, 1], r[a, 2], v[4 * a + 1, p])
                    _sub(r[a, 2], r[a, 1], v[4 * a + 2, p])
                    _sub(r[a, 1], r[a, 3], v[4 * a + 3, p])


@lazy_inline
def _neg(a, out):
    for i in range(out.shape[0]):
        out[i] = -a[i]


@lazy_inline
def _g0(a, b, c, out):
    """``out = a + (b + c) / 2``: G^T's first row, (1, 1/2, 1/2, 0)."""
    half = np.float32(0.5)
    for i in range(out.shape[0]):
        out[i] = a[i] + (b[i] + c[i]) * half


@lazy_inline
def _g1(b, c, out):
    """``out = (b - c) / 2``: G^T's second row, (0, 1/2, -1/2, 0)."""
    half = np.float32(0.5)
    for i in range(out.shape[0]):
        out[i] = (b[i] - c[i]) * half


@lazy_inline
def _g2(b, c, d, out):
    """``out = (b + c) / 2 + d``: G^T's third row, (0, 1/2, 1/2, 1)."""
    half = np.float32(0.5)
    for i in range(out.shape[0]):
        out[i] = (b[i] + c[i]) * half + d[i]


@lazy_njit(nogil=True)
def _grad_tiles(gp, th, tw, gy, n0, n1):
    """The output gradient's 2x2 blocks of samples ``n0..n1``, transformed: ``gy[xi, (ty*TW +
    tx)*N + n, :] = (A dy A^T)[xi]`` for the block ``dy`` of ``gp`` (N, 2TH, 2TW, K), channels
    last (zero past the outputs), at (2ty, 2tx). A's rows: (1, 0), (1, 1), (1, -1), (0, -1)."""
    n_all = gp.shape[0]
    t = np.empty((4, 2, gp.shape[3]), np.float32)   # A dy
    for n in range(n0, n1):
        for ty in range(th):
            for tx in range(tw):
                p = (ty * tw + tx) * n_all + n
                y, x = 2 * ty, 2 * tx
                for j in range(2):
                    _copy(gp[n, y, x + j], t[0, j])
                    _add(gp[n, y, x + j], gp[n, y + 1, x + j], t[1, j])
                    _sub(gp[n, y, x + j], gp[n, y + 1, x + j], t[2, j])
                    _neg(gp[n, y + 1, x + j], t[3, j])
                for a in range(4):      # (A dy) A^T
                    _copy(t[a, 0], gy[4 * a, p])
                    _add(t[a, 0], t[a, 1], gy[4 * a + 1, p])
                    _sub(t[a, 0], t[a, 1], gy[4 * a + 2, p])
                    _neg(t[a, 1], gy[4 * a + 3, p])


@lazy_njit(nogil=True)
def _filter_grads(mw, out, k0, k1):
    """``out[3i + j, k, :] = (G^T M G)[i, j]`` for the output channels ``k0..k1``, where
    ``M[a, b] = mw[4a + b, k, :]``: the filters' gradient from the products' sums."""
    s = np.empty((3, 4, mw.shape[2]), np.float32)   # G^T M
    for k in range(k0, k1):
        for b in range(4):
            _g0(mw[b, k], mw[4 + b, k], mw[8 + b, k], s[0, b])
            _g1(mw[4 + b, k], mw[8 + b, k], s[1, b])
            _g2(mw[4 + b, k], mw[8 + b, k], mw[12 + b, k], s[2, b])
        for i in range(3):      # (G^T M) G
            _g0(s[i, 0], s[i, 1], s[i, 2], out[3 * i, k])
            _g1(s[i, 1], s[i, 2], out[3 * i + 1, k])
            _g2(s[i, 1], s[i, 2], s[i, 3], out[3 * i + 2, k])


@lazy_njit(nogil=True)
def _outputs(m, bias, th, tw, out, n0, n1):
    """The outputs of samples ``n0..n1``, channels last, ``out`` (N, 2TH, 2TW, K): ``A^T M A``
    of each tile's products ``m[:, (ty*TW + tx)*N + n, :]`` plus ``bias``, every output
    channel at once. A^T's rows: (1, 1, 1, 0), (0, 1, -1, -1)."""
    n_all = out.shape[0]
    for n in range(n0, n1):
        for ty in range(th):
            for tx in range(tw):
                p = (ty * tw + tx) * n_all + n
                o0, o1 = out[n, 2 * ty], out[n, 2 * ty + 1]
                x = 2 * tx
                for k in range(out.shape[3]):
                    # A^T M: two rows of four
                    s00 = m[0, p, k] + m[4, p, k] + m[8, p, k]
                    s01 = m[1, p, k] + m[5, p, k] + m[9, p, k]
                    s02 = m[2, p, k] + m[6, p, k] + m[10, p, k]
                    s03 = m[3, p, k] + m[7, p, k] + m[11, p, k]
                    s10 = m[4, p, k] - m[8, p, k] - m[12, p, k]
                    s11 = m[5, p, k] - m[9, p, k] - m[13, p, k]
                    s12 = m[6, p, k] - m[10, p, k] - m[14, p, k]
                    s13 = m[7, p, k] - m[11, p, k] - m[15, p, k]
                    b = bias[k]
                    o0[x, k] = s00 + s01 + s02 + b
                    o0[x + 1, k] = s01 - s02 - s03 + b
                    o1[x, k] = s10 + s11 + s12 + b
                    o1[x + 1, k] = s11 - s12 - s13 + b


def _run(x: np.ndarray, u: np.ndarray, bias: np.ndarray | None, ph: int, pw: int,
         by_rows: bool) -> np.ndarray:
    """The correlation of ``x`` (N, C, H, W) with the transformed filters ``u``: (16, C, K),
    or (16, K, C) with ``by_rows`` (BLAS reads it transposed)."""
    n, c, h, w = x.shape
    k = u.shape[1] if by_rows else u.shape[2]
    oh, ow = h + 2 * ph - 2, w + 2 * pw - 2
    th, tw = -(-oh // 2), -(-ow // 2)
    xp = _padded(x, 2 * th + 2, 2 * tw + 2, ph, pw)
    v = np.empty((16, th * tw * n, c), np.float32)
    threads.parallel_for(lambda lo, hi: _tiles(xp, th, tw, v, lo, hi), n)
    m = np.empty((16, th * tw * n, k), np.float32)
    for xi in range(16):            # one product per position (BLAS)
        np.matmul(v[xi], u[xi].T if by_rows else u[xi], out=m[xi])
    out = np.empty((n, 2 * th, 2 * tw, k), np.float32)
    b = bias.astype(np.float32) if bias is not None else np.zeros(k, np.float32)
    threads.parallel_for(lambda lo, hi: _outputs(m, b, th, tw, out, lo, hi), n)
    return np.ascontiguousarray(out[:, :oh, :ow].transpose(0, 3, 1, 2))


def _by_chunks(x: np.ndarray, u: np.ndarray, bias: np.ndarray | None, ph: int, pw: int,
               by_rows: bool) -> np.ndarray:
    """:func:`_run` over chunks of samples whose buffers take about ``_CHUNK_BYTES``, or
    twice the transformed filters' bytes."""
    n, c, h, w = x.shape
    k = u.shape[1] if by_rows else u.shape[2]
    tiles = -(-(h + 2 * ph - 2) // 2) * -(-(w + 2 * pw - 2) // 2)
    chunk = _samples_per_chunk(tiles, c + k, u.nbytes)
    if chunk >= n:
        return _run(x, u, bias, ph, pw, by_rows)
    return np.concatenate([_run(x[i:i + chunk], u, bias, ph, pw, by_rows)
                           for i in range(0, n, chunk)])


def _samples_per_chunk(tiles: int, channels: int, filter_bytes: int) -> int:
    """Samples whose transformed tiles (16 per 2x2 outputs, ``tiles`` a sample, over the
    input's and the output's ``channels`` together) take about ``_CHUNK_BYTES``, or twice the
    transformed filters' ``filter_bytes``: at least one."""
    return max(1, max(_CHUNK_BYTES, 2 * filter_bytes) // (16 * tiles * channels * 4))


def _padded(x: np.ndarray, rows: int, cols: int, ph: int, pw: int) -> np.ndarray:
    """``x`` (N, C, H, W) channels last, at (ph, pw) in zeros of (N, rows, cols, C)."""
    n, c, h, w = x.shape
    xp = np.zeros((n, rows, cols, c), np.float32)
    r, q = min(h, rows - ph), min(w, cols - pw)
    xp[:, ph:ph + r, pw:pw + q] = x[:, :, :r, :q].transpose(0, 2, 3, 1)
    return xp


def _transformed(taps: np.ndarray) -> np.ndarray:
    u = np.empty((16,) + taps.shape[1:], np.float32)
    threads.parallel_for(lambda lo, hi: _filters(taps, u, lo, hi), taps.shape[1])
    return u


def conv2d(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None, ph: int, pw: int) -> np.ndarray:
    """The cross-correlation of ``x`` (N, C, H, W) with 3x3 filters ``w`` (K, C, 3, 3) at
    stride 1 and zero padding ``ph``, ``pw`` (at most 2), plus ``bias`` (K,) if given: (N, K,
    H + 2ph - 2, W + 2pw - 2), float32.

    >>> conv2d(np.ones((1, 2, 4, 4), np.float32), np.ones((1, 2, 3, 3), np.float32),
    ...        np.ones(1, np.float32), 0, 0).tolist()   # 18 inputs each, plus the bias
    [[[[19.0, 19.0], [19.0, 19.0]]]]
    """
    k, c = w.shape[:2]
    # the taps outermost, (9, K, C): a cheaper copy than (9, C, K), whose products read U
    # transposed instead
    taps = np.ascontiguousarray(w.reshape(k, c, 9).transpose(2, 0, 1), np.float32)
    return _by_chunks(x, _transformed(taps), bias, ph, pw, True)


def conv2d_backward_input(grad: np.ndarray, w: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """The input gradient of :func:`conv2d` for the output gradient ``grad`` (N, K, OH, OW):
    the correlation of ``grad`` with the filters turned by 180 degrees and their channels
    swapped, padding ``2 - ph``, ``2 - pw``; (N, C, OH + 2 - 2ph, OW + 2 - 2pw), the input's
    shape.

    >>> dx = conv2d_backward_input(np.ones((1, 1, 2, 2), np.float32),
    ...                            np.ones((1, 1, 3, 3), np.float32), 0, 0)
    >>> dx[0, 0].tolist()   # how many of the 2x2 outputs read each input pixel
    [[1.0, 2.0, 2.0, 1.0], [2.0, 4.0, 4.0, 2.0], [2.0, 4.0, 4.0, 2.0], [1.0, 2.0, 2.0, 1.0]]
    """
    k, c = w.shape[:2]
    # the taps reversed (the filter turned by 180 degrees), as (9, K, C)
    taps = np.ascontiguousarray(w.reshape(k, c, 9)[:, :, ::-1].transpose(2, 0, 1), np.float32)
    return _by_chunks(grad, _transformed(taps), None, 2 - ph, 2 - pw, False)


def conv2d_backward_weight(grad: np.ndarray, x: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """The filters' gradient of :func:`conv2d` for the output gradient ``grad`` (N, K, OH, OW)
    and the input ``x`` (N, C, H, W): (K, C, 3, 3). The chain rule through the forward's
    ``A^T [U * V] A``: the tiles' ``V`` as there, the output gradient's 2x2 blocks as
    ``A dy A^T``, their products summed over every tile and sample (16 products of (K x
    tiles) by (tiles x C)), and ``G^T M G``.

    >>> dw = conv2d_backward_weight(np.ones((1, 1, 2, 2), np.float32),
    ...                             np.ones((1, 1, 4, 4), np.float32), 0, 0)
    >>> dw[0, 0].tolist()   # each tap met 4 outputs of 1 over inputs of 1
    [[4.0, 4.0, 4.0], [4.0, 4.0, 4.0], [4.0, 4.0, 4.0]]
    """
    n, c, h, w = x.shape
    k, oh, ow = grad.shape[1:]
    th, tw = -(-oh // 2), -(-ow // 2)
    mw = np.zeros((16, k, c), np.float32)
    tiles = th * tw
    chunk = _samples_per_chunk(tiles, c + k, mw.nbytes)
    for i in range(0, n, chunk):
        xs, gs = x[i:i + chunk], grad[i:i + chunk]
        m = xs.shape[0]
        xp = _padded(xs, 2 * th + 2, 2 * tw + 2, ph, pw)
        gp = _padded(gs, 2 * th, 2 * tw, 0, 0)
        v = np.empty((16, tiles * m, c), np.float32)
        gy = np.empty((16, tiles * m, k), np.float32)
        threads.parallel_for(lambda lo, hi: _tiles(xp, th, tw, v, lo, hi), m)
        threads.parallel_for(lambda lo, hi: _grad_tiles(gp, th, tw, gy, lo, hi), m)
        for xi in range(16):        # sum over the chunk's tiles (BLAS), then over chunks
            mw[xi] += gy[xi].T @ v[xi]
    out = np.empty((9, k, c), np.float32)
    threads.parallel_for(lambda lo, hi: _filter_grads(mw, out, lo, hi), k)
    return np.ascontiguousarray(out.reshape(3, 3, k, c).transpose(2, 3, 0, 1))
