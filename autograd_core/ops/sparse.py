"""Sparse COO matrices: the record a sparse tensor holds (``COO``), and its product with a
dense matrix (``SparseMM``, PyTorch's ``torch.sparse.mm``), differentiable in the dense
operand: d(S @ D)/dD applied to ``grad`` is ``S.T @ grad``, the same op on the transpose.

>>> import numpy as np
>>> from autograd_core.ops.sparse import COO
>>> s = COO.from_dense(np.array([[0.0, 2.0], [0.0, 0.0]]))
>>> s.indices.tolist(), s.values.tolist(), s.to_dense().tolist()
([[0], [1]], [2.0], [[0.0, 2.0], [0.0, 0.0]])
"""
from __future__ import annotations

import math

import numpy as np

from .. import kernels
from ..autograd.function import Function


class COO:
    """The numbers of a sparse COO tensor: ``indices`` (int64, one row per dim, one column
    per stored entry), ``values`` (one per entry) and ``shape``; ``coalesced`` when the
    entries are sorted (row-major) and no place is stored twice.

    It stands where a dense tensor keeps its array and answers what the Tensor class reads
    from one (``shape``, ``ndim``, ``dtype``, ``size``, ``itemsize``), but it is no array:
    NumPy refuses it, so no dense op can compute on it unnoticed.
    """

    __slots__ = ("indices", "values", "shape", "coalesced", "_transpose")

    def __init__(self, indices: np.ndarray, values: np.ndarray, shape: tuple,
                 coalesced: bool = False) -> None:
        self.indices = indices
        self.values = values
        self.shape = tuple(shape)
        self.coalesced = coalesced
        self._transpose = None

    @classmethod
    def from_dense(cls, a: np.ndarray) -> "COO":
        """The nonzero entries of ``a``, in row-major order (coalesced)."""
        where = np.nonzero(a)
        indices = np.array(where, dtype=np.int64).reshape(a.ndim, -1)
        return cls(indices, a[where], a.shape, coalesced=True)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def itemsize(self) -> int:
        return self.values.itemsize

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nnz(self) -> int:
        return self.values.shape[0]

    def with_values(self, values: np.ndarray) -> "COO":
        """The same places holding ``values``."""
        return COO(self.indices, values, self.shape, self.coalesced)

    def coalesce(self) -> "COO":
        """Entries sorted row-major, those at one place summed into one."""
        if self.coalesced:
            return self
        if not self.nnz:
            return COO(self.indices, self.values, self.shape, coalesced=True)
        flat = np.ravel_multi_index(tuple(self.indices), self.shape)
        order = np.argsort(flat, kind="stable")
        flat = flat[order]
        starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]])
        values = np.add.reduceat(self.values[order], starts)
        indices = np.array(np.unravel_index(flat[starts], self.shape), dtype=np.int64)
        return COO(indices.reshape(self.ndim, -1), values, self.shape, coalesced=True)

    def transpose(self) -> "COO":
        """The transpose of a matrix (kept: a product's backward asks for it every step)."""
        t = self._transpose
        if t is None:
            t = self._transpose = COO(self.indices[::-1].copy(), self.values,
                                      self.shape[::-1], coalesced=False)
        return t

    def to_dense(self) -> np.ndarray:
        out = np.zeros(self.shape, self.values.dtype)
        if self.coalesced:
            out[tuple(self.indices)] = self.values
        else:
            np.add.at(out, tuple(self.indices), self.values)
        return out


def coo_times_dense(s: COO, dense: np.ndarray) -> np.ndarray:
    """``s @ dense`` for a matrix ``s`` and a matrix or vector ``dense`` (their dtypes
    agree: PyTorch's product refuses mixed ones)."""
    d2 = dense.reshape(dense.shape[0], -1)
    out = kernels.coo_mm(s.indices[0], s.indices[1], s.values, d2, s.shape[0])
    return out.reshape(s.shape[:1] + dense.shape[1:])


class SparseMM(Function):
    """``sparse @ dense`` (the sparse matrix a constant of the graph)."""

    op = "mm"

    @staticmethod
    def forward(ctx, dense, sparse=None):
        ctx.sparse = sparse
        return coo_times_dense(sparse, dense)

    @staticmethod
    def backward(ctx, grad):
        return SparseMM.apply(grad, sparse=ctx.sparse.transpose())

    @staticmethod
    def array_backward(ctx, grad):
        return coo_times_dense(ctx.sparse.transpose(), grad)

    def name(self) -> str:
        return "MmBackward0"   # PyTorch's node for a sparse-dense product
