"""Data for autograd_core: datasets that need no network, and PyTorch's data API.

* ``torch.utils.data`` names and semantics, defined in
  :mod:`autograd_core.utils.data` and exported here too (the same objects):
  :class:`Dataset`, :class:`IterableDataset`, :class:`TensorDataset`,
  :class:`Subset`, :class:`ConcatDataset`, :func:`random_split`,
  :class:`DataLoader`, the samplers and :func:`default_collate`.
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
from ..utils import data as _torch_data
from ..utils.data import *  # noqa: F401,F403  (torch.utils.data's names)
from . import datasets, mnist
from .datasets import *  # noqa: F401,F403  (each module's __all__ is what it exports)
from .idx import IDXFormatError, read_idx, write_idx
from .mnist import *  # noqa: F401,F403

__all__ = [
    # torch.utils.data
    *_torch_data.__all__,
    # shipped and generated data
    *datasets.__all__,
    # MNIST-format files
    "IDXFormatError", "read_idx", "write_idx", *mnist.__all__,
]
