"""Shape functions (atleast_*, broadcast_*, block_diag, cartesian_prod, combinations, the
stacks, flips and rot90, diag_embed/diagflat, the triangle indices, unravel_index, vander),
products (kron, tensordot, inner, vdot, cross, addmv/addr/addbmm, chain_matmul, dist,
pdist) and scatters (take, index_copy, index_put, masked_scatter, the diagonal/select/slice
scatters, is_nonzero), each against PyTorch: values and float64 gradients, random shapes,
negative dims, empty tensors, views vs copies, dtypes and error types and messages."""
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import gradcheck, gradgradcheck
from autograd_core.ops import product as PR
from autograd_core.tensor import movement as MV
from tests.helpers import arr, assert_matches_torch, leaf


class _Ours:
    """``autograd_core`` with the functions added here, whether or not the package's
    ``__init__`` names them yet (a Tensor method's function form otherwise)."""

    def __getattr__(self, name):
        if name in ag.__dict__:
            return ag.__dict__[name]
        for home in (MV, PR):
            if callable(home.__dict__.get(name)):
                return home.__dict__[name]
        if hasattr(ag.Tensor, name):
            return lambda x, *a, **k: getattr(x, name)(*a, **k)
        return getattr(ag, name)


OURS = _Ours()


def check(torch, fn, arrays):
    """``assert_matches_torch`` with ``m`` our namespace above for autograd_core."""
    def both(m, *ts):
        return fn(OURS if m is ag else m, *ts)
    assert_matches_torch(torch, both, arrays)


def flat(m, ts):
    return m.cat([t.reshape(-1) for t in ts])


