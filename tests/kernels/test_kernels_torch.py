"""Kernels against PyTorch CPU (skipped without torch; an error under CI, see conftest)."""
from __future__ import annotations

import numpy as np
import pytest

from autograd_core import kernels as K

BACKENDS = ["numpy", "numba"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    with K.use_backend(request.param):
        yield request.param


@pytest.mark.parametrize("n,c,h,w,k,kh,kw,s,p,d,g", [
    (2, 3, 7, 5, 4, 3, 3, 1, 1, 1, 1),
    (3, 4, 11, 13, 6, 3, 2, (2, 3), (1, 0), 1, 2),
    (2, 2, 9, 9, 3, 1, 1, 4, 0, 1, 1),
    (2, 6, 9, 8, 6, 3, 3, 2, 2, (2, 1), 3),
    (1, 4, 13, 7, 4, 5, 3, (3, 1), (2, 1), (1, 2), 4),
    # the kernel covers the input: one output pixel, a matrix product (a DCGAN's ends)
    (5, 7, 4, 3, 1, 4, 3, 1, 0, 1, 1),
    (3, 6, 4, 4, 9, 4, 4, 2, 0, 1, 1),
    # one output pixel that is not such a product: padding, groups
    (3, 6, 2, 2, 4, 4, 4, 1, 1, 1, 1),
    (3, 6, 4, 4, 4, 4, 4, 1, 0, 1, 2),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_matches_torch(torch, backend, dtype, n, c, h, w, k, kh, kw, s, p, d, g):
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    wt = rng.standard_normal((k, c // g, kh, kw)).astype(dtype)
    b = rng.standard_normal(k).astype(dtype)
    tx = torch.from_numpy(x).requires_grad_()
    tw = torch.from_numpy(wt).requires_grad_()
    ty = F.conv2d(tx, tw, torch.from_numpy(b), s, p, d, g)
    grad = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    ty.backward(torch.from_numpy(grad))
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    geo = K.conv2d_geometry(x.shape, wt.shape, s, p, d, g)
    np.testing.assert_allclose(K.conv2d_forward(x, wt, b, geo), ty.detach().numpy(), **tol)
    np.testing.assert_allclose(K.conv2d_backward_input(grad, wt, geo), tx.grad.numpy(), **tol)
    np.testing.assert_allclose(K.conv2d_backward_weight(grad, x, geo), tw.grad.numpy(), **tol)


def test_conv1d_matches_torch(torch, backend):
    """conv1d has no kernels of its own: the op runs the conv2d kernels over a height of 1."""
    import autograd_core as ag
    F = torch.nn.functional
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4, 19))
    w = rng.standard_normal((6, 2, 3))
    tx = torch.from_numpy(x).requires_grad_()
    tw = torch.from_numpy(w).requires_grad_()
    ty = F.conv1d(tx, tw, None, 2, 1, 2, 2)
    grad = rng.standard_normal(tuple(ty.shape))
    ty.backward(torch.from_numpy(grad))
    ox, ow = ag.tensor(x, requires_grad=True), ag.tensor(w, requires_grad=True)
    oy = ag.conv1d(ox, ow, None, 2, 1, 2, 2)
    np.testing.assert_allclose(oy.detach().numpy(), ty.detach().numpy(), atol=1e-10)
    oy.backward(ag.tensor(grad))
    np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ow.grad.numpy(), tw.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("shape,kernel,stride,padding", [
    ((2, 3, 7, 5), 2, None, 0),
    ((2, 3, 8, 8), 3, 2, 1),
    ((1, 2, 11, 13), (3, 2), (2, 3), (1, 1)),
    ((2, 2, 9, 9), 2, 4, 0),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pooling_matches_torch(torch, backend, dtype, shape, kernel, stride, padding):
    F = torch.nn.functional
    rng = np.random.default_rng(2)
    # integers in a small range make ties common, so the tie-breaking rule is exercised
    x = rng.integers(-3, 4, size=shape).astype(dtype)
    tx = torch.from_numpy(x).requires_grad_()
    tout, tidx = F.max_pool2d(tx, kernel, stride, padding, return_indices=True)
    grad = rng.standard_normal(tuple(tout.shape)).astype(dtype)
    tout.backward(torch.from_numpy(grad))
    geo = K.max_pool2d_geometry(x.shape, kernel, stride, padding)
    out, idx = K.max_pool2d_forward(x, geo)
    np.testing.assert_array_equal(out, tout.detach().numpy())
    np.testing.assert_array_equal(idx, tidx.numpy())
    np.testing.assert_allclose(K.max_pool2d_backward(grad, idx, geo), tx.grad.numpy(), rtol=1e-6, atol=1e-6)

    tx.grad = None
    tavg = F.avg_pool2d(tx, kernel, stride, padding)
    tavg.backward(torch.from_numpy(grad))
    geo = K.avg_pool2d_geometry(x.shape, kernel, stride, padding)
    np.testing.assert_allclose(K.avg_pool2d_forward(x, geo), tavg.detach().numpy(),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(K.avg_pool2d_backward(grad, geo), tx.grad.numpy(),
                               rtol=1e-6, atol=1e-6)


def test_bmm_matches_torch(torch, backend):
    rng = np.random.default_rng(3)
    for shape in [(5, 7, 3, 11), (64, 64, 64, 64), (300, 2, 2, 2)]:
        bsz, m, k, n = shape
        a = rng.standard_normal((bsz, m, k)).astype(np.float32)
        b = rng.standard_normal((bsz, k, n)).astype(np.float32)
        np.testing.assert_allclose(K.bmm(a, b), torch.bmm(torch.from_numpy(a), torch.from_numpy(b)).numpy(),
                                   rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (6, 5), (3, 4, 7), (2, 3, 1, 1)])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_matches_torch(torch, backend, dtype, shape, affine):
    """Training-mode batch norm: output, batch statistics and the three gradients; a
    constant channel normalises to exactly 0."""
    F = torch.nn.functional
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(shape) * 3 + 2).astype(dtype)
    x[:, 1] = 0.1                                          # a constant channel
    w = rng.standard_normal(shape[1]).astype(dtype) if affine else None
    b = rng.standard_normal(shape[1]).astype(dtype) if affine else None
    grad = rng.standard_normal(shape).astype(dtype)
    tx = torch.from_numpy(x.astype(np.float64)).requires_grad_()
    tw, tb = ((torch.from_numpy(a.astype(np.float64)).requires_grad_() for a in (w, b))
              if affine else (None, None))
    ty = F.batch_norm(tx, None, None, tw, tb, True, 0.1, 1e-5)
    ty.backward(torch.from_numpy(grad.astype(np.float64)))
    y, xhat, mean, var, inv_std = K.batch_norm_forward(x, w, b, 1e-5)
    dx, dw, db = K.batch_norm_backward(grad, xhat, inv_std, w)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    axes = (0,) + tuple(range(2, x.ndim))
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(y, ty.detach().numpy(), **tol)
    np.testing.assert_allclose(mean, x64.mean(axis=axes), **tol)
    np.testing.assert_allclose(var, x64.var(axis=axes), **tol)
    np.testing.assert_allclose(dx, tx.grad.numpy(), **tol)
    assert not xhat[:, 1].any()
    assert y.dtype == dx.dtype == mean.dtype == var.dtype == dtype
    if affine:
        np.testing.assert_allclose(dw, tw.grad.numpy(), **tol)
        np.testing.assert_allclose(db, tb.grad.numpy(), **tol)
