"""Random numbers: generators and ``manual_seed`` as in PyTorch, tensors of random numbers
(``rand``, ``randn``, ``randint``, ...), and the sampling methods of Tensor
(``bernoulli``, ``multinomial``, ``uniform_``, ``normal_``).

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
from ..ops import pointwise as P
from .args import _is_float, _size
from .creation import _float, _like, _new
from .dtypes import _dtype, int64

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


class Generator:
    """A seeded source of random numbers (wraps ``numpy.random.Generator``).

    >>> import autograd_core as ag
    >>> g = ag.Generator().manual_seed(42)
    >>> ag.randn(2, generator=g).shape
    (2,)
    """

    def __init__(self, seed: int | None = None) -> None:
        self._seed = int(np.random.SeedSequence().entropy % (2**63)) if seed is None else int(seed)
        self.np = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> "Generator":
        """Reset the generator to ``seed``; returns the generator itself."""
        self._seed = int(seed)
        self.np = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Re-seed from fresh entropy and return the new seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy % (2**63)))
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        return self.np.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.np.bit_generator.state = state


_default = Generator(0)


def default_generator() -> Generator:
    """The global generator used when no ``generator=`` is given."""
    return _default


def manual_seed(seed: int) -> Generator:
    """Seed the global generator (and return it), as ``torch.manual_seed``."""
    return _default.manual_seed(seed)


def seed() -> int:
    return _default.seed()


def initial_seed() -> int:
    return _default.initial_seed()


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind ``generator`` or the global one."""
    return (generator or _default).np


def dropout_mask(shape: tuple, p: float, dtype: Any, generator: Generator | None = None
                 ) -> np.ndarray:
    """The mask of inverted dropout, an array of ``dtype``: ``1 / (1 - p)`` where a uniform
    float32 draw is at least ``p`` (probability ``1 - p``), else 0; all zeros when ``p`` is
    1 (the draw is made all the same). Every dropout of the library takes its mask here,
    so one seed gives one mask.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.random import dropout_mask
    >>> sorted(set(dropout_mask((1000,), 0.75, ag.float32, ag.Generator(0)).tolist()))
    [0.0, 4.0]
    """
    dtype = np.dtype(dtype)
    keep = rng(generator).random(shape, dtype=np.float32) >= p
    if p >= 1:
        return np.zeros(shape, dtype)
    return keep * dtype.type(1.0 / (1.0 - p))

def rand(*size: Any, generator: Generator | None = None, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform numbers in [0, 1)."""
    return _new(rng(generator).random(_size(size)).astype(_float(dtype)), requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal numbers."""
    return _new(rng(generator).standard_normal(_size(size)).astype(_float(dtype)), requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), generator: Generator | None = None,
            dtype: Any = None) -> Tensor:
    """Integers in [low, high)."""
    if high is None:
        low, high = 0, low
    return _f.make(rng(generator).integers(low, high, _size((size,))).astype(_dtype(dtype) or int64))


def randperm(n: int, generator: Generator | None = None, dtype: Any = None) -> Tensor:
    return _f.make(rng(generator).permutation(n).astype(_dtype(dtype) or int64))


def rand_like(input: Tensor, dtype: Any = None, requires_grad: bool = False,
              generator: Generator | None = None) -> Tensor:
    shape, dt = _like(input, dtype)
    return _new(rng(generator).random(shape).astype(dt), requires_grad)


def randn_like(input: Tensor, dtype: Any = None, requires_grad: bool = False,
               generator: Generator | None = None) -> Tensor:
    shape, dt = _like(input, dtype)
    return _new(rng(generator).standard_normal(shape).astype(dt), requires_grad)

class RandomMixin:
    """Tensor methods that draw random numbers."""

    __slots__ = ()

    def _draw_(self, name: str, draw: Callable[[Any], np.ndarray], generator: Any) -> "Tensor":
        values = draw(rng(generator))
        return self._inplace(name, lambda s: P.Fill.apply(s, array=values))

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> "Tensor":
        return self._draw_("uniform_", lambda g: g.uniform(a, b, self._data.shape), generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> "Tensor":
        return self._draw_("normal_", lambda g: g.normal(mean, std, self._data.shape), generator)

    def bernoulli(self, p: float | None = None, *, generator: Any = None) -> "Tensor":
        """Draw 0 or 1 with probability ``self`` (or ``p``) of 1, in self's dtype. No gradient.

        >>> import autograd_core as ag
        >>> g = ag.Generator().manual_seed(0)
        >>> ag.tensor([0.0, 1.0, 1.0]).bernoulli(generator=g)
        tensor([0., 1., 1.])
        """
        probs = self._data if p is None else np.asarray(p, dtype=np.float64)
        if not ((probs >= 0) & (probs <= 1)).all():
            raise ValueError("bernoulli: expected all probabilities in [0, 1], got values from "
                             f"{np.nanmin(probs)} to {np.nanmax(probs)}")
        draw = rng(generator).random(self.shape) < probs
        return _f.make(draw.astype(self._data.dtype))

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: Any = None) -> "Tensor":
        """Draw ``num_samples`` category indices (int64) per row of non-negative weights
        (1-D or 2-D), with or without replacement.

        >>> import autograd_core as ag
        >>> g = ag.Generator().manual_seed(0)
        >>> ag.tensor([0.0, 10.0, 0.0]).multinomial(2, replacement=True, generator=g)
        tensor([1, 1])
        """
        w = self._data
        if w.ndim not in (1, 2) or not _is_float(w.dtype):
            raise ValueError(f"multinomial: expected a 1-D or 2-D float tensor of weights, got "
                             f"shape {w.shape} and dtype {w.dtype}")
        n = w.shape[-1]
        if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
            raise ValueError(f"multinomial: num_samples must be a positive int, got {num_samples}")
        if not replacement and num_samples > n:
            raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement "
                             f"from {n} categories")
        if not np.isfinite(w).all() or (w < 0).any():
            raise ValueError("multinomial: weights must be finite and non-negative")
        rows = w.reshape(-1, n).astype(np.float64)
        g = rng(generator)
        out = np.empty((len(rows), num_samples), dtype=np.int64)
        for r, row in enumerate(rows):
            total = row.sum()
            if total <= 0:
                raise ValueError(f"multinomial: row {r} of the weights sums to zero")
            if not replacement and np.count_nonzero(row) < num_samples:
                raise ValueError(f"multinomial: row {r} has {np.count_nonzero(row)} categories "
                                 f"of non-zero weight, fewer than {num_samples} samples drawn "
                                 "without replacement")
            out[r] = g.choice(n, size=num_samples, replace=replacement, p=row / total)
        return _f.make(out.reshape(w.shape[:-1] + (num_samples,)))
