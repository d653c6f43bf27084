"""``Flatten`` and ``Unflatten``: reshape a range of dims into one, and back.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.Unflatten(1, (2, 8))(nn.Flatten()(ag.zeros(3, 4, 4))).shape
(3, 2, 8)
"""
from __future__ import annotations

from typing import Sequence

from autograd_core import Tensor

from .module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Flatten dims ``start_dim`` .. ``end_dim`` into one (by default all but the batch dim).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Flatten()(ag.zeros(64, 16, 7, 7)).shape
    (64, 784)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Unflatten(1, (2, 5))(ag.zeros(3, 10)).shape
    (3, 2, 5)
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
