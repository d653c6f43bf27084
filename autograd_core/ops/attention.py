"""Scaled dot-product attention as one node: ``softmax(q k^T * scale + mask) v``, with
dropout on the attention weights.

The op can also take projected inputs in ``MultiheadAttention``'s layouts, ``(N, L, E)``
or ``(L, N, E)``, split them into heads itself and merge the result back, and even the
packed ``(.., 3E)`` output of the self-attention input projection, so that a whole
attention layer is three nodes: in-projection, this op, out-projection.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..autograd import composite_backward
from ..autograd.function import Function, const
from ..kernels import dispatch, threads
from ..kernels import softmax as row_kernels
from ..random import dropout_mask

if TYPE_CHECKING:  # for annotations only: the Tensor type sits above this layer
    from ..tensor import Tensor


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


def _head_view(buf: np.ndarray, heads: int | None, seq_first: bool) -> np.ndarray:
    """``buf`` in head-split order: a view of a merged (N, L, H, D) or (L, N, H, D) array as
    (N, H, L, D), so that ``view[lo:hi] = x`` writes a batch slice in place."""
    if heads is None:
        return buf
    return buf.transpose(1, 2, 0, 3) if seq_first else buf.transpose(0, 2, 1, 3)


def _merged_buffer(shape: tuple, dtype: np.dtype, heads: int | None, seq_first: bool,
                   n: int = 1) -> tuple[np.ndarray, list[np.ndarray]]:
    """An empty output for ``n`` head-split (N, H, L, D) results (``n`` = 3 for the packed
    q/k/v gradient) in the op's input layout, and a head-order view of each slot."""
    if heads is None:
        buf = np.empty(shape, dtype)
        return buf, [buf]
    N, H, L, D = shape
    lead = (L, N) if seq_first else (N, L)
    buf = np.empty(lead + ((n,) if n > 1 else ()) + (H, D), dtype)
    slots = [buf[:, :, i] for i in range(n)] if n > 1 else [buf]
    return buf.reshape(lead + (n * H * D,)), [_head_view(x, heads, seq_first) for x in slots]


def _row_kernels(dtype: np.dtype, mask: np.ndarray | None) -> bool:
    """Whether the softmax and its backward run in the row kernels (``kernels/softmax.py``:
    one pass over each row where NumPy makes four): float32 scores on the Numba path, and
    no row that the mask leaves empty (those take ``safe_softmax``'s zeros, where the
    kernel would give NaN)."""
    if dtype != np.float32 or dispatch.choose_path() != "numba":
        return False
    return mask is None or bool(np.isfinite(mask.max(axis=-1)).all())


# Split the batch over threads when the op has at least this many flops: each part then
# runs far longer than handing it to a thread takes.
_SPLIT_MIN_FLOPS = 1_000_000


