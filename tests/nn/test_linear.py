"""Linear, Bilinear and Identity (``nn/functional/linear.py``, ``nn/modules/linear.py``) and
Flatten/Unflatten (``nn/modules/flatten.py``): NumPy references, PyTorch's default init,
gradcheck/gradgradcheck, PyTorch parity, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import Draw, leaf

draw = Draw(0)
arr, t64, parity = draw.arr, draw.t64, draw.parity


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


@pytest.mark.parametrize("lead,bias", [((5,), True), ((2, 3), False), ((), True)])
def test_bilinear_matches_torch(torch, lead, bias):
    w, b = arr(4, 3, 2), arr(4)
    args = [arr(*lead, 3), arr(*lead, 2), w] + ([b] if bias else [])
    parity(torch, F.bilinear, torch.nn.functional.bilinear, *args)
    assert ag.gradcheck(F.bilinear, tuple(leaf(a) for a in args))


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
