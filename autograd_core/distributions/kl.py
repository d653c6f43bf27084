"""``kl_divergence(p, q)``, dispatched on the two distributions' types, and
``register_kl`` to add a pair.

>>> import autograd_core as ag
>>> from autograd_core.distributions import Normal, kl_divergence
>>> kl_divergence(Normal(0.0, 1.0), Normal(1.0, 1.0))
tensor(0.5000)
"""
from __future__ import annotations

import warnings
from typing import Callable

import autograd_core as ag
from autograd_core import Tensor

from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .independent import Independent, _sum_rightmost
from .multivariate_normal import MultivariateNormal, _batch_mahalanobis
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .utils import softplus
from .uniform import Uniform

__all__ = ["kl_divergence", "register_kl"]

_KLFunction = Callable[[Distribution, Distribution], Tensor]
_REGISTRY: dict[tuple[type, type], _KLFunction] = {}
_CHOSEN: dict[tuple[type, type], _KLFunction | None] = {}  # the lookup of each pair met
_INF = float("inf")


def register_kl(type_p: type, type_q: type) -> Callable[[_KLFunction], _KLFunction]:
    """A decorator registering ``fn(p, q)`` as ``kl_divergence`` for ``p`` of ``type_p``
    and ``q`` of ``type_q`` (and their subclasses, unless a closer pair is registered).

    >>> import autograd_core as ag
    >>> from autograd_core.distributions import Normal
    >>> class Unit(Normal):
    ...     pass
    >>> @register_kl(Unit, Unit)
    ... def _kl_unit(p: Unit, q: Unit) -> Tensor:
    ...     return ag.zeros(p.batch_shape)
    >>> kl_divergence(Unit(0.0, 1.0), Unit(3.0, 1.0))
    tensor(0.)
    """
    for t in (type_p, type_q):
        if not (isinstance(t, type) and issubclass(t, Distribution)):
            raise TypeError(f"Expected type_p and type_q to be Distribution subclasses but "
                            f"got {t}")

    def decorator(fn: _KLFunction) -> _KLFunction:
        _REGISTRY[type_p, type_q] = fn
        _CHOSEN.clear()  # a new pair may be closer for types looked up before
        return fn
    return decorator


def _dispatch(type_p: type, type_q: type) -> _KLFunction | None:
    """The registered function of the closest pair of superclasses; a pair closest on ``p``
    first and one closest on ``q`` first that differ make the choice ambiguous: warn."""
    matches = [(type_p.__mro__.index(sp), type_q.__mro__.index(sq), sp, sq)
               for sp, sq in _REGISTRY if issubclass(type_p, sp) and issubclass(type_q, sq)]
    if not matches:
        return None
    by_p = min(matches, key=lambda m: (m[0], m[1]))
    by_q = min(matches, key=lambda m: (m[1], m[0]))
    if _REGISTRY[by_p[2], by_p[3]] is not _REGISTRY[by_q[2], by_q[3]]:
        warnings.warn(f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). "
                      f"Please register_kl({by_p[2].__name__}, {by_q[3].__name__})",
                      RuntimeWarning, stacklevel=3)
    return _REGISTRY[by_p[2], by_p[3]]


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """``KL(p || q)``, of the batch shape; NotImplementedError for a pair of types with
    no registered function, as PyTorch's.

    >>> import autograd_core as ag
    >>> from autograd_core.distributions import Categorical
    >>> kl_divergence(Categorical(ag.tensor([0.5, 0.5])), Categorical(ag.tensor([0.5, 0.5])))
    tensor(0.)
    """
    key = (type(p), type(q))
    if key not in _CHOSEN:
        _CHOSEN[key] = _dispatch(*key)
    fn = _CHOSEN[key]
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type "
                                  f"{p.__class__.__name__} and q type {q.__class__.__name__}")
    return fn(p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event "
                         "shapes cannot be computed")
    pL, qL = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    half_term1 = (qL.diagonal(dim1=-2, dim2=-1).log().sum(-1)
                  - pL.diagonal(dim1=-2, dim2=-1).log().sum(-1))
    shape = ag.broadcast_shapes(tuple(qL.shape[:-2]), tuple(pL.shape[:-2]))
    n = p.event_shape[0]
    solved = ag.linalg.solve_triangular(qL.expand(shape + (n, n)), pL.expand(shape + (n, n)),
                                        upper=False)
    term2 = solved.pow(2).sum((-2, -1))
    term3 = _batch_mahalanobis(qL, q.loc - p.loc)
    return half_term1 + 0.5 * (term2 + term3 - n)


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    t = ag.where(q.probs == 0, _INF, t)   # mass where q has none: infinite
    t = ag.where(p.probs == 0, 0.0, t)    # 0 log 0 = 0
    return t.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_one_hot_categorical(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    ones = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    ones = ag.where(q.probs == 0, _INF, ones)
    ones = ag.where(p.probs == 0, 0.0, ones)
    zeros = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    zeros = ag.where(q.probs == 1, _INF, zeros)
    zeros = ag.where(p.probs == 1, 0.0, zeros)
    return ones + zeros


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return ag.where((q.low > p.low) | (q.high < p.high), _INF, result)


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)
