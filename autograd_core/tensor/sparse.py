"""Sparse COO tensors (``layout=torch.sparse_coo``): a graph's adjacency matrix, a bag of
features that are mostly zero, kept as the places and numbers of the entries stored.

What graph-network programs do with them is here: make one (``sparse_coo_tensor``,
``dense.to_sparse()``, ``torch.sparse.FloatTensor(indices, values, size)``), read it
(``indices()``, ``values()``, ``coalesce()``, ``to_dense()``, ``_nnz()``), multiply it with
a dense matrix on either side (``torch.sparse.mm``, ``torch.spmm``, ``torch.mm``, ``@``;
differentiable in the dense operand), add it to a dense tensor of its size (``dense +
sparse``, a dense result), add and subtract sparse tensors, scale it by a number, multiply
it by a dense tensor entry by entry, sum all of it, cast it, transpose a matrix.

Every other op raises NotImplementedError, as PyTorch's does for an op without a sparse
kernel, naming ``to_dense()``; so does making a sparse tensor that requires grad (its
values' gradient is not there; the dense operand's is).

>>> import autograd_core as ag
>>> adj = ag.sparse_coo_tensor([[0, 1, 1], [1, 0, 2]], [1.0, 2.0, 3.0], (2, 3))
>>> w = ag.ones(3, 2, requires_grad=True)
>>> out = ag.spmm(adj, w)
>>> out.tolist()
[[1.0, 1.0], [5.0, 5.0]]
>>> out.sum().backward()
>>> w.grad.tolist()
[[2.0, 2.0], [1.0, 1.0], [3.0, 3.0]]
"""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .. import autograd
from ..autograd.function import scalar_type_name
from ..device import check as check_device
from ..ops.sparse import COO, SparseMM
from .args import _is_float
from .base import Tensor, init_leaf, make
from .creation import tensor
from .dtypes import _dtype
from .layout import sparse_coo

_new = object.__new__


def _wrap(coo: COO) -> "SparseTensor":
    t = _new(SparseTensor)
    init_leaf(t, coo)
    return t


def _no_grad_message(op: str) -> str:
    return (f"{op}: sparse tensors that require grad are not implemented (the dense operand "
            "of a product with one is differentiable); make the values a constant, or use "
            "a dense tensor")


def _as_array(x: Any) -> np.ndarray:
    if isinstance(x, Tensor):
        if x.is_sparse:
            raise TypeError("sparse_coo_tensor: indices and values must be dense, got a sparse tensor")
        return x._data
    return tensor(x)._data   # PyTorch's dtype for Python numbers (float32 for floats)


def sparse_coo_tensor(indices: Any, values: Any, size: Any = None, *, dtype: Any = None,
                      device: Any = None, pin_memory: bool = False, requires_grad: bool = False,
                      check_invariants: "bool | None" = None,
                      is_coalesced: "bool | None" = None) -> "SparseTensor":
    """A sparse tensor with ``values[k]`` at the place ``indices[:, k]`` (entries at one place
    add up); ``size`` defaults to the largest index plus one in each dim. The indices are
    always checked (PyTorch checks them with ``check_invariants=True``).

    >>> import autograd_core as ag
    >>> s = ag.sparse_coo_tensor([[0, 2], [1, 0]], [5.0, 6.0], (3, 2))
    >>> s.to_dense().tolist()
    [[0.0, 5.0], [0.0, 0.0], [6.0, 0.0]]
    """
    check_device(device)
    if requires_grad or (isinstance(values, Tensor) and values.requires_grad
                         and autograd.is_grad_enabled()):
        raise NotImplementedError(_no_grad_message("sparse_coo_tensor"))
    idx = _as_array(indices)
    vals = _as_array(values)
    if dtype is not None:
        vals = vals.astype(_dtype(dtype), copy=False)
    if idx.dtype.kind == "f" and np.array_equal(idx, np.floor(idx)):
        idx = idx.astype(np.int64)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"indices must be an int64 tensor, got {idx.dtype}")
    if idx.ndim != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(idx.shape)}")
    if vals.ndim != 1:
        raise NotImplementedError(f"sparse_coo_tensor: values with dense dims (a hybrid tensor) "
                                  f"are not implemented; got values of shape {list(vals.shape)}")
    if idx.shape[1] != vals.shape[0]:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: "
                           f"{idx.shape[1]}, nnz from values: {vals.shape[0]}")
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    if idx.shape[1] and idx.min() < 0:
        d = int(np.argmin(idx.min(axis=1)))
        raise RuntimeError(f"found negative index {int(idx[d].min())} for dim {d}")
    if size is None:
        shape = tuple(int(n) + 1 for n in idx.max(axis=1)) if idx.shape[1] else (0,) * idx.shape[0]
    else:
        shape = tuple(int(n) for n in size)
        if len(shape) != idx.shape[0]:
            raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) "
                               f"= {len(shape)}, sparse_dim = {idx.shape[0]}, dense_dim = 0")
        if idx.shape[1]:
            top = idx.max(axis=1)
            for d, (n, i) in enumerate(zip(shape, top)):
                if i >= n:
                    raise RuntimeError(f"size is inconsistent with indices: for dim {d}, size is "
                                       f"{n} but found index {int(i)}")
    return _wrap(COO(idx, vals, shape, coalesced=bool(is_coalesced)))


