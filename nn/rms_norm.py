"""Root-mean-square normalisation: ``rms_norm`` (``nn.functional``) and ``RMSNorm``.

``y = x / sqrt(mean(x^2) + eps) * weight`` over the trailing ``normalized_shape`` dims,
composed of differentiable Tensor ops; ``eps=None`` is the machine epsilon of the
input's dtype, as PyTorch's.

>>> import autograd_core as ag, nn
>>> nn.RMSNorm(2)(ag.tensor([[3.0, 4.0]])).tolist()
[[0.8485..., 1.1313...]]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from . import functional as F
from .module import Module
from .parameter import Parameter

__all__ = ["rms_norm", "RMSNorm"]


def _shape(normalized_shape: int | Sequence[int]) -> tuple:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def rms_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """Divide by the root mean square over the trailing ``normalized_shape`` dims, then
    scale by ``weight`` (of that shape) if given.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.rms_norm(ag.tensor([[1.0, -1.0]]), (2,)).tolist()
    [[1.0, -1.0]]
    """
    F._tensor(input, "rms_norm")
    shape = _shape(normalized_shape)
    k = len(shape)
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise ValueError(f"rms_norm: expected input with trailing shape {shape}, got shape "
                         f"{tuple(input.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise ValueError(f"rms_norm: expected weight of shape {shape}, got "
                         f"{tuple(weight.shape)}")
    if eps is None:
        eps = float(np.finfo(input.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


class RMSNorm(Module):
    """Root-mean-square normalisation over the trailing ``normalized_shape`` dims, then an
    elementwise ``weight`` (ones); no bias, no mean subtraction.

    >>> import autograd_core as ag, nn
    >>> norm = nn.RMSNorm(64)
    >>> norm
    RMSNorm((64,), eps=None, elementwise_affine=True)
    >>> norm(ag.randn(8, 10, 64)).shape
    (8, 10, 64)
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None,
                 elementwise_affine: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dt))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            self.weight._data[...] = 1.0

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
