"""interpolate, Upsample and pixel (un)shuffle (``nn/functional/upsampling.py``,
``nn/modules/upsampling.py``): every mode (nearest, nearest-exact, linear, bilinear,
bicubic, trilinear, area) against PyTorch in float64 (values and gradients),
gradcheck/gradgradcheck, float32, modules and errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import Draw

draw = Draw(0)
rng, arr, t64, parity = draw.rng, draw.arr, draw.t64, draw.parity


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("kw", [dict(size=(7, 5)), dict(size=(3, 2)), dict(size=4),
                                dict(scale_factor=2), dict(scale_factor=(1.5, 0.5)),
                                dict(scale_factor=2.3), dict(size=(1, 1)),
                                dict(scale_factor=1.7, recompute_scale_factor=True)])
def test_interpolate_bilinear_matches_torch(torch, align, kw):
    parity(torch, lambda x: F.interpolate(x, mode="bilinear", align_corners=align, **kw),
           lambda x: torch.nn.functional.interpolate(x, mode="bilinear", align_corners=align,
                                                     **kw), arr(2, 3, 4, 6))


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("kw", [dict(size=(7, 5)), dict(size=(3, 2)), dict(scale_factor=2),
                                dict(scale_factor=(1.5, 0.5)), dict(scale_factor=3),
                                dict(scale_factor=2.3), dict(size=(8, 12)),
                                dict(scale_factor=1.7, recompute_scale_factor=True)])
def test_interpolate_nearest_matches_torch(torch, mode, kw):
    parity(torch, lambda x: F.interpolate(x, mode=mode, **kw),
           lambda x: torch.nn.functional.interpolate(x, mode=mode, **kw), arr(2, 3, 4, 6))


def test_interpolate_3d_5d_and_area(torch):
    TF = torch.nn.functional
    for kw in (dict(size=9), dict(scale_factor=2.5), dict(size=3)):
        for align in (False, True):
            parity(torch, lambda x: F.interpolate(x, mode="linear", align_corners=align, **kw),
                   lambda x: TF.interpolate(x, mode="linear", align_corners=align, **kw),
                   arr(2, 3, 5))
        parity(torch, lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw),
               arr(2, 3, 5))
        parity(torch, lambda x: F.interpolate(x, mode="area", **kw),
               lambda x: TF.interpolate(x, mode="area", **kw), arr(2, 3, 5))
    parity(torch, lambda x: F.interpolate(x, size=(3, 5), mode="area"),
           lambda x: TF.interpolate(x, size=(3, 5), mode="area"), arr(1, 2, 7, 8))
    parity(torch, lambda x: F.interpolate(x, scale_factor=(2, 1, 1.5)),
           lambda x: TF.interpolate(x, scale_factor=(2, 1, 1.5)), arr(1, 2, 2, 3, 4))


def test_interpolate_gradcheck_gradgradcheck_and_float32():
    x = t64(1, 2, 3, 4)
    assert ag.gradcheck(lambda x: F.interpolate(x, size=(5, 7), mode="bilinear"), (x,))
    assert ag.gradcheck(lambda x: F.interpolate(x, scale_factor=1.5), (x,))
    assert ag.gradgradcheck(lambda x: F.interpolate(x, size=(4, 6), mode="bilinear",
                                                    align_corners=True).tanh(), (x,))
    y = F.interpolate(ag.randn(1, 2, 3, 3), scale_factor=2, mode="bilinear")
    assert y.dtype == np.float32 and y.shape == (1, 2, 6, 6)


def test_interpolate_errors():
    x = ag.zeros(1, 1, 4, 4)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="align_corners option can only be set with the "
                                         "interpolating modes"):
        F.interpolate(x, size=2, align_corners=True)
    with pytest.raises(NotImplementedError, match="got 3D input, but bilinear mode needs 4D"):
        F.interpolate(ag.zeros(1, 1, 4), size=2, mode="bilinear")
    with pytest.raises(NotImplementedError, match="mode 'lanczos' is not supported"):
        F.interpolate(x, size=2, mode="lanczos")
    with pytest.raises(ValueError, match=r"size must have 2 entries .* got \(1, 2, 3\)"):
        F.interpolate(x, size=(1, 2, 3))
    with pytest.raises(ValueError, match=r"expected 3D .* got shape \(4, 4\)"):
        F.interpolate(ag.zeros(4, 4), size=2)


def test_upsample_modules(torch):
    cases = [(nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
             (nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True),
              torch.nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True)),
             (nn.Upsample(size=5, mode="bilinear"), torch.nn.Upsample(size=5, mode="bilinear")),
             (nn.UpsamplingNearest2d(scale_factor=3), torch.nn.UpsamplingNearest2d(scale_factor=3)),
             (nn.UpsamplingBilinear2d(size=7), torch.nn.UpsamplingBilinear2d(size=7))]
    for ours, theirs in cases:
        assert repr(ours) == repr(theirs)
        assert ours.state_dict() == {}
        parity(torch, ours, theirs, arr(2, 3, 4, 4))


# ------------------------------------------------ bicubic (4-D) and trilinear (5-D)
SIZES = [dict(scale_factor=2), dict(scale_factor=0.6), dict(scale_factor=1.7, recompute_scale_factor=True)]


def _interpolate_parity(torch, mode, shape, align, kw):
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
    _interpolate_parity(torch, "bicubic", (2, 3, 5, 7), align, kw)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("kw", SIZES + [dict(size=(7, 2, 5)), dict(size=(1, 1, 1)),
                                        dict(scale_factor=(2, 1, 0.5))])
def test_trilinear_matches_torch(torch, align, kw):
    _interpolate_parity(torch, "trilinear", (2, 2, 3, 4, 5), align, kw)


def test_bicubic_and_trilinear_gradcheck_and_second_derivatives():
    x = ag.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    assert ag.gradcheck(lambda x: F.interpolate(x, size=(5, 6), mode="bicubic"), (x,))
    assert ag.gradgradcheck(lambda x: F.interpolate(x, scale_factor=2, mode="bicubic").tanh(), (x,))
    v = ag.tensor(rng.standard_normal((1, 1, 2, 3, 2)), requires_grad=True)
    assert ag.gradcheck(lambda v: F.interpolate(v, size=(3, 4, 3), mode="trilinear",
                                                align_corners=True), (v,))
    assert ag.gradgradcheck(lambda v: F.interpolate(v, scale_factor=2, mode="trilinear").sin(), (v,))


def test_upsample_bicubic_trilinear_and_float32(torch):
    up = nn.Upsample(scale_factor=2, mode="trilinear", align_corners=False)
    y = up(ag.ones(1, 1, 2, 2, 2))
    assert y.dtype == ag.float32 and y.shape == (1, 1, 4, 4, 4)
    np.testing.assert_allclose(y.numpy(), 1.0, rtol=1e-6)
    x = rng.standard_normal((1, 3, 6, 6)).astype(np.float32)
    ours = nn.Upsample(size=(9, 11), mode="bicubic")(ag.tensor(x)).numpy()
    theirs = torch.nn.Upsample(size=(9, 11), mode="bicubic")(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_bicubic_and_trilinear_wrong_rank_is_refused():
    with pytest.raises(NotImplementedError, match="got 4D input, but trilinear mode needs 5D"):
        F.interpolate(ag.zeros(1, 1, 4, 4), size=2, mode="trilinear")
    with pytest.raises(NotImplementedError, match="got 5D input, but bicubic mode needs 4D"):
        F.interpolate(ag.zeros(1, 1, 2, 4, 4), size=2, mode="bicubic")


# -------------------------------------------------------------------- pixel shuffle
def test_pixel_shuffle_and_unshuffle(torch):
    TF = torch.nn.functional
    parity(torch, lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2),
           arr(2, 8, 3, 4))
    parity(torch, lambda x: F.pixel_shuffle(x, 3), lambda x: TF.pixel_shuffle(x, 3),
           arr(9, 2, 2))
    parity(torch, lambda x: F.pixel_unshuffle(x, 2), lambda x: TF.pixel_unshuffle(x, 2),
           arr(2, 3, 4, 6))
    parity(torch, lambda x: F.pixel_unshuffle(x, 2), lambda x: TF.pixel_unshuffle(x, 2),
           arr(2, 2, 3, 4, 2))
    x = t64(1, 4, 2, 3)
    np.testing.assert_array_equal(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2).detach().numpy(),
                                  x.detach().numpy())
    assert ag.gradcheck(lambda x: F.pixel_shuffle(x, 2), (x,))
    for ours, theirs in [(nn.PixelShuffle(2), torch.nn.PixelShuffle(2)),
                         (nn.PixelUnshuffle(2), torch.nn.PixelUnshuffle(2))]:
        assert repr(ours) == repr(theirs)
        parity(torch, ours, theirs, arr(1, 4, 4, 4))
    with pytest.raises(ValueError, match=r"pixel_shuffle: expected the channel dim \(-3\) to be "
                                         r"divisible by upscale_factor\*\*2 = 4, got shape "
                                         r"\(1, 5, 2, 2\)"):
        F.pixel_shuffle(ag.zeros(1, 5, 2, 2), 2)
    with pytest.raises(ValueError, match="pixel_unshuffle: expected height and width"):
        F.pixel_unshuffle(ag.zeros(1, 1, 3, 4), 2)
