"""``autograd-core train``: argparse wiring around :func:`autograd_cli.training.run`, and
what it says about the checkpoint on disk when Ctrl-C stops it.

    autograd-core train --model cnn --data digits

>>> import argparse
>>> from autograd_cli.train_command import add_train_arguments
>>> parser = argparse.ArgumentParser(prog="autograd-core train")
>>> add_train_arguments(parser)
>>> args = parser.parse_args(["--data", "iris"])
>>> args.data, args.model, args.optimizer, args.seed
('iris', None, 'adam', 0)
"""
from __future__ import annotations

import argparse
import os
import sys
import textwrap
from typing import Any

from autograd_core.data import DatasetNotFoundError

from . import checkpoints, training
from .checkpoints import CHECKPOINT_NAME
from .command import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, usage_error
from .datasets import DATASETS
from .errors import ConfigError
from .fitting import OPTIMIZERS
from .models import MODELS
from .option_types import (existing_dir, fraction, nonnegative_float, nonnegative_int,
                           positive_float, positive_int)

__all__ = ["TRAIN_DESCRIPTION", "defaults_table", "add_train_arguments", "run_train"]

TRAIN_DESCRIPTION = (
    "Train a classifier on a shipped, generated or MNIST-format dataset, with progress bars, "
    "validation every epoch and early stopping on the validation loss; write the best "
    "checkpoint, pictures and metrics to an output folder; print the test accuracy.")


def defaults_table() -> str:
    """The epilog of ``autograd-core train --help``: each dataset's defaults, what each
    dataset and model is, what the output folder holds, and examples.

    >>> print(defaults_table().splitlines()[0])
    defaults per dataset (used when an option is not given):
    """
    lines = ["defaults per dataset (used when an option is not given):",
             "  data           model  epochs  batch  lr adam/adamw  lr sgd  patience  "
             "val/test split"]
    for name, d in DATASETS.items():
        model = "cnn" if d.kind == "image" else "mlp"
        split = (f"{d.val_fraction:g} of train / own test set" if d.test_fraction is None
                 else f"{1 - d.val_fraction - d.test_fraction:.2f}/{d.val_fraction:g}/"
                 f"{d.test_fraction:g}")
        lines.append(f"  {name:<14} {model:<6} {d.epochs:>6}  {d.batch_size:>5}  "
                     f"{d.lr['adam']:>12g}  {d.lr['sgd']:>6g}  {d.patience:>8}  {split}")
    lines += [
        "",
        "datasets:",
        *(f"  {name:<14} {d.description}" for name, d in DATASETS.items()),
        "",
        "models adapt to the data: mlp reads the flattened features; cnn (LeNet-style, two",
        "conv stages) and resnet (a small conv ResNet) need images; attention is a transformer",
        "over image rows (one token per row) or over single features of tabular data.",
        "Features are standardised with statistics of the training split only.",
        "",
        "the output folder gets checkpoint.npz (the best epoch's weights, for `autograd-core",
        "evaluate`), loss.png, accuracy.png, confusion_matrix.png, graph.svg (needs Graphviz's",
        "`dot`) and metrics.json. The last line printed is `test accuracy: 0.xxxx`.",
        "Ctrl-C stops training, keeps the best checkpoint so far and exits with status 130.",
        "",
        "examples:",
        "  autograd-core train --model cnn --data digits",
        "  autograd-core train --model attention --data fashion-mnist --epochs 5",
        "  autograd-core train --model mlp --data spirals --optimizer sgd --lr 0.05",
    ]
    return "\n".join(lines)


def add_train_arguments(p: argparse.ArgumentParser) -> None:
    """Add the options of ``autograd-core train`` to ``p``, with the table of defaults as
    its epilog.

    >>> p = argparse.ArgumentParser()
    >>> add_train_arguments(p)
    >>> p.parse_args(["--model", "cnn", "--epochs", "2"]).epochs
    2
    """
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.description = textwrap.fill(p.description or TRAIN_DESCRIPTION, 78)
    p.epilog = defaults_table()
    p.add_argument("--model", choices=MODELS, default=None,
                   help="the model family (default: cnn for image data, mlp for tabular "
                   "and generated data)")
    p.add_argument("--data", choices=tuple(DATASETS), default="digits",
                   help="the dataset (default: digits)")
    p.add_argument("--data-dir", type=existing_dir, metavar="DIR", default=None,
                   help="folder with the IDX files of fashion-mnist or mnist (default: "
                   "/usr/share/datasets/fashion-mnist for fashion-mnist; required for mnist)")
    p.add_argument("--epochs", type=positive_int, metavar="N", default=None,
                   help="most epochs to train (default: per dataset, see below)")
    p.add_argument("--batch-size", type=positive_int, metavar="N", default=None,
                   help="examples per training step (default: per dataset, see below)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="adam",
                   help="sgd (with momentum 0.9), adam or adamw (default: adam)")
    p.add_argument("--lr", type=positive_float, metavar="LR", default=None,
                   help="learning rate (default: per dataset and optimizer, see below)")
    p.add_argument("--weight-decay", type=nonnegative_float, metavar="WD", default=None,
                   help="weight decay (default: 0.01 for adamw, 0 for adam and sgd)")
    p.add_argument("--patience", type=nonnegative_int, metavar="N", default=None,
                   help="stop after N epochs without a lower validation loss; 0 never "
                   "stops early. The best epoch's weights are kept either way "
                   "(default: per dataset, see below)")
    p.add_argument("--val-fraction", type=fraction, metavar="F", default=None,
                   help="fraction of the data (of the training set, for datasets with their "
                   "own test set) held out for validation (default: 0.15, or 0.1 for "
                   "fashion-mnist and mnist)")
    p.add_argument("--test-fraction", type=fraction, metavar="F", default=None,
                   help="fraction held out for the test (default: 0.15; not for fashion-mnist "
                   "and mnist, which have their own test set)")
    p.add_argument("--limit", type=positive_int, metavar="N", default=None,
                   help="use at most N examples of the data (of each of the official train "
                   "and test sets for fashion-mnist and mnist), for quick tries "
                   "(default: all)")
    p.add_argument("--n-samples", type=positive_int, metavar="N", default=None,
                   help="points to generate for xor, moons, circles and spirals "
                   "(default: 1000, 1500 for spirals)")
    p.add_argument("--seed", type=nonnegative_int, default=0,
                   help="seed of the data split, the weights and the batch order (default: 0)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default: runs/MODEL-DATA-YYYYmmdd-HHMMSS)")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bars (default: show them)")
    p.add_argument("--export-onnx", dest="export_onnx", action="store_true",
                   help="also write model.onnx (the best weights, batch axis dynamic) beside "
                   "the checkpoint; needs the [onnx] extra (onnx, onnxruntime) (default: off)")
    p.add_argument("--no-graph", dest="graph", action="store_false",
                   help="do not draw graph.svg (default: draw it when Graphviz is installed)")
    p.set_defaults(_parser=p)


