"""``LRScheduler``: the base of every learning-rate scheduler, and the checks they share.

A scheduler rewrites ``group['lr']`` of its optimizer's parameter groups each time its
``step()`` is called (once per epoch, after ``optimizer.step()``). Subclasses give the rates
of the current ``last_epoch`` in ``get_lr()``, PyTorch's recursive ("chainable") form, and
may give a closed form in ``_get_closed_form_lr()``, used when ``step(epoch)`` jumps.

>>> import autograd_core as ag
>>> from autograd_core.optim import SGD
>>> from autograd_core.optim.lr_scheduler import LRScheduler
>>> class Linear(LRScheduler):
...     def get_lr(self):
...         return [base * (1 + self.last_epoch) for base in self.base_lrs]
>>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=0.5)
>>> s = Linear(opt); opt.step(); s.step(); s.get_last_lr()
[1.0]
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, Iterable, List

from ..optimizer import Optimizer

__all__ = ["LRScheduler", "EPOCH_DEPRECATION_WARNING"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
    "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if "
    "epoch is different from None, the closed form is used instead of the new chainable form, "
    "where available.")


def _check_optimizer(optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def _format_param(cls: str, name: str, optimizer: Optimizer, param: Any) -> List[Any]:
    """One value per parameter group: ``param`` repeated, or a list of the right length."""
    n = len(optimizer.param_groups)
    if isinstance(param, (list, tuple)):
        if len(param) != n:
            raise ValueError(f"{cls}: {name} must have the same length as "
                             f"optimizer.param_groups. {name} has {len(param)} values, "
                             f"param_groups has {n}.")
        return list(param)
    return [param] * n


class LRScheduler:
    """Base class of the schedulers: subclasses implement ``get_lr()``.

    ``last_epoch`` counts the calls to ``step()`` (``0`` right after construction, which
    already applies the epoch-0 rate). ``get_last_lr()`` gives the rates it last set.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import LRScheduler
    >>> class Halve(LRScheduler):
    ...     def get_lr(self):
    ...         return [base * 0.5 ** self.last_epoch for base in self.base_lrs]
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=0.8)
    >>> s = Halve(opt); opt.step(); s.step(); s.get_last_lr()
    [0.4]
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] "
                                   "when resuming scheduler with last_epoch >= 0; load the "
                                   "optimizer's state dict first, or use last_epoch=-1")
        self.base_lrs: List[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self) -> Dict[str, Any]:
        """Every attribute except the optimizer (PyTorch's layout)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restore attributes saved by ``state_dict()``."""
        self.__dict__.update(state_dict)

    def get_last_lr(self) -> List[float]:
        """The learning rates set by the last ``step()``, one per parameter group."""
        return self._last_lr

    def get_lr(self) -> List[float]:
        """The learning rates for the current ``last_epoch`` (use ``get_last_lr()`` to read)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr()")

    def _warn_get_lr(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=3)

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and set the new learning rates (call after ``optimizer.step()``)."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
                          "You should call them in the opposite order: `optimizer.step()` before "
                          "`lr_scheduler.step()`. Failure to do this will result in skipping the "
                          "first value of the learning rate schedule.", UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """Advance to ``epoch`` (closed form when the class has one) or one epoch; set the lrs."""
        if epoch is None:
            self.last_epoch += 1
            self._set_lrs_from(self.get_lr)
        else:
            self.last_epoch = epoch
            self._set_lrs_from(getattr(self, "_get_closed_form_lr", None) or self.get_lr)

    def _set_lrs_from(self, rates: Callable[[], Iterable[float]]) -> None:
        """Set the rates ``rates()`` gives, as part of a step (so ``get_lr`` does not warn)."""
        self._get_lr_called_within_step = True
        try:
            values = rates()
        finally:
            self._get_lr_called_within_step = False
        self._set_lrs(values)

    def _set_lrs(self, values: Iterable[float]) -> None:
        values = list(values)
        if len(values) != len(self.optimizer.param_groups):
            raise RuntimeError(f"{type(self).__name__}.get_lr() returned {len(values)} rates for "
                               f"{len(self.optimizer.param_groups)} parameter groups")
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _current(self) -> List[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={self.get_last_lr()})"
