"""Tensors in PyTorch's file format, both ways.

A tensor is a *storage* (a flat array: the archive's record ``data/<key>``) and a view of
it: an offset, a size and a stride, counted in elements. The pickle calls
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
backward_hooks)``, where the storage is the persistent id ``('storage',
torch.<Type>Storage, key, location, numel)``; the unsigned dtypes PyTorch added later
(uint16/32/64) are ``_rebuild_tensor_v3`` with a ``torch.storage.UntypedStorage`` (numel
counted in bytes) and the dtype as an extra argument. A Parameter is
``torch._utils._rebuild_parameter(tensor, requires_grad, backward_hooks)``.

Rules of reading (:class:`TensorReader`):

* a view must lie inside its storage (PyTorch's ``set_`` rule); a view whose elements
  overlap (a stride of 0, as ``expand`` makes) is copied, so that writing to one element
  never writes to another, and the copy counts against the byte limit;
* tensors sharing a storage share memory, as in PyTorch (tied weights stay tied);
* ``backward_hooks`` are ignored (PyTorch's writer saves them empty);
* bfloat16, quantized and 8-bit float tensors have no NumPy dtype: refused, naming it.
"""
from __future__ import annotations

import importlib
import re
import types
from typing import Any, Callable, Dict, Optional, Tuple

import numpy as np

from ..tensor import Tensor, make
from .errors import SerializationError, describe, size_text

__all__ = ["TORCH_DTYPES", "STORAGE_TYPES", "UNTYPED_STORAGE", "StorageType", "Storage",
           "TensorReader", "typed_storage_name", "untyped_dtype_name", "restore_location"]

# PyTorch's dtypes that NumPy has, by the name PyTorch pickles them under (GLOBAL torch.<name>).
TORCH_DTYPES: Dict[str, np.dtype] = {
    "float64": np.dtype(np.float64), "float32": np.dtype(np.float32),
    "float16": np.dtype(np.float16), "int64": np.dtype(np.int64),
    "int32": np.dtype(np.int32), "int16": np.dtype(np.int16), "int8": np.dtype(np.int8),
    "uint8": np.dtype(np.uint8), "bool": np.dtype(np.bool_),
    "complex128": np.dtype(np.complex128), "complex64": np.dtype(np.complex64),
    "uint16": np.dtype(np.uint16), "uint32": np.dtype(np.uint32),
    "uint64": np.dtype(np.uint64),
}
# PyTorch's dtypes that NumPy lacks: a file may name them; a tensor of one is refused.
UNSUPPORTED_DTYPES = (["bfloat16", "complex32", "float8_e5m2", "float8_e4m3fn",
                       "float8_e5m2fnuz", "float8_e4m3fnuz", "float8_e8m0fnu",
                       "float4_e2m1fn_x2", "qint8", "qint32", "quint8", "quint4x2",
                       "quint2x4", "bits8", "bits16", "bits1x8", "bits2x4", "bits4x2"]
                      + [f"uint{i}" for i in range(1, 8)] + [f"int{i}" for i in range(1, 8)])

# The typed storage classes (torch.FloatStorage, ...) by dtype, as _rebuild_tensor_v2 files
# name them; the other dtypes are written as an UntypedStorage and _rebuild_tensor_v3.
_TYPED = {"DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16",
          "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16",
          "CharStorage": "int8", "ByteStorage": "uint8", "BoolStorage": "bool",
          "ComplexDoubleStorage": "complex128", "ComplexFloatStorage": "complex64"}
_UNSUPPORTED_STORAGES = {"BFloat16Storage": "bfloat16", "QInt8Storage": "qint8",
                         "QInt32Storage": "qint32", "QUInt8Storage": "quint8",
                         "QUInt4x2Storage": "quint4x2", "QUInt2x4Storage": "quint2x4"}


class StorageType:
    """What a storage class named in a file (``torch.FloatStorage``, ...) loads as: its
    dtype, or None with the PyTorch dtype NumPy lacks (refused when a tensor uses it)."""

    __slots__ = ("name", "dtype", "unsupported")

    def __init__(self, name: str, dtype: Optional[np.dtype], unsupported: str = "") -> None:
        self.name, self.dtype, self.unsupported = name, dtype, unsupported

    def __repr__(self) -> str:
        return f"StorageType(torch.{self.name})"


STORAGE_TYPES: Dict[str, StorageType] = {
    **{n: StorageType(n, TORCH_DTYPES[d]) for n, d in _TYPED.items()},
    **{n: StorageType(n, None, d) for n, d in _UNSUPPORTED_STORAGES.items()}}
UNTYPED_STORAGE = StorageType("UntypedStorage", np.dtype(np.uint8))
_TYPED_BY_DTYPE = {TORCH_DTYPES[d]: n for n, d in _TYPED.items()}


