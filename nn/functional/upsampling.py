"""Resizing: ``interpolate``, ``pixel_shuffle`` and ``pixel_unshuffle``.

Nearest modes are one indexing node (an open grid of source positions); the linear and
cubic modes apply a small interpolation matrix per spatial dim with matmul, as
``adaptive_avg_pool2d`` does, so every mode is differentiable to any order.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.interpolate(ag.tensor([[[1.0, 2.0]]]), scale_factor=2).tolist()
[[[1.0, 1.0, 2.0, 2.0]]]
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .arguments import _tensor
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

__all__ = ["interpolate", "pixel_shuffle", "pixel_unshuffle"]


_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")
_LINEAR_DIMS = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
_CUBIC_A = -0.75  # PyTorch's (and OpenCV's) cubic convolution coefficient


def _per_dim(value: Any, n: int, what: str) -> list:
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"interpolate: {what} must have {n} entries (one per spatial dim) "
                             f"for {n + 2}D input, got {tuple(value)}")
        return list(value)
    return [value] * n


def _nearest_index(n_in: int, n_out: int, scale: float | None, exact: bool) -> np.ndarray:
    """Source positions of nearest(-exact) interpolation, with PyTorch's float32 arithmetic."""
    dst = np.arange(n_out)
    if not exact:
        if n_out == n_in:
            return dst
        if n_out == 2 * n_in:
            return dst >> 1
    s = np.float32(1.0 / scale) if scale is not None and scale > 0 else \
        np.float32(n_in) / np.float32(n_out)
    pos = dst.astype(np.float32) + np.float32(0.5) if exact else dst.astype(np.float32)
    return np.minimum(np.floor(pos * s).astype(np.int64), n_in - 1)


def _linear_matrix(n_in: int, n_out: int, scale: float | None, align_corners: bool,
                   dtype: np.dtype) -> np.ndarray:
    """(n_out, n_in) matrix of linear interpolation weights, PyTorch's source positions."""
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        s = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        src = dst * s
    else:
        s = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
        src = np.maximum(s * (dst + 0.5) - 0.5, 0.0)
    src = src.astype(dtype)
    i0 = src.astype(np.int64)
    i0 = np.minimum(i0, n_in - 1)
    i1 = np.where(i0 < n_in - 1, i0 + 1, i0)
    lam = src - i0.astype(dtype)
    m = np.zeros((n_out, n_in), dtype=dtype)
    rows = np.arange(n_out)
    np.add.at(m, (rows, i0), 1 - lam)
    np.add.at(m, (rows, i1), lam)
    return m


