"""The types that check option values of ``autograd-core`` commands, for argparse's
``type=``: each returns the value, or raises ``argparse.ArgumentTypeError`` with a
message that says what was expected (argparse turns it into a usage error, exit status 2).

>>> import argparse
>>> from autograd_cli.option_types import positive_int
>>> p = argparse.ArgumentParser(prog="demo")
>>> _ = p.add_argument("--epochs", type=positive_int)
>>> p.parse_args(["--epochs", "3"]).epochs
3
"""
from __future__ import annotations

import argparse
import math
import os
from typing import Callable

__all__ = ["positive_int", "nonnegative_int", "positive_float", "nonnegative_float",
           "fraction", "existing_dir"]


def _whole_number(text: str, low: int, below: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < low:
        raise argparse.ArgumentTypeError(f"{below}, got {v}")
    return v


def _number(text: str, ok: Callable[[float], bool], rule: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not ok(v):
        raise argparse.ArgumentTypeError(f"{rule}, got {text}")
    return v


def positive_int(text: str) -> int:
    """A whole number, 1 or more.

    >>> positive_int("2")
    2
    >>> positive_int("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be at least 1, got 0
    """
    return _whole_number(text, 1, "must be at least 1")


def nonnegative_int(text: str) -> int:
    """A whole number, 0 or more.

    >>> nonnegative_int("0")
    0
    >>> nonnegative_int("two")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: expected a whole number, got 'two'
    """
    return _whole_number(text, 0, "must be 0 or more")


def positive_float(text: str) -> float:
    """A finite number above 0.

    >>> positive_float("1e-3")
    0.001
    >>> positive_float("nan")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be a positive number, got nan
    """
    return _number(text, lambda v: v > 0 and v < math.inf, "must be a positive number")


def nonnegative_float(text: str) -> float:
    """A finite number, 0 or above.

    >>> nonnegative_float("0")
    0.0
    >>> nonnegative_float("-0.1")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be 0 or a positive number, got -0.1
    """
    return _number(text, lambda v: v >= 0 and v < math.inf, "must be 0 or a positive number")


def fraction(text: str) -> float:
    """A number between 0 and 1, both excluded.

    >>> fraction("0.2")
    0.2
    >>> fraction("1")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be between 0 and 1 (exclusive), got 1
    """
    return _number(text, lambda v: 0 < v < 1, "must be between 0 and 1 (exclusive)")


def existing_dir(text: str) -> str:
    """The name of a folder that exists.

    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> existing_dir(d) == d
    True
    >>> existing_dir("/no/such/folder")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: '/no/such/folder' does not exist
    """
    if not os.path.isdir(text):
        what = "is a file, not a folder" if os.path.exists(text) else "does not exist"
        raise argparse.ArgumentTypeError(f"{text!r} {what}")
    return text
