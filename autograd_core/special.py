"""``autograd_core.special``: PyTorch's ``torch.special`` namespace, the special functions
under SciPy's names (``expit``, ``gammaln``, ``psi``, ``ndtr``, ...). Each is a Tensor op
(differentiable where PyTorch's is); this module only names them.

>>> import autograd_core as ag
>>> from autograd_core import special
>>> special.expit(ag.tensor([0.0])), special.ndtr(ag.tensor([0.0]))
(tensor([0.5000]), tensor([0.5000]))
"""
from __future__ import annotations

import math
from typing import Any

from .autograd.function import is_tensor
from .ops import special as SP
from .tensor.base import Tensor

__all__ = ["erf", "erfc", "erfinv", "expit", "logit", "gammaln", "digamma", "psi", "polygamma",
           "multigammaln", "i0", "i1", "xlogy", "xlog1py", "sinc", "log_softmax", "softmax",
           "logsumexp", "log1p", "expm1", "exp2", "ndtr", "ndtri", "log_ndtr", "entr", "round"]


def _input(x: Any, name: str) -> Tensor:
    if not is_tensor(x):
        raise TypeError(f"special_{name}(): argument 'input' must be Tensor, not "
                        f"{type(x).__name__}")
    return x


def erf(input: Tensor) -> Tensor:
    """The error function.

    >>> import autograd_core as ag
    >>> erf(ag.tensor([0.0]))
    tensor([0.])
    """
    return _input(input, "erf").erf()


def erfc(input: Tensor) -> Tensor:
    """``1 - erf(x)``.

    >>> import autograd_core as ag
    >>> erfc(ag.tensor([0.0]))
    tensor([1.])
    """
    return _input(input, "erfc").erfc()


def erfinv(input: Tensor) -> Tensor:
    """The inverse error function.

    >>> import autograd_core as ag
    >>> erfinv(ag.tensor([0.0]))
    tensor([0.])
    """
    return _input(input, "erfinv").erfinv()


def expit(input: Tensor) -> Tensor:
    """The logistic sigmoid ``1 / (1 + exp(-x))``.

    >>> import autograd_core as ag
    >>> expit(ag.tensor([0.0]))
    tensor([0.5000])
    """
    return _input(input, "expit").sigmoid()


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(x / (1 - x))``, the input clamped to ``[eps, 1 - eps]`` when ``eps`` is given.

    >>> import autograd_core as ag
    >>> logit(ag.tensor([0.5]))
    tensor([0.])
    """
    return _input(input, "logit").logit(eps)


def gammaln(input: Tensor) -> Tensor:
    """``log|Gamma(x)|`` (``lgamma``).

    >>> import autograd_core as ag
    >>> gammaln(ag.tensor([3.0]))
    tensor([0.6931])
    """
    return _input(input, "gammaln").lgamma()


def digamma(input: Tensor) -> Tensor:
    """``d/dx log Gamma(x)``.

    >>> import autograd_core as ag
    >>> digamma(ag.tensor([1.0]))
    tensor([-0.5772])
    """
    return _input(input, "digamma").digamma()


psi = digamma


def polygamma(n: int, input: Tensor) -> Tensor:
    """The ``n``-th derivative of ``digamma``.

    >>> import autograd_core as ag
    >>> polygamma(1, ag.tensor([1.0]))
    tensor([1.6449])
    """
    return _input(input, "polygamma").polygamma(n)


def multigammaln(input: Tensor, p: int) -> Tensor:
    """The log of the multivariate gamma function (``mvlgamma``).

    >>> import autograd_core as ag
    >>> multigammaln(ag.tensor([2.5]), 2)
    tensor([0.8570])
    """
    return _input(input, "multigammaln").mvlgamma(p)


def i0(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind of order 0.

    >>> import autograd_core as ag
    >>> i0(ag.tensor([0.0]))
    tensor([1.0000])
    """
    return _input(input, "i0").i0()


