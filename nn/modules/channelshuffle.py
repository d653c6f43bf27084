"""``ChannelShuffle``: interleave the channels of groups (ShuffleNet), as PyTorch's.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.ChannelShuffle(2)(ag.arange(4.0).reshape(1, 4, 1, 1)).reshape(-1).tolist()
[0.0, 2.0, 1.0, 3.0]
"""
from __future__ import annotations

from autograd_core import Tensor

from .. import functional as F
from .module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """Split the channels (dim 1) of (N, C, *) input into ``groups`` and interleave them.

    >>> import autograd_core.nn as nn
    >>> nn.ChannelShuffle(3)
    ChannelShuffle(groups=3)
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
