"""safetensors in and out, with the signatures of ``safetensors.torch``: ``save_file``,
``load_file``, ``save`` and ``load``. The bytes are written and read by the
``safetensors`` package itself (imported on first use; ``pip install
'autograd-core[safetensors]'``), so files go both ways with
PyTorch: keys, dtypes, shapes and bits are kept.

Before the package reads a file, its header is checked here, so that a truncated or
corrupt file, a dtype this library lacks (``BF16``, the ``F8`` kinds, unsigned ints wider
than 8 bits) or an entry whose bytes lie outside the file gives a one-line ``ValueError``
naming the file and the key, never a crash or a partial dict. Saving to a path is atomic
(temp file, fsync, rename).

>>> import os, tempfile, autograd_core as ag
>>> from autograd_core.safetensors import save_file, load_file
>>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
>>> save_file({"weight": ag.ones(2, 3), "step": ag.tensor(7)}, path,
...           metadata={"format": "pt"})                              # doctest: +SKIP
>>> {k: v.shape for k, v in load_file(path).items()}                 # doctest: +SKIP
{'step': (), 'weight': (2, 3)}
"""
from __future__ import annotations

import json
import os
import struct
from typing import Any

import numpy as np

from .serialization.atomic import write_atomically
from .tensor import Tensor, make

__all__ = ["save_file", "load_file", "save", "load"]

# safetensors' dtype names -> NumPy dtypes this library has
DTYPES = {"F16": np.float16, "F32": np.float32, "F64": np.float64, "I8": np.int8,
          "I16": np.int16, "I32": np.int32, "I64": np.int64, "U8": np.uint8, "BOOL": np.bool_}
_NAMES = {np.dtype(v): k for k, v in DTYPES.items()}
MAX_HEADER = 100 * 1024 * 1024  # the format's own limit on the JSON header


def _package() -> Any:
    try:
        import safetensors.numpy as stn
    except ImportError:
        raise ImportError("autograd_core.safetensors needs the safetensors package: pip install "
                          "'autograd-core[safetensors]'") from None
    return stn


def _arrays(tensors: Any, where: str) -> dict:
    if not isinstance(tensors, dict):
        raise TypeError(f"{where}: expected a dict of name -> Tensor, got "
                        f"{type(tensors).__name__}")
    out = {}
    for k, v in tensors.items():
        if not isinstance(k, str):
            raise TypeError(f"{where}: keys must be str, got {type(k).__name__} ({k!r})")
        if isinstance(v, Tensor):
            a = v.detach().numpy()
        elif isinstance(v, np.ndarray):
            a = v
        else:
            raise TypeError(f"{where}: key {k!r}: expected a Tensor, got {type(v).__name__}")
        if a.dtype not in _NAMES:
            raise TypeError(f"{where}: key {k!r}: dtype {a.dtype} cannot be saved")
        out[k] = a
    _check_shared(out, where)
    # (np.ascontiguousarray would make 0-d arrays 1-d)
    return {k: a if a.flags.c_contiguous else a.copy(order="C") for k, a in out.items()}


def _check_shared(arrays: dict, where: str) -> None:
    """As ``safetensors.torch``: tensors that share memory (tied weights) are refused."""
    items = [(k, a) for k, a in arrays.items() if a.size]
    for i, (k1, a1) in enumerate(items):
        for k2, a2 in items[i + 1:]:
            if np.shares_memory(a1, a2):
                raise RuntimeError(
                    f"{where}: Some tensors share memory, this will lead to duplicate memory "
                    f"on disk and potential differences when loading them again: "
                    f"[{{{k1!r}, {k2!r}}}]. A potential way to correctly save your model is "
                    "to clone the tied tensors (or save only one of them).")


def _metadata(metadata: Any, where: str) -> dict | None:
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise TypeError(f"{where}: metadata must be a dict of str -> str")
    return dict(metadata)


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    """The safetensors bytes of ``tensors`` (``safetensors.torch.save``)."""
    return _package().save(_arrays(tensors, "safetensors.save"), metadata=_metadata(
        metadata, "safetensors.save"))


