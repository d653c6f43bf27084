"""Convolution: ``conv2d``, ``conv1d`` and the transposed ``conv_transpose2d`` /
``conv_transpose1d``, with PyTorch's signatures.

A convolution is bilinear in (input, weight), and so are its two gradients. The three
ops below close over each other: each one's backward is made of the other two, so
second derivatives work with no extra code.

    Conv2d(x, w)          backward: dx = ConvInputGrad(g, w), dw = ConvWeightGrad(g, x)
    ConvInputGrad(g, w)   backward: dg = Conv2d(h, w),         dw = ConvWeightGrad(g, h)
    ConvWeightGrad(g, x)  backward: dg = Conv2d(x, h),         dx = ConvInputGrad(g, h)

The arguments are validated once, by the public functions, into a
``kernels.ConvGeometry`` that every one of the three ops keeps and hands unchanged to
its kernel (``autograd_core.kernels``: NumPy/BLAS or Numba). conv1d runs as conv2d over
a height of 1. A transposed convolution is the gradient of a convolution with respect
to its input: it runs as ``ConvInputGrad``.
"""
from __future__ import annotations

from typing import Any, Callable, TYPE_CHECKING

import numpy as np

from .. import kernels
from ..autograd.function import Function, const, is_tensor
from .movement import Cat

if TYPE_CHECKING:  # for annotations only: the Tensor type sits above this layer
    from ..tensor import Tensor


class Conv2d(Function):
    op = "conv2d"

    @staticmethod
    def forward(ctx, x, w, b=None, geometry=None):
        ctx.geometry = geometry
        ctx.save_for_backward(x, w)
        return kernels.conv2d_forward(x, w, b, geometry)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        geo = ctx.geometry
        gx = ConvInputGrad.apply(grad, w, geometry=geo) if need[0] else None
        gw = ConvWeightGrad.apply(grad, x, geometry=geo) if need[1] else None
        if len(need) == 2:
            return gx, gw
        gb = grad.sum((0, 2, 3)) if need[2] else None
        return gx, gw, gb


class ConvInputGrad(Function):
    """The gradient of conv2d with respect to its input (a transposed convolution)."""

    op = "conv2d_input_grad"

    @staticmethod
    def forward(ctx, g, w, geometry=None):
        ctx.geometry = geometry
        ctx.save_for_backward(g, w)
        return kernels.conv2d_backward_input(g, w, geometry)

    @staticmethod
    def backward(ctx, h):
        g, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        geo = ctx.geometry
        dg = Conv2d.apply(h, w, geometry=geo) if need[0] else None
        dw = ConvWeightGrad.apply(g, h, geometry=geo) if need[1] else None
        return dg, dw


class ConvWeightGrad(Function):
    """The gradient of conv2d with respect to its weight."""

    op = "conv2d_weight_grad"

    @staticmethod
    def forward(ctx, g, x, geometry=None):
        ctx.geometry = geometry
        ctx.save_for_backward(g, x)
        return kernels.conv2d_backward_weight(g, x, geometry)

    @staticmethod
    def backward(ctx, h):
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        geo = ctx.geometry
        dg = Conv2d.apply(x, h, geometry=geo) if need[0] else None
        dx = ConvInputGrad.apply(g, h, geometry=geo) if need[1] else None
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


def _validated(op: str, tensors: tuple, make: Callable[[], Any]) -> Any:
    """``make()``, with a ValueError of the validation turned into PyTorch's RuntimeError
    naming the op and the shapes of its tensors."""
    try:
        return make()
    except ValueError as e:
        shapes = " and ".join(str(tuple(t.shape)) for t in tensors if t is not None)
        raise RuntimeError(f"{op}: invalid input of shape {shapes}: {e}") from None


