"""Kernels against the plain NumPy references, on both paths (NumPy/BLAS and Numba).

Every kernel test runs once per backend through the ``backend`` fixture, on odd shapes:
sizes 1, primes, non-square images and kernels, stride larger than the kernel,
dilation, groups (depthwise too), padding; float32 and float64. The backward kernels
are also checked against the forward through the adjoint identity
<conv(x, w), g> = <x, dconv/dx^T g> = <w, dconv/dw^T g>, which does not use the
references at all. PyTorch parity is in ``test_kernels_torch.py``.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from autograd_core import kernels as K
from autograd_core.kernels import reference as ref, threads
from tests.helpers import REPO

BACKENDS = ["numpy", "numba"]
TOL = {np.float32: dict(rtol=2e-4, atol=2e-4), np.float64: dict(rtol=1e-10, atol=1e-10)}


@pytest.fixture(params=BACKENDS)
def backend(request):
    with K.use_backend(request.param):
        yield request.param


def rand(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


@pytest.fixture(autouse=True)
def direct_weight_gradients(monkeypatch):
    """The weight gradients of this module's small convolutions run the Numba kernel they
    test, not the per-sample BLAS products of small gradients (``conv._tiny_gradient``),
    which ``test_small_weight_gradients_by_blas`` tests."""
    from autograd_core.kernels import conv
    monkeypatch.setattr(conv, "_tiny_gradient", lambda geo: False)


# (N, C, H, W, K, kh, kw, stride, padding, dilation, groups)
CONV_CASES = [
    (1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1),                   # every size 1
    (2, 3, 7, 5, 4, 3, 3, 1, 1, 1, 1),                   # primes, non-square, same padding
    (3, 4, 11, 13, 6, 3, 2, (2, 3), (1, 0), 1, 2),       # non-square kernel and stride, groups
    (2, 2, 5, 5, 3, 1, 1, 4, 0, 1, 1),                   # stride 4 > kernel 1
    (2, 3, 17, 13, 5, 2, 2, 3, 1, 1, 1),                 # stride 3 > kernel 2, padding
    (2, 6, 9, 8, 6, 3, 3, 2, 2, (2, 1), 3),              # dilation and groups
    (1, 4, 13, 7, 4, 5, 3, (3, 1), (2, 1), (1, 2), 4),   # depthwise, everything non-square
    (1, 2, 3, 3, 2, 3, 3, 1, 0, 1, 1),                   # 1x1 output
    (5, 1, 28, 28, 8, 3, 3, 1, 1, 1, 1),                 # single input channel (MNIST-like)
    (2, 5, 4, 6, 7, 4, 4, 1, 3, 1, 1),                   # padding 3 > half the kernel
    (2, 6, 9, 8, 6, 3, 3, 1, 2, (2, 1), 3),              # stride 1: dilation and groups
    (2, 4, 12, 10, 4, 3, 5, 1, (1, 2), 1, 4),            # stride 1: depthwise, non-square
]


CONV_CASES_TINY = [c for c in CONV_CASES if c[10] == 1]


def conv_id(case):
    return "N{}C{}H{}W{}K{}k{}x{}s{}p{}d{}g{}".format(*case).replace(" ", "")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CONV_CASES, ids=conv_id)
def test_conv2d_matches_reference(backend, case, dtype):
    n, c, h, w, k, kh, kw, s, p, d, g = case
    rng = np.random.default_rng(abs(hash(case)) % 2**32)
    x = rand(rng, (n, c, h, w), dtype)
    wt = rand(rng, (k, c // g, kh, kw), dtype)
    b = rand(rng, (k,), dtype)
    geo = K.conv2d_geometry(x.shape, wt.shape, s, p, d, g)
    out = K.conv2d_forward(x, wt, b, geo)
    expected = ref.conv2d_forward(x, wt, b, s, p, d, g)
    assert out.dtype == dtype and out.shape == expected.shape == geo.output_shape
    np.testing.assert_allclose(out, expected, **TOL[dtype])

    grad = rand(rng, out.shape, dtype)
    dx = K.conv2d_backward_input(grad, wt, geo)
    dw = K.conv2d_backward_weight(grad, x, geo)
    assert dx.dtype == dtype and dw.dtype == dtype
    np.testing.assert_allclose(dx, ref.conv2d_backward_input(grad, wt, x.shape, s, p, d, g), **TOL[dtype])
    np.testing.assert_allclose(dw, ref.conv2d_backward_weight(grad, x, wt.shape, s, p, d, g), **TOL[dtype])


@pytest.mark.parametrize("case", CONV_CASES[1:7], ids=conv_id)
def test_conv2d_backward_is_adjoint_of_forward(backend, case):
    """<conv(x, w), g> == <x, dx(g)> == <w, dw(g, x)>, independent of the references."""
    n, c, h, w, k, kh, kw, s, p, d, g = case
    rng = np.random.default_rng(1)
    x = rand(rng, (n, c, h, w), np.float64)
    wt = rand(rng, (k, c // g, kh, kw), np.float64)
    geo = K.conv2d_geometry(x.shape, wt.shape, s, p, d, g)
    out = K.conv2d_forward(x, wt, None, geo)
    grad = rand(rng, out.shape, np.float64)
    lhs = np.vdot(out, grad)
    assert np.isclose(lhs, np.vdot(x, K.conv2d_backward_input(grad, wt, geo)), rtol=1e-10)
    assert np.isclose(lhs, np.vdot(wt, K.conv2d_backward_weight(grad, x, geo)), rtol=1e-10)


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_conv2d_random_geometry(data):
    n = data.draw(st.integers(1, 3))
    g = data.draw(st.sampled_from([1, 1, 2, 3]))
    c = g * data.draw(st.integers(1, 3))
    k = g * data.draw(st.integers(1, 3))
    kh, kw = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    s = (data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4)))
    d = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    p = (data.draw(st.integers(0, 3)), data.draw(st.integers(0, 3)))
    h = data.draw(st.integers(max(1, d[0] * (kh - 1) + 1 - 2 * p[0]), 12))
    w = data.draw(st.integers(max(1, d[1] * (kw - 1) + 1 - 2 * p[1]), 12))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    x = rand(rng, (n, c, h, w), np.float64)
    wt = rand(rng, (k, c // g, kh, kw), np.float64)
    expected = ref.conv2d_forward(x, wt, None, s, p, d, g)
    grad = rand(rng, expected.shape, np.float64)
    geo = K.conv2d_geometry(x.shape, wt.shape, s, p, d, g)
    for backend in BACKENDS:
        with K.use_backend(backend):
            np.testing.assert_allclose(K.conv2d_forward(x, wt, None, geo), expected, atol=1e-10)
            np.testing.assert_allclose(K.conv2d_backward_input(grad, wt, geo),
                                       ref.conv2d_backward_input(grad, wt, x.shape, s, p, d, g), atol=1e-10)
            np.testing.assert_allclose(K.conv2d_backward_weight(grad, x, geo),
                                       ref.conv2d_backward_weight(grad, x, wt.shape, s, p, d, g), atol=1e-10)


def test_conv2d_large_batch_uses_every_sample(backend):
    """A batch big enough to be split over threads and chunks gives each sample its own result."""
    rng = np.random.default_rng(3)
    x = rand(rng, (37, 3, 16, 16), np.float32)
    w = rand(rng, (8, 3, 3, 3), np.float32)
    geo = K.conv2d_geometry(x.shape, w.shape, 1, 1)
    out = K.conv2d_forward(x, w, None, geo)
    np.testing.assert_allclose(out, ref.conv2d_forward(x, w, None, 1, 1), **TOL[np.float32])
    grad = rand(rng, out.shape, np.float32)
    np.testing.assert_allclose(K.conv2d_backward_input(grad, w, geo),
                               ref.conv2d_backward_input(grad, w, x.shape, 1, 1), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(K.conv2d_backward_weight(grad, x, geo),
                               ref.conv2d_backward_weight(grad, x, w.shape, 1, 1), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n,c,length,k,kl,s,p,d,g", [
    (1, 1, 1, 1, 1, 1, 0, 1, 1),
    (2, 3, 17, 5, 3, 2, 1, 1, 1),
    (3, 4, 11, 6, 2, 5, 0, 3, 2),     # stride > kernel, dilation, groups
    (2, 4, 7, 4, 3, (1,), (2,), (2,), 4),
])
def test_conv1d_matches_reference(backend, dtype, n, c, length, k, kl, s, p, d, g):
    """conv1d has no kernels of its own: the op runs the conv2d kernels over a height of 1."""
    import autograd_core as ag
    rng = np.random.default_rng(5)
    x = rand(rng, (n, c, length), dtype)
    w = rand(rng, (k, c // g, kl), dtype)
    b = rand(rng, (k,), dtype)
    s2, p2, d2 = [(1, v[0] if isinstance(v, tuple) else v) for v in (s, p, d)]
    p2 = (0, p2[1])
    expected = ref.conv2d_forward(x[:, :, None], w[:, :, None], b, s2, p2, d2, g)[:, :, 0]
    tx, tw, tb = (ag.tensor(a, requires_grad=True) for a in (x, w, b))
    out = ag.conv1d(tx, tw, tb, s, p, d, g)
    np.testing.assert_allclose(out.detach().numpy(), expected, **TOL[dtype])
    grad = rand(rng, out.shape, dtype)
    out.backward(ag.tensor(grad))
    np.testing.assert_allclose(
        tx.grad.numpy(),
        ref.conv2d_backward_input(grad[:, :, None], w[:, :, None], (n, c, 1, length), s2, p2, d2, g)[:, :, 0],
        **TOL[dtype])
    np.testing.assert_allclose(
        tw.grad.numpy(),
        ref.conv2d_backward_weight(grad[:, :, None], x[:, :, None], (k, c // g, 1, kl), s2, p2, d2, g)[:, :, 0],
        **TOL[dtype])


def test_conv_reference_by_hand():
    """The reference itself, on a case small enough to check with pencil and paper."""
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    # out[oy, ox] = x[oy, ox] - x[oy+1, ox+1] = -5 everywhere (stride 1, no padding)
    np.testing.assert_array_equal(ref.conv2d_forward(x, w), np.full((1, 1, 3, 3), -5.0))
    # padding 1: the corner (0, 0) sees only x[0, 0] under weight tap (1, 1) = -1
    assert ref.conv2d_forward(x, w, padding=1)[0, 0, 0, 0] == -0.0
    assert ref.conv2d_forward(x, w, padding=1)[0, 0, 4, 4] == 15.0


# ----------------------------------------------------------------------------- bmm
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (3, 7, 5, 11), (2, 1, 13, 2), (4, 64, 64, 64),
                                   (9, 3, 2, 5), (64, 8, 8, 8), (2, 5, 0, 3), (0, 2, 2, 2),
                                   # microkernel tiles: whole, with right/bottom edges, K = 1
                                   (2, 8, 64, 16), (3, 13, 29, 37), (2, 4, 1, 17), (5, 12, 7, 40)])
def test_bmm_matches_reference(backend, dtype, shape):
    bsz, m, k, n = shape
    rng = np.random.default_rng(7)
    a = rand(rng, (bsz, m, k), dtype)
    b = rand(rng, (bsz, k, n), dtype)
    out = K.bmm(a, b)
    assert out.dtype == dtype and out.shape == (bsz, m, n)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out, ref.bmm(a, b), **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_microkernel_writes_every_element(dtype):
    """The tile stores whole vectors: every output element is written (an output full of
    NaN comes back finite) and none outside the batch range asked for."""
    from autograd_core.kernels.microkernel import bmm_range
    rng = np.random.default_rng(3)
    a = rand(rng, (4, 9, 6), dtype)
    b = rand(rng, (4, 6, 21), dtype)
    out = np.full((4, 9, 21), np.nan, dtype)
    bmm_range(a, b, out, 1, 3)
    np.testing.assert_allclose(out[1:3], ref.bmm(a[1:3], b[1:3]), rtol=1e-5, atol=1e-5)
    assert np.isnan(out[0]).all() and np.isnan(out[3]).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tile", [0, 1, 2])
def test_gemm_gather_reads_rows_where_they_lie(dtype, tile):
    """``gemm_gather``: B's rows start wherever a table says (here at random, deeper than
    one KC block, two items and two groups), and each item's C is A @ B."""
    from autograd_core.kernels import microkernel as mk
    rng = np.random.default_rng(tile)
    mr, nv = mk.GEMM_TILES[tile]
    m, n, k = 3 * mr, 2 * nv * mk.VECTOR_BYTES // np.dtype(dtype).itemsize, 700
    flat = rand(rng, (50_000,), dtype)
    rows = rng.integers(0, 20_000, k).astype(np.int64)
    a = rand(rng, (2, m, k), dtype)                           # A of each group
    c = np.full((2, 2, m, n), np.nan, dtype)                  # (item, group, m, n)
    mk.gemm_gather(a.reshape(-1), flat, c.reshape(-1), rows, m, n, k, k, 7, 9_000, 0,
                   2 * m * n, n, 2, tile, 2, m * k, 11_000, m * n)
    for i in range(2):
        for g in range(2):
            start = 7 + i * 9_000 + g * 11_000
            b = np.stack([flat[start + t:start + t + n] for t in rows])
            np.testing.assert_allclose(c[i, g], ref.bmm(a[g][None], b[None])[0], **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tile", [0, 1, 2])
@pytest.mark.parametrize("rows_tiles", [2, 30])
def test_gemm_blocks_and_packed_panels(dtype, tile, rows_tiles):
    """``gemm`` over several KC blocks and two groups, B's rows ``ldb`` apart (not the
    tile's width) from an offset, C accumulated: equal to NumPy's product whether B's
    panels are read in place (2 row tiles) or copied first (30 row tiles, where an AVX2
    host packs them: ``GEMM_PACK_TILES``)."""
    from autograd_core.kernels import microkernel as mk
    rng = np.random.default_rng(10 * tile + rows_tiles)
    mr, nv = mk.GEMM_TILES[tile]
    nr = nv * mk.VECTOR_BYTES // np.dtype(dtype).itemsize
    m, n, k, ldb, b_off = rows_tiles * mr, 2 * nr, 1300, 2 * nr + 5, 3
    a = rand(rng, (2, m, k), dtype)
    b_flat = rand(rng, (b_off + 2 * k * ldb,), dtype)
    b_flat.setflags(write=False)                      # B is only read
    c = rand(rng, (2, m, n), dtype)
    expected = c.copy()
    for g in range(2):
        b = b_flat[b_off + g * k * ldb:b_off + (g + 1) * k * ldb].reshape(k, ldb)[:, :n]
        expected[g] += a[g] @ b
    mk.gemm(a.reshape(-1), b_flat, c.reshape(-1), m, n, k, 0, k, 1, b_off, ldb, 0, n, 1,
            tile, 2, m * k, k * ldb, m * n)
    tol = dict(rtol=2e-4, atol=2e-3) if dtype == np.float32 else dict(rtol=1e-11, atol=1e-10)
    np.testing.assert_allclose(c, expected, **tol)


def test_bmm_out_argument(backend):
    a = np.ones((2, 3, 4)); b = np.ones((2, 4, 5))
    out = np.full((2, 3, 5), np.nan)
    assert K.bmm(a, b, out=out) is out
    np.testing.assert_array_equal(out, 4.0)
    with pytest.raises(ValueError, match=r"bmm: out must be"):
        K.bmm(a, b, out=np.empty((2, 3, 4)))


# ----------------------------------------------------------------------------- pooling
# (N, C, H, W, kernel, stride, padding)
POOL_CASES = [
    (1, 1, 1, 1, 1, None, 0),
    (2, 3, 7, 5, 2, None, 0),            # odd size, default stride = kernel
    (2, 3, 8, 8, 3, 2, 1),               # overlapping windows with padding
    (1, 2, 11, 13, (3, 2), (2, 3), (1, 1)),
    (2, 2, 9, 9, 2, 4, 0),               # stride 4 > kernel 2
    (3, 1, 5, 7, (5, 1), 1, (2, 0)),
]


def pool_id(case):
    return "N{}C{}H{}W{}k{}s{}p{}".format(*case).replace(" ", "")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", POOL_CASES, ids=pool_id)
def test_max_pool2d_matches_reference(backend, case, dtype):
    n, c, h, w, k, s, p = case
    rng = np.random.default_rng(11)
    x = rand(rng, (n, c, h, w), dtype)
    geo = K.max_pool2d_geometry(x.shape, k, s, p)
    out, idx = K.max_pool2d_forward(x, geo)
    eout, eidx = ref.max_pool2d_forward(x, k, s, p)
    assert out.dtype == dtype and idx.dtype == np.int64
    np.testing.assert_array_equal(out, eout)
    np.testing.assert_array_equal(idx, eidx)
    grad = rand(rng, out.shape, dtype)
    np.testing.assert_allclose(K.max_pool2d_backward(grad, idx, geo),
                               ref.max_pool2d_backward(grad, eidx, x.shape), **TOL[dtype])


# (N, C, H, W, kernel, stride, padding, dilation, ceil_mode, count_include_pad, divisor)
POOL_OPTION_CASES = [
    (2, 3, 7, 7, 3, 2, 1, 1, True, True, None),
    (2, 2, 8, 5, 3, 2, 1, 2, True, False, None),
    (1, 2, 11, 6, (2, 3), (3, 2), (1, 1), (3, 1), True, False, None),
    (2, 1, 6, 6, 2, 1, 1, 1, False, False, 3),
    (1, 1, 2, 2, 2, 3, 1, 1, True, True, None),      # stride > input
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", POOL_OPTION_CASES, ids=lambda c: "-".join(map(str, c)).replace(" ", ""))
def test_pool_options_match_reference(backend, case, dtype):
    n, c, h, w, k, s, p, d, ceil, count_pad, div = case
    rng = np.random.default_rng(12)
    x = rng.integers(-3, 4, size=(n, c, h, w)).astype(dtype)
    out, idx = K.max_pool2d_forward(x, K.max_pool2d_geometry(x.shape, k, s, p, d, ceil))
    eout, eidx = ref.max_pool2d_forward(x, k, s, p, d, ceil)
    np.testing.assert_array_equal(out, eout)
    np.testing.assert_array_equal(idx, eidx)
    geo = K.avg_pool2d_geometry(x.shape, k, s, p, ceil, count_pad, div)
    avg = K.avg_pool2d_forward(x, geo)
    np.testing.assert_allclose(avg, ref.avg_pool2d_forward(x, k, s, p, ceil, count_pad, div),
                               **TOL[dtype])
    grad = rng.standard_normal(avg.shape).astype(dtype)
    np.testing.assert_allclose(K.avg_pool2d_backward(grad, geo),
                               ref.avg_pool2d_backward(grad, x.shape, k, s, p, ceil, count_pad, div),
                               **TOL[dtype])


def test_pool_ceil_mode_output_sizes():
    # PyTorch's rule: round up, but a last window must start inside input + left padding
    from autograd_core.kernels.shapes import pool_out_size
    assert [pool_out_size(7, 2, 2, 0, 1, c) for c in (False, True)] == [3, 4]
    assert [pool_out_size(6, 3, 2, 1, 1, c) for c in (False, True)] == [3, 4]
    assert pool_out_size(5, 2, 2, 1, 1, True) == 3      # a 4th would start in the right padding
    assert pool_out_size(8, 3, 2, 1, 2, False) == 3      # dilation 2: extent 5


def test_max_pool2d_ties_nan_and_inf(backend):
    """Ties keep the first maximum; a NaN wins (the last one); an all -inf window reports
    its first real pixel, never a padding position -- PyTorch's rules."""
    x = np.zeros((1, 4, 4, 4))
    x[0, 1] = np.array([[1, 5, 5, 0], [5, 2, 0, 0], [0, 0, 3, 3], [0, 0, 3, 3]])
    x[0, 2, 0, 1] = x[0, 2, 1, 0] = np.nan
    x[0, 3] = -np.inf
    out, idx = K.max_pool2d_forward(x, K.max_pool2d_geometry(x.shape, 3, 1, 1))
    eout, eidx = ref.max_pool2d_forward(x, 3, 1, 1)
    np.testing.assert_array_equal(idx, eidx)
    np.testing.assert_array_equal(out, eout)
    assert idx[0, 0, 0, 0] == 0                       # all zeros: the first real pixel
    assert idx[0, 1, 0, 0] == 1                       # 5 at (0,1) before 5 at (1,0)
    assert np.isnan(out[0, 2, 0, 0]) and idx[0, 2, 0, 0] == 4    # last NaN: (1,0)
    assert out[0, 3, 1, 1] == -np.inf and idx[0, 3, 1, 1] == 0   # window rows/cols 0..2
    assert idx[0, 3, 0, 0] == 0                       # padded corner: first real pixel, not padding


def test_max_pool2d_backward_accumulates_overlaps(backend):
    x = np.zeros((1, 1, 3, 3)); x[0, 0, 1, 1] = 1.0   # the centre wins every 2x2 window
    geo = K.max_pool2d_geometry(x.shape, 2, 1)
    out, idx = K.max_pool2d_forward(x, geo)
    dx = K.max_pool2d_backward(np.ones_like(out), idx, geo)
    assert dx[0, 0, 1, 1] == 4.0 and dx.sum() == 4.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", POOL_CASES, ids=pool_id)
def test_avg_pool2d_matches_reference(backend, case, dtype):
    n, c, h, w, k, s, p = case
    rng = np.random.default_rng(13)
    x = rand(rng, (n, c, h, w), dtype)
    geo = K.avg_pool2d_geometry(x.shape, k, s, p)
    out = K.avg_pool2d_forward(x, geo)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, ref.avg_pool2d_forward(x, k, s, p), **TOL[dtype])
    grad = rand(rng, out.shape, dtype)
    np.testing.assert_allclose(K.avg_pool2d_backward(grad, geo),
                               ref.avg_pool2d_backward(grad, x.shape, k, s, p), **TOL[dtype])


def test_avg_pool2d_counts_padding_as_zeros(backend):
    out = K.avg_pool2d_forward(np.ones((1, 1, 2, 2)), K.avg_pool2d_geometry((1, 1, 2, 2), 3, 1, 1))
    np.testing.assert_allclose(out, np.full((1, 1, 2, 2), 4 / 9))


def test_pool_large_batch(backend):
    rng = np.random.default_rng(17)
    x = rand(rng, (16, 8, 20, 20), np.float32)
    geo = K.max_pool2d_geometry(x.shape, 2)
    out, idx = K.max_pool2d_forward(x, geo)
    eout, eidx = ref.max_pool2d_forward(x, 2)
    np.testing.assert_array_equal(idx, eidx)
    g = rand(rng, out.shape, np.float32)
    np.testing.assert_allclose(K.max_pool2d_backward(g, idx, geo), ref.max_pool2d_backward(g, eidx, x.shape))
    np.testing.assert_allclose(K.avg_pool2d_backward(g, K.avg_pool2d_geometry(x.shape, 2)),
                               ref.avg_pool2d_backward(g, x.shape, 2),
                               rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------------- errors
def conv(x_shape, w_shape, bias=None, **kw):
    """Validate a geometry, then run the forward kernel on arrays of ones of those shapes."""
    return K.conv2d_forward(np.ones(x_shape), np.ones(w_shape), bias,
                            K.conv2d_geometry(x_shape, w_shape, **kw))


@pytest.mark.parametrize("call,message", [
    (lambda: conv((2, 4, 5, 5), (3, 3, 3, 3)),
     r"conv2d: expected input of shape \(N, C, H, W\) with C=3 .*got \(2, 4, 5, 5\)"),
    (lambda: conv((4, 5, 5), (3, 4, 3, 3)),
     r"conv2d: expected input of shape \(N, C, H, W\) \(4-D\), got \(4, 5, 5\)"),
    (lambda: conv((1, 4, 5, 5), (3, 2, 3, 3), groups=2),
     r"conv2d: out_channels K=3 .* divisible by groups=2"),
    (lambda: conv((1, 1, 2, 2), (1, 1, 3, 3)),
     r"conv2d: input \(1, 1, 2, 2\) .* too small"),
    (lambda: conv((1, 1, 5, 5), (1, 1, 3, 3), stride=0),
     r"conv2d: stride must be positive"),
    (lambda: conv((1, 1, 5, 5), (1, 1, 3, 3), padding=(1, 2, 3)),
     r"conv2d: padding must be an int or a pair"),
    (lambda: conv((1, 1, 5, 5), (2, 1, 3, 3), np.ones(3)),
     r"conv2d: expected bias of shape \(2,\)"),
    (lambda: K.conv2d_forward(np.ones((1, 1, 6, 6)), np.ones((1, 1, 3, 3)), None,
                              K.conv2d_geometry((1, 1, 5, 5), (1, 1, 3, 3))),
     r"conv2d: expected input of shape \(1, 1, 5, 5\), got \(1, 1, 6, 6\)"),
    (lambda: K.conv2d_backward_input(np.ones((1, 2, 4, 4)), np.ones((2, 1, 3, 3)),
                                     K.conv2d_geometry((1, 1, 5, 5), (2, 1, 3, 3))),
     r"conv2d_backward_input: expected grad_out of shape \(1, 2, 3, 3\)"),
    (lambda: K.conv2d_backward_weight(np.ones((1, 2, 3, 3)), np.ones((1, 1, 5, 5)),
                                      K.conv2d_geometry((1, 1, 5, 5), (2, 1, 2, 2))),
     r"conv2d_backward_weight: expected grad_out of shape \(1, 2, 4, 4\)"),
    (lambda: K.bmm(np.ones((2, 3, 4)), np.ones((2, 5, 6))),
     r"bmm: expected a \(B, M, K\) and b \(B, K, N\) .* got a \(2, 3, 4\) and b \(2, 5, 6\)"),
    (lambda: K.bmm(np.ones((3, 4)), np.ones((2, 4, 6))), r"bmm: expected a of shape \(B, M, K\)"),
    (lambda: K.max_pool2d_geometry((1, 1, 5, 5), 2, 2, 2),
     r"max_pool2d: padding \(2, 2\) should be at most half of kernel_size \(2, 2\)"),
    (lambda: K.avg_pool2d_geometry((1, 1, 2, 2), 3),
     r"avg_pool2d: input \(1, 1, 2, 2\) .* too small"),
    (lambda: K.max_pool2d_backward(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 3, 3), np.int64),
                                   K.max_pool2d_geometry((1, 1, 4, 4), 2, 1)),
     r"max_pool2d_backward: expected grad_out of shape \(1, 1, 3, 3\)"),
    (lambda: K.avg_pool2d_forward(np.ones((1, 1, 4, 4)), K.avg_pool2d_geometry((1, 1, 5, 5), 2)),
     r"avg_pool2d: expected input of shape \(1, 1, 5, 5\), got \(1, 1, 4, 4\)"),
])
def test_bad_input_names_op_and_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_conv1d_bad_input_names_op_and_shapes():
    """conv1d is an op over the conv2d kernels; its mistakes are reported by the op."""
    import autograd_core as ag
    with pytest.raises(RuntimeError, match=r"conv1d: expected input of shape \(N, C, L\)"):
        ag.conv1d(ag.ones(2, 4, 5, 5), ag.ones(3, 4, 3))


