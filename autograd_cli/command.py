"""What a subcommand of ``autograd-core`` is: its :class:`Subcommand` record in the
registry (``autograd_cli.cli.SUBCOMMANDS``) and the exit statuses it returns.

Rule: every command returns one of these statuses; a refusal (bad options, a setting or a
file the command will not work with) is one error line on stderr and ``EXIT_USAGE``.

>>> from autograd_cli.command import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
>>> EXIT_OK, EXIT_USAGE, EXIT_INTERRUPTED
(0, 2, 130)
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Callable

__all__ = ["Subcommand", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_INTERRUPTED",
           "usage_error"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class Subcommand:
    """One ``autograd-core NAME ...`` command: a name, a help line, a function that adds
    its arguments and a function that runs it and returns the exit status.

    >>> hello = Subcommand("hello", "say hello", lambda p: None, lambda args: EXIT_OK)
    >>> hello.run(argparse.Namespace())
    0
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: str = ""


def usage_error(args: argparse.Namespace, command: str, message: str) -> int:
    """An argparse-style error for problems found after parsing: the usage of the parser
    saved in ``args._parser`` (if any), ``autograd-core COMMAND: error: MESSAGE``, and
    ``EXIT_USAGE``; all on stderr.

    >>> import contextlib, io
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     usage_error(argparse.Namespace(), "train", "no such thing")
    2
    >>> err.getvalue()
    'autograd-core train: error: no such thing\\n'
    """
    parser = getattr(args, "_parser", None)
    if parser is not None:
        parser.print_usage(sys.stderr)
    print(f"autograd-core {command}: error: {message}", file=sys.stderr)
    return EXIT_USAGE
