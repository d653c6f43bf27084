"""``torch.nn.parallel``: ``DataParallel`` (the module itself on a machine without GPUs),
``data_parallel`` and ``DistributedDataParallel`` (which needs a process group); the
classes live in ``modules/data_parallel.py``.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.parallel.DataParallel(nn.Linear(2, 1))(ag.ones(3, 2)).shape
(3, 1)
"""
from __future__ import annotations

from .modules.data_parallel import DataParallel, DistributedDataParallel, data_parallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
