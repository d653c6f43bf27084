"""Convolutions: ``conv1d`` and ``conv2d`` (the core's ``autograd_core.conv1d`` /
``conv2d``) and the transposed ``conv_transpose1d`` / ``conv_transpose2d``, with
PyTorch's signatures, weight layout (in_channels, out_channels / groups, kH, kW) and
output size

    H_out = (H_in - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding + 1

A transposed convolution is the gradient of a convolution with respect to its input:
it runs as the core op ``ConvInputGrad`` (whose backward is made of ``Conv2d`` and
``ConvWeightGrad``, so second derivatives work). The 1-D forms run in 2-D over a height
of 1.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.conv_transpose2d(ag.randn(2, 16, 7, 7), ag.randn(16, 8, 4, 4), stride=2, padding=1).shape
(2, 8, 14, 14)
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.conv import ConvInputGrad

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


def _ints(op: str, name: str, v: Any, n: int) -> tuple:
    if isinstance(v, (tuple, list)):
        if len(v) != n:
            raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {v!r}")
        return tuple(int(x) for x in v)
    if isinstance(v, str):
        raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {v!r} "
                         "(string padding is not supported for transposed convolutions)")
    return (int(v),) * n


def _check(op: str, input: Any, weight: Any, bias: Any, ndim: int) -> None:
    for name, t in (("input", input), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
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
    """The batched 2-D case, arguments already int pairs."""
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
        geometry = dict(stride=s, padding=p, dilation=d, groups=groups)
        y = ConvInputGrad.apply(x, weight, input_shape=(n, c_out) + out, geometry=geometry)
    else:
        # output_padding >= stride (allowed when dilation > stride): no conv2d input size
        # gives this output; compute the uncropped result, crop the padding and extend
        # with zeros (no tap reaches those positions)
        geometry = dict(stride=s, padding=(0, 0), dilation=d, groups=groups)
        y = ConvInputGrad.apply(x, weight, input_shape=(n, c_out) + full, geometry=geometry)
        y = y[:, :, p[0]:p[0] + out[0], p[1]:p[1] + out[1]]
        for axis in (2, 3):
            short = out[axis - 2] - y.shape[axis]
            if short > 0:
                shape = list(y.shape)
                shape[axis] = short
                y = ag.cat([y, ag.zeros(*shape, dtype=y.dtype)], axis)
    if bias is not None:
        y = y + bias.reshape(1, c_out, 1, 1)
    return y


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``.

    ``input`` (N, C_in, H, W) (or unbatched (C_in, H, W)) and ``weight``
    (C_in, C_out / groups, kH, kW) give (N, C_out, H_out, W_out).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.randn(2, 4, 5, 5, requires_grad=True)
    >>> w = ag.randn(4, 3, 3, 3, requires_grad=True)
    >>> y = F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)
    >>> y.shape
    (2, 3, 10, 10)
    >>> y.sum().backward(); x.grad.shape, w.grad.shape
    ((2, 4, 5, 5), (4, 3, 3, 3))
    """
    op = "conv_transpose2d"
    _check(op, input, weight, bias, 4)
    args = [_ints(op, name, v, 2) for name, v in (("stride", stride), ("padding", padding),
                                                   ("output_padding", output_padding),
                                                   ("dilation", dilation))]
    s, p, o, d = args
    if input.ndim == 3:
        return _transpose2d(op, input.unsqueeze(0), weight, bias, s, p, o, groups, d).squeeze(0)
    return _transpose2d(op, input, weight, bias, s, p, o, groups, d)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """1-D transposed convolution, as ``torch.nn.functional.conv_transpose1d``:
    (N, C_in, L) (or (C_in, L)) with weight (C_in, C_out / groups, k).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.conv_transpose1d(ag.ones(1, 2, 5), ag.ones(2, 3, 3), stride=2).shape
    (1, 3, 11)
    """
    op = "conv_transpose1d"
    _check(op, input, weight, bias, 3)
    s, p, o, d = (_ints(op, name, v, 1)[0] for name, v in
                  (("stride", stride), ("padding", padding), ("output_padding", output_padding),
                   ("dilation", dilation)))
    x = input.unsqueeze(-2)
    batched = input.ndim == 3
    y = _transpose2d(op, x if batched else x.unsqueeze(0), weight.unsqueeze(2), bias, (1, s),
                     (0, p), (0, o), groups, (1, d))
    y = y.squeeze(2)
    return y if batched else y.squeeze(0)
