"""``save`` and ``load``: checkpoints that hold data only, so loading one cannot run code.

A file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays) written and read with
``allow_pickle=False``, plus one member holding a JSON manifest that describes the
structure: nested dicts, lists and tuples of tensors, arrays, ints, floats, bools, strings
and None. That is what state dicts of models, optimizers and schedulers are made of.
Pickles (including ``torch.save`` files) are refused, and a corrupt or truncated file is
reported as such rather than half-loaded.

Size limits: before anything is inflated, ``load`` adds up the sizes the archive declares
(each zip entry's uncompressed size, then each array's ``.npy`` header shape times its item
size) and refuses a file whose arrays would exceed ``max_bytes`` (default
:data:`MAX_BYTES`, 4 GiB) or whose manifest would exceed ``max_manifest_bytes`` (default
:data:`MAX_MANIFEST_BYTES`, 8 MiB), so a small crafted file cannot make it allocate
gigabytes. Both defaults are read when ``load`` is called and can be changed here.

Saving to a path writes a hidden temporary file in the same folder, fsyncs it, renames it
over the target and fsyncs the folder; temporary files left by a killed save are removed
by the next save to that folder.

>>> import io
>>> import autograd_core as ag
>>> from autograd_core.serialization import save, load
>>> buf = io.BytesIO()
>>> save({"weight": ag.ones(2, 3), "step": 7, "betas": (0.9, 0.999)}, buf)
>>> _ = buf.seek(0)
>>> sd = load(buf)
>>> sd["weight"].shape, sd["step"], sd["betas"]
((2, 3), 7, (0.9, 0.999))
"""
from __future__ import annotations

import errno
import io
import json
import math
import numbers
import os
import re
import secrets
import stat
import time
import zipfile
from collections import Counter, OrderedDict
from typing import IO, Any, BinaryIO, Callable, Dict, List, Union

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

import numpy as np

from .tensor.creation import from_numpy
from .tensor import Tensor

__all__ = ["save", "load", "SerializationError", "write_atomically"]

FORMAT = "autograd_core.save"
VERSION = 1
MANIFEST = "__autograd_core_manifest__"

# The most bytes ``load`` lets a file's arrays take, all of them together. 4 GiB is a
# billion float32 values: the weights of a ~1B-parameter model, or a ~300M-parameter model
# with Adam's two moment buffers; beyond that a NumPy model on the CPU is impractical
# anyway. A file declaring more is refused before anything is inflated. Read at each call;
# pass ``max_bytes=`` to ``load`` or set this to change it.
MAX_BYTES = 4 * 2 ** 30
# The most bytes of the JSON manifest (the structure: keys, tensor table, numbers). A state
# dict and its Adam state take ~500 bytes per parameter tensor, so 8 MiB holds ~17,000
# parameter tensors, ten times the largest common models (ResNet-152, LLaMA-70B: under
# 1,000). Parsing 8 MiB of the most wasteful JSON (``[[],[],...]``) takes ~200 MB.
MAX_MANIFEST_BYTES = 8 * 2 ** 20

FileLike = Union[str, "os.PathLike[str]", BinaryIO, IO[bytes]]


class SerializationError(RuntimeError):
    """A file that ``load`` refuses: not ours, a pickle, corrupt or truncated."""