def _cubic_matrix(n_in: int, n_out: int, scale: float | None, align_corners: bool,
                  dtype: np.dtype) -> np.ndarray:
    """(n_out, n_in) matrix of bicubic weights: four taps around each source position
    (not clamped at 0, unlike linear), taps past an edge read the edge pixel, as PyTorch."""
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        s = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
        src = s * (dst + 0.5) - 0.5
    src = src.astype(dtype)
    base = np.floor(src)
    t = (src - base).astype(dtype)
    a = dtype.type(_CUBIC_A)

    def near(x):   # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):    # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    weights = (far(t + 1), near(t), near(1 - t), far(2 - t))
    m = np.zeros((n_out, n_in), dtype=dtype)
    rows = np.arange(n_out)
    for k, w in enumerate(weights):
        cols = np.clip(base.astype(np.int64) - 1 + k, 0, n_in - 1)
        np.add.at(m, (rows, cols), w)
    return m


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial dims of (N, C, L), (N, C, H, W) or (N, C, D, H, W) input to
    ``size`` or by ``scale_factor`` (output size ``floor(in * scale_factor)``), as
    ``torch.nn.functional.interpolate``. Modes: ``'nearest'`` and ``'nearest-exact'``
    (3-D, 4-D, 5-D input), ``'linear'`` (3-D), ``'bilinear'`` and ``'bicubic'`` (4-D),
    ``'trilinear'`` (5-D) with ``align_corners``, and ``'area'`` (adaptive average
    pooling, 3-D and 4-D).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    >>> F.interpolate(x, size=(3, 3), mode="bilinear", align_corners=True).tolist()
    [[[[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]]]]
    >>> F.interpolate(x, scale_factor=2).shape
    (1, 1, 4, 4)
    """
    _tensor(input, "interpolate")
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported; supported "
                                  f"modes are {', '.join(map(repr, _MODES))}")
    if input.ndim not in (3, 4, 5):
        raise ValueError(f"interpolate: expected 3D (N, C, L), 4D (N, C, H, W) or 5D input, got "
                         f"shape {tuple(input.shape)}")
    if mode in _LINEAR_DIMS and input.ndim != _LINEAR_DIMS[mode]:
        raise NotImplementedError(f"interpolate: got {input.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR_DIMS[mode]}D input")
    if mode == "area" and input.ndim == 5:
        raise NotImplementedError("interpolate: 'area' mode supports 3D and 4D input, got 5D")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    linear = mode in _LINEAR_DIMS
    if align_corners is not None and not linear:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    align_corners = bool(align_corners)
    n = input.ndim - 2
    spatial = tuple(input.shape[2:])
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: only one of size or scale_factor should be defined"
                         if size is not None else
                         "interpolate: either size or scale_factor should be defined")
    if size is not None:
        out_size = [int(s) for s in _per_dim(size, n, "size")]
        scales: list = [None] * n
    else:
        factors = [float(f) for f in _per_dim(scale_factor, n, "scale_factor")]
        out_size = [int(math.floor(s * f)) for s, f in zip(spatial, factors)]
        scales = [None] * n if recompute_scale_factor else factors
    if any(s <= 0 for s in out_size):
        raise ValueError(f"interpolate: output size must be positive, got {tuple(out_size)} for "
                         f"input of shape {tuple(input.shape)}")
    if mode == "area":
        pool = adaptive_avg_pool1d if n == 1 else adaptive_avg_pool2d
        return pool(input, tuple(out_size))
    if not linear:
        grids = [_nearest_index(i, o, s, mode == "nearest-exact")
                 for i, o, s in zip(spatial, out_size, scales)]
        return input[(slice(None), slice(None)) + np.ix_(*grids)]
    # separable: one interpolation matrix per spatial dim, applied with matmul
    weights = _cubic_matrix if mode == "bicubic" else _linear_matrix
    out = input
    for axis in range(n - 1, -1, -1):
        m = weights(spatial[axis], out_size[axis], scales[axis], align_corners, np.dtype(input.dtype))
        dim = 2 + axis
        if dim == input.ndim - 1:
            out = out @ ag.from_numpy(np.ascontiguousarray(m.T))
        elif dim == input.ndim - 2:
            out = ag.from_numpy(m) @ out
        else:
            out = (out.transpose(dim, -1) @ ag.from_numpy(np.ascontiguousarray(m.T))).transpose(dim, -1)
    return out


def _shuffle_factor(input: Tensor, factor: int, fn: str, name: str) -> int:
    """Check the input of a pixel (un)shuffle, (*, C, H, W); the factor as an int."""
    _tensor(input, fn)
    r = int(factor)
    if input.ndim < 3:
        raise ValueError(f"{fn}: expected input of at least 3 dims (*, C, H, W), got shape "
                         f"{tuple(input.shape)}")
    if r <= 0:
        raise ValueError(f"{fn}: {name} must be greater than 0, got {r}")
    return r


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange (*, C r^2, H, W) into (*, C, H r, W r).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.pixel_shuffle(ag.arange(4.0).reshape(1, 4, 1, 1), 2).tolist()
    [[[[0.0, 1.0], [2.0, 3.0]]]]
    """
    r = _shuffle_factor(input, upscale_factor, "pixel_shuffle", "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise ValueError(f"pixel_shuffle: expected the channel dim (-3) to be divisible by "
                         f"upscale_factor**2 = {r * r}, got shape {tuple(input.shape)}")
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearrange (*, C, H r, W r) into (*, C r^2, H, W); the inverse of ``pixel_shuffle``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.pixel_unshuffle(ag.arange(4.0).reshape(1, 1, 2, 2), 2).reshape(-1).tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    r = _shuffle_factor(input, downscale_factor, "pixel_unshuffle", "downscale_factor")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise ValueError(f"pixel_unshuffle: expected height and width (dims -2, -1) to be "
                         f"divisible by downscale_factor = {r}, got shape {tuple(input.shape)}")
    k = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)
