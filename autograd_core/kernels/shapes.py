"""Argument checks and output-size arithmetic shared by the kernels.

Every public kernel validates its input here, so that a bad call fails with a
message that names the op and the shapes involved, before any array work or
JIT compilation happens.
"""
from __future__ import annotations

from typing import Sequence, Union

import numpy as np

IntPair = Union[int, Sequence[int]]

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# The matmul microkernel's tile (``microkernel.py``, which imports Numba): TILE_ROWS rows
# of the output by TILE_BYTES of columns (two AVX2 vectors: 16 float32 or 8 float64).
TILE_ROWS = 4
TILE_BYTES = 64


def whole_tiles(m: int, n: int, itemsize: int) -> bool:
    """True when an (m, n) output is made of whole microkernel tiles, no edges."""
    return m % TILE_ROWS == 0 and n % (TILE_BYTES // itemsize) == 0


def pair(op: str, name: str, value: IntPair) -> tuple[int, int]:
    """``3 -> (3, 3)``, ``(1, 2) -> (1, 2)``; anything else is a ValueError naming ``op``.

    >>> pair("conv2d", "stride", 2)
    (2, 2)
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    try:
        items = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}") from None
    if len(items) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                  for v in items):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return int(items[0]), int(items[1])


def single(op: str, name: str, value: int | Sequence[int]) -> int:
    """``3 -> 3``, ``(3,) -> 3``: the 1-D counterpart of :func:`pair`.

    >>> single("conv1d", "padding", (2,))
    2
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    try:
        items = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{op}: {name} must be an int or a 1-tuple of ints, got {value!r}") from None
    if len(items) != 1 or not isinstance(items[0], (int, np.integer)) or isinstance(items[0], bool):
        raise ValueError(f"{op}: {name} must be an int or a 1-tuple of ints, got {value!r}")
    return int(items[0])


def float_array(op: str, name: str, a: np.ndarray, ndim: int, layout: str) -> np.ndarray:
    """Check rank and dtype of ``a`` and return it C-contiguous (a copy only if needed)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{op}: {name} must be a numpy.ndarray, got {type(a).__name__}")
    if a.ndim != ndim:
        raise ValueError(f"{op}: expected {name} of shape {layout} ({ndim}-D), got {a.shape}")
    if a.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{op}: {name} must be float32 or float64, got {a.dtype}")
    return np.ascontiguousarray(a)


def real_array(op: str, name: str, a: np.ndarray, ndim: int, layout: str) -> np.ndarray:
    """:func:`float_array` that takes integer arrays too (not bool), for the ops PyTorch
    runs on integers (max pooling)."""
    if isinstance(a, np.ndarray) and a.dtype.kind in "iu":
        if a.ndim != ndim:
            raise ValueError(f"{op}: expected {name} of shape {layout} ({ndim}-D), got {a.shape}")
        return np.ascontiguousarray(a)
    if isinstance(a, np.ndarray) and a.dtype == np.bool_:
        raise NotImplementedError(f'"{op}" not implemented for \'Bool\'')
    return float_array(op, name, a, ndim, layout)


def same_dtype(op: str, **arrays: np.ndarray) -> np.dtype:
    """The common dtype of ``arrays``; a RuntimeError (as in PyTorch) when they differ."""
    dtypes = {name: a.dtype for name, a in arrays.items()}
    if len(set(dtypes.values())) > 1:
        desc = ", ".join(f"{n} is {d}" for n, d in dtypes.items())
        raise RuntimeError(f"{op}: expected all arrays to have the same dtype, but {desc}")
    return next(iter(dtypes.values()))


def positive(op: str, name: str, values: tuple[int, ...]) -> None:
    if any(v <= 0 for v in values):
        raise ValueError(f"{op}: {name} must be positive, got {values}")


def non_negative(op: str, name: str, values: tuple[int, ...]) -> None:
    if any(v < 0 for v in values):
        raise ValueError(f"{op}: {name} must be non-negative, got {values}")


def conv_out_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """PyTorch's output length: ``floor((size + 2p - d*(k-1) - 1) / s) + 1``.

    >>> conv_out_size(28, 3, 1, 1, 1)
    28
    """
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv2d_geometry(op: str, input_shape: tuple[int, ...], weight_shape: tuple[int, ...],
                    stride: IntPair, padding: IntPair, dilation: IntPair, groups: int):
    """Validate a conv2d call and return ``(stride, padding, dilation, (OH, OW))`` as int pairs."""
    s = pair(op, "stride", stride)
    p = pair(op, "padding", padding)
    d = pair(op, "dilation", dilation)
    positive(op, "stride", s)
    non_negative(op, "padding", p)
    positive(op, "dilation", d)
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups <= 0:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if len(input_shape) != 4:
        raise ValueError(f"{op}: expected input of shape (N, C, H, W), got {tuple(input_shape)}")
    if len(weight_shape) != 4:
        raise ValueError(f"{op}: expected weight of shape (K, C/groups, kh, kw), got {tuple(weight_shape)}")
    n, c, h, w = input_shape
    k, cg, kh, kw = weight_shape
    if min(input_shape) < 0 or min(weight_shape) < 0:
        raise ValueError(f"{op}: negative size in input {tuple(input_shape)} or weight {tuple(weight_shape)}")
    if k % groups != 0:
        raise ValueError(f"{op}: out_channels K={k} of weight {tuple(weight_shape)} "
                         f"must be divisible by groups={groups}")
    if cg * groups != c:
        raise ValueError(f"{op}: expected input of shape (N, C, H, W) with C={cg * groups} "
                         f"(weight {tuple(weight_shape)} times groups={groups}), got {tuple(input_shape)}")
    if kh == 0 or kw == 0 or cg == 0:
        raise ValueError(f"{op}: weight {tuple(weight_shape)} has an empty kernel")
    oh = conv_out_size(h, kh, s[0], p[0], d[0])
    ow = conv_out_size(w, kw, s[1], p[1], d[1])
    if oh <= 0 or ow <= 0:
        raise ValueError(
            f"{op}: input {tuple(input_shape)} with padding {p} is smaller than the dilated kernel "
            f"({d[0] * (kh - 1) + 1}, {d[1] * (kw - 1) + 1}); calculated output size ({oh}, {ow}) is too small")
    return s, p, d, (oh, ow)


def pool_out_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                  ceil_mode: bool) -> int:
    """PyTorch's pooled length: as a convolution's, rounded up with ``ceil_mode``, where
    the last window must still start inside the input or its left padding.

    >>> pool_out_size(5, 2, 2, 0, 1, False), pool_out_size(5, 2, 2, 0, 1, True)
    (2, 3)
    """
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def pool2d_geometry(op: str, input_shape: tuple[int, ...], kernel_size: IntPair,
                    stride: IntPair | None, padding: IntPair, dilation: IntPair = 1,
                    ceil_mode: bool = False):
    """Validate a pooling call; returns ``(kernel, stride, padding, dilation, (OH, OW))``,
    int pairs. ``stride=None`` means ``stride = kernel_size`` (PyTorch's default).
    """
    k = pair(op, "kernel_size", kernel_size)
    s = k if stride is None or (not isinstance(stride, (int, np.integer)) and len(stride) == 0) \
        else pair(op, "stride", stride)
    p = pair(op, "padding", padding)
    d = pair(op, "dilation", dilation)
    positive(op, "kernel_size", k)
    positive(op, "stride", s)
    positive(op, "dilation", d)
    non_negative(op, "padding", p)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{op}: padding {p} should be at most half of kernel_size {k}")
    if len(input_shape) != 4:
        raise ValueError(f"{op}: expected input of shape (N, C, H, W), got {tuple(input_shape)}")
    n, c, h, w = input_shape
    oh = pool_out_size(h, k[0], s[0], p[0], d[0], bool(ceil_mode))
    ow = pool_out_size(w, k[1], s[1], p[1], d[1], bool(ceil_mode))
    if oh <= 0 or ow <= 0:
        raise ValueError(f"{op}: input {tuple(input_shape)} with padding {p} is smaller than "
                         f"kernel_size {k}; calculated output size ({oh}, {ow}) is too small")
    return k, s, p, d, (oh, ow)


def pool_inverse_divisors(hw: tuple[int, int], k: tuple[int, int], s: tuple[int, int],
                          p: tuple[int, int], ohw: tuple[int, int], count_include_pad: bool,
                          divisor_override: int | None) -> np.ndarray:
    """(OH, OW) float64 array of 1 / divisor of every average-pooling window, as PyTorch:
    ``divisor_override``, else the window's size clipped to the padded input
    (``count_include_pad``), else its number of real pixels.

    >>> pool_inverse_divisors((3, 3), (2, 2), (2, 2), (0, 0), (2, 2), True, None).tolist()
    [[0.25, 0.5], [0.5, 1.0]]
    """
    if divisor_override is not None:
        return np.full(ohw, 1.0 / divisor_override)
    sizes = []
    for size, kk, ss, pp, o in zip(hw, k, s, p, ohw):
        start = np.arange(o) * ss - pp
        if count_include_pad:
            sizes.append(np.minimum(start + kk, size + pp) - start)
        else:
            sizes.append(np.minimum(start + kk, size) - np.maximum(start, 0))
    return 1.0 / np.outer(sizes[0], sizes[1]).astype(np.float64)
