"""Samplers, as ``torch.utils.data.sampler``: they decide the order of the
indices a :class:`~autograd_core.utils.data.DataLoader` reads.

Samplers draw lazily, as PyTorch's do: an epoch's random numbers are drawn when
its first index is asked for, and a sampler never holds more than one pass over
the data (a permutation) or one block of draws at a time. So
``RandomSampler(ds, replacement=True, num_samples=int(1e10))``, the "infinite"
sampler of training scripts, takes as little memory as a short epoch.

>>> import autograd_core as ag
>>> from autograd_core.utils.data import BatchSampler, RandomSampler, SequentialSampler
>>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
[[0, 1], [2, 3], [4]]
>>> sorted(RandomSampler(range(4), generator=ag.Generator().manual_seed(0)))
[0, 1, 2, 3]
"""
from __future__ import annotations

import itertools
from typing import Any, Generic, Iterable, Iterator, Sequence, Sized, TypeVar

import numpy as np

from ._core import ag, iteration_rng, np_rng

T_co = TypeVar("T_co", covariant=True)

__all__ = [
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
]

# RandomSampler with replacement draws this many indices at a time (PyTorch's rule),
# so a generator shared with other code is drawn from in the same steps.
_REPLACEMENT_CHUNK = 32
# The most draws (or sequential indices) any other sampler makes at once.
_BLOCK = 1 << 14


def _check_positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value}")
    return int(value)


def int_index_array(indices: Any) -> np.ndarray | None:
    """``indices`` as a 1-D integer array (int64 unless already an integer ndarray), or
    None if they are not plain integers."""
    if isinstance(indices, np.ndarray) and indices.ndim == 1:
        return indices if indices.dtype.kind in "iu" else None
    try:
        arr = np.asarray(indices)
    except (TypeError, ValueError):
        return None
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        return None
    return arr.astype(np.int64, copy=False)


def _rebatch(chunks: Iterable[np.ndarray], size: int, drop_last: bool) -> Iterator[np.ndarray]:
    """Cut a stream of index arrays into arrays of ``size``; each batch is given out as
    soon as it is complete, before the next chunk is asked for."""
    pending: list[np.ndarray] = []
    count = 0
    for chunk in chunks:
        start = 0
        if pending:
            need = size - count
            if len(chunk) < need:
                pending.append(chunk)
                count += len(chunk)
                continue
            pending.append(chunk[:need])
            yield np.concatenate(pending)
            pending, count, start = [], 0, need
        while len(chunk) - start >= size:
            yield chunk[start : start + size]
            start += size
        if start < len(chunk):
            pending, count = [chunk[start:]], len(chunk) - start
    if pending and not drop_last:
        yield np.concatenate(pending)


