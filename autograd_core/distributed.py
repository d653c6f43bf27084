"""``torch.distributed`` for a program that imports it but trains in one process.

Training scripts import ``init_process_group`` and friends at the top and start a process
group only when launched by ``torchrun`` (``RANK`` set); nanoGPT's ``train.py`` does. Here
every name is there, ``is_available()`` and ``is_initialized()`` are False, and what needs
a process group raises PyTorch's error for a group never started (``ValueError: Default
process group has not been initialized...``); ``init_process_group`` says that this
library trains in one process.

>>> import autograd_core as ag
>>> ag.distributed.is_available(), ag.distributed.is_initialized()
(False, False)
>>> ag.distributed.get_rank()
Traceback (most recent call last):
...
ValueError: Default process group has not been initialized, please make sure to call init_process_group.
"""
from __future__ import annotations

import enum
from typing import Any

__all__ = ["is_available", "is_initialized", "is_nccl_available", "is_gloo_available",
           "is_mpi_available", "is_torchelastic_launched", "init_process_group",
           "destroy_process_group", "get_rank", "get_world_size", "get_backend", "barrier",
           "all_reduce", "all_gather", "all_gather_object", "broadcast", "broadcast_object_list",
           "reduce", "reduce_scatter", "gather", "scatter", "new_group", "ReduceOp"]

_NO_GROUP = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")


class ReduceOp(enum.Enum):
    """The reductions PyTorch's collectives take (``dist.ReduceOp.SUM``, ...)."""

    SUM = 0
    PRODUCT = 1
    MIN = 2
    MAX = 3
    BAND = 4
    BOR = 5
    BXOR = 6
    AVG = 7


def is_available() -> bool:
    """False: no process-group backend is built in (PyTorch says the same on such a build)."""
    return False


def is_initialized() -> bool:
    """False: no process group is ever started here."""
    return False


# nor is any backend there, or a torchrun launch
is_nccl_available = is_gloo_available = is_mpi_available = is_torchelastic_launched = \
    is_initialized


def init_process_group(*args: Any, **kwargs: Any) -> None:
    """Refused: training runs in one process here (launch without ``torchrun``, or run the
    script under PyTorch for several processes)."""
    raise RuntimeError("init_process_group: autograd-core trains in one process and has no "
                       "process-group backend; launch the script without torchrun (RANK "
                       "unset), or run it under PyTorch for distributed training")


def destroy_process_group(group: Any = None) -> None:
    raise AssertionError("Process group cannot be None")


def _needs_group(*args: Any, **kwargs: Any) -> Any:
    raise ValueError(_NO_GROUP)


get_rank = get_world_size = get_backend = barrier = _needs_group
all_reduce = all_gather = all_gather_object = broadcast = broadcast_object_list = _needs_group
reduce = reduce_scatter = gather = scatter = new_group = _needs_group
