"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay.

The update is PyTorch's, step for step::

    g = -grad if maximize else grad
    g = g + weight_decay * p                         (if weight_decay)
    buf = g  (first step)  |  momentum * buf + (1 - dampening) * g
    g = g + momentum * buf  if nesterov else buf    (if momentum)
    p = p - lr * g

>>> import autograd_core as ag
>>> from autograd_core.optim import SGD
>>> x = ag.tensor([1.0], requires_grad=True)
>>> opt = SGD([x], lr=0.1, momentum=0.9)
>>> for _ in range(2):
...     opt.zero_grad(); (x * x / 2).sum().backward(); opt.step()
>>> round(x.item(), 6)   # 1 -> 0.9 -> 0.72
0.72
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autograd_core as ag
from autograd_core import kernels

from .optimizer import (Optimizer, ParamsT, _check_nonneg, _grads, _split_update, _unsupported,
                        _weight_decay)

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    Args:
        params: tensors to optimize, or parameter-group dicts.
        lr: learning rate (PyTorch 2.x default ``1e-3``).
        momentum: momentum factor; the buffer starts as the first gradient (no dampening).
        dampening: dampening for momentum.
        weight_decay: L2 penalty added to the gradient.
        nesterov: Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
        maximize: maximize the objective instead of minimizing.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> w = ag.tensor([2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.25)
    >>> (w * w).sum().backward(); opt.step()
    >>> w.item()
    1.0
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_nonneg("lr", lr, "learning rate")
        _check_nonneg("momentum", momentum, "momentum value")
        _check_nonneg("weight_decay", weight_decay, "weight_decay value")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _unsupported("SGD", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss (or None)."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            momentum = group["momentum"]
            dampening = group["dampening"]
            wd = group["weight_decay"]
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            for p, pd, g in _grads(group):
                buf, first = None, False
                if momentum != 0:
                    state = self.state[p]
                    buf_t = state.get("momentum_buffer")
                    first = buf_t is None
                    if first:   # the buffer starts as the (decayed) gradient, filled below
                        buf = np.empty_like(pd)
                        state["momentum_buffer"] = ag.from_numpy(buf)
                    else:
                        buf = buf_t.numpy()

                def update(part: Any, pd: np.ndarray = pd, g: np.ndarray = g,
                           buf: np.ndarray | None = buf, first: bool = first) -> None:
                    if part is not None:
                        pd, g = pd.reshape(-1)[part], g.reshape(-1)[part]
                        buf = None if buf is None else buf.reshape(-1)[part]
                    if kernels.sgd_update(pd, g, buf, lr=lr, momentum=momentum,
                                          dampening=dampening, weight_decay=wd,
                                          nesterov=nesterov, maximize=maximize, first=first):
                        return      # one pass, the same numbers as the rule below
                    if maximize:
                        g = -g
                    g = _weight_decay(g, pd, lr, wd)
                    if buf is not None:
                        if first:
                            buf[...] = g
                        else:
                            buf *= momentum
                            if dampening == 0:
                                buf += g
                            else:
                                buf += (1 - dampening) * g
                        g = g + momentum * buf if nesterov else buf
                    pd -= lr * g
                _split_update(update, pd.size, [pd] if buf is None else [pd, buf])
        return loss

