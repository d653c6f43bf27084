"""Learning-rate schedulers, as ``torch.optim.lr_scheduler``.

A scheduler rewrites ``group['lr']`` of its optimizer's parameter groups each time its
``step()`` is called (once per epoch, after ``optimizer.step()``). The values match PyTorch's
exactly, including its recursive ("chainable") forms. One module per family:

* ``base``: ``LRScheduler``, the base class, and the checks the schedulers share;
* ``multiplicative``: the initial rate times a factor of the epoch (``LambdaLR``,
  ``MultiplicativeLR``, ``StepLR``, ``MultiStepLR``, ``ExponentialLR``, ``ConstantLR``,
  ``LinearLR``, ``PolynomialLR``);
* ``cosine``: ``CosineAnnealingLR``, ``CosineAnnealingWarmRestarts``;
* ``cyclic``: ``CyclicLR``, ``OneCycleLR`` (per batch, cycling the momentum too);
* ``plateau``: ``ReduceLROnPlateau`` (follows a metric);
* ``chain``: ``SequentialLR``, ``ChainedScheduler`` (schedulers made of schedulers).

Import them from here, as from ``torch.optim.lr_scheduler``.

>>> import autograd_core as ag
>>> from autograd_core.optim import SGD
>>> from autograd_core.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
>>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
>>> warmup = LinearLR(opt, start_factor=0.5, total_iters=2)
>>> s = SequentialLR(opt, [warmup, CosineAnnealingLR(opt, T_max=2)], milestones=[2])
>>> lrs = [s.get_last_lr()[0]]
>>> for epoch in range(4):
...     opt.step(); s.step(); lrs.append(round(s.get_last_lr()[0], 10))
>>> lrs
[0.5, 0.75, 1.0, 0.5, 0.0]
"""
from ..optimizer import Optimizer  # noqa: F401  (importable from here, as from PyTorch's)
from .base import EPOCH_DEPRECATION_WARNING, LRScheduler  # noqa: F401  (a public name here)
from .chain import ChainedScheduler, SequentialLR
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .cyclic import CyclicLR, OneCycleLR
from .multiplicative import (ConstantLR, ExponentialLR, LambdaLR, LinearLR, MultiplicativeLR,
                             MultiStepLR, PolynomialLR, StepLR)
from .plateau import ReduceLROnPlateau

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR",
           "ConstantLR", "LinearLR", "ExponentialLR", "SequentialLR", "PolynomialLR",
           "CosineAnnealingLR", "ChainedScheduler", "ReduceLROnPlateau", "CyclicLR",
           "CosineAnnealingWarmRestarts", "OneCycleLR"]
