"""Linear-algebra Tensor methods: matrix products (``@``, ``mm``, ``bmm``, ``mv``,
``dot``, ``outer``, ``addmm``), ``diag`` and ``trace``, the matrix functions (``inverse``,
``det``, ``cholesky``, ``qr``, ``svd``, ...); the ``cdist`` function, and the checked
wrappers of the decompositions (``inv``, ``solve``, ``eigh``, ...) that ``Tensor`` methods
and ``autograd_core.linalg`` share.
"""

from __future__ import annotations

from typing import Any, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from .reduce import vector_norm
from .args import _NUMBERS, _require_tensor
from ..ops import decompositions as DC
from ..ops import index as IX
from ..ops import linalg as LA

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


class LinalgMixin:
    """Linear-algebra Tensor methods: matrix products (``@``, ``mm``, ``bmm``, ``mv``, ...),
    ``diag``, ``trace`` and the matrix functions."""

    __slots__ = ()

    def __matmul__(self, other: Any) -> "Tensor":
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return self._other(other, "@").matmul(self)

    def matmul(self, other: Any) -> "Tensor":
        """Matrix product with NumPy/PyTorch semantics for 1-D, 2-D and batched operands."""
        o = self._other(other, "@")
        a = self
        sa, so = a._data.shape, o._data.shape   # plain tuples: this runs for every product
        if not sa or not so:
            raise RuntimeError(f"matmul: both arguments need at least 1 dimension, got shapes "
                             f"{a.shape} and {o.shape}")
        if a._data.dtype != o._data.dtype:
            dt = np.result_type(a._data.dtype, o._data.dtype)
            a, o = a.to(dt), o.to(dt)
        k_b = so[-2] if len(so) > 1 else so[0]
        if sa[-1] != k_b:
            raise RuntimeError(f"matmul: shapes {self.shape} and {o.shape} cannot be multiplied "
                             f"({sa[-1]} != {k_b})")
        return LA.MatMul.apply(a, o)   # a vector operand too: one node, as PyTorch's mv and dot

    def dot(self, other: "Tensor") -> "Tensor":
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"dot: expected 1-D tensors, got shapes {self.shape} and {other.shape}")
        return self.matmul(other)

    mm = matmul

    bmm = matmul

    def trace(self) -> "Tensor":
        """The sum of the main diagonal of a 2-D tensor (integers sum in int64).

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2], [3, 4]]).trace()
        tensor(5)
        """
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a 2-D tensor, got shape {self.shape}")
        d = self.diagonal()
        return d.sum() if d._data.dtype.kind == "f" else d.long().sum()

    def mv(self, vec: "Tensor") -> "Tensor":
        """Matrix (n, m) times vector (m,): a vector (n,).

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 2.0], [3.0, 4.0]]).mv(ag.tensor([1.0, 1.0]))
        tensor([3., 7.])
        """
        vec = _require_tensor(vec, "mv", "vec")
        if self.ndim != 2 or vec.ndim != 1 or self.shape[1] != vec.shape[0]:
            raise RuntimeError(f"mv: expected a matrix (n, m) and a vector (m,), got shapes "
                             f"{self.shape} and {vec.shape}")
        return self.matmul(vec)

    def outer(self, vec2: "Tensor") -> "Tensor":
        """The outer product of two 1-D tensors: ``out[i, j] = self[i] * vec2[j]``.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0]).outer(ag.tensor([1.0, 10.0, 100.0]))
        tensor([[  1.,  10., 100.],
                [  2.,  20., 200.]])
        """
        o = vec2 if isinstance(vec2, _f.Tensor) else _f.make(np.asarray(vec2))
        if self.ndim != 1 or o.ndim != 1:
            raise RuntimeError(f"outer: expected 1-D tensors, got shapes {self.shape} and {o.shape}")
        return self.unsqueeze(1) * o.unsqueeze(0)

    ger = outer

    def diag(self, diagonal: int = 0) -> "Tensor":
        """From a 1-D tensor, the square matrix with it on ``diagonal``; from a 2-D
        tensor, its ``diagonal`` as a 1-D tensor.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0]).diag()
        tensor([[1., 0.],
                [0., 2.]])
        >>> ag.tensor([[1, 2], [3, 4]]).diag(1)
        tensor([2])
        """
        k = int(diagonal)
        if self.ndim == 1:
            n = self.shape[0] + abs(k)
            i = np.arange(self.shape[0])
            index = (i, i + k) if k >= 0 else (i - k, i)
            return IX.IndexAdd.apply(self, index=index, shape=(n, n))
        if self.ndim == 2:
            n, m = self.shape
            i = np.arange(max(min(n, m - k) if k >= 0 else min(n + k, m), 0))
            index = (i, i + k) if k >= 0 else (i - k, i)
            return IX.Index.apply(self, index=index)
        raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {self.shape}")

    def addmm(self, mat1: "Tensor", mat2: "Tensor", *, beta: float = 1,
              alpha: float = 1) -> "Tensor":
        """``beta * self + alpha * (mat1 @ mat2)``, with ``self`` broadcast to the product's shape.

        >>> import autograd_core as ag
        >>> ag.ones(2, 2).addmm(ag.eye(2), ag.eye(2) * 3, beta=0.5)
        tensor([[3.5000, 0.5000],
                [0.5000, 3.5000]])
        """
        if mat1.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"addmm: expected 2-D matrices, got shapes {mat1.shape} and "
                             f"{mat2.shape}")
        return self._add_product(mat1.matmul(mat2), beta, alpha, "addmm")

    def baddbmm(self, batch1: "Tensor", batch2: "Tensor", *, beta: float = 1,
                alpha: float = 1) -> "Tensor":
        """``beta * self + alpha * (batch1 @ batch2)`` for batches of matrices (3-D).

        >>> import autograd_core as ag
        >>> ag.zeros(1, 2, 2).baddbmm(ag.ones(3, 2, 4), ag.ones(3, 4, 2)).shape
        (3, 2, 2)
        """
        if batch1.ndim != 3 or batch2.ndim != 3 or batch1.shape[0] != batch2.shape[0]:
            raise RuntimeError(f"baddbmm: expected 3-D batches of the same size, got shapes "
                             f"{batch1.shape} and {batch2.shape}")
        return self._add_product(batch1.matmul(batch2), beta, alpha, "baddbmm")

    def _add_product(self, prod: "Tensor", beta: float, alpha: float, name: str) -> "Tensor":
        try:
            if np.broadcast_shapes(self.shape, prod.shape) != prod.shape:
                raise ValueError
        except ValueError:
            raise RuntimeError(f"{name}: input of shape {self.shape} cannot be broadcast to the "
                             f"product's shape {prod.shape}") from None
        out = prod if alpha == 1 else prod * alpha
        if beta == 0:  # the input is ignored (NaN in it does not propagate), as PyTorch
            return out
        return out + (self if beta == 1 else self * beta)

    # -- matrix functions (PyTorch's older top-level API; torch.linalg's in autograd_core.linalg)
    def inverse(self) -> "Tensor":
        """The inverse of each square matrix (``linalg.inv``).

        >>> import autograd_core as ag
        >>> ag.tensor([[2.0, 0.0], [0.0, 4.0]]).inverse()
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
        """
        return inv(self)

    def det(self) -> "Tensor":
        """The determinant of each square matrix (``linalg.det``).

        >>> import autograd_core as ag
        >>> ag.tensor([[2.0, 1.0], [1.0, 3.0]]).det()
        tensor(5.)
        """
        return det(self)

    def logdet(self) -> "Tensor":
        """``log(det)``: NaN where the determinant is negative, -inf where it is zero.

        >>> import autograd_core as ag
        >>> ag.tensor([[2.0, 0.0], [0.0, 0.5]]).logdet()
        tensor(0.)
        """
        return logdet(self)

    def slogdet(self) -> tuple:
        """``(sign, logabsdet)`` of the determinant of each square matrix.

        >>> import autograd_core as ag
        >>> ag.tensor([[-2.0, 0.0], [0.0, 1.0]]).slogdet().sign
        tensor(-1.)
        """
        sign, logabs = slogdet(self, "linalg.slogdet")
        return DC.slogdet(sign, logabs)

    def cholesky(self, upper: bool = False) -> "Tensor":
        """The Cholesky factor (lower by default; ``upper=True``: ``U`` with ``A = U^T U``).
        Deprecated in PyTorch in favour of ``linalg.cholesky``.

        >>> import autograd_core as ag
        >>> ag.tensor([[4.0, 2.0], [2.0, 2.0]]).cholesky()
        tensor([[2., 0.],
                [1., 1.]])
        """
        L = cholesky(self, False, name="cholesky")
        return L.mT if upper else L

    def cholesky_solve(self, input2: "Tensor", upper: bool = False) -> "Tensor":
        """``X`` with ``A X = self`` where ``A = L L^T`` for the Cholesky factor ``input2``
        (``U^T U`` when ``upper``).

        >>> import autograd_core as ag
        >>> L = ag.tensor([[2.0, 0.0], [1.0, 1.0]])
        >>> ag.tensor([[4.0], [2.0]]).cholesky_solve(L)
        tensor([[1.],
                [0.]])
        """
        b = _matrix(self, "cholesky_solve", square=False, arg="B")
        f = _matrix(input2, "cholesky_solve", arg="A")
        if b.shape[-2] != f.shape[-1]:
            raise RuntimeError(f"cholesky_solve: Incompatible matrix sizes for cholesky_solve: "
                               f"each A matrix is {f.shape[-1]} by {f.shape[-1]} but each b "
                               f"matrix is {b.shape[-2]} by {b.shape[-1]}")
        return DC.CholeskySolve.apply(b, f, upper=bool(upper))

    def cholesky_inverse(self, upper: bool = False) -> "Tensor":
        """The inverse of ``A = L L^T`` (``U^T U`` when ``upper``) from its Cholesky factor.

        >>> import autograd_core as ag
        >>> ag.tensor([[2.0, 0.0], [0.0, 1.0]]).cholesky_inverse()
        tensor([[0.2500, 0.0000],
                [0.0000, 1.0000]])
        """
        f = _matrix(self, "cholesky_inverse")
        eye = _f.make(np.broadcast_to(np.eye(f.shape[-1], dtype=f._data.dtype), f.shape).copy())
        return eye.cholesky_solve(f, upper)

    def qr(self, some: bool = True) -> tuple:
        """``(Q, R)``: reduced when ``some`` (PyTorch's older API), else complete.

        >>> import autograd_core as ag
        >>> Q, R = ag.tensor([[3.0, 1.0], [4.0, 2.0], [0.0, 1.0]]).qr()
        >>> Q.shape, R.shape
        ((3, 2), (2, 2))
        """
        Q, R = qr(self, "reduced" if some else "complete")
        return DC.qr(Q, R)

    def svd(self, some: bool = True, compute_uv: bool = True) -> tuple:
        """``(U, S, V)`` with ``self = U diag(S) V^T`` (PyTorch's older API: ``V``, not
        ``V^T``; reduced when ``some``). Without ``compute_uv``, ``U`` and ``V`` are zeros.

        >>> import autograd_core as ag
        >>> ag.tensor([[3.0, 0.0], [0.0, -2.0]]).svd().S
        tensor([3., 2.])
        """
        if not compute_uv:
            x = _matrix(self, "linalg.svd", square=False)
            m, n = x.shape[-2:]
            dt = x._data.dtype
            S = svdvals(x)
            return DC.svd(_f.make(np.zeros(x.shape[:-2] + (m, m), dt)), S,
                          _f.make(np.zeros(x.shape[:-2] + (n, n), dt)))
        U, S, Vh = svd(self, full_matrices=not some)
        return DC.svd(U, S, Vh.mT)

    def pinverse(self, rcond: float = 1e-15) -> "Tensor":
        """The pseudo-inverse, singular values below ``rcond`` times the largest dropped.

        >>> import autograd_core as ag
        >>> ag.tensor([[2.0, 0.0], [0.0, 0.0]]).pinverse()
        tensor([[0.5000, 0.0000],
                [0.0000, 0.0000]])
        """
        return pinv(self, rtol=rcond)

    def matrix_power(self, n: int) -> "Tensor":
        """The ``n``-th power of each square matrix (the inverse's for negative ``n``).

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 1], [0, 1]]).matrix_power(3)
        tensor([[1, 3],
                [0, 1]])
        """
        return matrix_power(self, n)

    def matrix_exp(self) -> "Tensor":
        """The exponential of each square matrix.

        >>> import autograd_core as ag
        >>> ag.zeros(2, 2).matrix_exp()
        tensor([[1., 0.],
                [0., 1.]])
        """
        return matrix_exp(self)

    def triangular_solve(self, A: "Tensor", upper: bool = True, transpose: bool = False,
                         unitriangular: bool = False) -> tuple:
        """``(X, A.clone())`` with ``op(A) X = self`` for triangular ``A`` (``op`` transposes
        when ``transpose``): PyTorch's older form of ``linalg.solve_triangular``.

        >>> import autograd_core as ag
        >>> ag.tensor([[3.0], [1.0]]).triangular_solve(ag.tensor([[2.0, 1.0], [0.0, 1.0]])).solution
        tensor([[1.],
                [1.]])
        """
        b = _matrix(self, "triangular_solve", square=False, arg="B")
        a = _matrix(A, "triangular_solve")
        if transpose:
            x = DC.SolveTriangular.apply(a.mT, b, upper=not upper, unitriangular=unitriangular)
        else:
            x = DC.SolveTriangular.apply(a, b, upper=upper, unitriangular=unitriangular)
        return DC.triangular_solve(x, a.clone())