def test_kernels_take_only_a_geometry():
    with pytest.raises(TypeError, match=r"conv2d: geometry must be a ConvGeometry"):
        K.conv2d_forward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)), None,
                         dict(stride=1, padding=0, dilation=1, groups=1))
    with pytest.raises(TypeError, match=r"avg_pool2d_backward: geometry must be a AvgPoolGeometry"):
        K.avg_pool2d_backward(np.ones((1, 1, 1, 1)), K.max_pool2d_geometry((1, 1, 2, 2), 2))
    geo = K.conv2d_geometry((1, 1, 3, 3), (1, 1, 3, 3))
    with pytest.raises(AttributeError):
        geo.stride = (2, 2)          # frozen: validated once, never changed after


def test_dtype_errors():
    with pytest.raises(TypeError, match=r"conv2d: input must be float32 or float64, got int64"):
        K.conv2d_forward(np.ones((1, 1, 3, 3), np.int64), np.ones((1, 1, 3, 3)), None,
                         K.conv2d_geometry((1, 1, 3, 3), (1, 1, 3, 3)))
    with pytest.raises(RuntimeError, match=r"bmm: expected all arrays to have the same dtype"):
        K.bmm(np.ones((1, 2, 2), np.float32), np.ones((1, 2, 2)))


def test_non_contiguous_input_is_accepted(backend):
    x = np.random.default_rng(0).standard_normal((2, 5, 6, 3)).transpose(0, 3, 1, 2)   # (2, 3, 5, 6)
    w = np.ones((2, 3, 2, 2))
    np.testing.assert_allclose(K.conv2d_forward(x, w, None, K.conv2d_geometry(x.shape, w.shape)),
                               ref.conv2d_forward(x, w), atol=1e-12)


