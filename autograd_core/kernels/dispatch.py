"""Which path runs a kernel: NumPy/BLAS or Numba, chosen per shape from measurements.

``AUTOGRAD_CORE_KERNELS=numpy|numba|auto`` (read once, at the first kernel call) or
:func:`set_backend` / :func:`use_backend` force one path for every kernel, so that the
tests can run each kernel on both. ``auto`` (the default) applies the rules below.

The rules (the measurements behind them: ``benchmarks/README.md``, "Which path runs a
kernel"):

- ``bmm``: Numba's register-tiled microkernel (``microkernel.py``) when every matrix
  is whole tiles (M a multiple of 4, N of 16 float32 or 8 float64 columns) and one
  matrix of ``b`` fits in the L1 data cache; NumPy (one sgemm per matrix, batch split
  over our threads) once ``b`` spills from L1, where OpenBLAS's packed sgemm wins; a
  plain Numba loop nest for tiny matrices (M*N*K < 512), below NumPy's per-call cost.
- ``conv2d_*``: Numba (Numba im2col/col2im + one sgemm per cache-sized chunk of samples,
  over our threads); the NumPy path copies a whole im2col matrix through memory. On the
  Numba path, float32 3x3 convolutions of stride 1 with 32 channels and more in and out
  take Winograd's F(2x2, 3x3) for the forward and both gradients (56x56 outputs at most),
  and 4x4 ones of stride 2 with 32 channels and more (a DCGAN's layers, and its transposed
  convolutions through the input gradient) F(2x2, 2x2) over the input's stride phases
  (32x32 outputs at most; ``winograd.applies``). Small weight gradients (one group, C*kh*kw
  at most 32, at most 64 output channels: first layers) are per-sample BLAS products of
  the NumPy path's im2col columns (``conv._tiny_gradient``).
- pooling: Numba (one pass per plane).
- the LSTM cell's step arithmetic: Numba (one call per time step; NumPy makes a dozen).
- a product with a right-hand side packed once into panels (``matmul_panels``: a recurrent
  layer's weight at every step, ``nn.Linear``): the AVX2 tile when N is whole tiles and
  one panel (K x tile width) fits in the L1 data cache; with AVX-512 the wide tile at
  any K and N of at least one tile, the columns past the last whole one in NumPy (about
  twice OpenBLAS's speed on the shapes measured); NumPy otherwise.
If numba is not installed, ``auto`` uses NumPy and forcing ``numba`` is an error.

>>> from autograd_core import kernels
>>> with kernels.use_backend("numpy"):
...     kernels.get_backend()
'numpy'
"""
from __future__ import annotations

import contextlib
import os
from typing import Iterator

from .jit import numba_available
from .shapes import TILE_BYTES, whole_tiles

BACKENDS = ("numpy", "numba", "auto")
_ENV = "AUTOGRAD_CORE_KERNELS"
_backend: str | None = None


def _check(name: str, where: str) -> str:
    if name not in BACKENDS:
        raise ValueError(f"{where}: expected one of {BACKENDS}, got {name!r}")
    if name == "numba" and not numba_available():
        raise RuntimeError(f"{where}: the numba backend needs numba installed (pip install numba)")
    return name


def get_backend() -> str:
    """The forced path (``"numpy"`` or ``"numba"``) or ``"auto"``.

    >>> get_backend() in ("numpy", "numba", "auto")
    True
    """
    global _backend
    if _backend is None:
        _backend = _check(os.environ.get(_ENV, "auto").strip().lower() or "auto",
                          f"environment variable {_ENV}")
    return _backend


def set_backend(name: str) -> None:
    """Force ``"numpy"`` or ``"numba"`` for every kernel, or ``"auto"`` to choose per shape.

    >>> set_backend("auto")
    """
    global _backend
    _backend = _check(name, "set_backend")


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[None]:
    """``with use_backend("numba"): ...`` forces a path inside the block (process-wide).

    >>> with use_backend("auto"):
    ...     pass
    """
    previous = get_backend()
    set_backend(name)
    try:
        yield
    finally:
        set_backend(previous)


def _auto_ok() -> bool:
    return numba_available()


L1_BYTES = 32 * 1024   # L1 data cache per core of the development machine (AMD Zen 3)


def choose_bmm(batch: int, m: int, k: int, n: int, itemsize: int = 4) -> str:
    """Path for ``bmm`` of (batch, m, k) @ (batch, k, n) with elements of ``itemsize`` bytes."""
    forced = get_backend()
    if forced != "auto":
        return forced
    if not _auto_ok():
        return "numpy"
    tiled = whole_tiles(m, n, itemsize) and k * n * itemsize <= L1_BYTES
    return "numba" if m * n * k < 512 or tiled else "numpy"


def choose_path() -> str:
    """Path for the convolution and pooling kernels: the forced one, else Numba when it
    is installed, else NumPy."""
    forced = get_backend()
    if forced != "auto":
        return forced
    return "numba" if _auto_ok() else "numpy"


def choose_rnn() -> str:
    """Path for the recurrent cells' step arithmetic (``recurrent.py``): Numba, one call per
    time step where NumPy makes a dozen."""
    forced = get_backend()
    if forced != "auto":
        return forced
    return "numba" if _auto_ok() else "numpy"


def choose_panels(k: int, n: int, itemsize: int = 4, tile_bytes: int = TILE_BYTES) -> str:
    """Path for products with a (K, N) right-hand side packed into panels ``tile_bytes``
    wide."""
    forced = get_backend()
    width = tile_bytes // itemsize
    # the AVX2 tile takes whole tiles; the wide one any N of a tile or more (the columns
    # past the last whole tile go to NumPy)
    shaped = n % width == 0 if tile_bytes == TILE_BYTES else n >= width
    if forced != "auto":
        return forced if forced == "numpy" or shaped else "numpy"
    if not _auto_ok() or not shaped:
        return "numpy"
    # the AVX2 tile while a panel fits the L1 cache; the wide one at any K
    return "numba" if tile_bytes != TILE_BYTES or k * tile_bytes <= L1_BYTES else "numpy"
