"""``save`` and ``load`` in PyTorch's file format, as ``torch.save`` and ``torch.load``.

``save(obj, f)`` writes what ``torch.save`` writes: a zip archive holding ``data.pkl``
(``obj`` pickled, tensors as calls of PyTorch's rebuild functions on storages) and one raw
record per storage, so that ``torch.load(f, weights_only=True)`` reads state dicts and
containers of tensors as torch tensors of the same dtype, shape and bits. ``load`` reads
those files and the ones ``torch.save`` writes, giving this library's Tensors; it also reads
the ``.npz`` checkpoints earlier versions of ``save`` wrote.

``load`` never runs code from the file unless told to: with ``weights_only=True`` (the
default) its unpickler calls only allowlisted functions (:mod:`.unpickler` says which and
why; add your own with :func:`add_safe_globals` or :class:`safe_globals`) and refuses
anything else with ``pickle.UnpicklingError`` naming the global. ``weights_only=False``
unpickles anything, which can run arbitrary code: only for files from a trusted source.

Size limits: before anything is read, ``load`` adds up the sizes the archive declares and
refuses a file whose records would take more than ``max_bytes`` (default
:data:`MAX_BYTES`, 4 GiB) or whose pickle would exceed ``max_manifest_bytes`` (default
:data:`MAX_MANIFEST_BYTES`, 8 MiB), so a small crafted file cannot make it allocate
gigabytes. Both defaults are read when ``load`` is called and can be changed here.

Saving to a path writes a hidden temporary file in the same folder, fsyncs it, renames it
over the target and fsyncs the folder (:func:`write_atomically`).

>>> import io
>>> import autograd_core as ag
>>> buf = io.BytesIO()
>>> ag.save({"weight": ag.ones(2, 3), "step": 7, "betas": (0.9, 0.999)}, buf)
>>> _ = buf.seek(0)
>>> sd = ag.load(buf)
>>> sd["weight"].shape, sd["step"], sd["betas"]
((2, 3), 7, (0.9, 0.999))
"""
from __future__ import annotations

import io
import numbers
import os
import pickle
import struct
import sys
import warnings
import zipfile
from typing import IO, Any, BinaryIO, Optional, Union

from . import legacy_npz
from .atomic import write_atomically
from .errors import Refused, SerializationError, WeightsOnlyUnpicklingError, describe
from .pickler import dumps as _dumps
from .tensors import Storage, StorageType, TensorReader, UserCallbackError, restore_location
from .tensors import _library_nn
from .unpickler import (WeightsOnlyUnpickler, _refuse, add_safe_globals,
                        clear_safe_globals, get_safe_globals, safe_globals, trusted_unpickler)
from .zipformat import ArchiveReader, archive_name, archive_records, write_archive

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "SerializationError", "WeightsOnlyUnpicklingError",
           "write_atomically", "DEFAULT_PROTOCOL", "MAX_BYTES", "MAX_MANIFEST_BYTES"]

# PyTorch's constants, for scripts that read them.
DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C  # the first pickle of PyTorch's pre-1.6 format
PROTOCOL_VERSION = 1001

# The most bytes ``load`` lets a file's records take, all of them together (and copies made
# while loading). 4 GiB is a billion float32 values: the weights of a ~1B-parameter model,
# or a ~300M-parameter model with Adam's two moment buffers; beyond that a NumPy model on
# the CPU is impractical anyway. A file declaring more is refused before anything is read.
# Read at each call; pass ``max_bytes=`` to ``load`` or set this to change it.
MAX_BYTES = 4 * 2 ** 30
# The most bytes of the structure: the pickle (``data.pkl``), or the JSON manifest of the
# earlier format. A state dict with its Adam state takes ~300 bytes of pickle per parameter
# tensor, so 8 MiB holds ~25,000 parameter tensors, ten times the largest common models.
# Unpickling 8 MiB of the most wasteful opcodes (an empty dict and an append, 2 bytes
# making ~72) takes ~300 MB (measured: 270 MB for lists, 303 MB for dicts).
MAX_MANIFEST_BYTES = 8 * 2 ** 20

FileLike = Union[str, "os.PathLike[str]", BinaryIO, IO[bytes]]

_write_archive = write_archive  # the writer ``save`` calls (tests replace it to interrupt)