# ----------------------------------------------------------------------------- dispatcher and threads
def test_set_backend_validates_and_use_backend_restores():
    before = K.get_backend()
    with pytest.raises(ValueError, match="set_backend: expected one of"):
        K.set_backend("cuda")
    with K.use_backend("numpy"):
        assert K.get_backend() == "numpy"
        with K.use_backend("numba"):
            assert K.get_backend() == "numba"
        assert K.get_backend() == "numpy"
    assert K.get_backend() == before


def test_auto_choices_follow_measured_rules():
    from autograd_core.kernels import dispatch
    with K.use_backend("auto"):
        assert dispatch.choose_bmm(64, 64, 64, 64) == "numba"           # whole tiles, b in L1
        assert dispatch.choose_bmm(64, 64, 64, 64, itemsize=8) == "numba"
        assert dispatch.choose_bmm(64, 128, 128, 128) == "numpy"        # b spills from L1
        assert dispatch.choose_bmm(64, 64, 64, 60) == "numpy"           # edge columns
        assert dispatch.choose_bmm(64, 62, 64, 64) == "numpy"           # edge rows
        assert dispatch.choose_bmm(4096, 4, 4, 4) == "numba"
        assert dispatch.choose_path() == "numba"                        # conv and pooling
    with K.use_backend("numpy"):
        assert dispatch.choose_bmm(4096, 4, 4, 4) == "numpy"
        assert dispatch.choose_path() == "numpy"


