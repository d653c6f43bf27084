"""``Adam`` and ``AdamW``: adaptive moment estimation, with AMSGrad and decoupled weight decay.

PyTorch's update, step for step (``t`` counts this parameter's steps)::

    g = -grad if maximize else grad
    p = p * (1 - lr * weight_decay)            (AdamW: decoupled decay)
    g = g + weight_decay * p                   (Adam: L2 penalty in the gradient)
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    v_max = max(v_max, v)                      (amsgrad; used in place of v below)
    p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

>>> import autograd_core as ag
>>> from autograd_core.optim import Adam
>>> x = ag.tensor([1.0], requires_grad=True)
>>> opt = Adam([x], lr=0.1)
>>> (x * x).sum().backward(); opt.step()
>>> round(x.item(), 6)   # the first Adam step moves by lr whatever the gradient's size
0.9
"""
from __future__ import annotations

from typing import Any, Dict, Tuple

import numpy as np

from autograd_core import kernels

from .optimizer import (ParamsT, _check_adam_args, _ParamwiseOptimizer, _unsupported,
                        _update_moments)

__all__ = ["Adam", "AdamW"]


class Adam(_ParamwiseOptimizer):
    """Adam, as ``torch.optim.Adam``.

    Args:
        params: tensors to optimize, or parameter-group dicts.
        lr: learning rate.
        betas: decay rates of the first and second moment averages.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty added to the gradient (decoupled in ``AdamW``).
        amsgrad: use the maximum of past second moments (AMSGrad).
        maximize: maximize the objective instead of minimizing.
        decoupled_weight_decay: decay the weights directly (this makes it ``AdamW``).

    State per parameter: ``step`` (a float32 0-d tensor, as PyTorch), ``exp_avg``,
    ``exp_avg_sq`` and, with amsgrad, ``max_exp_avg_sq``.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import Adam
    >>> w = ag.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.01, amsgrad=True)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.9900, -0.9900], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        betas = _check_adam_args(lr, betas, eps, weight_decay)
        _unsupported(type(self).__name__, differentiable=differentiable, fused=fused,
                     capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps,
                        weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _buffers(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if group["amsgrad"] else ())

    def _update(self, group: Dict[str, Any], state: Dict[str, Any], pd: np.ndarray,
                g: np.ndarray, step: float) -> None:
        beta1, beta2 = group["betas"]
        vmax = state["max_exp_avg_sq"].numpy() if group["amsgrad"] else None
        if kernels.adam_update(pd, g, state["exp_avg"].numpy(), state["exp_avg_sq"].numpy(),
                               vmax, lr=float(group["lr"]), beta1=beta1, beta2=beta2,
                               eps=group["eps"], step=step):
            return      # one pass, the same numbers as the rule below
        m, v = _update_moments(state, g, beta1, beta2)
        step_size = float(group["lr"]) / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        if vmax is not None:
            np.maximum(vmax, v, out=vmax)
            denom = np.sqrt(vmax)
        else:
            denom = np.sqrt(v)
        denom /= bias_correction2_sqrt
        denom += group["eps"]
        upd = -step_size * m
        upd /= denom
        pd += upd


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (``p *= 1 - lr * weight_decay``), as
    ``torch.optim.AdamW`` (default ``weight_decay=1e-2``).

    >>> import autograd_core as ag
    >>> from autograd_core.optim import AdamW
    >>> w = ag.tensor([1.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = ag.tensor([0.0]); opt.step()   # no gradient signal: only the decay acts
    >>> round(w.item(), 6)
    0.95
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True

