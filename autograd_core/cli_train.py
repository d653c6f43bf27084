"""``autograd-core train`` and ``autograd-core evaluate``: argparse wiring around
:mod:`autograd_core.train`.

    autograd-core train --model cnn --data digits
    autograd-core evaluate runs/cnn-digits-20250101-120000
"""
from __future__ import annotations

import argparse
import os
import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

MODELS = ("mlp", "cnn", "resnet", "attention")
DATA = ("digits", "fashion-mnist", "mnist", "iris", "xor", "moons", "circles", "spirals")
OPTIMIZERS = ("sgd", "adam", "adamw")


# ------------------------------------------------------------ argument types
def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def _nonnegative_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {v}")
    return v


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (v > 0 and v < float("inf")):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return v


def _nonnegative_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (v >= 0 and v < float("inf")):
        raise argparse.ArgumentTypeError(f"must be 0 or a positive number, got {text}")
    return v


def _fraction(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), got {text}")
    return v


def _existing_dir(text: str) -> str:
    if not os.path.isdir(text):
        what = "is a file, not a folder" if os.path.exists(text) else "does not exist"
        raise argparse.ArgumentTypeError(f"{text!r} {what}")
    return text


def _defaults_table() -> str:
    from .train import DATASETS
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


# ------------------------------------------------------------------ train
def add_train_arguments(p: argparse.ArgumentParser) -> None:
    import textwrap
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.description = textwrap.fill(p.description or TRAIN_DESCRIPTION, 78)
    p.epilog = _defaults_table()
    p.add_argument("--model", choices=MODELS, default=None,
                   help="the model family (default: cnn for image data, mlp for tabular "
                   "and generated data)")
    p.add_argument("--data", choices=DATA, default="digits",
                   help="the dataset (default: digits)")
    p.add_argument("--data-dir", type=_existing_dir, metavar="DIR", default=None,
                   help="folder with the IDX files of fashion-mnist or mnist (default: "
                   "/usr/share/datasets/fashion-mnist for fashion-mnist; required for mnist)")
    p.add_argument("--epochs", type=_positive_int, metavar="N", default=None,
                   help="most epochs to train (default: per dataset, see below)")
    p.add_argument("--batch-size", type=_positive_int, metavar="N", default=None,
                   help="examples per training step (default: per dataset, see below)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="adam",
                   help="sgd (with momentum 0.9), adam or adamw (default: adam)")
    p.add_argument("--lr", type=_positive_float, metavar="LR", default=None,
                   help="learning rate (default: per dataset and optimizer, see below)")
    p.add_argument("--weight-decay", type=_nonnegative_float, metavar="WD", default=None,
                   help="weight decay (default: 0.01 for adamw, 0 for adam and sgd)")
    p.add_argument("--patience", type=_nonnegative_int, metavar="N", default=None,
                   help="stop after N epochs without a lower validation loss; 0 never "
                   "stops early. The best epoch's weights are kept either way "
                   "(default: per dataset, see below)")
    p.add_argument("--val-fraction", type=_fraction, metavar="F", default=None,
                   help="fraction of the data (of the training set, for datasets with their "
                   "own test set) held out for validation (default: 0.15, or 0.1 for "
                   "fashion-mnist and mnist)")
    p.add_argument("--test-fraction", type=_fraction, metavar="F", default=None,
                   help="fraction held out for the test (default: 0.15; not for fashion-mnist "
                   "and mnist, which have their own test set)")
    p.add_argument("--limit", type=_positive_int, metavar="N", default=None,
                   help="use at most N examples of the data (of each of the official train "
                   "and test sets for fashion-mnist and mnist), for quick tries "
                   "(default: all)")
    p.add_argument("--n-samples", type=_positive_int, metavar="N", default=None,
                   help="points to generate for xor, moons, circles and spirals "
                   "(default: 1000, 1500 for spirals)")
    p.add_argument("--seed", type=_nonnegative_int, default=0,
                   help="seed of the data split, the weights and the batch order (default: 0)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default: runs/MODEL-DATA-YYYYmmdd-HHMMSS)")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bars (default: show them)")
    p.add_argument("--no-graph", dest="graph", action="store_false",
                   help="do not draw graph.svg (default: draw it when Graphviz is installed)")
    p.set_defaults(_parser=p)


