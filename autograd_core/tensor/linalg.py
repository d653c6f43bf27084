"""Linear-algebra Tensor methods: matrix products (``@``, ``mm``, ``bmm``, ``mv``,
``dot``, ``outer``, ``addmm``), ``diag`` and ``trace``; and the ``cdist`` function.
"""

from __future__ import annotations

from typing import Any, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from .reduce import vector_norm
from .args import _NUMBERS, _require_tensor
from ..ops import index as IX
from ..ops import linalg as LA

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


class LinalgMixin:
    """Linear-algebra Tensor methods: matrix products (``@``, ``mm``, ``bmm``, ``mv``,"""

    __slots__ = ()

    def __matmul__(self, other: Any) -> "Tensor":
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return self._other(other, "@").matmul(self)

    def matmul(self, other: Any) -> "Tensor":
        """Matrix product with NumPy/PyTorch semantics for 1-D, 2-D and batched operands."""
        o = self._other(other, "@")
        a = self
        if a.ndim == 0 or o.ndim == 0:
            raise RuntimeError(f"matmul: both arguments need at least 1 dimension, got shapes "
                             f"{a.shape} and {o.shape}")
        if a._data.dtype != o._data.dtype:
            dt = np.result_type(a._data.dtype, o._data.dtype)
            a, o = a.to(dt), o.to(dt)
        k_b = o.shape[-2] if o.ndim > 1 else o.shape[0]
        if a.shape[-1] != k_b:
            raise RuntimeError(f"matmul: shapes {self.shape} and {o.shape} cannot be multiplied "
                             f"({a.shape[-1]} != {k_b})")
        squeeze = []
        if a.ndim == 1:
            a = a.unsqueeze(0)
            squeeze.append(-2)
        if o.ndim == 1:
            o = o.unsqueeze(-1)
            squeeze.append(-1)
        out = LA.MatMul.apply(a, o)
        for d in sorted(squeeze):  # -2 first, then -1
            out = out.squeeze(d)
        return out

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
        tensor([[3.5, 0.5],
                [0.5, 3.5]])
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

def cdist(x1: "Tensor", x2: "Tensor", p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> "Tensor":
    """The ``p``-norm distance between each row of ``x1`` (..., P, M) and each row of
    ``x2`` (..., R, M): shape (..., P, R); batch dims broadcast. At zero distance the
    gradient is zero, as PyTorch's. ``compute_mode`` is accepted and ignored (the
    distances are always computed directly).

    >>> import autograd_core as ag
    >>> ag.cdist(ag.tensor([[0.0, 0.0], [1.0, 1.0]]), ag.tensor([[3.0, 4.0]]))
    tensor([[5.    ],
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
