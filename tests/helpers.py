"""Helpers shared by the tensor-op test files: float64 leaves of random arrays, and one
check of values and gradients against PyTorch."""
from __future__ import annotations

import numpy as np

import autograd_core as ag


def arr(shape, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def leaf(a):
    return ag.tensor(np.array(a, dtype=np.float64), requires_grad=True)


def assert_matches_torch(torch, fn, arrays) -> None:
    """``fn(module, *tensors)`` run on our float64 leaves and on PyTorch's: same shape,
    float64 values and input gradients (for one random output gradient) to 1e-10."""
    ours = [leaf(a) for a in arrays]
    theirs = [torch.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out, tout = fn(ag, *ours), fn(torch, *theirs)
    assert out.shape == tuple(tout.shape) and out.dtype == np.float64
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(7).standard_normal(out.shape)
    out.backward(ag.tensor(g))
    tout.backward(torch.tensor(g))
    for a, ta in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
