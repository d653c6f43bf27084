"""Products composed of existing ops: ``kron``, ``tensordot``, ``inner``, ``vdot``, ``cross``,
``addmv``, ``addr``, ``addbmm``, ``chain_matmul``, ``dist`` and ``pdist``. Each is written once
here in Tensor operations (reshape, permute, matmul, multiply, index, norm), so its gradient
(and every higher one) comes from theirs; ``tensor/movement.py`` attaches the ones PyTorch
has as Tensor methods.

>>> import autograd_core as ag
>>> from autograd_core.ops.product import kron
>>> kron(ag.eye(2), ag.ones(1, 2))
tensor([[1., 1., 0., 0.],
        [0., 0., 1., 1.]])
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence, TYPE_CHECKING

import numpy as np

from ..autograd.function import is_tensor, scalar_type_name
from .movement import Cat
from .pointwise import where

if TYPE_CHECKING:  # for annotations only
    from ..tensor.base import Tensor


def _tensor(x: Any, op: str, arg: str) -> "Tensor":
    if not is_tensor(x):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")
    return x


def _same_dtype(a: "Tensor", b: "Tensor", message: str) -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(message)


def _dim(n: int, dim: int) -> int:
    m = max(n, 1)
    if not -m <= dim < m:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-m}, {m - 1}], "
                         f"but got {dim})")
    return dim % m


def kron(input: "Tensor", other: "Tensor") -> "Tensor":
    """The Kronecker product: every element of ``input`` times the whole of ``other``, laid
    out block by block (the one with fewer dims takes leading dims of size 1).

    >>> import autograd_core as ag
    >>> ag.tensor([1, 2]).kron(ag.tensor([1, 10]))
    tensor([ 1, 10,  2, 20])
    """
    a, b = _tensor(input, "kron", "input"), _tensor(other, "kron", "other")
    n = max(a.ndim, b.ndim)
    sa = (1,) * (n - a.ndim) + a.shape
    sb = (1,) * (n - b.ndim) + b.shape
    x = a.reshape(tuple(v for s in sa for v in (s, 1)))
    y = b.reshape(tuple(v for s in sb for v in (1, s)))
    return (x * y).reshape(tuple(p * q for p, q in zip(sa, sb)))


def _tensordot_dims(dims: Any, na: int, nb: int) -> tuple:
    """The contracted dims of ``a`` and ``b`` as given (for messages) and as indices."""
    if is_tensor(dims):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        k = int(dims)
        if k < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={k}")
        if k > na or k > nb:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={k}")
        given = (list(range(-k, 0)), list(range(k)))
    else:
        da, db = dims
        da = [da] if isinstance(da, (int, np.integer)) else list(da)
        db = [db] if isinstance(db, (int, np.integer)) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
        given = (da, db)
    return given, ([_dim(na, d) for d in given[0]], [_dim(nb, d) for d in given[1]])


def tensordot(a: "Tensor", b: "Tensor", dims: Any = 2) -> "Tensor":
    """The sum of products over dims ``dims`` of ``a`` and ``b``: an int ``k`` (the last ``k``
    of ``a`` with the first ``k`` of ``b``), a pair of dim lists, or a tensor of either.
    The free dims of ``a`` then those of ``b`` make the result.

    >>> import autograd_core as ag
    >>> from autograd_core.ops.product import tensordot
    >>> tensordot(ag.ones(2, 3, 4), ag.ones(4, 3, 5), dims=([1, 2], [1, 0])).shape
    (2, 5)
    """
    a, b = _tensor(a, "tensordot", "a"), _tensor(b, "tensordot", "b")
    given, (da, db) = _tensordot_dims(dims, a.ndim, b.ndim)
    _same_dtype(a, b, "both inputs should have same dtype")
    for i, j, gi, gj in zip(da, db, *given):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {gi} and second has size {b.shape[j]} in "
                               f"dim {gj}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = math.prod([a.shape[d] for d in da])
    shape_a = tuple(a.shape[d] for d in free_a)
    shape_b = tuple(b.shape[d] for d in free_b)
    m, n = math.prod(shape_a), math.prod(shape_b)
    x = a.permute(*free_a, *da).reshape(m, k)
    y = b.permute(*db, *free_b).reshape(k, n)
    return x.matmul(y).reshape(shape_a + shape_b)


def inner(input: "Tensor", other: "Tensor") -> "Tensor":
    """The sum of products over the last dims (a plain product when either is 0-d).

    >>> import autograd_core as ag
    >>> ag.tensor([1.0, 2.0]).inner(ag.tensor([[3.0, 4.0], [5.0, 6.0]]))
    tensor([11., 17.])
    """
    a, b = _tensor(input, "inner", "input"), _tensor(other, "inner", "other")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(a.shape)} and {list(b.shape)}")
    return tensordot(a, b, ([-1], [-1]))


def vdot(input: "Tensor", other: "Tensor") -> "Tensor":
    """The dot product of two 1-D tensors (the first conjugated, a no-op for real ones).

    >>> import autograd_core as ag
    >>> ag.tensor([1.0, 2.0]).vdot(ag.tensor([3.0, 4.0]))
    tensor(11.)
    """
    a, b = _tensor(input, "vdot", "input"), _tensor(other, "vdot", "other")
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape != b.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    _same_dtype(a, b, f"dot : expected both vectors to have same dtype, but found "
                      f"{scalar_type_name(a._data.dtype)} and {scalar_type_name(b._data.dtype)}")
    return (a * b).sum()


def cross(input: "Tensor", other: "Tensor", dim: int | None = None) -> "Tensor":
    """The cross product of 3-vectors along ``dim`` (broadcast). Without ``dim``: the first
    dim of ``input`` of size 3, with PyTorch's deprecation warning.

    >>> import autograd_core as ag
    >>> ag.tensor([1.0, 0.0, 0.0]).cross(ag.tensor([0.0, 1.0, 0.0]), dim=0)
    tensor([0., 0., 1.])
    """
    a, b = _tensor(input, "cross", "input"), _tensor(other, "cross", "other")
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
                      "The default value of dim will change to agree with that of linalg.cross "
                      "in a future release.", UserWarning, stacklevel=2)
        sizes = [d for d, s in enumerate(a.shape) if s == 3]
        if not sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes[0]
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _dim(a.ndim, dim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(a._data.dtype)} but found "
                           f"{scalar_type_name(b._data.dtype)}")
    lead = (slice(None),) * d

    def part(t: "Tensor", i: int) -> "Tensor":
        return t[lead + (i,)]

    x = [part(a, i) for i in range(3)]
    y = [part(b, i) for i in range(3)]
    comps = [x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]]
    shape = np.broadcast_shapes(*(c.shape for c in comps))
    return _stack([c.expand(shape) if c.shape != shape else c for c in comps], d)


def _stack(ts: list, dim: int) -> "Tensor":
    return Cat.apply(*[t.unsqueeze(dim) for t in ts], dim=dim)


def _add_scaled(input: "Tensor", prod: "Tensor", beta: Any, alpha: Any, op: str) -> "Tensor":
    """``beta * input + alpha * prod``; with ``beta == 0`` input is not read (its nan and inf
    do not propagate; its gradient is zero), as PyTorch's."""
    try:
        shape = np.broadcast_shapes(input.shape, prod.shape)
    except ValueError:
        shape = None
    if shape != prod.shape:
        raise RuntimeError(f"The expanded size of the tensor ({prod.shape[-1] if prod.ndim else 0}) "
                           f"must match the existing size ({input.shape[-1] if input.ndim else 0}) "
                           f"at non-singleton dimension {max(prod.ndim - 1, 0)}.  Target sizes: "
                           f"{list(prod.shape)}.  Tensor sizes: {list(input.shape)}")
    p = prod if alpha == 1 else prod * alpha
    if beta == 0:
        return where(np.ones((), bool), p, input.to(p._data.dtype))
    return (input if beta == 1 else input * beta) + p


