"""Models users reach for: ``MLP``, a LeNet-style ``CNN``, ``ResidualBlock`` (dense and
conv), a small ``ResNet`` and a transformer encoder block.

Each is built from the public layers, so its ``state_dict`` keys are the ones the
equivalent PyTorch model would have.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Sequence

from autograd_core import Tensor

from .activation import ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh
from .attention import MultiheadAttention
from .conv import Conv2d
from .dropout import Dropout
from .linear import Flatten, Identity, Linear
from .module import Module, Sequential
from .normalization import BatchNorm2d, LayerNorm
from .pooling import AdaptiveAvgPool2d, MaxPool2d

__all__ = ["MLP", "CNN", "ResidualBlock", "ResNet", "TransformerEncoderBlock",
           "TransformerEncoderLayer"]

_ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU, "gelu": GELU, "tanh": Tanh, "sigmoid": Sigmoid, "leaky_relu": LeakyReLU,
    "elu": ELU, "silu": SiLU,
}


def make_activation(activation: str | type | Callable[[], Module] | Module) -> Module:
    """An activation module from a name (``'relu'``, ``'gelu'``, ``'tanh'``, ``'sigmoid'``,
    ``'leaky_relu'``, ``'elu'``, ``'silu'``), a Module class or factory, or a Module."""
    if isinstance(activation, Module):
        return activation
    if isinstance(activation, str):
        key = activation.lower()
        if key not in _ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; expected one of "
                             f"{sorted(_ACTIVATIONS)} or a Module class")
        return _ACTIVATIONS[key]()
    if callable(activation):
        m = activation()
        if not isinstance(m, Module):
            raise TypeError(f"activation factory returned {type(m).__name__}, not an nn.Module")
        return m
    raise TypeError(f"activation must be a name, a Module class or a Module, got "
                    f"{type(activation).__name__}")


def layer_activation(activation: Any) -> Callable[[Tensor], Tensor]:
    """The activation of a transformer layer, taken as PyTorch's layers take it:
    ``'relu'`` / ``'gelu'`` give ``F.relu`` / ``F.gelu`` (functions, no submodule, so the
    repr is PyTorch's), a function of one tensor is kept as is, and a Module, a Module
    class or another ``make_activation`` name gives a Module."""
    if isinstance(activation, str) and activation in ("relu", "gelu"):
        from . import functional as F
        return F.relu if activation == "relu" else F.gelu
    if isinstance(activation, (str, Module, type)):
        return make_activation(activation)
    if callable(activation):
        return activation
    raise TypeError(f"activation must be a name, a Module or a function of a tensor, got "
                    f"{type(activation).__name__}")


class MLP(Sequential):
    """A multilayer perceptron: ``Linear -> activation [-> Dropout]`` for each hidden size,
    then a final ``Linear`` to ``out_features`` (no activation after it: logits).

    Args:
        in_features: size of each input sample (last dim).
        hidden_sizes: the hidden layer widths, e.g. ``[256]`` or ``(128, 64)``; an int
            means one hidden layer; ``[]`` gives a single Linear.
        out_features: size of each output.
        activation: ``'relu'`` (default), ``'gelu'``, ``'tanh'``, ... or a Module class.
        dropout: dropout probability after each hidden activation (0: none).
        bias: whether the Linear layers have biases.

    It is a ``Sequential``, so layers are indexed and the state_dict keys are PyTorch's
    (``0.weight``, ``2.weight``, ...).

    >>> import autograd_core as ag, nn
    >>> mlp = nn.MLP(784, [256], 10)
    >>> mlp
    MLP(
      (0): Linear(in_features=784, out_features=256, bias=True)
      (1): ReLU()
      (2): Linear(in_features=256, out_features=10, bias=True)
    )
    >>> mlp(ag.randn(64, 784)).shape
    (64, 10)
    >>> nn.MLP(4, (16, 16), 3, activation="tanh", dropout=0.1)(ag.randn(2, 4)).shape
    (2, 3)
    """

    def __init__(self, in_features: int, hidden_sizes: int | Sequence[int], out_features: int,
                 activation: Any = "relu", dropout: float = 0.0, bias: bool = True) -> None:
        if isinstance(hidden_sizes, int):
            hidden_sizes = [hidden_sizes]
        sizes = [in_features, *hidden_sizes]
        layers: list[Module] = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers.append(Linear(a, b, bias=bias))
            layers.append(make_activation(activation))
            if dropout > 0:
                layers.append(Dropout(dropout))
        layers.append(Linear(sizes[-1], out_features, bias=bias))
        super().__init__(*layers)
        self.in_features = in_features
        self.hidden_sizes = tuple(hidden_sizes)
        self.out_features = out_features


def _hw(size: int | Sequence[int]) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))


class CNN(Sequential):
    """A LeNet-style convolutional classifier:
    ``[Conv2d(3x3, padding 1) -> ReLU -> MaxPool2d(2)]`` for each entry of ``channels``,
    then ``Flatten`` and a ``Linear`` classifier (with an optional hidden layer).

    With the defaults on 1x28x28 input this is
    ``Conv2d(1,8,3,p=1)-ReLU-MaxPool2-Conv2d(8,16,3,p=1)-ReLU-MaxPool2-Flatten-Linear(784,10)``;
    for 8x8 digits pass ``image_size=8`` (then ``Linear(64, 10)``).

    Args:
        in_channels: input channels (1 for grey images).
        num_classes: number of output logits.
        image_size: input height and width (an int or (H, W)); each stage halves it.
        channels: output channels of each conv stage.
        hidden: if given, a hidden Linear of this width (with ReLU and ``dropout``)
            before the classifier.
        dropout: dropout before the classifier's hidden layer output (0: none).

    >>> import autograd_core as ag, nn
    >>> cnn = nn.CNN(in_channels=1, num_classes=10, image_size=8)
    >>> cnn(ag.randn(4, 1, 8, 8)).shape
    (4, 10)
    >>> cnn[-1]
    Linear(in_features=64, out_features=10, bias=True)
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10,
                 image_size: int | Sequence[int] = 28, channels: Sequence[int] = (8, 16),
                 hidden: int | None = None, dropout: float = 0.0) -> None:
        h, w = _hw(image_size)
        layers: list[Module] = []
        c = in_channels
        for out_c in channels:
            if h < 2 or w < 2:
                raise ValueError(f"CNN: image_size {image_size} is too small for "
                                 f"{len(channels)} pooling stages")
            layers += [Conv2d(c, out_c, 3, padding=1), ReLU(), MaxPool2d(2)]
            c, h, w = out_c, h // 2, w // 2
        layers.append(Flatten())
        flat = c * h * w
        if hidden is not None:
            layers += [Linear(flat, hidden), ReLU()]
            if dropout > 0:
                layers.append(Dropout(dropout))
            flat = hidden
        layers.append(Linear(flat, num_classes))
        super().__init__(*layers)
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.image_size = _hw(image_size)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim != 4 or tuple(input.shape[1:]) != (self.in_channels, *self.image_size):
            raise ValueError(f"CNN: expected input of shape (N, {self.in_channels}, "
                             f"{self.image_size[0]}, {self.image_size[1]}), got "
                             f"{tuple(input.shape)}")
        return super().forward(input)


