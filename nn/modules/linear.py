"""``Identity``, ``Linear``, ``LazyLinear`` (``in_features`` read from the first input),
``Bilinear`` (``y = x1^T W x2 + b``) and ``NonDynamicallyQuantizableLinear`` (the
``out_proj`` of ``MultiheadAttention``).

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.Bilinear(3, 4, 5)(ag.randn(8, 3), ag.randn(8, 4)).shape
(8, 5)
"""
from __future__ import annotations

import math
from typing import Any

from autograd_core import Tensor
from autograd_core.ops.linalg import Linear as _LinearOp

from .. import functional as F
from .. import init
from ..functional.arguments import _check_dtype
from ..parameter import UninitializedParameter, _add_bias, _empty, _float_dtype
from .lazy import LazyModuleMixin
from .module import Module

__all__ = ["Identity", "Linear", "LazyLinear", "NonDynamicallyQuantizableLinear", "Bilinear"]


class Identity(Module):
    """Returns its input (a placeholder; any constructor arguments are ignored).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Identity(54, unused="x")(ag.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """``y = x @ weight.T + bias`` on the last dim; ``weight`` is (out_features, in_features).

    Weight and bias start uniform in (-1/sqrt(in_features), 1/sqrt(in_features)), as in
    PyTorch (``kaiming_uniform_(a=sqrt(5))``).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> fc = nn.Linear(784, 10)
    >>> fc
    Linear(in_features=784, out_features=10, bias=True)
    >>> fc(ag.randn(64, 784)).shape
    (64, 10)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError(f"Linear: in_features and out_features must be >= 0, got "
                             f"{in_features} and {out_features}")
        self.in_features = in_features
        self.out_features = out_features
        dt = _float_dtype(dtype)
        self.weight = _empty((out_features, in_features), dt)
        _add_bias(self, bias, (out_features,), dt)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        p = self._parameters
        # a weight (or bias) recomputed by a hook (weight_norm, spectral_norm) is an attribute
        w = p["weight"] if "weight" in p else self.weight
        if not isinstance(input, Tensor):
            raise TypeError(f"{self._get_name()}: expected a Tensor input, got "
                            f"{type(input).__name__}")
        shape = input.shape
        if not shape or shape[-1] != self.in_features:
            raise ValueError(f"{self._get_name()}: expected input with {self.in_features} "
                             f"features (last dim), got shape {tuple(shape)}")
        if input.dtype != w.dtype:
            _check_dtype(self._get_name(), input, w)
        b = p["bias"] if "bias" in p else self.bias
        if b is None:
            return _LinearOp.apply(input, w)
        return _LinearOp.apply(input, w, b)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class NonDynamicallyQuantizableLinear(Linear):
    """The ``Linear`` of ``MultiheadAttention.out_proj`` (PyTorch's class name, for repr).

    >>> from autograd_core import nn
    >>> nn.MultiheadAttention(8, 2).out_proj
    NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
    """


class Bilinear(Module):
    """``y = x1^T W x2 + b``; ``weight`` is (out_features, in1_features, in2_features), and
    weight and bias start uniform in (-1/sqrt(in1_features), 1/sqrt(in1_features)), as
    PyTorch's.

    >>> import autograd_core as ag, autograd_core.nn as nn
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
        self.weight = _empty((out_features, in1_features, in2_features), dtype)
        _add_bias(self, bias, (out_features,), dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1]) if self.weight.shape[1] else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(LazyModuleMixin, Linear):
    """A ``Linear`` whose ``in_features`` is read from the last dim of its first input;
    until then its weight and bias are ``UninitializedParameter`` placeholders.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> fc = nn.LazyLinear(3)
    >>> fc
    LazyLinear(in_features=0, out_features=3, bias=True)
    >>> fc(ag.randn(4, 5)).shape, fc.weight.shape
    ((4, 3), (3, 5))
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()
        elif self.in_features == 0:  # materialised by load_state_dict
            self.in_features = self.weight.shape[-1]
