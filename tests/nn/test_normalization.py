"""Normalization layers (``nn/functional/normalization.py``, ``nn/modules/normalization.py``):
BatchNorm (training and running statistics, eval, momentum), LayerNorm, RMSNorm, GroupNorm
and InstanceNorm against NumPy references, gradcheck/gradgradcheck and PyTorch (float64
values, gradients and running statistics), modules and errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import Draw, leaf, load_from_torch

draw = Draw(0)
rng, arr, t64, parity = draw.rng, draw.arr, draw.t64, draw.parity


# ------------------------------------------------------------------------ BatchNorm
def _bn_ref(x, axes, eps=1e-5):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


@pytest.mark.parametrize("shape,cls", [((8, 3), nn.BatchNorm1d), ((4, 3, 5), nn.BatchNorm1d),
                                       ((4, 3, 2, 5), nn.BatchNorm2d)])
def test_batchnorm_training_output_and_running_stats(shape, cls):
    bn = cls(3, momentum=0.2)
    with ag.no_grad():
        bn.weight.copy_(ag.tensor([1.0, 2.0, 0.5]))
        bn.bias.copy_(ag.tensor([0.0, -1.0, 3.0]))
    x = rng.standard_normal(shape).astype(np.float32) * 3 + 1
    y = bn(ag.tensor(x)).detach().numpy()
    axes = (0,) + tuple(range(2, len(shape)))
    cs = (1, 3) + (1,) * (len(shape) - 2)
    ref = _bn_ref(x, axes) * np.array([1, 2, 0.5]).reshape(cs) + np.array([0, -1, 3]).reshape(cs)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    n = x.size // 3
    unbiased = x.var(axis=axes) * n / (n - 1)
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.2 * x.mean(axis=axes), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.8 + 0.2 * unbiased, rtol=1e-5)
    assert int(bn.num_batches_tracked) == 1


def test_batchnorm_eval_uses_running_stats_and_differs_from_train():
    bn = nn.BatchNorm1d(2)
    x = ag.tensor([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])
    for _ in range(3):
        bn(x)
    rm, rv = bn.running_mean.numpy().copy(), bn.running_var.numpy().copy()
    bn.eval()
    y = bn(x).detach().numpy()
    np.testing.assert_allclose(y, (x.numpy() - rm) / np.sqrt(rv + 1e-5), rtol=1e-5)
    assert int(bn.num_batches_tracked) == 3  # eval does not count or update
    np.testing.assert_array_equal(bn.running_mean.numpy(), rm)
    bn.train()
    assert not np.allclose(bn(x).detach().numpy(), y)
    # eval works with a single sample; training refuses it
    bn.eval()
    assert bn(ag.tensor([[1.0, 2.0]])).shape == (1, 2)
    bn.train()
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(ag.tensor([[1.0, 2.0]]))


def test_batchnorm_momentum_none_is_cumulative_average():
    bn = nn.BatchNorm1d(1, momentum=None)
    batches = [np.array([[1.0], [3.0]]), np.array([[5.0], [9.0]]), np.array([[0.0], [1.0]])]
    for b in batches:
        bn(ag.tensor(b, dtype=ag.float32))
    np.testing.assert_allclose(bn.running_mean.numpy(), [np.mean([b.mean() for b in batches])],
                               rtol=1e-6)
    np.testing.assert_allclose(bn.running_var.numpy(),
                               [np.mean([b.var(ddof=1) for b in batches])], rtol=1e-6)


def test_batchnorm_without_affine_or_tracking():
    bn = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert list(bn.state_dict()) == [] and bn.running_mean is None
    x = rng.standard_normal((6, 3)).astype(np.float32)
    np.testing.assert_allclose(bn(ag.tensor(x)).numpy(), _bn_ref(x, (0,)), rtol=1e-4, atol=1e-5)
    bn.eval()  # no running stats: still batch statistics
    np.testing.assert_allclose(bn(ag.tensor(x)).numpy(), _bn_ref(x, (0,)), rtol=1e-4, atol=1e-5)


def test_batchnorm_gradcheck_and_gradgradcheck():
    x, w, b = t64(4, 3, 2), t64(3), t64(3)
    f = lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True) ** 2  # noqa: E731
    assert ag.gradcheck(f, (x, w, b))
    assert ag.gradgradcheck(f, (x, w, b))
    assert ag.gradcheck(lambda x: F.batch_norm(x, None, None, training=True).sin(), (t64(5, 2),))
    rm, rv = ag.zeros(3, dtype=ag.float64), ag.ones(3, dtype=ag.float64) * 2
    assert ag.gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False),
                        (x, w, b))


def test_batchnorm_input_errors():
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected 2D or 3D input, got 4D"):
        nn.BatchNorm1d(3)(ag.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected input with 4 channels"):
        nn.BatchNorm2d(4)(ag.zeros(2, 3, 4, 4))


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (4, 3, 2, 5)])
def test_batchnorm_matches_torch_over_steps_and_in_eval(torch, shape):
    tcls = torch.nn.BatchNorm2d if len(shape) == 4 else torch.nn.BatchNorm1d
    ocls = nn.BatchNorm2d if len(shape) == 4 else nn.BatchNorm1d
    tb = tcls(3, momentum=0.3).double()
    ob = ocls(3, momentum=0.3).double()
    with torch.no_grad():
        tb.weight.uniform_(0.5, 1.5)
        tb.bias.uniform_(-1, 1)
    load_from_torch(ob, tb)
    for _ in range(3):
        x = rng.standard_normal(shape) * 2 + 0.5
        g = rng.standard_normal(shape)
        tx = torch.tensor(x, requires_grad=True)
        ox = ag.tensor(x, requires_grad=True)
        ty, oy = tb(tx), ob(ox)
        np.testing.assert_allclose(oy.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
        ty.backward(torch.tensor(g))
        oy.backward(ag.tensor(g))
        np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ob.weight.grad.numpy(), tb.weight.grad.numpy(), rtol=1e-9)
    for k, v in tb.state_dict().items():
        np.testing.assert_allclose(ob.state_dict()[k].numpy(), v.numpy(), rtol=1e-12)
    tb.eval()
    ob.eval()
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(ob(ag.tensor(x)).detach().numpy(),
                               tb(torch.tensor(x)).detach().numpy(), rtol=1e-10)


# ------------------------------------------------------------------------ LayerNorm
def test_layernorm_matches_numpy_and_gradchecks():
    ln = nn.LayerNorm((3, 4)).double()
    with ag.no_grad():
        ln.weight.copy_(ag.tensor(rng.standard_normal((3, 4))))
        ln.bias.copy_(ag.tensor(rng.standard_normal((3, 4))))
    x = t64(2, 3, 4)
    xn = x.detach().numpy()
    mean = xn.mean(axis=(1, 2), keepdims=True)
    var = xn.var(axis=(1, 2), keepdims=True)
    ref = (xn - mean) / np.sqrt(var + 1e-5) * ln.weight.detach().numpy() + ln.bias.detach().numpy()
    np.testing.assert_allclose(ln(x).detach().numpy(), ref, rtol=1e-12)
    f = lambda x, w, b: F.layer_norm(x, (3, 4), w, b) ** 2  # noqa: E731
    assert ag.gradcheck(f, (x, ln.weight, ln.bias))
    assert ag.gradgradcheck(f, (x, ln.weight, ln.bias))
    assert ag.gradcheck(lambda x: F.layer_norm(x, (4,)).sin(), (x,))
    assert ag.gradcheck(lambda x, w: F.layer_norm(x, 4, w).sin(), (x, t64(4)))


def test_layernorm_params_and_errors():
    ln = nn.LayerNorm(5)
    assert ln.weight.tolist() == [1.0] * 5 and ln.bias.tolist() == [0.0] * 5
    assert nn.LayerNorm(5, elementwise_affine=False).weight is None
    assert list(nn.LayerNorm(5, bias=False).state_dict()) == ["weight"]
    with pytest.raises(RuntimeError, match=r"LayerNorm: Given normalized_shape=\[5\], expected "
                                           r"input with shape \[\*, 5\], but got input of "
                                           r"size\[2, 4\]"):
        ln(ag.zeros(2, 4))


def test_layernorm_matches_torch(torch):
    t = torch.nn.LayerNorm(6).double()
    with torch.no_grad():
        t.weight.uniform_(0.5, 1.5)
        t.bias.uniform_(-1, 1)
    o = nn.LayerNorm(6).double()
    load_from_torch(o, t)
    x = rng.standard_normal((3, 4, 6)) * 5
    tx, ox = torch.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
    g = rng.standard_normal((3, 4, 6))
    ty, oy = t(tx), o(ox)
    np.testing.assert_allclose(oy.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    ty.backward(torch.tensor(g))
    oy.backward(ag.tensor(g))
    np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(o.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(o.bias.grad.numpy(), t.bias.grad.numpy(), rtol=1e-9)


# -------------------------------------------------------------------------- RMSNorm
@pytest.mark.parametrize("shape,normalized,eps,affine", [
    ((4, 6), (6,), None, True), ((2, 3, 4, 5), (4, 5), 1e-3, True), ((3, 5), 5, None, False)])
def test_rms_norm_matches_torch(torch, shape, normalized, eps, affine):
    ours = nn.RMSNorm(normalized, eps=eps, elementwise_affine=affine, dtype=ag.float64)
    theirs = torch.nn.RMSNorm(normalized, eps=eps, elementwise_affine=affine,
                              dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    a = arr(*shape)
    if affine:
        w = arr(*ours.weight.shape)
        ours.weight.data = ag.tensor(w)
        theirs.weight.data = torch.tensor(w)
    parity(torch, ours, theirs, a)
    if affine:
        np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(),
                                   atol=1e-10)
        wt = ours.weight.detach().numpy()
        parity(torch, lambda x, w: F.rms_norm(x, normalized, w, eps),
               lambda x, w: torch.nn.functional.rms_norm(x, normalized, w, eps), a, wt)
    assert ag.gradcheck(lambda x: F.rms_norm(x, normalized, None, eps), (leaf(a),))


def test_rms_norm_float32_default_eps_and_errors(torch):
    a = (arr(3, 4) * 1e-4).astype(np.float32)
    np.testing.assert_allclose(F.rms_norm(ag.tensor(a), (4,)).numpy(),
                               torch.nn.functional.rms_norm(torch.tensor(a), (4,)).numpy(),
                               rtol=1e-5)
    for args in ((5,), (4, 3)):                 # the input's shape, the weight's: PyTorch's type
        with pytest.raises(RuntimeError):
            torch.nn.functional.rms_norm(torch.ones(3, 4), (args[0],),
                                         *[torch.ones(a) for a in args[1:]])
    with pytest.raises(RuntimeError, match=r"rms_norm: Given normalized_shape=\[5\], expected "
                                           r"input with shape \[\*, 5\], but got input of "
                                           r"size\[3, 4\]"):
        F.rms_norm(ag.ones(3, 4), 5)
    with pytest.raises(RuntimeError, match=r"rms_norm: Expected weight to be of same shape as "
                                           r"normalized_shape, but got weight of shape \[3\] "
                                           r"and normalized_shape = \[4\]"):
        F.rms_norm(ag.ones(3, 4), 4, ag.ones(3))


# ------------------------------------------------------- GroupNorm and InstanceNorm
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
    with pytest.raises(RuntimeError, match=r"GroupNorm: expected input of shape \(N, 4, \*\), "
                                           r"got shape \(2, 3, 5\)"):
        nn.GroupNorm(2, 4)(ag.zeros(2, 3, 5))
    with pytest.raises(RuntimeError):                   # PyTorch's type for that input
        torch.nn.GroupNorm(2, 4)(torch.zeros(2, 3, 5))


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


@pytest.mark.parametrize("call", [
    lambda F, t: F.layer_norm(t.zeros(2, 3), (4,)),
    lambda F, t: F.layer_norm(t.zeros(3), (2, 3)),
    lambda F, t: F.group_norm(t.zeros(2, 5, 3), 2),
    lambda F, t: F.group_norm(t.zeros(2, 4, 3), 2, weight=t.ones(3)),
    lambda F, t: F.group_norm(t.zeros(2, 4, 3), 2, bias=t.ones(4, 1)),
], ids=["layer_norm_trailing", "layer_norm_short", "group_norm_groups", "group_norm_weight",
        "group_norm_bias"])
def test_norm_shape_errors_are_pytorchs(torch, call):
    """A layer or group norm given shapes that do not fit raises RuntimeError, as PyTorch
    does, with its message after the op's name (PyTorch's bias message prints the shape
    [0] whatever the bias is: only the first part is compared)."""
    with pytest.raises(RuntimeError) as theirs:
        call(torch.nn.functional, torch)
    with pytest.raises(RuntimeError) as ours:
        call(F, ag)
    name = "layer_norm" if "normalized_shape" in str(theirs.value) else "group_norm"
    assert str(ours.value).startswith(name + ": ")
    assert str(theirs.value).split(" of shape [")[0].split("\n")[0] in str(ours.value)


@pytest.mark.parametrize("name", ["weight", "bias"])
@pytest.mark.parametrize("bad", [(1,), (3,), (4, 1)])
def test_layer_norm_weight_or_bias_of_another_shape_is_an_error_as_in_torch(torch, name, bad):
    # a (1,) weight used to broadcast, and a (4, 1) one to pass the kernel's reshape:
    # PyTorch refuses both, naming the shapes
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    kw = {name: np.ones(bad, np.float32)}
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.functional.layer_norm(torch.tensor(x), (4,),
                                       **{k: torch.tensor(v) for k, v in kw.items()})
    with pytest.raises(RuntimeError, match=r"layer_norm: Expected .* normalized_shape = \[4\]") as ours:
        F.layer_norm(ag.tensor(x), (4,), **{k: ag.tensor(v) for k, v in kw.items()})
    assert str(theirs.value).split(", but got")[0] in str(ours.value)
