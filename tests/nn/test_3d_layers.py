"""Volumetric layers (issue #14): conv3d / conv_transpose3d, max_pool3d, avg_pool3d,
adaptive 3-D pooling, the *_with_indices forms, max_unpool1d/2d/3d, lp_pool1d/2d/3d, the
3-D padding, batch/instance norm, dropout modules and the conv padding modes: values,
indices and gradients against PyTorch in float64, gradcheck and gradgradcheck, module
reprs and state_dict keys, and PyTorch's errors."""
from __future__ import annotations


import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn
from tests.helpers import Draw, leaf, raises_like

draw = Draw(14)
rng, parity = draw.rng, draw.parity


# ------------------------------------------------------------------------ conv3d
CONV3D = [({}, 3, 4, (2, 3, 2), (2, 3, 5, 6, 7)),
          (dict(stride=2, padding=1), 3, 4, (3, 3, 3), (2, 3, 5, 6, 7)),
          (dict(stride=(1, 2, 3), padding=(2, 0, 1), dilation=(2, 1, 2)), 4, 6, (2, 3, 2),
           (1, 4, 6, 5, 7)),
          (dict(groups=2), 4, 6, (3, 1, 2), (2, 4, 5, 4, 4)),
          (dict(padding="same", dilation=(2, 1, 3)), 3, 2, (2, 3, 4), (2, 3, 5, 6, 7)),
          (dict(padding="valid"), 3, 2, (1, 1, 1), (3, 5, 6, 7))]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("kw,cin,cout,k,shape", CONV3D)
