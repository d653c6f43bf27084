"""Pooling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d/3d``,
``AdaptiveMaxPool1d/2d/3d``, ``FractionalMaxPool2d/3d``, ``MaxUnpool1d/2d/3d`` and
``LPPool1d/2d/3d``, each a thin wrapper of its ``nn.functional`` form.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.AdaptiveMaxPool2d(1)(ag.arange(4.0).reshape(1, 1, 2, 2)).tolist()
[[[[3.0]]]]
"""
from __future__ import annotations

from typing import Any

from autograd_core import Tensor

from .. import functional as F
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
           "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
           "LPPool1d", "LPPool2d", "LPPool3d", "FractionalMaxPool2d", "FractionalMaxPool3d"]


def _check4d(name: str, input: Tensor) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
    if input.ndim not in (3, 4):
        raise ValueError(f"{name}: expected 3D (C, H, W) or 4D (N, C, H, W) input, got shape "
                         f"{tuple(input.shape)}")


class _PoolNd(Module):
    """What the max and average poolings share: the window (``stride`` defaults to
    ``kernel_size``) and ``ceil_mode``."""

    def __init__(self, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _MaxPoolNd(_PoolNd):
    """What MaxPool1d and MaxPool2d share: their arguments and repr, as PyTorch's."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation = dilation
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class _AvgPoolNd(_PoolNd):
    """What AvgPool2d and AvgPool3d share: their arguments and the call of their
    ``_avg_pool`` op (``F.avg_pool2d`` or ``F.avg_pool3d``)."""

    _avg_pool: Any

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return self._avg_pool(input, self.kernel_size, self.stride, self.padding,
                              ceil_mode=self.ceil_mode, count_include_pad=self.count_include_pad,
                              divisor_override=self.divisor_override)


class MaxPool2d(_MaxPoolNd):
    """Max over ``kernel_size`` windows (``stride`` defaults to ``kernel_size``).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> pool = nn.MaxPool2d(2)
    >>> pool
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> pool(ag.randn(1, 3, 28, 28)).shape
    (1, 3, 14, 14)
    """

    def forward(self, input: Tensor) -> Any:
        _check4d("MaxPool2d", input)  # the op itself takes (C, H, W) input too
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool2d(_AvgPoolNd):
    """Mean over ``kernel_size`` windows (``stride`` defaults to ``kernel_size``).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> pool = nn.AvgPool2d(2)
    >>> pool
    AvgPool2d(kernel_size=2, stride=2, padding=0)
    >>> pool(ag.ones(1, 1, 4, 4)).tolist()
    [[[[1.0, 1.0], [1.0, 1.0]]]]
    """

    _avg_pool = staticmethod(F.avg_pool2d)

    def forward(self, input: Tensor) -> Tensor:
        _check4d("AvgPool2d", input)  # the op itself takes (C, H, W) input too
        return super().forward(input)


class _AdaptiveAvgPoolNd(Module):
    """What AdaptiveAvgPool1d and AdaptiveAvgPool2d share: ``output_size`` and the repr."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average-pool to a fixed ``output_size`` (an int, or (H, W) where None keeps the
    input's size), with PyTorch's bins; ``1`` gives global average pooling.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.AdaptiveAvgPool2d((1, 1))(ag.randn(2, 16, 7, 7)).shape
    (2, 16, 1, 1)
    >>> nn.AdaptiveAvgPool2d(3)(ag.randn(1, 2, 8, 8)).shape
    (1, 2, 3, 3)
    """

    def forward(self, input: Tensor) -> Tensor:
        _check4d("AdaptiveAvgPool2d", input)
        return F.adaptive_avg_pool2d(input, self.output_size)


class MaxPool1d(_MaxPoolNd):
    """Max over ``kernel_size`` windows of (N, C, L) or (C, L) input (``stride`` defaults
    to ``kernel_size``).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> pool = nn.MaxPool1d(2)
    >>> pool
    MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> pool(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]])).tolist()
    [[[3.0, 2.0]]]
    """

    def forward(self, input: Tensor) -> Any:
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


def _single(v: Any) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class AvgPool1d(_PoolNd):
    """Mean over ``kernel_size`` windows of (N, C, L) or (C, L) input (``stride`` defaults
    to ``kernel_size``).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> pool = nn.AvgPool1d(2)
    >>> pool
    AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    >>> pool(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]])).tolist()
    [[[2.0, 1.0]]]
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        stride = kernel_size if stride is None else stride
        super().__init__(_single(kernel_size), _single(stride), _single(padding), ceil_mode)
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding,
                            ceil_mode=self.ceil_mode, count_include_pad=self.count_include_pad)


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average-pool (N, C, L) or (C, L) input to a fixed length ``output_size``, with
    PyTorch's bins.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.AdaptiveAvgPool1d(3)
    AdaptiveAvgPool1d(output_size=3)
    >>> nn.AdaptiveAvgPool1d(1)(ag.tensor([[[1.0, 3.0]]])).tolist()
    [[[2.0]]]
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class _AdaptiveMaxPoolNd(_AdaptiveAvgPoolNd):
    """What AdaptiveMaxPool1d and AdaptiveMaxPool2d share: ``output_size``,
    ``return_indices`` and the repr."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max-pool (N, C, H, W) or (C, H, W) input to a fixed ``output_size`` (an int, or
    (H, W) where None keeps the input's size), with PyTorch's bins; with
    ``return_indices``, also the flat positions of the maxima in each (H, W) plane.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.AdaptiveMaxPool2d((2, None))
    AdaptiveMaxPool2d(output_size=(2, None))
    >>> nn.AdaptiveMaxPool2d(1)(ag.arange(4.0).reshape(1, 1, 2, 2)).tolist()
    [[[[3.0]]]]
    """

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max-pool (N, C, L) or (C, L) input to a fixed length ``output_size``, with
    PyTorch's bins; with ``return_indices``, also the positions of the maxima.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.AdaptiveMaxPool1d(2)(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]])).tolist()
    [[[3.0, 2.0]]]
    """

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class MaxPool3d(_MaxPoolNd):
    """Max over ``kernel_size`` windows of (N, C, D, H, W) or (C, D, H, W) input
    (``stride`` defaults to ``kernel_size``); with ``return_indices``, also the flat index
    of each maximum in its (D, H, W) block.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> pool = nn.MaxPool3d(2)
    >>> pool
    MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> pool(ag.randn(1, 3, 4, 4, 4)).shape
    (1, 3, 2, 2, 2)
    """

    def forward(self, input: Tensor) -> Any:
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool3d(_AvgPoolNd):
    """Mean over ``kernel_size`` windows of (N, C, D, H, W) or (C, D, H, W) input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> pool = nn.AvgPool3d(2)
    >>> pool
    AvgPool3d(kernel_size=2, stride=2, padding=0)
    >>> pool(ag.ones(1, 1, 2, 2, 2)).tolist()
    [[[[[1.0]]]]]
    """

    _avg_pool = staticmethod(F.avg_pool3d)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average-pool (N, C, D, H, W) or (C, D, H, W) input to a fixed ``output_size`` (an
    int, or a triple where None keeps the input's size), with PyTorch's bins.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.AdaptiveAvgPool3d((1, None, 2))(ag.randn(2, 3, 4, 5, 6)).shape
    (2, 3, 1, 5, 2)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max-pool (N, C, D, H, W) or (C, D, H, W) input to a fixed ``output_size``, with
    PyTorch's bins; with ``return_indices``, also the flat positions of the maxima.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.AdaptiveMaxPool3d(1)(ag.arange(8.0).reshape(1, 1, 2, 2, 2)).tolist()
    [[[[[7.0]]]]]
    """

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


