"""Data for autograd_core: PyTorch's data API and datasets that need no network.

* ``torch.utils.data`` names and semantics: :class:`Dataset`,
  :class:`IterableDataset`, :class:`TensorDataset`, :class:`Subset`,
  :class:`ConcatDataset`, :func:`random_split`, :class:`DataLoader`, the
  samplers and :func:`default_collate`.
* Shipped data: :func:`load_digits`, :func:`load_iris`, :func:`load_mcycle`
  (and the dataset classes :class:`Digits`, :class:`Iris`, :class:`MCycle`).
* Generated data: :func:`make_xor`, :func:`make_moons`, :func:`make_circles`,
  :func:`make_spirals`.
* MNIST-format files: :func:`read_idx`, :func:`load_fashion_mnist`,
  :class:`FashionMNIST` (Debian's ``dataset-fashion-mnist`` or a folder you
  name), :func:`load_mnist` and :class:`MNIST` (files you supply).

Nothing here downloads anything.

>>> import autograd_core as ag
>>> from autograd_core.data import DataLoader, TensorDataset, load_iris, random_split
>>> X, y = load_iris()
>>> ds = TensorDataset(ag.from_numpy(X), ag.from_numpy(y))
>>> train, test = random_split(ds, [0.8, 0.2], generator=ag.Generator().manual_seed(0))
>>> xb, yb = next(iter(DataLoader(train, batch_size=16, shuffle=True)))
>>> xb.shape, yb.shape
((16, 4), (16,))
"""
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .datasets import (
    DIGITS_CLASSES,
    FILES_DIR,
    IRIS_CLASSES,
    IRIS_FEATURE_NAMES,
    ArrayDataset,
    Digits,
    Iris,
    MCycle,
    load_digits,
    load_iris,
    load_mcycle,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
)
from .idx import IDXFormatError, read_idx, write_idx
from .mnist import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DIR,
    MNIST,
    MNIST_CLASSES,
    MNIST_FILES,
    DatasetNotFoundError,
    FashionMNIST,
    find_mnist_files,
    load_fashion_mnist,
    load_mnist,
)
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler

__all__ = [
    # torch.utils.data
    "Dataset",
    "IterableDataset",
    "TensorDataset",
    "Subset",
    "ConcatDataset",
    "random_split",
    "DataLoader",
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "BatchSampler",
    "default_collate",
    "default_convert",
    # shipped and generated data
    "FILES_DIR",
    "DIGITS_CLASSES",
    "IRIS_CLASSES",
    "IRIS_FEATURE_NAMES",
    "load_digits",
    "load_iris",
    "load_mcycle",
    "make_xor",
    "make_moons",
    "make_circles",
    "make_spirals",
    "ArrayDataset",
    "Digits",
    "Iris",
    "MCycle",
    # MNIST-format files
    "IDXFormatError",
    "read_idx",
    "write_idx",
    "FASHION_MNIST_DIR",
    "FASHION_MNIST_CLASSES",
    "MNIST_CLASSES",
    "MNIST_FILES",
    "DatasetNotFoundError",
    "find_mnist_files",
    "load_fashion_mnist",
    "load_mnist",
    "FashionMNIST",
    "MNIST",
]
