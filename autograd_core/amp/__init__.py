"""Mixed precision (``torch.amp``): ``autocast`` and ``GradScaler``, for scripts written
for GPUs. Everything here computes in the dtypes it is given: ``autocast`` runs its block
unchanged (on the CPU PyTorch would compute some ops in bfloat16, which NumPy has not),
and ``GradScaler`` is disabled, as PyTorch's is where its device is unavailable.

>>> import autograd_core as ag
>>> scaler = ag.amp.GradScaler("cuda", enabled=True)
>>> scaler.is_enabled()
False
>>> with ag.autocast(device_type="cpu", dtype=ag.float32):
...     (ag.ones(2, 2) @ ag.ones(2, 2)).dtype
dtype('float32')
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

from ..device import device as _device



class autocast:
    """``with autocast(device_type, dtype=None, enabled=True, cache_enabled=None):`` (also a
    decorator). The block runs in the dtypes of its tensors; asking for float16 or
    bfloat16 warns once, as those dtypes have no fast kernels here.

    >>> import autograd_core as ag
    >>> @ag.autocast("cpu")
    ... def f(x):
    ...     return x * 2
    >>> f(ag.ones(1)).tolist()
    [2.0]
    """

    def __init__(self, device_type: Any = "cuda", dtype: Any = None, enabled: bool = True,
                 cache_enabled: Any = None) -> None:
        self.device_type = str(_device(device_type).type if not isinstance(device_type, str)
                               else device_type)
        self.fast_dtype = dtype
        self._enabled = bool(enabled)
        if enabled and dtype is not None and str(dtype) in ("float16", "bfloat16",
                                                            "torch.float16", "torch.bfloat16"):
            warnings.warn("autocast: computing in the dtypes of the tensors: autograd-core has "
                          "no float16/bfloat16 kernels", UserWarning, stacklevel=2)

    def __enter__(self) -> "autocast":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)
        return wrapper


class GradScaler:
    """``GradScaler(device='cuda', init_scale=2.**16, ..., enabled=True)``: loss scaling
    for float16 training on a GPU. Here it is always disabled (PyTorch disables it, with a
    warning, where its device is unavailable): ``scale(loss)`` returns ``loss``, ``step``
    calls ``optimizer.step()``, ``update`` does nothing.

    >>> import autograd_core as ag
    >>> s = ag.amp.GradScaler(enabled=False)
    >>> s.scale(ag.tensor(3.0)).item(), s.get_scale()
    (3.0, 1.0)
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        if enabled:
            warnings.warn(f"torch.amp.GradScaler is enabled, but {device} is not available. "
                          " Disabling.", UserWarning, stacklevel=2)
        self._enabled = False

    def is_enabled(self) -> bool:
        return self._enabled

    def scale(self, outputs: Any) -> Any:
        return outputs

    def unscale_(self, optimizer: Any) -> None:
        pass

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale: Any = None) -> None:
        pass

    def get_scale(self) -> float:
        return 1.0

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        pass


__all__ = ["autocast", "GradScaler"]
