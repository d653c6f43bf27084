"""``torch.accelerator`` without an accelerator: none is available, and the CPU is where
everything runs.

>>> import autograd_core as ag
>>> ag.accelerator.is_available(), ag.accelerator.current_accelerator()
(False, None)
"""
from __future__ import annotations

from typing import Any


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False) -> None:
    return None


def device_count() -> int:
    return 0


def _none(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("Cannot access accelerator device when none is available.")


current_device_index = current_device_idx = set_device_index = set_device_idx = synchronize = _none

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "set_device_index", "synchronize"]
