"""Losses (``nn/functional/loss.py``, ``nn/modules/loss.py``) against NumPy references,
gradcheck, numerical stability and PyTorch parity (float64 values and gradients): cross
entropy, NLL, MSE/L1/Huber/smooth L1, BCE (with logits), hinge embedding, multi-margin,
margin ranking, cosine embedding, Gaussian/Poisson NLL, multi-label soft margin, KL
divergence and triplet margin; modules, legacy reduction arguments and errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import Draw, leaf

draw = Draw(1)
rng, arr, t64, parity = draw.rng, draw.arr, draw.t64, draw.parity
REDUCTIONS = ("mean", "sum", "none")


def reduce_np(loss, reduction):
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


def log_softmax_np(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def ce_ref(x, t, weight=None, ignore_index=-100, eps=0.0, reduction="mean"):
    """Cross-entropy written from the definition, with a loop over samples."""
    x = np.moveaxis(x, 1, -1).reshape(-1, x.shape[1]) if x.ndim > 2 else x.reshape(-1, x.shape[-1])
    c = x.shape[1]
    w = np.ones(c) if weight is None else weight
    logp = log_softmax_np(x, 1)
    if t.dtype.kind == "f":
        tt = np.moveaxis(t, 1, -1).reshape(-1, c) if t.ndim > 2 else t.reshape(-1, c)
        tt = tt * (1 - eps) + eps / c
        loss = -(tt * w * logp).sum(1)
        return reduce_np(loss, reduction) if reduction != "mean" else loss.sum() / len(loss)
    t = t.reshape(-1)
    loss = np.zeros(len(t))
    wsum = 0.0
    for i, y in enumerate(t):
        if y == ignore_index:
            continue
        loss[i] = (1 - eps) * -w[y] * logp[i, y] + eps * -(w * logp[i]).sum() / c
        wsum += w[y]
    if reduction == "mean":
        return loss.sum() / wsum
    return reduce_np(loss, reduction)


# -------------------------------------------------------------- cross-entropy
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("eps", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_index_targets(reduction, eps, weighted):
    x = t64(6, 4)
    t = np.array([0, 3, 1, -100, 2, 3])
    w = np.array([1.0, 2.0, 0.5, 3.0]) if weighted else None
    out = F.cross_entropy(x, ag.tensor(t), weight=None if w is None else ag.tensor(w),
                          reduction=reduction, label_smoothing=eps)
    ref = ce_ref(x.detach().numpy(), t, w, eps=eps, reduction=reduction)
    if reduction == "none":
        ref = ref.reshape(6)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-12)
    wt = None if w is None else ag.tensor(w)
    f = lambda x: F.cross_entropy(x, ag.tensor(t), weight=wt, reduction=reduction,  # noqa: E731
                                  label_smoothing=eps)
    assert ag.gradcheck(f, (x,))
    assert ag.gradgradcheck(f, (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_spatial_and_unbatched(reduction):
    x = t64(2, 3, 4, 2)
    t = rng.integers(0, 3, (2, 4, 2))
    t[0, 1, 1] = 1
    out = F.cross_entropy(x, ag.tensor(t), reduction=reduction, ignore_index=1)
    ref = ce_ref(x.detach().numpy(), t, ignore_index=1, reduction=reduction)
    np.testing.assert_allclose(out.detach().numpy().reshape(-1), np.reshape(ref, -1), rtol=1e-12)
    if reduction == "none":
        assert out.shape == (2, 4, 2)
    assert ag.gradcheck(lambda x: F.cross_entropy(x, ag.tensor(t), reduction=reduction), (x,))
    x1 = t64(5)
    out1 = F.cross_entropy(x1, ag.tensor(2), reduction=reduction)
    assert out1.shape == ()
    np.testing.assert_allclose(out1.item(), -log_softmax_np(x1.detach().numpy(), 0)[2],
                               rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_cross_entropy_probability_targets(reduction, eps):
    x = t64(5, 4)
    p = rng.random((5, 4))
    p /= p.sum(1, keepdims=True)
    tgt = ag.tensor(p, requires_grad=True)
    w = ag.tensor([1.0, 0.5, 2.0, 1.0], dtype=ag.float64)
    out = F.cross_entropy(x, tgt, weight=w, reduction=reduction, label_smoothing=eps)
    ref = ce_ref(x.detach().numpy(), p, w.numpy(), eps=eps, reduction=reduction)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-12)
    f = lambda x, t: F.cross_entropy(x, t, weight=w, reduction=reduction,  # noqa: E731
                                     label_smoothing=eps)
    assert ag.gradcheck(f, (x, tgt))
    assert ag.gradgradcheck(f, (x, tgt))
    xs = t64(2, 3, 4)
    ps = rng.random((2, 3, 4))
    out = F.cross_entropy(xs, ag.tensor(ps), reduction=reduction)
    np.testing.assert_allclose(out.detach().numpy().reshape(-1),
                               np.reshape(ce_ref(xs.detach().numpy(), ps, reduction=reduction), -1),
                               rtol=1e-12)


def test_cross_entropy_is_stable_for_huge_logits():
    for dt in (ag.float32, ag.float64):
        x = ag.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], dtype=dt, requires_grad=True)
        loss = F.cross_entropy(x, ag.tensor([1, 1]))
        loss.backward()
        assert np.isfinite(loss.item()) and abs(loss.item() - 1e4) < 1
        assert bool(x.grad.isfinite().all())
        g = x.grad.numpy()
        np.testing.assert_allclose(g, [[0.5, -0.5, 0], [0, 0, 0]], atol=1e-6)
        x.grad = None
        F.cross_entropy(x, ag.tensor([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]], dtype=dt),
                        label_smoothing=0.1).backward()
        assert bool(x.grad.isfinite().all())


def test_cross_entropy_all_ignored_mean_is_nan_as_pytorch():
    out = F.cross_entropy(ag.randn(2, 3), ag.tensor([-100, -100]))
    assert np.isnan(out.item())


def test_cross_entropy_errors():
    x = ag.randn(4, 3)
    with pytest.raises(ValueError, match=r"expected target of shape \(4,\) for input of shape "
                                         r"\(4, 3\), got \(3,\)"):
        F.cross_entropy(x, ag.tensor([0, 1, 2]))
    with pytest.raises(TypeError, match="class-index targets must be integers"):
        F.cross_entropy(x, ag.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(x, ag.tensor([0, 1, 3, 1]))
    with pytest.raises(ValueError, match="weight should have one entry per class"):
        F.cross_entropy(x, ag.tensor([0, 1, 2, 1]), weight=ag.ones(4))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(x, ag.tensor([0, 1, 2, 1]), reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, ag.tensor([0, 1, 2, 1]), label_smoothing=1.5)


def test_cross_entropy_module_registers_weight_buffer():
    m = nn.CrossEntropyLoss(weight=ag.tensor([1.0, 2.0]), ignore_index=0, label_smoothing=0.1)
    assert list(m.state_dict()) == ["weight"]
    x, t = ag.randn(3, 2), ag.tensor([1, 0, 1])
    np.testing.assert_allclose(m(x, t).item(), F.cross_entropy(
        x, t, weight=ag.tensor([1.0, 2.0]), ignore_index=0, label_smoothing=0.1).item())


def test_cross_entropy_equals_nll_of_log_softmax():
    x = t64(4, 5)
    t = ag.tensor([0, 4, 2, 2])
    np.testing.assert_allclose(F.cross_entropy(x, t).item(),
                               F.nll_loss(F.log_softmax(x, 1), t).item(), rtol=1e-12)


# ------------------------------------------------------------------------ NLL
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction):
    x = t64(5, 3)
    t = np.array([0, 2, -100, 1, 2])
    w = np.array([1.0, 3.0, 0.5])
    out = F.nll_loss(x, ag.tensor(t), weight=ag.tensor(w), reduction=reduction)
    xn = x.detach().numpy()
    per = np.array([0.0 if y == -100 else -w[y] * xn[i, y] for i, y in enumerate(t)])
    ref = per.sum() / sum(w[y] for y in t if y != -100) if reduction == "mean" else \
        reduce_np(per, reduction)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-12)
    assert ag.gradcheck(lambda x: F.nll_loss(x, ag.tensor(t), weight=ag.tensor(w),
                                             reduction=reduction), (x,))
    xs = t64(2, 3, 4)
    ts = rng.integers(0, 3, (2, 4))
    assert nn.NLLLoss(reduction=reduction)(xs, ag.tensor(ts)).shape == \
        ((2, 4) if reduction == "none" else ())



@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape, weighted, ignore", [((5,), False, -100), ((4, 5), True, 3),
                                                     ((4, 5), False, -100),
                                                     ((2, 5, 3, 2), True, 1)])
def test_nll_loss_is_one_node_as_pytorchs(torch, reduction, shape, weighted, ignore):
    """One ``NllLossBackward0`` node (a chain of gather, mask and sum nodes before), its
    values, first and second derivatives (through ``create_graph``) equal to PyTorch's."""
    x = rng.standard_normal(shape)
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    t = rng.integers(0, 5, tshape)
    if len(shape) > 1:
        t.flat[0] = ignore if ignore >= 0 else t.flat[0]
    w = rng.uniform(0.5, 2.0, 5)

    def run(lib):
        xt = lib.tensor(x, dtype=lib.float64, requires_grad=True)
        kw = {"weight": lib.tensor(w, dtype=lib.float64)} if weighted else {}
        loss = lib.nn.functional.nll_loss(xt.log_softmax(-1 if len(shape) == 1 else 1),
                                          lib.tensor(t), ignore_index=ignore,
                                          reduction=reduction, **kw)
        name = loss.grad_fn.name()
        scalar = (loss * lib.arange(1, loss.numel() + 1, dtype=lib.float64).reshape(
            loss.shape)).sum()
        (g,) = lib.autograd.grad(scalar, xt, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), xt)
        return loss.detach().numpy(), g.detach().numpy(), gg.numpy(), name

    (lo, go, ggo, name), (lt, gt, ggt, _) = run(ag), run(torch)
    np.testing.assert_allclose(lo, lt, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(go, gt, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ggo, ggt, rtol=1e-9, atol=1e-11)
    assert name == "NllLossBackward0"


def test_nll_loss_edge_cases_as_pytorchs(torch):
    x = np.log(np.full((3, 4), 0.25))
    for lib in (ag, torch):   # every target ignored: the mean is NaN, the sum 0
        xt = lib.tensor(x, requires_grad=True)
        t = lib.tensor([1, 1, 1])
        assert np.isnan(lib.nn.functional.nll_loss(xt, t, ignore_index=1).item())
        assert lib.nn.functional.nll_loss(xt, t, ignore_index=1, reduction="sum").item() == 0
        with pytest.raises(IndexError):
            lib.nn.functional.nll_loss(xt, lib.tensor([0, 4, 1]))

# ------------------------------------------------------------ regression losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_l1_huber_smooth_l1(reduction):
    x, y = t64(3, 4, scale=2), t64(3, 4, requires_grad=False)
    d = x.detach().numpy() - y.numpy()
    cases = [
        (nn.MSELoss(reduction=reduction), d ** 2),
        (nn.L1Loss(reduction=reduction), np.abs(d)),
        (nn.HuberLoss(reduction=reduction, delta=0.7),
         np.where(np.abs(d) < 0.7, 0.5 * d ** 2, 0.7 * (np.abs(d) - 0.35))),
        (nn.SmoothL1Loss(reduction=reduction, beta=0.7),
         np.where(np.abs(d) < 0.7, 0.5 * d ** 2 / 0.7, np.abs(d) - 0.35)),
    ]
    for m, per in cases:
        np.testing.assert_allclose(m(x, y).detach().numpy(), reduce_np(per, reduction),
                                   rtol=1e-12)
        assert ag.gradcheck(lambda x: m(x, y), (x,))
    assert ag.gradgradcheck(lambda x: F.mse_loss(x, y, reduction=reduction), (x,))


def test_mse_warns_on_broadcasting_targets():
    with pytest.warns(UserWarning, match="target size"):
        F.mse_loss(ag.zeros(3, 1), ag.zeros(3))


# ----------------------------------------------------------------- binary losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce(reduction):
    p = ag.tensor(rng.uniform(0.05, 0.95, (4, 3)), requires_grad=True)
    y = ag.tensor(rng.uniform(0, 1, (4, 3)), requires_grad=True)
    w = ag.tensor(rng.uniform(0.5, 2, (4, 3)))
    pn, yn = p.detach().numpy(), y.detach().numpy()
    per = -(yn * np.log(pn) + (1 - yn) * np.log(1 - pn)) * w.numpy()
    out = F.binary_cross_entropy(p, y, weight=w, reduction=reduction)
    np.testing.assert_allclose(out.detach().numpy(), reduce_np(per, reduction), rtol=1e-12)
    f = lambda p, y: F.binary_cross_entropy(p, y, weight=w, reduction=reduction)  # noqa: E731
    assert ag.gradcheck(f, (p, y))
    assert ag.gradgradcheck(f, (p, y))


def test_bce_clamps_log_at_minus_100():
    p = ag.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    y = ag.tensor([1.0, 0.0, 0.0, 1.0])
    out = F.binary_cross_entropy(p, y, reduction="none")
    assert out.tolist() == [100.0, 100.0, 0.0, 0.0]
    out.sum().backward()
    assert bool(p.grad.isfinite().all())
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ag.tensor([1.5]), ag.tensor([1.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(reduction):
    x = t64(4, 3, scale=3)
    y = ag.tensor(rng.uniform(0, 1, (4, 3)), requires_grad=True)
    w = ag.tensor(rng.uniform(0.5, 2, (4, 3)))
    pw = ag.tensor([1.0, 2.0, 0.5], dtype=ag.float64, requires_grad=True)
    xn, yn, pwn = x.detach().numpy(), y.detach().numpy(), pw.detach().numpy()
    sig = 1 / (1 + np.exp(-xn))
    per = -(pwn * yn * np.log(sig) + (1 - yn) * np.log(1 - sig)) * w.numpy()
    out = F.binary_cross_entropy_with_logits(x, y, w, reduction=reduction, pos_weight=pw)
    np.testing.assert_allclose(out.detach().numpy(), reduce_np(per, reduction), rtol=1e-10)
    f = lambda x, y, pw: F.binary_cross_entropy_with_logits(  # noqa: E731
        x, y, w, reduction=reduction, pos_weight=pw)
    assert ag.gradcheck(f, (x, y, pw))
    assert ag.gradgradcheck(f, (x, y, pw))
    g = lambda x: F.binary_cross_entropy_with_logits(x, y, reduction=reduction)  # noqa: E731
    assert ag.gradcheck(g, (x,))


def test_bce_with_logits_is_stable():
    x = ag.tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    y = ag.tensor([1.0, 0.0, 0.0, 1.0])
    out = nn.BCEWithLogitsLoss(reduction="none", pos_weight=ag.tensor([3.0]))(x, y)
    assert out.tolist() == [0.0, 0.0, 1e4, 3e4]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0, -3.0]


# ------------------------------------------------------------------ margin losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_embedding_loss(reduction):
    x = t64(3, 4)
    y = ag.tensor(rng.choice([-1.0, 1.0], (3, 4)))
    xn, yn = x.detach().numpy(), y.numpy()
    per = np.where(yn == 1, xn, np.maximum(0, 0.5 - xn))
    out = nn.HingeEmbeddingLoss(margin=0.5, reduction=reduction)(x, y)
    np.testing.assert_allclose(out.detach().numpy(), reduce_np(per, reduction), rtol=1e-12)
    assert ag.gradcheck(lambda x: F.hinge_embedding_loss(x, y, 0.5, reduction=reduction), (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss(reduction, p):
    x = t64(4, 5)
    t = np.array([0, 4, 2, 2])
    w = np.array([1.0, 2.0, 0.5, 1.0, 3.0])
    xn = x.detach().numpy()
    per = np.zeros(4)
    for i, y in enumerate(t):
        for j in range(5):
            if j != y:
                per[i] += w[y] * max(0.0, 0.7 - xn[i, y] + xn[i, j]) ** p / 5
    out = F.multi_margin_loss(x, ag.tensor(t), p=p, margin=0.7, weight=ag.tensor(w),
                              reduction=reduction)
    np.testing.assert_allclose(out.detach().numpy(), reduce_np(per, reduction), rtol=1e-12)
    assert ag.gradcheck(lambda x: nn.MultiMarginLoss(p, 0.7, ag.tensor(w), reduction=reduction)(
        x, ag.tensor(t)), (x,))


def test_legacy_size_average_and_reduce():
    x, y = ag.tensor([1.0, 3.0]), ag.zeros(2)
    assert F.mse_loss(x, y, size_average=False).item() == 10.0
    assert F.mse_loss(x, y, reduce=False).tolist() == [1.0, 9.0]


# ------------------------------------------------------------------ vs PyTorch
def test_losses_match_torch(torch):
    tf = torch.nn.functional
    x = rng.standard_normal((6, 4)) * 3
    t = np.array([0, 3, 1, -100, 2, 3])
    w = np.array([1.0, 2.0, 0.5, 3.0])
    probs = rng.random((6, 4))
    probs /= probs.sum(1, keepdims=True)
    xs = rng.standard_normal((2, 4, 3, 2))
    ts = rng.integers(0, 4, (2, 3, 2))
    sig_in = rng.uniform(0.05, 0.95, (6, 4))
    y01 = rng.uniform(0, 1, (6, 4))
    pm = rng.choice([-1.0, 1.0], (6, 4))
    tm = np.array([0, 3, 1, 1, 2, 3])
    T = torch.tensor
    cases = []
    for red in REDUCTIONS:
        for eps in (0.0, 0.2):
            cases += [
                (lambda a, r=red, e=eps: F.cross_entropy(a, ag.tensor(t), weight=ag.tensor(w),
                                                         reduction=r, label_smoothing=e),
                 lambda a, r=red, e=eps: tf.cross_entropy(a, T(t), weight=T(w), reduction=r,
                                                          label_smoothing=e), x),
                (lambda a, r=red, e=eps: F.cross_entropy(a, ag.tensor(probs), weight=ag.tensor(w),
                                                         reduction=r, label_smoothing=e),
                 lambda a, r=red, e=eps: tf.cross_entropy(a, T(probs), weight=T(w), reduction=r,
                                                          label_smoothing=e), x),
                (lambda a, r=red, e=eps: F.cross_entropy(a, ag.tensor(ts), reduction=r,
                                                         label_smoothing=e, ignore_index=2),
                 lambda a, r=red, e=eps: tf.cross_entropy(a, T(ts), reduction=r,
                                                          label_smoothing=e, ignore_index=2), xs),
            ]
        cases += [
            (lambda a, r=red: F.nll_loss(a, ag.tensor(t), weight=ag.tensor(w), reduction=r),
             lambda a, r=red: tf.nll_loss(a, T(t), weight=T(w), reduction=r), x),
            (lambda a, r=red: F.mse_loss(a, ag.tensor(y01), reduction=r),
             lambda a, r=red: tf.mse_loss(a, T(y01), reduction=r), x),
            (lambda a, r=red: F.l1_loss(a, ag.tensor(y01), reduction=r),
             lambda a, r=red: tf.l1_loss(a, T(y01), reduction=r), x),
            (lambda a, r=red: F.smooth_l1_loss(a, ag.tensor(y01), reduction=r, beta=0.5),
             lambda a, r=red: tf.smooth_l1_loss(a, T(y01), reduction=r, beta=0.5), x),
            (lambda a, r=red: F.huber_loss(a, ag.tensor(y01), reduction=r, delta=0.5),
             lambda a, r=red: tf.huber_loss(a, T(y01), reduction=r, delta=0.5), x),
            (lambda a, r=red: F.binary_cross_entropy(a, ag.tensor(y01), reduction=r),
             lambda a, r=red: tf.binary_cross_entropy(a, T(y01), reduction=r), sig_in),
            (lambda a, r=red: F.binary_cross_entropy_with_logits(
                a, ag.tensor(y01), ag.tensor(y01 + 0.5), reduction=r,
                pos_weight=ag.tensor(w)),
             lambda a, r=red: tf.binary_cross_entropy_with_logits(
                 a, T(y01), T(y01 + 0.5), reduction=r, pos_weight=T(w)), x),
            (lambda a, r=red: F.hinge_embedding_loss(a, ag.tensor(pm), 0.5, reduction=r),
             lambda a, r=red: tf.hinge_embedding_loss(a, T(pm), 0.5, reduction=r), x),
            (lambda a, r=red: F.multi_margin_loss(a, ag.tensor(tm), 2, 0.7,
                                                  ag.tensor(w), reduction=r),
             lambda a, r=red: tf.multi_margin_loss(a, T(tm), 2, 0.7, T(w), reduction=r),
             x),
        ]
    for ours, theirs, inp in cases:
        oa = ag.tensor(inp, requires_grad=True)
        ta = torch.tensor(inp, requires_grad=True)
        oy, ty = ours(oa), theirs(ta)
        np.testing.assert_allclose(oy.detach().numpy(), ty.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)
        g = rng.standard_normal(ty.shape)
        oy.backward(ag.tensor(g))
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(oa.grad.numpy(), ta.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_stable_losses_match_torch_at_huge_logits(torch):
    x = np.array([[1e4, -1e4, 3.0], [-1e4, 1e4, -2.0]])
    for dt, tdt in ((ag.float32, torch.float32), (ag.float64, torch.float64)):
        oa = ag.tensor(x, dtype=dt, requires_grad=True)
        ta = torch.tensor(x, dtype=tdt, requires_grad=True)
        ol = F.cross_entropy(oa, ag.tensor([1, 2]), label_smoothing=0.1)
        tl = torch.nn.functional.cross_entropy(ta, torch.tensor([1, 2]), label_smoothing=0.1)
        ol.backward()
        tl.backward()
        np.testing.assert_allclose(ol.item(), tl.item(), rtol=1e-6)
        np.testing.assert_allclose(oa.grad.numpy(), ta.grad.numpy(), rtol=1e-5, atol=1e-7)
        oa.grad, ta.grad = None, None
        ol = F.binary_cross_entropy_with_logits(oa, ag.tensor(np.ones_like(x), dtype=dt))
        tl = torch.nn.functional.binary_cross_entropy_with_logits(ta, torch.ones_like(ta))
        ol.backward()
        tl.backward()
        np.testing.assert_allclose(ol.item(), tl.item(), rtol=1e-6)
        np.testing.assert_allclose(oa.grad.numpy(), ta.grad.numpy(), rtol=1e-5, atol=1e-7)


# -- margin ranking, cosine embedding, Gaussian/Poisson NLL, multi-label soft margin
def pm1(*shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_and_cosine_embedding_match_torch(torch, reduction):
    tf = torch.nn.functional
    y = pm1(6)
    parity(torch, lambda a, b, t: F.margin_ranking_loss(a, b, t, 0.3, reduction=reduction),
           lambda a, b, t: tf.margin_ranking_loss(a, b, t, 0.3, reduction=reduction),
           arr(6), arr(6), consts=[y])
    for shape, t in [((5, 4), pm1(5)), ((4,), np.array(-1.0)), ((4,), np.array(1.0))]:
        parity(torch, lambda a, b, t: F.cosine_embedding_loss(a, b, t, 0.2, reduction=reduction),
               lambda a, b, t: tf.cosine_embedding_loss(a, b, t, 0.2, reduction=reduction),
               arr(*shape), arr(*shape), consts=[t])
    for ours, theirs in [(nn.MarginRankingLoss(0.1, reduction=reduction),
                          torch.nn.MarginRankingLoss(0.1, reduction=reduction)),
                         (nn.CosineEmbeddingLoss(0.1, reduction=reduction),
                          torch.nn.CosineEmbeddingLoss(0.1, reduction=reduction))]:
        shape = (6,) if isinstance(ours, nn.MarginRankingLoss) else (6, 3)
        parity(torch, ours, theirs, arr(*shape), arr(*shape), consts=[pm1(6)])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_matches_torch(torch, reduction, full):
    tf = torch.nn.functional
    x, y = arr(4, 3), arr(4, 3)
    for var in [np.abs(arr(4, 3)) + 0.1, np.abs(arr(4)) + 0.1, np.abs(arr(4, 1)) + 0.1,
                np.where(rng.random((4, 3)) < 0.3, 1e-9, 0.5)]:  # some clamped to eps
        parity(torch, lambda a, v: F.gaussian_nll_loss(a, ag.tensor(y), v, full, 1e-6, reduction),
               lambda a, v: tf.gaussian_nll_loss(a, torch.tensor(y), v, full, 1e-6, reduction),
               x, var)
    parity(torch, lambda a: F.gaussian_nll_loss(a, ag.tensor(y), 0.7, full, reduction=reduction),
           lambda a: tf.gaussian_nll_loss(a, torch.tensor(y), 0.7, full, reduction=reduction), x)
    parity(torch, nn.GaussianNLLLoss(full=full, reduction=reduction),
           torch.nn.GaussianNLLLoss(full=full, reduction=reduction), x, y, np.abs(x) + 0.2)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input,full", [(True, False), (False, False), (True, True),
                                            (False, True)])
def test_poisson_nll_matches_torch(torch, reduction, log_input, full):
    x = arr(5, 3) if log_input else np.abs(arr(5, 3)) + 0.1
    y = rng.integers(0, 5, (5, 3)).astype(np.float64)
    parity(torch, nn.PoissonNLLLoss(log_input, full, reduction=reduction),
           torch.nn.PoissonNLLLoss(log_input, full, reduction=reduction), x, consts=[y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_soft_margin_matches_torch(torch, reduction):
    y = (rng.random((4, 5)) < 0.5).astype(np.float64)
    w = np.abs(arr(5))
    parity(torch, nn.MultiLabelSoftMarginLoss(reduction=reduction),
           torch.nn.MultiLabelSoftMarginLoss(reduction=reduction), arr(4, 5) * 10, consts=[y])
    parity(torch, nn.MultiLabelSoftMarginLoss(weight=ag.tensor(w), reduction=reduction),
           torch.nn.MultiLabelSoftMarginLoss(weight=torch.tensor(w), reduction=reduction),
           arr(4, 5), consts=[y])
    assert list(nn.MultiLabelSoftMarginLoss(weight=ag.tensor(w)).state_dict()) == ["weight"]


def test_losses_gradcheck_and_legacy_reduction(torch):
    y = ag.tensor(pm1(4))
    assert ag.gradcheck(lambda a, b: F.margin_ranking_loss(a, b, y, 0.5), (leaf(arr(4)),
                                                                           leaf(arr(4))))
    assert ag.gradcheck(lambda a, b: F.cosine_embedding_loss(a, b, y, 0.1),
                        (leaf(arr(4, 3)), leaf(arr(4, 3))))
    assert ag.gradcheck(lambda a, v: F.gaussian_nll_loss(a, ag.zeros(3, 2, dtype=ag.float64), v),
                        (leaf(arr(3, 2)), leaf(np.abs(arr(3, 2)) + 0.5)))
    assert ag.gradcheck(lambda a: F.poisson_nll_loss(a, ag.tensor(np.full((3, 2), 2.0)),
                                                     full=True), (leaf(arr(3, 2)),))
    labels = ag.tensor((rng.random((3, 4)) < 0.5).astype(np.float64))
    assert ag.gradcheck(lambda a: F.multilabel_soft_margin_loss(a, labels), (leaf(arr(3, 4)),))
    a, b = arr(5), arr(5)
    t = pm1(5)
    ours = F.margin_ranking_loss(ag.tensor(a), ag.tensor(b), ag.tensor(t), size_average=False)
    theirs = torch.nn.functional.margin_ranking_loss(torch.tensor(a), torch.tensor(b),
                                                     torch.tensor(t), size_average=False)
    assert abs(ours.item() - theirs.item()) < 1e-12


def test_loss_errors():
    with pytest.raises(ValueError, match=r"margin_ranking_loss: all input tensors should have "
                                         r"the same number of dims, got sizes: input1: \(3,\), "
                                         r"input2: \(3,\), target: \(1, 3\)"):
        F.margin_ranking_loss(ag.ones(3), ag.ones(3), ag.ones(1, 3))
    with pytest.raises(ValueError, match=r"cosine_embedding_loss: 1D target tensor expects 2D "
                                         r"input tensors, but found inputs with sizes \(3,\) and "
                                         r"\(3,\)"):
        F.cosine_embedding_loss(ag.ones(3), ag.ones(3), ag.ones(3))
    with pytest.raises(ValueError, match="gaussian_nll_loss: var has negative entry"):
        F.gaussian_nll_loss(ag.ones(3), ag.ones(3), ag.tensor([1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match=r"var is of incorrect size: .* got \(2,\)"):
        F.gaussian_nll_loss(ag.ones(3, 4), ag.ones(3, 4), ag.ones(2))
    with pytest.raises(ValueError, match="bogus is not a valid value for reduction"):
        nn.PoissonNLLLoss(reduction="bogus")


# ------------------------------------------------- KL divergence and triplet margin
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


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn,extra", [("mse_loss", {}), ("l1_loss", {}),
                                      ("smooth_l1_loss", {"beta": 0.6}),
                                      ("smooth_l1_loss", {"beta": 0.0}),
                                      ("huber_loss", {"delta": 0.6})])
def test_regression_losses_are_nodes_like_pytorchs(torch, fn, extra, reduction):
    """MSE, smooth L1 and Huber are one node each (``RegressionLoss``), L1 the composite
    of abs and a reduction, with PyTorch's node names: values and gradients for the input
    and for a target that requires grad and broadcasts (float64, against PyTorch), second
    derivatives through the composite form, and float32 kept."""
    x = rng.standard_normal((5, 3)) * 2
    y = rng.standard_normal((1, 3))
    g = rng.standard_normal((5, 3)) if reduction == "none" else rng.standard_normal(())
    ox, oy = ag.tensor(x, requires_grad=True), ag.tensor(y, requires_grad=True)
    tx, ty = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    with pytest.warns(UserWarning, match="target size"):
        ours = getattr(F, fn)(ox, oy, reduction=reduction, **extra)
    with pytest.warns(UserWarning, match="target size"):
        theirs = getattr(torch.nn.functional, fn)(tx, ty, reduction=reduction, **extra)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    ours.backward(ag.tensor(g))
    theirs.backward(torch.tensor(g))
    np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(oy.grad.numpy(), ty.grad.numpy(), rtol=1e-12, atol=1e-15)
    xs = ag.tensor(x[:1], requires_grad=True)
    ys = ag.tensor(y, requires_grad=True)
    assert ag.gradcheck(lambda a, b: getattr(F, fn)(a, b, reduction=reduction, **extra), (xs, ys))
    assert ag.gradgradcheck(lambda a, b: getattr(F, fn)(a, b, reduction=reduction, **extra),
                            (xs, ys))
    x32 = ag.tensor(x.astype(np.float32), requires_grad=True)
    out32 = getattr(F, fn)(x32, ag.tensor(x.astype(np.float32) * 0.5), reduction=reduction,
                           **extra)
    assert out32.dtype == ag.float32
    out32.sum().backward()
    assert x32.grad.dtype == ag.float32


def test_regression_loss_of_mixed_dtypes_promotes_as_pytorch(torch):
    """A float64 target against a float32 input takes the composite form, which promotes:
    the result is float64, as PyTorch's."""
    x = rng.standard_normal(4).astype(np.float32)
    y = rng.standard_normal(4)
    ours = F.mse_loss(ag.tensor(x), ag.tensor(y))
    theirs = torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor(y))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-6)


def test_huber_and_smooth_l1_refuse_bad_thresholds_as_pytorch(torch):
    """PyTorch's errors for a Huber delta <= 0 and a negative smooth-L1 beta (a delta of 0
    used to give a loss of 0 silently); a smooth-L1 beta of 0 is L1, as in PyTorch."""
    x, y = ag.tensor([0.5, -2.0]), ag.zeros(2)
    tx, ty = torch.tensor([0.5, -2.0]), torch.zeros(2)
    for delta in (0.0, -1.0):
        with pytest.raises(RuntimeError, match="non-positive values for delta"):
            F.huber_loss(x, y, delta=delta)
        with pytest.raises(RuntimeError, match="non-positive values for delta"):
            torch.nn.functional.huber_loss(tx, ty, delta=delta)
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(x, y, beta=-0.5)
    np.testing.assert_allclose(F.smooth_l1_loss(x, y, beta=0.0).item(),
                               torch.nn.functional.smooth_l1_loss(tx, ty, beta=0.0).item(),
                               rtol=1e-6)
