"""Sliding blocks: ``unfold`` (im2col) and its adjoint ``fold`` (col2im).

``unfold`` is one indexing node on the zero-padded input (its backward is the
scatter-add), ``fold`` one ``scatter_add`` into the padded output, cropped; both are
differentiable to any order. Columns are ordered as PyTorch's: channel, then kernel
row, then kernel column; blocks row-major.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> x = ag.arange(16.0).reshape(1, 1, 4, 4)
>>> cols = F.unfold(x, kernel_size=2, stride=2)
>>> cols.shape
(1, 4, 4)
>>> bool((F.fold(cols, (4, 4), kernel_size=2, stride=2) == x).all())
True
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .arguments import _tensor
from .padding import pad

__all__ = ["unfold", "fold"]


def _pair(fn: str, name: str, v: Any, minimum: int) -> tuple:
    p = (v, v) if isinstance(v, int) else tuple(v)
    if len(p) != 2 or any(int(a) < minimum for a in p):
        raise ValueError(f"{fn}: {name} must be an int or a pair of ints >= {minimum}, got {v}")
    return int(p[0]), int(p[1])


def _geometry(fn: str, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple:
    """``(kernel_size, dilation, padding, stride)``, each checked into a pair of ints."""
    return (_pair(fn, "kernel_size", kernel_size, 1), _pair(fn, "dilation", dilation, 1),
            _pair(fn, "padding", padding, 0), _pair(fn, "stride", stride, 1))


def _blocks(fn: str, size: tuple, k: tuple, d: tuple, p: tuple, s: tuple) -> tuple:
    """Blocks along each dim, and the (kh*kw, L) row and column indices of every block
    element in the padded (H + 2 ph, W + 2 pw) plane."""
    n = []
    for dim in range(2):
        span = d[dim] * (k[dim] - 1) + 1
        n.append((size[dim] + 2 * p[dim] - span) // s[dim] + 1)
    if n[0] <= 0 or n[1] <= 0:
        raise ValueError(f"{fn}: with kernel_size={k}, dilation={d}, padding={p} and stride={s}, "
                         f"the spatial size {size} gives no sliding blocks (got {n[0]} x {n[1]})")
    ki, kj = np.meshgrid(np.arange(k[0]) * d[0], np.arange(k[1]) * d[1], indexing="ij")
    bi, bj = np.meshgrid(np.arange(n[0]) * s[0], np.arange(n[1]) * s[1], indexing="ij")
    rows = ki.reshape(-1, 1) + bi.reshape(1, -1)
    cols = kj.reshape(-1, 1) + bj.reshape(1, -1)
    return n, rows, cols


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """Sliding local blocks of (N, C, H, W) or (C, H, W) input as columns:
    (N, C * kh * kw, L), L the number of blocks.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.unfold(ag.randn(2, 3, 5, 5), kernel_size=3, padding=1).shape
    (2, 27, 25)
    """
    _tensor(input, "unfold")
    if input.ndim not in (3, 4):
        raise ValueError(f"unfold: expected 3D (C, H, W) or 4D (N, C, H, W) input, got shape "
                         f"{tuple(input.shape)}")
    k, d, p, s = _geometry("unfold", kernel_size, dilation, padding, stride)
    _, rows, cols = _blocks("unfold", tuple(input.shape[-2:]), k, d, p, s)
    x = pad(input, (p[1], p[1], p[0], p[0])) if p != (0, 0) else input
    out = x[..., rows, cols]  # (..., C, kh*kw, L)
    c = input.shape[-3]
    return out.reshape(input.shape[:-3] + (c * k[0] * k[1], rows.shape[1]))


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """Sum columns (N, C * kh * kw, L) or (C * kh * kw, L) of sliding blocks back into an
    (N, C, H, W) image, ``output_size`` (H, W): the adjoint of ``unfold`` (overlaps add).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.fold(ag.ones(1, 4, 9), (4, 4), kernel_size=2).tolist()[0][0]
    [[1.0, 2.0, 2.0, 1.0], [2.0, 4.0, 4.0, 2.0], [2.0, 4.0, 4.0, 2.0], [1.0, 2.0, 2.0, 1.0]]
    """
    _tensor(input, "fold")
    if input.ndim not in (2, 3):
        raise ValueError(f"fold: expected 2D (C * kh * kw, L) or 3D (N, C * kh * kw, L) input, "
                         f"got shape {tuple(input.shape)}")
    size = _pair("fold", "output_size", output_size, 1)
    k, d, p, s = _geometry("fold", kernel_size, dilation, padding, stride)
    ck, L = input.shape[-2:]
    if ck % (k[0] * k[1]):
        raise ValueError(f"fold: expected size of input's dimension {input.ndim - 2} to be "
                         f"divisible by the product of kernel_size {k}, but got "
                         f"input.size({input.ndim - 2})={ck} (input shape {tuple(input.shape)})")
    n, rows, cols = _blocks("fold", size, k, d, p, s)
    if L != n[0] * n[1]:
        raise ValueError(f"fold: given output_size={size}, kernel_size={k}, dilation={d}, "
                         f"padding={p}, stride={s}, expected size of input's dimension "
                         f"{input.ndim - 1} to match the calculated number of sliding blocks "
                         f"{n[0]} * {n[1]} = {n[0] * n[1]}, but got input.size({input.ndim - 1})"
                         f"={L} (input shape {tuple(input.shape)})")
    c = ck // (k[0] * k[1])
    hp, wp = size[0] + 2 * p[0], size[1] + 2 * p[1]
    lead = input.shape[:-2] + (c,)
    src = input.reshape(lead + (-1,))  # (..., C, kh*kw*L)
    flat = np.broadcast_to((rows * wp + cols).reshape(-1), src.shape)
    zeros = ag.zeros(lead + (hp * wp,), dtype=input.dtype)
    out = zeros.scatter_add(src.ndim - 1, ag.from_numpy(np.ascontiguousarray(flat)), src)
    out = out.reshape(lead + (hp, wp))
    if p != (0, 0):
        out = out[..., p[0]:p[0] + size[0], p[1]:p[1] + size[1]]
    return out
