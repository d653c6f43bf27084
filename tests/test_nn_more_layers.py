"""Activations (hardsigmoid, hardswish, softsign, tanhshrink, softshrink, hardshrink,
threshold, celu), rms_norm / RMSNorm, bilinear / Bilinear, adaptive max pooling,
unfold / fold, the ranking, cosine-embedding, Gaussian / Poisson NLL and multi-label
soft-margin losses, and nn.utils (parameters_to_vector, vector_to_parameters,
rnn.pad_sequence): PyTorch parity of values and gradients in float64, gradcheck on
random shapes, modules (repr, state_dict) and error messages."""
from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from autograd_core.nn.utils import parameters_to_vector, vector_to_parameters
from autograd_core.nn.utils.rnn import pad_sequence

rng = np.random.default_rng(7)


def arr(*shape):
    return rng.standard_normal(shape)


def t64(a, grad=True):
    return ag.tensor(np.asarray(a, dtype=np.float64), dtype=ag.float64, requires_grad=grad)


def parity(torch, ours, theirs, *arrays, consts=(), atol=1e-10, grad_rtol=1e-9):
    """Same values and gradients (inputs, for a random upstream gradient) as PyTorch;
    ``consts`` are extra arguments without gradient."""
    xs = [t64(a) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    oc = [ag.tensor(c) for c in consts]
    tc = [torch.tensor(c) for c in consts]
    y, yt = ours(*xs, *oc), theirs(*ts, *tc)
    if isinstance(yt, tuple):
        np.testing.assert_array_equal(y[1].numpy(), yt[1].numpy())
        y, yt = y[0], yt[0]
    assert tuple(y.shape) == tuple(yt.shape)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), atol=atol, rtol=1e-9)
    g = rng.standard_normal(tuple(yt.shape))
    y.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=atol, rtol=grad_rtol)


# PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32 even in float64
# (its gradient is 0.1666666716...); ours is exact, so that gradient agrees to 3e-8
GRAD_RTOL = {"hardsigmoid": 1e-7, "Hardsigmoid": 1e-7}

# -------------------------------------------------------------- activations
ACTS = [("hardsigmoid", {}), ("hardswish", {}), ("softsign", {}), ("tanhshrink", {}),
        ("softshrink", {}), ("softshrink", {"lambd": 1.2}), ("hardshrink", {}),
        ("hardshrink", {"lambd": 0.9}), ("threshold", {"threshold": 0.3, "value": -2.0}),
        ("celu", {}), ("celu", {"alpha": 2.5}), ("celu", {"alpha": 0.5})]


@pytest.mark.parametrize("name,kw", ACTS)
def test_activation_functionals_match_torch(torch, name, kw):
    a = arr(4, 5) * 3
    a[0, :] = [-3.0, 3.0, 0.0, 0.5, -0.5]  # kinks: hardswish/hardsigmoid bounds, shrink edges
    parity(torch, lambda x: getattr(F, name)(x, **kw),
           lambda x: getattr(torch.nn.functional, name)(x, **kw), a,
           grad_rtol=GRAD_RTOL.get(name, 1e-9))


@pytest.mark.parametrize("name,kw", [k for k in ACTS if k[0] not in ("threshold",)])
def test_activation_gradcheck_random_shapes(name, kw):
    for shape in [(3,), (2, 3, 4)]:
        a = rng.standard_normal(shape) * 3
        a[np.abs(np.abs(a) - 3) < 0.05] += 0.2  # keep finite differences off the kinks
        a[np.abs(np.abs(a) - kw.get("lambd", 0.5)) < 0.05] += 0.2
        fn = getattr(F, name)
        assert ag.gradcheck(lambda x: fn(x, **kw), (t64(a),))
    assert ag.gradgradcheck(lambda x: F.celu(x, 1.5), (t64(arr(3, 2)),))


def test_activation_modules_match_torch(torch):
    cases = [("Hardsigmoid", ()), ("Hardswish", ()), ("Softsign", ()), ("Tanhshrink", ()),
             ("Softshrink", ()), ("Softshrink", (1.5,)), ("Hardshrink", (0.3,)),
             ("Threshold", (0.1, 20.0)), ("CELU", ()), ("CELU", (2.0,))]
    for name, args in cases:
        ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(ours) == repr(theirs)
        assert ours.state_dict() == {}
        parity(torch, ours, theirs, arr(3, 4) * 2, grad_rtol=GRAD_RTOL.get(name, 1e-9))
    assert repr(nn.CELU(2.0, True)) == repr(torch.nn.CELU(2.0, True))
    assert repr(nn.Threshold(1, 2, True)) == repr(torch.nn.Threshold(1, 2, True))


