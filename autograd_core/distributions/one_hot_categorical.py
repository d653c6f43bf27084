"""``OneHotCategorical``: a ``Categorical`` whose draws are one-hot vectors.

>>> import autograd_core as ag
>>> from autograd_core.distributions import OneHotCategorical
>>> OneHotCategorical(ag.tensor([0.0, 0.0, 1.0])).sample()
tensor([0., 0., 1.])
"""
from __future__ import annotations

from typing import Any, Sequence

import autograd_core as ag
from autograd_core import Tensor

from . import constraints
from .categorical import Categorical
from .distribution import Distribution

__all__ = ["OneHotCategorical"]


def _one_hot(indices: Tensor, n: int, like: Tensor) -> Tensor:
    """``indices`` as one-hot vectors of length ``n`` in ``like``'s dtype."""
    return (indices.unsqueeze(-1) == ag.arange(n, dtype=ag.int64)).to(like.dtype)


class OneHotCategorical(Distribution):
    """A categorical distribution over the last dim of ``probs`` or ``logits`` whose
    samples are one-hot vectors (the event shape is ``(K,)``).

    >>> import autograd_core as ag
    >>> m = OneHotCategorical(logits=ag.zeros(2, 3))
    >>> m.batch_shape, m.event_shape
    ((2,), (3,))
    >>> m.log_prob(ag.tensor([1.0, 0.0, 0.0]))
    tensor([-1.0986, -1.0986])
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> "OneHotCategorical":
        """This distribution with its batch shape expanded to ``batch_shape``.

        >>> import autograd_core as ag
        >>> OneHotCategorical(ag.ones(3)).expand((2,)).batch_shape
        (2,)
        """
        return self._expanded(tuple(batch_shape),
                              _categorical=self._categorical.expand(batch_shape))

    @property
    def _param(self) -> Tensor:
        return self._categorical._param

    @property
    def probs(self) -> Tensor:
        """The normalized probabilities."""
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        """The normalized log-probabilities."""
        return self._categorical.logits

    @property
    def param_shape(self) -> ag.Size:
        """The shape of the parameter."""
        return self._categorical.param_shape

    @property
    def mean(self) -> Tensor:
        """``probs``."""
        return self._categorical.probs

    @property
    def mode(self) -> Tensor:
        """The most probable class, one-hot."""
        probs = self._categorical.probs
        return _one_hot(probs.argmax(dim=-1), probs.shape[-1], probs)

    @property
    def variance(self) -> Tensor:
        """``p (1 - p)``."""
        return self._categorical.probs * (1 - self._categorical.probs)

    def sample(self, sample_shape: Sequence[int] = ag.Size()) -> Tensor:
        """One-hot draws of shape ``sample_shape + batch_shape + (K,)``."""
        indices = self._categorical.sample(sample_shape)
        return _one_hot(indices, self._categorical._num_events, self._categorical.probs)

    def log_prob(self, value: Tensor) -> Tensor:
        """The log-probability of the class each one-hot vector marks."""
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.max(-1)[1])

    def entropy(self) -> Tensor:
        """The categorical entropy."""
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The ``K`` one-hot vectors along dim 0.

        >>> import autograd_core as ag
        >>> OneHotCategorical(ag.ones(2)).enumerate_support()
        tensor([[1., 0.],
                [0., 1.]])
        """
        n = self.event_shape[0]
        values = ag.eye(n, dtype=self._param.dtype)
        values = values.reshape((n,) + (1,) * len(self.batch_shape) + (n,))
        if expand:
            values = values.expand((n,) + tuple(self.batch_shape) + (n,))
        return values
