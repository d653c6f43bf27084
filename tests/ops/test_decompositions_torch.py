"""Matrix functions (``autograd_core.linalg`` and the older top-level forms) against PyTorch
in float64: values, and gradients of a random weighting of the outputs, on batched shapes.
Decompositions with a sign freedom (qr, svd, eigh) are compared through sign-invariant
quantities (absolute values, ``U diag(S) Vh`` products), as PyTorch's own tests do. Then
finite-difference checks (``gradcheck``) and PyTorch's errors."""
import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import gradcheck, gradgradcheck

LA = ag.linalg
# torch.cholesky and torch.triangular_solve warn that they are deprecated
pytestmark = pytest.mark.filterwarnings("ignore:torch.[a-z_.]+ is deprecated:UserWarning")


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def spd(a):
    return a @ np.swapaxes(a, -1, -2) + a.shape[-1] * np.eye(a.shape[-1])


def sym(a):
    return a + np.swapaxes(a, -1, -2)


def well(a):
    return a + 3 * np.eye(a.shape[-1])


def as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def compare(torch, ours, theirs, *arrays, grad=True, tol=1e-10):
    """``ours(*tensors)`` and ``theirs(*torch tensors)``: equal outputs, and equal gradients
    of ``sum(w_i * out_i)`` for random weights ``w_i``."""
    xs = [ag.tensor(a, dtype=ag.float64, requires_grad=grad) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=grad) for a in arrays]
    oa, ot = as_tuple(ours(*xs)), as_tuple(theirs(*ts))
    assert len(oa) == len(ot)
    for o, p in zip(oa, ot):
        assert tuple(o.shape) == tuple(p.shape)
        np.testing.assert_allclose(o.detach().numpy(), p.detach().numpy(), rtol=tol, atol=tol)
    if not grad:
        return
    rng = np.random.default_rng(1)
    ws = [rng.standard_normal(tuple(p.shape)) for p in ot]
    sum((o * ag.tensor(w)).sum() for o, w in zip(oa, ws)).backward()
    sum((p * torch.tensor(w)).sum() for p, w in zip(ot, ws)).backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


BATCHES = [(), (3,), (2, 2)]


# ------------------------------------------------------------------ values and gradients
@pytest.mark.parametrize("batch", BATCHES)
def test_inv_det_slogdet_logdet(torch, batch):
    a = well(rand(batch + (4, 4)))
    compare(torch, LA.inv, torch.linalg.inv, a)
    compare(torch, ag.Tensor.inverse, torch.inverse, a)
    compare(torch, LA.det, torch.linalg.det, a)
    compare(torch, ag.Tensor.det, torch.det, a)
    compare(torch, lambda x: tuple(LA.slogdet(x)), lambda x: tuple(torch.linalg.slogdet(x)), a)
    compare(torch, lambda x: tuple(x.slogdet()), lambda x: tuple(torch.slogdet(x)), a)
    compare(torch, ag.Tensor.logdet, torch.logdet, spd(a))
    compare(torch, lambda x: LA.inv_ex(x).inverse, lambda x: torch.linalg.inv_ex(x).inverse, a)


