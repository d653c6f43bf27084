"""The PyTorch ops added on top of the core set: tril/triu, cumsum/cumprod, flip, roll,
norm, index_select, sort/argsort/topk, einsum, outer, diag, atan2, clamp_min/max,
new_*, is_contiguous, masked_select, repeat_interleave, scatter/scatter_add,
addmm/baddbmm, bernoulli, multinomial, unique.

Differentiable ops: first and second derivatives against finite differences (float64)
and values and gradients against PyTorch. The rest: values, seeds, dtypes, errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import gradcheck, gradgradcheck
from tests.helpers import REPO, arr, assert_matches_torch, leaf

seeds = st.integers(0, 2**31 - 1)
INF = float("inf")


def with_zero(shape, seed=0):
    a = arr(shape, seed)
    a.reshape(-1)[1] = 0.0
    return a


# name -> (fn(m, *tensors) written for both autograd_core and torch, input arrays, second?)
CASES = {
    "tril": (lambda m, a: m.tril(a, 1) + a.tril(-1) * 2, [arr((2, 3, 4))]),
    "triu": (lambda m, a: m.triu(a) + a.triu(2) * 3, [arr((3, 4))]),
    "cumsum": (lambda m, a: m.cumsum(a, 0) * a.cumsum(-1) + a.cumsum(dim=1), [arr((2, 3, 4))]),
    "cumprod": (lambda m, a: a.cumprod(1) + m.cumprod(a, -1), [arr((2, 3, 4), low=0.5)]),
    "cumprod_zeros": (lambda m, a: a.cumprod(-1) * 1.5, [with_zero((2, 4))]),
    "cumprod_zeros_dim0": (lambda m, a: a.cumprod(0), [with_zero((4, 2))]),
    "flip": (lambda m, a: m.flip(a, [0, -1]) * a.flip(1), [arr((2, 3, 4))]),
    "roll": (lambda m, a: a.roll(1, 0) * m.roll(a, (1, -2), (0, 2)) + a.roll(5), [arr((2, 3, 4))]),
    "norm_fro": (lambda m, a: a.norm() * a, [arr((3, 4))]),
    "norm_dim": (lambda m, a: a.norm(dim=-1, keepdim=True) + m.norm(a, 2, 0), [arr((3, 3))]),
    "norm_p1_dims": (lambda m, a: a.norm(p=1, dim=(0, 2)), [arr((2, 3, 4))]),
    "norm_p3": (lambda m, a: a.norm(p=3, dim=0) + a.norm(p=0.5, dim=1).sum(), [arr((3, 4))]),
    "norm_fro_2dims": (lambda m, a: a.norm("fro", dim=(-2, -1), keepdim=True), [arr((2, 3, 4))]),
    "norm_inf": (lambda m, a: a.norm(p=INF, dim=1) + a.norm(p=-INF), [arr((3, 4))]),
    "index_select": (lambda m, a: a.index_select(1, m.tensor([2, 0, 2])) +
                     m.index_select(a, -1, m.tensor([1, 1, 0])), [arr((2, 3, 3))]),
    "sort": (lambda m, a: a.sort(dim=0, descending=True).values * m.sort(a).values, [arr((3, 4))]),
    "topk": (lambda m, a: a.topk(2).values + m.topk(a, 2, dim=0, largest=False)[0].sum(0)[:1],
             [arr((3, 4))]),
    "outer": (lambda m, a, b: m.outer(a, b) + a.outer(b * b), [arr(3), arr(4, 1)]),
    "diag": (lambda m, a, b: m.diag(a, 1) + b.diag().diag(0) + b.diag(-1).diag(1)[:4, :4],
             [arr(3), arr((4, 4), 1)]),
    "atan2": (lambda m, a, b: m.atan2(a, b) + b.atan2(a * 2), [arr((2, 1, 3)), arr((4, 1), 1)]),
    "clamp_min_max": (lambda m, a, b: a.clamp_min(0.3) + m.clamp_max(a, -0.2) + a.clamp_min(b)
                      + m.clamp_max(a, b), [arr((3, 4)), arr(4, 1)]),
    "masked_select": (lambda m, a: a.masked_select(m.tensor([True, False, True, True]))
                      * m.masked_select(a, a > 0).sum(), [arr((3, 4))]),
    "repeat_interleave": (lambda m, a: a.repeat_interleave(2) + 0,
                          [arr((2, 2))]),
    "repeat_interleave_dim": (lambda m, a: m.repeat_interleave(a, m.tensor([1, 0, 3]), dim=-1),
                              [arr((2, 3))]),
    "scatter": (lambda m, a, b: m.scatter(a, 1, m.tensor([[2, 0], [1, 3], [0, 1]]), b),
                [arr((3, 4)), arr((3, 2), 1)]),
    "scatter_value": (lambda m, a: a.scatter(0, m.tensor([[2, 0, 1, 1]]), 7.5), [arr((3, 4))]),
    "scatter_add": (lambda m, a, b: a.scatter_add(0, m.tensor([[2, 0, 2, 2], [2, 1, 0, 2]]),
                                                  b[:2])
                    + m.scatter_add(a, -1, m.tensor([[0, 0], [3, 3], [1, 0]]), b[:, :2] * 2),
                    [arr((3, 4)), arr((3, 4), 1)]),
    "addmm": (lambda m, a, b, c: m.addmm(a, b, c, beta=0.5, alpha=-2) + a.addmm(b, c),
              [arr(4), arr((3, 2), 1), arr((2, 4), 2)]),
    "baddbmm": (lambda m, a, b, c: m.baddbmm(a, b, c, alpha=3) + a.baddbmm(b, c, beta=0),
                [arr((1, 3, 1)), arr((2, 3, 2), 1), arr((2, 2, 4), 2)]),
}

EINSUM = {
    "ij,jk->ik": [(2, 3), (3, 4)],
    "ij,jk": [(2, 3), (3, 4)],
    "ij,kj": [(2, 3), (4, 3)],
    "bij,bjk->bik": [(2, 3, 4), (2, 4, 2)],
    "...ij,...jk->...ik": [(2, 1, 3, 4), (5, 4, 2)],
    "...ij->...": [(2, 3, 4)],
    "...ij->ij": [(2, 3, 4)],
    "b...,b...->b": [(2, 3, 4), (2, 3, 1)],
    "i,i->": [(4,), (4,)],
    "i,j": [(3,), (4,)],
    "ij->": [(3, 4)],
    "ij->ji": [(3, 4)],
    "ij,j->j": [(3, 4), (4,)],
    "ij,jk,kl->il": [(2, 3), (3, 4), (4, 2)],
    "ii->i": [(3, 3)],
    "ii": [(3, 3)],
    "iij,jk->ik": [(3, 3, 2), (2, 4)],
    "bA,Ab": [(2, 3), (3, 2)],
    "ij,jk->ik ": [(2, 1), (3, 4)],  # size-1 subscript broadcast
}
for eq, shapes in EINSUM.items():
    CASES[f"einsum[{eq}]"] = (lambda m, *ts, eq=eq: m.einsum(eq, *ts),
                              [arr(s, k) for k, s in enumerate(shapes)])


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_and_second_derivatives(name):
    fn, arrays = CASES[name][:2]
    inputs = tuple(leaf(a) for a in arrays)
    assert gradcheck(lambda *ts: fn(ag, *ts), inputs)
    assert gradgradcheck(lambda *ts: fn(ag, *ts), inputs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_pytorch(torch, name):
    fn, arrays = CASES[name][:2]
    assert_matches_torch(torch, fn, arrays)


# -- hypothesis: broadcasting elementwise ops and dims given either way ------------------
pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)


@given(shapes=pairs, seed=seeds)
@settings(max_examples=20, deadline=None)
def test_atan2_and_clamp_with_tensor_bounds_broadcast(shapes, seed):
    (sa, sb), _ = shapes
    a, b = leaf(arr(sa, seed)), leaf(arr(sb, seed + 1, low=0.3, high=2.0))
    assert gradcheck(lambda a, b: ag.atan2(a, b), (a, b))
    assert gradgradcheck(lambda a, b: a.atan2(b), (a, b))
    assert gradcheck(lambda a, b: a.clamp_min(b - 1) * a.clamp_max(b - 1), (a, b))


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), seed=seeds,
       data=st.data())
@settings(max_examples=20, deadline=None)
def test_scans_flip_roll_norm_sort_along_any_dim(shape, seed, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())
    shift = data.draw(st.integers(-4, 4))
    x = leaf(arr(shape, seed, low=0.3))
    sign = ag.tensor(np.where(arr(shape, seed + 1) > 0, 1.0, -1.0))
    assert gradcheck(lambda x: x.cumsum(dim) * x.cumprod(dim), (x,))
    assert gradgradcheck(lambda x: x.cumprod(dim), (x,))
    assert gradcheck(lambda x: x.flip(dim) * x.roll(shift, dim), (x,))
    assert gradcheck(lambda x: (x * sign).norm(dim=dim, keepdim=keepdim)
                     + (x * sign).norm(p=3, dim=dim, keepdim=keepdim), (x,))
    assert gradcheck(lambda x: x.sort(dim, descending=keepdim).values
                     * x.topk(1, dim, largest=keepdim).values, (x,))


@given(shapes=pairs, seed=seeds)
@settings(max_examples=20, deadline=None)
def test_addmm_input_and_masked_select_mask_broadcast(shapes, seed):
    (sa, sb), _ = shapes
    x = leaf(arr(sa, seed))
    mask = ag.tensor(arr(sb, seed + 1) > 0)
    assert gradcheck(lambda x: x.masked_select(mask), (x,))
    inp = leaf(arr(sa[-2:], seed + 2))   # a 0-, 1- or 2-D input broadcast to (rows, cols)
    rows, cols = (sa[-2:] if len(sa) >= 2 else (2,) + tuple(sa))[-2:] if sa else (2, 3)
    m1, m2 = leaf(arr((rows, 2), seed + 3)), leaf(arr((2, cols), seed + 4))
    assert gradgradcheck(lambda i, a, b: i.addmm(a, b, beta=0.7, alpha=1.3), (inp, m1, m2))


def test_scatter_src_larger_than_index_and_scatter_add_repeats():
    x, src = leaf(arr((3, 4))), leaf(arr((3, 5), 1))
    index = ag.tensor([[2, 0], [1, 3], [0, 1]])
    assert gradcheck(lambda x, s: x.scatter(1, index, s), (x, src))
    assert gradgradcheck(lambda x, s: ag.scatter(x, 1, index, s), (x, src))
    assert gradgradcheck(lambda x, s: x.scatter_add(1, index, s), (x, src))
    out = ag.zeros(3).scatter_add(0, ag.tensor([1, 1, 1, 0]), ag.tensor([1.0, 2.0, 3.0, 4.0]))
    assert out.tolist() == [4.0, 6.0, 0.0]
    assert ag.zeros(2, 2).scatter(0, ag.tensor([[1, 0]]), ag.ones(1, 2)).tolist() == [[0, 1], [1, 0]]


# -- zero norms, cumprod zeros, einsum against numpy -------------------------------------
def test_norm_at_zero_has_zero_gradient_like_pytorch(torch):
    a = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, -4.0]])
    for kw in [{}, dict(dim=1), dict(p=1, dim=1), dict(p=3, dim=1), dict(p=INF, dim=1),
               dict(p=0.5, dim=0)]:
        x, tx = leaf(a), torch.tensor(a, requires_grad=True)
        x.norm(**kw).sum().backward()
        tx.norm(**kw).sum().backward()
        assert np.isfinite(x.grad.numpy()).all(), kw
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-12, err_msg=str(kw))
    z = leaf(np.zeros(3))
    (g,) = ag.grad(z.norm(), z, create_graph=True)
    assert g.tolist() == [0.0, 0.0, 0.0]
    assert ag.linalg.vector_norm(ag.tensor([[1.0, 0.0], [2.0, 0.0]]), ord=0).item() == 2
    assert ag.norm(ag.tensor([3.0, -4.0]), p=INF).item() == 4


def test_norm_inf_shares_gradient_between_ties(torch):
    a = np.array([1.0, -2.0, 2.0])
    x, tx = leaf(a), torch.tensor(a, requires_grad=True)
    x.norm(p=INF).backward()
    tx.norm(p=INF).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_cumprod_gradient_with_several_zeros_matches_pytorch(torch):
    a = np.array([[2.0, 0.0, 3.0, 0.0, 5.0], [0.0, 1.5, 2.0, -1.0, 0.5]])
    x, tx = leaf(a), torch.tensor(a, requires_grad=True)
    (g,) = ag.grad(x.cumprod(1).sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad(tx.cumprod(1).sum(), tx, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy())
    (g2,) = ag.grad((g * g).sum(), x)
    (tg2,) = torch.autograd.grad((tg * tg).sum(), tx)
    np.testing.assert_allclose(g2.numpy(), tg2.numpy())


def test_cumsum_dtypes_like_pytorch():
    assert ag.tensor([1, 2], dtype=ag.int32).cumsum(0).dtype == ag.int64
    assert ag.tensor([True, True]).cumsum(0).tolist() == [1, 2]
    assert ag.tensor([1, 2]).cumsum(0, dtype=ag.float64).dtype == ag.float64
    assert ag.tensor(3.0).cumsum(0).item() == 3.0


# NumPy cannot sum an ellipsis away (PyTorch can): those two are in the PyTorch parity test.
@pytest.mark.parametrize("eq", sorted(set(EINSUM) - {"...ij->ij", "b...,b...->b"}))
def test_einsum_values_match_numpy(eq):
    arrays = [arr(s, k) for k, s in enumerate(EINSUM[eq])]
    ours = ag.einsum(eq, *[ag.tensor(a) for a in arrays])
    np.testing.assert_allclose(ours.numpy(), np.einsum(eq.strip(), *arrays), rtol=1e-12)


def test_einsum_takes_a_list_and_mixes_dtypes():
    a, b = ag.ones(2, 3), ag.ones(3, dtype=ag.float64)
    out = ag.einsum("ij,j->i", [a, b])
    assert out.tolist() == [3.0, 3.0] and out.dtype == ag.float64


# -- non-differentiable ops ---------------------------------------------------------------
def test_sort_argsort_are_stable_and_put_nan_last_like_pytorch(torch):
    a = np.array([[3.0, 1.0, np.nan, 1.0, 3.0, 2.0], [0.0, 0.0, -1.0, 5.0, 0.0, 5.0]])
    for desc in (False, True):
        v, i = ag.tensor(a).sort(-1, descending=desc)
        tv, ti = torch.tensor(a).sort(dim=-1, descending=desc, stable=True)
        np.testing.assert_array_equal(v.numpy(), tv.numpy())
        assert i.tolist() == ti.tolist() and i.dtype == ag.int64
        assert ag.argsort(ag.tensor(a), 0, descending=desc).tolist() == \
            torch.argsort(torch.tensor(a), dim=0, descending=desc, stable=True).tolist()
    v, i = ag.topk(ag.tensor([4.0, 9.0, 1.0, 7.0]), 3)
    assert v.tolist() == [9, 7, 4] and i.tolist() == [1, 3, 0]
    r = ag.tensor([4.0, 9.0, 1.0]).topk(2, largest=False)
    assert r.values.tolist() == [1, 4] and r.indices.tolist() == [2, 0]
    assert ag.tensor(2.0).sort().values.item() == 2.0


def test_sort_values_with_and_without_a_graph_agree(torch):
    # a tensor that needs no gradient takes its values by NumPy directly, one that does
    # through the recorded gather: the same values, and only the second has a grad_fn
    rng = np.random.default_rng(3)
    a = rng.integers(0, 4, (3, 5)).astype(np.float64)
    for dim in (0, 1, -1):
        for desc in (False, True):
            plain = ag.tensor(a).sort(dim, descending=desc)
            x = ag.tensor(a, requires_grad=True)
            tracked = x.sort(dim, descending=desc)
            tv, ti = torch.tensor(a).sort(dim=dim, descending=desc, stable=True)
            for r in (plain, tracked):
                np.testing.assert_array_equal(r.values.numpy() if r is plain else
                                              r.values.detach().numpy(), tv.numpy())
                assert r.indices.tolist() == ti.tolist()
            assert plain.values.grad_fn is None and tracked.values.grad_fn is not None
            tracked.values.sum().backward()
            np.testing.assert_array_equal(x.grad.numpy(), np.ones_like(a))
    v = ag.tensor([3, 1, 2]).sort().values
    v[0] = 9          # a copy, not a view of the input
    assert v.tolist() == [9, 2, 3]


def test_unique_like_pytorch(torch):
    a = np.array([[3, 1, 3], [2, 1, 3], [3, 1, 3]])
    for kw in [{}, dict(return_inverse=True), dict(return_counts=True),
               dict(return_inverse=True, return_counts=True), dict(dim=0, return_inverse=True,
                                                                  return_counts=True),
               dict(dim=0), dict(dim=1, return_counts=True), dict(dim=1, return_inverse=True)]:
        ours, theirs = ag.unique(ag.tensor(a), **kw), torch.unique(torch.tensor(a), **kw)
        ours = ours if isinstance(ours, tuple) else (ours,)
        theirs = theirs if isinstance(theirs, tuple) else (theirs,)
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            assert o.tolist() == t.tolist() and o.dtype == ag.int64
    x = ag.tensor([1.5, 0.5, 1.5], requires_grad=True)
    u = x.unique()
    assert u.tolist() == [0.5, 1.5] and not u.requires_grad and u.dtype == ag.float32


def test_bernoulli_seeded_dtype_and_statistics():
    p = ag.full((4000,), 0.3)
    a = p.bernoulli(generator=ag.Generator().manual_seed(5))
    b = ag.bernoulli(p, generator=ag.Generator().manual_seed(5))
    assert a.equal(b) and a.dtype == ag.float32 and a.shape == (4000,)
    assert set(np.unique(a.numpy())) <= {0.0, 1.0}
    assert abs(a.mean().item() - 0.3) < 0.03
    ag.manual_seed(1)
    c = p.bernoulli()
    ag.manual_seed(1)
    assert c.equal(p.bernoulli())
    half = ag.zeros(2000, dtype=ag.float64).bernoulli(0.5)
    assert half.dtype == ag.float64 and abs(half.mean().item() - 0.5) < 0.05
    assert ag.tensor([0.0, 1.0]).bernoulli().tolist() == [0.0, 1.0]


def test_multinomial_seeded_shapes_replacement_and_statistics():
    w = ag.tensor([[1.0, 2.0, 0.0, 7.0], [0.0, 0.0, 1.0, 0.0]])
    s = w.multinomial(3000, replacement=True, generator=ag.Generator().manual_seed(3))
    assert s.shape == (2, 3000) and s.dtype == ag.int64
    assert s.equal(ag.multinomial(w, 3000, True, generator=ag.Generator().manual_seed(3)))
    freq = np.bincount(s.numpy()[0], minlength=4) / 3000
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.0, 0.7], atol=0.04)
    assert (s.numpy()[1] == 2).all()
    no_rep = ag.tensor([1.0, 1.0, 1.0, 1.0, 1.0]).multinomial(5, generator=ag.Generator().manual_seed(0))
    assert sorted(no_rep.tolist()) == [0, 1, 2, 3, 4]
    v = ag.tensor([5.0, 0.0, 1.0, 3.0]).multinomial(3)
    assert sorted(v.tolist()) == [0, 2, 3] and v.shape == (3,)
    counts = np.zeros(3)
    g = ag.Generator().manual_seed(11)
    for _ in range(400):
        counts[ag.tensor([1.0, 1.0, 8.0]).multinomial(1, generator=g).item()] += 1
    assert counts[2] / 400 == pytest.approx(0.8, abs=0.06)


@pytest.mark.parametrize("shape, k", [((5,), 3), ((7, 4), 10), ((300, 50), 20), ((3, 900), 7)])
def test_multinomial_with_replacement_draws_as_numpy_choice_row_by_row(shape, k):
    # all rows at once (small rows compared with every cumulative sum, large ones
    # searched), the same draws as NumPy's choice(p=row / row.sum()) one row after another
    w = np.random.default_rng(1).random(shape)
    w[..., 0] = 0.0
    got = ag.tensor(w).multinomial(k, replacement=True, generator=ag.Generator().manual_seed(3)).numpy()
    g = ag.Generator().manual_seed(3).np
    rows = w.reshape(-1, shape[-1])
    want = np.stack([g.choice(shape[-1], size=k, replace=True, p=r / r.sum()) for r in rows])
    np.testing.assert_array_equal(got, want.reshape(shape[:-1] + (k,)))
    with pytest.raises(RuntimeError, match="row 1 of the weights sums to zero"):
        ag.tensor([[1.0, 0.0], [0.0, 0.0]]).multinomial(2, replacement=True)


@pytest.mark.parametrize("shape", [(2,), (1, 2), (3, 5), (1, 9), (4, 16), (64,)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multinomial_of_few_weights_draws_as_the_array_path(monkeypatch, shape, dtype):
    """Few weights are drawn in Python floats (``_draw_few``): the same draws as the array
    path for every seed, and bad weights still raise its errors without drawing."""
    from autograd_core.tensor import random as R
    rng = np.random.default_rng(7)
    for seed in range(20):
        w = rng.random(shape).astype(dtype)
        w[..., seed % shape[-1]] = 0.0
        if seed % 3 == 0:
            w = w * dtype(1e-30)   # tiny weights: the sums are renormalised the same way
        k = 1 + seed % 4
        fast = ag.tensor(w).multinomial(k, True, generator=ag.Generator().manual_seed(seed)).numpy()
        with monkeypatch.context() as m:
            m.setattr(R, "_FEW_WEIGHTS", 0)
            slow = ag.tensor(w).multinomial(k, True, generator=ag.Generator().manual_seed(seed)).numpy()
        np.testing.assert_array_equal(fast, slow)
        assert fast.dtype == np.int64 and fast.shape == shape[:-1] + (k,)
    for bad, message in [([1.0, float("nan")], "finite"), ([1.0, float("inf")], "finite"),
                         ([1.0, -0.5], "non-negative"), ([0.0, 0.0], "sums to zero")]:
        g = ag.Generator().manual_seed(0)
        with pytest.raises(RuntimeError, match=message):
            ag.tensor(bad).multinomial(1, True, generator=g)
        # nothing was drawn: the generator gives what a fresh one gives
        assert g.np.random() == ag.Generator().manual_seed(0).np.random()


# -- new_*, is_contiguous, function forms -------------------------------------------------
def test_new_tensors_take_dtype_from_self(torch):
    x = ag.tensor([1, 2], dtype=ag.int32)
    tx = torch.tensor([1, 2], dtype=torch.int32)
    assert x.new_zeros(2, 3).dtype == ag.int32 and x.new_zeros((2, 3)).shape == (2, 3)
    assert x.new_ones(2).tolist() == tx.new_ones(2).tolist()
    assert x.new_full((2,), 7).tolist() == [7, 7] and x.new_full((2,), 7).dtype == ag.int32
    assert x.new_empty(3).shape == (3,)
    assert x.new_tensor([1.7]).dtype == ag.int32
    y = ag.zeros(1, dtype=ag.float64)
    t = y.new_tensor([1.0, 2.0], requires_grad=True)
    assert t.dtype == ag.float64 and t.requires_grad and t.is_leaf
    assert y.new_zeros(2, dtype=ag.float32).dtype == ag.float32
    assert y.new_ones(1, requires_grad=True).requires_grad


def test_is_contiguous():
    x = ag.zeros(3, 4)
    assert x.is_contiguous() and not x.t().is_contiguous() and not x[:, ::2].is_contiguous()
    assert x.t().contiguous().is_contiguous()


def test_every_op_has_a_function_form():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    for name in ["tril", "triu", "cumsum", "cumprod", "flip", "roll", "norm", "index_select",
                 "sort", "argsort", "topk", "outer", "diag", "atan2", "clamp_min", "clamp_max",
                 "masked_select", "repeat_interleave", "scatter", "scatter_add", "addmm",
                 "baddbmm", "bernoulli", "multinomial", "unique", "einsum"]:
        assert callable(getattr(ag, name)), name
    assert ag.roll(x, 1, 1).tolist() == [[2, 1], [4, 3]]
    assert ag.repeat_interleave(ag.tensor([1, 0, 2])).tolist() == [0, 2, 2]
    import autograd_core.linalg as linalg
    assert linalg.vector_norm(x, dim=0).shape == (2,)
    with pytest.raises(TypeError, match="must be Tensor"):
        ag.tril([[1.0]])


# -- errors ----------------------------------------------------------------------------
ERRORS = [
    (lambda: ag.ones(2, 3).index_select(0, ag.tensor([[0, 1]])), IndexError,
     r"index_select\(\): Index is supposed to be a vector, got shape \(1, 2\)"),
    (lambda: ag.ones(2, 3).index_select(1, ag.tensor([3])), RuntimeError,
     "index_select: index 3 is out of bounds for dimension 1 with size 3"),
    (lambda: ag.ones(2, 3).cumsum(2), IndexError, r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    (lambda: ag.ones(3).tril(), RuntimeError, r"tril: expected a tensor with at least 2 dims, got "
                                             r"shape \(3,\)"),
    (lambda: ag.ones(3).flip(0, 0), RuntimeError, "flip: dims"),
    (lambda: ag.ones(3).roll((1, 2), 0), RuntimeError, "roll: shifts"),
    (lambda: ag.ones(3).norm(p="nuc"), NotImplementedError, "norm: p='nuc'"),
    (lambda: ag.ones(3, dtype=ag.int64).norm(), TypeError, "floating point"),
    (lambda: ag.ones(3).topk(4), RuntimeError, r"topk: k \(4\) must be in \[0, 3\]"),
    (lambda: ag.einsum("ij,jk->ik", ag.ones(2, 3), ag.ones(4, 5)), RuntimeError,
     "einsum: subscript 'j' has size"),
    (lambda: ag.einsum("ij,jk", ag.ones(2, 3)), RuntimeError, "names 2 operands but 1 were given"),
    (lambda: ag.einsum("ijk->i", ag.ones(2, 3)), RuntimeError, "has 3 letters but operand"),
    (lambda: ag.einsum("ij->k", ag.ones(2, 3)), RuntimeError, "'k' does not appear"),
    (lambda: ag.einsum("i1", ag.ones(2, 3)), RuntimeError, "invalid subscript"),
    (lambda: ag.einsum("ii", ag.ones(2, 3)), RuntimeError, "repeated over dims of different sizes"),
    (lambda: ag.outer(ag.ones(2, 2), ag.ones(2)), RuntimeError, "outer: expected 1-D tensors"),
    (lambda: ag.diag(ag.ones(2, 2, 2)), RuntimeError, "diag: expected a 1-D or 2-D tensor"),
    (lambda: ag.atan2(ag.ones(2), ag.ones(3)), RuntimeError, "atan2: shapes"),
    (lambda: ag.ones(2).masked_select(ag.ones(2)), TypeError, "masked_select: expected a bool"),
    (lambda: ag.ones(2).masked_select(ag.ones(3) > 0), RuntimeError, "cannot be broadcast"),
    (lambda: ag.ones(3).repeat_interleave(ag.tensor([1, 2])), RuntimeError,
     "repeat_interleave: repeats must be"),
    (lambda: ag.zeros(2, 3).scatter(1, ag.tensor([[0]], dtype=ag.int32), ag.ones(1, 1)), RuntimeError,
     r"scatter\(\): Expected dtype int64 for index"),
    (lambda: ag.zeros(2, 3).scatter(1, ag.tensor([[3]]), ag.ones(1, 1)), RuntimeError,
     "scatter: index 3 is out of bounds for dimension 1 with size 3"),
    (lambda: ag.zeros(2, 3).scatter_add(1, ag.tensor([0]), ag.ones(1)), RuntimeError,
     "Index tensor must have the same number of dimensions as self tensor"),
    (lambda: ag.zeros(2, 3).scatter_add(0, ag.tensor([[0, 1, 0, 0]]), ag.ones(1, 4)), RuntimeError,
     "larger than self"),
    (lambda: ag.zeros(2, 3).scatter(0, ag.tensor([[0]])), TypeError, "expected src"),
    (lambda: ag.zeros(2).addmm(ag.ones(2, 3), ag.ones(3, 3)), RuntimeError,
     r"addmm: input of shape \(2,\) cannot be broadcast to the product's shape \(2, 3\)"),
    (lambda: ag.zeros(2).addmm(ag.ones(3), ag.ones(3, 3)), RuntimeError, "addmm: expected 2-D"),
    (lambda: ag.zeros(1).baddbmm(ag.ones(2, 2, 2), ag.ones(3, 2, 2)), RuntimeError,
     "baddbmm: expected 3-D batches"),
    (lambda: ag.tensor([0.5, 1.5]).bernoulli(), RuntimeError, r"bernoulli: expected all probabilities"),
    (lambda: ag.tensor([1.0, 0.0]).multinomial(2), RuntimeError,
     "fewer than 2 samples drawn without replacement"),
    (lambda: ag.tensor([1.0, 1.0]).multinomial(3), RuntimeError,
     "cannot draw 3 samples without replacement from 2 categories"),
    (lambda: ag.tensor([1.0, -1.0]).multinomial(1), RuntimeError, "non-negative"),
    (lambda: ag.tensor([0.0, 0.0]).multinomial(1, True), RuntimeError, "sums to zero"),
    (lambda: ag.tensor([1, 2]).multinomial(1), RuntimeError, "multinomial: expected a 1-D or 2-D float"),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_clear_errors(k):
    fn, exc, match = ERRORS[k]
    with pytest.raises(exc, match=match):
        fn()


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid",
                                  "log1p"])
def test_float_ops_on_integer_tensors_give_default_float_like_pytorch(torch, name):
    ours, theirs = getattr(ag.tensor([3, 2]), name)(), getattr(torch.tensor([3, 2]), name)()
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "") == "float32"
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert getattr(ag.tensor([True, True]), name)().dtype == ag.float32


def test_sigmoid_is_exact_at_the_extremes_without_warnings():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for dtype in (ag.float32, ag.float64):
            x = ag.tensor([-1e4, -80.0, 0.0, 80.0, 1e4], dtype=dtype, requires_grad=True)
            y = x.sigmoid()
            y.sum().backward()
            assert y.tolist()[0] == 0.0 and y.tolist()[2] == 0.5 and y.tolist()[-1] == 1.0
            assert np.isfinite(x.grad.numpy()).all()
    xs = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(ag.tensor(xs).sigmoid().numpy(), 1 / (1 + np.exp(-xs)), rtol=1e-15)


def test_inf_and_nan_results_are_silent_as_in_pytorch():
    """log(0), 1/0, sqrt(-1) give -inf, inf, nan without NumPy's RuntimeWarning from
    inside our ops (PyTorch is silent); the user's own NumPy calls still warn."""
    import os
    import subprocess
    import sys
    code = ("import numpy as np, autograd_core as ag\n"
            "x = ag.tensor([0.0, -1.0, 4.0], requires_grad=True)\n"
            "y = x.log() + x.sqrt() + 1 / x + x ** -1.0\n"
            "y.sum().backward()\n"
            "print(y.tolist(), x.grad.tolist())\n"
            "np.log(np.zeros(1))\n")
    root = str(REPO)
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    run = subprocess.run([sys.executable, "-W", "always", "-c", code], capture_output=True,
                         text=True, env=env, check=True)
    assert run.stdout.strip() == "[nan, nan, 3.886294364929199] [nan, nan, 0.375]"
    assert run.stderr.count("RuntimeWarning") == 1 and "<string>:6" in run.stderr


def test_log1p_exact_near_zero_and_its_gradient(torch):
    x = ag.tensor([1e-12, -0.5, 3.0], dtype=ag.float64, requires_grad=True)
    y = x.log1p()
    assert y.tolist()[0] == 1e-12 - 0.5e-24            # (x + 1).log() gives 1.000089e-12
    y.sum().backward()
    tx = torch.tensor([1e-12, -0.5, 3.0], dtype=torch.float64, requires_grad=True)
    ty = tx.log1p()
    ty.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-15)
    assert ag.gradgradcheck(lambda t: t.log1p(), (ag.tensor([0.3, 2.0], dtype=ag.float64,
                                                              requires_grad=True),))


def test_sign_is_recorded_with_zero_gradient():
    x = ag.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    s = x.sign()
    assert s.grad_fn.name() == "SignBackward0" and s.tolist() == [-1.0, 0.0, 1.0]
    (s * x).sum().backward()                   # d(sign(x) * x)/dx = sign(x)
    assert x.grad.tolist() == [-1.0, 0.0, 1.0]
    assert ag.tensor([-3, 4]).sign().tolist() == [-1, 1]
