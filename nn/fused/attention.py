"""Scaled dot-product attention as one node: ``softmax(q k^T * scale + mask) v``, with
dropout on the attention weights.

The op can also take projected inputs in ``MultiheadAttention``'s layouts, ``(N, L, E)``
or ``(L, N, E)``, split them into heads itself and merge the result back, and even the
packed ``(.., 3E)`` output of the self-attention input projection, so that a whole
attention layer is three nodes: in-projection, this op, out-projection.
"""
from __future__ import annotations

import numpy as np

from autograd_core import Function, Tensor
from autograd_core.random import rng
from autograd_core.tensor import make

from . import composite_backward, recording


def split_heads(a: np.ndarray, heads: int, seq_first: bool) -> np.ndarray:
    """(N, L, E) or (L, N, E) -> (N, H, L, E // H)."""
    if seq_first:
        L, N, E = a.shape
        return a.reshape(L, N, heads, E // heads).transpose(1, 2, 0, 3)
    N, L, E = a.shape
    return a.reshape(N, L, heads, E // heads).transpose(0, 2, 1, 3)


def merge_heads(o: np.ndarray, seq_first: bool) -> np.ndarray:
    """(N, H, L, D) -> (N, L, H * D) or (L, N, H * D)."""
    N, H, L, D = o.shape
    if seq_first:
        return o.transpose(2, 0, 1, 3).reshape(L, N, H * D)
    return o.transpose(0, 2, 1, 3).reshape(N, L, H * D)


def split_heads_t(a: Tensor, heads: int, seq_first: bool) -> Tensor:
    if seq_first:
        L, N, E = a.shape
        return a.reshape(L, N, heads, E // heads).permute(1, 2, 0, 3)
    N, L, E = a.shape
    return a.reshape(N, L, heads, E // heads).permute(0, 2, 1, 3)


def merge_heads_t(o: Tensor, seq_first: bool) -> Tensor:
    N, H, L, D = o.shape
    if seq_first:
        return o.permute(2, 0, 1, 3).reshape(L, N, H * D)
    return o.permute(0, 2, 1, 3).reshape(N, L, H * D)


def safe_softmax(s: np.ndarray, check: bool = True) -> np.ndarray:
    """Softmax over the last axis, in place in ``s``; with ``check``, rows that are all
    ``-inf`` (fully masked) give zeros, not NaN."""
    m = s.max(axis=-1, keepdims=True)
    dead = None
    if check:
        dead = ~np.isfinite(m)
        if dead.any():
            m = np.where(dead, 0, m)
        else:
            dead = None
    s -= m
    np.exp(s, out=s)
    z = s.sum(axis=-1, keepdims=True)
    if dead is not None:
        z = np.where(z == 0, 1, z)
    s /= z
    return s


def _merge_into(out: np.ndarray, i: int, o: np.ndarray, seq_first: bool) -> None:
    """Write head-split (N, H, L, D) ``o`` into slot ``i`` of a packed (N, L, 3, H, D)
    or (L, N, 3, H, D) array."""
    out[:, :, i] = o.transpose(2, 0, 1, 3) if seq_first else o.transpose(0, 2, 1, 3)


class Attention(Function):
    """``apply(q, k, v, scale=, mask=, dropout_p=, generator=, heads=, seq_first=)`` or
    ``apply(qkv, packed=True, heads=, ...)``.

    Without ``heads`` the inputs are ``(..., L, D)``, ``(..., S, D)``, ``(..., S, Dv)``.
    With ``heads`` they are ``(N, L, E)`` (or ``(L, N, E)`` with ``seq_first``), split into
    ``heads`` heads; the output comes back in the same layout. ``mask`` is an additive
    float array (``-inf`` where attention is not allowed), broadcast to the scores'
    shape ``(..., L, S)``; it is a constant.
    """

    op = "scaled_dot_product_attention"

    @staticmethod
    def forward(ctx, *inputs, scale=1.0, mask=None, dropout_p=0.0, generator=None, heads=None,
                seq_first=False, packed=False):
        if packed:
            q, k, v = np.split(inputs[0], 3, axis=-1)
        else:
            q, k, v = inputs
        if heads is not None:
            q, k, v = (split_heads(a, heads, seq_first) for a in (q, k, v))
        s = np.matmul(q, np.swapaxes(k, -1, -2))
        s *= s.dtype.type(scale)
        if mask is not None:
            if s.shape == np.broadcast_shapes(s.shape, mask.shape):
                s += mask
            else:
                s = s + mask
        p = safe_softmax(s, check=mask is not None)
        keep = None
        if dropout_p > 0:
            keep = (rng(generator).random(p.shape, dtype=np.float32) >= dropout_p)
            keep = keep.astype(p.dtype) * p.dtype.type(1.0 / (1.0 - dropout_p)) \
                if dropout_p < 1 else np.zeros(p.shape, p.dtype)
            pd = p * keep
        else:
            pd = p
        out = np.matmul(pd, v)
        ctx.qkv, ctx.p, ctx.pd, ctx.keep = (q, k, v), p, pd, keep
        ctx.attrs = dict(scale=scale, mask=mask, heads=heads, seq_first=seq_first, packed=packed)
        if heads is not None:
            out = merge_heads(out, seq_first)
        return out

    @staticmethod
    def backward(ctx, grad):
        a = ctx.attrs
        if recording():
            keep = make(ctx.keep) if ctx.keep is not None else None
            return composite_backward(ctx, grad, lambda *ins: attention_composite(
                *ins, keep=keep, **a))
        q, k, v = ctx.qkv
        p, pd, keep = ctx.p, ctx.pd, ctx.keep
        g = grad._data
        heads, seq_first = a["heads"], a["seq_first"]
        if heads is not None:
            g = split_heads(g, heads, seq_first)
        scale = p.dtype.type(a["scale"])
        dv = np.matmul(np.swapaxes(pd, -1, -2), g)
        dp = np.matmul(g, np.swapaxes(v, -1, -2))
        if keep is not None:
            dp *= keep
        # ds = p * (dp - sum(dp * p)) * scale, in place in dp
        dp -= (dp * p).sum(axis=-1, keepdims=True)
        dp *= p
        dp *= scale
        ds = dp
        dq = np.matmul(ds, k)
        dk = np.matmul(np.swapaxes(ds, -1, -2), q)
        if a["packed"]:
            N, H, L, D = dq.shape
            out = np.empty((L, N, 3, H, D) if seq_first else (N, L, 3, H, D), dtype=dq.dtype)
            for i, d in enumerate((dq, dk, dv)):
                _merge_into(out, i, d, seq_first)
            return make(out.reshape(out.shape[:2] + (3 * H * D,)))
        grads = (dq, dk, dv)
        if heads is not None:
            grads = tuple(merge_heads(x, seq_first) for x in grads)
        return tuple(make(x) for x in grads)


def attention_composite(*inputs: Tensor, scale: float, mask: np.ndarray | None,
                        keep: Tensor | None = None, heads: int | None = None,
                        seq_first: bool = False, packed: bool = False) -> Tensor:
    """The attention op in Tensor ops (reference and second-derivative path); ``keep`` is
    the dropout mask (already scaled by 1/(1-p)), if any."""
    if packed:
        q, k, v = inputs[0].chunk(3, dim=-1)
    else:
        q, k, v = inputs
    if heads is not None:
        q, k, v = (split_heads_t(t, heads, seq_first) for t in (q, k, v))
    s = (q @ k.mT) * scale
    if mask is not None:
        s = s + make(mask.astype(s.dtype, copy=False))
        dead = ~np.isfinite(s._data.max(axis=-1, keepdims=True))
        if dead.any():  # fully masked rows: zeros, as the fused op
            s = s.masked_fill(np.broadcast_to(dead, s.shape), 0.0)
            p = s.softmax(-1).masked_fill(np.broadcast_to(dead, s.shape), 0.0)
        else:
            p = s.softmax(-1)
    else:
        p = s.softmax(-1)
    if keep is not None:
        p = p * keep
    out = p @ v
    if heads is not None:
        out = merge_heads_t(out, seq_first)
    return out
