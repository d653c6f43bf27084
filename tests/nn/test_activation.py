"""Activations (``nn/functional/activation.py``, ``nn/modules/activation.py``): NumPy
references, gradcheck/gradgradcheck, dtypes and stability at large inputs, PyTorch parity
of the functions and the modules (float64 values and gradients), errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import Draw, leaf

draw = Draw(0)
rng, arr, t64, parity = draw.rng, draw.arr, draw.t64, draw.parity


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


# --------------------- hardtanh, relu6, mish, selu, logsigmoid, softmin, glu, prelu
ACTS_CLAMP_AND_GATE = [
    ("hardtanh", {}), ("hardtanh", dict(min_val=-0.5, max_val=2.0)), ("relu6", {}), ("mish", {}),
    ("selu", {}), ("logsigmoid", {}), ("softmin", dict(dim=1)), ("softmin", dict(dim=0)),
    ("glu", {}), ("glu", dict(dim=0))]


@pytest.mark.parametrize("name,kw", ACTS_CLAMP_AND_GATE)
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


def test_activation_errors_glu_hardtanh_softmin():
    with pytest.raises(ValueError, match="glu: halving dimension must be even, but dimension -1 "
                                         "is size 5"):
        F.glu(ag.zeros(2, 5))
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(ag.zeros(2), 1.0, -1.0)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        F.softmin(ag.zeros(2, 3))


# ------ hardsigmoid, hardswish, softsign, tanhshrink, softshrink, hardshrink, threshold, celu
# PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32 even in float64
# (its gradient is 0.1666666716...); ours is exact, so that gradient agrees to 3e-8
GRAD_RTOL = {"hardsigmoid": 1e-7, "Hardsigmoid": 1e-7}


ACTS_SHRINK_AND_HARD = [
    ("hardsigmoid", {}), ("hardswish", {}), ("softsign", {}), ("tanhshrink", {}),
    ("softshrink", {}), ("softshrink", {"lambd": 1.2}), ("hardshrink", {}),
    ("hardshrink", {"lambd": 0.9}), ("threshold", {"threshold": 0.3, "value": -2.0}),
    ("celu", {}), ("celu", {"alpha": 2.5}), ("celu", {"alpha": 0.5})]


@pytest.mark.parametrize("name,kw", ACTS_SHRINK_AND_HARD)
def test_activation_functionals_match_torch(torch, name, kw):
    a = arr(4, 5) * 3
    a[0, :] = [-3.0, 3.0, 0.0, 0.5, -0.5]  # kinks: hardswish/hardsigmoid bounds, shrink edges
    parity(torch, lambda x: getattr(F, name)(x, **kw),
           lambda x: getattr(torch.nn.functional, name)(x, **kw), a,
           grad_rtol=GRAD_RTOL.get(name, 1e-9))


@pytest.mark.parametrize("name,kw", [k for k in ACTS_SHRINK_AND_HARD if k[0] not in ("threshold",)])
def test_activation_gradcheck_random_shapes(name, kw):
    for shape in [(3,), (2, 3, 4)]:
        a = rng.standard_normal(shape) * 3
        a[np.abs(np.abs(a) - 3) < 0.05] += 0.2  # keep finite differences off the kinks
        a[np.abs(np.abs(a) - kw.get("lambd", 0.5)) < 0.05] += 0.2
        fn = getattr(F, name)
        assert ag.gradcheck(lambda x: fn(x, **kw), (leaf(a),))
    assert ag.gradgradcheck(lambda x: F.celu(x, 1.5), (leaf(arr(3, 2)),))


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


def test_activation_errors_softshrink_celu_hardswish():
    with pytest.raises(ValueError, match="softshrink: lambda must be greater or equal to 0, "
                                         "but found to be -1"):
        F.softshrink(ag.ones(2), -1)
    with pytest.raises(ValueError, match="celu: ZeroDivisionError: alpha cannot be 0"):
        F.celu(ag.ones(2), 0.0)
    with pytest.raises(TypeError, match=r"hardswish\(\): argument 'input' must be Tensor, not "
                                        r"list"):
        F.hardswish([1.0])
