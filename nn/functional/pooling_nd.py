"""Pooling of any number of spatial dims, composed of public Tensor ops over index
windows: ``max_pool3d``, ``avg_pool3d``, ``adaptive_avg_pool3d``,
``adaptive_max_pool3d``, ``fractional_max_pool2d/3d``, the ``*_with_indices`` forms and
the power-average ``lp_pool1d/2d/3d``. (Unpooling, ``max_unpool1d/2d/3d``, is in
``unpooling``; it is importable from here too.)

Each pooling window is a row of flat positions in the input's spatial block (one
``(out, k)`` table of positions per dim, combined), with a mask of the positions that
fall inside the input. Max pooling picks one winner per window on the detached values
with PyTorch's rule (the first maximum in row-major order, a NaN replaces whatever came
before it so the last NaN wins, and a window of -inf keeps its first position) and takes
it with ``gather``: the gradient goes to that one element, and ``return_indices`` gives
PyTorch's flat indices. Average pooling indexes every window, masks the padding and
divides by PyTorch's divisor. All are differentiable to any order.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> out, idx = F.max_pool3d(ag.arange(8.0).reshape(1, 1, 2, 2, 2), 2, return_indices=True)
>>> out.tolist(), idx.tolist()
([[[[[7.0]]]]], [[[[[7]]]]])
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .activation import relu
from .arguments import _array, _ntuple, _tensor
from .pooling import (_bins, adaptive_max_pool1d, adaptive_max_pool2d, avg_pool1d, avg_pool2d,
                      max_pool1d, max_pool2d)
from .unpooling import max_unpool1d, max_unpool2d, max_unpool3d  # re-exported: their old home

__all__ = ["max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d",
           "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
           "lp_pool1d", "lp_pool2d", "lp_pool3d", "fractional_max_pool2d",
           "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]

_WORDS = {1: "one", 2: "two", 3: "three"}


def _out_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's ``pooling_output_shape``: a last window must start inside the input or
    its left padding."""
    span = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = span // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _axis_windows(n: int, k: int, s: int, p: int, d: int,
                  ceil_mode: bool) -> tuple[np.ndarray, np.ndarray]:
    """Positions (out, k) of the sliding windows along one dim of size ``n``, and which lie
    inside the input."""
    out = _out_size(n, k, s, p, d, ceil_mode)
    pos = (np.arange(out) * s - p)[:, None] + np.arange(k)[None, :] * d
    return pos, (pos >= 0) & (pos < n)


