"""Attention: ``scaled_dot_product_attention``, ``softmax(q k^T * scale + mask) v`` as
one node (the core's ``Attention`` op), and ``multi_head_attention_forward``, the whole
of ``MultiheadAttention``: in-projection, the attention op (or, when the weights are
wanted, the same attention in Tensor ops, ``attention_composite``), out-projection.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> q = k = v = ag.randn(2, 4, 5, 8)
>>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
(2, 4, 5, 8)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.attention import Attention as _Attention
from autograd_core.ops.attention import attention_composite
from autograd_core.random import Generator, dropout_mask

from .arguments import _array, _check_dtype, _tensor
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _additive_mask(mask: Any, dtype: np.dtype, what: str, true_means_keep: bool) -> np.ndarray:
    """A float mask to add to attention scores: 0 where allowed, -inf where not."""
    if isinstance(mask, Tensor) and mask.requires_grad:
        raise ValueError(f"{what}: masks are constants here; a float mask that requires "
                         "grad is not supported")
    m = _array(mask)
    if m.dtype == np.bool_:
        allowed = m if true_means_keep else ~m
        return np.where(allowed, np.zeros((), dtype), np.asarray(-np.inf, dtype))
    if m.dtype.kind != "f":
        raise TypeError(f"{what}: expected a bool or float mask, got dtype {m.dtype}")
    return m.astype(dtype, copy=False)


def causal_mask(L: int, S: int, dtype: Any = np.float32) -> np.ndarray:
    """Additive (L, S) mask letting position i attend to positions j <= i (top-left aligned):
    0 there, ``-inf`` above the diagonal.

    >>> from autograd_core.nn.functional.attention import causal_mask
    >>> causal_mask(2, 3).tolist()
    [[0.0, -inf, -inf], [0.0, 0.0, -inf]]
    """
    allowed = np.tril(np.ones((L, S), dtype=bool))
    return np.where(allowed, np.zeros((), dtype), np.asarray(-np.inf, dtype))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False,
                                 generator: Generator | None = None) -> Tensor:
    """``softmax(q k^T * scale + mask) v`` in one node, on ``(..., L, E)`` queries,
    ``(..., S, E)`` keys and ``(..., S, Ev)`` values; ``scale`` defaults to 1/sqrt(E).

    ``attn_mask`` is a bool mask (True = takes part in attention) or a float mask that is
    added to the scores, broadcastable to (..., L, S). ``is_causal`` masks future
    positions. A query row with no allowed key gives zeros. ``dropout_p`` drops attention
    weights (pass 0 in evaluation).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> q = k = v = ag.randn(2, 4, 5, 8)
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
    (2, 4, 5, 8)
    """
    for name, t in (("query", query), ("key", key), ("value", value)):
        _tensor(t, "scaled_dot_product_attention", name)
        if t.ndim < 2:
            raise ValueError(f"scaled_dot_product_attention: {name} needs at least 2 dims "
                             f"(..., seq, features), got shape {tuple(t.shape)}")
    L, E = query.shape[-2:]
    S = key.shape[-2]
    if key.shape[-1] != E:
        raise ValueError(f"scaled_dot_product_attention: query has {E} features but key has "
                         f"{key.shape[-1]} (shapes {tuple(query.shape)} and {tuple(key.shape)})")
    if value.shape[-2] != S:
        raise ValueError(f"scaled_dot_product_attention: key has {S} positions but value has "
                         f"{value.shape[-2]} (shapes {tuple(key.shape)} and {tuple(value.shape)})")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        # grouped-query attention: each key/value head serves a group of query heads
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError(f"scaled_dot_product_attention: with enable_gqa the number of "
                               f"query heads ({hq}) must be a multiple of the key heads ({hk}) "
                               f"and of the value heads ({hv})")
        key = key.repeat_interleave(hq // hk, dim=-3)
        value = value.repeat_interleave(hq // hv, dim=-3)
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    dtype = query.dtype
    mask = None
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: explicit attn_mask should not be "
                             "set when is_causal=True")
        mask = causal_mask(L, S, dtype)
    elif attn_mask is not None:
        mask = _additive_mask(attn_mask, dtype, "scaled_dot_product_attention", True)
        try:
            np.broadcast_shapes(mask.shape, query.shape[:-2] + (L, S))
        except ValueError:
            raise ValueError(f"scaled_dot_product_attention: attn_mask of shape {mask.shape} "
                             f"does not broadcast to the scores' shape "
                             f"{query.shape[:-2] + (L, S)}") from None
    if scale is None:
        scale = 1.0 / math.sqrt(E)
    return _Attention.apply(query, key, value, scale=scale, mask=mask, dropout_p=dropout_p,
                            generator=generator)


def _check_mha(query: Any, key: Any, value: Any, dims: tuple, batch_first: bool,
               weight: Tensor) -> bool:
    """Validate multi-head attention inputs against the (query, key, value) feature
    ``dims``; True when they are unbatched."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"MultiheadAttention: {name} must be a Tensor, got "
                            f"{type(t).__name__}")
    if query.ndim not in (2, 3):
        raise ValueError(f"MultiheadAttention: query should be unbatched 2D or batched 3D, "
                         f"got shape {tuple(query.shape)}")
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(f"MultiheadAttention: query, key and value must all be 2D or all 3D, "
                         f"got shapes {tuple(query.shape)}, {tuple(key.shape)}, "
                         f"{tuple(value.shape)}")
    for name, t, d in zip(("query", "key", "value"), (query, key, value), dims):
        if t.shape[-1] != d:
            raise ValueError(f"MultiheadAttention: expected {name} with {d} features (last "
                             f"dim), got shape {tuple(t.shape)}")
    if key.shape[:-1] != value.shape[:-1]:
        raise ValueError(f"MultiheadAttention: key shape {tuple(key.shape)} does not match "
                         f"value shape {tuple(value.shape)}")
    unbatched = query.ndim == 2
    if not unbatched:
        bdim = 0 if batch_first else 1
        if key.shape[bdim] != query.shape[bdim]:
            raise ValueError(f"MultiheadAttention: query and key have different batch sizes "
                             f"({query.shape[bdim]} and {key.shape[bdim]}; batch_first="
                             f"{batch_first})")
    if query.dtype != weight.dtype:
        _check_dtype("MultiheadAttention", query, weight)
    return unbatched


