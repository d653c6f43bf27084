"""``Categorical``: one of ``K`` classes, ``0 .. K-1``, drawn with given probabilities.

>>> import autograd_core as ag
>>> from autograd_core.distributions import Categorical
>>> m = Categorical(probs=ag.tensor([0.25, 0.25, 0.5]))
>>> m.log_prob(ag.tensor(2))
tensor(-0.6931)
>>> m.sample().dtype
dtype('int64')
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from . import constraints
from .distribution import Distribution
from .utils import lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Categorical"]


class Categorical(Distribution):
    """A categorical distribution over the last dim of ``probs`` or ``logits`` (exactly
    one of them); the dims before it are the batch. ``probs`` are divided by their sum and
    ``logits`` have their ``logsumexp`` subtracted, so both properties read normalized
    values. Samples are int64 class indices.

    >>> import autograd_core as ag
    >>> m = Categorical(logits=ag.zeros(2, 4))
    >>> m.batch_shape, tuple(m.sample((3,)).shape)
    ((2,), (3, 2))
    >>> m.entropy()
    tensor([1.3863, 1.3863])
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self._param = self.probs
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            self._param = self.logits
        self._num_events = self._param.shape[-1]
        batch_shape = tuple(self._param.shape[:-1])
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> "Categorical":
        """This distribution with its batch shape expanded to ``batch_shape``.

        >>> import autograd_core as ag
        >>> Categorical(ag.ones(3)).expand((2,)).probs.shape
        (2, 3)
        """
        shape = tuple(batch_shape) + (self._num_events,)
        params = {k: self.__dict__[k].expand(shape) for k in ("probs", "logits")
                  if k in self.__dict__}
        params["_param"] = params.get("probs", params.get("logits"))
        params["_num_events"] = self._num_events
        return self._expanded(batch_shape, **params)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> constraints.Constraint:
        """The integers ``0 .. K-1``."""
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Tensor:
        """Normalized log-probabilities (``log`` of the clamped ``probs``)."""
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Tensor:
        """Normalized probabilities (``softmax`` of the ``logits``)."""
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> ag.Size:
        """The shape of the parameter: ``batch_shape + (K,)``."""
        return ag.Size(tuple(self._param.shape))

    @property
    def mean(self) -> Tensor:
        """Undefined for classes: NaN, as PyTorch's."""
        return ag.full(tuple(self._extended_shape()), float("nan"), dtype=self.probs.dtype)

    @property
    def mode(self) -> Tensor:
        """The most probable class."""
        return self.probs.argmax(dim=-1)

    @property
    def variance(self) -> Tensor:
        """Undefined for classes: NaN, as PyTorch's."""
        return ag.full(tuple(self._extended_shape()), float("nan"), dtype=self.probs.dtype)

    def sample(self, sample_shape: Sequence[int] = ag.Size()) -> Tensor:
        """Class indices (int64) of shape ``sample_shape + batch_shape``, drawn with
        ``multinomial`` over the last dim.

        >>> import autograd_core as ag
        >>> Categorical(ag.tensor([0.0, 1.0])).sample((4,))
        tensor([1, 1, 1, 1])
        """
        shape = self._extended_shape(sample_shape)
        n = math.prod(int(k) for k in sample_shape)
        with ag.no_grad():
            probs_2d = self.probs.detach().reshape(-1, self._num_events)
            if n == 0:
                return ag.zeros(tuple(shape), dtype=ag.int64)
            drawn = ag.multinomial(probs_2d, n, True)
        # (rows, n) draws, sample-major in the result; one draw a row needs no transpose
        return (drawn if n == 1 else drawn.T).reshape(tuple(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """The log-probability of each class index in ``value`` (broadcast against the
        batch shape).

        >>> import autograd_core as ag
        >>> Categorical(ag.tensor([[0.5, 0.5], [0.9, 0.1]])).log_prob(ag.tensor([1]))
        tensor([-0.6931, -2.3026])
        """
        if self._validate_args:
            self._validate_sample(value)
        index = value.long().unsqueeze(-1)
        log_pmf = self.logits
        if tuple(value.shape) != tuple(self._batch_shape):   # else they already match
            index, log_pmf = ag.broadcast_tensors(index, log_pmf)
            index = index[..., :1]
        return log_pmf.gather(-1, index).squeeze(-1)

    def entropy(self) -> Tensor:
        """``-sum(p log p)`` over the classes (``0 log 0 = 0``).

        >>> import autograd_core as ag
        >>> Categorical(logits=ag.tensor([0.0, float("-inf")])).entropy()
        tensor(-0.)
        """
        logits = self.logits.clamp(min=float(np.finfo(self.logits.dtype).min))
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The classes ``0 .. K-1`` along dim 0, over the batch shape when ``expand``.

        >>> import autograd_core as ag
        >>> Categorical(ag.ones(2, 3)).enumerate_support()
        tensor([[0, 0],
                [1, 1],
                [2, 2]])
        """
        values = ag.arange(self._num_events, dtype=ag.int64)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
