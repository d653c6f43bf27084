"""The ``autograd-core`` command: the parser and the dispatch to each subcommand.

Each subcommand is one ``Subcommand`` entry in ``SUBCOMMANDS``: a name, a help line, a
function that adds its arguments and a function that runs it and returns the exit code,
both in the subcommand's own module. Adding one is writing that module and one line here.

    autograd-core graph "(x + y) * z" x=1 y=-3 z=4 -o graph.svg

>>> from autograd_cli.cli import main
>>> main(["graph", "(x + y) * z", "x=1", "y=-3", "z=4"])
f = (x + y) * z = -8
df/dx = 4
df/dy = 4
df/dz = -2
0
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .command import EXIT_USAGE, Subcommand
from .evaluate_command import EVALUATE_DESCRIPTION, add_evaluate_arguments, run_evaluate
from .graph_command import GRAPH_DESCRIPTION, add_graph_arguments, run_graph
from .run_command import RUN_DESCRIPTION, add_run_arguments, run_script
from .train_command import TRAIN_DESCRIPTION, add_train_arguments, run_train

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

SUBCOMMANDS: list[Subcommand] = [
    Subcommand("graph", "draw an expression's graph and print its gradients",
               add_graph_arguments, run_graph, description=GRAPH_DESCRIPTION),
    Subcommand("train", "train a model on a dataset; write checkpoint, pictures, metrics",
               add_train_arguments, run_train, description=TRAIN_DESCRIPTION),
    Subcommand("evaluate", "re-evaluate a checkpoint saved by `train` on its test split",
               add_evaluate_arguments, run_evaluate, description=EVALUATE_DESCRIPTION),
    Subcommand("run", "run an unmodified PyTorch script on autograd-core",
               add_run_arguments, run_script, description=RUN_DESCRIPTION),
]


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``autograd-core``, one subparser per entry of ``SUBCOMMANDS``.

    >>> build_parser().parse_args(["graph", "x", "x=1"]).values
    ['x=1']
    """
    parser = argparse.ArgumentParser(
        prog="autograd-core",
        description="autograd-core: reverse-mode autodiff with a small PyTorch on top.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in SUBCOMMANDS:
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.description or cmd.help)
        cmd.add_arguments(p)
        p.set_defaults(_run=cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``autograd-core`` with ``argv`` (default: the command line); returns the exit code.

    >>> main(["graph", "2 * w", "w=3"])
    f = 2 * w = 6
    df/dw = 2
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return args._run(args)


if __name__ == "__main__":
    sys.exit(main())
