"""``autograd_core.sparse``: PyTorch's ``torch.sparse`` namespace for sparse COO tensors
(``tensor/sparse.py`` holds the type): ``mm``, ``sum`` and the legacy constructors
``torch.sparse.FloatTensor(indices, values, size)`` and the like.

>>> import autograd_core as ag
>>> adj = ag.sparse.FloatTensor(ag.tensor([[0, 1], [1, 0]]), ag.tensor([1.0, 2.0]), (2, 2))
>>> ag.sparse.mm(adj, ag.ones(2, 1)).tolist()
[[1.0], [2.0]]
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .tensor.base import Tensor
from .tensor.sparse import SparseTensor, sparse_coo_tensor

__all__ = ["mm", "sum", "FloatTensor", "DoubleTensor", "LongTensor", "IntTensor"]


def mm(mat1: Tensor, mat2: Tensor) -> Tensor:
    """``mat1 @ mat2`` with a sparse matrix on either side and a dense one on the other:
    a dense matrix, differentiable in the dense operand.

    >>> import autograd_core as ag
    >>> ag.sparse.mm(ag.ones(1, 2), ag.eye(2).to_sparse()).tolist()
    [[1.0, 1.0]]
    """
    if isinstance(mat1, SparseTensor):
        return mat1.matmul(mat2)
    if isinstance(mat2, SparseTensor):
        return mat2.__rmatmul__(mat1)
    if not (isinstance(mat1, Tensor) and isinstance(mat2, Tensor)):
        raise TypeError(f"mm(): expected Tensors, got {type(mat1).__name__} and "
                        f"{type(mat2).__name__}")
    return mat1.mm(mat2)


def spmm(input: Tensor, mat2: Tensor) -> Tensor:
    """``torch.spmm``: ``input @ mat2``, ``input`` sparse or dense, ``mat2`` dense.

    >>> import autograd_core as ag
    >>> ag.spmm(ag.eye(2).to_sparse(), ag.ones(2, 1)).tolist()
    [[1.0], [1.0]]
    """
    return mm(input, mat2)


def sum(input: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:   # noqa: A001
    """The sum of all entries of a sparse tensor (a dense 0-d tensor); over some dims is not
    implemented.

    >>> import autograd_core as ag
    >>> ag.sparse.sum(ag.eye(3).to_sparse())
    tensor(3.)
    """
    return input.sum(dim, dtype=dtype)


def _legacy(dtype: Any, name: str):
    def make(*args: Any, device: Any = None) -> SparseTensor:
        if args and all(isinstance(a, int) for a in args):   # FloatTensor(3, 3): empty
            return sparse_coo_tensor(np.zeros((len(args), 0), np.int64), np.zeros(0, dtype),
                                     args, device=device)
        if len(args) in (2, 3):
            indices, values = args[:2]
            size = args[2] if len(args) == 3 else None
            # as PyTorch's: the values keep their dtype (only sizes alone take the type's)
            return sparse_coo_tensor(indices, values, size, device=device)
        raise TypeError(f"torch.sparse.{name}(): expected (indices, values[, size]) or sizes, "
                        f"got {len(args)} arguments")
    make.__name__ = make.__qualname__ = name
    make.__doc__ = (f"PyTorch's legacy ``torch.sparse.{name}``: ``(indices, values[, size])``, "
                    f"or sizes for an empty sparse tensor of {np.dtype(dtype)}.")
    return make


FloatTensor = _legacy(np.float32, "FloatTensor")
DoubleTensor = _legacy(np.float64, "DoubleTensor")
LongTensor = _legacy(np.int64, "LongTensor")
IntTensor = _legacy(np.int32, "IntTensor")
