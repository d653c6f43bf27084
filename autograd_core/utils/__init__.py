"""PyTorch's ``torch.utils`` paths, so ported scripts keep their imports:
``import autograd_core.utils.data``, ``from autograd_core.utils.data import DataLoader``,
``from autograd_core.utils.data.dataloader import DataLoader``, and
``from autograd_core.utils.checkpoint import checkpoint`` (activation checkpointing) and
``from autograd_core.utils.tensorboard import SummaryWriter`` (TensorBoard event files).

>>> import autograd_core.utils
>>> autograd_core.utils.data.DataLoader.__module__
'autograd_core.utils.data.dataloader'
>>> autograd_core.utils.checkpoint.checkpoint.__name__
'checkpoint'
"""
from . import checkpoint, data, tensorboard  # noqa: F401