def _apply_conv2d(op: str, input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,
                  padding: Any, dilation: Any, groups: int, shown: tuple) -> Tensor:
    """Validate once into a geometry, then run ``Conv2d`` on 4-D ``input`` and ``weight``
    (errors show the shapes of the tensors ``shown``)."""
    geometry = _validated(op, shown, lambda: kernels.conv2d_geometry(
        input.shape, weight.shape, stride, padding, dilation, groups, op=op))
    if bias is None:
        return Conv2d.apply(input, weight, geometry=geometry)
    return Conv2d.apply(input, weight, bias, geometry=geometry)


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
    return _apply_conv2d("conv2d", input, weight, bias, stride, padding, dilation, groups,
                         (input, weight, bias))


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
    out = _apply_conv2d("conv1d", input.unsqueeze(2), weight.unsqueeze(2), bias, (1, s), (0, p),
                        (1, d), groups, (input, weight, bias))
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


# --------------------------------------------------------------------------- transposed
def _ints(op: str, name: str, v: Any, n: int) -> tuple:
    if isinstance(v, (tuple, list)):
        if len(v) != n:
            raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {v!r}")
        return tuple(int(x) for x in v)
    if isinstance(v, str):
        raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {v!r} "
                         "(string padding is not supported for transposed convolutions)")
    return (int(v),) * n


def _check_transposed(op: str, input: Any, weight: Any, bias: Any, ndim: int) -> None:
    for name, t in (("input", input), ("weight", weight)):
        if not is_tensor(t):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if bias is not None and not is_tensor(bias):
        raise TypeError(f"{op}: bias must be a Tensor or None, got {type(bias).__name__}")
    if weight.ndim != ndim:
        raise ValueError(f"{op}: expected a {ndim}-D weight (in_channels, out_channels/groups, "
                         f"{'kH, kW' if ndim == 4 else 'kL'}), got {tuple(weight.shape)}")
    if input.ndim not in (ndim - 1, ndim):
        raise ValueError(f"{op}: expected {ndim - 1}D (unbatched) or {ndim}D (batched) input, "
                         f"got shape {tuple(input.shape)}")
    dtypes = {input.dtype, weight.dtype} | ({bias.dtype} if bias is not None else set())
    if len(dtypes) > 1:
        raise TypeError(f"{op}: input, weight and bias must have the same dtype, got "
                        f"{', '.join(str(d) for d in sorted(dtypes, key=str))}")