def run_python(code: str, **env: str) -> str:
    full = dict(os.environ, **env)
    root = str(REPO)
    full["PYTHONPATH"] = root + os.pathsep + full.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=full, check=True).stdout.strip()


def test_environment_variable_forces_backend():
    code = "from autograd_core import kernels; print(kernels.get_backend())"
    assert run_python(code, AUTOGRAD_CORE_KERNELS="numpy") == "numpy"
    assert run_python(code, AUTOGRAD_CORE_KERNELS="numba") == "numba"


def test_import_compiles_nothing_and_imports_no_numba():
    code = ("import sys, autograd_core.kernels as k\n"
            "from autograd_core.kernels import jit\n"
            "print('numba' in sys.modules, 'threadpoolctl' in sys.modules,"
            " any(kern._dispatcher is not None for kern in jit.KERNELS), len(jit.KERNELS))")
    numba_loaded, tpc_loaded, compiled, count = run_python(code).split()
    assert (numba_loaded, tpc_loaded, compiled) == ("False", "False", "False")
    assert int(count) >= 7


def test_parallel_for_covers_range_and_propagates_errors():
    seen: list[int] = []
    threads.parallel_for(lambda lo, hi: seen.extend(range(lo, hi)), 103, grain=10)
    assert sorted(seen) == list(range(103))

    def boom(lo, hi):
        if lo > 0:
            raise KeyError("worker failed")
    if threads.get_num_threads() > 1:
        with pytest.raises(KeyError, match="worker failed"):
            threads.parallel_for(boom, 10)


def test_parallel_for_pieces_cover_range_once_and_stop_after_an_error(monkeypatch):
    # With ``piece`` the two threads claim pieces as they come free: every item exactly
    # once, in contiguous pieces of at least ``piece`` items (the last may be shorter),
    # the first ones larger (a quarter of what is left with two threads).
    import threading
    monkeypatch.setattr(threads, "_num_threads", 2)
    calls: list[tuple[int, int, str]] = []

    def part(lo: int, hi: int) -> None:
        calls.append((lo, hi, threading.current_thread().name))
    threads.parallel_for(part, 103, piece=3)
    pieces = sorted((lo, hi) for lo, hi, _ in calls)
    assert [i for lo, hi in pieces for i in range(lo, hi)] == list(range(103))
    assert all(hi - lo >= 3 for lo, hi in pieces[:-1])
    assert pieces[0] == (0, 25)                # 103 // 4
    assert len(pieces) > 2

    # one piece's error stops the claims (at most the piece the other thread holds
    # runs after it) and propagates once both threads are done
    done: list[int] = []

    def boom(lo: int, hi: int) -> None:
        if lo == 0:
            raise KeyError("piece failed")
        done.append(lo)
    with pytest.raises(KeyError, match="piece failed"):
        threads.parallel_for(boom, 1000, piece=1)
    assert len(done) <= 2

    # too few items for two threads: one call on the caller's thread, as without pieces
    calls.clear()
    threads.parallel_for(part, 5, grain=4, piece=2)
    assert [(lo, hi) for lo, hi, _ in calls] == [(0, 5)]


def test_parallel_for_parts_are_even_when_one_item_is_worth_a_thread():
    # the caller (which starts first) takes one item more only when items are small
    assert threads._bounds(32, 2, grain=1) == [0, 16, 32]
    assert threads._bounds(64, 2, grain=8) == [0, 33, 64]
    assert threads._bounds(10, 2, grain=2) == [0, 5, 10]     # short parts: even