def _axis_bins(n: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (out, longest bin) of adaptive pooling's bins along one dim, and which
    belong to the bin (bins differ in length by at most one)."""
    bins = _bins(n, out)
    k = max((e - s for s, e in bins), default=1)
    start = np.array([s for s, _ in bins], dtype=np.int64).reshape(-1, 1)
    end = np.array([e for _, e in bins], dtype=np.int64).reshape(-1, 1)
    pos = start + np.arange(k)[None, :]
    return pos, pos < end


def _combine(sizes: tuple, axes: list) -> tuple[np.ndarray, np.ndarray]:
    """The per-dim windows ``axes`` [(pos, valid), ...] of a block of ``sizes`` combined:
    flat positions (O, K) in the block (0 where outside) and their mask, windows in
    row-major order of the output, positions in row-major order of the window."""
    m = len(axes)
    flat = np.zeros((1,) * (2 * m), dtype=np.int64)
    valid = np.ones((1,) * (2 * m), dtype=bool)
    for i, (pos, ok) in enumerate(axes):
        shape = [1] * (2 * m)
        shape[i], shape[m + i] = pos.shape
        step = math.prod(sizes[i + 1:])
        flat = flat + pos.reshape(shape) * step
        valid = valid & ok.reshape(shape)
    out = math.prod([p.shape[0] for p, _ in axes])
    k = math.prod([p.shape[1] for p, _ in axes])
    flat = np.where(valid, flat, 0).reshape(out, k)
    return flat, valid.reshape(out, k)


def _winners(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Index (along the last axis) of each window's maximum, PyTorch's rule: the first
    strictly greatest valid value, a NaN replaces any earlier choice (so the last NaN
    wins), and a window without a value above -inf keeps its first valid position."""
    nan = np.isnan(values) & valid if values.dtype.kind == "f" else np.zeros(values.shape, bool)
    if values.dtype.kind == "f":
        v = np.where(valid & ~nan, values, -np.inf)
        best = v.argmax(-1)
        top = np.take_along_axis(v, best[..., None], -1)[..., 0]
        best = np.where(top == -np.inf, np.broadcast_to(valid, v.shape).argmax(-1), best)
    else:
        low = np.iinfo(values.dtype).min if values.dtype.kind in "iu" else False
        v = np.where(valid, values, low)
        best = v.argmax(-1)
    if nan.any():
        last = values.shape[-1] - 1 - nan[..., ::-1].argmax(-1)
        best = np.where(nan.any(-1), last, best)
    return best


def _take_max(input: Tensor, m: int, axes: list, return_indices: bool,
              per_plane: tuple | None = None) -> Any:
    """Max over the windows ``axes`` of the last ``m`` dims of ``input``: the winners' values
    (by ``gather``) and their flat indices in each spatial block."""
    lead = tuple(input.shape[:-m])
    sizes = tuple(input.shape[-m:])
    block = math.prod(sizes)
    x = _array(input).reshape(lead + (block,))
    if per_plane is not None:  # windows that differ from plane to plane: (*lead, O, K)
        out_sizes, flat = per_plane
        valid = np.ones(flat.shape[-1:], dtype=bool)
        values = np.take_along_axis(x, flat.reshape(lead + (-1,)), -1).reshape(flat.shape)
    else:
        out_sizes = tuple(p.shape[0] for p, _ in axes)
        flat, valid = _combine(sizes, axes)
        values = x[..., flat] if flat.size and x.size else None
    if flat.size and x.size:
        best = _winners(values, valid)
        index = np.take_along_axis(np.broadcast_to(flat, lead + flat.shape[-2:]),
                                   best[..., None], -1)[..., 0]
    else:
        index = np.zeros(lead + (flat.shape[-2],), dtype=np.int64)
    index = ag.from_numpy(np.ascontiguousarray(index, dtype=np.int64))
    out = input.reshape(lead + (block,)).gather(len(lead), index).reshape(lead + out_sizes)
    if return_indices:
        return out, index.reshape(lead + out_sizes)
    return out


def _check_spatial(input: Any, fn: str, n: int) -> Tensor:
    _tensor(input, fn)
    if input.ndim not in (n + 1, n + 2) or 0 in tuple(input.shape[-n:]):
        raise RuntimeError(f"non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for "
                           "input")
    return input


def _pool_args(fn: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
               n: int, avg: bool) -> tuple:
    """Kernel, stride (the kernel by default), padding and dilation as n-tuples, checked
    with PyTorch's messages."""
    word = _WORDS[n]
    if avg:
        k = _ntuple(kernel_size, n, f"{fn}: kernel_size must be a single int, or a tuple of "
                                    f"{word} ints")
        s = _ntuple(stride, n, f"{fn}: stride must be omitted, a single int, or a tuple of "
                               f"{word} ints", allow_none=True)
        p = _ntuple(padding, n, f"{fn}: padding must be a single int, or a tuple of {word} ints")
        d = (1,) * n
    else:
        k = _ntuple(kernel_size, n, f"{fn}: kernel_size must either be a single int, or a "
                                    f"tuple of {word} ints")
        s = _ntuple(stride, n, f"{fn}: stride must either be omitted, a single int, or a tuple "
                               f"of {word} ints", allow_none=True)
        p = _ntuple(padding, n, f"{fn}: padding must either be a single int, or a tuple of "
                                f"{word} ints")
        d = _ntuple(dilation, n, f"{fn}: dilation must be either a single int, or a tuple of "
                                 f"{word} ints")
    s = k if s is None else s
    if min(s) <= 0:
        raise RuntimeError("stride should not be zero")
    if min(k) <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got "
                           + " ".join(f"{a}: {v}" for a, v in zip(("kT", "kH", "kW")[-n:], k)))
    if min(d) <= 0:
        raise RuntimeError("dilation should be greater than zero, but got "
                           + " ".join(f"dilation{a}: {v}" for a, v in
                                      zip(("T", "H", "W")[-n:], d)))
    for ki, pi, di in zip(k, p, d):
        if pi < 0 or pi > ((ki - 1) * di + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pi}, kernel_size={ki} and dilation={di}")
    return k, s, p, d


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """3-D max pooling of (N, C, D, H, W) or (C, D, H, W) input, as
    ``torch.nn.functional.max_pool3d``; with ``return_indices``, also the flat index of
    each maximum in its (D, H, W) block (for ``max_unpool3d``). The gradient goes to one
    element per window, the first maximum in row-major order.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.max_pool3d(ag.randn(2, 3, 8, 8, 8), 2).shape
    (2, 3, 4, 4, 4)
    """
    _check_spatial(input, "max_pool3d", 3)
    k, s, p, d = _pool_args("max_pool3d", kernel_size, stride, padding, dilation, 3, avg=False)
    sizes = tuple(input.shape[-3:])
    axes = [_axis_windows(n, *args, ceil_mode) for n, args in zip(sizes, zip(k, s, p, d))]
    outs = tuple(pos.shape[0] for pos, _ in axes)
    if min(outs) < 1:
        c = input.shape[-4]
        raise RuntimeError(f"Given input size: ({c}x{sizes[0]}x{sizes[1]}x{sizes[2]}). "
                           f"Calculated output size: ({c}x{max(outs[0], 0)}x{max(outs[1], 0)}x"
                           f"{max(outs[2], 0)}). Output size is too small")
    return _take_max(input, 3, axes, return_indices)


