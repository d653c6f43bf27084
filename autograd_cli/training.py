"""A training job, as ``autograd-core train`` runs it: :class:`TrainConfig` (its settings,
defaults from the dataset), :func:`run` (data, model, fit, test, output folder) and
:class:`RunResult` (what it produced).

>>> import tempfile
>>> from autograd_cli.training import TrainConfig, run
>>> out = tempfile.mkdtemp()
>>> result = run(TrainConfig(model="mlp", data="xor", epochs=2, out=out, progress=False),
...              log=lambda *a, **k: None)
>>> 0.0 <= result.test_acc <= 1.0, sorted(p.name for p in result.out.iterdir())[:3]
(True, ['accuracy.png', 'checkpoint.npz', 'confusion_matrix.png'])
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

import autograd_core as ag

from . import checkpoints, datasets, fitting, models, report
from .checkpoints import CHECKPOINT_NAME
from .datasets import DATASETS, Splits
from .errors import ConfigError
from .fitting import OPTIMIZERS, FitResult
from .models import IMAGE_MODELS, MODELS

__all__ = ["TrainConfig", "RunResult", "run"]


@dataclass
class TrainConfig:
    """Everything ``autograd-core train`` takes; ``None`` means the dataset's default
    (see :data:`~autograd_cli.datasets.DATASETS`).

    >>> cfg = TrainConfig(data="iris", out="runs/iris").resolved()
    >>> cfg.model, cfg.epochs, cfg.lr, cfg.patience
    ('mlp', 200, 0.01, 20)
    """

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
    export_onnx: bool = False  # also write model.onnx (the best weights) beside the checkpoint

    def resolved(self) -> "TrainConfig":
        """A copy with every default filled in from the dataset's; ``ConfigError`` for
        settings that cannot work together.

        >>> TrainConfig(data="xor", optimizer="adamw", out="runs/x").resolved().weight_decay
        0.01
        >>> try:
        ...     TrainConfig(model="cnn", data="iris").resolved()
        ... except ConfigError as e:
        ...     print(str(e).split("; ")[1])
        iris is tabular: use --model mlp or attention
        """
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
    than ``fit.best_epoch``.

    >>> import tempfile
    >>> r = run(TrainConfig(data="xor", n_samples=100, epochs=1, out=tempfile.mkdtemp(),
    ...                     progress=False, graph=False, plots=False), log=lambda *a: None)
    >>> r.interrupted, r.checkpoint_info["epoch"], sorted(r.files)
    (False, 1, ['checkpoint', 'metrics'])
    """

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
    :func:`~autograd_cli.fitting.fit` it (saving the checkpoint of every new best epoch into
    the output folder), evaluate it on the test split and write the pictures and the metrics.

    Files in ``config.out``: ``checkpoint.npz`` (best weights + config, for
    :func:`~autograd_cli.checkpoints.load_checkpoint`), ``loss.png``, ``accuracy.png``,
    ``confusion_matrix.png``, ``graph.svg`` (when Graphviz's ``dot`` is installed) and
    ``metrics.json``.

    On Ctrl-C the run stops, keeps the best checkpoint so far, writes the metrics so far
    and returns with ``result.interrupted`` set (no test evaluation).

    An output folder of an earlier run is reused, and its ``checkpoint.npz`` is replaced
    only by a newer complete one: if this run stops (Ctrl-C, crash) before writing its
    first checkpoint, the folder is left as it was, metrics and pictures included.

    >>> import tempfile
    >>> r = run(TrainConfig(data="iris", epochs=3, out=tempfile.mkdtemp(), progress=False,
    ...                     graph=False), log=lambda *a: None)
    >>> len(r.fit.history), r.test_acc is not None
    (3, True)
    """
    t_start = time.perf_counter()
    cfg = config.resolved()
    log = log or fitting.default_log(cfg.progress)
    out = Path(cfg.out)
    data_kwargs = dict(data_dir=cfg.data_dir, seed=cfg.seed, val_fraction=cfg.val_fraction,
                       test_fraction=cfg.test_fraction, limit=cfg.limit,
                       n_samples=cfg.n_samples)
    t0 = time.perf_counter()
    splits = datasets.load_data(cfg.data, **data_kwargs)
    t_data = time.perf_counter() - t0
    ag.manual_seed(cfg.seed)
    model_kwargs = models.default_model_kwargs(cfg.model, cfg.data, splits.input_shape)
    model = models.build_model(cfg.model, splits.input_shape, splits.num_classes, cfg.data,
                               **model_kwargs)
    n_params = int(sum(int(np.prod(p.shape)) for p in model.parameters()))
    out.mkdir(parents=True, exist_ok=True)
    ckpt_path = out / CHECKPOINT_NAME
    # An earlier run's checkpoint is replaced only by a newer complete one (each save is a
    # rename), never deleted first; its identity tells whether this run's save landed.
    earlier = checkpoints.file_identity(ckpt_path)
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
        checkpoints.save_checkpoint(ckpt_path, model, saved_cfg, **info)
        saves.update(done=info, identity=checkpoints.file_identity(ckpt_path), pending=None)

    fit_result = fitting.fit(model, (splits.x_train, splits.y_train),
                             (splits.x_val, splits.y_val), epochs=cfg.epochs,
                             batch_size=cfg.batch_size, optimizer=cfg.optimizer, lr=cfg.lr,
                             weight_decay=cfg.weight_decay, patience=cfg.patience,
                             seed=cfg.seed, progress=cfg.progress,
                             on_improve=lambda epoch, record: save(record),
                             callbacks=callbacks, log=log)
    if saves["pending"] is not None:
        # Ctrl-C hit a save: its rename either landed (the file changed) or did not
        if checkpoints.file_identity(ckpt_path) != saves["identity"]:
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
        "args": asdict(cfg), "model": cfg.model, "data": cfg.data,
        "num_parameters": n_params, "classes": list(splits.classes),
        "sizes": {"train": int(len(splits.y_train)), "val": int(len(splits.y_val)),
                  "test": int(len(splits.y_test))},
        "history": fit_result.history, "best_epoch": fit_result.best_epoch,
        "best_val_loss": fit_result.best_val_loss, "stopped_early": fit_result.stopped_early,
        "interrupted": fit_result.interrupted, "checkpoint": CHECKPOINT_NAME
        if result.checkpoint else None,
        "checkpoint_epoch": info["epoch"] if info else None,
    }
    title = f"{cfg.model} on {cfg.data}"
    if not fit_result.interrupted:
        t0 = time.perf_counter()
        test_loss, test_acc, pred = fitting.evaluate(model, splits.x_test, splits.y_test)
        t_test = time.perf_counter() - t0
        cm = fitting.confusion_matrix(splits.y_test, pred, splits.num_classes)
        result.test_loss, result.test_acc = test_loss, test_acc
        metrics.update(test_loss=test_loss, test_acc=test_acc, confusion_matrix=cm.tolist())
        if cfg.plots:
            result.files.update(report.plots(out, fit_result.history, cm, splits, title,
                                             test_acc, result.warnings, log))
        if cfg.graph:
            result.files.update(report.graph_picture(out, model, splits, title,
                                                     result.warnings, log))
        if cfg.export_onnx:
            result.files["onnx"] = export_onnx(out, model, splits.x_test[:2])
    else:
        t_test = 0.0
        if cfg.plots and fit_result.history:
            result.files.update(report.plots(out, fit_result.history, None, splits, title,
                                             None, result.warnings, log))
    metrics["timings"] = {
        "data_seconds": t_data, "fit_seconds": fit_result.seconds,
        "epoch_seconds": [r["seconds"] for r in fit_result.history],
        "test_seconds": t_test, "total_seconds": time.perf_counter() - t_start}
    metrics["warnings"] = list(result.warnings)
    result.files["metrics"] = report.write_metrics(out, metrics)
    if result.checkpoint:
        result.files["checkpoint"] = result.checkpoint
    return result


ONNX_NAME = "model.onnx"


def export_onnx(out: str, model: Any, example: np.ndarray) -> str:
    """Write ``model`` as ``out/model.onnx`` with a dynamic batch axis (input ``input``,
    output ``logits``); ONNX Runtime's outputs are checked against ours before writing."""
    import autograd_core.onnx as ag_onnx
    path = os.path.join(out, ONNX_NAME)
    ag_onnx.export(model, (ag.from_numpy(np.ascontiguousarray(example)),), path,
                   input_names=["input"], output_names=["logits"],
                   dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    return path
