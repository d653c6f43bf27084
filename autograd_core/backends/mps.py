"""``torch.backends.mps``: Apple's GPUs are neither built in nor available.

>>> from autograd_core.backends import mps
>>> mps.is_available(), mps.is_built()
(False, False)
"""
from __future__ import annotations


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
