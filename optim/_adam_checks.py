"""Argument checks shared by the Adam-family optimizers (Adam, AdamW, NAdam, RAdam, Adamax).

PyTorch's messages, word for word, so that errors read the same after a port.

>>> from optim._adam_checks import _check_betas
>>> _check_betas((0.9, 0.999))
(0.9, 0.999)
>>> _check_betas((1.0, 0.9))
Traceback (most recent call last):
...
ValueError: Invalid beta parameter at index 0: 1.0
"""
from __future__ import annotations

from typing import Any, Tuple

from .optimizer import _check_nonneg

__all__: list = []


def _check_betas(betas: Any) -> Tuple[float, float]:
    """``betas`` as a pair of floats in ``[0, 1)``, or PyTorch's ValueError."""
    try:
        betas = tuple(betas)
    except TypeError:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for i, b in enumerate(betas):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {b}")
    return float(betas[0]), float(betas[1])


def _check_adam_args(lr: Any, betas: Any, eps: Any, weight_decay: Any) -> Tuple[float, float]:
    """PyTorch's checks of ``lr``, ``eps``, ``betas`` and ``weight_decay``, in its order;
    returns the betas as a pair of floats."""
    _check_nonneg("lr", lr, "learning rate")
    _check_nonneg("eps", eps, "epsilon value")
    pair = _check_betas(betas)
    _check_nonneg("weight_decay", weight_decay, "weight_decay value")
    return pair
