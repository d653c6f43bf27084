"""``kernels/softmax.py``: softmax and log-softmax rows in float32, forward and backward,
against float64 PyTorch (to float32's rounding), NaN and inf rows as PyTorch's, the same
bits on one thread and on two, the backward in place, and the ops that reach them."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.kernels import threads
from autograd_core.kernels.softmax import (log_softmax_backward_rows, log_softmax_rows,
                                           softmax_backward_rows, softmax_rows)

SHAPES = [(1, 1), (3, 7), (64, 256), (5, 1000), (2, 50_000)]


@pytest.mark.parametrize("shape", SHAPES)
def test_rows_match_torch_in_float64(torch, shape):
    rng = np.random.default_rng(shape[1])
    x = (rng.standard_normal(shape) * 4).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    X = torch.from_numpy(x).double().requires_grad_(True)
    G = torch.from_numpy(g).double()
    for rows, backward, fn in ((softmax_rows, softmax_backward_rows, torch.softmax),
                               (log_softmax_rows, log_softmax_backward_rows, torch.log_softmax)):
        Y = fn(X, 1)
        (dX,) = torch.autograd.grad(Y, X, G)
        y = rows(x)
        dx = backward(g, y, np.empty_like(g))
        # float32 rounding of values of magnitude ~1 (softmax's terms are at most 1;
        # log-softmax's up to ~40 here, its gradient's ~ |g|)
        scale = np.maximum(1.0, np.abs(Y.detach().numpy()))
        assert (np.abs(y - Y.detach().numpy()) / scale).max() < 1e-6
        assert np.abs(dx - dX.numpy()).max() < 2e-6 * max(1.0, np.abs(g).sum(1).max() ** 0.5)


def test_nan_and_inf_rows_as_torch(torch):
    x = np.array([[1.0, np.nan, 2.0], [np.nan, 1.0, 0.0], [np.inf, 1.0, 0.0],
                  [-np.inf, 0.0, 0.0], [-np.inf, -np.inf, -np.inf]], np.float32)
    for rows, fn in ((softmax_rows, torch.softmax), (log_softmax_rows, torch.log_softmax)):
        got, want = rows(x), fn(torch.from_numpy(x), 1).numpy()
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_allclose(got[~np.isnan(got)], want[~np.isnan(want)], rtol=1e-6)


def test_two_threads_give_the_same_bits():
    x = np.random.default_rng(0).standard_normal((600, 1000)).astype(np.float32)
    g = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    results = []
    before = threads.get_num_threads()
    try:
        for n in (1, 2):
            threads.set_num_threads(n)
            y = softmax_rows(x)
            results.append((y, softmax_backward_rows(g, y, np.empty_like(g)),
                            log_softmax_rows(x)))
    finally:
        threads.set_num_threads(before)
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_backward_in_place():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 600)).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)
    for rows, backward in ((softmax_rows, softmax_backward_rows),
                           (log_softmax_rows, log_softmax_backward_rows)):
        y = rows(x)
        want = backward(g, y, np.empty_like(g))
        inplace = g.copy()
        assert backward(inplace, y, inplace) is inplace
        np.testing.assert_array_equal(inplace, want)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [-1, 1])
def test_ops_reach_the_kernels_and_match_torch(torch, name, dim, monkeypatch):
    """float32 rows of 4096 elements and more take the kernels (counted here); the values
    and gradients against PyTorch's float32, other dims through NumPy's passes."""
    from autograd_core.kernels import softmax as rows_module
    calls = []
    for attr in ("softmax_rows", "log_softmax_rows", "softmax_backward_rows",
                 "log_softmax_backward_rows"):
        fn = getattr(rows_module, attr)
        monkeypatch.setattr(rows_module, attr,
                            lambda *a, _fn=fn, _n=attr: calls.append(_n) or _fn(*a))
    x = np.random.default_rng(3).standard_normal((4, 32, 64)).astype(np.float32)
    g = np.random.default_rng(4).standard_normal(x.shape).astype(np.float32)
    ours = ag.tensor(x, requires_grad=True)
    theirs = torch.from_numpy(x).requires_grad_(True)
    y = getattr(ag.nn.functional, name)(ours, dim=dim)
    Y = getattr(torch.nn.functional, name)(theirs, dim=dim)
    y.backward(ag.tensor(g))
    Y.backward(torch.from_numpy(g))
    np.testing.assert_allclose(y.detach().numpy(), Y.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert len(calls) == (2 if dim == -1 else 0)
