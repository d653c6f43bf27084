"""Small datasets that need no network: shipped files and generated data.

Shipped with the package (see ``autograd_core/data/files/README.md`` for the
provenance and licenses):

* :func:`load_digits` — UCI 8x8 handwritten digits, 1,797 images, labels 0..9;
* :func:`load_iris` — Fisher's Iris, 150 flowers, 4 measurements, 3 species;
* :func:`load_mcycle` — motorcycle-crash head acceleration (MASS ``mcycle``), 133 rows.

Generated (our own code, in the manner of scikit-learn's generators):
:func:`make_xor`, :func:`make_moons`, :func:`make_circles`, :func:`make_spirals`.

Every loader returns NumPy arrays ``(X, y)``: float32 features and int64
labels (float32 targets for ``mcycle``). Wrap them for training with
``TensorDataset(ag.from_numpy(X), ag.from_numpy(y))`` or use the dataset
classes :class:`Digits`, :class:`Iris`, :class:`MCycle`.

>>> from autograd_core.data import load_digits, make_moons
>>> X, y = load_digits()
>>> X.shape, y.shape, float(X.max())
((1797, 64), (1797,), 16.0)
>>> X, y = make_moons(100, noise=0.1, seed=0)
>>> X.shape, sorted(set(y.tolist()))
((100, 2), [0, 1])
"""
from __future__ import annotations

import csv
import functools
import gzip
import io
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..utils.data._core import np_rng, to_tensor
from ..utils.data.dataset import Dataset

__all__ = [
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
]

#: Folder of the data files shipped inside the package.
FILES_DIR = Path(__file__).resolve().parent / "files"

DIGITS_CLASSES = tuple(str(i) for i in range(10))
IRIS_CLASSES = ("setosa", "versicolor", "virginica")
IRIS_FEATURE_NAMES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")


def _shipped(name: str) -> Path:
    path = FILES_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"the data file {name} that ships with autograd_core is missing: expected it at {path}. "
            "Reinstall the package (pip install -e . from a checkout) so that package data is included."
        )
    return path


def _damaged(name: str, what: str) -> RuntimeError:
    return RuntimeError(f"the shipped data file {FILES_DIR / name} is damaged: {what}")