def test_activation_errors():
    with pytest.raises(ValueError, match="softshrink: lambda must be greater or equal to 0, "
                                         "but found to be -1"):
        F.softshrink(ag.ones(2), -1)
    with pytest.raises(ValueError, match="celu: ZeroDivisionError: alpha cannot be 0"):
        F.celu(ag.ones(2), 0.0)
    with pytest.raises(TypeError, match=r"hardswish\(\): argument 'input' must be Tensor, not "
                                        r"list"):
        F.hardswish([1.0])


# ------------------------------------------------------------------ RMSNorm
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
    assert ag.gradcheck(lambda x: F.rms_norm(x, normalized, None, eps), (t64(a),))


def test_rms_norm_float32_default_eps_and_errors(torch):
    a = (arr(3, 4) * 1e-4).astype(np.float32)
    np.testing.assert_allclose(F.rms_norm(ag.tensor(a), (4,)).numpy(),
                               torch.nn.functional.rms_norm(torch.tensor(a), (4,)).numpy(),
                               rtol=1e-5)
    with pytest.raises(ValueError, match=r"rms_norm: expected input with trailing shape \(5,\), "
                                         r"got shape \(3, 4\)"):
        F.rms_norm(ag.ones(3, 4), 5)
    with pytest.raises(ValueError, match=r"rms_norm: expected weight of shape \(4,\), got \(3,\)"):
        F.rms_norm(ag.ones(3, 4), 4, ag.ones(3))


# ----------------------------------------------------------------- Bilinear
@pytest.mark.parametrize("lead,bias", [((5,), True), ((2, 3), False), ((), True)])
def test_bilinear_matches_torch(torch, lead, bias):
    w, b = arr(4, 3, 2), arr(4)
    args = [arr(*lead, 3), arr(*lead, 2), w] + ([b] if bias else [])
    parity(torch, F.bilinear, torch.nn.functional.bilinear, *args)
    assert ag.gradcheck(F.bilinear, tuple(t64(a) for a in args))


def test_bilinear_module(torch):
    ours, theirs = nn.Bilinear(3, 2, 4, dtype=ag.float64), torch.nn.Bilinear(3, 2, 4,
                                                                             dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    parity(torch, ours, theirs, arr(5, 3), arr(5, 2))
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.bias.grad.numpy(), theirs.bias.grad.numpy(), atol=1e-10)
    m = nn.Bilinear(100, 5, 50, bias=False)
    assert m.bias is None and list(m.state_dict()) == ["weight"]
    assert np.abs(m.weight.detach().numpy()).max() <= 0.1
    with pytest.raises(ValueError, match=r"bilinear: expected input1 \(\.\.\., 3\) and input2 "
                                         r"\(\.\.\., 2\) with the same leading dims .* got shapes "
                                         r"\(5, 3\) and \(4, 2\)"):
        ours(ag.ones(5, 3, dtype=ag.float64), ag.ones(4, 2, dtype=ag.float64))


# ---------------------------------------------------------- adaptive max pool
@pytest.mark.parametrize("shape,size", [((2, 3, 7, 5), 3), ((2, 3, 7, 5), (2, 4)),
                                        ((3, 6, 6), (None, 4)), ((1, 2, 5, 9), (5, 9)),
                                        ((1, 1, 3, 3), (5, 4))])
def test_adaptive_max_pool2d_matches_torch(torch, shape, size):
    for ri in (False, True):
        parity(torch, lambda x: F.adaptive_max_pool2d(x, size, ri),
               lambda x: torch.nn.functional.adaptive_max_pool2d(x, size, ri), arr(*shape))


@pytest.mark.parametrize("shape,size", [((2, 3, 10), 4), ((3, 7), 3), ((1, 2, 4), 6)])
def test_adaptive_max_pool1d_matches_torch(torch, shape, size):
    for ri in (False, True):
        parity(torch, lambda x: F.adaptive_max_pool1d(x, size, ri),
               lambda x: torch.nn.functional.adaptive_max_pool1d(x, size, ri), arr(*shape))


