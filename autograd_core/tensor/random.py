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

import json
import math
import operator
from typing import Any, Callable, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..device import check as check_device
from ..random import Generator, default_generator, rng
from ..ops import pointwise as P
from .args import _array, _is_float, _keyword_size, _size
from .creation import _float, _like, _new
from .dtypes import _dtype, int64, scalar_type_name

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


# Up to this many weights times draws, ``multinomial`` with replacement draws in Python
# floats (one policy step of a reinforcement-learning loop samples once from a handful of
# actions): a dozen NumPy calls on tiny arrays cost more than the arithmetic itself, which
# grows with both.
_FEW_WEIGHTS = 256


def _draw_few(rows: np.ndarray, num_samples: int, g: np.random.Generator) -> np.ndarray | None:
    """``multinomial(rows, num_samples, replacement=True)`` for few weights, the same
    draws as the array path below bit for bit (the same float64 operations in the same
    order: row sums by NumPy, then each weight over its row's sum, accumulated left to
    right, and the sums over their last); None, drawing nothing, when a weight is negative
    or not finite or a row sums to zero (the array path raises the errors)."""
    totals = rows.astype(np.float64).sum(axis=1).tolist()
    cdfs = []
    for row, total in zip(rows.tolist(), totals):
        if not (0 < total < _INF):   # NaN, inf and zero rows: the array path's errors
            return None
        c = 0.0
        cdf = []
        for x in row:
            if not x >= 0:
                return None
            c += x / total
            cdf.append(c)
        last = cdf[-1]
        cdfs.append([c / last for c in cdf])
    u = g.random((len(cdfs), num_samples)).tolist()
    return np.array([[sum([v >= c for c in cdf]) for v in draws] for cdf, draws in zip(cdfs, u)],
                    dtype=np.int64)


_INF = float("inf")


def get_rng_state() -> Tensor:
    """The global generator's state as a uint8 tensor (to save in a checkpoint and give
    back to ``set_rng_state``; the bytes are this library's, not PyTorch's).

    >>> import autograd_core as ag
    >>> state = ag.get_rng_state()
    >>> a = ag.randn(2); ag.set_rng_state(state)
    >>> bool((ag.randn(2) == a).all()), state.dtype
    (True, dtype('uint8'))
    """
    text = json.dumps(default_generator.get_state()).encode()
    return _f.make(np.frombuffer(text, np.uint8).copy())


def set_rng_state(new_state: Tensor) -> None:
    """Restore the global generator to a state from ``get_rng_state``."""
    arr = new_state._data if _f.is_tensor(new_state) else np.asarray(new_state)
    if arr.dtype != np.uint8 or arr.ndim != 1:
        raise TypeError(f"set_rng_state: expected a 1-D uint8 tensor from get_rng_state, got "
                        f"dtype {arr.dtype} and shape {arr.shape}")
    try:
        state = json.loads(arr.tobytes().decode())
    except (UnicodeDecodeError, ValueError):
        raise RuntimeError("set_rng_state: the tensor is not a state from get_rng_state (a "
                           "PyTorch generator state cannot be read here)") from None
    default_generator.set_state(state)


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
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    dt = _dtype(dtype) or int64
    t = _f.make(_integers(low, high, _size((size,)), generator).astype(dt, copy=False))
    if requires_grad:
        t.requires_grad = True
    return t


def _bound(v: Any, name: str, fn: str) -> int:
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"{fn}(): argument '{name}' must be int, not {type(v).__name__}") \
            from None


_FEW_DRAWS = 1024


def _integers(low: Any, high: Any, shape: tuple, generator: Generator | None,
              fn: str = "randint") -> np.ndarray:
    """int64 draws in ``[low, high)``. A few draws (up to ``_FEW_DRAWS``: a batch's
    indices, a token id) over a range up to 2**32 are taken as PyTorch takes them, a
    random word modulo the range, with a 64-bit word: no value is likelier than another
    by more than 2**-32 of its chance, and 32 draws take 4 us where NumPy's ``integers``
    spends 6-7 us on its arguments alone. More draws, or wider ranges, by ``integers``,
    whose rejection method is faster per draw than a 64-bit modulo.

    >>> import numpy as np
    >>> v = _integers(3, 7, (1000,), None)
    >>> v.dtype, int(v.min()), int(v.max())
    (dtype('int64'), 3, 6)
    """
    low, high = _bound(low, "low", fn), _bound(high, "high", fn)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    g = rng(generator)
    n = high - low
    if n > 2 ** 32 or math.prod(shape) > _FEW_DRAWS:
        return g.integers(low, high, shape)
    values = (g.bit_generator.random_raw(shape) % np.uint64(n)).astype(np.int64)
    if low:
        values += low
    return values


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

