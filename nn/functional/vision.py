"""Spatial transformers: ``affine_grid`` and ``grid_sample``, as in
``torch.nn.functional``.

``affine_grid`` multiplies a base grid of normalised coordinates by the affine matrices.
``grid_sample`` reads the input at the grid's points, written with Tensor ops: the
coordinates are unnormalised (``align_corners``) and brought inside by the padding mode
(``'border'`` clamps, ``'reflection'`` mirrors; their gradient is 0 on and beyond the
border, as PyTorch's), the corner or tap positions are constants, and the input is
indexed at them (out-of-range taps read 0), so the gradient reaches the input through
the indexing and the grid through the interpolation weights. Modes: ``'bilinear'``
(trilinear on 5-D input), ``'nearest'`` (round half to even; no grid gradient) and
``'bicubic'`` (4-D input). Every one is differentiable to any order.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> theta = ag.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
>>> grid = F.affine_grid(theta, [1, 1, 2, 3], align_corners=False)
>>> x = ag.arange(6.0).reshape(1, 1, 2, 3)
>>> F.grid_sample(x, grid, align_corners=False).tolist()     # the identity
[[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]]]
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .arguments import _scalar_type, _tensor

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                  "old behavior is desired. See the documentation of grid_sample for details.")
_CUBIC_A = -0.75


def _linspace(steps: int, align_corners: bool, dtype: np.dtype) -> np.ndarray:
    """PyTorch's ``linspace_from_neg_one``: the normalised coordinates of ``steps`` pixels
    (their corners at -1 and 1 with ``align_corners``, else their centres)."""
    if steps <= 1:
        return np.zeros(steps, dtype=dtype)
    r = np.linspace(-1, 1, steps, dtype=np.float64)
    if not align_corners:
        r = r * (steps - 1) / steps
    return r.astype(dtype)


def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """The sampling grid of a batch of affine maps ``theta``: (N, 2, 3) for a 4-D ``size``
    (N, C, H, W), giving (N, H, W, 2); (N, 3, 4) for a 5-D size (N, C, D, H, W), giving
    (N, D, H, W, 3). Each point is ``theta @ (x, y[, z], 1)`` of the output pixel's
    normalised position.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> theta = ag.tensor([[[2.0, 0.0, 0.0], [0.0, 1.0, 0.5]]])
    >>> F.affine_grid(theta, [1, 1, 1, 2], align_corners=True).tolist()
    [[[[-2.0, 0.5], [2.0, 0.5]]]]
    """
    _tensor(theta, "affine_grid", "theta")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if theta.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(s) for s in size]
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {tuple(theta.shape)}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {tuple(theta.shape)}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    n = size[0]
    if theta.shape[0] != n:
        raise ValueError(f"affine_grid: expected theta with batch size {n} (size[0]), got "
                         f"shape {tuple(theta.shape)}")
    dt = np.dtype(theta.dtype)
    axes = [_linspace(s, align_corners, dt) for s in reversed(spatial)]   # x, y[, z]
    mesh = list(np.meshgrid(*axes[::-1], indexing="ij"))[::-1]            # each (D,) H, W
    base = np.stack(mesh + [np.ones_like(mesh[0])], -1).reshape(-1, len(spatial) + 1)
    grid = ag.from_numpy(np.ascontiguousarray(base)) @ theta.transpose(1, 2)
    return grid.reshape([n] + list(spatial) + [len(spatial)])


# ----------------------------------------------------------------------- coordinates
def _unnormalize(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return (coord + 1) * (size / 2) - 0.5


def _clip(coord: Tensor, size: int) -> Tensor:
    """``coord`` clamped to [0, size - 1]; its gradient is 0 on the border too, as PyTorch's."""
    c = coord.detach()
    inside = (c > 0) & (c < size - 1)
    return ag.where(inside, coord, c.clamp(0, size - 1))


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """PyTorch's ``reflect_coordinates``: ``coord`` mirrored at ``twice_low / 2`` and
    ``twice_high / 2`` until it lies between them."""
    if twice_low == twice_high:
        return coord * 0.0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    d = coord - low
    a = ag.where(d.detach() < 0, -d, d)
    extra = a.fmod(span)
    flips = np.floor(a.detach().numpy() / span)
    even = ag.from_numpy(flips % 2 == 0)
    return ag.where(even, extra + low, (span - extra) + low)