def addmv(input: "Tensor", mat: "Tensor", vec: "Tensor", *, beta: Any = 1,
          alpha: Any = 1) -> "Tensor":
    """``beta * input + alpha * (mat @ vec)`` for a matrix ``mat`` and a vector ``vec``.

    >>> import autograd_core as ag
    >>> ag.ones(2).addmv(ag.eye(2), ag.tensor([2.0, 3.0]), beta=2)
    tensor([4., 5.])
    """
    input, mat, vec = (_tensor(t, "addmv", n) for t, n in ((input, "input"), (mat, "mat"),
                                                            (vec, "vec")))
    if mat.ndim != 2 or vec.ndim != 1 or mat.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({'x'.join(map(str, input.shape))}), mat "
                           f"({'x'.join(map(str, mat.shape))}), vec ({'x'.join(map(str, vec.shape))})")
    return _add_scaled(input, mat.matmul(vec), beta, alpha, "addmv")


def addr(input: "Tensor", vec1: "Tensor", vec2: "Tensor", *, beta: Any = 1,
         alpha: Any = 1) -> "Tensor":
    """``beta * input + alpha * outer(vec1, vec2)``.

    >>> import autograd_core as ag
    >>> ag.zeros(2, 2).addr(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 3.0]))
    tensor([[1., 3.],
            [2., 6.]])
    """
    input, v1, v2 = (_tensor(t, "addr", n) for t, n in ((input, "input"), (vec1, "vec1"),
                                                         (vec2, "vec2")))
    if v1.ndim != 1 or v2.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {v1.ndim}-D"
                           if v1.ndim != 1 else
                           f"addr: Expected 1-D argument vec2, but got {v2.ndim}-D")
    return _add_scaled(input, v1.reshape(-1, 1) * v2.reshape(1, -1), beta, alpha, "addr")


