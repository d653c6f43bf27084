"""``DataParallel`` and ``data_parallel`` as PyTorch has them on a machine without GPUs,
and ``DistributedDataParallel``, which needs a process group (never started here).

PyTorch's ``DataParallel`` splits a batch over its CUDA devices; with none (a CPU-only
build, as this library) it keeps no devices and its forward calls the wrapped module
directly. The wrapped module is ``.module``, so its parameters appear under
``module.`` in ``state_dict()``, as PyTorch's checkpoints of wrapped models have them.
``data_parallel``, the functional form, needs a GPU: PyTorch raises
``RuntimeError: device type could not be determined`` on CPU, and so does this.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> net = nn.DataParallel(nn.Linear(2, 3))
>>> net(ag.ones(4, 2)).shape, list(net.state_dict())
((4, 3), ['module.weight', 'module.bias'])
"""
from __future__ import annotations

from typing import Any, Sequence

from .module import Module

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]


class DataParallel(Module):
    """Wraps ``module``; with no GPU (always, here) ``device_ids`` is empty and ``forward``
    is ``module(*inputs, **kwargs)``, as PyTorch's on a CPU-only machine.

    >>> import autograd_core.nn as nn
    >>> nn.DataParallel(nn.ReLU())
    DataParallel(
      (module): ReLU()
    )
    """

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None,
                 output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        # PyTorch's DataParallel without an accelerator: no devices, no other attributes
        self.module = module
        self.device_ids: list = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs: Any, device_ids: Sequence[Any] | None = None,
                  output_device: Any = None, dim: int = 0, module_kwargs: Any = None) -> Any:
    """PyTorch's functional data parallelism, which needs a GPU: on a CPU-only machine it
    raises ``RuntimeError('device type could not be determined')``, as here."""
    raise RuntimeError("device type could not be determined")


class DistributedDataParallel(Module):
    """PyTorch's DDP wrapper. It needs a process group, which this one-process library never
    starts: making one raises PyTorch's error for a missing group (a script wraps its model
    only when launched by ``torchrun``, so it runs here unwrapped).

    >>> import autograd_core.nn as nn
    >>> nn.parallel.DistributedDataParallel(nn.Linear(1, 1))
    Traceback (most recent call last):
    ...
    ValueError: Default process group has not been initialized, please make sure to call init_process_group.
    """

    def __init__(self, module: Module, *args: Any, **kwargs: Any) -> None:
        raise ValueError("Default process group has not been initialized, please make sure "
                         "to call init_process_group.")