def _divisors(sizes: tuple, k: tuple, s: tuple, p: tuple, ceil_mode: bool,
              count_include_pad: bool) -> np.ndarray:
    """PyTorch's divisor of each average-pooling window: the window clipped to the padded
    input (``count_include_pad``) or to the input, a product over the dims."""
    total = np.ones((), dtype=np.int64)
    for n, ki, si, pi in zip(sizes, k, s, p):
        out = _out_size(n, ki, si, pi, 1, ceil_mode)
        start = np.arange(out) * si - pi
        end = np.minimum(start + ki, n + pi)
        if count_include_pad:
            count = end - start
        else:
            count = np.minimum(end, n) - np.maximum(start, 0)
        total = np.multiply.outer(total, count)
    return total


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """3-D average pooling of (N, C, D, H, W) or (C, D, H, W) input, as
    ``torch.nn.functional.avg_pool3d`` (``count_include_pad`` counts the zero padding in
    the divisor; ``divisor_override`` replaces it).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.avg_pool3d(ag.ones(1, 1, 4, 4, 4), 2, padding=1, count_include_pad=False).shape
    (1, 1, 3, 3, 3)
    """
    _check_spatial(input, "avg_pool3d", 3)
    k, s, p, _ = _pool_args("avg_pool3d", kernel_size, stride, padding, 1, 3, avg=True)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    sizes = tuple(input.shape[-3:])
    axes = [_axis_windows(n, ki, si, pi, 1, ceil_mode) for n, ki, si, pi in zip(sizes, k, s, p)]
    outs = tuple(pos.shape[0] for pos, _ in axes)
    if min(outs) < 1:
        raise RuntimeError(f"input image (T: {sizes[0]} H: {sizes[1]} W: {sizes[2]}) smaller "
                           f"than kernel size (kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    lead = tuple(input.shape[:-3])
    flat, valid = _combine(sizes, axes)
    block = math.prod(sizes)
    dt = input.dtype
    windows = input.reshape(lead + (block,))[..., flat]        # (*lead, O, K)
    if not valid.all():
        windows = windows * ag.from_numpy(valid.astype(dt))
    total = windows.sum(-1).reshape(lead + outs)
    if divisor_override is not None:
        return total / float(divisor_override)
    div = _divisors(sizes, k, s, p, ceil_mode, count_include_pad)
    return total / ag.from_numpy(div.astype(dt))


def _averaging(n_in: int, n_out: int, dtype: np.dtype) -> np.ndarray:
    """(n_in, n_out) matrix: a right factor that averages each adaptive bin."""
    m = np.zeros((n_in, n_out), dtype=dtype)
    for i, (start, end) in enumerate(_bins(n_in, n_out)):
        m[start:end, i] = 1.0 / (end - start)
    return m


def _adaptive_size(fn: str, output_size: Any, sizes: tuple, n: int) -> tuple:
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != n:
            if fn.startswith("adaptive_max"):
                raise RuntimeError(f"{fn}(): internal error: output_size.size() must be {n}")
            raise RuntimeError(f"{fn}: output_size must be {n}")
        out = tuple(d if v is None else int(v) for v, d in zip(output_size, sizes))
    else:
        out = (sizes if output_size is None else (int(output_size),) * n)
    if min(out) < 0:
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0 "
                           f"but received {list(out)}")
    return tuple(out)