class Sampler(Generic[T_co]):
    """Base class: subclasses define ``__iter__`` (and usually ``__len__``).

    Example:
        >>> from autograd_core.utils.data import Sampler
        >>> class Backwards(Sampler):
        ...     def __init__(self, n: int) -> None:
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(self.n - 1, -1, -1))
        ...     def __len__(self) -> int:
        ...         return self.n
        >>> list(Backwards(3))
        [2, 1, 0]
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    # Private fast path for BatchSampler and DataLoader: one epoch as a lazy stream
    # of int64 arrays whose concatenation is what ``__iter__`` yields, or None when
    # the sampler cannot give one (a subclass that overrides ``__iter__`` gives none).
    def _index_chunks(self) -> Iterator[np.ndarray] | None:
        return None


class SequentialSampler(Sampler[int]):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order.

    Example:
        >>> from autograd_core.utils.data import SequentialSampler
        >>> list(SequentialSampler("abc"))
        [0, 1, 2]
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _chunks(self) -> Iterator[np.ndarray]:
        n = len(self.data_source)
        for start in range(0, n, _BLOCK):
            yield np.arange(start, min(n, start + _BLOCK), dtype=np.int64)

    def _index_chunks(self) -> Iterator[np.ndarray] | None:
        return self._chunks() if type(self).__iter__ is SequentialSampler.__iter__ else None

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class _DrawnSampler(Sampler[int]):
    """A sampler whose epoch is the ``num_samples`` indices of ``self._chunks()``, in order."""

    num_samples: int

    def _chunks(self) -> Iterator[np.ndarray]:
        raise NotImplementedError

    def _index_chunks(self) -> Iterator[np.ndarray] | None:
        return self._chunks() if type(self).__iter__ is _DrawnSampler.__iter__ else None

    def __iter__(self) -> Iterator[int]:
        for chunk in self._chunks():
            yield from chunk.tolist()

    def __len__(self) -> int:
        return self.num_samples


class RandomSampler(_DrawnSampler):
    """Indices in random order: a fresh permutation each epoch, or draws with replacement.

    As PyTorch's: without replacement an epoch is one permutation of the
    dataset per full pass (``num_samples`` may exceed ``len(data_source)``),
    then the start of one more; with replacement the indices are drawn
    uniformly, 32 at a time, as they are needed, so ``num_samples`` can be as
    large as ``int(1e10)`` (an "infinite" loader) without taking memory.
    Nothing is drawn until the first index of an epoch is asked for.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw with replacement.
        num_samples: how many indices per epoch; default ``len(data_source)``.
        generator: an ``autograd_core.Generator`` to draw from. With ``None``,
            each epoch draws one seed from the global generator (seeded by
            ``autograd_core.manual_seed``) and draws its indices from a private
            generator seeded with it, as PyTorch does.

    Raises:
        TypeError: if ``replacement`` is not a bool.
        ValueError: if ``num_samples`` is not a positive int (an empty dataset
            with the default ``num_samples``).

    Example:
        >>> import autograd_core as ag
        >>> from autograd_core.utils.data import RandomSampler
        >>> s = RandomSampler(range(5), generator=ag.Generator().manual_seed(3))
        >>> sorted(s) == [0, 1, 2, 3, 4]
        True
        >>> endless = RandomSampler(range(5), replacement=True, num_samples=int(1e10))
        >>> it = iter(endless)
        >>> len(endless), all(0 <= next(it) < 5 for _ in range(1000))
        (10000000000, True)
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Any = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        # As PyTorch: an empty dataset cannot be shuffled (num_samples would be 0).
        _check_positive_int("num_samples", self.num_samples)

    @property
    def num_samples(self) -> int:
        """Indices per epoch: ``num_samples`` if given, else ``len(data_source)``."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _chunks(self) -> Iterator[np.ndarray]:
        n = len(self.data_source)
        k = int(self.num_samples)
        if n == 0:
            raise ValueError(f"RandomSampler cannot draw {k} samples from an empty dataset")
        rng = iteration_rng(self.generator)
        if self.replacement:
            step = _REPLACEMENT_CHUNK
            for _ in range(k // step):
                yield rng.integers(0, n, size=step, dtype=np.int64)
            if k % step:
                yield rng.integers(0, n, size=k % step, dtype=np.int64)
            return
        for _ in range(k // n):
            yield rng.permutation(n).astype(np.int64, copy=False)
        if k % n:
            yield rng.permutation(n)[: k % n].astype(np.int64, copy=False)


class SubsetRandomSampler(Sampler[int]):
    """The given indices, in a random order each epoch.

    As PyTorch's: one permutation of ``len(indices)`` per epoch, drawn from
    ``generator`` (``None``: the global generator) when the first index is asked for.

    Example:
        >>> import autograd_core as ag
        >>> from autograd_core.utils.data import SubsetRandomSampler
        >>> sorted(SubsetRandomSampler([7, 3, 5], generator=ag.Generator().manual_seed(0)))
        [3, 5, 7]
    """

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator

    def _chunks(self, idx: np.ndarray) -> Iterator[np.ndarray]:
        yield idx[np_rng(self.generator).permutation(len(idx))]

    def _index_chunks(self) -> Iterator[np.ndarray] | None:
        if type(self).__iter__ is not SubsetRandomSampler.__iter__:
            return None
        idx = int_index_array(self.indices)
        return None if idx is None else self._chunks(idx)

    def __iter__(self) -> Iterator[int]:
        for i in np_rng(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_DrawnSampler):
    """Indices ``0 .. len(weights) - 1`` drawn with probabilities proportional to ``weights``.

    As PyTorch's, the draws are those of ``weights.multinomial(num_samples,
    replacement, generator=generator)``. With replacement they are made in
    blocks of at most 16384 as the indices are needed, so memory does not grow
    with ``num_samples``: an epoch of up to 16384 indices makes all its draws at
    its first index, as PyTorch does; a longer one makes each block's draws when
    the block is reached (with ``generator=None`` they come from the global
    generator, interleaved with whatever else draws from it).

    Args:
        weights: a 1-D sequence (or Tensor) of non-negative weights; they need
            not sum to one.
        num_samples: how many indices per epoch (a positive int).
        replacement: draw with replacement (default); without it,
            ``num_samples`` may not exceed the number of non-zero weights.
        generator: an ``autograd_core.Generator``; ``None`` uses the global
            generator (seeded by ``autograd_core.manual_seed``).

    Raises:
        ValueError: if ``num_samples`` is not a positive int, ``replacement`` is
            not a bool, or ``weights`` is not 1-D.

    Example:
        >>> import autograd_core as ag
        >>> from autograd_core.utils.data import WeightedRandomSampler
        >>> s = WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 6, generator=ag.Generator().manual_seed(0))
        >>> sorted(set(s)), len(s)
        ([1, 3], 6)
        >>> sorted(WeightedRandomSampler([1, 1, 0, 1], 3, replacement=False))
        [0, 1, 3]
    """

    def __init__(
        self,
        weights: Sequence[float] | Any,
        num_samples: int,
        replacement: bool = True,
        generator: Any = None,
    ) -> None:
        if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights_tensor = ag().as_tensor(weights, dtype=ag().float64)
        if len(weights_tensor.shape) != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {tuple(weights_tensor.shape)}"
            )
        self.weights = weights_tensor
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator

    def _chunks(self) -> Iterator[np.ndarray]:
        left = self.num_samples
        block = left if not self.replacement else _BLOCK
        while left > 0:
            k = min(left, block)
            yield self.weights.multinomial(k, self.replacement, generator=self.generator).numpy()
            left -= k


class BatchSampler(Sampler[list]):
    """Groups the indices of ``sampler`` into lists of ``batch_size``.

    Batches come as the sampler gives indices: the sampler is asked for the
    next index only when a batch needs it.

    Args:
        sampler: any iterable of indices.
        batch_size: indices per batch (a positive int).
        drop_last: drop the last batch if it is smaller than ``batch_size``.

    Raises:
        ValueError: if ``batch_size`` is not a positive int or ``drop_last`` not a bool.

    Example:
        >>> from autograd_core.utils.data import BatchSampler, SequentialSampler
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=True))
        [[0, 1], [2, 3]]
    """

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.batch_size = _check_positive_int("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.drop_last = drop_last

    def _index_batches(self) -> Iterator[np.ndarray | list]:
        """Batches as int64 arrays when the sampler gives its epoch as arrays, else as lists."""
        index_chunks = getattr(self.sampler, "_index_chunks", None)
        chunks = index_chunks() if callable(index_chunks) else None
        if chunks is not None:
            yield from _rebatch(chunks, self.batch_size, self.drop_last)
            return
        it = iter(self.sampler)
        if self.drop_last:
            for batch in zip(*[it] * self.batch_size):
                yield list(batch)
            return
        batch = list(itertools.islice(it, self.batch_size))
        while batch:
            yield batch
            batch = list(itertools.islice(it, self.batch_size))

    def __iter__(self) -> Iterator[list]:
        for b in self._index_batches():
            yield b.tolist() if isinstance(b, np.ndarray) else b

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size
