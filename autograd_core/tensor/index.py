"""Indexing Tensor methods: ``x[index]``, gather, index_select, masked_select, take,
scatter and index_add, index_copy and index_put, masked_fill and masked_scatter, the
diagonal/select/slice scatters, nonzero, repeat_interleave, is_nonzero.
"""

from __future__ import annotations

from typing import Any, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..autograd.function import is_tensor, scalar_type_name
from .args import _check_dim, _index, _index_1d, _require_tensor
from ..ops import index as IX
from ..ops import movement as MV
from .pointwise import where

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


class IndexMixin:
    """Indexing Tensor methods: ``x[index]``, gather, index_select, masked_select,"""

    __slots__ = ()

    def __getitem__(self, index: Any) -> "Tensor":
        data = self._data
        if data.ndim:
            # basic indexing by ints and slices (a Dataset's sample ``x[i]``, a batch's rows
            # ``data[i:i + block_size]``, ``C[ix]`` of a 0-d index tensor, ``x[:, -1, :]``): the
            # view made here and recorded by ``Index.apply_view``; any other index takes
            # the general path
            kind = type(index)
            if kind is _f.Tensor and index._data.ndim == 0 and index._data.dtype.kind in "iu":
                index, kind = int(index._data), int    # PyTorch applies it as an int
            fast = None
            if kind is int:
                if -data.shape[0] <= index < data.shape[0]:
                    fast, key = index, (index, ...)
            elif kind is slice:
                start, stop, step = index.indices(data.shape[0])   # bounds read as ints
                if step > 0:
                    fast = key = slice(start, stop, step)
            elif kind is tuple and 0 < len(index) <= data.ndim:
                fast = _basic_tuple(index, data.shape)
                if fast is not None:
                    key = fast + (...,)
            if fast is not None:
                attrs = {"index": fast}
                return IX.Index.apply_view(self, data[key], attrs, attrs)
        return IX.Index.apply(self, index=_index(index))

    def take_along_dim(self, indices: Any, dim: int | None = None) -> "Tensor":
        """``gather`` with broadcasting: the elements at ``indices`` along ``dim`` (of the
        flattened tensor when ``dim`` is None), as ``torch.take_along_dim``.

        >>> import autograd_core as ag
        >>> ag.tensor([[10, 30, 20]]).take_along_dim(ag.tensor([[2, 0]]), 1)
        tensor([[20, 10]])
        """
        idx = indices if is_tensor(indices) else _f.make(np.asarray(indices))
        if dim is None:
            return self.reshape(-1).gather(0, idx.reshape(-1))
        d = _check_dim(self, dim, "take_along_dim")
        if idx.ndim != self.ndim:
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                               f"number of dimensions, but got {self.ndim} dimensions for input, "
                               f"and {idx.ndim} dimensions for indices")
        lead = tuple(np.broadcast_shapes(tuple(s for i, s in enumerate(self.shape) if i != d),
                                         tuple(s for i, s in enumerate(idx.shape) if i != d)))
        shape_x = lead[:d] + (self.shape[d],) + lead[d:]
        shape_i = lead[:d] + (idx.shape[d],) + lead[d:]
        return self.expand(shape_x).gather(d, idx.expand(shape_i))

    def gather(self, dim: int, index: "Tensor", *, sparse_grad: bool = False) -> "Tensor":
        """``out[i][j] = self[i][index[i][j]]`` for ``dim=1``: the elements at ``index`` along
        ``dim``. ``index`` has self's number of dims and may be smaller than self apart
        from ``dim``, as PyTorch's. The gradient adds up at repeated indices.

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2, 3], [4, 5, 6]]).gather(1, ag.tensor([[2, 0]]))
        tensor([[3, 1]])
        """
        d = _check_dim(self, dim, "gather")
        idx = index._data if is_tensor(index) else np.asarray(index)
        if idx.ndim != self.ndim and (idx.ndim > 1 or self.ndim > 1):
            raise RuntimeError("Index tensor must have the same number of dimensions as input "
                               "tensor")
        x = self if self.ndim else self.reshape(1)
        scalar = not self.ndim and not idx.ndim
        if not idx.ndim:
            idx = idx.reshape(1)
        for k in range(x.ndim):
            if k != d and idx.shape[k] > x.shape[k]:
                raise RuntimeError(f"Size does not match at dimension {k} expected index "
                                   f"{list(idx.shape)} to be no larger than self "
                                   f"{list(self.shape)} apart from dimension {d}")
        n = x.shape[d]
        if idx.size and (idx.min() < 0 or idx.max() >= n):  # no negative indices, as PyTorch
            bad = idx[(idx < 0) | (idx >= n)].flat[0]
            raise RuntimeError(f"gather: index {bad} is out of bounds for dimension {d} with "
                               f"size {n} (expected 0 <= index < {n})")
        out = IX.Gather.apply(x, dim=d, index=idx)
        return out.reshape(()) if scalar else out

    def masked_fill(self, mask: Any, value: float) -> "Tensor":
        m = mask._data if is_tensor(mask) else np.asarray(mask)
        return where(m, _f.make(np.asarray(value, dtype=self.dtype)), self)

    def index_add(self, dim: int, index: Any, source: "Tensor", *, alpha: Any = 1) -> "Tensor":
        """A copy of self with ``alpha * source`` slices added at ``index`` along ``dim``
        (repeated indices add up).

        >>> import autograd_core as ag
        >>> ag.zeros(3, 2).index_add(0, ag.tensor([0, 2, 0]), ag.ones(3, 2))
        tensor([[2., 2.],
                [0., 0.],
                [1., 1.]])
        """
        source = _require_tensor(source, "index_add", "source")
        d = _check_dim(self, dim, "index_add")
        x = self if self.ndim else self.reshape(1)
        src = source if source.ndim else source.reshape(1)
        idx = _index_1d(index, "index_add", x.shape[d], negative=False, error=RuntimeError)
        if source.dtype != self.dtype:
            raise TypeError(f"index_add: self ({self.dtype}) and source ({source.dtype}) must "
                            "have the same dtype")
        want = x.shape[:d] + (len(idx),) + x.shape[d + 1:]
        if src.shape != want:
            raise RuntimeError(f"index_add: source must have shape {want} (self's shape "
                             f"{self.shape} with {len(idx)} indices along dim {d}), got "
                             f"{source.shape}")
        if alpha != 1:
            src = src * alpha
        added = IX.IndexAdd.apply(src, index=(slice(None),) * d + (idx,), shape=x.shape)
        return (x + added).reshape(self.shape)

    def index_fill(self, dim: int, index: Any, value: Any) -> "Tensor":
        """A copy of self with ``value`` (a number or a 0-d tensor) at ``index`` along ``dim``.

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).index_fill(1, ag.tensor([0, 2]), -1.0)
        tensor([[-1.,  0., -1.],
                [-1.,  0., -1.]])
        """
        d = _check_dim(self, dim, "index_fill")
        n = self.shape[d] if self.ndim else 1
        idx = _index_1d(index, "index_fill", n, negative=True)
        mask = np.zeros(n, dtype=bool)
        mask[idx] = True
        if self.ndim:
            mask = mask.reshape((1,) * d + (n,) + (1,) * (self.ndim - d - 1))
        else:
            mask = mask.reshape(())
        if isinstance(value, _f.Tensor):
            if value.ndim:
                raise RuntimeError(f"index_fill: value must be a number or a 0-d tensor, got "
                                 f"shape {value.shape}")
            return where(mask, value.to(self.dtype), self)
        return where(mask, _f.make(np.asarray(value, self.dtype)), self)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """The indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or with
        ``as_tuple=True`` one 1-D tensor per dim.

        >>> import autograd_core as ag
        >>> ag.tensor([[0, 3], [4, 0]]).nonzero()
        tensor([[0, 1],
                [1, 0]])
        """
        d = self._data
        if as_tuple:
            return tuple(_f.make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(d)))
        return _f.make(np.argwhere(d).astype(np.int64))

    def argwhere(self) -> "Tensor":
        """The indices of the non-zero elements, as ``nonzero()``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 2.0, 5.0]).argwhere()
        tensor([[1],
                [2]])
        """
        return self.nonzero()

    def index_select(self, dim: int, index: Any) -> "Tensor":
        """The entries at ``index`` (a 1-D int64 tensor) along ``dim``.

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1, 2, 3], [4, 5, 6]])
        >>> x.index_select(1, ag.tensor([2, 0]))
        tensor([[3, 1],
                [6, 4]])
        """
        d = _check_dim(self, dim, "index_select")
        idx = index._data if isinstance(index, _f.Tensor) else np.asarray(index)
        if idx.dtype not in (np.int32, np.int64):
            raise RuntimeError(f"index_select(): Expected dtype int32 or int64 for index, got "
                               f"{idx.dtype}")
        if idx.ndim > 1:
            raise IndexError(f"index_select(): Index is supposed to be a vector, got shape "
                             f"{idx.shape}")
        idx = idx.reshape(-1)
        n = self.shape[d] if self.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):  # no negative indices, as PyTorch
            bad = idx[(idx < 0) | (idx >= n)][0]
            # PyTorch's type: IndexError, but RuntimeError from its CPU kernel for dim 1
            raise (RuntimeError if d == 1 else IndexError)(
                f"index_select: index {bad} is out of bounds for dimension {d} with size {n} "
                f"(expected 0 <= index < {n})")
        if self.ndim == 0:
            return self.reshape(1)[idx].reshape(())
        return IX.Index.apply(self, index=(slice(None),) * d + (idx,))

    def masked_select(self, mask: Any) -> "Tensor":
        """The entries where ``mask`` (bool, broadcast with self) is True, as a 1-D tensor.

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, -2.0], [-3.0, 4.0]])
        >>> x.masked_select(x > 0)
        tensor([1., 4.])
        """
        m = mask._data if isinstance(mask, _f.Tensor) else np.asarray(mask)
        if m.dtype != np.bool_:
            raise TypeError(f"masked_select: expected a bool mask, got dtype {m.dtype}")
        try:
            shape = np.broadcast_shapes(self.shape, m.shape)
        except ValueError:
            raise RuntimeError(f"masked_select: mask of shape {m.shape} cannot be broadcast with "
                             f"input of shape {self.shape}") from None
        x = self.expand(shape) if shape != self.shape else self
        return IX.Index.apply(x, index=np.broadcast_to(m, shape))

    def repeat_interleave(self, repeats: Any, dim: int | None = None, *,
                          output_size: int | None = None) -> "Tensor":
        """Repeat each element ``repeats`` times (an int, or one count per element) along
        ``dim``, or over the flattened tensor when ``dim`` is None.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 2]).repeat_interleave(2)
        tensor([1, 1, 2, 2])
        >>> ag.tensor([[1, 2], [3, 4]]).repeat_interleave(ag.tensor([1, 2]), dim=0)
        tensor([[1, 2],
                [3, 4],
                [3, 4]])
        """
        if dim is None:
            return self.flatten().repeat_interleave(repeats, 0, output_size=output_size)
        d = _check_dim(self, dim, "repeat_interleave")
        x = self if self.ndim else self.reshape(1)
        n = x.shape[d]
        r = repeats._data if isinstance(repeats, _f.Tensor) else np.asarray(repeats)
        if r.dtype.kind not in "iu" or r.ndim > 1 or (r.ndim == 1 and r.shape[0] not in (1, n)):
            raise RuntimeError(f"repeat_interleave: repeats must be an int or a 1-D int tensor of "
                             f"size 1 or {n} (dim {d}'s size), got shape {r.shape} and dtype {r.dtype}")
        if (r < 0).any():
            raise RuntimeError(f"repeat_interleave: repeats must be non-negative, got {r.tolist()}")
        idx = np.repeat(np.arange(n), r.reshape(-1) if r.ndim else int(r))
        if output_size is not None and output_size != len(idx):
            raise RuntimeError(f"repeat_interleave: output_size {output_size} does not match the "
                             f"{len(idx)} repeated elements")
        return IX.Index.apply(x, index=(slice(None),) * d + (idx,))

    def _scatter_args(self, dim: int, index: Any, src: Any, name: str) -> tuple:
        """PyTorch's checks of a scatter's arguments: ``dim`` and ``index`` (int64, of self's
        number of dims, no larger than self apart from ``dim`` nor than ``src``, in
        bounds); the dim as an index, and the index array."""
        d = _check_dim(self, dim, name)
        idx = index._data if isinstance(index, _f.Tensor) else np.asarray(index)
        if idx.dtype != np.int64:
            raise RuntimeError(f"{name}(): Expected dtype int64 for index")
        if idx.ndim != self.ndim or (src is not None and src.ndim != self.ndim):
            raise RuntimeError("Index tensor must have the same number of dimensions as self "
                               "tensor")
        for k in range(idx.ndim):
            if (k != d and idx.shape[k] > self.shape[k]) or (
                    src is not None and idx.shape[k] > src.shape[k]):
                raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self "
                                   f"{list(self.shape)} apart from dimension {d}"
                                   + (f" and to be no larger size than src {list(src.shape)}"
                                      if src is not None else ""))
        n = self.shape[d] if self.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            bad = idx[(idx < 0) | (idx >= n)].flat[0]
            raise RuntimeError(f"{name}: index {bad} is out of bounds for dimension {d} with "
                               f"size {n} (expected 0 <= index < {n})")
        if src is not None and src.dtype != self.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        return d, idx

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None,
                reduce: str | None = None) -> "Tensor":
        """A copy of self with ``src[i][j]`` (or ``value``) written at ``index`` along ``dim``:
        for ``dim=1``, ``out[i][index[i][j]] = src[i][j]``. With ``reduce='add'`` or
        ``'multiply'`` the values are added or multiplied in instead (no gradient, as
        PyTorch's). ``index`` may be smaller than self and ``src``. Out of place.

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).scatter(1, ag.tensor([[1], [2]]), value=9.0)
        tensor([[0., 9., 0.],
                [0., 0., 9.]])
        >>> ag.ones(3).scatter(0, ag.tensor([0, 0]), ag.tensor([2.0, 3.0]), reduce="add")
        tensor([6., 1., 1.])
        """
        if src is not None and value is not None:
            raise TypeError("scatter(): give either src or value, not both")
        if src is None and value is None:
            raise TypeError("scatter(): expected src (a tensor) or value (a number)")
        if src is not None and not isinstance(src, _f.Tensor):
            value, src = src, None
        if reduce is not None and reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        x = self if self.ndim else self.reshape(1)
        if src is not None and not src.ndim:
            src = src.reshape(1)
        index = index if not isinstance(index, _f.Tensor) or index.ndim else index.reshape(1)
        d, idx = x._scatter_args(dim, index, src, "scatter")
        if reduce is not None:
            part = (src._data[tuple(slice(0, s) for s in idx.shape)] if src is not None
                    else np.full(idx.shape, value, dtype=self.dtype))
            out = IX.ScatterReduceNoGrad.apply(x, _f.make(np.ascontiguousarray(part)), dim=d,
                                               index=idx,
                                               reduce="sum" if reduce == "add" else "prod")
        elif src is None:
            mask = np.zeros(x.shape, dtype=bool)
            mask[IX.along_dim_index(idx, d)] = True
            out = where(mask, _f.make(np.asarray(value, dtype=self.dtype)), x)
        else:
            out = IX.Scatter.apply(x, src, dim=d, index=idx)
        return out if self.ndim else out.reshape(())

    def scatter_add(self, dim: int, index: Any, src: "Tensor") -> "Tensor":
        """A copy of self with every ``src[i][j]`` added at ``index`` along ``dim`` (repeats add
        up); ``index`` may be smaller than self and ``src``.

        >>> import autograd_core as ag
        >>> ag.zeros(3).scatter_add(0, ag.tensor([0, 2, 0]), ag.tensor([1.0, 2.0, 3.0]))
        tensor([4., 0., 2.])
        """
        return self._scatter_reduce(dim, index, _require_tensor(src, "scatter_add", "src"), "sum",
                                    True, "scatter_add")

    def scatter_reduce(self, dim: int, index: Any, src: "Tensor", reduce: str, *,
                       include_self: bool = True) -> "Tensor":
        """A copy of self with each ``src[i][j]`` reduced into ``out[i][index[i][j]]`` (for
        ``dim=1``) by ``reduce``: ``'sum'``, ``'prod'``, ``'mean'``, ``'amax'`` or ``'amin'``.
        Without ``include_self`` the old values at the places written take no part. An
        integer mean rounds down. Gradients as PyTorch's (amax/amin share among ties).

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0, 3.0])
        >>> x.scatter_reduce(0, ag.tensor([0, 0, 2]), ag.tensor([5.0, 7.0, 1.0]), "amax")
        tensor([7., 2., 3.])
        >>> x.scatter_reduce(0, ag.tensor([0, 0]), ag.tensor([5.0, 7.0]), "mean",
        ...                  include_self=False)
        tensor([6., 2., 3.])
        """
        return self._scatter_reduce(dim, index, _require_tensor(src, "scatter_reduce", "src"),
                                    reduce, include_self, "scatter_reduce")

    def _scatter_reduce(self, dim: int, index: Any, src: "Tensor", reduce: str,
                        include_self: bool, name: str) -> "Tensor":
        if reduce not in ("sum", "prod", "mean", "amax", "amin"):
            raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, "
                               f"got {reduce}")
        x = self if self.ndim else self.reshape(1)
        s = src if src.ndim else src.reshape(1)
        index = index if not isinstance(index, _f.Tensor) or index.ndim else index.reshape(1)
        d, idx = x._scatter_args(dim, index, s, name)
        if idx.shape != s.shape:  # only the part of src that index covers takes part
            s = s[tuple(slice(0, n) for n in idx.shape)]
        out = IX.ScatterReduce.apply(x, s, dim=d, index=idx, reduce=reduce,
                                     include_self=bool(include_self))
        return out if self.ndim else out.reshape(())

    def take(self, index: "Tensor") -> "Tensor":
        """The elements of the flattened self at ``index`` (int64, any shape, negative ones
        counting from the end): a tensor of ``index``'s shape.

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2], [3, 4]]).take(ag.tensor([[0, -1]]))
        tensor([[1, 4]])
        """
        idx = _require_tensor(index, "take", "index")._data
        if idx.dtype != np.int64:
            raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                               f"{scalar_type_name(idx.dtype)}")
        n = self._data.size
        if idx.size and (idx.min() < -n or idx.max() >= n):
            bad = idx[(idx < -n) | (idx >= n)].flat[0]
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                             "elements.")
        return IX.Index.apply(self.reshape(-1), index=idx % max(n, 1))

    def index_copy(self, dim: int, index: "Tensor", source: "Tensor") -> "Tensor":
        """A copy of self with the slices of ``source`` written at ``index`` along ``dim``.

        >>> import autograd_core as ag
        >>> ag.zeros(3, 2).index_copy(0, ag.tensor([2, 0]), ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([[3., 4.],
                [0., 0.],
                [1., 2.]])
        """
        source = _require_tensor(source, "index_copy", "source")
        d = _check_dim(self, dim, "index_copy")
        idx = _require_tensor(index, "index_copy", "index")._data
        if idx.dtype != np.int64:
            raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                               f"{scalar_type_name(idx.dtype)}")
        if idx.ndim > 1:
            raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
        idx = idx.reshape(-1)
        x = self if self.ndim else self.reshape(1)
        src = source if source.ndim else source.reshape(1)
        if src.ndim != x.ndim or len(idx) != src.shape[d]:
            raise IndexError(f"index_copy_(): Number of indices ({len(idx)}) should be equal to "
                             f"source.size(dim) ({src.shape[d] if d < src.ndim else 1})")
        if source.dtype != self.dtype:
            raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                               f"but got (self) {scalar_type_name(self.dtype)} and (source) "
                               f"{scalar_type_name(source.dtype)}")
        n = x.shape[d]
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            bad = idx[(idx < 0) | (idx >= n)][0]
            raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {d} "
                             f"with size {n}")
        if src.shape[:d] + src.shape[d + 1:] != x.shape[:d] + x.shape[d + 1:]:
            raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice "
                               f"shapes. Destination slice shape: {list(x.shape[:d] + x.shape[d + 1:])} "
                               f"and source slice shape: {list(src.shape[:d] + src.shape[d + 1:])}")
        out = IX.IndexPut.apply(x, src, index=(slice(None),) * d + (idx,))
        return out if self.ndim else out.reshape(())

    def index_copy_(self, dim: int, index: "Tensor", source: "Tensor") -> "Tensor":
        """``index_copy`` written into self (in place).

        >>> import autograd_core as ag
        >>> ag.zeros(3).index_copy_(0, ag.tensor([1]), ag.tensor([5.0]))
        tensor([0., 5., 0.])
        """
        return self._inplace("index_copy_", lambda s: s.index_copy(dim, index, source), source)

    def _put_index(self, indices: Any) -> tuple:
        """``index_put``'s tuple of index tensors as a NumPy index, checked as PyTorch."""
        if is_tensor(indices):
            indices = (indices,)
        arrays = []
        for t in indices:
            a = t._data if is_tensor(t) else np.asarray(t)
            if a.dtype == np.uint8:
                a = a.astype(bool)
            if a.dtype != np.bool_ and a.dtype.kind not in "iu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            arrays.append(a)
        if not arrays:
            raise RuntimeError("index_put: expected at least one index tensor")
        taken = sum(a.ndim if a.dtype == np.bool_ else 1 for a in arrays)
        if taken > self.ndim:
            raise IndexError(f"too many indices for tensor of dimension {self.ndim} (got {taken})")
        k = 0
        for a in arrays:
            if a.dtype == np.bool_:
                if a.shape != self.shape[k:k + a.ndim]:
                    raise IndexError(f"The shape of the mask {list(a.shape)} at index {k} does "
                                     f"not match the shape of the indexed tensor "
                                     f"{list(self.shape)} at index {k}")
                k += a.ndim
                continue
            n = self.shape[k]
            if a.size and (a.min() < -n or a.max() >= n):
                bad = a[(a < -n) | (a >= n)].flat[0]
                raise IndexError(f"index {bad} is out of bounds for dimension {k} with size {n}")
            k += 1
        return tuple(arrays)

    def index_put(self, indices: Any, values: "Tensor", accumulate: bool = False) -> "Tensor":
        """A copy of self with ``values`` (broadcast) written at ``self[indices]``, ``indices``
        a tuple of int or bool tensors; with ``accumulate`` added there instead (repeated
        positions adding up).

        >>> import autograd_core as ag
        >>> i = ag.tensor([0, 0, 2])
        >>> ag.zeros(3).index_put((i,), ag.tensor(1.0), accumulate=True)
        tensor([2., 0., 1.])
        """
        values = _require_tensor(values, "index_put", "values")
        idx = self._put_index(indices)
        if values.dtype != self.dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{scalar_type_name(self.dtype)} for the destination and "
                               f"{scalar_type_name(values.dtype)} for the source.")
        shape = np.zeros(self.shape, dtype=bool)[idx].shape
        try:
            target = np.broadcast_shapes(values.shape, shape)
        except ValueError:
            target = None
        if target != shape:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} cannot "
                               f"be broadcast to indexing result of shape {list(shape)}")
        if accumulate:
            v = values if values.shape == shape else values.expand(shape)
            return self + IX.IndexAdd.apply(v, index=idx, shape=self.shape)
        return IX.IndexPut.apply(self, values, index=idx)

    def index_put_(self, indices: Any, values: "Tensor", accumulate: bool = False) -> "Tensor":
        """``index_put`` written into self (in place).

        >>> import autograd_core as ag
        >>> ag.zeros(2, 2).index_put_((ag.tensor([1]), ag.tensor([0])), ag.tensor(7.0))
        tensor([[0., 0.],
                [7., 0.]])
        """
        return self._inplace("index_put_", lambda s: s.index_put(indices, values, accumulate),
                             values)

    def _masked_scatter_args(self, mask: Any, source: "Tensor", name: str) -> np.ndarray:
        _require_tensor(source, name, "source")
        m = mask._data if is_tensor(mask) else np.asarray(mask)
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                               f"dtype {scalar_type_name(m.dtype)}")
        if source.dtype != self.dtype:
            raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                               f"got{scalar_type_name(self.dtype)} and "
                               f"{scalar_type_name(source.dtype)}")
        return m

    def masked_scatter(self, mask: Any, source: "Tensor") -> "Tensor":
        """A copy of self (broadcast with ``mask``) with the first elements of ``source``, in
        order, written where ``mask`` is True.

        >>> import autograd_core as ag
        >>> ag.zeros(4).masked_scatter(ag.tensor([True, False, True, False]),
        ...                            ag.tensor([1.0, 2.0, 3.0]))
        tensor([1., 0., 2., 0.])
        """
        m = self._masked_scatter_args(mask, source, "masked_scatter")
        try:
            shape = tuple(np.broadcast_shapes(self.shape, m.shape))
        except ValueError:
            raise RuntimeError(f"masked_scatter: mask of shape {list(m.shape)} cannot be "
                               f"broadcast with self of shape {list(self.shape)}") from None
        x = self if self.shape == shape else self.expand(shape)
        m = np.broadcast_to(m, shape)
        count = int(m.sum())
        if count > source.numel():
            raise RuntimeError("Number of elements of source < number of ones in mask")
        if not shape:
            x, m = x.reshape(1), m.reshape(1)
        out = IX.IndexPut.apply(x, source.reshape(-1)[:count], index=np.ascontiguousarray(m))
        return out.reshape(shape)

    def masked_scatter_(self, mask: Any, source: "Tensor") -> "Tensor":
        """``masked_scatter`` written into self (in place); ``mask`` broadcasts to self.

        >>> import autograd_core as ag
        >>> ag.zeros(2).masked_scatter_(ag.tensor([False, True]), ag.tensor([5.0]))
        tensor([0., 5.])
        """
        m = self._masked_scatter_args(mask, source, "masked_scatter_")
        try:
            ok = tuple(np.broadcast_shapes(self.shape, m.shape)) == self.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"masked_scatter_: mask of shape {list(m.shape)} cannot be "
                               f"broadcast to self's shape {list(self.shape)}")
        return self._inplace("masked_scatter_", lambda s: s.masked_scatter(mask, source), source)

    def _check_scatter_src(self, src: "Tensor", part: tuple) -> None:
        if tuple(src.shape) != tuple(part):
            raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                               f"= {list(src.shape)}, slice size = {list(part)}")

    def diagonal_scatter(self, src: "Tensor", offset: int = 0, dim1: int = 0,
                         dim2: int = 1) -> "Tensor":
        """A copy of self with ``src`` written on the diagonal ``diagonal(offset, dim1, dim2)``.

        >>> import autograd_core as ag
        >>> ag.zeros(2, 2).diagonal_scatter(ag.tensor([1.0, 2.0]))
        tensor([[1., 0.],
                [0., 2.]])
        """
        src = _require_tensor(src, "diagonal_scatter", "src")
        part = self.diagonal(offset, dim1, dim2)
        self._check_scatter_src(src, part.shape)
        d1, d2 = _check_dim(self, dim1, "diagonal"), _check_dim(self, dim2, "diagonal")
        args = (int(offset), d1, d2)
        mask = np.zeros(self.shape, dtype=bool)
        MV.diagonal_view(mask, *args)[...] = True
        placed = MV.DiagonalScatter.apply(src.to(self.dtype), shape=self.shape, args=args)
        return where(mask, placed, self)

    def select_scatter(self, src: "Tensor", dim: int, index: int) -> "Tensor":
        """A copy of self with ``src`` written at ``select(dim, index)``.

        >>> import autograd_core as ag
        >>> ag.zeros(2, 2).select_scatter(ag.tensor([1.0, 2.0]), 0, -1)
        tensor([[0., 0.],
                [1., 2.]])
        """
        src = _require_tensor(src, "select_scatter", "src")
        part = self.select(dim, index)
        self._check_scatter_src(src, part.shape)
        d = _check_dim(self, dim, "select_scatter")
        return IX.IndexPut.apply(self, src.to(self.dtype), index=(slice(None),) * d + (int(index),))

    def slice_scatter(self, src: "Tensor", dim: int = 0, start: int | None = None,
                      end: int | None = None, step: int = 1) -> "Tensor":
        """A copy of self with ``src`` written at the slice ``start:end:step`` of ``dim``.

        >>> import autograd_core as ag
        >>> ag.zeros(4).slice_scatter(ag.tensor([1.0, 2.0]), start=0, step=2)
        tensor([1., 0., 2., 0.])
        """
        src = _require_tensor(src, "slice_scatter", "src")
        if step <= 0:
            raise RuntimeError("slice step must be positive")
        d = _check_dim(self, dim, "slice_scatter")
        index = (slice(None),) * d + (slice(start, end, step),)
        part = np.zeros(self.shape, dtype=bool)[index].shape
        self._check_scatter_src(src, part)
        return IX.IndexPut.apply(self, src.to(self.dtype), index=index)

    def is_nonzero(self) -> bool:
        """Whether the one element of self is not zero (more or fewer elements: an error).

        >>> import autograd_core as ag
        >>> ag.tensor([0.5]).is_nonzero()
        True
        """
        n = self._data.size
        if n == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if n > 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))


def _basic_tuple(index: tuple, shape: tuple) -> tuple | None:
    """``index`` as a tuple of ints in range of ``shape`` (0-d integer tensors read as ints,
    as PyTorch applies them) and slices of a positive step (their bounds read as ints), or
    None when it holds anything else."""
    items = []
    for i, n in zip(index, shape):
        kind = type(i)
        if kind is slice:
            start, stop, step = i.indices(n)
            if step <= 0:
                return None
            i = slice(start, stop, step)
        else:
            if kind is _f.Tensor and i._data.ndim == 0 and i._data.dtype.kind in "iu":
                i = int(i._data)
            elif kind is not int:
                return None
            if not -n <= i < n:
                return None
        items.append(i)
    return tuple(items)