def test_det_at_a_singular_matrix_has_the_cofactor_gradient(torch):
    # PyTorch 2.13 gives a zero gradient here; the derivative is the cofactor matrix
    sing = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 5.0]])
    compare(torch, LA.det, torch.linalg.det, sing, grad=False)
    x = ag.tensor(sing, requires_grad=True)
    LA.det(x).backward()
    cofactor = np.array([[np.linalg.det(np.delete(np.delete(sing, i, 0), j, 1)) * (-1) ** (i + j)
                          for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(x.grad.numpy(), cofactor, atol=1e-12)
    assert math.isnan(ag.Tensor.logdet(-ag.eye(3)).item())
    assert ag.Tensor.logdet(ag.zeros(2, 2)).item() == -math.inf


@pytest.mark.parametrize("bshape", [(4,), (4, 2), (3, 4, 2), (3, 4)])
def test_solve_broadcasts_and_takes_vectors(torch, bshape):
    a, b = well(rand((3, 4, 4))), rand(bshape, 1)
    compare(torch, LA.solve, torch.linalg.solve, a, b)
    compare(torch, LA.solve, torch.linalg.solve, a[0], rand((2, 4, 3), 2))


def test_solve_left_false(torch):
    a, b = well(rand((2, 3, 3))), rand((2, 4, 3), 1)
    compare(torch, lambda x, y: LA.solve(x, y, left=False),
            lambda x, y: torch.linalg.solve(x, y, left=False), a, b)


@pytest.mark.parametrize("batch", BATCHES)
def test_cholesky_family(torch, batch):
    a = spd(rand(batch + (4, 4)))
    compare(torch, LA.cholesky, torch.linalg.cholesky, a)
    compare(torch, lambda x: LA.cholesky(x, upper=True),
            lambda x: torch.linalg.cholesky(x, upper=True), a)
    compare(torch, lambda x: LA.cholesky_ex(x).L, lambda x: torch.linalg.cholesky_ex(x).L, a)
    compare(torch, ag.Tensor.cholesky, torch.cholesky, a)
    compare(torch, lambda x: x.cholesky(upper=True), lambda x: torch.cholesky(x, upper=True), a)
    L = np.linalg.cholesky(a)
    b = rand(batch + (4, 2), 3)
    for upper in (False, True):
        f = np.swapaxes(L, -1, -2) if upper else L
        compare(torch, lambda y, l: y.cholesky_solve(l, upper),
                lambda y, l: torch.cholesky_solve(y, l, upper), b, f)
        compare(torch, lambda l: l.cholesky_inverse(upper),
                lambda l: torch.cholesky_inverse(l, upper), f)


def test_cholesky_reads_one_triangle(torch):
    a = spd(rand((4, 4)))
    lopsided = np.tril(a) + 0.3 * np.triu(rand((4, 4), 5), 1)
    compare(torch, LA.cholesky, torch.linalg.cholesky, lopsided)
    compare(torch, lambda x: LA.cholesky(x, upper=True),
            lambda x: torch.linalg.cholesky(x, upper=True), lopsided.T.copy())


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 5, 3), (2, 2, 3, 4)])
def test_qr(torch, shape):
    a = rand(shape)
    # LAPACK's Householder QR on both sides: the same signs, so compare Q and R directly
    compare(torch, lambda x: tuple(LA.qr(x)), lambda x: tuple(torch.linalg.qr(x)), a)
    compare(torch, lambda x: tuple(x.qr()), lambda x: tuple(torch.qr(x)), a)
    # and sign-invariant: |Q|, |R| and QR
    compare(torch, lambda x: (lambda q, r: (q.abs(), r.abs(), q @ r))(*LA.qr(x)),
            lambda x: (lambda q, r: (q.abs(), r.abs(), q @ r))(*torch.linalg.qr(x)), a)
    q, r = LA.qr(ag.tensor(a), mode="complete")
    qt, rt = torch.linalg.qr(torch.tensor(a), mode="complete")
    np.testing.assert_allclose(np.abs(q.numpy()), np.abs(qt.numpy()), atol=1e-12)
    np.testing.assert_allclose(np.abs(r.numpy()), np.abs(rt.numpy()), atol=1e-12)
    q, r = LA.qr(ag.tensor(a), mode="r")
    assert tuple(q.shape) == (0,)
    np.testing.assert_allclose(np.abs(r.numpy()),
                               np.abs(torch.linalg.qr(torch.tensor(a), mode="r").R.numpy()),
                               atol=1e-12)


def test_qr_backward_errors_as_pytorch(torch):
    for mode, shape in (("r", (3, 3)), ("complete", (4, 3))):
        x = ag.tensor(rand(shape), requires_grad=True)
        t = torch.tensor(rand(shape), requires_grad=True)
        with pytest.raises(RuntimeError) as theirs:
            torch.linalg.qr(t, mode=mode).R.sum().backward()
        with pytest.raises(RuntimeError) as ours:
            LA.qr(x, mode=mode).R.sum().backward()
        assert str(ours.value) == str(theirs.value)
    compare(torch, lambda x: tuple(LA.qr(x, mode="complete")),
            lambda x: tuple(torch.linalg.qr(x, mode="complete")), rand((3, 5)))


