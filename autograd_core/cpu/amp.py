"""``torch.cpu.amp`` (deprecated in PyTorch in favour of ``torch.amp``): ``autocast`` for
the CPU device.

>>> import autograd_core as ag
>>> with ag.cpu.amp.autocast(enabled=False):
...     (ag.ones(1) * 2).tolist()
[2.0]
"""
from __future__ import annotations

from typing import Any

from .. import amp as _amp


class autocast(_amp.autocast):
    """``torch.cpu.amp.autocast(enabled=True, dtype=torch.bfloat16, cache_enabled=True)``."""

    def __init__(self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True) -> None:
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


__all__ = ["autocast"]
