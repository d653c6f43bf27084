"""The model families the training application builds, adapted to the data: ``mlp``,
``cnn``, ``resnet`` and ``attention`` (:class:`SequenceClassifier`); the settings each
takes; and the sizes of a model (its state dict, one example's activations) computed from
those settings without building it.

Rule: :func:`state_dict_size` and :func:`activation_size` follow :func:`build_model`; a
change to an architecture changes them too (tests compare them with built models).

>>> from autograd_cli.models import build_model, state_dict_size
>>> model = build_model("cnn", (1, 8, 8), 10, "digits")
>>> type(model).__name__, state_dict_size("cnn", (1, 8, 8), 10,
...                                       {"channels": [16, 32], "hidden": 64})
('CNN', 13706)
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import nn
from autograd_core import Tensor

from .datasets import DATASETS
from .errors import ConfigError

__all__ = ["MODELS", "IMAGE_MODELS", "MODEL_KWARGS", "SequenceClassifier",
           "default_model_kwargs", "build_model", "state_dict_size", "activation_size"]

MODELS = ("mlp", "cnn", "resnet", "attention")
IMAGE_MODELS = ("cnn", "resnet")
# Architecture settings each model family takes, and what each must be.
MODEL_KWARGS = {
    "mlp": {"hidden_sizes": "sizes"},
    "cnn": {"channels": "sizes", "hidden": "size or None", "dropout": "probability"},
    "resnet": {"widths": "sizes", "blocks": "count or counts"},
    "attention": {"d_model": "size", "nhead": "size", "num_layers": "count",
                  "dim_feedforward": "size or None", "dropout": "probability"},
}


class SequenceClassifier(nn.Module):
    """A transformer classifier over a sequence of tokens: a Linear embedding of each token,
    a learned position embedding, ``num_layers`` pre-norm ``nn.TransformerEncoderBlock``\\ s,
    a final LayerNorm, the mean over tokens and a Linear classifier.

    Input ``(N, num_tokens, token_dim)``, or anything with ``num_tokens * token_dim`` values
    per example: an image ``(N, 1, H, W)`` is read as H tokens, one per row; tabular data
    ``(N, F)`` as F tokens of one feature each.

    >>> SequenceClassifier(8, 8, 10)(ag.randn(2, 1, 8, 8)).shape
    (2, 10)
    """

    def __init__(self, num_tokens: int, token_dim: int, num_classes: int, d_model: int = 32,
                 nhead: int = 4, num_layers: int = 1, dim_feedforward: int | None = None,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.num_tokens, self.token_dim = int(num_tokens), int(token_dim)
        self.embed = nn.Linear(token_dim, d_model)
        self.pos = nn.Parameter(ag.zeros(1, num_tokens, d_model))
        nn.init.normal_(self.pos, std=0.02)
        self.blocks = nn.Sequential(*[
            nn.TransformerEncoderBlock(d_model, nhead, dim_feedforward, dropout=dropout)
            for _ in range(num_layers)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = x.reshape(x.shape[0], self.num_tokens, self.token_dim)
        h = self.blocks(self.embed(x) + self.pos)
        return self.head(self.norm(h).mean(dim=1))


def default_model_kwargs(model: str, data: str, input_shape: Sequence[int]) -> dict:
    """The architecture ``build_model`` uses for ``model`` on ``data`` by default.

    >>> default_model_kwargs("mlp", "iris", (4,))
    {'hidden_sizes': [32, 32]}
    >>> default_model_kwargs("attention", "fashion-mnist", (1, 28, 28))
    {'d_model': 64, 'nhead': 4, 'num_layers': 1}
    """
    spec = DATASETS[data] if data in DATASETS else None
    kind = spec.kind if spec else ("image" if len(input_shape) == 3 else "tabular")
    big = kind == "image" and max(input_shape[1:]) > 16
    if model == "mlp":
        if kind == "image":
            return {"hidden_sizes": [256] if big else [128]}
        return {"hidden_sizes": [32, 32] if data == "iris" else [64, 64]}
    if model == "cnn":
        return {"channels": [16, 32], "hidden": 128 if big else 64}
    if model == "resnet":
        return {"widths": [16, 32], "blocks": 1}
    if model == "attention":
        return {"d_model": 64 if big else 32, "nhead": 4, "num_layers": 1}
    raise ConfigError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def build_model(model: str, input_shape: Sequence[int], num_classes: int, data: str = "",
                **kwargs: Any) -> Any:
    """An ``nn.Module`` of family ``model`` for inputs of ``input_shape`` (one example).

    * ``mlp``: ``nn.MLP`` on the flattened input (with an ``nn.Flatten`` first for images);
    * ``cnn``: ``nn.CNN`` (images only);
    * ``resnet``: a small ``nn.ResNet`` (images only);
    * ``attention``: :class:`SequenceClassifier`, image rows (or single features) as tokens.

    ``kwargs`` override the architecture of :func:`default_model_kwargs`.

    >>> build_model("mlp", (4,), 3, "iris")[-1]
    Linear(in_features=32, out_features=3, bias=True)
    """
    input_shape = tuple(int(s) for s in input_shape)
    cfg = {**default_model_kwargs(model, data, input_shape), **kwargs}
    image = len(input_shape) == 3
    if model == "mlp":
        net = nn.MLP(int(np.prod(input_shape)), list(cfg["hidden_sizes"]), num_classes)
        return nn.Sequential(nn.Flatten(), net) if image else net
    if model in IMAGE_MODELS and not image:
        raise ConfigError(f"--model {model} needs image data (digits, fashion-mnist, mnist); "
                          f"{data or 'this data'} is tabular: use --model mlp or attention")
    if model == "cnn":
        c, h, w = input_shape
        return nn.CNN(in_channels=c, num_classes=num_classes, image_size=(h, w),
                      channels=tuple(cfg["channels"]), hidden=cfg.get("hidden"),
                      dropout=cfg.get("dropout", 0.0))
    if model == "resnet":
        return nn.ResNet(in_channels=input_shape[0], num_classes=num_classes,
                         widths=tuple(cfg["widths"]), blocks=cfg["blocks"])
    if model == "attention":
        if image:
            c, h, w = input_shape
            tokens, dim = h, c * w
            if c != 1:
                raise ConfigError("--model attention reads image rows as tokens and needs one "
                                  f"channel, got {c}")
        else:
            tokens, dim = input_shape[0], 1
        return SequenceClassifier(tokens, dim, num_classes, d_model=cfg["d_model"],
                                  nhead=cfg["nhead"], num_layers=cfg["num_layers"],
                                  dim_feedforward=cfg.get("dim_feedforward"),
                                  dropout=cfg.get("dropout", 0.0))
    raise ConfigError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def _bn(n: int) -> int:
    return 4 * n + 1  # BatchNorm2d: weight, bias, running mean and variance, batch count


def state_dict_size(model: str, input_shape: Sequence[int], num_classes: int,
                    arch: dict) -> int:
    """How many values the state dict of ``build_model(model, input_shape, num_classes,
    **arch)`` holds, computed without building it (``arch``: complete settings) and in
    closed form, so that any settings a file asks for are sized at once.

    >>> state_dict_size("mlp", (2,), 2, {"hidden_sizes": [64, 64]})
    4482
    """
    k = num_classes
    if model == "mlp":
        sizes = [math.prod(input_shape), *arch["hidden_sizes"], k]
        return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    if model == "cnn":
        c, h, w = input_shape
        n = 0
        for out_c in arch["channels"]:
            n += c * out_c * 9 + out_c
            c, h, w = out_c, h // 2, w // 2
        flat = c * h * w
        if arch.get("hidden") is not None:
            n += flat * arch["hidden"] + arch["hidden"]
            flat = arch["hidden"]
        return n + flat * k + k
    if model == "resnet":
        widths = list(arch["widths"])
        blocks = arch["blocks"]
        per_stage = [blocks] * len(widths) if isinstance(blocks, int) else list(blocks)
        c = widths[0]
        n = input_shape[0] * c * 9 + _bn(c)
        for i, (w, count) in enumerate(zip(widths, per_stage)):  # closed form per stage
            if count == 0:
                continue
            n += c * w * 9 + _bn(w) + w * w * 9 + _bn(w)  # its first block, from c channels
            if i > 0 or w != c:
                n += c * w + _bn(w)  # a 1x1 conv shortcut: stride 2 or a new width
            n += (count - 1) * (2 * (w * w * 9 + _bn(w)))
            c = w
        return n + c * k + k
    if model == "attention":
        tokens, dim = (input_shape[1], input_shape[0] * input_shape[2]) \
            if len(input_shape) == 3 else (input_shape[0], 1)
        d = arch["d_model"]
        ff = arch.get("dim_feedforward") or 4 * d
        layer = (3 * d * d + 3 * d) + (d * d + d) + (d * ff + ff) + (ff * d + d) + 4 * d
        return (dim * d + d) + tokens * d + arch["num_layers"] * layer + 2 * d + d * k + k
    raise ConfigError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def activation_size(model: str, input_shape: Sequence[int], num_classes: int,
                    arch: dict) -> int:
    """A generous estimate of the values one example's forward pass holds at once (inputs
    unfolded for convolutions, layer outputs, attention scores), computed from the settings
    in closed form.

    >>> activation_size("mlp", (2,), 2, {"hidden_sizes": [64, 64]})
    264
    """
    k = num_classes
    if model == "mlp":
        return 2 * (math.prod(input_shape) + sum(arch["hidden_sizes"]) + k)
    if model == "cnn":
        c, h, w = input_shape
        n = c * h * w
        for out_c in arch["channels"]:
            n += (c * 9 + 3 * out_c) * h * w
            c, h, w = out_c, h // 2, w // 2
        return n + 2 * (c * h * w + (arch.get("hidden") or 0) + k)
    if model == "resnet":
        c, h, w = input_shape
        widths = list(arch["widths"])
        blocks = arch["blocks"]
        per_stage = [blocks] * len(widths) if isinstance(blocks, int) else list(blocks)
        n = (c * 9 + 3 * widths[0]) * h * w
        c = widths[0]
        for i, (wd, count) in enumerate(zip(widths, per_stage)):  # closed form per stage
            if count == 0:
                continue
            if i > 0:
                h, w = (h + 1) // 2, (w + 1) // 2
            n += (c * 9 + wd * 9 + 8 * wd) * h * w + (count - 1) * (26 * wd) * h * w
            c = wd
        return n + 2 * (c + k)
    if model == "attention":
        tokens = input_shape[1] if len(input_shape) == 3 else input_shape[0]
        d = arch["d_model"]
        ff = arch.get("dim_feedforward") or 4 * d
        per_layer = tokens * (12 * d + 2 * ff) + 3 * arch["nhead"] * tokens * tokens
        return math.prod(input_shape) + 3 * tokens * d + arch["num_layers"] * per_layer + 2 * k
    raise ConfigError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
