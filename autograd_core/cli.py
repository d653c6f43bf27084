"""The ``autograd-core`` command.

Each subcommand is one ``Subcommand`` entry in ``SUBCOMMANDS``: a name, a help
line, a function that adds its arguments and a function that runs it and
returns the exit code. Adding one is writing those two functions and one line.

    autograd-core graph "(x + y) * z" x=1 y=-3 z=4 -o graph.svg

>>> from autograd_core.cli import main
>>> main(["graph", "(x + y) * z", "x=1", "y=-3", "z=4"])
f = (x + y) * z = -8
df/dx = 4
df/dy = 4
df/dz = -2
0
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import dataclass
from typing import Callable, Sequence

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Subcommand:
    """One ``autograd-core NAME ...`` command."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: str = ""


# ------------------------------------------------------------------ graph
GRAPH_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


def _graph_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("expression", help="e.g. \"(x + y) * z\"; numbers, variables, + - * / **, "
                   "parentheses, exp log tanh relu sigmoid (one starting with '-' goes after --)")
    p.add_argument("values", nargs="*", metavar="NAME=VALUE", help="a value for each variable")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the picture: .svg, .png, .pdf, or .dot for the DOT text")
    p.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                   help="left to right (LR, the default) or top to bottom (TB)")
    p.add_argument("--name", default=None, help="the output's name (default: f)")
    p.add_argument("--explain", action="store_true",
                   help="also print the chain rule, step by step, with the numbers")


def _parse_values(pairs: Sequence[str]) -> dict[str, float]:
    from .expression import FUNCTIONS, ExpressionError
    import keyword
    values: dict[str, float] = {}
    for pair in pairs:
        name, eq, text = pair.partition("=")
        name = name.strip()
        if not eq:
            raise ExpressionError(f"expected NAME=VALUE, got {pair!r}")
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise ExpressionError(f"{name!r} is not a usable variable name")
        if name in FUNCTIONS:
            raise ExpressionError(f"{name!r} is a function name; choose another variable name")
        if name in values:
            raise ExpressionError(f"{name!r} is given twice")
        try:
            number = float(text)
        except ValueError:
            raise ExpressionError(f"the value of {name} must be a number, got {text!r}") from None
        if not math.isfinite(number):
            raise ExpressionError(f"the value of {name} must be a finite number, got {text!r}")
        values[name] = number
    return values


def _graph(args: argparse.Namespace) -> int:
    from .expression import EvaluationError, ExpressionError, evaluate
    from .viz.number_text import fmt

    out_format = None
    if args.output:
        out_format = GRAPH_FORMATS.get(os.path.splitext(args.output)[1].lower())
        if out_format is None:
            print(f"autograd-core graph: error: cannot write {args.output!r}: use a file ending "
                  "in " + ", ".join(GRAPH_FORMATS), file=sys.stderr)
            return EXIT_USAGE
    try:
        values = _parse_values(args.values)
        root = evaluate(args.expression, values)
    except ExpressionError as e:
        print(f"autograd-core graph: refused: {e}", file=sys.stderr)
        return EXIT_USAGE
    except EvaluationError as e:
        print(f"autograd-core graph: cannot evaluate {args.expression!r}: {e}", file=sys.stderr)
        return EXIT_FAILED
    name = args.name or ("f" if "f" not in values else "out")
    root.label = name
    root.backward()
    print(f"{name} = {' '.join(args.expression.split())} = {fmt(root.data, 6)}")
    leaves = _leaves(root, values)
    for var in values:
        grad = leaves[var].grad if var in leaves else 0.0
        note = "" if var in leaves else "  (not used)"
        print(f"d{name}/d{var} = {fmt(grad, 6)}{note}")
    if args.explain:
        from .explain import explain
        print()
        print(explain(root))
    if args.output:
        return _write_picture(root, args, out_format)
    return EXIT_OK


def _leaves(root, values: dict) -> dict:
    """The variables' leaf Values that the expression used, by name."""
    from .viz.trace import read_graph
    found = {}
    for node in read_graph(root).nodes:
        if node.is_leaf and node.obj.label in values:
            found[node.obj.label] = node.obj
    return found


def _write_picture(root, args: argparse.Namespace, out_format: str) -> int:
    from .viz import GraphvizNotFound, draw_graph
    graph = draw_graph(root, rankdir=args.rankdir)
    try:
        if out_format == "dot":
            data = graph.source.encode("utf-8")
        else:
            if out_format == "png":
                graph.graph_attr["dpi"] = "150"  # sharp when projected
            data = graph.pipe(format=out_format)
        with open(args.output, "wb") as f:
            f.write(data)
    except GraphvizNotFound as e:
        print(f"autograd-core graph: {e}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as e:  # dot failing, or the file not writable
        print(f"autograd-core graph: could not write {args.output}: {e}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {args.output}")
    return EXIT_OK


# -------------------------------------------------------------- registry
SUBCOMMANDS: list[Subcommand] = [
    Subcommand("graph", "draw an expression's graph and print its gradients", _graph_arguments,
               _graph, description="Run an expression forward and backward with scalar Values, "
               "print the output and every gradient, and draw the graph. The expression is "
               "parsed safely (never executed as Python)."),
]

from . import cli_train as _cli_train  # noqa: E402  (train/evaluate live in cli_train.py)

SUBCOMMANDS += [
    Subcommand("train", "train a model on a dataset; write checkpoint, pictures, metrics",
               _cli_train.add_train_arguments, _cli_train.run_train,
               description=_cli_train.TRAIN_DESCRIPTION),
    Subcommand("evaluate", "re-evaluate a checkpoint saved by `train` on its test split",
               _cli_train.add_evaluate_arguments, _cli_train.run_evaluate,
               description=_cli_train.EVALUATE_DESCRIPTION),
]


def build_parser() -> argparse.ArgumentParser:
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
    """Run ``autograd-core`` with ``argv`` (default: the command line); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return args._run(args)


if __name__ == "__main__":
    sys.exit(main())
