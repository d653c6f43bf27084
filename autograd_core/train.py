"""Train and evaluate classifiers on the shipped datasets: the library behind
``autograd-core train`` and ``autograd-core evaluate``, usable from Python and notebooks.

Three levels, use whichever fits:

* :func:`fit` and :func:`evaluate`: the training loop for any model and arrays
  (progress bars, validation every epoch, early stopping that keeps the best weights);
* :func:`load_data` and :func:`build_model`: the datasets split train/val/test and
  standardised, and the four model families adapted to the data;
* :func:`run`: everything the ``train`` command does, output folder included
  (checkpoint, curves, confusion matrix, graph picture, metrics), and
  :func:`evaluate_checkpoint`, what ``evaluate`` does.

>>> import tempfile
>>> from autograd_core.train import TrainConfig, run
>>> out = tempfile.mkdtemp()
>>> result = run(TrainConfig(model="mlp", data="xor", epochs=2, out=out, progress=False),
...              log=lambda *a, **k: None)
>>> 0.0 <= result.test_acc <= 1.0, sorted(p.name for p in result.out.iterdir())[:3]
(True, ['accuracy.png', 'checkpoint.npz', 'confusion_matrix.png'])

Layering: this module belongs with the CLI, on top of ``nn`` and ``optim`` (which it
imports); nothing in ``autograd_core``, ``nn`` or ``optim`` imports it.
"""
from __future__ import annotations

import json
import math
import os
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

import autograd_core as ag
import nn
import nn.functional as F
import optim
from autograd_core import Tensor
from autograd_core import serialization
from autograd_core.serialization import write_atomically as _write_atomically

__all__ = [
    "DATASETS", "MODELS", "OPTIMIZERS", "DataDefaults", "Splits", "TrainConfig", "FitResult",
    "RunResult", "SequenceClassifier", "load_data", "build_model", "make_optimizer", "fit",
    "evaluate", "predict", "confusion_matrix", "run", "save_checkpoint", "load_checkpoint",
    "evaluate_checkpoint", "ConfigError", "CHECKPOINT_NAME",
]

MODELS = ("mlp", "cnn", "resnet", "attention")
OPTIMIZERS = ("sgd", "adam", "adamw")
IMAGE_MODELS = ("cnn", "resnet")
CHECKPOINT_NAME = "checkpoint.npz"
CHECKPOINT_FORMAT = "autograd-core-train"
CHECKPOINT_VERSION = 1


class ConfigError(ValueError):
    """A setting that cannot work (a CNN on tabular data, a fraction out of range, ...)."""


# ---------------------------------------------------------------- datasets
@dataclass(frozen=True)
class DataDefaults:
    """A dataset's kind and the training settings that suit it."""

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
    from autograd_core import data as D
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
                  _normalize(x_train, norm), y_train.astype(np.int64),
                  _normalize(x_val, norm), y_val.astype(np.int64),
                  _normalize(xt, norm), yt.astype(np.int64), norm)


def _normalize(x: np.ndarray, norm: dict) -> np.ndarray:
    mean = np.asarray(norm["mean"], dtype=np.float32)
    std = np.asarray(norm["std"], dtype=np.float32)
    return np.ascontiguousarray((x - mean) / std, dtype=np.float32)


