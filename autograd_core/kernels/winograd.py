"""Convolutions by Winograd's minimal filtering (Lavin and Gray, "Fast Algorithms for
Convolutional Neural Networks", 2015), with fewer multiplies than the direct convolution:

- 3x3 filters at stride 1 by F(2x2, 3x3): each 2x2 block of outputs from a 4x4 tile of the
  input, 16 multiplies per channel pair where the direct convolution takes 36;
- 4x4 filters at stride 2 (a DCGAN's layers, and through the input gradient its transposed
  convolutions) by F(2x2, 2x2) over the input's four stride phases: each 2x2 block of
  outputs from a 6x6 patch of the input, 36 multiplies where the direct one takes 64.

Plain arrays in and out, as the other kernels.

With ``d`` an input tile and ``g`` a filter, the tile's outputs are ``A^T [(G g G^T) * (B^T
d B)] A``. The filters are transformed once (``U``, 16 numbers per input and output channel),
the tiles once (``V``, 16 per tile and channel), and at each of the 16 positions the sum over
input channels is one matrix product, ``M[xi] = V[xi] @ U[xi]`` (tiles by output channels);
the output transform then adds the 16 products of each tile into its 2x2
outputs. The transforms' constants are 0, +-1 and 1/2, exact in binary;
float32 results agree with float64 to a few 1e-7 of the largest output, as the direct
convolution's do.

The filters' gradient follows the chain rule through the same form: ``G^T [sum over tiles of
(A dy A^T) * (B^T d B)] G`` for the output gradient's 2x2 blocks ``dy``, the sum again 16
matrix products.

PyTorch's oneDNN convolutions do fewer multiplies than a direct convolution too
(``benchmarks/README.md``, "the Zen 4 host"). ``conv.conv2d_forward``,
``conv.conv2d_backward_input`` and ``conv.conv2d_backward_weight`` call :func:`forward`,
:func:`backward_input` and :func:`backward_weight` where :func:`applies` says so.

>>> import numpy as np
>>> x = np.arange(2 * 3 * 5 * 5, dtype=np.float32).reshape(2, 3, 5, 5) / 50
>>> w = np.ones((4, 3, 3, 3), np.float32)
>>> y = conv2d(x, w, None, 1, 1)
>>> y.shape, round(float(y[1, 2, 2, 2]), 3)   # the 27 inputs around (2, 2) of sample 1
((2, 4, 5, 5), 60.48)
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import threads
from .jit import lazy_inline, lazy_njit
from .shapes import ConvGeometry, round_up

# Where the products pay for the transforms (float32, one thread, on the Zen 4 host;
# benchmarks/README.md): 3x3 filters with at least 32 channels in and out (16 -> 32 at
# 14x14 lost, 32 -> 32 won) and at most 56x56 outputs per channel (64 channels at 112x112
# lost); 4x4 ones of stride 2 with at least 32 (16 -> 32 at 32x32 lost its forward and
# filters' gradient, 32 -> 32 won) and at most 32x32 outputs (the sizes measured).
MIN_CHANNELS = 32
MAX_OUTPUT_PIXELS = 56 * 56
MIN_CHANNELS_STRIDED = 32
MAX_OUTPUT_PIXELS_STRIDED = 32 * 32
# Samples per call of the transforms and products: their buffers (16 transformed tiles per
# 2x2 outputs, for the input and for the output channels) take about this many bytes, or
# twice the transformed filters, which every call's products read again (a 512x512 layer's
# are 16 MB): small enough to stay in the caches, large enough to read the filters seldom.
_CHUNK_BYTES = 4 * 1024 * 1024
# A thread's share of the products is at least this many multiply-adds (as conv.py's).
_SPLIT_MIN_MACS = 1_000_000
# A filters' gradient up to this size is summed by each thread over its own samples.
_THREAD_SUM_BYTES = 2 * 1024 * 1024


def applies(geometry: ConvGeometry, dtype: np.dtype) -> bool:
    """Whether this module serves the convolution and is expected to beat the direct
    one: float32, one group, dilation 1, padding of at most 2, and either a 3x3 kernel of
    stride 1 with at least ``MIN_CHANNELS`` input and output channels and at most
    ``MAX_OUTPUT_PIXELS`` outputs per channel, or a 4x4 kernel of stride 2 with at least
    ``MIN_CHANNELS_STRIDED`` and at most ``MAX_OUTPUT_PIXELS_STRIDED``.

    >>> from autograd_core.kernels import conv2d_geometry
    >>> applies(conv2d_geometry((32, 256, 8, 8), (256, 256, 3, 3), padding=1), np.float32)
    True
    >>> applies(conv2d_geometry((32, 256, 8, 8), (256, 256, 3, 3), 2, 1), np.float32)
    False
    >>> applies(conv2d_geometry((16, 64, 32, 32), (128, 64, 4, 4), 2, 1), np.float32)
    True
    """
    g = geometry
    if dtype != np.float32 or g.groups != 1 or g.dilation != (1, 1) or max(g.padding) > 2:
        return False
    pixels = g.out_hw[0] * g.out_hw[1]
    channels = min(g.input_shape[1], g.weight_shape[0])
    if g.weight_shape[2:] == (3, 3) and g.stride == (1, 1):
        return channels >= MIN_CHANNELS and 0 < pixels <= MAX_OUTPUT_PIXELS
    return (g.weight_shape[2:] == (4, 4) and g.stride == (2, 2)
            and channels >= MIN_CHANNELS_STRIDED and 0 < pixels <= MAX_OUTPUT_PIXELS_STRIDED)


def forward(x: np.ndarray, w: np.ndarray, geometry: ConvGeometry) -> np.ndarray:
    """The convolution that ``geometry`` describes (one :func:`applies` admits), without bias.

    >>> from autograd_core.kernels import conv2d_geometry
    >>> x, w = np.ones((1, 64, 4, 4), np.float32), np.ones((64, 64, 4, 4), np.float32)
    >>> forward(x, w, conv2d_geometry(x.shape, w.shape, 2, 1))[0, 0].tolist()
    [[576.0, 576.0], [576.0, 576.0]]
    """
    if geometry.stride == (1, 1):
        return conv2d(x, w, None, *geometry.padding)
    return strided_conv2d(x, w, None, *geometry.padding)


def backward_input(grad: np.ndarray, w: np.ndarray, geometry: ConvGeometry) -> np.ndarray:
    """:func:`forward`'s input gradient for the output gradient ``grad``.

    >>> from autograd_core.kernels import conv2d_geometry
    >>> geo = conv2d_geometry((1, 64, 4, 4), (64, 64, 4, 4), 2, 1)
    >>> backward_input(np.ones((1, 64, 2, 2), np.float32), np.ones((64, 64, 4, 4), np.float32), geo).shape
    (1, 64, 4, 4)
    """
    if geometry.stride == (1, 1):
        return conv2d_backward_input(grad, w, *geometry.padding)
    return strided_conv2d_backward_input(grad, w, geometry.input_shape[2:], *geometry.padding)


def backward_weight(grad: np.ndarray, x: np.ndarray, geometry: ConvGeometry) -> np.ndarray:
    """:func:`forward`'s filters' gradient for the output gradient ``grad`` and input ``x``.

    >>> from autograd_core.kernels import conv2d_geometry
    >>> geo = conv2d_geometry((1, 64, 4, 4), (64, 64, 4, 4), 2, 1)
    >>> backward_weight(np.ones((1, 64, 2, 2), np.float32), np.ones((1, 64, 4, 4), np.float32), geo).shape
    (64, 64, 4, 4)
    """
    if geometry.stride == (1, 1):
        return conv2d_backward_weight(grad, x, *geometry.padding)
    return strided_conv2d_backward_weight(grad, x, *geometry.padding)


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
    tx)*N + n, :K] = (A dy A^T)[xi]`` for the block ``dy`` of ``gp`` (N, 2TH, 2TW, K),
    channels last (zero past the outputs), at (2ty, 2tx); ``gy``'s columns past K are left
    as they are. A's rows: (1, 0), (1, 1), (1, -1), (0, -1)."""
    n_all, k = gp.shape[0], gp.shape[3]
    t = np.empty((4, 2, k), np.float32)   # A dy
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
                    _copy(t[a, 0], gy[4 * a, p, :k])
                    _add(t[a, 0], t[a, 1], gy[4 * a + 1, p, :k])
                    _sub(t[a, 0], t[a, 1], gy[4 * a + 2, p, :k])
                    _neg(t[a, 1], gy[4 * a + 3, p, :k])


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


