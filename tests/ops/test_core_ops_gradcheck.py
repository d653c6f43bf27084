"""Every differentiable Tensor op against central finite differences (float64),
on hypothesis-drawn shapes with broadcasting, first and second derivatives."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import gradcheck, gradgradcheck

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)
seeds = st.integers(0, 2**31 - 1)


def leaf(shape, seed, low=-2.0, high=2.0, away_from_zero=False):
    rng = np.random.default_rng(seed)
    a = np.asarray(rng.uniform(low, high, size=shape))
    if away_from_zero:  # keep kinks (relu, abs, clamp bounds) out of the finite differences
        a = np.where(a < 0, a - 0.1, a + 0.1)
    return ag.tensor(a, dtype=ag.float64, requires_grad=True)


def check(fn, *inputs, second=True):
    assert gradcheck(fn, inputs)
    if second:
        assert gradgradcheck(fn, inputs)


UNARY = {
    "neg": (lambda x: -x, {}),
    "abs": (lambda x: x.abs(), dict(away_from_zero=True)),
    "exp": (lambda x: x.exp(), {}),
    "log": (lambda x: x.log(), dict(low=0.3, high=3.0)),
    "sqrt": (lambda x: x.sqrt(), dict(low=0.3, high=3.0)),
    "sin": (lambda x: x.sin(), {}),
    "cos": (lambda x: x.cos(), {}),
    "tanh": (lambda x: x.tanh(), {}),
    "sigmoid": (lambda x: x.sigmoid(), {}),
    "relu": (lambda x: x.relu(), dict(away_from_zero=True)),
    "clamp": (lambda x: x.clamp(-0.05, 0.05) + x.clamp(min=0.05) + x.clamp(max=-0.05),
              dict(away_from_zero=True)),
    "pow_scalar": (lambda x: x ** 3, {}),
    "rpow": (lambda x: 2.0 ** x, {}),
    "square": (lambda x: x.square(), {}),
    "rsub_rdiv": (lambda x: (1 - x) / (2 + x * x), {}),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=shapes, seed=seeds)
@settings(max_examples=8)
def test_unary(name, shape, seed):
    fn, kw = UNARY[name]
    check(fn, leaf(shape, seed, **kw))


BINARY = {
    "add": (lambda a, b: a + b, {}),
    "sub": (lambda a, b: a - b, {}),
    "mul": (lambda a, b: a * b, {}),
    "div": (lambda a, b: a / b, dict(low=0.5, high=2.0)),
    "pow": (lambda a, b: a ** b, dict(low=0.5, high=2.0)),
    "maximum": (lambda a, b: ag.maximum(a, b), {}),
    "minimum": (lambda a, b: ag.minimum(a, b), {}),
    "where": (lambda a, b: ag.where(a > b, a * 2, b * b), {}),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(shapes=pairs, seed=seeds)
@settings(max_examples=8)
def test_binary_with_broadcasting(name, shapes, seed):
    fn, kw = BINARY[name]
    (sa, sb), _ = shapes
    a, b = leaf(sa, seed, **kw), leaf(sb, seed + 1, **kw)
    check(fn, a, b)


def dims_for(shape, draw):
    if not shape:
        return None
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none":
        return None
    if choice == "int":
        return draw(st.integers(-len(shape), len(shape) - 1))
    return tuple(draw(st.sets(st.integers(0, len(shape) - 1), min_size=1)))


REDUCE = {
    "sum": lambda x, d, k: x.sum(d, keepdim=k),
    "mean": lambda x, d, k: x.mean(d, keepdim=k),
    "var": lambda x, d, k: x.var(d, keepdim=k),
    "std": lambda x, d, k: x.std(d, keepdim=k, correction=0) + 0 * x.sum(),
    "logsumexp": lambda x, d, k: x.logsumexp(d if d is not None else 0, keepdim=k) if x.ndim else x,
}


@pytest.mark.parametrize("name", sorted(REDUCE))
@given(data=st.data(), shape=shapes, seed=seeds)
@settings(max_examples=8)
def test_reductions(name, data, shape, seed):
    dim = dims_for(shape, data.draw)
    if name == "logsumexp" and isinstance(dim, tuple):
        dim = dim[0]
    keep = data.draw(st.booleans())
    x = leaf(shape, seed)
    if name in ("var", "std"):
        n = int(np.prod([shape[d] for d in ((dim,) if isinstance(dim, int) else dim or range(len(shape)))]))
        if n < 2:
            return  # the unbiased variance of one number is undefined (nan), as in PyTorch
    check(lambda t: REDUCE[name](t, dim, keep), x)


@given(data=st.data(), shape=shapes.filter(lambda s: len(s) >= 1), seed=seeds)
@settings(max_examples=8)
def test_max_min_prod_softmax_along_dim(data, shape, seed):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keep = data.draw(st.booleans())
    x = leaf(shape, seed, away_from_zero=True)
    check(lambda t: t.max(dim, keepdim=keep).values, x)
    check(lambda t: t.min(dim, keepdim=keep).values, x)
    check(lambda t: t.max() * t.min(), x)
    check(lambda t: t.prod(dim, keepdim=keep), x)
    check(lambda t: t.prod(), x)
    check(lambda t: t.softmax(dim) * t, x)
    check(lambda t: t.log_softmax(dim) * t, x)


def test_prod_with_zeros():
    x = ag.tensor([[2.0, 0.0, 3.0], [1.0, 4.0, 5.0]], dtype=ag.float64, requires_grad=True)
    x.prod(1).sum().backward()
    assert x.grad.tolist() == [[0.0, 6.0, 0.0], [20.0, 5.0, 4.0]]
    assert gradcheck(lambda t: t.prod(1), (x,))


def test_max_splits_gradient_at_ties_without_dim_and_picks_index_with_dim():
    x = ag.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]
    x.grad = None
    v, i = x.max(0)
    assert i.item() == 1
    v.backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


MATMUL_SHAPES = [
    ((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
    ((1, 2, 3), (4, 3, 2)), ((2, 1, 2, 3), (3, 3, 1)), ((4, 2, 3), (3,)), ((3,), (4, 3, 2)),
    ((2, 4, 2, 3), (3, 4)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_shapes_and_broadcast_batches(sa, sb):
    a, b = leaf(sa, 1), leaf(sb, 2)
    out = a @ b
    assert out.shape == np.matmul(a._data, b._data).shape
    np.testing.assert_allclose(out._data, np.matmul(a._data, b._data))
    check(lambda x, y: x @ y, a, b)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_stack_times_a_matrix_gradients_are_pytorchs(dtype):
    """``x @ W`` with x (B, T, K) and W (K, N), as makemore's hand-written Linear on 3-D
    input: W's gradient (one product of the stacked rows) and x's, from the array backward
    and from the recorded one (create_graph), against PyTorch's."""
    from tests.helpers import torch_or_skip
    torch = torch_or_skip()
    rng = np.random.default_rng(4)
    xs, ws = rng.standard_normal((8, 4, 6)).astype(dtype), rng.standard_normal((6, 5)).astype(dtype)
    tol = 1e-5 if dtype == "float32" else 1e-12
    tx, tw = torch.tensor(xs, requires_grad=True), torch.tensor(ws, requires_grad=True)
    want = torch.autograd.grad(((tx @ tw) ** 2).sum(), (tx, tw))
    for create_graph in (False, True):
        x, w = ag.tensor(xs, requires_grad=True), ag.tensor(ws, requires_grad=True)
        got = ag.autograd.grad(((x @ w) ** 2).sum(), (x, w), create_graph=create_graph)
        for g, t in zip(got, want):
            assert g.dtype == x.dtype
            np.testing.assert_allclose(g.detach().numpy(), t.numpy(), rtol=tol, atol=tol)
        # the weight's gradient alone, the stack a constant (x saved, W not)
        w = ag.tensor(ws, requires_grad=True)
        (gw,) = ag.autograd.grad(((ag.tensor(xs) @ w) ** 2).sum(), (w,),
                                 create_graph=create_graph)
        np.testing.assert_allclose(gw.detach().numpy(), want[1].numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("sa,sb", [((5,), (5,)), ((3, 5), (5,)), ((5,), (5, 4)),
                                   ((2, 3, 5), (5,)), ((5,), (3, 1, 5, 2))])
def test_a_vector_operand_is_one_node_with_pytorchs_gradients(sa, sb):
    """``M @ v``, ``v @ M`` and ``u @ v`` record one node (PyTorch's mv and dot), not an
    unsqueeze, a product and a squeeze; values and both gradients are PyTorch's in float64,
    from the array backward and from the recorded one, with one side constant too."""
    from tests.helpers import torch_or_skip
    torch = torch_or_skip()
    rng = np.random.default_rng(5)
    A, B = rng.standard_normal(sa), rng.standard_normal(sb)
    ta, tb = torch.tensor(A, requires_grad=True), torch.tensor(B, requires_grad=True)
    tout = ta @ tb
    G = rng.standard_normal(tuple(tout.shape))
    want = torch.autograd.grad(tout, (ta, tb), torch.tensor(G))
    for create_graph in (False, True):
        a, b = ag.tensor(A, requires_grad=True), ag.tensor(B, requires_grad=True)
        out = a @ b
        assert out.grad_fn.name() == "MatMulBackward0"
        assert {type(n).__name__ for n, _ in out.grad_fn.next_functions} == {"Tensor"}
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
        got = ag.autograd.grad(out, (a, b), ag.tensor(G), create_graph=create_graph)
        for g, t in zip(got, want):
            np.testing.assert_allclose(g.detach().numpy(), t.numpy(), rtol=1e-12, atol=1e-12)
        a = ag.tensor(A, requires_grad=True)
        (ga,) = ag.autograd.grad(a @ ag.tensor(B), (a,), ag.tensor(G), create_graph=create_graph)
        np.testing.assert_allclose(ga.detach().numpy(), want[0].numpy(), rtol=1e-12, atol=1e-12)
    with pytest.raises(RuntimeError, match=r"matmul.*\(4 != 5\)"):
        ag.ones(3, 4) @ ag.ones(5)


@pytest.mark.parametrize("shape,dim,keepdim", [((3, 4), 1, False), ((3, 4), (0, 1), True),
                                               ((2, 3, 4), (0, 2), False), ((5,), 0, True)])
def test_logsumexp_is_one_node_with_pytorchs_values_and_gradients(shape, dim, keepdim):
    from tests.helpers import torch_or_skip
    torch = torch_or_skip()
    x = leaf(shape, 3)
    out = x.logsumexp(dim, keepdim=keepdim)
    assert out.grad_fn.name() == "LogSumExpBackward0" and out.grad_fn.next == (x,)
    from tests.helpers import assert_matches_torch
    assert_matches_torch(torch, lambda m, t: m.logsumexp(t, dim, keepdim=keepdim), [x._data])
    check(lambda t: t.logsumexp(dim, keepdim=keepdim), x)


def test_logsumexp_of_infinite_slices_as_pytorch():
    from tests.helpers import torch_or_skip
    torch = torch_or_skip()
    inf = float("inf")
    for rows in ([[-inf, -inf], [0.0, 1.0]], [[inf, 1.0], [0.0, 1.0]], [[np.nan, 1.0], [0.0, 1.0]]):
        x, t = ag.tensor(rows, requires_grad=True), torch.tensor(rows, requires_grad=True)
        out, tout = x.logsumexp(1), t.logsumexp(1)
        out.sum().backward()
        tout.sum().backward()
        # the same infinities and NaNs; the finite values to an ulp (each library's exp/log)
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-15)
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-15)


