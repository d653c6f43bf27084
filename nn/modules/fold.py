"""``Unfold`` (sliding local blocks as columns) and ``Fold`` (columns summed back into an
image), on ``nn.functional.unfold`` / ``fold``.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.Unfold(kernel_size=2)(ag.randn(1, 3, 4, 4)).shape
(1, 12, 9)
"""
from __future__ import annotations

from typing import Any

from autograd_core import Tensor

from .. import functional as F
from .module import Module

__all__ = ["Unfold", "Fold"]


class _SlidingBlocks(Module):
    """The geometry ``Unfold`` and ``Fold`` share, and its repr."""

    def __init__(self, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Unfold(_SlidingBlocks):
    """Extract sliding local blocks as columns, ``F.unfold``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.Unfold(kernel_size=(2, 3))
    >>> m
    Unfold(kernel_size=(2, 3), dilation=1, padding=0, stride=1)
    >>> m(ag.randn(2, 5, 3, 4)).shape
    (2, 30, 4)
    """

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__(kernel_size, dilation, padding, stride)

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)


class Fold(_SlidingBlocks):
    """Sum sliding-block columns back into an image, ``F.fold``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.Fold(output_size=(4, 5), kernel_size=(2, 2))
    >>> m
    Fold(output_size=(4, 5), kernel_size=(2, 2), dilation=1, padding=0, stride=1)
    >>> m(ag.randn(1, 12, 12)).shape
    (1, 3, 4, 5)
    """

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__(kernel_size, dilation, padding, stride)
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}, " + super().extra_repr()
