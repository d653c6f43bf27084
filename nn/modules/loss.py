"""Loss modules, each a thin wrapper of its ``nn.functional`` form, with reductions
``'mean'`` (default), ``'sum'`` and ``'none'``.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.MSELoss()(ag.tensor([1.0, 3.0]), ag.zeros(2)).item()
5.0
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .. import functional as F
from ..functional.loss import _reduction
from .distance import PairwiseDistance
from .module import Module

__all__ = ["L1Loss", "MSELoss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss",
           "NLLLoss", "NLLLoss2d", "CrossEntropyLoss", "HingeEmbeddingLoss", "MultiMarginLoss",
           "KLDivLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss", "MarginRankingLoss",
           "CosineEmbeddingLoss", "GaussianNLLLoss", "PoissonNLLLoss", "MultiLabelSoftMarginLoss",
           "MultiLabelMarginLoss", "SoftMarginLoss", "CTCLoss"]


class _Loss(Module):
    def __init__(self, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _reduction(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if weight is not None and not isinstance(weight, Tensor):
            weight = ag.from_numpy(np.asarray(weight, dtype=np.float32))
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Mean absolute error.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.L1Loss()(ag.tensor([1.0, -1.0]), ag.zeros(2)).item()
    1.0
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.MSELoss(reduction="sum")(ag.tensor([1.0, 2.0]), ag.zeros(2)).item()
    5.0
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss (quadratic below ``delta``, linear above).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.HuberLoss()(ag.tensor([0.5]), ag.zeros(1)).item()
    0.125
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Smooth L1 loss (quadratic below ``beta``, then ``|d| - beta/2``).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.SmoothL1Loss()(ag.tensor([3.0]), ag.zeros(1)).item()
    2.5
    """

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities (logs clamped to >= -100).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> round(nn.BCELoss()(ag.tensor([0.5]), ag.tensor([1.0])).item(), 4)
    0.6931
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy, stable for any logits; ``pos_weight`` weighs
    positives (per class, broadcast over the last dim).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> loss = nn.BCEWithLogitsLoss(pos_weight=ag.tensor([2.0]))
    >>> round(loss(ag.tensor([0.0]), ag.tensor([1.0])).item(), 4)
    1.3863
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 reduce: Any = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood on log-probabilities and class indices.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.NLLLoss()(ag.tensor([[-0.5, -1.0]]), ag.tensor([1])).item()
    1.0
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy on logits (C,), (N, C) or (N, C, d1, ...), with integer class targets
    or class-probability targets; ``weight``, ``ignore_index`` (-100) and
    ``label_smoothing`` as in PyTorch. One fused, numerically stable node.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> crit = nn.CrossEntropyLoss(label_smoothing=0.1)
    >>> logits = ag.randn(64, 10, requires_grad=True)
    >>> loss = crit(logits, ag.randint(0, 10, (64,)))
    >>> loss.backward()
    >>> logits.grad.shape
    (64, 10)
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class HingeEmbeddingLoss(_Loss):
    """``x`` where the target is 1, ``max(0, margin - x)`` where it is -1.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.HingeEmbeddingLoss(margin=2.0)(ag.tensor([0.5]), ag.tensor([-1.0])).item()
    1.5
    """

    def __init__(self, margin: float = 1.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.hinge_embedding_loss(input, target, margin=self.margin,
                                      reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss ``sum_{j != y} max(0, margin - x[y] + x[j])^p / C``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> round(nn.MultiMarginLoss()(ag.tensor([[0.1, 0.2, 0.4, 0.8]]), ag.tensor([3])).item(), 4)
    0.325
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                 size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence of log-probability inputs from the target; use
    ``reduction='batchmean'`` for the true KL divergence; ``log_target`` takes the target
    as log-probabilities.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> kl = nn.KLDivLoss(reduction="batchmean")
    >>> kl(ag.tensor([[0.5, 0.5]]).log(), ag.tensor([[0.5, 0.5]])).item()
    0.0
    """

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        if reduction == "batchmean" and size_average is None and reduce is None:
            super().__init__(reduction="mean")
            self.reduction = "batchmean"
        else:
            super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class TripletMarginLoss(_Loss):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with the p-norm ``pairwise_distance``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> loss = nn.TripletMarginLoss(margin=1.0)
    >>> a = ag.randn(8, 4, requires_grad=True)
    >>> loss(a, ag.randn(8, 4), ag.randn(8, 4)).shape
    ()
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                             f"{margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)


class _PairMarginLoss(_Loss):
    """A loss ``_fn(input1, input2, target, margin=, reduction=)`` of two inputs and a
    target of 1 or -1."""

    _fn: Callable[..., Tensor]

    def __init__(self, margin: float = 0.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return self._fn(input1, input2, target, margin=self.margin, reduction=self.reduction)


class MarginRankingLoss(_PairMarginLoss):
    """``max(0, -y (x1 - x2) + margin)`` for targets ``y`` in {1, -1}.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> loss = nn.MarginRankingLoss(margin=0.1)
    >>> round(loss(ag.tensor([0.5]), ag.tensor([0.3]), ag.tensor([1.0])).item(), 4)
    0.0
    """

    _fn = staticmethod(F.margin_ranking_loss)


class CosineEmbeddingLoss(_PairMarginLoss):
    """``1 - cos(x1, x2)`` for target 1, ``max(0, cos(x1, x2) - margin)`` for target -1.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.CosineEmbeddingLoss()(ag.tensor([[1.0, 0.0]]), ag.tensor([[2.0, 0.0]]),
    ...                          ag.tensor([1.0])).item()
    0.0
    """

    _fn = staticmethod(F.cosine_embedding_loss)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood of ``target`` given the mean ``input`` and the
    variance ``var``: ``0.5 (log var + (input - target)^2 / var)``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> loss = nn.GaussianNLLLoss()
    >>> round(loss(ag.tensor([1.0]), ag.tensor([1.0]), ag.tensor([1.0])).item(), 4)
    0.0
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor, var: Any) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood: ``exp(x) - y x`` (``log_input``) or
    ``x - y log(x + eps)``, optionally with Stirling's term (``full``).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.PoissonNLLLoss()(ag.tensor([0.0]), ag.tensor([0.0])).item()
    1.0
    """

    def __init__(self, log_input: bool = True, full: bool = False, size_average: Any = None,
                 eps: float = 1e-8, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Multi-label one-versus-all logistic loss, averaged over the classes (last dim),
    with an optional per-class ``weight``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> loss = nn.MultiLabelSoftMarginLoss()
    >>> round(loss(ag.zeros(2, 3), ag.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])).item(), 4)
    0.6931
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight,
                                             reduction=self.reduction)