def test_max_of_all_finds_its_shares_in_backward_from_the_saved_input():
    # the forward is one reduction; the ties and NaNs are read in backward, from the input
    # and result as saved, and an in-place change since then is PyTorch's error
    x = ag.tensor([1.0, 3.0, 3.0], requires_grad=True)
    y = x * 1
    m = y.max()
    assert m.item() == 3.0
    m.backward(retain_graph=True)
    assert x.grad.tolist() == [0.0, 0.5, 0.5]
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        m.backward()
    z = ag.tensor([1.0, np.nan, 2.0], requires_grad=True)
    z.min().backward()
    assert z.grad.tolist() == [0.0, 1.0, 0.0]


@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3), seed=seeds,
       data=st.data())
@settings(max_examples=10)
def test_shape_ops(shape, seed, data):
    x = leaf(shape, seed)
    perm = data.draw(st.permutations(range(len(shape))))
    check(lambda t: t.permute(*perm) * 2, x)
    check(lambda t: t.reshape(-1) * t.reshape(-1), x)
    check(lambda t: t.transpose(0, -1).flatten(), x)
    check(lambda t: t.T.unsqueeze(0).squeeze(0), x)
    check(lambda t: t.unsqueeze(1).expand(*((shape[0], 3) + shape[1:])) * 1.5, x)
    check(lambda t: t.flatten(), x)
    check(lambda t: ag.cat([t, t * 2, t.exp()], dim=-1), x)
    check(lambda t: ag.stack([t, t * t], dim=0), x)
    check(lambda t: t.split(2, dim=0)[-1] * 3, x)
    check(lambda t: t.chunk(2, dim=-1)[0].tanh(), x)
    check(lambda t: t.repeat(*([2] + [1] * (len(shape) - 1))), x)


