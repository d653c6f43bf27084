"""Stand-ins for the globals a file may call under ``weights_only=True``.

Each takes the place of a function or class the file names (``numpy.dtype``,
``numpy.core.multiarray._reconstruct``, ``builtins.bytearray``, ``torch.Size``, ...) and
builds only plain data, checking its arguments by type before anything else (comparing or
printing an object the file built could call its code), and refusing, with
:class:`~.errors.Refused`, whatever the original would do beyond data: NumPy object
arrays, whose items would be unpickled; dtypes other than numeric, bool and strings; a
byte count that would allocate more than the file holds; BUILD on a dtype NumPy shares.
"""
from __future__ import annotations

import codecs
import re
from typing import Any

import numpy as np

from ..tensor.size import Size
from .errors import Refused, describe

__all__ = ["NUMPY_GLOBALS", "FILLED_BY_BUILD", "np_dtype_setstate", "np_array_setstate",
           "encode", "bytes_", "bytearray_", "torch_size", "torch_device", "np_dtype"]

_NP_DTYPE = re.compile(r"[biufc][0-9]{1,2}|[US][0-9]{1,9}")


def np_dtype(spec: Any, align: Any = False, copy: Any = False) -> np.dtype:
    """``numpy.dtype(spec, align, copy)`` for numeric, bool and string dtypes only; always a
    fresh object, so that BUILD's state cannot change a shared one."""
    if type(spec) is not str or not _NP_DTYPE.fullmatch(spec) or align is not False:
        raise Refused(f"a NumPy dtype {describe(spec)} that weights_only does not rebuild "
                      "(numeric, bool and string dtypes only)")
    return np.dtype(spec, copy=True)


def np_dtype_setstate(inst: np.dtype, state: Any) -> None:
    # checked by type first: comparing an object the file built could call its code
    if not (type(state) is tuple and len(state) in (8, 9) and type(state[0]) is int
            and state[0] in (3, 4) and type(state[1]) is str and state[1] in "<>|="
            and len(state[1]) == 1 and all(v is None for v in state[2:5])
            and all(type(v) is int for v in state[5:8])
            and (len(state) == 8 or state[8] is None)):
        raise Refused(f"a NumPy dtype state {describe(state)} that weights_only does not "
                      "rebuild")
    inst.__setstate__(state)
    if inst.hasobject or inst.fields is not None or inst.kind not in "biufcUS":
        raise Refused(f"a NumPy dtype {inst} that weights_only does not rebuild")


def np_reconstruct(subtype: Any, shape: Any, dtype: Any) -> np.ndarray:
    """``numpy.core.multiarray._reconstruct``: the empty array BUILD then fills."""
    if subtype is not np.ndarray or type(shape) is not tuple or shape != (0,) \
            or type(dtype) not in (bytes, str) or dtype not in (b"b", "b"):
        raise Refused("a NumPy array that weights_only does not rebuild "
                      "(plain numpy.ndarray only)")
    return np.ndarray.__new__(np.ndarray, (0,), np.dtype("b"))


def np_array_setstate(inst: np.ndarray, state: Any) -> None:
    if not (type(state) is tuple and len(state) == 5 and type(state[0]) is int
            and state[0] == 1 and type(state[1]) is tuple
            and all(type(n) is int and n >= 0 for n in state[1])
            and isinstance(state[2], np.dtype) and type(state[3]) is bool
            and isinstance(state[4], bytes)):
        raise Refused("a NumPy array state that weights_only does not rebuild")
    if state[2].hasobject or state[2].kind not in "biufcUS":
        raise Refused(f"a NumPy array of dtype {state[2]}, which weights_only "
                      "does not rebuild (its items would be unpickled)")
    count = 1
    for n in state[1]:
        count *= n
    if len(state[4]) != count * state[2].itemsize:
        raise Refused(f"a NumPy array of shape {describe(state[1])} and dtype {state[2]} "
                      f"with {len(state[4])} bytes of data")
    inst.__setstate__(state)


