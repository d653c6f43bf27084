"""Argument checks and conversions that the functions of ``nn.functional`` share."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import Tensor
from autograd_core.tensor import make


def _tensor(x: Any, fn: str, name: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def _as_const(x: Any, like: Tensor) -> Tensor:
    """A Tensor for ``x``; numbers and arrays take ``like``'s float dtype."""
    if isinstance(x, Tensor):
        return x
    return make(np.asarray(x, dtype=like.dtype))
