"""PyTorch's ``torch.utils.data``: datasets, samplers and the ``DataLoader``.

The same modules as PyTorch's, so ported scripts keep their imports:
``autograd_core.utils.data.dataset`` (:class:`Dataset`, :class:`TensorDataset`,
:class:`Subset`, :func:`random_split`, ...), ``.sampler`` (the samplers) and
``.dataloader`` (:class:`DataLoader`, :func:`default_collate`).
``autograd_core.data`` exports the same objects next to the datasets that ship
with autograd_core.

>>> import autograd_core as ag
>>> from autograd_core.utils.data import DataLoader, TensorDataset
>>> from autograd_core.utils.data.dataloader import DataLoader as DL
>>> DL is DataLoader
True
>>> xb, = next(iter(DataLoader(TensorDataset(ag.arange(6.0)), batch_size=4)))
>>> xb.numpy().tolist()
[0.0, 1.0, 2.0, 3.0]
"""
from . import collate, dataloader, dataset, sampler
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "default_collate",
    "default_convert",
    "random_split",
]
