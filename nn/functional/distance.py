"""Norms and distances: ``normalize``, ``cosine_similarity``, ``pairwise_distance`` and
``pdist``.

All are compositions of differentiable Tensor ops on the core's p-norm
(``autograd_core.linalg.vector_norm``), whose gradient is 0 (not NaN) at a zero vector,
as PyTorch's.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.pairwise_distance(ag.tensor([[3.0, 0.0]]), ag.tensor([[0.0, 4.0]])).tolist()
[5.0...]
"""
from __future__ import annotations

import numpy as np

from autograd_core import Tensor
from autograd_core.linalg import vector_norm

from .arguments import _tensor

__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "pdist"]


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> [round(v, 4) for v in F.normalize(ag.tensor([[3.0, 4.0]]))[0].tolist()]
    [0.6, 0.8]
    """
    _tensor(input, "normalize", "input")
    if out is not None:
        raise NotImplementedError("normalize: the out= argument is not supported")
    if input.ndim == 0:
        raise ValueError("normalize: expected an input with at least 1 dim, got a 0-dim tensor")
    n = vector_norm(input, p, dim, keepdim=True)
    return input / n.clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (they broadcast):
    ``sum((x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps)))``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.cosine_similarity(ag.tensor([[1.0, 0.0]]), ag.tensor([[1.0, 1.0]])).tolist()
    [0.7071...]
    """
    _tensor(x1, "cosine_similarity", "x1")
    _tensor(x2, "cosine_similarity", "x2")
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"cosine_similarity: x1 of shape {tuple(x1.shape)} and x2 of shape "
                         f"{tuple(x2.shape)} do not broadcast") from None
    if not -max(len(shape), 1) <= dim < max(len(shape), 1):
        raise IndexError(f"cosine_similarity: dim {dim} is out of range for the broadcast "
                         f"shape {shape}")
    n1 = vector_norm(x1, 2, dim, keepdim=True).clamp(min=eps)
    n2 = vector_norm(x2, 2, dim, keepdim=True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """p-norm distance ``||x1 - x2 + eps||_p`` along the last dim (inputs broadcast).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.pairwise_distance(ag.tensor([[3.0, 0.0]]), ag.tensor([[0.0, 4.0]]), eps=0).tolist()
    [5.0]
    """
    _tensor(x1, "pairwise_distance", "x1")
    _tensor(x2, "pairwise_distance", "x2")
    try:
        np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"pairwise_distance: x1 of shape {tuple(x1.shape)} and x2 of shape "
                         f"{tuple(x2.shape)} do not broadcast") from None
    d = x1 - x2 + eps if eps else x1 - x2
    if d.ndim == 0:
        d = d.reshape(1)
    return vector_norm(d, p, -1, keepdim=keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distances between the rows of an (N, M) input, for every pair i < j in
    row-major order: ``N (N - 1) / 2`` values, as ``torch.nn.functional.pdist``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.pdist(ag.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])).tolist()
    [5.0, 1.0, 4.242640495300293]
    """
    _tensor(input, "pdist")
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    return vector_norm(input[i] - input[j], p, -1)
