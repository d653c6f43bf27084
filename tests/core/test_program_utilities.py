"""Small parts of PyTorch's API that training scripts call around their models, against
PyTorch: determinism switches, RNG state save and restore, fork_rng, print options,
testing.assert_close (its messages), empty_strided, the H/mH properties, forward hooks with
kwargs or prepended, and optimizer step hooks."""
import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import Draw

draw = Draw(61)


def test_determinism_switches(torch):
    for m in (ag, torch):
        m.use_deterministic_algorithms(True, warn_only=True)
        assert m.are_deterministic_algorithms_enabled()
        assert m.is_deterministic_algorithms_warn_only_enabled()
        m.use_deterministic_algorithms(False)
        assert not m.are_deterministic_algorithms_enabled()


def test_rng_state_round_trip_and_fork_rng():
    ag.manual_seed(3)
    state = ag.get_rng_state()
    assert state.dtype == np.uint8 and state.ndim == 1
    a = ag.randn(4)
    ag.set_rng_state(state)
    np.testing.assert_array_equal(ag.randn(4).numpy(), a.numpy())   # the same draws
    with ag.random.fork_rng():
        ag.randn(10)
    b = ag.randn(2)
    ag.set_rng_state(state)
    ag.randn(4)
    np.testing.assert_array_equal(ag.randn(2).numpy(), b.numpy())
    with pytest.raises(RuntimeError, match="not a state from get_rng_state"):
        ag.set_rng_state(ag.tensor([1, 2, 3], dtype=ag.uint8))


@pytest.mark.parametrize("values", [
    [0.5, 0.4999], [1.0, 0.25], [1.0, 2.0], [1e-5, 1.0], [1e9, 1.0], [0.5, np.nan, np.inf],
    [0.0, 0.0], [1e-5, 2e-5], [123456.5, 1.5], [1.5e8, 2.0], [-0.5, 3.25], [1e-3, 0.5],
    [1e5, 2e5], [12345.0, 1.0], [0.1, 0.1], [[1.5, 2.0], [3.25, -1.0]]])
def test_floats_print_as_torchs(torch, values):
    # all ``precision`` digits once a value is not an integer (NumPy would trim each to its
    # shortest: 0.5 beside 0.4999), integers as ``1.``, scientific notation as PyTorch picks it
    assert repr(ag.tensor(values)) == repr(torch.tensor(values))
    ours = repr(ag.tensor(values, dtype=ag.float64))   # dtypes print as NumPy names them
    assert ours == repr(torch.tensor(values, dtype=torch.float64)).replace("torch.", "")


def test_print_options_as_torch(torch):
    x = [1.2345678, -2.2511113, 3.5123457]
    for kw in (dict(precision=2), dict(profile="short"), dict(precision=6)):
        ag.set_printoptions(**kw)
        torch.set_printoptions(**kw)
        try:
            assert repr(ag.tensor(x)) == repr(torch.tensor(x))
        finally:
            ag.set_printoptions(profile="default")
            torch.set_printoptions(profile="default")
    assert repr(ag.tensor(x)) == repr(torch.tensor(x))


@pytest.mark.parametrize("case", [
    lambda m: m.testing.assert_close(m.tensor([1.0, 2.0, 3.0]), m.tensor([1.0, 2.5, 3.0])),
    lambda m: m.testing.assert_close(m.tensor([1.0]), m.tensor([1.0], dtype=m.float64)),
    lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0, 3.0])),
    lambda m: m.testing.assert_close(m.tensor(1.0), m.tensor(1.5)),
    lambda m: m.testing.assert_close(m.tensor([[1, 2]]), m.tensor([[1, 3]])),
    lambda m: m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.1, 2.0]), rtol=0.01,
                                     atol=0.0),
])
def test_assert_close_messages_are_torchs(torch, case):
    with pytest.raises(AssertionError) as theirs:
        case(torch)
    with pytest.raises(AssertionError) as ours:
        case(ag)
    assert str(ours.value) == str(theirs.value)


def test_assert_close_passes_within_tolerance(torch):
    for m in (ag, torch):
        m.testing.assert_close(m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0 + 1e-6]))
        m.testing.assert_close([m.ones(2), 1.0], [m.ones(2), 1.0])
        m.testing.assert_close(m.tensor([float("nan")]), m.tensor([float("nan")]), equal_nan=True)


def test_empty_strided_h_and_mh(torch):
    assert ag.empty_strided((2, 3), (3, 1)).shape == tuple(torch.empty_strided((2, 3), (3, 1)).shape)
    x = draw.arr(2, 3)
    np.testing.assert_array_equal(ag.tensor(x).H.numpy(), torch.tensor(x).H.numpy())
    y = draw.arr(2, 3, 4)
    np.testing.assert_array_equal(ag.tensor(y).mH.numpy(), torch.tensor(y).mH.numpy())
    with pytest.raises(RuntimeError):
        torch.tensor(y).H
    with pytest.raises(RuntimeError):
        ag.tensor(y).H


def test_forward_hooks_with_kwargs_and_prepend_as_torch(torch):
    def record(m):
        class Scaled(m.nn.Module):
            def forward(self, x, scale=1.0):
                return x * scale
        mod, seen = Scaled(), []
        mod.register_forward_pre_hook(lambda mo, a, k: (a, {**k, "scale": 3.0}), with_kwargs=True)
        mod.register_forward_hook(lambda mo, a, k, o: seen.append(("kw", dict(k))) or o + 1,
                                  with_kwargs=True)
        mod.register_forward_hook(lambda mo, a, o: seen.append("first"), prepend=True)
        out = mod(m.ones(2), scale=2.0)
        return out.tolist(), seen
    assert record(ag) == record(torch)   # exact: 1 * 3 + 1


def test_optimizer_step_hooks_as_torch(torch):
    def record(m):
        p = m.nn.Parameter(m.ones(2))
        opt = m.optim.SGD([p], lr=0.5)
        seen = []
        h = opt.register_step_pre_hook(lambda o, a, k: seen.append(("pre", p.tolist())))
        opt.register_step_post_hook(lambda o, a, k: seen.append(("post", p.tolist())))
        p.sum().backward()
        opt.step()
        h.remove()
        opt.step()
        return seen
    assert record(ag) == record(torch)   # exact: 1 - 0.5 * 1