class NLLLoss2d(NLLLoss):
    """Deprecated alias of ``NLLLoss`` (warns, as PyTorch).

    >>> import warnings, autograd_core.nn as nn
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     nn.NLLLoss2d()
    NLLLoss2d()
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> None:
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a "
                      "drop-in replacement and see "
                      "https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.",
                      FutureWarning, stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss ``log(1 + exp(-y x))`` for targets of 1 or -1.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> round(nn.SoftMarginLoss()(ag.tensor([0.0]), ag.tensor([1.0])).item(), 4)
    0.6931
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge loss; the int64 target lists each sample's classes, ended by -1.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> loss = nn.MultiLabelMarginLoss()
    >>> round(loss(ag.tensor([[0.1, 0.2, 0.4, 0.8]]), ag.tensor([[3, 0, -1, 1]])).item(), 4)
    0.85
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with any ``distance_function`` (by default a
    ``PairwiseDistance()`` child module, as PyTorch).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.TripletMarginWithDistanceLoss()
    TripletMarginWithDistanceLoss(
      (distance_function): PairwiseDistance()
    )
    """

    def __init__(self, *, distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                 margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than "
                             f"0, got {margin} instead")
        self.distance_function = distance_function if distance_function is not None else \
            PairwiseDistance()
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_with_distance_loss(anchor, positive, negative,
                                                   distance_function=self.distance_function,
                                                   margin=self.margin, swap=self.swap,
                                                   reduction=self.reduction)


class CTCLoss(_Loss):
    """Connectionist Temporal Classification loss (``F.ctc_loss``) of log-probabilities
    (T, N, C) for unsegmented target sequences.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> ctc = nn.CTCLoss()
    >>> lp = ag.randn(10, 2, 4).log_softmax(2)
    >>> ctc(lp, ag.tensor([[1, 2], [3, 3]]), ag.tensor([10, 8]), ag.tensor([2, 2])).shape
    ()
    """

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths: Any,
                target_lengths: Any) -> Tensor:
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)