CASES = {
    "atleast": (lambda m, a, b, c: flat(m, [m.atleast_1d(a), *m.atleast_2d(a, b),
                                            *m.atleast_3d([a, b, c]), m.atleast_3d(c) * 2]),
                [arr(()), arr(3, 1), arr((2, 3), 2)]),
    "broadcast_tensors": (lambda m, a, b: flat(m, [x * (i + 1) for i, x in
                                                   enumerate(m.broadcast_tensors(a, b))]),
                          [arr((2, 1, 3)), arr((4, 1), 1)]),
    "block_diag": (lambda m, a, b, c: m.block_diag(a, b, c), [arr(()), arr(3, 1), arr((2, 4), 2)]),
    "cartesian_prod": (lambda m, a, b, c: m.cartesian_prod(a, b, c), [arr(2), arr(3, 1), arr(2, 2)]),
    "combinations": (lambda m, a: m.combinations(a, 3) * 2 + m.combinations(a, 2, True).sum(),
                     [arr(4)]),
    "column_stack": (lambda m, a, b, c: m.column_stack([a, b, c]), [arr(3), arr((3, 2), 1), arr(3, 2)]),
    "dstack": (lambda m, a, b: m.dstack([a, b]), [arr((2, 3)), arr((2, 3), 1)]),
    "stack": (lambda m, a, b, c: flat(m, [m.stack([a, b, c]), m.stack([a, a * 2], dim=-1),
                                          m.stack((c, b), 1) * m.stack([b, c], -2)]),
              [arr((2, 3)), arr((2, 3), 1), arr((2, 3), 2)]),
    "stack_0d_and_a_constant": (lambda m, a: m.stack([a[0, 0], m.tensor(2.0, dtype=a.dtype),
                                                       a.sum(), a[1, 2] * a[0, 1]]) ** 2,
                                [arr((2, 3))]),
    "flips": (lambda m, a: m.fliplr(a) * 2 + a.flipud() + m.flipud(a[0]), [arr((3, 3, 2))]),
    "rot90": (lambda m, a: flat(m, [m.rot90(a), a.rot90(2, [-1, 0]), a.rot90(-1, (1, 2)),
                                    a.rot90(3), a.rot90(0)]), [arr((2, 3, 4))]),
    "diag_embed": (lambda m, a: flat(m, [m.diag_embed(a), a.diag_embed(1, 0, 2),
                                         a.diag_embed(-2, -1, 1)]), [arr((2, 3))]),
    "diagflat": (lambda m, a: m.diagflat(a) + 0, [arr((2, 2))]),
    "diagflat_offset": (lambda m, a: a.diagflat(-2), [arr(3)]),
    "swapdims": (lambda m, a: m.swapdims(a, 0, -1) * a.swapdims(2, 0), [arr((2, 3, 2))]),
    "expand_copy": (lambda m, a: m.expand_copy(a, (2, 3, 4)), [arr((3, 1))]),
    "kron": (lambda m, a, b: m.kron(a, b), [arr((2, 3)), arr((4, 1, 2), 1)]),
    "kron_0d": (lambda m, a, b: m.kron(a, b) + b.kron(a), [arr(()), arr(3, 1)]),
    "tensordot": (lambda m, a, b: flat(m, [m.tensordot(a, b, dims=([1, 0], [0, 2])),
                                           m.tensordot(a, a, 0).sum(), m.tensordot(a, b.permute(2, 0, 1), 2)]),
                  [arr((2, 3)), arr((3, 4, 2), 1)]),
    "inner": (lambda m, a, b, c: flat(m, [m.inner(a, b), a.inner(c), m.inner(c, a[0, 0])]),
              [arr((2, 3)), arr((4, 3), 1), arr(3, 2)]),
    "vdot": (lambda m, a, b: m.vdot(a, b) * a.vdot(a), [arr(4), arr(4, 1)]),
    "cross": (lambda m, a, b: m.cross(a, b, dim=-1) + a.cross(b[:1], 1), [arr((4, 3)), arr((4, 3), 1)]),
    "cross_dim0": (lambda m, a, b: m.cross(a, b, dim=0), [arr((3, 2, 2)), arr((3, 1, 2), 1)]),
    "addmv": (lambda m, a, b, c: m.addmv(a, b, c) + a.addmv(b, c, beta=0.5, alpha=-2),
              [arr(2), arr((2, 3), 1), arr(3, 2)]),
    "addr": (lambda m, a, b, c: m.addr(a, b, c, alpha=3) + a.addr(b, c, beta=2), [arr((1, 4)), arr(2, 1), arr(4, 2)]),
    "addbmm": (lambda m, a, b, c: m.addbmm(a, b, c, beta=0.3) + a.addbmm(b, c), [arr(3), arr((5, 2, 4), 1), arr((5, 4, 3), 2)]),
    "dist": (lambda m, a, b: flat(m, [m.dist(a, b), a.dist(b, 1), a.dist(b, 0.5), a.dist(b, 3),
                                      a.dist(b, float("inf"))]), [arr((2, 3)), arr(3, 1)]),
    "pdist": (lambda m, a: m.pdist(a) + m.pdist(a, 1) + m.pdist(a, 3.5), [arr((4, 3))]),
    "take": (lambda m, a: m.take(a, m.tensor([[0, -1], [5, 5]])) + 0, [arr((2, 3))]),
    "index_copy": (lambda m, a, b: m.index_copy(a, -2, m.tensor([2, 0]), b),
                   [arr((2, 3, 2)), arr((2, 2, 2), 1)]),
    "index_put": (lambda m, a, b: m.index_put(a, (m.tensor([0, 2, -1]), m.tensor([1, 0, 1])), b),
                  [arr((3, 2)), arr(3, 1)]),
    "index_put_broadcast_acc": (lambda m, a, b: a.index_put((m.tensor([0, 0, 2]),), b,
                                                            accumulate=True), [arr((3, 2)), arr(2, 1)]),
    "index_put_mask": (lambda m, a, b: a.index_put((m.tensor([True, False, True]),), b),
                       [arr((3, 2)), arr((2, 2), 1)]),
    "masked_scatter": (lambda m, a, b: m.masked_scatter(a, m.tensor([[True, False, True]]), b),
                       [arr((2, 3)), arr(5, 1)]),
    "masked_scatter_broadcast_self": (lambda m, a, b: a.masked_scatter(
        m.tensor([[True, False], [False, True], [True, True]]), b), [arr(2), arr((2, 3), 1)]),
    "diagonal_scatter": (lambda m, a, b: m.diagonal_scatter(a, b, 1, -1, 0), [arr((3, 2, 3)), arr((2, 2), 1)]),
    "select_scatter": (lambda m, a, b: m.select_scatter(a, b, -1, 1), [arr((2, 3)), arr(2, 1)]),
    "slice_scatter": (lambda m, a, b: m.slice_scatter(a, b, 1, 1, None, 2), [arr((2, 5)), arr((2, 2), 1)]),
    "slice_scatter_clamped": (lambda m, a, b: a.slice_scatter(b, 0, -2, 10), [arr((4, 2)), arr((2, 2), 1)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_match_torch(torch, name):
    fn, arrays = CASES[name]
    check(torch, fn, arrays)


@pytest.mark.parametrize("seed", range(6))
def test_random_shapes_match_torch(torch, seed):
    rng = np.random.default_rng(seed)

    def shape(n, low=0):
        return tuple(int(s) for s in rng.integers(low, 4, n))

    a, b = shape(rng.integers(0, 4)), shape(rng.integers(0, 4))
    check(torch, lambda m, x, y: m.kron(x, y), [arr(a, seed), arr(b, seed + 1)])
    # PyTorch's block_diag backward misplaces the gradient after an empty block: no empty
    # blocks here (their values are checked in test_dtypes_and_empty)
    check(torch, lambda m, *ts: m.block_diag(*ts),
          [arr(shape(rng.integers(0, 3), 1), seed + k) for k in range(3)])
    s = shape(3, 1)
    k, dims = int(rng.integers(-5, 6)), [int(d) for d in rng.choice([-3, -2, -1, 0, 1, 2], 2,
                                                                    replace=False)]
    if dims[0] % 3 != dims[1] % 3:
        check(torch, lambda m, x: m.rot90(x, k, dims), [arr(s, seed)])
    off = int(rng.integers(-2, 3))
    check(torch, lambda m, x: m.diag_embed(x, off, 0, -1), [arr(shape(2), seed)])
    n = int(rng.integers(0, 3))
    a = shape(3)
    b = a[3 - n:] + shape(2)
    check(torch, lambda m, x, y: m.tensordot(x, y, n), [arr(a, seed), arr(b, seed + 2)])
    c = shape(2, 1) + (3,)
    check(torch, lambda m, x, y: m.cross(x, y, dim=-1), [arr(c, seed), arr((1,) + c[1:], seed + 3)])
    s, count = shape(rng.integers(0, 4)), int(rng.integers(1, 5))
    dim = int(rng.integers(-len(s) - 1, len(s) + 1))
    check(torch, lambda m, *ts: m.stack([t * (i + 1) for i, t in enumerate(ts)], dim),
          [arr(s, seed + k) for k in range(count)])
    r = int(rng.integers(2, 5))  # PyTorch's pdist backward crashes on fewer than 2 rows
    check(torch, lambda m, x: m.pdist(x, 2), [arr((r, 3), seed)])
    off = int(rng.integers(-3, 4))
    for fn in ("tril_indices", "triu_indices"):
        row, col = (int(v) for v in rng.integers(0, 5, 2))
        got = getattr(OURS, fn)(row, col, off)
        want = getattr(torch, fn)(row, col, off)
        assert got.dtype == np.int64 and got.tolist() == want.tolist()


def test_gradcheck_a_few():
    a, b = leaf(arr((2, 3))), leaf(arr((3, 2), 1))
    assert gradcheck(lambda x, y: PR.kron(x, y), (a, b))
    assert gradcheck(lambda x, y: PR.tensordot(x, y, 1), (a, b))
    c, d = leaf(arr((2, 3), 2)), leaf(arr((2, 3), 3))
    assert gradcheck(lambda x, y: PR.cross(x, y, dim=1), (c, d))
    assert gradcheck(lambda x: x.rot90(1, (1, 0)), (a,))
    assert gradcheck(lambda x: x.diag_embed(1), (a,))
    assert gradcheck(lambda x: PR.pdist(x), (leaf(arr((4, 2), 4)),))
    assert gradcheck(lambda x, v: x.index_put((ag.tensor([0, 0]),), v, accumulate=True),
                     (a, leaf(arr(3, 5))))
    assert gradcheck(lambda x: MV.vander(x, 4), (leaf(arr(3, 6)),))
    assert gradcheck(lambda x, y: MV.stack([x, y, x * y], dim=1), (c, d))
    assert gradgradcheck(lambda x, y: MV.stack([x, y * x], dim=-1) ** 2, (c, d))
    assert gradgradcheck(lambda x: x.rot90(1, (1, 0)) ** 2, (a,))
    assert gradgradcheck(lambda x, y: PR.cross(x, y, dim=1) ** 2, (c, d))
    assert gradgradcheck(lambda x, v: x.masked_scatter(ag.tensor([True, False, True]), v) ** 2,
                         (a, leaf(arr(6, 5))))


def test_vander_values_and_gradients(torch):
    # PyTorch 2.13's vander cannot be differentiated (an in-place cumprod it saves):
    # values against it, gradients against finite differences
    for x in (arr(3), np.array([0.0, 1.5, -2.0])):
        for n, inc in ((None, False), (5, True), (1, False), (4, False)):
            ours = OURS.vander(ag.tensor(x), n, inc)
            theirs = torch.vander(torch.tensor(x), n, inc)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
            assert gradcheck(lambda t: OURS.vander(t, n, inc), (leaf(x),))


def test_views_and_copies(torch):
    x, tx = ag.tensor(arr((2, 3))), torch.tensor(arr((2, 3)))
    for name, call in [("atleast_3d", lambda m, t: m.atleast_3d(t)),
                       ("atleast_1d_0d", lambda m, t: m.atleast_1d(t[0, 0])),
                       ("broadcast_tensors", lambda m, t: m.broadcast_tensors(t, t[:1, :1].clone().expand(4, 1, 1))[0]),
                       ("swapdims", lambda m, t: m.swapdims(t, 0, 1)),
                       ("fliplr", lambda m, t: m.fliplr(t)), ("rot90", lambda m, t: m.rot90(t)),
                       ("rot90_0", lambda m, t: m.rot90(t, 4)),
                       ("expand_copy", lambda m, t: m.expand_copy(t, (2, 2, 3))),
                       ("diag_embed", lambda m, t: m.diag_embed(t)),
                       ("slice_scatter", lambda m, t: m.slice_scatter(t, t[:, :1], 1, 0, 1)),
                       ("take", lambda m, t: m.take(t, m.tensor([0])))]:
        ours, theirs = call(OURS, x), call(torch, tx)
        assert np.shares_memory(ours._data, x._data) == (theirs._base is tx
                                                         or theirs.data_ptr() == tx.data_ptr()), name
    # one tensor of the right rank comes back as it is, as PyTorch's
    assert OURS.atleast_2d(x) is x and torch.atleast_2d(tx) is tx
    assert OURS.broadcast_tensors(x, x)[0] is x
    assert OURS.cartesian_prod(x[0]) is not None


def test_in_place_forms_bump_the_version_and_match_torch(torch):
    for name, call in [
            ("index_copy_", lambda m, t, v: t.index_copy_(1, m.tensor([2, 0]), v[:, :2])),
            ("index_put_", lambda m, t, v: t.index_put_((m.tensor([1, 1]), m.tensor([0, 2])),
                                                        v[0, :2], accumulate=True)),
            ("index_put_plain", lambda m, t, v: t.index_put_((m.tensor([1]),), v[0])),
            ("masked_scatter_", lambda m, t, v: t.masked_scatter_(m.tensor([True, False, True]), v)),
            ("addmv_", lambda m, t, v: t[0].addmv_(v.t(), v[:, 0], beta=2)),
            ("addr_", lambda m, t, v: t.addr_(v[:, 0], v[0])),
            ("addbmm_", lambda m, t, v: t.addbmm_(v[None, :, :2], v[None, :2], alpha=0.5))]:
        a = arr((2, 3))
        base, tbase = leaf(a), torch.tensor(a, requires_grad=True)
        v, tv = leaf(arr((2, 3), 1)), torch.tensor(arr((2, 3), 1), requires_grad=True)
        t, tt = base * 1, tbase * 1
        version = t._version
        out = call(OURS, t, v)
        tout = call(torch, tt, tv)
        assert t._version > version, name
        np.testing.assert_allclose(t.detach().numpy(), tt.detach().numpy(), rtol=1e-12)
        g = arr((2, 3), 9)
        t.backward(ag.tensor(g))
        tt.backward(torch.tensor(g))
        np.testing.assert_allclose(base.grad.numpy(), tbase.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(v.grad.numpy(), tv.grad.numpy(), rtol=1e-10, err_msg=name)
        assert out is t or out._data.base is not None


def test_dtypes_and_empty(torch):
    for call in [lambda m: m.kron(m.tensor([1, 2]), m.tensor([[3], [4]])),
                 lambda m: m.block_diag(m.tensor(1), m.tensor([2.0, 3.0], dtype=m.float64)),
                 lambda m: m.vander(m.tensor([1, 2, 3], dtype=m.int32)),
                 lambda m: m.vander(m.tensor([True, False])),
                 lambda m: m.vander(m.tensor([1.0, 2.0]), N=0),
                 lambda m: m.block_diag(),
                 lambda m: m.block_diag(m.zeros(0, 2), m.ones(1, 1)),
                 lambda m: m.combinations(m.arange(4), 0),
                 lambda m: m.combinations(m.arange(4), 5),
                 lambda m: m.combinations(m.arange(4), 2, with_replacement=True),
                 lambda m: m.cartesian_prod(m.arange(3), m.arange(0)),
                 lambda m: m.tensordot(m.arange(6).reshape(2, 3), m.arange(6).reshape(3, 2), 1),
                 lambda m: m.tensordot(m.ones(2, 3), m.ones(3, 4), dims=m.tensor([[1], [0]])),
                 lambda m: m.tensordot(m.ones(2, 3), m.ones(3, 4), dims=m.tensor(1)),
                 lambda m: m.tensordot(m.tensor(2.0), m.tensor(3.0), dims=0),
                 lambda m: m.inner(m.arange(3), m.arange(6).reshape(2, 3)),
                 lambda m: m.cross(m.arange(6).reshape(2, 3), m.ones(2, 3, dtype=m.int64), dim=1),
                 lambda m: m.take(m.arange(6).reshape(2, 3), m.tensor(4)),
                 lambda m: m.take(m.zeros(0), m.tensor([], dtype=m.int64)),
                 lambda m: m.zeros(0, 3).index_put((m.tensor([], dtype=m.int64),), m.ones(3)),
                 lambda m: m.zeros(2, 2, dtype=m.int64).index_put((m.tensor([1]),), m.tensor(5),
                                                                 accumulate=True),
                 lambda m: m.diagonal_scatter(m.zeros(3, 3, dtype=m.int64), m.ones(3)),
                 lambda m: m.diagonal_scatter(m.zeros(3, 3), m.ones(3, dtype=m.float64)),
                 lambda m: m.unravel_index(m.tensor([[5, 7], [-1, 0]]), (2, 3))[1],
                 lambda m: m.unravel_index(m.tensor(4), (2, 3))[0],
                 lambda m: m.unravel_index(m.tensor([4]), 6)[0],
                 lambda m: m.tril_indices(3, 4, -1, dtype=m.int32),
                 lambda m: m.triu_indices(0, 3),
                 lambda m: m.diagflat(m.tensor(3.0)),
                 lambda m: m.pdist(m.zeros(1, 2)),
                 lambda m: m.addmv(m.tensor([float("nan"), 1.0]), m.ones(2, 3), m.ones(3), beta=0),
                 lambda m: m.dist(m.zeros(2, 3), m.ones(3), 0),
                 lambda m: m.stack([m.tensor([1, 2]), m.tensor([0.5, 1.0])]),
                 lambda m: m.stack([m.tensor(1), m.tensor(2.0, dtype=m.float64)], 0),
                 lambda m: m.stack([m.tensor([1], dtype=m.int8), m.tensor([2], dtype=m.uint8)]),
                 lambda m: m.stack([m.zeros(0, 2), m.zeros(0, 2)], 1),
                 lambda m: m.cat([m.tensor([1, 2]), m.tensor([0.5, 1.0])]),
                 lambda m: m.cat([m.tensor([True]), m.tensor([3], dtype=m.int32)]),
                 lambda m: m.block_diag(m.tensor([[1]]), m.tensor([[0.5]]))]:
        ours, theirs = call(OURS), call(torch)
        assert ours.shape == tuple(theirs.shape)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert OURS.broadcast_shapes((2, 1), (3,), 1) == tuple(torch.broadcast_shapes((2, 1), (3,), 1))
    assert OURS.broadcast_shapes() == ()
    for v in ([0.0], [2.0], [True]):
        assert OURS.is_nonzero(ag.tensor(v)) == torch.is_nonzero(torch.tensor(v))


def test_cross_without_dim_warns_and_takes_the_first_dim_of_size_3(torch):
    a, b = arr((3, 3)), arr((3, 3), 1)
    with pytest.warns(UserWarning, match="Using torch.cross without specifying the dim arg"):
        ours = PR.cross(ag.tensor(a), ag.tensor(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.cross(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())
    with pytest.warns(UserWarning, match="torch.chain_matmul is deprecated"):
        out = PR.chain_matmul(ag.ones(2, 3), ag.ones(3, 4), ag.ones(4, 1))
    assert out.tolist() == [[12.0], [12.0]]


ERRORS = [
    lambda m: m.broadcast_shapes((2, 3), (4, 3)),
    lambda m: m.broadcast_shapes((2, 3), (-1,)),
    lambda m: m.broadcast_tensors(m.zeros(2, 3), m.zeros(4, 3)),
    lambda m: m.block_diag(m.zeros(2, 2, 2)),
    lambda m: m.cartesian_prod(m.zeros(2, 2)),
    lambda m: m.combinations(m.arange(4), -1),
    lambda m: m.fliplr(m.zeros(3)),
    lambda m: m.flipud(m.tensor(1.0)),
    lambda m: m.rot90(m.zeros(2, 3), 1, (0, 0)),
    lambda m: m.rot90(m.zeros(2, 3), 1, (0,)),
    lambda m: m.rot90(m.zeros(2), 1, (0, 1)),
    lambda m: m.rot90(m.zeros(2, 3), 1, (0, 5)),
    lambda m: m.diag_embed(m.zeros(3), 0, 0, 0),
    lambda m: m.diag_embed(m.zeros(3), 0, 0, 5),
    lambda m: m.tril_indices(-1, 3),
    lambda m: m.triu_indices(3, -1),
    lambda m: m.unravel_index(m.tensor([1.0]), (2, 3)),
    lambda m: m.unravel_index(m.tensor([4]), (2, -3)),
    lambda m: m.vander(m.zeros(2, 2)),
    lambda m: m.vander(m.zeros(2), N=-1),
    lambda m: m.tensordot(m.zeros(2, 3), m.zeros(3, 4), dims=-1),
    lambda m: m.tensordot(m.zeros(2, 3), m.zeros(3, 4, dtype=m.float64), dims=1),
    lambda m: m.tensordot(m.zeros(2, 3), m.zeros(4, 4), dims=1),
    lambda m: m.tensordot(m.zeros(2, 3), m.zeros(3, 4), dims=([1], [0, 1])),
    lambda m: m.tensordot(m.zeros(2, 3), m.zeros(3, 4), dims=5),
    lambda m: m.inner(m.zeros(2, 3), m.zeros(2, 4)),
    lambda m: m.vdot(m.zeros(2, 3), m.zeros(6)),
    lambda m: m.vdot(m.zeros(3), m.zeros(2)),
    lambda m: m.vdot(m.zeros(3), m.zeros(3, dtype=m.float64)),
    lambda m: m.cross(m.zeros(4, 2), m.zeros(4, 2)),
    lambda m: m.cross(m.zeros(4, 3), m.zeros(4, 3), dim=0),
    lambda m: m.cross(m.zeros(3), m.zeros(4, 3), dim=-1),
    lambda m: m.addmv(m.zeros(2), m.zeros(2, 3), m.zeros(4)),
    lambda m: m.addbmm(m.zeros(2, 3), m.zeros(5, 2, 4), m.zeros(4, 4, 3)),
    lambda m: m.chain_matmul(),
    lambda m: m.chain_matmul(m.zeros(2, 3), m.zeros(3)),
    lambda m: m.dist(m.zeros(2, 3), m.zeros(4)),
    lambda m: m.dist(m.zeros(2, 3, dtype=m.int64), m.zeros(3, dtype=m.int64)),
    lambda m: m.pdist(m.zeros(3)),
    lambda m: m.pdist(m.zeros(3, 2), -1),
    lambda m: m.pdist(m.zeros(3, 2, dtype=m.int64)),
    lambda m: m.take(m.zeros(2, 3), m.tensor([6])),
    lambda m: m.take(m.zeros(2, 3), m.tensor([-7])),
    lambda m: m.take(m.zeros(2, 3), m.tensor([1], dtype=m.int32)),
    lambda m: m.zeros(3, 2).index_copy(0, m.tensor([0, 5]), m.ones(2, 2)),
    lambda m: m.zeros(3, 2).index_copy(0, m.tensor([0, 1]), m.ones(3, 2)),
    lambda m: m.zeros(3, 2).index_copy(0, m.tensor([0, 1], dtype=m.int32), m.ones(2, 2)),
    lambda m: m.zeros(3, 2).index_copy(0, m.tensor([0, 1]), m.ones(2, 2, dtype=m.float64)),
    lambda m: m.zeros(3, 2).index_copy(0, m.tensor([-1, 1]), m.ones(2, 2)),
    lambda m: m.zeros(3, 2).index_copy(0, m.tensor([[0, 1]]), m.ones(2, 2)),
    lambda m: m.zeros(3, 2).index_put((m.tensor([0, 5]),), m.ones(2)),
    lambda m: m.zeros(3, 2).index_put((m.tensor([0, 1]),), m.ones(3)),
    lambda m: m.zeros(3, 2).index_put((m.tensor([0, 1]),), m.ones(2, dtype=m.float64)),
    lambda m: m.zeros(3, 2).index_put((m.tensor([0.0, 1.0]),), m.ones(2)),
    lambda m: m.zeros(3, 2).index_put((m.tensor([0]), m.tensor([0]), m.tensor([1])), m.ones(1)),
    lambda m: m.zeros(3, 2).masked_scatter(m.ones(3, 2, dtype=m.bool), m.ones(3)),
    lambda m: m.zeros(3, 2).masked_scatter(m.ones(3, 2), m.ones(6)),
    lambda m: m.zeros(3, 2).masked_scatter(m.ones(2, dtype=m.bool), m.ones(6, dtype=m.float64)),
    lambda m: m.zeros(2).masked_scatter_(m.ones(3, 2, dtype=m.bool), m.ones(6)),
    lambda m: m.diagonal_scatter(m.zeros(3, 3), m.ones(2)),
    lambda m: m.select_scatter(m.zeros(3, 3), m.ones(2), 0, 0),
    lambda m: m.select_scatter(m.zeros(3, 3), m.ones(3), 0, 3),
    lambda m: m.slice_scatter(m.zeros(3, 3), m.ones(3, 3), 0, 1),
    lambda m: m.slice_scatter(m.zeros(6, 3), m.ones(2, 3), 0, 1, 3, 0),
    lambda m: m.stack([]),
    lambda m: m.stack([m.zeros(2), m.zeros(3)]),
    lambda m: m.stack([m.zeros(2, 3), m.zeros(2, 3), m.zeros(3, 2)], 1),
    lambda m: m.stack([m.zeros(2), [1.0, 2.0]]),
    lambda m: m.stack([m.zeros(2)], 2),
    lambda m: m.stack([m.zeros(2)], -3),
    lambda m: m.is_nonzero(m.zeros(0)),
    lambda m: m.is_nonzero(m.zeros(2)),
]


@pytest.mark.filterwarnings("ignore:(Using torch.cross|torch.chain_matmul):UserWarning")
@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_as_torch(torch, k):
    call = ERRORS[k]
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(OURS)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
    t, o = str(theirs.value), str(ours.value)
    if "expand(" not in t and "dtype" not in t.split(",")[0]:
        assert o.split("\n")[0] == t.split("\n")[0], (o, t)


def test_stack_is_one_node_and_each_input_gets_its_slice_of_the_gradient(torch):
    # PyTorch records one StackBackward0 for all inputs (not one unsqueeze each and a cat):
    # the same here, and each input's gradient is its slice of the output's (compared
    # exactly: slicing w copies its numbers, no arithmetic)
    xs = [leaf(arr(3, k)) for k in range(5)]
    y = ag.stack(xs, 1)
    assert y.grad_fn.name() == "StackBackward0" and len(y.grad_fn.next_functions) == 5
    w = arr((3, 5), 9)
    (y * ag.tensor(w)).sum().backward()
    for k, x in enumerate(xs):
        np.testing.assert_array_equal(x.grad.numpy(), w[:, k])
    tx = [torch.tensor(arr(3, k), requires_grad=True) for k in range(5)]
    theirs = torch.stack(tx, 1).grad_fn
    assert theirs.name() == "StackBackward0" and len(theirs.next_functions) == 5


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_stack_without_a_graph_copies_as_pytorch(torch, dim):
    # the path with nothing to record (a DataLoader's collate): a new contiguous tensor,
    # equal to PyTorch's, that shares no memory with its inputs
    parts = [arr((2, 3), k).astype(np.float32) for k in range(4)]
    ours = ag.stack([ag.tensor(p) for p in parts], dim)
    theirs = torch.stack([torch.tensor(p) for p in parts], dim)
    assert ours.shape == tuple(theirs.shape) and ours.grad_fn is None and ours.is_contiguous()
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    src = ag.tensor(parts[0])
    out = ag.stack([src, src], dim)
    src.add_(1)
    np.testing.assert_array_equal(out.numpy(), np.stack([parts[0]] * 2, dim))
    with ag.no_grad():
        x = ag.ones(2, requires_grad=True)
        assert ag.stack([x, x]).grad_fn is None and not ag.stack([x, x]).requires_grad
