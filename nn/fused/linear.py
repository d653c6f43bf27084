"""``Linear``: the core's fused ``x @ weight.T + bias`` op with a plain-array backward.

The core op (``autograd_core.ops.matmul.Linear``) writes its backward in Tensor ops,
so that second derivatives work; that costs half a dozen small Tensor ops per layer
on every ``backward()``. This subclass keeps the forward and, when no graph of the
gradient is wanted, computes the three gradients with three NumPy calls; with
``create_graph=True`` it defers to the core's backward.
"""
from __future__ import annotations


from autograd_core.ops.matmul import Linear as _CoreLinear
from autograd_core.tensor import make

from . import recording


class Linear(_CoreLinear):
    """``apply(x, weight[, bias])``: ``x @ weight.T + bias`` over the last dim of ``x``."""

    @staticmethod
    def backward(ctx, grad):
        if recording():
            return _CoreLinear.backward(ctx, grad)
        parents = ctx.parents
        x, w = parents[0]._data, parents[1]._data
        g = grad._data
        need0, need1 = parents[0]._requires_grad, parents[1]._requires_grad
        has_bias = len(parents) > 2
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        gx = make((g2 @ w).reshape(x.shape)) if need0 else None
        gw = None
        if need1:
            x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
            gw = make(g2.T @ x2)
        if has_bias:
            gb = make(g2.sum(0)) if parents[2]._requires_grad else None
            return gx, gw, gb
        return gx, gw
