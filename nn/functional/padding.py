"""Padding: ``pad``, as ``torch.nn.functional.pad``, in the modes ``'constant'``,
``'reflect'``, ``'replicate'`` and ``'circular'``.

Every mode is one indexing node per call: each padded dim gets an index array of
source positions (reflected, clamped or wrapped), and all of them are applied at once
as an open grid, so the backward is the scatter-add of ``Index`` and higher
derivatives come free. ``'constant'`` crops by slicing and joins constant blocks
with ``cat``.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.pad(ag.arange(4.0).reshape(1, 1, 4), (2, 2), mode="reflect").tolist()
[[[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0]]]
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .arguments import _tensor

__all__ = ["pad"]


_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(n: int, left: int, right: int, mode: str, dim: int) -> np.ndarray:
    """Source positions along a dim of size ``n`` for output positions -left .. n+right-1."""
    pos = np.arange(-left, n + right)
    if mode == "reflect":
        if max(left, right) >= n:
            raise ValueError(f"pad: padding size should be less than the corresponding input "
                             f"dimension for 'reflect' mode, got padding ({left}, {right}) for "
                             f"dim {dim} of size {n}")
        pos = np.abs(pos)
        pos = np.where(pos > n - 1, 2 * (n - 1) - pos, pos)
    elif mode == "replicate":
        if n == 0:
            raise ValueError(f"pad: 'replicate' mode needs a non-empty dim {dim}, got size 0")
        pos = np.clip(pos, 0, n - 1)
    else:  # circular, as PyTorch: crop first, then wrap around what is left
        lo, hi = max(-left, 0), n - max(-right, 0)
        m, left, right = hi - lo, max(left, 0), max(right, 0)
        if max(left, right) > m:
            raise ValueError(f"pad: padding value causes wrapping around more than once in "
                             f"'circular' mode, got padding ({left}, {right}) for dim {dim} of "
                             f"size {m} (after cropping)")
        pos = lo + np.arange(-left, m + right) % m
    return pos


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad ``input`` as ``torch.nn.functional.pad``: ``pad`` lists (left, right) amounts
    starting from the last dim, ``(left_last, right_last, left_2nd_last, ...)``; negative
    amounts crop (in ``'circular'`` mode before wrapping, as PyTorch). ``mode`` is
    ``'constant'`` (fill with ``value``, default 0), ``'reflect'`` (mirror without
    repeating the edge), ``'replicate'`` (repeat the edge) or ``'circular'`` (wrap
    around). Unlike PyTorch, non-constant modes also pad any
    number of trailing dims of any input.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([[[1.0, 2.0, 3.0]]])
    >>> F.pad(x, (1, 2), value=9.0).tolist()
    [[[9.0, 1.0, 2.0, 3.0, 9.0, 9.0]]]
    >>> F.pad(x, (2, 1), mode="reflect").tolist()
    [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
    >>> F.pad(x, (1, -1), mode="circular").tolist()
    [[[2.0, 1.0, 2.0]]]
    """
    _tensor(input, "pad")
    if mode not in _MODES:
        raise ValueError(f"pad: mode must be one of {', '.join(map(repr, _MODES))}, got {mode!r}")
    pads = tuple(pad)
    if not all(isinstance(p, (int, np.integer)) for p in pads):
        raise TypeError(f"pad: padding must be a sequence of ints, got {pad!r}")
    if len(pads) % 2 or len(pads) > 2 * input.ndim:
        raise ValueError(f"pad: padding length must be even and at most 2 * input.ndim "
                         f"(= {2 * input.ndim} for input of shape {tuple(input.shape)}), got "
                         f"{len(pads)}")
    if mode != "constant" and value not in (None, 0, 0.0):
        raise ValueError(f"pad: padding mode {mode!r} doesn't take in value argument")
    k = len(pads) // 2
    dims = [input.ndim - 1 - i for i in range(k)]  # dims[i] is padded by pads[2i], pads[2i+1]
    for i, d in enumerate(dims):
        if input.shape[d] + pads[2 * i] + pads[2 * i + 1] < 0:
            raise ValueError(f"pad: padding {pads[2 * i:2 * i + 2]} gives a negative size for "
                             f"dim {d} of size {input.shape[d]} (input shape "
                             f"{tuple(input.shape)})")
    if mode == "constant":
        return _pad_constant(input, pads, dims, 0.0 if value is None else value)
    index: list = [slice(None)] * input.ndim
    grids = []
    for i, d in enumerate(sorted(dims)):
        j = dims.index(d)
        grids.append(_source_index(input.shape[d], int(pads[2 * j]), int(pads[2 * j + 1]),
                                   mode, d))
    first = min(dims)
    open_grid = np.ix_(*grids)
    index[first:] = open_grid
    return input[tuple(index)]


def _pad_constant(input: Tensor, pads: tuple, dims: list, value: float) -> Tensor:
    crop: list = [slice(None)] * input.ndim
    for i, d in enumerate(dims):
        left, right = int(pads[2 * i]), int(pads[2 * i + 1])
        crop[d] = slice(max(-left, 0), input.shape[d] - max(-right, 0))
    out = input[tuple(crop)] if any(s != slice(None) for s in crop) else input
    dt = out.dtype
    for i, d in enumerate(dims):
        left, right = max(int(pads[2 * i]), 0), max(int(pads[2 * i + 1]), 0)
        if left == 0 and right == 0:
            continue
        parts = []
        for width in (left, right):
            shape = list(out.shape)
            shape[d] = width
            parts.append(ag.full(shape, value, dtype=dt))
        pieces = [p for p, w in ((parts[0], left), (out, 1), (parts[1], right)) if w]
        out = ag.cat(pieces, dim=d)
    return out
