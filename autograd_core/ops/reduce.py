"""Reductions along ``dim`` (an int, a tuple, or None for all), with ``keepdim``."""
from __future__ import annotations

import numpy as np

from ..function import Function, sum_to_shape
from ..tensor import make
from .elementwise import select, select_tensor


def keepdim_shape(shape: tuple, dim) -> tuple:
    """The shape a reduction over ``dim`` has with ``keepdim=True``."""
    if dim is None:
        return (1,) * len(shape)
    dims = {d % len(shape) for d in dim} if isinstance(dim, tuple) else {dim % len(shape)}
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


class Sum(Function):
    op = "sum"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        return np.asarray(a.sum(axis=dim, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(ctx.shape, ctx.dim))
        return grad.expand(ctx.shape)

    @staticmethod
    def array_backward(ctx, grad):
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(ctx.shape, ctx.dim))
        return np.broadcast_to(grad, ctx.shape)


class SumToSize(Function):
    """Sum a broadcast gradient back to ``shape``: the inverse of ``expand``."""

    op = "sum_to_size"

    @staticmethod
    def forward(ctx, a, shape=()):
        ctx.shape = a.shape
        return sum_to_shape(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)

    @staticmethod
    def array_backward(ctx, grad):
        return np.broadcast_to(grad, ctx.shape)


class Var(Function):
    """Variance over ``dim``: the sum of squared deviations from the mean over ``divisor``
    (``n - correction``). The backward is PyTorch's closed form ``grad * 2 (x - mean) /
    divisor``: the terms through the mean add up to 0 and are left out (an inf upstream
    gradient gives +-inf there, as PyTorch's, not inf - inf)."""

    op = "var"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, divisor=1):
        d = a - a.mean(axis=dim, keepdims=True)
        ctx.dim, ctx.keepdim, ctx.shape, ctx.d = dim, keepdim, a.shape, d
        with np.errstate(divide="ignore", invalid="ignore"):
            ctx.scale = float(np.divide(2.0, divisor))
            ctx.save_for_backward(a)
            return np.asarray(np.sum(d * d, axis=dim, keepdims=keepdim) / divisor, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(ctx.shape, ctx.dim))
        return grad * ctx.scale * (a - a.mean(ctx.dim, keepdim=True))

    @staticmethod
    def array_backward(ctx, grad):
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(ctx.shape, ctx.dim))
        return ctx.scale * grad * ctx.d


class Prod(Function):
    op = "prod"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        ctx.dim, ctx.keepdim = dim, keepdim
        ctx.save_for_backward(a)
        return np.asarray(np.prod(a, axis=dim, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        dim = ctx.dim
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(a.shape, dim))
        if np.all(a._data != 0):
            # recomputed as a Tensor op, so that second derivatives see it
            return grad * a.prod(dim, keepdim=True) / a
        # With zeros: the product of all the other entries, by prefix and suffix products.
        x = np.moveaxis(a._data, dim, -1) if dim is not None else a._data.reshape(-1)
        ones = np.ones_like(x[..., :1])
        left = np.cumprod(np.concatenate([ones, x[..., :-1]], -1), -1)
        right = np.flip(np.cumprod(np.concatenate([ones, np.flip(x, -1)[..., :-1]], -1), -1), -1)
        others = left * right
        others = np.moveaxis(others, -1, dim) if dim is not None else others.reshape(a.shape)
        return grad * make(others)


class MaxAll(Function):
    """max() or min() over every element, as PyTorch's: the gradient goes to the elements
    equal to the result (to the NaNs when it is NaN), shared evenly, and is 0 elsewhere
    whatever the upstream gradient."""

    op = "max"

    @staticmethod
    def forward(ctx, a, largest=True):
        out = np.asarray(a.max() if largest else a.min())
        mask = np.isnan(a) if a.dtype.kind == "f" and np.isnan(out) else a == out
        ctx.share = mask / mask.sum()
        return out

    @staticmethod
    def backward(ctx, grad):
        return select_tensor(ctx.share.astype(grad._data.dtype), grad)

    @staticmethod
    def array_backward(ctx, grad):
        return select(ctx.share.astype(grad.dtype), grad)


class Amax(Function):
    """amax() or amin() over ``dim`` (an int, a tuple, or None for all), as PyTorch's: ties
    share the gradient evenly, and the backward is a product with those shares (a NaN in
    a reduced slice gives NaN gradients over it)."""

    op = "amax"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, largest=True):
        ext = np.asarray((np.max if largest else np.min)(a, axis=dim, keepdims=True))
        ties = a == ext
        with np.errstate(invalid="ignore"):
            ctx.share = (ties / ties.sum(axis=dim, keepdims=True)).astype(a.dtype, copy=False)
        ctx.keep = ext.shape
        if keepdim:
            return ext
        return ext.reshape(()) if dim is None else np.squeeze(ext, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.keep) * make(ctx.share)

    @staticmethod
    def array_backward(ctx, grad):
        return grad.reshape(ctx.keep) * ctx.share


class Softmax(Function):
    op = "softmax"

    @staticmethod
    def forward(ctx, a, dim=-1):
        e = np.exp(a - a.max(axis=dim, keepdims=True))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out * (grad - (grad * out).sum(ctx.dim, keepdim=True))

    @staticmethod
    def array_backward(ctx, grad):
        (out,) = ctx.saved_arrays
        return out * (grad - (grad * out).sum(axis=ctx.dim, keepdims=True))


class LogSoftmax(Function):
    op = "log_softmax"

    @staticmethod
    def forward(ctx, a, dim=-1):
        shifted = a - a.max(axis=dim, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - out.exp() * grad.sum(ctx.dim, keepdim=True)

    @staticmethod
    def array_backward(ctx, grad):
        (out,) = ctx.saved_arrays
        return grad - np.exp(out) * grad.sum(axis=ctx.dim, keepdims=True)
