"""Attention: ``scaled_dot_product_attention``, ``softmax(q k^T * scale + mask) v`` as
one node (the core's ``Attention`` op), and the masks it takes.

>>> import autograd_core as ag, nn.functional as F
>>> q = k = v = ag.randn(2, 4, 5, 8)
>>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
(2, 4, 5, 8)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core import Tensor
from autograd_core.ops.attention import Attention as _Attention
from autograd_core.tensor.random import Generator

from .arguments import _array, _tensor

__all__ = ["scaled_dot_product_attention"]


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
    """Additive (L, S) mask letting position i attend to positions j <= i (top-left aligned)."""
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

    >>> import autograd_core as ag, nn.functional as F
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
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not supported")
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