def _mha_mask(attn_mask: Any, key_padding_mask: Any, is_causal: bool, N: int, H: int, L: int,
              S: int, dtype: np.dtype, unbatched: bool) -> np.ndarray | None:
    """One additive mask broadcastable to (N, H, L, S), or None; in bool masks True means
    *not allowed*, as ``torch.nn.MultiheadAttention``'s."""
    mask = None
    if attn_mask is not None:
        m = _additive_mask(attn_mask, dtype, "MultiheadAttention", False)
        if m.ndim == 2:
            if m.shape != (L, S):
                raise ValueError(f"The shape of the 2D attn_mask is {m.shape}, but should be "
                                 f"{(L, S)}.")
        elif m.ndim == 3:
            if m.shape != (N * H, L, S):
                raise ValueError(f"The shape of the 3D attn_mask is {m.shape}, but should be "
                                 f"{(N * H, L, S)}.")
            m = m.reshape(N, H, L, S)
        else:
            raise ValueError(f"attn_mask's dimension {m.ndim} is not supported")
        mask = m
    elif is_causal:
        mask = causal_mask(L, S, dtype)
    if key_padding_mask is not None:
        k = _additive_mask(key_padding_mask, dtype, "MultiheadAttention", False)
        want = (S,) if unbatched else (N, S)
        if k.shape != want:
            raise ValueError(f"MultiheadAttention: expected key_padding_mask of shape {want}, "
                             f"got {k.shape}")
        k = k.reshape(N, 1, 1, S)
        mask = k if mask is None else mask + k
    return mask


