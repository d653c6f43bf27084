"""The datasets the training application offers: each one's kind and default settings
(:data:`DATASETS`), and :func:`load_data`, which loads one, splits it train/val/test by a
seed and standardises it with statistics of the training split.

>>> from autograd_cli.datasets import DATASETS, load_data
>>> list(DATASETS)[:4]
['digits', 'fashion-mnist', 'mnist', 'iris']
>>> load_data("xor", n_samples=100)
Splits('xor', tabular, input (2,), 2 classes, train 70, val 15, test 15)
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from autograd_core import data as D

from .errors import ConfigError

__all__ = ["DataDefaults", "DATASETS", "Splits", "load_data", "normalize", "renormalize"]


@dataclass(frozen=True)
class DataDefaults:
    """A dataset's kind and the training settings that suit it.

    >>> DATASETS["iris"].kind, DATASETS["iris"].epochs, DATASETS["iris"].lr["adam"]
    ('tabular', 200, 0.01)
    """

    kind: str                       # "image" or "tabular"
    epochs: int
    batch_size: int
    lr: dict                        # optimizer name -> learning rate
    patience: int
    val_fraction: float
    test_fraction: float | None     # None: the dataset has its own test set
    n_samples: int | None = None    # generated data: how many points
    files: bool = False             # read from IDX files (--data-dir)
    description: str = ""


_LR_IMAGES = {"adam": 3e-3, "adamw": 3e-3, "sgd": 0.05}
_LR_TABULAR = {"adam": 1e-2, "adamw": 1e-2, "sgd": 0.1}

DATASETS: dict[str, DataDefaults] = {
    "digits": DataDefaults("image", 30, 32, _LR_IMAGES, 5, 0.15, 0.15,
                           description="UCI 8x8 digits, 1,797 images 1x8x8, 10 classes (shipped)"),
    "fashion-mnist": DataDefaults("image", 3, 64, {"adam": 2e-3, "adamw": 2e-3, "sgd": 0.05}, 3,
                                  0.1, None, files=True,
                                  description="Fashion-MNIST, 60,000+10,000 images 1x28x28, "
                                  "10 classes (Debian's dataset-fashion-mnist or --data-dir)"),
    "mnist": DataDefaults("image", 3, 64, {"adam": 2e-3, "adamw": 2e-3, "sgd": 0.05}, 3, 0.1,
                          None, files=True,
                          description="MNIST from IDX files in --data-dir (required)"),
    "iris": DataDefaults("tabular", 200, 16, _LR_TABULAR, 20, 0.15, 0.15,
                         description="Iris, 150 rows x 4 features, 3 classes (shipped)"),
    "xor": DataDefaults("tabular", 100, 32, _LR_TABULAR, 15, 0.15, 0.15, n_samples=1000,
                        description="generated XOR, 1,000 points in 2-D, 2 classes"),
    "moons": DataDefaults("tabular", 100, 32, _LR_TABULAR, 15, 0.15, 0.15, n_samples=1000,
                          description="generated two moons, 1,000 points, 2 classes"),
    "circles": DataDefaults("tabular", 100, 32, _LR_TABULAR, 15, 0.15, 0.15, n_samples=1000,
                            description="generated circles, 1,000 points, 2 classes"),
    "spirals": DataDefaults("tabular", 200, 32, _LR_TABULAR, 25, 0.15, 0.15, n_samples=1500,
                            description="generated spirals, 1,500 points, 3 arms/classes"),
}


@dataclass
class Splits:
    """A dataset split three ways and standardised with statistics of the training part.

    ``x_*`` are float32 arrays, ``(N, C, H, W)`` for images and ``(N, F)`` for tabular data;
    ``y_*`` int64 labels. ``normalization`` holds the ``mean`` and ``std`` that were applied
    (scalars for images, one per feature for tabular data).

    >>> s = load_data("digits", limit=100)
    >>> s.input_shape, s.num_classes, s.split("val")[0].shape
    ((1, 8, 8), 10, (15, 1, 8, 8))
    """

    name: str
    kind: str
    classes: list
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    normalization: dict

    @property
    def input_shape(self) -> tuple:
        return tuple(self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def split(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        if which not in ("train", "val", "test"):
            raise ValueError(f"split must be 'train', 'val' or 'test', got {which!r}")
        return getattr(self, f"x_{which}"), getattr(self, f"y_{which}")

    def __repr__(self) -> str:
        return (f"Splits({self.name!r}, {self.kind}, input {self.input_shape}, "
                f"{self.num_classes} classes, train {len(self.y_train)}, val {len(self.y_val)}, "
                f"test {len(self.y_test)})")


def _subset(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, limit: int | None):
    if limit is None or limit >= len(y):
        return x, y
    idx = np.sort(rng.permutation(len(y))[:limit])
    return x[idx], y[idx]


def _raw_data(name: str, data_dir: str | None, seed: int, n_samples: int | None):
    """``(x, y, classes, x_test, y_test)`` in natural shapes; the test arrays are None unless
    the dataset has its own test set."""
    if name == "digits":
        x, y = D.load_digits(images=True)
        return (x[:, None] / np.float32(16)).astype(np.float32), y, list(D.DIGITS_CLASSES), \
            None, None
    if name in ("fashion-mnist", "mnist"):
        loader = D.load_fashion_mnist if name == "fashion-mnist" else D.load_mnist
        if name == "mnist" and data_dir is None:
            raise ConfigError("--data mnist needs --data-dir: the folder holding MNIST's four "
                              "IDX files (train-images-idx3-ubyte.gz, ...)")
        x, y = loader(data_dir, train=True, as_float=True)
        xt, yt = loader(data_dir, train=False, as_float=True)
        classes = list(D.FASHION_MNIST_CLASSES if name == "fashion-mnist" else D.MNIST_CLASSES)
        return x[:, None], y.astype(np.int64), classes, xt[:, None], yt.astype(np.int64)
    if name == "iris":
        x, y = D.load_iris()
        return x.astype(np.float32), y, list(D.IRIS_CLASSES), None, None
    makers = {"xor": D.make_xor, "moons": D.make_moons, "circles": D.make_circles,
              "spirals": D.make_spirals}
    if name in makers:
        n = n_samples or DATASETS[name].n_samples
        if name == "spirals":
            x, y = D.make_spirals(n, n_classes=3, noise=0.05, seed=seed)
        elif name == "xor":
            x, y = D.make_xor(n, noise=0.5, seed=seed)
        elif name == "moons":
            x, y = D.make_moons(n, noise=0.15, seed=seed)
        else:
            x, y = D.make_circles(n, noise=0.08, factor=0.5, seed=seed)
        k = int(y.max()) + 1
        return x.astype(np.float32), y.astype(np.int64), [f"class {i}" for i in range(k)], \
            None, None
    raise ConfigError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")


def _check_fraction(value: float, what: str) -> float:
    if not (isinstance(value, (int, float)) and 0.0 < value < 1.0):
        raise ConfigError(f"{what} must be between 0 and 1 (exclusive), got {value!r}")
    return float(value)


def load_data(name: str, *, data_dir: str | None = None, seed: int = 0,
              val_fraction: float | None = None, test_fraction: float | None = None,
              limit: int | None = None, n_samples: int | None = None) -> Splits:
    """Load dataset ``name`` (a key of :data:`DATASETS`), split it and standardise it.

    * Splits are random but fixed by ``seed``. Datasets without a test set of their own
      are split train/val/test by ``val_fraction`` and ``test_fraction`` (defaults
      0.15 and 0.15, i.e. 70/15/15); Fashion-MNIST and MNIST keep their official test set
      and take ``val_fraction`` (default 0.1) of their training set for validation.
    * Standardisation uses statistics of the training part only: images by one mean and
      standard deviation over all pixels (after scaling to [0, 1]), tabular data per feature.
    * ``limit`` keeps at most that many examples of each source (the whole dataset, or the
      official train and test sets) before splitting: for quick tries and tests.
    * ``n_samples``: how many points to generate (xor, moons, circles, spirals).

    >>> s = load_data("iris", seed=0)
    >>> s.input_shape, s.num_classes, len(s.y_train), len(s.y_val), len(s.y_test)
    ((4,), 3, 106, 22, 22)
    """
    if name not in DATASETS:
        raise ConfigError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    spec = DATASETS[name]
    val_fraction = _check_fraction(spec.val_fraction if val_fraction is None else val_fraction,
                                   "val_fraction")
    if spec.test_fraction is None:
        if test_fraction is not None:
            raise ConfigError(f"{name} has its own test set; test_fraction does not apply")
    else:
        test_fraction = _check_fraction(spec.test_fraction if test_fraction is None
                                        else test_fraction, "test_fraction")
        if val_fraction + test_fraction >= 1.0:
            raise ConfigError(f"val_fraction + test_fraction must be below 1, got "
                              f"{val_fraction} + {test_fraction}")
    if limit is not None and (isinstance(limit, bool) or int(limit) < 3):
        raise ConfigError(f"limit must be at least 3 (one example per split), got {limit!r}")
    rng = np.random.default_rng(seed)
    x, y, classes, xt, yt = _raw_data(name, data_dir, seed, n_samples)
    x, y = _subset(rng, x, y, limit)
    n = len(y)
    perm = rng.permutation(n)
    n_val = max(1, int(round(val_fraction * n)))
    if xt is None:
        n_test = max(1, int(round(test_fraction * n)))
        test_idx, val_idx, train_idx = perm[:n_test], perm[n_test:n_test + n_val], \
            perm[n_test + n_val:]
        xt, yt = x[test_idx], y[test_idx]
    else:
        xt, yt = _subset(rng, xt, yt, limit)
        val_idx, train_idx = perm[:n_val], perm[n_val:]
    if len(train_idx) < 1:
        raise ConfigError(f"no training examples left after the split ({n} in all)")
    x_train, y_train, x_val, y_val = x[train_idx], y[train_idx], x[val_idx], y[val_idx]
    if spec.kind == "image":
        mean = float(x_train.mean())
        std = float(x_train.std()) or 1.0
    else:
        mean = x_train.mean(axis=0).astype(np.float64).tolist()
        s = x_train.std(axis=0).astype(np.float64)
        std = np.where(s > 0, s, 1.0).tolist()
    norm = {"mean": mean, "std": std}
    return Splits(name, spec.kind, classes,
                  normalize(x_train, norm), y_train.astype(np.int64),
                  normalize(x_val, norm), y_val.astype(np.int64),
                  normalize(xt, norm), yt.astype(np.int64), norm)


def normalize(x: np.ndarray, norm: dict) -> np.ndarray:
    """``(x - mean) / std`` as contiguous float32, with ``norm = {"mean": ..., "std": ...}``
    (numbers, or one per feature).

    >>> normalize(np.array([[1.0, 4.0]]), {"mean": [1.0, 2.0], "std": [1.0, 2.0]})
    array([[0., 1.]], dtype=float32)
    """
    mean = np.asarray(norm["mean"], dtype=np.float32)
    std = np.asarray(norm["std"], dtype=np.float32)
    return np.ascontiguousarray((x - mean) / std, dtype=np.float32)


def renormalize(x: np.ndarray, now: dict, saved: dict) -> np.ndarray:
    """``x``, standardised with ``now``, standardised with ``saved`` instead: data
    evaluated by a model gets the preprocessing the model was trained with.

    >>> renormalize(np.array([1.0], np.float32), {"mean": 0.0, "std": 1.0},
    ...             {"mean": 1.0, "std": 2.0})
    array([0.], dtype=float32)
    """
    if json.dumps(now) == json.dumps(saved):
        return x
    m0, s0 = np.asarray(now["mean"], np.float32), np.asarray(now["std"], np.float32)
    m1, s1 = np.asarray(saved["mean"], np.float32), np.asarray(saved["std"], np.float32)
    return np.ascontiguousarray(((x * s0 + m0) - m1) / s1, dtype=np.float32)
