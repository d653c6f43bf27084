"""``autograd_core.linalg``: the part of ``torch.linalg`` implemented here (``vector_norm``).

>>> import autograd_core as ag
>>> ag.linalg.vector_norm(ag.tensor([3.0, 4.0]))
tensor(5.)
"""
from __future__ import annotations

from .norm import vector_norm

__all__ = ["vector_norm"]