def typed_storage_name(dtype: np.dtype) -> Optional[str]:
    """The storage class a tensor of ``dtype`` is written with (None: untyped, v3)."""
    return _TYPED_BY_DTYPE.get(dtype)


def untyped_dtype_name(dtype: np.dtype) -> str:
    """PyTorch's name of ``dtype`` for a v3 tensor; TypeError if it has none."""
    for name in ("uint16", "uint32", "uint64"):
        if TORCH_DTYPES[name] == dtype:
            return name
    kinds = ", ".join(sorted(set(TORCH_DTYPES)))
    raise TypeError(f"save: cannot save a tensor of dtype {dtype}: PyTorch's file format "
                    f"holds the dtypes {kinds}")


class Storage:
    """A storage loaded from a file: a flat array of one dtype, on the CPU. ``map_location``
    callables receive these and may return them (as ``lambda storage, loc: storage``)."""

    __slots__ = ("array", "key")
    device = "cpu"

    def __init__(self, array: np.ndarray, key: str) -> None:
        self.array, self.key = array, key

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    def size(self) -> int:
        return int(self.array.size)

    __len__ = size

    def nbytes(self) -> int:
        return int(self.array.nbytes)

    def cpu(self) -> "Storage":
        return self

    def __repr__(self) -> str:
        return f"Storage(key={self.key!r}, dtype={self.dtype}, size={self.size()})"


# ----------------------------------------------------------------- locations
_CUDA = re.compile(r"cuda(:|[0-9]+|$)")


def _default_restore(storage: Storage, location: str) -> Storage:
    """PyTorch's rule for a location tag, on a build without accelerators: 'cpu' is where
    storages are; CUDA tags raise PyTorch's error for CUDA-less builds; others are unknown."""
    if location == "cpu":
        return storage
    if _CUDA.match(location):
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but CUDA is not available: "
            "autograd_core runs on the CPU only. Please use autograd_core.load with "
            "map_location='cpu' (or torch.device('cpu')) to map your storages to the CPU.")
    raise RuntimeError(f"don't know how to restore data location of a storage (tagged with "
                       f"{location!r}): autograd_core runs on the CPU only; load with "
                       "map_location='cpu'")