def to_sparse(t: Tensor, sparse_dim: "int | None" = None) -> "SparseTensor":
    """``t.to_sparse()``: the nonzero entries of a dense tensor (coalesced)."""
    if sparse_dim is not None and sparse_dim != t.ndim:
        raise NotImplementedError(f"to_sparse: sparse_dim={sparse_dim} below the tensor's "
                                  f"{t.ndim} dims (a hybrid tensor) is not implemented")
    if t.requires_grad and autograd.is_grad_enabled():
        raise NotImplementedError(_no_grad_message("to_sparse"))
    return _wrap(COO.from_dense(t._data))


def _scalar(x: Any) -> "float | int | None":
    """A number, or a 0-d dense tensor's number; None for anything else."""
    if isinstance(x, (int, float, np.number)) and not isinstance(x, bool):
        return x
    if isinstance(x, Tensor) and not x.is_sparse and x.ndim == 0:
        if x.requires_grad and autograd.is_grad_enabled():
            raise NotImplementedError(_no_grad_message("mul"))
        return x._data.item()
    return None


def _same_size(op: str, a: Tensor, b: Tensor) -> None:
    if a.shape != b.shape:
        raise RuntimeError(f"{op}: expected 'self' and 'other' to have same size, but self has "
                           f"size {list(a.shape)} while other has size {list(b.shape)} (FYI: "
                           "dense-sparse addition does not currently support broadcasting)")


