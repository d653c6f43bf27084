"""``torch.cuda`` on a build without CUDA: ``is_available()`` is False, seeding is
silently ignored (as PyTorch documents), and anything that needs a GPU raises PyTorch's
``AssertionError: Torch not compiled with CUDA enabled``.

>>> import autograd_core as ag
>>> ag.cuda.is_available(), ag.cuda.device_count()
(False, 0)
>>> ag.cuda.manual_seed_all(0)
"""
from __future__ import annotations

from typing import Any

from . import amp
from ..tensor.legacy import CUDA_TYPES as _CUDA_TYPES

globals().update(_CUDA_TYPES)  # FloatTensor, LongTensor, ...: exist, cannot be made


def _no_cuda(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("Torch not compiled with CUDA enabled")


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Ignored: there is no GPU generator to seed."""


manual_seed_all = manual_seed


def seed() -> None:
    """Ignored: there is no GPU generator to seed."""


seed_all = seed


def empty_cache() -> None:
    """Nothing to release: there is no GPU memory."""


current_device = set_device = synchronize = get_device_name = get_device_properties = \
    get_device_capability = memory_allocated = max_memory_allocated = memory_reserved = \
    reset_peak_memory_stats = _no_cuda

__all__ = ["is_available", "device_count", "is_initialized", "is_bf16_supported", "manual_seed",
           "manual_seed_all", "seed", "seed_all", "empty_cache", "current_device", "set_device",
           "synchronize", "get_device_name", "get_device_properties", "get_device_capability",
           "memory_allocated", "max_memory_allocated", "memory_reserved",
           "reset_peak_memory_stats", "amp"]
