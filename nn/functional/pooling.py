"""Pooling: ``max_pool1d/2d`` and ``avg_pool1d/2d`` (the core's ``max_pool2d`` /
``avg_pool2d``; the 1-D forms on a height-1 image), ``adaptive_avg_pool1d/2d`` and
``adaptive_max_pool1d/2d``, with PyTorch's bins: output cell i covers
``[floor(i n / o), ceil((i + 1) n / o))`` of an input dim of size n.

Adaptive average pooling multiplies by averaging matrices (``P_h @ x @ P_w^T``);
adaptive max pooling finds the winners (the first maximum, NaN wins, as PyTorch) and
picks them with ``gather``, so the gradient flows to them only. Every one is
differentiable to any order.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.adaptive_max_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 0.0, 5.0]]]), 2).tolist()
[[[3.0, 5.0]]]
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.onnx import is_in_onnx_export

from .arguments import _tensor

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d"]


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """2-D max pooling; ``autograd_core.max_pool2d``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.max_pool2d(ag.ones(1, 1, 4, 4), 2).shape
    (1, 1, 2, 2)
    """
    return ag.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode,
                         return_indices=return_indices)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """2-D average pooling; ``autograd_core.avg_pool2d``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.avg_pool2d(ag.ones(1, 1, 4, 4), 2).shape
    (1, 1, 2, 2)
    """
    return ag.avg_pool2d(input, kernel_size, stride, padding, ceil_mode=ceil_mode,
                         count_include_pad=count_include_pad, divisor_override=divisor_override)


def _bins(n_in: int, n_out: int) -> list:
    """PyTorch's adaptive bins: output cell i covers ``[floor(i n_in / n_out),
    ceil((i + 1) n_in / n_out))`` of the input."""
    return [((i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)) for i in range(n_out)]


def _averaging(n_in: int, n_out: int, dtype: np.dtype, transposed: bool = False) -> Tensor:
    """The (n_out, n_in) averaging matrix of adaptive pooling over ``_bins`` (or its
    transpose), a constant."""
    m = np.zeros((n_out, n_in), dtype=dtype)
    for i, (start, end) in enumerate(_bins(n_in, n_out)):
        m[i, start:end] = 1.0 / (end - start)
    return ag.from_numpy(np.ascontiguousarray(m.T) if transposed else m)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed output size (H_out, W_out), PyTorch's bins.

    Written as ``P_h @ x @ P_w^T`` with averaging matrices, so it is differentiable
    to any order.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.adaptive_avg_pool2d(ag.arange(16.0).reshape(1, 1, 4, 4), 1).tolist()
    [[[[7.5]]]]
    """
    _tensor(input, "adaptive_avg_pool2d")
    if input.ndim not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d: expected 3D or 4D input (C, H, W) or "
                         f"(N, C, H, W), got shape {tuple(input.shape)}")
    h, w = input.shape[-2:]
    oh, ow = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    oh = h if oh is None else oh
    ow = w if ow is None else ow
    if oh <= 0 or ow <= 0:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size}")
    if (oh, ow) == (1, 1):
        return input.mean((-2, -1), keepdim=True)
    out = input
    if oh != h:
        out = _averaging(h, oh, input.dtype) @ out
    if ow != w:
        out = out @ _averaging(w, ow, input.dtype, transposed=True)
    return out


def _single(value: Any, fn: str, name: str) -> int:
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{fn}: {name} must be an int or a 1-tuple, got {tuple(value)}")
        value = value[0]
    return int(value)


def _check1d(input: Tensor, fn: str) -> None:
    _tensor(input, fn)
    if input.ndim not in (2, 3):
        raise ValueError(f"{fn}: expected 2D (C, L) or 3D (N, C, L) input, got shape "
                         f"{tuple(input.shape)}")


