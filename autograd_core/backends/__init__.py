"""``torch.backends``: the switches scripts set for GPU and CPU libraries. They are
accepted and remembered (nothing here uses cuDNN, TF32 or MPS), and each ``is_available``
says False.

>>> import autograd_core as ag
>>> ag.backends.cudnn.benchmark = True
>>> ag.backends.cudnn.is_available(), ag.backends.mps.is_available()
(False, False)
"""
from __future__ import annotations

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]

_matmul_precision = ["highest"]


def set_float32_matmul_precision(precision: str) -> None:
    """``torch.set_float32_matmul_precision``: 'highest', 'high' or 'medium'. Remembered;
    float32 matmuls here always run in full float32 precision ('highest').

    >>> import autograd_core as ag
    >>> ag.set_float32_matmul_precision("high"); ag.get_float32_matmul_precision()
    'high'
    >>> ag.set_float32_matmul_precision("highest")
    """
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision {precision!r}: expected 'highest', 'high' or "
                           "'medium'")
    _matmul_precision[0] = precision


def get_float32_matmul_precision() -> str:
    return _matmul_precision[0]


__all__ += ["set_float32_matmul_precision", "get_float32_matmul_precision"]

_deterministic = [False, False]   # (mode, warn_only)


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """``torch.use_deterministic_algorithms``: remembered. Every op here is deterministic
    already (the same inputs give the same bits, threads or not), so nothing changes.

    >>> import autograd_core as ag
    >>> ag.use_deterministic_algorithms(True); ag.are_deterministic_algorithms_enabled()
    True
    >>> ag.use_deterministic_algorithms(False)
    """
    _deterministic[:] = [bool(mode), bool(warn_only)]


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic[1]


__all__ += ["use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
            "is_deterministic_algorithms_warn_only_enabled"]
