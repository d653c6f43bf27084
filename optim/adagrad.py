"""``Adagrad``: per-coordinate learning rates from the sum of squared gradients.

PyTorch's update, step for step (``t`` counts this parameter's steps)::

    g = -grad if maximize else grad
    g = g + weight_decay * p                    (if weight_decay)
    clr = lr / (1 + (t - 1) * lr_decay)
    s = s + g * g                               (s starts at initial_accumulator_value)
    p = p - clr * g / (sqrt(s) + eps)

>>> import autograd_core as ag
>>> from autograd_core.optim import Adagrad
>>> x = ag.tensor([1.0], requires_grad=True)
>>> opt = Adagrad([x], lr=0.5)
>>> (x * x).sum().backward(); opt.step()
>>> round(x.item(), 6)   # s = 4, so the step is 0.5 * 2 / 2
0.5
"""
from __future__ import annotations

from typing import Any, Dict

import numpy as np

import autograd_core as ag

from .optimizer import ParamsT, _check_nonneg, _ParamwiseOptimizer, _step_tensor, _unsupported

__all__ = ["Adagrad"]


class Adagrad(_ParamwiseOptimizer):
    """Adagrad, as ``torch.optim.Adagrad``.

    Args:
        params: tensors to optimize, or parameter-group dicts.
        lr: learning rate.
        lr_decay: learning-rate decay per step.
        weight_decay: L2 penalty added to the gradient.
        initial_accumulator_value: starting value of the sum of squares.
        eps: added to the denominator for numerical stability.
        maximize: maximize the objective instead of minimizing.

    As in PyTorch, the state (``step``, ``sum``) of the parameters given here is created at
    construction. One deliberate difference: a parameter group's own
    ``initial_accumulator_value`` is honoured (PyTorch always uses the constructor's).

    >>> import autograd_core as ag
    >>> from autograd_core.optim import Adagrad
    >>> w = ag.zeros(2, requires_grad=True)
    >>> opt = Adagrad([w], initial_accumulator_value=0.1)
    >>> opt.state[w]["sum"]
    tensor([0.1000, 0.1000])
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_nonneg("lr", lr, "learning rate")
        _check_nonneg("lr_decay", lr_decay, "lr_decay value")
        _check_nonneg("weight_decay", weight_decay, "weight_decay value")
        _check_nonneg("initial_accumulator_value", initial_accumulator_value,
                      "initial_accumulator_value value")
        _check_nonneg("eps", eps, "epsilon value")
        _unsupported("Adagrad", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Any, group: Dict[str, Any]) -> None:
        state = self.state[p]
        state["step"] = _step_tensor()
        state["sum"] = ag.from_numpy(np.full_like(p.detach().numpy(), group["initial_accumulator_value"]))

    def _update(self, group: Dict[str, Any], state: Dict[str, Any], pd: np.ndarray,
                g: np.ndarray, step: float) -> None:
        clr = float(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        s = state["sum"].numpy()
        s += g * g
        std = np.sqrt(s)
        std += group["eps"]
        upd = -clr * g
        upd /= std
        pd += upd