def _window1d(input: Tensor, fn: str, kernel_size: Any, stride: Any,
              padding: Any) -> tuple[int, int, int]:
    """Check a 1-D pooling's input; its kernel size, stride (the kernel size by default)
    and padding as ints."""
    _check1d(input, fn)
    k = _single(kernel_size, fn, "kernel_size")
    s = k if stride is None or stride == () else _single(stride, fn, "stride")
    return k, s, _single(padding, fn, "padding")


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """1-D max pooling of (N, C, L) or (C, L) input, as ``max_pool2d`` on a height-1 image.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.max_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[3.0, 2.0]]]
    """
    k, s, p = _window1d(input, "max_pool1d", kernel_size, stride, padding)
    out = max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p),
                     (1, _single(dilation, "max_pool1d", "dilation")), ceil_mode=ceil_mode,
                     return_indices=return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """1-D average pooling of (N, C, L) or (C, L) input, as ``avg_pool2d`` on a height-1 image.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.avg_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[2.0, 1.0]]]
    """
    k, s, p = _window1d(input, "avg_pool1d", kernel_size, stride, padding)
    out = avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode=ceil_mode,
                     count_include_pad=count_include_pad)
    return out.squeeze(-2)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of (N, C, L) or (C, L) input to a fixed length, PyTorch's bins.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.adaptive_avg_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[2.0, 1.0]]]
    """
    _check1d(input, "adaptive_avg_pool1d")
    n = input.shape[-1]
    o = _single(output_size, "adaptive_avg_pool1d", "output_size")
    if o <= 0:
        raise ValueError(f"adaptive_avg_pool1d: output_size must be positive, got {output_size}")
    if o == n:
        return input * 1.0
    if o == 1:
        return input.mean(-1, keepdim=True)
    return input @ _averaging(n, o, input.dtype, transposed=True)


def _pool2d(input: Tensor, oh: int, ow: int, return_indices: bool) -> Any:
    """Adaptive max pooling of the last two dims: each bin's winner (``argmax``: the first
    maximum, NaN wins) picked with ``gather``."""
    h, w = input.shape[-2:]
    lead = tuple(input.shape[:-2])
    if is_in_onnx_export() and not return_indices:
        # export records each bin's max; the winners' indices come from the data
        rows = [ag.stack([input[..., h0:h1, w0:w1].amax((-2, -1)) for w0, w1 in _bins(w, ow)],
                         -1) for h0, h1 in _bins(h, oh)]
        return ag.stack(rows, -2)
    x = input.detach()
    idx = np.empty(lead + (oh, ow), dtype=np.int64)
    for i, (h0, h1) in enumerate(_bins(h, oh)):
        for j, (w0, w1) in enumerate(_bins(w, ow)):
            k = x[..., h0:h1, w0:w1].reshape(lead + (-1,)).argmax(-1).numpy()
            idx[..., i, j] = (h0 + k // (w1 - w0)) * w + w0 + k % (w1 - w0)
    index = ag.from_numpy(idx)
    out = input.reshape(lead + (h * w,)).gather(input.ndim - 2, index.reshape(lead + (oh * ow,)))
    out = out.reshape(lead + (oh, ow))
    return (out, index) if return_indices else out


def _check_size(fn: str, size: Any, n: int, default: tuple) -> tuple:
    sizes = (size,) * n if isinstance(size, int) or size is None else tuple(size)
    if len(sizes) != n:
        raise ValueError(f"{fn}: output_size must be an int or a {n}-tuple, got {size}")
    sizes = tuple(d if s is None else int(s) for s, d in zip(sizes, default))
    if any(s <= 0 for s in sizes):
        raise ValueError(f"{fn}: output_size must be positive, got {size}")
    return sizes


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of (N, C, H, W) or (C, H, W) input to a fixed (oh, ow) size (an int, or
    a pair where None keeps the input's size); with ``return_indices``, also the flat
    positions of the maxima in each (H, W) plane.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> out, idx = F.adaptive_max_pool2d(ag.arange(16.0).reshape(1, 1, 4, 4), 2, True)
    >>> out.tolist(), idx.tolist()
    ([[[[5.0, 7.0], [13.0, 15.0]]]], [[[[5, 7], [13, 15]]]])
    """
    _tensor(input, "adaptive_max_pool2d")
    if input.ndim not in (3, 4) or 0 in input.shape[-2:]:
        raise ValueError(f"adaptive_max_pool2d: expected non-empty 3D (C, H, W) or 4D "
                         f"(N, C, H, W) input, got shape {tuple(input.shape)}")
    oh, ow = _check_size("adaptive_max_pool2d", output_size, 2, tuple(input.shape[-2:]))
    return _pool2d(input, oh, ow, return_indices)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of (N, C, L) or (C, L) input to a fixed length; with
    ``return_indices``, also the positions of the maxima along L.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> out, idx = F.adaptive_max_pool1d(ag.tensor([[4.0, 1.0, 2.0, 6.0]]), 2, True)
    >>> out.tolist(), idx.tolist()
    ([[4.0, 6.0]], [[0, 3]])
    """
    _check1d(input, "adaptive_max_pool1d")
    if input.shape[-1] == 0:
        raise ValueError(f"adaptive_max_pool1d: expected a non-empty L dim, got shape "
                         f"{tuple(input.shape)}")
    (o,) = _check_size("adaptive_max_pool1d", output_size, 1, (input.shape[-1],))
    out = _pool2d(input.unsqueeze(-2), 1, o, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)