def test_adaptive_max_pool_modules_ties_and_gradcheck(torch):
    for ours, theirs in [(nn.AdaptiveMaxPool2d((2, None)), torch.nn.AdaptiveMaxPool2d((2, None))),
                         (nn.AdaptiveMaxPool1d(3, True), torch.nn.AdaptiveMaxPool1d(3, True))]:
        assert repr(ours) == repr(theirs)
    parity(torch, nn.AdaptiveMaxPool2d(3, True), torch.nn.AdaptiveMaxPool2d(3, True),
           arr(2, 2, 8, 8))
    ties = np.zeros((1, 1, 4, 4))  # all equal: the first of each window, as PyTorch
    parity(torch, lambda x: F.adaptive_max_pool2d(x, 2, True),
           lambda x: torch.nn.functional.adaptive_max_pool2d(x, 2, True), ties)
    assert ag.gradcheck(lambda x: F.adaptive_max_pool2d(x, (3, 2)), (t64(arr(2, 2, 5, 6)),))
    assert ag.gradcheck(lambda x: F.adaptive_max_pool1d(x, 4), (t64(arr(2, 7)),))
    with pytest.raises(ValueError, match=r"adaptive_max_pool2d: expected non-empty 3D \(C, H, W\) "
                                         r"or 4D \(N, C, H, W\) input, got shape \(4, 4\)"):
        F.adaptive_max_pool2d(ag.ones(4, 4), 2)
    with pytest.raises(ValueError, match="adaptive_max_pool2d: output_size must be positive"):
        F.adaptive_max_pool2d(ag.ones(1, 4, 4), 0)
    with pytest.raises(ValueError, match=r"adaptive_max_pool1d: expected 2D \(C, L\) or 3D"):
        F.adaptive_max_pool1d(ag.ones(4), 2)


# ---------------------------------------------------------------- fold/unfold
FOLD_CASES = [dict(kernel_size=2), dict(kernel_size=(2, 3), stride=(1, 2)),
              dict(kernel_size=3, padding=1), dict(kernel_size=(3, 2), dilation=(2, 1),
                                                   padding=(1, 2), stride=2)]


@pytest.mark.parametrize("kw", FOLD_CASES)
def test_unfold_fold_match_torch(torch, kw):
    x = arr(2, 3, 6, 7)
    parity(torch, lambda t: F.unfold(t, **kw), lambda t: torch.nn.functional.unfold(t, **kw), x)
    parity(torch, lambda t: F.unfold(t, **kw), lambda t: torch.nn.functional.unfold(t, **kw), x[0])
    cols = torch.nn.functional.unfold(torch.tensor(x), **kw).numpy()
    parity(torch, lambda t: F.fold(t, (6, 7), **kw),
           lambda t: torch.nn.functional.fold(t, (6, 7), **kw), rng.standard_normal(cols.shape))
    parity(torch, lambda t: F.fold(t, (6, 7), **kw),
           lambda t: torch.nn.functional.fold(t, (6, 7), **kw), rng.standard_normal(cols.shape[1:]))
    assert ag.gradcheck(lambda t: F.unfold(t, **kw), (t64(arr(1, 2, 6, 7)),))
    assert ag.gradcheck(lambda t: F.fold(t, (6, 7), **kw),
                        (t64(rng.standard_normal((1,) + cols.shape[1:])),))


def test_fold_unfold_modules_and_errors(torch):
    for ours, theirs in [(nn.Unfold((2, 3), padding=1), torch.nn.Unfold((2, 3), padding=1)),
                         (nn.Fold((4, 5), 2, stride=1), torch.nn.Fold((4, 5), 2, stride=1))]:
        assert repr(ours) == repr(theirs)
    parity(torch, nn.Unfold((2, 3), padding=1), torch.nn.Unfold((2, 3), padding=1), arr(2, 2, 4, 4))
    parity(torch, nn.Fold((4, 5), 2), torch.nn.Fold((4, 5), 2), arr(2, 8, 12))
    with pytest.raises(ValueError, match=r"fold: expected size of input's dimension 1 to be "
                                         r"divisible by the product of kernel_size \(2, 2\), but "
                                         r"got input.size\(1\)=6"):
        F.fold(ag.ones(1, 6, 12), (4, 5), 2)
    with pytest.raises(ValueError, match=r"calculated number of sliding blocks 3 \* 4 = 12, but "
                                         r"got input.size\(2\)=10"):
        F.fold(ag.ones(1, 8, 10), (4, 5), 2)
    with pytest.raises(ValueError, match=r"unfold: expected 3D \(C, H, W\) or 4D \(N, C, H, W\) "
                                         r"input, got shape \(4, 4\)"):
        F.unfold(ag.ones(4, 4), 2)
    with pytest.raises(ValueError, match="gives no sliding blocks"):
        F.unfold(ag.ones(1, 1, 2, 2), 3)


