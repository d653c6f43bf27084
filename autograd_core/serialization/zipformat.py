"""The zip archive of PyTorch's format (``torch.save`` since PyTorch 1.6), both ways.

An archive holds, under one top folder ``<name>/`` (the file's name without its
extension, ``archive`` for file objects): ``data.pkl`` (the pickle), ``.format_version``
(``1``), ``.storage_alignment`` (``64``), ``byteorder`` (``little`` or ``big``), one
record ``data/<key>`` per storage (its raw bytes), ``version`` (``3``) and
``.data/serialization_id``. Records are stored uncompressed, each one's data starting at a
multiple of 64 bytes (padding in an extra field with id ``FB``, as PyTorch's writer does),
with Zip64 fields where sizes or offsets need them.

Reading rules (:class:`ArchiveReader`): before any record is read, the sizes the zip
directory declares are checked: all records together at most ``max_bytes``, ``data.pkl``
at most ``max_pickle_bytes``. A storage's record must be exactly the size its pickle
declares; it is read into one preallocated array in bounded steps (stored or deflated
records: their CRC is checked; bzip2 and lzma, whose output cannot be bounded, are
refused). Every failure of the zip layer names the file.
"""
from __future__ import annotations

import hashlib
import os
import struct
import zipfile
import zlib
from typing import Any, BinaryIO, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np

from .errors import SerializationError, describe, refuse_large_archive, size_text

__all__ = ["ALIGNMENT", "archive_name", "archive_records", "write_archive", "ArchiveReader"]

ALIGNMENT = 64
_U32 = 0xFFFFFFFF
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_DATE_1980_01_01 = (1 << 5) | 1  # MS-DOS date: a fixed, valid one, so that files are reproducible
_CHUNK = 1 << 20

Payload = Union[bytes, np.ndarray]


def archive_name(path: Optional[str]) -> str:
    """The top folder of an archive saved to ``path``, as PyTorch names it: the file's name
    up to its last dot; 'archive' for file objects, and for names that are empty or not
    printable ASCII."""
    if path is None:
        return "archive"
    base = os.path.basename(path)
    stem = base[:base.rfind(".")] if "." in base else base
    return stem if stem and all(" " <= c <= "~" for c in stem) else "archive"


def archive_records(data_pkl: bytes, storages: Iterable[Tuple[str, np.ndarray]],
                    byteorder: Optional[str]) -> List[Tuple[str, Payload]]:
    """The records of a ``torch.save`` archive, in PyTorch's order."""
    storages = list(storages)
    records: List[Tuple[str, Payload]] = [("data.pkl", data_pkl), (".format_version", b"1"),
                                          (".storage_alignment", str(ALIGNMENT).encode())]
    if byteorder is not None:
        records.append(("byteorder", byteorder.encode()))
    records += [(f"data/{key}", arr) for key, arr in storages]
    # serialization_id: 40 digits naming this content (PyTorch draws them at random; a
    # digest keeps a file the same bytes when saved twice)
    digest = hashlib.sha1(data_pkl)
    for _, arr in storages:
        digest.update(struct.pack("<I", zlib.crc32(_bytes(arr))))
    sid = str(int(digest.hexdigest(), 16) % 10 ** 40).zfill(40).encode()
    records += [("version", b"3\n"), (".data/serialization_id", sid)]
    return records


def _bytes(payload: Payload) -> memoryview:
    if isinstance(payload, np.ndarray):
        return memoryview(payload.reshape(-1).view(np.uint8))
    return memoryview(payload).cast("B")


def write_archive(fh: BinaryIO, name: str, records: List[Tuple[str, Payload]],
                  force_zip64: bool = False) -> None:
    """Write ``records`` (``(record name, bytes or flat array)``) as a zip under ``name/``,
    in one pass (``fh`` need not seek). ``force_zip64`` writes Zip64 fields even where the
    sizes do not need them (tests use it to exercise them on small files)."""
    pos = 0
    central = []

    def put(b: Any) -> None:
        nonlocal pos
        fh.write(b)
        pos += len(b) if not isinstance(b, memoryview) else b.nbytes

    for rname, payload in records:
        fname = f"{name}/{rname}".encode("ascii")
        data = _bytes(payload)
        size = data.nbytes
        crc = zlib.crc32(data)
        offset = pos
        zip64 = force_zip64 or size >= _U32
        local64 = struct.pack("<HHQQ", 1, 16, size, size) if zip64 else b""
        pad = -(offset + _LOCAL.size + len(fname) + len(local64) + 4) % ALIGNMENT
        extra = local64 + b"FB" + struct.pack("<H", pad) + b"Z" * pad
        put(_LOCAL.pack(0x04034B50, 45 if zip64 else 20, 0, 0, 0, _DATE_1980_01_01, crc,
                        _U32 if zip64 else size, _U32 if zip64 else size, len(fname),
                        len(extra)))
        put(fname)
        put(extra)
        if size:
            put(data)
        central.append((fname, crc, size, offset, zip64))
    start = pos
    for fname, crc, size, offset, zip64 in central:
        fields = [size, size] if zip64 else []
        if zip64 or offset >= _U32:
            fields.append(offset)
        extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) if fields else b""
        put(_CENTRAL.pack(0x02014B50, 45 if fields else 20, 45 if fields else 20, 0, 0, 0,
                          _DATE_1980_01_01, crc, _U32 if zip64 else size,
                          _U32 if zip64 else size, len(fname), len(extra), 0, 0, 0, 0,
                          _U32 if (zip64 or offset >= _U32) else offset))
        put(fname)
        put(extra)
    size_cd, count = pos - start, len(central)
    if force_zip64 or count >= 0xFFFF or start >= _U32 or size_cd >= _U32:
        end64 = pos
        put(_END64.pack(0x06064B50, 44, 45, 45, 0, 0, count, count, size_cd, start))
        put(_LOCATOR64.pack(0x07064B50, 0, end64, 1))
    put(_END.pack(0x06054B50, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF),
                  min(size_cd, _U32), min(start, _U32), 0))


_READABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class ArchiveReader:
    """The records of one open ``torch.save`` archive, read within the limits."""

    def __init__(self, zf: zipfile.ZipFile, name: str, max_bytes: int,
                 max_pickle_bytes: int, path: Optional[str] = None) -> None:
        self.zf, self.name, self.path = zf, name, path
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            self.corrupt("two of its records have the same name")
        # PyTorch's reader takes the top folder from the first record
        self.prefix = names[0].split("/", 1)[0] + "/" if names and "/" in names[0] else ""
        self.records: Dict[str, zipfile.ZipInfo] = {
            i.filename[len(self.prefix):]: i for i in infos if i.filename.startswith(self.prefix)}
        if not self.prefix or "data.pkl" not in self.records:
            raise SerializationError(
                f"load: {name} is a zip archive but not a checkpoint (no <name>/data.pkl "
                f"record as torch.save and autograd_core.save write; records: "
                f"{sorted(names)[:5]})")
        pkl = self.records["data.pkl"]
        if pkl.file_size > max_pickle_bytes:
            raise SerializationError(
                f"load: {name}: its pickle (record {pkl.filename!r}) declares "
                f"{size_text(pkl.file_size)}, more than the limit of "
                f"{size_text(max_pickle_bytes)}; refused before reading it. If you trust this "
                "file, raise the limit: load(..., max_manifest_bytes=N) or "
                "autograd_core.serialization.MAX_MANIFEST_BYTES = N (or save large NumPy "
                "arrays as tensors: they are stored beside the pickle)")
        total = refuse_large_archive(name, infos, max_bytes, "records")
        self.budget = max_bytes - total  # for copies made while rebuilding tensors

    def corrupt(self, why: str) -> None:
        raise SerializationError(f"load: {self.name} is corrupt: {why}")

    def has(self, record: str) -> bool:
        return record in self.records

    def charge(self, nbytes: int, what: str) -> None:
        """Count ``nbytes`` more against ``max_bytes`` (copies made while loading)."""
        self.budget -= nbytes
        if self.budget < 0:
            raise SerializationError(
                f"load: {self.name}: {what} ({size_text(nbytes)}) takes what it loads beyond "
                "the limit of max_bytes; refused before allocating it. If you trust this "
                "file, raise the limit: load(..., max_bytes=N) or "
                "autograd_core.serialization.MAX_BYTES = N")

    def read_bytes(self, record: str) -> bytes:
        """A small record, or the pickle (sizes were checked on opening)."""
        out = self.read_into(record, np.empty(self.records[record].file_size, np.uint8))
        return out.tobytes()

    def read_storage(self, key: str, nbytes: int, mmap: bool) -> np.ndarray:
        """The bytes of storage ``key``, which its pickle says are ``nbytes``."""
        record = f"data/{key}"
        info = self.records.get(record)
        if info is None:
            self.corrupt(f"its pickle refers to storage {describe(key)}, but it has no record "
                         f"{self.prefix}{record}"[:300])
        if info.file_size != nbytes:
            self.corrupt(f"record {info.filename!r} holds {info.file_size} bytes, but its "
                         f"pickle declares {nbytes} for that storage")
        if mmap and self.path is not None and info.compress_type == zipfile.ZIP_STORED \
                and nbytes:
            return np.memmap(self.path, dtype=np.uint8, mode="c",
                             offset=self._data_offset(info), shape=(nbytes,))
        return self.read_into(record, np.empty(nbytes, np.uint8))

    def _data_offset(self, info: zipfile.ZipInfo) -> int:
        fp = self.zf.fp
        assert fp is not None
        fp.seek(info.header_offset)
        head = fp.read(_LOCAL.size)
        if len(head) != _LOCAL.size or head[:4] != b"PK\x03\x04":
            self.corrupt(f"the local header of record {info.filename!r} is damaged")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        return info.header_offset + _LOCAL.size + name_len + extra_len

    def read_into(self, record: str, out: np.ndarray) -> np.ndarray:
        info = self.records[record]
        if info.compress_type not in _READABLE:
            raise SerializationError(
                f"load: {self.name}: record {info.filename!r} is compressed with method "
                f"{info.compress_type} (bzip2 or lzma); refused, since its inflated size "
                "cannot be bounded while reading. PyTorch and autograd_core store records "
                "uncompressed; deflate is accepted")
        view = memoryview(out).cast("B")
        try:
            with self.zf.open(info) as fp:
                pos = 0
                while pos < len(view):
                    chunk = fp.read(min(_CHUNK, len(view) - pos))
                    if not chunk:
                        self.corrupt(f"record {info.filename!r} ends early")
                    view[pos:pos + len(chunk)] = chunk
                    pos += len(chunk)
                if fp.read(1):  # also makes zipfile check the CRC at the end
                    self.corrupt(f"record {info.filename!r} has bytes after its data")
        except SerializationError:
            raise
        except Exception as e:  # noqa: BLE001 - zipfile/zlib errors all mean damage
            self.corrupt(f"record {info.filename!r} cannot be read ({type(e).__name__}: {e})")
        return out
