"""nn.utils.weight_norm / remove_weight_norm and nn.utils.spectral_norm /
remove_spectral_norm (the classic hook forms) against PyTorch given the same weights:
parameter and buffer names and order, forward values and gradients in float64, the power
iteration's in-place buffers in training and their use in evaluation, removal, errors and
the deprecation warning."""
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from tests.helpers import load_from_torch, load_same_layout, step_like_torch

rng = np.random.default_rng(3)

LAYERS = [("Linear", (5, 4), (3, 5)), ("Conv1d", (3, 4, 2), (2, 3, 6)),
          ("Conv2d", (3, 4, 2), (2, 3, 5, 5)), ("ConvTranspose2d", (3, 4, 2), (2, 3, 4, 4)),
          ("Embedding", (6, 3), None)]


def _pair(torch, name, args, wrap, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        t = getattr(torch.nn.utils, wrap)(getattr(torch.nn, name)(*args).double(), **kw)
        m = getattr(nn.utils, wrap)(getattr(nn, name)(*args).double(), **kw)
    load_same_layout(m, t)
    return m, t


def _step(torch, m, t, shape):
    a = rng.integers(0, 6, (4, 3)) if shape is None else rng.standard_normal(shape)
    step_like_torch(torch, m, t, a, rng)


@pytest.mark.parametrize("name,args,shape", LAYERS)
@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_as_torch(torch, name, args, shape, dim):
    m, t = _pair(torch, name, args, "weight_norm", dim=dim)
    assert m.weight_g.shape == tuple(t.weight_g.shape)
    for _ in range(2):
        _step(torch, m, t, shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        nn.utils.remove_weight_norm(m)
        torch.nn.utils.remove_weight_norm(t)
    assert list(m.state_dict()) == list(t.state_dict())
    np.testing.assert_allclose(m.weight.detach().numpy(), t.weight.detach().numpy(),
                               rtol=1e-12)
    assert isinstance(m.weight, nn.Parameter)


@pytest.mark.parametrize("name,args,shape", LAYERS)
@pytest.mark.parametrize("iterations", [1, 3])
def test_spectral_norm_as_torch(torch, name, args, shape, iterations):
    m, t = _pair(torch, name, args, "spectral_norm", n_power_iterations=iterations)
    for _ in range(3):  # training: u and v move in place at each forward
        _step(torch, m, t, shape)
        for key in ("weight_u", "weight_v"):
            np.testing.assert_allclose(getattr(m, key).numpy(), getattr(t, key).numpy(),
                                       rtol=1e-9, atol=1e-12)
    m.eval(), t.eval()
    u = m.weight_u.numpy().copy()
    _step(torch, m, t, shape)
    np.testing.assert_array_equal(m.weight_u.numpy(), u)  # evaluation: no iteration
    nn.utils.remove_spectral_norm(m)
    torch.nn.utils.remove_spectral_norm(t)
    assert list(m.state_dict()) == list(t.state_dict())
    np.testing.assert_allclose(m.weight.detach().numpy(), t.weight.detach().numpy(),
                               rtol=1e-10)


def test_spectral_norm_bounds_the_largest_singular_value():
    m = nn.utils.spectral_norm(nn.Linear(6, 5).double(), n_power_iterations=50)
    m(ag.ones(1, 6, dtype=ag.float64))
    assert abs(np.linalg.svd(m.weight.detach().numpy(), compute_uv=False)[0] - 1) < 1e-8


def test_weight_norm_trains_in_lockstep_with_torch(torch):
    m, t = _pair(torch, "Linear", (4, 3), "weight_norm")
    opt, opt_t = ag.optim.SGD(m.parameters(), lr=0.1), torch.optim.SGD(t.parameters(), lr=0.1)
    for _ in range(3):
        a = rng.standard_normal((5, 4))
        loss, loss_t = (m(ag.tensor(a)) ** 2).mean(), (t(torch.tensor(a)) ** 2).mean()
        assert abs(loss.item() - loss_t.item()) < 1e-12
        opt.zero_grad(), opt_t.zero_grad()
        loss.backward(), loss_t.backward()
        opt.step(), opt_t.step()


def test_hook_forms_errors_and_warning_as_torch(torch):
    def same(make):
        with pytest.raises(Exception) as theirs:
            make(torch)
        with pytest.raises(type(theirs.value)) as ours:
            make(ag)
        assert str(ours.value).split(" in ")[0] == str(theirs.value).split(" in ")[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        same(lambda lib: lib.nn.utils.weight_norm(lib.nn.utils.weight_norm(lib.nn.Linear(2, 2))))
        same(lambda lib: lib.nn.utils.remove_weight_norm(lib.nn.Linear(2, 2)))
        same(lambda lib: lib.nn.utils.weight_norm(lib.nn.Linear(2, 2), name="foo"))
    same(lambda lib: lib.nn.utils.spectral_norm(lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2))))
    same(lambda lib: lib.nn.utils.remove_spectral_norm(lib.nn.Linear(2, 2)))
    same(lambda lib: lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2), n_power_iterations=0))
    same(lambda lib: lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2), name="foo"))
    with pytest.warns(FutureWarning, match="`torch.nn.utils.weight_norm` is deprecated in favor "
                                           "of `torch.nn.utils.parametrizations.weight_norm`"):
        nn.utils.weight_norm(nn.Linear(2, 2))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.utils.weight_norm(lib.nn.LSTM(3, 4).double(), name="weight_hh_l0"),
    lambda lib: lib.nn.utils.parametrizations.weight_norm(
        lib.nn.GRU(3, 4, bidirectional=True).double(), name="weight_ih_l0_reverse"),
    lambda lib: lib.nn.utils.weight_norm(lib.nn.LSTMCell(3, 4).double(), name="weight_hh")])
def test_weight_norm_on_recurrent_weights_as_torch(torch, make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        m, t = make(ag), make(torch)
    load_from_torch(m, t)
    x = rng.standard_normal((5, 2, 3) if "Cell" not in type(m).__name__ else (2, 3))
    y, yt = m(ag.tensor(x)), t(torch.tensor(x))
    y, yt = (y[0], yt[0]) if isinstance(yt, tuple) else (y, yt)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    y.sum().backward()
    yt.sum().backward()
    for p, pt in zip(m.parameters(), t.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), rtol=1e-9, atol=1e-12)
