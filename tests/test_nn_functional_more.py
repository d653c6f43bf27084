"""pad, interpolate, pixel (un)shuffle, distances, extra activations, group/instance norm,
channel dropout, 1-D pooling, KL divergence and triplet loss: PyTorch parity of values and
gradients in float64, gradcheck / gradgradcheck, modules (parameters, state_dict, repr,
train/eval) and error messages."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F

rng = np.random.default_rng(0)


def arr(*shape, lo=None):
    a = rng.standard_normal(shape)
    return a if lo is None else np.abs(a) + lo


def parity(torch, ours, theirs, *arrays, atol=1e-10, grad=True):
    """Same values and input gradients (for a random upstream gradient) as PyTorch."""
    xs = [ag.tensor(a, dtype=ag.float64, requires_grad=grad) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=grad) for a in arrays]
    y, yt = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), atol=atol, rtol=1e-9)
    assert tuple(y.shape) == tuple(yt.shape)
    if grad:
        g = rng.standard_normal(tuple(yt.shape))
        y.backward(ag.tensor(g, dtype=ag.float64))
        yt.backward(torch.tensor(g))
        for x, t in zip(xs, ts):
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=atol, rtol=1e-9)
    return y


def t64(*shape, lo=None):
    return ag.tensor(arr(*shape, lo=lo), dtype=ag.float64, requires_grad=True)


# ----------------------------------------------------------------------- pad
PADS = [(1, 2), (0, 3), (2, 1, 1, 0), (1, 1, 2, 2), (-1, 2), (2, -1, -1, 1), (1, 0, 0, 1, 1, 1),
        (-2, 0, 1, -1)]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", PADS)
def test_pad_matches_torch(torch, mode, pads):
    # PyTorch pads the last k dims of (k+1)- or (k+2)-D input in non-constant modes
    a = arr(*{2: (2, 3, 5), 4: (2, 3, 4, 5), 6: (2, 3, 3, 4, 5)}[len(pads)])
    kw = {"value": 1.5} if mode == "constant" else {}
    parity(torch, lambda x: F.pad(x, pads, mode, **kw),
           lambda x: torch.nn.functional.pad(x, pads, mode, **kw), a)


def test_pad_unbatched_and_other_ranks(torch):
    parity(torch, lambda x: F.pad(x, (2, 1), "reflect"),
           lambda x: torch.nn.functional.pad(x, (2, 1), "reflect"), arr(3, 5))
    parity(torch, lambda x: F.pad(x, (1, 1, 1, 1, 1, 1), "replicate"),
           lambda x: torch.nn.functional.pad(x, (1, 1, 1, 1, 1, 1), "replicate"),
           arr(1, 2, 3, 3, 3))
    parity(torch, lambda x: F.pad(x, (1, 1, 1, 1, 2, 0, 0, 1)),
           lambda x: torch.nn.functional.pad(x, (1, 1, 1, 1, 2, 0, 0, 1)), arr(2, 3, 2, 2))


def test_pad_gradcheck_and_gradgradcheck():
    x = t64(1, 2, 3, 4)
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert ag.gradcheck(lambda x: F.pad(x, (2, 1, -1, 2), mode), (x,))
    assert ag.gradgradcheck(lambda x: F.pad(x, (2, 1, 1, 1), "reflect").tanh(), (x,))


def test_pad_errors():
    x = ag.zeros(1, 1, 3, 3)
    with pytest.raises(ValueError, match=r"pad: padding length must be even and at most "
                                         r"2 \* input.ndim .*got 3"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(ValueError, match=r"padding size should be less than the corresponding "
                                         r"input dimension for 'reflect' mode, got padding "
                                         r"\(3, 0\) for dim 3 of size 3"):
        F.pad(x, (3, 0), "reflect")
    with pytest.raises(ValueError, match="wrapping around more than once"):
        F.pad(x, (0, 4), "circular")
    with pytest.raises(ValueError, match="mode must be one of"):
        F.pad(x, (1, 1), "mirror")
    with pytest.raises(ValueError, match=r"negative size for dim 3 of size 3"):
        F.pad(x, (-2, -2))
    with pytest.raises(ValueError, match="doesn't take in value"):
        F.pad(x, (1, 1), "reflect", value=2.0)


def test_padding_modules(torch):
    a = arr(2, 3, 4, 4)
    cases = [(nn.ZeroPad2d(1), torch.nn.ZeroPad2d(1)),
             (nn.ZeroPad2d((1, 2, 0, 1)), torch.nn.ZeroPad2d((1, 2, 0, 1))),
             (nn.ConstantPad2d(2, 3.5), torch.nn.ConstantPad2d(2, 3.5)),
             (nn.ReflectionPad2d((1, 2, 3, 0)), torch.nn.ReflectionPad2d((1, 2, 3, 0))),
             (nn.ReplicationPad2d(2), torch.nn.ReplicationPad2d(2)),
             (nn.CircularPad2d(1), torch.nn.CircularPad2d(1))]
    for ours, theirs in cases:
        assert repr(ours) == repr(theirs)
        assert ours.state_dict() == {} and list(ours.parameters()) == []
        parity(torch, ours, theirs, a)
        parity(torch, ours, theirs, a[0])  # unbatched (C, H, W)
    for ours, theirs in [(nn.ZeroPad1d((1, 2)), torch.nn.ZeroPad1d((1, 2))),
                         (nn.ConstantPad1d(2, -1.0), torch.nn.ConstantPad1d(2, -1.0)),
                         (nn.ReflectionPad1d(2), torch.nn.ReflectionPad1d(2)),
                         (nn.ReplicationPad1d((0, 3)), torch.nn.ReplicationPad1d((0, 3))),
                         (nn.CircularPad1d(1), torch.nn.CircularPad1d(1))]:
        assert repr(ours) == repr(theirs)
        parity(torch, ours, theirs, arr(2, 3, 5))
    with pytest.raises(ValueError, match=r"ReflectionPad2d: expected 3D or 4D input, got shape "
                                         r"\(4, 4\)"):
        nn.ReflectionPad2d(1)(ag.zeros(4, 4))
    with pytest.raises(ValueError, match="padding must be an int or a 4-tuple"):
        nn.ZeroPad2d((1, 2))


# --------------------------------------------------------------- interpolate
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


# ------------------------------------------------------------- pixel shuffle
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


# ----------------------------------------------------------------- distances
def test_normalize_matches_torch(torch):
    TF = torch.nn.functional
    for p, dim in [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)]:
        parity(torch, lambda x: F.normalize(x, p, dim), lambda x: TF.normalize(x, p, dim),
               arr(3, 4, 2))
    a = arr(3, 4)
    a[1] = 0.0  # a zero row: output 0, gradient finite (eps clamp)
    parity(torch, lambda x: F.normalize(x), lambda x: TF.normalize(x), a)
    parity(torch, lambda x: F.normalize(x, dim=1), lambda x: TF.normalize(x, dim=1), a)
    assert ag.gradgradcheck(lambda x: F.normalize(x), (t64(2, 3),))


def test_cosine_similarity_and_pairwise_distance(torch):
    TF = torch.nn.functional
    for dim in (1, 0, -1):
        parity(torch, lambda a, b: F.cosine_similarity(a, b, dim),
               lambda a, b: TF.cosine_similarity(a, b, dim), arr(3, 4), arr(3, 4))
    parity(torch, lambda a, b: F.cosine_similarity(a, b, -1),
           lambda a, b: TF.cosine_similarity(a, b, -1), arr(2, 3, 4), arr(1, 4))  # broadcast
    z = np.zeros((2, 3))
    parity(torch, F.cosine_similarity, TF.cosine_similarity, z, arr(2, 3))
    for p in (2.0, 1.0, 3.0, float("inf")):
        for keepdim in (False, True):
            parity(torch, lambda a, b: F.pairwise_distance(a, b, p, keepdim=keepdim),
                   lambda a, b: TF.pairwise_distance(a, b, p, keepdim=keepdim),
                   arr(5, 3), arr(5, 3))
    parity(torch, F.pairwise_distance, TF.pairwise_distance, arr(4), arr(4))
    parity(torch, F.pairwise_distance, TF.pairwise_distance, arr(2, 3, 4), arr(4))
    a, b = t64(3, 4), t64(3, 4)
    assert ag.gradcheck(lambda a, b: F.cosine_similarity(a, b), (a, b))
    assert ag.gradcheck(lambda a, b: F.pairwise_distance(a, b, 3.0), (a, b))
    assert ag.gradgradcheck(lambda a, b: F.pairwise_distance(a, b), (a, b))
    for ours, theirs in [(nn.CosineSimilarity(dim=0), torch.nn.CosineSimilarity(dim=0)),
                         (nn.PairwiseDistance(p=1.0, keepdim=True),
                          torch.nn.PairwiseDistance(p=1.0, keepdim=True))]:
        assert repr(ours) == repr(theirs) and ours.state_dict() == {}
        parity(torch, ours, theirs, arr(3, 4), arr(3, 4))
    with pytest.raises(ValueError, match=r"cosine_similarity: x1 of shape \(2, 3\) and x2 of "
                                         r"shape \(2, 4\) do not broadcast"):
        F.cosine_similarity(ag.zeros(2, 3), ag.zeros(2, 4))


# --------------------------------------------------------------- activations
ACTS = [("hardtanh", {}), ("hardtanh", dict(min_val=-0.5, max_val=2.0)), ("relu6", {}),
        ("mish", {}), ("selu", {}), ("logsigmoid", {}), ("softmin", dict(dim=1)),
        ("softmin", dict(dim=0)), ("glu", {}), ("glu", dict(dim=0))]


@pytest.mark.parametrize("name,kw", ACTS)
def test_activation_functions_match_torch(torch, name, kw):
    a = arr(4, 6) * 4
    a[0, :3] = [40.0, -40.0, 0.0]
    parity(torch, lambda x: getattr(F, name)(x, **kw),
           lambda x: getattr(torch.nn.functional, name)(x, **kw), a)
    if name not in ("hardtanh", "relu6"):
        assert ag.gradgradcheck(lambda x: getattr(F, name)(x, **kw), (t64(2, 4),))


def test_logsigmoid_and_mish_are_stable():
    x = ag.tensor([-1000.0, 1000.0, 0.0], requires_grad=True)
    y = F.logsigmoid(x)
    y.sum().backward()
    assert y.tolist()[:2] == [-1000.0, 0.0] and x.grad.tolist() == [1.0, 0.0, 0.5]
    assert np.isfinite(F.mish(ag.tensor([-1000.0, 1000.0])).numpy()).all()


def test_prelu_function_and_module(torch):
    TF = torch.nn.functional
    parity(torch, F.prelu, TF.prelu, arr(3, 4, 5), np.array([0.1, -0.3, 2.0, 0.25]))
    parity(torch, F.prelu, TF.prelu, arr(3, 4), np.array([0.3]))
    parity(torch, F.prelu, TF.prelu, arr(4), np.array([0.1]))
    assert ag.gradcheck(F.prelu, (t64(2, 3, 2), t64(3)))
    m = nn.PReLU(3)
    assert repr(m) == "PReLU(num_parameters=3)" and repr(nn.PReLU()) == repr(torch.nn.PReLU())
    assert list(m.state_dict()) == ["weight"] and m.weight.shape == (3,)
    assert m.weight.tolist() == [0.25] * 3 and isinstance(m.weight, nn.Parameter)
    assert nn.PReLU(init=0.1).weight.tolist() == [np.float32(0.1)]
    m = m.double()
    x = t64(2, 3, 4)
    m(x).sum().backward()
    assert m.weight.grad.shape == (3,)
    with pytest.raises(ValueError, match=r"prelu: mismatch of parameter numbers and input channel"
                                         r" size: weight has 3 entries but input of shape \(2, 4\)"
                                         r" has 4 channels"):
        F.prelu(ag.zeros(2, 4), ag.zeros(3))
    with pytest.raises(ValueError, match=r"input of shape \(3,\) has 1 channels"):
        F.prelu(ag.zeros(3), ag.zeros(3))


def test_activation_modules(torch):
    pairs = [(nn.Hardtanh(), torch.nn.Hardtanh()),
             (nn.Hardtanh(-2.0, 3.0), torch.nn.Hardtanh(-2.0, 3.0)),
             (nn.ReLU6(), torch.nn.ReLU6()), (nn.Mish(), torch.nn.Mish()),
             (nn.SELU(), torch.nn.SELU()),
             (nn.LogSigmoid(), torch.nn.LogSigmoid()), (nn.Softmin(1), torch.nn.Softmin(1)),
             (nn.GLU(), torch.nn.GLU()), (nn.GLU(0), torch.nn.GLU(0))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        assert ours.state_dict() == {}
        parity(torch, ours, theirs, arr(4, 6) * 3)
    assert repr(nn.ReLU6(inplace=True)) == "ReLU6(inplace=True)"


def test_activation_errors():
    with pytest.raises(ValueError, match="glu: halving dimension must be even, but dimension -1 "
                                         "is size 5"):
        F.glu(ag.zeros(2, 5))
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(ag.zeros(2), 1.0, -1.0)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        F.softmin(ag.zeros(2, 3))


# -------------------------------------------------------------- normalization
@pytest.mark.parametrize("shape,groups", [((2, 6, 5), 3), ((2, 4, 3, 3), 2), ((3, 4), 4),
                                          ((2, 6, 2, 3), 1)])
def test_group_norm_matches_torch(torch, shape, groups):
    c = shape[1]
    TF = torch.nn.functional
    parity(torch, lambda x, w, b: F.group_norm(x, groups, w, b),
           lambda x, w, b: TF.group_norm(x, groups, w, b), arr(*shape), arr(c), arr(c),
           atol=1e-9)
    parity(torch, lambda x: F.group_norm(x, groups, eps=0.1),
           lambda x: TF.group_norm(x, groups, eps=0.1), arr(*shape), atol=1e-9)


def test_group_norm_gradchecks_and_module(torch):
    x, w, b = t64(2, 4, 3), t64(4), t64(4)
    assert ag.gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))
    assert ag.gradgradcheck(lambda x, w: F.group_norm(x, 2, w), (x, w))
    for args, kw in [((2, 4), {}), ((2, 4), dict(affine=False)), ((1, 4), dict(bias=False))]:
        ours, theirs = nn.GroupNorm(*args, **kw), torch.nn.GroupNorm(*args, **kw)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for (k, p), (kt, pt) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert k == kt and p.tolist() == pt.tolist()
    gn, gnt = nn.GroupNorm(2, 4).double(), torch.nn.GroupNorm(2, 4).double()
    gnt.weight.data.uniform_(); gnt.bias.data.uniform_()  # noqa: E702
    gn.load_state_dict({k: v.detach().numpy() for k, v in gnt.state_dict().items()})
    parity(torch, gn, gnt, arr(3, 4, 5, 2), atol=1e-9)
    with pytest.raises(ValueError, match="num_channels must be divisible by num_groups"):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match=r"group_norm: expected the number of channels to be "
                                         r"divisible by num_groups, got input of shape \(2, 5, 3\)"
                                         r" and num_groups=2"):
        F.group_norm(ag.zeros(2, 5, 3), 2)
    with pytest.raises(ValueError, match=r"GroupNorm: expected input of shape \(N, 4, \*\), got "
                                         r"shape \(2, 3, 5\)"):
        nn.GroupNorm(2, 4)(ag.zeros(2, 3, 5))


def test_instance_norm_function_matches_torch(torch):
    TF = torch.nn.functional
    for shape in ((2, 3, 5), (2, 3, 4, 4)):
        parity(torch, lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
               lambda x, w, b: TF.instance_norm(x, weight=w, bias=b), arr(*shape), arr(3),
               arr(3), atol=1e-9)
    # running statistics: updated in training, used otherwise
    a = arr(4, 3, 6) * 2 + 1
    rm, rv = ag.zeros(3, dtype=ag.float64), ag.ones(3, dtype=ag.float64)
    rmt, rvt = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    F.instance_norm(ag.tensor(a), rm, rv, momentum=0.3)
    TF.instance_norm(torch.tensor(a), rmt, rvt, momentum=0.3)
    np.testing.assert_allclose(rm.numpy(), rmt.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rv.numpy(), rvt.numpy(), rtol=1e-12)
    rm_np, rv_np = rm.numpy(), rv.numpy()
    parity(torch, lambda x: F.instance_norm(x, ag.tensor(rm_np), ag.tensor(rv_np),
                                            use_input_stats=False),
           lambda x: TF.instance_norm(x, torch.tensor(rm_np), torch.tensor(rv_np),
                                      use_input_stats=False), arr(2, 3, 5))
    x, w = t64(2, 2, 4), t64(2)
    assert ag.gradcheck(lambda x, w: F.instance_norm(x, weight=w), (x, w))
    assert ag.gradgradcheck(lambda x: F.instance_norm(x), (x,))
    with pytest.raises(ValueError, match="Expected more than 1 spatial element when training"):
        F.instance_norm(ag.zeros(2, 3, 1))


def test_instance_norm_modules(torch):
    for cls, shape in (("InstanceNorm1d", (2, 3, 5)), ("InstanceNorm2d", (2, 3, 4, 4))):
        for kw in ({}, dict(affine=True), dict(track_running_stats=True),
                   dict(affine=True, track_running_stats=True, momentum=0.2)):
            ours = getattr(nn, cls)(3, **kw).double()
            theirs = getattr(torch.nn, cls)(3, **kw).double()
            assert repr(ours) == repr(theirs)
            assert list(ours.state_dict()) == list(theirs.state_dict())
            parity(torch, ours, theirs, arr(*shape), atol=1e-9)
            parity(torch, ours, theirs, arr(*shape[1:]), atol=1e-9)  # unbatched
            for k, v in theirs.state_dict().items():
                np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-12)
            ours.eval(), theirs.eval()
            parity(torch, ours, theirs, arr(*shape), atol=1e-9)
    assert repr(nn.InstanceNorm1d(3)) == ("InstanceNorm1d(3, eps=1e-05, momentum=0.1, "
                                         "affine=False, bias=False, track_running_stats=False)")
    with pytest.raises(ValueError, match=r"InstanceNorm2d: expected 3D \(unbatched\) or 4D "
                                         r"\(batched\) input, got shape \(2, 3\)"):
        nn.InstanceNorm2d(3)(ag.zeros(2, 3))


# -------------------------------------------------------------------- dropout
def test_dropout2d_and_dropout1d_drop_whole_channels():
    x = ag.ones(8, 64, 3, 3)
    y = F.dropout2d(x, 0.25).numpy()
    per_channel = y.reshape(8, 64, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 1 / 0.75).all(-1)).all()
    assert 0.15 < (per_channel[..., 0] == 0).mean() < 0.35
    y1 = F.dropout1d(ag.ones(8, 64, 5), 0.5).numpy()
    assert ((y1 == 0).all(-1) | (y1 == 2).all(-1)).all()
    y1u = F.dropout1d(ag.ones(64, 5), 0.5).numpy()
    assert ((y1u == 0).all(-1) | (y1u == 2).all(-1)).all()
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        y3 = F.dropout2d(ag.ones(4, 16, 5), 0.5).numpy()
    assert ((y3 == 0).all(-1) | (y3 == 2).all(-1)).all()
    assert F.dropout2d(x, 0.5, training=False) is x
    assert F.dropout2d(x, 1.0).numpy().sum() == 0
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout2d(x, 1.5)
    with pytest.raises(ValueError, match=r"dropout2d: expected 3D or 4D .* got shape \(2, 3\)"):
        F.dropout2d(ag.ones(2, 3))


def test_dropout2d_gradient_and_modules(torch):
    x = ag.ones(2, 16, 2, 2, requires_grad=True)
    ag.manual_seed(3)
    y = F.dropout2d(x, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    for ours, theirs in [(nn.Dropout2d(), torch.nn.Dropout2d()),
                         (nn.Dropout2d(0.3), torch.nn.Dropout2d(0.3)),
                         (nn.Dropout1d(0.1), torch.nn.Dropout1d(0.1))]:
        assert repr(ours) == repr(theirs) and ours.state_dict() == {}
    d = nn.Dropout2d(0.5)
    z = ag.ones(2, 8, 3, 3)
    out = d(z).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0} and (out == 0).any()
    d.eval()
    assert d(z) is z


# -------------------------------------------------------------------- pooling
def test_pool1d_functions_match_torch(torch):
    TF = torch.nn.functional
    a = arr(2, 3, 11)
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
               dict(kernel_size=3, stride=2, ceil_mode=True),
               dict(kernel_size=2, stride=1, dilation=3)):
        parity(torch, lambda x: F.max_pool1d(x, **kw), lambda x: TF.max_pool1d(x, **kw), a)
        parity(torch, lambda x: F.max_pool1d(x, **kw), lambda x: TF.max_pool1d(x, **kw), a[0])
    out, idx = F.max_pool1d(ag.tensor(a), 3, 2, 1, return_indices=True)
    outt, idxt = TF.max_pool1d(torch.tensor(a), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), idxt.numpy())
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
               dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
               dict(kernel_size=4, stride=3, ceil_mode=True)):
        parity(torch, lambda x: F.avg_pool1d(x, **kw), lambda x: TF.avg_pool1d(x, **kw), a)
    for o in (1, 3, 5, 11, 7):
        parity(torch, lambda x: F.adaptive_avg_pool1d(x, o),
               lambda x: TF.adaptive_avg_pool1d(x, o), a)
    x = t64(1, 2, 6)
    assert ag.gradcheck(lambda x: F.avg_pool1d(x, 3, 2, 1), (x,))
    assert ag.gradgradcheck(lambda x: F.adaptive_avg_pool1d(x, 4), (x,))


def test_pool1d_modules(torch):
    pairs = [(nn.MaxPool1d(2), torch.nn.MaxPool1d(2)),
             (nn.MaxPool1d(3, 1, 1, 2, ceil_mode=True),
              torch.nn.MaxPool1d(3, 1, 1, 2, ceil_mode=True)),
             (nn.AvgPool1d(2), torch.nn.AvgPool1d(2)),
             (nn.AvgPool1d(3, 1, 1, count_include_pad=False),
              torch.nn.AvgPool1d(3, 1, 1, count_include_pad=False)),
             (nn.AdaptiveAvgPool1d(3), torch.nn.AdaptiveAvgPool1d(3))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs) and ours.state_dict() == {}
        parity(torch, ours, theirs, arr(2, 3, 8))
        parity(torch, ours, theirs, arr(3, 8))
    with pytest.raises(ValueError, match=r"max_pool1d: expected 2D \(C, L\) or 3D \(N, C, L\) "
                                         r"input, got shape \(1, 2, 3, 4\)"):
        nn.MaxPool1d(2)(ag.zeros(1, 2, 3, 4))


# --------------------------------------------------------------------- losses
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(torch, reduction, log_target):
    inp = np.log(rng.dirichlet(np.ones(5), size=4))
    tgt = rng.dirichlet(np.ones(5), size=4)
    if log_target:
        tgt = np.log(tgt + 0.1)
    TF = torch.nn.functional
    with pytest.warns(UserWarning) if reduction == "mean" else _no_warning():
        parity(torch, lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target),
               lambda x, t: TF.kl_div(x, t, reduction=reduction, log_target=log_target),
               inp, tgt)


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_kl_div_zero_target_adds_nothing(torch):
    # a zero target probability adds 0 (PyTorch's xlogy); its target gradient is NaN in
    # PyTorch and -input here, so only the input gradient is compared
    inp = np.log(rng.dirichlet(np.ones(5), size=4))
    tgt = rng.dirichlet(np.ones(5), size=4)
    tgt[0, 1] = 0.0
    parity(torch, lambda x: F.kl_div(x, ag.tensor(tgt), reduction="sum"),
           lambda x: torch.nn.functional.kl_div(x, torch.tensor(tgt), reduction="sum"), inp)


def test_kl_div_gradcheck_and_module(torch):
    x = t64(3, 4)
    t = ag.tensor(rng.dirichlet(np.ones(4), size=3), dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda x, t: F.kl_div(x, t, reduction="batchmean"), (x, t))
    assert ag.gradgradcheck(lambda x, t: F.kl_div(x, t, reduction="sum", log_target=True),
                            (x, t64(3, 4)))
    for kw in ({}, dict(reduction="batchmean", log_target=True), dict(reduction="sum")):
        ours, theirs = nn.KLDivLoss(**kw), torch.nn.KLDivLoss(**kw)
        assert repr(ours) == repr(theirs) and ours.state_dict() == {}
        assert ours.reduction == theirs.reduction and ours.log_target == theirs.log_target
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        F.kl_div(x, t, reduction="bad")


@pytest.mark.parametrize("kw", [{}, dict(margin=0.5, p=1.0), dict(swap=True),
                                dict(p=3.0, eps=1e-3, reduction="sum"), dict(reduction="none")])
def test_triplet_margin_loss_matches_torch(torch, kw):
    TF = torch.nn.functional
    parity(torch, lambda a, p, n: F.triplet_margin_loss(a, p, n, **kw),
           lambda a, p, n: TF.triplet_margin_loss(a, p, n, **kw), arr(6, 4), arr(6, 4),
           arr(6, 4))
    parity(torch, lambda a, p, n: F.triplet_margin_loss(a, p, n, **kw),
           lambda a, p, n: TF.triplet_margin_loss(a, p, n, **kw), arr(4), arr(4), arr(4))
    ours, theirs = nn.TripletMarginLoss(**kw), torch.nn.TripletMarginLoss(**kw)
    assert repr(ours) == repr(theirs)
    parity(torch, ours, theirs, arr(5, 3), arr(5, 3), arr(5, 3))


def test_triplet_margin_loss_gradcheck_and_errors():
    a, p, n = t64(3, 2), t64(3, 2), t64(3, 2)
    assert ag.gradcheck(lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=5.0, swap=True),
                        (a, p, n))
    with pytest.raises(ValueError, match=r"same number of dims.*got shapes \(2, 3\), \(3,\) and "
                                         r"\(3,\)"):
        F.triplet_margin_loss(ag.zeros(2, 3), ag.zeros(3), ag.zeros(3))
    with pytest.raises(ValueError, match="margin to be greater than 0, got 0.0"):
        nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(ValueError, match="margin must be greater than 0, got -1"):
        F.triplet_margin_loss(a, p, n, margin=-1)


def test_new_names_are_exported():
    for name in ("pad", "interpolate", "pixel_shuffle", "pixel_unshuffle", "normalize",
                 "cosine_similarity", "pairwise_distance", "hardtanh", "relu6", "mish", "selu",
                 "logsigmoid", "softmin", "glu", "prelu", "kl_div", "triplet_margin_loss",
                 "group_norm", "instance_norm", "dropout1d", "dropout2d", "max_pool1d",
                 "avg_pool1d", "adaptive_avg_pool1d", "one_hot"):
        assert name in F.__all__ and callable(getattr(F, name))
    for name in ("ZeroPad2d", "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d",
                 "CosineSimilarity", "PairwiseDistance", "Hardtanh", "ReLU6", "Mish", "SELU",
                 "LogSigmoid", "Softmin", "GLU", "PReLU", "KLDivLoss", "TripletMarginLoss",
                 "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "Dropout2d", "PixelShuffle",
                 "PixelUnshuffle", "Upsample", "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d"):
        assert name in nn.__all__ and issubclass(getattr(nn, name), nn.Module)
