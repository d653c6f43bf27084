"""The training loop for any classifier and arrays: :func:`fit` (mini-batches, progress
bars, validation every epoch, early stopping that keeps the best weights), the optimizers
it builds by name, and :func:`evaluate` / :func:`predict` / :func:`confusion_matrix` for
the results.

>>> from autograd_core import nn
>>> from autograd_core.data import make_moons
>>> from autograd_cli.fitting import evaluate, fit
>>> x, y = make_moons(100, noise=0.1, seed=0)
>>> model = nn.MLP(2, [8], 2)
>>> r = fit(model, (x[:80], y[:80]), (x[80:], y[80:]), epochs=2, progress=False,
...         log=lambda *a: None)
>>> len(r.history), 0.0 <= evaluate(model, x[80:], y[80:])[1] <= 1.0
(2, True)
"""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import optim
from autograd_core.data import DataLoader, TensorDataset

from .errors import ConfigError

__all__ = ["OPTIMIZERS", "make_optimizer", "FitResult", "fit", "evaluate", "predict",
           "confusion_matrix", "default_log", "show_progress"]

OPTIMIZERS = ("sgd", "adam", "adamw")


def make_optimizer(name: str, params: Iterable, lr: float, weight_decay: float = 0.0,
                   momentum: float = 0.9) -> Any:
    """``optim.SGD`` (with ``momentum``), ``optim.Adam`` or ``optim.AdamW``.

    >>> from autograd_core import nn
    >>> type(make_optimizer("adamw", nn.Linear(2, 2).parameters(), lr=1e-3)).__name__
    'AdamW'
    """
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ConfigError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


@dataclass
class FitResult:
    """What :func:`fit` did: one dict per finished epoch in ``history`` (``epoch``,
    ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``, ``lr``, ``seconds``,
    ``train_seconds``), the best epoch (1-based) and how the loop ended.

    >>> r = FitResult()
    >>> r.history, r.best_epoch, r.stopped_early, r.interrupted
    ([], None, False, False)
    """

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
    in eval mode and without recording a graph; the model's mode is restored after.

    >>> from autograd_core import nn
    >>> x, y = np.zeros((3, 2), np.float32), np.array([0, 1, 1])
    >>> loss, acc, pred = evaluate(nn.Linear(2, 2, bias=False), x, y)  # logits all 0
    >>> round(loss, 4), pred.tolist()
    (0.6931, [0, 0, 0])
    """
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
    """Predicted labels of ``model`` for ``x`` (eval mode, no graph).

    >>> from autograd_core import nn
    >>> predict(nn.Linear(2, 3), np.zeros((4, 2), np.float32)).shape
    (4,)
    """
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


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """``m[i, j]``: how many examples of class ``i`` were predicted as ``j``.

    >>> confusion_matrix([0, 1, 1], [0, 0, 1], 2).tolist()
    [[1, 0], [1, 1]]
    """
    m = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(m, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return m


def show_progress(progress: bool | None) -> bool:
    """Whether to draw progress bars: ``progress`` when given, else (``None``, the default)
    only when stderr is a terminal, so that a log written to a file or read by CI holds
    plain lines, one per epoch, and no ``\\r``-redrawn bars.

    >>> show_progress(True), show_progress(False)
    (True, False)
    """
    if progress is not None:
        return bool(progress)
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False


def _progress_bar(total: int, desc: str, enabled: bool | None):
    if not show_progress(enabled):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency of the cli extra
        return None
    tty = show_progress(None)
    # Asked for in a log file (not a terminal): redraw rarely, so the log stays readable.
    return tqdm(total=total, desc=desc, unit="batch", leave=False, dynamic_ncols=True,
                file=sys.stderr, mininterval=0.1 if tty else 10.0)


def default_log(progress: bool | None) -> Callable[..., None]:
    """The function that prints one line: ``tqdm.write`` beside progress bars (so a line
    does not break a bar), else ``print`` (``progress=None``: bars only on a terminal, see
    :func:`show_progress`).

    >>> default_log(False)("epoch 1/1")
    epoch 1/1
    """
    if show_progress(progress):
        try:
            from tqdm.auto import tqdm
            return lambda msg="": tqdm.write(msg, file=sys.stdout)
        except ImportError:  # pragma: no cover
            pass
    return lambda msg="": print(msg, flush=True)


def fit(model: Any, train: tuple[np.ndarray, np.ndarray], val: tuple[np.ndarray, np.ndarray],
        *, epochs: int = 10, batch_size: int = 32, optimizer: Any = "adam",
        lr: float = 1e-3, weight_decay: float = 0.0, patience: int | None = 5,
        seed: int | None = 0, progress: bool | None = None,
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
    * ``progress``: a tqdm bar per epoch with the running loss and accuracy (``None``, the
      default: only when stderr is a terminal); ``log`` prints one line per epoch (default
      ``tqdm.write`` beside bars, else ``print``).

    >>> from autograd_core import nn
    >>> from autograd_core.data import make_moons
    >>> x, y = make_moons(200, noise=0.1, seed=0)
    >>> model = nn.MLP(2, [16], 2)
    >>> r = fit(model, (x[:150], y[:150]), (x[150:], y[150:]), epochs=3, lr=0.01,
    ...         progress=False, log=lambda *a: None)
    >>> len(r.history), r.best_epoch in (1, 2, 3)
    (3, True)
    """
    x_train, y_train = train
    x_val, y_val = val
    if epochs < 1:
        raise ConfigError(f"epochs must be at least 1, got {epochs}")
    if batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
    if log is None:
        log = default_log(progress)
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