class SparseTensor(Tensor):
    """A tensor of ``layout=torch.sparse_coo`` (see the module's text for what it does).

    >>> import autograd_core as ag
    >>> s = ag.eye(3).to_sparse()
    >>> s.is_sparse, s._nnz(), s.indices().tolist()
    (True, 3, [[0, 1, 2], [0, 1, 2]])
    """

    __slots__ = ()
    is_sparse = True
    layout = sparse_coo
    __hash__ = object.__hash__

    # -- reading it ------------------------------------------------------------------
    def to_dense(self, dtype: Any = None, *, masked_grad: "bool | None" = None) -> Tensor:
        if dtype is not None:
            raise RuntimeError("dtype argument is not supported by sparse_to_dense")
        return make(self._data.to_dense())

    def to_sparse(self, *args: Any, **kwargs: Any) -> "SparseTensor":
        return self

    to_sparse_coo = to_sparse

    def coalesce(self) -> "SparseTensor":
        c = self._data.coalesce()
        return self if c is self._data else _wrap(c)

    def is_coalesced(self) -> bool:
        return self._data.coalesced

    def _checked_coalesced(self, what: str) -> COO:
        if not self._data.coalesced:
            raise RuntimeError(f"Cannot get {what} on an uncoalesced tensor, please call "
                               ".coalesce() first")
        return self._data

    def indices(self) -> Tensor:
        return make(self._checked_coalesced("indices").indices)

    def values(self) -> Tensor:
        return make(self._checked_coalesced("values").values)

    def _indices(self) -> Tensor:
        return make(self._data.indices)

    def _values(self) -> Tensor:
        return make(self._data.values)

    def _nnz(self) -> int:
        return self._data.nnz

    def sparse_dim(self) -> int:
        return self._data.ndim

    def dense_dim(self) -> int:
        return 0

    def numpy(self, *, force: bool = False) -> np.ndarray:
        raise TypeError("can't convert Sparse layout tensor to numpy. Use Tensor.to_dense() first.")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        self.numpy()

    def __repr__(self) -> str:
        s = self._data
        pad = " " * len("tensor(indices=")
        ind = repr(make(s.indices)).replace("\n", "\n" + pad)
        extra = "" if s.dtype in (np.float32, np.int64, np.bool_) else f", dtype={s.dtype}"
        val = repr(make(s.values)).replace(extra, "")   # the dtype is said once, at the end
        val = val.replace("\n", "\n" + " " * len("       values="))
        return (f"tensor(indices={ind},\n       values={val},\n       size={s.shape}, "
                f"nnz={s.nnz}{extra}, layout=torch.sparse_coo)")

    # -- as a tensor of the graph: a constant ---------------------------------------
    @property
    def requires_grad(self) -> bool:
        return False

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if flag:
            raise NotImplementedError(_no_grad_message("requires_grad_"))

    @property
    def data(self) -> "SparseTensor":
        return self

    def detach(self) -> "SparseTensor":
        return _wrap(self._data)

    def clone(self, *, memory_format: Any = None) -> "SparseTensor":
        s = self._data
        return _wrap(COO(s.indices.copy(), s.values.copy(), s.shape, s.coalesced))

    def _cast(self, dtype: np.dtype) -> "SparseTensor":
        s = self._data
        return self if dtype == s.dtype else _wrap(s.with_values(s.values.astype(dtype)))

    # -- shape -------------------------------------------------------------------------
    def t(self) -> "SparseTensor":
        if self._data.ndim != 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 sparse and 0 dense dimensions, "
                               f"but self is {self._data.ndim} sparse and 0 dense dimensions")
        return _wrap(self._data.transpose())

    def transpose(self, dim0: int, dim1: int) -> "SparseTensor":
        n = self._data.ndim
        for d in (dim0, dim1):
            if not -n <= d < n:
                raise IndexError(f"Dimension out of range (expected to be in range of "
                                 f"[{-n}, {n - 1}], but got {d})")
        dim0, dim1 = dim0 % n, dim1 % n
        if dim0 == dim1:
            return self
        s = self._data
        idx = s.indices.copy()
        idx[[dim0, dim1]] = idx[[dim1, dim0]]
        shape = list(s.shape)
        shape[dim0], shape[dim1] = shape[dim1], shape[dim0]
        return _wrap(COO(idx, s.values, tuple(shape)))

    @property
    def T(self) -> "SparseTensor":
        return self.t()

    # -- arithmetic --------------------------------------------------------------------
    def neg(self) -> "SparseTensor":
        return _wrap(self._data.with_values(-self._data.values))

    __neg__ = neg

    def mul(self, other: Any) -> "SparseTensor":
        """Times a number, or entry by entry times a dense tensor (broadcast to this
        one's shape; the result is sparse, as PyTorch's)."""
        s = self._data
        k = _scalar(other)
        if k is not None:
            return _wrap(s.with_values(s.values * np.asarray(k, dtype=_mul_dtype(s.dtype, k))))
        if isinstance(other, Tensor) and not other.is_sparse:
            if other.requires_grad and autograd.is_grad_enabled():
                raise NotImplementedError(_no_grad_message("mul"))
            dense = np.broadcast_to(other._data, s.shape)
            return _wrap(s.with_values(s.values * dense[tuple(s.indices)]))
        raise NotImplementedError(f"mul: a sparse tensor times {type(other).__name__} is not "
                                  "implemented; call .to_dense() first")

    __mul__ = __rmul__ = mul

    def div(self, other: Any) -> "SparseTensor":
        k = _scalar(other)
        if k is None:
            raise NotImplementedError(f"div: a sparse tensor divided by {type(other).__name__} "
                                      "is not implemented; call .to_dense() first")
        s = self._data
        values = s.values / k if _is_float(s.dtype) else (s.values / k).astype(np.float32)
        return _wrap(s.with_values(values))

    __truediv__ = div

    def add(self, other: Any, *, alpha: Any = 1) -> "SparseTensor":
        """Sparse plus sparse (of one size; the entries of both are kept, uncoalesced, as
        PyTorch's). Sparse plus dense is refused, as PyTorch refuses it: dense plus sparse
        is the form that exists."""
        if not (isinstance(other, Tensor) and other.is_sparse):
            raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) "
                               "instead.")
        _same_size("add", self, other)
        a, b = self._data, other._data
        bv = b.values if alpha == 1 else b.values * alpha
        dt = np.result_type(a.values, bv)
        return _wrap(COO(np.concatenate([a.indices, b.indices], axis=1),
                         np.concatenate([a.values.astype(dt), bv.astype(dt)]), a.shape))

    __add__ = add

    def sub(self, other: Any, *, alpha: Any = 1) -> "SparseTensor":
        return self.add(other, alpha=-alpha)

    __sub__ = sub

    def __radd__(self, other: Any) -> Tensor:
        """``dense + sparse``: a dense tensor of the same size."""
        if not isinstance(other, Tensor):
            raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) "
                               "instead.")
        _same_size("add", other, self)
        return other + make(self._data.to_dense())

    def __rsub__(self, other: Any) -> Tensor:
        if not isinstance(other, Tensor):
            raise RuntimeError("sub(sparse, dense) is not supported. Use sub(dense, sparse) "
                               "instead.")
        _same_size("sub", other, self)
        return other - make(self._data.to_dense())

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """The sum of all entries (a dense 0-d tensor; integers sum in int64)."""
        if dim is not None:
            raise NotImplementedError("sum: summing a sparse tensor over some dims is not "
                                      "implemented; call .to_dense() first")
        v = self._data.values
        dt = _dtype(dtype) if dtype is not None else (v.dtype if _is_float(v.dtype) else np.int64)
        return make(np.asarray(v.sum(dtype=dt)))

    # -- products ----------------------------------------------------------------------
    def matmul(self, other: Any) -> Tensor:
        """``self @ other`` for a sparse matrix and a dense matrix or vector: a dense tensor,
        differentiable in ``other``."""
        s = self._data
        if not isinstance(other, Tensor) or other.is_sparse:
            raise NotImplementedError(f"mm: a sparse matrix times "
                                      f"{'a sparse tensor' if isinstance(other, Tensor) else type(other).__name__}"
                                      " is not implemented; the other operand must be dense")
        if s.ndim != 2 or other.ndim not in (1, 2):
            raise RuntimeError(f"mm: expected a sparse matrix and a dense matrix or vector, got "
                               f"shapes {list(s.shape)} and {list(other.shape)}")
        if s.shape[1] != other.shape[0]:
            raise RuntimeError(f"mm: shapes {list(s.shape)} and {list(other.shape)} cannot be "
                               f"multiplied ({s.shape[1]} != {other.shape[0]})")
        if other.dtype != s.dtype:
            raise RuntimeError(f"expected scalar type {scalar_type_name(s.dtype)} but found "
                               f"{scalar_type_name(other.dtype)}")
        return SparseMM.apply(other, sparse=s)

    mm = spmm = __matmul__ = matmul

    def __rmatmul__(self, other: Any) -> Tensor:
        """``dense @ sparse``, as ``(sparse.T @ dense.T).T``."""
        if not isinstance(other, Tensor):
            raise TypeError(f"unsupported operand type(s) for @: '{type(other).__name__}' and "
                            "'Tensor'")
        if other.ndim == 1:
            return self.t().matmul(other)
        if other.ndim != 2:
            raise RuntimeError(f"mm: expected a dense matrix or vector and a sparse matrix, got "
                               f"shapes {list(other.shape)} and {list(self.shape)}")
        return self.t().matmul(other.mT).mT.contiguous()


