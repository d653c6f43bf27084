"""``autograd_core.linalg``: PyTorch's ``torch.linalg`` names: the norms, the
decompositions and solves (their ops in ``ops/decompositions.py``, their checked wrappers
in ``tensor/linalg.py``) and the functions composed from them here.

>>> import autograd_core as ag
>>> ag.linalg.vector_norm(ag.tensor([3.0, 4.0])).item()
5.0
>>> ag.linalg.det(ag.tensor([[1.0, 2.0], [3.0, 4.0]])).item()
-2.0
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .autograd import function as _f
from .ops.decompositions import LinAlgError, linalg_lstsq
from .tensor.args import _require_tensor
from .tensor.linalg import (_matrix, cholesky, cholesky_ex, det, eigh, eigvalsh, inv, inv_ex,
                            matrix_exp, matrix_power, pinv, qr, slogdet, solve,
                            solve_triangular, svd, svdvals)
from .tensor.movement import stack
from .tensor.reduce import norm as matrix_or_vector_norm, vector_norm

__all__ = ["vector_norm", "norm", "matrix_norm", "LinAlgError", "inv", "inv_ex", "solve",
           "det", "slogdet", "cholesky", "cholesky_ex", "qr", "svd", "svdvals", "eigh",
           "eigvalsh", "pinv", "lstsq", "matrix_power", "matrix_exp", "matrix_rank", "cond",
           "multi_dot", "solve_triangular", "vecdot", "cross"]

norm = matrix_or_vector_norm


def lstsq(A: "_f.Tensor", B: "_f.Tensor", rcond: float | None = None, *,
          driver: str | None = None) -> tuple:
    """The least-squares solution of ``A X = B`` (minimum norm when ``A`` is rank
    deficient): ``(solution, residuals, rank, singular_values)``. As PyTorch's CPU drivers:
    ``rank`` for all but ``'gels'``, ``singular_values`` for ``'gelsd'``/``'gelss'``,
    ``residuals`` (squared norms of the columns of ``A X - B``) for a tall full-rank ``A``
    with those two. The gradient flows through ``solution``.

    >>> import autograd_core as ag
    >>> A = ag.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> ag.linalg.lstsq(A, ag.tensor([[1.0], [2.0], [3.0]])).solution
    tensor([[1.],
            [2.]])
    """
    A = _matrix(A, "torch.linalg.lstsq", square=False)
    B = _require_tensor(B, "torch.linalg.lstsq", "B")
    if driver is None:
        driver = "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    vector = B.ndim == A.ndim - 1
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2). "
                           f"Got {A.shape[-2]} and {b.shape[-2]}")
    m, n = A.shape[-2:]
    dt = A._data.dtype
    s = np.linalg.svd(A._data, compute_uv=False)
    rcond = float(np.finfo(dt).eps * max(m, n)) if rcond is None or rcond < 0 else rcond
    top = s[..., :1] if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), dt)
    rank = (s > rcond * top).sum(-1).astype(np.int64)
    solution = pinv(A, rtol=rcond) @ b
    empty = _f.make(np.zeros((0,), dt))
    residuals = empty
    if driver in ("gelsd", "gelss") and m > n and np.all(rank == n):
        residuals = ((A @ solution - b) ** 2).sum(-2)
        residuals = residuals.squeeze(-1) if vector else residuals
    sv = _f.make(s.astype(dt)) if driver in ("gelsd", "gelss") else empty
    rank_t = _f.make(rank) if driver != "gels" else _f.make(np.zeros((0,), np.int64))
    return linalg_lstsq(solution.squeeze(-1) if vector else solution, residuals, rank_t, sv)


def matrix_rank(A: "_f.Tensor", *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> "_f.Tensor":
    """The number of singular values above ``max(atol, rtol * the largest)`` (int64); with
    neither given, ``rtol = eps * max(m, n)``.

    >>> import autograd_core as ag
    >>> ag.linalg.matrix_rank(ag.tensor([[1.0, 2.0], [2.0, 4.0]]))
    tensor(1)
    """
    _require_tensor(A, "torch.linalg.matrix_rank", "input")
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at "
                           "least 2 dimensions.")
    d = A._data
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError("This function doesn't handle types other than float and double")
    s = np.abs(np.linalg.eigvalsh(d)) if hermitian else np.linalg.svd(d, compute_uv=False)
    top = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), d.dtype)
    a = np.asarray(atol._data if isinstance(atol, _f.Tensor) else (atol or 0.0), d.dtype)
    if rtol is None:
        r = np.finfo(d.dtype).eps * max(d.shape[-2:]) if atol is None or not np.any(a > 0) else 0.0
    else:
        r = rtol._data if isinstance(rtol, _f.Tensor) else rtol
    r = np.asarray(r, d.dtype)
    tol = np.maximum(a[..., None] if a.ndim else a, (r[..., None] if r.ndim else r) * top)
    return _f.make((s > tol).sum(-1).astype(np.int64))


def cond(A: "_f.Tensor", p: Any = None) -> "_f.Tensor":
    """The condition number: with ``p=None`` (or 2) the ratio of the largest to the smallest
    singular value, ``-2`` its inverse; other ``p``: ``norm(A, p) * norm(inv(A), p)``.

    >>> import autograd_core as ag
    >>> ag.linalg.cond(ag.tensor([[4.0, 0.0], [0.0, 2.0]]))
    tensor(2.)
    """
    _require_tensor(A, "linalg.cond", "A")
    if A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if p is None or p in (2, -2):
        s = svdvals(A)
        top, low = s[..., 0], s[..., -1]
        return low / top if p == -2 else top / low
    return matrix_norm(A, p) * matrix_norm(inv(A, "linalg.cond"), p)


_MATRIX_ORDS = ("fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


def matrix_norm(A: "_f.Tensor", ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False,
                *, dtype: Any = None) -> "_f.Tensor":
    """The matrix norm over the two dims ``dim``: ``'fro'``, ``'nuc'`` (the sum of singular
    values), ``2``/``-2`` (the largest/smallest singular value), ``1``/``-1`` (max/min
    column sum of ``|A|``), ``inf``/``-inf`` (max/min row sum).

    >>> import autograd_core as ag
    >>> A = ag.tensor([[1.0, -2.0], [3.0, 4.0]])
    >>> ag.linalg.matrix_norm(A, 1), ag.linalg.matrix_norm(A, float("inf"))
    (tensor(6.), tensor(7.))
    """
    _require_tensor(A, "linalg.matrix_norm", "A")
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if dtype is not None:
        A = A.to(dtype)
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_f.scalar_type_name(A._data.dtype)}")
    d0, d1 = (int(d) % A.ndim for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    x = A.movedim((d0, d1), (-2, -1))
    if ord == "fro":
        out = vector_norm(x, 2, dim=(-2, -1))
    elif ord in ("nuc", 2, -2):
        s = svdvals(x)
        out = s.sum(-1) if ord == "nuc" else (s[..., 0] if ord == 2 else s[..., -1])
    else:
        rows = ord in (math.inf, -math.inf)
        sums = x.abs().sum(-1 if rows else -2)
        out = sums.amax(-1) if ord > 0 else sums.amin(-1)
    if keepdim:
        for d in sorted((d0, d1)):
            out = out.unsqueeze(d)
    return out


def multi_dot(tensors: Sequence["_f.Tensor"]) -> "_f.Tensor":
    """The product of a chain of matrices (the first may be a row vector and the last a
    column vector, 1-D), multiplied in the order that needs the fewest scalar products.

    >>> import autograd_core as ag
    >>> ag.linalg.multi_dot([ag.ones(3), ag.ones(3, 2), ag.ones(2)])
    tensor(6.)
    """
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    if first_vec:
        ts[0] = ts[0].unsqueeze(0)
    if last_vec:
        ts[-1] = ts[-1].unsqueeze(-1)
    for i, t in enumerate(ts):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    for i in range(len(ts) - 1):
        if ts[i].shape[1] != ts[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{tuple(ts[i].shape)} and {tuple(ts[i + 1].shape)} cannot be "
                               "multiplied")
    dims = [t.shape[0] for t in ts] + [ts[-1].shape[1]]
    n = len(ts)
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):   # the classic matrix-chain order
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def product(i: int, j: int) -> "_f.Tensor":
        if i == j:
            return ts[i]
        k = split[i][j]
        return product(i, k) @ product(k + 1, j)

    out = product(0, n - 1)
    if first_vec:
        out = out.squeeze(0)
    if last_vec:
        out = out.squeeze(-1)
    return out


def vecdot(x: "_f.Tensor", y: "_f.Tensor", *, dim: int = -1) -> "_f.Tensor":
    """The dot product of ``x`` and ``y`` along ``dim`` (other dims broadcast).

    >>> import autograd_core as ag
    >>> ag.linalg.vecdot(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), ag.tensor([1.0, 1.0]))
    tensor([3., 7.])
    """
    return (x * y).sum(dim)


def cross(input: "_f.Tensor", other: "_f.Tensor", *, dim: int = -1) -> "_f.Tensor":
    """The cross product of 3-vectors along ``dim`` (other dims broadcast).

    >>> import autograd_core as ag
    >>> ag.linalg.cross(ag.tensor([1.0, 0.0, 0.0]), ag.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    _require_tensor(input, "linalg.cross", "input")
    _require_tensor(other, "linalg.cross", "other")
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions. "
                           f"Got {input.ndim} and {other.ndim}")
    d = int(dim) % input.ndim
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    a = input.expand(shape).movedim(d, -1)
    b = other.expand(shape).movedim(d, -1)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    out = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], dim=-1)
    return out.movedim(-1, d)
