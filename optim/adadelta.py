"""``Adadelta``: steps scaled by running RMS of past updates over running RMS of gradients.

PyTorch's update, step for step::

    g = -grad if maximize else grad
    g = g + weight_decay * p                       (if weight_decay)
    v = rho * v + (1 - rho) * g * g
    delta = sqrt(u + eps) / sqrt(v + eps) * g
    u = rho * u + (1 - rho) * delta * delta
    p = p - lr * delta

>>> import autograd_core as ag
>>> from autograd_core.optim import Adadelta
>>> x = ag.tensor([1.0], requires_grad=True)
>>> opt = Adadelta([x], lr=1.0, rho=0.75, eps=1e-4)
>>> (x * x).sum().backward(); opt.step()
>>> round(x.item(), 6)   # v = 0.25 * 4 = 1: delta = sqrt(1e-4) / sqrt(1 + 1e-4) * 2
0.980001
"""
from __future__ import annotations

from typing import Any, Dict

import numpy as np

from .optimizer import ParamsT, _check_nonneg, _ParamwiseOptimizer, _unsupported

__all__ = ["Adadelta"]


class Adadelta(_ParamwiseOptimizer):
    """Adadelta, as ``torch.optim.Adadelta``.

    Args:
        params: tensors to optimize, or parameter-group dicts.
        lr: coefficient that scales ``delta`` before it is applied (default ``1.0``).
        rho: decay rate of the running averages, in ``[0, 1]``.
        eps: added inside both square roots, for numerical stability (default ``1e-6``).
        weight_decay: L2 penalty added to the gradient.
        foreach: accepted for compatibility (positional, as in PyTorch); no effect.
        maximize: maximize the objective instead of minimizing.

    State per parameter: ``step``, ``square_avg`` and ``acc_delta``.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import Adadelta
    >>> w = ag.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = Adadelta([w])
    >>> (w * w).sum().backward(); opt.step()
    >>> sorted(opt.state[w]), opt.defaults["rho"], opt.defaults["eps"]
    (['acc_delta', 'square_avg', 'step'], 0.9, 1e-06)
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg("lr", lr, "learning rate")
        _check_nonneg("rho", rho, "rho value")
        if not rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonneg("eps", eps, "epsilon value")
        _check_nonneg("weight_decay", weight_decay, "weight_decay value")
        _unsupported("Adadelta", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    _state_buffers = ("square_avg", "acc_delta")

    def _update(self, group: Dict[str, Any], state: Dict[str, Any], pd: np.ndarray,
                g: np.ndarray, step: float) -> None:
        rho = group["rho"]
        eps = group["eps"]
        v = state["square_avg"].numpy()
        u = state["acc_delta"].numpy()
        v *= rho
        v += (1 - rho) * g * g
        std = v + eps
        np.sqrt(std, out=std)
        delta = u + eps
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        u *= rho
        u += (1 - rho) * delta * delta
        pd += -float(group["lr"]) * delta