def save(obj: Any, f: FileLike, pickle_module: Any = pickle,
         pickle_protocol: int = DEFAULT_PROTOCOL, _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` to a path or a binary file, in PyTorch's format (as ``torch.save``).

    ``obj`` may be anything picklable: state dicts of models, optimizers and schedulers,
    any nesting of Tensors, NumPy arrays, numbers, strings, bytes, None, lists, tuples,
    dicts and sets, and whole modules (``save(model)``). Tensors sharing memory share a
    storage. ``torch.load(f, weights_only=True)`` reads the tensors and containers (NumPy
    arrays and our own classes need ``weights_only=False`` there). Saving to a path
    replaces the file in one rename: an interrupted save leaves the previous file or the
    new one, never a half-written one.

    >>> import os, tempfile
    >>> import autograd_core as ag
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.pt")
    >>> ag.save({"model": {"w": ag.zeros(2)}, "epoch": 3}, path)
    >>> ag.load(path)["epoch"]
    3
    """
    if not isinstance(f, (str, os.PathLike)) and not hasattr(f, "write"):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a "
                             f"'write' attribute, got {type(f).__name__}")
    if pickle_module is not pickle:
        raise ValueError("save: only the standard pickle module is supported (tensors are "
                         f"written by its pure-Python pickler), got {pickle_module!r}")
    if isinstance(pickle_protocol, bool) or not isinstance(pickle_protocol, int) or \
            not 2 <= pickle_protocol <= pickle.HIGHEST_PROTOCOL:
        raise ValueError(f"save: pickle_protocol must be an int from 2 to "
                         f"{pickle.HIGHEST_PROTOCOL}, got {pickle_protocol!r}")
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("save: PyTorch's pre-1.6 format "
                                  "(_use_new_zipfile_serialization=False) is not written; "
                                  "every PyTorch since 1.6 reads the zip format")
    nn = _library_nn()
    data_pkl, storages = _dumps(obj, pickle_protocol, nn.Parameter if nn else None)
    records = archive_records(data_pkl, storages,
                              None if _disable_byteorder_record else sys.byteorder)
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        name = archive_name(path)
        write_atomically(path, lambda fh: _write_archive(fh, name, records))
    else:
        _write_archive(f, archive_name(None), records)  # type: ignore[arg-type]


# ------------------------------------------------------------------ loading
def _limit(value: Any, setting: str, keyword: str) -> int:
    """``value`` (a keyword of ``load``, None for the module's ``setting``) as a byte count."""
    where = keyword
    if value is None:
        value, where = globals()[setting], f"autograd_core.serialization.{setting}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"load: {where} must be a whole number of bytes, got "
                        f"{type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"load: {where} must be 0 or more bytes, got {value}")
    return int(value)


def _refuse_non_zip(head: bytes, name: str) -> None:
    """Why a file that is not a zip archive is not a checkpoint (pickles are handled apart)."""
    if len(head) == 0:
        raise SerializationError(f"load: {name} is empty (0 bytes); it is not a checkpoint")
    if len(head) < 4 and b"PK\x03\x04".startswith(head):
        raise SerializationError(f"load: {name} is truncated: {len(head)} bytes of a zip "
                                 "archive")
    if head[:6] == b"\x93NUMPY":
        raise SerializationError(f"load: {name} is a single NumPy .npy array, not a "
                                 "checkpoint; read it with numpy.load")
    raise SerializationError(f"load: {name} is not a checkpoint (expected a zip archive as "
                             f"torch.save and autograd_core.save write; the file starts with "
                             f"{head[:8]!r})")


def _load_pickle_file(fh: BinaryIO, name: str, limit: int, reader: TensorReader) -> Any:
    """A file that is a bare pickle: PyTorch's pre-1.6 format starts with a pickled magic
    number. Only that first pickle is read, by the weights-only unpickler whatever
    ``weights_only`` says, so that a bare pickle never runs code; the format is not read."""
    data = fh.read(limit + 1)
    if len(data) > limit:
        data = data[:limit]

    def no_storage(pid: Any) -> Any:
        raise Refused("a storage outside a zip archive")

    try:
        first = WeightsOnlyUnpickler(io.BytesIO(data), name=name, reader=reader,
                                     persistent_load=no_storage).load()
    except Refused as e:
        raise _refuse(name, str(e)) from None
    except SerializationError:
        raise
    except Exception as e:  # noqa: BLE001 - anything else is a damaged or foreign pickle
        raise SerializationError(f"load: {name} is a pickle that cannot be read as a "
                                 f"checkpoint ({type(e).__name__}: {e})"[:500]) from None
    if type(first) is int and first == MAGIC_NUMBER:
        raise SerializationError(
            f"load: {name} is in PyTorch's pre-1.6 format (torch.save(..., "
            "_use_new_zipfile_serialization=False)), which autograd_core does not read; "
            "re-save it with torch.save in PyTorch 1.6 or later")
    raise SerializationError(f"load: {name}: invalid magic number; corrupt file? (a bare "
                             "pickle, not a checkpoint of torch.save or autograd_core.save)")


class _Loader:
    """One load of a ``torch.save`` archive: storages as persistent ids, then the pickle."""

    def __init__(self, archive: ArchiveReader, name: str, map_location: Any,
                 mmap: bool) -> None:
        self.archive, self.name, self.mmap = archive, name, mmap
        self.restore = restore_location(map_location)
        self.reader = TensorReader(name, archive.charge)
        self.storages: dict = {}
        self.swap = False
        if archive.has("byteorder"):
            order = archive.read_bytes("byteorder") if \
                archive.records["byteorder"].file_size <= 16 else b"?"
            if order not in (b"little", b"big"):
                raise SerializationError(f"load: {name} is corrupt: unknown byte order "
                                         f"{order[:16]!r}")
            self.swap = order.decode() != sys.byteorder
        # no record: little-endian, PyTorch's default since 2.1

    def persistent_load(self, pid: Any) -> Storage:
        if not (isinstance(pid, tuple) and len(pid) == 5):
            raise SerializationError(f"load: {self.name} is corrupt: a persistent id "
                                     f"{describe(pid)}")
        _, storage_type, key, location, numel = pid
        if isinstance(location, bytes):
            location = location.decode("ascii", "replace")
        if not isinstance(storage_type, StorageType) or not isinstance(key, str) \
                or not isinstance(location, str) or type(numel) is not int or numel < 0:
            raise SerializationError(f"load: {self.name} is corrupt: a storage's persistent "
                                     f"id is {describe(pid)}")
        if storage_type.dtype is None:
            raise self.reader._unsupported(storage_type.unsupported)
        known = self.storages.get(key)
        if known is not None:
            if known.array.dtype != storage_type.dtype:
                raise SerializationError(f"load: {self.name} is corrupt: storage "
                                         f"{describe(key)} is used as {known.array.dtype} "
                                         f"and {storage_type.dtype}")
            return known
        dtype = storage_type.dtype
        raw = self.archive.read_storage(key, numel * dtype.itemsize, self.mmap)
        array = raw.view(dtype)
        if self.swap:
            array.byteswap(inplace=True)
        storage = self.restore(Storage(array, key), location)
        self.storages[key] = storage
        return storage


def _open_zip(fh: BinaryIO, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
            KeyError, IndexError, struct.error) as e:
        raise SerializationError(f"load: {name} is corrupt or truncated: it is not a "
                                 f"readable zip archive ({type(e).__name__}: {e})") from None


def _load_zip(fh: BinaryIO, name: str, path: Optional[str], map_location: Any,
              pickle_module: Any, weights_only: bool, mmap: bool, limits: tuple,
              encoding: str, pickle_load_args: dict) -> Any:
    zf = _open_zip(fh, name)
    with zf:
        if legacy_npz.is_legacy_archive(zf):
            return legacy_npz.load_archive(zf, name, *limits)
        archive = ArchiveReader(zf, name, limits[0], limits[1], path)
        if archive.has("constants.pkl"):
            raise SerializationError(f"load: {name} is a TorchScript archive "
                                     "(torch.jit.save), which autograd_core cannot load")
        loader = _Loader(archive, name, map_location, mmap)
        data = io.BytesIO(archive.read_bytes("data.pkl"))
        try:
            if weights_only:
                return WeightsOnlyUnpickler(data, name=name, reader=loader.reader,
                                            persistent_load=loader.persistent_load,
                                            encoding=encoding).load()
            cls = trusted_unpickler(pickle_module, loader.reader, loader.persistent_load)
            return cls(data, encoding=encoding, **pickle_load_args).load()
        except UserCallbackError as e:
            raise e.error from None
        except Refused as e:
            raise _refuse(name, str(e)) from None
        except (SerializationError, RuntimeError, MemoryError, KeyboardInterrupt):
            raise
        except Exception as e:  # noqa: BLE001 - a damaged pickle fails in any way
            if not weights_only and not isinstance(e, (pickle.UnpicklingError, EOFError)):
                raise  # trusted mode: the file's own classes raised it
            raise SerializationError(f"load: {name} is corrupt: its pickle cannot be read "
                                     f"({type(e).__name__}: {e})"[:500]) from None


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: Optional[bool] = None, mmap: Optional[bool] = None,
         max_bytes: Optional[int] = None, max_manifest_bytes: Optional[int] = None,
         **pickle_load_args: Any) -> Any:
    """Load an object saved by ``save`` or ``torch.save`` from a path or a binary file.

    Tensors come back as this library's Tensors (dtype, shape, values and
    ``requires_grad`` as saved; tensors that shared a storage share memory), Parameters as
    ``nn.Parameter``, containers as they were. Files of the earlier ``.npz`` format of
    ``save`` load too.

    ``weights_only=True`` (the default, None means it too) loads only tensors, NumPy
    arrays, numbers, strings, bytes, containers, this library's modules and the globals
    allowed with :func:`add_safe_globals`; anything else raises ``pickle.UnpicklingError``
    (:class:`WeightsOnlyUnpicklingError`) naming the global, and nothing from the file is
    ever called. **Warning:** ``weights_only=False`` unpickles with plain pickle
    (``pickle_module``, default ``pickle``), which can run arbitrary code: use it only for
    files from a source you trust (it loads user-defined classes from scripts).

    A file that is not a zip archive is not read beyond its first pickle, and that with the
    weights-only rules whatever ``weights_only`` says: a bare pickle is refused without
    running, and PyTorch's pre-1.6 format is refused as such.

    ``map_location`` takes PyTorch's forms (None, ``'cpu'``, a ``torch.device``, a dict of
    location tags, a callable ``f(storage, location)``); storages stay on the CPU, and a
    CUDA location raises PyTorch's error of a CPU-only build (use ``map_location='cpu'``).
    ``mmap=True`` maps the storages of a file given by path instead of reading them.

    ``max_bytes`` bounds the bytes of all records together and ``max_manifest_bytes`` the
    pickle (None: :data:`MAX_BYTES`, 4 GiB, and :data:`MAX_MANIFEST_BYTES`, 8 MiB, read at
    each call). A file declaring more, and a corrupt or truncated file, raise
    :class:`SerializationError` naming the file, before anything is allocated.

    >>> import io
    >>> import autograd_core as ag
    >>> from autograd_core.serialization import SerializationError
    >>> buf = io.BytesIO(); ag.save({"n": ag.tensor(3)}, buf)
    >>> ag.load(io.BytesIO(buf.getvalue()), map_location="cpu")["n"].dtype
    dtype('int64')
    >>> try:
    ...     ag.load(io.BytesIO(buf.getvalue()[:40]))
    ... except SerializationError as e:
    ...     print("refused")
    refused
    """
    if weights_only is None:
        weights_only = True
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    if pickle_module is None:
        pickle_module = pickle
    if pickle_load_args and weights_only:  # PyTorch's warning; encoding is still used
        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
    encoding = pickle_load_args.pop("encoding", "utf-8")
    if weights_only:
        pickle_load_args = {}
    limits = (_limit(max_bytes, "MAX_BYTES", "max_bytes"),
              _limit(max_manifest_bytes, "MAX_MANIFEST_BYTES", "max_manifest_bytes"))
    restore_location(map_location)  # a map_location of the wrong type fails before reading
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        name = repr(path)
        with open(path, "rb") as fh:
            return _load_file(fh, name, path, map_location, pickle_module, weights_only,
                              bool(mmap), limits, encoding, pickle_load_args)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    if not hasattr(f, "read"):
        raise TypeError(f"load: f must be a path or a binary file object, got "
                        f"{type(f).__name__}")
    name = repr(f.name) if isinstance(getattr(f, "name", None), str) else "the file object"
    if not (hasattr(f, "seek") and getattr(f, "seekable", lambda: True)()):
        f = io.BytesIO(f.read())
    return _load_file(f, name, None, map_location, pickle_module, weights_only, False,
                      limits, encoding, pickle_load_args)  # type: ignore[arg-type]


def _load_file(fh: BinaryIO, name: str, path: Optional[str], map_location: Any,
               pickle_module: Any, weights_only: bool, mmap: bool, limits: tuple,
               encoding: str, pickle_load_args: dict) -> Any:
    start = fh.tell()
    head = fh.read(8)
    if not isinstance(head, bytes):
        raise TypeError("load: the file object must be opened in binary mode ('rb')")
    fh.seek(start)
    if head[:4] == b"PK\x03\x04":
        return _load_zip(fh, name, path, map_location, pickle_module, weights_only, mmap,
                         limits, encoding, pickle_load_args)
    if mmap:
        raise RuntimeError(f"load: {name}: mmap can only be used with files saved with "
                           "torch.save(..., _use_new_zipfile_serialization=True)")
    if head[:1] == b"\x80" and len(head) > 1 and head[1] <= 5:
        return _load_pickle_file(fh, name, limits[1],
                                 TensorReader(name, lambda n, w: None))
    _refuse_non_zip(head, name)
