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
from . import collate, dataloader, dataset, datasets, mnist, sampler
from .collate import *  # noqa: F401,F403  (each module's __all__ is what it exports)
from .dataloader import *  # noqa: F401,F403
from .dataset import *  # noqa: F401,F403
from .datasets import *  # noqa: F401,F403
from .idx import IDXFormatError, read_idx, write_idx
from .mnist import *  # noqa: F401,F403
from .sampler import *  # noqa: F401,F403

__all__ = [
    # torch.utils.data
    *dataset.__all__, *dataloader.__all__, *sampler.__all__, *collate.__all__,
    # shipped and generated data
    *datasets.__all__,
    # MNIST-format files
    "IDXFormatError", "read_idx", "write_idx", *mnist.__all__,
]
