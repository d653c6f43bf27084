"""``CosineSimilarity`` and ``PairwiseDistance``, on their ``nn.functional`` forms.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.PairwiseDistance()(ag.tensor([[3.0, 0.0]]), ag.tensor([[0.0, 4.0]])).tolist()
[5.0...]
"""
from __future__ import annotations

from autograd_core import Tensor

from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """Cosine similarity of two inputs along ``dim``; see ``F.cosine_similarity``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.CosineSimilarity(dim=0)(ag.tensor([1.0, 0.0]), ag.tensor([0.0, 2.0])).item()
    0.0
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """p-norm distance along the last dim; see ``F.pairwise_distance``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.PairwiseDistance(p=1.0, eps=0.0)(ag.ones(2, 3), ag.zeros(2, 3)).tolist()
    [3.0, 3.0]
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
