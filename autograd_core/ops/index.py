"""Indexing ops: ``x[index]``, ``gather`` and the embedding lookup, each paired with the
scatter-add that is its backward (and whose own backward is the indexing again);
``scatter`` and ``index_put`` (``x[index] = v``).

>>> import autograd_core as ag
>>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> x[[0, 0, 2]].sum().backward()
>>> x.grad
tensor([2., 0., 1.])
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function, const
from .pointwise import select_tensor, where


def is_basic(index) -> bool:
    """True when ``index`` holds only ints, slices, None and Ellipsis (no repeats possible)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)) for i in items)


def add_at(out: np.ndarray, index, g: np.ndarray) -> None:
    """``out[index] += g`` in place, repeated positions of an advanced index adding up."""
    if is_basic(index):
        out[index] += g
    else:
        np.add.at(out, index, g)


def as_view_index(index):
    """A basic index that always gives a view, even of one element: NumPy turns ``a[0]``
    of a 1-D array into a scalar copy, but ``a[0, ...]`` into a 0-d view (as PyTorch)."""
    items = index if isinstance(index, tuple) else (index,)
    if any(i is Ellipsis for i in items):
        return index
    return items + (Ellipsis,)


class Index(Function):
    op = "index"
    is_view = True  # for basic indices; advanced ones copy

    @staticmethod
    def forward(ctx, a, index=None):
        ctx.shape, ctx.index = a.shape, index
        if is_basic(index):
            return a[as_view_index(index)]
        return np.asarray(a[index])

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, index=ctx.index, shape=ctx.shape)

    def add_into(self, buffer: np.ndarray, grad: np.ndarray) -> None:
        """The backward as an in-place add into the input's gradient ``buffer``: the
        engine uses it when no graph of the backward is recorded, so that ``L`` slices
        of one tensor cost O(L) in backward, not L zero tensors of the whole size."""
        add_at(buffer, self.index, grad)


class IndexAdd(Function):
    """A zero tensor of ``shape`` with ``grad`` added at ``index`` (repeats add up)."""

    op = "index_add"

    @staticmethod
    def forward(ctx, g, index=None, shape=()):
        ctx.index = index
        out = np.zeros(shape, dtype=g.dtype)
        add_at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, grad):
        return Index.apply(grad, index=ctx.index)


def along_dim_index(index: np.ndarray, dim: int) -> tuple:
    """The full advanced index that picks ``index`` along ``dim``."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


class Gather(Function):
    op = "gather"

    @staticmethod
    def forward(ctx, a, dim=0, index=None):
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        return np.take_along_axis(a, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, index=along_dim_index(ctx.index, ctx.dim), shape=ctx.shape)

    def add_into(self, buffer: np.ndarray, grad: np.ndarray) -> None:
        """In-place backward, as :meth:`Index.add_into`."""
        np.add.at(buffer, along_dim_index(self.index, self.dim), grad)


class Scatter(Function):
    op = "scatter"

    @staticmethod
    def forward(ctx, a, src, dim=0, index=None):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        part = src[tuple(slice(0, s) for s in index.shape)]
        out = a.copy()
        np.put_along_axis(out, index, part, axis=dim)
        mask = np.zeros(a.shape, dtype=bool)
        mask[along_dim_index(index, dim)] = True
        ctx.mask = mask
        return out

    @staticmethod
    def backward(ctx, grad):
        need_a, need_src = ctx.needs_input_grad
        ga = gs = None
        if need_a:
            ga = where(ctx.mask, const(np.zeros((), grad._data.dtype)), grad)
        if need_src:
            gs = Gather.apply(grad, dim=ctx.dim, index=ctx.index)
            if ctx.index.shape != ctx.src_shape:
                region = tuple(slice(0, s) for s in ctx.index.shape)
                gs = IndexAdd.apply(gs, index=region, shape=ctx.src_shape)
        return ga, gs


class IndexPut(Function):
    """``a`` with ``a[index] = v``; with ``inplace`` the write goes into ``a`` itself
    (``__setitem__``, which bumps ``a``'s version)."""

    op = "index_put"

    @staticmethod
    def forward(ctx, a, v, index=None, inplace=False):
        ctx.index = index
        out = a if inplace else a.copy()
        out[index] = v
        return out

    @staticmethod
    def backward(ctx, grad):
        need_a, need_v = ctx.needs_input_grad
        ga = IndexPut.apply(grad, const(np.zeros((), grad._data.dtype)), index=ctx.index) \
            if need_a else None
        return ga, (grad[ctx.index] if need_v else None)

    @staticmethod
    def array_backward(ctx, grad):
        need_a, need_v = ctx.needs_input_grad
        ga = None
        if need_a:
            ga = grad.copy()
            ga[ctx.index] = 0
        return ga, (np.asarray(grad[ctx.index]) if need_v else None)


class Embedding(Function):
    """``weight[indices]``: the rows of ``weight`` picked by the integer array ``indices``
    (any shape); the row ``padding_idx``, if given, gets a zero gradient whatever the
    upstream one.

    >>> import numpy as np, autograd_core as ag
    >>> from autograd_core.ops.index import Embedding
    >>> w = ag.eye(3, requires_grad=True)
    >>> Embedding.apply(w, indices=np.array([[0, 2, 2]]), padding_idx=0).sum().backward()
    >>> w.grad.sum(1).tolist()
    [0.0, 0.0, 6.0]
    """

    op = "embedding"

    @staticmethod
    def forward(ctx, weight, indices=None, padding_idx=None):
        ctx.indices, ctx.padding_idx, ctx.shape = indices, padding_idx, weight.shape
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        g = IndexAdd.apply(grad, index=ctx.indices, shape=ctx.shape)
        if ctx.padding_idx is not None:  # its row's gradient is 0 whatever the upstream one
            keep = np.ones((ctx.shape[0], 1), dtype=bool)
            keep[ctx.padding_idx] = False
            g = select_tensor(keep, g)
        return g


def embedding_renorm(weight: np.ndarray, indices: np.ndarray, max_norm: float,
                     norm_type: float = 2.0) -> None:
    """Rescale, in place, the rows of ``weight`` that ``indices`` picks to a ``norm_type``-norm
    of at most ``max_norm`` (``torch.embedding_renorm_``); the others stay as they are.

    >>> import numpy as np
    >>> from autograd_core.ops.index import embedding_renorm
    >>> w = np.array([[3.0, 4.0], [0.3, 0.4]])
    >>> embedding_renorm(w, np.array([0, 1]), max_norm=1.0)
    >>> np.round(w, 4).tolist()
    [[0.6, 0.8], [0.3, 0.4]]
    """
    rows = np.unique(indices)
    norms = np.linalg.norm(weight[rows], ord=norm_type, axis=1, keepdims=True)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    weight[rows] = weight[rows] * scale
