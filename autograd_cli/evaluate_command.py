"""``autograd-core evaluate``: argparse wiring around
:func:`autograd_cli.checkpoints.evaluate_checkpoint`.

Rule: every problem with the checkpoint (unreadable, doctored, too big for the limits) is
one line on stderr, ``autograd-core evaluate: error: ...``, and exit status 2.

    autograd-core evaluate runs/cnn-digits-20250101-120000

>>> import argparse
>>> from autograd_cli.evaluate_command import add_evaluate_arguments
>>> parser = argparse.ArgumentParser(prog="autograd-core evaluate")
>>> add_evaluate_arguments(parser)
>>> args = parser.parse_args(["runs/x"])
>>> args.checkpoint, args.split, args.batch_size
('runs/x', 'test', 512)
"""
from __future__ import annotations

import argparse
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
    "Rebuild a model saved by `autograd-core train`, evaluate it on the test split of its "
    "data (rebuilt with the same seed, fractions and standardisation) and print "
    "`test accuracy: 0.xxxx`.")


def add_evaluate_arguments(p: argparse.ArgumentParser) -> None:
    """Add the arguments of ``autograd-core evaluate`` to ``p``.

    >>> p = argparse.ArgumentParser()
    >>> add_evaluate_arguments(p)
    >>> p.parse_args(["run", "--split", "val"]).split
    'val'
    """
    p.add_argument("checkpoint", metavar="CHECKPOINT",
                   help="a checkpoint.npz written by `autograd-core train`, or its run folder, "
                   "or a model.onnx written by `train --export-onnx` (run in ONNX Runtime "
                   "and compared with the checkpoint beside it)")
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
    """Run ``autograd-core evaluate`` with parsed ``args``: print the split's size and loss,
    then ``SPLIT accuracy: 0.xxxx``; returns the exit status.

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
    def error(message: str, code: int = EXIT_USAGE) -> int:
        print("autograd-core evaluate: error: " + " ".join(message.split()), file=sys.stderr)
        return code

    where = f"cannot evaluate {args.checkpoint}"
    is_onnx = str(args.checkpoint).endswith(".onnx")
    try:
        if is_onnx:  # ONNX Runtime on the file, our model from the checkpoint beside it
            res = checkpoints.evaluate_onnx(args.checkpoint, data=args.data,
                                            data_dir=args.data_dir, split=args.split,
                                            batch_size=args.batch_size)
        else:
            res = checkpoints.evaluate_checkpoint(args.checkpoint, data=args.data,
                                                  data_dir=args.data_dir, split=args.split,
                                                  batch_size=args.batch_size)
    except DatasetNotFoundError as e:
        print(f"autograd-core evaluate: error: {e}", file=sys.stderr)
        print("(with autograd-core evaluate, name that folder with --data-dir DIR)",
              file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as e:
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
        return EXIT_INTERRUPTED
    print(f"{res['data']} {res['split']} split: {res['n']} examples, loss {res['loss']:.4f}")
    if is_onnx:
        print(f"onnxruntime {res['split']} accuracy: {res['accuracy']:.4f}")
        print(f"autograd-core {res['split']} accuracy: {res['ours_accuracy']:.4f} "
              f"(same predictions: {res['agreement']:.4f}, logits max abs diff "
              f"{res['max_abs_diff']:.2e})")
    print(f"{res['split']} accuracy: {res['accuracy']:.4f}")
    return EXIT_OK
