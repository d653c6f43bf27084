"""Convolutions: ``conv1d`` and ``conv2d`` (the core's ``autograd_core.conv1d`` /
``conv2d``) and the transposed ``conv_transpose1d`` / ``conv_transpose2d`` (the core's
``autograd_core.conv_transpose1d`` / ``conv_transpose2d``), with
PyTorch's signatures, weight layout (in_channels, out_channels / groups, kH, kW) and
output size

    H_out = (H_in - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding + 1

All four are the core's (``autograd_core.ops.conv``); a transposed convolution runs
as the gradient of a convolution with respect to its input, so second derivatives work.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.conv_transpose2d(ag.randn(2, 16, 7, 7), ag.randn(16, 8, 4, 4), stride=2, padding=1).shape
(2, 8, 14, 14)
"""
from __future__ import annotations

from typing import Any

import autograd_core as ag
from autograd_core import Tensor

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation) of (N, C_in, L) input; ``autograd_core.conv1d``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.conv1d(ag.ones(1, 2, 5), ag.ones(3, 2, 3), padding=1).shape
    (1, 3, 5)
    """
    return ag.conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution of (N, C_in, H, W) input; ``autograd_core.conv2d``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.conv2d(ag.ones(1, 1, 5, 5), ag.ones(2, 1, 3, 3)).shape
    (1, 2, 3, 3)
    """
    return ag.conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """2-D transposed convolution of (N, C_in, H, W) (or unbatched (C_in, H, W)) input
    with weight (C_in, C_out / groups, kH, kW); ``autograd_core.conv_transpose2d``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.randn(2, 4, 5, 5, requires_grad=True)
    >>> w = ag.randn(4, 3, 3, 3, requires_grad=True)
    >>> y = F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)
    >>> y.shape
    (2, 3, 10, 10)
    >>> y.sum().backward(); x.grad.shape, w.grad.shape
    ((2, 4, 5, 5), (4, 3, 3, 3))
    """
    return ag.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups,
                               dilation)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """1-D transposed convolution of (N, C_in, L) (or (C_in, L)) input with weight
    (C_in, C_out / groups, k); ``autograd_core.conv_transpose1d``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.conv_transpose1d(ag.ones(1, 2, 5), ag.ones(2, 3, 3), stride=2).shape
    (1, 3, 11)
    """
    return ag.conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups,
                               dilation)
