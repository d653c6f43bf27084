"""dtypes: their names (``float32``, ``long``, ...), the default float dtype, PyTorch's
names of them in messages, and how Python data becomes an array of the right dtype
(Python floats the default float dtype, Python ints int64; NumPy arrays keep theirs).

>>> import autograd_core as ag
>>> ag.tensor([1, 2]).dtype, ag.tensor([1.5]).dtype
(dtype('int64'), dtype('float32'))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import is_tensor, scalar_type_name, torch_type_name


float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
int16 = short = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)


class DtypeWithoutArrays:
    """A PyTorch dtype NumPy has no counterpart of. Programs written for GPUs name it even
    when they run on the CPU (nanoGPT builds ``{'bfloat16': torch.bfloat16, ...}`` at start),
    so it exists, compares, hashes and prints as PyTorch's; a tensor of it cannot be made.

    >>> import autograd_core as ag
    >>> ag.bfloat16, ag.bfloat16 == ag.float32, ag.bfloat16.is_floating_point
    (torch.bfloat16, False, True)
    >>> ag.zeros(2, dtype=ag.bfloat16)
    Traceback (most recent call last):
    TypeError: autograd-core has no torch.bfloat16 tensors (NumPy has no such dtype): use float32
    """

    __slots__ = ("name", "itemsize", "is_floating_point", "is_complex", "is_signed")

    def __init__(self, name: str, itemsize: int, is_floating_point: bool = True) -> None:
        self.name, self.itemsize = name, itemsize
        self.is_floating_point, self.is_complex, self.is_signed = is_floating_point, False, True

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    __str__ = __repr__

    def __reduce__(self) -> str:
        return "bfloat16"  # pickled by name: the module's attribute of that name

    def refuse(self) -> TypeError:
        return TypeError(f"autograd-core has no {self!r} tensors (NumPy has no such dtype): "
                         "use float32")


bfloat16 = DtypeWithoutArrays("bfloat16", 2)


class _DtypeType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, (np.dtype, DtypeWithoutArrays))


class dtype(metaclass=_DtypeType):
    """The type of the dtypes, for ``isinstance(x, torch.dtype)``: the NumPy dtypes the
    tensors use and the PyTorch-only ones (``bfloat16``).

    >>> import autograd_core as ag
    >>> isinstance(ag.float32, ag.dtype), isinstance(ag.bfloat16, ag.dtype), isinstance("f", ag.dtype)
    (True, True, False)
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("cannot create 'torch.dtype' instances")

_default_dtype = [float32]

def get_default_dtype() -> np.dtype:
    return _default_dtype[0]

def set_default_dtype(dtype: Any) -> None:
    """The float dtype for Python floats and for ``zeros``, ``randn``, ... (float32 at start)."""
    if isinstance(dtype, DtypeWithoutArrays):
        raise dtype.refuse()
    d = np.dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating point dtypes are supported, got {d}")
    _default_dtype[0] = d

def _dtype(dtype: Any) -> np.dtype | None:
    if dtype is None:
        return None
    if isinstance(dtype, DtypeWithoutArrays):
        raise dtype.refuse()
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"expected a dtype such as autograd_core.float32, got {dtype!r}") from None

def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """The array a new tensor holds: a copy of ``data`` with PyTorch's dtype rules."""
    dtype = _dtype(dtype)
    if is_tensor(data):
        data = data._data
    if isinstance(data, np.ndarray):
        return np.array(data, dtype=dtype, copy=True)
    if isinstance(data, (list, tuple)) and _holds_tensor(data):
        data = _untensor(data)
    try:
        arr = np.array(data, dtype=dtype)
    except (ValueError, TypeError) as e:
        raise TypeError(f"tensor(): could not make a tensor from {type(data).__name__}: {e}") from None
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(f"tensor(): expected numbers, got {type(data).__name__} of {arr.dtype}")
    if dtype is None and arr.dtype == np.float64 and not isinstance(data, np.generic):
        arr = arr.astype(_default_dtype[0])
    return arr

_PLAIN = frozenset((int, float, bool, complex))


def _holds_tensor(data: list | tuple) -> bool:
    """True when a (nested) list holds a Tensor; a flat list of Python numbers is told by
    the set of its element types (one C-speed pass: ``tensor(encode(text))`` of a million
    characters)."""
    kinds = set(map(type, data))
    if kinds <= _PLAIN:
        return False
    for x in data:
        if isinstance(x, (list, tuple)):
            if _holds_tensor(x):
                return True
        elif is_tensor(x):
            return True
    return False

def _untensor(data: Any) -> Any:
    if isinstance(data, (list, tuple)):
        return [_untensor(x) for x in data]
    return data._data if is_tensor(data) else data

__all__ = ["bfloat16", "DtypeWithoutArrays", "float16", "half", "float32", "float", "float64", "double", "int8", "uint8", "int16",
           "short", "int32", "int64", "long", "bool_", "get_default_dtype", "set_default_dtype",
           "to_array", "scalar_type_name", "torch_type_name"]