def _source(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """The input position (in pixels) read for a normalised grid coordinate."""
    x = _unnormalize(coord, size, align_corners)
    return _pad_coordinate(x, size, padding_mode, align_corners)


def _pad_coordinate(x: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    if padding_mode == "border":
        return _clip(x, size)
    if padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        return _clip(x, size)
    return x


def _pad_integer(x: np.ndarray, size: int, padding_mode: str, align_corners: bool) -> np.ndarray:
    """Bicubic's tap positions (integers, as floats) brought inside by the padding mode."""
    if padding_mode == "border":
        return np.clip(x, 0, size - 1)
    if padding_mode == "reflection":
        lo2, hi2 = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        if lo2 == hi2:
            return np.zeros_like(x)
        low, span = lo2 / 2, (hi2 - lo2) / 2
        a = np.abs(x - low)
        extra = np.fmod(a, span)
        flips = np.floor(a / span)
        x = np.where(flips % 2 == 0, extra + low, span - extra + low)
        return np.clip(x, 0, size - 1)
    return x


# -------------------------------------------------------------------------- sampling
class _Reader:
    """Reads an (N, C, *spatial) input at integer positions: the channels-last input
    flattened over its spatial dims, indexed by (sample, flat position); positions outside
    the input read 0 (their weight is masked)."""

    def __init__(self, input: Tensor) -> None:
        n, c = input.shape[:2]
        self.sizes = tuple(input.shape[2:])
        k = len(self.sizes)
        self.flat = input.permute(0, *range(2, 2 + k), 1).reshape(n, -1, c)
        self.dtype = np.dtype(input.dtype)
        self.batch = None

    def read(self, positions: list) -> tuple[Tensor, np.ndarray]:
        """Values (N, *out, C) at integer ``positions`` [z,] y, x (arrays (N, *out)) and the
        mask (N, *out) of those inside the input."""
        inside = np.ones(positions[0].shape, dtype=bool)
        flat = np.zeros(positions[0].shape, dtype=np.int64)
        for p, size in zip(positions, self.sizes):
            inside &= (p >= 0) & (p < size)
            flat = flat * size + np.clip(p, 0, size - 1)
        if self.batch is None:
            n = positions[0].shape[0]
            self.batch = np.arange(n).reshape((n,) + (1,) * (positions[0].ndim - 1))
        return self.flat[self.batch, flat], inside


def _masked(weight: Tensor, inside: np.ndarray, dtype: np.dtype) -> Tensor:
    if inside.all():
        return weight.unsqueeze(-1)
    return (weight * ag.from_numpy(inside.astype(dtype))).unsqueeze(-1)


def _linear(reader: _Reader, coords: list) -> Tensor:
    """(Bi/tri)linear interpolation at ``coords`` (pixel positions, Tensors (N, *out)):
    PyTorch's corners and weights, summed in its order."""
    k = len(coords)
    lows = [np.floor(c.detach().numpy()) for c in coords]
    fracs = [c - ag.from_numpy(lo) for c, lo in zip(coords, lows)]   # toward the high corner
    rests = [1 - f for f in fracs]
    lows = [lo.astype(np.int64) for lo in lows]
    out = None
    # PyTorch's order: the last coordinate (x) varies fastest
    for corner in np.ndindex(*(2,) * k):
        weight = None
        for axis in range(k - 1, -1, -1):
            w = fracs[axis] if corner[axis] else rests[axis]
            weight = w if weight is None else weight * w
        values, inside = reader.read([lo + b for lo, b in zip(lows, corner)])
        term = values * _masked(weight, inside, reader.dtype)
        out = term if out is None else out + term
    return out


def _nearest(reader: _Reader, coords: list) -> Tensor:
    """The nearest pixel (round half to even, as PyTorch); the grid gets a zero gradient."""
    points = [c.detach().numpy() for c in coords]
    finite = np.logical_and.reduce([np.isfinite(p) for p in points])
    index = [np.where(finite, np.rint(np.where(finite, p, -1)), -1).astype(np.int64)
             for p in points]
    values, inside = reader.read(index)
    if not inside.all():
        values = values * ag.from_numpy(inside.astype(reader.dtype)[..., None])
    zero = sum((c - ag.from_numpy(p)) * 0.0 for c, p in zip(coords, points))
    return values + ag.where(ag.from_numpy(finite), zero, 0.0).unsqueeze(-1)


def _cubic_weights(t: Tensor) -> list:
    a = _CUBIC_A

    def near(x):   # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):    # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic(reader: _Reader, grid_x: Tensor, grid_y: Tensor, padding_mode: str,
             align_corners: bool) -> Tensor:
    """Bicubic interpolation: 4 x 4 taps around the unnormalised point, each tap position
    brought inside by the padding mode; PyTorch's coefficients (A = -0.75)."""
    h, w = reader.sizes
    x = _unnormalize(grid_x, w, align_corners)
    y = _unnormalize(grid_y, h, align_corners)
    x0, y0 = np.floor(x.detach().numpy()), np.floor(y.detach().numpy())
    cx = _cubic_weights(x - ag.from_numpy(x0))
    cy = _cubic_weights(y - ag.from_numpy(y0))
    rows = []
    for i in range(4):
        ty = _pad_integer(y0 - 1 + i, h, padding_mode, align_corners).astype(np.int64)
        row = None
        for j in range(4):
            tx = _pad_integer(x0 - 1 + j, w, padding_mode, align_corners).astype(np.int64)
            values, inside = reader.read([ty, tx])
            term = values * _masked(cx[j], inside, reader.dtype)
            row = term if row is None else row + term
        rows.append(row)
    out = None
    for i in range(4):
        term = rows[i] * cy[i].unsqueeze(-1)
        out = term if out is None else out + term
    return out


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` (N, C, H, W) at the points of ``grid`` (N, H', W', 2) of normalised
    (x, y) coordinates in [-1, 1], giving (N, C, H', W'); or (N, C, D, H, W) input at
    (N, D', H', W', 3) points (x, y, z). ``mode`` is ``'bilinear'``, ``'nearest'`` or
    ``'bicubic'`` (4-D only); ``padding_mode`` ``'zeros'``, ``'border'`` or
    ``'reflection'``; ``align_corners`` maps -1 and 1 to the corner pixels' centres
    (True) or to their outer edges (False).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([[[[0.0, 10.0]]]])
    >>> F.grid_sample(x, ag.tensor([[[[0.0, 0.0]]]]), align_corners=True).tolist()
    [[[[5.0]]]]
    """
    _tensor(input, "grid_sample")
    _tensor(grid, "grid_sample", "grid")
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    # PyTorch's checks, in its order
    if input.dtype != grid.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_type(input.dtype)} but found "
                           f"{_scalar_type(grid.dtype)}")
    if input.ndim == 0 or grid.ndim == 0 or input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    k = input.ndim - 2
    if grid.shape[-1] != k:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {k} in last dimension, "
                           f"but got grid with sizes {list(grid.shape)}")
    for i in range(2, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {i} being empty")
    if input.ndim not in (4, 5) or grid.ndim != input.ndim:
        want = 4 if input.ndim == 4 else 5
        raise RuntimeError(f"grid_sampler(): expected {want}D input and grid with same number of "
                           f"dimensions, but got input with sizes {list(input.shape)} and grid "
                           f"with sizes {list(grid.shape)}")
    if mode == "bicubic" and k != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    reader = _Reader(input)
    sizes = reader.sizes
    if mode == "bicubic":
        out = _bicubic(reader, grid[..., 0], grid[..., 1], padding_mode, align_corners)
    else:
        # grid[..., 0] is x (the last dim), grid[..., 1] y, grid[..., 2] z
        coords = [_source(grid[..., k - 1 - i], sizes[i], padding_mode, align_corners)
                  for i in range(k)]
        out = _linear(reader, coords) if mode == "bilinear" else _nearest(reader, coords)
    return out.permute(0, k + 1, *range(1, k + 1))            # (N, C, *out)
