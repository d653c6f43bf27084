"""Max unpooling, the partial inverse of max pooling: ``max_unpool1d/2d/3d`` put each value
at its flat index (as ``return_indices`` gives it) in a zero output, with ``scatter``, so
they are differentiable to any order.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> out, idx = F.max_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2, return_indices=True)
>>> F.max_unpool1d(out, idx, 2).tolist()
[[[0.0, 3.0, 2.0, 0.0]]]
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .arguments import _array, _ntuple, _tensor

__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d"]


def _unpool_output_size(input: Tensor, k: tuple, s: tuple, p: tuple,
                        output_size: Any) -> tuple:
    """PyTorch's ``_unpool_output_size``: (in - 1) * stride + kernel - 2 * padding per dim,
    or ``output_size`` (its last n entries) when it is within a stride of that."""
    n = len(k)
    default = [(input.shape[input.ndim - n + i] - 1) * s[i] + k[i] - 2 * p[i] for i in range(n)]
    if output_size is None:
        return tuple(default)
    size = [int(v) for v in output_size]
    if len(size) == n + 2:
        size = size[2:]
    if len(size) != n:
        raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, "
                         f"but it has a length of '{len(size)}'")
    for i in range(n):
        lo, hi = default[i] - s[i], default[i] + s[i]
        if not lo < size[i] < hi:
            raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {i} must be '
                             f"between {lo} and {hi})")
    return tuple(size)


def _max_unpool(input: Any, indices: Any, kernel_size: Any, stride: Any, padding: Any,
                output_size: Any, n: int) -> Tensor:
    _tensor(input, f"max_unpool{n}d")
    k = _ntuple(kernel_size, n, f"max_unpool{n}d: kernel_size must be an int or a tuple of "
                                f"{n} ints")
    s = _ntuple(stride, n, f"max_unpool{n}d: stride must be an int or a tuple of {n} ints",
                allow_none=True) or k
    p = _ntuple(padding, n, f"max_unpool{n}d: padding must be an int or a tuple of {n} ints")
    out_size = _unpool_output_size(input, k, s, p, output_size)
    m = max(n, 2)  # PyTorch runs the 1-D form as 2-D with a trailing size-1 dim
    ndim = input.ndim + (m - n)
    if ndim not in (m + 1, m + 2):
        raise RuntimeError(f"Input to max_unpooling{m}d should be a {m + 1}d or {m + 2}d Tensor, "
                           f"but got a tensor with {ndim} dimensions.")
    idx = _array(indices)
    if idx.dtype != np.int64:
        raise RuntimeError("elements in indices should be type int64")
    if idx.shape != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(idx.shape)}")
    block = math.prod(out_size)
    bad = (idx < 0) | (idx >= block)
    if bad.any():
        sizes = out_size if n > 1 else out_size + (1,)
        raise RuntimeError(f"Found an invalid max index: {idx[bad].flat[0]} (output volumes are "
                           f"of size {'x'.join(map(str, sizes))})")
    lead = tuple(input.shape[:input.ndim - n])
    flat_idx = ag.from_numpy(np.ascontiguousarray(idx.reshape(lead + (-1,))))
    zeros = ag.zeros(lead + (block,), dtype=input.dtype)
    out = zeros.scatter(len(lead), flat_idx, input.reshape(lead + (-1,)))
    return out.reshape(lead + out_size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool1d``: each value of (N, C, L) or (C, L) input is put
    at its index in a zero output of length ``(L - 1) * stride + kernel - 2 * padding``
    (or ``output_size``).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.max_unpool1d(ag.tensor([[[3.0, 2.0]]]), ag.tensor([[[1, 2]]]), 2).tolist()
    [[[0.0, 3.0, 2.0, 0.0]]]
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool2d`` on (N, C, H, W) or (C, H, W) input.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.max_unpool2d(ag.tensor([[[[5.0]]]]), ag.tensor([[[[3]]]]), 2).tolist()
    [[[[0.0, 0.0], [0.0, 5.0]]]]
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool3d`` on (N, C, D, H, W) or (C, D, H, W) input.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.max_unpool3d(ag.tensor([[[[[5.0]]]]]), ag.tensor([[[[[7]]]]]), 2).sum().item()
    5.0
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3)
