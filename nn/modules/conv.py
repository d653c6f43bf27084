"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d`` and ``ConvTranspose2d``,
with PyTorch's parameters, shapes, initialisation and reprs.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> up = nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1)
>>> up(ag.randn(2, 16, 7, 7)).shape
(2, 8, 14, 14)
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from autograd_core import Tensor

from .. import functional as F
from .. import init
from ..functional.arguments import _check_dtype
from ..parameter import _add_bias, _empty
from .module import Module

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]


def _ntuple(v: Any, n: int, name: str) -> tuple:
    if isinstance(v, (tuple, list)):
        if len(v) != n:
            raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {v!r}")
        return tuple(int(x) for x in v)
    return (int(v),) * n


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _check_conv_args(name: str, in_channels: int, out_channels: int, groups: int,
                    padding_mode: str) -> None:
    """The constructor checks every convolution layer shares (plain and transposed)."""
    if groups <= 0:
        raise ValueError(f"{name}: groups must be a positive integer, got {groups}")
    if in_channels % groups != 0:
        raise ValueError(f"{name}: in_channels ({in_channels}) must be divisible by groups "
                         f"({groups})")
    if out_channels % groups != 0:
        raise ValueError(f"{name}: out_channels ({out_channels}) must be divisible by groups "
                         f"({groups})")
    if padding_mode not in _PADDING_MODES:
        raise ValueError("padding_mode must be one of {'zeros', 'reflect', 'replicate', "
                         f"'circular'}}, but got padding_mode={padding_mode!r}")


