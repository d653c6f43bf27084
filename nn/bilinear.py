"""Bilinear layer: ``bilinear`` (``nn.functional``) and ``Bilinear``,
``y = x1^T W x2 + b`` for each output feature.

>>> import autograd_core as ag, nn
>>> nn.Bilinear(3, 4, 5)(ag.randn(8, 3), ag.randn(8, 4)).shape
(8, 5)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["bilinear", "Bilinear"]


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]``, with
    ``weight`` (out, in1, in2) and inputs (..., in1), (..., in2) of the same leading dims.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.bilinear(ag.ones(2, 3), ag.ones(2, 4), ag.ones(5, 3, 4)).tolist()[0]
    [12.0, 12.0, 12.0, 12.0, 12.0]
    """
    for name, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        F._tensor(t, "bilinear", name)
    if weight.ndim != 3:
        raise ValueError(f"bilinear: expected a 3D weight (out, in1, in2), got shape "
                         f"{tuple(weight.shape)}")
    out, n1, n2 = weight.shape
    if input1.ndim == 0 or input1.shape[-1] != n1 or input2.ndim == 0 or \
            input2.shape[-1] != n2 or input1.shape[:-1] != input2.shape[:-1]:
        raise ValueError(f"bilinear: expected input1 (..., {n1}) and input2 (..., {n2}) with the "
                         f"same leading dims for weight of shape {tuple(weight.shape)}, got "
                         f"shapes {tuple(input1.shape)} and {tuple(input2.shape)}")
    if bias is not None and tuple(bias.shape) != (out,):
        raise ValueError(f"bilinear: expected bias of shape ({out},), got {tuple(bias.shape)}")
    lead = input1.shape[:-1]
    # (..., in1) @ (in1, out * in2) -> (..., out, in2), then contract in2 with input2
    t = (input1.reshape(-1, n1) @ weight.permute(1, 0, 2).reshape(n1, out * n2))
    y = (t.reshape(-1, out, n2) * input2.reshape(-1, 1, n2)).sum(-1).reshape(lead + (out,))
    return y + bias if bias is not None else y


class Bilinear(Module):
    """``y = x1^T W x2 + b``; ``weight`` is (out_features, in1_features, in2_features), and
    weight and bias start uniform in (-1/sqrt(in1_features), 1/sqrt(in1_features)), as
    PyTorch's.

    >>> import autograd_core as ag, nn
    >>> m = nn.Bilinear(20, 30, 40)
    >>> m
    Bilinear(in1_features=20, in2_features=30, out_features=40, bias=True)
    >>> m(ag.randn(128, 20), ag.randn(128, 30)).shape
    (128, 40)
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        dt = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1]) if self.weight.shape[1] else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
