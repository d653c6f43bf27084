"""Products with a right-hand side packed into panels (``kernels/matmul.py`` ``pack_panels``,
``matmul_panels``, ``matmul_packed``; ``microkernel.panels_matmul``) against ``np.matmul``:
both tile widths (the AVX2 tile, and the wide AVX-512 one that ``pack_panels`` picks on
such a CPU), rows that are not whole tiles, ``C += A @ B``, and NumPy's path."""
from __future__ import annotations

import numpy as np
import pytest

from autograd_core import kernels as K
from autograd_core.kernels.matmul import matmul_packed, matmul_panels, pack_panels
from autograd_core.kernels.shapes import TILE_BYTES, WIDE_TILE_BYTES

TOL = {np.float32: dict(rtol=1e-4, atol=1e-4), np.float64: dict(rtol=1e-12, atol=1e-12)}


def _panels(b: np.ndarray, tile_bytes: int) -> np.ndarray:
    width = tile_bytes // b.itemsize
    return np.ascontiguousarray(b.reshape(b.shape[0], -1, width).transpose(1, 0, 2))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tile_bytes", [TILE_BYTES, WIDE_TILE_BYTES])
@pytest.mark.parametrize("m, k", [(4, 1), (7, 5), (35, 128), (1, 3)])
@pytest.mark.parametrize("accumulate", [False, True])
def test_matmul_panels_both_tiles_as_np_matmul(dtype, tile_bytes, m, k, accumulate):
    rng = np.random.default_rng(m * k)
    n = 2 * WIDE_TILE_BYTES // np.dtype(dtype).itemsize
    a, b = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype)
    start = rng.standard_normal((m, n)).astype(dtype)
    out = start.copy()
    matmul_panels(a, b, _panels(b, tile_bytes), out, accumulate=accumulate)
    np.testing.assert_allclose(out, a @ b + (start if accumulate else 0), **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("backend", ["numpy", "numba", "auto"])
@pytest.mark.parametrize("m, k, n", [(33, 64, 128), (6, 3, 64), (5, 4, 7), (64, 700, 96),
                                     (203, 64, 700), (259, 1100, 40)])
def test_matmul_packed_as_np_matmul(dtype, backend, m, k, n):
    rng = np.random.default_rng(n)
    a, b = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype)
    with K.use_backend(backend):
        if backend == "numpy":
            assert pack_panels(b) is None
        np.testing.assert_allclose(matmul_packed(a, b), a @ b, **TOL[dtype])
        np.testing.assert_allclose(matmul_packed(a.T.copy().T, b.T.copy().T), a @ b, **TOL[dtype])
        np.testing.assert_allclose(matmul_packed(a, b[::-1][::-1]), a @ b, **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pack_panels_of_a_transposed_or_strided_matrix(dtype):
    b = np.arange(70 * 9, dtype=dtype).reshape(70, 9).T     # a transposed weight, (9, 70)
    for src in (b, b[::2], np.ascontiguousarray(b)):
        panels = pack_panels(src)
        if panels is None:
            pytest.skip("no Numba path")
        width = panels.shape[2]
        for p in range(panels.shape[0]):
            np.testing.assert_array_equal(panels[p], src[:, p * width:(p + 1) * width])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("accumulate", [False, True])
def test_matmul_panels_columns_past_the_last_panel(dtype, accumulate):
    # pack_panels packs the whole panels only; the columns after them go to NumPy
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((10, 9)).astype(dtype), rng.standard_normal((9, 70)).astype(dtype)
    start = rng.standard_normal((10, 70)).astype(dtype)
    panels = pack_panels(b)
    if panels is None:
        pytest.skip("no Numba path")
    assert panels.shape[0] * panels.shape[2] < 70
    out = start.copy()
    matmul_panels(a, b, panels, out, accumulate=accumulate)
    np.testing.assert_allclose(out, a @ b + (start if accumulate else 0), **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m, n", [(128, 128), (1, 5), (7, 300)])
def test_an_outer_product_is_np_matmuls_numbers_exactly(dtype, m, n):
    """Depth 1 (a weight's gradient at batch 1) is a broadcast multiply: each element is
    one product, the same number as ``np.matmul``'s (compared exactly), into ``out`` too,
    with operands of any layout."""
    rng = np.random.default_rng(m + n)
    a, b = rng.standard_normal((m, 1)).astype(dtype), rng.standard_normal((1, n)).astype(dtype)
    np.testing.assert_array_equal(matmul_packed(a, b), np.matmul(a, b))
    at = rng.standard_normal((1, m)).astype(dtype).T          # a transposed view, (m, 1)
    out = np.empty((m, n), dtype)
    assert matmul_packed(at, b, out) is out
    np.testing.assert_array_equal(out, np.matmul(at, b))
