"""``DataLoader``, as ``torch.utils.data.dataloader``: batches from a dataset.

>>> import numpy as np
>>> import autograd_core as ag
>>> from autograd_core.utils.data import DataLoader, TensorDataset
>>> ds = TensorDataset(ag.from_numpy(np.arange(10, dtype=np.float32).reshape(5, 2)),
...                    ag.from_numpy(np.arange(5)))
>>> [tuple(x.shape) for x, y in DataLoader(ds, batch_size=2)]
[(2, 2), (2, 2), (1, 2)]
"""
from __future__ import annotations

import multiprocessing
import warnings
from typing import Any, Callable, Generic, Iterable, Iterator, TypeVar

import numpy as np

from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, int_index_array

T_co = TypeVar("T_co", covariant=True)

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]


def get_worker_info() -> None:
    """Information about the DataLoader worker process this code runs in: ``None``.

    In PyTorch a worker process gets a ``WorkerInfo`` (its id, the number of
    workers, its copy of the dataset) and the main process gets ``None``.
    autograd_core loads every batch in the calling process, whatever
    ``num_workers`` says, so this is always ``None``: an
    :class:`IterableDataset` that splits its stream between workers when
    there are some reads the whole stream, once.

    Example:
        >>> from autograd_core.utils.data import get_worker_info
        >>> get_worker_info() is None
        True
    """
    return None


