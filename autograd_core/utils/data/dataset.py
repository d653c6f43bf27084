"""Datasets, as ``torch.utils.data.dataset``: ``Dataset``, ``IterableDataset``,
``TensorDataset``, ``StackDataset``, ``ConcatDataset``, ``ChainDataset``,
``Subset`` and ``random_split``.

>>> import numpy as np
>>> import autograd_core as ag
>>> from autograd_core.utils.data import TensorDataset, random_split
>>> ds = TensorDataset(ag.from_numpy(np.zeros((10, 3), np.float32)), ag.from_numpy(np.arange(10)))
>>> train, val = random_split(ds, [0.8, 0.2], generator=ag.Generator().manual_seed(0))
>>> len(train), len(val)
(8, 2)
"""
from __future__ import annotations

import bisect
import math
import warnings
from typing import Any, Generic, Iterable, Iterator, Sequence, TypeVar

import numpy as np

from ._core import first_dim, is_tensor, np_rng, to_tensor

T_co = TypeVar("T_co", covariant=True)

__all__ = [
    "Dataset",
    "IterableDataset",
    "TensorDataset",
    "StackDataset",
    "Subset",
    "ConcatDataset",
    "ChainDataset",
    "random_split",
]


class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__()``.

    ``ds1 + ds2`` is a :class:`ConcatDataset`. As in PyTorch, ``Dataset`` itself
    defines no ``__len__``; :class:`DataLoader` needs one for ``len(loader)`` and
    for its samplers.

    Example:
        >>> from autograd_core.utils.data import Dataset
        >>> class Squares(Dataset):
        ...     def __len__(self) -> int:
        ...         return 5
        ...     def __getitem__(self, i: int) -> int:
        ...         return i * i
        >>> ds = Squares() + Squares()
        >>> len(ds), ds[7]
        (10, 4)
    """

    def __getitem__(self, index: int) -> T_co:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other: "Dataset[T_co]") -> "ConcatDataset[T_co]":
        return ConcatDataset([self, other])

    # A private fast path for DataLoader: return a whole, already collated
    # batch for an int64 index array, or None when the dataset cannot (then
    # the loader fetches samples one by one and collates them).
    def _get_batch(self, indices: np.ndarray) -> Any:
        return None


class IterableDataset(Dataset[T_co]):
    """A dataset that is a stream: subclasses define ``__iter__``.

    A :class:`DataLoader` over it reads the stream in order and groups it into
    batches; ``shuffle`` and samplers are not allowed, as in PyTorch.
    ``stream1 + stream2`` is a :class:`ChainDataset`.

    Example:
        >>> from autograd_core.utils.data import IterableDataset
        >>> class Count(IterableDataset):
        ...     def __iter__(self):
        ...         return iter(range(3))
        >>> list(Count())
        [0, 1, 2]
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other: Dataset[T_co]) -> "ChainDataset":
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple]):
    """Samples are the rows of tensors that share their first dimension.

    ``TensorDataset(x, y)[i]`` is ``(x[i], y[i])``. A :class:`DataLoader` over a
    ``TensorDataset`` indexes each tensor once per batch (no per-sample Python
    loop). NumPy arrays are accepted in place of Tensors; batches from a
    ``DataLoader`` then still come as Tensors.

    Args:
        *tensors: Tensors (or arrays) with the same size of dimension 0.

    Raises:
        ValueError: if no tensor is given or their first dimensions differ.

    Example:
        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from autograd_core.utils.data import TensorDataset
        >>> x = ag.from_numpy(np.arange(12, dtype=np.float32).reshape(4, 3))
        >>> y = ag.from_numpy(np.array([0, 1, 0, 1]))
        >>> ds = TensorDataset(x, y)
        >>> len(ds), ds[1][0].shape
        (4, (3,))
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor, got none")
        sizes = []
        for i, t in enumerate(tensors):
            if not hasattr(t, "shape") or not hasattr(t, "__getitem__"):
                raise TypeError(
                    f"TensorDataset expects Tensors (or NumPy arrays); argument {i} is {type(t).__name__}"
                )
            if len(tuple(t.shape)) == 0:
                raise ValueError(
                    f"TensorDataset expects tensors with at least one dimension; argument {i} is 0-dimensional"
                )
            sizes.append(first_dim(t))
        if any(s != sizes[0] for s in sizes):
            shapes = ", ".join(f"argument {i}: {tuple(t.shape)}" for i, t in enumerate(tensors))
            raise ValueError(
                "Size mismatch between tensors: every tensor must have the same size of dimension 0, "
                f"got sizes {sizes} ({shapes})"
            )
        self.tensors: tuple = tuple(tensors)

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return first_dim(self.tensors[0])

    def _get_batch(self, indices: np.ndarray) -> list | None:
        """The batch at ``indices`` as ``default_collate`` would make it: a list of Tensors."""

        if type(self).__getitem__ is not TensorDataset.__getitem__:
            return None  # a subclass changed what a sample is: go sample by sample
        out = []
        for t in self.tensors:
            if isinstance(t, np.ndarray):
                out.append(to_tensor(t[indices]))
            elif is_tensor(t):
                out.append(t[indices])
            else:
                return None
        return out


class StackDataset(Dataset[Any]):
    """Samples of several datasets of the same length side by side.

    ``StackDataset(a, b)[i]`` is ``(a[i], b[i])``; ``StackDataset(x=a, y=b)[i]``
    is ``{"x": a[i], "y": b[i]}``.

    Args:
        *args: datasets whose samples make a tuple.
        **kwargs: datasets whose samples make a dict (not both kinds).

    Raises:
        ValueError: with no dataset, with both ``args`` and ``kwargs``, or when
            the lengths differ.

    Example:
        >>> from autograd_core.utils.data import StackDataset
        >>> StackDataset([1, 2], "ab")[1], StackDataset(n=[1, 2], c="ab")[0]
        ((2, 'b'), {'n': 1, 'c': 'a'})
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            if kwargs:
                raise ValueError(
                    "Supported either ``tuple``- (via ``args``) or"
                    "``dict``- (via ``kwargs``) like input/output, but both types are given."
                )
            self._length = len(args[0])
            if any(self._length != len(d) for d in args):
                raise ValueError("Size mismatch between datasets")
            self.datasets: tuple | dict = args
        elif kwargs:
            parts = list(kwargs.values())
            self._length = len(parts[0])
            if any(self._length != len(d) for d in parts):
                raise ValueError("Size mismatch between datasets")
            self.datasets = kwargs
        else:
            raise ValueError("At least one dataset should be passed")

    def __getitem__(self, index: Any) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: list) -> list:
        def column(d: Any) -> list:
            getitems = getattr(d, "__getitems__", None)
            if not callable(getitems):
                return [d[i] for i in indices]
            items = getitems(indices)
            if len(items) != len(indices):
                raise ValueError(f"Nested dataset's output size mismatch. Expected {len(indices)}, got {len(items)}")
            return items

        if isinstance(self.datasets, dict):
            cols = {k: column(d) for k, d in self.datasets.items()}
            return [{k: col[j] for k, col in cols.items()} for j in range(len(indices))]
        return list(zip(*(column(d) for d in self.datasets)))

    def __len__(self) -> int:
        return self._length


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at the given ``indices``, in that order.

    Args:
        dataset: the dataset to take samples from.
        indices: positions in ``dataset`` (any sequence of ints).

    Example:
        >>> from autograd_core.utils.data import Subset
        >>> sub = Subset(list("abcdef"), [4, 0, 2])
        >>> len(sub), sub[0], sub[[1, 2]]
        (3, 'e', ['a', 'c'])
    """

    def __init__(self, dataset: Dataset[T_co] | Sequence[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    @property
    def indices(self) -> Sequence[int]:
        return self._indices

    @indices.setter
    def indices(self, value: Sequence[int]) -> None:
        self._indices = value
        self._index_array: np.ndarray | None = None

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, (list, tuple, np.ndarray)):
            return [self.dataset[int(self._indices[int(i)])] for i in idx]
        return self.dataset[int(self._indices[idx])]

    def __getitems__(self, indices: Sequence[int]) -> list:
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems([int(self._indices[int(i)]) for i in indices])
        return [self.dataset[int(self._indices[int(i)])] for i in indices]

    def __len__(self) -> int:
        return len(self._indices)

    def _get_batch(self, indices: np.ndarray) -> Any:
        get_batch = getattr(self.dataset, "_get_batch", None)
        if get_batch is None or type(self).__getitem__ is not Subset.__getitem__:
            return None
        if self._index_array is None:
            self._index_array = np.asarray(self._indices, dtype=np.int64).reshape(-1)
        return get_batch(self._index_array[indices])


class ConcatDataset(Dataset[T_co]):
    """Several map-style datasets one after another.

    Example:
        >>> from autograd_core.utils.data import ConcatDataset
        >>> ds = ConcatDataset([[1, 2], [3, 4, 5]])
        >>> len(ds), ds[2], ds[-1]
        (5, 3, 5)
    """

    def __init__(self, datasets: Iterable[Dataset[T_co]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset needs at least one dataset, got an empty list")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    @staticmethod
    def cumsum(sequence: Sequence[Any]) -> list[int]:
        out, total = [], 0
        for d in sequence:
            total += len(d)
            out.append(total)
        return out

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> T_co:
        n = len(self)
        if idx < 0:
            if -idx > n:
                raise IndexError(f"index {idx} is out of range for a ConcatDataset of length {n}")
            idx += n
        if idx >= n:
            raise IndexError(f"index {idx} is out of range for a ConcatDataset of length {n}")
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        start = 0 if d == 0 else self.cumulative_sizes[d - 1]
        return self.datasets[d][idx - start]


class ChainDataset(IterableDataset[T_co]):
    """Several :class:`IterableDataset` streams one after another, read as they go.

    Its length is the sum of theirs (for those that have one).

    Raises:
        AssertionError: when iterated or measured with a dataset that is not an
            :class:`IterableDataset` (PyTorch's exception).

    Example:
        >>> from autograd_core.utils.data import ChainDataset, IterableDataset
        >>> class Count(IterableDataset):
        ...     def __init__(self, n: int) -> None:
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(self.n))
        ...     def __len__(self) -> int:
        ...         return self.n
        >>> both = Count(2) + Count(3)
        >>> type(both).__name__, list(both), len(both)
        ('ChainDataset', [0, 1, 0, 1, 2], 5)
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self) -> Iterator[T_co]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)  # type: ignore[arg-type]
        return total