# --------------------------------------------------------------------- losses
REDUCTIONS = ["mean", "sum", "none"]


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
    assert ag.gradcheck(lambda a, b: F.margin_ranking_loss(a, b, y, 0.5), (t64(arr(4)),
                                                                           t64(arr(4))))
    assert ag.gradcheck(lambda a, b: F.cosine_embedding_loss(a, b, y, 0.1),
                        (t64(arr(4, 3)), t64(arr(4, 3))))
    assert ag.gradcheck(lambda a, v: F.gaussian_nll_loss(a, ag.zeros(3, 2, dtype=ag.float64), v),
                        (t64(arr(3, 2)), t64(np.abs(arr(3, 2)) + 0.5)))
    assert ag.gradcheck(lambda a: F.poisson_nll_loss(a, ag.tensor(np.full((3, 2), 2.0)),
                                                     full=True), (t64(arr(3, 2)),))
    labels = ag.tensor((rng.random((3, 4)) < 0.5).astype(np.float64))
    assert ag.gradcheck(lambda a: F.multilabel_soft_margin_loss(a, labels), (t64(arr(3, 4)),))
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


# ------------------------------------------------------------------ nn.utils
def test_parameters_to_vector_and_back(torch):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                                 torch.nn.Linear(4, 2)).double()
    tmodel.load_state_dict({k: torch.tensor(v.detach().numpy())
                            for k, v in model.state_dict().items()})
    vec = parameters_to_vector(model.parameters())
    tvec = torch.nn.utils.parameters_to_vector(tmodel.parameters())
    np.testing.assert_array_equal(vec.detach().numpy(), tvec.detach().numpy())
    g = arr(vec.shape[0])
    (vec * ag.tensor(g)).sum().backward()
    np.testing.assert_array_equal(model[0].weight.grad.numpy().reshape(-1), g[:12])
    new = arr(vec.shape[0])
    vector_to_parameters(ag.tensor(new), model.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tmodel.parameters())
    for (k, p), (_, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), tp.detach().numpy(), err_msg=k)
    x = arr(2, 3)
    np.testing.assert_allclose(model(ag.tensor(x)).detach().numpy(),
                               tmodel(torch.tensor(x)).detach().numpy(), atol=1e-12)
    with pytest.raises(TypeError, match="vector_to_parameters: expected vec to be a Tensor, but "
                                        "got: list"):
        vector_to_parameters([1.0], model.parameters())
    with pytest.raises(ValueError, match=r"expected a 1-D vec of 26 elements \(the parameters' "
                                         r"total\), got shape \(5,\)"):
        vector_to_parameters(ag.ones(5), model.parameters())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch(torch, batch_first, side):
    seqs = [arr(3, 2), arr(5, 2), arr(1, 2)]
    parity(torch, lambda *s: pad_sequence(list(s), batch_first, -1.5, side),
           lambda *s: torch.nn.utils.rnn.pad_sequence(list(s), batch_first, -1.5, side), *seqs)
    one_d = [arr(2), arr(4)]
    parity(torch, lambda *s: pad_sequence(list(s), batch_first, padding_side=side),
           lambda *s: torch.nn.utils.rnn.pad_sequence(list(s), batch_first, padding_side=side),
           *one_d)


def test_pad_sequence_errors_and_gradcheck():
    assert ag.gradcheck(lambda a, b: pad_sequence([a, b], True, 0.5), (t64(arr(2, 3)),
                                                                       t64(arr(4, 3))))
    with pytest.raises(ValueError, match="expected padding_side to be one of left or right, but "
                                         "got middle"):
        pad_sequence([ag.ones(2)], padding_side="middle")
    with pytest.raises(ValueError, match=r"same trailing dims, got shapes \[\(2, 3\), \(2, 4\)\]"):
        pad_sequence([ag.ones(2, 3), ag.ones(2, 4)])
    with pytest.raises(ValueError, match="received an empty list"):
        pad_sequence([])


def test_utils_docstring_examples():
    import autograd_core.nn.utils.convert_parameters as convert_parameters
    import autograd_core.nn.utils.rnn as rnn
    for module in (convert_parameters, rnn):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS |
                                 doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0
    assert math.isfinite(1.0)
