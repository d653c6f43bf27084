"""``RMSprop``: divide the gradient by a running root-mean-square of recent gradients.

PyTorch's update, step for step::

    g = -grad if maximize else grad
    g = g + weight_decay * p                                   (if weight_decay)
    v = alpha * v + (1 - alpha) * g * g
    avg = sqrt(v - gbar**2) with gbar = lerp(gbar, g, 1 - alpha)   (centered)
    avg = sqrt(v)                                              (otherwise)
    avg = avg + eps
    buf = momentum * buf + g / avg;  p = p - lr * buf          (momentum > 0; buf starts at 0)
    p = p - lr * g / avg                                       (otherwise)

>>> import autograd_core as ag
>>> from autograd_core.optim import RMSprop
>>> x = ag.tensor([1.0], requires_grad=True)
>>> opt = RMSprop([x], lr=0.01, alpha=0.75)
>>> (x * x).sum().backward(); opt.step()
>>> round(x.item(), 6)   # v = 0.25 * 2**2 = 1, so the step is lr * 2 / 1
0.98
"""
from __future__ import annotations

from typing import Any, Dict, Tuple

import numpy as np

from .optimizer import ParamsT, _check_nonneg, _lerp_, _ParamwiseOptimizer, _unsupported

__all__ = ["RMSprop"]


class RMSprop(_ParamwiseOptimizer):
    """RMSprop, as ``torch.optim.RMSprop``.

    Args:
        params: tensors to optimize, or parameter-group dicts.
        lr: learning rate.
        alpha: smoothing constant of the squared-gradient average.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty added to the gradient.
        momentum: momentum factor (the buffer starts at zero).
        centered: normalize by an estimate of the gradient's variance.
        maximize: maximize the objective instead of minimizing.

    State per parameter: ``step``, ``square_avg``, and ``momentum_buffer`` / ``grad_avg``
    when momentum / centered are on.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import RMSprop
    >>> w = ag.tensor([3.0], requires_grad=True)
    >>> opt = RMSprop([w], lr=0.1, momentum=0.5, centered=True)
    >>> (w * w).sum().backward(); opt.step()
    >>> sorted(opt.state[w])
    ['grad_avg', 'momentum_buffer', 'square_avg', 'step']
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg("lr", lr, "learning rate")
        _check_nonneg("eps", eps, "epsilon value")
        _check_nonneg("momentum", momentum, "momentum value")
        _check_nonneg("weight_decay", weight_decay, "weight_decay value")
        _check_nonneg("alpha", alpha, "alpha value")
        _unsupported("RMSprop", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _buffers(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        return (("square_avg",) + (("momentum_buffer",) if group["momentum"] > 0 else ())
                + (("grad_avg",) if group["centered"] else ()))

    def _update(self, group: Dict[str, Any], state: Dict[str, Any], pd: np.ndarray,
                g: np.ndarray, step: float) -> None:
        lr = float(group["lr"])
        alpha = group["alpha"]
        momentum = group["momentum"]
        v = state["square_avg"].numpy()
        v *= alpha
        v += (1 - alpha) * g * g
        if group["centered"]:
            gbar = state["grad_avg"].numpy()
            _lerp_(gbar, g, 1 - alpha)
            avg = v + (-1 * gbar) * gbar
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(v)
        avg += group["eps"]
        if momentum > 0:
            buf = state["momentum_buffer"].numpy()
            buf *= momentum
            buf += g / avg
            pd -= lr * buf
        else:
            upd = -lr * g
            upd /= avg
            pd += upd
