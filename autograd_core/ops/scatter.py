"""Out-of-place ``scatter``: ``self`` with ``src`` written at ``index`` along ``dim``.

Its gradient for ``self`` is the output gradient with the overwritten places zeroed;
for ``src`` it is the output gradient gathered at ``index`` (and zero on any part of
``src`` that ``index`` does not cover). ``scatter_add`` needs no op of its own: it is
``self`` plus an ``IndexAdd``.

>>> import autograd_core as ag
>>> x = ag.zeros(2, 3)
>>> ag.scatter(x, 1, ag.tensor([[2], [0]]), ag.tensor([[5.0], [7.0]]))
tensor([[0., 0., 5.],
        [7., 0., 0.]])
"""
from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import make, where
from .index import Gather, IndexAdd, along_dim_index


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
            ga = where(ctx.mask, make(np.zeros((), grad._data.dtype)), grad)
        if need_src:
            gs = Gather.apply(grad, dim=ctx.dim, index=ctx.index)
            if ctx.index.shape != ctx.src_shape:
                region = tuple(slice(0, s) for s in ctx.index.shape)
                gs = IndexAdd.apply(gs, index=region, shape=ctx.src_shape)
        return ga, gs
