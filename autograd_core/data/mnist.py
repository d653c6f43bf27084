"""MNIST and Fashion-MNIST from IDX files on disk (never downloaded).

Fashion-MNIST is found where Debian's package puts it::

    sudo apt-get install dataset-fashion-mnist    # → /usr/share/datasets/fashion-mnist

or in any folder you name that holds the four files
``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` (gzipped or
not; torchvision's ``<root>/FashionMNIST/raw`` layout works too). MNIST has no
Debian package: pass the folder that holds its four files.

>>> from autograd_core.data import FASHION_MNIST_CLASSES
>>> FASHION_MNIST_CLASSES[9]
'Ankle boot'
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Union

import numpy as np

from .datasets import ArrayDataset
from .idx import read_idx

__all__ = [
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

PathLike = Union[str, "os.PathLike[str]"]

#: Where Debian's ``dataset-fashion-mnist`` package installs the files.
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
MNIST_CLASSES = (
    "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
    "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
)

#: File names (without ``.gz``) of each split: ``{"train": (images, labels), "test": (...)}``.
MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

_INSTALL_HINT = {
    "Fashion-MNIST": (
        "To get Fashion-MNIST on Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist "
        f"(it puts the files in {FASHION_MNIST_DIR}). Or put the four files "
        "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
        "t10k-labels-idx1-ubyte.gz (gzipped or not) in a folder and pass it as root=."
    ),
    "MNIST": (
        "MNIST is not shipped: put its four files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
        "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (gzipped or not) in a folder and pass it "
        "as root=."
    ),
}


class DatasetNotFoundError(FileNotFoundError):
    """The files of a dataset are not where they were looked for; the message says how to get them.

    A ``FileNotFoundError``.

    Example:
        >>> from autograd_core.data import DatasetNotFoundError, load_fashion_mnist
        >>> try:
        ...     load_fashion_mnist("/nonexistent")
        ... except DatasetNotFoundError as e:
        ...     print(str(e)[:60])
        Fashion-MNIST train files not found: the folder /nonexistent
    """


def _candidates(root: Path, folder: str, name: str) -> list[Path]:
    dirs = [root, root / "raw", root / folder / "raw"]
    # MNIST's files are also often distributed as e.g. "train-images.idx3-ubyte".
    alt = name.replace("-idx", ".idx")
    out = []
    for d in dirs:
        for n in (name + ".gz", name, alt + ".gz", alt):
            out.append(d / n)
    return out


def find_mnist_files(root: PathLike, train: bool = True, name: str = "Fashion-MNIST") -> tuple[Path, Path]:
    """Paths of the images and labels files of one split under ``root``.

    Looks in ``root``, ``root/raw`` and torchvision's ``root/<FashionMNIST|MNIST>/raw``,
    for each file gzipped or not.

    Raises:
        DatasetNotFoundError: naming the folder, the missing files and how to get them.

    Example:
        >>> from autograd_core.data import find_mnist_files, DatasetNotFoundError
        >>> try:
        ...     find_mnist_files("/nonexistent")
        ... except DatasetNotFoundError as e:
        ...     print("apt-get install dataset-fashion-mnist" in str(e))
        True
    """
    root = Path(os.fspath(root)).expanduser()
    split = "train" if train else "test"
    folder = "FashionMNIST" if name == "Fashion-MNIST" else "MNIST"
    hint = _INSTALL_HINT.get(name, _INSTALL_HINT["MNIST"])
    if not root.is_dir():
        raise DatasetNotFoundError(
            f"{name} {split} files not found: the folder {root} does not exist. {hint}"
        )
    found, missing = [], []
    for base in MNIST_FILES[split]:
        path = next((p for p in _candidates(root, folder, base) if p.is_file()), None)
        if path is None:
            missing.append(base + ".gz")
        else:
            found.append(path)
    if missing:
        raise DatasetNotFoundError(
            f"{name} {split} files not found in {root}: missing {' and '.join(missing)} "
            f"(also looked for them without .gz and under raw/ and {folder}/raw/). {hint}"
        )
    return found[0], found[1]


def _load(root: PathLike, train: bool, as_float: bool, name: str) -> tuple[np.ndarray, np.ndarray]:
    images_path, labels_path = find_mnist_files(root, train, name)
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{images_path}: expected uint8 images of shape (N, rows, cols), got {images.dtype} {images.shape}"
        )
    if labels.ndim != 1:
        raise ValueError(f"{labels_path}: expected 1-D labels, got shape {labels.shape}")
    if len(labels) != len(images):
        raise ValueError(
            f"{name}: {images_path.name} has {len(images)} images but {labels_path.name} has {len(labels)} labels"
        )
    labels = labels.astype(np.int64)
    if as_float:
        images = images.astype(np.float32) / np.float32(255)
    return images, labels


def load_fashion_mnist(
    root: PathLike | None = None, train: bool = True, as_float: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST images and labels as NumPy arrays.

    Args:
        root: folder with the IDX files; ``None`` for Debian's
            ``/usr/share/datasets/fashion-mnist`` (``apt-get install dataset-fashion-mnist``).
        train: the 60,000 training images, or else the 10,000 test images.
        as_float: return images as float32 scaled to [0, 1] instead of uint8 0..255.

    Returns:
        ``(images, labels)``: ``images`` ``(N, 28, 28)`` uint8 (or float32),
        ``labels`` int64 ``(N,)`` in 0..9 (:data:`FASHION_MNIST_CLASSES`).

    Raises:
        DatasetNotFoundError: the files are missing (the message says how to get them).
        IDXFormatError: a file is corrupt or truncated.

    Example:
        >>> from autograd_core.data import load_fashion_mnist, DatasetNotFoundError
        >>> try:
        ...     images, labels = load_fashion_mnist(train=False)
        ...     print(images.shape)
        ... except DatasetNotFoundError:  # the Debian package is not installed
        ...     print((10000, 28, 28))
        (10000, 28, 28)
    """
    return _load(FASHION_MNIST_DIR if root is None else root, train, as_float, "Fashion-MNIST")


