"""PyTorch's ``torch.utils`` paths, so ported scripts keep their imports:
``import autograd_core.utils.data``, ``from autograd_core.utils.data import DataLoader``,
``from autograd_core.utils.data.dataloader import DataLoader``.

>>> import autograd_core.utils
>>> autograd_core.utils.data.DataLoader.__module__
'autograd_core.utils.data.dataloader'
"""
from . import data  # noqa: F401