# ---------------------------------------------------------------- decompositions and solves
# The checked wrappers of ops/decompositions.py, shared by the Tensor methods above and by
# autograd_core.linalg (which exposes them under torch.linalg's names).

def _matrix(x: Any, name: str, square: bool = True, arg: str = "A") -> "Tensor":
    """``x``, after PyTorch's checks of a linalg input (floating, at least 2-D, square)."""
    _require_tensor(x, name, arg)
    DC.check_matrix(x._data, name, square, arg)
    return x


def inv(A: "Tensor", name: str = "linalg.inv") -> "Tensor":
    """The inverse of each square matrix; a singular one raises ``LinAlgError``.

    >>> import autograd_core as ag
    >>> ag.linalg.inv(ag.tensor([[0.0, 1.0], [1.0, 0.0]]))
    tensor([[0., 1.],
            [1., 0.]])
    """
    return DC.Inv.apply(_matrix(A, name), name=name)


def inv_ex(A: "Tensor", *, check_errors: bool = False) -> tuple:
    """``(inverse, info)``: ``info`` (int32) is 0 for an invertible matrix, else the LU
    factor's first zero diagonal element (1-based), whose inverse is NaN.

    >>> import autograd_core as ag
    >>> ag.linalg.inv_ex(ag.zeros(2, 2)).info
    tensor(1, dtype=int32)
    """
    A = _matrix(A, "linalg.inv")
    info = np.array([DC._zero_pivot(m) for m in A._data.reshape((-1,) + A.shape[-2:])],
                    dtype=np.int32).reshape(A.shape[:-2])
    out = DC.Inv.apply(A, name="linalg.inv_ex", check_errors=bool(check_errors))
    return DC.linalg_inv_ex(out, _f.make(info))


