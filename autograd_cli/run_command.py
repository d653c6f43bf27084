"""The ``run`` command: an unmodified PyTorch script on autograd-core.

    autograd-core run train.py --epochs 3

``import torch`` (and ``torch.nn``, ``torch.optim``, ``torch.utils.data``, ...) resolves to
autograd-core for that process only; the script's own arguments follow its name. A part of
PyTorch the library does not have ends the run with one line naming it (exit status 2).

>>> import argparse
>>> p = argparse.ArgumentParser(); add_run_arguments(p)
>>> p.parse_args(["train.py", "--epochs", "3"]).args
['--epochs', '3']
"""
from __future__ import annotations

import argparse
import os

from autograd_core.run import run

from .command import EXIT_USAGE, usage_error

__all__ = ["RUN_DESCRIPTION", "add_run_arguments", "run_script"]

RUN_DESCRIPTION = ("Run an unmodified PyTorch script with `import torch` resolved to autograd-core "
                   "(for this process only). Arguments after the script's name are the script's.")


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """The ``run`` command's arguments: the script, then everything for the script.

    >>> p = argparse.ArgumentParser(prog="autograd-core run"); add_run_arguments(p)
    >>> args = p.parse_args(["train.py", "--epochs", "3"])
    >>> args.script, args.args
    ('train.py', ['--epochs', '3'])
    """
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
    if not os.path.isfile(args.script):
        return usage_error(args, "run", f"no such script: {args.script}")
    status = run(args.script, args.args)
    return status if isinstance(status, int) else EXIT_USAGE
