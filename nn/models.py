"""Models users reach for: ``MLP``, a LeNet-style ``CNN``, ``ResidualBlock`` (dense and
conv) and a small ``ResNet``. (The transformer layers are in ``nn.modules.transformer``.)

Each is built from the public layers, so its ``state_dict`` keys are the ones the
equivalent PyTorch model would have.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.MLP(4, [8], 2)(ag.randn(3, 4)).shape
(3, 2)
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Sequence

from autograd_core import Tensor

from .modules.activation import ReLU, make_activation
from .modules.container import Sequential
from .modules.conv import Conv2d
from .modules.dropout import Dropout
from .modules.flatten import Flatten
from .modules.linear import Identity, Linear
from .modules.module import Module
from .modules.normalization import BatchNorm2d, LayerNorm
from .modules.pooling import AdaptiveAvgPool2d, MaxPool2d

__all__ = ["MLP", "CNN", "ResidualBlock", "ResNet"]


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

    >>> import autograd_core as ag, autograd_core.nn as nn
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

    >>> import autograd_core as ag, autograd_core.nn as nn
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

    >>> import autograd_core as ag, autograd_core.nn as nn
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

    >>> import autograd_core as ag, autograd_core.nn as nn
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
