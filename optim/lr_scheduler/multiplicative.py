"""Schedules that scale each group's initial rate by a factor of the epoch.

``lr = initial_lr * factor(epoch)``, the factor independent of the rate: a function given by
the user (``LambdaLR``, ``MultiplicativeLR``), a decay by ``gamma`` (``StepLR``,
``MultiStepLR``, ``ExponentialLR``), a warm-up or ramp (``ConstantLR``, ``LinearLR``) or a
polynomial decay to zero (``PolynomialLR``). Each follows PyTorch's recursive ("chainable")
form, multiplying the current rate, so that schedulers compose; the closed form serves
``step(epoch)``.

>>> import autograd_core as ag
>>> from autograd_core.optim import SGD
>>> from autograd_core.optim.lr_scheduler import StepLR
>>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
>>> sched = StepLR(opt, step_size=2, gamma=0.5)
>>> lrs = []
>>> for epoch in range(5):
...     opt.step(); lrs.append(sched.get_last_lr()[0]); sched.step()
>>> lrs
[1.0, 1.0, 0.5, 0.5, 0.25]
"""
from __future__ import annotations

import types
from bisect import bisect_right
from collections import Counter
from typing import Any, Callable, Dict, Iterable, List, Sequence, Union

from ..optimizer import Optimizer
from .base import LRScheduler, _check_optimizer

__all__ = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ExponentialLR",
           "ConstantLR", "LinearLR", "PolynomialLR"]


class _LambdaScheduler(LRScheduler):
    """Base of LambdaLR and MultiplicativeLR: one function per group, saved as PyTorch does."""

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Union[Callable[[int], float], Sequence[Callable[[int], float]]],
                 last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        n = len(optimizer.param_groups)
        name = type(self).__name__
        if not isinstance(lr_lambda, (list, tuple)):
            self.lr_lambdas = [lr_lambda] * n
        else:
            if len(lr_lambda) != n:
                raise ValueError(f"{name}: Expected {n} lr_lambdas, but got {len(lr_lambda)} "
                                 "(one per parameter group)")
            self.lr_lambdas = list(lr_lambda)
        for f in self.lr_lambdas:
            if not callable(f):
                raise TypeError(f"{name}: lr_lambda should be a function, but got "
                                f"{type(f).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> Dict[str, Any]:
        """As the base, with callable objects' attributes in place of the functions.

        Plain functions and lambdas are not saved (PyTorch's rule): give the same ones again.
        """
        sd = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        sd["lr_lambdas"] = [None if isinstance(f, types.FunctionType) else dict(f.__dict__)
                            for f in self.lr_lambdas]
        return sd

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        lr_lambdas = state_dict.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        self.__dict__.update(state_dict)
        for f, attrs in zip(self.lr_lambdas, lr_lambdas):
            if attrs is not None:
                f.__dict__.update(attrs)


class LambdaLR(_LambdaScheduler):
    """``lr = initial_lr * lr_lambda(epoch)``, one function for all groups or one per group.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import LambdaLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
    >>> s = LambdaLR(opt, lambda epoch: 1 / (epoch + 1))
    >>> opt.step(); s.step(); s.get_last_lr()
    [0.05]
    """

    def get_lr(self) -> List[float]:
        self._warn_get_lr()
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaScheduler):
    """Multiply the current rate by ``lr_lambda(epoch)`` at each step (one function per group
    or one for all).

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import MultiplicativeLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = MultiplicativeLR(opt, lambda epoch: 0.5)
    >>> opt.step(); s.step(); s.step(); s.get_last_lr()
    [0.25]
    """

    def get_lr(self) -> List[float]:
        self._warn_get_lr()
        if self._is_initial:
            return self._current()
        return [group["lr"] * f(self.last_epoch)
                for f, group in zip(self.lr_lambdas, self.optimizer.param_groups)]


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import StepLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = StepLR(opt, step_size=1, gamma=0.5)
    >>> opt.step(); s.step(); s.step(); s.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if not isinstance(step_size, int) or isinstance(step_size, bool) or step_size <= 0:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        self._warn_get_lr()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> List[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size)
                for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch listed in ``milestones``.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import MultiStepLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = MultiStepLR(opt, milestones=[1, 3], gamma=0.1)
    >>> out = []
    >>> for _ in range(4):
    ...     opt.step(); s.step(); out.append(round(s.get_last_lr()[0], 10))
    >>> out
    [0.1, 0.1, 0.01, 0.01]
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        self._warn_get_lr()
        if self.last_epoch not in self.milestones:
            return self._current()
        return [group["lr"] * self.gamma ** self.milestones[self.last_epoch]
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> List[float]:
        milestones = sorted(self.milestones.elements())
        return [base * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import ExponentialLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = ExponentialLR(opt, gamma=0.5)
    >>> opt.step(); s.step(); s.step(); s.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        self._warn_get_lr()
        if self._is_initial:
            return self._current()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> List[float]:
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class ConstantLR(LRScheduler):
    """Multiply the rate by ``factor`` for the first ``total_iters`` epochs, then restore it.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import ConstantLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = ConstantLR(opt, factor=0.5, total_iters=2)
    >>> out = [s.get_last_lr()[0]]
    >>> for _ in range(3):
    ...     opt.step(); s.step(); out.append(s.get_last_lr()[0])
    >>> out
    [0.5, 0.5, 1.0, 1.0]
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError("ConstantLR: Constant multiplicative factor expected to be between "
                             f"0 and 1, but got factor={factor}")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        self._warn_get_lr()
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return self._current()
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> List[float]:
        return [base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the rate linearly from ``start_factor`` to ``end_factor`` over ``total_iters``
    epochs (a warm-up with the defaults), then keep it.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import LinearLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> out = [s.get_last_lr()[0]]
    >>> for _ in range(4):
    ...     opt.step(); s.step(); out.append(round(s.get_last_lr()[0], 10))
    >>> out
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("LinearLR: Starting multiplicative factor expected to be greater "
                             f"than 0 and less or equal to 1, but got start_factor={start_factor}")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("LinearLR: Ending multiplicative factor expected to be between 0 "
                             f"and 1, but got end_factor={end_factor}")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        self._warn_get_lr()
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current()
        delta = self.end_factor - self.start_factor
        factor = 1.0 + delta / (self.total_iters * self.start_factor
                                + (self.last_epoch - 1) * delta)
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> List[float]:
        return [base * (self.start_factor + (self.end_factor - self.start_factor)
                        * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the rate to zero over ``total_iters`` epochs as ``(1 - epoch / total_iters)**power``.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import PolynomialLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = PolynomialLR(opt, total_iters=4, power=2.0)
    >>> out = []
    >>> for _ in range(5):
    ...     opt.step(); s.step(); out.append(round(s.get_last_lr()[0], 10))
    >>> out
    [0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        self._warn_get_lr()
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current()
        decay = ((1.0 - self.last_epoch / self.total_iters)
                 / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [group["lr"] * decay for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> List[float]:
        return [base * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters)
                ** self.power for base in self.base_lrs]
