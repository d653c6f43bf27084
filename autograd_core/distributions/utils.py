"""Shared helpers of the distributions, under PyTorch's names (``torch.distributions.utils``):
broadcasting parameters, converting between probabilities and logits, and the cached
``lazy_property`` that computes ``probs`` from ``logits`` (or the reverse) on first use.

>>> import autograd_core as ag
>>> from autograd_core.distributions.utils import broadcast_all
>>> loc, scale = broadcast_all(ag.zeros(3), 1.0)
>>> tuple(scale.shape)
(3,)
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, Generic, TypeVar

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs",
           "probs_to_logits", "softplus"]

T = TypeVar("T")
R = TypeVar("R")


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Number) and not isinstance(v, Tensor)


def broadcast_all(*values: Tensor | float) -> tuple[Tensor, ...]:
    """``values`` as tensors of one broadcast shape: numbers become tensors of the first
    tensor's dtype (of the default dtype when all are numbers), as PyTorch's.

    >>> import autograd_core as ag
    >>> a, b = broadcast_all(ag.tensor([1.0, 2.0], dtype=ag.float64), 3)
    >>> b
    tensor([3., 3.], dtype=float64)
    """
    if not all(isinstance(v, Tensor) or _is_number(v) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or "
                         "objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        dtype = next((v.dtype for v in values if isinstance(v, Tensor)), ag.get_default_dtype())
        values = tuple(v if isinstance(v, Tensor) else ag.tensor(v, dtype=dtype) for v in values)
    return ag.broadcast_tensors(*values)


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities clamped into ``[eps, 1 - eps]``, ``eps`` the dtype's machine epsilon.

    >>> import autograd_core as ag
    >>> clamp_probs(ag.tensor([0.0, 0.5], dtype=ag.float64))[0].item()
    2.220446049250313e-16
    """
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Logits of probabilities: ``log p`` of each event, or, with ``is_binary``, the
    log-odds ``log p - log(1 - p)`` (of ``p`` clamped away from 0 and 1).

    >>> import autograd_core as ag
    >>> probs_to_logits(ag.tensor([0.5]), is_binary=True)
    tensor([0.])
    """
    p = clamp_probs(probs)
    if is_binary:
        return p.log() - (-p).log1p()
    return p.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities of logits: the softmax over the last dim, or, with ``is_binary``, the
    sigmoid of log-odds.

    >>> import autograd_core as ag
    >>> logits_to_probs(ag.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
    """
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


class lazy_property(Generic[T, R]):
    """A method computed on first read (under grad mode) and then kept in the instance's
    ``__dict__``, so that an attribute set in ``__init__`` takes its place.

    >>> class Box:
    ...     @lazy_property
    ...     def area(self) -> int:
    ...         print("computed")
    ...         return 6
    >>> b = Box()
    >>> b.area
    computed
    6
    >>> b.area
    6
    """

    def __init__(self, wrapped: Callable[[T], R]) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance: T | None, owner: Any = None) -> Any:
        if instance is None:
            return self
        with ag.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def softplus(input: Tensor) -> Tensor:
    """``log(1 + exp(x))`` without overflow (``nn.functional.softplus`` with ``beta=1``,
    which the core may not import); its gradient is ``sigmoid(x)``, a half at 0, as
    PyTorch's.

    >>> import autograd_core as ag
    >>> round(softplus(ag.tensor([0.0])).item(), 4)
    0.6931
    """
    return ag.logaddexp(ag.zeros_like(input), input)
