"""Samplers as in ``torch.utils.data``: they decide the order of indices a
:class:`~autograd_core.data.DataLoader` reads.

>>> import autograd_core as ag
>>> from autograd_core.data import BatchSampler, RandomSampler, SequentialSampler
>>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
[[0, 1], [2, 3], [4]]
>>> sorted(RandomSampler(range(4), generator=ag.Generator().manual_seed(0)))
[0, 1, 2, 3]
"""
from __future__ import annotations

from typing import Any, Generic, Iterable, Iterator, Sequence, Sized, TypeVar

import numpy as np

from ._core import np_rng

T_co = TypeVar("T_co", covariant=True)

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler"]


def _check_positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
    return int(value)


class Sampler(Generic[T_co]):
    """Base class: subclasses define ``__iter__`` (and usually ``__len__``).

    Example:
        >>> from autograd_core.data import Sampler
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

    # Private fast path: the indices of one epoch as an int64 array, or None.
    def _epoch_indices(self) -> np.ndarray | None:
        return None


class SequentialSampler(Sampler[int]):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order.

    Example:
        >>> from autograd_core.data import SequentialSampler
        >>> list(SequentialSampler("abc"))
        [0, 1, 2]
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _epoch_indices(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """Indices in random order: a fresh permutation each epoch.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw with replacement (then ``num_samples`` may be anything).
        num_samples: how many indices per epoch; default ``len(data_source)``.
        generator: an ``autograd_core.Generator``; ``None`` uses the global
            generator (seeded by ``autograd_core.manual_seed``).

    Example:
        >>> import autograd_core as ag
        >>> from autograd_core.data import RandomSampler
        >>> s = RandomSampler(range(5), generator=ag.Generator().manual_seed(3))
        >>> sorted(s) == [0, 1, 2, 3, 4]
        True
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Any = None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement!r}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        # As PyTorch: an empty dataset cannot be shuffled (num_samples would be 0).
        _check_positive_int("num_samples", self.num_samples)

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def _epoch_indices(self) -> np.ndarray:
        n = len(self.data_source)
        rng = np_rng(self.generator)
        k = self.num_samples
        if self.replacement:
            if n == 0:
                raise ValueError("RandomSampler with replacement=True cannot draw from an empty dataset")
            return rng.integers(0, n, size=k, dtype=np.int64)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        parts = [rng.permutation(n) for _ in range(k // n)]
        if k % n:
            parts.append(rng.permutation(n)[: k % n])
        return np.concatenate(parts).astype(np.int64, copy=False) if parts else np.zeros(0, np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(self._epoch_indices().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices, in a random order each epoch.

    Example:
        >>> import autograd_core as ag
        >>> from autograd_core.data import SubsetRandomSampler
        >>> sorted(SubsetRandomSampler([7, 3, 5], generator=ag.Generator().manual_seed(0)))
        [3, 5, 7]
    """

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator

    def _epoch_indices(self) -> np.ndarray:
        idx = np.asarray(self.indices, dtype=np.int64).reshape(-1)
        return idx[np_rng(self.generator).permutation(len(idx))]

    def __iter__(self) -> Iterator[int]:
        return iter(self._epoch_indices().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler[list]):
    """Groups the indices of ``sampler`` into lists of ``batch_size``.

    Args:
        sampler: any iterable of indices.
        batch_size: indices per batch (a positive int).
        drop_last: drop the last batch if it is smaller than ``batch_size``.

    Example:
        >>> from autograd_core.data import BatchSampler, SequentialSampler
        >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=True))
        [[0, 1], [2, 3]]
    """

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.batch_size = _check_positive_int("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last!r}")
        self.sampler = sampler
        self.drop_last = drop_last

    def _index_batches(self) -> Iterator[np.ndarray | list]:
        """Batches as int64 arrays when the sampler can give a whole epoch at once."""
        epoch = getattr(self.sampler, "_epoch_indices", None)
        arr = epoch() if callable(epoch) else None
        bs = self.batch_size
        if arr is not None:
            n = len(arr)
            stop = n - n % bs if self.drop_last else n
            for start in range(0, stop, bs):
                yield arr[start : start + bs]
            return
        batch: list = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == bs:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __iter__(self) -> Iterator[list]:
        for b in self._index_batches():
            yield b.tolist() if isinstance(b, np.ndarray) else b

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size