class DataLoader(Generic[T_co]):
    """Iterate over a dataset in batches, optionally shuffled.

    The signature and behaviour are PyTorch's, for one process: every batch is
    loaded in the calling process, as PyTorch does with ``num_workers=0``.

    Args:
        dataset: a map-style :class:`Dataset` (anything with ``__getitem__`` and
            ``__len__``) or an :class:`IterableDataset`.
        batch_size: samples per batch; ``None`` turns batching off (each sample
            is returned on its own, NumPy arrays converted to Tensors).
        shuffle: a new random order every epoch (every ``iter(loader)``).
        sampler: the order of indices (exclusive with ``shuffle``); any
            iterable of indices, e.g. ``RandomSampler(ds, replacement=True,
            num_samples=int(1e10))`` for an "infinite" loader.
        batch_sampler: yields whole lists of indices (exclusive with
            ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``).
        num_workers: accepted for PyTorch scripts (``num_workers=4``) and kept
            as an attribute; no worker process is started, batches are loaded
            in the calling process and nothing is warned. Negative values
            raise ``ValueError`` as in PyTorch.
        collate_fn: merges a list of samples into a batch; default
            :func:`default_collate` (stacks into Tensors).
        pin_memory: there is no accelerator, so nothing is pinned; as PyTorch
            without one, ``iter(loader)`` warns that pinned memory won't be used.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        timeout: seconds to wait for a batch from a worker; must be ``>= 0``.
            With ``num_workers=0`` a non-zero timeout fails at ``iter(loader)``
            with PyTorch's ``AssertionError``; with workers requested it is
            accepted and has nothing to wait for.
        worker_init_fn: called in each worker process in PyTorch; there are
            none here, so it is never called (as in PyTorch with ``num_workers=0``).
        multiprocessing_context: a start method name (``'spawn'``, ...) or a
            ``multiprocessing`` context; only with ``num_workers > 0``, checked
            and kept as PyTorch does, never used.
        generator: an ``autograd_core.Generator`` for ``shuffle``; ``None`` uses
            the global generator (seeded by ``autograd_core.manual_seed``).
        prefetch_factor: batches each worker loads ahead; only with
            ``num_workers > 0`` (default 2 then), kept and not used.
        persistent_workers: keep workers alive between epochs; needs
            ``num_workers > 0``; kept and not used.
        pin_memory_device: deprecated in PyTorch; with ``pin_memory=True`` and a
            device named, ``iter(loader)`` warns as PyTorch does.
        in_order: return batches in order when workers finish out of order;
            batches here always come in order.

    Raises:
        ValueError: for PyTorch's invalid combinations: ``sampler`` with
            ``shuffle``; ``batch_sampler`` with ``batch_size``, ``shuffle``,
            ``sampler`` or ``drop_last``; ``batch_size=None`` with ``drop_last``;
            ``shuffle``/``sampler``/``batch_sampler`` with an
            :class:`IterableDataset`; negative ``num_workers``, ``timeout`` or
            ``prefetch_factor``; ``prefetch_factor``, ``persistent_workers`` or
            ``multiprocessing_context`` with ``num_workers=0``.

    With the default ``collate_fn``, a :class:`TensorDataset` (or a
    :class:`Subset` of one, as :func:`random_split` returns) is read a whole
    batch at a time by indexing each tensor with the batch's indices. Batches
    of a ``TensorDataset`` come as a list ``[x, y, ...]`` of Tensors, as in PyTorch.

    ``len(loader)`` is the number of batches per epoch: ``ceil(n / batch_size)``,
    or ``n // batch_size`` with ``drop_last=True``, where ``n`` is the length of
    the sampler. For an :class:`IterableDataset` ``n`` is ``len(dataset)`` (a
    ``TypeError`` if it has none); once ``len(loader)`` has been asked, an epoch
    that yields more than ``len(dataset)`` items warns, as in PyTorch.

    Example:
        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from autograd_core.utils.data import DataLoader, RandomSampler, TensorDataset
        >>> x = ag.from_numpy(np.random.rand(10, 3).astype(np.float32))
        >>> y = ag.from_numpy(np.arange(10))
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True,
        ...                     generator=ag.Generator().manual_seed(0), num_workers=4)
        >>> len(loader), sorted(int(i) for _, yb in loader for i in yb.numpy())
        (3, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        >>> endless = DataLoader(TensorDataset(x, y), batch_size=64,
        ...                      sampler=RandomSampler(y, replacement=True, num_samples=int(1e10)))
        >>> xb, yb = next(iter(endless))
        >>> len(endless), tuple(xb.shape)
        (156250000, (64, 3))
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
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: str | Any | None = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)):
            raise ValueError(f"num_workers should be a non-negative int, but got num_workers={num_workers!r}")
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")

        self.dataset = dataset
        self.num_workers = int(num_workers)
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self.persistent_workers = persistent_workers
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)
        # len(dataset) as last read by len(loader), for the warning of an over-long epoch.
        self._IterableDataset_len_called: int | None = None

        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified sampler option, but got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                    f"but got batch_sampler={batch_sampler}"
                )
        else:
            if not hasattr(dataset, "__getitem__"):
                raise TypeError(
                    f"DataLoader expects a Dataset (with __getitem__ and __len__) or an IterableDataset, "
                    f"got {type(dataset).__name__}"
                )
            shuffle = bool(shuffle)
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
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")

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

    @property
    def multiprocessing_context(self) -> Any:
        """The ``multiprocessing`` context workers would start with (``None``: the default)."""
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context: str | Any | None) -> None:
        # PyTorch's checks; the context is kept for scripts that read it back.
        if multiprocessing_context is not None:
            if self.num_workers > 0:
                if isinstance(multiprocessing_context, str):
                    valid_start_methods = multiprocessing.get_all_start_methods()
                    if multiprocessing_context not in valid_start_methods:
                        raise ValueError(
                            "multiprocessing_context option "
                            f"should specify a valid start method in {valid_start_methods!r}, but got "
                            f"multiprocessing_context={multiprocessing_context!r}"
                        )
                    multiprocessing_context = multiprocessing.get_context(multiprocessing_context)
                if not isinstance(multiprocessing_context, multiprocessing.context.BaseContext):
                    raise TypeError(
                        "multiprocessing_context option should be a valid context "
                        "object or a string specifying the start method, but got "
                        f"multiprocessing_context={multiprocessing_context}"
                    )
            else:
                raise ValueError(
                    "multiprocessing_context can only be used with "
                    "multi-process loading (num_workers > 0), but got "
                    f"num_workers={self.num_workers}"
                )
        self.__multiprocessing_context = multiprocessing_context

    # ------------------------------------------------------------------ iteration
    def __iter__(self) -> "_SingleProcessDataLoaderIter":
        # PyTorch's warnings when an iterator is made; stacklevel: the caller's line.
        if self.pin_memory and self.pin_memory_device:
            warnings.warn(
                "pin_memory_device is deprecated, the current accelerator will be used as the device,"
                f"ignore pin_memory_device='{self.pin_memory_device}'.",
                stacklevel=2,
            )
        if self.pin_memory:
            warnings.warn(
                "'pin_memory' argument is set as true but no accelerator is found, "
                "then device pinned memory won't be used.",
                stacklevel=2,
            )
        if self.num_workers == 0 and self.timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        return _SingleProcessDataLoaderIter(self)

    def _batches(self) -> Iterator[Any]:
        if self._iterable:
            return self._iter_iterable()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)  # type: ignore[union-attr]
        return self._iter_batches()

    def _iter_batches(self) -> Iterator[Any]:
        bs = self.batch_sampler
        if isinstance(bs, BatchSampler) and type(bs).__iter__ is BatchSampler.__iter__:
            batches = bs._index_batches()
        else:
            batches = iter(bs)  # type: ignore[arg-type]
        for indices in batches:
            yield self._fetch(indices)

    def _fetch(self, indices: Any) -> Any:
        dataset = self.dataset
        if self._default_collate:
            get_batch = getattr(dataset, "_get_batch", None)
            if get_batch is not None:
                arr = int_index_array(indices)
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
            self._IterableDataset_len_called = n
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


class _SingleProcessDataLoaderIter:
    """One epoch of a :class:`DataLoader`, loaded in this process (what ``iter(loader)`` gives).

    Example:
        >>> from autograd_core.utils.data import DataLoader
        >>> it = iter(DataLoader(range(5), batch_size=2))
        >>> len(it), next(it).numpy().tolist()
        (3, [0, 1])
    """

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._batches = loader._batches()
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def __iter__(self) -> "_SingleProcessDataLoaderIter":
        return self

    def __next__(self) -> Any:
        data = next(self._batches)
        self._num_yielded += 1
        reported = self._IterableDataset_len_called
        if self._loader._iterable and reported is not None and self._num_yielded > reported:
            warnings.warn(
                f"Length of IterableDataset {self._loader.dataset} was reported to be {reported}"
                f"(when accessing len(dataloader)), but {self._num_yielded} samples have been fetched. ",
                stacklevel=2,
            )
        return data

    def __len__(self) -> int:
        return len(self._loader)