def _svd_invariants(U, S, Vh, k):
    """Sign-invariant: S, |U|, |Vh| on the first k singular vectors, and U_k diag(S) Vh_k."""
    u, vh = U[..., :, :k], Vh[..., :k, :]
    return S, u.abs(), vh.abs(), (u * S.unsqueeze(-2)) @ vh


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 5, 3), (2, 1, 3, 4)])
@pytest.mark.parametrize("full", [False, True])
def test_svd(torch, shape, full):
    a, k = rand(shape), min(shape[-2:])
    compare(torch, lambda x: _svd_invariants(*LA.svd(x, full_matrices=full), k),
            lambda x: _svd_invariants(*torch.linalg.svd(x, full_matrices=full), k), a)
    U, S, Vh = LA.svd(ag.tensor(a), full_matrices=full)
    Ut, _, Vht = torch.linalg.svd(torch.tensor(a), full_matrices=full)
    assert (tuple(U.shape), tuple(Vh.shape)) == (tuple(Ut.shape), tuple(Vht.shape))
    compare(torch, LA.svdvals, torch.linalg.svdvals, a)


def test_old_svd_returns_v(torch):
    a = rand((2, 5, 3))
    compare(torch, lambda x: (lambda u, s, v: _svd_invariants(u, s, v.mT, 3))(*x.svd()),
            lambda x: (lambda u, s, v: _svd_invariants(u, s, v.mT, 3))(*torch.svd(x)), a)
    ours, theirs = ag.tensor(a).svd(some=False), torch.svd(torch.tensor(a), some=False)
    assert [tuple(t.shape) for t in ours] == [tuple(t.shape) for t in theirs]
    ours, theirs = ag.tensor(a).svd(compute_uv=False), torch.svd(torch.tensor(a), compute_uv=False)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.numpy(), t.numpy(), atol=1e-12)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(torch, batch, uplo):
    a = rand(batch + (4, 4))   # not symmetric: only the UPLO triangle is read
    def inv(w, v):             # sign-invariant
        return w, v.abs(), (v * w.unsqueeze(-2)) @ v.mT
    compare(torch, lambda x: inv(*LA.eigh(x, UPLO=uplo)),
            lambda x: inv(*torch.linalg.eigh(x, UPLO=uplo)), a)
    compare(torch, lambda x: LA.eigvalsh(x, uplo), lambda x: torch.linalg.eigvalsh(x, uplo), a)


def test_eigvalsh_gradient_with_repeated_eigenvalues(torch):
    compare(torch, LA.eigvalsh, torch.linalg.eigvalsh, np.eye(3) * 2)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
def test_pinv(torch, shape):
    a = rand(shape)
    compare(torch, LA.pinv, torch.linalg.pinv, a)
    compare(torch, ag.Tensor.pinverse, torch.pinverse, a)
    compare(torch, lambda x: LA.pinv(x, hermitian=True),
            lambda x: torch.linalg.pinv(x, hermitian=True), sym(rand((2, 4, 4))))
    low_rank = rand((5, 2)) @ rand((2, 4), 1)
    compare(torch, LA.pinv, torch.linalg.pinv, low_rank, grad=False)
    compare(torch, lambda x: LA.pinv(x, atol=0.5), lambda x: torch.linalg.pinv(x, atol=0.5), a,
            grad=False)


@pytest.mark.parametrize("driver", [None, "gelsd"])
def test_lstsq(torch, driver):
    a, b = rand((2, 5, 3)), rand((2, 5, 2), 1)
    ours = LA.lstsq(ag.tensor(a), ag.tensor(b), driver=driver)
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    for o, t in zip(ours, theirs):
        assert tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(o.numpy(), t.numpy(), atol=1e-10)
    compare(torch, lambda x, y: LA.lstsq(x, y).solution,
            lambda x, y: torch.linalg.lstsq(x, y).solution, a, b)
    compare(torch, lambda x, y: LA.lstsq(x, y).solution,
            lambda x, y: torch.linalg.lstsq(x, y, driver="gelsd").solution, rand((3, 5)),
            rand((3, 2), 2))


