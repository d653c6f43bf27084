"""Batched matrix multiply: (B, M, K) @ (B, K, N) -> (B, M, N).

NumPy path: ``np.matmul`` calls one OpenBLAS sgemm/dgemm per matrix, on one thread for
matrices this small, so we split the batch over our threads with BLAS held to one
thread per call.

Numba path: the register-tiled microkernel of ``microkernel.py``, over a batch range,
compiled ``nogil`` and split over the same threads. Matrices too narrow for one tile
take a plain i-k-j loop nest, which still beats NumPy's per-matrix call overhead on tiny
matrices. ``dispatch.choose_bmm`` says which shapes go where.

>>> import numpy as np
>>> a = np.ones((2, 3, 4), np.float32); b = np.ones((2, 4, 5), np.float32)
>>> bmm(a, b).shape
(2, 3, 5)
"""
from __future__ import annotations

import numpy as np

from . import dispatch, threads
from .jit import lazy_njit, numba_available
from .shapes import TILE_BYTES, TILE_ROWS, WIDE_TILE_BYTES, float_array, same_dtype

# Split the batch over threads only when each part has at least this many flops: below
# it, handing work to a thread costs more than it saves.
_SPLIT_MIN_FLOPS = 4_000_000
# matmul_packed packs only a product of at least this many flops, with at least
# _PACK_MIN_ROWS rows (_PACK_MIN_ROWS_SHORT while K <= _PACK_SHORT_K): packing costs
# K x N copies, which fewer rows do not pay back (benchmarks/README.md)
_PACK_MIN_FLOPS = 8_000_000
_PACK_MIN_ROWS, _PACK_MIN_ROWS_SHORT, _PACK_SHORT_K = 256, 64, 800


@lazy_njit(nogil=True, fastmath=False)
def _bmm_range(a, b, out, b0, b1):
    m, kk = a.shape[1], a.shape[2]
    n = b.shape[2]
    for bi in range(b0, b1):
        for i in range(m):
            for j in range(n):
                out[bi, i, j] = 0
            for k in range(kk):
                aik = a[bi, i, k]
                for j in range(n):
                    out[bi, i, j] += aik * b[bi, k, j]


