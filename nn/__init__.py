"""``nn``: modules, layers, losses and models on top of ``autograd_core``, as
``torch.nn``.

>>> import autograd_core as ag
>>> from autograd_core import nn
>>> import autograd_core.nn.functional as F
>>> model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
>>> x, y = ag.randn(64, 784), ag.randint(0, 10, (64,))
>>> loss = F.cross_entropy(model(x), y)
>>> model.zero_grad()
>>> loss.backward()
>>> model[0].weight.grad.shape
(256, 784)
"""

if __name__ != "autograd_core.nn":
    # This folder is the package autograd_core.nn. Imported under another name (a top-level
    # `nn`, from the repository's root) it would be a second copy of every class.
    raise ImportError(f"the folder {__path__[0]} is autograd_core.nn: import it as "
                      f"`from autograd_core import nn`, not as `{__name__}`")

from . import functional, init, modules, parallel, utils
from .models import CNN, MLP, ResidualBlock, ResNet
# every layer, under the names modules.__all__ lists (the one list of them)
from .modules import *  # noqa: F401,F403
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = [
    "functional", "init", "utils",
    "Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer",
    "MLP", "CNN", "ResidualBlock", "ResNet",
    *modules.__all__,
]
