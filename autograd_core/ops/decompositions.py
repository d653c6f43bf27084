"""Matrix decompositions and solves: inverse, solve, determinant, Cholesky, QR, SVD,
symmetric eigendecomposition, pseudo-inverse, triangular solve and the matrix
exponential, batched over leading dims, kernels from ``np.linalg``.

An op with several results (QR, SVD, eigh, slogdet) returns them packed side by side
along one last axis (``pack``); the Tensor layer slices them apart, so each result's
gradient flows back into the one node. A result whose gradient is all zeros counts as
unused, as an undefined gradient does in PyTorch (eigenvalues alone then need no
division by eigenvalue gaps).

>>> import numpy as np
>>> from autograd_core.ops.decompositions import pack, packed_shapes
>>> pack(np.ones((2, 2)), np.zeros(2)).shape, packed_shapes((3, 2), "qr", "reduced")
((6,), [(3, 2), (2, 2)])
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..autograd.function import Function, scalar_type_name

if TYPE_CHECKING:  # for annotations only: the Tensor type sits above this layer
    from ..tensor import Tensor


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (a singular matrix, a matrix that is
    not positive-definite): ``torch.linalg.LinAlgError``, a RuntimeError."""


# PyTorch's torch.return_types
linalg_slogdet = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
slogdet = namedtuple("slogdet", ["sign", "logabsdet"])
linalg_qr = namedtuple("linalg_qr", ["Q", "R"])
qr = namedtuple("qr", ["Q", "R"])
linalg_svd = namedtuple("linalg_svd", ["U", "S", "Vh"])
svd = namedtuple("svd", ["U", "S", "V"])
linalg_eigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
linalg_lstsq = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
linalg_inv_ex = namedtuple("linalg_inv_ex", ["inverse", "info"])
linalg_cholesky_ex = namedtuple("linalg_cholesky_ex", ["L", "info"])
triangular_solve = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])


# ---------------------------------------------------------------- checks and messages
def check_matrix(a: np.ndarray, name: str, square: bool = True, arg: str = "A") -> None:
    """PyTorch's checks of a linalg input: floating dtype, at least 2-D, square."""
    if a.dtype == np.float16:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got Half")
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {scalar_type_name(a.dtype)}")
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")


def _batch_prefix(ndim: int, index: int) -> str:
    return f"(Batch element {index}): " if ndim > 2 else ""


def _zero_pivot(a: np.ndarray) -> int:
    """LAPACK getrf's ``info`` for one matrix: the 1-based index of the first zero pivot of
    LU with partial pivoting, or 0."""
    a = np.array(a, copy=True)
    n = a.shape[0]
    first = 0
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            first = first or k + 1
            continue
        a[[k, p]] = a[[p, k]]
        a[k + 1:, k:] -= np.outer(a[k + 1:, k] / a[k, k], a[k, k:])
    return first


def _cholesky_partial(a: np.ndarray) -> tuple:
    """Unblocked Cholesky of one matrix's lower triangle, as LAPACK potrf: ``(L, info)``
    with ``info`` the order of the first leading minor that is not positive-definite (0 if
    none); columns past a failure keep the input's values."""
    L = np.tril(a).copy()
    for j in range(a.shape[0]):
        d = L[j, j] - L[j, :j] @ L[j, :j]
        if not d > 0:
            return L, j + 1
        L[j, j] = np.sqrt(d)
        L[j + 1:, j] = (L[j + 1:, j] - L[j + 1:, :j] @ L[j, :j]) / L[j, j]
    return L, 0


def _batches(a: np.ndarray) -> np.ndarray:
    return a.reshape((-1,) + a.shape[-2:])


def singular_error(a: np.ndarray, name: str) -> LinAlgError:
    """PyTorch's error for ``linalg.inv`` of a singular ``a``, naming the batch element and
    the zero diagonal element of its LU factor."""
    for i, m in enumerate(_batches(a)):
        info = _zero_pivot(m)
        if info or i == _batches(a).shape[0] - 1:
            return LinAlgError(
                f"{name}: {_batch_prefix(a.ndim, i)}The diagonal element {info or m.shape[0]} "
                "is zero, the inversion could not be completed because the input matrix is "
                "singular.")
    return LinAlgError(f"{name}: The input matrix is singular.")


def cholesky_info(a: np.ndarray) -> np.ndarray:
    """potrf's ``info`` of each matrix of a batch (int32, batch shape)."""
    return np.array([_cholesky_partial(m)[1] for m in _batches(a)],
                    dtype=np.int32).reshape(a.shape[:-2])


