"""interpolate's separable modes beyond bilinear: ``'bicubic'`` (4-D input, PyTorch's
A = -0.75 cubic convolution, edge taps clamped) and ``'trilinear'`` (5-D input), against
PyTorch in float64 (values and gradients) and by gradcheck/gradgradcheck; and
``nn.Upsample`` with them."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F

rng = np.random.default_rng(7)

SIZES = [dict(scale_factor=2), dict(scale_factor=0.6), dict(scale_factor=1.7, recompute_scale_factor=True)]


def _parity(torch, mode, shape, align, kw):
    x = rng.standard_normal(shape)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.interpolate(tx, mode=mode, align_corners=align, **kw)
    ax = ag.tensor(x, requires_grad=True)
    ay = F.interpolate(ax, mode=mode, align_corners=align, **kw)
    assert ay.shape == tuple(ty.shape)
    np.testing.assert_allclose(ay.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(g))
    ay.backward(ag.tensor(g))
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("kw", SIZES + [dict(size=(9, 4)), dict(size=(1, 1)), dict(size=(3, 13))])
def test_bicubic_matches_torch(torch, align, kw):
    _parity(torch, "bicubic", (2, 3, 5, 7), align, kw)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("kw", SIZES + [dict(size=(7, 2, 5)), dict(size=(1, 1, 1)),
                                        dict(scale_factor=(2, 1, 0.5))])
def test_trilinear_matches_torch(torch, align, kw):
    _parity(torch, "trilinear", (2, 2, 3, 4, 5), align, kw)


def test_gradcheck_and_second_derivatives():
    x = ag.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    assert ag.gradcheck(lambda x: F.interpolate(x, size=(5, 6), mode="bicubic"), (x,))
    assert ag.gradgradcheck(lambda x: F.interpolate(x, scale_factor=2, mode="bicubic").tanh(), (x,))
    v = ag.tensor(rng.standard_normal((1, 1, 2, 3, 2)), requires_grad=True)
    assert ag.gradcheck(lambda v: F.interpolate(v, size=(3, 4, 3), mode="trilinear",
                                                align_corners=True), (v,))
    assert ag.gradgradcheck(lambda v: F.interpolate(v, scale_factor=2, mode="trilinear").sin(), (v,))


def test_upsample_module_and_float32(torch):
    up = nn.Upsample(scale_factor=2, mode="trilinear", align_corners=False)
    y = up(ag.ones(1, 1, 2, 2, 2))
    assert y.dtype == ag.float32 and y.shape == (1, 1, 4, 4, 4)
    np.testing.assert_allclose(y.numpy(), 1.0, rtol=1e-6)
    x = rng.standard_normal((1, 3, 6, 6)).astype(np.float32)
    ours = nn.Upsample(size=(9, 11), mode="bicubic")(ag.tensor(x)).numpy()
    theirs = torch.nn.Upsample(size=(9, 11), mode="bicubic")(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_wrong_rank_is_refused():
    with pytest.raises(NotImplementedError, match="got 4D input, but trilinear mode needs 5D"):
        F.interpolate(ag.zeros(1, 1, 4, 4), size=2, mode="trilinear")
    with pytest.raises(NotImplementedError, match="got 5D input, but bicubic mode needs 4D"):
        F.interpolate(ag.zeros(1, 1, 2, 4, 4), size=2, mode="bicubic")