def _correlate(x: np.ndarray, u: np.ndarray, bias: np.ndarray | None, ph: int,
               pw: int) -> np.ndarray:
    """The correlation of ``x`` (N, C, H, W) with the transformed filters ``u`` (16, C, K),
    zero padding ``ph``, ``pw``."""
    n, c, h, w = x.shape
    k = u.shape[2]
    oh, ow = h + 2 * ph - 2, w + 2 * pw - 2
    th, tw = -(-oh // 2), -(-ow // 2)
    b = bias.astype(np.float32) if bias is not None else np.zeros(k, np.float32)
    out = np.empty((n, k, oh, ow), np.float32)

    def tiles(i: int, j: int, v: np.ndarray) -> None:
        _tiles(_padded(x[i:j], 2 * th + 2, 2 * tw + 2, ph, pw), th, tw, v, 0, j - i)

    def outputs(m: np.ndarray, i: int, j: int) -> None:
        o = np.empty((j - i, 2 * th, 2 * tw, k), np.float32)
        _outputs(m, b, th, tw, o, 0, j - i)
        _cropped(o, 0, 0, out[i:j])

    _by_chunks(n, th * tw, u, tiles, outputs)
    return out


def _by_chunks(n: int, tiles: int, u: np.ndarray, transform: Callable, finish: Callable) -> None:
    """The three steps of a Winograd correlation over the ``n`` samples, chunk by chunk (a
    chunk's buffers about ``_CHUNK_BYTES``, each thread taking chunks of its own):
    ``transform(i, j, v)`` writes the transformed tiles of samples i..j (``tiles`` a sample)
    into ``v`` (positions, rows, D), the products ``m[xi] = v[xi] @ u[xi]`` with ``u``
    (positions, D, K) follow (the microkernel's tiles, or BLAS), and ``finish(m, i, j)``
    takes their results."""
    positions, depth, k = u.shape
    tile, mr = _tile_for(k)
    chunk = min(_samples_per_chunk(tiles, depth + k, u.nbytes, positions),
                -(-n // threads.get_num_threads()))

    def part(lo: int, hi: int) -> None:
        rows = round_up(tiles * min(chunk, hi - lo), mr)
        v = np.zeros((positions, rows, depth), np.float32)   # rows past the tiles: zero
        m = np.empty((positions, rows, k), np.float32)
        for i in range(lo, hi, chunk):
            j = min(i + chunk, hi)
            transform(i, j, v)
            _products(v, u, m, round_up(tiles * (j - i), mr), depth, tile)
            finish(m, i, j)

    threads.parallel_for(part, n, piece=chunk, blas_single=True)


def _gradient_sums(n: int, tiles: int, positions: int, k: int, c: int,
                   transform: Callable) -> np.ndarray:
    """A filters' gradient before its last transform: ``sum over tiles of gy[xi]^T @
    v[xi]``, (positions, K rounded up to the GEMM tile's rows, C), over the ``n`` samples
    chunk by chunk, where ``transform(i, j, v, gy)`` writes the transformed input tiles and
    output-gradient blocks of samples i..j (``tiles`` a sample; ``gy``'s columns past K
    stay zero) and may split its work over the threads.

    Where the sum is small (at most ``_THREAD_SUM_BYTES``) each thread sums its share of
    the samples and the sums are added; a larger one is summed once, the transforms split
    over samples and the products over output channels, as each thread would otherwise
    write all of it (a DCGAN's 256 -> 512 layer's: 18 MB). On a 64-channel 32x32 layer the
    single sum's many short parallel steps took 30 ms on two threads where the per-thread
    sums took 12."""
    tile, mr = _tile_for(c)
    kp = round_up(k, mr)          # the products' rows: output channels, whole tiles
    nbytes = positions * kp * c * 4
    chunk = _samples_per_chunk(tiles, c + k, nbytes, positions)

    def part(lo: int, hi: int) -> np.ndarray:
        mw = np.zeros((positions, kp, c), np.float32)
        rows = tiles * min(chunk, hi - lo)
        v = np.empty((positions, rows, c), np.float32)
        gy = np.zeros((positions, rows, kp), np.float32)
        for i in range(lo, hi, chunk):
            j = min(i + chunk, hi)
            transform(i, j, v, gy)
            # the sum over the chunk's tiles, then over chunks
            _products(gy, v, mw, kp, tiles * (j - i), tile, a_transposed=True, accumulate=True)
        return mw

    if nbytes > _THREAD_SUM_BYTES or threads.get_num_threads() < 2:
        return part(0, n)
    sums: list = []
    threads.parallel_for(lambda lo, hi: sums.append(part(lo, hi)), n)
    total = sums[0]
    for extra in sums[1:]:
        total += extra
    return total


def _samples_per_chunk(tiles: int, channels: int, filter_bytes: int, positions: int = 16) -> int:
    """Samples whose transformed tiles (``positions`` numbers per tile, ``tiles`` a sample,
    over the input's and the output's ``channels`` together) take about ``_CHUNK_BYTES``, or
    twice the transformed filters' ``filter_bytes``: at least one."""
    return max(1, max(_CHUNK_BYTES, 2 * filter_bytes) // (positions * tiles * channels * 4))


@lazy_njit(nogil=True)
def _to_channels_last(x, ph, pw, xp, n0, n1):
    """``xp[n, ph + y, pw + x, c] = x[n, c, y, x]`` for samples ``n0..n1``, zeros around.
    Each channel's plane is read in order (a sample's ``xp`` stays in the L2 cache): read
    one row of every channel at a time, the rows 4 KB apart, each a cache miss, the copy of
    a 64-channel 32x32 layer's 16 samples took 3 ms instead of 1."""
    c, h, w = x.shape[1], x.shape[2], x.shape[3]
    rows, cols = xp.shape[1], xp.shape[2]
    r, q = min(h, rows - ph), min(w, cols - pw)
    zero = np.float32(0)
    for n in range(n0, n1):
        for y in range(rows):
            out = xp[n, y]
            if y < ph or y >= ph + r:
                for j in range(cols):
                    for k in range(c):
                        out[j, k] = zero
                continue
            for j in range(pw):
                for k in range(c):
                    out[j, k] = zero
            for j in range(pw + q, cols):
                for k in range(c):
                    out[j, k] = zero
        for k in range(c):
            for y in range(r):
                src = x[n, k, y]
                out = xp[n, ph + y]
                for j in range(q):
                    out[pw + j, k] = src[j]


def _padded(x: np.ndarray, rows: int, cols: int, ph: int, pw: int) -> np.ndarray:
    """``x`` (N, C, H, W) channels last, at (ph, pw) in zeros of (N, rows, cols, C)."""
    n, c = x.shape[:2]
    xp = np.empty((n, rows, cols, c), np.float32)
    x = np.ascontiguousarray(x, np.float32)
    threads.parallel_for(lambda lo, hi: _to_channels_last(x, ph, pw, xp, lo, hi), n)
    return xp


def _cropped(xp: np.ndarray, ph: int, pw: int, out: np.ndarray) -> None:
    """``out`` (N, C, H, W) from ``xp`` (N, rows, cols, C) at (ph, pw), zero past its end.
    (NumPy's transposing copy beat a Numba loop here, 0.64 against 0.83 ms for 32 samples
    of 128 channels at 16x16.)"""
    h, w = out.shape[2:]
    r, q = min(h, xp.shape[1] - ph), min(w, xp.shape[2] - pw)
    out[:, :, :r, :q] = xp[:, ph:ph + r, pw:pw + q].transpose(0, 3, 1, 2)
    out[:, :, r:] = 0
    out[:, :, :r, q:] = 0


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
    # the taps outermost, (9, C, K): the products' right-hand sides are (C, K)
    w9 = np.ascontiguousarray(w.reshape(k, c, 9), np.float32)
    taps = np.empty((9, c, k), np.float32)
    threads.parallel_for(lambda lo, hi: _taps_by_columns(w9, taps, lo, hi), -(-k // 16))
    return _correlate(x, _transformed(taps), bias, ph, pw)


@lazy_njit(nogil=True)
def _taps_by_columns(w9, taps, b0, b1):
    """``taps[t, c, k] = w9[k, c, t]`` for the output channels of blocks ``b0..b1`` of 16, in
    blocks of 16 by 16 channels that stay in the L1 cache (NumPy's transposing copy of a
    512x512 layer's taps: 4.7 ms, 1.0 into (9, K, C))."""
    k_all, c_all = w9.shape[0], w9.shape[1]
    for kb in range(b0 * 16, min(k_all, b1 * 16), 16):
        k1 = min(k_all, kb + 16)
        for cb in range(0, c_all, 16):
            c1 = min(c_all, cb + 16)
            for t in range(9):
                for c in range(cb, c1):
                    row = taps[t, c]
                    for k in range(kb, k1):
                        row[k] = w9[k, c, t]


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
    return _correlate(grad, _transformed(taps), None, 2 - ph, 2 - pw)


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

    def transform(i: int, j: int, v: np.ndarray, gy: np.ndarray) -> None:
        xp = _padded(x[i:j], 2 * th + 2, 2 * tw + 2, ph, pw)
        gp = _padded(grad[i:j], 2 * th, 2 * tw, 0, 0)
        threads.parallel_for(lambda a, b: _tiles(xp, th, tw, v, a, b), j - i)
        threads.parallel_for(lambda a, b: _grad_tiles(gp, th, tw, gy, a, b), j - i)

    mw = _gradient_sums(n, th * tw, 16, k, c, transform)
    out = np.empty((9, k, c), np.float32)
    threads.parallel_for(lambda lo, hi: _filter_grads(mw, out, lo, hi), k)
    return np.ascontiguousarray(out.reshape(3, 3, k, c).transpose(2, 3, 0, 1))


# --------------------------------------------------------------------------- 4x4, stride 2
# A 4x4 convolution of stride 2 is a 2x2 convolution of stride 1 over the four stride
# phases of the zero-padded input taken as channels (space to depth: channel (2a + b)*C + c
# of pixel (i, j) is the padded input's pixel (2i + a, 2j + b) of channel c), whose filters
# hold the 4x4 filters' taps of those phases: ``w'[k, (2a + b)*C + c, u, v] = w[k, c, 2u +
# a, 2v + b]``. That one goes by F(2x2, 2x2): each 2x2 block of outputs from a 3x3 tile of
# the phases (a 6x6 patch of the input), 9 multiplies per channel pair where the direct
# convolution takes 16, with
#     B^T: (1, -1, 0), (0, 1, 0), (0, -1, 1);   G: (1, 0), (1, 1), (0, 1);
#     A^T: (1, 1, 0), (0, 1, 1).
# The input gradient is the chain rule through the same form on the forward's tiles: ``B
# [(A dy A^T) * U] B^T`` of each tile added into the phases where the tile lies (neighbours
# share a row or a column), then the phases put back in place.

@lazy_inline
def _phase_filter(w, k, c, a, b):
    """``G g G^T`` of the 2x2 filter ``g[i, j] = w[k, c, 2i + a, 2j + b]`` of phase (a, b), row
    by row: 9 numbers. G g's rows: g0, g0 + g1, g1."""
    g00, g01, g10, g11 = w[k, c, a, b], w[k, c, a, 2 + b], w[k, c, 2 + a, b], w[k, c, 2 + a, 2 + b]
    return (g00, g00 + g01, g01, g00 + g10, (g00 + g10) + (g01 + g11), g01 + g11,
            g10, g10 + g11, g11)


@lazy_njit(nogil=True)
def _filters_s2(w, u, k0, k1):
    """``u[xi, k, (2a + b)*C + c] = (G g G^T)[xi]`` of the phases' filters (see
    :func:`_phase_filter`) of the 4x4 filters ``w`` (K, C, 4, 4), for the output channels
    ``k0..k1``."""
    c_all = w.shape[1]
    for k in range(k0, k1):
        for a in range(2):
            for b in range(2):
                for c in range(c_all):
                    t = _phase_filter(w, k, c, a, b)
                    o = (2 * a + b) * c_all + c
                    for xi in range(9):
                        u[xi, k, o] = t[xi]


@lazy_njit(nogil=True)
def _filters_s2_by_columns(w, u, c0, c1):
    """:func:`_filters_s2` into ``u[xi, (2a + b)*C + c, k]``, for the input channels ``c0..c1``."""
    c_all = w.shape[1]
    for c in range(c0, c1):
        for a in range(2):
            for b in range(2):
                o = (2 * a + b) * c_all + c
                for k in range(w.shape[0]):
                    t = _phase_filter(w, k, c, a, b)
                    for xi in range(9):
                        u[xi, o, k] = t[xi]


@lazy_njit(nogil=True)
def _tiles_s2(xq, th, tw, v, n0, n1):
    """``V`` of samples ``n0..n1`` from the phases ``xq`` (N, 2TH + 1, 2, 2TW + 1, 2, C) of
    the zero-padded input, channels last (``xq[n, i, a, j, b]`` is its pixel (2i + a, 2j +
    b)): ``v[xi, (ty*TW + tx)*N + n, (2a + b)*C:(2a + b + 1)*C] = (B^T d B)[xi]`` for the
    3x3 tile ``d`` of phase (a, b) whose corner is (2ty, 2tx)."""
    n_all, c = xq.shape[0], xq.shape[5]
    r = np.empty((3, c), np.float32)   # row 0 or 2 of B^T d
    for n in range(n0, n1):
        for ty in range(th):
            for tx in range(tw):
                p = (ty * tw + tx) * n_all + n
                y, x = 2 * ty, 2 * tx
                for a in range(2):
                    for b in range(2):
                        o = (2 * a + b) * c
                        for i in range(3):      # row i of B^T d, times B
                            if i == 1:
                                d0, d1, d2 = xq[n, y + 1, a, x, b], xq[n, y + 1, a, x + 1, b], xq[n, y + 1, a, x + 2, b]
                            else:
                                for j in range(3):
                                    _sub(xq[n, y + i, a, x + j, b], xq[n, y + 1, a, x + j, b], r[j])
                                d0, d1, d2 = r[0], r[1], r[2]
                            _sub(d0, d1, v[3 * i, p, o:o + c])
                            _copy(d1, v[3 * i + 1, p, o:o + c])
                            _sub(d2, d1, v[3 * i + 2, p, o:o + c])


@lazy_inline
def _acc(a, out):
    for i in range(out.shape[0]):
        out[i] += a[i]


@lazy_inline
def _acc_middle(a, b, c, out):
    """``out += b - a - c``: B's middle row, (-1, 1, -1)."""
    for i in range(out.shape[0]):
        out[i] += b[i] - a[i] - c[i]


@lazy_njit(nogil=True)
def _tiles_s2_adjoint(dv, th, tw, dxq, n0, n1):
    """:func:`_tiles_s2`'s adjoint: ``B dv B^T`` of each tile added into the phases ``dxq``
    (N, 2TH + 1, 2, 2TW + 1, 2, C), zeros before, where the tile lies. B's rows: (1, 0, 0),
    (-1, 1, -1), (0, 0, 1)."""
    n_all, c = dxq.shape[0], dxq.shape[5]
    t = np.empty((3, c), np.float32)   # the middle row of B dv
    for n in range(n0, n1):
        for ty in range(th):
            for tx in range(tw):
                p = (ty * tw + tx) * n_all + n
                y, x = 2 * ty, 2 * tx
                for a in range(2):
                    for b in range(2):
                        o = (2 * a + b) * c
                        for j in range(3):
                            _acc_middle_into(dv[j, p, o:o + c], dv[3 + j, p, o:o + c],
                                             dv[6 + j, p, o:o + c], t[j])
                        for i in range(3):      # row i of B dv, times B^T
                            if i == 1:
                                e0, e1, e2 = t[0], t[1], t[2]
                            else:
                                e0, e1, e2 = dv[3 * i, p, o:o + c], dv[3 * i + 1, p, o:o + c], dv[3 * i + 2, p, o:o + c]
                            _acc(e0, dxq[n, y + i, a, x, b])
                            _acc_middle(e0, e1, e2, dxq[n, y + i, a, x + 1, b])
                            _acc(e2, dxq[n, y + i, a, x + 2, b])


@lazy_inline
def _acc_middle_into(a, b, c, out):
    """``out = b - a - c``."""
    for i in range(out.shape[0]):
        out[i] = b[i] - a[i] - c[i]


@lazy_njit(nogil=True)
def _grad_tiles_s2(gp, th, tw, gy, n0, n1):
    """The output gradient's 2x2 blocks of samples ``n0..n1``, transformed: ``gy[xi, (ty*TW +
    tx)*N + n, :K] = (A dy A^T)[xi]`` for the block ``dy`` of ``gp`` (N, 2TH, 2TW, K),
    channels last (zero past the outputs), at (2ty, 2tx); ``gy``'s columns past K are left as
    they are. A's rows: (1, 0), (1, 1), (0, 1)."""
    n_all, k = gp.shape[0], gp.shape[3]
    t = np.empty((2, k), np.float32)   # the middle row of A dy
    for n in range(n0, n1):
        for ty in range(th):
            for tx in range(tw):
                p = (ty * tw + tx) * n_all + n
                y, x = 2 * ty, 2 * tx
                for j in range(2):
                    _add(gp[n, y, x + j], gp[n, y + 1, x + j], t[j])
                for i in range(3):      # row i of A dy, times A^T
                    if i == 0:
                        e0, e1 = gp[n, y, x], gp[n, y, x + 1]
                    elif i == 1:
                        e0, e1 = t[0], t[1]
                    else:
                        e0, e1 = gp[n, y + 1, x], gp[n, y + 1, x + 1]
                    _copy(e0, gy[3 * i, p, :k])
                    _add(e0, e1, gy[3 * i + 1, p, :k])
                    _copy(e1, gy[3 * i + 2, p, :k])


@lazy_njit(nogil=True)
def _filter_grads_s2(mw, dw, k0, k1):
    """The 4x4 filters' gradient ``dw`` (K, C, 4, 4) for the output channels ``k0..k1``:
    ``dw[k, c, 2i + a, 2j + b] = (G^T M G)[i, j]`` where ``M[p, q] = mw[3p + q, k, (2a + b)*C
    + c]``. G^T's rows: (1, 1, 0), (0, 1, 1)."""
    c_all = dw.shape[1]
    for k in range(k0, k1):
        for a in range(2):
            for b in range(2):
                for c in range(c_all):
                    f = dw[k, c]
                    o = (2 * a + b) * c_all + c
                    m0, m1, m2 = mw[0, k, o], mw[1, k, o], mw[2, k, o]
                    m3, m4, m5 = mw[3, k, o], mw[4, k, o], mw[5, k, o]
                    m6, m7, m8 = mw[6, k, o], mw[7, k, o], mw[8, k, o]
                    s0, s1, s2 = m0 + m3, m1 + m4, m2 + m5      # G^T M, row 0
                    t0, t1, t2 = m3 + m6, m4 + m7, m5 + m8      # row 1
                    f[a, b] = s0 + s1
                    f[a, 2 + b] = s1 + s2
                    f[2 + a, b] = t0 + t1
                    f[2 + a, 2 + b] = t1 + t2


@lazy_njit(nogil=True)
def _outputs_s2(m, th, tw, out, n0, n1):
    """The outputs of samples ``n0..n1``, channels last, ``out`` (N, 2TH, 2TW, K): ``A^T M A``
    of each tile's products ``m[:, (ty*TW + tx)*N + n, :]``, every output channel at once."""
    n_all = out.shape[0]
    for n in range(n0, n1):
        for ty in range(th):
            for tx in range(tw):
                p = (ty * tw + tx) * n_all + n
                o0, o1 = out[n, 2 * ty], out[n, 2 * ty + 1]
                x = 2 * tx
                for k in range(out.shape[3]):
                    s00 = m[0, p, k] + m[3, p, k]
                    s01 = m[1, p, k] + m[4, p, k]
                    s02 = m[2, p, k] + m[5, p, k]
                    s10 = m[3, p, k] + m[6, p, k]
                    s11 = m[4, p, k] + m[7, p, k]
                    s12 = m[5, p, k] + m[8, p, k]
                    o0[x, k] = s00 + s01
                    o0[x + 1, k] = s01 + s02
                    o1[x, k] = s10 + s11
                    o1[x + 1, k] = s11 + s12


def _strided_tiles(h: int, w: int, ph: int, pw: int) -> tuple[int, int, int, int]:
    """The outputs (OH, OW) of a 4x4 convolution of stride 2 and its tiles (TH, TW)."""
    oh, ow = (h + 2 * ph - 4) // 2 + 1, (w + 2 * pw - 4) // 2 + 1
    return oh, ow, -(-oh // 2), -(-ow // 2)


def _phases(x: np.ndarray, th: int, tw: int, ph: int, pw: int) -> np.ndarray:
    """The tiles' phases of ``x`` (N, C, H, W): (N, 2TH + 1, 2, 2TW + 1, 2, C)."""
    n, c = x.shape[:2]
    return _padded(x, 4 * th + 2, 4 * tw + 2, ph, pw).reshape(n, 2 * th + 1, 2, 2 * tw + 1, 2, c)


def _microkernel():
    from . import microkernel   # imports Numba: on first use
    return microkernel


def _tile_for(cols: int) -> tuple[int | None, int]:
    """``(tile, MR)``: the microkernel's GEMM tile whose columns divide ``cols`` (the widest
    first), and its rows; ``(None, 1)`` when none does (then BLAS multiplies)."""
    mk = _microkernel()
    lanes = mk.VECTOR_BYTES // 4
    for t in (1, 2, 0):
        mr, nv = mk.GEMM_TILES[t]
        if cols % (nv * lanes) == 0:
            return t, mr
    return None, 1


def _products(a: np.ndarray, b: np.ndarray, c: np.ndarray, m: int, depth: int, tile: int | None,
              a_transposed: bool = False, accumulate: bool = False) -> None:
    """For each position ``xi``: ``c[xi, :m] (+)= A @ b[xi, :depth]`` with ``A = a[xi, :m,
    :depth]``, or ``a[xi, :depth, :m]^T`` with ``a_transposed``. The microkernel's ``tile``
    (:func:`_tile_for`; ``m`` a multiple of its rows, rows of ``a`` past the data zero or
    finite) multiplies, its rows split over our threads, or BLAS where ``tile`` is None.
    On the 9 products of a DCGAN's layers it ran at 89-115 GFLOP/s where BLAS ran at 70-90
    (``benchmarks/README.md``)."""
    if tile is None:
        for xi in range(a.shape[0]):
            p = a[xi, :depth, :m].T if a_transposed else a[xi, :m, :depth]
            if accumulate:
                c[xi, :m] += p @ b[xi, :depth]
            else:
                np.matmul(p, b[xi, :depth], out=c[xi, :m])
        return
    mk = _microkernel()
    n, ldc = b.shape[2], c.shape[2]
    lda, aks = (1, a.shape[2]) if a_transposed else (a.shape[2], 1)
    mr = mk.GEMM_TILES[tile][0]
    af, bf, cf = a.reshape(-1), b.reshape(-1), c.reshape(-1)

    def rows(lo: int, hi: int) -> None:   # rows lo*MR .. hi*MR
        mk.gemm(af, bf, cf, (hi - lo) * mr, n, depth, lo * mr * lda, lda, aks, 0, n,
                lo * mr * ldc, ldc, int(accumulate), tile, a.shape[0], a[0].size, b[0].size,
                c[0].size)

    # a thread gets at least _SPLIT_MIN_MACS multiply-adds (a filters' gradient of 64
    # output channels is 11 blocks of 6 rows: two threads get 5 and 6)
    threads.parallel_for(rows, m // mr, grain=max(1, -(-_SPLIT_MIN_MACS // (mr * n * depth))))


def strided_conv2d(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None, ph: int,
                   pw: int) -> np.ndarray:
    """The cross-correlation of ``x`` (N, C, H, W) with 4x4 filters ``w`` (K, C, 4, 4) at
    stride 2 and zero padding ``ph``, ``pw`` (at most 2), plus ``bias`` (K,) if given: (N, K,
    (H + 2ph - 4)//2 + 1, (W + 2pw - 4)//2 + 1), float32.

    >>> strided_conv2d(np.ones((1, 2, 6, 6), np.float32), np.ones((1, 2, 4, 4), np.float32),
    ...                None, 1, 1)[0, 0].tolist()   # 2 channels of 9, 12 or 16 pixels each
    [[18.0, 24.0, 18.0], [24.0, 32.0, 24.0], [18.0, 24.0, 18.0]]
    """
    n, c, h, wd = x.shape
    k = w.shape[0]
    oh, ow, th, tw = _strided_tiles(h, wd, ph, pw)
    w = np.ascontiguousarray(w, np.float32)
    u = np.empty((9, 4 * c, k), np.float32)     # B of the products: (4C, K) each
    threads.parallel_for(lambda lo, hi: _filters_s2_by_columns(w, u, lo, hi), c)
    out = np.empty((n, k, oh, ow), np.float32)

    def tiles(i: int, j: int, v: np.ndarray) -> None:
        _tiles_s2(_phases(x[i:j], th, tw, ph, pw), th, tw, v, 0, j - i)

    def outputs(m: np.ndarray, i: int, j: int) -> None:
        o = np.empty((j - i, 2 * th, 2 * tw, k), np.float32)
        _outputs_s2(m, th, tw, o, 0, j - i)
        _cropped(o, 0, 0, out[i:j])

    _by_chunks(n, th * tw, u, tiles, outputs)
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out


def strided_conv2d_backward_input(grad: np.ndarray, w: np.ndarray, input_hw: tuple[int, int],
                                  ph: int, pw: int) -> np.ndarray:
    """The input gradient of :func:`strided_conv2d` for the output gradient ``grad`` (N, K,
    OH, OW) and an input of ``input_hw`` pixels: (N, C, H, W).

    >>> w = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> dx = strided_conv2d_backward_input(np.ones((1, 1, 1, 1), np.float32), w, (3, 3), 1, 1)
    >>> dx[0, 0].tolist()   # the taps that met the 3x3 input past the padding
    [[5.0, 6.0, 7.0], [9.0, 10.0, 11.0], [13.0, 14.0, 15.0]]
    """
    n, k = grad.shape[:2]
    c = w.shape[1]
    h, wd = input_hw
    _, _, th, tw = _strided_tiles(h, wd, ph, pw)
    w = np.ascontiguousarray(w, np.float32)
    u = np.empty((9, k, 4 * c), np.float32)     # B of the products: (K, 4C) each
    threads.parallel_for(lambda lo, hi: _filters_s2(w, u, lo, hi), k)
    dx = np.empty((n, c, h, wd), np.float32)

    def blocks(i: int, j: int, gy: np.ndarray) -> None:
        _grad_tiles_s2(_padded(grad[i:j], 2 * th, 2 * tw, 0, 0), th, tw, gy, 0, j - i)

    def phases(dv: np.ndarray, i: int, j: int) -> None:
        dxq = np.zeros((j - i, 2 * th + 1, 2, 2 * tw + 1, 2, c), np.float32)
        _tiles_s2_adjoint(dv, th, tw, dxq, 0, j - i)
        # zeros past the tiles: no output read those pixels
        _cropped(dxq.reshape(j - i, 4 * th + 2, 4 * tw + 2, c), ph, pw, dx[i:j])

    _by_chunks(n, th * tw, u, blocks, phases)
    return dx


def strided_conv2d_backward_weight(grad: np.ndarray, x: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """The filters' gradient of :func:`strided_conv2d` for the output gradient ``grad`` (N, K,
    OH, OW) and the input ``x`` (N, C, H, W): (K, C, 4, 4).

    >>> dw = strided_conv2d_backward_weight(np.ones((1, 1, 1, 1), np.float32),
    ...                                     np.ones((1, 1, 3, 3), np.float32), 1, 1)
    >>> dw[0, 0].tolist()   # the taps that met the 3x3 input, not the padding
    [[0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0]]
    """
    n, c, h, wd = x.shape
    k = grad.shape[1]
    _, _, th, tw = _strided_tiles(h, wd, ph, pw)

    def transform(i: int, j: int, v: np.ndarray, gy: np.ndarray) -> None:
        xq = _phases(x[i:j], th, tw, ph, pw)
        gp = _padded(grad[i:j], 2 * th, 2 * tw, 0, 0)
        threads.parallel_for(lambda a, b: _tiles_s2(xq, th, tw, v, a, b), j - i)
        threads.parallel_for(lambda a, b: _grad_tiles_s2(gp, th, tw, gy, a, b), j - i)

    mw = _gradient_sums(n, th * tw, 9, k, 4 * c, transform)
    dw = np.empty((k, c, 4, 4), np.float32)
    threads.parallel_for(lambda lo, hi: _filter_grads_s2(mw, dw, lo, hi), k)
    return dw
