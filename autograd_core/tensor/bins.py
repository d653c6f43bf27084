"""Sorting values into bins, as PyTorch: ``searchsorted`` (positions in sorted rows),
``bucketize`` (positions among 1-D boundaries) and ``histc`` (counts in equal-width
bins). None is differentiable (their results are indices and counts), as in PyTorch.

>>> import autograd_core as ag
>>> ag.bucketize(ag.tensor([0.5, 3.0, 9.0]), ag.tensor([1.0, 3.0, 5.0]))
tensor([0, 1, 3])
"""
from __future__ import annotations

from typing import Any, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..autograd.function import is_tensor, scalar_type_name
from .args import _SCALARS

if TYPE_CHECKING:
    from .base import Tensor

__all__ = ["searchsorted", "bucketize", "histc", "BinsMixin"]


def _values(x: Any, op: str, name: str) -> np.ndarray:
    if is_tensor(x):
        return x._data
    if isinstance(x, _SCALARS) and not isinstance(x, (bool, np.bool_)):
        return np.asarray(x)
    raise TypeError(f"{op}(): argument '{name}' must be Tensor or Number, not "
                    f"{type(x).__name__}")


def _positions(rows: np.ndarray, values: np.ndarray, side: str,
               sorter: np.ndarray | None) -> np.ndarray:
    """``np.searchsorted`` of each row of ``values`` in the matching row of ``rows`` (one
    row for all when ``rows`` is 1-D)."""
    if rows.ndim == 1:
        return np.searchsorted(rows, values, side=side, sorter=sorter)
    lead = rows.shape[:-1]
    r = rows.reshape(-1, rows.shape[-1])
    s = None if sorter is None else sorter.reshape(r.shape)
    v = values.reshape(r.shape[0], -1)
    out = np.stack([np.searchsorted(r[i], v[i], side=side, sorter=None if s is None else s[i])
                    for i in range(r.shape[0])]) if r.shape[0] else np.zeros(v.shape, np.int64)
    return out.reshape(lead + values.shape[-1:])


def searchsorted(sorted_sequence: "Tensor", input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Any = None) -> "Tensor":
    """Where each value of ``input`` would go in ``sorted_sequence`` to keep it sorted: the
    first such index (``side='left'``), or the last (``right=True`` or ``side='right'``).
    ``sorted_sequence`` is 1-D, or its leading dims match ``input``'s; ``sorter`` holds the
    indices that sort an unsorted sequence. int64 indices (int32 with ``out_int32``).

    >>> import autograd_core as ag
    >>> seq = ag.tensor([1, 3, 5, 7, 9])
    >>> ag.searchsorted(seq, ag.tensor([3, 6])), ag.searchsorted(seq, 3, right=True)
    (tensor([1, 3]), tensor(2))
    """
    op = "torch.searchsorted()"
    if not is_tensor(sorted_sequence):
        raise TypeError(f"searchsorted(): argument 'sorted_sequence' must be Tensor, not "
                        f"{type(sorted_sequence).__name__}")
    if side is not None and side not in ("left", "right"):
        raise RuntimeError(f"{op}: side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError(f"{op}: side and right can't be set to opposites, got side of left "
                           f"while right was True")
    side = side or ("right" if right else "left")
    seq = sorted_sequence._data
    values = _values(input, "searchsorted", "input")
    if seq.ndim == 0:
        raise RuntimeError(f"{op}: boundaries tensor should have positive dimension, but got "
                           f"0 dimension")
    if seq.ndim > 1 and (values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(f"{op}: boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must match, "
                           f"but we got boundaries tensor {list(seq.shape)} and input value "
                           f"tensor {list(values.shape)}")
    order = None
    if sorter is not None:
        order = sorter._data if is_tensor(sorter) else np.asarray(sorter)
        if order.dtype != np.int64:
            raise RuntimeError(f"{op}: sorter must be a tensor of long dtype but got dtype "
                               f"{scalar_type_name(order.dtype)}")
        if order.shape != seq.shape:
            raise RuntimeError(f"{op}: boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(seq.shape)}and got sorter tensor "
                               f"{list(order.shape)}")
        if order.size and (order.min() < 0 or order.max() >= seq.shape[-1]):
            raise RuntimeError(f"{op}: sorter index out of range")
    out = _positions(seq, values, side, order)
    return _f.make(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: "Tensor", *, out_int32: bool = False,
              right: bool = False) -> "Tensor":
    """The bucket of each value among the 1-D sorted ``boundaries``: ``i`` with
    ``boundaries[i-1] < x <= boundaries[i]``, or with ``right=True``
    ``boundaries[i-1] <= x < boundaries[i]``. int64 (int32 with ``out_int32``).

    >>> import autograd_core as ag
    >>> b = ag.tensor([1.0, 3.0, 5.0])
    >>> ag.bucketize(ag.tensor([3.0, 6.0]), b), ag.bucketize(ag.tensor([3.0]), b, right=True)
    (tensor([1, 3]), tensor([2]))
    """
    if not is_tensor(boundaries):
        raise TypeError(f"bucketize(): argument 'boundaries' must be Tensor, not "
                        f"{type(boundaries).__name__}")
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim"
                           f"({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def _number(v: float) -> str:
    return f"{v:g}"


def histc(input: "Tensor", bins: int = 100, min: float = 0, max: float = 0) -> "Tensor":
    """Counts of ``input``'s values in ``bins`` equal-width bins over ``[min, max]`` (the
    data's own range when both are 0; a range of one value is widened by 1 each side).
    Values outside are ignored; ``max`` falls in the last bin. The counts have the input's
    float dtype, as PyTorch's.

    >>> import autograd_core as ag
    >>> ag.histc(ag.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
    """
    if not is_tensor(input):
        raise TypeError(f"histc(): argument 'input' must be Tensor, not {type(input).__name__}")
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for '
                                  f"'{scalar_type_name(x.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                           f"dimension 0")
    dt = x.dtype.type
    lo, hi = dt(min), dt(max)
    if lo == hi and x.size:
        lo, hi = x.min(), x.max()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_number(lo)}, {_number(hi)}] is not "
                           f"finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    v = x.reshape(-1)
    v = v[(v >= lo) & (v <= hi)]
    # the bin as PyTorch computes it, in the input's dtype: (x - lo) * bins / (hi - lo)
    pos = ((v - lo) * dt(bins) / (hi - lo)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return _f.make(np.bincount(pos, minlength=bins).astype(x.dtype))


class BinsMixin:
    """``Tensor.histc`` (PyTorch has no method forms of searchsorted and bucketize)."""

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> "Tensor":
        """See ``autograd_core.histc``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 1.0, 1.0, 4.0]).histc(bins=2)
        tensor([3., 1.])
        """
        return histc(self, bins, min, max)
