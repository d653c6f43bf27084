"""nn.utils.parametrize (register_parametrization, remove_parametrizations,
is_parametrized, cached) and nn.utils.parametrizations.weight_norm / spectral_norm against
PyTorch: class names and reprs, state dict keys, values and gradients in float64 from the
same weights, the in-place power iteration, removal and errors."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn.utils import parametrize
from tests.helpers import load_same_layout, step_like_torch

rng = np.random.default_rng(9)

LAYERS = [("Linear", (5, 4), (3, 5)), ("Conv1d", (3, 4, 2), (2, 3, 6)),
          ("ConvTranspose2d", (3, 4, 2), (2, 3, 4, 4))]


def _pair(torch, name, args, wrap, **kw):
    t = getattr(torch.nn.utils.parametrizations, wrap)(getattr(torch.nn, name)(*args).double(),
                                                       **kw)
    m = getattr(nn.utils.parametrizations, wrap)(getattr(nn, name)(*args).double(), **kw)
    assert repr(m) == repr(t)
    load_same_layout(m, t)
    return m, t


def _step(torch, m, t, shape):
    step_like_torch(torch, m, t, rng.standard_normal(shape), rng)


@pytest.mark.parametrize("name,args,shape", LAYERS)
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_parametrization_as_torch(torch, name, args, shape, dim):
    m, t = _pair(torch, name, args, "weight_norm", dim=dim)
    assert type(m).__name__ == type(t).__name__ == f"Parametrized{name}"
    for _ in range(2):
        _step(torch, m, t, shape)
    parametrize.remove_parametrizations(m, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(t, "weight")
    assert type(m).__name__ == name and list(m.state_dict()) == list(t.state_dict())
    np.testing.assert_allclose(m.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("name,args,shape", LAYERS)
@pytest.mark.parametrize("iterations", [1, 2])
def test_spectral_norm_parametrization_as_torch(torch, name, args, shape, iterations):
    m, t = _pair(torch, name, args, "spectral_norm", n_power_iterations=iterations)
    for _ in range(3):
        _step(torch, m, t, shape)
        for key in ("_u", "_v"):
            np.testing.assert_allclose(getattr(m.parametrizations.weight[0], key).numpy(),
                                       getattr(t.parametrizations.weight[0], key).numpy(),
                                       rtol=1e-9, atol=1e-12)
    m.eval(), t.eval()
    _step(torch, m, t, shape)
    parametrize.remove_parametrizations(m, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(t, "weight")
    np.testing.assert_allclose(m.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-10)


def test_register_parametrization_chains_assigns_and_caches(torch):
    class Symmetric(nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).t()

        def right_inverse(self, x):
            return x.triu()

    m = parametrize.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias")
    assert np.array_equal(m.weight.detach().numpy(), m.weight.detach().numpy().T)
    target = ag.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    m.weight = target                      # stored through right_inverse
    assert m.weight.tolist() == target.tolist()
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert len(m.parametrizations.weight) == 2
    with parametrize.cached():
        assert m.weight is m.weight
    assert m.weight is not m.weight
    assert parametrize.type_before_parametrizations(m) is nn.Linear
    parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    assert type(m) is nn.Linear and isinstance(m.weight, nn.Parameter)
    assert nn.Linear(3, 3).weight is not None  # the class itself was left alone


def test_parametrize_errors_as_torch(torch):
    def same(make):
        with pytest.raises(Exception) as theirs:
            make(torch)
        with pytest.raises(type(theirs.value)) as ours:
            make(ag)
        assert str(ours.value).split("'")[0] == str(theirs.value).split("'")[0]
    same(lambda lib: lib.nn.utils.parametrize.remove_parametrizations(lib.nn.Linear(2, 2),
                                                                      "weight"))
    same(lambda lib: lib.nn.utils.parametrize.register_parametrization(
        lib.nn.Linear(2, 2), "foo", lib.nn.Identity()))
    same(lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2), name="foo"))
    same(lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2),
                                                                 n_power_iterations=0))


def test_weight_norm_checkpoints_of_the_hook_form_load_into_the_parametrization(torch):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = torch.nn.utils.weight_norm(torch.nn.Linear(3, 2).double())
    new = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2).double())
    new.load_state_dict({k: v.detach().numpy() for k, v in old.state_dict().items()})
    a = rng.standard_normal((4, 3))
    np.testing.assert_allclose(new(ag.tensor(a)).detach().numpy(),
                               old(torch.tensor(a)).detach().numpy(), rtol=1e-12)


def test_load_state_dict_pre_hooks_as_torch(torch):
    seen = {}
    for lib in (ag, torch):
        m = lib.nn.Sequential(lib.nn.Linear(1, 1, bias=False))

        def rename(mod, sd, prefix, meta, strict, missing, unexpected, errors, lib=lib):
            seen.setdefault(lib.__name__, []).append((type(mod).__name__, prefix, strict))
            if prefix + "w" in sd:
                sd[prefix + "weight"] = sd.pop(prefix + "w")
        handle = m[0].register_load_state_dict_pre_hook(rename)
        m.load_state_dict({"0.w": lib.tensor([[2.0]])})
        assert m[0].weight.item() == 2.0
        handle.remove()
        with pytest.raises(RuntimeError):
            m.load_state_dict({"0.w": lib.tensor([[2.0]])})
    assert seen["autograd_core"] == seen["torch"] == [("Linear", "0.", True)]
