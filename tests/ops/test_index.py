"""Indexed writes (``ops/index.py``, ``tensor/index.py``) against PyTorch in float64 (values
and gradients): scatter_reduce for every reduction, with and without self, and
``scatter(reduce=)``; ties, zeros, integers and errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import arr, assert_matches_torch, leaf


def _scatter_case(seed, self_shape=(4, 5), index_shape=(3, 4), src_shape=(3, 6), dim=1):
    rng = np.random.default_rng(seed)
    n = self_shape[dim]
    index = rng.integers(0, n, size=index_shape)
    return arr(self_shape, seed=seed + 1), index, arr(src_shape, seed=seed + 2)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_scatter_reduce_values_and_gradients_as_torch(torch, reduce, include_self, dim):
    a, index, src = _scatter_case(20 + dim, dim=dim, src_shape=(3, 4))
    assert_matches_torch(torch, lambda m, x, s: x.scatter_reduce(
        dim, m.tensor(index), s, reduce, include_self=include_self), [a, src])
    x, s = leaf(a), leaf(src)
    idx = ag.tensor(index)
    assert ag.gradcheck(lambda t, u: t.scatter_reduce(dim, idx, u, reduce,
                                                      include_self=include_self), (x, s))
    if reduce in ("sum", "mean", "prod"):
        assert ag.gradgradcheck(lambda t, u: t.scatter_reduce(dim, idx, u, reduce,
                                                              include_self=include_self), (x, s))


def test_scatter_reduce_ties_zeros_and_function_form(torch):
    # ties share the gradient of amax; zeros in prod
    a = np.array([1.0, 5.0, 0.0, 2.0])
    src = np.array([5.0, 3.0, 0.0, 5.0, 4.0, 0.0])
    index = np.array([1, 0, 2, 1, 3, 3])
    for reduce in ("amax", "amin", "prod"):
        for include_self in (True, False):
            assert_matches_torch(torch, lambda m, x, s: m.scatter_reduce(
                x, 0, m.tensor(index), s, reduce, include_self=include_self), [a, src])


def test_scatter_reduce_integers_and_errors(torch):
    a, s, i = [5, 3, -8], [2, 4, 7, -3], [0, 0, 1, 2]
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            ours = ag.tensor(a).scatter_reduce(0, ag.tensor(i), ag.tensor(s), reduce,
                                               include_self=include_self)
            theirs = torch.tensor(a).scatter_reduce(0, torch.tensor(i), torch.tensor(s), reduce,
                                                    include_self=include_self)
            assert ours.dtype == ag.int64 and ours.tolist() == theirs.tolist(), reduce
    with pytest.raises(RuntimeError, match="reduce argument must be either sum, prod, mean, amax"):
        ag.zeros(3).scatter_reduce(0, ag.tensor([0]), ag.ones(1), "max")
    with pytest.raises(TypeError):
        ag.zeros(3).scatter_reduce(0, ag.tensor([0]), ag.ones(1), "sum", True)


@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_with_reduce_as_torch(torch, reduce):
    a, index, src = _scatter_case(30, src_shape=(3, 4))
    ours = ag.tensor(a).scatter(1, ag.tensor(index), ag.tensor(src), reduce=reduce)
    theirs = torch.tensor(a).scatter(1, torch.tensor(index), torch.tensor(src), reduce=reduce)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    ours = ag.tensor(a).scatter(1, ag.tensor(index), 1.5, reduce=reduce)
    theirs = torch.tensor(a).scatter(1, torch.tensor(index), 1.5, reduce=reduce)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    out = leaf(a).scatter(1, ag.tensor(index), leaf(src), reduce=reduce)
    with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
        out.sum().backward()
    with pytest.raises(RuntimeError, match="reduce argument must be either add or multiply"):
        ag.tensor(a).scatter(1, ag.tensor(index), 1.5, reduce="max")