def solve(A: "Tensor", B: "Tensor", *, left: bool = True) -> "Tensor":
    """``X`` with ``A X = B`` (``X A = B`` when not ``left``); ``B`` a vector (..., n) or
    matrices (..., n, k); batch dims broadcast. A singular ``A`` raises ``LinAlgError``.

    >>> import autograd_core as ag
    >>> ag.linalg.solve(ag.tensor([[2.0, 0.0], [0.0, 4.0]]), ag.tensor([2.0, 2.0]))
    tensor([1.0000, 0.5000])
    """
    A = _matrix(A, "linalg.solve")
    B = _require_tensor(B, "linalg.solve", "B")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {DC.scalar_type_name(A._data.dtype)} and B of type "
                           f"{DC.scalar_type_name(B._data.dtype)} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    b = B.unsqueeze(-1) if vector else B
    n = A.shape[-1]
    rows = b.shape[-2] if left else b.shape[-1]
    if rows != n:
        shown = f"{b.shape[-2]}x{b.shape[-1]}"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {shown})")
    try:
        np.broadcast_shapes(A.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"linalg.solve: the batch dims of A {tuple(A.shape)} and B "
                           f"{tuple(B.shape)} cannot be broadcast together") from None
    x = DC.Solve.apply(A, b) if left else DC.Solve.apply(A.mT, b.mT).mT
    return x.squeeze(-1) if vector else x


