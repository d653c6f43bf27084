"""Scans along a dim: ``cumsum`` and ``cumprod``.

The gradient of a running sum is the running sum of the gradient taken from the
other end (``flip``, ``cumsum``, ``flip``), itself made of Tensor ops, so second
derivatives come for free.

>>> import autograd_core as ag
>>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> x.cumsum(0)
tensor([1., 3., 6.], grad_fn=<CumSumBackward0>)
>>> x.cumprod(0).sum().backward()
>>> x.grad
tensor([9., 4., 2.])
"""
from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import make, where


def reverse_cumsum(t, dim: int):
    """``sum_{j >= i} t_j`` along ``dim``: the running sum from the other end."""
    return t.flip(dim).cumsum(dim).flip(dim)


class CumSum(Function):
    op = "cumsum"

    @staticmethod
    def forward(ctx, a, dim=0):
        ctx.dim = dim
        return np.cumsum(a, axis=dim, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return reverse_cumsum(grad, ctx.dim)


class CumProd(Function):
    op = "cumprod"

    @staticmethod
    def forward(ctx, a, dim=0):
        ctx.dim = dim
        out = np.cumprod(a, axis=dim, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        dim = ctx.dim
        if a.shape[dim] == 0:
            return grad
        if np.all(a._data != 0):
            # d out_j / d a_k = out_j / a_k for j >= k
            return reverse_cumsum(grad * out, dim) / a
        # With zeros: d out_j / d a_k = prod_{i <= j, i != k} a_i (j >= k), built as an
        # (n, n) table per position: row k is the cumprod of a with a_k set to one.
        x = a.transpose(dim, -1)
        g = grad.transpose(dim, -1)
        n = x.shape[-1]
        eye = np.eye(n, dtype=bool)
        rows = where(eye, make(np.ones((), a._data.dtype)), x.unsqueeze(-2).expand(
            x.shape[:-1] + (n, n)))                                   # [..., k, i]
        table = rows.cumprod(-1) * make(np.triu(np.ones((n, n), a._data.dtype)))  # j >= k
        gx = (table * g.unsqueeze(-2)).sum(-1)                         # sum over j
        return gx.transpose(dim, -1)