def np_frombuffer(buf: Any, dtype: Any, shape: Any, order: Any) -> np.ndarray:
    """``numpy.core.numeric._frombuffer``, how protocol 5 writes arrays: their bytes in band."""
    if not (isinstance(buf, (bytes, bytearray)) and isinstance(dtype, np.dtype)
            and not dtype.hasobject and dtype.kind in "biufcUS" and isinstance(shape, tuple)
            and all(type(n) is int and n >= 0 for n in shape) and type(order) is str
            and order in ("C", "F")):
        raise Refused("a NumPy array that weights_only does not rebuild")
    count = 1
    for n in shape:
        count *= n
    if len(buf) != count * dtype.itemsize:
        raise Refused(f"a NumPy array of shape {describe(shape)} and dtype {dtype} with "
                      f"{len(buf)} bytes of data")
    arr = np.frombuffer(buf, dtype=dtype).reshape(shape, order=order)
    return arr if arr.flags.writeable else arr.copy()


def np_scalar(dtype: Any, data: Any) -> np.generic:
    """``numpy.core.multiarray.scalar(dtype, data)``: one value from its bytes."""
    if not isinstance(dtype, np.dtype) or dtype.hasobject or dtype.kind not in "biufcUS" \
            or not isinstance(data, bytes) or len(data) != dtype.itemsize:
        raise Refused("a NumPy scalar that weights_only does not rebuild")
    return np.frombuffer(data, dtype=dtype)[0].copy()


def encode(text: Any, encoding: Any = "utf-8") -> bytes:
    """``_codecs.encode``, as protocol 2 writes bytes: str to bytes in a text encoding."""
    if type(text) is not str or type(encoding) is not str \
            or encoding not in ("latin1", "latin-1", "utf-8", "ascii"):
        raise Refused(f"_codecs.encode of {describe(text)} with {describe(encoding)}")
    return codecs.encode(text, encoding)


def bytes_(*args: Any) -> bytes:
    """``bytes`` (protocol 2 writes ``bytes()`` for b'') of bytes, or of a str and its
    encoding; never of a count, which would allocate that many bytes from a few in the file."""
    if len(args) == 0 or (len(args) == 1 and isinstance(args[0], (bytes, bytearray))):
        return bytes(*args)
    if len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], str):
        return encode(args[0], args[1])
    raise Refused("bytes and bytearray are rebuilt from bytes or text only")


def bytearray_(*args: Any) -> bytearray:
    """``bytearray``, by the rules of :func:`bytes_`."""
    return bytearray(bytes_(*args))


def torch_size(dims: Any = ()) -> Size:
    """``torch.Size``: a ``Size`` (a tuple of ints)."""
    if not isinstance(dims, (tuple, list)) or not all(type(n) is int for n in dims):
        raise Refused(f"torch.Size of {describe(dims)}")
    return Size(dims)


def torch_device(kind: Any, index: Any = None) -> str:
    """``torch.device``: the device string ('cpu', 'cuda:0'), as ``Tensor.device`` gives."""
    if not isinstance(kind, str) or not (index is None or type(index) is int):
        raise Refused(f"torch.device({describe(kind)}, {describe(index)})")
    return kind if index is None or ":" in kind else f"{kind}:{index}"


NUMPY_GLOBALS = {
    **{f"{m}.{n}": f for m in ("numpy.core.multiarray", "numpy._core.multiarray")
       for n, f in (("_reconstruct", np_reconstruct), ("scalar", np_scalar))},
    **{f"{m}._frombuffer": np_frombuffer for m in ("numpy.core.numeric",
                                                   "numpy._core.numeric")}}


# What REDUCE makes with these that BUILD then fills (once, see the unpickler).
FILLED_BY_BUILD = (np_dtype, np_reconstruct)
