"""Padding layers: ``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``,
``ReflectionPad1d/2d/3d``, ``ReplicationPad1d/2d/3d`` and ``CircularPad1d/2d/3d``, on
``nn.functional.pad``.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.ReflectionPad1d(2)(ag.arange(4.0).reshape(1, 1, 4)).tolist()
[[[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0]]]
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import Tensor

from .. import functional as F
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


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
        return F.pad(input, self.padding, self._mode, getattr(self, "value", None))

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

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ConstantPad1d((1, 2), 3.5)
    ConstantPad1d(padding=(1, 2), value=3.5)
    >>> nn.ConstantPad1d(1, 3.5)(ag.zeros(1, 2)).tolist()
    [[3.5, 0.0, 0.0, 3.5]]
    """

    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims of (C, H, W) or (N, C, H, W) input with ``value``;
    ``padding`` is an int or (left, right, top, bottom).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ConstantPad2d(1, 2.0)(ag.zeros(1, 1, 1)).tolist()
    [[[2.0, 2.0, 2.0], [2.0, 0.0, 2.0], [2.0, 2.0, 2.0]]]
    """

    _n = 2


class _ZeroPad:
    """What ZeroPad1d and ZeroPad2d add to their constant padding: the value 0, and
    PyTorch's repr."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Pad the last dim with zeros; ``padding`` is an int or (left, right).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ZeroPad1d((0, 2))(ag.ones(1, 1)).tolist()
    [[1.0, 0.0, 0.0]]
    """


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pad the last two dims with zeros; ``padding`` is an int or (left, right, top, bottom).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ZeroPad2d((1, 1, 0, 1))
    ZeroPad2d((1, 1, 0, 1))
    >>> nn.ZeroPad2d(1)(ag.ones(1, 1, 2, 2)).shape
    (1, 1, 4, 4)
    """


class ReflectionPad1d(_PadNd):
    """Mirror the last dim at its edges (the edge itself is not repeated).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ReflectionPad1d((1, 0))(ag.tensor([[1.0, 2.0]])).tolist()
    [[2.0, 1.0, 2.0]]
    """

    _n, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """Mirror the last two dims at their edges; ``padding`` is an int or
    (left, right, top, bottom).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ReflectionPad2d(1)
    ReflectionPad2d((1, 1, 1, 1))
    >>> nn.ReflectionPad2d(1)(ag.randn(2, 3, 4, 4)).shape
    (2, 3, 6, 6)
    """

    _n, _mode = 2, "reflect"


class ReplicationPad1d(_PadNd):
    """Repeat the edge values of the last dim.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ReplicationPad1d(2)(ag.tensor([[1.0, 2.0]])).tolist()
    [[1.0, 1.0, 1.0, 2.0, 2.0, 2.0]]
    """

    _n, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """Repeat the edge values of the last two dims; ``padding`` is an int or
    (left, right, top, bottom).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ReplicationPad2d((1, 0, 0, 1))(ag.tensor([[[1.0, 2.0]]])).tolist()
    [[[1.0, 1.0, 2.0], [1.0, 1.0, 2.0]]]
    """

    _n, _mode = 2, "replicate"


class CircularPad1d(_PadNd):
    """Wrap the last dim around.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.CircularPad1d(1)(ag.tensor([[1.0, 2.0, 3.0]])).tolist()
    [[3.0, 1.0, 2.0, 3.0, 1.0]]
    """

    _n, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    """Wrap the last two dims around; ``padding`` is an int or (left, right, top, bottom).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.CircularPad2d(1)(ag.randn(1, 2, 3, 3)).shape
    (1, 2, 5, 5)
    """

    _n, _mode = 2, "circular"


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims of (C, D, H, W) or (N, C, D, H, W) input with ``value``;
    ``padding`` is an int or (left, right, top, bottom, front, back).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ConstantPad3d(1, 2.0)
    ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=2.0)
    >>> nn.ConstantPad3d((1, 0, 0, 0, 0, 1), 2.0)(ag.zeros(1, 1, 1, 1)).shape
    (1, 2, 1, 2)
    """

    _n = 3


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Pad the last three dims with zeros; ``padding`` is an int or a 6-tuple.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ZeroPad3d(1)(ag.ones(1, 1, 1, 1, 1)).sum().item(), nn.ZeroPad3d(1)
    (1.0, ZeroPad3d((1, 1, 1, 1, 1, 1)))
    """


class ReflectionPad3d(_PadNd):
    """Mirror the last three dims at their edges; ``padding`` is an int or a 6-tuple.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ReflectionPad3d(1)(ag.randn(1, 2, 3, 3, 3)).shape
    (1, 2, 5, 5, 5)
    """

    _n, _mode = 3, "reflect"


class ReplicationPad3d(_PadNd):
    """Repeat the edge values of the last three dims; ``padding`` is an int or a 6-tuple.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ReplicationPad3d((1, 0, 0, 0, 0, 0))(ag.tensor([[[[1.0, 2.0]]]])).tolist()
    [[[[1.0, 1.0, 2.0]]]]
    """

    _n, _mode = 3, "replicate"


class CircularPad3d(_PadNd):
    """Wrap the last three dims around; ``padding`` is an int or a 6-tuple.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.CircularPad3d(1)(ag.randn(1, 2, 3, 3, 3)).shape
    (1, 2, 5, 5, 5)
    """

    _n, _mode = 3, "circular"