def test_conv3d_matches_torch(torch, kw, cin, cout, k, shape):
    w = rng.standard_normal((cout, cin // kw.get("groups", 1)) + k)
    parity(torch, lambda x, w, b: F.conv3d(x, w, b, **kw),
           lambda x, w, b: torch.nn.functional.conv3d(x, w, b, **kw),
           rng.standard_normal(shape), w, rng.standard_normal(cout))


CONVT3D = [({}, 3, 4, (2, 3, 2), (2, 3, 3, 4, 2)),
           (dict(stride=2, padding=1, output_padding=1), 3, 4, (3, 3, 3), (2, 3, 3, 4, 2)),
           (dict(stride=(1, 2, 3), padding=(2, 0, 1), dilation=(2, 1, 2),
                 output_padding=(1, 1, 2)), 4, 6, (2, 3, 2), (1, 4, 3, 2, 3)),
           (dict(groups=2, stride=(3, 1, 2)), 4, 6, (3, 1, 2), (2, 4, 2, 3, 3)),
           (dict(dilation=(3, 2, 1), output_padding=(2, 1, 0)), 2, 3, (2, 2, 2), (1, 2, 3, 3, 3)),
           ({}, 3, 2, (1, 1, 1), (3, 2, 3, 4))]


@pytest.mark.parametrize("kw,cin,cout,k,shape", CONVT3D)
def test_conv_transpose3d_matches_torch(torch, kw, cin, cout, k, shape):
    w = rng.standard_normal((cin, cout // kw.get("groups", 1)) + k)
    parity(torch, lambda x, w, b: F.conv_transpose3d(x, w, b, **kw),
           lambda x, w, b: torch.nn.functional.conv_transpose3d(x, w, b, **kw),
           rng.standard_normal(shape), w, rng.standard_normal(cout))


def test_conv3d_second_derivatives():
    x, w = leaf(rng.standard_normal((1, 2, 3, 4, 3))), leaf(rng.standard_normal((2, 2, 2, 2, 2)))
    w1 = leaf(rng.standard_normal((2, 1, 2, 1, 2)))
    assert ag.gradcheck(lambda x, w: F.conv3d(x, w, stride=(2, 1, 1), padding=1, groups=2),
                        (x, w1))
    assert ag.gradgradcheck(lambda x, w: F.conv3d(x, w, stride=(2, 1, 1), padding=1), (x, w))
    assert ag.gradgradcheck(lambda x, w: F.conv_transpose3d(x, w, stride=(2, 1, 2), padding=1,
                                                            output_padding=(1, 0, 1)), (x, w))


def test_conv3d_errors_as_torch(torch):
    tf = torch.nn.functional
    x, xt = ag.randn(2, 3, 4, 5, 6), torch.randn(2, 3, 4, 5, 6)
    cases = [((4, 2, 2, 2, 2), {}), ((4, 3, 2, 2, 2), dict(stride=2, padding="same")),
             ((4, 3, 2, 2, 2), dict(padding="foo")), ((4, 3, 7, 2, 2), {}),
             ((4, 3, 2, 2, 2), dict(groups=2)), ((4, 3, 2, 2, 2), dict(stride=0)),
             ((4, 3, 2, 2, 2), dict(padding=-1))]
    for shape, kw in cases:
        w = np.zeros(shape, dtype=np.float32)
        raises_like(lambda: F.conv3d(x, ag.tensor(w), **kw),
                    lambda: tf.conv3d(xt, torch.tensor(w), **kw))
    raises_like(lambda: F.conv3d(ag.randn(3, 4), ag.randn(4, 3, 2, 2, 2)),
                lambda: tf.conv3d(torch.randn(3, 4), torch.randn(4, 3, 2, 2, 2)))
    raises_like(lambda: F.conv3d(x, ag.randn(4, 3, 2, 2, 2), ag.randn(3)),
                lambda: tf.conv3d(xt, torch.randn(4, 3, 2, 2, 2), torch.randn(3)))
    raises_like(lambda: F.conv3d(x.double(), ag.randn(4, 3, 2, 2, 2)),
                lambda: tf.conv3d(xt.double(), torch.randn(4, 3, 2, 2, 2)))
    raises_like(lambda: F.conv_transpose3d(x, ag.randn(4, 3, 2, 2, 2)),
                lambda: tf.conv_transpose3d(xt, torch.randn(4, 3, 2, 2, 2)))
    raises_like(lambda: F.conv_transpose3d(x, ag.randn(3, 3, 2, 2, 2), stride=2,
                                                  output_padding=2),
                lambda: tf.conv_transpose3d(xt, torch.randn(3, 3, 2, 2, 2), stride=2,
                                            output_padding=2))
    raises_like(lambda: F.conv_transpose3d(x, ag.randn(3, 3, 2, 2, 2), groups=2),
                lambda: tf.conv_transpose3d(xt, torch.randn(3, 3, 2, 2, 2), groups=2))


# ------------------------------------------------------------------------ pooling
POOL3D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
          dict(kernel_size=(2, 3, 2), stride=(1, 2, 3), padding=(1, 1, 0), dilation=(2, 1, 2)),
          dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
          dict(kernel_size=2, stride=3, ceil_mode=True)]


@pytest.mark.parametrize("kw", POOL3D)
def test_max_pool3d_values_indices_gradients_as_torch(torch, kw):
    a = rng.standard_normal((2, 3, 5, 6, 7))
    ties = np.round(a * 2) / 2  # the first maximum wins, and only it gets the gradient
    for x in (a, ties, a[0]):
        parity(torch, lambda x: F.max_pool3d(x, return_indices=True, **kw),
               lambda x: torch.nn.functional.max_pool3d(x, return_indices=True, **kw), x)


@pytest.mark.parametrize("kw", POOL3D)
@pytest.mark.parametrize("extra", [{}, dict(count_include_pad=False), dict(divisor_override=5)])
def test_avg_pool3d_matches_torch(torch, kw, extra):
    kw = {k: v for k, v in kw.items() if k != "dilation"}
    parity(torch, lambda x: F.avg_pool3d(x, **kw, **extra),
           lambda x: torch.nn.functional.avg_pool3d(x, **kw, **extra),
           rng.standard_normal((2, 3, 5, 6, 7)))


@pytest.mark.parametrize("size", [1, 2, (3, None, 4), (5, 6, 7), (4, 4, 4), (2, 1, 3)])
def test_adaptive_pool3d_matches_torch(torch, size):
    a = np.round(rng.standard_normal((2, 3, 5, 6, 7)) * 2) / 2
    tf = torch.nn.functional
    parity(torch, lambda x: F.adaptive_avg_pool3d(x, size),
           lambda x: tf.adaptive_avg_pool3d(x, size), a)
    parity(torch, lambda x: F.adaptive_max_pool3d(x, size, True),
           lambda x: tf.adaptive_max_pool3d(x, size, True), a)
    parity(torch, lambda x: F.adaptive_max_pool3d_with_indices(x, size),
           lambda x: tf.adaptive_max_pool3d_with_indices(x, size), a[1])


def test_max_pool_winner_rule_nan_and_inf_as_torch(torch):
    # PyTorch's rule: a NaN replaces the running maximum (the last NaN wins); a window of
    # -inf keeps its first position
    b = rng.standard_normal((2, 2, 4, 4, 4))
    b[0, 0, :2, :2, :2] = np.nan
    b[0, 1, 0, 0, 0] = -np.inf
    b[1, 1] = -np.inf
    tf = torch.nn.functional
    for ours, theirs in [(lambda x: F.max_pool3d(x, 2, 1, 1, return_indices=True),
                          lambda x: tf.max_pool3d(x, 2, 1, 1, return_indices=True)),
                         (lambda x: F.adaptive_max_pool3d(x, 3, True),
                          lambda x: tf.adaptive_max_pool3d(x, 3, True))]:
        y, yt = ours(ag.tensor(b)), theirs(torch.tensor(b))
        np.testing.assert_array_equal(y[1].numpy(), yt[1].numpy())
        np.testing.assert_array_equal(y[0].numpy(), yt[0].numpy())


def test_with_indices_forms_as_torch(torch):
    tf = torch.nn.functional
    a1, a2 = rng.standard_normal((2, 3, 9)), rng.standard_normal((2, 3, 6, 7))
    parity(torch, lambda x: F.max_pool1d_with_indices(x, 3, 2, 1),
           lambda x: tf.max_pool1d_with_indices(x, 3, 2, 1), a1)
    parity(torch, lambda x: F.max_pool2d_with_indices(x, 2), lambda x: tf.max_pool2d_with_indices(
        x, 2), a2)
    parity(torch, lambda x: F.adaptive_max_pool1d_with_indices(x, 4),
           lambda x: tf.adaptive_max_pool1d_with_indices(x, 4), a1)
    parity(torch, lambda x: F.adaptive_max_pool2d_with_indices(x, (2, 3)),
           lambda x: tf.adaptive_max_pool2d_with_indices(x, (2, 3)), a2)


def test_pool3d_second_derivatives():
    x = leaf(rng.standard_normal((1, 2, 4, 5, 3)))
    assert ag.gradgradcheck(lambda t: F.max_pool3d(t, 2, 1, 1), (x,))
    assert ag.gradgradcheck(lambda t: F.avg_pool3d(t, 3, 2, 1, ceil_mode=True,
                                                   count_include_pad=False), (x,))
    assert ag.gradgradcheck(lambda t: F.adaptive_avg_pool3d(t, (3, 2, 2)), (x,))
    assert ag.gradgradcheck(lambda t: F.adaptive_max_pool3d(t, (3, 2, 2)), (x,))


@pytest.mark.parametrize("n,k", [(1, 2), (2, 3), (3, 2)])
def test_max_unpool_matches_torch(torch, n, k):
    a = rng.standard_normal((2, 3) + (6,) * n)
    y, idx = getattr(torch.nn.functional, f"max_pool{n}d")(torch.tensor(a), k, return_indices=True)
    ours, theirs = getattr(F, f"max_unpool{n}d"), getattr(torch.nn.functional, f"max_unpool{n}d")
    ours_idx = ag.tensor(idx.numpy())
    parity(torch, lambda x: ours(x, ours_idx, k), lambda x: theirs(x, idx, k), y.numpy())
    parity(torch, lambda x: ours(x, ours_idx, k, output_size=a.shape[2:]),
           lambda x: theirs(x, idx, k, output_size=a.shape[2:]), y.numpy())
    if n == 1:
        assert ag.gradgradcheck(lambda x: ours(x, ours_idx, k) ** 2, (leaf(y.numpy()),))


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
@pytest.mark.parametrize("n", [1, 2, 3])
def test_lp_pool_matches_torch(torch, n):
    a = np.abs(rng.standard_normal((2, 3) + (6,) * n)) + 0.1
    ours, theirs = getattr(F, f"lp_pool{n}d"), getattr(torch.nn.functional, f"lp_pool{n}d")
    for p in (1, 2, 3.5, float("inf")):
        parity(torch, lambda x: ours(x, p, 2), lambda x: theirs(x, p, 2), a)
        parity(torch, lambda x: ours(x, p, 3, 2, ceil_mode=True),
               lambda x: theirs(x, p, 3, 2, ceil_mode=True), a)
    # a window of zeros: zero gradient, as PyTorch's
    parity(torch, lambda x: ours(x, 2, 2), lambda x: theirs(x, 2, 2), np.zeros((1, 1) + (4,) * n))


def test_pool3d_errors_as_torch(torch):
    tf = torch.nn.functional
    x, xt = ag.randn(2, 3, 4, 5, 6), torch.randn(2, 3, 4, 5, 6)
    for fn, args, kw in [("max_pool3d", (3,), dict(padding=2)), ("max_pool3d", (7,), {}),
                         ("max_pool3d", (2,), dict(stride=0)), ("max_pool3d", (2,),
                                                                 dict(dilation=0)),
                         ("max_pool3d", ((2, 2),), {}), ("avg_pool3d", (3,), dict(padding=2)),
                         ("avg_pool3d", (7,), {}), ("avg_pool3d", (2,), dict(divisor_override=0)),
                         ("adaptive_max_pool3d", ((2, 2),), {}),
                         ("adaptive_avg_pool3d", ((2, 2),), {}), ("lp_pool3d", (2, 7), {})]:
        raises_like(lambda: getattr(F, fn)(x, *args, **kw),
                    lambda: getattr(tf, fn)(xt, *args, **kw))
    for fn in ("max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d"):
        raises_like(lambda: getattr(F, fn)(ag.randn(3, 4), 2),
                    lambda: getattr(tf, fn)(torch.randn(3, 4), 2))
    y, i = tf.max_pool3d(xt, 2, return_indices=True)
    yo, io = ag.tensor(y.numpy()), ag.tensor(i.numpy())
    for args, kw, match in [((yo, io + 1000, 2), {}, "Found an invalid max index: "),
                            ((yo, io[:, :1], 2), {}, None),
                            ((yo, io, 2), dict(output_size=(9, 9, 9)), None),
                            ((yo[0, 0], io[0, 0], 2), {}, None)]:
        targs = tuple(torch.tensor(a.numpy()) if isinstance(a, ag.Tensor) else a for a in args)
        # (which invalid index the message names depends on PyTorch's loop order)
        raises_like(lambda: F.max_unpool3d(*args, **kw),
                    lambda: tf.max_unpool3d(*targs, **kw), match)
    raises_like(lambda: F.max_unpool3d(yo, io.double(), 2),
                lambda: tf.max_unpool3d(y, i.double(), 2))


# ------------------------------------------------------------------------ modules
def _same_weights(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


MODULES = [("Conv3d", (2, 4, 3), dict(padding=1)),
           ("Conv3d", (2, 4, (1, 2, 3)), dict(stride=2, padding=1, dilation=2, groups=2,
                                              bias=False)),
           ("Conv3d", (2, 4, 3), dict(padding=1, padding_mode="reflect")),
           ("Conv3d", (2, 4, 2), dict(padding="same", padding_mode="circular")),
           ("Conv2d", (2, 4, 3), dict(padding=2, padding_mode="replicate")),
           ("Conv1d", (2, 4, 4), dict(padding="same", padding_mode="reflect")),
           ("ConvTranspose3d", (2, 4, 3), dict(stride=2, padding=1, output_padding=1)),
           ("MaxPool3d", (3, 2, 1, 2, True, True), {}), ("AvgPool3d", (3, 2, 1, True, False, 5), {}),
           ("AdaptiveAvgPool3d", ((2, None, 3),), {}), ("AdaptiveMaxPool3d", (2, True), {}),
           ("BatchNorm3d", (2,), {}), ("InstanceNorm3d", (2,), dict(affine=True,
                                                                   track_running_stats=True)),
           ("LPPool3d", (2, 2), {}), ("ZeroPad3d", ((1, 0, 2, 1, 0, 1),), {}),
           ("ConstantPad3d", (1, 3.5), {}), ("ReflectionPad3d", ((1, 2, 0, 1, 2, 0),), {}),
           ("ReplicationPad3d", (2,), {}), ("CircularPad3d", ((1, 0, 2, 1, 0, 2),), {})]


@pytest.mark.parametrize("name,args,kw", MODULES)
def test_3d_modules_match_torch(torch, name, args, kw):
    m, mt = getattr(nn, name)(*args, **kw).double(), getattr(torch.nn, name)(*args, **kw).double()
    assert repr(m) == repr(mt)
    assert list(m.state_dict()) == list(mt.state_dict())
    _same_weights(m, mt)
    a = rng.standard_normal((2, 2, 4, 5, 6) if "1d" not in name and "2d" not in name else
                            (2, 2, 5, 6) if "2d" in name else (2, 2, 7))
    parity(torch, m, mt, a)
    for key, value in mt.state_dict().items():  # the running statistics moved alike
        np.testing.assert_allclose(m.state_dict()[key].numpy(), value.numpy(), rtol=1e-9)


def test_conv_padding_modes_check_as_torch(torch):
    with pytest.raises(ValueError, match=r"padding_mode must be one of \{'zeros', 'reflect', "
                                         r"'replicate', 'circular'\}, but got padding_mode='foo'"):
        nn.Conv3d(2, 2, 3, padding_mode="foo")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for '
                                         'ConvTranspose3d'):
        nn.ConvTranspose3d(2, 2, 3, padding_mode="reflect")


def test_unpool_module_round_trip_and_repr(torch):
    pool, unpool = nn.MaxPool3d(2, return_indices=True), nn.MaxUnpool3d(2)
    assert repr(unpool) == repr(torch.nn.MaxUnpool3d(2))
    x = ag.randn(1, 2, 4, 4, 4)
    y = unpool(*pool(x))
    assert y.shape == (1, 2, 4, 4, 4)
    assert ((y == 0) | (y == x)).all().item()
    assert unpool(*pool(ag.randn(1, 2, 5, 5, 5)), output_size=(5, 5, 5)).shape == (1, 2, 5, 5, 5)


def test_dropout3d_drops_whole_volumes_and_warns_like_torch(torch):
    ag.manual_seed(3)
    y = nn.Dropout3d(0.5)(ag.ones(4, 16, 2, 3, 2))
    per_channel = y.reshape(4, 16, -1)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all().item()
    assert nn.Dropout3d().eval()(ag.ones(1, 2, 1, 1, 1)).sum().item() == 2.0
    u = F.dropout3d(ag.ones(6, 2, 2, 2), 0.5)  # unbatched: channels are dim 0
    assert ((u == 0).all((1, 2, 3)) | (u == 2).all((1, 2, 3))).all().item()
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout3d"):
        F.dropout3d(ag.ones(3, 4))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout3d(ag.ones(1, 1, 1, 1, 1), 1.5)


# -------------------------------------------------------------- fractional max pooling
FRACTIONAL = [(2, (2, 3, 10, 9), 3, (5, 4), None), (2, (2, 3, 10, 9), (2, 3), None, 0.5),
              (2, (3, 7, 7), 2, 3, None), (3, (2, 3, 8, 9, 7), 2, (4, 5, 3), None),
              (3, (3, 7, 7, 7), (2, 3, 2), None, 0.5)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n,shape,k,size,ratio", FRACTIONAL)
def test_fractional_max_pool_windows_indices_gradients_as_torch(torch, dtype, n, shape, k, size,
                                                                 ratio):
    # the same draws give PyTorch's windows (computed in the input's dtype) and winners
    a = rng.standard_normal(shape).astype(dtype)
    planes = (shape[0] if len(shape) == n + 2 else 1, shape[-n - 1])
    s = rng.random(planes + (n,)).astype(dtype)
    ours, theirs = getattr(F, f"fractional_max_pool{n}d"), getattr(torch.nn.functional,
                                                                   f"fractional_max_pool{n}d")
    t_ratio = (ratio,) * n if ratio else None
    y, i = ours(ag.tensor(a), k, size, ratio, True, ag.tensor(s))
    yt, it = theirs(torch.tensor(a), k, size, t_ratio, True, torch.tensor(s))
    np.testing.assert_array_equal(i.numpy(), it.numpy())
    np.testing.assert_array_equal(y.numpy(), yt.numpy())
    if dtype == np.float64:
        parity(torch, lambda x: ours(x, k, size, ratio, _random_samples=ag.tensor(s)),
               lambda x: theirs(x, k, size, t_ratio, _random_samples=torch.tensor(s)), a)


def test_fractional_max_pool_modules_draws_and_errors(torch):
    for args in [dict(kernel_size=3, output_size=5), dict(kernel_size=(2, 3), output_ratio=0.5)]:
        assert repr(nn.FractionalMaxPool2d(**args)) == repr(torch.nn.FractionalMaxPool2d(**args))
    ag.manual_seed(0)
    pool = nn.FractionalMaxPool2d(2, output_size=4, return_indices=True)
    x = ag.randn(2, 3, 9, 9)
    y1, y2 = pool(x), pool(x)
    assert y1[0].shape == (2, 3, 4, 4) and not (y1[1] == y2[1]).all().item()  # fresh draws
    fixed = nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=ag.rand(1, 2, 3))
    assert list(fixed.state_dict()) == ["_random_samples"]
    assert (fixed(ag.ones(1, 2, 6, 6, 6)) == 1).all().item()
    for kw, msg in [({}, "FractionalMaxPool2d requires specifying either an output size, or a "
                         "pooling ratio"),
                    (dict(output_size=2, output_ratio=0.5), "only one of output_size and "
                                                            "output_ratio may be specified"),
                    (dict(output_ratio=1.5), r"output_ratio must be between 0 and 1 \(got 1.5\)")]:
        with pytest.raises(ValueError, match=msg):
            nn.FractionalMaxPool2d(2, **kw)
    tf = torch.nn.functional
    raises_like(lambda: F.fractional_max_pool2d(ag.zeros(1, 1, 5, 5), 3, 4),
                lambda: tf.fractional_max_pool2d(torch.zeros(1, 1, 5, 5), 3, 4))
    raises_like(lambda: F.fractional_max_pool3d(ag.zeros(1, 1, 5, 5, 3), 2, (2, 2, 3)),
                lambda: tf.fractional_max_pool3d(torch.zeros(1, 1, 5, 5, 3), 2, (2, 2, 3)))
    raises_like(lambda: F.fractional_max_pool2d(ag.zeros(1, 1, 5, 5), 3),
                lambda: tf.fractional_max_pool2d(torch.zeros(1, 1, 5, 5), 3))
    raises_like(lambda: F.fractional_max_pool2d(ag.zeros(5, 5), 2, 2),
                lambda: tf.fractional_max_pool2d(torch.zeros(5, 5), 2, 2))


def test_fractional_max_pool_random_samples_checks_as_torch(torch):
    tf = torch.nn.functional
    for n, shape in [(2, (2, 3, 6, 6)), (3, (2, 3, 6, 6, 6))]:
        ours, theirs = getattr(F, f"fractional_max_pool{n}d"), getattr(tf,
                                                                       f"fractional_max_pool{n}d")
        a = rng.standard_normal(shape)
        for s_shape in [(1, 3, n), (2, 2, n), (2, 3, 5 - n), (2, 3)]:
            s = rng.random(s_shape)
            raises_like(lambda: ours(ag.tensor(a), 2, 3, _random_samples=ag.tensor(s)),
                        lambda: theirs(torch.tensor(a), 2, 3, _random_samples=torch.tensor(s)))
        s = rng.random((3, 3, n))  # a longer draw than the batch: its first rows are used
        np.testing.assert_array_equal(
            ours(ag.tensor(a), 2, 3, _random_samples=ag.tensor(s)).numpy(),
            theirs(torch.tensor(a), 2, 3, _random_samples=torch.tensor(s)).numpy())
    raises_like(lambda: F.fractional_max_pool3d(ag.zeros(5, 5), 2, 2),
                lambda: tf.fractional_max_pool3d(torch.zeros(5, 5), 2, 2))
    raises_like(lambda: F.fractional_max_pool3d(ag.zeros(5, 5), 2, 2,
                                                       _random_samples=ag.rand(1, 1, 3)),
                lambda: tf.fractional_max_pool3d(torch.zeros(5, 5), 2, 2,
                                                 _random_samples=torch.rand(1, 1, 3)))