def _tuple(v: Any, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _MaxUnpoolNd(Module):
    """What the unpooling layers share, as PyTorch's: the window as n-tuples (``stride``
    defaults to ``kernel_size``) and the repr."""

    _n = 1

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = _tuple(kernel_size, self._n)
        self.stride = _tuple(stride if stride is not None else kernel_size, self._n)
        self.padding = _tuple(padding, self._n)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        fn = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}[self._n]
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of ``MaxPool1d``: puts each value at its index, zeros elsewhere.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> pool, unpool = nn.MaxPool1d(2, return_indices=True), nn.MaxUnpool1d(2)
    >>> unpool(*pool(ag.tensor([[[1.0, 3.0, 4.0, 2.0]]]))).tolist()
    [[[0.0, 3.0, 4.0, 0.0]]]
    """

    _n = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of ``MaxPool2d``.

    >>> import autograd_core.nn as nn
    >>> nn.MaxUnpool2d(2)
    MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
    """

    _n = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of ``MaxPool3d``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> pool, unpool = nn.MaxPool3d(2, return_indices=True), nn.MaxUnpool3d(2)
    >>> unpool(*pool(ag.randn(1, 1, 4, 4, 4))).shape
    (1, 1, 4, 4, 4)
    """

    _n = 3


class _LPPoolNd(Module):
    """Power-average pooling, as PyTorch's ``_LPPoolNd``."""

    _n = 1

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        fn = {1: F.lp_pool1d, 2: F.lp_pool2d, 3: F.lp_pool3d}[self._n]
        return fn(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """``(sum x^p)^(1/p)`` over windows of (N, C, L) or (C, L) input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.LPPool1d(2, 2)(ag.tensor([[[3.0, 4.0]]])).tolist()
    [[[5.0]]]
    """

    _n = 1


class LPPool2d(_LPPoolNd):
    """``(sum x^p)^(1/p)`` over windows of (N, C, H, W) or (C, H, W) input.

    >>> import autograd_core.nn as nn
    >>> nn.LPPool2d(2, 3, stride=2)
    LPPool2d(norm_type=2, kernel_size=3, stride=2, ceil_mode=False)
    """

    _n = 2


class LPPool3d(_LPPoolNd):
    """``(sum x^p)^(1/p)`` over windows of (N, C, D, H, W) or (C, D, H, W) input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.LPPool3d(1, 2)(ag.ones(1, 1, 2, 2, 2)).tolist()
    [[[[[8.0]]]]]
    """

    _n = 3


class _FractionalMaxPoolNd(Module):
    """Fractional max pooling, as PyTorch's: the window and target size (or ratio) as
    n-tuples, and an optional fixed ``_random_samples`` buffer."""

    _n = 2

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False, _random_samples: Tensor | None = None) -> None:
        super().__init__()
        n = self._n
        self.kernel_size = _tuple(kernel_size, n)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _tuple(output_size, n) if output_size is not None else None
        self.output_ratio = _tuple(output_ratio, n) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{type(self).__name__} requires specifying either an output size, "
                             "or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor) -> Any:
        fn = F.fractional_max_pool2d if self._n == 2 else F.fractional_max_pool3d
        return fn(input, self.kernel_size, self.output_size, self.output_ratio,
                  self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling of (N, C, H, W) or (C, H, W) input to ``output_size`` (or
    ``output_ratio`` of the input size) with pseudo-random window steps.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.FractionalMaxPool2d(3, output_ratio=0.5)(ag.randn(1, 2, 10, 10)).shape
    (1, 2, 5, 5)
    """

    _n = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling of (N, C, T, H, W) or (C, T, H, W) input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.FractionalMaxPool3d(2, output_size=3)(ag.randn(1, 2, 6, 6, 6)).shape
    (1, 2, 3, 3, 3)
    """

    _n = 3
