"""Tensors of random numbers (``rand``, ``randn``, ``randint``, ...) and the sampling
methods of Tensor (``bernoulli``, ``multinomial``, ``uniform_``, ``normal_``), drawn from
the generators of ``autograd_core.random``.

>>> import autograd_core as ag
>>> _ = ag.manual_seed(0)
>>> a = ag.rand(3)
>>> _ = ag.manual_seed(0)
>>> bool((ag.rand(3) == a).all())
True
"""
from __future__ import annotations

from typing import Any, Callable, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..device import check as check_device
from ..random import Generator, rng
from ..ops import pointwise as P
from .args import _is_float, _keyword_size, _size
from .creation import _float, _like, _new
from .dtypes import _dtype, int64

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """Uniform numbers in [0, 1)."""
    if kwargs:
        size = _keyword_size(size, kwargs, "size", "rand")
    check_device(device)
    return _new(rng(generator).random(_size(size)).astype(_float(dtype)), requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """Standard normal numbers."""
    if kwargs:
        size = _keyword_size(size, kwargs, "size", "randn")
    check_device(device)
    return _new(rng(generator).standard_normal(_size(size)).astype(_float(dtype)), requires_grad)


def randint(low: int, high: Any = None, size: Any = None, generator: Generator | None = None,
            dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``.

    >>> import autograd_core as ag
    >>> ag.randint(10, (3,)).shape, ag.randint(5, 8, (2, 2)).dtype
    ((3,), dtype('int64'))
    """
    check_device(device)
    if size is None:  # randint(high, size): PyTorch's two-argument form
        if high is None or not isinstance(high, (tuple, list)) and not hasattr(high, "__len__"):
            raise TypeError("randint() missing 1 required positional argument: 'size'")
        low, high, size = 0, low, high
    dt = _dtype(dtype) or int64
    t = _f.make(rng(generator).integers(low, high, _size((size,))).astype(dt))
    if requires_grad:
        t.requires_grad = True
    return t


def randperm(n: int, generator: Generator | None = None, dtype: Any = None,
             device: Any = None) -> Tensor:
    check_device(device)
    return _f.make(rng(generator).permutation(n).astype(_dtype(dtype) or int64))


def rand_like(input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
              generator: Generator | None = None) -> Tensor:
    check_device(device)
    shape, dt = _like(input, dtype)
    return _new(rng(generator).random(shape).astype(dt), requires_grad)


def randn_like(input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               generator: Generator | None = None) -> Tensor:
    check_device(device)
    shape, dt = _like(input, dtype)
    return _new(rng(generator).standard_normal(shape).astype(dt), requires_grad)

class RandomMixin:
    """Tensor methods that draw random numbers."""

    __slots__ = ()

    def _draw_(self, name: str, draw: Callable[[Any], np.ndarray], generator: Any) -> "Tensor":
        values = draw(rng(generator))
        return self._inplace(name, lambda s: P.Fill.apply(s, array=values))

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None,
                 device: Any = None) -> "Tensor":
        check_device(device)
        return self._draw_("uniform_", lambda g: g.uniform(a, b, self._data.shape), generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None,
                device: Any = None) -> "Tensor":
        check_device(device)
        return self._draw_("normal_", lambda g: g.normal(mean, std, self._data.shape), generator)

    def bernoulli(self, p: float | None = None, *, generator: Any = None,
                  device: Any = None) -> "Tensor":
        """Draw 0 or 1 with probability ``self`` (or ``p``) of 1, in self's dtype. No gradient.

        >>> import autograd_core as ag
        >>> g = ag.Generator().manual_seed(0)
        >>> ag.tensor([0.0, 1.0, 1.0]).bernoulli(generator=g)
        tensor([0., 1., 1.])
        """
        check_device(device)
        probs = self._data if p is None else np.asarray(p, dtype=np.float64)
        if not ((probs >= 0) & (probs <= 1)).all():
            raise RuntimeError("bernoulli: expected all probabilities in [0, 1], got values from "
                             f"{np.nanmin(probs)} to {np.nanmax(probs)}")
        draw = rng(generator).random(self.shape) < probs
        return _f.make(draw.astype(self._data.dtype))

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: Any = None, device: Any = None) -> "Tensor":
        """Draw ``num_samples`` category indices (int64) per row of non-negative weights
        (1-D or 2-D), with or without replacement.

        >>> import autograd_core as ag
        >>> g = ag.Generator().manual_seed(0)
        >>> ag.tensor([0.0, 10.0, 0.0]).multinomial(2, replacement=True, generator=g)
        tensor([1, 1])
        """
        check_device(device)
        w = self._data
        if w.ndim not in (1, 2) or not _is_float(w.dtype):
            raise RuntimeError(f"multinomial: expected a 1-D or 2-D float tensor of weights, got "
                             f"shape {w.shape} and dtype {w.dtype}")
        n = w.shape[-1]
        if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
            raise RuntimeError(f"multinomial: num_samples must be a positive int, got {num_samples}")
        if not replacement and num_samples > n:
            raise RuntimeError(f"multinomial: cannot draw {num_samples} samples without replacement "
                             f"from {n} categories")
        if not np.isfinite(w).all() or (w < 0).any():
            raise RuntimeError("multinomial: weights must be finite and non-negative")
        rows = w.reshape(-1, n).astype(np.float64)
        g = rng(generator)
        out = np.empty((len(rows), num_samples), dtype=np.int64)
        for r, row in enumerate(rows):
            total = row.sum()
            if total <= 0:
                raise RuntimeError(f"multinomial: row {r} of the weights sums to zero")
            if not replacement and np.count_nonzero(row) < num_samples:
                raise RuntimeError(f"multinomial: row {r} has {np.count_nonzero(row)} categories "
                                 f"of non-zero weight, fewer than {num_samples} samples drawn "
                                 "without replacement")
            out[r] = g.choice(n, size=num_samples, replace=replacement, p=row / total)
        return _f.make(out.reshape(w.shape[:-1] + (num_samples,)))
