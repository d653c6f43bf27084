"""Matrix products. ``MatMul`` takes operands of two or more dims (the Tensor method
turns 1-D operands into matrices); batch dims broadcast and ``Function`` sums
their gradients back."""
from __future__ import annotations

import numpy as np

from .. import kernels
from ..function import Function

_BMM_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def matmul_arrays(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``; batches of equal shape go to the batched-matmul kernel, which splits the
    batch over threads (np.matmul runs one small BLAS call after another), and a stack
    times a matrix is one BLAS call on the stack flattened to rows (np.matmul would loop
    over the stack: 2.4x slower for (16, 32, 64) @ (64, 192))."""
    if b.ndim == 2 and a.ndim > 2 and a.shape[-1]:
        out = np.matmul(a.reshape(-1, a.shape[-1]), b)
        return out.reshape(a.shape[:-1] + out.shape[-1:])
    if a.ndim >= 3 and a.shape[:-2] == b.shape[:-2] and a.dtype == b.dtype \
            and a.dtype in _BMM_DTYPES:
        out = kernels.bmm(a.reshape((-1,) + a.shape[-2:]), b.reshape((-1,) + b.shape[-2:]))
        return out.reshape(a.shape[:-2] + out.shape[-2:])
    return np.matmul(a, b)


class MatMul(Function):
    op = "matmul"

    @staticmethod
    def forward(ctx, a, b):
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(f"shapes {a.shape} and {b.shape} cannot be multiplied "
                             f"({a.shape[-1]} != {b.shape[-2]})")
        nxt = ctx.next
        ctx.save_for_backward(a if nxt[1] is not None else None,
                              b if nxt[0] is not None else None)
        return matmul_arrays(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad @ b.mT if need_a else None), (a.mT @ grad if need_b else None)

    @staticmethod
    def array_backward(ctx, grad):
        a, b = ctx.saved_arrays
        ga = matmul_arrays(grad, np.swapaxes(b, -1, -2)) if b is not None else None
        return ga, (matmul_arrays(np.swapaxes(a, -1, -2), grad) if a is not None else None)


class Linear(Function):
    """``x @ weight.T + bias`` in one node: the layer behind ``nn.Linear``."""

    op = "linear"

    @staticmethod
    def forward(ctx, x, w, b=None):
        if x.shape[-1] != w.shape[1]:
            raise ValueError(f"input has {x.shape[-1]} features but weight {w.shape} expects "
                             f"{w.shape[1]} (weight is (out_features, in_features))")
        nxt = ctx.next
        ctx.save_for_backward(x if nxt[1] is not None else None,
                              w if nxt[0] is not None else None)
        out = matmul_arrays(x, w.T)
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = grad @ w if need[0] else None
        gw = None
        if need[1]:
            g2 = grad.reshape(-1, grad.shape[-1])
            gw = g2.mT @ x.reshape(-1, x.shape[-1])
        gb = grad.reshape(-1, grad.shape[-1]).sum(0) if len(need) > 2 and need[2] else None
        return (gx, gw, gb) if len(need) > 2 else (gx, gw)

    @staticmethod
    def array_backward(ctx, g):
        x, w = ctx.saved_arrays
        need = ctx.needs_input_grad
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        gx = (g2 @ w).reshape(ctx._meta[0][0]) if need[0] else None
        gw = None
        if need[1]:
            gw = g2.T @ (x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x)
        if len(need) > 2:
            return gx, gw, (g2.sum(0) if need[2] else None)
        return gx, gw
