"""Activations of ``nn`` that are single ops here: leaky ReLU, ELU, GELU (exact, with
``erf``, and the tanh approximation), SiLU, softplus and hardswish. (ReLU, sigmoid and tanh
are Tensor methods, in ``pointwise``.) Each has a fast ``array_backward``; its
``backward`` differentiates the same function written in Tensor ops.

>>> import autograd_core as ag
>>> from autograd_core.ops.activation import GELU
>>> x = ag.tensor([0.0, 1.0], requires_grad=True)
>>> [round(v, 4) for v in GELU.apply(x).tolist()]
[0.0, 0.8413]
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import math

import numpy as np

from ..autograd import composite_backward
from ..autograd.function import Function, const
from ..kernels.activation import (gelu_forward, gelu_tanh_forward, leaky_relu_backward,
                                  leaky_relu_forward, leaky_relu_slopes, silu_forward)
from .pointwise import select, select_tensor, where
from .special import Erf, erf_array, sigmoid_array

if TYPE_CHECKING:  # for annotations only: the Tensor type sits above this layer
    from ..tensor import Tensor


_SQRT_2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)

class LeakyReLU(Function):
    op = "leaky_relu"

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        out, ctx.mask = leaky_relu_forward(x, negative_slope)   # mask: x > 0
        ctx.negative_slope = negative_slope
        return out

    @staticmethod
    def backward(ctx, grad):
        # piecewise linear: the slope is a constant of the graph
        slope = leaky_relu_slopes(ctx.mask, np.asarray(ctx.negative_slope, grad.dtype))
        return grad * const(slope)

    @staticmethod
    def array_backward(ctx, grad):
        return leaky_relu_backward(grad, ctx.mask, ctx.negative_slope)


class ELU(Function):
    op = "elu"

    @staticmethod
    def forward(ctx, x, alpha=1.0):
        ctx.alpha = alpha
        ctx.save_for_backward(x)
        # branch-free (np.where mispredicts on random signs): expm1(min(x, 0)) is 0 where
        # x > 0, so each sum below has one nonzero term and is exact. A NaN counts as
        # positive (slope 1), as PyTorch's mask x <= 0: fmin(NaN, 0) is 0
        em1 = np.expm1(np.fmin(x, 0))
        pos = ~(x <= 0)
        out = (np.maximum(x, 0) + alpha * em1).astype(x.dtype, copy=False)
        ctx.deriv = (pos + ~pos * (alpha * (em1 + 1))).astype(x.dtype, copy=False)
        return out

    @staticmethod
    def backward(ctx, grad):
        return composite_backward(ctx, grad, lambda x: elu_composite(x, ctx.alpha),
                                  ctx.saved_tensors)

    @staticmethod
    def array_backward(ctx, grad):
        return grad * ctx.deriv


def elu_composite(x: Tensor, alpha: float) -> Tensor:
    """ELU in Tensor ops (the reference and the second-derivative path)."""
    neg = x.clamp(max=0.0)
    return where(x._data <= 0, (neg.exp() - 1) * alpha, x)


class GELU(Function):
    """``x * Phi(x)``, Phi the standard normal CDF (``approximate='none'``), or the tanh
    approximation ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``."""

    op = "gelu"

    @staticmethod
    def forward(ctx, x, approximate="none"):
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        if approximate == "tanh":
            fused = gelu_tanh_forward(x)
            if fused is not None:
                out, ctx.deriv = fused
                return out
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)
            t = np.tanh(inner)
            out = 0.5 * x * (1 + t)
            ctx.deriv = (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI *
                         (1 + 3 * 0.044715 * x * x)).astype(x.dtype, copy=False)
            return out.astype(x.dtype, copy=False)
        fused = gelu_forward(x)
        if fused is not None:
            out, ctx.deriv = fused
            return out
        cdf = 0.5 * (1 + erf_array(x * x.dtype.type(1 / _SQRT_2)))
        pdf = np.exp(-0.5 * x * x) * x.dtype.type(_INV_SQRT_2PI)
        ctx.deriv = cdf + x * pdf
        return x * cdf

    @staticmethod
    def backward(ctx, grad):
        return composite_backward(ctx, grad, lambda x: gelu_composite(x, ctx.approximate),
                                  ctx.saved_tensors)

    @staticmethod
    def array_backward(ctx, grad):
        return grad * ctx.deriv


def gelu_composite(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU in Tensor ops (the reference and the second-derivative path)."""
    if approximate == "tanh":
        return x * 0.5 * (1 + ((x + x * x * x * 0.044715) * _SQRT_2_OVER_PI).tanh())
    return x * 0.5 * (1 + Erf.apply(x * (1 / _SQRT_2)))


class SiLU(Function):
    """``x * sigmoid(x)`` (swish) as one op: the output and the derivative
    ``s (1 + x (1 - s))`` (``s`` the sigmoid), in one pass for float arrays of 4096
    elements and more (``kernels``), so backward is one product, where ``x * x.sigmoid()``
    makes two nodes and six passes."""

    op = "silu"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        fused = silu_forward(x)
        if fused is not None:
            out, ctx.deriv = fused
            return out
        s = sigmoid_array(x)
        ctx.deriv = s * (1 + x * (1 - s))
        return x * s

    @staticmethod
    def backward(ctx, grad):
        return composite_backward(ctx, grad, lambda x: x * x.sigmoid(), ctx.saved_tensors)

    @staticmethod
    def array_backward(ctx, grad):
        return grad * ctx.deriv


class Softplus(Function):
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold``. The
    derivative is PyTorch's: ``sigmoid(beta x)`` (a half at 0), and 1 on the linear part."""

    op = "softplus"

    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        bx = x * beta if beta != 1 else x
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            # log(1 + exp(bx)) without overflow
            out = np.log1p(np.exp(-np.abs(bx))) + np.maximum(bx, 0)
        if beta != 1:
            out = out / beta
        deriv = sigmoid_array(bx)
        linear = bx > threshold
        if linear.any():
            out = np.where(linear, x, out)
            deriv[linear] = 1
        ctx.deriv = deriv.astype(x.dtype, copy=False)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta if ctx.beta != 1 else x
        sig = bx.sigmoid()
        at = bx._data == ctx.threshold
        if at.any():  # PyTorch's second derivative is 0 at the threshold itself
            sig = where(at, const(sig._data), sig)
        return where(bx._data > ctx.threshold, grad, grad * sig)

    @staticmethod
    def array_backward(ctx, grad):
        return grad * ctx.deriv


class Hardswish(Function):
    """``x * relu6(x + 3) / 6``, with PyTorch's gradient: 0 up to -3 (a zero that an inf or
    NaN upstream gradient leaves 0), ``x / 3 + 1/2`` strictly between, and 1 from 3 on."""

    op = "hardswish"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        low, mid = x <= -3, x < 3
        ctx.live = ~low
        ctx.deriv = np.where(mid, x / 3 + 0.5, 1).astype(x.dtype, copy=False)
        # x * 0 is -0.0 for negative x, as PyTorch's
        return np.where(low, x * 0, np.where(mid, x * (x + 3) / 6, x)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        d = x._data
        return select_tensor(~(d <= -3), where(d < 3, grad * (x / 3 + 0.5), grad))

    @staticmethod
    def array_backward(ctx, grad):
        return select(ctx.live, grad * ctx.deriv)
