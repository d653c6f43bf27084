"""The layers added for issue #14 against PyTorch's: reprs and state_dict keys,
forward and backward with PyTorch's weights in float64, RReLU and the alpha dropouts in
train and eval, SyncBatchNorm.convert_sync_batchnorm, DataParallel on a CPU-only
machine, AdaptiveLogSoftmaxWithLoss and the deprecated aliases."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from tests.helpers import Draw, load_from_torch

draw = Draw(77)
rng = draw.rng


REPRS = [("AdaptiveAvgPool3d", (2,), {}), ("AdaptiveMaxPool3d", ((2, None, 3),), {}),
         ("AdaptiveMaxPool3d", (2,), dict(return_indices=True)), ("AvgPool3d", (2,), {}),
         ("AvgPool3d", (3, 2, 1, True, False, 5), {}), ("MaxPool3d", (2,), {}),
         ("MaxPool3d", (3, 2, 1, 2, True, True), {}), ("BatchNorm3d", (4,), {}),
         ("InstanceNorm3d", (4,), {}),
         ("InstanceNorm3d", (4,), dict(affine=True, track_running_stats=True)),
         ("Conv3d", (2, 4, 3), {}),
         ("Conv3d", (2, 4, (1, 2, 3)), dict(stride=2, padding=1, dilation=2, groups=2,
                                            bias=False)),
         ("Conv3d", (2, 4, 3), dict(padding="same")),
         ("Conv2d", (2, 4, 3), dict(padding=1, padding_mode="circular")),
         ("ConvTranspose3d", (2, 4, 3), {}),
         ("ConvTranspose3d", (2, 4, 3), dict(stride=2, padding=1, output_padding=1, groups=2,
                                             bias=False, dilation=2)),
         ("Dropout3d", (), {}), ("AlphaDropout", (0.2,), {}), ("FeatureAlphaDropout", (0.3, True), {}),
         ("MaxUnpool1d", (2,), {}), ("MaxUnpool2d", (2, 1, 1), {}), ("MaxUnpool3d", ((2, 2, 2),), {}),
         ("CircularPad3d", (1,), {}), ("ConstantPad3d", (1, 2.0), {}),
         ("ReflectionPad3d", ((1, 2, 3, 4, 5, 6),), {}), ("ReplicationPad3d", (2,), {}),
         ("ZeroPad3d", (1,), {}), ("ChannelShuffle", (2,), {}), ("LPPool1d", (2, 3), {}),
         ("LPPool2d", (2.5, 3, 2, True), {}), ("LPPool3d", (1, 2), {}),
         ("LocalResponseNorm", (3,), {}), ("CrossMapLRN2d", (3,), {}), ("RReLU", (), {}),
         ("RReLU", (0.1, 0.3, True), {}), ("Softmax2d", (), {}), ("SoftMarginLoss", (), {}),
         ("MultiLabelMarginLoss", (), {}), ("TripletMarginWithDistanceLoss", (), {}),
         ("CTCLoss", (), {}), ("CTCLoss", (), dict(blank=2, zero_infinity=True)),
         ("EmbeddingBag", (10, 3), {}),
         ("EmbeddingBag", (10, 3), dict(mode="max", padding_idx=2, max_norm=1.0,
                                        include_last_offset=True)),
         ("AdaptiveLogSoftmaxWithLoss", (8, 10, [4, 8]), {}),
         ("AdaptiveLogSoftmaxWithLoss", (8, 10, [4, 8]), dict(div_value=2.0, head_bias=True)),
         ("LazyLinear", (4,), {}), ("LazyConv1d", (4, 3), {}), ("LazyConv2d", (4, 3),
                                                                dict(stride=2)),
         ("LazyConv3d", (4, 3), {}), ("LazyConvTranspose1d", (4, 3), {}),
         ("LazyConvTranspose2d", (4, 3), {}), ("LazyConvTranspose3d", (4, 3), {}),
         ("LazyBatchNorm1d", (), {}), ("LazyBatchNorm2d", (), {}), ("LazyBatchNorm3d", (), {}),
         ("LazyInstanceNorm1d", (), {}), ("LazyInstanceNorm2d", (), dict(affine=True)),
         ("LazyInstanceNorm3d", (), dict(track_running_stats=True)), ("NLLLoss2d", (), {}),
         ("SyncBatchNorm", (4,), {})]


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors is a no-op")
@pytest.mark.parametrize("name,args,kw", REPRS)
def test_repr_and_state_dict_keys_as_torch(torch, name, args, kw):
    m, t = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    for (key, v), tv in zip(m.state_dict().items(), t.state_dict().values()):
        assert type(v).__name__ == type(tv).__name__, key  # UninitializedParameter, ...
        if type(tv).__name__ == "Tensor":
            assert tuple(v.shape) == tuple(tv.shape) and str(v.dtype) == str(tv.dtype)[6:]


def _forward_backward(torch, m, t, *arrays, consts=()):
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = m(*xs, *[ag.tensor(c) for c in consts])
    yt = t(*ts, *[torch.tensor(c) for c in consts])
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-9, atol=1e-12)
    g = rng.standard_normal(tuple(yt.shape))
    y.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    for x, xt in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    for (k, p), pt in zip(m.named_parameters(), t.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=k)


FORWARD = [("LocalResponseNorm", (3, 0.1, 0.6, 1.5), (2, 5, 3, 3), ()),
           ("CrossMapLRN2d", (3, 0.1, 0.6, 1.5), (2, 5, 3, 3), ()),
           ("Softmax2d", (), (2, 3, 2, 2), ()), ("ChannelShuffle", (2,), (2, 4, 3), ()),
           ("LPPool2d", (2, 2), (2, 3, 4, 4), ()), ("SyncBatchNorm", (3,), (4, 3, 2), ()),
           ("SoftMarginLoss", (), (3, 4), (np.sign(rng.standard_normal((3, 4))),)),
           ("MultiLabelMarginLoss", (), (2, 4), (np.array([[3, 0, -1, 1], [1, 2, -1, 0]]),))]


@pytest.mark.parametrize("name,args,shape,consts", FORWARD)
def test_modules_forward_backward_as_torch(torch, name, args, shape, consts):
    m, t = getattr(nn, name)(*args).double(), getattr(torch.nn, name)(*args).double()
    load_from_torch(m, t)
    _forward_backward(torch, m, t, rng.standard_normal(shape), consts=consts)
    for key, value in t.state_dict().items():
        np.testing.assert_allclose(m.state_dict()[key].numpy(), value.numpy(), rtol=1e-9)


def test_rrelu_dropout_modules_train_and_eval(torch):
    a = rng.standard_normal((4, 6, 2, 2, 2))
    m, t = nn.RReLU(0.1, 0.3).eval(), torch.nn.RReLU(0.1, 0.3).eval()
    np.testing.assert_allclose(m(ag.tensor(a)).numpy(), t(torch.tensor(a)).numpy(), rtol=1e-12)
    y = nn.RReLU(0.1, 0.3)(ag.tensor(a)).numpy()
    assert ((y == a) | ((y / a >= 0.1) & (y / a <= 0.3))).all()
    alpha, p = 1.7580993408473766, 0.4
    scale = 1 / np.sqrt((alpha ** 2 * p + 1) * (1 - p))
    kept = {"AlphaDropout": (scale, scale * alpha * p), "FeatureAlphaDropout":
            (scale, scale * alpha * p), "Dropout3d": (1 / (1 - p), 0.0)}
    for name, (k, c) in kept.items():
        drop = getattr(nn, name)(p)
        x = ag.tensor(a)
        np.testing.assert_array_equal(drop.eval()(x).numpy(), a)
        out = drop.train()(x).numpy().reshape(4, 6, -1)
        whole = np.isclose(out, a.reshape(4, 6, -1) * k + c)
        dropped = np.isclose(out, out[:, :, :1])
        if name == "AlphaDropout":  # element by element
            assert (whole | np.isclose(out, scale * alpha * (p - 1))).all() and not whole.all()
        else:  # whole channels kept or dropped
            assert (whole.all(-1) | dropped.all(-1)).all() and not whole.all()


def test_triplet_with_distance_and_ctc_modules(torch):
    abc = [rng.standard_normal((5, 3)) for _ in range(3)]
    m = nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1), margin=0.5,
                                         swap=True)
    t = torch.nn.TripletMarginWithDistanceLoss(distance_function=torch.nn.PairwiseDistance(p=1),
                                               margin=0.5, swap=True)
    assert repr(m) == repr(t)
    _forward_backward(torch, m, t, *abc)
    with pytest.raises(ValueError, match="TripletMarginWithDistanceLoss: expected margin to be "
                                         "greater than 0, got 0 instead"):
        nn.TripletMarginWithDistanceLoss(margin=0)
    logits = rng.standard_normal((8, 2, 5))
    ctc, ctc_t = nn.CTCLoss(blank=4, reduction="sum"), torch.nn.CTCLoss(blank=4, reduction="sum")
    x, xt = ag.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    loss = ctc(x.log_softmax(2), ag.tensor([[0, 1, 1], [2, 3, 0]]), ag.tensor([8, 6]),
               ag.tensor([3, 2]))
    loss_t = ctc_t(xt.log_softmax(2), torch.tensor([[0, 1, 1], [2, 3, 0]]), torch.tensor([8, 6]),
                   torch.tensor([3, 2]))
    assert np.isclose(loss.item(), loss_t.item(), rtol=1e-10)
    loss.backward()
    loss_t.backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-8, atol=1e-12)



# ---------------------------------------------------------- sync batch norm, parallel
def test_convert_sync_batchnorm_keeps_parameters_and_statistics(torch):
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.InstanceNorm2d(4),
                          nn.Sequential(nn.BatchNorm1d(4, affine=False)))
    model[1].running_mean.numpy()[:] = 5.0
    weight = model[1].weight
    model.eval()
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    tmodel = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4),
                                 torch.nn.InstanceNorm2d(4),
                                 torch.nn.Sequential(torch.nn.BatchNorm1d(4, affine=False)))
    tconverted = torch.nn.SyncBatchNorm.convert_sync_batchnorm(tmodel)
    assert repr(converted) == repr(tconverted)
    assert list(converted.state_dict()) == list(tconverted.state_dict())
    assert converted[1].weight is weight and converted[1].running_mean.numpy()[0] == 5.0
    assert not converted[1].training
    # on one process a SyncBatchNorm is a BatchNorm: same outputs and statistics
    a = rng.standard_normal((4, 3, 2, 2))
    s, b = nn.SyncBatchNorm(3).double(), nn.BatchNorm2d(3).double()
    np.testing.assert_allclose(s(ag.tensor(a)).detach().numpy(), b(ag.tensor(a)).detach().numpy())
    np.testing.assert_allclose(s.running_var.numpy(), b.running_var.numpy())
    with pytest.raises(ValueError, match=r"expected at least 2D input \(got 1D input\)"):
        s(ag.zeros(3, dtype=ag.float64))


def test_data_parallel_without_gpus_is_the_module(torch):
    inner = nn.Linear(2, 3)
    dp, tdp = nn.DataParallel(inner), torch.nn.DataParallel(torch.nn.Linear(2, 3))
    assert dp.module is inner and dp.device_ids == tdp.device_ids == []
    assert repr(dp) == repr(tdp) and list(dp.state_dict()) == list(tdp.state_dict())
    dp.load_state_dict({k: v.numpy() for k, v in tdp.state_dict().items()})
    x = rng.standard_normal((4, 2)).astype(np.float32)
    # float32: an output near 0 is a difference of terms near 1, so its error is absolute
    # (an ulp of those terms, ~1e-7), not relative to itself
    np.testing.assert_allclose(dp(ag.tensor(x)).detach().numpy(),
                               tdp(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-6)
    assert list(dp.parameters()) == list(inner.parameters())
    with pytest.raises(RuntimeError, match="device type could not be determined"):
        nn.modules.data_parallel.data_parallel(inner, ag.ones(1, 2))


def test_deprecated_container_and_nllloss2d(torch):
    with pytest.warns(FutureWarning, match="`nn.Container` is deprecated"):
        c = nn.Container(a=nn.Linear(1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ct = torch.nn.Container(a=torch.nn.Linear(1, 1))
        lt = torch.nn.NLLLoss2d()
    assert repr(c) == repr(ct) and list(c.state_dict()) == list(ct.state_dict())
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
        loss = nn.NLLLoss2d()
    a = rng.standard_normal((2, 3, 4, 4))
    target = rng.integers(0, 3, (2, 4, 4))
    assert isinstance(loss, nn.NLLLoss)
    np.testing.assert_allclose(loss(ag.tensor(a), ag.tensor(target)).item(),
                               lt(torch.tensor(a), torch.tensor(target)).item(), rtol=1e-12)


# ------------------------------------------------------------- adaptive softmax, bags
@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors is a no-op")
@pytest.mark.parametrize("kw", [{}, dict(div_value=2.0, head_bias=True)])
def test_adaptive_log_softmax_with_loss_as_torch(torch, kw):
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 8], **kw).double()
    m = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 8], **kw).double()
    load_from_torch(m, t)
    x, target = rng.standard_normal((6, 8)), np.array([0, 3, 5, 8, 9, 4])
    xo, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, out_t = m(xo, ag.tensor(target)), t(xt, torch.tensor(target))
    np.testing.assert_allclose(out.output.detach().numpy(), out_t.output.detach().numpy(),
                               rtol=1e-12)
    assert np.isclose(out.loss.item(), out_t.loss.item(), rtol=1e-12)
    out.loss.backward()
    out_t.loss.backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-14)
    for (k, p), pt in zip(m.named_parameters(), t.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), rtol=1e-10, atol=1e-14,
                                   err_msg=k)
    np.testing.assert_allclose(m.log_prob(ag.tensor(x)).detach().numpy(),
                               t.log_prob(torch.tensor(x)).detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(m.predict(ag.tensor(x)).numpy(), t.predict(torch.tensor(x)))
    one = m(ag.tensor(x[0]), ag.tensor(target[0]))
    assert one.output.shape == () and np.isclose(one.output.item(),
                                                 t(torch.tensor(x[0]), torch.tensor(target[0]))
                                                 .output.item(), rtol=1e-12)
    for args, msg in [((ag.tensor(x), ag.tensor(target + 5)), "Target values should be in "
                       r"\[0, 9\], but values in range \[5, 14\] were found."),
                      ((ag.tensor(x), ag.tensor(target[:3])), "Input and target should have the "
                                                              "same size in the batch dimension."),
                      ((ag.tensor(x), ag.tensor(np.zeros((6, 2), np.int64))), "0D or 1D target "
                                                                               "tensor expected")]:
        with pytest.raises(RuntimeError, match=msg):
            m(*args)
    with pytest.raises(ValueError, match="cutoffs should be a sequence of unique, positive"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 4])


