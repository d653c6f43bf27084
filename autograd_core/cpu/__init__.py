"""``torch.cpu``: the CPU as a device module (the one device here), as PyTorch's.

>>> import autograd_core as ag
>>> ag.cpu.is_available(), ag.cpu.device_count(), ag.cpu.current_device()
(True, 1, 'cpu')
"""
from __future__ import annotations

from typing import Any

from . import amp


def is_available() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def synchronize(device: Any = None) -> None:
    """Nothing to wait for: CPU work is done when its call returns."""


__all__ = ["amp", "is_available", "device_count", "current_device", "synchronize"]
