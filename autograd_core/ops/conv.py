"""Convolution: ``conv2d`` and ``conv1d`` with PyTorch's signatures.

A convolution is bilinear in (input, weight), and so are its two gradients. The three
ops below close over each other: each one's backward is made of the other two, so
second derivatives work with no extra code.

    Conv2d(x, w)          backward: dx = ConvInputGrad(g, w), dw = ConvWeightGrad(g, x)
    ConvInputGrad(g, w)   backward: dg = Conv2d(h, w),         dw = ConvWeightGrad(g, h)
    ConvWeightGrad(g, x)  backward: dg = Conv2d(x, h),         dx = ConvInputGrad(g, h)

The arithmetic lives in ``autograd_core.kernels`` (NumPy/BLAS or Numba, chosen per shape).
"""
from __future__ import annotations

from typing import Any, TYPE_CHECKING

from .. import kernels
from ..autograd.function import Function, is_tensor

if TYPE_CHECKING:  # for annotations only: the Tensor type sits above this layer
    from ..tensor import Tensor


class Conv2d(Function):
    op = "conv2d"

    @staticmethod
    def forward(ctx, x, w, b=None, geometry=None):
        ctx.geometry = geometry
        ctx.save_for_backward(x, w)
        return kernels.conv2d_forward(x, w, b, **geometry)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        geo = ctx.geometry
        gx = ConvInputGrad.apply(grad, w, input_shape=x.shape, geometry=geo) if need[0] else None
        gw = ConvWeightGrad.apply(grad, x, weight_shape=w.shape, geometry=geo) if need[1] else None
        if len(need) == 2:
            return gx, gw
        gb = grad.sum((0, 2, 3)) if need[2] else None
        return gx, gw, gb


class ConvInputGrad(Function):
    """The gradient of conv2d with respect to its input (a transposed convolution)."""

    op = "conv2d_input_grad"

    @staticmethod
    def forward(ctx, g, w, input_shape=(), geometry=None):
        ctx.geometry = geometry
        ctx.save_for_backward(g, w)
        return kernels.conv2d_backward_input(g, w, input_shape, **geometry)

    @staticmethod
    def backward(ctx, h):
        g, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        geo = ctx.geometry
        dg = Conv2d.apply(h, w, geometry=geo) if need[0] else None
        dw = ConvWeightGrad.apply(g, h, weight_shape=w.shape, geometry=geo) if need[1] else None
        return dg, dw


class ConvWeightGrad(Function):
    """The gradient of conv2d with respect to its weight."""

    op = "conv2d_weight_grad"

    @staticmethod
    def forward(ctx, g, x, weight_shape=(), geometry=None):
        ctx.geometry = geometry
        ctx.save_for_backward(g, x)
        return kernels.conv2d_backward_weight(g, x, weight_shape, **geometry)

    @staticmethod
    def backward(ctx, h):
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        geo = ctx.geometry
        dg = Conv2d.apply(x, h, geometry=geo) if need[0] else None
        dx = ConvInputGrad.apply(g, h, input_shape=x.shape, geometry=geo) if need[1] else None
        return dg, dx


def _check(op: str, input: Any, weight: Any, bias: Any, ndim: int, layout: str) -> None:
    for name, t in (("input", input), ("weight", weight)):
        if not is_tensor(t):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if input.ndim != ndim:
        raise RuntimeError(f"{op}: expected input of shape {layout} ({ndim}-D), got {input.shape}")
    if weight.ndim != ndim:
        raise RuntimeError(f"{op}: expected a {ndim}-D weight, got {weight.shape}")
    if bias is not None and not is_tensor(bias):
        raise TypeError(f"{op}: bias must be a Tensor or None, got {type(bias).__name__}")
    dtypes = {input.dtype, weight.dtype} | ({bias.dtype} if bias is not None else set())
    if len(dtypes) > 1:
        raise TypeError(f"{op}: input, weight and bias must have the same dtype, got "
                        f"{', '.join(str(d) for d in sorted(dtypes, key=str))}")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation), as ``torch.nn.functional.conv2d``.

    ``input`` (N, C, H, W) and ``weight`` (K, C/groups, kh, kw) give (N, K, OH, OW).
    ``padding`` may also be ``'same'`` or ``'valid'``.

    >>> import autograd_core as ag
    >>> x = ag.randn(2, 3, 8, 8, requires_grad=True)
    >>> w = ag.randn(4, 3, 3, 3, requires_grad=True)
    >>> y = ag.conv2d(x, w, padding=1)
    >>> y.shape
    (2, 4, 8, 8)
    >>> y.sum().backward(); x.grad.shape, w.grad.shape
    ((2, 3, 8, 8), (4, 3, 3, 3))
    """
    _check("conv2d", input, weight, bias, 4, "(N, C, H, W)")
    if isinstance(padding, str):
        padding = _string_padding("conv2d", padding, weight.shape[2:], dilation, stride)
    geometry = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    if bias is None:
        return Conv2d.apply(input, weight, geometry=geometry)
    return Conv2d.apply(input, weight, bias, geometry=geometry)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution, as ``torch.nn.functional.conv1d``: (N, C, L) * (K, C/groups, k).

    Runs as a 2-D convolution over a height of 1.

    >>> import autograd_core as ag
    >>> ag.conv1d(ag.ones(1, 2, 5), ag.ones(3, 2, 3), padding=1).shape
    (1, 3, 5)
    """
    _check("conv1d", input, weight, bias, 3, "(N, C, L)")
    if isinstance(padding, str):
        padding = _string_padding("conv1d", padding, weight.shape[2:], dilation, stride)
    s, p, d = (_one("conv1d", n, v) for n, v in (("stride", stride), ("padding", padding),
                                                  ("dilation", dilation)))
    out = conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, s), (0, p), (1, d), groups)
    return out.squeeze(2)


def _one(op: str, name: str, v: Any) -> int:
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise RuntimeError(f"{op}: {name} must be an int or a 1-tuple, got {v!r}")
        v = v[0]
    return int(v)


def _string_padding(op: str, padding: str, ksize: tuple, dilation: Any, stride: Any) -> Any:
    if padding == "valid":
        return 0 if len(ksize) == 1 else (0, 0)
    if padding != "same":
        raise RuntimeError(f"{op}: padding must be an int, a tuple, 'same' or 'valid', got {padding!r}")
    strides = stride if isinstance(stride, (tuple, list)) else (stride,) * len(ksize)
    if any(s != 1 for s in strides):
        raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions")
    dil = dilation if isinstance(dilation, (tuple, list)) else (dilation,) * len(ksize)
    total = [d * (k - 1) for d, k in zip(dil, ksize)]
    if any(t % 2 for t in total):
        raise NotImplementedError(f"{op}: padding='same' with an even kernel extent {tuple(ksize)} "
                                  "needs asymmetric padding, which is not supported")
    pads = tuple(t // 2 for t in total)
    return pads[0] if len(pads) == 1 else pads
