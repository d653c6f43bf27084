"""``autograd-core evaluate``: argparse wiring around
:func:`autograd_cli.checkpoints.evaluate_checkpoint`.

Rule: every problem with a checkpoint (unreadable, doctored, too big for the limits) is
one line on stderr, ``autograd-core evaluate: error: ...``, and exit status 2. Several
checkpoints (a shell glob of run folders) are evaluated one after the other, each under a
``checkpoint PATH`` line; one that fails does not stop the others, and the exit status is
the worst of them.

    autograd-core evaluate runs/cnn-digits-20250101-120000
    autograd-core evaluate runs/cnn-digits-*/

>>> import argparse
>>> from autograd_cli.evaluate_command import add_evaluate_arguments
>>> parser = argparse.ArgumentParser(prog="autograd-core evaluate")
>>> add_evaluate_arguments(parser)
>>> args = parser.parse_args(["runs/x", "runs/y"])
>>> args.checkpoints, args.split, args.batch_size
(['runs/x', 'runs/y'], 'test', 512)
"""
from __future__ import annotations

import argparse
import os
import sys

from autograd_core.data import DatasetNotFoundError
from autograd_core.serialization import SerializationError

from . import checkpoints
from .command import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from .datasets import DATASETS
from .errors import CheckpointError
from .option_types import existing_dir, positive_int

__all__ = ["EVALUATE_DESCRIPTION", "add_evaluate_arguments", "run_evaluate"]

EVALUATE_DESCRIPTION = (
    "Rebuild each model saved by `autograd-core train` (one or more checkpoints or run "
    "folders, e.g. runs/cnn-digits-*/), evaluate it on the test split of its data (rebuilt "
    "with the same seed, fractions and standardisation) and print which checkpoint it was "
    "and `test accuracy: 0.xxxx`.")


def add_evaluate_arguments(p: argparse.ArgumentParser) -> None:
    """Add the arguments of ``autograd-core evaluate`` to ``p``.

    >>> p = argparse.ArgumentParser()
    >>> add_evaluate_arguments(p)
    >>> p.parse_args(["run", "--split", "val"]).split
    'val'
    """
    p.add_argument("checkpoints", metavar="CHECKPOINT", nargs="+",
                   help="a checkpoint.npz written by `autograd-core train`, or its run folder, "
                   "or a model.onnx written by `train --export-onnx` (run in ONNX Runtime "
                   "and compared with the checkpoint beside it); several are evaluated one "
                   "after the other")
    p.add_argument("--data", choices=tuple(DATASETS), default=None,
                   help="evaluate on this dataset instead (it must have the same input shape "
                   "and number of classes; default: the data the model was trained on)")
    p.add_argument("--data-dir", type=existing_dir, metavar="DIR", default=None,
                   help="folder with the IDX files of fashion-mnist or mnist (default: the "
                   "folder used in training, else /usr/share/datasets/fashion-mnist)")
    p.add_argument("--split", choices=("test", "val", "train"), default="test",
                   help="which split to evaluate; it is rebuilt with the training run's seed "
                   "and fractions (default: test)")
    p.add_argument("--batch-size", type=positive_int, metavar="N", default=512,
                   help="examples per forward pass (default: 512)")
    p.set_defaults(_parser=p)


def run_evaluate(args: argparse.Namespace) -> int:
    """Run ``autograd-core evaluate`` with parsed ``args``: for each checkpoint, print
    ``checkpoint PATH``, the split's size and loss, then ``SPLIT accuracy: 0.xxxx`` (a blank
    line between checkpoints); returns the exit status, the worst of the checkpoints'.

    >>> import contextlib, io
    >>> p = argparse.ArgumentParser()
    >>> add_evaluate_arguments(p)
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     run_evaluate(p.parse_args(["no/such/run"]))
    2
    >>> err.getvalue()
    'autograd-core evaluate: error: no checkpoint at no/such/run\\n'
    """
    paths = getattr(args, "checkpoints", None) or [args.checkpoint]
    status, seen, printed = EXIT_OK, set(), False
    for path in paths:
        key = os.path.realpath(os.path.join(path, checkpoints.CHECKPOINT_NAME)
                               if os.path.isdir(path) else path)
        if key in seen:  # runs/x and runs/x/checkpoint.npz: once
            continue
        seen.add(key)
        if printed:
            print()
        code, printed = _evaluate_one(path, args)
        if code == EXIT_INTERRUPTED:
            return code
        status = max(status, code)
    return status


def _evaluate_one(path: str, args: argparse.Namespace) -> tuple[int, bool]:
    """Evaluate one checkpoint (or .onnx file) at ``path``: ``(exit status, whether
    anything was printed on stdout)``."""
    def error(message: str, code: int = EXIT_USAGE) -> tuple[int, bool]:
        print("autograd-core evaluate: error: " + " ".join(message.split()), file=sys.stderr)
        return code, False

    where = f"cannot evaluate {path}"
    is_onnx = str(path).endswith(".onnx")
    try:
        if is_onnx:  # ONNX Runtime on the file, our model from the checkpoint beside it
            res = checkpoints.evaluate_onnx(path, data=args.data, data_dir=args.data_dir,
                                            split=args.split, batch_size=args.batch_size)
        else:
            res = checkpoints.evaluate_checkpoint(path, data=args.data, data_dir=args.data_dir,
                                                  split=args.split,
                                                  batch_size=args.batch_size)
    except DatasetNotFoundError as e:
        print(f"autograd-core evaluate: error: {e}", file=sys.stderr)
        print("(with autograd-core evaluate, name that folder with --data-dir DIR)",
              file=sys.stderr)
        return EXIT_USAGE, False
    except FileNotFoundError as e:
        if any(c in str(path) for c in "*?[") and not os.path.exists(path):
            return error(f"{e}: the pattern {path!r} matched no file or folder (train a "
                         "model first: autograd-core train)")
        return error(str(e))
    except CheckpointError as e:
        return error(f"cannot evaluate {e.path}: {e.reason}")
    except (SerializationError, ValueError, KeyError, ImportError, RuntimeError) as e:
        # ConfigError is a ValueError; a bad .onnx file an OnnxExporterError (RuntimeError)
        return error(f"{where}: {e}")
    except MemoryError as e:
        return error(f"{where}: out of memory ({str(e) or 'MemoryError'})")
    except OSError as e:
        return error(f"{where}: {e}", EXIT_FAILED)
    except KeyboardInterrupt:
        print("\nautograd-core evaluate: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED, False
    epoch = f" (epoch {res['epoch']})" if res.get("epoch") is not None else ""
    print(f"checkpoint {res['checkpoint']}{epoch}")
    if is_onnx:
        print(f"model {path}")
    print(f"{res['data']} {res['split']} split: {res['n']} examples, loss {res['loss']:.4f}")
    if is_onnx:
        print(f"onnxruntime {res['split']} accuracy: {res['accuracy']:.4f}")
        print(f"autograd-core {res['split']} accuracy: {res['ours_accuracy']:.4f} "
              f"(same predictions: {res['agreement']:.4f}, logits max abs diff "
              f"{res['max_abs_diff']:.2e})")
    print(f"{res['split']} accuracy: {res['accuracy']:.4f}")
    return EXIT_OK, True
