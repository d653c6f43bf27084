"""The transformer layers and stacks: ``TransformerEncoderLayer`` (PyTorch's) and
``TransformerEncoderBlock`` (the same layer with pre-norm, batch-first defaults),
``TransformerEncoder``, ``TransformerDecoderLayer``, ``TransformerDecoder`` and
``Transformer``, as ``torch.nn``.

The stacks hold deep copies of the layer they are given, in ``layers`` (a
``ModuleList``), so their ``state_dict`` keys are PyTorch's (``layers.0.self_attn...``)
and its weights load directly.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> model = nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
...                        dim_feedforward=32, batch_first=True)
>>> src, tgt = ag.randn(2, 7, 16), ag.randn(2, 5, 16)
>>> mask = nn.Transformer.generate_square_subsequent_mask(5)
>>> model(src, tgt, tgt_mask=mask).shape
(2, 5, 16)
"""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .. import functional as F
from .. import init
from ..functional.attention import causal_mask
from .activation import make_activation
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ["TransformerEncoderBlock", "TransformerEncoderLayer", "TransformerEncoder",
           "TransformerDecoderLayer", "TransformerDecoder", "Transformer"]


def _layer_activation(activation: Any) -> Callable[[Tensor], Tensor]:
    """The activation of a transformer layer, taken as PyTorch's layers take it:
    ``'relu'`` / ``'gelu'`` give ``F.relu`` / ``F.gelu`` (functions, no submodule, so the
    repr is PyTorch's), a function of one tensor is kept as is, and a Module, a Module
    class or another ``make_activation`` name gives a Module."""
    if isinstance(activation, str) and activation in ("relu", "gelu"):
        return F.relu if activation == "relu" else F.gelu
    if isinstance(activation, (str, Module, type)):
        return make_activation(activation)
    if callable(activation):
        return activation
    raise TypeError(f"activation must be a name, a Module or a function of a tensor, got "
                    f"{type(activation).__name__}")


class _TransformerLayer(Module):
    """What the encoder and decoder layers share, with PyTorch's submodule names: the
    feed-forward block (``linear1``, ``dropout``, ``linear2``), ``norm1..n`` and
    ``dropout1..n`` for its ``_blocks`` residual blocks, the self-attention block and the
    feed-forward block's forward (whose output dropout is the last one)."""

    _blocks = 2

    def _add_blocks(self, d_model: int, dim_feedforward: int, dropout: float, activation: Any,
                    layer_norm_eps: float, norm_first: bool, bias: bool, dtype: Any) -> None:
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        for i in range(1, self._blocks + 1):
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias,
                                                dtype=dtype))
        for i in range(1, self._blocks + 1):
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = _layer_activation(activation)

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any,
                  is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self._modules[f"dropout{self._blocks}"](x)


class TransformerEncoderBlock(_TransformerLayer):
    """A transformer encoder block: self-attention and an MLP, each with a residual
    connection and LayerNorm, and dropout.

    Pre-norm (``norm_first=True``, the default here)::

        x = x + dropout1(self_attn(norm1(x)))
        x = x + dropout2(linear2(dropout(act(linear1(norm2(x))))))

    or post-norm (``norm_first=False``, the original transformer)::

        x = norm1(x + dropout1(self_attn(x)))
        x = norm2(x + dropout2(linear2(dropout(act(linear1(x))))))

    Submodule names are those of ``torch.nn.TransformerEncoderLayer``, so its weights load
    directly. Input is (N, L, E) with ``batch_first=True`` (the default here), else (L, N, E).

    Args:
        d_model: embedding size E.
        nhead: attention heads (must divide E).
        dim_feedforward: MLP hidden width (default 4 * d_model).
        dropout: dropout probability (attention weights, MLP, residual branches).
        activation: ``'gelu'`` (default), ``'relu'``, a Module (or class), or a function
            of a tensor such as ``F.gelu``.
        layer_norm_eps: LayerNorm's eps.
        batch_first: layout of the input.
        norm_first: pre-norm (True) or post-norm (False).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> block = nn.TransformerEncoderBlock(64, 4)
    >>> x = ag.randn(16, 32, 64)
    >>> block(x).shape
    (16, 32, 64)
    >>> block(x, is_causal=True).shape
    (16, 32, 64)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int | None = None,
                 dropout: float = 0.0, activation: Any = "gelu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = True, norm_first: bool = True, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        ff = 4 * d_model if dim_feedforward is None else dim_feedforward
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self._add_blocks(d_model, ff, dropout, activation, layer_norm_eps, norm_first, bias,
                         dtype)
        self.batch_first = batch_first

    def forward(self, src: Tensor, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> Tensor:
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))


class TransformerEncoderLayer(TransformerEncoderBlock):
    """``torch.nn.TransformerEncoderLayer`` with PyTorch's defaults: feed-forward 2048,
    dropout 0.1, ReLU, sequence-first input, post-norm.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> layer = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64)
    >>> layer(ag.randn(10, 2, 32)).shape
    (10, 2, 32)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Any = "relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                         batch_first, norm_first, bias, device, dtype)


