"""Argument checks and conversions that the functions of ``nn.functional`` share."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor


def _tensor(x: Any, fn: str, name: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def _as_const(x: Any, like: Tensor) -> Tensor:
    """A Tensor for ``x``; numbers and arrays take ``like``'s float dtype."""
    if isinstance(x, Tensor):
        return x
    return ag.from_numpy(np.asarray(x, dtype=like.dtype))


def _array(x: Any) -> np.ndarray:
    """The numbers of ``x`` (a Tensor, shared and cut from the graph, or anything array-like)
    as an array: for arguments that are constants, such as targets, indices and masks."""
    if not isinstance(x, Tensor):
        return np.asarray(x)
    try:
        return x.numpy()
    except RuntimeError:  # it requires grad
        return x.detach().numpy()


def _check_dtype(layer: str, x: Tensor, param: Tensor) -> None:
    """Raise a clear error when ``x`` cannot meet a layer's parameters (PyTorch refuses
    mixed dtypes too, rather than casting silently)."""
    if x.dtype != param.dtype:
        raise TypeError(f"{layer}: expected input of dtype {param.dtype} (the layer's dtype), "
                        f"got {x.dtype}; convert the input (x.float() / x.double()) or the "
                        f"layer (.float() / .double())")


_SCALAR_TYPES = {"float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                 "bool": "Bool"}


def _scalar_type(dtype: Any) -> str:
    """PyTorch's name of a dtype in its error messages (``Float`` for float32, ...)."""
    return _SCALAR_TYPES.get(str(np.dtype(dtype)), str(dtype))


def _ntuple(value: Any, n: int, message: str, allow_none: bool = False) -> tuple | None:
    """``value`` (an int or a sequence of 1 or ``n`` ints) as an n-tuple; else
    RuntimeError(``message``), as PyTorch's pooling functions."""
    if value is None or (isinstance(value, (tuple, list)) and len(value) == 0):
        if allow_none:
            return None
        raise RuntimeError(message)
    if isinstance(value, (tuple, list)):
        if len(value) not in (1, n):
            raise RuntimeError(message)
        return tuple(int(v) for v in value) * (n if len(value) == 1 else 1)
    return (int(value),) * n
