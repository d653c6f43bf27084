"""``NAdam``: Adam with Nesterov momentum and a momentum-decay schedule.

PyTorch's update, step for step (``t`` counts this parameter's steps, ``psi`` is
``momentum_decay``)::

    g = -grad if maximize else grad
    p = p * (1 - lr * weight_decay)            (decoupled_weight_decay: NAdamW)
    g = g + weight_decay * p                   (otherwise, if weight_decay)
    mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * psi));  mu_{t+1} likewise
    mu_product = mu_product * mu_t             (kept in the state, as a 0-d tensor)
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    denom = sqrt(v / (1 - beta2**t)) + eps
    p = p - lr * (1 - mu_t) / (1 - mu_product) * g / denom
    p = p - lr * mu_{t+1} / (1 - mu_product * mu_{t+1}) * m / denom

>>> import autograd_core as ag
>>> from autograd_core.optim import NAdam
>>> x = ag.tensor([1.0], requires_grad=True)
>>> opt = NAdam([x], lr=0.1)
>>> (x * x).sum().backward(); opt.step()
>>> round(x.item(), 4)   # a little more than Adam's lr: the Nesterov look-ahead
0.8944
"""
from __future__ import annotations

from typing import Any, Dict, Tuple

import numpy as np

from autograd_core import Tensor

from .optimizer import (ParamsT, _check_adam_args, _check_nonneg, _ParamwiseOptimizer,
                        _step_tensor, _unsupported, _update_moments, _zeros)

__all__ = ["NAdam"]


class NAdam(_ParamwiseOptimizer):
    """NAdam, as ``torch.optim.NAdam``.

    Args:
        params: tensors to optimize, or parameter-group dicts.
        lr: learning rate (default ``2e-3``).
        betas: decay rates of the first and second moment averages.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty added to the gradient (or decoupled, see below).
        momentum_decay: ``psi`` of the momentum schedule ``beta1 * (1 - 0.96**(t*psi) / 2)``.
        decoupled_weight_decay: decay the weights directly, as AdamW (this gives NAdamW).
        maximize: maximize the objective instead of minimizing.

    State per parameter: ``step`` and ``mu_product`` (0-d tensors of PyTorch's scalar
    dtype), ``exp_avg`` and ``exp_avg_sq``.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import NAdam
    >>> w = ag.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = NAdam([w], lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)
    >>> (w * w).sum().backward(); opt.step()
    >>> sorted(opt.state[w]), float(opt.state[w]["step"])
    (['exp_avg', 'exp_avg_sq', 'mu_product', 'step'], 1.0)
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        betas = _check_adam_args(lr, betas, eps, weight_decay)
        _check_nonneg("momentum_decay", momentum_decay, "momentum_decay value")
        _unsupported("NAdam", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: Dict[str, Any]) -> None:
        state = self.state[p]  # PyTorch's order of the keys
        state["step"] = _step_tensor()
        state["mu_product"] = _step_tensor(1.0)
        state["exp_avg"] = _zeros(p)
        state["exp_avg_sq"] = _zeros(p)

    _elementwise = False   # each update multiplies the shared scalar mu_product

    def _update(self, group: Dict[str, Any], state: Dict[str, Any], pd: np.ndarray,
                g: np.ndarray, step: float) -> None:
        lr = float(group["lr"])
        beta1, beta2 = group["betas"]
        psi = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
        mp = state["mu_product"].numpy()
        mp *= mu  # in the scalar dtype (float32 by default), as PyTorch
        mu_product = float(mp)
        mu_product_next = mu_product * mu_next
        m, v = _update_moments(state, g, beta1, beta2)
        denom = v / (1 - beta2 ** step)
        np.sqrt(denom, out=denom)
        denom += group["eps"]
        upd = (-lr * (1.0 - mu) / (1.0 - mu_product)) * g
        upd /= denom
        pd += upd
        upd = ((-lr * mu_next) / (1.0 - mu_product_next)) * m
        upd /= denom
        pd += upd