def test_parallel_for_nested_and_concurrent_calls_run_serially(monkeypatch):
    # The worker threads serve one call at a time: a call from inside a part, or from
    # another thread while they are busy, runs on its caller's thread, never deadlocks.
    import threading
    monkeypatch.setattr(threads, "_num_threads", 2)
    seen: list[tuple[int, int]] = []
    inner: list[str] = []

    def part(lo: int, hi: int) -> None:
        threads.parallel_for(lambda a, b: inner.append(threading.current_thread().name), 4)
        seen.append((lo, hi))
    threads.parallel_for(part, 8)
    assert sorted(seen) == [(0, 4), (4, 8)]
    assert len(inner) == 2   # each nested call ran as one serial part

    results: list[int] = []
    def run() -> None:
        out: list[int] = []
        for _ in range(50):
            threads.parallel_for(lambda lo, hi: out.extend(range(lo, hi)), 10)
        results.append(len(out))
    ts = [threading.Thread(target=run) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    assert results == [500, 500, 500]


def test_blas_single_thread_restores_thread_count():
    pytest.importorskip("threadpoolctl")
    from threadpoolctl import threadpool_info
    handled = {r["filepath"] for r in threads.blas_report() if r.get("internal_api") == "openblas"}

    def counts():
        return {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["filepath"] in handled}
    before = counts()
    with threads.blas_single_thread():
        inside = counts()
    assert counts() == before
    assert all(n == 1 for n in inside.values())


def test_kernels_compile_only_contiguous_signatures():
    """Views passed to the Numba kernels stay C-contiguous: a strided view would compile a
    second, slower ('A' layout) specialisation and add to the first-use time."""
    from autograd_core.kernels import jit
    rng = np.random.default_rng(0)
    with K.use_backend("numba"):
        for dtype in (np.float32, np.float64):
            for n, s in ((37, 1), (5, 2), (1, 1)):          # 37: a short last chunk
                x = rand(rng, (n, 3, 9, 11), dtype)
                w = rand(rng, (4, 3, 3, 3), dtype)
                geo = K.conv2d_geometry(x.shape, w.shape, s, 1)
                g = K.conv2d_forward(x, w, None, geo)
                K.conv2d_backward_input(g, w, geo)
                K.conv2d_backward_weight(g, x, geo)
    # Whatever other tests compiled before (integer pools, say), no kernel may have been
    # given a non-contiguous array: every array argument of every signature is 'C' layout.
    strided = [(kern.__name__, sig) for kern in jit.KERNELS for sig in kern.signatures
               if any(getattr(arg, "layout", "C") != "C" for arg in sig)]
    assert strided == []


@pytest.mark.parametrize("wide,in_place", [(True, True), (True, False), (False, False)])
@pytest.mark.parametrize("case", CONV_CASES, ids=conv_id)
def test_conv2d_numba_both_layouts(monkeypatch, case, wide, in_place):
    """The Numba path lays the im2col columns out two ways (contiguous runs of the phase
    planes with junk columns, or row by row); force each on every case, the wide ones
    both copied and read in place by the GEMM (forward, and the input gradient of a
    stride-1 convolution, which runs as a forward one)."""
    from autograd_core.kernels import conv
    monkeypatch.setattr(conv, "_wide", lambda *args: wide)
    monkeypatch.setattr(conv, "_GATHER_WASTE", 0 if in_place else 1e18)
    # wide is otherwise kept only when its GEMM columns cost at most _WIDE_SLACK times
    # the row-by-row ones, and in the weight gradient only for short rows and little junk
    monkeypatch.setattr(conv, "_WIDE_SLACK", float("inf"))
    monkeypatch.setattr(conv, "_JUNK_MACS", float("inf"))
    n, c, h, w, k, kh, kw, s, p, d, g = case
    rng = np.random.default_rng(19)
    x = rand(rng, (n, c, h, w), np.float64)
    wt = rand(rng, (k, c // g, kh, kw), np.float64)
    with K.use_backend("numba"):
        geo = K.conv2d_geometry(x.shape, wt.shape, s, p, d, g)
        out = K.conv2d_forward(x, wt, None, geo)
        grad = rand(rng, out.shape, np.float64)
        dx = K.conv2d_backward_input(grad, wt, geo)
        dw = K.conv2d_backward_weight(grad, x, geo)
    np.testing.assert_allclose(out, ref.conv2d_forward(x, wt, None, s, p, d, g), atol=1e-10)
    np.testing.assert_allclose(dx, ref.conv2d_backward_input(grad, wt, x.shape, s, p, d, g), atol=1e-10)
    np.testing.assert_allclose(dw, ref.conv2d_backward_weight(grad, x, wt.shape, s, p, d, g), atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 2), st.integers(1, 27), st.integers(1, 45), st.data())
def test_conv_transposed_copy_every_edge(g, ni, nj, data):
    """The convolution's transposing copy works in 8 x 8 blocks: rows and columns past the
    last whole block, a column range that starts anywhere, and rows of ``src`` past
    ``ni`` (never read) all come out right, and nothing outside the range is written."""
    from autograd_core.kernels import conv
    lo = data.draw(st.integers(0, nj - 1))
    hi = data.draw(st.integers(lo, nj))
    rng = np.random.default_rng(ni * 100 + nj)
    for dtype in (np.float32, np.float64):
        src = rng.standard_normal((g, ni + 3, nj)).astype(dtype)
        out = np.zeros((g, nj, ni + 2), dtype)
        conv._transposed(src, out, ni, lo, hi)
        expected = np.zeros_like(out)
        expected[:, lo:hi, :ni] = src[:, :ni, lo:hi].transpose(0, 2, 1)
        np.testing.assert_array_equal(out, expected)   # a copy: exact


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_wide_weight_gradient_with_inf_and_nan_input(dtype):
    """A 14x14 output's weight gradient takes the wide columns, whose junk columns meet
    zero rows of the output gradient: an inf or NaN pixel read as junk would turn such a
    product into NaN, so the junk is zeroed then, and the result is the NumPy path's."""
    from autograd_core.kernels import conv
    rng = np.random.default_rng(5)
    x = rand(rng, (6, 4, 14, 14), dtype)
    wt = rand(rng, (8, 4, 3, 3), dtype)
    geo = K.conv2d_geometry(x.shape, wt.shape, 1, 1)
    assert conv._Layout(geo, x.itemsize).wide
    grad = rand(rng, geo.output_shape, dtype)
    for bad in (np.inf, np.nan):
        xb = x.copy()
        xb[0, 1, 3, 13] = bad       # the last pixel of a row: junk of the taps left of it
        xb[2, 0, 7, 0] = -np.inf
        with K.use_backend("numba"):
            dw = K.conv2d_backward_weight(grad, xb, geo)
        with K.use_backend("numpy"):
            expected = K.conv2d_backward_weight(grad, xb, geo)
        np.testing.assert_array_equal(np.isnan(dw), np.isnan(expected))
        np.testing.assert_allclose(dw, expected, **TOL[dtype])   # inf in the same places
    with K.use_backend("numba"):
        clean = K.conv2d_backward_weight(grad, x, geo)
    np.testing.assert_allclose(clean, ref.conv2d_backward_weight(grad, x, wt.shape, 1, 1), **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_numba_large_weight_gradient_and_padded_chunks(dtype):
    """A weight gradient over 2 MB is accumulated over chunks at least 512 pixels deep
    (here 32 samples of 4x4, then a last chunk of 8), with GEMM blocks of depth 512; the
    forward and input gradient take chunks of several samples so that the columns fill
    the GEMM tile: all three agree with the reference."""
    from autograd_core.kernels import conv
    rng = np.random.default_rng(23)
    x = rand(rng, (40, 256, 4, 4), dtype)
    wt = rand(rng, (256, 256, 3, 3), dtype)
    geo = K.conv2d_geometry(x.shape, wt.shape, 1, 1, 1, 1)
    assert conv._Layout(geo, x.itemsize).chunk >= 32                 # the deep path
    assert conv._Layout(geo, x.itemsize, nr=48).chunk > 1            # several samples
    with K.use_backend("numba"):
        out = K.conv2d_forward(x, wt, None, geo)
        grad = rand(rng, out.shape, dtype)
        dx = K.conv2d_backward_input(grad, wt, geo)
        dw = K.conv2d_backward_weight(grad, x, geo)
    x64, w64, g64 = x.astype(np.float64), wt.astype(np.float64), grad.astype(np.float64)
    tol = dict(rtol=1e-4, atol=1e-3) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(out, ref.conv2d_forward(x64, w64, None, 1, 1, 1, 1), **tol)
    np.testing.assert_allclose(dx, ref.conv2d_backward_input(g64, w64, x.shape, 1, 1, 1, 1), **tol)
    np.testing.assert_allclose(dw, ref.conv2d_backward_weight(g64, x64, wt.shape, 1, 1, 1, 1), **tol)


def test_conv2d_numba_streamed_weight_takes_wide_chunks():
    """A weight over ``_STREAMED_WEIGHT_BYTES`` (here 4.7 MB: 512 output channels by 2304
    taps, 4x4 outputs) gives the forward and the input gradient chunks of at least
    ``_STREAMED_COLUMNS`` columns (16 samples of 16 columns, or up to the batch's 18 where
    that pads the GEMM tile's width less: 18 with this host's 48-column tile, 16 with a
    32-column one); a smaller one keeps the cache-sized chunk. Both agree with the
    reference."""
    from autograd_core.kernels import conv
    rng = np.random.default_rng(31)
    x = rand(rng, (18, 256, 4, 4), np.float32)
    wt = rand(rng, (512, 256, 3, 3), np.float32)
    geo = K.conv2d_geometry(x.shape, wt.shape, 1, 1, 1, 1)
    assert wt.nbytes > conv._STREAMED_WEIGHT_BYTES
    for rows in (512, 2304):                     # the forward's tile, the input gradient's
        nr = conv._tile(rows, 4, "rows")[2]
        lay = conv._Layout(geo, 4, nr)
        assert 16 <= lay.chunk <= 18 and lay.chunk * lay.lw >= conv._STREAMED_COLUMNS
        assert (lay.chunk * lay.lw) % nr == 0 or lay.chunk == 16
    small = K.conv2d_geometry(x.shape, (128, 256, 3, 3), 1, 1, 1, 1)
    assert conv._Layout(small, 4, conv._tile(2304, 4, "rows")[2]).chunk * 16 < conv._STREAMED_COLUMNS
    with K.use_backend("numba"):
        out = K.conv2d_forward(x, wt, None, geo)
        grad = rand(rng, out.shape, np.float32)
        dx = K.conv2d_backward_input(grad, wt, geo)
    x64, w64, g64 = x.astype(np.float64), wt.astype(np.float64), grad.astype(np.float64)
    np.testing.assert_allclose(out, ref.conv2d_forward(x64, w64, None, 1, 1, 1, 1),
                               rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(dx, ref.conv2d_backward_input(g64, w64, x.shape, 1, 1, 1, 1),
                               rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("transposed", [False, True])
def test_conv2d_input_gradient_reads_the_weight_either_way(monkeypatch, transposed):
    """The input gradient's GEMM reads the weight where it lies (AVX-512 hosts) or copied
    transposed (AVX2 hosts), whichever the host takes: both agree with the reference, with
    groups whose rows round up past a group's own (18 rows a group, tiles of 4 or 8)."""
    from autograd_core.kernels import conv
    monkeypatch.setattr(conv, "_weight_transposed", lambda mk: transposed)
    rng = np.random.default_rng(37)
    for (n, c, h, k, kh, s, p, g) in ((3, 6, 9, 6, 3, 2, 1, 3), (2, 64, 8, 32, 4, 2, 1, 1)):
        x = rand(rng, (n, c, h, h), np.float64)
        wt = rand(rng, (k, c // g, kh, kh), np.float64)
        geo = K.conv2d_geometry(x.shape, wt.shape, s, p, 1, g)
        grad = rand(rng, geo.output_shape, np.float64)
        with K.use_backend("numba"):
            dx = K.conv2d_backward_input(grad, wt, geo)
        np.testing.assert_allclose(dx, ref.conv2d_backward_input(grad, wt, x.shape, s, p, 1, g),
                                   **TOL[np.float64])


@pytest.mark.parametrize("groups", [1, 2])
def test_conv2d_numba_large_weight_gradient_transposed_on_two_threads(groups):
    """A weight gradient of 512 output channels by 4608 taps (layer 4 of ResNet-18) is
    transposed to (K, C, kh, kw) by both threads, 32 output channels at a time; the input
    gradient reads the weight as the host takes it (above). Both agree with the reference."""
    rng = np.random.default_rng(29)
    x = rand(rng, (2, 512, 4, 4), np.float32)
    wt = rand(rng, (512 * groups, 512 // groups, 3, 3), np.float32)
    geo = K.conv2d_geometry(x.shape, wt.shape, 1, 1, 1, groups)
    grad = rand(rng, geo.output_shape, np.float32)
    before = threads.get_num_threads()
    threads.set_num_threads(2)
    try:
        with K.use_backend("numba"):
            dw = K.conv2d_backward_weight(grad, x, geo)
            dx = K.conv2d_backward_input(grad, wt, geo)
    finally:
        threads.set_num_threads(before)
    x64, w64, g64 = x.astype(np.float64), wt.astype(np.float64), grad.astype(np.float64)
    np.testing.assert_allclose(dw, ref.conv2d_backward_weight(g64, x64, wt.shape, 1, 1, 1, groups),
                               rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(dx, ref.conv2d_backward_input(g64, w64, x.shape, 1, 1, 1, groups),
                               rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, k, stride, block_bytes", [
    ((5, 12, 7, 9), 10, 1, None),       # 63 pixels a sample: one product per sample, one block
    ((5, 12, 7, 9), 10, 1, 1000),       # blocks of two samples (10*12*8 bytes a product)
    ((6, 20, 4, 4), 7, 1, None),        # 16 pixels: one product over all the samples' pixels
    ((1, 3, 1, 1), 4, 1, None),
    ((3, 8, 9, 16), 6, 2, None),        # a shortcut's stride: the visited pixels copied
    ((3, 8, 9, 16), 6, (3, 2), 500),
    ((2, 5, 1, 7), 3, (2, 4), None),
])
def test_conv2d_pointwise_is_a_product_per_sample(monkeypatch, shape, k, stride, block_bytes,
                                                  dtype):
    """A 1x1 convolution, unpadded, in one group is a (K, C) @ (C, OH*OW) product per sample
    (at a stride, of the pixels it visits): forward, input and weight gradients against the
    reference, on both backends, with the weight gradient's samples summed in blocks or as
    one product."""
    from autograd_core.kernels import conv
    assert conv._pointwise(K.conv2d_geometry(shape, (k, shape[1], 1, 1), stride, 0, 2))
    assert not conv._pointwise(K.conv2d_geometry(shape, (k, shape[1], 1, 1), stride, 1))
    assert not conv._pointwise(K.conv2d_geometry((2, 4, 5, 5), (4, 2, 1, 1), 1, 0, 1, 2))
    if block_bytes:
        monkeypatch.setattr(conv, "_POINTWISE_BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(41)
    x = rand(rng, shape, dtype)
    w = rand(rng, (k, shape[1], 1, 1), dtype)
    b = rand(rng, (k,), dtype)
    geo = K.conv2d_geometry(shape, w.shape, stride, 0)
    g = rand(rng, geo.output_shape, dtype)
    x64, w64, g64 = (a.astype(np.float64) for a in (x, w, g))
    for backend in ("numba", "numpy"):
        with K.use_backend(backend):
            y = K.conv2d_forward(x, w, b, geo)
            dx = K.conv2d_backward_input(g, w, geo)
            dw = K.conv2d_backward_weight(g, x, geo)
        assert y.dtype == dx.dtype == dw.dtype == dtype
        np.testing.assert_allclose(y, ref.conv2d_forward(x64, w64, b.astype(np.float64), stride, 0),
                                   **TOL[dtype])
        np.testing.assert_allclose(dx, ref.conv2d_backward_input(g64, w64, shape, stride, 0),
                                   **TOL[dtype])
        np.testing.assert_allclose(dw, ref.conv2d_backward_weight(g64, x64, w.shape, stride, 0),
                                   **TOL[dtype])


def test_conv2d_as_blas_products_holds_blas_while_the_host_is_busy(monkeypatch):
    """The convolutions done as BLAS products (a 1x1 kernel, a kernel covering the input)
    ask for a one-thread BLAS hold with their multiply-adds, as ``ops.linalg``'s products
    do: taken while the host is busy."""
    from autograd_core.kernels import conv
    asked = []
    real = threads.blas_single_if_busy
    monkeypatch.setattr(threads, "blas_single_if_busy", lambda macs: asked.append(macs) or real(macs))
    monkeypatch.setattr(threads, "host_busy", lambda: True)
    x = np.ones((4, 8, 6, 5), np.float32)
    for weight, stride in (((3, 8, 1, 1), 2), ((3, 8, 6, 5), 1)):
        geo = K.conv2d_geometry(x.shape, weight, stride, 0)
        w = np.ones(weight, np.float32)
        asked.clear()
        y = K.conv2d_forward(x, w, None, geo)
        dx = K.conv2d_backward_input(y, w, geo)
        K.conv2d_backward_weight(y, x, geo)
        macs = 4 * 3 * 8 * weight[2] * weight[3] * geo.out_hw[0] * geo.out_hw[1]
        assert asked == [macs] * 3
        # sums of ones: exact
        np.testing.assert_array_equal(y, np.full(geo.output_shape, 8 * weight[2] * weight[3]))
        assert dx.shape == x.shape
    assert conv._pointwise(K.conv2d_geometry(x.shape, (3, 8, 1, 1), 2, 0))


@pytest.mark.parametrize("shape, weight, stride", [
    ((15, 32, 32, 32), (32, 32, 3, 3), 1),     # wide columns read in place, 1 sample a chunk
    ((15, 96, 20, 20), (48, 96, 3, 3), 2),     # im2col copies, 3 samples a chunk
])
def test_conv2d_numba_pieces_on_two_threads_equal_one_thread_exactly(shape, weight, stride):
    """On two threads the forward and the input gradient are cut into pieces claimed as
    the threads come free; each sample's columns meet the same GEMM in the same order
    however the pieces fall, so the results equal one thread's bit for bit (exact
    equality is the point: a rerun gives the same numbers)."""
    rng = np.random.default_rng(37)
    x = rand(rng, shape, np.float32)
    wt = rand(rng, weight, np.float32)
    geo = K.conv2d_geometry(x.shape, wt.shape, stride, 1)
    grad = rand(rng, geo.output_shape, np.float32)
    before = threads.get_num_threads()
    try:
        with K.use_backend("numba"):
            threads.set_num_threads(1)
            one = K.conv2d_forward(x, wt, None, geo), K.conv2d_backward_input(grad, wt, geo)
            threads.set_num_threads(2)
            runs = [(K.conv2d_forward(x, wt, None, geo), K.conv2d_backward_input(grad, wt, geo))
                    for _ in range(3)]
    finally:
        threads.set_num_threads(before)
    for y, dx in runs:
        np.testing.assert_array_equal(y, one[0])
        np.testing.assert_array_equal(dx, one[1])
    np.testing.assert_allclose(one[0], ref.conv2d_forward(x.astype(np.float64), wt.astype(np.float64),
                                                          None, stride, 1), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_weight_gradient_split_by_output_channels_on_two_threads(monkeypatch, dtype):
    """On two threads a weight gradient over 2 MB is split by blocks of output channels
    (each over every sample, one accumulator), not by samples: the DCGAN's stride-2
    256 -> 512 layer at batch 6. It agrees with one thread and with the reference."""
    from autograd_core.kernels import conv, winograd
    monkeypatch.setattr(winograd, "applies", lambda *a: False)   # the direct kernel's split
    taken = []
    real = conv._weight_gradient_by_channels
    monkeypatch.setattr(conv, "_weight_gradient_by_channels",
                        lambda *a: taken.append(1) or real(*a))
    rng = np.random.default_rng(31)
    x = rand(rng, (6, 256, 8, 8), dtype)
    geo = K.conv2d_geometry(x.shape, (512, 256, 4, 4), 2, 1)
    grad = rand(rng, geo.output_shape, dtype)
    before = threads.get_num_threads()
    try:
        with K.use_backend("numba"):
            threads.set_num_threads(2)
            two = K.conv2d_backward_weight(grad, x, geo)
            threads.set_num_threads(1)
            one = K.conv2d_backward_weight(grad, x, geo)
    finally:
        threads.set_num_threads(before)
    assert taken == [1]                                  # the two-thread call only
    monkeypatch.setattr(conv, "_BY_CHANNELS_MAX_BYTES", 1024)   # columns too many to hold
    threads.set_num_threads(2)
    try:
        with K.use_backend("numba"):
            by_samples = K.conv2d_backward_weight(grad, x, geo)
    finally:
        threads.set_num_threads(before)
    assert taken == [1]
    expected = ref.conv2d_backward_weight(grad.astype(np.float64), x.astype(np.float64),
                                          (512, 256, 4, 4), 2, 1)
    tol = dict(rtol=1e-4, atol=1e-3) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(two, expected, **tol)
    np.testing.assert_allclose(one, expected, **tol)
    np.testing.assert_allclose(by_samples, expected, **tol)


def test_blas_single_thread_overlapping_from_threads():
    """Overlapping holds from two threads, the first leaving first: BLAS stays at one
    thread until the last one leaves, then gets back its count from before the first."""
    import threading
    pytest.importorskip("threadpoolctl")
    from threadpoolctl import threadpool_info
    handled = {r["filepath"] for r in threads.blas_report() if r.get("internal_api") == "openblas"}

    def counts():
        return {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["filepath"] in handled}
    before = counts()
    entered, release = threading.Event(), threading.Event()

    def hold():
        with threads.blas_single_thread():
            entered.set()
            release.wait(5)
    with threads.blas_single_thread():
        t = threading.Thread(target=hold)
        t.start()
        entered.wait(5)
    assert all(n == 1 for n in counts().values())      # the other thread still holds
    release.set()
    t.join()
    assert counts() == before


def _tie_planes(seed: int, shape: tuple, dtype, nan_share: float) -> np.ndarray:
    """Planes of small integers (many ties) with -0.0, -inf, inf and NaNs, the NaNs told
    apart by their payloads."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, shape).astype(dtype)
    x[rng.random(shape) < 0.15] = -0.0
    x[rng.random(shape) < 0.1] = -np.inf
    x[rng.random(shape) < 0.05] = np.inf
    nan = rng.random(shape) < nan_share
    x[nan] = np.nan
    bits = x.view(np.int32 if dtype == np.float32 else np.int64)
    bits[nan] |= rng.integers(1, 64, nan.sum()).astype(bits.dtype)
    return x


def _assert_as_general_kernel(fast, x, k, stride, padding) -> np.ndarray:
    """``fast(out, idx)`` writes, bit for bit, the values and indices of the general
    kernel's comparisons in order, and the public entry gives the same indices; returns
    them."""
    from autograd_core.kernels import pool
    geo = K.max_pool2d_geometry((1,) + x.shape, k, stride, padding)
    shape = (x.shape[0],) + geo.out_hw
    got = (np.empty(shape, x.dtype), np.empty(shape, np.int64))
    general = (np.empty(shape, x.dtype), np.empty(shape, np.int64))
    fast(*got)
    pool._max_fwd(x, 0, x.shape[0], k, k, stride, stride, padding, padding, 1, 1, *general)
    bits = np.int32 if x.dtype == np.float32 else np.int64
    np.testing.assert_array_equal(got[0].view(bits), general[0].view(bits))
    np.testing.assert_array_equal(got[1], general[1])
    with K.use_backend("numba"):                          # the public entry takes it
        out, idx = K.max_pool2d_forward(x[None], geo)
    np.testing.assert_array_equal(idx[0], general[1])
    return general[1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hw", [(8, 6), (7, 5), (2, 2)])   # odd sizes drop the last row/column
def test_max_pool_2x2_fast_path_equals_general_kernel(dtype, hw):
    """The branch-free 2x2/stride-2 kernel picks what the general kernel's comparisons in
    order pick: the first maximum (ties, and -0.0 against 0.0), the last NaN of a window,
    -inf; bit for bit, so the winner's own zero sign and NaN payload."""
    from autograd_core.kernels import pool
    x = _tie_planes(5, (64,) + hw, dtype, 0.2)
    x[0, 0, 1] = x[1, 1, 1] = x[1, 0, 0] = x[2, 1, 0] = np.nan
    _assert_as_general_kernel(lambda out, idx: pool._max_fwd_2x2(x, 0, 64, out, idx), x, 2, 2, 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hw, stride, padding", [((9, 8), 2, 1), ((7, 6), 1, 1), ((8, 9), 2, 0),
                                                  ((3, 4), 3, 1), ((2, 2), 1, 1)])
def test_max_pool_3x3_kernel_equals_general_kernel(dtype, hw, stride, padding):
    """The 3x3 kernel (branch-free inside the input, ``_max_window`` at its edges) picks
    what the general kernel's comparisons in order pick, bit for bit: first maximum,
    -0.0 against 0.0, last NaN (told apart by payload), -inf and inf."""
    from autograd_core.kernels import pool
    x = _tie_planes(7, (48,) + hw, dtype, 0.1)
    idx = _assert_as_general_kernel(
        lambda out, idx: pool._max_fwd_3x3(x, 0, 48, stride, stride, padding, padding, out, idx),
        x, 3, stride, padding)
    eout, eidx = ref.max_pool2d_forward(x[None].astype(np.float64), 3, stride, padding)
    np.testing.assert_array_equal(idx[None], eidx)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, ndim", [((5, 7), 1), ((3, 4, 6), 2), ((2, 3, 130), 1),
                                         ((600, 1000), 1)])   # split over the threads
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_layer_norm_kernels_match_the_numpy_path(dtype, shape, ndim, affine):
    """The per-row Numba layer norm gives the NumPy path's y, xhat, inv_std, dx and the
    weight and bias gradients (to the dtype's rounding), and a constant row normalises to
    exactly 0."""
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    x.reshape(-1, int(np.prod(shape[-ndim:])))[1] = dtype(0.1)   # a constant row
    norm_shape = shape[-ndim:]
    w = rng.standard_normal(norm_shape).astype(dtype) if affine != "none" else None
    b = rng.standard_normal(norm_shape).astype(dtype) if affine == "both" else None
    g = rng.standard_normal(shape).astype(dtype)
    got, want = {}, {}
    for backend, res in (("numba", got), ("numpy", want)):
        with K.use_backend(backend):
            y, xhat, inv = K.layer_norm_forward(x, ndim, w, b, 1e-5)
            dx, dw, db = K.layer_norm_grads(g, xhat, inv, ndim, w, (True, True, True))
            res.update(y=y, xhat=xhat, inv=inv, dx=dx, dw=dw, db=db,
                       dx_alone=K.layer_norm_backward(g, xhat, inv, ndim, w))
    for k in want:
        assert got[k].dtype == want[k].dtype and got[k].shape == want[k].shape, k
        np.testing.assert_allclose(got[k], want[k], **TOL[dtype], err_msg=k)
    assert (got["xhat"].reshape(-1, int(np.prod(norm_shape)))[1] == 0).all()


def test_warmup_reaches_every_kernel():
    """``warmup`` (and so the first-use benchmark) loads every Numba kernel, the
    contiguous-run conv kernels, the 2x2 pool and the matmul microkernel included."""
    from autograd_core.kernels import jit
    K.warmup(("float64",))
    assert len(jit.KERNELS) >= 11
    assert [k.__name__ for k in jit.KERNELS if not k.signatures] == []


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CONV_CASES_TINY, ids=conv_id)
def test_small_weight_gradients_by_blas(monkeypatch, case, dtype):
    """``conv._tiny_backward_weight`` (per-sample BLAS products of im2col columns made by
    strided copies) on every group-1 case of CONV_CASES, blocks of samples and two threads
    included, against the reference."""
    from autograd_core.kernels import conv
    n, c, h, w, k, kh, kw, s, p, d, g = case
    rng = np.random.default_rng(23)
    x = rand(rng, (n, c, h, w), dtype)
    geo = K.conv2d_geometry(x.shape, (k, c, kh, kw), s, p, d, g)
    grad = rand(rng, geo.output_shape, dtype)
    want = ref.conv2d_backward_weight(grad.astype(np.float64), x.astype(np.float64),
                                      (k, c, kh, kw), s, p, d, g)
    before = threads.get_num_threads()
    try:
        for count, block_bytes in ((1, None), (2, 1)):   # 1 byte: one sample a block
            threads.set_num_threads(count)
            if block_bytes:
                monkeypatch.setattr(conv, "_POINTWISE_BLOCK_BYTES", block_bytes)
            got = conv._tiny_backward_weight(grad, x, geo)
            assert got.shape == (k, c, kh, kw) and got.dtype == dtype
            np.testing.assert_allclose(got, want, **TOL[dtype])
    finally:
        threads.set_num_threads(before)


def test_small_weight_gradients_are_sent_to_blas(monkeypatch):
    from autograd_core.kernels import conv
    monkeypatch.undo()   # this module's fixture turned the dispatch off
    calls = []
    real = conv._tiny_backward_weight
    monkeypatch.setattr(conv, "_tiny_backward_weight", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(4)
    x = rand(rng, (8, 1, 28, 28), np.float32)
    for k, taken in ((16, True), (64, True), (65, False)):
        geo = K.conv2d_geometry(x.shape, (k, 1, 3, 3), 1, 1)
        with K.use_backend("numba"):
            K.conv2d_backward_weight(rand(rng, geo.output_shape, np.float32), x, geo)
        assert bool(calls) == taken
        calls.clear()
    geo = K.conv2d_geometry((8, 4, 9, 9), (8, 4, 3, 3), 1, 1)          # 36 rows: the Numba kernel
    assert not conv._tiny_gradient(geo)
    assert not conv._tiny_gradient(K.conv2d_geometry((8, 4, 9, 9), (8, 2, 3, 3), 1, 1, 1, 2))


# -- the filters' gradient by column taps (conv._shifted_backward_weight) ------------------
# (N, C, H, W, kh, kw, padding): K is one vector of the dtype (16 float32 with AVX-512)
SHIFTED_CASES = [(5, 3, 9, 11, 3, 3, 1), (3, 5, 14, 14, 3, 3, 0), (4, 4, 10, 13, 2, 2, 1),
                 (2, 6, 9, 9, 4, 4, 2), (3, 4, 7, 12, 3, 2, 1), (2, 4, 6, 6, 1, 3, 1)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", SHIFTED_CASES)
def test_weight_gradients_by_column_taps(monkeypatch, case, dtype):
    """A filters' gradient of one vector of output channels, its taps (i, j) as column
    blocks moved down j pixels: against the reference and against the plain form, one
    sample a chunk and several, on one and two threads."""
    from autograd_core.kernels import conv, microkernel
    n, c, h, w, kh, kw, p = case
    itemsize = np.dtype(dtype).itemsize
    k = microkernel.VECTOR_BYTES // itemsize
    if not any(nv == kw for _, nv in microkernel.GEMM_TILES):
        pytest.skip(f"no GEMM tile of {kw} vectors on this CPU")
    rng = np.random.default_rng(31)
    x = rand(rng, (n, c, h, w), dtype)
    geo = K.conv2d_geometry(x.shape, (k, c, kh, kw), 1, p)
    grad = rand(rng, geo.output_shape, dtype)
    assert conv._shifted_tile(conv._Layout(geo, itemsize), itemsize) is not None
    want = ref.conv2d_backward_weight(grad.astype(np.float64), x.astype(np.float64),
                                      (k, c, kh, kw), 1, p, 1, 1)
    before = threads.get_num_threads()
    try:
        for count, chunk_bytes in ((1, None), (2, 1)):    # 1 byte: one sample a chunk
            threads.set_num_threads(count)
            if chunk_bytes:
                monkeypatch.setattr(conv, "_CHUNK_BYTES", chunk_bytes)
            got = conv._backward_weight_numba(grad, x, geo)
            assert got.shape == (k, c, kh, kw) and got.dtype == dtype
            np.testing.assert_allclose(got, want, **TOL[dtype])
        monkeypatch.setattr(conv, "_shifted_tile", lambda *a: None)
        np.testing.assert_allclose(conv._backward_weight_numba(grad, x, geo), want, **TOL[dtype])
    finally:
        threads.set_num_threads(before)


def test_weight_gradients_by_column_taps_where_they_serve():
    from autograd_core.kernels import conv, microkernel
    lanes = microkernel.VECTOR_BYTES // 4
    kw3 = any(nv == 3 for _, nv in microkernel.GEMM_TILES)

    def taken(x_shape, w_shape, stride=1, padding=1, dilation=1, groups=1):
        geo = K.conv2d_geometry(x_shape, w_shape, stride, padding, dilation, groups)
        return conv._shifted_tile(conv._Layout(geo, 4), 4) is not None

    assert taken((64, 8, 14, 14), (lanes, 8, 3, 3)) == kw3      # the conv benchmark's 2nd
    assert not taken((64, 8, 14, 14), (2 * lanes, 8, 3, 3))     # two vectors: no padding
    assert not taken((64, 8, 14, 14), (lanes, 4, 3, 3), groups=2)
    assert not taken((64, 8, 14, 14), (lanes, 8, 3, 3), stride=2)
    assert not taken((64, 8, 14, 14), (lanes, 8, 3, 3), dilation=2, padding=2)
    assert not taken((4, 8, 20, 20), (lanes, 8, 3, 3))          # copied columns, not in place
    # NaN in the input: the columns are copied (junk must meet zeros), the numbers right
    rng = np.random.default_rng(2)
    x = rand(rng, (3, 4, 9, 9), np.float32)
    x[1, 2, 3, 4] = np.nan
    geo = K.conv2d_geometry(x.shape, (lanes, 4, 3, 3), 1, 1)
    grad = rand(rng, geo.output_shape, np.float32)
    got = conv._backward_weight_numba(grad, x, geo)
    want = ref.conv2d_backward_weight(grad.astype(np.float64), x.astype(np.float64),
                                      (lanes, 4, 3, 3), 1, 1, 1, 1)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[~np.isnan(got)], want[~np.isnan(want)], **TOL[np.float32])
