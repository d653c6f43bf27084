"""Joining tensors: ``cat`` and ``stack``.

>>> import autograd_core as ag
>>> ag.cat([ag.ones(2), ag.zeros(1)]).tolist(), ag.stack([ag.ones(2), ag.zeros(2)]).shape
([1.0, 1.0, 0.0], (2, 2))
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .ops.shape import Cat
from .tensor import Tensor, _check_dim


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other dims must match."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"cat: expected a list of Tensors, but element {i} is {type(t).__name__}")
    first = tensors[0]
    d = _check_dim(first, dim, "cat")
    for t in tensors[1:]:
        if t.ndim != first.ndim or t.shape[:d] + t.shape[d + 1:] != first.shape[:d] + first.shape[d + 1:]:
            raise ValueError(f"cat: sizes of tensors must match except in dimension {d}, "
                             f"got shapes {[x.shape for x in tensors]}")
    dt = np.result_type(*[t.dtype for t in tensors])
    tensors = [t.to(dt) for t in tensors]
    return Cat.apply(*tensors, dim=d)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors of equal shape along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of Tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: expects each tensor to be equal size, got shapes "
                         f"{[t.shape for t in tensors]}")
    return cat([t.unsqueeze(dim) for t in tensors], dim)