def _mul_dtype(dt: np.dtype, k: Any) -> np.dtype:
    """A number's dtype against this tensor's: it takes ours, but a float times an integer
    tensor is of the default float dtype (PyTorch's rule)."""
    if isinstance(k, float) and not _is_float(dt):
        from .dtypes import get_default_dtype
        return np.dtype(get_default_dtype())
    return dt


# Every other Tensor method and operator raises, naming to_dense(): computing on the
# record of a sparse tensor as if it were its array would give wrong numbers.
_INHERITED = {
    "shape", "ndim", "dtype", "device", "size", "dim", "ndimension", "numel", "nelement",
    "element_size", "is_cuda", "is_xpu", "is_mps", "is_meta", "is_quantized", "is_cpu",
    "get_device", "requires_grad_", "is_leaf", "grad_fn", "grad", "label", "to", "type",
    "type_as", "float", "double", "half", "long", "int", "bool", "short", "byte", "char",
    "cpu", "cuda", "is_floating_point", "is_complex", "real", "itemsize",
}
_OPERATORS = {
    "__getitem__", "__setitem__", "__iter__", "__bool__", "__float__", "__int__", "__index__",
    "__pow__", "__rpow__", "__abs__", "__invert__", "__and__", "__rand__", "__or__",
    "__ror__", "__xor__", "__rxor__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__",
    "__ne__", "__mod__", "__rmod__", "__floordiv__", "__rfloordiv__", "__rtruediv__",
    "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ifloordiv__", "__ipow__",
    "__imatmul__", "__lshift__", "__rshift__", "__rlshift__", "__rrshift__", "__pos__",
}


def _refuse(name: str, is_property: bool) -> Any:
    def refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{name}: not implemented for sparse tensors "
                                  "(layout=torch.sparse_coo); call .to_dense() first")
    refuse.__name__ = name
    return property(refuse) if is_property else refuse


for _name in dir(Tensor):
    if _name in SparseTensor.__dict__ or _name in _INHERITED:
        continue
    if _name.startswith("_") and _name not in _OPERATORS:
        continue
    _attr = inspect.getattr_static(Tensor, _name)
    if isinstance(_attr, property) or callable(_attr) or isinstance(_attr, (staticmethod,
                                                                          classmethod)):
        setattr(SparseTensor, _name, _refuse(_name, isinstance(_attr, property)))
del _name, _attr
