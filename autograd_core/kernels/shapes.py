"""Argument checks and output-size arithmetic shared by the kernels.

Convolution and pooling arguments are validated once, by the constructors here
(:func:`conv2d_geometry`, :func:`max_pool2d_geometry`, :func:`avg_pool2d_geometry`),
into small frozen objects that the kernels take unchanged: a kernel only checks that
its arrays conform to the geometry it is given. A bad call fails with a message that
names the op and the shapes involved, before any array work or JIT compilation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union

import numpy as np

IntPair = Union[int, Sequence[int]]

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# The matmul microkernel's tile (``microkernel.py``, which imports Numba): TILE_ROWS rows
# of the output by TILE_BYTES of columns (two AVX2 vectors: 16 float32 or 8 float64).
TILE_ROWS = 4
TILE_BYTES = 64
# The wide tile of the packed products (``microkernel.panels_matmul`` on AVX-512): two
# 512-bit vectors, 32 float32 or 16 float64 columns.
WIDE_TILE_BYTES = 128


def whole_tiles(m: int, n: int, itemsize: int) -> bool:
    """True when an (m, n) output is made of whole microkernel tiles, no edges."""
    return m % TILE_ROWS == 0 and n % (TILE_BYTES // itemsize) == 0


def round_up(v: int, m: int) -> int:
    """``v`` rounded up to a multiple of ``m`` (rows or columns of whole GEMM tiles).

    >>> round_up(10, 4), round_up(12, 4)
    (12, 12)
    """
    return -(-v // m) * m


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


def geometry_of(op: str, geometry: object, kind: type) -> None:
    """A TypeError unless ``geometry`` is a ``kind`` (made by its validating constructor)."""
    if not isinstance(geometry, kind):
        raise TypeError(f"{op}: geometry must be a {kind.__name__} (see kernels.shapes), "
                        f"got {type(geometry).__name__}")


def conforming(op: str, name: str, a: np.ndarray, shape: tuple[int, ...], layout: str,
               real: bool = False) -> np.ndarray:
    """:func:`float_array` (:func:`real_array` with ``real``) of exactly ``shape``, the one
    its geometry gives it."""
    a = (real_array if real else float_array)(op, name, a, len(shape), layout)
    if a.shape != shape:
        raise ValueError(f"{op}: expected {name} of shape {shape}, got {a.shape}")
    return a


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


@dataclass(frozen=True)
class ConvGeometry:
    """A validated conv2d call: every kernel of the convolution (forward, both backwards)
    takes it unchanged. Made by :func:`conv2d_geometry`, never by hand.

    ``input_shape`` (N, C, H, W), ``weight_shape`` (K, C/groups, kh, kw), ``stride``,
    ``padding``, ``dilation`` and ``out_hw`` are int tuples; ``output_shape`` is
    (N, K, OH, OW).
    """

    input_shape: tuple[int, int, int, int]
    weight_shape: tuple[int, int, int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    out_hw: tuple[int, int]
    output_shape: tuple[int, int, int, int]


def conv2d_geometry(input_shape: Sequence[int], weight_shape: Sequence[int], stride: IntPair = 1,
                    padding: IntPair = 0, dilation: IntPair = 1, groups: int = 1,
                    op: str = "conv2d") -> ConvGeometry:
    """Validate a conv2d call once; a ValueError naming ``op`` and the shapes otherwise.

    >>> g = conv2d_geometry((2, 4, 9, 7), (6, 2, 3, 3), stride=2, padding=(1, 0), groups=2)
    >>> g.stride, g.padding, g.out_hw, g.output_shape
    ((2, 2), (1, 0), (5, 3), (2, 6, 5, 3))
    """
    s = pair(op, "stride", stride)
    p = pair(op, "padding", padding)
    d = pair(op, "dilation", dilation)
    positive(op, "stride", s)
    non_negative(op, "padding", p)
    positive(op, "dilation", d)
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups <= 0:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    input_shape, weight_shape = tuple(int(v) for v in input_shape), tuple(int(v) for v in weight_shape)
    if len(input_shape) != 4:
        raise ValueError(f"{op}: expected input of shape (N, C, H, W) (4-D), got {input_shape}")
    if len(weight_shape) != 4:
        raise ValueError(f"{op}: expected weight of shape (K, C/groups, kh, kw) (4-D), got {weight_shape}")
    n, c, h, w = input_shape
    k, cg, kh, kw = weight_shape
    if min(input_shape) < 0 or min(weight_shape) < 0:
        raise ValueError(f"{op}: negative size in input {input_shape} or weight {weight_shape}")
    if k % groups != 0:
        raise ValueError(f"{op}: out_channels K={k} of weight {weight_shape} "
                         f"must be divisible by groups={groups}")
    if cg * groups != c:
        raise ValueError(f"{op}: expected input of shape (N, C, H, W) with C={cg * groups} "
                         f"(weight {weight_shape} times groups={groups}), got {input_shape}")
    if kh == 0 or kw == 0 or cg == 0:
        raise ValueError(f"{op}: weight {weight_shape} has an empty kernel")
    oh = conv_out_size(h, kh, s[0], p[0], d[0])
    ow = conv_out_size(w, kw, s[1], p[1], d[1])
    if oh <= 0 or ow <= 0:
        raise ValueError(
            f"{op}: input {input_shape} with padding {p} is smaller than the dilated kernel "
            f"({d[0] * (kh - 1) + 1}, {d[1] * (kw - 1) + 1}); calculated output size ({oh}, {ow}) is too small")
    return ConvGeometry(input_shape, weight_shape, s, p, d, int(groups), (oh, ow), (n, k, oh, ow))


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


def _pool_window(op: str, input_shape: Sequence[int], kernel_size: IntPair, stride: IntPair | None,
                 padding: IntPair, dilation: IntPair, ceil_mode: bool):
    """Validate a pooling window: ``(input_shape, kernel, stride, padding, dilation, (OH, OW))``.
    ``stride=None`` (or empty) means ``stride = kernel_size`` (PyTorch's default)."""
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
    input_shape = tuple(int(v) for v in input_shape)
    if len(input_shape) != 4:
        raise ValueError(f"{op}: expected input of shape (N, C, H, W) (4-D), got {input_shape}")
    n, c, h, w = input_shape
    oh = pool_out_size(h, k[0], s[0], p[0], d[0], bool(ceil_mode))
    ow = pool_out_size(w, k[1], s[1], p[1], d[1], bool(ceil_mode))
    if oh <= 0 or ow <= 0:
        raise ValueError(f"{op}: input {input_shape} with padding {p} is smaller than "
                         f"kernel_size {k}; calculated output size ({oh}, {ow}) is too small")
    return input_shape, k, s, p, d, (oh, ow)


@dataclass(frozen=True)
class MaxPoolGeometry:
    """A validated max_pool2d call, taken unchanged by its forward and backward kernels.
    Made by :func:`max_pool2d_geometry`."""

    input_shape: tuple[int, int, int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    ceil_mode: bool
    out_hw: tuple[int, int]
    output_shape: tuple[int, int, int, int]


def max_pool2d_geometry(input_shape: Sequence[int], kernel_size: IntPair,
                        stride: IntPair | None = None, padding: IntPair = 0,
                        dilation: IntPair = 1, ceil_mode: bool = False,
                        op: str = "max_pool2d") -> MaxPoolGeometry:
    """Validate a max_pool2d call once; a ValueError naming ``op`` otherwise.

    >>> max_pool2d_geometry((2, 3, 7, 5), 3, stride=2, padding=1).output_shape
    (2, 3, 4, 3)
    """
    shape, k, s, p, d, ohw = _pool_window(op, input_shape, kernel_size, stride, padding, dilation,
                                          ceil_mode)
    return MaxPoolGeometry(shape, k, s, p, d, bool(ceil_mode), ohw, shape[:2] + ohw)


@dataclass(frozen=True, eq=False)
class AvgPoolGeometry:
    """A validated avg_pool2d call, taken unchanged by its forward and backward kernels,
    with ``inverse_divisors``, the (OH, OW) float64 array of 1 / divisor of every window
    (read-only), computed once. Made by :func:`avg_pool2d_geometry`."""

    input_shape: tuple[int, int, int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    ceil_mode: bool
    count_include_pad: bool
    divisor_override: int | None
    out_hw: tuple[int, int]
    output_shape: tuple[int, int, int, int]
    inverse_divisors: np.ndarray


def avg_pool2d_geometry(input_shape: Sequence[int], kernel_size: IntPair,
                        stride: IntPair | None = None, padding: IntPair = 0,
                        ceil_mode: bool = False, count_include_pad: bool = True,
                        divisor_override: int | None = None,
                        op: str = "avg_pool2d") -> AvgPoolGeometry:
    """Validate an avg_pool2d call once; a ValueError naming ``op`` otherwise.

    >>> g = avg_pool2d_geometry((1, 1, 3, 3), 2, stride=1, padding=1, count_include_pad=False)
    >>> g.output_shape, g.inverse_divisors[0].tolist()
    ((1, 1, 4, 4), [1.0, 0.5, 0.5, 1.0])
    """
    shape, k, s, p, _, ohw = _pool_window(op, input_shape, kernel_size, stride, padding, 1,
                                          ceil_mode)
    if divisor_override is not None and (not isinstance(divisor_override, (int, np.integer))
                                         or isinstance(divisor_override, bool)
                                         or divisor_override == 0):
        raise ValueError(f"{op}: divisor_override must be a non-zero int, got {divisor_override!r}")
    inv = pool_inverse_divisors(shape[2:], k, s, p, ohw, bool(count_include_pad), divisor_override)
    inv.flags.writeable = False
    return AvgPoolGeometry(shape, k, s, p, bool(ceil_mode), bool(count_include_pad),
                           None if divisor_override is None else int(divisor_override), ohw,
                           shape[:2] + ohw, inv)


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
