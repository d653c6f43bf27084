"""Volumetric convolutions: ``conv3d`` and ``conv_transpose3d``, as stacks of the 2-D ones.

A 3-D convolution with a kernel of depth kD is one ``conv2d`` over (H, W): the kD depth
slices that each output depth reads are stacked into the channels (channel ``c * kD +
kd``), every output depth becomes a sample of the batch, and the weight (O, C / groups,
kD, kH, kW) is read as (O, C / groups * kD, kH, kW). The transposed form runs
``conv_transpose2d`` with the depth taps as extra output channels and adds each tap into
its output depth, ``i * stride + kd * dilation``, with ``index_add``; then it crops the
depth padding. Both are compositions of differentiable ops, so second derivatives work.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.conv3d(ag.randn(2, 3, 6, 6, 6), ag.randn(4, 3, 3, 3, 3), padding=1).shape
(2, 4, 6, 6, 6)
>>> F.conv_transpose3d(ag.randn(2, 4, 3, 3, 3), ag.randn(4, 2, 2, 2, 2), stride=2).shape
(2, 2, 6, 6, 6)
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .arguments import _scalar_type, _tensor
from .conv import conv2d, conv_transpose2d
from .padding import pad

__all__ = ["conv3d", "conv_transpose3d"]

def _triple(op: str, name: str, v: Any) -> tuple:
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            v = v[0]
        elif len(v) != 3:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of 3 "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={list(v)}")
        else:
            return tuple(int(x) for x in v)
    if isinstance(v, str):
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not str")
    return (int(v),) * 3


def _check(op: str, input: Any, weight: Any, bias: Any, transposed: bool) -> None:
    _tensor(input, op)
    _tensor(weight, op, "weight")
    if bias is not None:
        _tensor(bias, op, "bias")
    if input.ndim not in (4, 5):
        raise RuntimeError(f"Expected 4D (unbatched) or 5D (batched) input to {op}, but got "
                           f"input of size: {list(input.shape)}")
    if weight.ndim != 5:
        layout = "in, out / groups" if transposed else "out, in / groups"
        raise RuntimeError(f"{op}: expected a 5-D weight ({layout}, kD, kH, kW), got shape "
                           f"{list(weight.shape)}")
    for t in (weight, bias):
        if t is not None and t.dtype != input.dtype:
            raise RuntimeError(f"expected scalar type {_scalar_type(input.dtype)} but found "
                               f"{_scalar_type(t.dtype)}")


def _check_weight_groups(weight: Tensor, groups: int) -> None:
    """The weight's first dim (C_out of a convolution, C_in of a transposed one) splits into
    ``groups``, with PyTorch's message."""
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {[list(weight.shape)]} "
                           "instead")


def _check_geometry(s: tuple, p: tuple, d: tuple, groups: int) -> None:
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if min(s) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(p) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation={list(d)}")


