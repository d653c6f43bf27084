"""``DistributedSampler``, as ``torch.utils.data.distributed``: each of
``num_replicas`` processes reads its own share of a dataset.

autograd_core has no process group, so ``num_replicas`` and ``rank`` must be
given; the sampler then yields exactly the indices PyTorch's gives that rank
(up to the random permutation, which comes from autograd_core's generator).

>>> from autograd_core.utils.data.distributed import DistributedSampler
>>> [list(DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False)) for r in (0, 1)]
[[0, 2, 4], [1, 3, 0]]
"""
from __future__ import annotations

import math
from typing import Iterator, Sized, TypeVar

import numpy as np

from ...random import Generator
from .sampler import Sampler

T_co = TypeVar("T_co", covariant=True)

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler[T_co]):
    """The indices of ``dataset`` that belong to process ``rank`` of ``num_replicas``.

    As PyTorch's: the indices of an epoch (a permutation seeded with
    ``seed + epoch`` when ``shuffle``, else ``0 .. n-1``) are padded by
    repeating them from the start until their number divides by
    ``num_replicas`` (or cut to that, with ``drop_last``), and rank ``r`` takes
    every ``num_replicas``-th one from position ``r``. Call :meth:`set_epoch`
    before each epoch for a new order; every rank with the same ``seed`` and
    epoch sees the same permutation, so the shares never overlap.

    Args:
        dataset: the dataset (only its length is used).
        num_replicas: the number of processes. ``None`` asks the distributed
            package for the world size, which autograd_core does not have:
            ``RuntimeError``, as PyTorch without one.
        rank: this process's rank in ``[0, num_replicas - 1]`` (``None``: as above).
        shuffle: a seeded permutation per epoch (default) or the dataset order.
        seed: the seed of the permutation, the same on every rank.
        drop_last: drop the tail instead of padding.

    Raises:
        RuntimeError: if ``num_replicas`` or ``rank`` is ``None``.
        ValueError: if ``rank`` is outside ``[0, num_replicas - 1]``.

    Example:
        >>> from autograd_core.utils.data import DataLoader, DistributedSampler
        >>> shares = [DistributedSampler(range(10), num_replicas=3, rank=r, seed=1) for r in range(3)]
        >>> for s in shares:
        ...     s.set_epoch(2)
        >>> [len(s) for s in shares], sorted({i for s in shares for i in s}) == list(range(10))
        ([4, 4, 4], True)
        >>> len(DataLoader(range(10), batch_size=2, sampler=shares[0]))
        2
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None or rank is None:
            # PyTorch's exception when torch.distributed is not available.
            raise RuntimeError("Requires distributed package to be available")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if self.drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def _indices(self) -> np.ndarray:
        n = len(self.dataset)
        if self.shuffle:

            indices = Generator().manual_seed(self.seed + self.epoch).np.permutation(n).astype(np.int64, copy=False)
        else:
            indices = np.arange(n, dtype=np.int64)
        if not self.drop_last:
            padding = self.total_size - n
            if padding > 0:
                indices = np.concatenate([indices, np.resize(indices, padding)])
        else:
            indices = indices[: self.total_size]
        return indices[self.rank : self.total_size : self.num_replicas]

    def _index_chunks(self) -> Iterator[np.ndarray] | None:
        if type(self).__iter__ is not DistributedSampler.__iter__:
            return None
        return iter([self._indices()])

    def __iter__(self) -> Iterator[T_co]:
        return iter(self._indices().tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch, which seeds the next permutation (with ``seed``).

        Example:
            >>> from autograd_core.utils.data import DistributedSampler
            >>> s = DistributedSampler(range(6), num_replicas=1, rank=0)
            >>> first = list(s)
            >>> s.set_epoch(1)
            >>> list(s) != first, sorted(s) == sorted(first)
            (True, True)
        """
        self.epoch = epoch
