"""Movement ops: the same numbers in another shape or order, and joined along a dim.

Views exactly where PyTorch has them: reshape (when the layout allows), permute, expand,
the diagonal and strided windows (``unfold``, ``as_strided``) share their input's memory;
flip and cat copy.

>>> import autograd_core as ag
>>> x = ag.arange(6.0).reshape(2, 3)
>>> x.permute(1, 0).shape, ag.cat([x, x], 1).shape
((3, 2), (2, 6))
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd.function import Function
from .index import IndexAdd, add_at


class Reshape(Function):
    op = "reshape"
    is_view = True  # when the layout allows it; otherwise NumPy copies

    @staticmethod
    def forward(ctx, a, shape=()):
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape())

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
    """Broadcast to a larger shape: a view whose expanded dims have stride 0 (writing into
    it is refused where elements overlap, as PyTorch refuses)."""

    op = "expand"
    is_view = True

    @staticmethod
    def forward(ctx, a, shape=()):
        return expanded(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad  # Function sums it back to the input's shape

    array_backward = backward


def expanded(a: np.ndarray, shape: tuple) -> np.ndarray:
    """``a`` broadcast to ``shape`` (checked by the caller): a view of ``a`` with stride 0
    along the expanded dims.

    >>> expanded(np.arange(3.0), (2, 3)).strides
    (0, 8)
    """
    lead = len(shape) - a.ndim
    strides = (0,) * lead + tuple(0 if n == 1 and m != 1 else s
                                  for n, m, s in zip(a.shape, shape[lead:], a.strides))
    if a.flags.c_contiguous and a.size:
        # the same view made on a's buffer directly (``as_strided``, which also takes
        # strided arrays, is Python code around this)
        return np.ndarray(shape, a.dtype, a, 0, strides)
    return as_strided(a, shape, strides)


class Cat(Function):
    op = "cat"

    # each input's size along ``dim`` is read from the node's record of its inputs' shapes
    @staticmethod
    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start, dim = [], 0, ctx.dim
        for (shape, _), need in zip(ctx._meta, ctx.needs_input_grad):
            size = shape[dim]
            grads.append(grad.narrow(dim, start, size) if need else None)
            start += size
        return tuple(grads)

    @staticmethod
    def array_backward(ctx, grad):
        grads, start, dim = [], 0, ctx.dim
        lead = (slice(None),) * dim
        for (shape, _), node in zip(ctx._meta, ctx.next):
            size = shape[dim]
            grads.append(grad[lead + (slice(start, start + size),)] if node is not None else None)
            start += size
        return tuple(grads)


def stack_arrays(arrays, dim: int) -> np.ndarray:
    """``np.stack(arrays, axis=dim)`` of arrays of one shape and dtype, a new C-contiguous
    array (along dim 0 by ``np.array``, which copies them in one call where ``np.stack``
    makes a view of each first: 26 against 44 us for 64 images of 28x28)."""
    return np.array(arrays) if dim == 0 else np.stack(arrays, axis=dim)


class Stack(Function):
    """Tensors of one shape joined along a new dim: one node for all of them (PyTorch's
    ``StackBackward``), where unsqueezing each and joining them made one more per input."""

    op = "stack"

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        ctx.dim = dim
        return stack_arrays(arrays, dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(grad.select(ctx.dim, i) if need else None
                     for i, need in enumerate(ctx.needs_input_grad))

    @staticmethod
    def array_backward(ctx, grad):
        lead = (slice(None),) * ctx.dim
        return tuple(grad[lead + (i,)] if node is not None else None
                     for i, node in enumerate(ctx.next))


class Flip(Function):
    """The elements in reverse order along ``dims`` (a copy, as PyTorch's flip)."""

    op = "flip"

    @staticmethod
    def forward(ctx, a, dims=()):
        ctx.dims = dims
        return np.flip(a, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, dims=ctx.dims)

    @staticmethod
    def array_backward(ctx, grad):
        return np.flip(grad, ctx.dims)


def diagonal_view(a: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """``np.diagonal`` as a writable view: the planes' diagonal as a last dim."""
    x = np.moveaxis(a, (dim1, dim2), (-2, -1))
    x = x[..., :, offset:] if offset >= 0 else x[..., -offset:, :]
    n = max(min(x.shape[-2], x.shape[-1]), 0)
    return as_strided(x, x.shape[:-2] + (n,), x.strides[:-2] + (x.strides[-2] + x.strides[-1],))


class Diagonal(Function):
    """The diagonal of the ``(dim1, dim2)`` planes with ``offset``: a view, as PyTorch's."""

    op = "diagonal"
    is_view = True

    @staticmethod
    def forward(ctx, a, offset=0, dim1=0, dim2=1):
        ctx.shape, ctx.args = a.shape, (offset, dim1, dim2)
        return diagonal_view(a, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return DiagonalScatter.apply(grad, shape=ctx.shape, args=ctx.args)

    @staticmethod
    def array_backward(ctx, grad):
        out = np.zeros(ctx.shape, grad.dtype)
        diagonal_view(out, *ctx.args)[...] = grad
        return out


class DiagonalScatter(Function):
    """A zero tensor of ``shape`` with ``grad`` on the diagonal: Diagonal's backward."""

    op = "diagonal_scatter"

    @staticmethod
    def forward(ctx, g, shape=(), args=(0, 0, 1)):
        ctx.args = args
        out = np.zeros(shape, g.dtype)
        diagonal_view(out, *args)[...] = g
        return out

    @staticmethod
    def backward(ctx, grad):
        offset, dim1, dim2 = ctx.args
        return Diagonal.apply(grad, offset=offset, dim1=dim1, dim2=dim2)


def _windows(a: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
    """The windows of ``size`` elements every ``step`` along ``dim``, as a last dim (a view)."""
    n = (a.shape[dim] - size) // step + 1
    shape = a.shape[:dim] + (n,) + a.shape[dim + 1:] + (size,)
    strides = a.strides[:dim] + (a.strides[dim] * step,) + a.strides[dim + 1:] + (a.strides[dim],)
    return as_strided(a, shape, strides)


class Unfold(Function):
    """``x.unfold(dim, size, step)``: every window of ``size`` elements, ``step`` apart,
    along ``dim`` (a view; windows may overlap, so the backward adds up)."""

    op = "unfold"
    is_view = True

    @staticmethod
    def forward(ctx, a, dim=0, size=1, step=1):
        ctx.shape, ctx.args = a.shape, (dim, size, step)
        return _windows(a, dim, size, step)

    @staticmethod
    def _positions(ctx) -> tuple:
        positions = _windows(np.arange(math.prod(ctx.shape)).reshape(ctx.shape), *ctx.args)
        return (positions.reshape(-1),)

    @staticmethod
    def backward(ctx, grad):
        flat = IndexAdd.apply(grad.reshape(-1), index=Unfold._positions(ctx),
                              shape=(math.prod(ctx.shape),))
        return flat.reshape(ctx.shape)

    @staticmethod
    def array_backward(ctx, grad):
        out = np.zeros(math.prod(ctx.shape), grad.dtype)
        add_at(out, Unfold._positions(ctx), grad.reshape(-1))
        return out.reshape(ctx.shape)


class Strided(Function):
    """``as_strided``: the elements of a flat input at ``offset + sum(i_k * stride_k)``
    (a view; elements may repeat, so the backward adds up)."""

    op = "as_strided"
    is_view = True

    @staticmethod
    def forward(ctx, a, size=(), stride=(), offset=0):
        ctx.n, ctx.args = a.size, (size, stride, offset)
        item = a.itemsize
        return as_strided(a[offset:], size, tuple(s * item for s in stride))

    @staticmethod
    def _positions(ctx) -> tuple:
        size, stride, offset = ctx.args
        at = np.arange(ctx.n)
        return (as_strided(at[offset:], size, tuple(s * at.itemsize for s in stride)).reshape(-1),)

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad.reshape(-1), index=Strided._positions(ctx), shape=(ctx.n,))

    @staticmethod
    def array_backward(ctx, grad):
        out = np.zeros(ctx.n, grad.dtype)
        add_at(out, Strided._positions(ctx), grad.reshape(-1))
        return out


class Rot90(Function):
    """The ``(dim0, dim1)`` planes turned by ``k`` quarter turns, from ``dim0`` towards
    ``dim1`` (a copy, as PyTorch's rot90); its backward turns back.

    >>> import autograd_core as ag
    >>> Rot90.apply(ag.tensor([[1, 2], [3, 4]]), k=1, dims=(0, 1))
    tensor([[2, 4],
            [1, 3]])
    """

    op = "rot90"

    @staticmethod
    def forward(ctx, a, k=1, dims=(0, 1)):
        ctx.k, ctx.dims = k, dims
        return np.ascontiguousarray(np.rot90(a, k, dims))

    @staticmethod
    def backward(ctx, grad):
        return Rot90.apply(grad, k=-ctx.k, dims=ctx.dims)

    @staticmethod
    def array_backward(ctx, grad):
        return np.rot90(grad, -ctx.k, ctx.dims)
