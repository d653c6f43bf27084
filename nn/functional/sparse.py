"""Lookups by integer index: ``embedding`` (rows of a weight matrix) and ``one_hot``.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.one_hot(ag.tensor([1, 0]), 2).tolist()
[[0, 1], [1, 0]]
"""
from __future__ import annotations

from typing import Any

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.index import Embedding, embedding_renorm

from .arguments import _array

__all__ = ["embedding", "one_hot"]


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
    if idx.size and (idx.min() < 0 or idx.max() >= n):
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
