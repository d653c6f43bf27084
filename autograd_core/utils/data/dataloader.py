"""``DataLoader``, as in ``torch.utils.data``: batches from a dataset.

>>> import numpy as np
>>> import autograd_core as ag
>>> from autograd_core.data import DataLoader, TensorDataset
>>> ds = TensorDataset(ag.from_numpy(np.arange(10, dtype=np.float32).reshape(5, 2)),
...                    ag.from_numpy(np.arange(5)))
>>> [tuple(x.shape) for x, y in DataLoader(ds, batch_size=2)]
[(2, 2), (2, 2), (1, 2)]
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Generic, Iterable, Iterator, TypeVar

import numpy as np

from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

T_co = TypeVar("T_co", covariant=True)

__all__ = ["DataLoader"]


def _as_index_array(indices: Any) -> np.ndarray | None:
    """``indices`` as an int64 array, or None if they are not plain integers."""
    if isinstance(indices, np.ndarray):
        return indices if indices.dtype.kind in "iu" else None
    try:
        arr = np.asarray(indices)
    except (TypeError, ValueError):
        return None
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        return None
    return arr.astype(np.int64, copy=False)


class DataLoader(Generic[T_co]):
    """Iterate over a dataset in batches, optionally shuffled.

    The signature and behaviour are PyTorch's, for one process: data is loaded
    in the calling process (``num_workers`` is accepted for compatibility and
    ignored with a warning; ``pin_memory`` is ignored, there is no GPU).

    Args:
        dataset: a map-style :class:`Dataset` (anything with ``__getitem__`` and
            ``__len__``) or an :class:`IterableDataset`.
        batch_size: samples per batch; ``None`` turns batching off (each sample
            is returned on its own, NumPy arrays converted to Tensors).
        shuffle: a new random order every epoch (every ``iter(loader)``).
        sampler: the order of indices (exclusive with ``shuffle``).
        batch_sampler: yields whole lists of indices (exclusive with
            ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``).
        num_workers: must be 0 to be honoured; larger values warn and load in
            this process.
        collate_fn: merges a list of samples into a batch; default
            :func:`default_collate` (stacks into Tensors).
        pin_memory: ignored.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        generator: an ``autograd_core.Generator`` for shuffling; ``None`` uses
            the global generator (seeded by ``autograd_core.manual_seed``).

    With the default ``collate_fn``, a :class:`TensorDataset` (or a
    :class:`Subset` of one, as :func:`random_split` returns) is read a whole
    batch at a time by indexing each tensor with the batch's indices. Batches
    of a ``TensorDataset`` come as a list ``[x, y, ...]`` of Tensors, as in PyTorch.

    ``len(loader)`` is the number of batches per epoch: ``ceil(n / batch_size)``,
    or ``n // batch_size`` with ``drop_last=True``.

    Example:
        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from autograd_core.data import DataLoader, TensorDataset
        >>> x = ag.from_numpy(np.random.rand(10, 3).astype(np.float32))
        >>> y = ag.from_numpy(np.arange(10))
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True,
        ...                     generator=ag.Generator().manual_seed(0))
        >>> len(loader), sorted(int(i) for _, yb in loader for i in yb.numpy())
        (3, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """

    def __init__(
        self,
        dataset: Dataset[T_co] | Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable | None = None,
        batch_sampler: Sampler | Iterable | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        *,
        generator: Any = None,
    ) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                f"num_workers option should be non-negative; use num_workers=0 to disable multiprocessing, "
                f"got num_workers={num_workers!r}"
            )
        if num_workers > 0:
            warnings.warn(
                f"DataLoader(num_workers={num_workers}): autograd_core loads data in the calling process; "
                "num_workers is ignored",
                stacklevel=2,
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last!r}")
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)

        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle!r}"
                )
            if sampler is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified sampler option, but got sampler={sampler!r}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                    f"but got batch_sampler={batch_sampler!r}"
                )
        else:
            if not hasattr(dataset, "__getitem__"):
                raise TypeError(
                    f"DataLoader expects a Dataset (with __getitem__ and __len__) or an IterableDataset, "
                    f"got {type(dataset).__name__}"
                )
            if sampler is not None and shuffle:
                raise ValueError("sampler option is mutually exclusive with shuffle")

        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None:
            if drop_last:
                raise ValueError(
                    "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"
                )
        elif isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")

        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, int(batch_size), drop_last)

        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self._auto_collation = batch_sampler is not None or (self._iterable and batch_size is not None)
        self._default_collate = collate_fn is None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    # ------------------------------------------------------------------ iteration
    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            return self._iter_iterable()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)  # type: ignore[union-attr]
        return self._iter_batches()

    def _iter_batches(self) -> Iterator[Any]:
        bs = self.batch_sampler
        batches = bs._index_batches() if isinstance(bs, BatchSampler) else iter(bs)  # type: ignore[arg-type]
        for indices in batches:
            yield self._fetch(indices)

    def _fetch(self, indices: Any) -> Any:
        dataset = self.dataset
        if self._default_collate:
            get_batch = getattr(dataset, "_get_batch", None)
            if get_batch is not None:
                arr = _as_index_array(indices)
                if arr is not None:
                    batch = get_batch(arr)
                    if batch is not None:
                        return batch
        index_list = indices.tolist() if isinstance(indices, np.ndarray) else list(indices)
        getitems = getattr(dataset, "__getitems__", None)
        if callable(getitems):
            samples = getitems(index_list)
        else:
            samples = [dataset[i] for i in index_list]
        return self.collate_fn(samples)

    def _iter_iterable(self) -> Iterator[Any]:
        it = iter(self.dataset)
        if not self._auto_collation:
            for sample in it:
                yield self.collate_fn(sample)
            return
        bs = self.batch_size
        batch: list = []
        for sample in it:
            batch.append(sample)
            if len(batch) == bs:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if self._iterable:
            try:
                n = len(self.dataset)
            except TypeError:
                raise TypeError(
                    f"len(DataLoader) needs a dataset with __len__; {type(self.dataset).__name__} "
                    "is an IterableDataset without one"
                ) from None
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        return len(self.sampler)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return (
            f"DataLoader(dataset={type(self.dataset).__name__}, batch_size={self.batch_size}, "
            f"drop_last={self.drop_last}, sampler={type(self.sampler).__name__})"
        )
