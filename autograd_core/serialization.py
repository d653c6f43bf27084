"""``save`` and ``load``: checkpoints that hold data only, so loading one cannot run code.

A file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays) written and read with
``allow_pickle=False``, plus one member holding a JSON manifest that describes the
structure: nested dicts, lists and tuples of tensors, arrays, ints, floats, bools, strings
and None. That is what state dicts of models, optimizers and schedulers are made of.
Pickles (including ``torch.save`` files) are refused, and a corrupt or truncated file is
reported as such rather than half-loaded.

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

import io
import json
import math
import os
import tempfile
import zipfile
from collections import Counter, OrderedDict
from typing import IO, Any, BinaryIO, Dict, List, Union

import numpy as np

from .creation import from_numpy
from .tensor import Tensor

__all__ = ["save", "load", "SerializationError"]

FORMAT = "autograd_core.save"
VERSION = 1
MANIFEST = "__autograd_core_manifest__"

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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save(obj: Any, f: FileLike) -> None:
    """Save ``obj`` (e.g. a model's or optimizer's ``state_dict()``) to a path or binary file.

    ``obj`` may be any nesting of dicts (also ``OrderedDict`` and ``Counter``), lists and
    tuples of Tensors, NumPy arrays and scalars, ints, floats, bools, strings and None.
    Dtypes, shapes, ``requires_grad`` flags, integer dict keys and tensors that appear more
    than once (or share one array) all survive the round trip. Anything else raises
    ``TypeError`` naming where it sits. Saving to a path writes a temporary file first and
    renames it, so an interrupted save never leaves a half-written checkpoint behind.

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
        path = os.fspath(f)
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".save", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                _write_archive(fh, manifest, enc.arrays)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a saved file is not
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
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


class _Decoder:
    def __init__(self, npz: Any, meta: Dict[str, Any], name: str) -> None:
        self.npz = npz
        self.name = name
        self.files = set(npz.files)
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
        if key not in self.files or not isinstance(info, dict):
            self.corrupt(f"array {key!r} is referenced but missing from the archive")
        self.check_size(key, info)
        try:
            a = self.npz[key]
        except ValueError as e:
            if "allow_pickle" in str(e):
                raise SerializationError(f"load: {self.name} holds a pickled object array "
                                         f"({key!r}); refused, since unpickling can run code") \
                    from None
            self.corrupt(f"array {key!r} cannot be read ({e})")
        except Exception as e:  # noqa: BLE001 - zipfile/zlib/format errors all mean damage
            self.corrupt(f"array {key!r} cannot be read ({type(e).__name__}: {e})")
        if not isinstance(a, np.ndarray):
            self.corrupt(f"member {key!r} is not an array")
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
            size = self.npz.zip.getinfo(key + ".npy").file_size
        except Exception as e:  # noqa: BLE001 - an unparsable dtype or a missing member
            self.corrupt(f"array {key!r} cannot be read ({type(e).__name__}: {e})")
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


def _load_archive(fh: BinaryIO, name: str) -> Any:
    try:
        npz = np.load(fh, allow_pickle=False)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as e:
        raise SerializationError(f"load: {name} is corrupt or truncated: it is not a readable "
                                 f"zip/npz archive ({type(e).__name__}: {e})") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise SerializationError(f"load: {name} is not a checkpoint made by autograd_core.save")
    with npz:
        files = npz.files
        if MANIFEST not in files:
            if any(n == "data.pkl" or n.endswith("/data.pkl") for n in npz.zip.namelist()):
                raise SerializationError(
                    f"load: {name} was written by torch.save: a zip holding a pickle, which "
                    "autograd_core.load refuses since unpickling can run code. In PyTorch, "
                    "convert it: autograd_core.save({k: v.numpy() for k, v in "
                    "torch.load(path).items()}, new_path) after importing autograd_core")
            raise SerializationError(
                f"load: {name} is a zip/npz archive but not a checkpoint made by "
                f"autograd_core.save (it has no manifest; members: {sorted(files)[:5]}); "
                "read plain .npz files with numpy.load")
        try:
            raw = npz[MANIFEST]
        except Exception as e:  # noqa: BLE001 - any failure here means a damaged file
            raise SerializationError(f"load: {name} is corrupt or truncated: its manifest cannot "
                                     f"be read ({type(e).__name__}: {e})") from None
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
            return _Decoder(npz, meta, name).decode(meta["root"])
        except RecursionError:
            raise SerializationError(f"load: {name} is corrupt: its structure is nested too "
                                     "deeply") from None


def load(f: FileLike, map_location: Any = None, *, weights_only: bool = True) -> Any:
    """Load an object saved by ``save`` from a path or a binary file object.

    Tensors come back as ``Tensor``s (with their dtype, shape and ``requires_grad``), arrays
    as arrays, and containers as they were. Nothing in the file is ever executed:
    ``np.load(..., allow_pickle=False)`` reads the arrays and ``json`` the structure, whatever
    ``weights_only`` says (it and ``map_location`` are accepted so that PyTorch code runs
    unchanged; everything loads on the CPU). A pickle, a ``torch.save`` file, a plain
    ``.npz``, or a corrupt or truncated file raises ``SerializationError`` saying which.

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
    if isinstance(f, (str, os.PathLike)):
        name = repr(os.fspath(f))
        with open(f, "rb") as fh:
            _sniff(fh.read(8), name)
            fh.seek(0)
            return _load_archive(fh, name)
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
    return _load_archive(f, name)  # type: ignore[arg-type]
