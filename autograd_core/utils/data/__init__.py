"""PyTorch's ``torch.utils.data``: datasets, samplers and the ``DataLoader``.

The same modules as PyTorch's, so ported scripts keep their imports:
``autograd_core.utils.data.dataset`` (:class:`Dataset`, :class:`TensorDataset`,
:class:`Subset`, :func:`random_split`, ...), ``.sampler`` (the samplers),
``.dataloader`` (:class:`DataLoader`, :func:`default_collate`,
:func:`get_worker_info`) and ``.distributed`` (:class:`DistributedSampler`).
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
from . import collate, dataloader, dataset, distributed, sampler
from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .distributed import DistributedSampler
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]
