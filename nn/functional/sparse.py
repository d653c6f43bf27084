"""Lookups by integer index: ``embedding`` (rows of a weight matrix), ``embedding_bag``
(sums, means or maxima of bags of rows) and ``one_hot``.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.one_hot(ag.tensor([1, 0]), 2).tolist()
[[0, 1], [1, 0]]
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.index import Embedding, embedding_renorm

from .arguments import _array, _tensor

__all__ = ["embedding", "embedding_bag", "one_hot"]


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input`` (any shape); the row at
    ``padding_idx`` gets no gradient. With ``max_norm``, the picked rows are first
    rescaled in place to norm at most ``max_norm``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.embedding(ag.tensor([[0, 2]]), ag.eye(3)).tolist()
    [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]
    """
    idx = _array(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: expected integer indices, got dtype {idx.dtype}")
    n = weight.shape[0]
    # one reduction checks both ends: a negative index read as unsigned is beyond any n
    unsigned = idx.view(f"u{idx.itemsize}") if idx.dtype.kind == "i" else idx
    if idx.size and unsigned.max() >= n:
        bad = idx[(idx < 0) | (idx >= n)].flat[0]
        raise IndexError(f"embedding: index {bad} is out of range for {n} embeddings "
                         f"(expected 0 <= index < {n})")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse are not supported")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    if max_norm is not None:
        embedding_renorm(weight.detach().numpy(), idx, max_norm, norm_type)
    return Embedding.apply(weight, indices=idx, padding_idx=padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding, shape ``tensor.shape + (num_classes,)``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.one_hot(ag.tensor([0, 2]), 3).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    idx = _array(tensor)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot is only applicable to index tensor, got dtype {idx.dtype}")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got "
                           f"[{idx.min()}, {idx.max()}]")
    return (ag.from_numpy(idx).unsqueeze(-1) == ag.arange(num_classes)).to(ag.int64)


def _bag_offsets(input: Any, offsets: Any, include_last_offset: bool,
                 per_sample_weights: Any) -> tuple:
    """The indices (flat), the bag of each, the number of bags and the per-sample weights
    (flat) of ``embedding_bag``'s arguments, checked as PyTorch."""
    idx = _array(input)
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated "
                             f"is a mini-batch of fixed length sequences. However, found "
                             f"offsets of type {type(offsets)}")
        bags, length = idx.shape
        owner = np.repeat(np.arange(bags), length)
        idx = idx.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        return idx, owner, bags, per_sample_weights
    if idx.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    off = _array(offsets)
    if off.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    if off.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #1 'offsets' to have one of the "
                           f"following scalar types: Long, Int; but got {off.dtype} instead "
                           "(while checking arguments for embedding_bag)")
    if off.size and off[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {off[0]}")
    if off.size and off[-1] > idx.shape[0]:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {idx.shape[0]} "
                           f"but got offsets[-1] of {off[-1]}")
    if off.size > 1 and (np.diff(off) < 0).any():
        raise RuntimeError(f"embedding_bag: offsets must be non-decreasing, got {off.tolist()}")
    # as PyTorch, the last bag runs to the end of the input, also when include_last_offset
    # gives an offset past it
    bags = max(off.size - 1, 0) if include_last_offset else off.size
    # the bag of each index: the last offset at or before its position
    owner = np.searchsorted(off[:bags], np.arange(idx.shape[0]), side="right") - 1
    return idx, owner, bags, per_sample_weights