def det(A: "Tensor") -> "Tensor":
    """The determinant of each square matrix.

    >>> import autograd_core as ag
    >>> ag.linalg.det(ag.eye(3) * 2)
    tensor(8.)
    """
    return DC.Det.apply(_matrix(A, "linalg.det"))


def slogdet(A: "Tensor", name: str = "linalg.slogdet") -> tuple:
    """``(sign, logabsdet)`` of the determinant of each square matrix; only ``logabsdet``
    carries a gradient.

    >>> import autograd_core as ag
    >>> ag.linalg.slogdet(-ag.eye(3)).sign
    tensor(-1.)
    """
    out = DC.Slogdet.apply(_matrix(A, name))
    return DC.linalg_slogdet(out[..., 0].detach(), out[..., 1])


def logdet(A: "Tensor") -> "Tensor":
    """``log(det(A))``: NaN for a negative determinant, -inf for zero.

    >>> import autograd_core as ag
    >>> (-ag.eye(3)).logdet()
    tensor(nan)
    """
    sign, logabs = slogdet(A, "logdet")
    nan = np.where(sign._data < 0, np.nan, 0).astype(sign._data.dtype)
    return logabs + _f.make(nan) if (sign._data < 0).any() else logabs


def cholesky(A: "Tensor", upper: bool = False, *, name: str = "linalg.cholesky") -> "Tensor":
    """The lower Cholesky factor ``L`` (``A = L L^T``) of each symmetric positive-definite
    matrix, or the upper ``U = L^T`` when ``upper``; raises ``LinAlgError`` if one is not
    positive-definite.

    >>> import autograd_core as ag
    >>> ag.linalg.cholesky(ag.tensor([[4.0, 2.0], [2.0, 2.0]]), upper=True)
    tensor([[2., 1.],
            [0., 1.]])
    """
    A = _matrix(A, name)
    if upper:   # from the upper triangle, as PyTorch
        return DC.Cholesky.apply(A.mT, name=name).mT
    return DC.Cholesky.apply(A, name=name)


