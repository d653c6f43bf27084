"""Ops of tensor_more_ops.py (and ops/rounding.py, ops/special.py): rounding, special
functions, lerp/addcmul/addcdiv, nan_to_num, logical ops, movedim, diagonal, trace, mv,
tile, diff, meshgrid, vstack/hstack, index_add/index_fill, nonzero, count_nonzero,
isclose, median, var_mean/std_mean, cdist, masked_fill_, stride; inference_mode and
get/set_num_threads.

Differentiable ops: first and second derivatives against finite differences (float64),
values, shapes, dtypes and gradients against PyTorch. The rest: values and dtypes
against PyTorch, hand-checked values, and errors."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import gradcheck, gradgradcheck
from tests.helpers import arr, assert_matches_torch, leaf

seeds = st.integers(0, 2**31 - 1)
INF, NAN = float("inf"), float("nan")


def flat(m, *outs):
    """Several outputs as one 1-D tensor (the harness backpropagates one tensor)."""
    return m.cat([o.reshape(-1) for o in outs])


def with_special(shape, seed=0):
    a = arr(shape, seed)
    a.reshape(-1)[:3] = [NAN, INF, -INF]
    return a


# name -> (fn(m, *tensors) written for both autograd_core and torch, input arrays)
CASES = {
    "round_floor_ceil_trunc": (lambda m, a: m.round(a) * a + a.round(decimals=1) - m.floor(a)
                               + a.ceil() * a - m.trunc(a) + a.fix() * 2, [arr((3, 4))]),
    "round_decimals_negative": (lambda m, a: m.round(a * 100, decimals=-1) + a, [arr((2, 3))]),
    "frac": (lambda m, a: m.frac(a * 3) * a, [arr((3, 4))]),
    "reciprocal": (lambda m, a: m.reciprocal(a) + a.reciprocal() * a, [arr((3, 4), low=0.3)]),
    "log2_log10": (lambda m, a: m.log2(a) * a.log10() + a.log2(), [arr((3, 4), low=0.3)]),
    "exp2_expm1": (lambda m, a: m.exp2(a) * a.expm1() + m.expm1(a * 1e-6), [arr((3, 4))]),
    "erf": (lambda m, a: m.erf(a) * a + a.erf(), [arr((3, 4))]),
    "hypot": (lambda m, a, b: m.hypot(a, b) + b.hypot(a * 2), [arr((2, 1, 3)), arr((4, 1), 1)]),
    "logaddexp": (lambda m, a, b: m.logaddexp(a, b) * a.logaddexp(b * 300),
                  [arr((2, 1, 3)), arr((4, 1), 1)]),
    "lerp": (lambda m, a, b, w: m.lerp(a, b, 0.3) + a.lerp(b, w) + a.lerp(b, 0.9),
             [arr((3, 4)), arr(4, 1), arr((3, 1), 2, 0, 1)]),
    "addcmul_addcdiv": (lambda m, a, b, c: m.addcmul(a, b, c, value=0.5) + a.addcdiv(b, c)
                        + m.addcdiv(a, b, c, value=-2) + a.addcmul(b, c),
                        [arr((3, 4)), arr(4, 1), arr((3, 1), 2, 0.5, 2)]),
    "nan_to_num": (lambda m, a: m.nan_to_num(a).clamp(-5, 5) * a.nan_to_num(nan=1.5, posinf=7.0,
                                                                           neginf=-7.0),
                   [with_special((3, 4))]),
    "where_method": (lambda m, a, b: a.where(a > 0, b) + a.where(a < 0.5, 2.0),
                     [arr((3, 4)), arr(4, 1)]),
    "movedim": (lambda m, a: flat(m, m.movedim(a, (0, 1), (2, 0)), a.moveaxis(-1, 0),
                                  m.moveaxis(a, [1], [-1])), [arr((2, 3, 4))]),
    "diagonal": (lambda m, a: flat(m, m.diagonal(a, 1, 0, 2), a.diagonal(-1, 2, 0),
                                   a.diagonal(), a.diagonal(offset=7)), [arr((3, 2, 4))]),
    "trace_mv": (lambda m, a, v: m.trace(a) * a.mv(v) + m.mv(a, v * v),
                 [arr((3, 4)), arr(4, 1)]),
    "tile": (lambda m, a: flat(m, m.tile(a, (2,)), a.tile(2, 1, 2), a.tile((3, 1))),
             [arr((2, 3))]),
    "diff": (lambda m, a, b, c: flat(m, m.diff(a), a.diff(n=2, dim=0, prepend=b, append=c),
                                     a.diff(n=3, dim=-1), a.diff(n=5)),
             [arr((3, 4)), arr((1, 4), 1), arr((2, 4), 2)]),
    "meshgrid": (lambda m, a, b, c: flat(m, *m.meshgrid(a, b, c, indexing="ij"),
                                         *m.meshgrid(a, b, indexing="xy"),
                                         *m.meshgrid([c, a], indexing="xy")),
                 [arr(3), arr(2, 1), arr(4, 2)]),
    "vstack_hstack": (lambda m, a, b, c: flat(m, m.vstack([a, b]), m.hstack([a, c]),
                                              m.vstack([c, c * 2]), m.hstack([c, c])),
                      [arr((2, 3)), arr(3, 1), arr((2, 2), 2)]),
    "index_add": (lambda m, a, s: m.index_add(a, 0, m.tensor([2, 0, 2]), s, alpha=-1.5)
                  + a.index_add(0, m.tensor([1, 1, 1]), s * s), [arr((3, 4)), arr((3, 4), 1)]),
    "index_add_dim1": (lambda m, a, s: a.index_add(1, m.tensor([3, 0]), s),
                       [arr((2, 4, 2)), arr((2, 2, 2), 1)]),
    "index_fill": (lambda m, a, v: m.index_fill(a, 1, m.tensor([0, 2]), -1.0) * a
                   + a.index_fill(0, m.tensor([2]), v), [arr((3, 4)), arr((), 1)]),
    "median": (lambda m, a: flat(m, m.median(a) * a, a.median(1).values, a.median(0, True)[0],
                                 m.median(a, -1, keepdim=True).values), [arr((3, 4))]),
    "var_mean_std_mean": (lambda m, a: flat(m, *m.var_mean(a, 1), *m.std_mean(a, 0, keepdim=True),
                                            *m.var_mean(a, correction=0), *m.std_mean(a)),
                          [arr((3, 4))]),
    "cdist_p2": (lambda m, a, b: m.cdist(a, b), [arr((3, 4)), arr((5, 4), 1)]),
    "cdist_batched": (lambda m, a, b: m.cdist(a, b, p=2.0), [arr((2, 3, 4)), arr((1, 5, 4), 1)]),
    "cdist_p1_p3_p05": (lambda m, a, b: m.cdist(a, b, p=1) + m.cdist(a, b, p=3)
                        + m.cdist(a, b, p=0.5), [arr((3, 2)), arr((2, 2), 1)]),
    "cdist_pinf_p0": (lambda m, a, b: m.cdist(a, b, p=INF) + m.cdist(a, b, p=0) * a[:, :1],
                      [arr((3, 2)), arr((2, 2), 1)]),
}

# second derivatives are zero or undefined for these: gradgradcheck still runs (the
# gradient of a zero gradient is checked to be zero) except where finite differences of
# the first derivative jump (median's chosen element moves, inf-norm's argmax)
NO_GRADGRAD = {"cdist_pinf_p0"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_and_second_derivatives(name):
    fn, arrays = CASES[name]
    inputs = tuple(leaf(a) for a in arrays)
    assert gradcheck(lambda *ts: fn(ag, *ts), inputs)
    if name not in NO_GRADGRAD:
        assert gradgradcheck(lambda *ts: fn(ag, *ts), inputs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_pytorch(torch, name):
    fn, arrays = CASES[name]
    assert_matches_torch(torch, fn, arrays)


# -- hypothesis: broadcasting binary ops, any dim -------------------------------------------
pairs = hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3)


@given(shapes=pairs, seed=seeds)
@settings(max_examples=20, deadline=None)
def test_binary_and_ternary_ops_broadcast(shapes, seed):
    (sa, sb, sc), _ = shapes
    a, b = leaf(arr(sa, seed)), leaf(arr(sb, seed + 1))
    c = leaf(arr(sc, seed + 2, low=0.5, high=2.0))
    assert gradcheck(lambda a, b: ag.hypot(a, b) + a.logaddexp(b), (a, b))
    assert gradgradcheck(lambda a, b: a.hypot(b) * ag.logaddexp(a, b), (a, b))
    assert gradcheck(lambda a, b, c: a.lerp(b, c) + a.addcmul(b, c, value=0.3)
                     + ag.addcdiv(a, b, c, value=2), (a, b, c))
    assert gradgradcheck(lambda a, b, c: ag.lerp(a, b, c) * a.addcdiv(b, c), (a, b, c))


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), seed=seeds,
       data=st.data())
@settings(max_examples=20, deadline=None,  # the torch fixture only returns the module
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_dim_ops_along_any_dim(torch, shape, seed, data):
    n = len(shape)
    dim = data.draw(st.integers(-n, n - 1))
    dest = data.draw(st.integers(-n, n - 1))
    keepdim = data.draw(st.booleans())
    order = data.draw(st.integers(0, 3))
    reps = data.draw(st.lists(st.integers(1, 2), min_size=0, max_size=4))
    a = arr(shape, seed)
    x, tx = leaf(a), torch.tensor(a, requires_grad=True)
    index = np.random.default_rng(seed).integers(0, shape[dim], size=3)

    def both(m, t, idx):
        outs = [t.movedim(dim, dest), m.median(t, dim, keepdim).values, t.diff(order, dim),
                t.tile(tuple(reps)), t.index_add(dim, idx, m.ones_like(t.index_select(dim, idx)),
                                                 alpha=2),
                t.index_fill(dim, idx, 0.5), t.count_nonzero(dim) * t.sum()]
        if n >= 2:
            outs.append(t.diagonal(dest % 3 - 1, dim, (dim + 1) % n))
        return flat(m, *outs)

    out = both(ag, x, ag.tensor(index))
    tout = both(torch, tx, torch.tensor(index))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    assert gradcheck(lambda x: both(ag, x, ag.tensor(index)), (x,))
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    med = x.median(dim, keepdim)
    tmed = tx.median(dim, keepdim)
    assert med.indices.tolist() == tmed.indices.tolist() and med.indices.dtype == ag.int64


# -- hand-checked values --------------------------------------------------------------------
def test_round_is_half_to_even_and_gradients_are_zero():
    x = ag.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.675], dtype=ag.float64, requires_grad=True)
    assert x.round().tolist() == [0.0, 2.0, 2.0, -0.0, -2.0, 3.0]
    assert ag.round(x, decimals=2).tolist()[-1] == 2.68   # 2.675 * 100 is 267.5: ties to even
    (x.round() + x.floor() + x.ceil() + x.trunc()).sum().backward()
    assert x.grad.tolist() == [0.0] * 6
    assert x.floor().grad_fn.name() == "FloorBackward0"
    assert ag.tensor([-2.5, 2.5]).trunc().tolist() == [-2.0, 2.0]
    assert ag.tensor([-2.5, 2.5]).frac().tolist() == [-0.5, 0.5]


def test_rounding_dtypes_like_pytorch(torch):
    for op in ("round", "floor", "ceil", "trunc"):
        i = ag.tensor([1, -2], dtype=ag.int32)
        out = getattr(i, op)()
        assert out.dtype == ag.int32 and out.tolist() == [1, -2] and out._data is not i._data
        f = getattr(ag.tensor([1.5], dtype=ag.float16), op)()
        tf = getattr(torch.tensor([1.5], dtype=torch.float16), op)()
        assert f.dtype == ag.float16 and f.tolist() == tf.tolist()
    a = np.array([1234.5678, -0.125, 0.5, 15.0, 25.0])
    for d in (-2, -1, 0, 1, 2, 3):
        np.testing.assert_array_equal(ag.tensor(a).round(decimals=d).numpy(),
                                      torch.tensor(a).round(decimals=d).numpy())


def test_float_functions_on_integers_give_the_default_float_like_pytorch(torch):
    for op in ("reciprocal", "log2", "log10", "exp2", "expm1", "erf"):
        ours, theirs = getattr(ag.tensor([1, 2]), op)(), getattr(torch.tensor([1, 2]), op)()
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "") == "float32", op
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
        x32 = ag.tensor([0.5, 3.0], dtype=ag.float32)
        assert getattr(x32, op)().dtype == ag.float32


def test_special_functions_exact_values(torch):
    # float32 transcendental functions are vectorised differently per CPU (AVX-512's log10
    # gives 3.0000002 for 1000): a few ulps of float32, not exact equality
    f32 = dict(rtol=4 * np.finfo(np.float32).eps, atol=0)
    np.testing.assert_allclose(ag.tensor([1.0, 8.0, 1024.0]).log2().numpy(), [0.0, 3.0, 10.0], **f32)
    np.testing.assert_allclose(ag.tensor([1.0, 1000.0]).log10().numpy(), [0.0, 3.0], **f32)
    np.testing.assert_allclose(ag.tensor([-1.0, 10.0]).exp2().numpy(), [0.5, 1024.0], **f32)
    tiny = ag.tensor([1e-12], dtype=ag.float64)
    assert tiny.expm1().item() == pytest.approx(1e-12, rel=1e-12)   # exp(x) - 1 would give 1.00009e-12
    xs = np.linspace(-6, 6, 241)
    np.testing.assert_allclose(ag.tensor(xs).erf().numpy(), torch.tensor(xs).erf().numpy(),
                               rtol=1e-15, atol=1e-16)
    x = leaf([0.0, 1.0])
    x.erf().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 / np.sqrt(np.pi) * np.exp(-np.array([0.0, 1.0])))
    big = ag.tensor([1e200], dtype=ag.float64)
    assert big.hypot(big).item() == pytest.approx(np.sqrt(2) * 1e200)  # no overflow
    assert ag.tensor([1000.0]).logaddexp(ag.tensor([1000.0])).item() == pytest.approx(
        1000 + np.log(2))
    assert ag.logaddexp(ag.tensor([-INF]), ag.tensor([-INF])).tolist() == [-INF]
    assert ag.logaddexp(ag.tensor([INF]), ag.tensor([1.0])).tolist() == [INF]


def test_hypot_at_origin_gives_nan_gradient_like_pytorch(torch):
    x, tx = leaf([0.0, 3.0]), torch.tensor([0.0, 3.0], dtype=torch.float64, requires_grad=True)
    x.hypot(ag.zeros(2, dtype=ag.float64)).sum().backward()
    torch.hypot(tx, torch.zeros(2, dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_nan_to_num_defaults_and_dtypes_like_pytorch(torch):
    for dt in ("float16", "float32", "float64"):
        a = np.array([NAN, INF, -INF, 1.5], dtype=dt)
        ours, theirs = ag.tensor(a).nan_to_num(), torch.tensor(a).nan_to_num()
        assert ours.dtype == a.dtype
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        np.testing.assert_array_equal(ag.nan_to_num(ag.tensor(a), 2.0, 3.0, -4.0).numpy(),
                                      torch.nan_to_num(torch.tensor(a), 2.0, 3.0, -4.0).numpy())
    i = ag.tensor([1, 2])
    assert i.nan_to_num().tolist() == [1, 2] and i.nan_to_num().dtype == ag.int64
    x = leaf([NAN, 2.0, INF])
    x.nan_to_num().sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_inf_tests_and_logical_ops_like_pytorch(torch):
    a = np.array([1.0, INF, -INF, NAN, 0.0])
    for op in ("isinf", "isposinf", "isneginf"):
        ours, theirs = getattr(ag, op)(ag.tensor(a)), getattr(torch, op)(torch.tensor(a))
        assert ours.dtype == ag.bool and ours.tolist() == theirs.tolist()
    assert ag.tensor([1, 2]).isinf().tolist() == [False, False]
    x, y = np.array([[0, 1, 2]]), np.array([[0.0], [1.5]])
    for op in ("logical_and", "logical_or", "logical_xor"):
        ours = getattr(ag.tensor(x), op)(ag.tensor(y))
        theirs = getattr(torch.tensor(x), op)(torch.tensor(y))
        assert ours.dtype == ag.bool and ours.shape == (2, 3) and ours.tolist() == theirs.tolist()
        assert getattr(ag, op)(ag.tensor([True, False]), ag.tensor([True, True])).tolist() == \
            getattr(torch, op)(torch.tensor([True, False]), torch.tensor([True, True])).tolist()


def test_small_queries(torch):
    assert ag.ones(2).is_floating_point() and ag.is_floating_point(ag.ones(1, dtype=ag.float16))
    assert not ag.tensor([True]).is_floating_point() and not ag.tensor([1]).is_floating_point()
    assert ag.zeros(2, 3, 4).nelement() == 24 == torch.zeros(2, 3, 4).nelement()
    for shape, index in [((2, 3, 4), (slice(None),)), ((2, 3, 4), (slice(None), slice(None, None, 2))),
                         ((5,), (slice(1, None),)), ((3, 4), (0,))]:
        x, tx = ag.zeros(*shape)[index], torch.zeros(*shape)[index]
        assert x.stride() == tx.stride()
        assert x.stride(-1) == tx.stride(-1)
    assert ag.zeros(2, 3).permute(1, 0).stride() == torch.zeros(2, 3).permute(1, 0).stride()
    assert ag.zeros(3, dtype=ag.float64).expand(2, 3).stride() == (0, 1)
    assert ag.tensor(1.0).stride() == ()


def test_masked_fill_in_place_follows_the_in_place_rules():
    x = ag.zeros(2, 3)
    data = x._data
    out = x.masked_fill_(ag.tensor([True, False, True]), 5.0)
    assert out is x and x._data is data and x.tolist() == [[5, 0, 5], [5, 0, 5]]
    x.masked_fill_(ag.tensor([[False], [True]]), ag.tensor(-1.0))
    assert x.tolist() == [[5, 0, 5], [-1, -1, -1]]
    i = ag.tensor([1, 2, 3])
    i.masked_fill_(i > 1, 2.7)
    assert i.tolist() == [1, 2, 2] and i.dtype == ag.int64  # cast to self's dtype, as PyTorch
    w = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="masked_fill_: a leaf Variable that requires grad"):
        w.masked_fill_(ag.tensor([True, False]), 0.0)
    with ag.no_grad():
        w.masked_fill_(ag.tensor([True, False]), 0.0)
    assert w.tolist() == [0.0, 1.0] and w.requires_grad
    h = (w * 2).masked_fill_(ag.tensor([True, False]), 0.0)   # a non-leaf: recorded in place
    h.sum().backward()
    assert h.grad_fn is not None and w.grad.tolist() == [0.0, 2.0]


def test_nonzero_argwhere_count_nonzero_like_pytorch(torch):
    for a in (np.array([[0, 3, 0], [4, 0, 5]]), np.array([0.0, 2.0, -1.0]), np.array(5),
              np.zeros((2, 0)), np.array([[True, False]])):
        x, tx = ag.tensor(a), torch.tensor(a)
        assert x.nonzero().tolist() == tx.nonzero().tolist()
        assert x.nonzero().shape == tuple(tx.nonzero().shape) and x.nonzero().dtype == ag.int64
        assert ag.argwhere(x).tolist() == torch.argwhere(tx).tolist()
        assert [t.tolist() for t in x.nonzero(as_tuple=True)] == \
            [t.tolist() for t in tx.nonzero(as_tuple=True)]
        assert ag.count_nonzero(x).item() == torch.count_nonzero(tx).item()
        assert ag.count_nonzero(x).dtype == ag.int64
    b = np.array([[[0, 1], [2, 0]], [[3, 3], [0, 0]]])
    for dim in (0, -1, (0, 2), [1, 2]):
        assert ag.tensor(b).count_nonzero(dim).tolist() == \
            torch.tensor(b).count_nonzero(dim).tolist()


def test_isclose_like_pytorch(torch):
    a = np.array([1.0, 1.0, INF, INF, NAN, 1e-9, 100.0])
    b = np.array([1.0 + 1e-6, 1.1, INF, -INF, NAN, 0.0, 100.001])
    for kw in [{}, dict(equal_nan=True), dict(rtol=0.2), dict(atol=0.0, rtol=0.0),
               dict(rtol=1e-3, atol=1e-3)]:
        assert ag.tensor(a).isclose(ag.tensor(b), **kw).tolist() == \
            torch.tensor(a).isclose(torch.tensor(b), **kw).tolist(), kw
    assert ag.isclose(ag.tensor([[1, 2]]), ag.tensor([[1], [2]])).tolist() == \
        torch.isclose(torch.tensor([[1, 2]]), torch.tensor([[1], [2]])).tolist()


def test_median_nan_ties_ints_and_gradient_to_the_chosen_element(torch):
    a = np.array([[1.0, NAN, 3.0, NAN], [2.0, 2.0, 1.0, 3.0], [5.0, 5.0, 5.0, 1.0]])
    v, i = ag.tensor(a).median(1)
    tv, ti = torch.tensor(a).median(1)
    np.testing.assert_array_equal(v.numpy(), tv.numpy())
    assert i.tolist() == ti.tolist()
    assert np.isnan(ag.tensor(a).median().item()) and np.isnan(torch.tensor(a).median().item())
    assert ag.tensor([[4, 1], [3, 2]]).median().item() == 2
    assert ag.tensor([[4, 1], [3, 2]]).median().dtype == ag.int64
    assert np.isnan(ag.median(ag.tensor([])).item())
    r = ag.tensor(3.0).median(0)
    assert r.values.item() == 3.0 and r.indices.item() == 0 and r.values.shape == ()
    x = leaf([[3.0, 1.0, 2.0, 7.0]])
    x.median().backward()   # the lower of the middle two: 2.0
    assert x.grad.tolist() == [[0.0, 0.0, 1.0, 0.0]]
    y = leaf([[3.0, 1.0, 2.0], [0.0, 9.0, 8.0]])
    y.median(dim=1).values.sum().backward()
    assert y.grad.tolist() == [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]


def test_trace_diff_tile_meshgrid_stack_dtypes_like_pytorch(torch):
    m = np.array([[1, 2], [3, 4]], dtype=np.int32)
    assert ag.tensor(m).trace().dtype == ag.int64 == np.dtype(str(torch.tensor(m).trace().dtype)
                                                             .replace("torch.", ""))
    assert ag.tensor(m).trace().item() == 5
    b = np.array([True, False, False, True])
    assert ag.tensor(b).diff().tolist() == torch.tensor(b).diff().tolist()
    assert ag.tensor(b).diff().dtype == ag.bool
    assert ag.tensor([1, 4, 9]).diff(n=5).shape == (0,) == tuple(torch.tensor([1, 4, 9]).diff(n=5).shape)
    assert ag.tensor(3).tile((2,)).tolist() == torch.tensor(3).tile((2,)).tolist()
    g = ag.meshgrid(ag.tensor(1), ag.tensor([1, 2]), indexing="ij")
    tg = torch.meshgrid(torch.tensor(1), torch.tensor([1, 2]), indexing="ij")
    assert [t.tolist() for t in g] == [t.tolist() for t in tg]
    assert [t.shape for t in ag.meshgrid(ag.arange(2), ag.arange(3), ag.arange(4), indexing="xy")] \
        == [(3, 2, 4)] * 3
    assert ag.vstack([ag.tensor(1), ag.tensor(2)]).tolist() == [[1], [2]]
    assert ag.hstack([ag.tensor(1), ag.tensor([2, 3])]).tolist() == [1, 2, 3]
    assert ag.vstack([ag.ones(2), ag.ones(2, dtype=ag.float64)]).dtype == ag.float64
    assert ag.row_stack([ag.ones(2)]).shape == (1, 2)


def test_var_mean_std_mean_overloads_like_pytorch(torch):
    a = arr((3, 4))
    for args, kw in [((), {}), ((1,), {}), ((False,), {}), ((0, True, True), {}),
                     (((0, 1),), dict(correction=2)), ((), dict(dim=1, keepdim=True))]:
        for name in ("var_mean", "std_mean"):
            ours = getattr(ag, name)(ag.tensor(a), *args, **kw)
            theirs = getattr(torch, name)(torch.tensor(a), *args, **kw)
            for o, t in zip(ours, theirs):
                assert o.shape == tuple(t.shape)
                np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12)
    assert ag.tensor(a).var(False).item() == pytest.approx(torch.tensor(a).var(False).item())


def test_cdist_zero_distance_has_zero_gradient_like_pytorch(torch):
    a = np.array([[0.0, 1.0], [2.0, 2.0]])
    for p in (2.0, 1.0, 3.0):
        x, tx = leaf(a), torch.tensor(a, requires_grad=True)
        ag.cdist(x, x[:1] * 1.0, p=p).sum().backward()
        torch.cdist(tx, tx[:1] * 1.0, p=p).sum().backward()
        assert np.isfinite(x.grad.numpy()).all()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-12)
    assert ag.cdist(ag.ones(2, 3), ag.ones(4, 3), p=0).tolist() == [[0.0] * 4] * 2


def test_inference_mode_like_pytorch(torch):
    x = ag.ones(2, requires_grad=True)
    assert not ag.is_inference_mode_enabled()
    with ag.inference_mode():
        assert not ag.is_grad_enabled() and ag.is_inference_mode_enabled()
        assert not (x * 2).requires_grad
        with ag.inference_mode(False):
            assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled()
            assert (x * 2).requires_grad
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled()
    with ag.no_grad():
        with ag.inference_mode(False):
            assert ag.is_grad_enabled()
    with torch.no_grad():
        with torch.inference_mode(False):
            assert torch.is_grad_enabled()  # PyTorch does the same

    @ag.inference_mode()
    def f(t):
        return t * 2, ag.is_inference_mode_enabled()

    @ag.inference_mode
    def g(t):
        return t * 2

    y, inside = f(x)
    assert not y.requires_grad and inside and not g(x).requires_grad
    assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled()
    assert f.__name__ == "f"
    with pytest.raises(ZeroDivisionError):
        with ag.inference_mode():
            1 / 0
    assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled()


def test_num_threads_are_the_kernels_setting():
    from autograd_core.kernels import threads
    n = ag.get_num_threads()
    assert n == threads.get_num_threads() >= 1
    try:
        ag.set_num_threads(1)
        assert ag.get_num_threads() == 1 == threads.get_num_threads()
    finally:
        ag.set_num_threads(n)
    with pytest.raises(ValueError, match="set_num_threads: expected a positive int"):
        ag.set_num_threads(0)


def test_every_op_has_a_function_form_where_pytorch_has_one(torch):
    both = ["round", "floor", "ceil", "trunc", "fix", "frac", "reciprocal", "log2", "log10",
            "exp2", "expm1", "erf", "hypot", "logaddexp", "lerp", "addcmul", "addcdiv",
            "nan_to_num", "isinf", "isposinf", "isneginf", "logical_and", "logical_or",
            "logical_xor", "is_floating_point", "movedim", "moveaxis", "diagonal", "trace", "mv",
            "tile", "diff", "index_add", "index_fill", "nonzero", "argwhere", "count_nonzero",
            "isclose", "median"]
    for name in both:
        assert callable(getattr(ag, name)) and callable(getattr(ag.Tensor, name)), name
        assert hasattr(torch, name) and hasattr(torch.Tensor, name), name
    for name in ["meshgrid", "vstack", "hstack", "row_stack", "var_mean", "std_mean", "cdist",
                 "inference_mode", "is_inference_mode_enabled", "get_num_threads",
                 "set_num_threads"]:
        assert callable(getattr(ag, name)) and hasattr(torch, name), name
    for name in ["where", "nelement", "masked_fill_", "stride"]:
        assert callable(getattr(ag.Tensor, name)) and hasattr(torch.Tensor, name), name
    with pytest.raises(TypeError, match="must be Tensor"):
        ag.erf([1.0])


# -- errors ------------------------------------------------------------------------------
ERRORS = [
    (lambda: ag.tensor([1, 2]).frac(), TypeError,
     "frac: expected a floating point tensor, got dtype int64"),
    (lambda: ag.tensor([True]).floor(), TypeError, "floor: not implemented for bool"),
    (lambda: ag.ones(2).hypot(ag.ones(3)), RuntimeError, r"hypot: shapes \(2,\) and \(3,\)"),
    (lambda: ag.tensor([1]).hypot(ag.tensor([2])), TypeError, "hypot: expected a floating point"),
    (lambda: ag.ones(2).logaddexp(ag.ones(3)), RuntimeError, r"logaddexp: shapes \(2,\) and \(3,\)"),
    (lambda: ag.ones(2).lerp(ag.ones(2, dtype=ag.float64), 0.5), TypeError,
     "lerp: expected end of dtype float32 like self, got float64"),
    (lambda: ag.ones(2).lerp([1.0, 2.0], 0.5), TypeError, "argument 'end' must be Tensor"),
    (lambda: ag.ones(2).addcdiv(ag.tensor([1]), ag.tensor([2])), TypeError,
     "addcdiv: integer division is not supported"),
    (lambda: ag.ones(3).masked_fill_(ag.tensor([1, 0, 1]), 2.0), TypeError,
     "masked_fill_: only bool masks are supported, got mask of dtype int64"),
    (lambda: ag.ones(3).masked_fill_(ag.ones(2, 3) > 0, 2.0), RuntimeError,
     r"masked_fill_: mask of shape \(2, 3\) cannot be broadcast to self's shape \(3,\)"),
    (lambda: ag.ones(3).masked_fill_(ag.ones(3) > 0, ag.ones(2)), RuntimeError,
     "value must be a number or a 0-d tensor"),
    (lambda: ag.ones(2, 3).movedim((0, 1), 0), RuntimeError, "movedim: source"),
    (lambda: ag.ones(2, 3).movedim((0, 0), (0, 1)), RuntimeError, "movedim: repeated dim"),
    (lambda: ag.ones(2, 3).movedim(2, 0), IndexError, r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    (lambda: ag.ones(3).diagonal(), RuntimeError, r"diagonal: expected a tensor with at least 2 "
                                                 r"dims, got shape \(3,\)"),
    (lambda: ag.ones(2, 3).diagonal(0, 1, -1), RuntimeError, "diagonal: dim1 and dim2 cannot be"),
    (lambda: ag.ones(2, 2, 2).trace(), RuntimeError, r"trace: expected a 2-D tensor, got shape"),
    (lambda: ag.ones(2, 3).mv(ag.ones(2)), RuntimeError,
     r"mv: expected a matrix \(n, m\) and a vector \(m,\), got shapes \(2, 3\) and \(2,\)"),
    (lambda: ag.ones(2).tile(-1), RuntimeError, "tile: repetitions must be non-negative"),
    (lambda: ag.tensor(1.0).diff(), RuntimeError, "diff expects input to be at least one-dimensional"),
    (lambda: ag.ones(3).diff(prepend=ag.ones(1, 1)), RuntimeError,
     "diff: prepend must have as many dims as input"),
    (lambda: ag.ones(3).diff(-1), RuntimeError, "diff: order n must be non-negative"),
    (lambda: ag.meshgrid(ag.ones(2, 2)), RuntimeError, "meshgrid: expected 0-D or 1-D tensors"),
    (lambda: ag.meshgrid(ag.ones(2), ag.tensor([1])), TypeError,
     "meshgrid: expected tensors of one dtype"),
    (lambda: ag.meshgrid(ag.ones(2), indexing="yx"), RuntimeError, "meshgrid: indexing must be"),
    (lambda: ag.vstack([]), RuntimeError, "vstack: expected a non-empty list"),
    (lambda: ag.hstack([ag.ones(2), [1.0]]), TypeError, "hstack: expected a list of Tensors"),
    (lambda: ag.zeros(3, 2).index_add(0, ag.tensor([0, 3]), ag.ones(2, 2)), RuntimeError,
     "index_add: index 3 is out of range for a dim of size 3"),
    (lambda: ag.zeros(3, 2).index_add(0, ag.tensor([0, 1]), ag.ones(3, 2)), RuntimeError,
     r"index_add: source must have shape \(2, 2\)"),
    (lambda: ag.zeros(3, 2).index_add(0, ag.tensor([0]), ag.ones(1, 2, dtype=ag.float64)),
     TypeError, r"index_add: self \(float32\) and source \(float64\) must have the same dtype"),
    (lambda: ag.zeros(3, 2).index_add(0, ag.tensor([[0]]), ag.ones(1, 2)), RuntimeError,
     "index_add: index must be a 1-D int64 tensor"),
    (lambda: ag.zeros(3).index_fill(0, ag.tensor([0.5]), 1.0), RuntimeError,
     "index_fill: index must be a 1-D int64 tensor"),
    (lambda: ag.zeros(3).index_fill(0, ag.tensor([-4]), 1.0), IndexError,
     "index_fill: index -4 is out of range"),
    (lambda: ag.zeros(3).index_fill(0, ag.tensor([0]), ag.ones(2)), RuntimeError,
     "index_fill: value must be a number or a 0-d tensor"),
    (lambda: ag.ones(2).isclose(ag.ones(3)), RuntimeError, r"isclose: shapes \(2,\) and \(3,\)"),
    (lambda: ag.ones(2).isclose(ag.ones(2), rtol=-1), RuntimeError, "isclose: rtol and atol"),
    (lambda: ag.ones(2, 3).median(2), IndexError, r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    (lambda: ag.ones(2, 0).median(1), IndexError, r"median: dim 1 of shape \(2, 0\) is empty"),
    (lambda: ag.cdist(ag.ones(2, 3), ag.ones(2, 4)), RuntimeError,
     r"cdist: expected x1 \(..., P, M\) and x2 \(..., R, M\) with the same M, got shapes "
     r"\(2, 3\) and \(2, 4\)"),
    (lambda: ag.cdist(ag.ones(3), ag.ones(2, 3)), RuntimeError, "cdist: expected x1"),
    (lambda: ag.cdist(ag.ones(2, 3), ag.ones(2, 3), p=-1), RuntimeError,
     "cdist: p must be a non-negative number"),
    (lambda: ag.cdist(ag.tensor([[1]]), ag.tensor([[1]])), TypeError,
     "cdist: expected floating point tensors, got x1 of dtype int64"),
    (lambda: ag.cdist(ag.ones(2, 2, 3), ag.ones(3, 2, 3)), RuntimeError,
     "cdist: batch dims of shapes"),
    (lambda: ag.var_mean([1.0]), TypeError, "var_mean\\(\\): argument 'input' must be Tensor"),
    (lambda: ag.ones(2).stride(1), IndexError, r"Dimension out of range \(expected to be in range of \[-1, 0\], but got 1\)"),
    (lambda: ag.logical_and(ag.ones(2), ag.ones(3)), RuntimeError, "logical_and: shapes"),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_clear_errors(k):
    fn, exc, match = ERRORS[k]
    with pytest.raises(exc, match=match):
        fn()