def _grain(m: int, k: int, n: int) -> int:
    per_matrix = 2 * m * k * n
    return max(1, -(-_SPLIT_MIN_FLOPS // max(per_matrix, 1)))


def bmm_numpy(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """NumPy/BLAS path of :func:`bmm` (arguments already checked)."""
    bsz, m, k = a.shape
    n = b.shape[2]

    def part(lo: int, hi: int) -> None:
        np.matmul(a[lo:hi], b[lo:hi], out=out[lo:hi])

    threads.parallel_for(part, bsz, grain=_grain(m, k, n), blas_single=True)
    return out


_tiled = None


def _microkernel():
    """``microkernel.bmm_range``, imported on first use (the module imports Numba)."""
    global _tiled
    if _tiled is None:
        from .microkernel import bmm_range
        _tiled = bmm_range
    return _tiled


def bmm_numba(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Numba path of :func:`bmm` (arguments already checked): the register-tiled
    microkernel, or a plain loop nest for matrices too small to hold one tile."""
    bsz, m, k = a.shape
    n = b.shape[2]
    kernel = _bmm_range if m < TILE_ROWS or n < TILE_BYTES // a.itemsize else _microkernel()
    threads.parallel_for(lambda lo, hi: kernel(a, b, out, lo, hi), bsz, grain=_grain(m, k, n))
    return out


def bmm(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Batched matmul of contiguous float32/float64 arrays, as ``torch.bmm``.

    ``a`` is (B, M, K), ``b`` is (B, K, N); returns (B, M, N). ``out``, if given, must be a
    C-contiguous array of that shape and dtype. A 2-D product is ``bmm(a[None], b[None])[0]``.

    >>> import numpy as np
    >>> a = np.arange(6.0).reshape(1, 2, 3); b = np.ones((1, 3, 1))
    >>> bmm(a, b).tolist()
    [[[3.0], [12.0]]]
    """
    a = float_array("bmm", "a", a, 3, "(B, M, K)")
    b = float_array("bmm", "b", b, 3, "(B, K, N)")
    dtype = same_dtype("bmm", a=a, b=b)
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ValueError(f"bmm: expected a (B, M, K) and b (B, K, N) with the same B and K, "
                         f"got a {a.shape} and b {b.shape}")
    bsz, m, k = a.shape
    n = b.shape[2]
    if out is None:
        out = np.empty((bsz, m, n), dtype)
    elif out.shape != (bsz, m, n) or out.dtype != dtype or not out.flags.c_contiguous:
        raise ValueError(f"bmm: out must be a C-contiguous {dtype} array of shape {(bsz, m, n)}, "
                         f"got {out.dtype} {out.shape}")
    if out.size == 0:
        return out
    if k == 0:
        out[...] = 0
        return out
    if dispatch.choose_bmm(bsz, m, k, n, dtype.itemsize) == "numba":
        return bmm_numba(a, b, out)
    return bmm_numpy(a, b, out)


def pack_panels(b: np.ndarray) -> np.ndarray | None:
    """``b`` (K, N) as the microkernel's panels (N / W, K, W), W the tile width (with
    AVX-512 the wide tile's 32 float32 or 16 float64 columns, else 16 or 8), for
    :func:`matmul_panels`; None when its dtype or width does not fit the tile, or when the
    Numba path would not take it (``dispatch``).

    >>> p = pack_panels(np.ones((3, 64), np.float32))
    >>> p.shape in ((2, 3, 32), (4, 3, 16))    # AVX-512's wide tile, or AVX2's
    True
    """
    k, n = b.shape
    if b.dtype not in (np.dtype(np.float32), np.dtype(np.float64)) or \
            dispatch.get_backend() == "numpy" or not numba_available():
        return None
    tile = panel_bytes()
    if dispatch.choose_panels(k, n, b.dtype.itemsize, tile) != "numba":
        return None
    width = tile // b.itemsize
    full = n - n % width   # the columns past the last whole panel stay with NumPy
    panels = np.empty((full // width, k, width), b.dtype)
    if b.T.flags.c_contiguous and not b.flags.c_contiguous:   # a weight's transpose
        _pack_transposed(b.T, panels)
    else:
        _pack(np.ascontiguousarray(b), panels)
    return panels


# Both packings take C-contiguous arrays only (one compiled signature per dtype).
@lazy_njit(nogil=True)
def _pack(b, panels):
    """``panels[p, k, j] = b[k, p * W + j]``."""
    npan, kk, width = panels.shape
    for p in range(npan):
        for k in range(kk):
            src, dst = b[k, p * width:(p + 1) * width], panels[p, k]
            for j in range(width):
                dst[j] = src[j]


@lazy_njit(nogil=True)
def _pack_transposed(bt, panels):
    """``panels[p, k, j] = bt[p * W + j, k]``: the W rows of ``bt`` that one panel reads
    stay in cache while it is written, where NumPy's copy of the transposed view runs at
    its strides."""
    npan, kk, width = panels.shape
    for p in range(npan):
        rows = bt[p * width:(p + 1) * width]
        for k in range(kk):
            dst = panels[p, k]
            for j in range(width):
                dst[j] = rows[j, k]


def panel_bytes() -> int:
    """The width in bytes of :func:`pack_panels`'s panels: the wide tile's on a CPU with
    AVX-512, else the AVX2 tile's (``microkernel.wide_tiles``; imports Numba)."""
    from .microkernel import wide_tiles
    return WIDE_TILE_BYTES if wide_tiles() else TILE_BYTES


def matmul_panels(a: np.ndarray, b: np.ndarray, panels: np.ndarray | None, out: np.ndarray,
                  accumulate: bool = False) -> np.ndarray:
    """``out = a @ b``, or ``out += a @ b`` with ``accumulate``: the same right-hand side
    for many products (a recurrent layer's weight at every time step), packed once by
    :func:`pack_panels`. With ``panels`` the microkernel runs on them (no per-call packing,
    which BLAS does for every call); without, NumPy. ``a`` (M, K) and ``out`` (M, N)
    C-contiguous, of ``b``'s dtype.

    >>> a = np.ones((4, 3), np.float32); b = np.ones((3, 32), np.float32)
    >>> out = np.ones((4, 32), np.float32)
    >>> matmul_panels(a, b, pack_panels(b), out, accumulate=True)[0, :3].tolist()
    [4.0, 4.0, 4.0]
    """
    m = a.shape[0]
    if panels is not None and m >= TILE_ROWS:
        kernel = _panels_kernel()
        full = m - m % TILE_ROWS
        cols = panels.shape[0] * panels.shape[2]
        blocks = full // TILE_ROWS
        grain = max(1, -(-_SPLIT_MIN_FLOPS // (2 * TILE_ROWS * a.shape[1] * cols)))
        threads.parallel_for(lambda lo, hi: kernel(
            a[lo * TILE_ROWS:hi * TILE_ROWS], panels, out[lo * TILE_ROWS:hi * TILE_ROWS],
            accumulate), blocks, grain=grain)
        if full < m:   # the last rows as one tile, padded with zero rows
            pad_a = np.zeros((TILE_ROWS, a.shape[1]), a.dtype)
            pad_a[:m - full] = a[full:]
            pad_out = np.zeros((TILE_ROWS, out.shape[1]), out.dtype)
            if accumulate:
                pad_out[:m - full] = out[full:]
            kernel(pad_a, panels, pad_out, accumulate)
            out[full:] = pad_out[:m - full]
        if cols < b.shape[1]:   # the columns past the last whole panel
            if accumulate:
                out[:, cols:] += a @ b[:, cols:]
            else:
                np.matmul(a, b[:, cols:], out=out[:, cols:])
    elif accumulate:
        out += a @ b
    else:
        np.matmul(a, b, out=out)
    return out


def matmul_packed(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a @ b`` for 2-D float arrays of one dtype, through :func:`pack_panels` and
    :func:`matmul_panels` when the Numba path takes ``b`` with the wide (AVX-512) tile
    (its packing, K x N, is small next to the product's M x K x N), else ``np.matmul``
    (OpenBLAS ran the shapes measured about as fast as the AVX2 tile). ``out``, if given,
    is C-contiguous.

    >>> matmul_packed(np.ones((500, 300), np.float32), np.ones((300, 64), np.float32))[4, :2].tolist()
    [300.0, 300.0]
    """
    m, k = a.shape
    if k == 1:   # an outer product (a weight's gradient at batch 1): NumPy's matmul takes
        # its loop without BLAS there, several times slower than the same products as a
        # broadcast multiply (each element one product, so the numbers are the same)
        return np.multiply(a, b) if out is None else np.multiply(a, b, out=out)
    small = 2 * m * k * b.shape[1] < _PACK_MIN_FLOPS or \
        m < (_PACK_MIN_ROWS_SHORT if k <= _PACK_SHORT_K else _PACK_MIN_ROWS)
    if small:   # BLAS, at once: the checks below cost as much as a small product
        return np.matmul(a, b) if out is None else np.matmul(a, b, out=out)
    if out is None:
        out = np.empty((a.shape[0], b.shape[1]), np.result_type(a, b))
    panels = None
    # an ``a`` of another layout (a transposed view) stays with BLAS, which reads it as it
    # is: a transposing copy costs more than the tile saves
    if a.dtype == b.dtype == out.dtype and a.flags.c_contiguous \
            and out.flags.c_contiguous and numba_available() \
            and dispatch.get_backend() != "numpy" and panel_bytes() == WIDE_TILE_BYTES:
        panels = pack_panels(b)
    if panels is None:
        return np.matmul(a, b, out=out)
    return matmul_panels(a, b, panels, out)


_panels = None


def _panels_kernel():
    """``microkernel.panels_matmul``, imported on first use (the module imports Numba)."""
    global _panels
    if _panels is None:
        from .microkernel import panels_matmul
        _panels = panels_matmul.compile()
    return _panels
