"""Short, stable text for numbers, arrays and shapes, as the pictures and the explainer show them.

>>> import numpy as np
>>> from autograd_core.viz.number_text import fmt, summary, shape_text
>>> fmt(-8.0), fmt(0.7310585786300049), fmt(-0.0)
('-8', '0.7311', '0')
>>> summary(np.array([1.0, 2.5, -3.0]))
'[1, 2.5, -3]'
>>> shape_text(np.zeros((3, 4), dtype=np.float32))
'(3, 4) float32'
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

SHOWN_ITEMS = 6  # arrays up to this many numbers are shown in full


def fmt(x: Any, digits: int = 4) -> str:
    """A number with ``digits`` significant digits, without trailing zeros."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def _nested(a: np.ndarray) -> str:
    if a.ndim == 0:
        return fmt(a.item())
    return "[" + ", ".join(_nested(row) for row in a) + "]"


def summary(a: Any) -> str:
    """The numbers of a small array, or a summary (mean and std, or min and max) of a big one."""
    a = np.asarray(a)
    if a.size == 0:
        return "empty"
    if a.size <= SHOWN_ITEMS:
        return _nested(a)
    if a.dtype == np.bool_:
        return f"{int(a.sum())} of {a.size} true"
    if a.dtype.kind in "fc":
        with np.errstate(all="ignore"):
            return f"mean {fmt(a.mean())}, std {fmt(a.std())}"
    return f"min {fmt(a.min())}, max {fmt(a.max())}"


def summary_lines(a: Any) -> list[str]:
    """Like ``summary``, but a small matrix gives one line per row, as written on a board.

    >>> summary_lines(np.array([[1.0, 2.0], [3.0, 4.0]]))
    ['[1, 2]', '[3, 4]']
    """
    a = np.asarray(a)
    if a.ndim == 2 and 1 < a.shape[0] and 0 < a.size <= SHOWN_ITEMS:
        return [_nested(row) for row in a]
    return [summary(a)]


def shape_text(a: Any) -> str:
    """``(3, 4) float32``; ``scalar float32`` for a 0-d array."""
    a = np.asarray(a)
    shape = "scalar" if a.ndim == 0 else str(tuple(int(d) for d in a.shape))
    return f"{shape} {a.dtype}"
