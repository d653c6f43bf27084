"""Gradients at kinks, at zeros and at other edge points, and inputs PyTorch refuses
(issue #12, items 8 and 9).

Every case runs the same function on autograd_core and on PyTorch in float64 and
compares values and input gradients for a given upstream gradient (which may hold inf
or NaN), through both backward paths: the array one (``backward``) and the graph of
the gradient (``create_graph=True``). Where the function is smooth at the point,
``gradcheck`` checks the gradient against finite differences too.
"""
import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from parity import leaf

INF, NAN = float("inf"), float("nan")


def fn_of(m):
    """``nn.functional`` of the module: ours for autograd_core, PyTorch's for torch."""
    return F if m is ag else m.nn.functional


def _run(m, fn, arrays, grad, create_graph):
    if m is ag:
        ins = [leaf(a) for a in arrays]
    else:
        ins = [m.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(m, *ins)
    g = np.array(np.broadcast_to(np.asarray(grad, dtype=np.float64), tuple(out.shape)))
    grad_fn = ag.grad if m is ag else m.autograd.grad
    gs = grad_fn(out, ins, m.tensor(g), create_graph=create_graph, allow_unused=True)
    return (np.asarray(out.detach().numpy()),
            [None if x is None else np.asarray(x.detach().numpy()) for x in gs])


def _close(ours, theirs):
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def check(torch, fn, arrays, grad=1.0):
    """``fn(module, *leaves)`` gives PyTorch's values and input gradients for the upstream
    gradient ``grad`` (broadcast to the output's shape), on both backward paths."""
    for create_graph in (False, True):
        ov, og = _run(ag, fn, arrays, grad, create_graph)
        tv, tg = _run(torch, fn, arrays, grad, create_graph)
        assert ov.shape == tv.shape
        _close(ov, tv)
        for a, b in zip(og, tg):
            assert (a is None) == (b is None)
            if a is not None:
                _close(a, b)


def check_second(torch, fn, arrays):
    """Second derivatives: the gradient of ``sum(w * d out / d inputs)`` as PyTorch's."""
    res = []
    for m in (ag, torch):
        ins = [leaf(a) for a in arrays] if m is ag else [
            m.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
        out = fn(m, *ins)
        g = m.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
        grad_fn = ag.grad if m is ag else m.autograd.grad
        gs = grad_fn(out, ins, g, create_graph=True)
        total = sum((x * m.tensor(np.linspace(-1.0, 2.0, x.numel()).reshape(tuple(x.shape))))
                    .sum() for x in gs)
        res.append([np.asarray(x.detach().numpy()) for x in grad_fn(total, ins)])
    for a, b in zip(*res):
        _close(a, b)


# ------------------------------------------------------------------ 1. softplus
def test_softplus_gradient_at_zero_is_a_half(torch):
    check(torch, lambda m, x: fn_of(m).softplus(x), [[-1.0, 0.0, 1.0]])
    x = leaf([0.0])
    F.softplus(x).sum().backward()
    assert x.grad.tolist() == [0.5]


@pytest.mark.parametrize("beta,threshold", [(1.0, 20.0), (2.0, 20.0), (2.0, 1.0), (0.5, 20.0),
                                            (-1.0, 20.0), (1.0, 0.0), (3.0, -1.0)])
def test_softplus_beta_and_threshold(torch, beta, threshold):
    # around 0 and on both sides of the threshold, where beta * x > threshold is linear
    xs = [-30.0, -1.0, 0.0, 0.3, threshold / beta, threshold / beta + 0.25, 40.0]
    check(torch, lambda m, x: fn_of(m).softplus(x, beta=beta, threshold=threshold), [xs])
    check(torch, lambda m, x: fn_of(m).softplus(x, beta=beta, threshold=threshold), [xs],
          grad=[INF, NAN, INF, -INF, INF, NAN, INF])
    check_second(torch, lambda m, x: fn_of(m).softplus(x, beta=beta, threshold=threshold), [xs])


def test_softplus_gradcheck_at_zero():
    x = leaf([0.0, -0.5, 2.0])
    assert ag.gradcheck(lambda t: F.softplus(t, beta=2.0), (x,))
    assert ag.gradgradcheck(lambda t: F.softplus(t), (x,))


def test_logsigmoid_is_the_softplus_of_minus_x(torch):
    xs = [-100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0]
    check(torch, lambda m, x: fn_of(m).logsigmoid(x), [xs])
    check(torch, lambda m, x: fn_of(m).logsigmoid(x), [xs], grad=INF)
