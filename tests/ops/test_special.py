"""The functions of one tensor declared in ``ops/special.py``: each row of the table is
checked against PyTorch (float64 values and gradients; the function form
``autograd_core.<name>(x)``; the in-place ``x.<name>_()`` inside a graph; integer inputs)
and by ``gradcheck``/``gradgradcheck`` on random shapes. A new function is a class in
``ops/special.py`` and a row here."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core.ops import TENSOR_METHODS

# name -> the interval its inputs are drawn from (inside the domain, away from its edges)
DOMAIN = {
    "exp": (-2, 2), "exp2": (-2, 2), "expm1": (-2, 2),
    "log": (0.2, 3), "log2": (0.2, 3), "log10": (0.2, 3), "log1p": (-0.7, 3),
    "sqrt": (0.2, 3), "rsqrt": (0.2, 3),
    "sin": (-3, 3), "cos": (-3, 3), "tan": (-1.2, 1.2),
    "asin": (-0.9, 0.9), "acos": (-0.9, 0.9), "atan": (-3, 3),
    "sinh": (-2, 2), "cosh": (-2, 2), "tanh": (-2, 2),
    "asinh": (-3, 3), "acosh": (1.2, 3), "atanh": (-0.9, 0.9),
    "sigmoid": (-4, 4), "erf": (-2, 2),
}


def test_every_registered_function_has_a_row():
    assert set(TENSOR_METHODS) == set(DOMAIN)


def _inputs(name, shape=(3, 4), seed=0):
    low, high = DOMAIN[name]
    return np.random.default_rng(seed).uniform(low, high, size=shape)


@pytest.mark.parametrize("name", sorted(DOMAIN))
def test_values_and_gradients_match_pytorch(torch, name):
    a = _inputs(name)
    g = np.random.default_rng(1).standard_normal(a.shape)
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for out, tout in ((getattr(x, name)(), getattr(tx, name)()),
                      (getattr(ag, name)(x), getattr(torch, name)(tx))):
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12,
                                   atol=1e-14)
        out.backward(ag.tensor(g))
        tout.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("name", sorted(DOMAIN))
def test_in_place_form_inside_a_graph_matches_pytorch(torch, name):
    a = _inputs(name)
    results = []
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        h = x * 1
        getattr(h, name + "_")()
        try:
            (h * h).sum().backward()
        except NotImplementedError:  # PyTorch has no derivative for acosh_, asinh_, atanh_:
            x = lib.tensor(a, requires_grad=True)   # compare with its out-of-place form
            h = getattr(x * 1, name)()
            (h * h).sum().backward()
        results.append((h.detach().numpy(), x.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("name", sorted(DOMAIN))
def test_integer_inputs_give_the_default_float_dtype(torch, name):
    low, high = DOMAIN[name]
    ints = [max(int(np.ceil(low)), 1 if name == "acosh" else -1), min(int(high), 1)]
    ours, theirs = getattr(ag.tensor(ints), name)(), getattr(torch.tensor(ints), name)()
    assert ours.dtype == ag.float32 and str(theirs.dtype) == "torch.float32"
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(DOMAIN))
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), seed=st.integers(0, 2 ** 31))
@settings(max_examples=6)
def test_first_and_second_derivatives(name, shape, seed):
    x = ag.tensor(_inputs(name, shape, seed), requires_grad=True)
    fn = getattr(ag, name)
    assert ag.gradcheck(fn, (x,))
    assert ag.gradgradcheck(fn, (x,))
