"""``finfo`` and ``iinfo``: the numerical limits of a float or an integer dtype, with
PyTorch's attributes and values (``torch.finfo``, ``torch.iinfo``), for the dtypes of
``autograd_core`` (``float16``, ``bfloat16``, ``float32``, ``float64``, ``uint8``,
``int8`` ... ``int64``) and Python's ``float`` and ``int`` (float64 and int64, as PyTorch).

>>> import autograd_core as ag
>>> from autograd_core.dtype_info import finfo, iinfo
>>> finfo(ag.float16).max, iinfo(ag.uint8).max
(65504.0, 255)
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .tensor.dtypes import DtypeWithoutArrays, get_default_dtype

__all__ = ["finfo", "iinfo"]

# bfloat16 has float32's exponent and 8 significant bits; NumPy has no such dtype
_BFLOAT16 = {"bits": 16, "eps": 2.0 ** -7, "max": (2 - 2.0 ** -7) * 2.0 ** 127,
             "tiny": 2.0 ** -126, "resolution": 0.01}


def _resolve(type: Any, name: str) -> Any:
    """``type`` as a NumPy dtype (or bfloat16), or PyTorch's TypeError for what no dtype is."""
    if isinstance(type, DtypeWithoutArrays):
        return type
    if type is builtins.float:
        return np.dtype(np.float64)
    if type is builtins.int:
        return np.dtype(np.int64)
    if type is builtins.bool:
        return np.dtype(np.bool_)
    if isinstance(type, np.dtype):
        return type
    if isinstance(type, builtins.type) and issubclass(type, np.generic):
        return np.dtype(type)
    raise TypeError(f"{name}(): argument 'type' (position 1) must be torch.dtype, not "
                    f"{builtins.type(type).__name__}")


def _torch_name(d: Any) -> str:
    return d.name if isinstance(d, DtypeWithoutArrays) else np.dtype(d).name


def _g(x: float) -> str:
    return f"{x:g}"


class finfo:
    """The limits of a floating point dtype (the default dtype when none is given), as
    ``torch.finfo``: ``bits``, ``eps`` (the gap between 1 and the next float), ``max``,
    ``min``, ``tiny`` = ``smallest_normal`` (the smallest positive normal number),
    ``resolution`` (``10 ** -digits``) and ``dtype`` (its name). A complex dtype gives its
    parts' float. Integer dtypes are refused with a TypeError, as PyTorch's.

    >>> import autograd_core as ag
    >>> from autograd_core.dtype_info import finfo
    >>> finfo(ag.float32).eps, finfo(ag.float64).dtype
    (1.1920928955078125e-07, 'float64')
    >>> finfo().bits                         # the default dtype: float32
    32
    >>> finfo(ag.bfloat16).resolution
    0.01
    >>> finfo(ag.int32)
    Traceback (most recent call last):
    TypeError: finfo() requires a floating point input type. Use iinfo to handle 'finfo'
    """

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")
    __hash__ = None  # compared by value, as PyTorch's

    def __init__(self, type: Any = None) -> None:
        d = get_default_dtype() if type is None else _resolve(type, "finfo")
        if isinstance(d, DtypeWithoutArrays):
            if not d.is_floating_point:
                raise TypeError("finfo() requires a floating point input type. Use iinfo to "
                                "handle 'finfo'")
            info = dict(_BFLOAT16)
        else:
            if d.kind == "c":
                d = np.dtype(f"f{d.itemsize // 2}")
            if d.kind != "f":
                raise TypeError("finfo() requires a floating point input type. Use iinfo to "
                                "handle 'finfo'")
            f = np.finfo(d)
            info = {"bits": int(f.bits), "eps": builtins.float(f.eps),
                    "max": builtins.float(f.max), "tiny": builtins.float(f.smallest_normal),
                    "resolution": 10.0 ** -int(f.precision)}
        self.bits, self.eps, self.max = info["bits"], info["eps"], info["max"]
        self.min = -info["max"]
        self.tiny = self.smallest_normal = info["tiny"]
        self.resolution = info["resolution"]
        self.dtype = _torch_name(d)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __repr__(self) -> str:
        return (f"finfo(resolution={_g(self.resolution)}, min={_g(self.min)}, "
                f"max={_g(self.max)}, eps={_g(self.eps)}, "
                f"smallest_normal={_g(self.smallest_normal)}, tiny={_g(self.tiny)}, "
                f"dtype={self.dtype})")

    __str__ = __repr__


class iinfo:
    """The limits of an integer dtype, as ``torch.iinfo``: ``bits``, ``max``, ``min`` (Python
    ints) and ``dtype`` (its name). Float and bool dtypes are refused with a TypeError, as
    PyTorch's.

    >>> import autograd_core as ag
    >>> from autograd_core.dtype_info import iinfo
    >>> iinfo(ag.int8).min, iinfo(ag.int64).max, iinfo(ag.int16).bits
    (-128, 9223372036854775807, 16)
    >>> iinfo(ag.float32)
    Traceback (most recent call last):
    TypeError: iinfo() requires an integer input type. Use finfo to handle 'iinfo'
    """

    __slots__ = ("bits", "max", "min", "dtype")
    __hash__ = None

    def __init__(self, type: Any) -> None:
        d = _resolve(type, "iinfo")
        if isinstance(d, DtypeWithoutArrays) or d.kind not in "iub":
            raise TypeError("iinfo() requires an integer input type. Use finfo to handle "
                            "'iinfo'")
        if d.kind == "b":
            raise TypeError(f"torch.{d.name} is not supported by iinfo")
        i = np.iinfo(d)
        self.bits, self.max, self.min = int(i.bits), int(i.max), int(i.min)
        self.dtype = _torch_name(d)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __repr__(self) -> str:
        return f"iinfo(min={_g(self.min)}, max={_g(self.max)}, dtype={self.dtype})"

    __str__ = __repr__
