"""Adaptive max pooling: ``adaptive_max_pool1d`` and ``adaptive_max_pool2d``
(``nn.functional``; the modules are in ``nn.pooling``).

The output cell (i, j) takes the max over rows ``[floor(i H / oh), ceil((i + 1) H / oh))``
and the matching columns, PyTorch's bins. The winners are found in NumPy (the first
maximum, NaN wins, as PyTorch) and picked with ``gather``, so the gradient flows to them
only and higher derivatives come free. ``return_indices`` gives their flat positions in
each (H, W) plane (positions along L in 1-D), int64.

>>> import autograd_core as ag, nn.functional as F
>>> F.adaptive_max_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 0.0, 5.0]]]), 2).tolist()
[[[3.0, 5.0]]]
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import Tensor
from autograd_core.tensor import make

from . import functional as F

__all__ = ["adaptive_max_pool1d", "adaptive_max_pool2d"]


def _bins(n_in: int, n_out: int) -> list:
    return [((i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)) for i in range(n_out)]


def _pool2d(input: Tensor, oh: int, ow: int, return_indices: bool) -> Any:
    x = input._data
    h, w = x.shape[-2:]
    lead = x.shape[:-2]
    idx = np.empty(lead + (oh, ow), dtype=np.int64)
    for i, (h0, h1) in enumerate(_bins(h, oh)):
        for j, (w0, w1) in enumerate(_bins(w, ow)):
            win = x[..., h0:h1, w0:w1].reshape(lead + (-1,))
            k = np.argmax(win, axis=-1)
            idx[..., i, j] = (h0 + k // (w1 - w0)) * w + w0 + k % (w1 - w0)
    flat = idx.reshape(lead + (oh * ow,))
    out = input.reshape(lead + (h * w,)).gather(input.ndim - 2, make(flat))
    out = out.reshape(lead + (oh, ow))
    return (out, make(idx)) if return_indices else out


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

    >>> import autograd_core as ag, nn.functional as F
    >>> out, idx = F.adaptive_max_pool2d(ag.arange(16.0).reshape(1, 1, 4, 4), 2, True)
    >>> out.tolist(), idx.tolist()
    ([[[[5.0, 7.0], [13.0, 15.0]]]], [[[[5, 7], [13, 15]]]])
    """
    F._tensor(input, "adaptive_max_pool2d")
    if input.ndim not in (3, 4) or 0 in input.shape[-2:]:
        raise ValueError(f"adaptive_max_pool2d: expected non-empty 3D (C, H, W) or 4D "
                         f"(N, C, H, W) input, got shape {tuple(input.shape)}")
    oh, ow = _check_size("adaptive_max_pool2d", output_size, 2, tuple(input.shape[-2:]))
    return _pool2d(input, oh, ow, return_indices)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of (N, C, L) or (C, L) input to a fixed length; with
    ``return_indices``, also the positions of the maxima along L.

    >>> import autograd_core as ag, nn.functional as F
    >>> out, idx = F.adaptive_max_pool1d(ag.tensor([[4.0, 1.0, 2.0, 6.0]]), 2, True)
    >>> out.tolist(), idx.tolist()
    ([[4.0, 6.0]], [[0, 3]])
    """
    F._check1d(input, "adaptive_max_pool1d")
    if input.shape[-1] == 0:
        raise ValueError(f"adaptive_max_pool1d: expected a non-empty L dim, got shape "
                         f"{tuple(input.shape)}")
    (o,) = _check_size("adaptive_max_pool1d", output_size, 1, (input.shape[-1],))
    out = _pool2d(input.unsqueeze(-2), 1, o, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)
