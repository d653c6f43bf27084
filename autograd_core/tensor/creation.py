"""Making tensors: ``tensor``, ``zeros``, ``randn``, ... with PyTorch's defaults.

Python floats become float32, Python ints int64; NumPy arrays keep their dtype.

>>> import autograd_core as ag
>>> ag.tensor([1, 2]).dtype, ag.tensor([1.5]).dtype, ag.zeros(2, 3).shape
(dtype('int64'), dtype('float32'), (2, 3))
"""

from __future__ import annotations

from typing import Any, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..device import check as check_device
from ..autograd.function import is_tensor
from .args import _keyword_size, _leaf, _size
from .dtypes import _default_dtype, _dtype, int64, to_array

_EXACT = 2 ** 52   # ends whose difference a double holds exactly

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``.

    >>> import autograd_core as ag
    >>> ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).shape
    (2, 2)
    """
    check_device(device)
    return _leaf(to_array(data, dtype), requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    check_device(device)
    if is_tensor(data) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == np.dtype(dtype)):
        return _f.make(data)
    return _f.make(to_array(data, dtype))


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
    return _f.make(array)


def _new(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = _f.make(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _float(dtype: Any) -> np.dtype:
    return _dtype(dtype) or _default_dtype[0]


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          **kwargs: Any) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    if kwargs:
        size = _keyword_size(size, kwargs, "size", "zeros")
    check_device(device)
    return _new(np.zeros(_size(size), _float(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         **kwargs: Any) -> Tensor:
    """A tensor of ones: ``ones(2, 3)``, ``ones((2, 3))`` or ``ones(size=(2, 3))``."""
    if kwargs:
        size = _keyword_size(size, kwargs, "size", "ones")
    check_device(device)
    return _new(np.ones(_size(size), _float(dtype)), requires_grad)


empty = zeros


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``; its dtype follows the value, as PyTorch.

    >>> import autograd_core as ag
    >>> ag.full((2,), 7).dtype, ag.full((2,), 0.5).dtype
    (dtype('int64'), dtype('float32'))
    """
    check_device(device)
    if is_tensor(fill_value) or isinstance(fill_value, np.generic):
        fill_value = fill_value.item()   # a number, as PyTorch's Scalar argument
    if dtype is None:   # a float takes the default dtype, an int int64, else as tensor()
        kind = type(fill_value)
        dt = _default_dtype[0] if kind is float else int64 if kind is int else \
            to_array(fill_value).dtype
    else:
        dt = _dtype(dtype)
    out = np.empty(_size((size,)), dt)
    out.fill(fill_value)
    return _new(out, requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    check_device(device)
    return _new(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end``; int64 for ints, float32 for floats.
    For an integer ``dtype`` the ends and step are cut towards zero first, as PyTorch does
    (int64 counts in integers, the other integer dtypes count ``ceil((end - start) / step)``
    on the numbers given).

    >>> import autograd_core as ag
    >>> ag.arange(3), ag.arange(0.5, 5, 1.5, dtype=ag.int64)
    (tensor([0, 1, 2]), tensor([0, 1, 2, 3, 4]))
    """
    check_device(device)
    if end is None:
        start, end = 0, start
    if (type(start) is int and type(end) is int and type(step) is int and step > 0
            and start <= end and (dtype is None or _dtype(dtype) == int64)
            and -_EXACT < start and end < _EXACT):
        # the common case, counting up in Python ints: NumPy's arange gives the same
        # numbers where every one is exact in a double (its length is computed in one)
        return _new(np.arange(start, end, step, dtype=int64), requires_grad)
    start, end, step = (v.item() if is_tensor(v) else v for v in (start, end, step))
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = int64 if is_int else _default_dtype[0]
    dt = _dtype(dtype)
    if step == 0:
        raise ValueError("step must be nonzero")
    if not ((step > 0 and end >= start) or (step < 0 and end <= start)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt.kind not in "iu":
        return _new(np.arange(start, end, step, dtype=dt), requires_grad)
    xs, xe, xst = int(start), int(end), int(step)  # int() cuts towards zero
    if dt == np.int64:
        if xst == 0:
            raise ValueError("step must be nonzero")
        sign = (xst > 0) - (xst < 0)
        num = xe - xs + xst - sign
        n = abs(num) // abs(xst) * (1 if (num >= 0) == (xst > 0) else -1)  # C's division
    else:
        n = int(np.ceil((float(end) - float(start)) / float(step)))
    return _new((xs + xst * np.arange(n, dtype=np.int64)).astype(dt), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, as PyTorch's scalar formula:
    from both ends (the first half from ``start``, the rest from ``end``), in ``dtype``
    for floats; for an integer dtype the ends are cut towards zero first, the values
    computed in double and cut towards zero.

    >>> import autograd_core as ag
    >>> ag.linspace(0, 1, 5), ag.linspace(0, 10, 4, dtype=ag.int64)
    (tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000]), tensor([ 0,  3,  6, 10]))
    """
    check_device(device)
    start, end = (v.item() if is_tensor(v) else v for v in (start, end))
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _float(dtype)
    integer = dt.kind in "iub"
    if steps <= 1:
        vals = np.full(steps, int(start) if integer else start, dtype=np.float64)
        return _new(vals.astype(dt), requires_grad)
    work = np.dtype(np.float64) if integer else dt
    s, e = (work.type(int(v) if integer else v) for v in (start, end))
    step = (e - s) / work.type(steps - 1)
    i = np.arange(steps)
    vals = np.where(i < steps // 2, s + step * i.astype(work),
                    e - step * (steps - 1 - i).astype(work))
    return _new((np.trunc(vals) if integer else vals).astype(dt), requires_grad)


def _like(t: Tensor, dtype: Any) -> tuple:
    return t.shape, (_dtype(dtype) or t.dtype)


def zeros_like(input: Tensor, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    check_device(device)
    shape, dt = _like(input, dtype)
    return _new(np.zeros(shape, dt), requires_grad)


def ones_like(input: Tensor, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    check_device(device)
    shape, dt = _like(input, dtype)
    return _new(np.ones(shape, dt), requires_grad)


empty_like = zeros_like


def empty_strided(size: Any, stride: Any, *, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """A tensor of ``size`` (zeros, as ``empty``); ``stride`` is accepted and the array is
    C-ordered (every result is the same in any memory order).

    >>> import autograd_core as ag
    >>> ag.empty_strided((2, 3), (3, 1)).shape
    (2, 3)
    """
    if len(tuple(size)) != len(tuple(stride)):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(tuple(size))} "
                           f"dims against {len(tuple(stride))} strides")
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, dtype: Any = None,
              device: Any = None, requires_grad: bool = False) -> Tensor:
    check_device(device)
    shape, dt = _like(input, dtype)
    return _new(np.full(shape, fill_value, dt), requires_grad)

class CreationMixin:
    """Tensor methods that make new tensors like this one (``new_zeros``, ...)."""

    __slots__ = ()

    def _new_dtype(self, dtype: Any) -> np.dtype:
        return _dtype(dtype) or self._data.dtype

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False, **kwargs: Any) -> "Tensor":
        """Zeros of ``size`` with this tensor's dtype (unless ``dtype`` is given).

        >>> import autograd_core as ag
        >>> ag.tensor([1, 2]).new_zeros(2, 3)
        tensor([[0, 0, 0],
                [0, 0, 0]])
        """
        if kwargs:
            size = _keyword_size(size, kwargs, "size", "new_zeros")
        check_device(device)
        return _leaf(np.zeros(_size(size), self._new_dtype(dtype)), requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False, **kwargs: Any) -> "Tensor":
        """Ones of ``size`` with this tensor's dtype (unless ``dtype`` is given).

        >>> import autograd_core as ag
        >>> ag.zeros(1, dtype=ag.float64).new_ones((2,))
        tensor([1., 1.], dtype=float64)
        """
        if kwargs:
            size = _keyword_size(size, kwargs, "size", "new_ones")
        check_device(device)
        return _leaf(np.ones(_size(size), self._new_dtype(dtype)), requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False, **kwargs: Any) -> "Tensor":
        """An uninitialised tensor of ``size`` (here: zeros) with this tensor's dtype.

        >>> import autograd_core as ag
        >>> ag.zeros(1).new_empty(2, 2).shape
        (2, 2)
        """
        if kwargs:
            size = _keyword_size(size, kwargs, "size", "new_empty")
        check_device(device)
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None,
                 device: Any = None, requires_grad: bool = False) -> "Tensor":
        """``size`` filled with ``fill_value``, in this tensor's dtype (unless ``dtype`` is given).

        >>> import autograd_core as ag
        >>> ag.zeros(1).new_full((2,), 3)
        tensor([3., 3.])
        """
        check_device(device)
        return _leaf(np.full(_size((size,)), fill_value, self._new_dtype(dtype)), requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> "Tensor":
        """A new leaf holding a copy of ``data``, in this tensor's dtype (unless ``dtype`` is given).

        >>> import autograd_core as ag
        >>> ag.zeros(1, dtype=ag.float64).new_tensor([1, 2])
        tensor([1., 2.], dtype=float64)
        """
        check_device(device)
        return _leaf(to_array(data, self._new_dtype(dtype)), requires_grad)