class ResidualBlock(Module):
    """A residual block, ``out = act(main(x) + shortcut(x))``, dense or convolutional.

    ``kind='dense'`` (on (..., features) input):
    ``main = Linear(features, hidden) -> act -> [Dropout] -> Linear(hidden, out)``, with a
    pre-``LayerNorm`` when ``norm=True``, and no activation after the sum
    (``out = x + main(x)``, the transformer-style pre-norm residual).

    ``kind='conv'`` (ResNet's basic block on (N, C, H, W) input):
    ``main = Conv3x3(stride) -> BatchNorm -> ReLU -> Conv3x3 -> BatchNorm`` and
    ``out = relu(main(x) + shortcut(x))``; the shortcut is the identity, or a 1x1 conv with
    BatchNorm when the stride or the channel count changes.

    Args:
        features: input features (dense) or channels (conv).
        out_features: output features/channels (default: same as input).
        kind: ``'dense'`` or ``'conv'``.
        hidden: dense only, the inner width (default ``features``).
        stride: conv only, the stride of the first conv (2 halves the image).
        norm: use LayerNorm (dense) / BatchNorm (conv).
        activation: the activation (name or Module class), ``'relu'`` by default.
        dropout: dense only, dropout in the inner layer.

    >>> import autograd_core as ag, nn
    >>> nn.ResidualBlock(32, hidden=64)(ag.randn(8, 32)).shape
    (8, 32)
    >>> nn.ResidualBlock(16, 32, kind="conv", stride=2)(ag.randn(2, 16, 8, 8)).shape
    (2, 32, 4, 4)
    """

    def __init__(self, features: int, out_features: int | None = None, kind: str = "dense",
                 hidden: int | None = None, stride: int = 1, norm: bool = True,
                 activation: Any = "relu", dropout: float = 0.0) -> None:
        super().__init__()
        out = features if out_features is None else out_features
        self.kind = kind
        if kind == "dense":
            if stride != 1:
                raise ValueError("ResidualBlock: stride applies to kind='conv' only")
            h = features if hidden is None else hidden
            self.norm = LayerNorm(features) if norm else Identity()
            self.fc1 = Linear(features, h)
            self.act = make_activation(activation)
            self.dropout = Dropout(dropout) if dropout > 0 else Identity()
            self.fc2 = Linear(h, out)
            self.shortcut = Identity() if out == features else Linear(features, out)
        elif kind == "conv":
            if hidden is not None:
                raise ValueError("ResidualBlock: hidden applies to kind='dense' only")
            self.conv1 = Conv2d(features, out, 3, stride=stride, padding=1, bias=not norm)
            self.bn1 = BatchNorm2d(out) if norm else Identity()
            self.act = make_activation(activation)
            self.conv2 = Conv2d(out, out, 3, padding=1, bias=not norm)
            self.bn2 = BatchNorm2d(out) if norm else Identity()
            if stride != 1 or out != features:
                self.shortcut = Sequential(Conv2d(features, out, 1, stride=stride, bias=not norm),
                                           BatchNorm2d(out) if norm else Identity())
            else:
                self.shortcut = Identity()
        else:
            raise ValueError(f"ResidualBlock: kind must be 'dense' or 'conv', got {kind!r}")

    def forward(self, x: Tensor) -> Tensor:
        if self.kind == "dense":
            y = self.fc2(self.dropout(self.act(self.fc1(self.norm(x)))))
            return self.shortcut(x) + y
        y = self.act(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.act(y + self.shortcut(x))


class ResNet(Module):
    """A small ResNet for small images (CIFAR-style): a 3x3 conv stem, stages of conv
    ``ResidualBlock``\\ s (each stage after the first halves the image), global average
    pooling and a Linear classifier.

    Args:
        in_channels: input channels.
        num_classes: number of output logits.
        widths: channels of each stage.
        blocks: residual blocks per stage (an int for all stages, or one per stage).

    >>> import autograd_core as ag, nn
    >>> net = nn.ResNet(in_channels=1, num_classes=10, widths=(8, 16), blocks=1)
    >>> net(ag.randn(2, 1, 8, 8)).shape
    (2, 10)
    """

    def __init__(self, in_channels: int = 3, num_classes: int = 10,
                 widths: Sequence[int] = (16, 32, 64), blocks: int | Sequence[int] = 1) -> None:
        super().__init__()
        widths = tuple(widths)
        if not widths:
            raise ValueError("ResNet: widths must name at least one stage")
        per_stage = [blocks] * len(widths) if isinstance(blocks, int) else list(blocks)
        if len(per_stage) != len(widths):
            raise ValueError(f"ResNet: got {len(per_stage)} block counts for {len(widths)} stages")
        self.stem = Sequential(Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
                               BatchNorm2d(widths[0]), ReLU())
        stages = OrderedDict()
        c = widths[0]
        for i, (w, n) in enumerate(zip(widths, per_stage)):
            blocks_i: list[Module] = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                blocks_i.append(ResidualBlock(c, w, kind="conv", stride=stride))
                c = w
            stages[f"stage{i + 1}"] = Sequential(*blocks_i)
        self.stages = Sequential(stages)
        self.pool = AdaptiveAvgPool2d(1)
        self.flatten = Flatten()
        self.fc = Linear(c, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.flatten(self.pool(self.stages(self.stem(x)))))


class TransformerEncoderBlock(Module):
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

    >>> import autograd_core as ag, nn
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
        self.linear1 = Linear(d_model, ff, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(ff, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = layer_activation(activation)
        self.batch_first = batch_first

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any,
                  is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

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

    >>> import autograd_core as ag, nn
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
