"""Reductions and scans (``ops/reduce.py``, ``tensor/reduce.py``) against PyTorch in float64
(values, indices and gradients) and by gradcheck/gradgradcheck: cummax / cummin,
logcumsumexp, kthvalue, mode, nansum / nanmean, aminmax, max / min along a dim."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from tests.helpers import arr, assert_matches_torch, leaf


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("shape,dim", [((7,), 0), ((3, 5), 1), ((4, 3, 2), 0), ((4, 3, 2), -2)])
def test_cummax_cummin_values_indices_and_gradients_as_torch(torch, name, shape, dim):
    # rounded values: ties, which go to the later index
    a = np.round(arr(shape, seed=1) * 2) / 2
    v, i = getattr(ag.tensor(a), name)(dim)
    tv, ti = getattr(torch.tensor(a), name)(dim)
    np.testing.assert_array_equal(v.numpy(), tv.numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert i.dtype == ag.int64
    assert_matches_torch(torch, lambda m, x: getattr(m, name)(x, dim=dim).values, [a])
    assert_matches_torch(torch, lambda m, x: getattr(x, name)(dim)[0] * 2, [arr(shape, seed=2)])


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_with_nan_ints_and_0d_as_torch(torch, name):
    a = np.array([1.0, 3.0, np.nan, 2.0, np.nan, 5.0])
    v, i = getattr(ag.tensor(a), name)(0)
    tv, ti = getattr(torch.tensor(a), name)(0)
    np.testing.assert_array_equal(v.numpy(), tv.numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    b = np.array([[3, 1, 3, 0, 4]], dtype=np.int32)
    v, i = getattr(ag.tensor(b), name)(-1)
    tv, ti = getattr(torch.tensor(b), name)(-1)
    assert v.dtype == ag.int32 and v.tolist() == tv.tolist() and i.tolist() == ti.tolist()
    v, i = getattr(ag.tensor(2.5), name)(0)
    assert v.shape == () and v.item() == 2.5 and i.item() == 0
    with pytest.raises(IndexError):
        getattr(ag.tensor(2.5), name)(1)


def test_cummax_gradcheck():
    x = leaf(arr((3, 4), seed=3))
    assert ag.gradcheck(lambda t: t.cummax(1).values, (x,))
    assert ag.gradgradcheck(lambda t: t.cummin(0).values * t, (x,))


@pytest.mark.parametrize("shape,dim", [((6,), 0), ((3, 5), 1), ((4, 3, 2), 0)])
def test_logcumsumexp_as_torch(torch, shape, dim):
    assert_matches_torch(torch, lambda m, x: m.logcumsumexp(x, dim), [arr(shape, seed=4)])
    x = leaf(arr(shape, seed=5))
    assert ag.gradcheck(lambda t: t.logcumsumexp(dim), (x,))
    assert ag.gradgradcheck(lambda t: t.logcumsumexp(dim), (x,))


def test_logcumsumexp_does_not_overflow_and_refuses_integers(torch):
    a = np.array([0.0, 1000.0, -1000.0, 1000.0])
    np.testing.assert_allclose(ag.tensor(a).logcumsumexp(0).numpy(),
                               torch.tensor(a).logcumsumexp(0).numpy(), rtol=1e-12)
    x = leaf(a)
    x.logcumsumexp(0).sum().backward()
    tx = torch.tensor(a, requires_grad=True)
    tx.logcumsumexp(0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-300)
    with pytest.raises(NotImplementedError, match="'Long'"):
        ag.tensor([1, 2]).logcumsumexp(0)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), data=st.data())
def test_cumulative_ops_gradcheck_on_random_shapes(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    seed = data.draw(st.integers(0, 2**16))
    x = leaf(np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) / 3.0)
    assert ag.gradcheck(lambda t: t.logcumsumexp(dim), (x,))
    assert ag.gradcheck(lambda t: t.cummax(dim).values + t.cummin(dim)[0], (x,))
    assert ag.gradgradcheck(lambda t: t.logcumsumexp(dim), (x,))


def test_kthvalue_mode_as_torch(torch):
    a = np.random.default_rng(50).permutation(24).reshape(4, 6).astype(np.float64)
    for k, dim, keepdim in [(1, 1, False), (3, 0, True), (6, -1, False)]:
        assert_matches_torch(torch, lambda m, x: x.kthvalue(k, dim, keepdim).values, [a])
        ours, theirs = ag.tensor(a).kthvalue(k, dim=dim), torch.tensor(a).kthvalue(k, dim=dim)
        assert ours.indices.tolist() == theirs.indices.tolist()
    b = np.array([[3.0, 1.0, 3.0, 2.0, 1.0, 5.0], [2.0, 2.0, 7.0, 7.0, 7.0, 0.0]])
    for dim, keepdim in [(1, False), (-1, True), (0, False)]:
        ours, theirs = ag.tensor(b).mode(dim, keepdim), torch.tensor(b).mode(dim, keepdim)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
        assert_matches_torch(torch, lambda m, x: m.mode(x, dim=dim, keepdim=keepdim)[0], [b])
    ours, theirs = ag.tensor([2, 2, 1, 1, 3]).mode(0), torch.tensor([2, 2, 1, 1, 3]).mode(0)
    assert (ours.values.item(), ours.indices.item()) == (theirs.values.item(),
                                                         theirs.indices.item())
    assert ag.tensor(3.0).kthvalue(1).values.item() == 3.0


def test_nansum_nanmean_aminmax_as_torch(torch):
    a = arr((3, 4), seed=51)
    a[0, 1] = a[2, 3] = np.nan
    for case in (lambda m, x: x.nansum(), lambda m, x: m.nansum(x, dim=1),
                 lambda m, x: x.nanmean(0, keepdim=True), lambda m, x: m.nanmean(x, axis=1)):
        assert_matches_torch(torch, case, [a])
    b = arr((3, 4), seed=52)
    for case in (lambda m, x: x.aminmax(dim=1).min * 2 + x.aminmax(dim=1).max,
                 lambda m, x: m.aminmax(x)[1], lambda m, x: x.aminmax(dim=0, keepdim=True)[0]):
        assert_matches_torch(torch, case, [b])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("watch", [None, "hook", "retain_grad"])
def test_softmax_backward_into_a_summed_gradient_as_torch(torch, name, watch):
    # the output is used twice, so its gradient is a sum the engine made: the op writes
    # its backward into that sum unless a hook or retain_grad has seen it
    x = arr((5, 7), seed=3)
    seen = {}
    for lib, t in ((ag, ag.tensor(x, requires_grad=True)), (torch, torch.tensor(x, requires_grad=True))):
        y = getattr(lib.nn.functional, name)(t * 2, dim=1)
        if watch == "hook":
            y.register_hook(lambda g, k=lib.__name__: seen.update({k: g.numpy()}))  # kept, not copied
        elif watch == "retain_grad":
            y.retain_grad()
        (y * y + 3 * y).sum().backward()
        if watch == "retain_grad":
            seen[lib.__name__] = y.grad.numpy()  # not copied: must not be overwritten
        seen[lib.__name__ + ".x"] = t.grad.numpy()
    np.testing.assert_allclose(seen["autograd_core.x"], seen["torch.x"], rtol=1e-12)
    if watch is not None:
        np.testing.assert_allclose(seen["autograd_core"], seen["torch"], rtol=1e-12)


@pytest.mark.parametrize("shape,dim,keepdim", [((3, 4, 5), None, False), ((3, 4, 5), 1, True),
                                               ((3, 4, 5), (0, -1), False), ((2, 0, 3), 1, False),
                                               ((), None, False), ((4,), 0, True)])
def test_mean_is_one_op_like_pytorch(torch, shape, dim, keepdim):
    """mean() is one node (``MeanBackward0``, as PyTorch's), with PyTorch's values and
    gradients in float64 (an empty mean is NaN), float32 kept, and second derivatives."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape)
    ox, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    kw = {} if dim is None else {"dim": dim, "keepdim": keepdim}
    ours, theirs = ox.mean(**kw), tx.mean(**kw)
    assert ours.grad_fn.name() == "MeanBackward0"
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    g = rng.standard_normal(tuple(theirs.shape))
    ours.backward(ag.tensor(g))
    theirs.backward(torch.tensor(g))
    np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    if x.size:
        small = ag.tensor(x, requires_grad=True)
        assert ag.gradgradcheck(lambda a: (a.mean(**kw) ** 2).sum(), (small,))
    assert ag.tensor(x.astype(np.float32)).mean(**kw).dtype == ag.float32


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("shape,dim,keepdim", [((2, 5), 1, False), ((2, 5), 1, True), ((4, 3, 5), 0, False),
                                               ((4, 3, 5), -1, True), ((4, 3, 5), 1, False), ((6,), 0, False)])
def test_max_min_along_a_dim_one_node_as_torch(torch, name, shape, dim, keepdim):
    a = arr(shape, seed=3)
    v, i = getattr(ag.tensor(a, requires_grad=True), name)(dim, keepdim=keepdim)
    tv, ti = getattr(torch.tensor(a, requires_grad=True), name)(dim, keepdim=keepdim)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert i.dtype == ag.int64
    # one node, PyTorch's: its input is the leaf itself (no gather-then-squeeze chain)
    assert v.grad_fn.name() == tv.grad_fn.name() == f"{name.capitalize()}Backward0"
    assert v.grad_fn.next_functions[0][0] is not None and not v.grad_fn.next_functions[0][0]._is_fn
    assert_matches_torch(torch, lambda m, x: getattr(x, name)(dim, keepdim=keepdim).values * x.sum(), [a])
    # second derivatives (the recorded backward)
    x = leaf(a)
    tx = torch.tensor(a, requires_grad=True)
    (g,) = ag.autograd.grad((getattr(x, name)(dim, keepdim=keepdim)[0] ** 3).sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad((getattr(tx, name)(dim, keepdim=keepdim)[0] ** 3).sum(), tx,
                                create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy(), rtol=1e-10, atol=1e-12)
    (g * g).sum().backward()
    (tg * tg).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_max_along_a_dim_gradcheck_and_nan():
    x = ag.tensor(arr((3, 4), seed=4), requires_grad=True)
    assert ag.gradcheck(lambda t: t.max(1).values * 2 + t.min(0, keepdim=True)[0].sum(), (x,))
    assert ag.gradgradcheck(lambda t: t.max(0)[0] * t[0], (x,))
    v, i = ag.tensor([[1.0, float("nan"), 3.0]]).max(1)   # NaN is the maximum, as PyTorch's
    assert np.isnan(v.item()) and i.item() == 1