def _check_adaptive(input: Any, fn: str, n: int, colon: bool) -> None:
    _tensor(input, fn)
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"{fn}(): Expected {n + 1}D or {n + 2}D tensor, but got"
                           f"{':' if colon else ''} {list(input.shape)}")
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {i} being empty")


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of (N, C, D, H, W) or (C, D, H, W) input to a fixed (D', H', W')
    (an int, or a triple where None keeps the input's size), with PyTorch's bins; one
    averaging matrix per dim, so it is differentiable to any order.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.adaptive_avg_pool3d(ag.arange(8.0).reshape(1, 1, 2, 2, 2), 1).tolist()
    [[[[[3.5]]]]]
    """
    _check_adaptive(input, "adaptive_avg_pool3d", 3, colon=False)
    sizes = tuple(input.shape[-3:])
    outs = _adaptive_size("adaptive_avg_pool3d", output_size, sizes, 3)
    if outs == (1, 1, 1):
        return input.mean((-3, -2, -1), keepdim=True)
    out = input
    dt = np.dtype(input.dtype)
    for axis in (2, 1, 0):
        if outs[axis] == sizes[axis]:
            continue
        m = ag.from_numpy(_averaging(sizes[axis], outs[axis], dt))
        dim = input.ndim - 3 + axis
        if dim == input.ndim - 1:
            out = out @ m
        else:
            out = (out.transpose(dim, -1) @ m).transpose(dim, -1)
    return out


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of (N, C, D, H, W) or (C, D, H, W) input to a fixed (D', H', W') with
    PyTorch's bins; with ``return_indices``, also the flat positions of the maxima in each
    (D, H, W) block.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> out, idx = F.adaptive_max_pool3d(ag.arange(8.0).reshape(1, 2, 2, 2), 1, True)
    >>> out.tolist(), idx.tolist()
    ([[[[7.0]]]], [[[[7]]]])
    """
    _check_adaptive(input, "adaptive_max_pool3d", 3, colon=True)
    sizes = tuple(input.shape[-3:])
    outs = _adaptive_size("adaptive_max_pool3d", output_size, sizes, 3)
    axes = [_axis_bins(n, o) for n, o in zip(sizes, outs)]
    return _take_max(input, 3, axes, return_indices)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``max_pool1d`` with its indices, always (``return_indices`` is ignored, as PyTorch).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.max_pool1d_with_indices(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)[1].tolist()
    [[[1, 2]]]
    """
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``max_pool2d`` with its indices, always (``return_indices`` is ignored, as PyTorch).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.max_pool2d_with_indices(ag.arange(4.0).reshape(1, 1, 2, 2), 2)[1].tolist()
    [[[[3]]]]
    """
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``max_pool3d`` with its indices, always (``return_indices`` is ignored, as PyTorch).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.max_pool3d_with_indices(ag.arange(8.0).reshape(1, 2, 2, 2), 2)[1].tolist()
    [[[[7]]]]
    """
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``adaptive_max_pool1d`` with its indices, always.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.adaptive_max_pool1d_with_indices(ag.tensor([[4.0, 1.0, 2.0, 6.0]]), 2)[1].tolist()
    [[0, 3]]
    """
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``adaptive_max_pool2d`` with its indices, always.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.adaptive_max_pool2d_with_indices(ag.arange(4.0).reshape(1, 2, 2), 1)[1].tolist()
    [[[3]]]
    """
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    """``adaptive_max_pool3d`` with its indices, always.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.adaptive_max_pool3d_with_indices(ag.arange(8.0).reshape(1, 2, 2, 2), 1)[1].tolist()
    [[[[7]]]]
    """
    return adaptive_max_pool3d(input, output_size, True)


# ----------------------------------------------------------------- power-average pooling
def _lp_pool(input: Tensor, norm_type: float, kernel_size: Any, stride: Any, ceil_mode: bool,
             n: int) -> Tensor:
    """PyTorch's composition: ``(sum over the window of x^p)^(1/p)`` as an average pool of
    ``x^p`` times the window size; ``relu`` of the sum so a zero sum has zero gradient."""
    _tensor(input, f"lp_pool{n}d")
    max_pool = {1: max_pool1d, 2: max_pool2d, 3: max_pool3d}[n]
    avg_pool = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}[n]
    if isinstance(norm_type, (int, float)) and math.isinf(norm_type):
        if norm_type > 0:
            return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    k = _ntuple(kernel_size, n, f"lp_pool{n}d: kernel_size must be an int or a tuple of {n} "
                                "ints")
    if stride is not None:
        out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * relu(out.abs())).mul(math.prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling ``(sum x^p)^(1/p)`` over windows of (N, C, L) or (C, L) input;
    ``norm_type`` inf is max pooling of ``|x|``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.lp_pool1d(ag.tensor([[[3.0, 4.0]]]), 2, 2).tolist()
    [[[5.0]]]
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over windows of (N, C, H, W) or (C, H, W) input.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.lp_pool2d(ag.ones(1, 1, 2, 2), 1, 2).tolist()
    [[[[4.0]]]]
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over windows of (N, C, D, H, W) or (C, D, H, W) input.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.lp_pool3d(ag.ones(1, 1, 2, 2, 2), 2, 2).tolist()
    [[[[[2.828...]]]]]
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)


# ------------------------------------------------------------ fractional max pooling
def _intervals(sample: np.ndarray, n_in: int, n_out: int, k: int, dtype: np.dtype) -> np.ndarray:
    """PyTorch's ``generate_intervals``: the start of each of ``n_out`` windows of size ``k``
    for the uniform draw ``sample`` (one per plane), the last one at ``n_in - k``; computed
    in the input's dtype, as PyTorch."""
    starts = np.empty(sample.shape + (n_out,), dtype=np.int64)
    if n_out > 1:
        alpha = dtype.type(n_in - k) / dtype.type(n_out - 1)
        i = np.arange(n_out - 1, dtype=dtype)
        starts[..., :-1] = (((i + sample[..., None]) * alpha).astype(np.int64)
                            - (sample * alpha).astype(np.int64)[..., None])
    if n_out > 0:
        starts[..., -1] = n_in - k
    return starts


def _fractional(input: Any, kernel_size: Any, output_size: Any, output_ratio: Any,
                return_indices: bool, samples: Any, n: int) -> Any:
    fn = f"fractional_max_pool{n}d"
    _tensor(input, fn)
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fn} requires specifying either an output_size or an output_ratio")
    if samples is None and input.ndim < n + 1:  # PyTorch reads input.size(-n - 1) first
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got {-n - 1})")
    kernel = fn if n == 2 else f"{fn}_out"  # PyTorch's 3-D kernel names itself so
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"{kernel}(): Expected {n + 1}D or {n + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    k = _ntuple(kernel_size, n, f"{fn}: kernel_size must either be a single int or a tuple of "
                                f"{_WORDS[n]} ints")
    sizes = tuple(input.shape[-n:])
    if output_size is None:
        ratio = output_ratio if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * n
        out = tuple(int(s * r) for s, r in zip(sizes, ratio))
    else:
        out = _ntuple(output_size, n, f"{fn}: output_size must either be a single int or a tuple "
                                      f"of {_WORDS[n]} ints")
    names = ("time", "height", "width")[-n:]
    for name, o, ki, size in zip(names, out, k, sizes):
        if o + ki - 1 > size:
            raise RuntimeError(f"{kernel}(): pool {name} {ki} too large relative to input "
                               f"{name} {size}")
    batched = input.ndim == n + 2
    x = input if batched else input.unsqueeze(0)
    planes = tuple(x.shape[:2])
    dt = np.dtype(x.dtype)
    if samples is None:
        samples = ag.rand(planes + (n,), dtype=dt)
    u = np.asarray(_array(samples), dtype=dt)
    if u.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {u.ndim}")
    if u.shape[0] < planes[0]:  # extra rows beyond the batch are unused, as PyTorch's
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if u.shape[1] != planes[1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if u.shape[2] != n:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {n}; got {u.shape[2]}.")
    u = u[:planes[0]]
    # PyTorch's draws: [W, H] for 2-D, [T, H, W] for 3-D
    order = (1, 0) if n == 2 else (0, 1, 2)
    flat = np.zeros(planes + out + k, dtype=np.int64)
    for axis in range(n):
        start = _intervals(u[..., order[axis]], sizes[axis], out[axis], k[axis], dt)
        pos = start[..., :, None] + np.arange(k[axis])                  # (N, C, out, k)
        shape = list(planes) + [1] * (2 * n)
        shape[2 + axis], shape[2 + n + axis] = out[axis], k[axis]
        flat = flat + pos.reshape(shape) * math.prod(sizes[axis + 1:])
    flat = flat.reshape(planes + (math.prod(out), math.prod(k)))
    result = _take_max(x, n, [], True, per_plane=(out, flat))
    if not batched:
        result = (result[0].squeeze(0), result[1].squeeze(0))
    return result if return_indices else result[0]


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """Fractional max pooling (Graham) of (N, C, H, W) or (C, H, W) input: ``kernel_size``
    windows at pseudo-random steps that give ``output_size`` (or ``output_ratio`` of the
    input's size), drawn per plane from ``_random_samples`` (N, C, 2) in [0, 1) or from the
    global generator; PyTorch's windows and winners.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.fractional_max_pool2d(ag.randn(2, 3, 10, 10), 3, output_size=5).shape
    (2, 3, 5, 5)
    """
    return _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples, 2)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """Fractional max pooling of (N, C, T, H, W) or (C, T, H, W) input;
    ``_random_samples`` is (N, C, 3). See ``fractional_max_pool2d``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.fractional_max_pool3d(ag.randn(1, 2, 6, 6, 6), 2, output_ratio=0.5).shape
    (1, 2, 3, 3, 3)
    """
    return _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples, 3)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple:
    """``fractional_max_pool2d`` with its indices, always.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y, i = F.fractional_max_pool2d_with_indices(ag.randn(1, 1, 6, 6), 2, 3)
    >>> y.shape, i.shape
    ((1, 1, 3, 3), (1, 1, 3, 3))
    """
    return _fractional(input, kernel_size, output_size, output_ratio, True, _random_samples, 2)


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple:
    """``fractional_max_pool3d`` with its indices, always.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y, i = F.fractional_max_pool3d_with_indices(ag.randn(1, 1, 6, 6, 6), 2, 3)
    >>> y.shape, i.shape
    ((1, 1, 3, 3, 3), (1, 1, 3, 3, 3))
    """
    return _fractional(input, kernel_size, output_size, output_ratio, True, _random_samples, 3)