def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Generator | None = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal numbers of mean ``mean`` and standard deviation ``std``: tensors (broadcast
    together) or numbers, as PyTorch's overloads; two numbers need ``size``. The result
    of tensor arguments has their dtype and gives them zero gradient, as PyTorch's.

    >>> import autograd_core as ag
    >>> g = ag.Generator().manual_seed(0)
    >>> ag.normal(ag.zeros(2), 1.0, generator=g).shape, ag.normal(0.0, 1.0, (3,)).dtype
    ((2,), dtype('float32'))
    """
    check_device(device)
    m_t, s_t = _f.is_tensor(mean), _f.is_tensor(std)
    if not m_t and not s_t:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float), but expected a size for two numbers")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        draws = rng(generator).normal(mean, std, _size((size,)))
        return _new(draws.astype(_float(dtype)), requires_grad)
    for t in (mean, std):
        if _f.is_tensor(t) and not _is_float(t._data.dtype):
            raise NotImplementedError(f'"normal_kernel_cpu" not implemented for '
                                      f"'{scalar_type_name(t._data.dtype)}'")
    sd = std._data if s_t else np.asarray(std)
    if (sd < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    md = mean._data if m_t else np.asarray(mean)
    dt = np.result_type(*(t._data.dtype for t in (mean, std) if _f.is_tensor(t)))
    shape = np.broadcast_shapes(md.shape, sd.shape) if (m_t and s_t) else \
        (md.shape if m_t else sd.shape)
    values = (md + sd * rng(generator).standard_normal(shape)).astype(dt)
    if (m_t and mean.requires_grad) or (s_t and std.requires_grad):
        base = (mean if m_t else 0.0) + (std * 0 if s_t else 0.0)
        return P.Fill.apply(base * 1, array=values)  # zero gradient to mean and std
    return _f.make(values)


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Poisson counts with the rates of ``input``, in its dtype.

    >>> import autograd_core as ag
    >>> ag.poisson(ag.zeros(3))
    tensor([0., 0., 0.])
    """
    rates = input._data
    if (rates < 0).any() or np.isnan(rates).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return _f.make(rng(generator).poisson(rates).astype(rates.dtype))


