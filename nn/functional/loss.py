"""Losses, with PyTorch's reductions (``'mean'``, ``'sum'``, ``'none'``, and the legacy
``size_average`` / ``reduce`` arguments): regression (``mse_loss``, ``l1_loss``,
``huber_loss``, ``smooth_l1_loss``, ``gaussian_nll_loss``, ``poisson_nll_loss``),
classification (``cross_entropy``, ``nll_loss``, ``binary_cross_entropy``,
``binary_cross_entropy_with_logits``, ``multi_margin_loss``,
``multilabel_soft_margin_loss``, ``multilabel_margin_loss``, ``soft_margin_loss``,
``kl_div``) and embeddings and ranking (``hinge_embedding_loss``,
``cosine_embedding_loss``, ``margin_ranking_loss``, ``triplet_margin_loss``,
``triplet_margin_with_distance_loss``). Cross-entropy, binary cross-entropy, and MSE,
smooth L1 and Huber with a target of the input's float dtype are fused core ops, as in
PyTorch; the others compose differentiable Tensor ops (``l1_loss`` too, as PyTorch's).
(Over 600 lines: every loss of ``torch.nn.functional`` but CTC is here, next to the
reductions and target checks they share; ``ctc_loss`` has its own file.)

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> logits = ag.tensor([[2.0, 0.5, -1.0]], requires_grad=True)
>>> round(F.cross_entropy(logits, ag.tensor([0])).item(), 4)
0.2413
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.loss import BinaryCrossEntropy as _BCE
from autograd_core.ops.loss import BinaryCrossEntropyWithLogits as _BCEWithLogits
from autograd_core.ops.loss import CrossEntropyIndex as _CEIndex
from autograd_core.ops.loss import CrossEntropyProb as _CEProb
from autograd_core.ops.loss import RegressionLoss as _Regression
from autograd_core.ops.loss import regression_composite as _regression_composite
from autograd_core.ops.loss import nll_loss as _nll_loss
from autograd_core.ops.loss import reduce_loss

from .activation import logsigmoid
from .arguments import _array, _as_const, _scalar_type, _tensor
from .distance import pairwise_distance

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy",
           "hinge_embedding_loss", "multi_margin_loss", "kl_div", "triplet_margin_loss",
           "margin_ranking_loss", "cosine_embedding_loss", "gaussian_nll_loss",
           "poisson_nll_loss", "multilabel_soft_margin_loss", "soft_margin_loss",
           "multilabel_margin_loss", "triplet_margin_with_distance_loss"]


_REDUCTIONS = ("mean", "sum", "none")


def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """The reduction to apply, from PyTorch's legacy ``size_average`` / ``reduce`` when
    either is given, else ``reduction`` (checked)."""
    if size_average is not None or reduce is not None:  # PyTorch's legacy arguments
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        return "mean" if (size_average and reduce) else ("sum" if reduce else "none")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _pair(input: Tensor, target: Any, fn: str) -> tuple[Tensor, Tensor]:
    _tensor(input, fn)
    target = _as_const(target, input)
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({tuple(target.shape)}) that is different to the "
                      f"input size ({tuple(input.shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      stacklevel=3)
        try:
            np.broadcast_shapes(target.shape, input.shape)
        except ValueError:
            raise ValueError(f"{fn}: target of shape {tuple(target.shape)} does not broadcast "
                             f"with input of shape {tuple(input.shape)}") from None
    return input, target


def _target_like(input: Tensor, target: Any, fn: str, mismatch: str) -> Tensor:
    """``target`` as a Tensor, which must have ``input``'s shape: else ValueError(``fn: `` +
    ``mismatch`` with the target's shape as ``{t}`` and the input's as ``{i}``)."""
    _tensor(input, fn)
    target = _as_const(target, input)
    if target.shape != input.shape:
        raise ValueError(f"{fn}: " + mismatch.format(t=tuple(target.shape), i=tuple(input.shape)))
    return target


def _regression(input: Tensor, target: Any, fn: str, kind: str, beta: float,
                reduction: str) -> Tensor | None:
    """The fused op (``ops.loss.RegressionLoss``) for a float input and a target of its
    dtype (the target checked and broadcast as ``_pair``); None for other dtypes, which
    the composite of Tensor ops promotes as PyTorch does."""
    _tensor(input, fn)
    target = _as_const(target, input)
    if target.dtype != input.dtype or not input.is_floating_point():
        return None
    input, target = _pair(input, target, fn)
    return _Regression.apply(input, target, kind=kind, beta=float(beta), reduction=reduction)


def mse_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean squared error ``(x - y)^2``, reduced.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.mse_loss(ag.tensor([1.0, 3.0]), ag.tensor([0.0, 0.0])).item()
    5.0
    """
    reduction = _reduction(size_average, reduce, reduction)
    if weight is None:
        fused = _regression(input, target, "mse_loss", "mse", 1.0, reduction)
        if fused is not None:
            return fused
    input, target = _pair(input, target, "mse_loss")
    d = input - target
    loss = d * d
    if weight is not None:
        loss = loss * weight
    return reduce_loss(loss, reduction)