@pytest.mark.parametrize("n", [0, 1, 2, 5, -1, -3])
def test_matrix_power(torch, n):
    a = well(rand((2, 3, 3))) / 3
    compare(torch, lambda x: LA.matrix_power(x, n), lambda x: torch.linalg.matrix_power(x, n), a)
    compare(torch, lambda x: x.matrix_power(n), lambda x: torch.matrix_power(x, n), a)
    ints = np.array([[1, 2], [3, 4]])
    assert ag.tensor(ints).matrix_power(3).tolist() == \
        torch.tensor(ints).matrix_power(3).tolist()


@pytest.mark.parametrize("scale", [0.1, 1.0, 20.0])
def test_matrix_exp(torch, scale):
    a = rand((2, 4, 4)) * scale
    compare(torch, LA.matrix_exp, torch.linalg.matrix_exp, a, tol=1e-9 * max(1, scale ** 3))
    compare(torch, ag.Tensor.matrix_exp, torch.matrix_exp, rand((3, 3)))


def test_matrix_rank_and_cond(torch):
    a = np.stack([rand((4, 4)), rand((4, 2)) @ rand((2, 4), 1)])
    assert LA.matrix_rank(ag.tensor(a)).tolist() == torch.linalg.matrix_rank(torch.tensor(a)).tolist()
    s = sym(a)
    assert LA.matrix_rank(ag.tensor(s), hermitian=True).tolist() == \
        torch.linalg.matrix_rank(torch.tensor(s), hermitian=True).tolist()
    assert LA.matrix_rank(ag.tensor(a), atol=1.0).tolist() == \
        torch.linalg.matrix_rank(torch.tensor(a), atol=1.0).tolist()
    for p in (None, 2, -2, "fro", "nuc", 1, -1, math.inf, -math.inf):
        # PyTorch 2.13's backward of cond with p not None/2/-2 fails (an in-place error)
        compare(torch, lambda x: LA.cond(x, p), lambda x: torch.linalg.cond(x, p),
                well(rand((2, 3, 3))), grad=p in (None, 2, -2))
    x = ag.tensor(well(rand((3, 3))), requires_grad=True)
    assert gradcheck(lambda x: LA.cond(x, "fro"), x)


