"""The ``run`` command: an unmodified PyTorch script on autograd-core.

    autograd-core run train.py --epochs 3

``import torch`` (and ``torch.nn``, ``torch.optim``, ``torch.utils.data``, ...) resolves to
autograd-core for that process only; the script's own arguments follow its name. A part of
PyTorch the library does not have ends the run with one line naming it (exit status 2).

    autograd-core run --graph graph.svg train.py --epochs 3

draws the script's first backward pass (modules as clusters named as in the model, tensors
with their shapes; see :mod:`autograd_cli.program_graph`) and stops the script there, as
soon as the picture is written; ``--continue`` lets the script run on to its end, and
``--explain`` also prints the chain rule step by step (for a graph of at most
``EXPLAIN_LIMIT`` ops). The picture's format comes from the file's extension.

>>> import argparse
>>> p = argparse.ArgumentParser(); add_run_arguments(p)
>>> p.parse_args(["train.py", "--epochs", "3"]).args
['--epochs', '3']
"""
from __future__ import annotations

import argparse
import os
import sys

from autograd_core.run import run

from .command import EXIT_FAILED, EXIT_OK, EXIT_USAGE, usage_error
from .graph_command import GRAPH_FORMATS, output_file
from .option_types import positive_int

__all__ = ["RUN_DESCRIPTION", "add_run_arguments", "run_script"]

RUN_DESCRIPTION = ("Run an unmodified PyTorch script with `import torch` resolved to autograd-core "
                   "(for this process only). Arguments after the script's name are the script's. "
                   "With --graph FILE, draw the graph of the script's first backward pass (nn "
                   "modules as clusters named as in the model, tensor shapes) and stop there "
                   "(--continue: run to the end).")


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """The ``run`` command's arguments: the script, then everything for the script.

    >>> p = argparse.ArgumentParser(prog="autograd-core run"); add_run_arguments(p)
    >>> args = p.parse_args(["train.py", "--epochs", "3"])
    >>> args.script, args.args
    ('train.py', ['--epochs', '3'])
    """
    from .program_graph import PROGRAM_MAX_NODES, EXPLAIN_LIMIT
    p.add_argument("--graph", metavar="FILE",
                   help="draw the first backward pass: " + ", ".join(GRAPH_FORMATS) +
                   " (.dot: the DOT text); the script stops after it unless --continue")
    p.add_argument("--continue", dest="keep_running", action="store_true",
                   help="with --graph: run the script to its end after drawing")
    p.add_argument("--explain", action="store_true",
                   help="with --graph: also print the chain rule step by step (graphs of at "
                   f"most {EXPLAIN_LIMIT} ops)")
    p.add_argument("--values", dest="show_values", action="store_true",
                   help="with --graph: also write each tensor's values and gradient (summarised)")
    p.add_argument("--max-nodes", type=positive_int, default=PROGRAM_MAX_NODES, metavar="N",
                   help="with --graph: collapse modules (deepest level that fits), then chains "
                   f"of ops, until at most N boxes remain (default: {PROGRAM_MAX_NODES})")
    p.add_argument("script", help="a Python file written for PyTorch")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")
    p.set_defaults(_parser=p)


def run_script(args: argparse.Namespace) -> int:
    """Run ``args.script`` with ``args.args``; the script's exit status, or 2.

    >>> import contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     run_script(argparse.Namespace(script="no_such_script.py", args=[]))
    2
    >>> err.getvalue()
    'autograd-core run: error: no such script: no_such_script.py\\n'
    """
    graph = getattr(args, "graph", None)
    for flag, option in (("keep_running", "--continue"), ("explain", "--explain"),
                         ("show_values", "--values")):
        if getattr(args, flag, False) and graph is None:
            return usage_error(args, "run", f"{option} goes with --graph FILE")
    out_format = None
    if graph is not None:
        out_format = GRAPH_FORMATS.get(os.path.splitext(graph)[1].lower())
        if out_format is None:   # not a graph format at all: the endings usable here
            try:
                output_file(graph)
            except argparse.ArgumentTypeError as error:
                return usage_error(args, "run", str(error))
    if not os.path.isfile(args.script):
        return usage_error(args, "run", f"no such script: {args.script}")
    if out_format is not None:
        problem = _cannot_render(out_format)
        if problem is not None:  # said before the script runs, not after
            print(f"autograd-core run: cannot write {graph}: {problem[1]}", file=sys.stderr)
            return problem[0]
    if graph is None:
        status = run(args.script, args.args)
        return status if isinstance(status, int) else EXIT_USAGE
    return _run_with_graph(args, graph, out_format)


def _cannot_render(out_format: str) -> tuple[int, str] | None:
    """None when the active renderer writes ``out_format`` (tried on an empty graph);
    otherwise the exit status and why: 1 with no renderer, 2 for a format it refuses.

    >>> _cannot_render("dot") is None      # the DOT text needs no renderer
    True
    """
    if out_format == "dot":
        return None
    from autograd_core.viz import GraphPicture, GraphvizNotFound
    try:
        GraphPicture().pipe(format=out_format)
    except GraphvizNotFound as e:
        return EXIT_FAILED, str(e)
    except Exception as e:  # the renderer refusing the format: its stderr lists its formats
        stderr = getattr(e, "stderr", None)
        said = stderr.decode("utf-8", "replace").strip() if isinstance(stderr, bytes) else ""
        return EXIT_USAGE, said or str(e)
    return None


def _run_with_graph(args: argparse.Namespace, graph: str, out_format: str) -> int:
    from .program_graph import FirstBackward
    capture = FirstBackward(graph, out_format, keep_running=args.keep_running,
                            explain=args.explain, max_nodes=args.max_nodes,
                            show_values=args.show_values)
    with capture:
        status = run(args.script, args.args)
    status = status if isinstance(status, int) else EXIT_USAGE
    if capture.error is not None:
        print(f"autograd-core run: {capture.error}", file=sys.stderr)
        return EXIT_FAILED
    if not capture.captured:
        if status == EXIT_OK:
            print(f"autograd-core run: {args.script} never called backward(): no graph to draw "
                  f"({graph} not written)", file=sys.stderr)
            return EXIT_FAILED
        return status
    stopped = "" if args.keep_running else "; the script was stopped there (--continue runs it to the end)"
    print(f"wrote {graph}: the first backward pass, {capture.n_ops:,} ops{stopped}",
          file=sys.stderr)
    return status
