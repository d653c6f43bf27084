"""Making tensors: ``tensor``, ``zeros``, ``randn``, ... with PyTorch's defaults.

Python floats become float32, Python ints int64; NumPy arrays keep their dtype.

>>> import autograd_core as ag
>>> ag.tensor([1, 2]).dtype, ag.tensor([1.5]).dtype, ag.zeros(2, 3).shape
(dtype('int64'), dtype('float32'), (2, 3))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .random import Generator, rng
from .tensor import Tensor, _size, make

float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
int16 = short = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

_default_dtype = [float32]


def get_default_dtype() -> np.dtype:
    return _default_dtype[0]


def set_default_dtype(dtype: Any) -> None:
    """The float dtype for Python floats and for ``zeros``, ``randn``, ... (float32 at start)."""
    d = np.dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating point dtypes are supported, got {d}")
    _default_dtype[0] = d


def _dtype(dtype: Any) -> np.dtype | None:
    if dtype is None:
        return None
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"expected a dtype such as autograd_core.float32, got {dtype!r}") from None


def to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """The array a new tensor holds: a copy of ``data`` with PyTorch's dtype rules."""
    dtype = _dtype(dtype)
    if isinstance(data, Tensor):
        data = data._data
    if isinstance(data, np.ndarray):
        return np.array(data, dtype=dtype, copy=True)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
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


def _flat(data: Any):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _untensor(data: Any) -> Any:
    if isinstance(data, (list, tuple)):
        return [_untensor(x) for x in data]
    return data._data if isinstance(data, Tensor) else data


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``.

    >>> import autograd_core as ag
    >>> ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).shape
    (2, 2)
    """
    return Tensor(data, dtype, requires_grad)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == np.dtype(dtype)):
        return make(data)
    return Tensor(data, dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (and keeping its dtype).

    >>> import numpy as np, autograd_core as ag
    >>> a = np.zeros(2)
    >>> t = ag.from_numpy(a); a[0] = 5
    >>> t
    tensor([5., 0.], dtype=float64)
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(array).__name__}")
    return make(array)


def _new(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = make(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _float(dtype: Any) -> np.dtype:
    return _dtype(dtype) or _default_dtype[0]


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _new(np.zeros(_size(size), _float(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``."""
    return _new(np.ones(_size(size), _float(dtype)), requires_grad)


empty = zeros


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``; its dtype follows the value, as PyTorch.

    >>> import autograd_core as ag
    >>> ag.full((2,), 7).dtype, ag.full((2,), 0.5).dtype
    (dtype('int64'), dtype('float32'))
    """
    if dtype is None:
        dtype = to_array(fill_value).dtype
    return _new(np.full(_size((size,)), fill_value, _dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end``; int64 for ints, float32 for floats."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = int64 if is_int else _default_dtype[0]
    return _new(np.arange(start, end, step, dtype=_dtype(dtype)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    return _new(np.linspace(start, end, steps, dtype=_float(dtype)), requires_grad)


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform numbers in [0, 1)."""
    return _new(rng(generator).random(_size(size)).astype(_float(dtype)), requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal numbers."""
    return _new(rng(generator).standard_normal(_size(size)).astype(_float(dtype)), requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), generator: Generator | None = None,
            dtype: Any = None) -> Tensor:
    """Integers in [low, high)."""
    if high is None:
        low, high = 0, low
    return make(rng(generator).integers(low, high, _size((size,))).astype(_dtype(dtype) or int64))


def randperm(n: int, generator: Generator | None = None, dtype: Any = None) -> Tensor:
    return make(rng(generator).permutation(n).astype(_dtype(dtype) or int64))


def _like(t: Tensor, dtype: Any) -> tuple:
    return t.shape, (_dtype(dtype) or t.dtype)


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return _new(np.zeros(shape, dt), requires_grad)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return _new(np.ones(shape, dt), requires_grad)


empty_like = zeros_like


def full_like(input: Tensor, fill_value: Any, dtype: Any = None,
              requires_grad: bool = False) -> Tensor:
    shape, dt = _like(input, dtype)
    return _new(np.full(shape, fill_value, dt), requires_grad)


def rand_like(input: Tensor, dtype: Any = None, requires_grad: bool = False,
              generator: Generator | None = None) -> Tensor:
    shape, dt = _like(input, dtype)
    return _new(rng(generator).random(shape).astype(dt), requires_grad)


def randn_like(input: Tensor, dtype: Any = None, requires_grad: bool = False,
               generator: Generator | None = None) -> Tensor:
    shape, dt = _like(input, dtype)
    return _new(rng(generator).standard_normal(shape).astype(dt), requires_grad)
