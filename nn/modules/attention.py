"""``MultiheadAttention``, with PyTorch's parameters (``in_proj_weight``,
``in_proj_bias``, ``out_proj``), masks and layouts.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> x = ag.randn(2, 5, 8)
>>> nn.MultiheadAttention(8, 2, batch_first=True)(x, x, x)[0].shape
(2, 5, 8)
"""
from __future__ import annotations

from typing import Any

from autograd_core import Tensor

from .. import functional as F
from .. import init
from ..parameter import _empty
from .linear import NonDynamicallyQuantizableLinear
from .module import Module

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    """Multi-head attention, ``Attention(Q W_q, K W_k, V W_v) W_o`` over ``num_heads`` heads.

    Inputs are (L, N, E) (sequence first, the default) or (N, L, E) with
    ``batch_first=True``, or unbatched (L, E). ``forward`` returns ``(attn_output,
    attn_weights)``; the weights are averaged over heads (N, L, S) unless
    ``average_attn_weights=False`` (N, H, L, S), and None when ``need_weights=False``
    (the faster path: one fused node between the two projections). The computation is
    ``nn.functional.multi_head_attention_forward`` with this module's parameters.

    Masks follow ``torch.nn.MultiheadAttention``: in a bool ``attn_mask`` ((L, S) or
    (N * H, L, S)) and ``key_padding_mask`` ((N, S)) True means *not allowed*; float
    masks are added to the scores. ``is_causal=True`` without a mask applies the causal
    mask. A query that may attend to no key gets zeros (PyTorch gives NaN there). Masks
    are constants (no gradient).

    >>> import autograd_core as ag, autograd_core.nn as nn
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
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = _empty((embed_dim, embed_dim), dtype)
            self.k_proj_weight = _empty((embed_dim, self.kdim), dtype)
            self.v_proj_weight = _empty((embed_dim, self.vdim), dtype)
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = _empty((3 * embed_dim, embed_dim), dtype)
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = _empty((3 * embed_dim,), dtype)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        dtype=dtype)
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

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        p, out = self._parameters, self._modules["out_proj"]._parameters
        return F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, p["in_proj_weight"],
            p["in_proj_bias"], None, None, False, self.dropout, out["weight"], out["bias"],
            training=self.training, key_padding_mask=key_padding_mask,
            need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=p["q_proj_weight"], k_proj_weight=p["k_proj_weight"],
            v_proj_weight=p["v_proj_weight"], average_attn_weights=average_attn_weights,
            is_causal=is_causal, batch_first=self.batch_first)