def _part(t: Tensor | None, i: int, E: int) -> Tensor | None:
    """Rows ``i E .. (i + 1) E`` of a packed (3E, ...) projection weight or bias."""
    return None if t is None else t[i * E:(i + 1) * E]


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True, key_padding_mask: Any = None,
        need_weights: bool = True, attn_mask: Any = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False, *, batch_first: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention, ``Attention(Q W_q, K W_k, V W_v) W_o`` over ``num_heads``
    heads, as ``torch.nn.functional.multi_head_attention_forward`` (``MultiheadAttention``
    is this with its parameters). Inputs are (L, N, E) / (S, N, E), or unbatched (L, E);
    ``batch_first=True`` (not in PyTorch's signature) takes (N, L, E) without transposing.

    Returns ``(attn_output, attn_weights)``: the weights averaged over heads (N, L, S), or
    per head (N, H, L, S) without ``average_attn_weights``, and None without
    ``need_weights`` (the fast path: the attention is one fused node). In a bool
    ``attn_mask`` ((L, S) or (N * H, L, S)) or ``key_padding_mask`` ((N, S)) True means
    *not allowed*; float masks are added to the scores. A query that may attend to no key
    gets zeros. ``bias_k``, ``bias_v``, ``add_zero_attn`` and ``static_k/v`` are not
    supported.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.randn(5, 2, 8)                                   # (L, N, E)
    >>> w_in, w_out = ag.randn(24, 8), ag.randn(8, 8)
    >>> out, w = F.multi_head_attention_forward(x, x, x, 8, 2, w_in, None, None, None, False,
    ...                                         0.0, w_out, None)
    >>> out.shape, w.shape
    ((5, 2, 8), (2, 5, 5))
    """
    if bias_k is not None or bias_v is not None or add_zero_attn or static_k is not None or \
            static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: bias_k, bias_v, add_zero_attn "
                                  "and static_k/v are not supported")
    E, H = embed_dim_to_check, num_heads
    if use_separate_proj_weight:
        dims = (E, k_proj_weight.shape[1], v_proj_weight.shape[1])
        first = q_proj_weight
    else:
        dims, first = (E, E, E), in_proj_weight
    unbatched = _check_mha(query, key, value, dims, batch_first, first)
    self_attn = query is key and key is value
    seq_first = not batch_first
    if unbatched:  # (L, E) -> (1, L, E)
        seq_first = False
        query = query.unsqueeze(0)
        key = query if self_attn else key.unsqueeze(0)
        value = query if self_attn else value.unsqueeze(0)
    if seq_first:
        L, N, _ = query.shape
        S = key.shape[0]
    else:
        N, L, _ = query.shape
        S = key.shape[1]
    b = in_proj_bias
    if not use_separate_proj_weight and self_attn:  # one projection, split inside the op
        ins = (linear(query, in_proj_weight, b),)
    else:
        ws = (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight else \
            (_part(in_proj_weight, i, E) for i in range(3))
        ins = tuple(linear(x, w, _part(b, i, E))
                    for i, (x, w) in enumerate(zip((query, key, value), ws)))
    mask = _mha_mask(attn_mask, key_padding_mask, is_causal, N, H, L, S, query.dtype, unbatched)
    scale = 1.0 / math.sqrt(E // H)
    dropout_p = dropout_p if training else 0.0
    packed = len(ins) == 1
    weights = None
    if not need_weights:
        out = _Attention.apply(*ins, scale=scale, mask=mask, dropout_p=dropout_p, heads=H,
                               seq_first=seq_first, packed=packed)
    else:
        keep = None
        if dropout_p == 1:  # as dropout: no draw, everything dropped
            keep = ag.zeros(N, H, L, S, dtype=query.dtype)
        elif dropout_p > 0:
            keep = ag.from_numpy(dropout_mask((N, H, L, S), dropout_p, query.dtype))
        out, p = attention_composite(*ins, scale=scale, mask=mask, keep=keep, heads=H,
                                     seq_first=seq_first, packed=packed, need_weights=True)
        weights = p.mean(1) if average_attn_weights else p
        if unbatched:
            weights = weights.squeeze(0)
    out = linear(out, out_proj_weight, out_proj_bias)
    if unbatched:
        out = out.squeeze(0)
    return out, weights
