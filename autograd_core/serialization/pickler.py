"""Pickling for ``save``: any object, with Tensors written the way ``torch.save`` writes
torch tensors, so that PyTorch reads them as its own.

Rules:

* a Tensor becomes ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
  requires_grad, OrderedDict())`` (``_v3`` and an UntypedStorage for uint16/32/64), its
  storage the persistent id ``('storage', torch.<Type>Storage, key, 'cpu', numel)``; a
  Parameter becomes ``torch._utils._rebuild_parameter(tensor, requires_grad,
  OrderedDict())``. These names are written as text: torch need not be installed.
* Tensors whose arrays view one C-contiguous NumPy array of their dtype share one storage
  (tied weights stay tied, and PyTorch sees the sharing); any other array is its own
  storage (copied if it is not C-contiguous, or not in the machine's byte order). As in
  PyTorch, a view saves its whole storage.
* Everything else is pickled by the standard rules (the pure-Python pickler, so that the
  names above need no import), NumPy arrays included: as ``torch.save`` writes them.
"""
from __future__ import annotations

import codecs
import io
import pickle
import sys
from collections import OrderedDict
from typing import Any, Dict, List, Tuple

import numpy as np

from ..tensor import Tensor, make
from ..tensor.size import Size
from .tensors import typed_storage_name, untyped_dtype_name

__all__ = ["dumps", "StorageList"]

StorageList = List[Tuple[str, np.ndarray]]  # (key, the flat C-contiguous array), in key order


class _TorchName:
    """A global of PyTorch's, pickled by its name (GLOBAL module name) without importing it."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any) -> Any:  # pickle requires reduce callables to be callable
        raise TypeError(f"{self.module}.{self.name} is a name written into files, not a function")

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"


_REBUILD_V2 = _TorchName("torch._utils", "_rebuild_tensor_v2")
_REBUILD_V3 = _TorchName("torch._utils", "_rebuild_tensor_v3")
_REBUILD_PARAMETER = _TorchName("torch._utils", "_rebuild_parameter")
_UNTYPED = _TorchName("torch.storage", "UntypedStorage")
_NAMES: Dict[str, _TorchName] = {}


def _torch_name(name: str) -> _TorchName:
    """The one ``_TorchName`` for ``torch.<name>`` (one object, so pickle's memo writes it
    once per file)."""
    t = _NAMES.get(name)
    if t is None:
        t = _NAMES[name] = _TorchName("torch", name)
    return t


class _StorageRef:
    """A storage in the pickle: pickled as its persistent id."""

    __slots__ = ("pid",)

    def __init__(self, pid: tuple) -> None:
        self.pid = pid


def _c_strides(shape: Tuple[int, ...]) -> Tuple[int, ...]:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


class _TorchPickler(pickle._Pickler):  # type: ignore[misc,name-defined]
    dispatch = pickle._Pickler.dispatch.copy()  # type: ignore[attr-defined]

    def __init__(self, file: Any, protocol: int, parameter_type: Any) -> None:
        super().__init__(file, protocol)
        self.parameter_type = parameter_type
        self.storages: StorageList = []
        self._refs: Dict[int, Tuple[_StorageRef, np.ndarray]] = {}  # by id of the root array

    def persistent_id(self, obj: Any) -> Any:
        return obj.pid if type(obj) is _StorageRef else None

    def save_torch_name(self, obj: _TorchName) -> None:
        # as pickle's save_global writes a global it found, without looking it up
        if self.proto >= 4:
            self.save(obj.module)
            self.save(obj.name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("ascii"))
        self.memoize(obj)
    dispatch[_TorchName] = save_torch_name

    def save_bytes(self, obj: bytes) -> None:
        # protocol 2 has no bytes opcode: pickle writes _codecs.encode(text, 'latin1'), and
        # bytes() for b'' (a global PyTorch's weights_only load refuses): always the former
        if self.proto < 3:
            self.save_reduce(codecs.encode, (str(obj, "latin1"), "latin1"), obj=obj)
        else:
            pickle._Pickler.save_bytes(self, obj)  # type: ignore[attr-defined]
    dispatch[bytes] = save_bytes

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Size:  # as PyTorch writes its torch.Size
            return (_torch_name("Size"), (tuple(obj),))
        if not isinstance(obj, Tensor):
            return NotImplemented
        if self.parameter_type is not None and isinstance(obj, self.parameter_type):
            # a plain tensor on the same array, as torch's Parameter pickles its .data
            return (_REBUILD_PARAMETER, (make(obj._data), obj.requires_grad, OrderedDict()))
        arr = obj._fresh()._data
        ref, offset, stride = self._storage(arr)
        args = (ref, offset, tuple(int(n) for n in arr.shape), stride, obj.requires_grad,
                OrderedDict())
        if typed_storage_name(arr.dtype.newbyteorder("=")) is None:
            return (_REBUILD_V3, args + (_torch_name(untyped_dtype_name(arr.dtype)),))
        return (_REBUILD_V2, args)

    def _storage(self, arr: np.ndarray) -> Tuple[_StorageRef, int, Tuple[int, ...]]:
        """``(storage, offset, stride)`` of ``arr``: a view of the storage of its root array
        when that is C-contiguous and of its dtype, else a storage of its own."""
        dtype = arr.dtype
        if not dtype.isnative:
            arr = arr.astype(dtype.newbyteorder("="))
            dtype = arr.dtype
        itemsize = dtype.itemsize
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        if root is not arr and root.dtype == dtype and root.flags.c_contiguous \
                and all(s >= 0 and s % itemsize == 0 for s in arr.strides):
            start = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            stride = tuple(s // itemsize for s in arr.strides)
            if start >= 0 and start % itemsize == 0:
                offset = start // itemsize
                last = offset + sum((n - 1) * s for n, s in zip(arr.shape, stride))
                if arr.size == 0 or last < root.size:
                    if arr.flags.c_contiguous:
                        stride = _c_strides(arr.shape)
                    return self._ref(root), offset, stride
        if not arr.flags.c_contiguous:
            arr = np.ascontiguousarray(arr)
        return self._ref(arr), 0, _c_strides(arr.shape)

    def _ref(self, root: np.ndarray) -> _StorageRef:
        known = self._refs.get(id(root))
        if known is not None:
            return known[0]
        key = str(len(self.storages))
        dtype = root.dtype
        name = typed_storage_name(dtype)
        if name is None:  # the newer dtypes: untyped, numel in bytes (dtype checked here)
            untyped_dtype_name(dtype)
            ref = _StorageRef(("storage", _UNTYPED, key, "cpu", int(root.nbytes)))
        else:
            ref = _StorageRef(("storage", _torch_name(name), key, "cpu", int(root.size)))
        self._refs[id(root)] = (ref, root)  # keeps root alive, so that its id stays its own
        self.storages.append((key, root.reshape(-1)))
        return ref


def dumps(obj: Any, protocol: int, parameter_type: Any) -> Tuple[bytes, StorageList]:
    """``(data.pkl, storages)`` of ``obj``; ``parameter_type`` is nn.Parameter (or None)."""
    buf = io.BytesIO()
    pickler = _TorchPickler(buf, protocol, parameter_type)
    pickler.dump(obj)
    return buf.getvalue(), pickler.storages


def byteorder() -> str:
    return sys.byteorder