def _get_clones(module: Module, n: int) -> ModuleList:
    if not isinstance(module, Module):
        raise TypeError(f"expected a layer Module to clone, got {type(module).__name__}")
    if n < 0:
        raise ValueError(f"num_layers must be >= 0, got {n}")
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _seq_len(x: Tensor, batch_first: bool) -> int:
    """Sequence length of (L, E), (L, N, E) or (N, L, E) input, as PyTorch's ``_get_seq_len``."""
    return x.shape[0] if x.ndim == 2 else x.shape[1 if batch_first else 0]


def _detect_is_causal_mask(mask: Any, is_causal: bool | None, size: int | None) -> bool:
    """``is_causal`` when given; else whether ``mask`` equals the causal mask of ``size``
    (PyTorch's hint detection)."""
    if is_causal is not None or mask is None:
        return is_causal is True
    m = mask.detach().numpy() if isinstance(mask, Tensor) else np.asarray(mask)
    sz = size if size is not None else m.shape[-2]
    if m.shape != (sz, sz):
        return False
    with np.errstate(invalid="ignore"):
        ref = causal_mask(sz, sz, np.float64).astype(m.dtype)
    return bool((m == ref).all())


def _check_stack_input(name: str, x: Any, d_model: int | None) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor input, got {type(x).__name__}")
    if x.ndim not in (2, 3):
        raise ValueError(f"{name}: expected unbatched 2D (L, E) or batched 3D input, got shape "
                         f"{tuple(x.shape)}")
    if d_model is not None and x.shape[-1] != d_model:
        raise ValueError(f"{name}: expected input with d_model={d_model} features (last dim), "
                         f"got shape {tuple(x.shape)}")


def _d_model(layers: ModuleList) -> tuple[int | None, bool]:
    """(embed_dim, batch_first) of the first layer's self-attention, if it has one."""
    attn = getattr(layers[0], "self_attn", None) if len(layers) else None
    if isinstance(attn, MultiheadAttention):
        return attn.embed_dim, attn.batch_first
    return None, False


class TransformerEncoder(Module):
    """A stack of ``num_layers`` deep copies of ``encoder_layer``, then ``norm`` if given.

    ``mask`` ((L, L) or (N * H, L, L)) and ``src_key_padding_mask`` ((N, L), True =
    padding) go to every layer; ``is_causal`` is a hint that ``mask`` is causal (detected
    when None). PyTorch's nested-tensor fast path (inference only, zeros at padded
    positions) does not exist here: ``enable_nested_tensor`` and ``mask_check`` are stored
    and ignored, padded positions keep their computed values.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32)
    >>> enc = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(16))
    >>> enc(ag.randn(10, 3, 16)).shape
    (10, 3, 16)
    >>> sorted(enc.state_dict())[:2]
    ['layers.0.linear1.bias', 'layers.0.linear1.weight']
    """

    def __init__(self, encoder_layer: Module, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = False
        self.mask_check = mask_check

    def forward(self, src: Tensor, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> Tensor:
        d_model, batch_first = _d_model(self.layers)
        _check_stack_input("TransformerEncoder", src, d_model)
        is_causal = _detect_is_causal_mask(mask, is_causal, _seq_len(src, batch_first))
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal,
                         src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoderLayer(_TransformerLayer):
    """Self-attention over ``tgt``, cross-attention over ``memory`` (the encoder output)
    and a feed-forward block, each with a residual connection, LayerNorm and dropout, as
    ``torch.nn.TransformerDecoderLayer`` (same submodules, defaults and ``state_dict``).

    Post-norm (``norm_first=False``, the default)::

        x = norm1(x + dropout1(self_attn(x)))
        x = norm2(x + dropout2(multihead_attn(x, memory)))
        x = norm3(x + dropout3(linear2(dropout(activation(linear1(x))))))

    or pre-norm (``norm_first=True``): ``x = x + block(norm_i(x))`` for each block.
    Inputs are (T, N, E) / (S, N, E), or (N, T, E) / (N, S, E) with ``batch_first``, or
    unbatched (T, E) / (S, E). Masks are ``MultiheadAttention``'s; ``tgt_is_causal``
    without ``tgt_mask`` applies the causal mask. ``activation`` is ``'relu'``,
    ``'gelu'``, a Module or a function of a tensor.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> layer = nn.TransformerDecoderLayer(d_model=16, nhead=4, dim_feedforward=32)
    >>> tgt, memory = ag.randn(5, 2, 16), ag.randn(7, 2, 16)
    >>> layer(tgt, memory, tgt_is_causal=True).shape
    (5, 2, 16)
    """

    _blocks = 3

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Any = "relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                            batch_first=batch_first, bias=bias, dtype=dtype)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                                 batch_first=batch_first, bias=bias, dtype=dtype)
        self._add_blocks(d_model, dim_feedforward, dropout, activation, layer_norm_eps,
                         norm_first, bias, dtype)

    def _mha_block(self, x: Tensor, mem: Tensor, attn_mask: Any, key_padding_mask: Any,
                   is_causal: bool) -> Tensor:
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, is_causal=is_causal,
                                need_weights=False)[0]
        return self.dropout2(x)

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False) -> Tensor:
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask,
                                    memory_is_causal)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask,
                                           memory_is_causal))
        return self.norm3(x + self._ff_block(x))


