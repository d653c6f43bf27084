"""Vector norms: ``Tensor.norm`` and ``linalg.vector_norm``.

The p-norm ``(sum |x|^p)^(1/p)`` is one op; its gradient is
``sign(x) |x|^(p-1) / norm^(p-1)``, taken as zero where the norm is zero (a
subgradient, as PyTorch), never NaN. The infinity norms share the gradient evenly
between tied extremes.

>>> import autograd_core as ag
>>> x = ag.tensor([3.0, -4.0], requires_grad=True)
>>> n = x.norm()
>>> n.backward()
>>> n.item(), x.grad
(5.0, tensor([ 0.6, -0.8]))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor, _check_dim, make, where
from .reduce import keepdim_shape


class Norm(Function):
    """``(sum |x|^p)^(1/p)`` over ``dim`` (a tuple, or None for all) for a finite ``p > 0``."""

    op = "norm"

    @staticmethod
    def forward(ctx, a, p=2.0, dim=None, keepdim=False):
        ctx.p, ctx.dim, ctx.keepdim = p, dim, keepdim
        if p == 2:
            out = np.sqrt(np.sum(a * a, axis=dim, keepdims=keepdim))
        elif p == 1:
            out = np.sum(np.abs(a), axis=dim, keepdims=keepdim)
        else:
            out = np.sum(np.abs(a) ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)
        out = np.asarray(out, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        p = ctx.p
        if not ctx.keepdim:
            shape = keepdim_shape(a.shape, ctx.dim)
            grad, out = grad.reshape(shape), out.reshape(shape)
        sign = make(np.sign(a._data))
        if p == 1:
            return grad * sign
        # where the norm is zero, so is every |x| it covers: divide by one instead
        safe = where(out._data == 0, make(np.ones((), out._data.dtype)), out)
        if p == 2:
            return grad * a / safe
        # |x|^(p-1) is infinite at x = 0 for p < 1: the gradient there is zero (sign(0) = 0)
        one = make(np.ones((), a._data.dtype))
        base = where(a._data == 0, one, a.abs())
        return grad * sign * base ** (p - 1) / safe ** (p - 1)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The ``ord``-norm of ``x`` over ``dim`` (an int, a tuple, or None for every element).

    ``ord`` may be any number (``0`` counts non-zeros) or ``inf`` / ``-inf``.

    >>> import autograd_core as ag
    >>> x = ag.tensor([[3.0, -4.0], [1.0, 0.0]])
    >>> ag.linalg.vector_norm(x, dim=1)
    tensor([5., 1.])
    >>> ag.linalg.vector_norm(x, ord=float("inf"))
    tensor(4.)
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"vector_norm: expected a Tensor, got {type(x).__name__}")
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.number)):
        raise ValueError(f"vector_norm: ord must be a number or inf, got {ord!r}")
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind not in "fc":
        raise TypeError(f"vector_norm: expected a floating point tensor, got dtype {x.dtype}")
    if dim is not None:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dim = tuple(sorted({_check_dim(x, d, "vector_norm") for d in dims})) or None
        if x.ndim == 0:
            dim = None
    ord = float(ord)
    if np.isinf(ord):
        a = x.abs()
        ext = (np.max if ord > 0 else np.min)(a._data, axis=dim, keepdims=True)
        ties = a._data == ext
        share = ties / ties.sum(axis=dim, keepdims=True)
        return (a * make(share.astype(x.dtype))).sum(dim, keepdim)
    if ord == 0:
        count = np.asarray((x._data != 0).sum(axis=dim, keepdims=keepdim), dtype=x.dtype)
        return (x * 0).sum(dim, keepdim) + make(count)  # zero gradient, as PyTorch
    return Norm.apply(x, p=ord, dim=dim, keepdim=keepdim)


def norm(x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """``Tensor.norm``: ``'fro'`` (the 2-norm of the elements), or any vector ``p``-norm.

    >>> import autograd_core as ag
    >>> ag.tensor([[1.0, 2.0], [2.0, 4.0]]).norm(p=1, dim=-1, keepdim=True)
    tensor([[3.],
            [6.]])
    """
    if isinstance(p, str):
        if p != "fro":
            raise NotImplementedError(f"norm: p={p!r} is not supported (only 'fro' and numbers)")
        if dim is not None and isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise ValueError(f"norm: p='fro' takes at most 2 dims, got dim={dim}")
        p = 2
    if p is None:
        p = 2
    return vector_norm(x, p, dim, keepdim, dtype=dtype)