def not_pd_error(a: np.ndarray, name: str) -> LinAlgError:
    info = cholesky_info(a).reshape(-1)
    i = int(np.argmax(info != 0))
    return LinAlgError(
        f"{name}: {_batch_prefix(a.ndim, i)}The factorization could not be completed because "
        f"the input is not positive-definite (the leading minor of order {max(info[i], 1)} is "
        "not positive-definite).")


# ---------------------------------------------------------------- packing of several results
def pack(*arrays: np.ndarray) -> np.ndarray:
    """Arrays with the same leading (batch) dims, each flattened past them and joined along
    one last axis. ``arrays[0]`` must be a matrix (batch dims = all but its last two)."""
    batch = arrays[0].shape[:-2]
    return np.concatenate([a.reshape(batch + (-1,)) for a in arrays], axis=-1)


def packed_shapes(shape: tuple, op: str, mode: Any = None) -> list:
    """The shapes (past the batch dims) of the results packed by ``op`` for an input matrix
    of ``shape`` (its last two dims)."""
    m, n = shape[-2:]
    k = min(m, n)
    if op == "qr":
        return [(m, k), (k, n)] if mode == "reduced" else [(m, m), (m, n)]
    if op == "svd":
        return [(m, m), (k,), (n, n)] if mode else [(m, k), (k,), (k, n)]
    if op == "eigh":
        return [(n,), (n, n)]
    raise ValueError(op)


def unpack(t: "Tensor", shapes: list) -> list:
    """The Tensors packed by :func:`pack`, as slices of ``t``'s last axis."""
    batch = tuple(t.shape[:-1])
    out, start = [], 0
    for s in shapes:
        size = int(np.prod(s, dtype=np.int64))
        out.append(t[..., start:start + size].reshape(batch + tuple(s)))
        start += size
    return out


def _unused(g: "Tensor") -> bool:
    """An all-zero gradient: the result it belongs to was not used."""
    return not g._data.any()


# ---------------------------------------------------------------- Tensor-op helpers
def _eye(n: int, like: "Tensor") -> "Tensor":
    return _f.make(np.eye(n, dtype=like._data.dtype))


def _diag_embed(v: "Tensor") -> "Tensor":
    return v.unsqueeze(-1) * _eye(v.shape[-1], v)


def _join_columns(a: "Tensor", b: "Tensor") -> "Tensor":
    """``[a | b]`` along the last dim, with matmuls by constant selectors."""
    p, q = a.shape[-1], b.shape[-1]
    left = np.eye(p, p + q, dtype=a._data.dtype)
    right = np.eye(q, p + q, k=p, dtype=a._data.dtype)
    return a @ _f.make(left) + b @ _f.make(right)


def _solve_right(A: "Tensor", B: "Tensor", upper: bool) -> "Tensor":
    """``X`` with ``X @ A = B`` for a triangular ``A``."""
    return SolveTriangular.apply(A.mT, B.mT, upper=not upper).mT


# ---------------------------------------------------------------- ops
class Inv(Function):
    """The inverse of each square matrix; singular ones raise ``LinAlgError`` (or, with
    ``check_errors=False``, come out as NaN)."""

    op = "linalg.inv"

    @staticmethod
    def forward(ctx, a, name="linalg.inv", check_errors=True):
        try:
            out = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            if check_errors:
                raise singular_error(a, name) from None
            out = np.empty_like(a)
            flat, src = _batches(out), _batches(a)
            for i, m in enumerate(src):
                try:
                    flat[i] = np.linalg.inv(m)
                except np.linalg.LinAlgError:
                    flat[i] = np.nan
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (ainv,) = ctx.saved_tensors
        return -(ainv.mT @ grad @ ainv.mT)


class Solve(Function):
    """``X`` with ``A @ X = B`` for square ``A`` (..., n, n) and ``B`` (..., n, k); batch
    dims broadcast."""

    op = "linalg.solve"

    @staticmethod
    def forward(ctx, a, b):
        try:
            x = np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            full = np.broadcast_to(a, np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + a.shape[-2:])
            i = next((i for i, m in enumerate(_batches(full)) if _zero_pivot(m)),
                     0)
            raise LinAlgError(f"torch.linalg.solve: {_batch_prefix(full.ndim, i)}The solver "
                              "failed because the input matrix is singular.") from None
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        gb = Solve.apply(a.mT, grad)
        ga = -(gb @ x.mT) if ctx.needs_input_grad[0] else None
        return ga, gb


