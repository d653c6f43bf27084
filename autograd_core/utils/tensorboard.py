"""``torch.utils.tensorboard.SummaryWriter``, writing TensorBoard's event files itself (no
TensorBoard or protobuf package needed to write them; TensorBoard reads them).

An event file is a sequence of records, each a length, its masked CRC-32C, an ``Event``
message in protobuf encoding and that message's masked CRC-32C. The few messages needed
are encoded here by hand: an ``Event`` holds a wall time, a step and a ``Summary``, whose
values are a tag with a number (``add_scalar``) or a histogram (``add_histogram``). The
file is only appended to and flushed, never rewritten. (TensorBoard 2.21's
``EventAccumulator`` reads these files: scalars, sub-runs and histograms.)

Scalars, several scalars at once (``add_scalars``, one sub-run per name, as PyTorch's) and
histograms are written; the other ``add_*`` methods (images, text, graphs, ...) warn once
and write nothing.

>>> import tempfile, autograd_core as ag
>>> from autograd_core.utils.tensorboard import SummaryWriter
>>> with SummaryWriter(tempfile.mkdtemp()) as w:
...     w.add_scalar("Loss/train", ag.tensor(0.5), 1)
"""
from __future__ import annotations

import os
import socket
import struct
import time
import warnings
from datetime import datetime
from typing import Any

import numpy as np

__all__ = ["SummaryWriter"]


