"""``Bernoulli``: 1 with probability ``p``, 0 otherwise.

>>> import autograd_core as ag
>>> from autograd_core.distributions import Bernoulli
>>> Bernoulli(ag.tensor([0.3])).log_prob(ag.tensor([1.0]))
tensor([-1.2040])
"""
from __future__ import annotations

import numbers
from typing import Any, Sequence

import autograd_core as ag
from autograd_core import Tensor

from . import constraints
from .distribution import Distribution
from .utils import softplus
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli"]


def _bce_with_logits(logits: Tensor, target: Tensor) -> Tensor:
    """Binary cross-entropy of ``target`` against ``sigmoid(logits)``, elementwise and
    stable for any logit: ``(1 - target) x + softplus(-x)`` (PyTorch's formula; its
    gradient is ``sigmoid(x) - target``)."""
    return (1 - target) * logits + softplus(-logits)


class Bernoulli(Distribution):
    """A Bernoulli distribution given by ``probs`` or by ``logits`` (log-odds), exactly one
    of them. ``log_prob`` and ``entropy`` are computed from the logits, as a binary
    cross-entropy with logits, so they stay finite and exact for large logits.

    >>> import autograd_core as ag
    >>> m = Bernoulli(logits=ag.tensor([0.0, 100.0]))
    >>> m.probs
    tensor([0.5000, 1.0000])
    >>> m.log_prob(ag.tensor([0.0, 1.0]))
    tensor([-0.6931, -0.0000])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs: Tensor | float | None = None, logits: Tensor | float | None = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = probs if probs is not None else logits
        (param,) = broadcast_all(given)
        if probs is not None:
            self.probs = param
        else:
            self.logits = param
        self._param = param
        batch_shape = () if isinstance(given, numbers.Number) else tuple(param.shape)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> "Bernoulli":
        """This distribution with its parameter expanded to ``batch_shape``.

        >>> Bernoulli(0.5).expand((3,)).probs
        tensor([0.5000, 0.5000, 0.5000])
        """
        shape = tuple(batch_shape)
        params = {k: self.__dict__[k].expand(shape) for k in ("probs", "logits")
                  if k in self.__dict__}
        params["_param"] = params.get("probs", params.get("logits"))
        return self._expanded(shape, **params)

    @lazy_property
    def logits(self) -> Tensor:
        """The log-odds ``log p - log(1 - p)`` (of ``p`` clamped away from 0 and 1)."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        """The probability of 1: ``sigmoid(logits)``."""
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> ag.Size:
        """The shape of the parameter."""
        return ag.Size(tuple(self._param.shape))

    @property
    def mean(self) -> Tensor:
        """``probs``."""
        return self.probs

    @property
    def mode(self) -> Tensor:
        """1 where ``p > 1/2``, 0 where ``p < 1/2``, NaN at ``p = 1/2``."""
        probs = self.probs
        return ag.where(probs == 0.5, float("nan"), (probs >= 0.5).to(probs.dtype))

    @property
    def variance(self) -> Tensor:
        """``p (1 - p)``."""
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Sequence[int] = ag.Size()) -> Tensor:
        """Zeros and ones (in the dtype of ``probs``) of shape ``sample_shape + batch_shape``.

        >>> import autograd_core as ag
        >>> Bernoulli(ag.tensor([0.0, 1.0])).sample()
        tensor([0., 1.])
        """
        shape = tuple(self._extended_shape(sample_shape))
        with ag.no_grad():
            return ag.bernoulli(self.probs.detach().expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``value log p + (1 - value) log(1 - p)``, computed from the logits.

        >>> Bernoulli(0.5).log_prob(ag.tensor(0.0))
        tensor(-0.6931)
        """
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value)

    def entropy(self) -> Tensor:
        """``-p log p - (1 - p) log(1 - p)``.

        >>> Bernoulli(0.5).entropy()
        tensor(0.6931)
        """
        return _bce_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """``0`` and ``1`` along dim 0, over the batch shape when ``expand``.

        >>> import autograd_core as ag
        >>> Bernoulli(ag.tensor([0.2, 0.7])).enumerate_support()
        tensor([[0., 0.],
                [1., 1.]])
        """
        values = ag.arange(2, dtype=self._param.dtype)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