def random_split(
    dataset: Dataset[T_co],
    lengths: Sequence[int | float],
    generator: Any = None,
) -> list[Subset[T_co]]:
    """Split ``dataset`` at random into non-overlapping subsets of the given lengths.

    As ``torch.utils.data.random_split`` in PyTorch 2.x: ``lengths`` are either
    ints that add up to ``len(dataset)``, or fractions that add up to 1; then
    each subset gets ``floor(fraction * len(dataset))`` samples and the
    samples left over go one each to the subsets in turn, from the first.

    Args:
        dataset: the dataset to split.
        lengths: the subset lengths, or their fractions.
        generator: an ``autograd_core.Generator``; ``None`` uses the global
            generator (seeded by ``autograd_core.manual_seed``).

    Returns:
        A list of :class:`Subset`, one per length.

    Example:
        >>> import autograd_core as ag
        >>> from autograd_core.utils.data import random_split
        >>> a, b, c = random_split(range(10), [0.5, 0.3, 0.2], generator=ag.Generator().manual_seed(1))
        >>> len(a), len(b), len(c)
        (5, 3, 2)
    """
    n = len(dataset)  # type: ignore[arg-type]
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split needs at least one length, got an empty list")
    total = sum(lengths)
    # PyTorch 2.x's rule: lengths adding up to 1 (and not more) are fractions.
    if math.isclose(total, 1) and total <= 1:
        subset_lengths: list[int] = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1: got {frac}")
            subset_lengths.append(int(math.floor(n * frac)))
        remainder = n - sum(subset_lengths)
        for i in range(remainder):
            subset_lengths[i % len(subset_lengths)] += 1
        for i, length in enumerate(subset_lengths):
            if length == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=2,
                )
        lengths = subset_lengths
    else:
        for i, length in enumerate(lengths):
            if not isinstance(length, (int, np.integer)) or isinstance(length, bool):
                raise ValueError(
                    "lengths must be ints that add up to len(dataset) or fractions that add up to 1; "
                    f"got {lengths!r} (sum {total}) for a dataset of length {n}"
                )
            if length < 0:
                raise ValueError(f"Length at index {i} is negative: got {length}")
    if sum(lengths) != n:
        raise ValueError(
            "Sum of input lengths does not equal the length of the input dataset: "
            f"lengths {list(lengths)} add up to {sum(lengths)}, the dataset has {n} samples"
        )
    perm = np_rng(generator).permutation(n)
    out: list[Subset[T_co]] = []
    offset = 0
    for length in lengths:
        out.append(Subset(dataset, perm[offset : offset + int(length)].tolist()))
        offset += int(length)
    return out