def randint_like(input: Tensor, low: int = 0, high: Any = None, *, dtype: Any = None,
                 generator: Generator | None = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
    """Integers in [low, high) of ``input``'s shape and dtype: ``randint_like(x, high)`` or
    ``randint_like(x, low, high)``.

    >>> import autograd_core as ag
    >>> ag.randint_like(ag.zeros(2, 3), 5).shape
    (2, 3)
    """
    check_device(device)
    if high is None:
        low, high = 0, low
    shape, dt = _like(input, dtype)
    values = _integers(low, high, shape, generator, "randint_like")
    return _new(values.astype(dt), requires_grad) if _is_float(dt) else _f.make(values.astype(dt))


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` numbers from ``base ** start`` to ``base ** end``, evenly spaced in
    exponent. (A creation function; it belongs beside ``linspace`` in creation.py.)

    >>> import autograd_core as ag
    >>> ag.logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _float(dtype) if dtype is None or _is_float(_dtype(dtype)) else _dtype(dtype)
    exps = np.linspace(float(start), float(end), int(steps))
    values = np.power(float(base), exps)
    if not _is_float(dt):
        values = np.trunc(values)
    return _new(values.astype(dt), requires_grad)


def range(start: float = 0, end: Any = None, step: float = 1, *, dtype: Any = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Deprecated (as PyTorch's, with its warning): ``start, start + step, ...`` up to and
    including ``end``, in the default float dtype. Use ``arange``. (A creation function;
    it belongs beside ``arange`` in creation.py.)

    >>> import warnings, autograd_core as ag
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ag.range(1, 4)
    tensor([1., 2., 3., 4.])
    """
    import warnings
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    check_device(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    n = int(np.floor((end - start) / step)) + 1
    dt = _float(dtype) if dtype is None or _is_float(_dtype(dtype)) else _dtype(dtype)
    values = start + step * np.arange(n, dtype=np.float64)
    return _new(values.astype(dt), requires_grad)


def _probabilities(name: str, probs: np.ndarray) -> np.ndarray:
    """``probs`` after PyTorch's check that each lies in [0, 1] (``bernoulli`` and its
    in-place form)."""
    if not ((probs >= 0) & (probs <= 1)).all():
        raise RuntimeError(f"{name}: expected all probabilities in [0, 1], got values from "
                           f"{np.nanmin(probs)} to {np.nanmax(probs)}")
    return probs


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

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> "Tensor":
        """Fill with 0 or 1, 1 with probability ``p`` (a number or a tensor broadcast to
        self's shape), as PyTorch's (drop-path layers draw their masks so).

        >>> import autograd_core as ag
        >>> ag.empty(3).bernoulli_(1.0)
        tensor([1., 1., 1.])
        """
        probs = _probabilities("bernoulli_", _array(p).astype(np.float64, copy=False))
        try:
            np.broadcast_to(probs, self._data.shape)
        except ValueError:
            raise RuntimeError(f"bernoulli_: the shape of p {tuple(probs.shape)} cannot be "
                               f"broadcast to self's shape {tuple(self.shape)}") from None
        return self._draw_("bernoulli_", lambda g: g.random(self._data.shape) < probs, generator)

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill with draws of the exponential distribution of rate ``lambd``.

        >>> import autograd_core as ag
        >>> bool((ag.empty(100).exponential_(2.0) >= 0).all())
        True
        """
        if not lambd > 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
        return self._draw_("exponential_", lambda g: g.exponential(1.0 / lambd, self._data.shape),
                           generator)

    def geometric_(self, p: float, *, generator: Any = None) -> "Tensor":
        """Fill with the number of Bernoulli(``p``) trials up to the first success (1, 2, ...)."""
        if not 0 < p < 1:
            raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
        return self._draw_("geometric_", lambda g: g.geometric(p, self._data.shape), generator)

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None
                    ) -> "Tensor":
        """Fill with ``exp`` of draws of Normal(``mean``, ``std``)."""
        if not std > 0:
            raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
        return self._draw_("log_normal_", lambda g: g.lognormal(mean, std, self._data.shape),
                           generator)

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None
                ) -> "Tensor":
        """Fill with draws of the Cauchy distribution at ``median`` with scale ``sigma``."""
        if not sigma > 0:
            raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
        return self._draw_("cauchy_", lambda g: median + sigma * g.standard_cauchy(self._data.shape),
                           generator)

    def random_(self, *bounds: int, generator: Any = None, **kwargs: int) -> "Tensor":
        """Fill with integers drawn uniformly: ``random_(to)`` from [0, to), ``random_(from,
        to)`` from [from, to), ``random_()`` from [0, 2**d] where d is the dtype's digits
        of mantissa (floats) or its largest value (integers), as PyTorch's.

        >>> import autograd_core as ag
        >>> sorted(set(ag.empty(200, dtype=ag.int64).random_(3).tolist()))
        [0, 1, 2]
        """
        lo, hi = kwargs.pop("from", None), kwargs.pop("to", None)
        if kwargs:
            raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if len(bounds) > 2:
            raise TypeError(f"random_() takes at most 2 positional arguments ({len(bounds)} given)")
        if len(bounds) == 2:
            lo, hi = bounds
        elif len(bounds) == 1:
            if hi is None:
                hi = bounds[0]      # random_(to)
            else:
                lo = bounds[0]      # random_(from, to=...)
        lo = 0 if lo is None else int(lo)
        dtype = self._data.dtype
        if hi is None:
            if dtype.kind == "f":
                hi = 2 ** (np.finfo(dtype).nmant + 1) + 1   # 2**(mantissa digits) included
            elif dtype.kind == "b":
                hi = 2
            else:
                hi = int(np.iinfo(dtype).max) + (1 if dtype.itemsize < 8 else 0)
        hi = int(hi)
        if lo >= hi:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} "
                               f">= to={hi}")
        return self._draw_("random_", lambda g: g.integers(lo, hi, self._data.shape,
                                                             dtype=np.int64), generator)

    def bernoulli(self, p: float | None = None, *, generator: Any = None,
                  device: Any = None) -> "Tensor":
        """Draw 0 or 1 with probability ``self`` (or ``p``) of 1, in self's dtype. No gradient.

        >>> import autograd_core as ag
        >>> g = ag.Generator().manual_seed(0)
        >>> ag.tensor([0.0, 1.0, 1.0]).bernoulli(generator=g)
        tensor([0., 1., 1.])
        """
        check_device(device)
        probs = _probabilities("bernoulli",
                               self._data if p is None else np.asarray(p, dtype=np.float64))
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
        if replacement and w.size * num_samples <= _FEW_WEIGHTS:
            out = _draw_few(w.reshape(-1, n), num_samples, rng(generator))
            if out is not None:
                return _f.make(out.reshape(w.shape[:-1] + (num_samples,)))
        rows = w.reshape(-1, n).astype(np.float64)
        totals = rows.sum(axis=1)
        # non-negative weights with finite row sums are all finite (a NaN fails both)
        if not (rows.size and rows.min() >= 0 and np.isfinite(totals).all()):
            if not np.isfinite(w).all() or (w < 0).any():
                raise RuntimeError("multinomial: weights must be finite and non-negative")
        g = rng(generator)
        if replacement:
            if (totals <= 0).any():
                r = int(np.flatnonzero(totals <= 0)[0])
                raise RuntimeError(f"multinomial: row {r} of the weights sums to zero")
            # NumPy's ``choice(p=...)`` for every row at once, the same draws: the uniform
            # numbers row after row, each placed in its row's normalised cumulative sums
            cdf = np.cumsum(rows / totals[:, None], axis=1)
            cdf /= cdf[:, -1:]
            u = g.random((len(rows), num_samples))
            if num_samples * n <= 4096:   # compare with every sum: a few small arrays
                out = (u[:, :, None] >= cdf[:, None, :]).sum(axis=2, dtype=np.int64)
            else:
                out = np.stack([np.searchsorted(c, v, side="right") for c, v in zip(cdf, u)])
            return _f.make(out.astype(np.int64, copy=False).reshape(w.shape[:-1]
                                                                     + (num_samples,)))
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