def _batch_parts(fn, score_shape: tuple, flops: int) -> None:
    """Run ``fn(cut)`` for slices of the scores' first (batch) axis, in parallel when that
    pays; ``cut(a)`` slices an operand along that axis (operands broadcast on it are whole)."""
    nd = len(score_shape)
    nb = score_shape[0] if nd >= 3 else 1

    def part(lo: int, hi: int) -> None:
        def cut(a):
            if a is None or nd < 3 or a.ndim != nd or a.shape[0] != nb or (lo, hi) == (0, nb):
                return a
            return a[lo:hi]
        fn(cut)

    if nb < 2 or flops < _SPLIT_MIN_FLOPS:
        part(0, nb)
        return
    threads.parallel_for(part, nb, grain=max(1, nb * _SPLIT_MIN_FLOPS // (2 * flops)),
                         blas_single=True)


class Attention(Function):
    """``apply(q, k, v, scale=, mask=, dropout_p=, generator=, heads=, seq_first=)`` or
    ``apply(qkv, packed=True, heads=, ...)``.

    Without ``heads`` the inputs are ``(..., L, D)``, ``(..., S, D)``, ``(..., S, Dv)``.
    With ``heads`` they are ``(N, L, E)`` (or ``(L, N, E)`` with ``seq_first``), split into
    ``heads`` heads; the output comes back in the same layout. ``mask`` is an additive
    float array (``-inf`` where attention is not allowed), broadcast to the scores'
    shape ``(..., L, S)``; it is a constant. Forward and backward split the batch over
    threads (NumPy releases the GIL in its matmuls and ufuncs).
    """

    op = "scaled_dot_product_attention"

    @staticmethod
    def forward(ctx, *inputs, scale=1.0, mask=None, dropout_p=0.0, generator=None, heads=None,
                seq_first=False, packed=False):
        ctx.save_for_backward(*inputs)
        q, k, v = _heads(inputs, packed, heads, seq_first)
        dtype = np.result_type(q, k, v)
        batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
        L, S, D = q.shape[-2], k.shape[-2], q.shape[-1]
        score_shape = batch + (L, S)
        if mask is not None:
            score_shape = np.broadcast_shapes(score_shape, mask.shape)
            batch = score_shape[:-2]
        keep = None
        if dropout_p > 0:  # drawn here, not in the threads: one stream, as without them
            keep = dropout_mask(score_shape, dropout_p, dtype, generator)
        p = np.empty(score_shape, dtype)
        pd = p if keep is None else np.empty(score_shape, dtype)
        out, (out_h,) = _merged_buffer(batch + (L, v.shape[-1]), dtype, heads, seq_first)
        scale_ = dtype.type(scale)
        rows = _row_kernels(p.dtype, mask)

        def part(cut):
            pp, kt = cut(p), np.swapaxes(cut(k), -1, -2)
            if rows:   # scores in a buffer of their own, their softmax into p
                s = np.matmul(cut(q), kt)
                s *= scale_
                if mask is not None:
                    s = np.add(s, cut(mask), out=s if s.shape == pp.shape else None)
                n = s.shape[-1]
                row_kernels.softmax_rows_into(s.reshape(-1, n), pp.reshape(-1, n))
            else:
                if mask is None:  # the scores are computed in place in p
                    s = np.matmul(cut(q), kt, out=pp)
                    s *= scale_
                else:  # the mask may broadcast them to p's shape
                    s = np.matmul(cut(q), kt)
                    s *= scale_
                    s = np.add(s, cut(mask), out=pp)
                safe_softmax(s, check=mask is not None)
            if keep is not None:
                np.multiply(pp, cut(keep), out=cut(pd))
            np.matmul(cut(pd), cut(v), out=cut(out_h))

        _batch_parts(part, score_shape, 4 * math.prod(score_shape) * D)
        ctx.p, ctx.pd, ctx.keep = p, pd, keep
        ctx.attrs = dict(scale=scale, mask=mask, heads=heads, seq_first=seq_first, packed=packed)
        ctx.rows = rows
        return out

    @staticmethod
    def backward(ctx, grad):
        keep = const(ctx.keep) if ctx.keep is not None else None
        return composite_backward(ctx, grad, lambda *ins: attention_composite(
            *ins, keep=keep, **ctx.attrs), ctx.saved_tensors)

    @staticmethod
    def array_backward(ctx, g):
        a = ctx.attrs
        heads, seq_first = a["heads"], a["seq_first"]
        q, k, v = _heads(ctx.saved_arrays, a["packed"], heads, seq_first)
        p, pd, keep = ctx.p, ctx.pd, ctx.keep
        if heads is not None:
            g = split_heads(g, heads, seq_first)
        scale = p.dtype.type(a["scale"])
        batch = p.shape[:-2]
        shapes = [batch + x.shape[-2:] for x in (q, k, v)]
        if a["packed"]:
            out, views = _merged_buffer(shapes[0], p.dtype, heads, seq_first, n=3)
            outs = [out]
        else:
            bufs = [_merged_buffer(sh, p.dtype, heads, seq_first) for sh in shapes]
            outs, views = [b[0] for b in bufs], [b[1][0] for b in bufs]
        dq_h, dk_h, dv_h = views
        rows = ctx.rows

        def part(cut):
            pp, gg = cut(p), cut(g)
            np.matmul(np.swapaxes(cut(pd), -1, -2), gg, out=cut(dv_h))
            dp = np.matmul(gg, np.swapaxes(cut(v), -1, -2))
            if keep is not None:
                dp *= cut(keep)
            # ds = p * (dp - sum(dp * p)) * scale, in place in dp
            if rows:
                n = dp.shape[-1]
                ds = np.empty_like(dp)
                row_kernels.softmax_backward_rows_into(dp.reshape(-1, n), pp.reshape(-1, n),
                                                       ds.reshape(-1, n))
                dp = ds
            else:
                dp -= (dp * pp).sum(axis=-1, keepdims=True)
                dp *= pp
            dp *= scale
            np.matmul(dp, cut(k), out=cut(dq_h))
            np.matmul(np.swapaxes(dp, -1, -2), cut(q), out=cut(dk_h))

        _batch_parts(part, p.shape, 8 * p.size * q.shape[-1])
        return tuple(outs) if len(outs) > 1 else outs[0]


def _heads(inputs: tuple, packed: bool, heads: int | None, seq_first: bool) -> tuple:
    """q, k, v from the op's inputs: split from the packed projection, and into heads."""
    q, k, v = np.split(inputs[0], 3, axis=-1) if packed else inputs
    if heads is not None:
        q, k, v = (split_heads(a, heads, seq_first) for a in (q, k, v))
    return q, k, v


def attention_composite(*inputs: Tensor, scale: float, mask: np.ndarray | None,
                        keep: Tensor | None = None, heads: int | None = None,
                        seq_first: bool = False, packed: bool = False,
                        need_weights: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The attention op in Tensor ops (reference and second-derivative path); ``keep`` is
    the dropout mask (already scaled by 1/(1-p)), if any. With ``need_weights`` it returns
    ``(out, weights)``, the weights (after dropout) in head-split layout, for
    ``MultiheadAttention(need_weights=True)``, which wants them differentiable.

    >>> import autograd_core as ag
    >>> from autograd_core.ops.attention import attention_composite
    >>> q = ag.randn(2, 5, 8)
    >>> out, w = attention_composite(q, q, q, scale=1.0, mask=None, need_weights=True)
    >>> out.shape, w.shape, [round(v, 4) for v in w.sum(-1)[0].tolist()]
    ((2, 5, 8), (2, 5, 5), [1.0, 1.0, 1.0, 1.0, 1.0])
    """
    if packed:
        q, k, v = inputs[0].chunk(3, dim=-1)
    else:
        q, k, v = inputs
    if heads is not None:
        q, k, v = (split_heads_t(t, heads, seq_first) for t in (q, k, v))
    s = (q @ k.mT) * scale
    if mask is not None:
        s = s + const(mask.astype(s.dtype, copy=False))
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
    return (out, p) if need_weights else out
