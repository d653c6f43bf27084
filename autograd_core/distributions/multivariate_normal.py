"""``MultivariateNormal``: the Gaussian over vectors, given by its mean ``loc`` and one of
a covariance matrix, a precision matrix or the lower Cholesky factor ``scale_tril`` of the
covariance (the form every computation uses). A continuous-action policy (PPO's, say)
scores its actions with one.

>>> import autograd_core as ag
>>> from autograd_core.distributions import MultivariateNormal
>>> m = MultivariateNormal(ag.zeros(2), covariance_matrix=ag.eye(2))
>>> m.log_prob(ag.zeros(2)), m.event_shape
(tensor(-1.8379), (2,))
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import autograd_core as ag
from autograd_core import Tensor

from . import constraints
from .distribution import Distribution
from .utils import lazy_property

__all__ = ["MultivariateNormal"]


def _batch_mv(bmat: Tensor, bvec: Tensor) -> Tensor:
    """Matrix times vector over broadcast batch dims."""
    return ag.matmul(bmat, bvec.unsqueeze(-1)).squeeze(-1)


def _batch_mahalanobis(L: Tensor, x: Tensor) -> Tensor:
    """``x^T (L L^T)^-1 x`` over broadcast batch dims: the squared norm of ``L^-1 x``."""
    shape = ag.broadcast_shapes(tuple(L.shape[:-1]), tuple(x.shape))
    L = L.expand(shape[:-1] + tuple(L.shape[-2:]))
    z = ag.linalg.solve_triangular(L, x.expand(shape).unsqueeze(-1), upper=False)
    return z.squeeze(-1).pow(2).sum(-1)


def _precision_to_scale_tril(P: Tensor) -> Tensor:
    """The lower Cholesky factor of ``P^-1`` (PyTorch's construction, through the flipped
    factor of ``P``)."""
    Lf = ag.linalg.cholesky(ag.flip(P, (-2, -1)))
    L_inv = ag.transpose(ag.flip(Lf, (-2, -1)), -2, -1)
    eye = ag.eye(P.shape[-1], dtype=P.dtype)
    return ag.linalg.solve_triangular(L_inv, eye, upper=False)


class MultivariateNormal(Distribution):
    """A normal distribution over vectors of the last dim of ``loc`` (see the module's
    text); batch dims of ``loc`` and the matrix broadcast.

    >>> import autograd_core as ag
    >>> loc = ag.zeros(3, 2, requires_grad=True)
    >>> m = MultivariateNormal(loc, scale_tril=ag.eye(2) * 0.5)
    >>> m.batch_shape, m.rsample((4,)).shape
    ((3,), (4, 3, 2))
    """

    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Tensor, covariance_matrix: Tensor | None = None,
                 precision_matrix: Tensor | None = None, scale_tril: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if (covariance_matrix is not None) + (scale_tril is not None) + \
                (precision_matrix is not None) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        given = scale_tril if scale_tril is not None else covariance_matrix \
            if covariance_matrix is not None else precision_matrix
        name = "scale_tril" if scale_tril is not None else "covariance_matrix" \
            if covariance_matrix is not None else "precision_matrix"
        if given.dim() < 2:
            raise ValueError(f"{name} must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        batch_shape = ag.broadcast_shapes(tuple(given.shape[:-2]), tuple(loc.shape[:-1]))
        setattr(self, name, given.expand(batch_shape + (-1, -1)))
        self.loc = loc.expand(batch_shape + (-1,))
        event_shape = tuple(self.loc.shape[-1:])
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = ag.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> "MultivariateNormal":
        """This distribution with its parameters expanded to ``batch_shape``.

        >>> import autograd_core as ag
        >>> MultivariateNormal(ag.zeros(2), ag.eye(2)).expand((3,)).loc.shape
        (3, 2)
        """
        shape = tuple(batch_shape)
        n = self._event_shape[0]
        params = dict(loc=self.loc.expand(shape + (n,)),
                      _unbroadcasted_scale_tril=self._unbroadcasted_scale_tril)
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                params[name] = self.__dict__[name].expand(shape + (n, n))
        return self._expanded(shape, **params)

    @lazy_property
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand(self._batch_shape + self._event_shape * 2)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        L = self._unbroadcasted_scale_tril
        return ag.matmul(L, L.mT).expand(self._batch_shape + self._event_shape * 2)

    @lazy_property
    def precision_matrix(self) -> Tensor:
        return ag.cholesky_inverse(self._unbroadcasted_scale_tril).expand(
            self._batch_shape + self._event_shape * 2)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(
            self._batch_shape + self._event_shape)

    def rsample(self, sample_shape: Sequence[int] = ag.Size()) -> Tensor:
        """``loc + L eps`` with ``eps`` standard normal: differentiable.

        >>> import autograd_core as ag
        >>> MultivariateNormal(ag.zeros(2), ag.eye(2)).rsample((5,)).shape
        (5, 2)
        """
        shape = tuple(self._extended_shape(sample_shape))
        eps = ag.randn(shape, dtype=self.loc.dtype)
        return self.loc + _batch_mv(self._unbroadcasted_scale_tril, eps)

    def sample(self, sample_shape: Sequence[int] = ag.Size()) -> Tensor:
        with ag.no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """``-(k log(2 pi) + mahalanobis(value - loc)) / 2 - log det L``.

        >>> import autograd_core as ag
        >>> MultivariateNormal(ag.zeros(2), ag.eye(2) * 4).log_prob(ag.zeros(2))
        tensor(-3.2242)
        """
        if self._validate_args:
            self._validate_sample(value)
        L = self._unbroadcasted_scale_tril
        diff = value - self.loc
        M = _batch_mahalanobis(L, diff)
        half_log_det = L.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - half_log_det

    def entropy(self) -> Tensor:
        """``k (1 + log(2 pi)) / 2 + log det L``.

        >>> import autograd_core as ag
        >>> MultivariateNormal(ag.zeros(2), ag.eye(2)).entropy()
        tensor(2.8379)
        """
        L = self._unbroadcasted_scale_tril
        half_log_det = L.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        return H if not self._batch_shape else H.expand(self._batch_shape)
