"""Movement ops: the same numbers in another shape or order (views where NumPy can give
one: reshape, permute, expand) and joined along a dim (cat).

>>> import autograd_core as ag
>>> x = ag.arange(6.0).reshape(2, 3)
>>> x.permute(1, 0).shape, ag.cat([x, x], 1).shape
((3, 2), (2, 6))
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function


class Reshape(Function):
    op = "reshape"
    is_view = True  # when the layout allows it; otherwise NumPy copies

    @staticmethod
    def forward(ctx, a, shape=()):
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)

    array_backward = backward  # the same call works on arrays


class Permute(Function):
    op = "permute"
    is_view = True

    @staticmethod
    def forward(ctx, a, dims=()):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(*np.argsort(ctx.dims).tolist())

    @staticmethod
    def array_backward(ctx, grad):
        return grad.transpose(np.argsort(ctx.dims))


class Expand(Function):
    """Broadcast to a larger shape (a read-only view, as PyTorch's expand)."""

    op = "expand"
    is_view = True

    @staticmethod
    def forward(ctx, a, shape=()):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad  # Function sums it back to the input's shape

    array_backward = backward


class Cat(Function):
    op = "cat"

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] for a in arrays]
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size, need in zip(ctx.sizes, ctx.needs_input_grad):
            if need:
                grads.append(grad.narrow(ctx.dim, start, size))
            else:
                grads.append(None)
            start += size
        return tuple(grads)

    @staticmethod
    def array_backward(ctx, grad):
        grads, start, lead = [], 0, (slice(None),) * ctx.dim
        for size, node in zip(ctx.sizes, ctx.next):
            grads.append(grad[lead + (slice(start, start + size),)] if node is not None else None)
            start += size
        return tuple(grads)
