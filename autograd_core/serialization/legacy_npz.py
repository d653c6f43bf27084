"""Reading checkpoints of the earlier format of ``autograd_core.save``: a NumPy ``.npz``
archive (a zip of ``.npy`` arrays, read with ``allow_pickle=False``) plus one member
holding a JSON manifest of the structure (nested dicts, lists and tuples of tensors,
arrays, numbers, strings and None). Nothing is unpickled.

Size rules: before anything is inflated, the sizes the zip directory declares are checked
(the arrays together at most ``max_bytes``, the manifest at most ``max_manifest_bytes``),
then each array's ``.npy`` header (shape times item size within its entry's declared size)
before the array is allocated. This format is only read; ``save`` writes PyTorch's.
"""
from __future__ import annotations

import json
import math
import zipfile
from collections import Counter, OrderedDict
from typing import Any, Dict, List

import numpy as np

from ..tensor import Tensor
from ..tensor.creation import from_numpy
from .errors import SerializationError, refuse_large_archive, size_text as _size

__all__ = ["MANIFEST", "is_legacy_archive", "load_archive"]

FORMAT = "autograd_core.save"
VERSION = 1
MANIFEST = "__autograd_core_manifest__"


def is_legacy_archive(zf: zipfile.ZipFile) -> bool:
    """Whether the open zip is a checkpoint of this format (it has the manifest member)."""
    return any(n == MANIFEST + ".npy" for n in zf.namelist())


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
        refuse_large_archive(self.name, arrays, self.max_bytes, "arrays")

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


def load_archive(zf: zipfile.ZipFile, name: str, max_bytes: int, max_manifest_bytes: int) -> Any:
    """The object in the open archive ``zf`` (``name`` names the file in errors)."""
    archive = _Archive(zf, name, max_bytes, max_manifest_bytes)
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