def run_train(args: argparse.Namespace) -> int:
    """Run ``autograd-core train`` with parsed ``args``: train, print the files written and,
    last, ``test accuracy: 0.xxxx``; returns the exit status (2 for settings that cannot
    work, 130 after Ctrl-C, which keeps the best checkpoint so far).

    >>> import contextlib, io, tempfile
    >>> p = argparse.ArgumentParser()
    >>> add_train_arguments(p)
    >>> args = p.parse_args(["--data", "xor", "--n-samples", "100", "--epochs", "1",
    ...                      "--no-progress", "--no-graph", "--out", tempfile.mkdtemp()])
    >>> printed = io.StringIO()
    >>> with contextlib.redirect_stdout(printed):
    ...     status = run_train(args)
    >>> status, printed.getvalue().splitlines()[-1].startswith("test accuracy: ")
    (0, True)
    """
    config = training.TrainConfig(
        model=args.model, data=args.data, data_dir=args.data_dir, epochs=args.epochs,
        batch_size=args.batch_size, optimizer=args.optimizer, lr=args.lr,
        weight_decay=args.weight_decay, patience=args.patience,
        val_fraction=args.val_fraction, test_fraction=args.test_fraction, limit=args.limit,
        n_samples=args.n_samples, seed=args.seed, out=args.out, progress=args.progress,
        graph=args.graph, export_onnx=getattr(args, "export_onnx", False))
    if config.export_onnx:
        try:  # before training, not after it
            import onnx  # noqa: F401
            import onnxruntime  # noqa: F401
        except ImportError:
            return usage_error(args, "train", "--export-onnx needs the onnx and onnxruntime "
                               "packages: pip install 'autograd-core[onnx]'")
    # the output folder's checkpoint before this run (a default --out is a new folder)
    earlier = (checkpoints.file_identity(os.path.join(args.out, CHECKPOINT_NAME))
               if args.out else None)
    try:
        config = config.resolved()
        result = training.run(config)
    except ConfigError as e:
        return usage_error(args, "train", str(e))
    except DatasetNotFoundError as e:
        print(f"autograd-core train: error: {e}", file=sys.stderr)
        print("(with autograd-core train, name that folder with --data-dir DIR)",
              file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:  # e.g. the output folder cannot be written
        print(f"autograd-core train: error: {e}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:  # outside the training loop (loading data, writing files)
        print("\nautograd-core train: interrupted", file=sys.stderr)
        _say_checkpoint(config, earlier)
        return EXIT_INTERRUPTED
    if result.interrupted:
        done = len(result.fit.history)
        print(f"\ninterrupted after {done} finished epoch{'s' * (done != 1)}", file=sys.stderr)
        _say_checkpoint(config, earlier, result)
        return EXIT_INTERRUPTED
    for name, path in result.files.items():
        print(f"wrote {path}")
    print(f"test accuracy: {result.test_acc:.4f}")
    return EXIT_OK


def _say_checkpoint(config: Any, earlier: tuple | None,
                    result: training.RunResult | None = None) -> None:
    """Tell what checkpoint the interrupted run left: only what is on disk. ``earlier``:
    the identity of the folder's checkpoint before the run; ``result``: the run's result,
    whose ``checkpoint_info`` describes the file on disk (else the file is read)."""
    out = getattr(config, "out", None)
    path = os.path.join(out, CHECKPOINT_NAME) if out else None
    now = checkpoints.file_identity(path) if path else None
    if now is None:
        print("no checkpoint was saved: interrupted before the first epoch finished",
              file=sys.stderr)
        return
    if now == earlier:
        print("no checkpoint was saved by this run: interrupted before its first checkpoint "
              f"was written; {path} still holds the earlier run's checkpoint, unchanged",
              file=sys.stderr)
        return
    info = result.checkpoint_info if result is not None else None
    if info is None:
        try:
            info = checkpoints.checkpoint_info(path)
        except KeyboardInterrupt:  # a second Ctrl-C: say less
            info = None
    best = ""
    if info is not None:
        best = (f" (epoch {info['epoch']}, val loss {info['val_loss']:.4f}, val accuracy "
                f"{info['val_acc']:.4f})")
    print(f"the best checkpoint so far{best} is kept in {path}", file=sys.stderr)
    print(f"evaluate it with: autograd-core evaluate {path}", file=sys.stderr)
