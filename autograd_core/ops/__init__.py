"""Every differentiable op, one module per concept: pointwise (arithmetic, selection,
casts, rounding), special (exp, log, trigonometry, sigmoid, erf, ...), activation,
reduce, movement, index, linalg, conv, pool, loss, normalization, attention, recurrent.

An op is a ``Function`` with its forward (arrays) and backward (Tensor ops) side by side,
and an ``array_backward`` when it has a faster one. ``tensor_method`` turns a function of
one tensor into ``Tensor.<name>()``, ``autograd_core.<name>(x)`` and ``Tensor.<name>_()``.

>>> from autograd_core.ops import TENSOR_METHODS
>>> TENSOR_METHODS["tan"].__name__
'Tan'
"""
from __future__ import annotations

from typing import Callable

# name -> Function of one tensor: a Tensor method (floats; integers promoted to the default
# float dtype), a function of the package and an in-place method
TENSOR_METHODS: dict[str, type] = {}


def tensor_method(name: str) -> Callable[[type], type]:
    """Class decorator: the op becomes ``Tensor.<name>()`` and its function and in-place
    forms."""
    def register(cls: type) -> type:
        TENSOR_METHODS[name] = cls
        return cls
    return register
