"""Sparse COO tensors against PyTorch's: the products with dense matrices (values and the
dense operand's float64 gradients, both sides, every spelling), conversions, arithmetic,
the errors (type and message), the ops that are not there (NotImplementedError naming
to_dense), and the product's kernel (Numba against NumPy)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd_core as ag
from autograd_core import kernels
from autograd_core.kernels.sparse import coo_mm
from tests.helpers import Draw, raises_like

draw = Draw(23)
rng, parity = draw.rng, draw.parity


def pattern(m, n, nnz, seed=0, duplicates=True):
    """(2, nnz) int64 indices in an (m, n) matrix (some places twice with ``duplicates``)
    and float64 values."""
    r = np.random.default_rng(seed)
    idx = np.stack([r.integers(m, size=nnz), r.integers(n, size=nnz)])
    if duplicates and nnz > 1:
        idx[:, -1] = idx[:, 0]
    return idx, r.standard_normal(nnz)


def both(torch, idx, vals, size, **kw):
    return (ag.sparse_coo_tensor(idx, ag.tensor(vals), size, **kw),
            torch.sparse_coo_tensor(torch.tensor(idx), torch.tensor(vals), size, **kw))


PRODUCTS = {   # (form, side): the sparse operand is (5, 4), the dense one fits it
    # on the right, on the left, or on the right of its transpose
    "spmm": (lambda m, s, d: m.spmm(s, d), "right"),
    "sparse.mm": (lambda m, s, d: m.sparse.mm(s, d), "right"),
    "mm": (lambda m, s, d: m.mm(s, d), "right"),
    "matmul": (lambda m, s, d: m.matmul(s, d), "right"),
    "@": (lambda m, s, d: s @ d, "right"),
    "method mm": (lambda m, s, d: s.mm(d), "right"),
    "@ vector": (lambda m, s, d: s @ d[:, 0], "right"),
    "t() @": (lambda m, s, d: s.t() @ d, "transposed"),
    "dense @": (lambda m, s, d: d @ s, "left"),
    "dense @ vector": (lambda m, s, d: d[0] @ s, "left"),
    "sparse.mm dense first": (lambda m, s, d: m.sparse.mm(d, s), "left"),
    "mm dense first": (lambda m, s, d: m.mm(d, s), "left"),
}


@pytest.mark.parametrize("form", sorted(PRODUCTS))
@pytest.mark.parametrize("coalesced", [False, True])
def test_products_with_dense_matrices_match_torch(torch, form, coalesced):
    fn, side = PRODUCTS[form]
    idx, vals = pattern(5, 4, 9, seed=len(form))
    s, ts = both(torch, idx, vals, (5, 4))
    if coalesced:
        s, ts = s.coalesce(), ts.coalesce()
    dense = rng.standard_normal({"right": (4, 3), "left": (2, 5), "transposed": (5, 3)}[side])
    y = parity(torch, lambda d: fn(ag, s, d), lambda d: fn(torch, ts, d), dense)
    assert y.layout == ag.strided and not y.is_sparse


def test_the_product_is_one_node_named_as_torchs_and_differentiates_twice(torch):
    s = ag.sparse_coo_tensor(*pattern(4, 3, 6), (4, 3))
    d = draw.t64(3, 2)
    y = ag.spmm(s, d)
    assert y.grad_fn.name() == "MmBackward0" and y.grad_fn.next_functions == ((d, 0),)
    (g,) = ag.autograd.grad((y * y).sum(), d, create_graph=True)
    (gg,) = ag.autograd.grad(g.sum(), d)
    dense = s.to_dense().numpy()
    np.testing.assert_allclose(g.detach().numpy(), 2 * dense.T @ (dense @ d.detach().numpy()),
                               rtol=1e-12)
    np.testing.assert_allclose(gg.numpy(), 2 * dense.T @ dense @ np.ones((3, 2)), rtol=1e-12)


@settings(max_examples=15, deadline=None)
@given(m=st.integers(1, 6), k=st.integers(1, 6), n=st.integers(1, 4), nnz=st.integers(0, 12),
       seed=st.integers(0, 2**16))
def test_gradcheck_on_random_shapes_and_patterns(m, k, n, nnz, seed):
    s = ag.sparse_coo_tensor(*pattern(m, k, nnz, seed), (m, k))
    d = ag.tensor(np.random.default_rng(seed).standard_normal((k, n)), requires_grad=True)
    left = ag.tensor(np.random.default_rng(seed + 1).standard_normal((n, m)), requires_grad=True)
    assert ag.gradcheck(lambda x: ag.spmm(s, x), (d,))
    assert ag.gradgradcheck(lambda x: ag.spmm(s, x) ** 2, (d,))
    assert ag.gradcheck(lambda x: x @ s, (left,))


def test_conversions_match_torch(torch):
    dense = rng.standard_normal((4, 5)) * (rng.random((4, 5)) < 0.4)
    s, ts = ag.tensor(dense).to_sparse(), torch.tensor(dense).to_sparse()
    assert s.is_sparse and s.layout == ag.sparse_coo and s.is_coalesced() == ts.is_coalesced()
    np.testing.assert_array_equal(s.indices().numpy(), ts.indices().numpy())
    np.testing.assert_array_equal(s.values().numpy(), ts.values().numpy())
    assert s._nnz() == ts._nnz() and s.sparse_dim() == 2 and s.dense_dim() == 0
    assert s.shape == tuple(ts.shape) and s.size(1) == 5 and s.dim() == 2 and len(s) == 4
    assert s.to_dense().layout == ag.strided and ag.ones(1).to_dense().layout == ag.strided
    np.testing.assert_array_equal(s.to_dense().numpy(), dense)
    np.testing.assert_array_equal(ag.zeros(3, 2).to_sparse().indices().numpy(),
                                  torch.zeros(3, 2).to_sparse().indices().numpy())

    idx, vals = pattern(3, 4, 8)            # repeated places add up
    u, tu = both(torch, idx, vals, (3, 4))
    assert not u.is_coalesced() and not tu.is_coalesced()
    np.testing.assert_allclose(u.to_dense().numpy(), tu.to_dense().numpy(), rtol=1e-15)
    c, tc = u.coalesce(), tu.coalesce()
    assert c.is_coalesced() and c._nnz() == tc._nnz() < 8
    np.testing.assert_array_equal(c.indices().numpy(), tc.indices().numpy())
    np.testing.assert_allclose(c.values().numpy(), tc.values().numpy(), rtol=1e-15)
    np.testing.assert_array_equal(u._indices().numpy(), tu._indices().numpy())

    # size from the indices, PyTorch's value dtypes, casts
    for values, kw in (([1.0, 2.0], {}), ([1, 2], {}), ([1.0, 2.0], {"dtype": "float64"}),
                       ([True, False], {})):
        tkw = {k: getattr(torch, v) for k, v in kw.items()}
        okw = {k: getattr(ag, v) for k, v in kw.items()}
        o = ag.sparse_coo_tensor([[0, 3], [2, 1]], values, **okw)
        t = torch.sparse_coo_tensor([[0, 3], [2, 1]], values, **tkw)
        assert o.shape == tuple(t.shape) and str(o.dtype) == str(t.dtype).replace("torch.", "")
    i = ag.sparse_coo_tensor(np.array([[0, 1]], np.int32), [1.0, 2.0], (3,))
    assert i._indices().dtype == np.int64
    assert i.double().dtype == np.float64 and i.to(ag.float64).is_sparse
    assert i.to("cpu") is i and i.float() is i and i.long().dtype == np.int64


def test_repr_is_torchs(torch):
    o = ag.sparse_coo_tensor([[0, 2], [1, 0]], [1.0, -2.0], (3, 2))
    t = torch.sparse_coo_tensor([[0, 2], [1, 0]], [1.0, -2.0], (3, 2))
    assert repr(o) == repr(t)
    assert repr(o.double()) == repr(t.double()).replace("torch.float64", "float64")


def test_arithmetic_matches_torch(torch):
    idx, vals = pattern(3, 4, 7, seed=3)
    s, ts = both(torch, idx, vals, (3, 4))
    idx2, vals2 = pattern(3, 4, 5, seed=4)
    s2, ts2 = both(torch, idx2, vals2, (3, 4))
    dense = rng.standard_normal((3, 4))
    d, td = ag.tensor(dense), torch.tensor(dense)
    cases = [
        (d + s, td + ts), (d - s, td - ts), (ag.add(d, s), torch.add(td, ts)),
        (s + s2, ts + ts2), (s - s2, ts - ts2), (s.add(s2, alpha=2.0), ts.add(ts2, alpha=2.0)),
        (s * 2.5, ts * 2.5), (3 * s, 3 * ts), (s / 4, ts / 4), (-s, -ts),
        (s * ag.tensor(dense[0]), ts * torch.tensor(dense[0])), (s * ag.tensor(2.0), ts * torch.tensor(2.0)),
        (s.t(), ts.t()), (s.transpose(1, 0), ts.transpose(1, 0)), (s.T, ts.T),
        (s.sum(), ts.sum()), (ag.sparse.sum(s), torch.sparse.sum(ts)), (ag.sum(s), torch.sum(ts)),
    ]
    for k, (o, t) in enumerate(cases):
        assert o.is_sparse == t.is_sparse and o.shape == tuple(t.shape), k
        o, t = (o.to_dense(), t.to_dense()) if t.is_sparse else (o, t)
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-14, atol=1e-15, err_msg=str(k))
    # an integer adjacency added to a float identity, as graph programs build theirs
    a, ta = both(torch, *pattern(4, 4, 6, seed=5), (4, 4))
    a, ta = a.long(), ta.long()
    o, t = ag.eye(4) + a, torch.eye(4) + ta
    assert o.dtype == np.float32 and t.dtype == torch.float32
    np.testing.assert_array_equal(o.numpy(), t.numpy())
    li, lv = np.array([[0, 1], [1, 0]]), np.array([1.0, 2.0])
    legacy = ag.sparse.FloatTensor(ag.tensor(li), ag.tensor(lv), ag.Size([2, 2]))
    tlegacy = torch.sparse.FloatTensor(torch.tensor(li), torch.tensor(lv), torch.Size([2, 2]))
    assert legacy.dtype == np.float64 and tlegacy.dtype == torch.float64   # the values' dtype
    np.testing.assert_array_equal(legacy.to_dense().numpy(), tlegacy.to_dense().numpy())
    assert ag.sparse.DoubleTensor(3, 3)._nnz() == 0 and ag.sparse.LongTensor(2, 2).dtype == np.int64


def test_errors_are_torchs(torch):
    idx, vals = pattern(3, 3, 4)
    s, ts = both(torch, idx, vals, (3, 3))
    cases = [
        (lambda: s + ag.ones(3, 3), lambda: ts + torch.ones(3, 3)),
        (lambda: s + 1, lambda: ts + 1),
        (lambda: ag.ones(2, 3) + s, lambda: torch.ones(2, 3) + ts),
        (lambda: ag.ones(3) + s, lambda: torch.ones(3) + ts),
        (lambda: s.indices(), lambda: ts.indices()),
        (lambda: s.values(), lambda: ts.values()),
        (lambda: s.to_dense(ag.float64), lambda: ts.to_dense(torch.float64)),
        (lambda: s @ ag.ones(3, 2, dtype=ag.float32), lambda: ts @ torch.ones(3, 2)),
        (lambda: s.numpy(), lambda: ts.numpy()),
        (lambda: ag.sparse_coo_tensor([[0, 1]], [1.0, 2.0, 3.0], (3,)),
         lambda: torch.sparse_coo_tensor([[0, 1]], [1.0, 2.0, 3.0], (3,))),
        (lambda: ag.sparse_coo_tensor([0, 1], [1.0, 2.0]),
         lambda: torch.sparse_coo_tensor([0, 1], [1.0, 2.0])),
        (lambda: ag.sparse_coo_tensor([[0, -1]], [1.0, 2.0], (3,)),
         lambda: torch.sparse_coo_tensor([[0, -1]], [1.0, 2.0], (3,), check_invariants=True)),
        (lambda: ag.sparse_coo_tensor([[0, 3]], [1.0, 2.0], (3,)),
         lambda: torch.sparse_coo_tensor([[0, 3]], [1.0, 2.0], (3,), check_invariants=True)),
        (lambda: ag.sparse_coo_tensor([[0, 1]], [1.0, 2.0], (3, 3)),
         lambda: torch.sparse_coo_tensor([[0, 1]], [1.0, 2.0], (3, 3))),
    ]
    for ours, theirs in cases:
        raises_like(ours, theirs)
    with pytest.raises(RuntimeError, match=r"cannot be multiplied \(3 != 4\)"):
        s @ ag.ones(4, 2, dtype=ag.float64)


@pytest.mark.parametrize("op", [
    lambda s: s.exp(), lambda s: s[0], lambda s: s.sum(1), lambda s: s ** 2,
    lambda s: s > 0, lambda s: s.view(9), lambda s: s.backward(), lambda s: ag.exp(s),
    lambda s: s.mean(), lambda s: s @ s, lambda s: s * s, lambda s: s.stride(),
    lambda s: s.requires_grad_(), lambda s: ag.sparse_coo_tensor([[0]], [1.0], requires_grad=True),
    lambda s: ag.sparse_coo_tensor([[0]], ag.ones(1, requires_grad=True)),
    lambda s: ag.ones(2, 2, requires_grad=True).to_sparse(),
    lambda s: ag.sparse_coo_tensor([[0]], ag.ones(1, 2)),
    lambda s: ag.ones(2, 2).to_sparse(1),
])
def test_what_is_not_there_raises_not_implemented(op):
    """Ops without a sparse form here, sparse tensors that would require grad, hybrid
    tensors: NotImplementedError (PyTorch's type for an op without a sparse kernel), never
    a result computed on the wrong numbers."""
    s = ag.sparse_coo_tensor(*pattern(3, 3, 4), (3, 3))
    with pytest.raises(NotImplementedError) as err:
        op(s)
    assert "sparse" in str(err.value) or "hybrid" in str(err.value)
    with ag.no_grad():   # made without grad mode (inside a custom Function's forward)
        v = ag.sparse_coo_tensor([[0]], ag.ones(1, requires_grad=True))
    assert not v.requires_grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_paths_agree_bit_for_bit(dtype):
    idx, vals = pattern(50, 40, 300, seed=9)
    dense = rng.standard_normal((40, 7)).astype(dtype)
    got = {}
    for backend in ("numba", "numpy"):
        with kernels.use_backend(backend):
            got[backend] = coo_mm(idx[0], idx[1], vals.astype(dtype), dense, 50)
    assert got["numba"].dtype == dtype
    np.testing.assert_array_equal(got["numba"], got["numpy"])   # the same adds in one order
    want = np.zeros((50, 40))
    np.add.at(want, tuple(idx), vals)
    np.testing.assert_allclose(got["numba"], (want @ dense).astype(dtype),
                               rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-5 if dtype == np.float32 else 1e-12)
    empty = coo_mm(idx[0][:0], idx[1][:0], vals[:0].astype(dtype), dense, 3)
    assert empty.shape == (3, 7) and not empty.any()