# ------------------------------------------------------------------ models
class SequenceClassifier(nn.Module):
    """A transformer classifier over a sequence of tokens: a Linear embedding of each token,
    a learned position embedding, ``num_layers`` pre-norm ``nn.TransformerEncoderBlock``\\ s,
    a final LayerNorm, the mean over tokens and a Linear classifier.

    Input ``(N, num_tokens, token_dim)``, or anything with ``num_tokens * token_dim`` values
    per example: an image ``(N, 1, H, W)`` is read as H tokens, one per row; tabular data
    ``(N, F)`` as F tokens of one feature each.

    >>> SequenceClassifier(8, 8, 10)(ag.randn(2, 1, 8, 8)).shape
    (2, 10)
    """

    def __init__(self, num_tokens: int, token_dim: int, num_classes: int, d_model: int = 32,
                 nhead: int = 4, num_layers: int = 1, dim_feedforward: int | None = None,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.num_tokens, self.token_dim = int(num_tokens), int(token_dim)
        self.embed = nn.Linear(token_dim, d_model)
        self.pos = nn.Parameter(ag.zeros(1, num_tokens, d_model))
        nn.init.normal_(self.pos, std=0.02)
        self.blocks = nn.Sequential(*[
            nn.TransformerEncoderBlock(d_model, nhead, dim_feedforward, dropout=dropout)
            for _ in range(num_layers)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = x.reshape(x.shape[0], self.num_tokens, self.token_dim)
        h = self.blocks(self.embed(x) + self.pos)
        return self.head(self.norm(h).mean(dim=1))


def default_model_kwargs(model: str, data: str, input_shape: Sequence[int]) -> dict:
    """The architecture ``build_model`` uses for ``model`` on ``data`` by default."""
    spec = DATASETS[data] if data in DATASETS else None
    kind = spec.kind if spec else ("image" if len(input_shape) == 3 else "tabular")
    big = kind == "image" and max(input_shape[1:]) > 16
    if model == "mlp":
        if kind == "image":
            return {"hidden_sizes": [256] if big else [128]}
        return {"hidden_sizes": [32, 32] if data == "iris" else [64, 64]}
    if model == "cnn":
        return {"channels": [16, 32], "hidden": 128 if big else 64}
    if model == "resnet":
        return {"widths": [16, 32], "blocks": 1}
    if model == "attention":
        return {"d_model": 64 if big else 32, "nhead": 4, "num_layers": 1}
    raise ConfigError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def build_model(model: str, input_shape: Sequence[int], num_classes: int, data: str = "",
                **kwargs: Any) -> Any:
    """An ``nn.Module`` of family ``model`` for inputs of ``input_shape`` (one example).

    * ``mlp``: ``nn.MLP`` on the flattened input (with an ``nn.Flatten`` first for images);
    * ``cnn``: ``nn.CNN`` (images only);
    * ``resnet``: a small ``nn.ResNet`` (images only);
    * ``attention``: :class:`SequenceClassifier`, image rows (or single features) as tokens.

    ``kwargs`` override the architecture of :func:`default_model_kwargs`.

    >>> build_model("mlp", (4,), 3, "iris")[-1]
    Linear(in_features=32, out_features=3, bias=True)
    """
    input_shape = tuple(int(s) for s in input_shape)
    cfg = {**default_model_kwargs(model, data, input_shape), **kwargs}
    image = len(input_shape) == 3
    if model == "mlp":
        net = nn.MLP(int(np.prod(input_shape)), list(cfg["hidden_sizes"]), num_classes)
        return nn.Sequential(nn.Flatten(), net) if image else net
    if model in IMAGE_MODELS and not image:
        raise ConfigError(f"--model {model} needs image data (digits, fashion-mnist, mnist); "
                          f"{data or 'this data'} is tabular: use --model mlp or attention")
    if model == "cnn":
        c, h, w = input_shape
        return nn.CNN(in_channels=c, num_classes=num_classes, image_size=(h, w),
                      channels=tuple(cfg["channels"]), hidden=cfg.get("hidden"),
                      dropout=cfg.get("dropout", 0.0))
    if model == "resnet":
        return nn.ResNet(in_channels=input_shape[0], num_classes=num_classes,
                         widths=tuple(cfg["widths"]), blocks=cfg["blocks"])
    if model == "attention":
        if image:
            c, h, w = input_shape
            tokens, dim = h, c * w
            if c != 1:
                raise ConfigError("--model attention reads image rows as tokens and needs one "
                                  f"channel, got {c}")
        else:
            tokens, dim = input_shape[0], 1
        return SequenceClassifier(tokens, dim, num_classes, d_model=cfg["d_model"], nhead=cfg["nhead"],
                   num_layers=cfg["num_layers"], dim_feedforward=cfg.get("dim_feedforward"),
                   dropout=cfg.get("dropout", 0.0))
    raise ConfigError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def make_optimizer(name: str, params: Iterable, lr: float, weight_decay: float = 0.0,
                   momentum: float = 0.9) -> Any:
    """``optim.SGD`` (with ``momentum``), ``optim.Adam`` or ``optim.AdamW``."""
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ConfigError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


# ------------------------------------------------------------ the loop
@dataclass
class FitResult:
    """What :func:`fit` did: one dict per finished epoch in ``history`` (``epoch``,
    ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``, ``lr``, ``seconds``,
    ``train_seconds``), the best epoch (1-based) and how the loop ended."""

    history: list = field(default_factory=list)
    best_epoch: int | None = None
    best_val_loss: float | None = None
    stopped_early: bool = False
    interrupted: bool = False
    seconds: float = 0.0


def _batches(n: int, batch_size: int) -> Iterable[slice]:
    for i in range(0, n, batch_size):
        yield slice(i, min(i + batch_size, n))


def evaluate(model: Any, x: np.ndarray, y: np.ndarray, batch_size: int = 512
             ) -> tuple[float, float, np.ndarray]:
    """``(mean cross-entropy, accuracy, predicted labels)`` of ``model`` on ``x, y``,
    in eval mode and without recording a graph; the model's mode is restored after."""
    was_training = getattr(model, "training", False)
    model.eval()
    total, preds = 0.0, []
    try:
        with ag.no_grad():
            for s in _batches(len(y), batch_size):
                logits = model(ag.from_numpy(x[s]))
                yb = y[s]
                total += float(F.cross_entropy(logits, ag.from_numpy(yb),
                                               reduction="sum").item())
                preds.append(np.asarray(logits.detach().numpy()).argmax(axis=1))
    finally:
        model.train(was_training)
    pred = np.concatenate(preds) if preds else np.zeros(0, dtype=np.int64)
    n = max(len(y), 1)
    return total / n, float((pred == y).mean()) if len(y) else 0.0, pred


def predict(model: Any, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Predicted labels of ``model`` for ``x`` (eval mode, no graph)."""
    was_training = getattr(model, "training", False)
    model.eval()
    out = []
    try:
        with ag.no_grad():
            for s in _batches(len(x), batch_size):
                out.append(np.asarray(model(ag.from_numpy(x[s])).detach().numpy()).argmax(axis=1))
    finally:
        model.train(was_training)
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _progress_bar(total: int, desc: str, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency of the cli extra
        return None
    tty = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    # In a log file (not a terminal) redraw rarely, so the log stays readable.
    return tqdm(total=total, desc=desc, unit="batch", leave=False, dynamic_ncols=True,
                file=sys.stderr, mininterval=0.1 if tty else 10.0)


def fit(model: Any, train: tuple[np.ndarray, np.ndarray], val: tuple[np.ndarray, np.ndarray],
        *, epochs: int = 10, batch_size: int = 32, optimizer: Any = "adam",
        lr: float = 1e-3, weight_decay: float = 0.0, patience: int | None = 5,
        seed: int | None = 0, progress: bool = True,
        on_improve: Callable[[int, dict], None] | None = None,
        callbacks: Sequence[Callable[[int, dict], None]] = (),
        log: Callable[..., None] | None = None) -> FitResult:
    """Train ``model`` with cross-entropy on ``train = (x, y)``, validating on ``val`` every epoch.

    * Mini-batches are shuffled every epoch by an ``autograd_core.data.DataLoader`` seeded
      with ``seed``.
    * ``optimizer`` is ``'sgd'`` (momentum 0.9), ``'adam'``, ``'adamw'`` or an optimizer
      already built over ``model.parameters()``.
    * Early stopping on the validation loss (``optim.EarlyStopping``): after ``patience``
      epochs without improvement the loop stops; ``patience=None`` or ``0`` never stops
      early. Either way the model ends holding the weights of its best epoch.
    * ``on_improve(epoch, record)`` runs after each epoch that set a new best validation
      loss (e.g. to save a checkpoint); ``callbacks`` run after every epoch, with the epoch
      (1-based) and its record.
    * A ``KeyboardInterrupt`` (Ctrl-C) ends the loop: the best weights are restored and the
      result says ``interrupted=True``.
    * ``progress``: a tqdm bar per epoch with the running loss and accuracy; ``log`` prints
      one line per epoch (default ``tqdm.write`` or ``print``).

    >>> import nn
    >>> from autograd_core.data import make_moons
    >>> x, y = make_moons(200, noise=0.1, seed=0)
    >>> model = nn.MLP(2, [16], 2)
    >>> r = fit(model, (x[:150], y[:150]), (x[150:], y[150:]), epochs=3, lr=0.01,
    ...         progress=False, log=lambda *a: None)
    >>> len(r.history), r.best_epoch in (1, 2, 3)
    (3, True)
    """
    from autograd_core.data import DataLoader, TensorDataset

    x_train, y_train = train
    x_val, y_val = val
    if epochs < 1:
        raise ConfigError(f"epochs must be at least 1, got {epochs}")
    if batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
    if log is None:
        log = _default_log(progress)
    if isinstance(optimizer, str):
        optimizer = make_optimizer(optimizer, model.parameters(), lr, weight_decay)
    gen = ag.Generator().manual_seed(int(seed)) if seed is not None else None
    loader = DataLoader(TensorDataset(ag.from_numpy(x_train), ag.from_numpy(y_train)),
                        batch_size=batch_size, shuffle=True, generator=gen)
    # patience 0/None: never stop early (a patience beyond the last epoch), but still keep
    # the best weights
    stopper = optim.EarlyStopping(patience=patience if patience else epochs + 1,
                                  restore_best_weights=True)
    result = FitResult()
    t_start = time.perf_counter()
    width = len(str(epochs))
    bar = None
    try:
        for epoch in range(1, epochs + 1):
            t0 = time.perf_counter()
            model.train()
            bar = _progress_bar(len(loader), f"epoch {epoch:>{width}}/{epochs}", progress)
            seen, loss_sum, correct = 0, 0.0, 0
            for i, (xb, yb) in enumerate(loader):
                logits = model(xb)
                loss = F.cross_entropy(logits, yb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                nb = len(yb)
                lv = float(loss.item())
                loss_sum += lv * nb
                correct += int((np.asarray(logits.detach().numpy()).argmax(axis=1)
                                == np.asarray(yb.numpy())).sum())
                seen += nb
                if bar is not None:
                    bar.update(1)
                    if i % 5 == 0 or i == len(loader) - 1:
                        bar.set_postfix({"loss": f"{loss_sum / seen:.4f}",
                                         "acc": f"{correct / seen:.4f}"}, refresh=False)
                if not math.isfinite(lv):
                    break
            if bar is not None:
                bar.close()
                bar = None
            t_train = time.perf_counter() - t0
            val_loss, val_acc, _ = evaluate(model, x_val, y_val)
            record = {"epoch": epoch, "train_loss": loss_sum / max(seen, 1),
                      "train_acc": correct / max(seen, 1), "val_loss": val_loss,
                      "val_acc": val_acc, "lr": float(optimizer.param_groups[0]["lr"]),
                      "train_seconds": t_train, "seconds": time.perf_counter() - t0}
            result.history.append(record)
            improved = stopper.is_better(val_loss, stopper.best_score)
            stop = stopper.step(val_loss, model)
            if improved:
                result.best_epoch, result.best_val_loss = epoch, val_loss
            log(f"epoch {epoch:>{width}}/{epochs}  train loss {record['train_loss']:.4f} "
                f"acc {record['train_acc']:.4f}  val loss {val_loss:.4f} acc {val_acc:.4f}  "
                f"{record['seconds']:.1f}s" + ("  *best" if improved else ""))
            if improved and on_improve is not None:
                on_improve(epoch, record)
            for cb in callbacks:
                cb(epoch, record)
            if not math.isfinite(record["train_loss"]):
                log(f"stopping: the training loss is {record['train_loss']} "
                    "(try a smaller --lr)")
                stop = True
            if stop:
                result.stopped_early = epoch < epochs
                if result.stopped_early and stopper.should_stop:
                    log(f"early stopping: no improvement of the validation loss for "
                        f"{stopper.num_bad_epochs} epochs; best epoch {result.best_epoch}")
                break
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        result.interrupted = True
    if stopper.best_state is not None:
        stopper.restore(model)
    model.eval()
    result.seconds = time.perf_counter() - t_start
    return result


def _default_log(progress: bool) -> Callable[..., None]:
    if progress:
        try:
            from tqdm.auto import tqdm
            return lambda msg="": tqdm.write(msg, file=sys.stdout)
        except ImportError:  # pragma: no cover
            pass
    return lambda msg="": print(msg, flush=True)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """``m[i, j]``: how many examples of class ``i`` were predicted as ``j``."""
    m = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(m, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return m


# ------------------------------------------------------------ checkpoints
def save_checkpoint(path: str | os.PathLike, model: Any, config: dict, **extra: Any) -> None:
    """Write ``model``'s state dict and ``config`` (JSON-able: what ``load_checkpoint``
    needs to rebuild the model and its data) with ``autograd_core.save``: a complete new
    file replaces ``path`` in one rename, or ``path`` is left as it was."""
    obj = {"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION,
           "config": json.loads(json.dumps(config)), "state_dict": model.state_dict(), **extra}
    ag.save(obj, str(path))


def _checkpoint_path(path: str | os.PathLike) -> Path:
    p = Path(path)
    if p.is_dir():
        p = p / CHECKPOINT_NAME
    if not p.is_file():
        raise FileNotFoundError(f"no checkpoint at {p}")
    return p


def _file_identity(path: str | os.PathLike) -> tuple | None:
    """What tells one file at ``path`` from another: every save renames a new file there, so
    the identity changes exactly when a save has landed. None: no file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _checkpoint_info(path: str | os.PathLike) -> dict | None:
    """``{epoch, val_loss, val_acc}`` read from the checkpoint file at ``path`` (None if it
    cannot be read or lacks them): what is on disk, not what a run meant to write."""
    try:
        ckpt = serialization.load(str(path))
    except Exception:  # noqa: BLE001 - only for a message; the caller says less instead
        return None
    if not isinstance(ckpt, dict):
        return None
    epoch, loss, acc = ckpt.get("epoch"), ckpt.get("val_loss"), ckpt.get("val_acc")
    if not (_is_int(epoch) and _is_number(loss) and _is_number(acc)):
        return None
    return {"epoch": epoch, "val_loss": float(loss), "val_acc": float(acc)}


class _CheckpointError(ValueError):
    """A readable file that is not a usable checkpoint; ``reason`` says why, without the
    file's name (which ``str()`` adds)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, " ".join(reason.split())  # one line
        super().__init__(f"{path}: {self.reason}")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _short(v: Any, width: int = 80) -> str:
    """``repr(v)``, cut to ``width`` characters: a doctored file can hold huge values."""
    text = repr(v)
    return text if len(text) <= width else text[:width] + "..."


def _got(v: Any) -> str:
    return f"{_short(v, 60)} ({type(v).__name__})"


def _count(n: int) -> str:
    """``n`` with thousands separators, or its order of magnitude if it is enormous."""
    return f"{n:,}" if n < 10 ** 18 else f"about 10^{len(str(n)) - 1}"


# The config keys of a checkpoint that evaluation reads; the others are informative.
_REQUIRED = ("model", "data", "input_shape", "classes", "model_kwargs", "normalization", "seed",
             "val_fraction")
# Architecture settings each model family takes, and what each must be.
_MODEL_KWARGS = {
    "mlp": {"hidden_sizes": "sizes"},
    "cnn": {"channels": "sizes", "hidden": "size or None", "dropout": "probability"},
    "resnet": {"widths": "sizes", "blocks": "count or counts"},
    "attention": {"d_model": "size", "nhead": "size", "num_layers": "count",
                  "dim_feedforward": "size or None", "dropout": "probability"},
}
# Peak bytes ``load_data`` takes per generated point (measured: 80-85), rounded up.
_BYTES_PER_GENERATED_SAMPLE = 128


def _check_kwarg(p: Path, name: str, v: Any, kind: str) -> None:
    ok = {"size": lambda: _is_int(v) and v >= 1,
          "count": lambda: _is_int(v) and v >= 0,
          "size or None": lambda: v is None or (_is_int(v) and v >= 1),
          "sizes": lambda: isinstance(v, list) and all(_is_int(x) and x >= 1 for x in v),
          "count or counts": lambda: (_is_int(v) and v >= 0) or (
              isinstance(v, list) and all(_is_int(x) and x >= 0 for x in v)),
          "probability": lambda: _is_number(v) and 0 <= v < 1}[kind]()
    if not ok:
        what = {"size": "a whole number, 1 or more", "count": "a whole number, 0 or more",
                "size or None": "None or a whole number, 1 or more",
                "sizes": "a list of whole numbers, each 1 or more",
                "count or counts": "a whole number 0 or more, or a list of them",
                "probability": "a number from 0 to below 1"}[kind]
        raise _CheckpointError(p, f"config['model_kwargs'][{name!r}] must be {what}, "
                                  f"got {_got(v)}")


def _check_checkpoint(ckpt: Any, p: Path, max_bytes: int) -> tuple[dict, dict, dict]:
    """``(config, architecture settings, state dict)`` of a loaded checkpoint file, after
    checking every field evaluation reads: its type, its range, and that the model and
    data it asks for fit in ``max_bytes``. Raises ``_CheckpointError`` naming the field."""
    def bad(reason: str) -> _CheckpointError:
        return _CheckpointError(p, reason)

    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise bad("an autograd_core file but not a checkpoint of `autograd-core train`")
    version = ckpt.get("version")
    if not _is_int(version) or not 1 <= version <= CHECKPOINT_VERSION:
        raise bad(f"checkpoint version {version!r}; this autograd-core reads version "
                  f"{CHECKPOINT_VERSION}")
    for key in ("config", "state_dict"):
        if key not in ckpt:
            raise bad(f"the checkpoint has no {key!r}")
    cfg, sd = ckpt["config"], ckpt["state_dict"]
    if not isinstance(cfg, dict):
        raise bad(f"'config' must be a dict, got {_got(cfg)}")
    if not isinstance(sd, dict):
        raise bad(f"'state_dict' must be a dict of tensors, got {_got(sd)}")
    for key in _REQUIRED:
        if key not in cfg:
            raise bad(f"the config has no {key!r}")
    model, data, shape, classes = cfg["model"], cfg["data"], cfg["input_shape"], cfg["classes"]
    if model not in MODELS:
        raise bad(f"config['model'] must be one of {', '.join(MODELS)}, got {_got(model)}")
    if not isinstance(data, str):
        raise bad(f"config['data'] must be a dataset name, got {_got(data)}")
    if not (isinstance(shape, list) and len(shape) in (1, 3)
            and all(_is_int(s) and s >= 1 for s in shape)):
        raise bad("config['input_shape'] must be [features] or [channels, height, width], "
                  f"whole numbers 1 or more, got {_got(shape)}")
    if not (isinstance(classes, list) and classes
            and all(isinstance(c, (str, int)) and not isinstance(c, bool) for c in classes)):
        raise bad(f"config['classes'] must be a non-empty list of class names, got "
                  f"{_got(classes)}")
    kwargs = cfg["model_kwargs"]
    if not isinstance(kwargs, dict):
        raise bad(f"config['model_kwargs'] must be a dict, got {_got(kwargs)}")
    allowed = _MODEL_KWARGS[model]
    for name, v in kwargs.items():
        if name not in allowed:
            raise bad(f"config['model_kwargs'] has {_short(name)}, which model {model} does not "
                      f"take (it takes {', '.join(allowed)})")
        _check_kwarg(p, name, v, allowed[name])
    if model in IMAGE_MODELS and len(shape) != 3:
        raise bad(f"model {model} needs image input, but config['input_shape'] is "
                  f"{_short(shape)}")
    arch = {**default_model_kwargs(model, data, shape), **kwargs}
    _check_architecture(p, model, shape, arch)
    norm = cfg["normalization"]
    if not isinstance(norm, dict):
        raise bad(f"config['normalization'] must be a dict with 'mean' and 'std', got "
                  f"{_got(norm)}")
    for key in ("mean", "std"):
        # a number, or (tabular data) one per feature; finite; a std above 0
        v = norm.get(key)
        per_feature = isinstance(v, list) and len(shape) == 1 and len(v) == shape[0]
        values = v if per_feature else [v]
        if not (all(_is_number(x) and math.isfinite(x) for x in values)
                and (key == "mean" or all(x > 0 for x in values))):
            what = ("a finite number" + (f" or a list of {shape[0]}, one per feature"
                                         if len(shape) == 1 else "")
                    + (", above 0" if key == "std" else ""))
            raise bad(f"config['normalization'][{key!r}] must be {what}, got "
                      f"{_got(v) if key in norm else 'nothing'}")
    seed = cfg["seed"]
    if not (_is_int(seed) and seed >= 0):
        raise bad(f"config['seed'] must be a whole number, 0 or more, got {_got(seed)}")
    for key, optional in (("val_fraction", False), ("test_fraction", True)):
        v = cfg.get(key)
        if not ((optional and v is None) or (_is_number(v) and 0 < v < 1)):
            raise bad(f"config[{key!r}] must be " + ("None or " if optional else "")
                      + f"a number between 0 and 1, got {_got(v)}")
    for key, low in (("limit", 3), ("n_samples", 1)):
        v = cfg.get(key)
        if not (v is None or (_is_int(v) and v >= low)):
            raise bad(f"config[{key!r}] must be None or a whole number, {low} or more, got "
                      f"{_got(v)}")
    if cfg.get("n_samples") is not None and \
            cfg["n_samples"] * _BYTES_PER_GENERATED_SAMPLE > max_bytes:
        raise bad(f"config['n_samples'] asks for {_count(cfg['n_samples'])} generated points, "
                  f"about {_count(cfg['n_samples'] * _BYTES_PER_GENERATED_SAMPLE)} bytes, more "
                  f"than the limit of {max_bytes:,} bytes "
                  "(autograd_core.serialization.MAX_BYTES)")
    if not (cfg.get("data_dir") is None or isinstance(cfg["data_dir"], str)):
        raise bad(f"config['data_dir'] must be None or a folder name, got "
                  f"{_got(cfg['data_dir'])}")
    for key, v in sd.items():
        if not isinstance(key, str):
            raise bad(f"the state_dict has a key {_got(key)}; keys are parameter names")
        if not isinstance(v, (Tensor, np.ndarray)):
            raise bad(f"state_dict[{_short(key)}] is a {type(v).__name__}, expected a tensor")
        if np.dtype(v.dtype).kind not in "biuf":
            raise bad(f"state_dict[{_short(key)}] has dtype {np.dtype(v.dtype).str}, expected "
                      "real numbers")
    # The model is not built before its size is known to fit: computed from the config.
    n = _state_dict_size(model, shape, len(classes), arch)
    itemsize = np.dtype(ag.get_default_dtype()).itemsize
    if n * itemsize > max_bytes:
        raise bad(f"the model its config describes ({model}, {_short(arch)}) has {_count(n)} "
                  f"values, {_count(n * itemsize)} bytes, more than the limit of "
                  f"{max_bytes:,} bytes (autograd_core.serialization.MAX_BYTES); refused "
                  "before building it")
    held = sum(int(np.prod(v.shape)) for v in sd.values())
    if held != n:
        raise bad(f"its state_dict holds {held:,} values, but the model its config describes "
                  f"({model}, {_short(arch)}) has {_count(n)}; refused before building it")
    return cfg, arch, sd


def _check_architecture(p: Path, model: str, shape: list, arch: dict) -> None:
    """What ``build_model`` would refuse for these settings, said before it runs."""
    if model == "cnn":
        h, w = shape[1], shape[2]
        for _ in arch["channels"]:
            if h < 2 or w < 2:
                raise _CheckpointError(p, f"config['model_kwargs']['channels'] has "
                                          f"{len(arch['channels'])} pooling stages, too many "
                                          f"for images of {shape[1]}x{shape[2]}")
            h, w = h // 2, w // 2
    if model == "resnet":
        if not arch["widths"]:
            raise _CheckpointError(p, "config['model_kwargs']['widths'] names no stage")
        if isinstance(arch["blocks"], list) and len(arch["blocks"]) != len(arch["widths"]):
            raise _CheckpointError(p, f"config['model_kwargs'] has {len(arch['blocks'])} "
                                      f"block counts for {len(arch['widths'])} stages")
    if model == "attention":
        if arch["d_model"] % arch["nhead"]:
            raise _CheckpointError(p, f"config['model_kwargs']: d_model {arch['d_model']} is "
                                      f"not a multiple of nhead {arch['nhead']}")
        if len(shape) == 3 and shape[0] != 1:
            raise _CheckpointError(p, "model attention reads image rows as tokens and needs "
                                      f"one channel, but config['input_shape'] is {shape}")


def _bn(n: int) -> int:
    return 4 * n + 1  # BatchNorm2d: weight, bias, running mean and variance, batch count


def _state_dict_size(model: str, input_shape: Sequence[int], num_classes: int,
                     arch: dict) -> int:
    """How many values the state dict of ``build_model(model, input_shape, num_classes,
    **arch)`` holds, computed without building it (``arch``: complete settings)."""
    k = num_classes
    if model == "mlp":
        sizes = [math.prod(input_shape), *arch["hidden_sizes"], k]
        return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    if model == "cnn":
        c, h, w = input_shape
        n = 0
        for out_c in arch["channels"]:
            n += c * out_c * 9 + out_c
            c, h, w = out_c, h // 2, w // 2
        flat = c * h * w
        if arch.get("hidden") is not None:
            n += flat * arch["hidden"] + arch["hidden"]
            flat = arch["hidden"]
        return n + flat * k + k
    if model == "resnet":
        widths = list(arch["widths"])
        blocks = arch["blocks"]
        per_stage = [blocks] * len(widths) if isinstance(blocks, int) else list(blocks)
        c = widths[0]
        n = input_shape[0] * c * 9 + _bn(c)
        for i, (w, count) in enumerate(zip(widths, per_stage)):  # closed form per stage
            if count == 0:
                continue
            n += c * w * 9 + _bn(w) + w * w * 9 + _bn(w)  # its first block, from c channels
            if i > 0 or w != c:
                n += c * w + _bn(w)  # a 1x1 conv shortcut: stride 2 or a new width
            n += (count - 1) * (2 * (w * w * 9 + _bn(w)))
            c = w
        return n + c * k + k
    if model == "attention":
        tokens, dim = (input_shape[1], input_shape[0] * input_shape[2]) \
            if len(input_shape) == 3 else (input_shape[0], 1)
        d = arch["d_model"]
        ff = arch.get("dim_feedforward") or 4 * d
        layer = (3 * d * d + 3 * d) + (d * d + d) + (d * ff + ff) + (ff * d + d) + 4 * d
        return (dim * d + d) + tokens * d + arch["num_layers"] * layer + 2 * d + d * k + k
    raise ConfigError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def _activation_size(model: str, input_shape: Sequence[int], num_classes: int,
                     arch: dict) -> int:
    """A generous estimate of the values one example's forward pass holds at once (inputs
    unfolded for convolutions, layer outputs, attention scores), computed from the config."""
    k = num_classes
    if model == "mlp":
        return 2 * (math.prod(input_shape) + sum(arch["hidden_sizes"]) + k)
    if model == "cnn":
        c, h, w = input_shape
        n = c * h * w
        for out_c in arch["channels"]:
            n += (c * 9 + 3 * out_c) * h * w
            c, h, w = out_c, h // 2, w // 2
        return n + 2 * (c * h * w + (arch.get("hidden") or 0) + k)
    if model == "resnet":
        c, h, w = input_shape
        widths = list(arch["widths"])
        blocks = arch["blocks"]
        per_stage = [blocks] * len(widths) if isinstance(blocks, int) else list(blocks)
        n = (c * 9 + 3 * widths[0]) * h * w
        c = widths[0]
        for i, (wd, count) in enumerate(zip(widths, per_stage)):  # closed form per stage
            if count == 0:
                continue
            if i > 0:
                h, w = (h + 1) // 2, (w + 1) // 2
            n += (c * 9 + wd * 9 + 8 * wd) * h * w + (count - 1) * (26 * wd) * h * w
            c = wd
        return n + 2 * (c + k)
    if model == "attention":
        tokens = input_shape[1] if len(input_shape) == 3 else input_shape[0]
        d = arch["d_model"]
        ff = arch.get("dim_feedforward") or 4 * d
        per_layer = tokens * (12 * d + 2 * ff) + 3 * arch["nhead"] * tokens * tokens
        return math.prod(input_shape) + 3 * tokens * d + arch["num_layers"] * per_layer + 2 * k
    raise ConfigError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def _limit(max_bytes: int | None) -> int:
    if max_bytes is None:
        max_bytes = serialization.MAX_BYTES
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise TypeError(f"max_bytes must be a whole number of bytes, got "
                        f"{type(max_bytes).__name__} {max_bytes!r}")
    if max_bytes < 0:
        raise ValueError(f"max_bytes must be 0 or more bytes, got {max_bytes}")
    return max_bytes


def _read_checkpoint(path: str | os.PathLike, max_bytes: int) -> tuple[Path, dict, dict, dict,
                                                                        dict]:
    p = _checkpoint_path(path)
    ckpt = serialization.load(str(p), max_bytes=max_bytes)
    cfg, arch, sd = _check_checkpoint(ckpt, p, max_bytes)
    return p, ckpt, cfg, arch, sd


def _build_from_checkpoint(p: Path, cfg: dict, arch: dict, sd: dict) -> Any:
    try:
        model = build_model(cfg["model"], cfg["input_shape"], len(cfg["classes"]), cfg["data"],
                            **arch)
    except (ValueError, TypeError) as e:
        raise _CheckpointError(p, f"its config describes no model that can be built: {e}") \
            from None
    try:
        model.load_state_dict(sd)
    except (RuntimeError, ValueError, TypeError) as e:
        raise _CheckpointError(p, str(e)) from None
    model.eval()
    return model


def load_checkpoint(path: str | os.PathLike, *, max_bytes: int | None = None
                    ) -> tuple[Any, dict, dict]:
    """``(model, config, checkpoint)`` from a file written by :func:`save_checkpoint` (or a
    run folder holding ``checkpoint.npz``); the model is in eval mode.

    Every field is checked before use, and the model's size is computed from the config
    before it is built: a file that is not a usable checkpoint raises ``ValueError`` naming
    the field, one that cannot be read ``SerializationError``, and one whose arrays or model
    would take more than ``max_bytes`` (default ``autograd_core.serialization.MAX_BYTES``)
    is refused before allocating them."""
    max_bytes = _limit(max_bytes)
    p, ckpt, cfg, arch, sd = _read_checkpoint(path, max_bytes)
    return _build_from_checkpoint(p, cfg, arch, sd), cfg, ckpt


def evaluate_checkpoint(path: str | os.PathLike, *, data: str | None = None,
                        data_dir: str | None = None, split: str = "test",
                        batch_size: int = 512, max_bytes: int | None = None) -> dict:
    """Rebuild the model saved at ``path`` and evaluate it on the ``split`` of its data
    (rebuilt with the same seed, fractions and normalisation), or of ``data`` (another
    dataset with the same input shape and number of classes).

    Returns a dict with ``loss``, ``accuracy``, ``n``, ``split``, ``data`` and
    ``confusion_matrix``. Bad checkpoints are refused as by :func:`load_checkpoint`, and so
    is one whose forward pass over a batch would take more than ``max_bytes``.
    """
    max_bytes = _limit(max_bytes)
    p, _, cfg, arch, sd = _read_checkpoint(path, max_bytes)
    name = data or cfg["data"]
    if data_dir is None and name == cfg["data"]:
        data_dir = cfg.get("data_dir")
    splits = load_data(name, data_dir=data_dir, seed=cfg["seed"],
                       val_fraction=cfg["val_fraction"],
                       test_fraction=cfg["test_fraction"] if name == cfg["data"] else None,
                       limit=cfg.get("limit"), n_samples=cfg.get("n_samples"))
    if tuple(splits.input_shape) != tuple(cfg["input_shape"]) or \
            splits.num_classes != len(cfg["classes"]):
        raise ConfigError(f"the model takes inputs {tuple(cfg['input_shape'])} with "
                          f"{len(cfg['classes'])} classes; {name} has {splits.input_shape} "
                          f"with {splits.num_classes}")
    x, y = splits.split(split)
    itemsize = np.dtype(ag.get_default_dtype()).itemsize
    batch = max(1, min(batch_size, len(y)))
    need = (_state_dict_size(cfg["model"], cfg["input_shape"], len(cfg["classes"]), arch)
            + batch * _activation_size(cfg["model"], cfg["input_shape"], len(cfg["classes"]),
                                       arch)) * itemsize
    if need > max_bytes:
        raise _CheckpointError(p, f"evaluating its model ({cfg['model']}, {_short(arch)}) in "
                                  f"batches of {batch} would take about {_count(need)} bytes of "
                                  "weights and activations, more than the limit of "
                                  f"{max_bytes:,} bytes (autograd_core.serialization.MAX_BYTES)")
    model = _build_from_checkpoint(p, cfg, arch, sd)
    # Standardise as in training, with the numbers saved in the checkpoint (for the model's
    # own data they are the ones just recomputed; other data gets the model's preprocessing).
    x = _renormalize(x, splits.normalization, cfg["normalization"])
    loss, acc, pred = evaluate(model, x, y, batch_size)
    return {"loss": loss, "accuracy": acc, "n": int(len(y)), "split": split, "data": name,
            "confusion_matrix": confusion_matrix(y, pred, len(cfg["classes"])).tolist()}


def _renormalize(x: np.ndarray, now: dict, saved: dict) -> np.ndarray:
    if json.dumps(now) == json.dumps(saved):
        return x
    m0, s0 = np.asarray(now["mean"], np.float32), np.asarray(now["std"], np.float32)
    m1, s1 = np.asarray(saved["mean"], np.float32), np.asarray(saved["std"], np.float32)
    return np.ascontiguousarray(((x * s0 + m0) - m1) / s1, dtype=np.float32)


# ---------------------------------------------------------------- run
@dataclass
class TrainConfig:
    """Everything ``autograd-core train`` takes; ``None`` means the dataset's default
    (see :data:`DATASETS`)."""

    model: str | None = None          # None: cnn for images, mlp for tabular data
    data: str = "digits"
    data_dir: str | None = None
    epochs: int | None = None
    batch_size: int | None = None
    optimizer: str = "adam"
    lr: float | None = None
    weight_decay: float | None = None  # None: 0 (adam, sgd) or 0.01 (adamw)
    patience: int | None = None        # 0: no early stopping
    val_fraction: float | None = None
    test_fraction: float | None = None
    limit: int | None = None
    n_samples: int | None = None
    seed: int = 0
    out: str | None = None
    progress: bool = True
    graph: bool = True
    plots: bool = True

    def resolved(self) -> "TrainConfig":
        """A copy with every default filled in from the dataset's."""
        if self.data not in DATASETS:
            raise ConfigError(f"unknown dataset {self.data!r}; choose one of "
                              f"{', '.join(DATASETS)}")
        spec = DATASETS[self.data]
        model = self.model or ("cnn" if spec.kind == "image" else "mlp")
        if model not in MODELS:
            raise ConfigError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer {self.optimizer!r}; choose one of "
                              f"{', '.join(OPTIMIZERS)}")
        if model in IMAGE_MODELS and spec.kind != "image":
            raise ConfigError(f"--model {model} needs image data (digits, fashion-mnist, "
                              f"mnist); {self.data} is tabular: use --model mlp or attention")
        if self.data_dir is not None and not spec.files:
            raise ConfigError(f"--data-dir applies to fashion-mnist and mnist, not {self.data}")
        if self.n_samples is not None and spec.n_samples is None:
            raise ConfigError(f"--n-samples applies to generated data (xor, moons, circles, "
                              f"spirals), not {self.data}")
        out = self.out or _default_out(model, self.data)
        if os.path.exists(out) and not os.path.isdir(out):
            raise ConfigError(f"--out {out!r} is a file, not a folder")
        return replace(self, model=model,
                       epochs=spec.epochs if self.epochs is None else self.epochs,
                       batch_size=spec.batch_size if self.batch_size is None else self.batch_size,
                       lr=spec.lr[self.optimizer] if self.lr is None else self.lr,
                       weight_decay=(0.01 if self.optimizer == "adamw" else 0.0)
                       if self.weight_decay is None else self.weight_decay,
                       patience=spec.patience if self.patience is None else self.patience,
                       val_fraction=spec.val_fraction if self.val_fraction is None
                       else self.val_fraction,
                       test_fraction=spec.test_fraction if self.test_fraction is None
                       else self.test_fraction,
                       n_samples=spec.n_samples if self.n_samples is None else self.n_samples,
                       out=out)


def _default_out(model: str, data: str) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = os.path.join("runs", f"{model}-{data}-{stamp}")
    out, k = base, 1
    while os.path.exists(out):
        k += 1
        out = f"{base}-{k}"
    return out


@dataclass
class RunResult:
    """What :func:`run` produced: the trained model (best weights), its data, the fit
    result, the test metrics and the files written.

    ``checkpoint`` is the checkpoint file this run left on disk (None if it wrote none) and
    ``checkpoint_info`` that file's ``epoch``, ``val_loss`` and ``val_acc``: after a Ctrl-C
    during a save they are those of the checkpoint actually on disk, which may be older
    than ``fit.best_epoch``."""

    config: TrainConfig
    model: Any
    splits: Splits
    fit: FitResult
    out: Path
    checkpoint: Path | None
    test_loss: float | None = None
    test_acc: float | None = None
    files: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    checkpoint_info: dict | None = None

    @property
    def interrupted(self) -> bool:
        return self.fit.interrupted


def run(config: TrainConfig, *, log: Callable[..., None] | None = None,
        callbacks: Sequence[Callable[[int, dict], None]] = ()) -> RunResult:
    """Do everything ``autograd-core train`` does: load and split the data, build the model,
    :func:`fit` it (saving the checkpoint of every new best epoch into the output folder),
    evaluate it on the test split and write the pictures and the metrics.

    Files in ``config.out``: ``checkpoint.npz`` (best weights + config, for
    :func:`load_checkpoint`), ``loss.png``, ``accuracy.png``, ``confusion_matrix.png``,
    ``graph.svg`` (when Graphviz's ``dot`` is installed) and ``metrics.json``.

    On Ctrl-C the run stops, keeps the best checkpoint so far, writes the metrics so far
    and returns with ``result.interrupted`` set (no test evaluation).

    An output folder of an earlier run is reused, and its ``checkpoint.npz`` is replaced
    only by a newer complete one: if this run stops (Ctrl-C, crash) before writing its
    first checkpoint, the folder is left as it was, metrics and pictures included.
    """
    t_start = time.perf_counter()
    cfg = config.resolved()
    log = log or _default_log(cfg.progress)
    out = Path(cfg.out)
    data_kwargs = dict(data_dir=cfg.data_dir, seed=cfg.seed, val_fraction=cfg.val_fraction,
                       test_fraction=cfg.test_fraction, limit=cfg.limit,
                       n_samples=cfg.n_samples)
    t0 = time.perf_counter()
    splits = load_data(cfg.data, **data_kwargs)
    t_data = time.perf_counter() - t0
    ag.manual_seed(cfg.seed)
    model_kwargs = default_model_kwargs(cfg.model, cfg.data, splits.input_shape)
    model = build_model(cfg.model, splits.input_shape, splits.num_classes, cfg.data,
                        **model_kwargs)
    n_params = int(sum(int(np.prod(p.shape)) for p in model.parameters()))
    out.mkdir(parents=True, exist_ok=True)
    ckpt_path = out / CHECKPOINT_NAME
    # An earlier run's checkpoint is replaced only by a newer complete one (each save is a
    # rename), never deleted first; its identity tells whether this run's save landed.
    earlier = _file_identity(ckpt_path)
    saved_cfg = {"model": cfg.model, "data": cfg.data, "data_dir": cfg.data_dir,
                 "input_shape": list(splits.input_shape), "classes": list(splits.classes),
                 "model_kwargs": model_kwargs, "normalization": splits.normalization,
                 "seed": cfg.seed, "val_fraction": cfg.val_fraction,
                 "test_fraction": cfg.test_fraction, "limit": cfg.limit,
                 "n_samples": cfg.n_samples, "batch_size": cfg.batch_size}
    log(f"data {cfg.data}: {len(splits.y_train)} train / {len(splits.y_val)} val / "
        f"{len(splits.y_test)} test, input {splits.input_shape}, {splits.num_classes} classes")
    log(f"model {cfg.model} ({type(model).__name__}, {n_params:,} parameters), "
        f"{cfg.optimizer} lr {cfg.lr:g}"
        + (f" weight decay {cfg.weight_decay:g}" if cfg.weight_decay else "")
        + f", batch {cfg.batch_size}, up to {cfg.epochs} epochs"
        + (f", early stopping after {cfg.patience}" if cfg.patience else ""))
    log(f"output folder {out}")

    # What is on disk: the last checkpoint whose save returned ("done", with the file's
    # identity), and the one being saved when a Ctrl-C may have cut it short ("pending").
    saves: dict = {"done": None, "identity": earlier, "pending": None}

    def save(record: dict) -> None:
        info = {"epoch": int(record["epoch"]), "val_loss": float(record["val_loss"]),
                "val_acc": float(record["val_acc"])}
        saves["pending"] = info
        save_checkpoint(ckpt_path, model, saved_cfg, **info)
        saves.update(done=info, identity=_file_identity(ckpt_path), pending=None)

    fit_result = fit(model, (splits.x_train, splits.y_train), (splits.x_val, splits.y_val),
                     epochs=cfg.epochs, batch_size=cfg.batch_size, optimizer=cfg.optimizer,
                     lr=cfg.lr, weight_decay=cfg.weight_decay, patience=cfg.patience,
                     seed=cfg.seed, progress=cfg.progress,
                     on_improve=lambda epoch, record: save(record), callbacks=callbacks, log=log)
    if saves["pending"] is not None:
        # Ctrl-C hit a save: its rename either landed (the file changed) or did not
        if _file_identity(ckpt_path) != saves["identity"]:
            saves["done"] = saves["pending"]
        saves["pending"] = None
    if saves["done"] is None and not fit_result.interrupted and fit_result.history:
        # no epoch ever improved (a NaN validation loss from the start): keep the last weights
        save(fit_result.history[-1])
    info = saves["done"]
    result = RunResult(cfg, model, splits, fit_result, out, ckpt_path if info else None,
                       checkpoint_info=info)
    if info is None and earlier is not None:
        # this run wrote no checkpoint: the folder stays the earlier run's, files and all
        msg = (f"no checkpoint was saved by this run; {ckpt_path} still holds the earlier "
               "run's checkpoint, unchanged (and the folder its metrics and pictures)")
        result.warnings.append(msg)
        log(msg)
        return result
    metrics: dict = {
        "args": _jsonable(asdict(cfg)), "model": cfg.model, "data": cfg.data,
        "num_parameters": n_params, "classes": list(splits.classes),
        "sizes": {"train": int(len(splits.y_train)), "val": int(len(splits.y_val)),
                  "test": int(len(splits.y_test))},
        "history": fit_result.history, "best_epoch": fit_result.best_epoch,
        "best_val_loss": fit_result.best_val_loss, "stopped_early": fit_result.stopped_early,
        "interrupted": fit_result.interrupted, "checkpoint": CHECKPOINT_NAME
        if result.checkpoint else None,
        "checkpoint_epoch": info["epoch"] if info else None,
    }
    if not fit_result.interrupted:
        t0 = time.perf_counter()
        test_loss, test_acc, pred = evaluate(model, splits.x_test, splits.y_test)
        t_test = time.perf_counter() - t0
        cm = confusion_matrix(splits.y_test, pred, splits.num_classes)
        result.test_loss, result.test_acc = test_loss, test_acc
        metrics.update(test_loss=test_loss, test_acc=test_acc, confusion_matrix=cm.tolist())
        if cfg.plots:
            result.files.update(_plots(out, fit_result.history, cm, splits, cfg, test_acc,
                                       result.warnings, log))
        if cfg.graph:
            result.files.update(_graph_picture(out, model, splits, cfg, result.warnings, log))
    else:
        t_test = 0.0
        if cfg.plots and fit_result.history:
            result.files.update(_plots(out, fit_result.history, None, splits, cfg, None,
                                       result.warnings, log))
    metrics["timings"] = {
        "data_seconds": t_data, "fit_seconds": fit_result.seconds,
        "epoch_seconds": [r["seconds"] for r in fit_result.history],
        "test_seconds": t_test, "total_seconds": time.perf_counter() - t_start}
    metrics["warnings"] = list(result.warnings)
    text = json.dumps(_jsonable(metrics), indent=2).encode("utf-8")
    _write_atomically(out / "metrics.json", lambda f: f.write(text))
    result.files["metrics"] = out / "metrics.json"
    if result.checkpoint:
        result.files["checkpoint"] = result.checkpoint
    return result


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


# -------------------------------------------------------------- pictures
def _figure(w: float, h: float):
    from matplotlib.figure import Figure  # no pyplot: never touches a notebook's backend
    return Figure(figsize=(w, h), dpi=100, layout="constrained")


def _save_figure(fig: Any, path: Path) -> None:
    """``fig`` as a PNG at ``path``, replacing the old picture in one rename."""
    import io
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    _write_atomically(path, lambda f: f.write(buf.getvalue()))


def _plots(out: Path, history: list, cm: np.ndarray | None, splits: Splits, cfg: TrainConfig,
           test_acc: float | None, warns: list, log: Callable[..., None]) -> dict:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        msg = "warning: matplotlib is not installed; no PNG pictures (pip install matplotlib)"
        warns.append(msg)
        log(msg)
        return {}
    files = {}
    epochs = [r["epoch"] for r in history]
    title = f"{cfg.model} on {cfg.data}"
    for key, label, name in (("loss", "cross-entropy loss", "loss.png"),
                             ("acc", "accuracy", "accuracy.png")):
        fig = _figure(6, 4)
        ax = fig.add_subplot()
        style = ("o-", "s-") if len(epochs) <= 30 else ("-", "-")
        ax.plot(epochs, [r[f"train_{key}"] for r in history], style[0], label="train")
        ax.plot(epochs, [r[f"val_{key}"] for r in history], style[1], label="validation")
        best = next((r for r in history if r["val_loss"] == min(h["val_loss"] for h in history)),
                    None)
        if best is not None:
            ax.axvline(best["epoch"], color="grey", ls=":", label=f"best epoch {best['epoch']}")
        if key == "acc" and test_acc is not None:
            ax.axhline(test_acc, color="green", ls="--", lw=1, label=f"test {test_acc:.4f}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.set_title(f"{title}: {label}")
        ax.grid(alpha=0.3)
        ax.legend()
        _save_figure(fig, out / name)
        files[name.split(".")[0]] = out / name
    if cm is not None:
        k = cm.shape[0]
        size = max(4.5, 0.55 * k + 2.5)
        fig = _figure(size + 1, size)
        ax = fig.add_subplot()
        im = ax.imshow(cm, cmap="Blues")
        fig.colorbar(im, ax=ax, shrink=0.8)
        ax.set_xticks(range(k), [str(c) for c in splits.classes], rotation=45, ha="right")
        ax.set_yticks(range(k), [str(c) for c in splits.classes])
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        acc = f", test accuracy {test_acc:.4f}" if test_acc is not None else ""
        ax.set_title(f"{title}: confusion matrix{acc}")
        thresh = cm.max() / 2 if cm.size else 0
        for i in range(k):
            for j in range(k):
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if cm[i, j] > thresh else "black")
        _save_figure(fig, out / "confusion_matrix.png")
        files["confusion_matrix"] = out / "confusion_matrix.png"
    return files


def _graph_picture(out: Path, model: Any, splits: Splits, cfg: TrainConfig, warns: list,
                   log: Callable[..., None]) -> dict:
    """The model's graph (one forward pass and the loss on two examples) as graph.svg."""
    from .viz import GraphvizNotFound, draw_graph, record_modules
    try:
        x = ag.from_numpy(splits.x_train[:2])
        y = ag.from_numpy(splits.y_train[:2])
        model.eval()
        with record_modules(model) as rec:
            logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        model.zero_grad()
        picture = draw_graph(loss, modules=rec, names={"input": x, "labels": y, "loss": loss},
                             collapse_modules=True, show_grad=False,
                             title=f"{cfg.model} on {cfg.data}: one forward pass and the loss")
        svg = picture.pipe(format="svg")
    except GraphvizNotFound as e:
        msg = f"warning: no graph.svg: {e}"
        warns.append(msg)
        log(msg)
        return {}
    except Exception as e:  # a picture must never lose a trained model
        msg = f"warning: no graph.svg: drawing the graph failed: {type(e).__name__}: {e}"
        warns.append(msg)
        log(msg)
        return {}
    _write_atomically(out / "graph.svg", lambda f: f.write(svg))
    return {"graph": out / "graph.svg"}