def addbmm(input: "Tensor", batch1: "Tensor", batch2: "Tensor", *, beta: Any = 1,
           alpha: Any = 1) -> "Tensor":
    """``beta * input + alpha * sum_i(batch1[i] @ batch2[i])``.

    >>> import autograd_core as ag
    >>> ag.zeros(2, 2).addbmm(ag.ones(3, 2, 4), ag.ones(3, 4, 2))
    tensor([[12., 12.],
            [12., 12.]])
    """
    input, b1, b2 = (_tensor(t, "addbmm", n) for t, n in ((input, "input"), (batch1, "batch1"),
                                                           (batch2, "batch2")))
    if b1.ndim != 3 or b2.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor" if b1.ndim != 3 else
                           "batch2 must be a 3D tensor")
    if b1.shape[0] != b2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{b1.shape[0]} and {b2.shape[0]}")
    if b1.shape[2] != b2.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({b1.shape[1]}x{b1.shape[2]} and "
                           f"{b2.shape[1]}x{b2.shape[2]})")
    n, m, k = b1.shape
    prod = b1.permute(1, 0, 2).reshape(m, n * k).matmul(b2.reshape(n * k, b2.shape[2]))
    return _add_scaled(input, prod, beta, alpha, "addbmm")


def chain_matmul(*matrices: "Tensor") -> "Tensor":
    """The product of the 2-D ``matrices`` in order (deprecated in PyTorch, with its
    warning: use ``linalg.multi_dot``).

    >>> import autograd_core as ag, warnings
    >>> from autograd_core.ops.product import chain_matmul
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     chain_matmul(ag.eye(2), ag.ones(2, 3)).shape
    (2, 3)
    """
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                  "more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for i, m in enumerate(matrices):
        _tensor(m, "chain_matmul", f"matrices[{i}]")
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    out = matrices[0]
    for m in matrices[1:]:
        out = out.matmul(m)
    return out


def dist(input: "Tensor", other: "Tensor", p: float = 2) -> "Tensor":
    """The ``p``-norm of ``input - other`` (broadcast), over all elements.

    >>> import autograd_core as ag
    >>> ag.tensor([0.0, 0.0]).dist(ag.tensor([3.0, 4.0]))
    tensor(5.)
    """
    a, b = _tensor(input, "dist", "input"), _tensor(other, "dist", "other")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        _broadcast_error(a.shape, b.shape)
    if a._data.dtype.kind != "f" or b._data.dtype.kind != "f":
        bad = a._data.dtype if a._data.dtype.kind != "f" else b._data.dtype
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. "
                           f"Got {scalar_type_name(bad)} instead.")
    return (a - b).norm(p)


def _broadcast_error(sa: tuple, sb: tuple) -> None:
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            raise RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b "
                               f"({pb[i]}) at non-singleton dimension {i}")


def pdist(input: "Tensor", p: float = 2) -> "Tensor":
    """The ``p``-norm distances between every pair of rows ``i < j`` of a 2-D tensor, in
    row-major order of the pairs (``N * (N - 1) / 2`` of them).

    >>> import autograd_core as ag
    >>> from autograd_core.ops.product import pdist
    >>> pdist(ag.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 4.0]]))
    tensor([5., 4., 3.])
    """
    x = _tensor(input, "pdist", "input")
    if x.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {x.ndim}D")
    if x._data.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = x.shape[0]
    i, j = np.triu_indices(n, 1)
    diff = x[i.astype(np.int64)] - x[j.astype(np.int64)]
    return diff.norm(p, dim=1)
