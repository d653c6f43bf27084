"""Reducing Tensor methods: sums, means, variances, products, extremes and their
indices, softmax and logsumexp, cumulative sums, sorting, median, quantiles, norms; and the
``var_mean``/``std_mean`` functions.

Longer than 600 lines on purpose: one concept (every reducing method of Tensor, each a
few lines plus its runnable example), kept in one place.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..autograd.function import is_tensor
from .args import (ValuesIndices, _check_dim, _check_dim_of_nd, _dims, _is_float,
                   _require_tensor, _size, numpy_names)
from .dtypes import scalar_type_name
from ..ops import index as IX
from ..ops import reduce as RD
from .pointwise import where

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


class ReduceMixin:
    """Reducing Tensor methods: sums, means, variances, products, extremes and their"""

    __slots__ = ()

    def all(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        """True where every element over ``dim`` (an int, a tuple, or None for all) is
        non-zero.

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 0], [2, 3]]).all(axis=1)
        tensor([False,  True])
        """
        dim, keepdim = _dims(self, dim, keepdim)
        return _f.make(np.asarray(self._data.all(axis=dim, keepdims=keepdim)))

    def any(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        """True where some element over ``dim`` (an int, a tuple, or None for all) is
        non-zero.

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 0], [0, 0]]).any(1, keepdim=True)
        tensor([[ True],
                [False]])
        """
        dim, keepdim = _dims(self, dim, keepdim)
        return _f.make(np.asarray(self._data.any(axis=dim, keepdims=keepdim)))

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> "Tensor":
        """The sum over ``dim`` (an int, a tuple, or None for all); bools and integers sum
        in int64 (or ``dtype``).

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2], [3, 4]]).sum(1), ag.tensor([True, True]).sum()
        (tensor([3, 7]), tensor(2))
        """
        dim, keepdim = _dims(self, dim, keepdim)
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind in "biu" and x._data.dtype != np.int64 and dtype is None:
            x = x.long()  # PyTorch sums bools and integers in int64
        return RD.Sum.apply(x, dim=dim, keepdim=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> "Tensor":
        """The mean over ``dim`` (an int, a tuple, or None for all), of a float tensor (or
        of this one cast to ``dtype``).

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 2.0], [3.0, 5.0]]).mean(1)
        tensor([1.5000, 4.0000])
        """
        dim, keepdim = _dims(self, dim, keepdim)
        x = self if dtype is None else self.to(dtype)
        if not _is_float(x._data.dtype):
            raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be "
                               f"floating point, got {x._data.dtype}")
        return RD.Mean.apply(x, dim=dim, keepdim=keepdim)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> "Tensor":
        """Variance; unbiased (``correction=1``) by default, as PyTorch.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0, 3.0, 4.0]).var(correction=0)
        tensor(1.2500)
        """
        return RD.Var.apply(self, **_moment_args(self, dim, unbiased, keepdim, correction))

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> "Tensor":
        """Standard deviation; unbiased (``correction=1``) by default, as PyTorch. Where it
        is 0 (a constant input) its gradient is 0, as PyTorch's (not sqrt's inf times 0).

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 3.0]]).std(axis=1, unbiased=False)
        tensor([1.])
        """
        return RD.Std.apply(self, **_moment_args(self, dim, unbiased, keepdim, correction))

    def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None
             ) -> "Tensor":
        """The product over ``dim`` (or of all elements); bools and integers multiply in
        int64 (or ``dtype``). The gradient is right at zeros too.

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2], [3, 4]]).prod(1), ag.tensor(3.0).prod(0)
        (tensor([ 2, 12]), tensor(3.))
        """
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind in "biu" and x._data.dtype != np.int64 and dtype is None:
            x = x.long()
        if dim is not None:
            dim = _check_dim(x, dim, "prod")
            if x.ndim == 0:
                return x.clone()
        return RD.Prod.apply(x, dim=dim, keepdim=keepdim)

    def _extreme(self, dim: Any, keepdim: bool, largest: bool, name: str) -> Any:
        if dim is None:
            return RD.MaxAll.apply(self, largest=largest)
        if is_tensor(dim):  # torch.max(a, b): elementwise
            return self.maximum(dim) if largest else self.minimum(dim)
        dim = _check_dim(self, dim, name)
        if self.ndim == 0:
            return ValuesIndices(self.clone(), _f.make(np.zeros((), np.int64)))
        a = self._data
        idx = (a.argmax if largest else a.argmin)(axis=dim, keepdims=True)
        values = (RD.Max if largest else RD.Min).apply(self, dim=dim, keepdim=keepdim, index=idx)
        if not keepdim:
            idx = idx.squeeze(dim)
        return ValuesIndices(values, _f.make(idx.astype(np.int64)))   # a copy: the node keeps idx

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The largest element, or with ``dim`` a named tuple ``(values, indices)``, or with
        a tensor the elementwise maximum.

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 5.0], [7.0, 2.0]]).max(axis=1)
        ValuesIndices(values=tensor([5., 7.]), indices=tensor([1, 0]))
        """
        return self._extreme(dim, keepdim, True, "max")

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The smallest element, or with ``dim`` a named tuple ``(values, indices)``, or with
        a tensor the elementwise minimum.

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 5.0], [7.0, 2.0]]).min(1).indices
        tensor([0, 1])
        """
        return self._extreme(dim, keepdim, False, "min")

    def amax(self, dim: Any = (), keepdim: bool = False) -> "Tensor":
        """The largest elements over ``dim`` (an int, a tuple; ``()`` or None for all); ties
        share the gradient evenly, as PyTorch's.

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 5.0], [7.0, 2.0]]).amax(1)
        tensor([5., 7.])
        """
        dim, keepdim = _dims(self, dim, keepdim)
        return RD.Amax.apply(self, dim=dim, keepdim=keepdim, largest=True)

    def amin(self, dim: Any = (), keepdim: bool = False) -> "Tensor":
        """The smallest elements over ``dim`` (``()`` or None for all); ties share the
        gradient evenly.

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 5.0], [7.0, 2.0]]).amin(0)
        tensor([1., 2.])
        """
        dim, keepdim = _dims(self, dim, keepdim)
        return RD.Amax.apply(self, dim=dim, keepdim=keepdim, largest=False)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        """The index of the largest element (of the flattened tensor, or along ``dim``).

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(axis=0)
        tensor([1, 0])
        """
        return self._arg_extreme(dim, keepdim, np.argmax, "argmax")

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        """The index of the smallest element (of the flattened tensor, or along ``dim``).

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 5.0], [7.0, 2.0]]).argmin(1, keepdim=True)
        tensor([[0],
                [1]])
        """
        return self._arg_extreme(dim, keepdim, np.argmin, "argmin")

    def _arg_extreme(self, dim: Any, keepdim: bool, fn: Any, name: str) -> "Tensor":
        if dim is None:
            idx = np.asarray(fn(self._data), dtype=np.int64)
            return _f.make(idx.reshape((1,) * self.ndim) if keepdim else idx)
        dim = _check_dim(self, dim, name)
        if self.ndim == 0:
            return _f.make(np.zeros((), np.int64))
        return _f.make(fn(self._data, axis=dim, keepdims=keepdim).astype(np.int64))

    def logsumexp(self, dim: Any = (), keepdim: bool = False) -> "Tensor":
        """``log(sum(exp(x)))`` over ``dim`` (an int or a tuple; ``()`` for all), without
        overflow.

        >>> import autograd_core as ag
        >>> ag.tensor([[0.0, 0.0], [-1e4, -1e4]]).logsumexp(1)
        tensor([ 6.9315e-01, -9.9993e+03])
        """
        dim, _ = _dims(self, dim, keepdim)
        x = self if _is_float(self._data.dtype) else self._floating()
        return RD.LogSumExp.apply(x, dim=dim, keepdim=keepdim)

    def softmax(self, dim: int, dtype: Any = None) -> "Tensor":
        """``exp(x) / sum(exp(x))`` along ``dim`` (computed in ``dtype`` if given).

        >>> import autograd_core as ag
        >>> ag.tensor([[0.0, 0.0]]).softmax(axis=-1)
        tensor([[0.5000, 0.5000]])
        """
        return self._along_dim(RD.Softmax, dim, dtype, "softmax")

    def log_softmax(self, dim: int, dtype: Any = None) -> "Tensor":
        """``log(softmax(x))`` along ``dim``, without overflow (in ``dtype`` if given).

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 0.0]).log_softmax(0)
        tensor([-0.6931, -0.6931])
        """
        return self._along_dim(RD.LogSoftmax, dim, dtype, "log_softmax")

    def _along_dim(self, Op: type, dim: int, dtype: Any, name: str) -> "Tensor":
        d = _check_dim(self, dim, name)
        x = self if dtype is None else self.to(dtype)
        if not _is_float(x._data.dtype):
            raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                      f"'{scalar_type_name(x._data.dtype)}'")
        if x.ndim == 0:
            return Op.apply(x.reshape(1), dim=0).reshape(())
        return Op.apply(x, dim=d)

    def sum_to_size(self, *size: Any) -> "Tensor":
        """Sum broadcast dimensions away so that the result has shape ``size``."""
        shape = _size(size)
        if shape == self._data.shape:
            return self
        try:
            if np.broadcast_shapes(shape, self._data.shape) != self._data.shape:
                raise ValueError
        except ValueError:
            raise RuntimeError(f"sum_to_size: size {shape} is not expandable to {self.shape}") from None
        return RD.SumToSize.apply(self, shape=shape)

    def count_nonzero(self, dim: Any = None) -> "Tensor":
        """How many elements are non-zero, over ``dim`` (an int, a tuple, or None for all).

        >>> import autograd_core as ag
        >>> ag.tensor([[0, 1, 2], [3, 0, 0]]).count_nonzero(dim=1)
        tensor([2, 1])
        """
        if dim is not None:
            dims = dim if isinstance(dim, (tuple, list)) else (dim,)
            dim = tuple(_check_dim(self, k, "count_nonzero") for k in dims)
            if self.ndim == 0:
                dim = None
        return _f.make(np.asarray(np.count_nonzero(self._data, axis=dim), dtype=np.int64))

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The median (the lower of the two middle values for an even count; NaN if any);
        with ``dim``, a named tuple ``(values, indices)``. The gradient flows to the
        chosen element.

        >>> import autograd_core as ag
        >>> ag.tensor([4.0, 1.0, 3.0, 2.0]).median()
        tensor(2.)
        >>> ag.tensor([[3.0, 1.0, 2.0]]).median(dim=1)
        ValuesIndices(values=tensor([2.]), indices=tensor([2]))
        """
        if dim is None and self._data.size == 0 and self._data.dtype.kind != "f":
            raise RuntimeError("median: cannot take the median of an empty integer tensor")
        return median_by(self, dim, keepdim, _median_index, "median",
                         lambda d: f"median: dim {d} of shape {self.shape} is empty")

    def quantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                 interpolation: str = "linear", out: "Tensor | None" = None) -> "Tensor":
        """The ``q``-th quantiles along ``dim`` (of every element when None), as PyTorch's:
        ``q`` a float or a 0-d or 1-d tensor of this dtype in [0, 1] (1-d: the result gets
        a leading dim of its length); ``interpolation`` ``'linear'``, ``'lower'``,
        ``'higher'``, ``'midpoint'`` or ``'nearest'`` (rounding half to even) between the
        order statistics around rank ``q * (n - 1)``. A NaN makes its slice's quantile NaN
        (see ``nanquantile``). The gradient flows to the one or two order statistics used
        (none to ``q``: a tensor ``q`` is taken as a constant, where PyTorch would also
        differentiate the linear interpolation's weight).

        >>> import autograd_core as ag
        >>> x = ag.tensor([[0.0, 1.0, 2.0, 3.0], [4.0, 8.0, 5.0, 6.0]])
        >>> x.quantile(0.5, dim=1)
        tensor([1.5000, 5.5000])
        >>> x.quantile(ag.tensor([0.25, 1.0]), dim=1, interpolation="lower")
        tensor([[0., 4.],
                [3., 8.]])
        """
        return _quantile(self, q, dim, keepdim, interpolation, out, False, "quantile")

    def nanquantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                    interpolation: str = "linear", out: "Tensor | None" = None) -> "Tensor":
        """``quantile`` of the values that are not NaN (NaN where a slice has none).

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("nan"), 3.0, 2.0]).nanquantile(0.5)
        tensor(2.)
        """
        return _quantile(self, q, dim, keepdim, interpolation, out, True, "nanquantile")

    def cummax(self, dim: int) -> Any:
        """The running maximum along ``dim`` and where it was taken, a named tuple
        ``(values, indices)``: at a tie the later index, from a NaN on NaN (as PyTorch's).
        The gradient flows to the element each value came from.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 3.0, 2.0, 3.0]).cummax(0)
        ValuesIndices(values=tensor([1., 3., 3., 3.]), indices=tensor([0, 1, 1, 3]))
        """
        return self._cumulative_extreme(dim, True, "cummax")

    def cummin(self, dim: int) -> Any:
        """The running minimum along ``dim`` and where it was taken (see ``cummax``).

        >>> import autograd_core as ag
        >>> ag.tensor([3, 1, 2, 0]).cummin(0)
        ValuesIndices(values=tensor([3, 1, 1, 0]), indices=tensor([0, 1, 1, 3]))
        """
        return self._cumulative_extreme(dim, False, "cummin")

    def _cumulative_extreme(self, dim: int, largest: bool, name: str) -> Any:
        d = _check_dim(self, dim, name)
        if self.ndim == 0:
            return ValuesIndices(self.clone(), _f.make(np.zeros((), np.int64)))
        idx = RD.cumulative_extreme_index(self._data, d, largest)
        return ValuesIndices(IX.Gather.apply(self, dim=d, index=idx), _f.make(idx))

    def logcumsumexp(self, dim: int) -> "Tensor":
        """``log(cumsum(exp(x)))`` along ``dim``, without overflow (floats only).

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 0.0, 1000.0]).logcumsumexp(0)
        tensor([0.0000e+00, 6.9315e-01, 1.0000e+03])
        """
        d = _check_dim(self, dim, "logcumsumexp")
        if not _is_float(self._data.dtype):
            raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for '
                                      f"'{scalar_type_name(self._data.dtype)}'")
        if self.ndim == 0:
            return self.clone()
        return RD.LogCumSumExp.apply(self, dim=d)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """The ``k``-th smallest element along ``dim`` and its index, a named tuple
        ``(values, indices)``; among equal values the later index. The gradient flows to
        the chosen element.

        >>> import autograd_core as ag
        >>> ag.tensor([[3.0, 1.0, 2.0]]).kthvalue(2, dim=1)
        ValuesIndices(values=tensor([2.]), indices=tensor([2]))
        """
        d = _check_dim(self, dim, "kthvalue")
        x = self if self.ndim else self.reshape(1)
        n = x.shape[d]
        if not 1 <= k <= n:
            raise IndexError(f"kthvalue(): selected number k out of range for dimension {d}")
        order = np.argsort(x._data, axis=d, kind="stable")
        return self._picked(x, d, np.take(order, [k - 1], axis=d), keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        """The most frequent value along ``dim`` (the smallest of equally frequent ones) and
        the index of its last occurrence, a named tuple ``(values, indices)``, as PyTorch's.

        >>> import autograd_core as ag
        >>> ag.tensor([[3.0, 1.0, 3.0, 2.0, 1.0]]).mode(1)
        ValuesIndices(values=tensor([1.]), indices=tensor([4]))
        """
        d = _check_dim(self, dim, "mode")
        x = self if self.ndim else self.reshape(1)
        a = np.moveaxis(x._data, d, -1)
        n = a.shape[-1]
        if n == 0:
            raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
        flat = a.reshape(-1, n)
        best = np.empty(flat.shape[0], np.int64)
        for r, row in enumerate(flat):
            values, counts = np.unique(row, return_counts=True)  # sorted: ties go to the smallest
            v = values[np.argmax(counts)]
            best[r] = n - 1 - np.argmax((row == v)[::-1])  # its last occurrence
        idx = np.expand_dims(np.moveaxis(best.reshape(a.shape[:-1] + (1,)), -1, d).squeeze(d), d)
        return self._picked(x, d, idx, keepdim)

    def _picked(self, x: "Tensor", d: int, idx: np.ndarray, keepdim: bool) -> Any:
        """``(values, indices)`` of the elements of ``x`` at ``idx`` (keepdim shape) along
        ``d``, shaped as a reduction of this tensor over ``d``."""
        values = IX.Gather.apply(x, dim=d, index=np.ascontiguousarray(idx))
        if not self.ndim:
            return ValuesIndices(values.reshape(()), _f.make(idx.reshape(()).astype(np.int64)))
        if not keepdim:
            values, idx = values.squeeze(d), np.squeeze(idx, axis=d)
        return ValuesIndices(values, _f.make(idx.astype(np.int64)))

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> "Tensor":
        """The sum over ``dim`` with NaNs taken as zero (which get zero gradient).

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("nan"), 2.0]).nansum()
        tensor(3.)
        """
        return self._nan_as_zero().sum(dim, keepdim, dtype=dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> "Tensor":
        """The mean over ``dim`` of the elements that are not NaN.

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, float("nan"), 2.0]]).nanmean(1)
        tensor([1.5000])
        """
        x = self if dtype is None else self.to(dtype)
        if not _is_float(x._data.dtype):
            raise RuntimeError(f"nanmean(): expected input to have floating point dtype but got "
                               f"{scalar_type_name(x._data.dtype)}")
        count = (~np.isnan(x._data)).sum(axis=_dims(x, dim, keepdim)[0], keepdims=keepdim)
        return x.nansum(dim, keepdim) / _f.make(np.asarray(count, x._data.dtype))

    def _nan_as_zero(self) -> "Tensor":
        nan = np.isnan(self._data) if _is_float(self._data.dtype) else None
        if nan is None or not nan.any():
            return self
        return where(nan, _f.make(np.zeros((), self._data.dtype)), self)

    def aminmax(self, *, dim: Any = None, keepdim: bool = False) -> Any:
        """``(min, max)`` over ``dim`` (or all elements), a named tuple; gradients as
        ``amin`` and ``amax``.

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 2.0], [0.0, 5.0]]).aminmax(dim=0)
        MinMax(min=tensor([0., 2.]), max=tensor([1., 5.]))
        """
        if dim is not None:
            _check_dim(self, dim, "aminmax")
        return MinMax(self.amin(dim, keepdim), self.amax(dim, keepdim))

    def cumsum(self, dim: int, *, dtype: Any = None) -> "Tensor":
        """Running sums along ``dim`` (integers and bools sum in int64, as PyTorch).

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2, 3]]).cumsum(-1)
        tensor([[1, 3, 6]])
        """
        return self._scan(RD.CumSum, dim, dtype, "cumsum")

    def cumprod(self, dim: int, *, dtype: Any = None) -> "Tensor":
        """Running products along ``dim``; the gradient is right at zeros too.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0, 0.0, 4.0]).cumprod(0)
        tensor([1., 2., 0., 0.])
        """
        return self._scan(RD.CumProd, dim, dtype, "cumprod")

    def _scan(self, Op: type, dim: int, dtype: Any, name: str) -> "Tensor":
        d = _check_dim(self, dim, name)
        x = self if dtype is None else self.to(dtype)
        if not _is_float(x._data.dtype) and x._data.dtype != np.int64:
            x = x.long()
        if x.ndim == 0:
            return x.clone()
        return Op.apply(x, dim=d)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """``(values, indices)`` sorted along ``dim``; ties keep their order; NaN sorts as largest.

        >>> import autograd_core as ag
        >>> ag.tensor([3.0, 1.0, 2.0]).sort(descending=True)
        ValuesIndices(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))
        """
        idx = self._argsort(dim, descending, "sort")
        if self.ndim == 0:
            return ValuesIndices(self[...], _f.make(idx))
        d = _check_dim(self, dim, "sort")
        if not self._requires_grad:   # nothing to record: the values by NumPy directly
            a = self._data
            values = a[idx] if a.ndim == 1 else np.take_along_axis(a, idx, d)
            return ValuesIndices(_f.make(values), _f.make(idx))
        return ValuesIndices(IX.Gather.apply(self, dim=d, index=idx), _f.make(idx))

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> "Tensor":
        """The indices that sort along ``dim`` (int64).

        >>> import autograd_core as ag
        >>> ag.tensor([3.0, 1.0, 2.0]).argsort()
        tensor([1, 2, 0])
        """
        return _f.make(self._argsort(dim, descending, "argsort"))

    def _argsort(self, dim: int, descending: bool, name: str) -> np.ndarray:
        d = _check_dim(self, dim, name)
        a = self._data
        if a.ndim == 0:
            return np.zeros((), np.int64)
        if not descending:
            return np.argsort(a, axis=d, kind="stable").astype(np.int64, copy=False)
        # descending and stable: sort the reversed array ascending, read it backwards
        n = a.shape[d]
        rev = np.flip(np.argsort(np.flip(a, d), axis=d, kind="stable"), d)
        return (n - 1 - rev).astype(np.int64)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        """The ``k`` largest (or smallest) entries along ``dim`` as ``(values, indices)``.

        >>> import autograd_core as ag
        >>> v, i = ag.tensor([1.0, 5.0, 3.0, 4.0]).topk(2)
        >>> v, i
        (tensor([5., 4.]), tensor([1, 3]))
        """
        d = _check_dim(self, dim, "topk")
        n = self.shape[d] if self.ndim else 1
        if not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
            raise RuntimeError(f"topk: k ({k}) must be in [0, {n}] (dim {d}'s size for shape "
                             f"{self.shape})")
        idx = self._argsort(d, largest, "topk")
        if self.ndim == 0:
            return ValuesIndices(self[...], _f.make(idx))
        idx = np.ascontiguousarray(np.take(idx, np.arange(k), axis=d))
        return ValuesIndices(IX.Gather.apply(self, dim=d, index=idx), _f.make(idx))

    def unique(self, sorted: bool = True, return_inverse: bool = False,
               return_counts: bool = False, dim: int | None = None) -> Any:
        """The distinct values (sorted), with the inverse indices and counts if asked.
        Not differentiable, as PyTorch.

        >>> import autograd_core as ag
        >>> ag.tensor([3, 1, 3, 2]).unique(return_counts=True)
        (tensor([1, 2, 3]), tensor([1, 1, 2]))
        """
        if dim is not None:
            dim = _check_dim_of_nd(self, dim, "unique")
        # only what is asked: the inverse and the counts cost NumPy five times the values
        res = np.unique(self._data, return_inverse=return_inverse,
                        return_counts=return_counts, axis=dim)
        if not (return_inverse or return_counts):
            return _f.make(res)
        values, *extra = res
        out = [_f.make(values)]
        if return_inverse:
            shape = self.shape if dim is None else (self.shape[dim],)
            out.append(_f.make(extra.pop(0).reshape(shape).astype(np.int64)))
        if return_counts:
            out.append(_f.make(extra[0].astype(np.int64)))
        return tuple(out)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False,
             dtype: Any = None) -> "Tensor":
        """The ``p``-norm over ``dim`` (all elements when None): ``'fro'`` (2-norm), a number,
        or ``inf``/``-inf``. At a zero vector the gradient is zero, as PyTorch.

        >>> import autograd_core as ag
        >>> ag.tensor([[3.0, 4.0], [0.0, 1.0]]).norm(dim=1)
        tensor([5., 1.])
        """
        return norm(self, p, dim, keepdim, dtype)

# PyTorch's torch.return_types.aminmax
MinMax = namedtuple("MinMax", ["min", "max"])


def median_by(x: "Tensor", dim: Any, keepdim: bool, index_of: Any, name: str,
              empty_dim: Any) -> Any:
    """``median`` and ``nanmedian``: the element ``index_of(array, axis)`` picks, over
    everything (NaN when empty) or along ``dim`` as ``(values, indices)``; the gradient
    flows to the chosen elements. ``empty_dim(d)`` is the message for an empty ``dim``."""
    if dim is None:
        flat = x.reshape(-1)
        if flat.shape[0] == 0:
            return _f.make(np.asarray(np.nan, x._data.dtype))
        return IX.Index.apply(flat, index=int(index_of(flat._data, 0)))
    d = _check_dim(x, dim, name)
    y = x if x.ndim else x.reshape(1)
    if y.shape[d] == 0:
        raise IndexError(empty_dim(d))
    idx = np.expand_dims(index_of(y._data, d), d)
    values = IX.Gather.apply(y, dim=d, index=idx)
    if not keepdim or not x.ndim:
        values = values.squeeze(d) if x.ndim else values.reshape(())
        idx = np.squeeze(idx, axis=d) if x.ndim else idx.reshape(())
    return ValuesIndices(values, _f.make(np.asarray(idx, dtype=np.int64)))


def _median_index(a: np.ndarray, dim: int) -> np.ndarray:
    """Along ``dim``: the index of the lower median, or of the first NaN if there is one."""
    n = a.shape[dim]
    order = np.argsort(a, axis=dim, kind="stable")  # NaNs sort last
    idx = np.take(order, (n - 1) // 2, axis=dim)
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        idx = np.where(nan.any(axis=dim), np.argmax(nan, axis=dim), idx)
    return np.asarray(idx, dtype=np.int64)


def _quantile(x: "Tensor", q: Any, dim: Any, keepdim: bool, interpolation: str, out: Any,
              ignore_nan: bool, name: str) -> "Tensor":
    """``Tensor.quantile`` and ``nanquantile``: PyTorch's checks, then ``RD.Quantile``."""
    dtype = x._data.dtype
    if dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if is_tensor(q):
        if q.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._data.dtype != dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qa = np.array(q._data)
        if not np.all((qa >= 0) & (qa <= 1)):  # NaN fails too
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    elif isinstance(q, (int, float, np.number, np.bool_)):
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        qa = np.asarray(q, dtype)
    else:
        raise TypeError(f"{name}(): argument 'q' must be a float or a Tensor, not "
                        f"{type(q).__name__}")
    if out is not None and out._data.dtype != dtype:
        raise RuntimeError(f"{name}() out tensor must be same dtype as the input tensor")
    if interpolation not in RD.QUANTILE_INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if dim is not None:
        dim = _check_dim(x, dim, name)
    if x._data.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    result = RD.Quantile.apply(x, q=qa, dim=dim, keepdim=bool(keepdim),
                               interpolation=interpolation, ignore_nan=ignore_nan)
    if out is None:
        return result
    _write_out(out, result)
    return out


def _write_out(out: "Tensor", result: "Tensor") -> None:
    """``out=``: ``out`` takes the result's shape and values (PyTorch resizes it)."""
    if out.shape == result.shape:
        out.copy_(result.detach())
        return
    out._data = np.array(result._data)  # a new size: new memory, as a resize would give
    _f.version_counter(out)[0] += 1


def _moment_args(t: "Tensor", dim: Any, unbiased: bool | None, keepdim: bool,
                 correction: float | None) -> dict:
    """``var``'s and ``std``'s arguments as their ops take them: the dims, ``keepdim`` and
    the divisor ``n - correction`` (unbiased, ``correction=1``, by default, as PyTorch)."""
    if isinstance(dim, bool):  # x.var(False): the `unbiased` overload
        dim, unbiased = None, dim
    dim, keepdim = _dims(t, dim, keepdim)
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if not _is_float(t._data.dtype):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    divisor = max(RD.reduced_count(t._data.shape, dim) - correction, 0)
    return {"dim": dim, "keepdim": keepdim, "divisor": divisor}


@numpy_names
def var_mean(input: "Tensor", dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None) -> tuple:
    """``(var, mean)`` over ``dim``; unbiased (``correction=1``) by default, as PyTorch.

    >>> import autograd_core as ag
    >>> ag.var_mean(ag.tensor([1.0, 2.0, 3.0, 4.0]))
    (tensor(1.6667), tensor(2.5000))
    """
    _require_tensor(input, "var_mean", "input")
    if isinstance(dim, bool):  # var_mean(x, False): the `unbiased` overload
        dim, unbiased = None, dim
    return (input.var(dim, unbiased, keepdim, correction=correction),
            input.mean(dim, keepdim=keepdim))


@numpy_names
def std_mean(input: "Tensor", dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None) -> tuple:
    """``(std, mean)`` over ``dim``; unbiased (``correction=1``) by default, as PyTorch.

    >>> import autograd_core as ag
    >>> ag.std_mean(ag.tensor([[1.0, 3.0]]), dim=1, correction=0)
    (tensor([1.]), tensor([2.]))
    """
    _require_tensor(input, "std_mean", "input")
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return (input.std(dim, unbiased, keepdim, correction=correction),
            input.mean(dim, keepdim=keepdim))


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The ``ord``-norm of ``x`` over ``dim`` (an int, a tuple, or None for every element).

    ``ord`` may be any number (``0`` counts non-zeros) or ``inf`` / ``-inf``.

    >>> import autograd_core as ag
    >>> x = ag.tensor([[3.0, -4.0], [1.0, 0.0]])
    >>> ag.linalg.vector_norm(x, dim=1)
    tensor([5., 1.])
    >>> ag.linalg.vector_norm(x, ord=float("inf"))
    tensor(4.)
    """
    if not is_tensor(x):
        raise TypeError(f"vector_norm: expected a Tensor, got {type(x).__name__}")
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.number)):
        raise ValueError(f"vector_norm: ord must be a number or inf, got {ord!r}")
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind not in "fc":
        raise TypeError(f"vector_norm: expected a floating point tensor, got dtype {x.dtype}")
    if dim is not None:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dim = tuple(sorted({_check_dim(x, d, "vector_norm") for d in dims})) or None
        if x.ndim == 0:
            dim = None
    ord = float(ord)
    if np.isinf(ord):
        a = x.abs()
        ext = (np.max if ord > 0 else np.min)(a._data, axis=dim, keepdims=True)
        ties = a._data == ext
        share = ties / ties.sum(axis=dim, keepdims=True)
        return (a * _f.make(share.astype(x.dtype))).sum(dim, keepdim)
    if ord == 0:
        count = np.asarray((x._data != 0).sum(axis=dim, keepdims=keepdim), dtype=x.dtype)
        return (x * 0).sum(dim, keepdim) + _f.make(count)  # zero gradient, as PyTorch
    return RD.Norm.apply(x, p=ord, dim=dim, keepdim=keepdim)


def norm(x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """``Tensor.norm``: ``'fro'`` (the 2-norm of the elements), or any vector ``p``-norm.

    >>> import autograd_core as ag
    >>> ag.tensor([[1.0, 2.0], [2.0, 4.0]]).norm(p=1, dim=-1, keepdim=True)
    tensor([[3.],
            [6.]])
    """
    if isinstance(p, str):
        if p != "fro":
            raise NotImplementedError(f"norm: p={p!r} is not supported (only 'fro' and numbers)")
        if dim is not None and isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError(f"norm: p='fro' takes at most 2 dims, got dim={dim}")
        p = 2
    if p is None:
        p = 2
    return vector_norm(x, p, dim, keepdim, dtype=dtype)