def i1(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind of order 1.

    >>> import autograd_core as ag
    >>> i1(ag.tensor([1.0]))
    tensor([0.5652])
    """
    return SP.I1.apply(_input(input, "i1")._floating())


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0.

    >>> import autograd_core as ag
    >>> xlogy(ag.tensor([0.0, 1.0]), ag.tensor([0.0, 1.0]))
    tensor([0., 0.])
    """
    if not is_tensor(input):
        return _input(other, "xlogy")._other(input, "xlogy").xlogy(other)
    return input.xlogy(other)


def xlog1py(input: Any, other: Any) -> Tensor:
    """``input * log1p(other)``, 0 where ``input`` is 0.

    >>> import autograd_core as ag
    >>> xlog1py(ag.tensor([0.0, 2.0]), ag.tensor([-1.0, 0.0]))
    tensor([0., 0.])
    """
    if not is_tensor(input):
        input = _input(other, "xlog1py")._other(input, "xlog1py")
    return input._float_pair(other, SP.Xlogy, "xlog1py", log1p=True)


def sinc(input: Tensor) -> Tensor:
    """``sin(pi x) / (pi x)``, 1 at 0.

    >>> import autograd_core as ag
    >>> sinc(ag.tensor([0.0]))
    tensor([1.])
    """
    return _input(input, "sinc").sinc()


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """``log(softmax(input, dim))``, stable.

    >>> import autograd_core as ag
    >>> log_softmax(ag.tensor([0.0, 0.0]), 0)
    tensor([-0.6931, -0.6931])
    """
    x = _input(input, "log_softmax")
    return (x if dtype is None else x.to(dtype)).log_softmax(dim)


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``.

    >>> import autograd_core as ag
    >>> softmax(ag.tensor([0.0, 0.0]), 0)
    tensor([0.5000, 0.5000])
    """
    x = _input(input, "softmax")
    return (x if dtype is None else x.to(dtype)).softmax(dim)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` along ``dim``, stable.

    >>> import autograd_core as ag
    >>> logsumexp(ag.tensor([0.0, 0.0]), 0)
    tensor(0.6931)
    """
    return _input(input, "logsumexp").logsumexp(dim, keepdim=keepdim)


def log1p(input: Tensor) -> Tensor:
    """``log(1 + x)``.

    >>> import autograd_core as ag
    >>> log1p(ag.tensor([0.0]))
    tensor([0.])
    """
    return _input(input, "log1p").log1p()


def expm1(input: Tensor) -> Tensor:
    """``exp(x) - 1``.

    >>> import autograd_core as ag
    >>> expm1(ag.tensor([0.0]))
    tensor([0.])
    """
    return _input(input, "expm1").expm1()


def exp2(input: Tensor) -> Tensor:
    """``2 ** x``.

    >>> import autograd_core as ag
    >>> exp2(ag.tensor([3.0]))
    tensor([8.])
    """
    return _input(input, "exp2").exp2()


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF ``(1 + erf(x / sqrt 2)) / 2`` (as ``erfc(-x / sqrt 2) / 2``).

    >>> import autograd_core as ag
    >>> ndtr(ag.tensor([0.0]))
    tensor([0.5000])
    """
    return (_input(input, "ndtr")._floating() * (-1 / math.sqrt(2))).erfc() * 0.5


def ndtri(input: Tensor) -> Tensor:
    """The inverse of ``ndtr`` on [0, 1].

    >>> import autograd_core as ag
    >>> ndtri(ag.tensor([0.5]))
    tensor([0.])
    """
    return SP.Ndtri.apply(_input(input, "ndtri")._floating())


def log_ndtr(input: Tensor) -> Tensor:
    """``log(ndtr(x))``, exact far into the lower tail.

    >>> import autograd_core as ag
    >>> log_ndtr(ag.tensor([0.0]))
    tensor([-0.6931])
    """
    return SP.LogNdtr.apply(_input(input, "log_ndtr")._floating())


def entr(input: Tensor) -> Tensor:
    """The elementwise entropy ``-x log x`` (0 at 0, -inf below).

    >>> import autograd_core as ag
    >>> entr(ag.tensor([0.0, 0.5]))
    tensor([0.0000, 0.3466])
    """
    return SP.Entr.apply(_input(input, "entr")._floating())


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 (PyTorch's name)
    """Round half to even (to ``decimals`` places).

    >>> import autograd_core as ag
    >>> round(ag.tensor([2.5]))
    tensor([2.])
    """
    return _input(input, "round").round(decimals=decimals)
