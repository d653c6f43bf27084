"""``autograd-core graph``: run an expression forward and backward with scalar Values,
print the output and every gradient, and draw the graph (the expression is parsed by
:mod:`autograd_cli.expression`, never executed as Python).

    autograd-core graph "(x + y) * z" x=1 y=-3 z=4 -o graph.svg

>>> import argparse
>>> from autograd_cli.graph_command import add_graph_arguments, run_graph
>>> parser = argparse.ArgumentParser(prog="autograd-core graph")
>>> add_graph_arguments(parser)
>>> run_graph(parser.parse_args(["x * x", "x=3"]))
f = x * x = 9
df/dx = 6
0
"""
from __future__ import annotations

import argparse
import keyword
import math
import os
import sys
from typing import Sequence

from autograd_core import Value

from .command import EXIT_FAILED, EXIT_OK, EXIT_USAGE, usage_error
from .expression import FUNCTIONS, EvaluationError, ExpressionError, evaluate

__all__ = ["GRAPH_FORMATS", "GRAPH_DESCRIPTION", "add_graph_arguments", "parse_values",
           "run_graph", "writable_extensions", "output_file"]

# File endings and the renderer's format for each; .dot and .gv are the DOT text, written
# without a renderer. Which pictures can be written depends on the renderer found.
GRAPH_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".jpg": "jpg", ".jpeg": "jpeg",
                 ".gif": "gif", ".webp": "webp", ".eps": "eps", ".ps": "ps",
                 ".dot": "dot", ".gv": "dot"}
GRAPH_DESCRIPTION = (
    "Run an expression forward and backward with scalar Values, print the output and every "
    "gradient, and draw the graph. The expression is parsed safely (never executed as "
    "Python).")


def add_graph_arguments(p: argparse.ArgumentParser) -> None:
    """Add the arguments of ``autograd-core graph`` to ``p``.

    >>> p = argparse.ArgumentParser()
    >>> add_graph_arguments(p)
    >>> p.parse_args(["x + 1", "x=2", "-o", "g.svg"]).output
    'g.svg'
    """
    p.add_argument("expression", help="e.g. \"(x + y) * z\"; numbers, variables, + - * / **, "
                   "parentheses, exp log tanh relu sigmoid (one starting with '-' goes after --)")
    p.add_argument("values", nargs="*", metavar="NAME=VALUE", help="a value for each variable")
    p.add_argument("-o", "--output", metavar="FILE", type=output_file,
                   help=_OutputHelp())
    p.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                   help="left to right (LR, the default) or top to bottom (TB)")
    p.add_argument("--name", default=None, help="the output's name (default: f)")
    p.add_argument("--explain", action="store_true",
                   help="also print the chain rule, step by step, with the numbers")
    p.set_defaults(_parser=p)


def writable_extensions() -> list[str]:
    """The file endings ``-o`` accepts here: the pictures the renderer found (Graphviz's
    ``dot``, else ``graphviz-pure``) can write, and ``.dot``/``.gv`` (the DOT text, all
    there is without a renderer).

    >>> {".dot", ".gv"} <= set(writable_extensions())
    True
    """
    from autograd_core.viz import output_formats
    formats = output_formats()
    return [ext for ext, fmt in GRAPH_FORMATS.items() if fmt == "dot" or fmt in formats]


