"""Step functions: ``round`` (to ``decimals`` places), ``floor``, ``ceil``, ``trunc``, ``sign``.

They are flat between their jumps, so their gradient is zero (as PyTorch's, which
does not try to describe the jumps). The backward is a constant zero tensor, so
second derivatives are zero too.

>>> import autograd_core as ag
>>> x = ag.tensor([-1.5, 0.5, 2.7], requires_grad=True)
>>> x.floor()
tensor([-2.,  0.,  2.], grad_fn=<FloorBackward0>)
>>> (x.round() * x).sum().backward()
>>> x.grad
tensor([-2.,  0.,  3.])
"""
from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import make
from .elementwise import sign_array


class _Step(Function):
    """Base of the step functions: zero gradient of the input's shape."""

    @staticmethod
    def backward(ctx, grad):
        return make(np.zeros(grad._data.shape, grad._data.dtype))


class Round(_Step):
    op = "round"

    @staticmethod
    def forward(ctx, a, decimals=0):
        # half to even, as PyTorch; with decimals, round(a * 10**d) / 10**d as both do
        return np.asarray(np.round(a, decimals))


class Floor(_Step):
    op = "floor"

    @staticmethod
    def forward(ctx, a):
        return np.asarray(np.floor(a))


class Ceil(_Step):
    op = "ceil"

    @staticmethod
    def forward(ctx, a):
        return np.asarray(np.ceil(a))


class Trunc(_Step):
    op = "trunc"

    @staticmethod
    def forward(ctx, a):
        return np.asarray(np.trunc(a))


class Sign(_Step):
    op = "sign"

    @staticmethod
    def forward(ctx, a):
        return np.asarray(sign_array(a))