class UserCallbackError(Exception):
    """Carries an exception raised by the caller's ``map_location`` function out of the
    unpickler unchanged (the unpickler reports its own failures as a corrupt file)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _device_string(obj: Any) -> Optional[str]:
    """``str(obj)`` for a device object (``torch.device``: a ``type`` string and an
    ``index``), else None."""
    if isinstance(getattr(obj, "type", None), str) and hasattr(obj, "index"):
        return str(obj)
    return None


def restore_location(map_location: Any) -> Callable[[Storage, str], Storage]:
    """The function placing each loaded storage, from ``load``'s ``map_location`` (PyTorch's
    forms: None, a device string, a device object, a dict remapping tags, or a callable
    ``f(storage, location)`` returning a storage or None for the default)."""
    if map_location is None:
        return _default_restore
    if isinstance(map_location, (str, bytes)):
        target = map_location.decode("ascii") if isinstance(map_location, bytes) \
            else map_location
        return lambda storage, location: _default_restore(storage, target)
    device = _device_string(map_location)
    if device is not None:
        return lambda storage, location: _default_restore(storage, device)
    if isinstance(map_location, dict):
        for k, v in map_location.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError(f"load: a map_location dict maps location tags to location "
                                f"tags (strings such as 'cuda:0': 'cpu'), got {k!r}: {v!r}")
        remap = dict(map_location)
        return lambda storage, location: _default_restore(storage,
                                                          remap.get(location, location))
    if callable(map_location):
        def restore(storage: Storage, location: str) -> Storage:
            try:
                result = map_location(storage, location)
            except BaseException as e:  # noqa: BLE001 - the caller's own error, passed on
                raise UserCallbackError(e) from None
            if result is None:
                return _default_restore(storage, location)
            if not isinstance(result, Storage):
                raise UserCallbackError(TypeError(
                    f"load: map_location returned {type(result).__name__}; it must return the "
                    "storage it was given (autograd_core keeps storages on the CPU) or None"))
            return result
        return restore
    raise TypeError("load: map_location must be None, a device string such as 'cpu', a "
                    "torch.device, a dict of location tags or a callable, got "
                    f"{type(map_location).__name__}")


# ------------------------------------------------------------------- reading
def _ints(value: Any, what: str, bad: Callable[[str], Exception]) -> Tuple[int, ...]:
    if type(value) not in (tuple, list) or not all(type(v) is int and v >= 0 for v in value):
        raise bad(f"a tensor's {what} must be whole numbers 0 or more, got {describe(value)}")
    return tuple(value)


def _overlaps(size: Tuple[int, ...], stride: Tuple[int, ...]) -> bool:
    """Whether two elements of the view may share memory. Sorted by stride, each dimension
    longer than 1 must step over everything the smaller ones span (sufficient, not
    necessary: views it flags are copied, which is always correct)."""
    span = 0
    for n, s in sorted(((n, s) for n, s in zip(size, stride) if n > 1), key=lambda p: p[1]):
        if s <= span:
            return True
        span += (n - 1) * s
    return False


class TensorReader:
    """The rebuild functions of one ``load``: each makes our Tensors from storages.

    ``charge(nbytes, what)`` is called before a view is copied (the loader's byte limit)."""

    def __init__(self, name: str, charge: Callable[[int, str], None]) -> None:
        self.name = name
        self.charge = charge

    def corrupt(self, why: str) -> SerializationError:
        return SerializationError(f"load: {self.name} is corrupt: {why}")

    def _unsupported(self, dtype_name: str) -> SerializationError:
        return SerializationError(
            f"load: {self.name} holds a tensor of dtype torch.{dtype_name}, which NumPy (and "
            "so autograd_core) has no dtype for. Convert it in PyTorch before saving, e.g. "
            "{k: v.float() for k, v in state_dict.items()}")

    def view(self, storage: Any, offset: Any, size: Any, stride: Any,
             dtype: Optional[np.dtype] = None) -> np.ndarray:
        """The array of a tensor: ``size``/``stride`` elements from ``offset`` in ``storage``
        (reinterpreted as ``dtype`` if given, for v3)."""
        if not isinstance(storage, Storage):
            raise self.corrupt(f"a tensor's storage is {describe(storage)}")
        base = storage.array
        if dtype is not None and dtype != base.dtype:
            if base.nbytes % dtype.itemsize:
                raise self.corrupt(f"storage {describe(storage.key)} of {base.nbytes} bytes "
                                   f"is not a whole number of {dtype} elements")
            base = base.view(dtype)
        if type(offset) is not int or offset < 0:
            raise self.corrupt(f"a tensor's storage offset is {describe(offset)}")
        size = _ints(size, "size", self.corrupt)
        stride = _ints(stride, "stride", self.corrupt)
        if len(size) != len(stride):
            raise self.corrupt(f"a tensor has size {size} but stride {stride}"[:200])
        count = 1
        for n in size:
            count *= n
        last = offset + sum((n - 1) * s for n, s in zip(size, stride)) if count else offset
        if (count and last >= base.size) or offset > base.size:
            raise self.corrupt(
                f"a tensor of size {list(size)}, stride {list(stride)} and offset {offset} "
                f"lies outside its storage {describe(storage.key)} of {base.size} elements"[:300])
        itemsize = base.dtype.itemsize
        flat = base[offset:] if offset < base.size else base[:0]
        arr = np.lib.stride_tricks.as_strided(
            flat, shape=size, strides=tuple(s * itemsize for s in stride),
            writeable=base.flags.writeable)
        if count and _overlaps(size, stride):
            self.charge(count * itemsize, f"the copy of an overlapping view of storage "
                                          f"{describe(storage.key)}")
            arr = arr.copy()  # C order
        return arr

    def tensor(self, arr: np.ndarray, requires_grad: Any) -> Tensor:
        if type(requires_grad) is not bool:
            raise self.corrupt(f"requires_grad is {describe(requires_grad)}")
        t = make(arr)
        if requires_grad:
            if arr.dtype.kind not in "fc":
                raise self.corrupt(f"a tensor of dtype {arr.dtype} requires grad")
            t.requires_grad = True
        return t

    def _metadata(self, arr: np.ndarray, metadata: Any) -> np.ndarray:
        """PyTorch's lazy conjugate and negative bits, applied (as a copy)."""
        if metadata is None or (type(metadata) is dict and not metadata):
            return arr
        if type(metadata) is not dict or not all(
                k in ("conj", "neg") and type(v) is bool for k, v in metadata.items()):
            raise self.corrupt(f"unknown tensor metadata {describe(metadata)}")
        self.charge(arr.nbytes, "a tensor with conjugate or negative bits")
        if metadata.get("conj"):
            arr = np.conj(arr)
        if metadata.get("neg"):
            arr = np.negative(arr)
        return np.ascontiguousarray(arr) if arr.base is not None else arr

    # The functions a file calls, by PyTorch's names (torch._utils.<name>).
    def rebuild_tensor(self, storage: Any, storage_offset: Any, size: Any,
                       stride: Any) -> Tensor:
        return self.tensor(self.view(storage, storage_offset, size, stride), False)

    def rebuild_tensor_v2(self, storage: Any, storage_offset: Any, size: Any, stride: Any,
                          requires_grad: Any, backward_hooks: Any,
                          metadata: Any = None) -> Tensor:
        arr = self._metadata(self.view(storage, storage_offset, size, stride), metadata)
        return self.tensor(arr, requires_grad)

    def rebuild_tensor_v3(self, storage: Any, storage_offset: Any, size: Any, stride: Any,
                          requires_grad: Any, backward_hooks: Any, dtype: Any,
                          metadata: Any = None) -> Tensor:
        if isinstance(dtype, UnsupportedDtype):
            raise self._unsupported(dtype.name)
        if not isinstance(dtype, np.dtype):
            raise self.corrupt(f"a tensor's dtype is {describe(dtype)}")
        arr = self._metadata(self.view(storage, storage_offset, size, stride, dtype), metadata)
        return self.tensor(arr, requires_grad)

    def rebuild_parameter(self, data: Any, requires_grad: Any, backward_hooks: Any) -> Tensor:
        if not isinstance(data, Tensor) or type(requires_grad) is not bool:
            raise self.corrupt("a Parameter is rebuilt from a non-tensor")
        return library_parameter_class()(data, requires_grad)

    def rebuild_parameter_with_state(self, data: Any, requires_grad: Any, backward_hooks: Any,
                                     state: Any) -> Tensor:
        if not _empty_state(state):
            raise SerializationError(
                f"load: {self.name} holds a Parameter with Python attributes "
                f"({_state_names(state)}); autograd_core's Parameters have none")
        return self.rebuild_parameter(data, requires_grad, backward_hooks)

    def rebuild_from_type_v2(self, func: Any, new_type: Any, args: Any, state: Any) -> Tensor:
        """A tensor (subclass) with Python attributes: rebuilt by ``func`` (one of the
        functions above), of type ``new_type`` (Tensor or Parameter); attributes refused."""
        if not any(func is f for f in self.functions().values()) or type(args) is not tuple:
            raise self.corrupt(f"_rebuild_from_type_v2 calls {describe(func)}")
        if not _empty_state(state):
            raise SerializationError(
                f"load: {self.name} holds a tensor with Python attributes "
                f"({_state_names(state)}); autograd_core's Tensors have none")
        result = func(*args)
        if new_type is Tensor:
            return result
        if new_type is library_parameter_type():
            return result if isinstance(result, new_type) else new_type(result,
                                                                        result.requires_grad)
        raise self.corrupt(f"_rebuild_from_type_v2 makes {describe(new_type)}")

    def functions(self) -> Dict[str, Callable[..., Any]]:
        """The rebuild functions by their full PyTorch names; the same bound methods on each
        call, so that the unpickler can tell them by identity."""
        fns = self.__dict__.get("_functions")
        if fns is None:
            fns = {"torch._utils._rebuild_tensor": self.rebuild_tensor,
                   "torch._utils._rebuild_tensor_v2": self.rebuild_tensor_v2,
                   "torch._utils._rebuild_tensor_v3": self.rebuild_tensor_v3,
                   "torch._utils._rebuild_parameter": self.rebuild_parameter,
                   "torch._utils._rebuild_parameter_with_state":
                       self.rebuild_parameter_with_state,
                   "torch._tensor._rebuild_from_type_v2": self.rebuild_from_type_v2}
            self.__dict__["_functions"] = fns
        return fns


def library_parameter_type() -> Any:
    return library_parameter_class()


def _library_nn() -> Optional[types.ModuleType]:
    """This library's ``nn`` package (imported by name: the core does not import the layers
    above it), or None if it cannot be imported."""
    try:
        return importlib.import_module("autograd_core.nn")
    except ImportError:
        return None


def library_parameter_class() -> type:
    nn = _library_nn()
    if nn is None:
        raise SerializationError("load: this file holds Parameters, but this library's nn "
                                 "package cannot be imported")
    return nn.Parameter


class UnsupportedDtype:
    """What ``torch.bfloat16`` and the other dtypes NumPy lacks load as."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


def _empty_state(state: Any) -> bool:
    """Whether the Python state of a tensor (a dict, or a (dict, slots) pair) is empty."""
    parts = state if type(state) is tuple else (state,)
    return all(p is None or (type(p) is dict and not p) for p in parts)


def _state_names(state: Any) -> str:
    names = []
    for part in (state if type(state) is tuple else (state,)):
        if type(part) is dict:
            names += [describe(k) for k in part]
    return ", ".join(names[:5])[:200] or describe(state)


def check_limit(total: int, limit: int, name: str, what: str) -> None:
    if total > limit:
        raise SerializationError(
            f"load: {name}: {what} brings what it takes to {size_text(total)}, more than the "
            f"limit of {size_text(limit)}; refused before allocating it. If you trust this "
            "file, raise the limit: load(..., max_bytes=N) or "
            "autograd_core.serialization.MAX_BYTES = N")