# ---------------------------------------------------------------------- shipped
@functools.lru_cache(maxsize=None)
def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(_shipped("digits.csv.gz"), "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float64)
    if table.shape != (1797, 65):
        raise _damaged("digits.csv.gz", f"expected 1797 rows of 65 numbers, got shape {table.shape}")
    X = table[:, :64].astype(np.float32)
    y = table[:, 64].astype(np.int64)
    if X.min() < 0 or X.max() > 16 or y.min() < 0 or y.max() > 9:
        raise _damaged("digits.csv.gz", "pixel values outside 0..16 or labels outside 0..9")
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def load_digits(images: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The UCI 8x8 handwritten digits: 1,797 images of the digits 0..9.

    Each image is 8x8 pixels; a pixel is the count (0..16) of "on" pixels in a
    4x4 block of the original 32x32 bitmap. Values are returned unscaled:
    divide by 16 for the range [0, 1].

    Args:
        images: ``False`` for flat features ``(1797, 64)`` (row by row);
            ``True`` for images ``(1797, 8, 8)``.

    Returns:
        ``(X, y)``: ``X`` float32 with values 0..16, ``y`` int64 labels 0..9
        (about 180 of each).

    Example:
        >>> from autograd_core.data import load_digits
        >>> X, y = load_digits(images=True)
        >>> X.shape, X.dtype, y.dtype, int(y.max())
        ((1797, 8, 8), dtype('float32'), dtype('int64'), 9)
    """
    X, y = _digits_raw()
    X = X.copy()
    return (X.reshape(-1, 8, 8) if images else X), y.copy()


def _shipped_csv(name: str) -> tuple[list[str], list[list[str]]]:
    """The header row and the non-empty rows of a shipped CSV file."""
    with open(_shipped(name), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], [r for r in rows[1:] if r]


@functools.lru_cache(maxsize=None)
def _iris_raw() -> tuple[np.ndarray, np.ndarray]:
    header, body = _shipped_csv("iris.csv")
    if header[:2] != ["150", "4"] or len(body) != 150:
        raise _damaged("iris.csv", f"expected the header 150,4,... and 150 rows, got {header[:2]} and {len(body)} rows")
    table = np.array(body, dtype=np.float64)
    X = table[:, :4].astype(np.float32)
    y = table[:, 4].astype(np.int64)
    if sorted(np.bincount(y).tolist()) != [50, 50, 50]:
        raise _damaged("iris.csv", "expected 50 rows of each of the classes 0, 1, 2")
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's Iris data: 150 flowers, 4 measurements in cm, 3 species.

    Features (columns): sepal length (4.3..7.9), sepal width (2.0..4.4),
    petal length (1.0..6.9), petal width (0.1..2.5), all in cm, unscaled.
    Labels: 0 setosa, 1 versicolor, 2 virginica (:data:`IRIS_CLASSES`), 50
    each, in that order (shuffle or split before training).

    Returns:
        ``(X, y)``: ``X`` float32 ``(150, 4)``, ``y`` int64 ``(150,)``.

    Example:
        >>> from autograd_core.data import load_iris, IRIS_CLASSES
        >>> X, y = load_iris()
        >>> X.shape, IRIS_CLASSES[y[-1]]
        ((150, 4), 'virginica')
    """
    X, y = _iris_raw()
    return X.copy(), y.copy()


@functools.lru_cache(maxsize=None)
def _mcycle_raw() -> tuple[np.ndarray, np.ndarray]:
    header, body = _shipped_csv("mcycle.csv")
    if header != ["", "times", "accel"] or len(body) != 133:
        raise _damaged("mcycle.csv", f"expected the header ,times,accel and 133 rows, got {header} and {len(body)} rows")
    table = np.array([[float(r[1]), float(r[2])] for r in body], dtype=np.float64)
    t, a = table[:, 0], table[:, 1]
    if (t.min(), t.max(), a.min(), a.max()) != (2.4, 57.6, -134.0, 75.0):
        raise _damaged("mcycle.csv", "expected times 2.4..57.6 ms and accel -134..75 g")
    X = t.astype(np.float32).reshape(-1, 1)
    y = a.astype(np.float32)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def load_mcycle() -> tuple[np.ndarray, np.ndarray]:
    """The motorcycle-crash data (Silverman 1985; R's ``MASS::mcycle``): 133 rows.

    Head acceleration of a crash-test dummy against time after a simulated
    motorcycle impact: a classic, strongly non-linear and heteroscedastic
    1-D regression problem. Times are sorted, repeat, and are unevenly spaced.

    Returns:
        ``(X, y)``: ``X`` float32 ``(133, 1)``, time in milliseconds
        (2.4..57.6); ``y`` float32 ``(133,)``, acceleration in g (-134..75).
        Unscaled: standardise both before fitting a network.

    Example:
        >>> from autograd_core.data import load_mcycle
        >>> X, y = load_mcycle()
        >>> X.shape, float(X.min()), float(y.min())
        ((133, 1), 2.4000000953674316, -134.0)
    """
    X, y = _mcycle_raw()
    return X.copy(), y.copy()


# -------------------------------------------------------------------- generated
def _rng(seed: Any) -> np.random.Generator:
    """NumPy generator for ``seed``: an int, a Generator, or None for the global one."""
    if seed is None:
        try:
            return np_rng(None)
        except ImportError:  # the core's random module is not there
            return np.random.default_rng()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    try:
        return np_rng(seed)
    except TypeError:
        raise TypeError(
            f"seed must be an int, an autograd_core.Generator or None, got {type(seed).__name__}"
        ) from None


def _check_n(n_samples: Any, name: str = "n_samples") -> int:
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"{name} must be a positive int, got {n_samples!r}")
    return int(n_samples)


def _two_counts(n_samples: Any, pair: str) -> tuple[int, int]:
    """``n_samples`` split in two halves (the first gets ``n // 2``), or a checked pair."""
    if isinstance(n_samples, tuple):
        if len(n_samples) != 2:
            raise ValueError(f"n_samples as a tuple must be {pair}, got {n_samples!r}")
        first, second = (_check_n(k, "n_samples[i]") for k in n_samples)
        return first, second
    n = _check_n(n_samples)
    return n // 2, n - n // 2


def _check_noise(noise: float | None) -> float:
    if noise is None:
        return 0.0
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a standard deviation >= 0 (or None), got {noise!r}")
    return float(noise)


def _split_counts(n: int, k: int) -> list[int]:
    """``n`` samples over ``k`` classes as evenly as possible, extra ones first."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _finish(
    X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator, shuffle: bool
) -> tuple[np.ndarray, np.ndarray]:
    if shuffle:
        perm = rng.permutation(len(y))
        X, y = X[perm], y[perm]
    if noise:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return X.astype(np.float32), y.astype(np.int64)


def make_xor(
    n_samples: int = 200, noise: float | None = 0.1, seed: Any = None, shuffle: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: four clusters at the corners ``(±1, ±1)``.

    A point's label is 1 when its corner's coordinates have different signs
    (``(-1, 1)`` and ``(1, -1)``), else 0 — not linearly separable. The
    samples go round the four corners in turn, so classes are balanced; with
    ``n_samples=4, noise=None, shuffle=False`` this is the classic 4-row XOR
    table (with -1 for 0).

    Args:
        n_samples: total number of points.
        noise: standard deviation of Gaussian noise added to each coordinate
            (``None`` or 0 for exact corners).
        seed: an int, an ``autograd_core.Generator``, or ``None`` to draw from
            the global generator (``autograd_core.manual_seed``).
        shuffle: shuffle the rows.

    Returns:
        ``(X, y)``: ``X`` float32 ``(n_samples, 2)``, ``y`` int64 in {0, 1}.

    Example:
        >>> from autograd_core.data import make_xor
        >>> X, y = make_xor(4, noise=None, shuffle=False)
        >>> X.tolist(), y.tolist()
        ([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    n = _check_n(n_samples)
    noise_sd = _check_noise(noise)
    rng = _rng(seed)
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    which = np.arange(n) % 4
    X = corners[which]
    y = np.array([0, 1, 1, 0])[which]
    return _finish(X, y, noise_sd, rng, shuffle)


def make_moons(
    n_samples: int | tuple[int, int] = 100, noise: float | None = None, seed: Any = None, shuffle: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as ``sklearn.datasets.make_moons``.

    The upper moon (label 0) is the half circle of radius 1 around (0, 0);
    the lower moon (label 1) is the same shape turned over and moved to
    (1, 0.5). Without noise, points lie evenly spaced along each arc;
    ``X`` lies in about [-1, 2] x [-0.5, 1].

    Args:
        n_samples: total points (the upper moon gets ``n // 2``), or a pair
            ``(n_upper, n_lower)``.
        noise: standard deviation of Gaussian noise added to the coordinates.
        seed: an int, an ``autograd_core.Generator``, or ``None`` for the
            global generator.
        shuffle: shuffle the rows.

    Returns:
        ``(X, y)``: ``X`` float32 ``(n, 2)``, ``y`` int64 in {0, 1}.

    Example:
        >>> from autograd_core.data import make_moons
        >>> X, y = make_moons(200, noise=0.1, seed=0)
        >>> X.shape, int(y.sum())
        ((200, 2), 100)
    """
    n_out, n_in = _two_counts(n_samples, "(n_upper, n_lower)")
    noise_sd = _check_noise(noise)
    rng = _rng(seed)
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    return _finish(X, y, noise_sd, rng, shuffle)


def make_circles(
    n_samples: int | tuple[int, int] = 100,
    noise: float | None = None,
    seed: Any = None,
    factor: float = 0.8,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """A large circle (label 0) around a small one (label 1), as ``sklearn.datasets.make_circles``.

    Args:
        n_samples: total points (the outer circle gets ``n // 2``), or a pair
            ``(n_outer, n_inner)``.
        noise: standard deviation of Gaussian noise added to the coordinates.
        seed: an int, an ``autograd_core.Generator``, or ``None`` for the
            global generator.
        factor: radius of the inner circle (the outer one has radius 1),
            ``0 <= factor < 1``.
        shuffle: shuffle the rows.

    Returns:
        ``(X, y)``: ``X`` float32 ``(n, 2)``, ``y`` int64 in {0, 1}.

    Example:
        >>> import numpy as np
        >>> from autograd_core.data import make_circles
        >>> X, y = make_circles(100, factor=0.5, seed=0)
        >>> round(float(np.hypot(X[:, 0], X[:, 1])[y == 1].max()), 3)
        0.5
    """
    if not 0 <= factor < 1:
        raise ValueError(f"factor must be in [0, 1), got {factor!r}")
    n_out, n_in = _two_counts(n_samples, "(n_outer, n_inner)")
    noise_sd = _check_noise(noise)
    rng = _rng(seed)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    return _finish(X, y, noise_sd, rng, shuffle)


def make_spirals(
    n_samples: int = 300,
    n_classes: int = 2,
    noise: float | None = 0.05,
    seed: Any = None,
    turns: float = 1.0,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n "spiral" toy set).

    Arm ``k`` starts at the origin and winds outwards to radius 1: a point at
    radius ``r`` in [0, 1] sits at angle ``2*pi*(k / n_classes + turns * r)``.
    Points are evenly spaced in radius along each arm; noise is added to the
    coordinates afterwards. ``X`` lies in about [-1, 1]^2.

    Args:
        n_samples: total points, shared as evenly as possible between arms.
        n_classes: number of arms (and labels ``0 .. n_classes - 1``), >= 2.
        noise: standard deviation of Gaussian noise added to the coordinates.
        seed: an int, an ``autograd_core.Generator``, or ``None`` for the
            global generator.
        turns: how many full turns each arm makes (> 0).
        shuffle: shuffle the rows.

    Returns:
        ``(X, y)``: ``X`` float32 ``(n_samples, 2)``, ``y`` int64 in
        ``0 .. n_classes - 1``.

    Example:
        >>> from autograd_core.data import make_spirals
        >>> X, y = make_spirals(300, n_classes=3, seed=0)
        >>> X.shape, sorted(set(y.tolist()))
        ((300, 2), [0, 1, 2])
    """
    n = _check_n(n_samples)
    k = _check_n(n_classes, "n_classes")
    if k < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    if not turns > 0:
        raise ValueError(f"turns must be > 0, got {turns!r}")
    noise_sd = _check_noise(noise)
    rng = _rng(seed)
    Xs, ys = [], []
    for c, m in enumerate(_split_counts(n, k)):
        r = np.linspace(0.0, 1.0, m) if m > 1 else np.ones(m)
        theta = 2 * np.pi * (c / k + turns * r)
        Xs.append(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))
        ys.append(np.full(m, c, np.int64))
    return _finish(np.concatenate(Xs), np.concatenate(ys), noise_sd, rng, shuffle)


# ---------------------------------------------------------------- dataset types
class ArrayDataset(Dataset[tuple]):
    """A dataset of ``(x, y)`` samples held as NumPy arrays, Tensors out.

    ``ds[i]`` is ``(x, y)``: ``x`` a Tensor (after ``transform``), ``y`` a NumPy
    scalar (after ``target_transform``). Without transforms, a
    :class:`DataLoader` reads it a whole batch at a time and yields
    ``(Tensor x, Tensor y)``.

    Args:
        data: features, one row per sample.
        targets: labels or regression targets, one per sample.
        transform: called on each sample's feature Tensor.
        target_transform: called on each target.

    Example:
        >>> import numpy as np
        >>> from autograd_core.data import ArrayDataset
        >>> ds = ArrayDataset(np.zeros((5, 2), np.float32), np.arange(5))
        >>> x, y = ds[3]
        >>> x.shape, int(y)
        ((2,), 3)
    """

    def __init__(
        self,
        data: np.ndarray,
        targets: np.ndarray,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
    ) -> None:
        data = np.asarray(data)
        targets = np.asarray(targets)
        if data.ndim == 0 or targets.ndim == 0 or len(data) != len(targets):
            raise ValueError(
                f"data and targets must have the same number of rows, got shapes {data.shape} and {targets.shape}"
            )
        self.data = data
        self.targets = targets
        self.transform = transform
        self.target_transform = target_transform

    def _features(self, rows: np.ndarray) -> np.ndarray:
        """Turn stored rows into the feature array handed out (subclasses scale, reshape)."""
        return rows

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple:
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise TypeError(f"{type(self).__name__} indices must be ints, got {type(index).__name__}")
        x = to_tensor(self._features(self.data[index]))
        y = self.targets[index]
        if self.transform is not None:
            x = self.transform(x)
        if self.target_transform is not None:
            y = self.target_transform(y)
        return x, y

    def _get_batch(self, indices: np.ndarray) -> tuple | None:
        if self.transform is not None or self.target_transform is not None:
            return None
        if type(self).__getitem__ is not ArrayDataset.__getitem__:
            return None
        return to_tensor(self._features(self.data[indices])), to_tensor(self.targets[indices])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={len(self)}, x={self._features(self.data[:1]).shape[1:]})"


class Digits(ArrayDataset):
    """The UCI 8x8 digits (:func:`load_digits`) as a dataset of ``(x, label)``.

    Args:
        images: ``False``: ``x`` is a float32 Tensor ``(64,)``; ``True``: ``(1, 8, 8)``
            (channels first, for a CNN).
        normalize: divide pixel values by 16, giving [0, 1] instead of 0..16.
        transform, target_transform: as in :class:`ArrayDataset`.

    Example:
        >>> from autograd_core.data import DataLoader, Digits
        >>> x, y = next(iter(DataLoader(Digits(images=True, normalize=True), batch_size=32)))
        >>> x.shape, y.shape, float(x.numpy().max()) <= 1.0
        ((32, 1, 8, 8), (32,), True)
    """

    classes = list(DIGITS_CLASSES)

    def __init__(
        self,
        images: bool = False,
        normalize: bool = False,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
    ) -> None:
        X, y = load_digits()
        super().__init__(X, y, transform, target_transform)
        self.images = images
        self.normalize = normalize

    def _features(self, rows: np.ndarray) -> np.ndarray:
        x = rows / np.float32(16) if self.normalize else rows
        return x.reshape(x.shape[:-1] + (1, 8, 8)) if self.images else x


class Iris(ArrayDataset):
    """Fisher's Iris (:func:`load_iris`) as a dataset of ``(x, label)``, ``x`` float32 ``(4,)`` in cm.

    Example:
        >>> from autograd_core.data import Iris
        >>> ds = Iris()
        >>> len(ds), ds.classes[int(ds[0][1])]
        (150, 'setosa')
    """

    classes = list(IRIS_CLASSES)

    def __init__(
        self,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
    ) -> None:
        X, y = load_iris()
        super().__init__(X, y, transform, target_transform)


class MCycle(ArrayDataset):
    """The motorcycle-crash data (:func:`load_mcycle`) as ``(time, accel)`` samples.

    ``x`` is a float32 Tensor ``(1,)`` (ms), the target a float32 scalar (g).
    With ``standardize=True`` both are shifted and scaled to mean 0, standard
    deviation 1 (the statistics are kept in ``.x_mean, .x_std, .y_mean, .y_std``).

    Example:
        >>> from autograd_core.data import MCycle
        >>> ds = MCycle(standardize=True)
        >>> len(ds), abs(float(ds.targets.mean())) < 1e-5
        (133, True)
    """

    def __init__(
        self,
        standardize: bool = False,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
    ) -> None:
        X, y = load_mcycle()
        self.x_mean, self.x_std = float(X.mean()), float(X.std())
        self.y_mean, self.y_std = float(y.mean()), float(y.std())
        if standardize:
            X = ((X - self.x_mean) / self.x_std).astype(np.float32)
            y = ((y - self.y_mean) / self.y_std).astype(np.float32)
        super().__init__(X, y, transform, target_transform)