@pytest.mark.parametrize("ord", ["fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2])
def test_matrix_norm(torch, ord):
    a = rand((2, 3, 4))
    compare(torch, lambda x: LA.matrix_norm(x, ord), lambda x: torch.linalg.matrix_norm(x, ord), a)
    compare(torch, lambda x: LA.matrix_norm(x, ord, dim=(0, 2), keepdim=True),
            lambda x: torch.linalg.matrix_norm(x, ord, dim=(0, 2), keepdim=True), a)


def test_multi_dot_vecdot_cross(torch):
    mats = [rand((4,)), rand((4, 6), 1), rand((6, 2), 2), rand((2, 5), 3)]
    compare(torch, lambda *xs: LA.multi_dot(xs), lambda *xs: torch.linalg.multi_dot(xs), *mats)
    compare(torch, lambda *xs: LA.multi_dot(xs), lambda *xs: torch.linalg.multi_dot(xs),
            *(mats[1:] + [rand((5,), 4)]))
    compare(torch, LA.vecdot, torch.linalg.vecdot, rand((3, 4)), rand((4,), 1))
    compare(torch, lambda x, y: LA.vecdot(x, y, dim=0),
            lambda x, y: torch.linalg.vecdot(x, y, dim=0), rand((3, 4)), rand((3, 4), 1))
    compare(torch, LA.cross, torch.linalg.cross, rand((2, 3)), rand((1, 3), 1))
    compare(torch, lambda x, y: LA.cross(x, y, dim=0),
            lambda x, y: torch.linalg.cross(x, y, dim=0), rand((3, 2)), rand((3, 2), 1))


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [False, True])
def test_solve_triangular(torch, upper, left, unit):
    a = well(rand((2, 4, 4)))
    b = rand((2, 4, 3) if left else (2, 3, 4), 1)
    kw = dict(upper=upper, left=left, unitriangular=unit)
    compare(torch, lambda x, y: LA.solve_triangular(x, y, **kw),
            lambda x, y: torch.linalg.solve_triangular(x, y, **kw), a, b)


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("transpose", [False, True])
def test_triangular_solve_old_api(torch, upper, transpose):
    a, b = well(rand((2, 4, 4))), rand((2, 4, 3), 1)
    compare(torch, lambda y, x: tuple(y.triangular_solve(x, upper, transpose)),
            lambda y, x: tuple(torch.triangular_solve(y, x, upper, transpose)), b, a)


def test_singular_triangle_gives_infinities_as_pytorch(torch):
    a = np.array([[1.0, 0.0], [1.0, 0.0]])
    ours = LA.solve_triangular(ag.tensor(a), ag.ones(2, 1, dtype=ag.float64), upper=False)
    theirs = torch.linalg.solve_triangular(torch.tensor(a), torch.ones(2, 1, dtype=torch.float64),
                                           upper=False)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_float32(torch):
    a = well(rand((2, 3, 3))).astype(np.float32)
    for ours, theirs in ((LA.inv, torch.linalg.inv), (LA.det, torch.linalg.det),
                         (lambda x: LA.cholesky(x @ x.mT), lambda x: torch.linalg.cholesky(x @ x.mT)),
                         (LA.svdvals, torch.linalg.svdvals), (LA.matrix_exp, torch.linalg.matrix_exp),
                         (LA.pinv, torch.linalg.pinv)):
        o = ours(ag.tensor(a))
        assert o.dtype == ag.float32
        np.testing.assert_allclose(o.numpy(), theirs(torch.tensor(a)).numpy(), rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------ finite differences
def test_gradcheck():
    a = ag.tensor(well(rand((2, 3, 3))), requires_grad=True)
    s = ag.tensor(spd(rand((3, 3))), requires_grad=True)
    b = ag.tensor(rand((2, 3, 2), 1), requires_grad=True)
    assert gradcheck(LA.inv, a)
    assert gradcheck(LA.solve, (a, b))
    assert gradcheck(lambda x: LA.cholesky(x + x.mT), s)
    assert gradcheck(lambda x: (lambda q, r: q @ r.abs())(*LA.qr(x)), b)
    assert gradcheck(lambda x: (lambda u, s, v: (u.abs(), s, v.abs()))(*LA.svd(x, False)), b)
    # eigh and cholesky read one triangle: check on symmetric inputs
    assert gradcheck(lambda x: (lambda w, v: (w, v.abs()))(*LA.eigh(x + x.mT)), a)
    assert gradcheck(LA.matrix_exp, a)
    assert gradcheck(LA.pinv, b)
    assert gradcheck(lambda x: LA.solve_triangular(x, b, upper=True), a)


def test_second_derivatives():
    a = ag.tensor(well(rand((3, 3))), requires_grad=True)
    assert gradgradcheck(LA.inv, a)
    assert gradgradcheck(LA.det, a)
    assert gradgradcheck(LA.matrix_exp, ag.tensor(rand((2, 2)), requires_grad=True))
    assert gradgradcheck(lambda x: LA.eigvalsh(x + x.mT), ag.tensor(rand((3, 3)), requires_grad=True))
    assert gradgradcheck(lambda x: LA.cholesky(x @ x.mT), ag.tensor(well(rand((3, 3))), requires_grad=True))


# ------------------------------------------------------------------ errors as PyTorch's
def same_error(torch, ours, theirs):
    with pytest.raises(Exception) as t:
        theirs()
    with pytest.raises(Exception) as o:
        ours()
    assert str(o.value) == str(t.value)
    return o.value, t.value


def test_singular_and_not_positive_definite_raise_linalg_error(torch):
    assert issubclass(LA.LinAlgError, RuntimeError)
    sing = np.array([[1.0, 2.0], [2.0, 4.0]])
    batch = np.stack([np.eye(2), sing])
    cases = [
        (lambda m: LA.inv(m), lambda m: torch.linalg.inv(m), sing),
        (lambda m: LA.inv(m), lambda m: torch.linalg.inv(m), batch),
        (lambda m: m.inverse(), lambda m: m.inverse(), np.zeros((3, 3))),
        (lambda m: LA.solve(m, ag.ones(2, dtype=ag.float64)),
         lambda m: torch.linalg.solve(m, torch.ones(2, dtype=torch.float64)), sing),
        (lambda m: LA.solve(m, ag.ones(2, 2, dtype=ag.float64)),
         lambda m: torch.linalg.solve(m, torch.ones(2, 2, dtype=torch.float64)), batch),
        (LA.cholesky, torch.linalg.cholesky, sing),
        (LA.cholesky, torch.linalg.cholesky, -np.eye(3)),
        (LA.cholesky, torch.linalg.cholesky, np.stack([np.eye(2), -np.eye(2)])),
        (lambda m: m.cholesky(), lambda m: torch.cholesky(m), sing),
    ]
    for ours, theirs, a in cases:
        o, t = same_error(torch, lambda: ours(ag.tensor(a)), lambda: theirs(torch.tensor(a)))
        assert isinstance(o, LA.LinAlgError) and isinstance(t, torch.linalg.LinAlgError)
    assert LA.inv_ex(ag.tensor(batch)).info.tolist() == \
        torch.linalg.inv_ex(torch.tensor(batch)).info.tolist()
    assert LA.cholesky_ex(ag.tensor(-np.eye(2))).info.tolist() == \
        torch.linalg.cholesky_ex(torch.tensor(-np.eye(2))).info.tolist()


@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "cholesky", "eigh", "matrix_exp",
                                  "solve", "svd", "qr", "svdvals", "pinv", "matrix_power",
                                  "eigvalsh", "cond", "matrix_rank"])