def _det_grad_direction(a: "Tensor", det: "Tensor") -> "Tensor":
    """d det(A) / dA (the cofactor matrix): ``det * inv(A)^T``, or, when a matrix is
    singular, from its SVD (first order only there)."""
    arr = a._data
    if np.all(det._data != 0):
        return det.unsqueeze(-1).unsqueeze(-1) * Inv.apply(a).mT
    u, s, vh = np.linalg.svd(arr)
    k = s.shape[-1]
    others = np.empty_like(s)
    for i in range(k):   # the product of the other singular values
        others[..., i] = np.prod(np.delete(s, i, axis=-1), axis=-1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    cof = (u * (others * sign[..., None])[..., None, :]) @ vh
    return _f.make(cof)


class Det(Function):
    op = "linalg.det"

    @staticmethod
    def forward(ctx, a):
        out = np.asarray(np.linalg.det(a), dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, det = ctx.saved_tensors
        return grad.unsqueeze(-1).unsqueeze(-1) * _det_grad_direction(a, det)


class Slogdet(Function):
    """``(sign, log|det|)`` packed along a last axis of 2; only ``log|det|`` has a gradient
    (``inv(A)^T``)."""

    op = "linalg.slogdet"

    @staticmethod
    def forward(ctx, a):
        sign, logabs = np.linalg.slogdet(a)
        ctx.save_for_backward(a)
        return np.stack([sign, logabs], axis=-1).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        g = grad[..., 1]
        return g.unsqueeze(-1).unsqueeze(-1) * Inv.apply(a).mT


class Cholesky(Function):
    """The lower Cholesky factor, from the lower triangle of each matrix. Backward:
    ``L^-T Φ(L^T gL) L^-1`` with Φ the lower triangle, diagonal halved, symmetrized."""

    op = "linalg.cholesky"

    @staticmethod
    def forward(ctx, a, name="linalg.cholesky", check_errors=True):
        try:
            out = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            if check_errors:
                raise not_pd_error(a, name) from None
            out = np.stack([_cholesky_partial(m)[0] for m in _batches(a)]).reshape(a.shape)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (L,) = ctx.saved_tensors
        phi = (L.mT @ grad).tril()
        phi = 0.5 * (phi + phi.tril(-1).mT)
        ga = SolveTriangular.apply(L.mT, phi, upper=True)
        return _solve_right(L, ga, upper=False)


def _triangle(a: np.ndarray, upper: bool, unitriangular: bool) -> np.ndarray:
    t = np.triu(a) if upper else np.tril(a)
    if unitriangular:
        t = t.copy()
        idx = np.arange(a.shape[-1])
        t[..., idx, idx] = 1
    return t


def _substitute(t: np.ndarray, b: np.ndarray, upper: bool) -> np.ndarray:
    """Back- or forward-substitution (for triangles with zeros on the diagonal, where
    the result has infinities and NaNs, as LAPACK's trtrs)."""
    shape = np.broadcast_shapes(t.shape[:-2], b.shape[:-2])
    t = np.broadcast_to(t, shape + t.shape[-2:])
    x = np.array(np.broadcast_to(b, shape + b.shape[-2:]), dtype=np.result_type(t, b))
    n = t.shape[-1]
    rows = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(all="ignore"):
        for i in rows:
            rest = slice(i + 1, n) if upper else slice(0, i)
            acc = np.einsum("...j,...jk->...k", t[..., i, rest], x[..., rest, :])
            x[..., i, :] = (x[..., i, :] - acc) / t[..., i, i:i + 1]
    return x


def solve_triangle(a: np.ndarray, b: np.ndarray, upper: bool,
                   unitriangular: bool = False) -> np.ndarray:
    """``X`` with ``T X = B`` for the triangle ``T`` of ``a`` (arrays; batch dims broadcast)."""
    t = _triangle(a, upper, unitriangular)
    try:
        x = np.linalg.solve(t, b)
    except np.linalg.LinAlgError:
        x = _substitute(t, b, upper)
    return x.astype(np.result_type(a, b), copy=False)


class SolveTriangular(Function):
    """``X`` with ``A @ X = B`` for the upper or lower triangle of ``A`` (unit diagonal
    when ``unitriangular``); batch dims broadcast."""

    op = "linalg.solve_triangular"

    @staticmethod
    def forward(ctx, a, b, upper=False, unitriangular=False):
        ctx.upper, ctx.unit = upper, unitriangular
        x = solve_triangle(a, b, upper, unitriangular)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        upper, unit = ctx.upper, ctx.unit
        gb = SolveTriangular.apply(a.mT, grad, upper=not upper, unitriangular=unit)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -(gb @ x.mT)
            k = 1 if unit else 0
            ga = ga.triu(k) if upper else ga.tril(-k)
        return ga, gb


class CholeskySolve(Function):
    """``X`` with ``A X = B`` for ``A = L L^T`` (``U^T U`` when ``upper``) given its
    Cholesky factor (only its triangle is read). As PyTorch's, the factor's gradient is
    that of the full matrix ``L`` in ``L L^T``: ``-(G X^T + X G^T) L`` with ``G = A^-1 gX``."""

    op = "cholesky_solve"

    @staticmethod
    def forward(ctx, b, f, upper=False):
        ctx.upper = upper
        low = np.swapaxes(np.triu(f), -1, -2) if upper else np.tril(f)
        x = solve_triangle(np.swapaxes(low, -1, -2), solve_triangle(low, b, False), True)
        ctx.save_for_backward(f, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        f, x = ctx.saved_tensors
        gb = CholeskySolve.apply(grad, f, upper=ctx.upper)
        gf = None
        if ctx.needs_input_grad[1]:
            common = gb @ x.mT
            common = common + common.mT
            gf = -(f @ common) if ctx.upper else -(common @ f)
        return gb, gf


class QR(Function):
    """``Q`` and ``R`` packed (see :func:`pack`); mode ``'r'`` gives ``R`` alone."""

    op = "linalg.qr"

    @staticmethod
    def forward(ctx, a, mode="reduced"):
        ctx.mode = mode
        if mode == "r":
            r = np.linalg.qr(a, mode="r")
            ctx.shapes = [r.shape[-2:]]
            return r
        q, r = np.linalg.qr(a, mode=mode)
        out = pack(q, r)
        ctx.shapes = [q.shape[-2:], r.shape[-2:]]
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when "
                "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                "differentiate through linalg.qr.")
        (m, k), (_, n) = ctx.shapes
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        (out,) = ctx.saved_tensors
        q, r = unpack(out, ctx.shapes)
        gq, gr = unpack(grad, ctx.shapes)
        if m >= n:
            return _qr_grad_tall(q, r, gq, gr)
        x, y = r[..., :, :m], r[..., :, m:]
        gx, gy = gr[..., :, :m], gr[..., :, m:]
        gu = _qr_grad_tall(q, x, gq + (q @ y) @ gy.mT, gx)
        return _join_columns(gu, q @ gy)


def _qr_grad_tall(q: "Tensor", r: "Tensor", gq: "Tensor", gr: "Tensor") -> "Tensor":
    """The gradient of ``A = QR`` with ``R`` square: ``(gQ + Q copyltu(M)) R^-T`` with
    ``M = R gR^T - gQ^T Q`` and copyltu mirroring the lower triangle upwards."""
    m = r @ gr.mT - gq.mT @ q
    low = m.tril()
    sym = low + m.tril(-1).mT
    return _solve_right(r.mT, gq + q @ sym, upper=False)


class Eigh(Function):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices, from the lower
    (``uplo='L'``) or upper triangle, packed (see :func:`pack`)."""

    op = "linalg.eigh"

    @staticmethod
    def forward(ctx, a, uplo="L"):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        out = pack(v, w)
        n = a.shape[-1]
        ctx.n = n
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        shapes = [(ctx.n, ctx.n), (ctx.n,)]
        v, w = unpack(out, shapes)
        gv, gw = unpack(grad, shapes)
        if _unused(gv):
            return (v * gw.unsqueeze(-2)) @ v.mT
        vtgv = v.mT @ gv
        skew = 0.5 * (vtgv - vtgv.mT)
        gaps = w.unsqueeze(-2) - w.unsqueeze(-1)      # w_j - w_i
        gaps = gaps + _eye(ctx.n, gaps)               # 1 on the diagonal (skew has 0 there)
        inner = skew / gaps + _diag_embed(gw)
        return v @ inner @ v.mT


class SVD(Function):
    """``U, S, Vh`` packed (see :func:`pack`). Backward as PyTorch's ``svd_backward``, on
    the first ``min(m, n)`` columns of ``U`` and rows of ``Vh`` (with ``full_matrices``,
    the gradient of the others is ignored, as PyTorch does)."""

    op = "linalg.svd"

    @staticmethod
    def forward(ctx, a, full_matrices=True):
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        out = pack(u, s, vh)
        ctx.shapes = [u.shape[-2:], s.shape[-1:], vh.shape[-2:]]
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        u, s, vh = unpack(out, ctx.shapes)
        gu, gs, gvh = unpack(grad, ctx.shapes)
        k = s.shape[-1]
        u, gu = u[..., :, :k], gu[..., :, :k]
        vh, gvh = vh[..., :k, :], gvh[..., :k, :]
        m, n = u.shape[-2], vh.shape[-1]
        use_u, use_v = not _unused(gu), not _unused(gvh)
        if not use_u and not use_v:
            return (u * gs.unsqueeze(-2)) @ vh
        s2 = s * s
        gaps = s2.unsqueeze(-2) - s2.unsqueeze(-1)
        gaps = gaps + _eye(k, gaps)
        inner = None
        if use_u:
            utgu = u.mT @ gu
            inner = (utgu - utgu.mT) * s.unsqueeze(-2)
        if use_v:
            vtgv = vh @ gvh.mT
            term = s.unsqueeze(-1) * (vtgv - vtgv.mT)
            inner = term if inner is None else inner + term
        inner = inner / gaps + _diag_embed(gs)
        if m > k and use_u:
            ga = u @ inner
            gus = gu / s.unsqueeze(-2)
            ga = ga + gus - u @ (u.mT @ gus)
            return ga @ vh
        if n > k and use_v:
            ga = inner @ vh
            sgv = gvh / s.unsqueeze(-1)
            ga = ga + sgv - (sgv @ vh.mT) @ vh
            return u @ ga
        return u @ inner @ vh


class Pinv(Function):
    """The Moore-Penrose pseudo-inverse: singular values at most
    ``max(atol, rtol * largest)`` count as zero. Backward as for a constant rank."""

    op = "linalg.pinv"

    @staticmethod
    def forward(ctx, a, atol=0.0, rtol=0.0, hermitian=False):
        if hermitian:
            w, v = np.linalg.eigh(a)
            s = np.abs(w)
        else:
            u, s, vh = np.linalg.svd(a, full_matrices=False)
        atol = np.asarray(atol, dtype=a.dtype)
        rtol = np.asarray(rtol, dtype=a.dtype)
        top = s.max(axis=-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), a.dtype)
        tol = np.maximum(atol[..., None] if atol.ndim else atol,
                         (rtol[..., None] if rtol.ndim else rtol) * top)
        keep = s > tol
        with np.errstate(divide="ignore"):
            if hermitian:
                inv = np.where(keep, 1 / np.where(keep, w, 1), 0)
                out = (v * inv[..., None, :]) @ np.swapaxes(v, -1, -2)
            else:
                inv = np.where(keep, 1 / np.where(keep, s, 1), 0)
                out = np.swapaxes(vh, -1, -2) @ (inv[..., :, None] * np.swapaxes(u, -1, -2))
        out = out.astype(a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, p = ctx.saved_tensors
        g = grad
        ga = -(p.mT @ g @ p.mT)
        gtp = g.mT @ (p @ p.mT)                   # (m, n)
        ga = ga + gtp - a @ (p @ gtp)             # (I - A P) G^T P P^T
        ptp = p.mT @ p                            # (m, m)
        left = ptp @ g.mT                         # (m, n)
        return ga + left - (left @ p) @ a         # P^T P G^T (I - P A)


# Padé 13 coefficients and the 1-norm bound for them (Higham 2005, "The scaling and
# squaring method for the matrix exponential revisited")
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def expm(a: np.ndarray) -> np.ndarray:
    """``exp`` of each square matrix of a batch: scaling and squaring with a degree-13
    Padé approximant, in float64.

    >>> expm(np.zeros((2, 2)))
    array([[1., 0.],
           [0., 1.]])
    """
    x = np.asarray(a, dtype=np.float64)
    n = x.shape[-1]
    if n == 0:
        return x.copy()
    norm = np.abs(x).sum(axis=-2).max(axis=-1)
    with np.errstate(divide="ignore"):
        s = np.where(norm > _THETA13, np.ceil(np.log2(np.maximum(norm, 1e-300) / _THETA13)), 0)
    s = np.clip(s, 0, 1000).astype(np.int64)
    x = x / (2.0 ** s)[..., None, None]
    b = _PADE13
    eye = np.eye(n)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2
             + b[1] * eye)
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for i in range(int(s.max()) if s.size else 0):
        sq = r @ r
        r = np.where((s > i)[..., None, None], sq, r)
    return r


class MatrixExp(Function):
    """The matrix exponential; backward: the upper-right block of
    ``exp([[A^T, G], [0, A^T]])`` (the Fréchet derivative), itself a MatrixExp."""

    op = "linalg.matrix_exp"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return expm(a).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        dt = a._data.dtype
        top = _f.make(np.eye(n, 2 * n, dtype=dt))           # [I 0]
        bottom = _f.make(np.eye(n, 2 * n, k=n, dtype=dt))   # [0 I]
        at = a.mT
        block = top.mT @ at @ top + top.mT @ grad @ bottom + bottom.mT @ at @ bottom
        return top @ MatrixExp.apply(block) @ bottom.mT
