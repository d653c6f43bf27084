"""``AdaptiveLogSoftmaxWithLoss``: the efficient softmax approximation of Grave et al.
for large vocabularies, as PyTorch's.

The classes are cut at ``cutoffs`` into a shortlist (scored by the ``head``) and
clusters; the head also scores one entry per cluster, and each cluster has a ``tail``
projection (in_features -> in_features / div_value^(i+1) -> cluster size). A target's
log-probability is its head log-probability, or its cluster's head log-probability plus
its log-probability within the cluster.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> asm = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 8])
>>> out = asm(ag.randn(5, 8), ag.tensor([0, 3, 5, 8, 9]))
>>> out.output.shape, out.loss.shape, asm.log_prob(ag.randn(5, 8)).shape
((5,), (), (5, 10))
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .. import functional as F
from ..functional.arguments import _array
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax over ``n_classes`` for inputs of ``in_features``: ``forward(input,
    target)`` gives ``(output, loss)``, the target log-probabilities and their negated
    mean; ``log_prob(input)`` the full (N, n_classes) log-distribution and ``predict``
    its argmax.

    >>> import autograd_core.nn as nn
    >>> nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4]).head
    Linear(in_features=8, out_features=5, bias=False)
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int],
                 div_value: float = 4.0, head_bias: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, dtype=dtype),
                                        Linear(hsz, osz, bias=False, dtype=dtype)))

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_: Tensor, target_: Any) -> _ASMoutput:
        target = np.asarray(_array(target_))
        if target.ndim == 1:
            if input_.shape[0] != target.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input_.ndim != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs "
                                   f"with size {list(input_.shape)}")
        elif target.ndim == 0:
            if input_.ndim != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs "
                                   f"with size {list(input_.shape)}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target.ndim > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target.reshape(-1)
        batch = target.shape[0]
        gather = np.zeros(batch, dtype=np.int64)
        output = ag.zeros(batch, dtype=input.dtype)
        used = 0
        bounds = [0] + self.cutoffs
        for i in range(len(bounds) - 1):
            rows = np.nonzero((target >= bounds[i]) & (target < bounds[i + 1]))[0]
            if rows.size == 0:
                continue
            if i == 0:
                gather[rows] = target[rows]
            else:
                relative = target[rows] - bounds[i]
                cluster = self.tail[i - 1](input[ag.from_numpy(rows)])
                gather[rows] = self.shortlist_size + i - 1
                local = F.log_softmax(cluster, dim=1).gather(
                    1, ag.from_numpy(relative[:, None])).squeeze(1)
                output = output.index_add(0, ag.from_numpy(rows), local)
            used += rows.size
        if used != batch:
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values "
                               f"in range [{target.min()}, {target.max()}] were found. ")
        head_logprob = F.log_softmax(self.head(input), dim=1)
        output = output + head_logprob.gather(1, ag.from_numpy(gather[:, None])).squeeze(1)
        loss = (-output).mean()
        if not batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        head_logprob = F.log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = F.log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster_logprob + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return ag.cat(parts, 1)

    def log_prob(self, input: Tensor) -> Tensor:
        """The log-probabilities (N, n_classes) of every class."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most probable class of each row, as ``log_prob(input).argmax(1)``, computing
        the clusters only for the rows whose head winner is a cluster."""
        head_output = self.head(input)
        output = head_output.argmax(1).numpy().copy()
        rest = output >= self.shortlist_size
        if rest.any():
            rows = ag.from_numpy(np.nonzero(rest)[0])
            log_prob = self._get_full_log_prob(input[rows], head_output[rows])
            output[rest] = log_prob.argmax(1).numpy()
        return ag.from_numpy(output)