def test_shape_and_dtype_errors(torch, name):
    extra = {"solve": lambda lib, x: (x,), "matrix_power": lambda lib, x: (2,)}
    for a in (np.ones((2, 3)), np.ones((2, 2), dtype=np.int64), np.ones(3)):
        x, t = ag.tensor(a), torch.tensor(a)
        args_o = extra[name](ag, x) if name in extra else ()
        args_t = extra[name](torch, t) if name in extra else ()
        ours, theirs = getattr(LA, name), getattr(torch.linalg, name)
        try:
            theirs(t, *args_t)
        except (RuntimeError, NotImplementedError) as e:
            with pytest.raises(RuntimeError) as o:
                ours(x, *args_o)
            if not isinstance(e, NotImplementedError):   # "not implemented for 'Long'"
                assert str(o.value) == str(e)
        else:
            ours(x, *args_o)


def test_argument_errors(torch):
    a = ag.tensor(np.eye(3))
    t = torch.tensor(np.eye(3))
    same_error(torch, lambda: LA.solve(a, ag.ones(3, dtype=ag.float32)),
               lambda: torch.linalg.solve(t, torch.ones(3)))
    same_error(torch, lambda: LA.solve(a, ag.ones(2, 3, dtype=ag.float64).mT, left=False),
               lambda: torch.linalg.solve(t, torch.ones(2, 3, dtype=torch.float64).mT, left=False))
    same_error(torch, lambda: LA.solve_triangular(ag.ones(2, 3, dtype=ag.float64), a, upper=True),
               lambda: torch.linalg.solve_triangular(torch.ones(2, 3, dtype=torch.float64), t,
                                                     upper=True))
    same_error(torch, lambda: LA.cross(ag.ones(2, 4), ag.ones(2, 4)),
               lambda: torch.linalg.cross(torch.ones(2, 4), torch.ones(2, 4)))
    same_error(torch, lambda: LA.matrix_norm(a, 3), lambda: torch.linalg.matrix_norm(t, 3))
    same_error(torch, lambda: LA.multi_dot([a]), lambda: torch.linalg.multi_dot([t]))
    same_error(torch, lambda: ag.Tensor.logdet(ag.ones(2, 3)), lambda: torch.logdet(torch.ones(2, 3)))
