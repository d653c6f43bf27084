"""``quantile`` and ``nanquantile`` against PyTorch (float64): values and gradients on
random shapes, every dim (negative ones too), keepdim, q a float, a 0-d or a 1-D tensor,
all five interpolations, NaNs; finite-difference gradient checks; PyTorch's errors."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import gradcheck, gradgradcheck

MODES = ("linear", "lower", "higher", "midpoint", "nearest")
NAN = float("nan")


def shapes(rng, count=6):
    out = [(7,), (1,), (2, 5), (3, 1, 4)]
    for _ in range(count):
        out.append(tuple(int(n) for n in rng.integers(1, 6, size=rng.integers(1, 4))))
    return out


def both(torch, a, requires_grad=True):
    x = ag.tensor(a, dtype=ag.float64, requires_grad=requires_grad)
    t = torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad)
    return x, t


def qs(torch, q):
    if isinstance(q, float):
        return q, q
    return ag.tensor(q, dtype=ag.float64), torch.tensor(q, dtype=torch.float64)


def close(ours, theirs, rtol=1e-14):
    """Equal up to the last bit or so: PyTorch's vectorized lerp may fuse its multiply-add."""
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol, equal_nan=True)


def check(torch, a, q, nan=False, **kw):
    """Values, shapes and gradients (of a random weighting of the output) as PyTorch's."""
    x, t = both(torch, a)
    qa, qt = qs(torch, q)
    name = "nanquantile" if nan else "quantile"
    ours, theirs = getattr(x, name)(qa, **kw), getattr(t, name)(qt, **kw)
    assert ours.shape == tuple(theirs.shape), (a.shape, q, kw)
    close(ours.detach().numpy(), theirs.detach().numpy())
    w = np.random.default_rng(1).standard_normal(ours.shape)
    (ours * ag.tensor(w)).sum().backward()
    (theirs * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_every_dim_keepdim_and_q_form_match_torch(torch, mode):
    rng = np.random.default_rng(0)
    for shape in shapes(rng):
        a = rng.standard_normal(shape)
        for q in (0.0, 0.37, 1.0, np.array(0.5), rng.uniform(size=3), np.array([0.0, 1.0, 0.5])):
            q = float(q) if isinstance(q, float) else q
            for keepdim in (False, True):
                check(torch, a, q, interpolation=mode, keepdim=keepdim)
                for dim in range(-len(shape), len(shape)):
                    check(torch, a, q, dim=dim, keepdim=keepdim, interpolation=mode)


@pytest.mark.parametrize("mode", MODES)
def test_ranks_on_exact_halves_round_as_torch(torch, mode):
    """q * (n - 1) landing on .5: nearest rounds half to even, midpoint takes the mean."""
    a = np.array([[0.0, 1.0, 2.0, 3.0], [10.0, -4.0, 2.5, 7.0]])
    check(torch, a, np.array([0.5, 0.25, 1 / 6, 5 / 6, 0.75]), dim=1, interpolation=mode)
    check(torch, a, 0.5, dim=0, interpolation=mode)


@pytest.mark.parametrize("mode", MODES)
def test_nanquantile_and_quantile_with_nans_match_torch(torch, mode):
    rng = np.random.default_rng(2)
    for shape in [(6,), (4, 5), (3, 4, 2)]:
        a = rng.standard_normal(shape)
        a[rng.uniform(size=shape) < 0.3] = NAN
        a.reshape(-1)[0] = NAN
        for dim in [None, *range(-len(shape), len(shape))]:
            q = np.array([0.1, 0.5, 0.9])
            # values everywhere (all-NaN slices included) ...
            for nan in (True, False):
                x, t = both(torch, a, requires_grad=False)
                name = "nanquantile" if nan else "quantile"
                ours = getattr(x, name)(ag.tensor(q), dim=dim, interpolation=mode)
                theirs = getattr(t, name)(torch.tensor(q), dim=dim, interpolation=mode)
                close(ours.numpy(), theirs.numpy())
            # ... gradients where every slice keeps a value (else which NaN is picked is
            # the sort's business)
            b = a.copy()
            if dim is None:
                b.reshape(-1)[1] = 0.25
            else:
                np.moveaxis(b, dim, 0)[0] = 0.25
            check(torch, b, q, nan=True, dim=dim, interpolation=mode)


def test_gradient_goes_to_the_two_order_statistics():
    x = ag.tensor([4.0, 1.0, 3.0, 2.0], dtype=ag.float64, requires_grad=True)
    x.quantile(0.5).backward()            # rank 1.5: halfway between 2 (at 3) and 3 (at 2)
    assert x.grad.tolist() == [0.0, 0.0, 0.5, 0.5]
    x.grad = None
    x.quantile(0.5, interpolation="higher").backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize("mode", MODES)
def test_gradcheck(mode):
    rng = np.random.default_rng(3)
    a = ag.tensor(rng.standard_normal((3, 5)), dtype=ag.float64, requires_grad=True)
    q = ag.tensor([0.1, 0.5, 0.85], dtype=ag.float64)
    assert gradcheck(lambda t: t.quantile(q, dim=1, interpolation=mode), (a,))
    assert gradcheck(lambda t: t.quantile(0.3, dim=0, keepdim=True, interpolation=mode), (a,))
    assert gradcheck(lambda t: t.nanquantile(0.7, interpolation=mode), (a,))
    assert gradgradcheck(lambda t: t.quantile(q, dim=-1, interpolation=mode), (a,))


def test_float32_matches_torch(torch):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((4, 9)).astype(np.float32)
    q = np.array([0.1, 0.33, 0.5], np.float32)
    for mode in MODES:
        ours = ag.tensor(a).quantile(ag.tensor(q), dim=1, interpolation=mode)
        theirs = torch.tensor(a).quantile(torch.tensor(q), dim=1, interpolation=mode)
        assert ours.dtype == np.float32
        close(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_scalar_input(torch):
    x, t = both(torch, np.array(3.0))
    for q in (0.5, np.array([0.2, 0.9])):
        qa, qt = qs(torch, q)
        for kw in ({}, {"dim": 0}, {"dim": -1, "keepdim": True}, {"keepdim": True}):
            assert x.quantile(qa, **kw).shape == tuple(t.quantile(qt, **kw).shape)


def test_out(torch):
    x = ag.tensor([[1.0, 5.0, 2.0], [0.0, 4.0, 8.0]], dtype=ag.float64)
    out = ag.empty(0, dtype=ag.float64)
    r = x.quantile(0.5, dim=1, out=out)
    assert r is out and out.tolist() == [2.0, 4.0]
    same = ag.zeros(2, dtype=ag.float64)
    x.quantile(1.0, dim=1, out=same)
    assert same.tolist() == [5.0, 8.0]


@pytest.mark.parametrize("call", [
    lambda m, x: x.quantile(1.5),
    lambda m, x: x.quantile(-0.1),
    lambda m, x: x.nanquantile(float("nan")),
    lambda m, x: x.quantile(m.tensor([0.2, 1.2], dtype=m.float64)),
    lambda m, x: x.quantile(m.tensor([0.2], dtype=m.float32)),
    lambda m, x: x.long().quantile(0.5),
    lambda m, x: x.quantile(m.tensor([[0.2]], dtype=m.float64)),
    lambda m, x: m.empty(0, 3, dtype=m.float64).quantile(0.5, dim=1),
    lambda m, x: x.quantile(0.5, interpolation="foo"),
    lambda m, x: x.quantile(0.5, dim=2),
    lambda m, x: x.quantile([0.5]),
])
def test_errors_as_torch(torch, call):
    with pytest.raises(Exception) as theirs:
        call(torch, torch.zeros(3, 4, dtype=torch.float64))
    with pytest.raises(type(theirs.value)) as ours:
        call(ag, ag.zeros(3, 4, dtype=ag.float64))
    assert "quantile" in str(ours.value) or "Dimension" in str(ours.value)


@pytest.mark.skipif(not hasattr(ag, "quantile"), reason="ag.quantile not exported yet")
def test_function_forms(torch):
    a = np.random.default_rng(5).standard_normal((3, 4))
    x, t = both(torch, a, requires_grad=False)
    close(ag.quantile(x, 0.4, dim=1).numpy(), torch.quantile(t, 0.4, dim=1).numpy())
    close(ag.nanquantile(x, 0.4, 0, True, interpolation="nearest").numpy(),
                                  torch.nanquantile(t, 0.4, 0, True, interpolation="nearest").numpy())
    with pytest.raises(RuntimeError, match="out tensor must be same dtype"):
        ag.quantile(x, 0.5, out=ag.empty(0, dtype=ag.float32))
    out = ag.empty(0, dtype=ag.float64)
    assert ag.nanquantile(x, 0.5, dim=0, out=out) is out and out.shape == (4,)
