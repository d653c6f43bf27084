"""``torch.cuda.amp`` (deprecated in PyTorch in favour of ``torch.amp``): the same
``autocast`` and ``GradScaler``, for the CUDA device.

>>> import autograd_core as ag
>>> ag.cuda.amp.GradScaler(enabled=False).is_enabled()
False
"""
from __future__ import annotations

from typing import Any

from .. import amp as _amp


class autocast(_amp.autocast):
    """``torch.cuda.amp.autocast(enabled=True, dtype=torch.float16, cache_enabled=True)``."""

    def __init__(self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True) -> None:
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """``torch.cuda.amp.GradScaler(init_scale=2.**16, ..., enabled=True)``."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


__all__ = ["autocast", "GradScaler"]