def _error(args: argparse.Namespace, command: str, message: str) -> int:
    """An argparse-style error for problems found after parsing: usage, message, exit 2."""
    parser = getattr(args, "_parser", None)
    if parser is not None:
        parser.print_usage(sys.stderr)
    print(f"autograd-core {command}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_train(args: argparse.Namespace) -> int:
    from .data import DatasetNotFoundError
    from .train import CHECKPOINT_NAME, ConfigError, TrainConfig, _file_identity, run

    config = TrainConfig(
        model=args.model, data=args.data, data_dir=args.data_dir, epochs=args.epochs,
        batch_size=args.batch_size, optimizer=args.optimizer, lr=args.lr,
        weight_decay=args.weight_decay, patience=args.patience,
        val_fraction=args.val_fraction, test_fraction=args.test_fraction, limit=args.limit,
        n_samples=args.n_samples, seed=args.seed, out=args.out, progress=args.progress,
        graph=args.graph)
    # the output folder's checkpoint before this run (a default --out is a new folder)
    earlier = _file_identity(os.path.join(args.out, CHECKPOINT_NAME)) if args.out else None
    try:
        config = config.resolved()
        result = run(config)
    except ConfigError as e:
        return _error(args, "train", str(e))
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


def _say_checkpoint(config, earlier, result=None) -> None:
    """Tell what checkpoint the interrupted run left: only what is on disk. ``earlier``:
    the identity of the folder's checkpoint before the run; ``result``: the run's result,
    whose ``checkpoint_info`` describes the file on disk (else the file is read)."""
    from .train import CHECKPOINT_NAME, _checkpoint_info, _file_identity
    out = getattr(config, "out", None)
    path = os.path.join(out, CHECKPOINT_NAME) if out else None
    now = _file_identity(path) if path else None
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
            info = _checkpoint_info(path)
        except KeyboardInterrupt:  # a second Ctrl-C: say less
            info = None
    best = ""
    if info is not None:
        best = (f" (epoch {info['epoch']}, val loss {info['val_loss']:.4f}, val accuracy "
                f"{info['val_acc']:.4f})")
    print(f"the best checkpoint so far{best} is kept in {path}", file=sys.stderr)
    print(f"evaluate it with: autograd-core evaluate {path}", file=sys.stderr)


# --------------------------------------------------------------- evaluate
def add_evaluate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("checkpoint", metavar="CHECKPOINT",
                   help="a checkpoint.npz written by `autograd-core train`, or its run folder")
    p.add_argument("--data", choices=DATA, default=None,
                   help="evaluate on this dataset instead (it must have the same input shape "
                   "and number of classes; default: the data the model was trained on)")
    p.add_argument("--data-dir", type=_existing_dir, metavar="DIR", default=None,
                   help="folder with the IDX files of fashion-mnist or mnist (default: the "
                   "folder used in training, else /usr/share/datasets/fashion-mnist)")
    p.add_argument("--split", choices=("test", "val", "train"), default="test",
                   help="which split to evaluate; it is rebuilt with the training run's seed "
                   "and fractions (default: test)")
    p.add_argument("--batch-size", type=_positive_int, metavar="N", default=512,
                   help="examples per forward pass (default: 512)")
    p.set_defaults(_parser=p)


def run_evaluate(args: argparse.Namespace) -> int:
    """Every problem with the checkpoint (unreadable, doctored, too big for the limits) is
    one line on stderr, ``autograd-core evaluate: error: ...``, and exit status 2."""
    from .data import DatasetNotFoundError
    from .serialization import SerializationError
    from .train import _CheckpointError, evaluate_checkpoint

    def error(message: str, code: int = EXIT_USAGE) -> int:
        print("autograd-core evaluate: error: " + " ".join(message.split()), file=sys.stderr)
        return code

    where = f"cannot evaluate {args.checkpoint}"
    try:
        res = evaluate_checkpoint(args.checkpoint, data=args.data, data_dir=args.data_dir,
                                  split=args.split, batch_size=args.batch_size)
    except DatasetNotFoundError as e:
        print(f"autograd-core evaluate: error: {e}", file=sys.stderr)
        print("(with autograd-core evaluate, name that folder with --data-dir DIR)",
              file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as e:
        return error(str(e))
    except _CheckpointError as e:
        return error(f"cannot evaluate {e.path}: {e.reason}")
    except (SerializationError, ValueError, KeyError) as e:  # ConfigError is a ValueError
        return error(f"{where}: {e}")
    except MemoryError as e:
        return error(f"{where}: out of memory ({str(e) or 'MemoryError'})")
    except OSError as e:
        return error(f"{where}: {e}", EXIT_FAILED)
    except KeyboardInterrupt:
        print("\nautograd-core evaluate: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"{res['data']} {res['split']} split: {res['n']} examples, loss {res['loss']:.4f}")
    print(f"{res['split']} accuracy: {res['accuracy']:.4f}")
    return EXIT_OK


TRAIN_DESCRIPTION = (
    "Train a classifier on a shipped, generated or MNIST-format dataset, with progress bars, "
    "validation every epoch and early stopping on the validation loss; write the best "
    "checkpoint, pictures and metrics to an output folder; print the test accuracy.")
EVALUATE_DESCRIPTION = (
    "Rebuild a model saved by `autograd-core train`, evaluate it on the test split of its "
    "data (rebuilt with the same seed, fractions and standardisation) and print "
    "`test accuracy: 0.xxxx`.")
