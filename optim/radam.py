"""``RAdam``: Adam with a rectified (variance-corrected) adaptive learning rate.

PyTorch's update, step for step (``t`` counts this parameter's steps)::

    g = -grad if maximize else grad
    p = p * (1 - lr * weight_decay)            (decoupled_weight_decay)
    g = g + weight_decay * p                   (otherwise, if weight_decay)
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
    if rho_t > 5:
        r = sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
        p = p - m_hat * lr * sqrt(1 - beta2**t) / (sqrt(v) + eps) * r
    else:
        p = p - m_hat * lr                     (plain momentum SGD for the first steps)

>>> import autograd_core as ag
>>> from autograd_core.optim import RAdam
>>> x = ag.tensor([1.0], requires_grad=True)
>>> opt = RAdam([x], lr=0.1)
>>> (x * x).sum().backward(); opt.step()
>>> round(x.item(), 6)   # rho_1 = 1 <= 5: an SGD step on m_hat = 2
0.8
"""
from __future__ import annotations

from typing import Any, Dict, Tuple

import numpy as np

from .optimizer import (ParamsT, _check_adam_args, _ParamwiseOptimizer, _unsupported,
                        _update_moments)

__all__ = ["RAdam"]


class RAdam(_ParamwiseOptimizer):
    """RAdam, as ``torch.optim.RAdam``.

    Args:
        params: tensors to optimize, or parameter-group dicts.
        lr: learning rate.
        betas: decay rates of the first and second moment averages.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty added to the gradient (or decoupled, see below).
        decoupled_weight_decay: decay the weights directly, as AdamW.
        maximize: maximize the objective instead of minimizing.

    State per parameter: ``step``, ``exp_avg`` and ``exp_avg_sq``.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import RAdam
    >>> w = ag.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = RAdam([w], lr=0.01, betas=(0.9, 0.99))
    >>> for _ in range(7):
    ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
    >>> bool((w.detach().abs() < 1).all()), float(opt.state[w]["step"])
    (True, 7.0)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        betas = _check_adam_args(lr, betas, eps, weight_decay)
        _unsupported("RAdam", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    _state_buffers = ("exp_avg", "exp_avg_sq")

    def _update(self, group: Dict[str, Any], state: Dict[str, Any], pd: np.ndarray,
                g: np.ndarray, step: float) -> None:
        beta1, beta2 = group["betas"]
        m, v = _update_moments(state, g, beta1, beta2)
        bias_correction2 = 1 - beta2 ** step
        upd = m / (1 - beta1 ** step)
        upd *= float(group["lr"])
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            denom = np.sqrt(v)
            denom += group["eps"]
            # PyTorch's ``scalar / tensor`` is ``tensor.reciprocal() * scalar``
            adaptive = np.reciprocal(denom, out=denom)
            adaptive *= bias_correction2 ** 0.5
            upd *= adaptive
            upd *= rect
        pd -= upd
