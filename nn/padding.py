"""Padding: ``pad`` (``nn.functional.pad``) and the padding modules ``ZeroPad1d/2d``,
``ConstantPad1d/2d``, ``ReflectionPad1d/2d``, ``ReplicationPad1d/2d`` and
``CircularPad1d/2d``.

Every mode is one indexing node per call: each padded dim gets an index array of
source positions (reflected, clamped or wrapped), and all of them are applied at once
as an open grid, so the backward is the scatter-add of ``Index`` and higher
derivatives come free. ``'constant'`` crops by slicing and joins constant blocks
with ``cat``.

>>> import autograd_core as ag, nn
>>> nn.ReflectionPad1d(2)(ag.arange(4.0).reshape(1, 1, 4)).tolist()
[[[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0]]]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.tensor import make

from .module import Module

__all__ = ["pad", "ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d",
           "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d",
           "CircularPad1d", "CircularPad2d"]

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

    >>> import autograd_core as ag, nn.functional as F
    >>> x = ag.tensor([[[1.0, 2.0, 3.0]]])
    >>> F.pad(x, (1, 2), value=9.0).tolist()
    [[[9.0, 1.0, 2.0, 3.0, 9.0, 9.0]]]
    >>> F.pad(x, (2, 1), mode="reflect").tolist()
    [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
    >>> F.pad(x, (1, -1), mode="circular").tolist()
    [[[2.0, 1.0, 2.0]]]
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' must be Tensor, not {type(input).__name__}")
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
            parts.append(make(np.full(shape, value, dtype=dt)))
        pieces = [p for p, w in ((parts[0], left), (out, 1), (parts[1], right)) if w]
        out = ag.cat(pieces, dim=d)
    return out


def _expand(padding: Any, n: int, name: str) -> tuple:
    if isinstance(padding, (int, np.integer)):
        return (int(padding),) * (2 * n)
    padding = tuple(int(p) for p in padding)
    if len(padding) != 2 * n:
        raise ValueError(f"{name}: padding must be an int or a {2 * n}-tuple, got {padding}")
    return padding


class _PadNd(Module):
    _n = 1
    _mode = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _expand(padding, self._n, self._get_name())

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"{self._get_name()}: expected a Tensor input, got "
                            f"{type(input).__name__}")
        want = (self._n + 1, self._n + 2)
        if input.ndim not in want:
            raise ValueError(f"{self._get_name()}: expected {want[0]}D or {want[1]}D input, got "
                             f"shape {tuple(input.shape)}")
        return pad(input, self.padding, self._mode, getattr(self, "value", None))

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim of (C, W) or (N, C, W) input with ``value``; ``padding`` is an
    int or (left, right); negative amounts crop.

    >>> import autograd_core as ag, nn
    >>> nn.ConstantPad1d((1, 2), 3.5)
    ConstantPad1d(padding=(1, 2), value=3.5)
    >>> nn.ConstantPad1d(1, 3.5)(ag.zeros(1, 2)).tolist()
    [[3.5, 0.0, 0.0, 3.5]]
    """

    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims of (C, H, W) or (N, C, H, W) input with ``value``;
    ``padding`` is an int or (left, right, top, bottom).

    >>> import autograd_core as ag, nn
    >>> nn.ConstantPad2d(1, 2.0)(ag.zeros(1, 1, 1)).tolist()
    [[[2.0, 2.0, 2.0], [2.0, 0.0, 2.0], [2.0, 2.0, 2.0]]]
    """

    _n = 2


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros; ``padding`` is an int or (left, right).

    >>> import autograd_core as ag, nn
    >>> nn.ZeroPad1d((0, 2))(ag.ones(1, 1)).tolist()
    [[1.0, 0.0, 0.0]]
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros; ``padding`` is an int or (left, right, top, bottom).

    >>> import autograd_core as ag, nn
    >>> nn.ZeroPad2d((1, 1, 0, 1))
    ZeroPad2d((1, 1, 0, 1))
    >>> nn.ZeroPad2d(1)(ag.ones(1, 1, 2, 2)).shape
    (1, 1, 4, 4)
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Mirror the last dim at its edges (the edge itself is not repeated).

    >>> import autograd_core as ag, nn
    >>> nn.ReflectionPad1d((1, 0))(ag.tensor([[1.0, 2.0]])).tolist()
    [[2.0, 1.0, 2.0]]
    """

    _n, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """Mirror the last two dims at their edges; ``padding`` is an int or
    (left, right, top, bottom).

    >>> import autograd_core as ag, nn
    >>> nn.ReflectionPad2d(1)
    ReflectionPad2d((1, 1, 1, 1))
    >>> nn.ReflectionPad2d(1)(ag.randn(2, 3, 4, 4)).shape
    (2, 3, 6, 6)
    """

    _n, _mode = 2, "reflect"


class ReplicationPad1d(_PadNd):
    """Repeat the edge values of the last dim.

    >>> import autograd_core as ag, nn
    >>> nn.ReplicationPad1d(2)(ag.tensor([[1.0, 2.0]])).tolist()
    [[1.0, 1.0, 1.0, 2.0, 2.0, 2.0]]
    """

    _n, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """Repeat the edge values of the last two dims; ``padding`` is an int or
    (left, right, top, bottom).

    >>> import autograd_core as ag, nn
    >>> nn.ReplicationPad2d((1, 0, 0, 1))(ag.tensor([[[1.0, 2.0]]])).tolist()
    [[[1.0, 1.0, 2.0], [1.0, 1.0, 2.0]]]
    """

    _n, _mode = 2, "replicate"


class CircularPad1d(_PadNd):
    """Wrap the last dim around.

    >>> import autograd_core as ag, nn
    >>> nn.CircularPad1d(1)(ag.tensor([[1.0, 2.0, 3.0]])).tolist()
    [[3.0, 1.0, 2.0, 3.0, 1.0]]
    """

    _n, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    """Wrap the last two dims around; ``padding`` is an int or (left, right, top, bottom).

    >>> import autograd_core as ag, nn
    >>> nn.CircularPad2d(1)(ag.randn(1, 2, 3, 3)).shape
    (1, 2, 5, 5)
    """

    _n, _mode = 2, "circular"
