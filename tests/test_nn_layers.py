"""Layers against NumPy references and gradcheck; init statistics; train/eval semantics;
PyTorch parity with the same weights."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F

rng = np.random.default_rng(0)


def t64(*shape, requires_grad=True, scale=1.0):
    return ag.tensor(rng.standard_normal(shape) * scale, dtype=ag.float64,
                     requires_grad=requires_grad)


def load_from_torch(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


# --------------------------------------------------------------------- Linear
def test_linear_matches_numpy_and_gradchecks():
    m = nn.Linear(4, 3).double()
    x = t64(5, 4)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    np.testing.assert_allclose(m(x).detach().numpy(), x.detach().numpy() @ w.T + b, rtol=1e-12)
    assert ag.gradcheck(lambda x, w, b: F.linear(x, w, b), (x, m.weight, m.bias))
    assert ag.gradgradcheck(lambda x, w: F.linear(x, w).tanh(), (x, m.weight))
    x3 = t64(2, 3, 4)
    assert m(x3).shape == (2, 3, 3)
    assert ag.gradcheck(lambda x: m(x), (x3,))


def test_linear_default_init_is_pytorchs():
    m = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.shape == (300, 400) and b.shape == (300,) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert m.weight.requires_grad and isinstance(m.weight, nn.Parameter)


def test_linear_without_bias_and_errors():
    m = nn.Linear(3, 2, bias=False)
    assert m.bias is None and list(m.state_dict()) == ["weight"]
    assert m(ag.ones(1, 3)).shape == (1, 2)
    with pytest.raises(ValueError, match=r"Linear: expected input with 784 features \(last dim\), "
                                         r"got shape \(64, 100\)"):
        nn.Linear(784, 10)(ag.zeros(64, 100))
    with pytest.raises(TypeError, match="Linear: expected input of dtype float32.*got float64"):
        nn.Linear(3, 2)(ag.zeros(1, 3, dtype=ag.float64))


def test_identity_flatten_unflatten():
    x = ag.randn(2, 3, 4, 5)
    assert nn.Identity(1, a=2)(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)


# ------------------------------------------------------------------ Embedding
def test_embedding_lookup_init_padding_and_grad():
    emb = nn.Embedding(1000, 16)
    w = emb.weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02
    idx = ag.tensor([[1, 5, 5], [0, 999, 1]])
    out = emb(idx)
    np.testing.assert_array_equal(out.detach().numpy(), w[idx.numpy()])
    out.sum().backward()
    g = emb.weight.grad.numpy()
    assert g[5].tolist() == [2.0] * 16 and g[1].tolist() == [2.0] * 16 and g[2].sum() == 0

    pad = nn.Embedding(10, 4, padding_idx=2)
    assert pad.weight[2].tolist() == [0.0] * 4
    pad(ag.tensor([2, 3, 2])).sum().backward()
    assert pad.weight.grad[2].tolist() == [0.0] * 4 and pad.weight.grad[3].tolist() == [1.0] * 4


def test_embedding_gradcheck_and_errors():
    w = t64(6, 3)
    idx = np.array([[0, 5], [5, 2]])
    assert ag.gradcheck(lambda w: F.embedding(idx, w, padding_idx=4) ** 2, (w,))
    assert ag.gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))
    with pytest.raises(IndexError, match="index 10 is out of range for 10 embeddings"):
        nn.Embedding(10, 2)(ag.tensor([10]))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        nn.Embedding(10, 2)(ag.tensor([-1]))
    with pytest.raises(TypeError, match="integer indices"):
        nn.Embedding(10, 2)(ag.tensor([1.0]))


def test_embedding_max_norm_renormalises_rows():
    emb = nn.Embedding(4, 3, max_norm=1.0)
    with ag.no_grad():
        emb.weight.fill_(2.0)
    emb(ag.tensor([1]))
    assert abs(np.linalg.norm(emb.weight.detach().numpy()[1]) - 1.0) < 1e-5
    assert emb.weight[0].tolist() == [2.0, 2.0, 2.0]


def test_embedding_from_pretrained_is_frozen():
    e = nn.Embedding.from_pretrained(ag.eye(3))
    assert not e.weight.requires_grad and e(ag.tensor([1])).tolist() == [[0.0, 1.0, 0.0]]


# ------------------------------------------------------------------ BatchNorm
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


# ------------------------------------------------------------------ LayerNorm
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
    with pytest.raises(ValueError, match=r"LayerNorm: expected input with trailing shape \(5,\), "
                                         r"got shape \(2, 4\)"):
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


# -------------------------------------------------------------------- Dropout
def test_dropout_train_scales_and_zeroes_eval_is_identity():
    drop = nn.Dropout(0.3)
    x = ag.ones(100_000, requires_grad=True)
    y = drop(x)
    vals = y.detach().numpy()
    assert set(np.unique(vals)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((vals == 0).mean() - 0.3) < 0.01
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), vals)  # gradient is the same mask
    drop.eval()
    assert drop(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert float(nn.Dropout(1.0)(x).abs().sum()) == 0.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout_uses_the_global_generator():
    ag.manual_seed(3)
    a = nn.Dropout()(ag.ones(50)).tolist()
    ag.manual_seed(3)
    assert nn.Dropout()(ag.ones(50)).tolist() == a
    g = ag.Generator(5)
    b = F.dropout(ag.ones(50), generator=g).tolist()
    assert F.dropout(ag.ones(50), generator=ag.Generator(5)).tolist() == b


# ---------------------------------------------------------------- activations
def _gelu_ref(x):
    return x * 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    (nn.ELU(alpha=1.5), lambda x: np.where(x > 0, x, 1.5 * np.expm1(np.minimum(x, 0)))),
    (nn.GELU(), _gelu_ref),
    (nn.GELU(approximate="tanh"),
     lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    (nn.SiLU(), lambda x: x / (1 + np.exp(-x))),
    (nn.Softplus(), lambda x: np.log1p(np.exp(x))),
    (nn.Tanh(), np.tanh),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Softmax(dim=-1), lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
    (nn.LogSoftmax(dim=1), lambda x: x - np.log(np.exp(x).sum(1, keepdims=True))),
]


@pytest.mark.parametrize("module,ref", ACTIVATIONS, ids=lambda v: repr(v)[:20])
def test_activation_matches_reference_and_gradchecks(module, ref):
    x = t64(3, 5, scale=2.0)
    np.testing.assert_allclose(module(x).detach().numpy(), ref(x.detach().numpy()), rtol=1e-10,
                               atol=1e-12)
    assert ag.gradcheck(module, (x,))
    assert ag.gradgradcheck(module, (x,))  # away from the kinks of (leaky) ReLU


def test_activations_in_float32_keep_dtype():
    x = ag.randn(4, 4)
    for module, _ in ACTIVATIONS:
        assert module(x).dtype == np.float32, module


def test_gelu_erf_is_double_precision():
    from autograd_core.ops.special import erf_array
    x = np.linspace(-6, 6, 1001)
    np.testing.assert_allclose(erf_array(x), [math.erf(v) for v in x], rtol=1e-15, atol=1e-16)


def test_activations_are_stable_at_large_inputs():
    x = ag.tensor([-1e4, -50.0, 50.0, 1e4], requires_grad=True)
    for f in (F.elu, F.gelu, lambda t: F.gelu(t, approximate="tanh"), F.silu, F.softplus,
              F.sigmoid, F.tanh, lambda t: F.leaky_relu(t, 0.2)):
        y = f(x)
        (g,) = ag.grad(y.sum(), x)
        assert bool(y.isfinite().all()) and bool(g.isfinite().all()), f


def test_activations_match_torch(torch):
    x = rng.standard_normal((4, 6)) * 3
    g = rng.standard_normal((4, 6))
    tf = torch.nn.functional
    cases = [(F.gelu, tf.gelu), (lambda t: F.gelu(t, approximate="tanh"),
                                 lambda t: tf.gelu(t, approximate="tanh")),
             (lambda t: F.elu(t, 0.7), lambda t: tf.elu(t, 0.7)),
             (lambda t: F.leaky_relu(t, 0.2), lambda t: tf.leaky_relu(t, 0.2)),
             (F.silu, tf.silu), (lambda t: F.softplus(t, 2.0, 5.0), lambda t: tf.softplus(t, 2.0, 5.0)),
             (lambda t: F.softmax(t, 0), lambda t: tf.softmax(t, 0)),
             (lambda t: F.log_softmax(t, 1), lambda t: tf.log_softmax(t, 1))]
    for ours, theirs in cases:
        ox, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        oy, ty = ours(ox), theirs(tx)
        np.testing.assert_allclose(oy.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-14)
        oy.backward(ag.tensor(g))
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_softmax_without_dim_warns_and_picks_pytorchs_dim():
    x = ag.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        y = F.softmax(x)
    np.testing.assert_allclose(y.sum(1).numpy(), [1, 1], rtol=1e-6)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")


# ----------------------------------------------------------- adaptive pooling
def _adaptive_ref(x, oh, ow):
    h, w = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        h0, h1 = (i * h) // oh, -((-(i + 1) * h) // oh)
        for j in range(ow):
            w0, w1 = (j * w) // ow, -((-(j + 1) * w) // ow)
            out[..., i, j] = x[..., h0:h1, w0:w1].mean(axis=(-2, -1))
    return out


@pytest.mark.parametrize("size", [1, 3, (2, 5), (None, 2)])
def test_adaptive_avg_pool2d(size):
    x = t64(2, 3, 7, 5)
    out = nn.AdaptiveAvgPool2d(size)(x)
    oh, ow = (size, size) if isinstance(size, int) else (size[0] or 7, size[1] or 5)
    np.testing.assert_allclose(out.detach().numpy(), _adaptive_ref(x.detach().numpy(), oh, ow),
                               rtol=1e-12)
    assert ag.gradcheck(lambda x: F.adaptive_avg_pool2d(x, size), (t64(1, 2, 5, 4),))


def test_adaptive_avg_pool2d_matches_torch(torch):
    x = rng.standard_normal((2, 3, 9, 7))
    for size in (1, 4, (3, 2)):
        np.testing.assert_allclose(
            F.adaptive_avg_pool2d(ag.tensor(x), size).numpy(),
            torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), size).numpy(), rtol=1e-12)


def test_one_hot():
    assert F.one_hot(ag.tensor([1, 0]), 3).tolist() == [[0, 1, 0], [1, 0, 0]]
    assert F.one_hot(ag.tensor([2])).shape == (1, 3)
    with pytest.raises(RuntimeError, match="one_hot"):
        F.one_hot(ag.tensor([3]), 2)


def test_embedding_matches_torch(torch):
    t = torch.nn.Embedding(7, 3, padding_idx=1).double()
    o = nn.Embedding(7, 3, padding_idx=1).double()
    load_from_torch(o, t)
    idx = np.array([[1, 2, 6], [2, 2, 0]])
    oy, ty = o(ag.tensor(idx)), t(torch.tensor(idx))
    np.testing.assert_array_equal(oy.detach().numpy(), ty.detach().numpy())
    g = rng.standard_normal((2, 3, 3))
    oy.backward(ag.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(o.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-12)