def cholesky_ex(A: "Tensor", *, upper: bool = False, check_errors: bool = False) -> tuple:
    """``(L, info)``: ``info`` (int32) is 0 where the factorization succeeded, else the
    order of the leading minor that is not positive-definite.

    >>> import autograd_core as ag
    >>> ag.linalg.cholesky_ex(-ag.eye(2)).info
    tensor(1, dtype=int32)
    """
    A = _matrix(A, "linalg.cholesky")
    src = A.mT if upper else A
    info = DC.cholesky_info(src._data)
    L = DC.Cholesky.apply(src, name="linalg.cholesky", check_errors=bool(check_errors))
    return DC.linalg_cholesky_ex(L.mT if upper else L, _f.make(info))


def solve_triangular(A: "Tensor", B: "Tensor", *, upper: bool, left: bool = True,
                     unitriangular: bool = False) -> "Tensor":
    """``X`` with ``A X = B`` (``X A = B`` when not ``left``) for the upper or lower
    triangle of ``A`` (its diagonal taken as ones when ``unitriangular``).

    >>> import autograd_core as ag
    >>> A = ag.tensor([[2.0, 1.0], [0.0, 1.0]])
    >>> ag.linalg.solve_triangular(A, ag.tensor([[3.0], [1.0]]), upper=True)
    tensor([[1.],
            [1.]])
    """
    A = _matrix(A, "linalg.solve_triangular")
    B = _matrix(B, "linalg.solve_triangular", square=False, arg="B")
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    if left:
        return DC.SolveTriangular.apply(A, B, upper=bool(upper), unitriangular=unitriangular)
    return DC.SolveTriangular.apply(A.mT, B.mT, upper=not upper,
                                    unitriangular=unitriangular).mT


