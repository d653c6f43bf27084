"""PyTorch's legacy tensor types, as older programs use them: ``FloatTensor``,
``DoubleTensor``, ``HalfTensor``, ``LongTensor``, ``IntTensor``, ``ShortTensor``,
``CharTensor``, ``ByteTensor`` and ``BoolTensor``.

Each is a constructor (``FloatTensor(2, 3)`` an uninitialised tensor of that shape,
``FloatTensor([1, 2])`` one of that data, ``FloatTensor(t)`` an alias of a tensor of
that dtype) and a test of type: ``isinstance(t, FloatTensor)`` holds for a float32 tensor.
As in PyTorch they are not subclasses of ``Tensor``: the tensors they make are Tensors.

>>> import autograd_core as ag
>>> ag.LongTensor([1.5, 2]), isinstance(ag.zeros(2), ag.FloatTensor)
(tensor([1, 2]), True)
"""
from __future__ import annotations

import operator
import warnings
from typing import Any

import numpy as np

from ..autograd import function as _seam
from ..autograd.function import torch_type_name
from ..device import check as check_device
from .dtypes import set_default_dtype, to_array
from .size import Size

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
           "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "legacy_dtype",
           "legacy_type", "CUDA_TYPES", "set_default_tensor_type", "typename"]


def is_size(args: tuple) -> bool:
    """Whether the arguments are sizes (ints, or one ``Size``), not data."""
    if len(args) == 1 and isinstance(args[0], Size):
        return True
    try:
        [operator.index(a) for a in args]
    except TypeError:
        return False
    return not any(isinstance(a, np.ndarray) or hasattr(a, "_data") for a in args)


def empty_array(args: tuple, dtype: np.dtype, name: str) -> np.ndarray:
    """The uninitialised (here: zero) array of the sizes ``args`` (ints or one ``Size``;
    none: shape (0,)), as the legacy constructors make it."""
    sizes = tuple(args[0]) if len(args) == 1 and isinstance(args[0], tuple) else args
    sizes = tuple(operator.index(n) for n in sizes)
    for n in sizes:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                               f"{list(sizes)}")
    return np.zeros(sizes if args else (0,), dtype=dtype)


def legacy_array(data: Any, dtype: np.dtype) -> np.ndarray:
    """A copy of the sequence ``data`` cast to ``dtype`` (Python numbers read as
    float64/int64 first, so nothing is lost before the cast)."""
    if not isinstance(data, (list, tuple, np.ndarray)):
        raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
    try:
        arr = np.asarray(data)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.dtype == object:
        arr = to_array(data)
    return np.array(arr, dtype=dtype)


class _LegacyType(type):
    """The metaclass: calling the type makes a tensor; ``isinstance`` tests the dtype."""

    dtype: np.dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, _seam.Tensor) and obj.dtype == cls.dtype

    def __subclasscheck__(cls, sub: Any) -> bool:
        return type.__subclasscheck__(cls, sub)

    def __repr__(cls) -> str:
        return f"<class '{torch_type_name(cls.dtype)}'>"

    def __call__(cls, *args: Any, device: Any = None) -> Any:
        check_device(device)
        make = _seam.make
        name = torch_type_name(cls.dtype)[len("torch."):]
        if not args or is_size(args):
            return make(empty_array(args, cls.dtype, name))
        if len(args) > 1:
            raise TypeError(f"{name}(): expected sizes (ints) or one sequence of data, got "
                            f"{len(args)} arguments")
        data = args[0]
        if isinstance(data, _seam.Tensor):
            if data.dtype != cls.dtype:
                raise TypeError(f"{name}(): expected a tensor of dtype {cls.dtype}, got one of "
                                f"{data.dtype}")
            return make(data.detach()._data)  # an alias, as PyTorch's
        return make(legacy_array(data, cls.dtype))


def _legacy(name: str, dtype: Any, doc: str) -> _LegacyType:
    cls = _LegacyType(name, (), {"dtype": np.dtype(dtype), "is_sparse": False,
                                 "is_cuda": False, "__doc__": doc, "__module__": "torch"})
    return cls


FloatTensor = _legacy("FloatTensor", np.float32, """float32 tensors (PyTorch's legacy type).

    >>> import autograd_core as ag
    >>> ag.FloatTensor(2, 3).shape, ag.FloatTensor([1, 2])
    ((2, 3), tensor([1., 2.]))
    """)
DoubleTensor = _legacy("DoubleTensor", np.float64, """float64 tensors (PyTorch's legacy type).

    >>> import autograd_core as ag
    >>> ag.DoubleTensor([1, 2]).dtype, isinstance(ag.zeros(1, dtype=ag.float64), ag.DoubleTensor)
    (dtype('float64'), True)
    """)
HalfTensor = _legacy("HalfTensor", np.float16, """float16 tensors (PyTorch's legacy type).

    >>> import autograd_core as ag
    >>> ag.HalfTensor([1, 2]).dtype
    dtype('float16')
    """)
