"""``MultiheadAttention``, with PyTorch's parameters (``in_proj_weight``,
``in_proj_bias``, ``out_proj``), masks and layouts.

>>> import autograd_core as ag, nn
>>> x = ag.randn(2, 5, 8)
>>> nn.MultiheadAttention(8, 2, batch_first=True)(x, x, x)[0].shape
(2, 5, 8)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.attention import Attention, merge_heads_t, split_heads_t
from autograd_core.ops.linalg import Linear as _LinearOp

from .. import functional as F
from .. import init
from ..functional.attention import _additive_mask, causal_mask
from ..parameter import Parameter
from .linear import NonDynamicallyQuantizableLinear, check_dtype
from .module import Module

__all__ = ["MultiheadAttention"]


def _proj(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    return _LinearOp.apply(x, w) if b is None else _LinearOp.apply(x, w, b)


class MultiheadAttention(Module):
    """Multi-head attention, ``Attention(Q W_q, K W_k, V W_v) W_o`` over ``num_heads`` heads.

    Inputs are (L, N, E) (sequence first, the default) or (N, L, E) with
    ``batch_first=True``, or unbatched (L, E). ``forward`` returns ``(attn_output,
    attn_weights)``; the weights are averaged over heads (N, L, S) unless
    ``average_attn_weights=False`` (N, H, L, S), and None when ``need_weights=False``
    (the faster path: one fused node between the two projections).

    Masks follow ``torch.nn.MultiheadAttention``: in a bool ``attn_mask`` ((L, S) or
    (N * H, L, S)) and ``key_padding_mask`` ((N, S)) True means *not allowed*; float
    masks are added to the scores. ``is_causal=True`` without a mask applies the causal
    mask. A query that may attend to no key gets zeros (PyTorch gives NaN there). Masks
    are constants (no gradient).

    >>> import autograd_core as ag, nn
    >>> mha = nn.MultiheadAttention(64, 4, batch_first=True)
    >>> x = ag.randn(16, 32, 64)
    >>> out, w = mha(x, x, x)
    >>> out.shape, w.shape
    ((16, 32, 64), (16, 32, 32))
    >>> [n for n, _ in mha.named_parameters()]
    ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        if embed_dim % num_heads != 0:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by "
                             f"num_heads ({num_heads})")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn are not "
                                      "supported")
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        dt = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(np.empty((embed_dim, embed_dim), dtype=dt))
            self.k_proj_weight = Parameter(np.empty((embed_dim, self.kdim), dtype=dt))
            self.v_proj_weight = Parameter(np.empty((embed_dim, self.vdim), dtype=dt))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype=dt))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty(3 * embed_dim, dtype=dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dt)
        self.bias_k = self.bias_v = None
        self.add_zero_attn = False
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's: Xavier-uniform projections, zero biases (out_proj.weight keeps
        Linear's default)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)

    # ---------------------------------------------------------------- checks
    def _check(self, query: Tensor, key: Tensor, value: Tensor) -> bool:
        """Validate shapes; True when the inputs are unbatched."""
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
        for name, t, d in (("query", query, self.embed_dim), ("key", key, self.kdim),
                           ("value", value, self.vdim)):
            if t.shape[-1] != d:
                raise ValueError(f"MultiheadAttention: expected {name} with {d} features (last "
                                 f"dim), got shape {tuple(t.shape)}")
        if key.shape[:-1] != value.shape[:-1]:
            raise ValueError(f"MultiheadAttention: key shape {tuple(key.shape)} does not match "
                             f"value shape {tuple(value.shape)}")
        unbatched = query.ndim == 2
        if not unbatched:
            bdim = 0 if self.batch_first else 1
            if key.shape[bdim] != query.shape[bdim]:
                raise ValueError(f"MultiheadAttention: query and key have different batch sizes "
                                 f"({query.shape[bdim]} and {key.shape[bdim]}; batch_first="
                                 f"{self.batch_first})")
        w = self.in_proj_weight if self._qkv_same_embed_dim else self.q_proj_weight
        if query.dtype != w.dtype:
            check_dtype("MultiheadAttention", query, w)
        return unbatched

    def _mask(self, attn_mask: Any, key_padding_mask: Any, is_causal: bool, N: int, L: int,
              S: int, dtype: np.dtype, unbatched: bool) -> np.ndarray | None:
        """One additive mask broadcastable to (N, H, L, S), or None."""
        H = self.num_heads
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

    # --------------------------------------------------------------- forward
    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        unbatched = self._check(query, key, value)
        self_attn = query is key and key is value
        seq_first = not self.batch_first
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
        E, H = self.embed_dim, self.num_heads
        b = self.in_proj_bias
        packed = None
        if self._qkv_same_embed_dim:
            if self_attn:
                packed = _proj(query, self.in_proj_weight, b)
            else:
                w = self.in_proj_weight
                q = _proj(query, w[:E], b[:E] if b is not None else None)
                k = _proj(key, w[E:2 * E], b[E:2 * E] if b is not None else None)
                v = _proj(value, w[2 * E:], b[2 * E:] if b is not None else None)
        else:
            q = _proj(query, self.q_proj_weight, b[:E] if b is not None else None)
            k = _proj(key, self.k_proj_weight, b[E:2 * E] if b is not None else None)
            v = _proj(value, self.v_proj_weight, b[2 * E:] if b is not None else None)
        mask = self._mask(attn_mask, key_padding_mask, is_causal, N, L, S, query.dtype, unbatched)
        scale = 1.0 / math.sqrt(self.head_dim)
        dropout_p = self.dropout if self.training else 0.0
        weights = None
        if not need_weights:
            ins = (packed,) if packed is not None else (q, k, v)
            out = Attention.apply(*ins, scale=scale, mask=mask, dropout_p=dropout_p, heads=H,
                                  seq_first=seq_first, packed=packed is not None)
        else:
            if packed is not None:
                q, k, v = packed.chunk(3, dim=-1)
            qh, kh, vh = (split_heads_t(t, H, seq_first) for t in (q, k, v))
            s = (qh @ kh.mT) * scale
            dead = None
            if mask is not None:
                s = s + ag.from_numpy(mask)
                dead = ~np.isfinite(s.detach().numpy().max(axis=-1, keepdims=True))
                if dead.any():
                    s = s.masked_fill(np.broadcast_to(dead, s.shape), 0.0)
                else:
                    dead = None
            p = s.softmax(-1)
            if dead is not None:
                p = p.masked_fill(np.broadcast_to(dead, p.shape), 0.0)
            if dropout_p > 0:
                p = F.dropout(p, dropout_p)
            out = merge_heads_t(p @ vh, seq_first)
            weights = p.mean(1) if average_attn_weights else p
            if unbatched:
                weights = weights.squeeze(0)
        out = self.out_proj(out)
        if unbatched:
            out = out.squeeze(0)
        return out, weights