_QR_MODES = ("reduced", "complete", "r")


def qr(A: "Tensor", mode: str = "reduced") -> tuple:
    """``(Q, R)`` with ``A = Q R``: ``Q`` with orthonormal columns, ``R`` upper triangular.
    ``mode='reduced'`` (k = min(m, n) columns), ``'complete'`` (square ``Q``) or ``'r'``
    (``R`` alone; ``Q`` empty, and no gradient).

    >>> import autograd_core as ag
    >>> Q, R = ag.linalg.qr(ag.tensor([[3.0, 1.0], [4.0, 2.0]]))
    >>> (Q @ R).round(decimals=4)
    tensor([[3., 1.],
            [4., 2.]])
    """
    A = _matrix(A, "linalg.qr", square=False)
    if mode not in _QR_MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    out = DC.QR.apply(A, mode=mode)
    if mode == "r":
        return DC.linalg_qr(_f.make(np.zeros((0,), A._data.dtype)), out)
    Q, R = DC.unpack(out, DC.packed_shapes(A.shape, "qr", mode))
    return DC.linalg_qr(Q, R)


def svd(A: "Tensor", full_matrices: bool = True) -> tuple:
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, singular values descending; square ``U``
    and ``Vh`` when ``full_matrices`` (the default, as PyTorch's).

    >>> import autograd_core as ag
    >>> U, S, Vh = ag.linalg.svd(ag.tensor([[0.0, 2.0], [1.0, 0.0], [0.0, 0.0]]))
    >>> U.shape, S, Vh.shape
    ((3, 3), tensor([2., 1.]), (2, 2))
    """
    A = _matrix(A, "linalg.svd", square=False)
    out = DC.SVD.apply(A, full_matrices=bool(full_matrices))
    U, S, Vh = DC.unpack(out, DC.packed_shapes(A.shape, "svd", bool(full_matrices)))
    return DC.linalg_svd(U, S, Vh)


def svdvals(A: "Tensor") -> "Tensor":
    """The singular values of each matrix, descending.

    >>> import autograd_core as ag
    >>> ag.linalg.svdvals(ag.tensor([[0.0, 2.0], [1.0, 0.0]]))
    tensor([2., 1.])
    """
    return svd(A, full_matrices=False).S


def eigh(A: "Tensor", UPLO: str = "L") -> tuple:
    """``(eigenvalues, eigenvectors)`` of each symmetric matrix, values ascending, read
    from its lower (``UPLO='L'``) or upper (``'U'``) triangle.

    >>> import autograd_core as ag
    >>> ag.linalg.eigh(ag.tensor([[2.0, 1.0], [1.0, 2.0]])).eigenvalues
    tensor([1., 3.])
    """
    A = _matrix(A, "linalg.eigh")
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    out = DC.Eigh.apply(A, uplo=UPLO.upper())
    V, w = DC.unpack(out, [(A.shape[-1],) * 2, (A.shape[-1],)])
    return DC.linalg_eigh(w, V)


def eigvalsh(A: "Tensor", UPLO: str = "L") -> "Tensor":
    """The eigenvalues of each symmetric matrix, ascending.

    >>> import autograd_core as ag
    >>> ag.linalg.eigvalsh(ag.tensor([[2.0, 1.0], [1.0, 2.0]]))
    tensor([1., 3.])
    """
    return eigh(A, UPLO).eigenvalues


def pinv(A: "Tensor", *, atol: Any = None, rtol: Any = None,
         hermitian: bool = False) -> "Tensor":
    """The Moore-Penrose pseudo-inverse. Singular values at most ``max(atol, rtol * the
    largest)`` are dropped; with neither given, ``rtol = eps * max(m, n)``.

    >>> import autograd_core as ag
    >>> ag.linalg.pinv(ag.tensor([[1.0, 0.0], [0.0, 0.0], [0.0, 2.0]]))
    tensor([[1.0000, 0.0000, 0.0000],
            [0.0000, 0.0000, 0.5000]])
    """
    _require_tensor(A, "linalg.pinv", "A")
    d = A._data
    if A.ndim < 2 or d.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"linalg.pinv({DC.scalar_type_name(d.dtype)}{{{list(A.shape)}}}): "
                           "expected a tensor with 2 or more dimensions of float, double, cfloat "
                           "or cdouble types")
    if hermitian:
        DC.check_matrix(d, "linalg.pinv")
    tols = []
    for t in (atol, rtol):
        tols.append(np.asarray(t._data if isinstance(t, _f.Tensor) else t, dtype=d.dtype)
                    if t is not None else None)
    atol_a, rtol_a = tols
    if rtol_a is None:
        rtol_a = (np.asarray(np.finfo(d.dtype).eps * max(A.shape[-2:]), d.dtype)
                  if atol_a is None or not np.any(atol_a > 0) else np.zeros((), d.dtype))
    if atol_a is None:
        atol_a = np.zeros((), d.dtype)
    return DC.Pinv.apply(A, atol=atol_a, rtol=rtol_a, hermitian=bool(hermitian))


def matrix_power(A: "Tensor", n: int) -> "Tensor":
    """``A`` times itself ``n`` times (the identity for 0; the inverse's power for negative
    ``n``), for each square matrix; integer matrices allowed for ``n >= 0``.

    >>> import autograd_core as ag
    >>> ag.linalg.matrix_power(ag.tensor([[2.0, 0.0], [0.0, 1.0]]), -2)
    tensor([[0.2500, 0.0000],
            [0.0000, 1.0000]])
    """
    _require_tensor(A, "linalg.matrix_power", "A")
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {A.shape[-2]} by {A.shape[-1]} matrices")
    n = int(n)
    if n == 0:
        eye = _f.make(np.eye(A.shape[-1], dtype=A._data.dtype))
        return A * 0 + eye    # connected to A (a zero gradient), as PyTorch's
    x = inv(A, "linalg.inv") if n < 0 else A
    n = abs(n)
    result = None
    while n:    # binary powers: about log2(n) products
        if n & 1:
            result = x if result is None else result @ x
        n >>= 1
        if n:
            x = x @ x
    return result


def matrix_exp(A: "Tensor") -> "Tensor":
    """The exponential ``sum_k A^k / k!`` of each square matrix.

    >>> import autograd_core as ag
    >>> ag.linalg.matrix_exp(ag.tensor([[0.0, 1.0], [0.0, 0.0]]))
    tensor([[1., 1.],
            [0., 1.]])
    """
    return DC.MatrixExp.apply(_matrix(A, "linalg.matrix_exp"))


def cdist(x1: "Tensor", x2: "Tensor", p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> "Tensor":
    """The ``p``-norm distance between each row of ``x1`` (..., P, M) and each row of
    ``x2`` (..., R, M): shape (..., P, R); batch dims broadcast. At zero distance the
    gradient is zero, as PyTorch's. ``compute_mode`` is accepted and ignored (the
    distances are always computed directly).

    >>> import autograd_core as ag
    >>> ag.cdist(ag.tensor([[0.0, 0.0], [1.0, 1.0]]), ag.tensor([[3.0, 4.0]]))
    tensor([[5.0000],
            [3.6056]])
    """
    _require_tensor(x1, "cdist", "x1")
    _require_tensor(x2, "cdist", "x2")
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"cdist: expected x1 (..., P, M) and x2 (..., R, M) with the same M, "
                         f"got shapes {x1.shape} and {x2.shape}")
    for name, t in (("x1", x1), ("x2", x2)):
        if t._data.dtype.kind != "f":
            raise TypeError(f"cdist: expected floating point tensors, got {name} of dtype "
                            f"{t.dtype}")
    if not isinstance(p, _NUMBERS) or not p >= 0:
        raise RuntimeError(f"cdist: p must be a non-negative number, got {p!r}")
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise RuntimeError(f"cdist: batch dims of shapes {x1.shape} and {x2.shape} cannot be "
                         "broadcast together") from None
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, dim=-1)
