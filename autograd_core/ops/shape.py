"""Shape ops: views and rearrangements of the same numbers."""
from __future__ import annotations

import numpy as np

from ..function import Function


class Reshape(Function):
    op = "reshape"

    @staticmethod
    def forward(ctx, a, shape=()):
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class Permute(Function):
    op = "permute"

    @staticmethod
    def forward(ctx, a, dims=()):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(*np.argsort(ctx.dims).tolist())


class Expand(Function):
    """Broadcast to a larger shape (a read-only view, as PyTorch's expand)."""

    op = "expand"

    @staticmethod
    def forward(ctx, a, shape=()):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad  # Function sums it back to the input's shape


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