def _same_padding(k: tuple, d: tuple) -> tuple[tuple, tuple]:
    """PyTorch's ``padding='same'``: a total of ``d (k - 1)`` per dim, the odd one extra on
    the right."""
    total = [di * (ki - 1) for ki, di in zip(k, d)]
    return tuple(t // 2 for t in total), tuple(t - t // 2 for t in total)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D convolution (cross-correlation) of (N, C_in, D, H, W) or unbatched
    (C_in, D, H, W) input with a weight (C_out, C_in / groups, kD, kH, kW), as
    ``torch.nn.functional.conv3d``; ``padding`` is an int, a triple, ``'valid'`` or
    ``'same'``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.conv3d(ag.ones(1, 1, 3, 3, 3), ag.ones(1, 1, 3, 3, 3)).tolist()
    [[[[[27.0]]]]]
    """
    op = "conv3d"
    _check(op, input, weight, bias, transposed=False)
    if input.ndim == 4:
        return conv3d(input.unsqueeze(0), weight, bias, stride, padding, dilation,
                      groups).squeeze(0)
    s, d = _triple(op, "stride", stride), _triple(op, "dilation", dilation)
    k = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if padding == "same" and any(v != 1 for v in s):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        left, right = _same_padding(k, d) if padding == "same" else ((0,) * 3, (0,) * 3)
    else:
        left = right = _triple(op, "padding", padding)
    _check_geometry(s, left, d, groups)
    n, c = input.shape[:2]
    c_out, c_in_g = weight.shape[:2]
    _check_weight_groups(weight, groups)
    if c != c_in_g * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {c_in_g * groups} channels, but "
                           f"got {c} channels instead")
    if bias is not None and tuple(bias.shape) != (c_out,):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {c_out} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    padded = tuple(size + lo + hi for size, lo, hi in zip(input.shape[2:], left, right))
    extent = tuple(di * (ki - 1) + 1 for ki, di in zip(k, d))
    if any(e > size for e, size in zip(extent, padded)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))})"
                           f". Kernel size: ({' x '.join(map(str, extent))}). Kernel size can't be "
                           "greater than actual input size")
    x = input
    # depth padding (and the extra right column of an even 'same' kernel) by pad; the
    # symmetric height/width padding by conv2d
    extra = (0, right[2] - left[2], 0, right[1] - left[1], left[0], right[0])
    if any(extra):
        x = pad(x, extra)
    kd, sd, dd = k[0], s[0], d[0]
    d_out = (x.shape[2] - extent[0]) // sd + 1
    span = (d_out - 1) * sd + 1
    if kd == 1:
        stack = x[:, :, :span:sd].unsqueeze(3)                      # (N, C, Do, 1, H, W)
    else:
        stack = ag.stack([x[:, :, j * dd:j * dd + span:sd] for j in range(kd)], 3)
    h, w = x.shape[3:]
    x2 = stack.permute(0, 2, 1, 3, 4, 5).reshape(n * d_out, c * kd, h, w)
    w2 = weight.reshape(c_out, c_in_g * kd, k[1], k[2])
    y = conv2d(x2, w2, None, s[1:], left[1:], d[1:], groups)    # (N Do, C_out, Ho, Wo)
    y = y.reshape(n, d_out, c_out, y.shape[2], y.shape[3]).permute(0, 2, 1, 3, 4)
    if bias is not None:
        y = y + bias.reshape(1, c_out, 1, 1, 1)
    return y


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """3-D transposed convolution of (N, C_in, D, H, W) or unbatched (C_in, D, H, W) input
    with a weight (C_in, C_out / groups, kD, kH, kW), as
    ``torch.nn.functional.conv_transpose3d``: each output dim is
    ``(in - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.conv_transpose3d(ag.ones(1, 1, 1, 1, 1), ag.ones(1, 1, 2, 2, 2)).tolist()
    [[[[[1.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]]]]
    """
    op = "conv_transpose3d"
    _check(op, input, weight, bias, transposed=True)
    if input.ndim == 4:
        return conv_transpose3d(input.unsqueeze(0), weight, bias, stride, padding,
                                output_padding, groups, dilation).squeeze(0)
    s, p = _triple(op, "stride", stride), _triple(op, "padding", padding)
    o, d = _triple(op, "output_padding", output_padding), _triple(op, "dilation", dilation)
    _check_geometry(s, p, d, groups)
    if min(o) < 0:
        raise RuntimeError("negative output_padding is not supported")
    if any(oi >= max(si, di) for oi, si, di in zip(o, s, d)):
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           f"got output_padding_depth: {o[0]} output_padding_height: {o[1]} "
                           f"output_padding_width: {o[2]} stride_depth: {s[0]} stride_height: "
                           f"{s[1]} stride_width: {s[2]} dilation_depth: {d[0]} "
                           f"dilation_height: {d[1]} dilation_width: {d[2]}")
    n, c = input.shape[:2]
    c_in, c_out_g = weight.shape[:2]
    _check_weight_groups(weight, groups)
    if c != c_in:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {c_in} channels, but got {c} "
                           "channels instead")
    c_out = c_out_g * groups
    if bias is not None and tuple(bias.shape) != (c_out,):
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"bias to be 1-dimensional with {c_out} elements, but got bias of "
                           f"size {list(bias.shape)} instead")
    k = tuple(weight.shape[2:])
    sizes = tuple(input.shape[2:])
    full = tuple((i - 1) * si + di * (ki - 1) + 1 for i, si, di, ki in zip(sizes, s, d, k))
    out = tuple(f - 2 * pi + oi for f, pi, oi in zip(full, p, o))
    if min(out) <= 0 or min(sizes) <= 0:
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, sizes))}). "
                           f"Calculated output size per channel: ({' x '.join(map(str, out))})."
                           " Output size is too small")
    kd = k[0]
    d_in, h, w = sizes
    x2 = input.permute(0, 2, 1, 3, 4).reshape(n * d_in, c, h, w)
    w2 = weight.reshape(c_in, c_out_g * kd, k[1], k[2])       # channel o * kD + kd
    y = conv_transpose2d(x2, w2, None, s[1:], p[1:], o[1:], groups, d[1:])
    ho, wo = y.shape[2:]
    # (N, Di, C_out, kD, Ho, Wo) -> (N, Di, kD, C_out, Ho, Wo): tap (i, kd) adds into depth
    # i * stride + kd * dilation of the uncropped output
    y = y.reshape(n, d_in, c_out, kd, ho, wo).permute(0, 1, 3, 2, 4, 5)
    y = y.reshape(n, d_in * kd, c_out, ho, wo)
    depth = (np.arange(d_in)[:, None] * s[0] + np.arange(kd)[None, :] * d[0]).reshape(-1)
    if kd == 1 and s[0] == 1:
        z = y
    else:
        z = ag.zeros(n, full[0], c_out, ho, wo, dtype=y.dtype).index_add(
            1, ag.from_numpy(depth), y)
    lo, hi = p[0], p[0] + out[0]
    z = z[:, lo:min(hi, full[0])]
    if hi > full[0]:  # output padding past the last tap: zeros
        z = pad(z, (0, 0, 0, 0, 0, 0, 0, hi - full[0]))
    y = z.permute(0, 2, 1, 3, 4)
    if bias is not None:
        y = y + bias.reshape(1, c_out, 1, 1, 1)
    return y