class TransformerDecoder(Module):
    """A stack of ``num_layers`` deep copies of ``decoder_layer``, then ``norm`` if given;
    every layer attends to the same ``memory``. ``tgt_is_causal`` is a hint that
    ``tgt_mask`` is causal (detected when None).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> layer = nn.TransformerDecoderLayer(d_model=16, nhead=4, dim_feedforward=32,
    ...                                    batch_first=True)
    >>> dec = nn.TransformerDecoder(layer, num_layers=2)
    >>> mask = nn.Transformer.generate_square_subsequent_mask(5)
    >>> dec(ag.randn(2, 5, 16), ag.randn(2, 7, 16), tgt_mask=mask).shape
    (2, 5, 16)
    """

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        d_model, batch_first = _d_model(self.layers)
        _check_stack_input("TransformerDecoder", tgt, d_model)
        _check_stack_input("TransformerDecoder (memory)", memory, d_model)
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal,
                                               _seq_len(tgt, batch_first))
        output = tgt
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask,
                         memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """The encoder-decoder transformer of "Attention Is All You Need", as
    ``torch.nn.Transformer``: an ``encoder`` (``TransformerEncoder`` with a final
    LayerNorm) over ``src`` and a ``decoder`` (``TransformerDecoder`` with a final
    LayerNorm) over ``tgt`` attending to the encoder's output. Every weight matrix
    (dim > 1) starts Xavier-uniform, as PyTorch's.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> model = nn.Transformer(d_model=16, nhead=4, num_encoder_layers=2,
    ...                        num_decoder_layers=2, dim_feedforward=32)
    >>> model(ag.randn(7, 3, 16), ag.randn(5, 3, 16)).shape
    (5, 3, 16)
    >>> nn.Transformer.generate_square_subsequent_mask(3)
    tensor([[  0., -inf, -inf],
            [  0.,   0., -inf],
            [  0.,   0.,   0.]])
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: Any = "relu", custom_encoder: Module | None = None,
                 custom_decoder: Module | None = None, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                batch_first, norm_first, bias)

        def stack(custom: Module | None, stack: type, layer: type, n: int) -> Module:
            if custom is not None:
                return custom
            return stack(layer(*args, dtype=dtype), n,
                         LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        self.encoder = stack(custom_encoder, TransformerEncoder, TransformerEncoderLayer,
                             num_encoder_layers)
        self.decoder = stack(custom_decoder, TransformerDecoder, TransformerDecoderLayer,
                             num_decoder_layers)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def _reset_parameters(self) -> None:
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Any = None, tgt_mask: Any = None,
                memory_mask: Any = None, src_key_padding_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        for name, t in (("src", src), ("tgt", tgt)):
            if not isinstance(t, Tensor):
                raise TypeError(f"Transformer: {name} must be a Tensor, got {type(t).__name__}")
        if src.ndim == 3:
            b = 0 if self.batch_first else 1
            if tgt.ndim != 3 or src.shape[b] != tgt.shape[b]:
                raise ValueError(f"Transformer: the batch number of src and tgt must be equal, "
                                 f"got shapes {tuple(src.shape)} and {tuple(tgt.shape)} "
                                 f"(batch_first={self.batch_first})")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(f"Transformer: the feature number of src and tgt must be equal to "
                             f"d_model={self.d_model}, got shapes {tuple(src.shape)} and "
                             f"{tuple(tgt.shape)}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """A float (sz, sz) causal mask: 0 on and below the diagonal, -inf above it.

        >>> from autograd_core import nn
        >>> nn.Transformer.generate_square_subsequent_mask(2).tolist()
        [[0.0, -inf], [0.0, 0.0]]
        """
        dt = ag.get_default_dtype() if dtype is None else dtype
        return ag.from_numpy(causal_mask(sz, sz, dt))
