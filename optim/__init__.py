"""``optim``: optimizers, learning-rate schedulers and early stopping, as ``torch.optim``.

Optimizers know Parameters and their ``.grad``, nothing of graphs: ``step()`` updates the
arrays behind the parameters in place. Update rules are PyTorch's, to float64 precision.

>>> import autograd_core as ag
>>> from autograd_core import optim
>>> w = ag.tensor([1.0, -2.0], requires_grad=True)
>>> opt = optim.Adam([w], lr=0.1)
>>> sched = optim.lr_scheduler.StepLR(opt, step_size=10)
>>> for _ in range(3):
...     opt.zero_grad()
...     loss = (w * w).sum()
...     loss.backward()
...     opt.step()
...     sched.step()
>>> bool((w.detach().abs() < ag.tensor([1.0, 2.0])).all())
True
"""

if __name__ != "autograd_core.optim":
    # This folder is the package autograd_core.optim. Imported under another name (a top-level
    # `optim`, from the repository's root) it would be a second copy of every class.
    raise ImportError(f"the folder {__path__[0]} is autograd_core.optim: import it as "
                      f"`from autograd_core import optim`, not as `{__name__}`")

from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .early_stopping import EarlyStopping
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
           "NAdam", "RAdam", "LBFGS", "EarlyStopping", "lr_scheduler"]
