"""Read and write IDX files, the format of MNIST and Fashion-MNIST.

An IDX file is a 4-byte magic number (two zero bytes, a data-type code and
the number of dimensions), then each dimension as a big-endian uint32, then
the values, big-endian, in C order. Files may be gzipped.

>>> import os, tempfile
>>> import numpy as np
>>> from autograd_core.data import read_idx, write_idx
>>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte.gz")
>>> write_idx(path, np.array([3, 1, 4], dtype=np.uint8))
>>> read_idx(path)
array([3, 1, 4], dtype=uint8)
"""
from __future__ import annotations

import gzip
import os
import struct
import zlib
from typing import Union

import numpy as np

__all__ = ["IDXFormatError", "read_idx", "write_idx", "IDX_DTYPES"]

PathLike = Union[str, "os.PathLike[str]"]

#: IDX data-type code → big-endian NumPy dtype.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),  # unsigned byte
    0x09: np.dtype(">i1"),  # signed byte
    0x0B: np.dtype(">i2"),  # short
    0x0C: np.dtype(">i4"),  # int
    0x0D: np.dtype(">f4"),  # float
    0x0E: np.dtype(">f8"),  # double
}
_CODE_NAMES = {0x08: "ubyte", 0x09: "byte", 0x0B: "short", 0x0C: "int", 0x0D: "float", 0x0E: "double"}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXFormatError(ValueError):
    """A file is not a well-formed IDX file (bad magic number, unknown data
    type, truncated, trailing bytes, or a broken gzip stream). A ``ValueError``.

    Example:
        >>> import os, tempfile
        >>> from autograd_core.data import IDXFormatError, read_idx
        >>> path = os.path.join(tempfile.mkdtemp(), "bad-idx1-ubyte")
        >>> _ = open(path, "wb").write(b"PK\x03\x04")
        >>> try:
        ...     read_idx(path)
        ... except IDXFormatError as e:
        ...     print(str(e).split(": ", 1)[1])
        bad IDX magic number: expected the first two bytes to be 0x00 0x00, got 0x50 0x4B (is this an IDX file?)
    """


def _expected_codes() -> str:
    return ", ".join(f"0x{c:02X} ({n})" for c, n in _CODE_NAMES.items())


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a NumPy array.

    Gzip is recognised by the file's first bytes, not by its name. The array
    has the file's shape and its data type in native byte order (``uint8`` for
    MNIST images and labels) and is writable.

    Args:
        path: the file to read.

    Returns:
        The values, shaped as the header says: ``(N,)`` for labels
        (``idx1``), ``(N, 28, 28)`` for MNIST images (``idx3``).

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        IDXFormatError: if the file is not a valid IDX file; the message says
            what was expected and what was found.

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from autograd_core.data import read_idx, write_idx
        >>> path = os.path.join(tempfile.mkdtemp(), "images-idx3-ubyte")
        >>> write_idx(path, np.zeros((2, 28, 28), dtype=np.uint8))
        >>> read_idx(path).shape
        (2, 28, 28)
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise IDXFormatError(f"{path}: broken or truncated gzip data ({e})") from None
    if len(raw) < 4:
        raise IDXFormatError(
            f"{path}: too short for an IDX file: expected a 4-byte magic number, got {len(raw)} bytes"
        )
    zero0, zero1, code, ndim = raw[0], raw[1], raw[2], raw[3]
    if zero0 != 0 or zero1 != 0:
        raise IDXFormatError(
            f"{path}: bad IDX magic number: expected the first two bytes to be 0x00 0x00, "
            f"got 0x{zero0:02X} 0x{zero1:02X} (is this an IDX file?)"
        )
    if code not in IDX_DTYPES:
        raise IDXFormatError(
            f"{path}: unknown IDX data type code 0x{code:02X}; expected one of {_expected_codes()}"
        )
    if ndim == 0:
        raise IDXFormatError(f"{path}: IDX header says 0 dimensions; expected at least 1")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXFormatError(
            f"{path}: truncated IDX header: {ndim} dimensions need {header} header bytes, "
            f"the file has {len(raw)}"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = IDX_DTYPES[code]
    count = 1
    for d in shape:
        count *= d
    expected = count * dtype.itemsize
    got = len(raw) - header
    if got < expected:
        raise IDXFormatError(
            f"{path}: truncated IDX file: shape {shape} of {_CODE_NAMES[code]} needs {expected} data bytes, "
            f"the file has {got}"
        )
    if got > expected:
        raise IDXFormatError(
            f"{path}: corrupt IDX file: shape {shape} of {_CODE_NAMES[code]} needs {expected} data bytes, "
            f"the file has {got} ({got - expected} too many)"
        )
    arr = np.frombuffer(raw, dtype=dtype, count=count, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))  # native byte order, a writable copy


def write_idx(path: PathLike, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file (gzipped when ``compress`` or the name ends in ``.gz``).

    Supported dtypes: uint8, int8, int16, int32, float32, float64 (IDX has no 64-bit ints).

    Example:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from autograd_core.data import read_idx, write_idx
        >>> path = os.path.join(tempfile.mkdtemp(), "x.idx")
        >>> write_idx(path, np.arange(6, dtype=np.int32).reshape(2, 3))
        >>> read_idx(path).tolist()
        [[0, 1, 2], [3, 4, 5]]
    """
    path = os.fspath(path)
    array = np.asarray(array)
    code = None
    for c, dt in IDX_DTYPES.items():
        if array.dtype.newbyteorder(">") == dt or array.dtype == dt:
            code = c
            break
    if code is None:
        raise TypeError(
            f"write_idx: IDX cannot store dtype {array.dtype}; expected uint8, int8, int16, int32, float32 or float64"
        )
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"write_idx: expected an array with 1 to 255 dimensions, got {array.ndim}")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()
    if compress is None:
        compress = path.endswith(".gz")
    if compress:
        data = gzip.compress(data, mtime=0)
    with open(path, "wb") as f:
        f.write(data)