def _transpose2d(op: str, x: Tensor, weight: Tensor, bias: Tensor | None, s: tuple, p: tuple,
                 op_: tuple, groups: int, d: tuple) -> Tensor:
    """The batched 2-D case, arguments already int pairs: validated once into the
    geometry of the convolution whose input gradient it is."""
    if any(v <= 0 for v in s) or any(v <= 0 for v in d) or any(v < 0 for v in p + op_):
        raise ValueError(f"{op}: stride and dilation must be positive and padding and "
                         f"output_padding non-negative, got stride={s}, dilation={d}, "
                         f"padding={p}, output_padding={op_}")
    if any(o >= max(si, di) for o, si, di in zip(op_, s, d)):
        raise ValueError(f"{op}: output padding must be smaller than either stride or dilation, "
                         f"but got output_padding={op_}, stride={s}, dilation={d}")
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups <= 0:
        raise ValueError(f"{op}: groups must be a positive integer, got {groups!r}")
    n, c, h, w = x.shape
    c_in, c_out_g, kh, kw = weight.shape
    if c != c_in:
        raise ValueError(f"{op}: Given transposed=1, weight of size {list(weight.shape)}, "
                         f"expected input{list(x.shape)} to have {c_in} channels, but got {c} "
                         "channels instead")
    if c_in % groups != 0:
        raise ValueError(f"{op}: in_channels ({c_in}, weight.size(0)) must be divisible by "
                         f"groups ({groups})")
    c_out = c_out_g * groups
    if bias is not None and tuple(bias.shape) != (c_out,):
        raise ValueError(f"{op}: expected bias of shape ({c_out},), got {tuple(bias.shape)}")
    full = ((h - 1) * s[0] + d[0] * (kh - 1) + 1, (w - 1) * s[1] + d[1] * (kw - 1) + 1)
    out = (full[0] - 2 * p[0] + op_[0], full[1] - 2 * p[1] + op_[1])
    if min(out) <= 0 or min(h, w) <= 0:
        raise ValueError(f"{op}: Given input size per channel: ({h} x {w}). Calculated output "
                         f"size per channel: ({out[0]} x {out[1]}). Output size is too small")
    if op_[0] < s[0] and op_[1] < s[1]:
        # the usual case: the gradient of a conv2d of an input of the output's size
        geometry = _validated(op, (x, weight), lambda: kernels.conv2d_geometry(
            (n, c_out) + out, weight.shape, s, p, d, groups, op=op))
        y = ConvInputGrad.apply(x, weight, geometry=geometry)
    else:
        # output_padding >= stride (allowed when dilation > stride): no conv2d input size
        # gives this output; compute the uncropped result, crop the padding and extend
        # with zeros (no tap reaches those positions)
        geometry = _validated(op, (x, weight), lambda: kernels.conv2d_geometry(
            (n, c_out) + full, weight.shape, s, (0, 0), d, groups, op=op))
        y = ConvInputGrad.apply(x, weight, geometry=geometry)
        y = y[:, :, p[0]:p[0] + out[0], p[1]:p[1] + out[1]]
        for axis in (2, 3):
            short = out[axis - 2] - y.shape[axis]
            if short > 0:
                shape = list(y.shape)
                shape[axis] = short
                y = Cat.apply(y, const(np.zeros(shape, y._data.dtype)), dim=axis)
    if bias is not None:
        y = y + bias.reshape(1, c_out, 1, 1)
    return y


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``.

    ``input`` (N, C_in, H, W) (or unbatched (C_in, H, W)) and ``weight``
    (C_in, C_out / groups, kH, kW) give (N, C_out, H_out, W_out), where

        H_out = (H_in - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding + 1

    >>> import autograd_core as ag
    >>> x = ag.randn(2, 4, 5, 5, requires_grad=True)
    >>> w = ag.randn(4, 3, 3, 3, requires_grad=True)
    >>> y = ag.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)
    >>> y.shape
    (2, 3, 10, 10)
    >>> y.sum().backward(); x.grad.shape, w.grad.shape
    ((2, 4, 5, 5), (4, 3, 3, 3))
    """
    op = "conv_transpose2d"
    _check_transposed(op, input, weight, bias, 4)
    s, p, o, d = [_ints(op, name, v, 2) for name, v in (("stride", stride), ("padding", padding),
                                                         ("output_padding", output_padding),
                                                         ("dilation", dilation))]
    if input.ndim == 3:
        return _transpose2d(op, input.unsqueeze(0), weight, bias, s, p, o, groups, d).squeeze(0)
    return _transpose2d(op, input, weight, bias, s, p, o, groups, d)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """1-D transposed convolution, as ``torch.nn.functional.conv_transpose1d``:
    (N, C_in, L) (or (C_in, L)) with weight (C_in, C_out / groups, k); runs in 2-D over a
    height of 1.

    >>> import autograd_core as ag
    >>> ag.conv_transpose1d(ag.ones(1, 2, 5), ag.ones(2, 3, 3), stride=2).shape
    (1, 3, 11)
    """
    op = "conv_transpose1d"
    _check_transposed(op, input, weight, bias, 3)
    s, p, o, d = (_ints(op, name, v, 1)[0] for name, v in
                  (("stride", stride), ("padding", padding), ("output_padding", output_padding),
                   ("dilation", dilation)))
    x = input.unsqueeze(-2)
    batched = input.ndim == 3
    y = _transpose2d(op, x if batched else x.unsqueeze(0), weight.unsqueeze(2), bias, (1, s),
                     (0, p), (0, o), groups, (1, d))
    y = y.squeeze(2)
    return y if batched else y.squeeze(0)
