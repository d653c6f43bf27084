"""Cosine annealing: ``CosineAnnealingLR`` and, with warm restarts, ``CosineAnnealingWarmRestarts``.

Both follow half a cosine from the base rate down to ``eta_min`` over a period of ``T``
epochs, ``eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T)) / 2``; ``CosineAnnealingLR``
goes on past ``T`` (the rate rises again), ``CosineAnnealingWarmRestarts`` starts over.

>>> import autograd_core as ag
>>> from autograd_core.optim import SGD
>>> from autograd_core.optim.lr_scheduler import CosineAnnealingLR
>>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
>>> s = CosineAnnealingLR(opt, T_max=4, eta_min=0.5)
>>> out = []
>>> for _ in range(4):
...     opt.step(); s.step(); out.append(round(s.get_last_lr()[0], 4))
>>> out
[0.9268, 0.75, 0.5732, 0.5]
"""
from __future__ import annotations

import math
from typing import List, Optional

from ..optimizer import Optimizer
from .base import LRScheduler

__all__ = ["CosineAnnealingLR", "CosineAnnealingWarmRestarts"]


def _annealed(base: float, eta_min: float, t: float, T: float) -> float:
    """The rate ``t`` epochs into a period of ``T`` that anneals ``base`` to ``eta_min``."""
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / T)) / 2


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the initial rate to ``eta_min`` over ``T_max`` epochs.

    Follows PyTorch's recursive form, which equals the closed form
    ``eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2`` (up to rounding)
    when nothing else changes the rate; past ``T_max`` it rises again, as PyTorch's.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import CosineAnnealingLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = CosineAnnealingLR(opt, T_max=2)
    >>> out = []
    >>> for _ in range(2):
    ...     opt.step(); s.step(); out.append(round(s.get_last_lr()[0], 10))
    >>> out
    [0.5, 0.0]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        self._warn_get_lr()
        e, T, lo = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current()
        if self._step_count == 1 and e > 0:
            return [_annealed(base, lo, e, T) for base in self.base_lrs]
        if (e - 1 - T) % (2 * T) == 0:
            return [group["lr"] + (base - lo) * (1 - math.cos(math.pi / T)) / 2
                    for base, group in zip(self.base_lrs, self.optimizer.param_groups)]
        return [(1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T))
                * (group["lr"] - lo) + lo
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> List[float]:
        return [_annealed(base, self.eta_min, self.last_epoch, self.T_max)
                for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing from the base rate to ``eta_min`` over ``T_i`` epochs, then a restart
    (SGDR); the period starts at ``T_0`` and is multiplied by ``T_mult`` at each restart.

    ``step(epoch)`` accepts fractional epochs (e.g. ``epoch + batch / n_batches``) and jumps
    there, so the rate can follow batches within an epoch.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import CosineAnnealingWarmRestarts
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    >>> out = []
    >>> for _ in range(4):
    ...     opt.step(); s.step(); out.append(round(s.get_last_lr()[0], 10))
    >>> out
    [0.5, 1.0, 0.8535533906, 0.5]
    >>> s.step(0.5); round(s.get_last_lr()[0], 10)
    0.8535533906
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: Expected positive integer T_0, "
                             f"but got {T_0!r}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"CosineAnnealingWarmRestarts: Expected integer T_mult >= 1, "
                             f"but got {T_mult!r}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"CosineAnnealingWarmRestarts: Expected float or int eta_min, "
                             f"but got {eta_min!r} of type {type(eta_min).__name__}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        self._warn_get_lr()
        return [_annealed(base, self.eta_min, self.T_cur, self.T_i) for base in self.base_lrs]

    def step(self, epoch: Optional[float] = None) -> None:
        """Advance one epoch, or jump to ``epoch`` (which may be fractional)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"CosineAnnealingWarmRestarts: Expected non-negative epoch, "
                                 f"but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        self._set_lrs_from(self.get_lr)
