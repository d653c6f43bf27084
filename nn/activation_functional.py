"""More pointwise activations of ``nn.functional``: ``hardsigmoid``, ``hardswish``,
``softsign``, ``tanhshrink``, ``softshrink``, ``hardshrink``, ``threshold`` and ``celu``
(their modules are in ``nn.activation``).

Each is a composition of differentiable Tensor ops, so higher derivatives come free;
at the kinks the gradient is PyTorch's (``hardswish'`` is 0 at -3 and 1 at 3, and it is 0
at the bounds of ``hardsigmoid`` and of the shrinks' dead zone).

>>> import autograd_core as ag, nn.functional as F
>>> F.hardswish(ag.tensor([-4.0, 0.0, 1.0, 4.0])).tolist()
[-0.0, 0.0, 0.6666666..., 4.0]
"""
from __future__ import annotations

import numpy as np

from autograd_core import Tensor
from autograd_core.autograd.inplace import inplace_option
from autograd_core.tensor import make, where

from . import functional as F
from autograd_core.ops.activation import ELU as _ELU
from autograd_core.ops.activation import Hardswish as _Hardswish

__all__ = ["hardsigmoid", "hardswish", "softsign", "tanhshrink", "softshrink", "hardshrink",
           "threshold", "celu"]


def _const(value: float, like: Tensor) -> Tensor:
    return make(np.asarray(value, dtype=like.dtype if like.dtype.kind == "f" else np.float32))


@inplace_option
def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear between.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.hardsigmoid(ag.tensor([-4.0, 0.0, 1.5, 4.0])).tolist()
    [0.0, 0.5, 0.75, 1.0]
    """
    x = F._tensor(input, "hardsigmoid")
    d = x._data
    # as PyTorch: gradient 1/6 strictly inside (-3, 3), 0 outside, also for a NaN
    outside = make(np.clip(d, -3.0, 3.0) / 6.0 + 0.5)
    return where((d > -3.0) & (d < 3.0), x / 6.0 + 0.5, outside)


@inplace_option
def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6`` (MobileNetV3's h-swish).

    >>> import autograd_core as ag, nn.functional as F
    >>> F.hardswish(ag.tensor([-3.0, 3.0])).tolist()
    [-0.0, 3.0]
    """
    # PyTorch's gradient: 0 up to -3, x/3 + 1/2 strictly between, 1 from 3 on
    return _Hardswish.apply(F._tensor(input, "hardswish"))


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.softsign(ag.tensor([-1.0, 3.0])).tolist()
    [-0.5, 0.75]
    """
    x = F._tensor(input, "softsign")
    return x / (x.abs() + 1.0)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.tanhshrink(ag.tensor([0.0])).tolist()
    [0.0]
    """
    x = F._tensor(input, "tanhshrink")
    return x - x.tanh()


def _check_lambd(fn: str, lambd: float) -> None:
    if lambd < 0:
        raise ValueError(f"{fn}: lambda must be greater or equal to 0, but found to be {lambd}")


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.softshrink(ag.tensor([-2.0, 0.3, 1.5]), 0.5).tolist()
    [-1.5, 0.0, 1.0]
    """
    x = F._tensor(input, "softshrink")
    _check_lambd("softshrink", lambd)
    d = x._data
    # PyTorch's mask: 0 on [-lambd, lambd]; a NaN passes (and stays NaN)
    return where((d >= -lambd) & (d <= lambd), _const(0.0, x),
                 where(d > lambd, x - lambd, x + lambd))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.hardshrink(ag.tensor([-2.0, 0.3, 1.5]), 0.5).tolist()
    [-2.0, 0.0, 1.5]
    """
    x = F._tensor(input, "hardshrink")
    _check_lambd("hardshrink", lambd)
    d = x._data
    return where((d >= -lambd) & (d <= lambd), _const(0.0, x), x)  # a NaN passes


@inplace_option
def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.threshold(ag.tensor([-1.0, 0.5, 2.0]), 1.0, 9.0).tolist()
    [9.0, 9.0, 2.0]
    """
    x = F._tensor(input, "threshold")
    return where(x._data <= threshold, _const(value, x), x)  # a NaN passes, as PyTorch's


@inplace_option
def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    >>> import autograd_core as ag, nn.functional as F
    >>> round(F.celu(ag.tensor([-1.0]), alpha=2.0)[0].item(), 4)
    -0.7869
    """
    x = F._tensor(input, "celu")
    if alpha == 0:
        raise ValueError("celu: ZeroDivisionError: alpha cannot be 0 for CELU")
    if alpha == 1:
        return _ELU.apply(x, alpha=1.0)
    return _ELU.apply(x / alpha, alpha=1.0) * alpha
