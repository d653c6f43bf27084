"""More losses of ``nn.functional``: ``margin_ranking_loss``, ``cosine_embedding_loss``,
``gaussian_nll_loss``, ``poisson_nll_loss`` and ``multilabel_soft_margin_loss`` (their
modules are in ``nn.loss``), with PyTorch's reductions, compositions of differentiable
Tensor ops.

>>> import autograd_core as ag, nn.functional as F
>>> F.margin_ranking_loss(ag.tensor([1.0, 2.0]), ag.tensor([2.0, 1.0]), ag.tensor([1.0, 1.0])).item()
0.5
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core import Tensor
from autograd_core.tensor import make, where

from . import functional as F

__all__ = ["margin_ranking_loss", "cosine_embedding_loss", "gaussian_nll_loss",
           "poisson_nll_loss", "multilabel_soft_margin_loss"]

_EPSILON = 1e-12  # PyTorch's, in cosine_embedding_loss


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """``max(0, -y (x1 - x2) + margin)``: ``y = 1`` asks for ``x1`` ranked above ``x2``,
    ``y = -1`` for the reverse.

    >>> import autograd_core as ag, nn.functional as F
    >>> loss = F.margin_ranking_loss(ag.tensor([0.2]), ag.tensor([0.5]), ag.tensor([-1.0]),
    ...                              margin=0.5, reduction="sum")
    >>> round(loss.item(), 4)
    0.2
    """
    reduction = F._reduction(size_average, reduce, reduction)
    F._tensor(input1, "margin_ranking_loss", "input1")
    F._tensor(input2, "margin_ranking_loss", "input2")
    target = F._as_const(target, input1)
    if not input1.ndim == input2.ndim == target.ndim:
        raise ValueError(f"margin_ranking_loss: all input tensors should have the same number "
                         f"of dims, got sizes: input1: {tuple(input1.shape)}, input2: "
                         f"{tuple(input2.shape)}, target: {tuple(target.shape)}")
    loss = (-target * (input1 - input2) + margin).clamp(min=0.0)
    return F._reduce(loss, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0,
                          size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where the target is 1, ``max(0, cos(x1, x2) - margin)`` where it
    is -1; (N, D) inputs with an (N,) target, or (D,) inputs with a 0-D target.

    >>> import autograd_core as ag, nn.functional as F
    >>> x1, x2 = ag.tensor([[1.0, 0.0], [1.0, 1.0]]), ag.tensor([[0.0, 1.0], [1.0, 1.0]])
    >>> round(F.cosine_embedding_loss(x1, x2, ag.tensor([1.0, -1.0])).item(), 4)
    1.0
    """
    reduction = F._reduction(size_average, reduce, reduction)
    F._tensor(input1, "cosine_embedding_loss", "input1")
    F._tensor(input2, "cosine_embedding_loss", "input2")
    target = F._as_const(target, input1)
    tdim = target.ndim
    if tdim not in (0, 1):
        raise ValueError(f"cosine_embedding_loss: 0D or 1D target tensor expected, multi-target "
                         f"not supported, got target of shape {tuple(target.shape)}")
    if input1.ndim != tdim + 1 or input2.ndim != tdim + 1:
        raise ValueError(f"cosine_embedding_loss: {tdim}D target tensor expects {tdim + 1}D "
                         f"input tensors, but found inputs with sizes {tuple(input1.shape)} and "
                         f"{tuple(input2.shape)}")
    prod = (input1 * input2).sum(tdim)
    mag1 = (input1 * input1).sum(tdim) + _EPSILON
    mag2 = (input2 * input2).sum(tdim) + _EPSILON
    cos = prod / (mag1 * mag2).sqrt()
    t = np.broadcast_to(target._data, cos.shape)
    zero = make(np.zeros((), dtype=cos.dtype))
    loss = where(t == 1, 1.0 - cos, zero) + where(t == -1, (cos - margin).clamp(min=0.0), zero)
    return F._reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Any, var: Any, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under a Gaussian of mean ``input`` and variance
    ``var``: ``0.5 (log max(var, eps) + (input - target)^2 / max(var, eps))`` (+ ``0.5
    log(2 pi)`` with ``full``). ``var`` has the input's shape, or one dim of size 1, or
    lacks the last dim, or is a float. As PyTorch, the clamp to ``eps`` passes the
    gradient through unchanged.

    >>> import autograd_core as ag, nn.functional as F
    >>> round(F.gaussian_nll_loss(ag.tensor([1.0]), ag.tensor([2.0]), ag.tensor([1.0])).item(), 4)
    0.5
    """
    F._tensor(input, "gaussian_nll_loss")
    target = F._as_const(target, input)
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
        var = make(np.full(input.shape, var, dtype=input.dtype))
    else:
        var = F._as_const(var, input)
        if (var._data < 0).any():
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and
                  sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError(f"gaussian_nll_loss: var is of incorrect size: expected the input's "
                             f"shape {tuple(input.shape)}, that shape without the last dim, or "
                             f"with one dim of size 1, got {tuple(var.shape)}")
    if reduction not in F._REDUCTIONS:
        raise ValueError(f"{reduction} is not valid")
    v = var._data
    clamped = np.maximum(v, np.asarray(eps, dtype=v.dtype))
    if (clamped != v).any():  # clamp outside the graph: the gradient passes through
        var = var + make(clamped - v)
    d = input - target
    loss = (var.log() + d * d / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return F._reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Any, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under a Poisson of rate ``exp(input)``
    (``log_input``) or ``input``: ``exp(x) - y x`` or ``x - y log(x + eps)``; ``full`` adds
    Stirling's ``y log y - y + 0.5 log(2 pi y)`` where ``y > 1``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.poisson_nll_loss(ag.tensor([0.0]), ag.tensor([1.0])).item()
    1.0
    """
    reduction = F._reduction(size_average, reduce, reduction)
    input, target = F._pair(input, target, "poisson_nll_loss")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        t = target._data
        big = t > 1
        safe = where(big, target, make(np.ones((), dtype=target.dtype)))
        stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() * 0.5
        loss = loss + where(big, stirling, make(np.zeros((), dtype=target.dtype)))
    return F._reduce(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Tensor | None = None,
                                size_average: Any = None, reduce: Any = None,
                                reduction: str = "mean") -> Tensor:
    """Multi-label one-versus-all logistic loss over the classes (last dim):
    ``-mean_c w_c (y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c))``.

    >>> import autograd_core as ag, nn.functional as F
    >>> round(F.multilabel_soft_margin_loss(ag.zeros(1, 3), ag.tensor([[1.0, 0.0, 1.0]])).item(), 4)
    0.6931
    """
    reduction = F._reduction(size_average, reduce, reduction)
    input, target = F._pair(input, target, "multilabel_soft_margin_loss")
    if input.ndim == 0:
        raise ValueError("multilabel_soft_margin_loss: expected input with a class dim, got a "
                         "0-dim tensor")
    loss = -(target * F.logsigmoid(input) + (1.0 - target) * F.logsigmoid(-input))
    if weight is not None:
        loss = loss * F._as_const(weight, input)
    loss = loss.sum(input.ndim - 1) / input.shape[-1]
    return F._reduce(loss, reduction)
