"""Normalisation: ``batch_norm``, ``layer_norm``, ``group_norm``, ``instance_norm``,
``rms_norm`` and ``local_response_norm``.

Batch and layer norm are one fused node each (the core's ``BatchNormTrain`` and
``LayerNormOp``); group, instance and RMS norm are compositions of Tensor ops, so
every one is differentiable to any order.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.rms_norm(ag.tensor([[3.0, 4.0]]), (2,)).tolist()
[[0.8485..., 1.1313...]]
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.normalization import BatchNormTrain as _BatchNormTrain
from autograd_core.ops.normalization import LayerNormOp as _LayerNormOp

from .arguments import _tensor

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm",
           "local_response_norm"]


def _shape(normalized_shape: int | Sequence[int]) -> tuple:
    """``normalized_shape`` as a tuple of ints."""
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(map(int, normalized_shape))


def _channels(input: Tensor, fn: str, min_ndim: int, layout: str) -> tuple[int, tuple]:
    """Check the input of a per-channel normalisation (channels at dim 1); ``(C, the shape
    (1, C, 1, ...) that per-channel values take to broadcast)``."""
    _tensor(input, fn)
    if input.ndim < min_ndim:
        raise ValueError(f"{fn}: expected input of at least {min_ndim} dims {layout}, got shape "
                         f"{tuple(input.shape)}")
    c = input.shape[1]
    return c, (1, c) + (1,) * (input.ndim - 2)


def _check_normalized_shape(op: str, input: Tensor, shape: tuple) -> None:
    """PyTorch's RuntimeError, after ``op``'s name, unless ``input`` ends in ``shape``."""
    k = len(shape)
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        star = ", ".join(["*"] + [str(d) for d in shape])
        raise RuntimeError(f"{op}: Given normalized_shape={list(shape)}, expected input with "
                           f"shape [{star}], but got input of size{list(input.shape)}")


def _scale_shift(y: Tensor, weight: Tensor | None, bias: Tensor | None, cshape: tuple) -> Tensor:
    """``y * weight + bias`` per channel, each when given."""
    if weight is not None:
        y = y * weight.reshape(cshape)
    if bias is not None:
        y = y + bias.reshape(cshape)
    return y


def _update_running(running: Tensor, momentum: float, step: np.ndarray) -> None:
    """``running = (1 - momentum) * running + step``, in place: a buffer, outside the graph."""
    r = running.detach().numpy()
    r *= 1 - momentum
    r += step


def _from_running(running_mean: Tensor, running_var: Tensor, dtype: np.dtype,
                  eps: float) -> tuple[np.ndarray, np.ndarray]:
    """``(mean, 1 / sqrt(var + eps))`` of the running statistics, constants of ``dtype``."""
    inv = 1.0 / np.sqrt(running_var.detach().numpy().astype(dtype) + eps)
    return running_mean.detach().numpy().astype(dtype), inv


def _first(x: Tensor, dims: tuple) -> Tensor:
    """The first element of each slice of ``x`` over ``dims`` (kept as size-1 dims), a
    constant. Statistics taken of ``x`` minus it keep their deviations and variance, but a
    constant slice gets exactly 0 (the mean of n copies of c is not always exactly c), so
    it normalises to exactly 0, as in PyTorch."""
    return x.detach()[tuple(slice(0, 1) if i in dims else slice(None) for i in range(x.ndim))]


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch norm over axis 1 (channels) of (N, C), (N, C, L) or (N, C, H, W) input.

    In training, the batch statistics normalise and the running ones (if given) are
    updated in place: ``running = (1 - momentum) * running + momentum * batch``, the
    variance being the unbiased batch variance. Otherwise the running ones are used.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([[1.0], [3.0]])
    >>> rm, rv = ag.zeros(1), ag.ones(1)
    >>> [round(v, 4) for v in F.batch_norm(x, rm, rv, training=True).reshape(-1).tolist()]
    [-1.0, 1.0]
    >>> round(rm.item(), 4), round(rv.item(), 4)
    (0.2, 1.1)
    """
    c, cshape = _channels(input, "batch_norm", 2, "(N, C, ...)")
    if weight is not None or bias is not None:
        if weight is None:
            weight = ag.ones(c, dtype=input.dtype)
        if bias is None:
            bias = ag.zeros(c, dtype=input.dtype)
    if training:
        count = input.numel() // c
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {tuple(input.shape)}")
        if eps <= 0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
        stats: list = []
        if weight is not None:
            out = _BatchNormTrain.apply(input, weight, bias, eps=eps, stats=stats)
        else:
            out = _BatchNormTrain.apply(input, eps=eps, stats=stats)
        if running_mean is not None or running_var is not None:
            mean, var = stats
            m = momentum
            if running_mean is not None:
                _update_running(running_mean, m, m * mean)
            if running_var is not None:
                _update_running(running_var, m, (m * count / (count - 1)) * var)
        return out
    if eps < 0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when not training")
    mean, inv = _from_running(running_mean, running_var, input.dtype, eps)
    if weight is None:
        return (input - ag.from_numpy(mean.reshape(cshape))) * ag.from_numpy(inv.reshape(cshape))
    scale = weight * ag.from_numpy(inv)
    shift = bias - scale * ag.from_numpy(mean)
    return input * scale.reshape(cshape) + shift.reshape(cshape)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims, then scale and shift.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y = F.layer_norm(ag.tensor([[1.0, 2.0, 3.0]]), (3,))
    >>> [round(v, 4) for v in y[0].tolist()]
    [-1.2247, 0.0, 1.2247]
    """
    _tensor(input, "layer_norm")
    shape = _shape(normalized_shape)
    k = len(shape)
    _check_normalized_shape("layer_norm", input, shape)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"layer_norm: Expected {name} to be of same shape as "
                               f"normalized_shape, but got {name} of shape {list(t.shape)} "
                               f"and normalized_shape = {list(shape)}")
    has = (weight is not None, bias is not None)
    wb = [t for t in (weight, bias) if t is not None]
    return _LayerNormOp.apply(input, *wb, ndim=k, eps=eps, has=has)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise (N, C, *) input over each group of ``C / num_groups`` channels (and all
    their positions), then scale and shift per channel.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y = F.group_norm(ag.tensor([[1.0, 3.0, 5.0, 7.0]]), 2)
    >>> [round(v, 4) for v in y[0].tolist()]
    [-1.0, 1.0, -1.0, 1.0]
    """
    c, cshape = _channels(input, "group_norm", 2, "(N, C, *)")
    n = input.shape[0]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"group_norm: Expected number of channels in input to be divisible "
                           f"by num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(f"group_norm: Expected {name} to be a vector of size equal to "
                               f"the number of channels in input, but got {name} of shape "
                               f"{list(t.shape)} and input of shape {list(input.shape)}")
    if eps > 0 and input.numel() // max(1, n * num_groups) > 1:
        # batch norm's kernels on the input seen as one sample of N*G channels (one node)
        y = _BatchNormTrain.apply(input.reshape(1, n * num_groups, -1), eps=eps)
        return _scale_shift(y.reshape(input.shape), weight, bias, cshape)
    x = input.reshape(n, num_groups, -1)
    x = x - _first(x, (2,))  # a constant shift: constant groups give exactly 0
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, correction=0)
    y = ((x - mean) * (var + eps).rsqrt()).reshape(input.shape)
    return _scale_shift(y, weight, bias, cshape)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of each sample of (N, C, *) input over its positions, then
    scale and shift per channel. With ``use_input_stats`` (training), the running
    statistics (if given) are updated in place with the batch average of the instance
    means and unbiased variances; otherwise they normalise.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y = F.instance_norm(ag.tensor([[[1.0, 3.0], [0.0, 4.0]]]))
    >>> [[round(v, 4) for v in row] for row in y[0].tolist()]
    [[-1.0, 1.0], [-1.0, 1.0]]
    """
    c, cshape = _channels(input, "instance_norm", 3, "(N, C, *)")
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"instance_norm: expected {name} of shape ({c},) for input of "
                             f"shape {tuple(input.shape)}, got {tuple(t.shape)}")
    if use_input_stats:
        dims = tuple(range(2, input.ndim))
        count = math.prod(input.shape[2:])
        if count <= 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {tuple(input.shape)}")
        if eps > 0 and all(t is None or t.dtype == input.dtype for t in (weight, bias)):
            return _instance_norm_as_batch_norm(input, running_mean, running_var, weight,
                                                bias, momentum, eps, count)
        first = _first(input, dims)
        x = input - first  # a constant shift: constant channels give exactly 0
        mean = x.mean(dims, keepdim=True)
        var = x.var(dims, keepdim=True, correction=0)
        if eps == 0:  # as PyTorch's batch-norm kernel: 1/sqrt(var) is taken as 0 where var is 0
            dead = var == 0
            inv = ag.where(dead, 0.0, ag.where(dead, 1.0, var).rsqrt())
        else:
            inv = (var + eps).rsqrt()
        y = (x - mean) * inv
        m = momentum
        if running_mean is not None:
            batch_mean = (mean.detach().numpy() + first.numpy()).reshape(input.shape[:2]).mean(0)
            _update_running(running_mean, m, m * batch_mean.astype(running_mean.dtype))
        if running_var is not None:
            unbiased = var.detach().numpy().reshape(input.shape[:2]) * (count / (count - 1))
            _update_running(running_var, m, m * unbiased.mean(0).astype(running_var.dtype))
    else:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: running_mean and running_var are needed when "
                             "use_input_stats is False")
        mean, inv = _from_running(running_mean, running_var, input.dtype, eps)
        y = (input - ag.from_numpy(mean.reshape(cshape))) * ag.from_numpy(inv.reshape(cshape))
    return _scale_shift(y, weight, bias, cshape)


def _instance_norm_as_batch_norm(input: Tensor, running_mean: Tensor | None,
                                 running_var: Tensor | None, weight: Tensor | None,
                                 bias: Tensor | None, momentum: float, eps: float,
                                 count: int) -> Tensor:
    """Instance norm with input statistics as PyTorch computes it: batch norm of the input
    seen as one sample of N*C channels, the weight and bias repeated N times (one node,
    the batch norm kernels); the running statistics take the average over the samples."""
    n, c = input.shape[0], input.shape[1]
    x = input.reshape((1, n * c) + tuple(input.shape[2:]))
    stats: list = []
    if weight is None and bias is None:
        y = _BatchNormTrain.apply(x, eps=eps, stats=stats)
    else:
        w = weight if weight is not None else ag.ones(c, dtype=input.dtype)
        b = bias if bias is not None else ag.zeros(c, dtype=input.dtype)
        y = _BatchNormTrain.apply(x, w.repeat(n), b.repeat(n), eps=eps, stats=stats)
    mean, var = (s.reshape(n, c) for s in stats)
    m = momentum
    if running_mean is not None:
        _update_running(running_mean, m, m * mean.mean(0).astype(running_mean.dtype))
    if running_var is not None:
        unbiased = (var * (count / (count - 1))).mean(0)
        _update_running(running_var, m, m * unbiased.astype(running_var.dtype))
    return y.reshape(input.shape)


def rms_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """Divide by the root mean square over the trailing ``normalized_shape`` dims, then
    scale by ``weight`` (of that shape) if given.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.rms_norm(ag.tensor([[1.0, -1.0]]), (2,)).tolist()
    [[1.0, -1.0]]
    """
    _tensor(input, "rms_norm")
    shape = _shape(normalized_shape)
    k = len(shape)
    _check_normalized_shape("rms_norm", input, shape)
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"rms_norm: Expected weight to be of same shape as normalized_shape, "
                           f"but got weight of shape {list(weight.shape)} and normalized_shape "
                           f"= {list(shape)}")
    if eps is None:
        eps = float(np.finfo(input.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Normalise each element of (N, C, *) input by its neighbours across channels:
    ``x / (k + alpha * mean(x^2 over size channels around it)) ** beta``, the window
    zero-padded by ``size // 2`` channels before and ``(size - 1) // 2`` after, as PyTorch.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.local_response_norm(ag.ones(1, 3, 1), 2, alpha=1.0, beta=1.0, k=0.0).tolist()
    [[[2.0], [1.0], [1.0]]]
    """
    _tensor(input, "local_response_norm")
    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if input.numel() == 0:
        return input
    sq = (input * input).movedim(1, -1)
    sq = ag.cat([ag.zeros(sq.shape[:-1] + (size // 2,), dtype=sq.dtype), sq,
                 ag.zeros(sq.shape[:-1] + ((size - 1) // 2,), dtype=sq.dtype)], -1)
    div = sq.unfold(sq.ndim - 1, size, 1).mean(-1).movedim(-1, 1)
    return input / (div * alpha + k).pow(beta)


def _cross_map_windows(channels: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The channel windows of PyTorch's legacy ``CrossMapLRN2d``, as 0/1 matrices [i, c]:
    the forward's (the running sum of its loop, which never takes channel 0 out) and the
    backward's (channels ``c - p .. c + size - 1 - p`` with ``p = size - (size - 1) // 2``,
    PyTorch's ``inversePrePad``)."""
    pre_pad = int((size - 1) / 2 + 1)
    fwd = np.zeros((channels, channels))
    window = set(range(min(pre_pad, channels)))
    fwd[list(window), 0] = 1
    for c in range(1, channels):
        if c < channels - pre_pad + 1:
            window.add(c + pre_pad - 1)
        if c > pre_pad:
            window.discard(c - pre_pad)
        fwd[sorted(window), c] = 1
    inverse = int(size - (size - 1) / 2)
    i, c = np.arange(channels)[:, None], np.arange(channels)[None, :]
    bwd = ((c >= i - inverse) & (c <= i + size - 1 - inverse)).astype(float)
    return fwd, bwd


def _cross_map_lrn2d(input: Tensor, size: int, alpha: float, beta: float, k: float) -> Tensor:
    """PyTorch's legacy ``CrossMapLRN2d`` on (N, C, H, W) input, values and gradient as
    its autograd Function computes them: ``x * (k + alpha / size * sum of x^2 over the
    forward window) ** -beta``; the gradient is PyTorch's backward formula (over its own
    window), given to a surrogate whose values are taken out again."""
    _tensor(input, "CrossMapLRN2d")
    if input.ndim != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.ndim}D instead.")
    c = input.shape[1]
    dt = input.dtype
    fwd, bwd = (ag.from_numpy(m.astype(dt)) for m in _cross_map_windows(c, size))
    sq = (input * input).movedim(1, -1)                              # (N, H, W, C)
    scale = ((sq @ fwd) * (alpha / size) + k).movedim(-1, 1)
    out = input * scale.pow(-beta)
    # PyTorch's gradient: g s^-beta - 2 alpha beta / size * x * sum over the backward
    # window of g * out / s; ``surrogate`` has exactly that gradient
    ratio = (out / scale).detach()
    reach = ((sq @ bwd) * (alpha * beta / size)).movedim(-1, 1)
    surrogate = input * scale.detach().pow(-beta) - ratio * reach
    return out.detach() + (surrogate - surrogate.detach())