# -- CRC-32C (Castagnoli), as TFRecord frames use it ----------------------------------
def _crc_table() -> list:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C of ``data``.

    >>> hex(crc32c(b"123456789"))
    '0xe3069283'
    """
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _masked(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data: bytes) -> bytes:
    """``data`` framed as one TFRecord."""
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", _masked(crc32c(length))) + data
            + struct.pack("<I", _masked(crc32c(data))))


# -- protobuf encoding of the messages used --------------------------------------------
def _varint(n: int) -> bytes:
    out = bytearray()
    n &= (1 << 64) - 1   # negative int64 as two's complement
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(number: int, wire: int) -> bytes:
    return _varint((number << 3) | wire)


def _bytes_field(number: int, payload: bytes) -> bytes:
    return _field(number, 2) + _varint(len(payload)) + payload


def _double_field(number: int, value: float) -> bytes:
    return _field(number, 1) + struct.pack("<d", value)


def _packed_doubles(number: int, values: np.ndarray) -> bytes:
    return _bytes_field(number, np.asarray(values, "<f8").tobytes())


def event(wall_time: float, step: int = 0, summary: bytes | None = None,
          file_version: str | None = None) -> bytes:
    """An ``Event`` message: wall time (1), step (2), file version (3) or summary (5)."""
    out = _double_field(1, wall_time)
    if step:
        out += _field(2, 0) + _varint(int(step))
    if file_version is not None:
        out += _bytes_field(3, file_version.encode())
    if summary is not None:
        out += _bytes_field(5, summary)
    return out


def scalar_summary(tag: str, value: float) -> bytes:
    """A ``Summary`` with one value: tag (1) and ``simple_value`` (2, float32)."""
    value_msg = _bytes_field(1, tag.encode()) + _field(2, 5) + struct.pack("<f", value)
    return _bytes_field(1, value_msg)


def histogram_summary(tag: str, values: np.ndarray, bins: Any) -> bytes:
    """A ``Summary`` with one ``HistogramProto`` (min, max, num, sum, sum of squares,
    bucket right edges, bucket counts)."""
    v = np.asarray(values, np.float64).reshape(-1)
    counts, edges = np.histogram(v, bins="auto" if isinstance(bins, str) else bins)
    histo = (_double_field(1, float(v.min())) + _double_field(2, float(v.max()))
             + _double_field(3, float(v.size)) + _double_field(4, float(v.sum()))
             + _double_field(5, float((v * v).sum())) + _packed_doubles(6, edges[1:])
             + _packed_doubles(7, counts))
    value_msg = _bytes_field(1, tag.encode()) + _bytes_field(5, histo)
    return _bytes_field(1, value_msg)


def _number(x: Any) -> float:
    if hasattr(x, "detach"):
        x = x.detach().numpy()
    a = np.asarray(x)
    if a.size != 1:
        raise ValueError(f"add_scalar: expected one number, got an array of shape {a.shape}")
    return float(a.reshape(()))


_counter = [0]


class _EventFile:
    """One event file in ``log_dir``, opened for appending."""

    def __init__(self, log_dir: str, suffix: str = "") -> None:
        os.makedirs(log_dir, exist_ok=True)
        _counter[0] += 1
        name = (f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}."
                f"{os.getpid()}.{_counter[0]}{suffix}")
        self.path = os.path.join(log_dir, name)
        self.file = open(self.path, "ab")
        self.write(event(time.time(), file_version="brain.Event:2"))

    def write(self, message: bytes) -> None:
        self.file.write(record(message))

    def flush(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        if not self.file.closed:
            self.flush()
            self.file.close()


class SummaryWriter:
    """Writes scalars and histograms to TensorBoard event files in ``log_dir`` (by default
    ``runs/<date>_<host><comment>``, as PyTorch's).

    >>> import tempfile
    >>> w = SummaryWriter(tempfile.mkdtemp(), comment="x")
    >>> for step in range(3):
    ...     w.add_scalars("loss", {"train": 1.0 / (step + 1), "test": 2.0}, step)
    >>> w.close()
    """

    def __init__(self, log_dir: str | None = None, comment: str = "", purge_step: Any = None,
                 max_queue: int = 10, flush_secs: int = 120, filename_suffix: str = "") -> None:
        if log_dir is None:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = str(log_dir)
        self.filename_suffix = filename_suffix
        self._file = _EventFile(self.log_dir, filename_suffix)
        self._sub: dict[str, _EventFile] = {}
        self._warned: set[str] = set()

    def get_logdir(self) -> str:
        return self.log_dir

    def add_scalar(self, tag: str, scalar_value: Any, global_step: int | None = None,
                   walltime: float | None = None, new_style: bool = False,
                   double_precision: bool = False) -> None:
        """Log one number under ``tag`` at step ``global_step``."""
        summary = scalar_summary(tag, _number(scalar_value))
        self._file.write(event(walltime or time.time(), global_step or 0, summary))

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict, global_step: int | None = None,
                    walltime: float | None = None) -> None:
        """Log several numbers, each in a sub-run ``<main_tag>_<name>`` of ``log_dir``."""
        wall = walltime or time.time()
        for name, value in tag_scalar_dict.items():
            key = main_tag.replace("/", "_") + "_" + name
            sub = self._sub.get(key)
            if sub is None:
                sub = self._sub[key] = _EventFile(os.path.join(self.log_dir, key),
                                                  self.filename_suffix)
            sub.write(event(wall, global_step or 0, scalar_summary(main_tag, _number(value))))

    def add_histogram(self, tag: str, values: Any, global_step: int | None = None,
                      bins: Any = "tensorflow", walltime: float | None = None,
                      max_bins: int | None = None) -> None:
        """Log the histogram of ``values`` (NumPy's automatic bins unless ``bins`` says)."""
        if hasattr(values, "detach"):
            values = values.detach().numpy()
        summary = histogram_summary(tag, values, bins)
        self._file.write(event(walltime or time.time(), global_step or 0, summary))

    def _not_written(self, name: str) -> Any:
        def skip(*args: Any, **kwargs: Any) -> None:
            if name not in self._warned:
                self._warned.add(name)
                warnings.warn(f"SummaryWriter.{name}: not written by autograd-core (scalars and "
                              "histograms are); the call does nothing", UserWarning, stacklevel=2)
        return skip

    def __getattr__(self, name: str) -> Any:
        if name.startswith("add_"):
            return self._not_written(name)
        raise AttributeError(f"'SummaryWriter' object has no attribute '{name}'")

    def flush(self) -> None:
        for f in (self._file, *self._sub.values()):
            f.flush()

    def close(self) -> None:
        for f in (self._file, *self._sub.values()):
            f.close()

    def __enter__(self) -> "SummaryWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