LongTensor = _legacy("LongTensor", np.int64, """int64 tensors (PyTorch's legacy type).

    >>> import autograd_core as ag
    >>> ag.LongTensor([1.7, -2.7]), isinstance(ag.arange(3), ag.LongTensor)
    (tensor([ 1, -2]), True)
    """)
IntTensor = _legacy("IntTensor", np.int32, """int32 tensors (PyTorch's legacy type).

    >>> import autograd_core as ag
    >>> ag.IntTensor([1, 2]).dtype
    dtype('int32')
    """)
ShortTensor = _legacy("ShortTensor", np.int16, """int16 tensors (PyTorch's legacy type).

    >>> import autograd_core as ag
    >>> ag.ShortTensor([1, 2]).dtype
    dtype('int16')
    """)
CharTensor = _legacy("CharTensor", np.int8, """int8 tensors (PyTorch's legacy type).

    >>> import autograd_core as ag
    >>> ag.CharTensor([1, 2]).dtype
    dtype('int8')
    """)
ByteTensor = _legacy("ByteTensor", np.uint8, """uint8 tensors (PyTorch's legacy type).

    >>> import autograd_core as ag
    >>> ag.ByteTensor([1, 2]).dtype
    dtype('uint8')
    """)
BoolTensor = _legacy("BoolTensor", np.bool_, """bool tensors (PyTorch's legacy type).

    >>> import autograd_core as ag
    >>> ag.BoolTensor([1, 0])
    tensor([ True, False])
    """)

_BY_NAME = {torch_type_name(t.dtype): t for t in (FloatTensor, DoubleTensor, HalfTensor,
                                                   LongTensor, IntTensor, ShortTensor,
                                                   CharTensor, ByteTensor, BoolTensor)}
_BY_DTYPE = {t.dtype: t for t in _BY_NAME.values()}


class _CudaLegacyType(type):
    """``torch.cuda.FloatTensor`` and the others on a build without CUDA: they exist (old
    programs pick ``torch.cuda.FloatTensor if cuda else torch.FloatTensor``), no tensor is
    an instance of them, and calling one raises PyTorch's TypeError."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return False

    def __repr__(cls) -> str:
        return f"<class 'torch.cuda.{cls.__name__}'>"

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"type torch.cuda.{cls.__name__} not available. Torch not compiled "
                        f"with CUDA enabled.")


CUDA_TYPES = {name.split(".")[-1]: _CudaLegacyType(name.split(".")[-1], (), {
    "__module__": "torch.cuda", "is_cuda": True, "__doc__": "Not available: no CUDA here."})
    for name in _BY_NAME}


def legacy_type(dtype: np.dtype) -> _LegacyType | None:
    """The legacy type of ``dtype`` (``FloatTensor`` for float32), if it has one."""
    return _BY_DTYPE.get(np.dtype(dtype))


def legacy_dtype(kind: Any) -> np.dtype | None:
    """The dtype of a legacy type or of its name (``'torch.FloatTensor'``), else None; a
    CUDA one raises a RuntimeError, as PyTorch's build without CUDA does."""
    if isinstance(kind, _CudaLegacyType) or (isinstance(kind, str)
                                              and kind.startswith("torch.cuda.")):
        raise RuntimeError(f"Cannot initialize CUDA for {kind!r}: Torch not compiled with "
                           f"CUDA enabled")
    if isinstance(kind, _LegacyType):
        return kind.dtype
    if isinstance(kind, str) and kind in _BY_NAME:
        return _BY_NAME[kind].dtype
    return None


def set_default_tensor_type(t: Any) -> None:
    """PyTorch's deprecated way to set the default float dtype: a float legacy type or its
    name (``torch.DoubleTensor``, ``'torch.FloatTensor'``); warns as PyTorch's does.

    >>> import warnings, autograd_core as ag
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ag.set_default_tensor_type(ag.DoubleTensor)
    >>> ag.get_default_dtype(), ag.Tensor([1]).dtype
    (dtype('float64'), dtype('float64'))
    >>> ag.set_default_dtype(ag.float32)
    """
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    dtype = legacy_dtype(t)
    if dtype is None:
        raise TypeError(f"invalid type: '{t}'" if isinstance(t, str) else
                        f"invalid type object: only floating-point types are supported as the "
                        f"default type, got {t!r}")
    if dtype.kind != "f":
        raise TypeError("only floating-point types are supported as the default type")
    set_default_dtype(dtype)


def typename(obj: Any) -> str:
    """PyTorch's type name of ``obj``: a tensor's legacy type (``'torch.FloatTensor'``),
    else the qualified name of its class.

    >>> import autograd_core as ag
    >>> ag.typename(ag.zeros(1)), ag.typename(1.5)
    ('torch.FloatTensor', 'float')
    """
    if hasattr(obj, "_data") and hasattr(obj, "type"):
        return obj.type()
    kind = obj if isinstance(obj, type) else type(obj)
    module = "" if kind.__module__ in ("builtins", "__builtin__", None) else kind.__module__ + "."
    return module + kind.__qualname__