def embedding_bag(input: Any, weight: Tensor, offsets: Any = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean",
                  sparse: bool = False, per_sample_weights: Tensor | None = None,
                  include_last_offset: bool = False, padding_idx: int | None = None) -> Tensor:
    """Sums, means or maxima (``mode``) of bags of rows of ``weight`` (num_embeddings, D):
    ``input`` (B, L) is B bags of L indices; a 1-D ``input`` is cut into bags at
    ``offsets`` (bag b starts at ``offsets[b]``; with ``include_last_offset`` the last
    offset ends the last bag). Entries equal to ``padding_idx`` are left out (and an empty
    bag gives zeros); ``per_sample_weights`` (``'sum'`` only) weighs each entry.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> w = ag.arange(6.0).reshape(3, 2)
    >>> F.embedding_bag(ag.tensor([0, 2, 1]), w, ag.tensor([0, 2]), mode="sum").tolist()
    [[4.0, 6.0], [2.0, 3.0]]
    """
    _tensor(weight, "embedding_bag", "weight")
    if per_sample_weights is not None and tuple(_array(input).shape) != \
            tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)}"
                         f") is not None, then it must have the same shape as the input "
                         f"({tuple(_array(input).shape)})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.ndim}")
    idx, owner, bags, psw = _bag_offsets(input, offsets, include_last_offset,
                                         per_sample_weights)
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    elif mode not in ("sum", "mean"):
        raise ValueError("mode has to be one of sum, mean or max")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {idx.dtype} instead "
                           "(while checking arguments for embedding_bag)")
    if sparse:
        raise NotImplementedError("embedding_bag: sparse=True (sparse gradients) is not "
                                  "supported; the gradient of weight is dense")
    if psw is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    if psw is not None and psw.dtype != weight.dtype:
        raise RuntimeError(f"embedding_bag: per_sample_weights ({psw.dtype}) must have the "
                           f"weight's dtype ({weight.dtype})")
    n, dim = weight.shape
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{n} "
                               f"through {n - 1}, but got {padding_idx}")
        padding_idx = padding_idx + n if padding_idx < 0 else padding_idx
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)][0]
        raise RuntimeError(f"embedding_bag: index {bad} is out of range for {n} embeddings "
                           f"(expected 0 <= index < {n})")
    if max_norm is not None:
        embedding_renorm(weight.detach().numpy(), idx, max_norm, norm_type)
    keep = owner >= 0
    if padding_idx is not None:
        keep &= idx != padding_idx
    pos = np.nonzero(keep)[0]
    picked, bag = idx[pos], owner[pos]
    rows = weight[picked]
    if picked.size == 0:  # zeros, in the graph of weight as PyTorch's
        return ag.zeros(bags, dim, dtype=weight.dtype) + rows.sum(0)
    if scale_grad_by_freq:
        # the gradient of each row divided by its index's count in the input (PyTorch's
        # count, padding included); the values stay exactly the rows
        uniq, counts = np.unique(idx, return_counts=True)
        scale = 1.0 / counts[np.searchsorted(uniq, picked)]
        fixed = rows.detach()
        rows = fixed + (rows - fixed) * ag.from_numpy(scale.astype(weight.dtype)[:, None])
    if mode == "max":
        return _bag_max(rows, bag, bags)
    if psw is not None:
        rows = rows * psw.reshape(-1)[ag.from_numpy(pos)].unsqueeze(1)
    out = ag.zeros(bags, dim, dtype=weight.dtype).index_add(0, ag.from_numpy(bag), rows)
    if mode == "mean":
        count = np.bincount(bag, minlength=bags).astype(weight.dtype)
        out = out / ag.from_numpy(np.maximum(count, 1)[:, None])
    return out


def _bag_max(rows: Tensor, bag: np.ndarray, bags: int) -> Tensor:
    """Each bag's maximum per column (the first in the bag, as PyTorch), taken with
    ``gather`` so the gradient goes to it; zeros for an empty bag."""
    values = rows.detach().numpy()
    m, dim = values.shape
    starts = np.searchsorted(bag, np.arange(bags))              # bag is sorted
    full = np.bincount(bag, minlength=bags) > 0
    top = np.maximum.reduceat(values, starts[full], axis=0)     # (non-empty bags, D)
    best = np.full((bags, dim), m, dtype=np.int64)
    order = np.where(values == top[np.cumsum(full)[bag] - 1], np.arange(m)[:, None], m)
    best[full] = np.minimum.reduceat(order, starts[full], axis=0)
    nan = best >= m  # a bag of NaNs: its first row
    best = np.where(nan & full[:, None], starts[:, None], best)
    out = rows.gather(0, ag.from_numpy(np.where(full[:, None], best, 0)))
    if not full.all():
        out = ag.where(ag.from_numpy(full[:, None]), out, 0.0)
    return out
