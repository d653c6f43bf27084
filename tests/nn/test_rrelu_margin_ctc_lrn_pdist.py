"""The rest of torch.nn.functional (issue #14): in-place activations, rrelu,
gumbel_softmax, alpha dropout, soft_margin_loss, multilabel_margin_loss,
triplet_margin_with_distance_loss, ctc_loss, local_response_norm, the legacy cross-map
LRN, pdist, channel_shuffle and the upsample aliases: values and gradients against
PyTorch in float64, gradcheck / gradgradcheck, and PyTorch's errors and warnings."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core.nn.functional.normalization import _cross_map_lrn2d
from tests.helpers import Draw, leaf, raises_like

draw = Draw(41)
rng, parity = draw.rng, draw.parity


# -------------------------------------------------------------------- activations
INPLACE = [("relu_", ()), ("elu_", (0.7,)), ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 0.8)),
           ("selu_", ()), ("celu_", (1.3,)), ("threshold_", (0.1, -2.0)),
           ("rrelu_", (0.1, 0.3))]


# PyTorch's in-place celu_ differentiates with 1 / alpha rounded to float32
INPLACE_RTOL = {"celu_": 1e-7}


@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_activations_write_into_input_as_torch(torch, name, args):
    a = rng.standard_normal((3, 4))
    x, xt = leaf(a), torch.tensor(a, requires_grad=True)
    y, yt = x * 1.0, xt * 1.0
    out = getattr(F, name)(y, *args)
    getattr(torch.nn.functional, name)(yt, *args)
    assert out is y
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
    g = rng.standard_normal(a.shape)
    y.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(),
                               rtol=INPLACE_RTOL.get(name, 1e-12))
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation"):
        getattr(F, name)(leaf(a), *args)


def test_rrelu_train_and_eval(torch):
    a = rng.standard_normal((50, 40))
    parity(torch, lambda x: F.rrelu(x, 0.1, 0.3), lambda x: torch.nn.functional.rrelu(x, 0.1, 0.3),
           a)
    x = leaf(a)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slope = (y / x).detach().numpy()
    assert np.all(slope[a > 0] == 1)
    assert slope[a < 0].min() >= 0.1 and slope[a < 0].max() <= 0.3 and slope[a < 0].std() > 0.03
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slope)  # the gradient is the drawn slope
    with pytest.raises(RuntimeError, match="Lower bound should be less than or equal to the "
                                           "upper bound"):
        F.rrelu(x, 0.5, 0.2, True)


def test_gumbel_softmax_soft_hard_and_straight_through():
    ag.manual_seed(0)
    logits = leaf(rng.standard_normal((4, 6)))
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), 1.0)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True, dim=-1)
    # exact: the hard sample is a one-hot vector
    assert sorted(set(hard.detach().numpy().ravel().tolist())) == [0.0, 1.0]
    np.testing.assert_allclose(hard.sum(-1).detach().numpy(), 1.0)
    (hard * ag.arange(6.0, dtype=ag.float64)).sum().backward()
    assert np.abs(logits.grad.numpy()).sum() > 0  # the soft sample's gradient
    # the argmax of many samples follows softmax(logits)
    ag.manual_seed(1)
    wide = ag.tensor(np.log([[0.7, 0.2, 0.1]] * 4000))
    freq = F.gumbel_softmax(wide, hard=True).mean(0).numpy()
    np.testing.assert_allclose(freq, [0.7, 0.2, 0.1], atol=0.03)
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect."):
        F.gumbel_softmax(logits, eps=1e-3)


@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_keeps_mean_and_variance(torch, feature):
    fn = F.feature_alpha_dropout if feature else F.alpha_dropout
    a = rng.standard_normal((400, 50, 4) if feature else (100000,))
    x = ag.tensor(a)
    assert fn(x, 0.3) is x  # training=False by default, as PyTorch
    y = fn(x, 0.3, training=True).numpy()
    assert abs(y.mean()) < 0.03 and abs(y.std() - 1) < 0.03
    if feature:  # a whole channel is kept or dropped
        dropped = np.isclose(y, y[:, :, :1]).all(-1) & ~np.isclose(a, a[:, :, :1]).all(-1)
        assert 0.2 < dropped.mean() < 0.4
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
            fn(ag.ones(3), 0.5, True)
    # PyTorch's affine map: kept a (x + alpha' p), dropped a alpha' (p - 1), alpha' = 1.7581
    alpha = 1.7580993408473766
    a_ = 1 / np.sqrt((alpha ** 2 * 0.3 + 1) * 0.7)
    out = fn(ag.ones(1000, 4, dtype=ag.float64), 0.3, True).numpy()
    np.testing.assert_allclose(np.unique(out), [a_ * alpha * (0.3 - 1), a_ * (1 + alpha * 0.3)])
    assert fn(ag.ones(2, 3), 0.3, True).dtype == np.float32
    assert (fn(ag.ones(2, 3), 1.0, True).numpy() == 0).all()
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        fn(x, 1.5)


# -------------------------------------------------------------------------- losses
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_margin_losses_match_torch(torch, reduction):
    tf = torch.nn.functional
    sign = np.sign(rng.standard_normal((3, 4)))
    parity(torch, lambda x, y: F.soft_margin_loss(x, y, reduction=reduction),
           lambda x, y: tf.soft_margin_loss(x, y, reduction=reduction),
           rng.standard_normal((3, 4)), consts=(sign,))
    target = np.array([[3, 0, -1, 1], [1, 1, 2, -1], [-1, 0, 0, 0], [0, 1, 2, 3]])
    for a, t in [(rng.standard_normal((4, 4)), target), (rng.standard_normal(5),
                                                         np.array([4, 2, -1, 0, 0])),
                 (rng.standard_normal(()), np.array(0))]:
        parity(torch, lambda x, t: F.multilabel_margin_loss(x, t, reduction=reduction),
               lambda x, t: tf.multilabel_margin_loss(x, t, reduction=reduction), a, consts=(t,))
    abc = [rng.standard_normal((5, 3)) for _ in range(3)]
    for swap in (False, True):
        parity(torch, lambda a, p, n: F.triplet_margin_with_distance_loss(
                   a, p, n, swap=swap, margin=2.0, reduction=reduction),
               lambda a, p, n: tf.triplet_margin_with_distance_loss(
                   a, p, n, swap=swap, margin=2.0, reduction=reduction), *abc)
        parity(torch, lambda a, p, n: F.triplet_margin_with_distance_loss(
                   a, p, n, distance_function=lambda u, v: 1 - F.cosine_similarity(u, v),
                   swap=swap, reduction=reduction),
               lambda a, p, n: tf.triplet_margin_with_distance_loss(
                   a, p, n, distance_function=lambda u, v: 1 - tf.cosine_similarity(u, v),
                   swap=swap, reduction=reduction), *abc)


def test_margin_losses_gradcheck_and_errors(torch):
    tf = torch.nn.functional
    x = leaf(rng.standard_normal((3, 4)))
    target = ag.tensor(np.array([[3, 0, -1, 1], [1, 2, -1, 0], [0, 1, 2, 3]]))
    assert ag.gradcheck(lambda x: F.multilabel_margin_loss(x, target), (x,))
    assert ag.gradgradcheck(lambda x: F.soft_margin_loss(x, ag.ones(3, 4, dtype=ag.float64)),
                            (x,))
    xt = torch.tensor(x.detach().numpy())
    for t in (np.zeros((3, 3), np.int64), np.full((3, 4), 7), np.full((3, 4), -2)):
        raises_like(lambda: F.multilabel_margin_loss(x, ag.tensor(t)),
                    lambda: tf.multilabel_margin_loss(xt, torch.tensor(t)))
    raises_like(lambda: F.multilabel_margin_loss(x, ag.zeros(3, 4)),
                lambda: tf.multilabel_margin_loss(xt, torch.zeros(3, 4)))
    raises_like(lambda: F.multilabel_margin_loss(ag.zeros(2, 3, 4), ag.zeros(2, 3, 4,
                                                                                   dtype=ag.int64)),
                lambda: tf.multilabel_margin_loss(torch.zeros(2, 3, 4),
                                                  torch.zeros(2, 3, 4, dtype=torch.long)))
    a3, b2 = ag.zeros(3, 4), ag.zeros(4)
    raises_like(lambda: F.triplet_margin_with_distance_loss(a3, a3, b2),
                lambda: tf.triplet_margin_with_distance_loss(torch.zeros(3, 4), torch.zeros(3, 4),
                                                             torch.zeros(4)))
    raises_like(lambda: F.triplet_margin_with_distance_loss(a3, a3, a3, margin=0),
                lambda: tf.triplet_margin_with_distance_loss(torch.zeros(3, 4), torch.zeros(3, 4),
                                                             torch.zeros(3, 4), margin=0))


CTC = [(10, 3, 5, 4, [10, 8, 6], [4, 3, 2], False, 0, False),
       (10, 3, 5, 4, [10, 8, 6], [4, 0, 2], True, 2, False),
       (6, 3, 5, 4, [6, 2, 0], [4, 3, 0], False, 0, True),
       (6, 3, 5, 4, [6, 2, 0], [4, 3, 0], False, 0, False),
       (7, 1, 4, 3, [7], [3], False, 0, False)]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("t_max,n,c,s,in_len,tg_len,concat,blank,zero_inf", CTC)
def test_ctc_loss_matches_torch(torch, reduction, t_max, n, c, s, in_len, tg_len, concat, blank,
                                zero_inf):
    # after log_softmax, as CTC is used: PyTorch's own backward is the gradient with
    # respect to the logits only when log_probs come from log_softmax
    logits = rng.standard_normal((t_max, n, c))
    tg = rng.integers(0, c, (n, s))
    tg[tg == blank] = (blank + 1) % c
    tg[0, :2] = tg[0, 0]  # a repeated label needs a blank between
    targets = np.concatenate([tg[i, :tg_len[i]] for i in range(n)]) if concat else tg
    kw = dict(blank=blank, reduction=reduction, zero_infinity=zero_inf)
    x, xt = leaf(logits), torch.tensor(logits, requires_grad=True)
    loss = F.ctc_loss(x.log_softmax(-1), ag.tensor(targets), ag.tensor(np.array(in_len)),
                      ag.tensor(np.array(tg_len)), **kw)
    loss_t = torch.nn.functional.ctc_loss(xt.log_softmax(-1), torch.tensor(targets),
                                          torch.tensor(in_len), torch.tensor(tg_len), **kw)
    assert tuple(loss.shape) == tuple(loss_t.shape)
    np.testing.assert_allclose(loss.detach().numpy(), loss_t.detach().numpy(), rtol=1e-10)
    if np.isfinite(loss_t.detach().numpy()).all():
        g = rng.standard_normal(tuple(loss_t.shape))
        loss.backward(ag.tensor(g))
        loss_t.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_ctc_loss_unbatched_lists_gradcheck_and_errors(torch):
    tf = torch.nn.functional
    lp = rng.standard_normal((7, 4))
    out = F.ctc_loss(leaf(lp).log_softmax(-1), ag.tensor([1, 1, 2]), 7, 3, reduction="none")
    ref = tf.ctc_loss(torch.tensor(lp).log_softmax(-1), torch.tensor([1, 1, 2]), torch.tensor(7),
                      torch.tensor(3), reduction="none")
    assert out.shape == () and np.isclose(out.item(), ref.item(), rtol=1e-10)
    lp2 = rng.standard_normal((6, 2, 4))
    listed = F.ctc_loss(ag.tensor(lp2).log_softmax(-1), ag.tensor([[1, 2, 2], [3, 1, 0]]),
                        [6, 5], [3, 2])
    ref = tf.ctc_loss(torch.tensor(lp2).log_softmax(-1), torch.tensor([[1, 2, 2], [3, 1, 0]]),
                      [6, 5], [3, 2])
    assert np.isclose(listed.item(), ref.item(), rtol=1e-10)
    x = leaf(lp2)
    fn = lambda x: F.ctc_loss(x.log_softmax(-1), ag.tensor([[1, 2, 2], [3, 1, 0]]), [6, 5], [3, 2])
    assert ag.gradcheck(fn, (x,))
    assert ag.gradgradcheck(fn, (x,))
    # the true derivative with respect to log_probs (PyTorch's backward gives the logits')
    assert ag.gradcheck(lambda lp: F.ctc_loss(lp, ag.tensor([[1, 2]]), [5], [2]),
                        (leaf(rng.standard_normal((5, 1, 3))),))
    lpt = torch.tensor(lp2).log_softmax(-1)
    lpo = ag.tensor(lpt.numpy())
    for args in [(np.array([[1, 2, 2], [3, 1, 0]]), [6, 5], [3]),
                 (np.array([[1, 2, 2], [3, 1, 0]]), [7, 5], [3, 2]),
                 (np.array([[1, 2], [3, 1]]), [6, 5], [3, 2]),
                 (np.array([1, 2, 2, 3]), [6, 5], [3, 2])]:
        raises_like(lambda: F.ctc_loss(lpo, ag.tensor(args[0]), args[1], args[2]),
                    lambda: tf.ctc_loss(lpt, torch.tensor(args[0]), args[1], args[2]))
    with pytest.raises(RuntimeError, match="blank must be in label range"):
        F.ctc_loss(lpo, ag.tensor([[1], [2]]), [6, 5], [1, 1], blank=4)


# ------------------------------------------------------------- norms and distances
@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_local_response_norm_matches_torch(torch, size):
    for shape in [(2, 6, 4), (2, 6, 3, 4), (1, 4, 2, 3, 2)]:
        parity(torch, lambda x: F.local_response_norm(x, size, alpha=0.3, beta=0.8, k=1.5),
               lambda x: torch.nn.functional.local_response_norm(x, size, alpha=0.3, beta=0.8,
                                                                  k=1.5),
               rng.standard_normal(shape))
    assert ag.gradgradcheck(lambda x: F.local_response_norm(x, size, 0.5, 0.7),
                            (leaf(rng.standard_normal((1, 4, 3))),))
    raises_like(lambda: F.local_response_norm(ag.zeros(2, 3), size),
                lambda: torch.nn.functional.local_response_norm(torch.zeros(2, 3), size))


@pytest.mark.parametrize("size", [2, 3, 4, 5])
def test_cross_map_lrn2d_values_and_gradients_as_torch(torch, size):
    # PyTorch's legacy layer: its windows always keep channel 0 in the forward, and its
    # backward sums over another window; both are reproduced
    for c in (1, 3, 6, 9):
        parity(torch, lambda x: _cross_map_lrn2d(x, size, 0.3, 0.7, 1.2),
               lambda x: torch.nn.CrossMapLRN2d(size, 0.3, 0.7, 1.2)(x),
               rng.standard_normal((2, c, 3, 2)))
    with pytest.raises(ValueError, match="CrossMapLRN2d: Expected input to be 4D, got 3D"):
        _cross_map_lrn2d(ag.zeros(1, 2, 3), size, 1e-4, 0.75, 1)


@pytest.mark.parametrize("p", [0, 0.5, 1, 2, 3, float("inf")])
def test_pdist_matches_torch(torch, p):
    a = rng.standard_normal((5, 3))
    a[3] = a[1]  # a zero distance: zero gradient, as PyTorch's
    parity(torch, lambda x: F.pdist(x, p), lambda x: torch.nn.functional.pdist(x, p), a)
    if p in (1.5, 2, 3):
        assert ag.gradgradcheck(lambda x: F.pdist(x, p), (leaf(rng.standard_normal((4, 3))),))


def test_pdist_channel_shuffle_upsample_errors_and_values(torch):
    tf = torch.nn.functional
    raises_like(lambda: F.pdist(ag.zeros(2, 4, 3)), lambda: tf.pdist(torch.zeros(2, 4, 3)))
    raises_like(lambda: F.pdist(ag.zeros(4, 3), -1), lambda: tf.pdist(torch.zeros(4, 3), -1))
    assert F.pdist(ag.zeros(1, 3)).shape == (0,)
    parity(torch, lambda x: F.channel_shuffle(x, 3), lambda x: tf.channel_shuffle(x, 3),
           rng.standard_normal((2, 6, 2, 3)))
    for shape, g in [((2, 5, 3), 2), ((2, 4, 3), 0), ((2, 4), 2), ((2, 4, 3), -1)]:
        raises_like(lambda: F.channel_shuffle(ag.zeros(*shape), g),
                    lambda: tf.channel_shuffle(torch.zeros(*shape), g))
    a = rng.standard_normal((2, 2, 3, 3))
    for name, kw in [("upsample", dict(scale_factor=2, mode="bilinear")),
                     ("upsample_bilinear", dict(size=(5, 4))),
                     ("upsample_nearest", dict(scale_factor=3))]:
        with pytest.warns(UserWarning, match=f"`nn.functional.{name}` is deprecated. Use "
                                             "`nn.functional.interpolate` instead."):
            y = getattr(F, name)(ag.tensor(a), **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.testing.assert_allclose(y.numpy(), getattr(tf, name)(torch.tensor(a), **kw).numpy(),
                                       rtol=1e-12)