def load_mnist(root: PathLike, train: bool = True, as_float: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images and labels from the four IDX files in ``root`` (user supplied).

    Same layout, returns and errors as :func:`load_fashion_mnist`.

    Example:
        >>> from autograd_core.data import load_mnist, DatasetNotFoundError
        >>> try:
        ...     load_mnist("/nonexistent")
        ... except DatasetNotFoundError as e:
        ...     print("train-images-idx3-ubyte.gz" in str(e))
        True
    """
    return _load(root, train, as_float, "MNIST")


class _MNISTLike(ArrayDataset):
    classes: list[str] = []
    _name = "MNIST"

    def __init__(
        self,
        root: PathLike,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
    ) -> None:
        images, labels = _load(root, train, False, self._name)
        super().__init__(images, labels, transform, target_transform)
        self.root = Path(os.fspath(root))
        self.train = train

    def _features(self, rows: np.ndarray) -> np.ndarray:
        # uint8 (..., H, W) → float32 (..., 1, H, W) in [0, 1], like torchvision's ToTensor().
        x = rows.astype(np.float32)
        x *= np.float32(1 / 255)
        return x[..., None, :, :]

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"{type(self).__name__}(root={str(self.root)!r}, {split}, n={len(self)})"


class FashionMNIST(_MNISTLike):
    """Fashion-MNIST as a dataset of ``(image, label)``.

    ``image`` is a float32 Tensor ``(1, 28, 28)`` scaled to [0, 1] (what
    torchvision gives with ``transforms.ToTensor()``); ``label`` is an int64
    NumPy scalar in 0..9 (``.classes`` names them). ``.data`` holds the raw
    uint8 images ``(N, 28, 28)`` and ``.targets`` the int64 labels, as NumPy
    arrays. Without transforms a :class:`DataLoader` reads whole batches at
    once: ``x`` float32 ``(B, 1, 28, 28)``, ``y`` int64 ``(B,)``.

    Args:
        root: folder with the IDX files; ``None`` for ``/usr/share/datasets/fashion-mnist``.
        train: training split (60,000) or test split (10,000).
        transform: called on each image Tensor.
        target_transform: called on each label.

    Example:
        >>> from autograd_core.data import FashionMNIST, DatasetNotFoundError
        >>> try:
        ...     n = len(FashionMNIST(train=False))
        ... except DatasetNotFoundError:  # sudo apt-get install dataset-fashion-mnist
        ...     n = 10000
        >>> n
        10000
    """

    classes = list(FASHION_MNIST_CLASSES)
    _name = "Fashion-MNIST"

    def __init__(
        self,
        root: PathLike | None = None,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
    ) -> None:
        super().__init__(FASHION_MNIST_DIR if root is None else root, train, transform, target_transform)


class MNIST(_MNISTLike):
    """MNIST from user-supplied IDX files, as a dataset of ``(image, label)``.

    Same samples, attributes and arguments as :class:`FashionMNIST`, but
    ``root`` is required: the folder holding ``train-images-idx3-ubyte.gz``,
    ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz`` and
    ``t10k-labels-idx1-ubyte.gz`` (gzipped or not).

    Example:
        >>> from autograd_core.data import MNIST, DatasetNotFoundError
        >>> try:
        ...     MNIST("/nonexistent")
        ... except DatasetNotFoundError as e:
        ...     print(type(e).__name__)
        DatasetNotFoundError
    """

    classes = list(MNIST_CLASSES)
    _name = "MNIST"