class _ConvNd(Module):
    """What every convolution layer shares, as PyTorch's ``_ConvNd``: the arguments and
    their checks, ``weight`` ((out, in / groups, *kernel), or (in, out / groups, *kernel)
    when ``transposed``) and ``bias``, the initialisation, the input check and the repr.
    ``_n`` is the number of spatial dims, ``_conv`` the function of ``nn.functional``."""

    _n = 0
    _conv: Callable[..., Tensor]

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any,
                 padding: Any, dilation: Any, transposed: bool, output_padding: Any,
                 groups: int, bias: bool, padding_mode: str, dtype: Any) -> None:
        super().__init__()
        name, n = type(self).__name__, self._n
        _check_conv_args(name, in_channels, out_channels, groups, padding_mode)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, n, "kernel_size")
        self.stride = _ntuple(stride, n, "stride")
        if isinstance(padding, str) and transposed:
            raise ValueError(f"{name}: padding must be an int or a tuple of {n} ints, got "
                             f"{padding!r} (string padding is not supported for transposed "
                             "convolutions)")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: invalid padding string {padding!r}, should be one of "
                                 "'valid', 'same'")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided "
                                 "convolutions")
            self.padding = padding
        else:
            self.padding = _ntuple(padding, n, "padding")
        self.dilation = _ntuple(dilation, n, "dilation")
        # as PyTorch's; non-zero only in transposed convolutions
        self.output_padding = _ntuple(output_padding, n, "output_padding")
        self.groups = groups
        if transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        self.padding_mode = padding_mode
        # F.pad's amounts (last dim first) for the other padding modes, as PyTorch keeps them
        if self.padding == "same":
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            self._reversed_padding_repeated_twice = [
                a for t in reversed(totals) for a in (t // 2, t - t // 2)]
        elif self.padding == "valid":
            self._reversed_padding_repeated_twice = [0, 0] * n
        else:
            self._reversed_padding_repeated_twice = [p for p in reversed(self.padding)
                                                     for _ in range(2)]
        self.transposed = transposed
        channels = (in_channels, out_channels // groups) if transposed else \
            (out_channels, in_channels // groups)
        self.weight = _empty(channels + self.kernel_size, dtype)
        _add_bias(self, bias, (out_channels,), dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
        fan_in = weight.size(1) * prod(kernel_size) (in_channels / groups * ...)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * int(np.prod(self.kernel_size))
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _check_input(self, input: Tensor) -> bool:
        """Check the input; True when it is unbatched (no N dim)."""
        name, n = self._get_name(), self._n
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in (n + 1, n + 2):
            raise ValueError(f"{name}: expected {n + 1}D (unbatched) or {n + 2}D (batched) input, "
                             f"got shape {tuple(input.shape)}")
        unbatched = input.ndim == n + 1
        c = input.shape[0 if unbatched else 1]
        if c != self.in_channels:
            raise ValueError(f"{name}: expected input with {self.in_channels} channels (dim "
                             f"{0 if unbatched else 1}), got shape {tuple(input.shape)}")
        if input.dtype != self.weight.dtype:
            _check_dtype(name, input, self.weight)
        return unbatched

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    """A plain convolution, on (N, C_in, *spatial) or unbatched (C_in, *spatial) input."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, dtype)

    def forward(self, input: Tensor) -> Tensor:
        unbatched = self._check_input(input)
        x = input.unsqueeze(0) if unbatched else input
        if self.padding_mode != "zeros":
            x = F.pad(x, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            out = self._conv(x, self.weight, self.bias, self.stride, 0, self.dilation,
                             self.groups)
        else:
            out = self._conv(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                             self.groups)
        return out.squeeze(0) if unbatched else out


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L) (or unbatched (C_in, L)) input; ``weight`` is
    (out_channels, in_channels / groups, kernel_size).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> conv = nn.Conv1d(4, 8, 3, padding=1)
    >>> conv
    Conv1d(4, 8, kernel_size=(3,), stride=(1,), padding=(1,))
    >>> conv(ag.randn(2, 4, 10)).shape
    (2, 8, 10)
    """

    _n, _conv = 1, staticmethod(F.conv1d)


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W) (or unbatched (C_in, H, W)) input; ``weight``
    is (out_channels, in_channels / groups, kH, kW). ``padding_mode`` is ``'zeros'``,
    ``'reflect'``, ``'replicate'`` or ``'circular'`` (as ``F.pad``'s modes).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> conv = nn.Conv2d(1, 8, 3, padding=1)
    >>> conv
    Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    >>> conv(ag.randn(2, 1, 28, 28)).shape
    (2, 8, 28, 28)
    """

    _n, _conv = 2, staticmethod(F.conv2d)


class _ConvTranspose(_ConvNd):
    """A transposed convolution; ``forward`` takes an optional ``output_size`` that picks
    the output padding, as PyTorch."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, dtype)

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None) -> tuple:
        """``output_padding``, or the one that gives ``output_size`` (as PyTorch)."""
        if output_size is None:
            return self.output_padding
        name, n = self._get_name(), self._n
        non_spatial = 2 if input.ndim == n + 2 else 1
        size = [int(v) for v in output_size]
        if len(size) == non_spatial + n:
            size = size[non_spatial:]
        if len(size) != n:
            raise ValueError(f"{name}: for {input.ndim}D input, output_size must have {n} or "
                             f"{n + non_spatial} elements (got {len(output_size)})")
        lo, hi = [], []
        for i in range(n):
            m = ((input.shape[non_spatial + i] - 1) * self.stride[i] - 2 * self.padding[i]
                 + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            lo.append(m)
            hi.append(m + self.stride[i] - 1)
        if any(not a <= v <= b for v, a, b in zip(size, lo, hi)):
            raise ValueError(f"{name}: requested an output size of {size}, but valid sizes range "
                             f"from {lo} to {hi} (for an input of "
                             f"{tuple(input.shape[non_spatial:])})")
        return tuple(v - a for v, a in zip(size, lo))

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        self._check_input(input)
        op = self._output_padding(input, output_size)
        return self._conv(input, self.weight, self.bias, self.stride, self.padding, op,
                          self.groups, self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution over (N, C_in, L) (or unbatched (C_in, L)) input;
    ``weight`` is (in_channels, out_channels / groups, kernel_size). ``forward`` takes an
    optional ``output_size`` that picks the output padding, as PyTorch.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> up = nn.ConvTranspose1d(4, 2, 3, stride=2)
    >>> up
    ConvTranspose1d(4, 2, kernel_size=(3,), stride=(2,))
    >>> up(ag.randn(5, 4, 10)).shape, up(ag.randn(5, 4, 10), output_size=[22]).shape
    ((5, 2, 21), (5, 2, 22))
    """

    _n, _conv = 1, staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution over (N, C_in, H, W) (or unbatched (C_in, H, W)) input;
    ``weight`` is (in_channels, out_channels / groups, kH, kW). ``forward`` takes an
    optional ``output_size`` that picks the output padding, as PyTorch.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> up = nn.ConvTranspose2d(8, 3, 3, stride=2, padding=1, output_padding=1)
    >>> up
    ConvTranspose2d(8, 3, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))
    >>> up(ag.randn(2, 8, 14, 14)).shape
    (2, 3, 28, 28)
    >>> up.weight.shape
    (8, 3, 3, 3)
    """

    _n, _conv = 2, staticmethod(F.conv_transpose2d)
