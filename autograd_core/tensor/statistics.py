"""Statistics of a tensor's values: counts (``bincount``, ``histogram``), membership
(``isin``), order statistics ignoring NaN (``nanmedian``, ``msort``), runs
(``unique_consecutive``), covariance and correlation (``cov``, ``corrcoef``), integrals
by the trapezoidal rule (``trapezoid``, ``cumulative_trapezoid``) and ``renorm``. The
differentiable ones are composed of recorded Tensor ops, so their gradients (of any
order) come with them.

>>> import autograd_core as ag
>>> from autograd_core.tensor.statistics import trapezoid
>>> trapezoid(ag.tensor([1.0, 2.0, 3.0]))
tensor(4.)
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..autograd.function import is_tensor
from ..ops.pointwise import where
from .args import _check_dim, _is_float
from .dtypes import get_default_dtype, scalar_type_name
from .reduce import median_by

if TYPE_CHECKING:  # for annotations only
    from .base import Tensor

# PyTorch's torch.return_types.histogram
Histogram = namedtuple("Histogram", ["hist", "bin_edges"])


def _tensor(x: Any, op: str, arg: str = "input") -> "Tensor":
    if not is_tensor(x):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")
    return x


def bincount(input: "Tensor", weights: "Tensor | None" = None, minlength: int = 0) -> "Tensor":
    """How often each value 0, 1, ... occurs in a 1-D tensor of non-negative integers (or the
    sum of ``weights`` at its places); at least ``minlength`` bins. int64 counts; float
    weights give float64 sums (float32 for float32 weights), as PyTorch's.

    >>> import autograd_core as ag
    >>> ag.bincount(ag.tensor([0, 2, 2])), ag.bincount(ag.tensor([0, 2]), ag.tensor([0.5, 1.0]))
    (tensor([1, 0, 2]), tensor([0.5000, 0.0000, 1.0000]))
    """
    x = _tensor(input, "bincount")._data
    if x.dtype.kind not in "iub":
        raise NotImplementedError(f'"bincount_cpu" not implemented for '
                                  f"'{scalar_type_name(x.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _f.make(np.bincount(x, minlength=minlength).astype(np.int64))
    w = _tensor(weights, "bincount", "weights")._data
    if w.shape != x.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dt = np.float32 if w.dtype == np.float32 else np.float64
    return _f.make(np.bincount(x, weights=w.astype(np.float64), minlength=minlength).astype(dt))


def histogram(input: "Tensor", bins: Any = 100, *, range: Any = None,
              weight: "Tensor | None" = None, density: bool = False) -> Histogram:
    """Counts (or weight sums) of ``input``'s values in ``bins`` equal-width bins over
    ``range`` (the data's own by default), or between the edges of a 1-D tensor ``bins``;
    the last bin includes its right edge. Returns ``(hist, bin_edges)`` in the input's
    float dtype.

    >>> import autograd_core as ag
    >>> ag.histogram(ag.tensor([1.0, 2.0, 1.0]), bins=2)
    Histogram(hist=tensor([2., 1.]), bin_edges=tensor([1.0000, 1.5000, 2.0000]))
    """
    x = _tensor(input, "histogram")._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for '
                                  f"'{scalar_type_name(x.dtype)}'")
    w = None if weight is None else _tensor(weight, "histogram", "weight")._data.reshape(-1)
    if is_tensor(bins):
        edges = bins._data
    else:
        if int(bins) <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               f"dimension 0")
        edges = int(bins)
    hist, out_edges = np.histogram(x.reshape(-1), bins=edges, range=range, weights=w,
                                   density=density)
    return Histogram(_f.make(hist.astype(x.dtype)), _f.make(out_edges.astype(x.dtype)))


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> "Tensor":
    """True where an element of ``elements`` occurs in ``test_elements`` (either may be a
    number); ``invert`` gives the opposite.

    >>> import autograd_core as ag
    >>> ag.isin(ag.tensor([1, 2, 3]), ag.tensor([2, 5]))
    tensor([False,  True, False])
    """
    if not is_tensor(elements) and not is_tensor(test_elements):
        raise TypeError("isin(): expected elements or test_elements to be a Tensor")
    a = elements._data if is_tensor(elements) else np.asarray(elements)
    b = test_elements._data if is_tensor(test_elements) else np.asarray(test_elements)
    return _f.make(np.asarray(np.isin(a, b, assume_unique=assume_unique, invert=invert)))


def _nan_median_index(a: np.ndarray, dim: int) -> np.ndarray:
    """Along ``dim``: the index of the lower median of the non-NaN values (of the first
    element when all are NaN)."""
    order = np.argsort(a, axis=dim, kind="stable")  # NaNs sort last
    if a.dtype.kind == "f":
        count = (~np.isnan(a)).sum(axis=dim, keepdims=True)
    else:
        count = np.full(np.take(order, [0], axis=dim).shape, a.shape[dim])
    k = np.maximum((count - 1) // 2, 0).astype(np.int64)
    return np.take_along_axis(order, k, axis=dim).squeeze(dim)


def trapezoid(y: "Tensor", x: "Tensor | None" = None, *, dx: float | None = None,
              dim: int = -1) -> "Tensor":
    """The integral of ``y`` along ``dim`` by the trapezoidal rule, at the points ``x`` (a
    tensor, 1-D or of ``y``'s shape) or spaced ``dx`` apart (1 by default). Differentiable.

    >>> import autograd_core as ag
    >>> ag.trapezoid(ag.tensor([1.0, 2.0, 3.0]), dx=2.0)
    tensor(8.)
    """
    terms, d = _trapezoid_terms(y, x, dx, dim, "trapezoid")
    return terms.sum(dim=d)


def _trapezoid_terms(y: Any, x: Any, dx: Any, dim: int, op: str) -> tuple:
    """The areas of the trapezoids along ``dim`` (and that dim, as a non-negative index)."""
    y = _tensor(y, op, "y")
    if x is not None and dx is not None:
        raise TypeError(f"{op}() received both x and dx")
    if not _is_float(y._data.dtype):
        y = y.to(get_default_dtype())
    d = _check_dim(y, dim, op)
    n = y.shape[d]
    if n == 0:
        return y.narrow(d, 0, 0) * 0, d
    mids = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) * 0.5
    if x is None:
        return mids * (1.0 if dx is None else float(dx)), d
    if is_tensor(x):
        if x.ndim == 1:
            if x.shape[0] != n:
                raise RuntimeError(f"{op}: There must be one `x` value for each sample point")
            step = x[1:] - x[:-1]
            shape = [1] * y.ndim
            shape[d] = n - 1
            step = step.reshape(tuple(shape))
        else:
            xd = _check_dim(x, dim, op)
            step = x.narrow(xd, 1, x.shape[xd] - 1) - x.narrow(xd, 0, x.shape[xd] - 1)
        return mids * step, d
    return mids * float(x), d  # a number: the spacing, as PyTorch's trapezoid(y, dx)


def cumulative_trapezoid(y: "Tensor", x: "Tensor | None" = None, *, dx: float | None = None,
                         dim: int = -1) -> "Tensor":
    """The running integral of ``y`` along ``dim`` by the trapezoidal rule (one element
    fewer than ``y`` along ``dim``). Differentiable.

    >>> import autograd_core as ag
    >>> ag.cumulative_trapezoid(ag.tensor([1.0, 2.0, 3.0]))
    tensor([1.5000, 4.0000])
    """
    terms, d = _trapezoid_terms(y, x, dx, dim, "cumulative_trapezoid")
    return terms.cumsum(d)


def trapz(y: "Tensor", x: Any = None, *, dx: float | None = None, dim: int = -1) -> "Tensor":
    """The older name of ``trapezoid`` (``trapz(y, x, dim=...)`` or ``trapz(y, dx=...)``).

    >>> import autograd_core as ag
    >>> ag.trapz(ag.tensor([1.0, 3.0]), ag.tensor([0.0, 2.0]))
    tensor(4.)
    """
    return trapezoid(y, x, dx=dx, dim=dim)


def cov(input: "Tensor", *, correction: int = 1, fweights: "Tensor | None" = None,
        aweights: "Tensor | None" = None) -> "Tensor":
    """The covariance matrix of the variables in the rows of ``input`` (a 1-D input is one
    variable), observations in the columns, with integer frequency weights ``fweights``,
    observation weights ``aweights`` and ``correction`` (1: Bessel's). Differentiable.

    >>> import autograd_core as ag
    >>> ag.cov(ag.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    x = _tensor(input, "cov")
    if x.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {x.ndim} dimensions")
    if not _is_float(x._data.dtype):
        x = x.to(get_default_dtype())
    if x.ndim < 2:
        x = x.reshape(1, -1)
    n = x.shape[1]
    w = None
    if fweights is not None:
        f = fweights._data
        if f.ndim > 1:
            raise RuntimeError(f"cov(): expected fweights to have one or fewer dimensions but "
                               f"got fweights with {f.ndim} dimensions")
        if f.dtype.kind not in "iu":
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got "
                               f"fweights with {scalar_type_name(f.dtype)} dtype")
        if f.size != n:
            raise RuntimeError(f"cov(): expected fweights to have the same numel as there are "
                               f"observations in the input but got {f.size} != {n}")
        if (f < 0).any():
            raise RuntimeError("cov(): fweights cannot be negative")
        w = fweights.to(x.dtype)
    if aweights is not None:
        a = aweights._data
        if a.ndim > 1:
            raise RuntimeError(f"cov(): expected aweights to have one or fewer dimensions but "
                               f"got aweights with {a.ndim} dimensions")
        if not _is_float(a.dtype):
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {scalar_type_name(a.dtype)} dtype")
        if a.size != n:
            raise RuntimeError(f"cov(): expected aweights to have the same numel as there are "
                               f"observations in the input but got {a.size} != {n}")
        if (a < 0).any():
            raise RuntimeError("cov(): aweights cannot be negative")
        w = aweights if w is None else w * aweights
    if w is None:
        avg = x.mean(1)
        norm: Any = float(n - correction)
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
    if (norm._data if is_tensor(norm) else np.asarray(norm)) <= 0:
        norm = norm * 0 if is_tensor(norm) else 0.0  # as PyTorch: clamped to 0 (inf or NaN)
    xm = x - avg.unsqueeze(1)
    c = ((xm if w is None else xm * w) @ xm.t()) / norm
    return c.reshape(()) if c.shape == (1, 1) else c


def corrcoef(input: "Tensor") -> "Tensor":
    """Pearson's correlation coefficients of the variables in the rows of ``input``, clipped
    to [-1, 1]. Differentiable.

    >>> import autograd_core as ag
    >>> ag.corrcoef(ag.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.5]]))
    tensor([[ 1.0000, -0.9820],
            [-0.9820,  1.0000]])
    """
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    c = c / std.unsqueeze(1) / std.unsqueeze(0)
    return c.clamp(-1, 1)


class StatisticsMixin:
    """Tensor methods of ``autograd_core.tensor.statistics``."""

    __slots__ = ()

    def bincount(self, weights: "Tensor | None" = None, minlength: int = 0) -> "Tensor":
        """See ``autograd_core.bincount``.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 1, 3]).bincount(minlength=5)
        tensor([0, 2, 0, 1, 0])
        """
        return bincount(self, weights, minlength)

    def histogram(self, bins: Any = 100, *, range: Any = None, weight: Any = None,
                  density: bool = False) -> Histogram:
        """See ``autograd_core.histogram``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 1.0, 1.0]).histogram(2).hist
        tensor([1., 2.])
        """
        return histogram(self, bins, range=range, weight=weight, density=density)

    def isin(self, test_elements: Any, *, assume_unique: bool = False,
             invert: bool = False) -> "Tensor":
        """See ``autograd_core.isin``.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 2]).isin(ag.tensor([2]))
        tensor([False,  True])
        """
        return isin(self, test_elements, assume_unique=assume_unique, invert=invert)

    def msort(self) -> "Tensor":
        """The values sorted along dim 0 (``sort(dim=0).values``).

        >>> import autograd_core as ag
        >>> ag.tensor([[3, 1], [1, 2]]).msort()
        tensor([[1, 1],
                [3, 2]])
        """
        return self.sort(dim=0).values

    def nanmedian(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The median ignoring NaN (the lower of the two middle values; NaN only when all
        are NaN); with ``dim``, a named tuple ``(values, indices)``. The gradient flows to
        the chosen element.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("nan"), 3.0, 2.0]).nanmedian()
        tensor(2.)
        """
        return median_by(self, dim, keepdim, _nan_median_index, "nanmedian",
                         lambda d: f"nanmedian(): Expected reduction dim {d} to have non-zero "
                                   "size.")

    def unique_consecutive(self, return_inverse: bool = False, return_counts: bool = False,
                           dim: int | None = None) -> Any:
        """The values with each run of equal consecutive ones (slices along ``dim``) kept
        once, and the inverse indices and run lengths if asked. Not differentiable.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 1, 2, 2, 1]).unique_consecutive(return_counts=True)
        (tensor([1, 2, 1]), tensor([2, 2, 1]))
        """
        a = self._data
        if dim is None:
            flat = a.reshape(-1)
            new = np.ones(flat.shape, bool)
            new[1:] = flat[1:] != flat[:-1]
            values = flat[new]
            inverse_shape = a.shape
        else:
            d = _check_dim(self, dim, "unique_consecutive")
            moved = np.moveaxis(a, d, 0).reshape(a.shape[d], -1)
            new = np.ones(a.shape[d], bool)
            new[1:] = (moved[1:] != moved[:-1]).any(axis=1)
            values = np.take(a, np.flatnonzero(new), axis=d)
            inverse_shape = (a.shape[d],)
        starts = np.flatnonzero(new)
        out: list = [_f.make(np.ascontiguousarray(values))]
        if return_inverse:
            out.append(_f.make((np.cumsum(new) - 1).astype(np.int64).reshape(inverse_shape)))
        if return_counts:
            out.append(_f.make(np.diff(np.append(starts, new.size)).astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def cov(self, *, correction: int = 1, fweights: Any = None, aweights: Any = None
            ) -> "Tensor":
        """See ``autograd_core.cov``.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0, 3.0]).cov()
        tensor(1.)
        """
        return cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self) -> "Tensor":
        """See ``autograd_core.corrcoef``.

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 2.0], [2.0, 4.0]]).corrcoef()
        tensor([[1., 1.],
                [1., 1.]])
        """
        return corrcoef(self)

    def renorm(self, p: float, dim: int, maxnorm: float) -> "Tensor":
        """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to norm
        ``maxnorm`` (by ``maxnorm / (norm + 1e-7)``, as PyTorch's). Differentiable.

        >>> import autograd_core as ag
        >>> ag.tensor([[3.0, 4.0], [0.3, 0.4]]).renorm(2, 0, 1.0)
        tensor([[0.6000, 0.8000],
                [0.3000, 0.4000]])
        """
        if not _is_float(self._data.dtype):
            raise RuntimeError(f'"renorm_out" not implemented for '
                               f"'{scalar_type_name(self._data.dtype)}'")
        if p <= 0:
            raise RuntimeError("renorm: non-positive-norm not supported")
        if maxnorm < 0:
            raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
        d = _check_dim(self, dim, "renorm")
        others = tuple(k for k in range(self.ndim) if k != d)
        norms = (self.abs() ** p).sum(dim=others, keepdim=True) ** (1.0 / p) if others else \
            self.abs()
        over = norms._data > maxnorm
        factor = maxnorm / (norms + 1e-7)
        return self * where(over, factor, _f.make(np.ones((), self._data.dtype)))
