"""``Adamax``: Adam with the infinity norm of past gradients in place of their RMS.

PyTorch's update, step for step (``t`` counts this parameter's steps)::

    g = -grad if maximize else grad
    g = g + weight_decay * p                   (if weight_decay)
    m = lerp(m, g, 1 - beta1)
    u = max(beta2 * u, |g| + eps)
    p = p - lr / (1 - beta1**t) * m / u

>>> import autograd_core as ag
>>> from autograd_core.optim import Adamax
>>> x = ag.tensor([1.0], requires_grad=True)
>>> opt = Adamax([x], lr=0.1)
>>> (x * x).sum().backward(); opt.step()
>>> round(x.item(), 6)   # the first step moves by lr, as Adam's
0.9
"""
from __future__ import annotations

from typing import Any, Dict, Tuple

import numpy as np

from .optimizer import ParamsT, _check_adam_args, _lerp_, _ParamwiseOptimizer, _unsupported

__all__ = ["Adamax"]


class Adamax(_ParamwiseOptimizer):
    """Adamax, as ``torch.optim.Adamax``.

    Args:
        params: tensors to optimize, or parameter-group dicts.
        lr: learning rate (default ``2e-3``).
        betas: decay rates of the first moment average and of the infinity norm.
        eps: added to ``|g|`` before the maximum, for numerical stability.
        weight_decay: L2 penalty added to the gradient.
        foreach: accepted for compatibility (positional, as in PyTorch); no effect.
        maximize: maximize the objective instead of minimizing.

    State per parameter: ``step``, ``exp_avg`` and ``exp_inf``.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import Adamax
    >>> w = ag.tensor([2.0, -1.0], requires_grad=True)
    >>> opt = Adamax([w], lr=0.5)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 1.5000, -0.5000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        betas = _check_adam_args(lr, betas, eps, weight_decay)
        _unsupported("Adamax", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    _state_buffers = ("exp_avg", "exp_inf")

    def _update(self, group: Dict[str, Any], state: Dict[str, Any], pd: np.ndarray,
                g: np.ndarray, step: float) -> None:
        beta1, beta2 = group["betas"]
        m = state["exp_avg"].numpy()
        u = state["exp_inf"].numpy()
        _lerp_(m, g, 1 - beta1)
        u *= beta2
        norm = np.abs(g)
        norm += group["eps"]
        np.maximum(u, norm, out=u)
        clr = float(group["lr"]) / (1 - beta1 ** step)
        upd = -clr * m
        upd /= u
        pd += upd