def l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean") -> Tensor:
    """Mean absolute error ``|x - y|``, reduced.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.l1_loss(ag.tensor([1.0, -3.0]), ag.tensor([0.0, 0.0])).item()
    2.0
    """
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target, "l1_loss")
    return reduce_loss((input - target).abs(), reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``; ``d = x - y``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.huber_loss(ag.tensor([0.5, 3.0]), ag.zeros(2), reduction="sum").item()
    2.625
    """
    reduction = _reduction(None, None, reduction)
    if not delta > 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    fused = _regression(input, target, "huber_loss", "huber", delta, reduction)
    if fused is not None:
        return fused
    input, target = _pair(input, target, "huber_loss")   # mixed dtypes, promoted by Tensor ops
    return _regression_composite(input, target, "huber", delta, reduction)


def smooth_l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.smooth_l1_loss(ag.tensor([0.5, 3.0]), ag.zeros(2), reduction="sum").item()
    2.625
    """
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta != 0:
        fused = _regression(input, target, "smooth_l1_loss", "smooth_l1", beta, reduction)
        if fused is not None:
            return fused
    input, target = _pair(input, target, "smooth_l1_loss")
    if beta == 0:   # L1, with PyTorch's graph of it (abs, then the reduction)
        return reduce_loss((input - target).abs(), reduction)
    return _regression_composite(input, target, "smooth_l1", beta, reduction)   # mixed dtypes


def binary_cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """``-w (y log x + (1 - y) log(1 - x))`` on probabilities ``x``; each log is clamped
    to >= -100, as in PyTorch, so ``x`` of exactly 0 or 1 gives a finite loss.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> round(F.binary_cross_entropy(ag.tensor([0.8]), ag.tensor([1.0])).item(), 4)
    0.2231
    """
    reduction = _reduction(size_average, reduce, reduction)
    target = _target_like(input, target, "binary_cross_entropy",
                          "using a target size ({t}) that is different to the input size ({i}) "
                          "is not supported; please ensure they have the same size")
    if weight is not None:
        return _BCE.apply(input, target, _as_const(weight, input), reduction=reduction)
    return _BCE.apply(input, target, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Tensor | None = None,
                                     size_average: Any = None, reduce: Any = None,
                                     reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid and binary cross-entropy in one stable op:
    ``(1 - y) x + (1 + (pos_weight - 1) y) log(1 + exp(-x))``, times ``weight``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.binary_cross_entropy_with_logits(ag.tensor([1e4, -1e4]), ag.tensor([1.0, 0.0])).item()
    0.0
    """
    reduction = _reduction(size_average, reduce, reduction)
    target = _target_like(input, target, "binary_cross_entropy_with_logits",
                          "target size ({t}) must be the same as input size ({i})")
    extra = []
    if weight is not None:
        extra.append(_as_const(weight, input))
    if pos_weight is not None:
        extra.append(_as_const(pos_weight, input))
    return _BCEWithLogits.apply(input, target, *extra,
                                has=(weight is not None, pos_weight is not None),
                                reduction=reduction)


def _class_targets(input: Tensor, target: Any, fn: str) -> np.ndarray:
    t = _array(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{fn}: class-index targets must be integers (int64), got dtype "
                        f"{t.dtype}; for class probabilities pass a float target of the "
                        f"input's shape {tuple(input.shape)}")
    shape = input.shape
    expected = () if len(shape) == 1 else (shape[0],) + tuple(shape[2:])
    if t.shape != expected:
        raise ValueError(f"{fn}: expected target of shape {expected} for input of shape "
                         f"{tuple(input.shape)}, got {tuple(t.shape)}")
    return t


def _class_weight(weight: Any, input: Tensor, fn: str) -> Tensor | None:
    if weight is None:
        return None
    w = _as_const(weight, input)
    c = input.shape[1] if input.ndim > 1 else input.shape[0]
    if w.shape != (c,):
        raise ValueError(f"{fn}: weight should have one entry per class ({c},), got shape "
                         f"{tuple(w.shape)}")
    if w.dtype != input.dtype:
        w = w.detach().to(input.dtype)
    return w


def nll_loss(input: Tensor, target: Any, weight: Tensor | None = None, size_average: Any = None,
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) or (N, C, d1, ...)
    at the integer ``target``; ``'mean'`` divides by the summed weights of the
    non-ignored targets.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.nll_loss(ag.tensor([[-1.0, -2.0], [-3.0, -0.5]]), ag.tensor([0, 1])).item()
    0.75
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input, "nll_loss")
    if input.ndim < 1:
        raise ValueError("nll_loss: input needs at least 1 dim (C,) or (N, C, ...)")
    t = _class_targets(input, target, "nll_loss")
    w = _class_weight(weight, input, "nll_loss")
    # cross-entropy's index-target path after its log-softmax, in the core
    return _nll_loss(input, t, w, ignore_index, reduction)


def cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None,
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits ``input`` (C,), (N, C) or (N, C, d1, ...) and either
    integer class indices (shape without the class dim) or class probabilities (the
    input's shape). One fused node with a stable log-softmax: logits of +-1e4 are fine.

    ``weight`` (C,) weighs classes; ``'mean'`` then divides by the summed weights of
    the targets (index targets) or by the batch size (probability targets).
    ``ignore_index`` targets add nothing; ``label_smoothing`` mixes the target with
    the uniform distribution.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([[1e4, -1e4], [0.0, 0.0]], requires_grad=True)
    >>> loss = F.cross_entropy(x, ag.tensor([1, 0]))
    >>> round(loss.item(), 2)
    10000.35
    >>> loss.backward(); bool(x.grad.isfinite().all())
    True
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input, "cross_entropy")
    if input.dtype.kind != "f":
        raise TypeError(f"cross_entropy: expected floating point logits, got dtype {input.dtype}")
    if input.ndim < 1:
        raise ValueError("cross_entropy: input needs at least 1 dim (C,) or (N, C, ...)")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    w = _class_weight(weight, input, "cross_entropy")
    extra = (w,) if w is not None else ()
    t_arr = _array(target)
    if t_arr.dtype.kind == "f":
        if t_arr.shape != tuple(input.shape) and input.ndim > 1 and \
                t_arr.shape == (input.shape[0],) + tuple(input.shape[2:]):
            _class_targets(input, t_arr, "cross_entropy")  # raises: indices must be integers
        if t_arr.shape != tuple(input.shape):
            raise ValueError(f"cross_entropy: class-probability targets must have the input's "
                             f"shape {tuple(input.shape)}, got {tuple(t_arr.shape)}; class "
                             "indices must be integers")
        t = target if isinstance(target, Tensor) else ag.from_numpy(t_arr)
        if t.dtype != input.dtype:
            t = t.to(input.dtype)
        return _CEProb.apply(input, t, *extra, label_smoothing=label_smoothing,
                             reduction=reduction)
    t_arr = _class_targets(input, t_arr, "cross_entropy")
    return _CEIndex.apply(input, *extra, target=t_arr, ignore_index=ignore_index,
                          label_smoothing=label_smoothing, reduction=reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """``x`` where the target is 1, ``max(0, margin - x)`` where it is -1.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.hinge_embedding_loss(ag.tensor([0.3, 0.3]), ag.tensor([1.0, -1.0])).item()
    0.5
    """
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target, "hinge_embedding_loss")
    t = np.broadcast_to(_array(target), np.broadcast_shapes(target.shape, input.shape))
    margin_clamp = (margin - input).clamp(min=0.0)
    loss = ag.where(t != 1, margin_clamp, 0.0) + ag.where(t != -1, input, 0.0)
    return reduce_loss(loss, reduction)


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average: Any = None,
                      reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss: ``sum_{j != y} max(0, margin - x[y] + x[j])^p / C``
    (times ``weight[y]``), for (N, C) or (C,) input.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> round(F.multi_margin_loss(ag.tensor([[0.1, 0.2, 0.4, 0.8]]), ag.tensor([3])).item(), 4)
    0.325
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 supported, got {p}")
    if input.ndim not in (1, 2):
        raise ValueError(f"multi_margin_loss: expected (N, C) or (C,) input, got shape "
                         f"{tuple(input.shape)}")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    t = _class_targets(input, target, "multi_margin_loss").reshape(-1)
    n, c = x.shape
    if t.size and (t.min() < 0 or t.max() >= c):
        raise IndexError(f"multi_margin_loss: target out of range [0, {c})")
    xy = x.gather(1, ag.from_numpy(t[:, None]))
    m = (x - xy + margin).clamp(min=0.0)
    if p == 2:
        m = m * m
    w = _class_weight(weight, input, "multi_margin_loss")
    if w is not None:
        m = m * w.gather(0, ag.from_numpy(t)).reshape(-1, 1)
    not_y = ag.from_numpy((np.arange(c)[None, :] != t[:, None]).astype(input.dtype))
    loss = (m * not_y).sum(1) / c
    if input.ndim == 1:
        loss = loss.reshape(())
    return reduce_loss(loss, reduction)


def kl_div(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence of log-probabilities ``input`` from ``target``
    (probabilities, or log-probabilities with ``log_target``): pointwise
    ``target * (log target - input)``. ``reduction='batchmean'`` divides the sum by the
    batch size (the true KL divergence); ``'mean'`` averages over all elements.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([[0.25, 0.75]]).log()
    >>> round(F.kl_div(x, ag.tensor([[0.5, 0.5]]), reduction="batchmean").item(), 4)
    0.1438
    """
    _tensor(input, "kl_div")
    if reduction == "batchmean" and size_average is None and reduce is None:
        red = "batchmean"
    else:
        red = _reduction(size_average, reduce, reduction)
        if red == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
    input, target = _pair(input, target, "kl_div")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        zero = target == 0
        safe = ag.where(zero, 1.0, target)
        xlogy = ag.where(zero, 0.0, target * safe.log())
        loss = xlogy - target * input
    if red == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return reduce_loss(loss, red)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the ``pairwise_distance`` (p-norm
    along the last dim); ``swap`` uses ``min(d(a, n), d(p, n))`` as the negative distance.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> a, pos, neg = ag.zeros(1, 2), ag.tensor([[0.0, 1.0]]), ag.tensor([[0.0, 1.5]])
    >>> round(F.triplet_margin_loss(a, pos, neg, eps=0.0).item(), 4)
    0.5
    """
    reduction = _reduction(size_average, reduce, reduction)
    for name, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        _tensor(t, "triplet_margin_loss", name)
    if not anchor.ndim == positive.ndim == negative.ndim or anchor.ndim == 0:
        raise ValueError(f"triplet_margin_loss: expected anchor, positive and negative with "
                         f"the same number of dims, at least 1 (..., D), got shapes "
                         f"{tuple(anchor.shape)}, {tuple(positive.shape)} and "
                         f"{tuple(negative.shape)}")
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    d_ap = pairwise_distance(anchor, positive, p, eps)
    d_an = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_an = d_an.minimum(pairwise_distance(positive, negative, p, eps))
    loss = (d_ap - d_an + margin).clamp(min=0.0)
    return reduce_loss(loss, reduction)


_EPSILON = 1e-12  # PyTorch's, in cosine_embedding_loss


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """``max(0, -y (x1 - x2) + margin)``: ``y = 1`` asks for ``x1`` ranked above ``x2``,
    ``y = -1`` for the reverse.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> loss = F.margin_ranking_loss(ag.tensor([0.2]), ag.tensor([0.5]), ag.tensor([-1.0]),
    ...                              margin=0.5, reduction="sum")
    >>> round(loss.item(), 4)
    0.2
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input1, "margin_ranking_loss", "input1")
    _tensor(input2, "margin_ranking_loss", "input2")
    target = _as_const(target, input1)
    if not input1.ndim == input2.ndim == target.ndim:
        raise ValueError(f"margin_ranking_loss: all input tensors should have the same number "
                         f"of dims, got sizes: input1: {tuple(input1.shape)}, input2: "
                         f"{tuple(input2.shape)}, target: {tuple(target.shape)}")
    loss = (-target * (input1 - input2) + margin).clamp(min=0.0)
    return reduce_loss(loss, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0,
                          size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where the target is 1, ``max(0, cos(x1, x2) - margin)`` where it
    is -1; (N, D) inputs with an (N,) target, or (D,) inputs with a 0-D target.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x1, x2 = ag.tensor([[1.0, 0.0], [1.0, 1.0]]), ag.tensor([[0.0, 1.0], [1.0, 1.0]])
    >>> round(F.cosine_embedding_loss(x1, x2, ag.tensor([1.0, -1.0])).item(), 4)
    1.0
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input1, "cosine_embedding_loss", "input1")
    _tensor(input2, "cosine_embedding_loss", "input2")
    target = _as_const(target, input1)
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
    t = np.broadcast_to(_array(target), cos.shape)
    loss = ag.where(t == 1, 1.0 - cos, 0.0) + ag.where(t == -1, (cos - margin).clamp(min=0.0), 0.0)
    return reduce_loss(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Any, var: Any, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under a Gaussian of mean ``input`` and variance
    ``var``: ``0.5 (log max(var, eps) + (input - target)^2 / max(var, eps))`` (+ ``0.5
    log(2 pi)`` with ``full``). ``var`` has the input's shape, or one dim of size 1, or
    lacks the last dim, or is a float. As PyTorch, the clamp to ``eps`` passes the
    gradient through unchanged.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> round(F.gaussian_nll_loss(ag.tensor([1.0]), ag.tensor([2.0]), ag.tensor([1.0])).item(), 4)
    0.5
    """
    _tensor(input, "gaussian_nll_loss")
    target = _as_const(target, input)
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
        var = ag.full(input.shape, var, dtype=input.dtype)
    else:
        var = _as_const(var, input)
        if (var < 0).any():
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and
                  sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError(f"gaussian_nll_loss: var is of incorrect size: expected the input's "
                             f"shape {tuple(input.shape)}, that shape without the last dim, or "
                             f"with one dim of size 1, got {tuple(var.shape)}")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not valid")
    v = var.detach()
    clamped = v.clamp(min=eps)
    if (clamped != v).any():  # clamp outside the graph: the gradient passes through
        var = var + (clamped - v)
    d = input - target
    loss = (var.log() + d * d / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Any, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under a Poisson of rate ``exp(input)``
    (``log_input``) or ``input``: ``exp(x) - y x`` or ``x - y log(x + eps)``; ``full`` adds
    Stirling's ``y log y - y + 0.5 log(2 pi y)`` where ``y > 1``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.poisson_nll_loss(ag.tensor([0.0]), ag.tensor([1.0])).item()
    1.0
    """
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target, "poisson_nll_loss")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target > 1
        safe = ag.where(big, target, 1.0)
        stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() * 0.5
        loss = loss + ag.where(big, stirling, 0.0)
    return reduce_loss(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Tensor | None = None,
                                size_average: Any = None, reduce: Any = None,
                                reduction: str = "mean") -> Tensor:
    """Multi-label one-versus-all logistic loss over the classes (last dim):
    ``-mean_c w_c (y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c))``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> round(F.multilabel_soft_margin_loss(ag.zeros(1, 3), ag.tensor([[1.0, 0.0, 1.0]])).item(), 4)
    0.6931
    """
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target, "multilabel_soft_margin_loss")
    if input.ndim == 0:
        raise ValueError("multilabel_soft_margin_loss: expected input with a class dim, got a "
                         "0-dim tensor")
    loss = -(target * logsigmoid(input) + (1.0 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * _as_const(weight, input)
    loss = loss.sum(input.ndim - 1) / input.shape[-1]
    return reduce_loss(loss, reduction)


def soft_margin_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """Two-class logistic loss ``log(1 + exp(-y x))`` for targets ``y`` of 1 or -1 (they
    broadcast), computed stably.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> round(F.soft_margin_loss(ag.tensor([0.0, 2.0]), ag.tensor([1.0, -1.0])).item(), 4)
    1.41
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input, "soft_margin_loss")
    target = _as_const(target, input)
    try:
        np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise RuntimeError(f"soft_margin_loss: the size of input {list(input.shape)} and of "
                           f"target {list(target.shape)} do not broadcast") from None
    return reduce_loss(-logsigmoid(input * target), reduction)


def multilabel_margin_loss(input: Tensor, target: Any, size_average: Any = None,
                           reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss of (N, C) or (C,) scores: for each sample,
    ``sum_j sum_i max(0, 1 - (x[y_j] - x[i])) / C`` over its target classes ``y_j`` (the
    entries of the int64 target up to the first -1) and the classes ``i`` that are not
    targets.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([[0.1, 0.2, 0.4, 0.8]])
    >>> round(F.multilabel_margin_loss(x, ag.tensor([[3, 0, -1, 1]])).item(), 4)
    0.85
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input, "multilabel_margin_loss")
    nd = input.ndim
    if not ((nd == 2 and input.shape[1] != 0) or (nd == 1 and input.shape[0] != 0) or nd == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(input.shape)}")
    t = _array(target)
    if t.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_scalar_type(t.dtype)}")
    c = 1 if nd == 0 else input.shape[-1]
    if nd <= 1:
        ok = t.ndim <= 1 and t.size == c
    else:
        ok = t.ndim == 2 and t.shape == tuple(input.shape)
    if not ok:
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: "
                           f"{list(input.shape)}")
    t = t.reshape(-1, c)
    if t.size and (t.min() < -1 or t.max() >= c):
        raise RuntimeError("argument #2 'target' is out of range")
    # the targets of a row are its entries before the first -1; a repeated one counts twice
    n = t.shape[0]
    live = np.cumprod(t >= 0, axis=1).astype(bool)
    count = np.zeros((n, c), dtype=input.dtype)
    rows = np.repeat(np.arange(n), c).reshape(n, c)
    np.add.at(count, (rows[live], t[live]), 1)
    others = (count == 0).astype(input.dtype)
    x = input.reshape(n, c)
    margin = (1.0 - x.unsqueeze(2) + x.unsqueeze(1)).relu()       # [j, i]: 1 - x_j + x_i
    pairs = ag.from_numpy(count[:, :, None] * others[:, None, :])
    loss = (margin * pairs).sum((1, 2)) / c
    if nd <= 1:
        loss = loss.reshape(())
    return reduce_loss(loss, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Any = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with any ``distance_function`` (default
    ``pairwise_distance``); ``swap`` takes ``min(d(a, n), d(p, n))`` as the negative
    distance.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> a, pos, neg = ag.zeros(1, 2), ag.tensor([[0.0, 1.0]]), ag.tensor([[0.0, 1.5]])
    >>> l1 = lambda x, y: (x - y).abs().sum(-1)
    >>> F.triplet_margin_with_distance_loss(a, pos, neg, distance_function=l1).item()
    0.5
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    for name, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        _tensor(t, "triplet_margin_with_distance_loss", name)
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {anchor.ndim}D, positive "
                           f"{positive.ndim}D, and negative {negative.ndim}D inputs")
    distance = pairwise_distance if distance_function is None else distance_function
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = ag.minimum(d_neg, distance(positive, negative))
    loss = (d_pos + margin - d_neg).clamp(min=0.0)
    return reduce_loss(loss, reduction)
