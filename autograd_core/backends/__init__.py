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