def save_file(tensors: dict, filename: Any, metadata: dict | None = None) -> None:
    """Write ``tensors`` (name -> Tensor) to ``filename`` in the safetensors format, with
    optional ``metadata`` (str -> str), as ``safetensors.torch.save_file``."""
    where = f"save_file({os.fspath(filename)!r})"
    data = _package().save(_arrays(tensors, where), metadata=_metadata(metadata, where))
    write_atomically(filename, lambda fh: fh.write(data))


def _check_header(buf: memoryview | bytes, name: str) -> dict:
    """The parsed header of safetensors bytes ``buf``, every entry checked; a one-line
    ``ValueError`` naming ``name`` (and the key) for anything wrong."""
    total = len(buf)
    if total < 8:
        raise ValueError(f"{name}: not a safetensors file (truncated: {total} bytes)")
    (n,) = struct.unpack("<Q", bytes(buf[:8]))
    if n > MAX_HEADER or 8 + n > total:
        raise ValueError(f"{name}: not a safetensors file, or truncated (header of {n} bytes "
                         f"in a file of {total})")
    try:
        header = json.loads(bytes(buf[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{name}: corrupt safetensors header ({e})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{name}: corrupt safetensors header (not a JSON object)")
    body = total - 8 - n
    for key, info in header.items():
        if key == "__metadata__":
            continue
        if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
            raise ValueError(f"{name}: key {key!r}: corrupt entry in the header")
        dtype = info["dtype"]
        if dtype not in DTYPES:
            raise ValueError(f"{name}: key {key!r}: dtype {dtype} is not supported here "
                             f"(supported: {', '.join(DTYPES)})")
        shape, offsets = info["shape"], info["data_offsets"]
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)
                and isinstance(offsets, list) and len(offsets) == 2
                and all(isinstance(o, int) for o in offsets)):
            raise ValueError(f"{name}: key {key!r}: corrupt shape or offsets in the header")
        begin, end = offsets
        size = int(np.prod(shape, dtype=np.int64)) * np.dtype(DTYPES[dtype]).itemsize
        if not 0 <= begin <= end or end - begin != size:
            raise ValueError(f"{name}: key {key!r}: its {end - begin} bytes do not hold "
                             f"{dtype} of shape {tuple(shape)}")
        if end > body:
            raise ValueError(f"{name}: key {key!r}: data ends at byte {end} but the file has "
                             f"{body} (truncated?)")
    return header


def _tensors(arrays: dict, header: dict) -> dict:
    # in the header's order (the order the writer gave), as safetensors.torch returns them
    order = [k for k in header if k != "__metadata__"]
    return {k: make(np.array(arrays[k], copy=True)) for k in order}


def load(data: bytes) -> dict:
    """Tensors from safetensors bytes (``safetensors.torch.load``)."""
    header = _check_header(memoryview(data), "safetensors.load")
    try:
        arrays = _package().load(bytes(data))
    except Exception as e:  # noqa: BLE001 - the package's SafetensorError and friends
        raise ValueError(f"safetensors.load: {e}") from None
    return _tensors(arrays, header)


def load_file(filename: Any, device: Any = "cpu") -> dict:
    """Tensors (name -> Tensor) from the safetensors file ``filename``, as
    ``safetensors.torch.load_file``; only the CPU device exists here."""
    name = os.fspath(filename)
    if str(device) != "cpu":
        raise ValueError(f"load_file({name!r}): device {device!r} is not available (cpu only)")
    with open(name, "rb") as fh:
        data = fh.read()
    header = _check_header(memoryview(data), name)
    try:
        arrays = _package().load(data)
    except Exception as e:  # noqa: BLE001 - the package's SafetensorError and friends
        raise ValueError(f"{name}: {str(e).strip().splitlines()[0]}") from None
    missing = [k for k in header if k != "__metadata__" and k not in arrays]
    if missing:
        raise ValueError(f"{name}: key {missing[0]!r}: listed in the header but not read")
    return _tensors(arrays, header)
