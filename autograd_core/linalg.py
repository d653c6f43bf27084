"""``autograd_core.linalg``: PyTorch's ``torch.linalg`` names (the norms).

>>> import autograd_core as ag
>>> ag.linalg.vector_norm(ag.tensor([3.0, 4.0])).item()
5.0
"""
from __future__ import annotations

from .tensor.reduce import norm as matrix_or_vector_norm, vector_norm

__all__ = ["vector_norm", "norm"]

norm = matrix_or_vector_norm
