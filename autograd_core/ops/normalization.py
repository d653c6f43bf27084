"""Batch norm (training mode, batch statistics) and layer norm as single nodes.

Both normalise ``x`` over some axes, ``xhat = (x - mean) / sqrt(var + eps)`` (biased
variance), then ``y = xhat * weight + bias``. The backward is the usual closed form

    dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dy * weight
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import kernels
from ..autograd import composite_backward
from ..autograd.function import Function, const
from ..kernels.norm import first_of

if TYPE_CHECKING:  # for annotations only: the Tensor type sits above this layer
    from ..tensor import Tensor


class BatchNormTrain(Function):
    """Batch norm with batch statistics; channels on axis 1.

    ``apply(x, weight, bias, eps=, stats=list)`` (or ``apply(x, eps=, ...)`` without the
    affine part). The batch mean and biased variance, per channel, are appended to
    ``stats`` for the caller's running averages.
    """

    op = "batch_norm"

    @staticmethod
    def forward(ctx, x, *wb, eps=1e-5, stats=None):
        y, xhat, mean, var, inv_std = kernels.batch_norm_forward(x, *(wb or (None, None)), eps)
        if stats is not None:
            stats.append(mean)
            stats.append(var)
        ctx.eps = eps
        ctx.xhat, ctx.inv_std = xhat, inv_std
        ctx.save_for_backward(x, *wb)
        return y

    @staticmethod
    def backward(ctx, grad):
        return composite_backward(ctx, grad, lambda x, *wb: batch_norm_composite(
            x, *(wb or (None, None)), eps=ctx.eps), ctx.saved_tensors)

    @staticmethod
    def array_backward(ctx, g):
        need = ctx.needs_input_grad
        w = ctx.saved_arrays[1] if len(need) > 1 else None
        gx, gw, gb = kernels.batch_norm_backward(g, ctx.xhat, ctx.inv_std, w, need[0])
        if len(need) == 1:
            return gx
        return gx, gw if need[1] else None, gb if need[2] else None


def _standardized(x: Tensor, axes: tuple, eps: float) -> Tensor:
    """``(x - mean) / sqrt(var + eps)`` over ``axes`` in Tensor ops: the step every
    composite norm below shares."""
    x = x - const(first_of(x._data, axes))  # a constant shift: see first_of
    mean = x.mean(axes, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(axes, keepdim=True)
    return xc / (var + eps).sqrt()


def batch_norm_composite(x: Tensor, weight: Tensor | None, bias: Tensor | None,
                         eps: float) -> Tensor:
    """Training-mode batch norm in Tensor ops (reference and second-derivative path)."""
    axes = (0,) + tuple(range(2, x.ndim))
    cshape = (1, -1) + (1,) * (x.ndim - 2)
    y = _standardized(x, axes, eps)
    if weight is not None:
        y = y * weight.reshape(cshape) + bias.reshape(cshape)
    return y


class LayerNormOp(Function):
    """Layer norm over the last ``ndim`` axes: ``apply(x, weight?, bias?, ndim=, eps=)``.

    ``has`` says which of weight and bias are given (``(True, True)``, ``(True, False)``
    or ``(False, False)``).
    """

    op = "layer_norm"

    @staticmethod
    def forward(ctx, x, *wb, ndim=1, eps=1e-5, has=(False, False)):
        it = iter(wb)
        w = next(it) if has[0] else None
        b = next(it) if has[1] else None
        y, xhat, inv_std = kernels.layer_norm_forward(x, ndim, w, b, eps)
        ctx.axes = tuple(range(x.ndim - ndim, x.ndim))
        ctx.eps, ctx.has, ctx.ndim = eps, has, ndim
        ctx.xhat, ctx.inv_std = xhat, inv_std
        ctx.save_for_backward(x, *wb)
        return y

    @staticmethod
    def backward(ctx, grad):
        has = ctx.has

        def fn(x, *wb):
            it = iter(wb)
            w = next(it) if has[0] else None
            b = next(it) if has[1] else None
            return layer_norm_composite(x, ctx.ndim, w, b, ctx.eps)
        return composite_backward(ctx, grad, fn, ctx.saved_tensors)

    @staticmethod
    def array_backward(ctx, g):
        has = ctx.has
        saved = ctx.saved_arrays
        xhat, inv_std = ctx.xhat, ctx.inv_std
        need = ctx.needs_input_grad
        w = saved[1] if has[0] else None
        dx, dw, db = kernels.layer_norm_grads(g, xhat, inv_std, ctx.ndim, w,
                                              (need[0], has[0] and need[1], has[1] and need[-1]))
        out = [dx] + ([dw] if has[0] else []) + ([db] if has[1] else [])
        return tuple(out) if len(out) > 1 else out[0]


def layer_norm_composite(x: Tensor, ndim: int, weight: Tensor | None, bias: Tensor | None,
                         eps: float) -> Tensor:
    """Layer norm in Tensor ops (reference and second-derivative path)."""
    axes = tuple(range(x.ndim - ndim, x.ndim))
    y = _standardized(x, axes, eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