def output_file(text: str) -> str:
    """The argparse type of ``-o``: ``text`` if its ending is one the renderer here can
    write (:func:`writable_extensions`), else an ``argparse.ArgumentTypeError`` that names
    the renderer and the endings it can write.

    >>> output_file("graph.svg")
    'graph.svg'
    >>> output_file("graph.txt")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: cannot write 'graph.txt': ...
    """
    from autograd_core.viz import renderer_name
    ext = os.path.splitext(text)[1].lower()
    usable = writable_extensions()
    if ext in usable:
        return text
    endings = ", ".join(usable)
    if ext in GRAPH_FORMATS and renderer_name() == "none":
        raise argparse.ArgumentTypeError(
            f"cannot write {text!r}: no graph renderer was found, neither Graphviz's dot nor "
            "graphviz-pure (pip install 'autograd-core[cli]' brings graphviz-pure; "
            "sudo apt-get install graphviz brings dot); without one, write the DOT text: "
            f"{endings}")
    if ext in GRAPH_FORMATS:   # a picture this renderer cannot write (pdf on graphviz-pure)
        raise argparse.ArgumentTypeError(
            f"cannot write {text!r}: the graph renderer here ({renderer_name()}) cannot "
            f"write {ext} files; it writes {endings} (Graphviz's dot also writes .pdf: "
            "sudo apt-get install graphviz)")
    raise argparse.ArgumentTypeError(
        f"cannot write {text!r}: use a file ending in {endings} (the graph renderer here: "
        f"{renderer_name()})")


class _OutputHelp(str):
    """The help of ``-o``, naming the endings of the renderer found when ``--help`` is
    shown (argparse formats it with ``%``), not each time the parser is built."""

    def __new__(cls) -> "_OutputHelp":
        # a '%' in the text: every argparse version formats it, which calls __mod__ below
        return super().__new__(cls, "write the picture (FILE's ending picks the format: "
                               "%(prog)s --help lists those of the renderer found here)")

    def __mod__(self, params: object) -> str:
        from autograd_core.viz import renderer_name
        pictures = [e for e in writable_extensions() if GRAPH_FORMATS[e] != "dot"]
        if not pictures:
            return ("write the DOT text (.dot/.gv); pictures (.svg, .png) need a graph "
                    "renderer, Graphviz's dot or graphviz-pure (pip install "
                    "'autograd-core[cli]'), and none was found")
        return (f"write the picture: {', '.join(pictures)} with the graph renderer here "
                f"({renderer_name()}), or .dot/.gv for the DOT text")


def parse_values(pairs: Sequence[str]) -> dict[str, float]:
    """``{name: number}`` from ``NAME=VALUE`` texts; ``ExpressionError`` for a name that
    cannot be a variable or a value that is not a finite number.

    >>> parse_values(["x=1", "y=-3.5"])
    {'x': 1.0, 'y': -3.5}
    >>> parse_values(["x"])
    Traceback (most recent call last):
    autograd_cli.expression.ExpressionError: expected NAME=VALUE, got 'x'
    """
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


def run_graph(args: argparse.Namespace) -> int:
    """Run ``autograd-core graph`` with parsed ``args``; returns the exit status: 2 for an
    expression or value that is refused, 1 when its numbers fail or the picture cannot be
    written.

    >>> p = argparse.ArgumentParser()
    >>> add_graph_arguments(p)
    >>> run_graph(p.parse_args(["tanh(x)", "x=0", "y=1"]))
    f = tanh(x) = 0
    df/dx = 1
    df/dy = 0  (not used)
    0
    """
    from autograd_core.viz.number_text import fmt

    out_format = None
    if args.output:
        try:  # a parser without output_file as the type of -o checks here
            output_file(args.output)
        except argparse.ArgumentTypeError as e:
            return usage_error(args, "graph", f"argument -o/--output: {e}")
        out_format = GRAPH_FORMATS[os.path.splitext(args.output)[1].lower()]
    try:
        values = parse_values(args.values)
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
        from autograd_core.explain import explain
        print()
        print(explain(root))
    if args.output:
        return _write_picture(root, args, out_format)
    return EXIT_OK


def _leaves(root: Value, values: dict) -> dict:
    """The variables' leaf Values that the expression used, by name."""
    from autograd_core.viz.trace import read_graph
    found = {}
    for node in read_graph(root).nodes:
        if node.is_leaf and node.obj.label in values:
            found[node.obj.label] = node.obj
    return found


def _write_picture(root: Value, args: argparse.Namespace, out_format: str) -> int:
    from autograd_core.viz import GraphvizNotFound, draw_graph
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