# ------------------------------------------------------------------- saving
class _Encoder:
    def __init__(self) -> None:
        self.arrays: Dict[str, np.ndarray] = {}
        self.array_ids: Dict[int, str] = {}
        self.keep: List[Any] = []  # keep objects alive so that ids are not reused while saving
        self.tensors: List[Dict[str, Any]] = []
        self.tensor_ids: Dict[int, int] = {}

    def array_key(self, a: np.ndarray, where: str) -> str:
        key = self.array_ids.get(id(a))
        if key is None:
            if a.dtype.hasobject:
                raise TypeError(f"save: {where} is an array of Python objects (dtype "
                                f"{a.dtype}); only numeric, bool and string arrays can be saved")
            key = f"a{len(self.arrays)}"
            self.arrays[key] = a
            self.array_ids[id(a)] = key
            self.keep.append(a)
        return key

    def encode(self, obj: Any, where: str) -> Any:
        if isinstance(obj, np.generic):  # before float: np.float64 subclasses float
            arr = np.asarray(obj)
            self.keep.append(arr)
            return {"$scalar": self.array_key(arr, where)}
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return obj
        if isinstance(obj, float):
            if math.isfinite(obj):
                return obj
            return {"$float": repr(obj)}  # 'nan', 'inf', '-inf': the manifest is strict JSON
        if isinstance(obj, Tensor):
            idx = self.tensor_ids.get(id(obj))
            if idx is None:
                idx = len(self.tensors)
                self.tensors.append({"array": self.array_key(obj._data, where),
                                     "requires_grad": bool(obj.requires_grad)})
                self.tensor_ids[id(obj)] = idx
                self.keep.append(obj)
            return {"$tensor": idx}
        if isinstance(obj, np.ndarray):
            return {"$ndarray": self.array_key(obj, where)}
        if isinstance(obj, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"$tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            kind = ("Counter" if isinstance(obj, Counter)
                    else "OrderedDict" if isinstance(obj, OrderedDict) else "dict")
            items = []
            for k, v in obj.items():
                if not (k is None or isinstance(k, (bool, int, float, str, tuple))):
                    raise TypeError(f"save: {where} has a key of type {type(k).__name__} "
                                    f"({k!r}); dict keys must be str, int, float, bool, None or "
                                    "tuples of those")
                items.append([self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")])
            return {"$dict": items, "type": kind}
        raise TypeError(f"save: cannot save {where}, of type {type(obj).__module__}."
                        f"{type(obj).__qualname__}. Only nested dicts, lists and tuples of "
                        "Tensors, NumPy arrays, ints, floats, bools, strings and None can be "
                        "saved: a file that holds objects could run code when loaded")


def _write_archive(fh: BinaryIO, manifest: bytes, arrays: Dict[str, np.ndarray]) -> None:
    with zipfile.ZipFile(fh, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        with zf.open(MANIFEST + ".npy", "w", force_zip64=True) as m:
            np.lib.format.write_array(m, np.frombuffer(manifest, dtype=np.uint8),
                                      allow_pickle=False)
        for key, arr in arrays.items():
            with zf.open(key + ".npy", "w", force_zip64=True) as m:
                np.lib.format.write_array(m, arr, allow_pickle=False)


# Temporary files of a save are hidden, in the target's folder, and named so that nothing
# else matches: ".autograd-core-save-<16 hex digits>.tmp". Their writer holds an exclusive
# flock on them until the rename, so a file of that name that can be locked is left over
# from a killed save and may be removed. Earlier versions wrote ".tmp-<8 chars>.save" and
# took no lock: those are removed only once an hour old (a live writer touches its file).
_TEMP_PREFIX = ".autograd-core-save-"
_TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\.autograd-core-save-[0-9a-f]{16}\.tmp")
_OLD_TEMP_NAME = re.compile(r"\.tmp-[a-z0-9_]{8}\.save")
_OLD_TEMP_AGE = 3600.0  # seconds


def _stale(fd: int, name: str) -> bool:
    """Whether the temp file open as ``fd`` was left by a save that no longer runs."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        return False
    if _OLD_TEMP_NAME.fullmatch(name) or fcntl is None:
        return time.time() - st.st_mtime > _OLD_TEMP_AGE
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when fd is closed
    except OSError:
        return False  # a live save holds it (or the folder cannot lock: keep it)
    return True


def _remove_stale_temp_files(directory: str) -> None:
    """Remove our temporary files left in ``directory`` by killed saves; never raises."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if not (_TEMP_NAME.fullmatch(name) or _OLD_TEMP_NAME.fullmatch(name)):
            continue
        path = os.path.join(directory, name)
        try:
            fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
        except OSError:
            continue
        try:
            if _stale(fd, name):
                st = os.fstat(fd)
                now = os.stat(path, follow_symlinks=False)
                if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
                    os.unlink(path)
        except OSError:
            pass
        finally:
            os.close(fd)


def _new_temp_file(directory: str) -> tuple:
    """``(open binary file, path)`` of a new temporary file in ``directory``, flock-ed.

    Created with ``O_EXCL`` and mode 0o666, so it gets the umask's permissions like any
    new file. If a cleaner removed the name between creation and lock, start again."""
    flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0))
    while True:
        path = os.path.join(directory, f"{_TEMP_PREFIX}{secrets.token_hex(8)}{_TEMP_SUFFIX}")
        try:
            fd = os.open(path, flags, 0o666)
        except FileExistsError:
            continue
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)  # waits while a cleaner has it
                except OSError:
                    pass  # a file system without locks: its cleaners cannot lock it either
                st = os.fstat(fd)
                try:
                    now = os.stat(path, follow_symlinks=False)
                except FileNotFoundError:
                    now = None
                if now is None or (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
                    os.close(fd)  # a cleaner took the name before we locked it
                    continue
            return os.fdopen(fd, "wb"), path
        except BaseException:
            os.close(fd)
            try:
                os.unlink(path)
            except OSError:
                pass
            raise


def _fsync_directory(directory: str) -> None:
    """Make a rename in ``directory`` durable. Windows cannot open folders; some file
    systems cannot fsync them (EINVAL): there the rename is as durable as it gets."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def write_atomically(path: Union[str, "os.PathLike[str]"], write: Callable[[BinaryIO], None]
                     ) -> None:
    """Replace the file at ``path`` by what ``write(fh)`` writes, or leave it as it was.

    The rule: write a temporary file in the same folder, flush and fsync it, rename it over
    ``path``, fsync the folder. Whatever interrupts this (an exception, Ctrl-C, a kill, a
    power cut) leaves either the old file or the complete new one, never a mix. Stale
    temporary files of killed saves in that folder are removed first. ``save`` writes its
    files with it, and so does ``autograd_cli`` its metrics and pictures.

    >>> import os, tempfile
    >>> from autograd_core.serialization import write_atomically
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
    >>> write_atomically(path, lambda fh: fh.write(b"complete or absent"))
    >>> open(path, "rb").read()
    b'complete or absent'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    _remove_stale_temp_files(directory)
    fh, tmp = _new_temp_file(directory)
    renamed = False
    try:
        with fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
            if os.name == "nt":  # Windows cannot rename an open file
                fh.close()
            os.replace(tmp, path)  # POSIX: still open and locked, so no cleaner takes it
            renamed = True
        _fsync_directory(directory)
    except BaseException:
        if not renamed:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise


def save(obj: Any, f: FileLike) -> None:
    """Save ``obj`` (e.g. a model's or optimizer's ``state_dict()``) to a path or binary file.

    ``obj`` may be any nesting of dicts (also ``OrderedDict`` and ``Counter``), lists and
    tuples of Tensors, NumPy arrays and scalars, ints, floats, bools, strings and None.
    Dtypes, shapes, ``requires_grad`` flags, integer dict keys and tensors that appear more
    than once (or share one array) all survive the round trip. Anything else raises
    ``TypeError`` naming where it sits. Saving to a path writes a hidden temporary file in
    the same folder, fsyncs it and renames it over the target (then fsyncs the folder), so
    an interrupted save leaves the previous file or the new one, never a half-written one;
    temporary files of earlier killed saves in that folder are removed.

    >>> import os, tempfile
    >>> import autograd_core as ag
    >>> from autograd_core.serialization import save, load
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.pt")
    >>> save({"model": {"w": ag.zeros(2)}, "epoch": 3}, path)
    >>> load(path)["epoch"]
    3
    """
    enc = _Encoder()
    root = enc.encode(obj, "root")
    arrays = {k: {"dtype": a.dtype.str, "shape": list(a.shape)} for k, a in enc.arrays.items()}
    manifest = json.dumps({"format": FORMAT, "version": VERSION, "root": root,
                           "tensors": enc.tensors, "arrays": arrays},
                          allow_nan=False, separators=(",", ":")).encode("utf-8")
    if isinstance(f, (str, os.PathLike)):
        write_atomically(f, lambda fh: _write_archive(fh, manifest, enc.arrays))
    elif hasattr(f, "write"):
        _write_archive(f, manifest, enc.arrays)  # type: ignore[arg-type]
    else:
        raise TypeError(f"save: f must be a path or a binary file object, got {type(f).__name__}")


# ------------------------------------------------------------------ loading
def _sniff(head: bytes, name: str) -> None:
    """Refuse what is plainly not one of our archives, before any parsing."""
    if len(head) == 0:
        raise SerializationError(f"load: {name} is empty (0 bytes); it is not a checkpoint "
                                 "made by autograd_core.save")
    if head[:1] == b"\x80" and len(head) > 1 and head[1] <= 5:
        raise SerializationError(
            f"load: {name} is a Python pickle, which autograd_core.load refuses: unpickling can "
            "run arbitrary code. Save state dicts with autograd_core.save instead (from PyTorch, "
            "convert first: {k: v.numpy() for k, v in model.state_dict().items()})")
    if head[:6] == b"\x93NUMPY":
        raise SerializationError(f"load: {name} is a single NumPy .npy array, not a checkpoint "
                                 "made by autograd_core.save; read it with numpy.load")
    if head[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise SerializationError(f"load: {name} is not a checkpoint made by autograd_core.save "
                                 f"(expected a zip/npz archive, file starts with {head[:8]!r})")


def _size(n: int) -> str:
    """``n`` bytes as the exact count and a readable size: '8000128 bytes (7.6 MiB)'."""
    value, unit = float(n), "bytes"
    for u in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if value < 1024:
            break
        value, unit = value / 1024, u
    return f"{n} bytes" + (f" ({value:.1f} {unit})" if unit != "bytes" else "")


_READABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class _Archive:
    """The members of one open archive, read one ``.npy`` at a time within the limits.

    Every size is checked against what the archive declares before any byte of a member is
    inflated: the zip directory's uncompressed sizes at the start (all arrays together at
    most ``max_bytes``, the manifest at most ``max_manifest_bytes``), then each member's
    ``.npy`` header (shape times item size within the member's declared size) before its
    array is allocated. A member that inflates beyond its declared size fails its CRC;
    deflate is read in bounded steps, and bzip2/lzma (which cannot be) are refused."""

    def __init__(self, zf: zipfile.ZipFile, name: str, max_bytes: int,
                 max_manifest_bytes: int) -> None:
        self.zf = zf
        self.name = name
        self.members: Dict[str, zipfile.ZipInfo] = {}
        self.files: List[str] = []
        for info in zf.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            self.members[key] = info
            self.files.append(key)
        self.max_bytes = max_bytes
        self.max_manifest_bytes = max_manifest_bytes

    def check_declared_sizes(self) -> None:
        manifest = self.members.get(MANIFEST)
        if manifest is not None and manifest.file_size > self.max_manifest_bytes:
            raise SerializationError(
                f"load: {self.name}: its manifest (entry {manifest.filename!r}) declares "
                f"{_size(manifest.file_size)}, more than the limit of "
                f"{_size(self.max_manifest_bytes)}; refused before reading it. If you trust "
                "this file, raise the limit: load(..., max_manifest_bytes=N) or "
                "autograd_core.serialization.MAX_MANIFEST_BYTES = N")
        arrays = [i for i in self.zf.infolist() if i.filename != MANIFEST + ".npy"]
        total = sum(i.file_size for i in arrays)
        if total > self.max_bytes:
            largest = sorted(arrays, key=lambda i: -i.file_size)[:3]
            which = ", ".join(f"{i.filename!r} {_size(i.file_size)}" for i in largest)
            raise SerializationError(
                f"load: {self.name}: its arrays declare {_size(total)} uncompressed (largest "
                f"entries: {which}), more than the limit of {_size(self.max_bytes)}; refused "
                "before inflating anything. If you trust this file, raise the limit: "
                "load(..., max_bytes=N) or autograd_core.serialization.MAX_BYTES = N")

    def corrupt(self, why: str) -> None:
        raise SerializationError(f"load: {self.name} is corrupt: {why}")

    def read(self, key: str, limit: int, what: str) -> np.ndarray:
        """The array in member ``key`` (``what`` names it in errors), at most ``limit``
        bytes, without unpickling."""
        info = self.members[key]
        entry = info.filename
        if info.compress_type not in _READABLE:
            raise SerializationError(
                f"load: {self.name}: entry {entry!r} is compressed with method "
                f"{info.compress_type} (bzip2 or lzma); refused, since its inflated size "
                "cannot be bounded while reading. autograd_core.save stores members "
                "uncompressed; deflate (numpy.savez_compressed) is accepted")
        try:
            with self.zf.open(info) as fp:
                version = np.lib.format.read_magic(fp)
                # a version 3.0 header is 2.0's in UTF-8: read as 2.0 its shape and item
                # size are right, and they are all this check needs
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read_header(fp)
        except SerializationError:
            raise
        except Exception as e:  # noqa: BLE001 - zipfile/zlib/format errors all mean damage
            self.corrupt(f"{what} cannot be read ({type(e).__name__}: {e})")
        if dtype.hasobject:
            raise SerializationError(f"load: {self.name} holds a pickled object array "
                                     f"({key!r}); refused, since unpickling can run code")
        count = math.prod(shape)
        nbytes = count * max(dtype.itemsize, 1)
        if nbytes > min(info.file_size, limit):
            raise SerializationError(
                f"load: {self.name}: the .npy header of entry {entry!r} declares "
                f"{dtype.str} x {list(shape)}, {_size(count * dtype.itemsize)}, more than "
                + (f"the limit of {_size(limit)}" if limit < info.file_size else
                   f"the entry's declared size of {_size(info.file_size)}")
                + "; refused before allocating it")
        try:
            with self.zf.open(info) as fp:
                a = np.lib.format.read_array(fp, allow_pickle=False)
                if fp.read(1):  # also makes zipfile check the CRC at the end
                    self.corrupt(f"{what} has bytes after its data")
        except SerializationError:
            raise
        except Exception as e:  # noqa: BLE001 - zipfile/zlib/format errors all mean damage
            self.corrupt(f"{what} cannot be read ({type(e).__name__}: {e})")
        return a


class _Decoder:
    def __init__(self, archive: _Archive, meta: Dict[str, Any], name: str) -> None:
        self.archive = archive
        self.name = name
        self.files = set(archive.files)
        arrays = meta.get("arrays")
        tensors = meta.get("tensors")
        if not isinstance(arrays, dict) or not isinstance(tensors, list):
            self.corrupt("the manifest lacks its 'arrays' or 'tensors' table")
        self.array_meta: Dict[str, Any] = arrays
        self.tensor_meta: List[Any] = tensors
        self.arrays: Dict[str, np.ndarray] = {}
        self.tensors: Dict[int, Tensor] = {}

    def corrupt(self, why: str) -> None:
        raise SerializationError(f"load: {self.name} is corrupt: {why}")

    def array(self, key: Any) -> np.ndarray:
        if not isinstance(key, str):
            self.corrupt(f"bad array reference {key!r}")
        if key in self.arrays:
            return self.arrays[key]
        info = self.array_meta.get(key)
        if key not in self.files or key == MANIFEST or not isinstance(info, dict):
            self.corrupt(f"array {key!r} is referenced but missing from the archive")
        self.check_size(key, info)
        a = self.archive.read(key, self.archive.max_bytes, f"array {key!r}")
        if a.dtype.str != info.get("dtype") or list(a.shape) != info.get("shape"):
            self.corrupt(f"array {key!r} has dtype {a.dtype.str} and shape {list(a.shape)}, but "
                         f"the manifest says {info.get('dtype')} and {info.get('shape')}")
        self.arrays[key] = a
        return a

    def check_size(self, key: str, info: Dict[str, Any]) -> None:
        """Refuse a member bigger than its declared dtype and shape before reading it, so a
        doctored file cannot make ``load`` inflate a huge (e.g. deflate-bombed) member."""
        shape, dtype = info.get("shape"), info.get("dtype")
        if not (isinstance(shape, list) and all(isinstance(s, int) and not isinstance(s, bool)
                                                and s >= 0 for s in shape)
                and isinstance(dtype, str)):
            self.corrupt(f"array {key!r} has a bad shape or dtype in the manifest")
        try:
            itemsize = np.dtype(dtype).itemsize
        except Exception as e:  # noqa: BLE001 - an unparsable dtype
            self.corrupt(f"array {key!r} cannot be read ({type(e).__name__}: {e})")
        size = self.archive.members[key].file_size
        if size > math.prod(shape) * itemsize + 65536:  # data plus a generous .npy header
            self.corrupt(f"array {key!r} is {size} bytes, more than its declared dtype {dtype} "
                         f"and shape {shape} need")

    def tensor(self, idx: Any) -> Tensor:
        if not isinstance(idx, int) or isinstance(idx, bool) or \
                not 0 <= idx < len(self.tensor_meta):
            self.corrupt(f"bad tensor reference {idx!r}")
        t = self.tensors.get(idx)
        if t is None:
            info = self.tensor_meta[idx]
            if not isinstance(info, dict):
                self.corrupt(f"bad tensor entry {info!r}")
            t = from_numpy(self.array(info.get("array")))
            if info.get("requires_grad"):
                if t.dtype.kind not in "fc":
                    self.corrupt(f"tensor {idx} requires grad but has dtype {t.dtype}")
                t.requires_grad_(True)
            self.tensors[idx] = t
        return t

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict):
            self.corrupt(f"unexpected manifest entry of type {type(node).__name__}")
        if "$tensor" in node:
            return self.tensor(node["$tensor"])
        if "$ndarray" in node:
            return self.array(node["$ndarray"])
        if "$scalar" in node:
            a = self.array(node["$scalar"])
            if a.ndim != 0:
                self.corrupt(f"scalar {node['$scalar']!r} has shape {a.shape}")
            return a[()]
        if "$float" in node:
            if node["$float"] not in ("nan", "inf", "-inf"):
                self.corrupt(f"bad float {node['$float']!r}")
            return float(node["$float"])
        if "$tuple" in node:
            items = node["$tuple"]
            if not isinstance(items, list):
                self.corrupt("bad tuple entry")
            return tuple(self.decode(v) for v in items)
        if "$dict" in node:
            items = node["$dict"]
            kind = node.get("type", "dict")
            if not isinstance(items, list) or kind not in ("dict", "OrderedDict", "Counter"):
                self.corrupt("bad dict entry")
            pairs = []
            for item in items:
                if not isinstance(item, list) or len(item) != 2:
                    self.corrupt("bad dict item")
                k = self.decode(item[0])
                if not (k is None or isinstance(k, (bool, int, float, str, tuple))):
                    self.corrupt(f"a dict key decodes to a {type(k).__name__}")
                pairs.append((k, self.decode(item[1])))
            if kind == "Counter":
                return Counter(dict(pairs))
            return OrderedDict(pairs) if kind == "OrderedDict" else dict(pairs)
        self.corrupt(f"unknown manifest entry with keys {sorted(node)}")


def _load_archive(fh: BinaryIO, name: str, max_bytes: int, max_manifest_bytes: int) -> Any:
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as e:
        raise SerializationError(f"load: {name} is corrupt or truncated: it is not a readable "
                                 f"zip/npz archive ({type(e).__name__}: {e})") from None
    with zf:
        archive = _Archive(zf, name, max_bytes, max_manifest_bytes)
        files = archive.files
        if MANIFEST not in archive.members:
            if any(n == "data.pkl" or n.endswith("/data.pkl") for n in zf.namelist()):
                raise SerializationError(
                    f"load: {name} was written by torch.save: a zip holding a pickle, which "
                    "autograd_core.load refuses since unpickling can run code. In PyTorch, "
                    "convert it: autograd_core.save({k: v.numpy() for k, v in "
                    "torch.load(path).items()}, new_path) after importing autograd_core")
            raise SerializationError(
                f"load: {name} is a zip/npz archive but not a checkpoint made by "
                f"autograd_core.save (it has no manifest; members: {sorted(files)[:5]}); "
                "read plain .npz files with numpy.load")
        archive.check_declared_sizes()
        raw = archive.read(MANIFEST, max_manifest_bytes, "its manifest")
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise SerializationError(f"load: {name} is corrupt: bad manifest array")
        try:
            meta = json.loads(raw.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise SerializationError(f"load: {name} is corrupt: its manifest is not valid JSON "
                                     f"({e})") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise SerializationError(f"load: {name} is not a checkpoint made by "
                                     "autograd_core.save (unknown manifest format)")
        version = meta.get("version")
        if not isinstance(version, int) or version > VERSION:
            raise SerializationError(f"load: {name} has format version {version!r}; this "
                                     f"autograd_core reads versions up to {VERSION}, upgrade it")
        if "root" not in meta:
            raise SerializationError(f"load: {name} is corrupt: the manifest has no root")
        try:
            return _Decoder(archive, meta, name).decode(meta["root"])
        except RecursionError:
            raise SerializationError(f"load: {name} is corrupt: its structure is nested too "
                                     "deeply") from None


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


def load(f: FileLike, map_location: Any = None, *, weights_only: bool = True,
         max_bytes: int | None = None, max_manifest_bytes: int | None = None) -> Any:
    """Load an object saved by ``save`` from a path or a binary file object.

    Tensors come back as ``Tensor``s (with their dtype, shape and ``requires_grad``), arrays
    as arrays, and containers as they were. Nothing in the file is ever executed:
    ``np.load(..., allow_pickle=False)`` reads the arrays and ``json`` the structure, whatever
    ``weights_only`` says (it and ``map_location`` are accepted so that PyTorch code runs
    unchanged; everything loads on the CPU). A pickle, a ``torch.save`` file, a plain
    ``.npz``, or a corrupt or truncated file raises ``SerializationError`` saying which.

    ``max_bytes`` bounds the bytes of all arrays together and ``max_manifest_bytes`` the
    manifest (None: :data:`MAX_BYTES`, 4 GiB, and :data:`MAX_MANIFEST_BYTES`, 8 MiB, read
    at each call). A file declaring more is refused with ``SerializationError`` naming the
    file and the entry, before anything is inflated or allocated.

    >>> import io
    >>> import autograd_core as ag
    >>> from autograd_core.serialization import save, load, SerializationError
    >>> buf = io.BytesIO(); save({"n": ag.tensor(3)}, buf)
    >>> load(io.BytesIO(buf.getvalue()))["n"].dtype
    dtype('int64')
    >>> try:
    ...     load(io.BytesIO(buf.getvalue()[:40]))
    ... except SerializationError as e:
    ...     print("refused")
    refused
    """
    limits = (_limit(max_bytes, "MAX_BYTES", "max_bytes"),
              _limit(max_manifest_bytes, "MAX_MANIFEST_BYTES", "max_manifest_bytes"))
    if isinstance(f, (str, os.PathLike)):
        name = repr(os.fspath(f))
        with open(f, "rb") as fh:
            _sniff(fh.read(8), name)
            fh.seek(0)
            return _load_archive(fh, name, *limits)
    if not hasattr(f, "read"):
        raise TypeError(f"load: f must be a path or a binary file object, got {type(f).__name__}")
    name = repr(f.name) if isinstance(getattr(f, "name", None), str) else "the file object"
    if not (hasattr(f, "seek") and getattr(f, "seekable", lambda: True)()):
        f = io.BytesIO(f.read())
    start = f.tell()
    head = f.read(8)
    if not isinstance(head, bytes):
        raise TypeError("load: the file object must be opened in binary mode ('rb')")
    _sniff(head, name)
    f.seek(start)
    return _load_archive(f, name, *limits)  # type: ignore[arg-type]
