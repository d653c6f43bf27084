"""Pooling: ``max_pool2d`` and ``avg_pool2d`` with PyTorch's signatures.

Each pooling op's backward is a scatter op whose own backward is a gather (max) or the
pooling again (average), so second derivatives work. The arguments are validated once,
by the public functions, into a geometry (``kernels.max_pool2d_geometry`` /
``avg_pool2d_geometry``) that the ops keep and hand unchanged to their kernels.
"""
from __future__ import annotations

from typing import Any, TYPE_CHECKING

from .. import kernels
from ..autograd.function import Function, const, is_tensor

if TYPE_CHECKING:  # for annotations only: the Tensor type sits above this layer
    from ..tensor import Tensor


class MaxPool2d(Function):
    op = "max_pool2d"

    @staticmethod
    def forward(ctx, x, geometry=None, indices_sink=None):
        out, idx = kernels.max_pool2d_forward(x, geometry)
        ctx.indices, ctx.geometry = idx, geometry
        if indices_sink is not None:     # return_indices: the same run's indices
            indices_sink.append(idx)
        return out

    @staticmethod
    def backward(ctx, grad):
        return MaxPoolScatter.apply(grad, indices=ctx.indices, geometry=ctx.geometry)


class MaxPoolScatter(Function):
    """Each output gradient added to the input pixel that won the max."""

    op = "max_pool2d_backward"

    @staticmethod
    def forward(ctx, g, indices=None, geometry=None):
        ctx.indices = indices
        return kernels.max_pool2d_backward(g, indices, geometry)

    @staticmethod
    def backward(ctx, h):
        idx = ctx.indices
        n, c = idx.shape[:2]
        picked = h.reshape(n, c, -1).gather(2, const(idx.reshape(n, c, -1)))
        return picked.reshape(idx.shape)


class AvgPool2d(Function):
    op = "avg_pool2d"

    @staticmethod
    def forward(ctx, x, geometry=None):
        ctx.geometry = geometry
        return kernels.avg_pool2d_forward(x, geometry)

    @staticmethod
    def backward(ctx, grad):
        return AvgPoolScatter.apply(grad, geometry=ctx.geometry)


class AvgPoolScatter(Function):
    op = "avg_pool2d_backward"

    @staticmethod
    def forward(ctx, g, geometry=None):
        ctx.geometry = geometry
        return kernels.avg_pool2d_backward(g, geometry)

    @staticmethod
    def backward(ctx, h):
        return AvgPool2d.apply(h, geometry=ctx.geometry)


def _check(op: str, input: Any) -> None:
    if not is_tensor(input):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"{op}: expected input of shape (N, C, H, W) or (C, H, W), got {input.shape}")


def _batched(input: Tensor, fn: Any) -> Any:
    if input.ndim == 4:
        return fn(input)
    out = fn(input.unsqueeze(0))
    return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)


def _stride(stride: Any) -> Any:
    return stride if stride not in (None, [], ()) else None


def _validated(op: str, x: Tensor, make: Any) -> Any:
    """``make()``, with a ValueError of the validation turned into PyTorch's RuntimeError
    naming the op and the input's shape."""
    try:
        return make()
    except ValueError as e:
        raise RuntimeError(f"{op}: invalid input of shape {tuple(x.shape)}: {e}") from None


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """2-D max pooling, as ``torch.nn.functional.max_pool2d`` (stride defaults to kernel_size).

    With ``return_indices=True`` also returns the flat index (within each H*W plane) of
    every maximum, as PyTorch does. ``ceil_mode=True`` keeps a last, partial window.

    >>> import autograd_core as ag
    >>> x = ag.arange(16.0).reshape(1, 1, 4, 4)
    >>> ag.max_pool2d(x, 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    >>> ag.max_pool2d(x, 3, stride=2, ceil_mode=True).tolist()
    [[[[10.0, 11.0], [14.0, 15.0]]]]
    """
    _check("max_pool2d", input)

    def run(x: Tensor) -> Any:
        geometry = _validated("max_pool2d", x, lambda: kernels.max_pool2d_geometry(
            x.shape, kernel_size, _stride(stride), padding, dilation, bool(ceil_mode)))
        if not return_indices:
            return MaxPool2d.apply(x, geometry=geometry)
        sink: list = []
        out = MaxPool2d.apply(x, geometry=geometry, indices_sink=sink)
        return out, const(sink[0].copy())     # the graph keeps its own

    return _batched(input, run)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d``: by default each window
    is divided by its size, zero padding included; ``count_include_pad=False`` counts
    only real pixels, ``divisor_override`` sets the divisor.

    >>> import autograd_core as ag
    >>> ag.avg_pool2d(ag.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    >>> ag.avg_pool2d(ag.ones(1, 1, 2, 2), 2, stride=1, padding=1,
    ...               count_include_pad=False).tolist()
    [[[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]]
    """
    _check("avg_pool2d", input)

    def run(x: Tensor) -> Tensor:
        geometry = _validated("avg_pool2d", x, lambda: kernels.avg_pool2d_geometry(
            x.shape, kernel_size, _stride(stride), padding, bool(ceil_mode),
            bool(count_include_pad), divisor_override))
        return AvgPool2d.apply(x, geometry=geometry)

    return _batched(input, run)