def test_cat_with_a_constant_input():
    a = leaf((2, 3), 0)
    c = ag.ones(1, 3, dtype=ag.float64)
    check(lambda t: ag.cat([c, t, c], 0), a)


INDICES = [
    lambda t: t[1],
    lambda t: t[-1, 1:],
    lambda t: t[:, None, ::2],
    lambda t: t[..., 0],
    lambda t: t[[0, 2, 0, 0]],               # repeated rows: gradient adds up
    lambda t: t[np.array([1, 1]), np.array([0, 2])],
    lambda t: t[ag.tensor([2, 0])],
    lambda t: t[t > 0],                      # boolean mask
    lambda t: t[:, [True, False, True, True]],
]


@pytest.mark.parametrize("k", range(len(INDICES)))
def test_indexing(k):
    x = leaf((3, 4), 7)
    check(INDICES[k], x)


def test_repeated_index_scatter_adds():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_gather_and_masked_fill():
    x = leaf((3, 4), 3)
    idx = ag.tensor([[0, 0], [3, 1], [2, 2]])
    check(lambda t: t.gather(1, idx), x)
    check(lambda t: t.masked_fill(t > 0.5, 0.0) * t, x)


def test_dtype_cast_gradient():
    x = leaf((2, 3), 1)
    # rounding to float32 in the middle: a wide step keeps the differences above the rounding
    assert gradcheck(lambda t: t.float().double() * t, (x,), eps=1e-2, atol=1e-3)
    y = ag.ones(3, requires_grad=True)
    (y.double() * 2).sum().backward()
    assert y.grad.dtype == ag.float32


def test_float32_and_float64_mix_gives_grads_in_each_inputs_dtype():
    a = ag.ones(3, requires_grad=True)                       # float32
    b = ag.ones(3, dtype=ag.float64, requires_grad=True)
    out = a * b
    assert out.dtype == ag.float64
    out.sum().backward()
    assert a.grad.dtype == ag.float32 and b.grad.dtype == ag.float64
