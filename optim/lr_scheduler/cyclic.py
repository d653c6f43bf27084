"""Schedules that cycle the rate and the momentum: ``CyclicLR`` and ``OneCycleLR``.

Both are stepped after every batch, not every epoch, and by default also cycle the momentum (``group['momentum']``, or ``beta1`` of ``group['betas']`` for
Adam-like optimizers) in the opposite direction to the rate.

>>> import autograd_core as ag
>>> from autograd_core.optim import SGD
>>> from autograd_core.optim.lr_scheduler import CyclicLR
>>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
>>> s = CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=2)
>>> out = [s.get_last_lr()[0]]
>>> for _ in range(4):
...     opt.step(); s.step(); out.append(round(s.get_last_lr()[0], 10))
>>> out
[0.1, 0.3, 0.5, 0.3, 0.1]
"""
from __future__ import annotations

import math
import types
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Union

from ..optimizer import Optimizer
from .base import LRScheduler, _check_optimizer, _format_param

__all__ = ["CyclicLR", "OneCycleLR"]

FloatOrList = Union[float, List[float]]


def _init_momentum(sched: Any, optimizer: Optimizer, base_momentum: Any, max_momentum: Any,
                   last_epoch: int) -> tuple:
    """Check that the optimizer has a momentum (or ``betas``) and, on a fresh start, set it to
    ``max_momentum``; return the per-group (base, max) momenta."""
    cls = type(sched).__name__
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(f"{cls}: optimizer must support momentum or beta1 with "
                         f"`cycle_momentum` option enabled, but {type(optimizer).__name__} "
                         "has neither 'momentum' nor 'betas'")
    sched.use_beta1 = "betas" in optimizer.defaults
    base = _format_param(cls, "base_momentum", optimizer, base_momentum)
    top = _format_param(cls, "max_momentum", optimizer, max_momentum)
    if last_epoch == -1:
        for m, b, group in zip(top, base, optimizer.param_groups):
            _set_momentum(sched, group, m)
            group["max_momentum"] = m
            group["base_momentum"] = b
    return base, top


def _set_momentum(sched: Any, group: Dict[str, Any], momentum: float) -> None:
    if sched.use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


class CyclicLR(LRScheduler):
    """Cycle the rate between ``base_lr`` and ``max_lr`` (cyclical learning rates).

    A cycle rises for ``step_size_up`` steps and falls for ``step_size_down`` (default: the
    same). ``mode`` scales the amplitude: ``'triangular'`` keeps it, ``'triangular2'`` halves
    it each cycle, ``'exp_range'`` multiplies it by ``gamma**step``; or give ``scale_fn``
    (of the cycle number or the step, per ``scale_mode``). With ``cycle_momentum`` the
    momentum goes from ``max_momentum`` down to ``base_momentum`` and back.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import Adam
    >>> from autograd_core.optim.lr_scheduler import CyclicLR
    >>> opt = Adam([ag.zeros(1, requires_grad=True)])
    >>> s = CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=1, mode="triangular2")
    >>> out = []
    >>> for _ in range(4):
    ...     opt.step(); s.step(); out.append((round(s.get_last_lr()[0], 10),
    ...                                       round(opt.param_groups[0]["betas"][0], 10)))
    >>> out
    [(0.1, 0.8), (0.01, 0.9), (0.055, 0.85), (0.01, 0.9)]
    """

    def __init__(self, optimizer: Optimizer, base_lr: FloatOrList, max_lr: FloatOrList,
                 step_size_up: int = 2000, step_size_down: Optional[int] = None,
                 mode: str = "triangular", gamma: float = 1.0,
                 scale_fn: Optional[Callable[[float], float]] = None,
                 scale_mode: str = "cycle", cycle_momentum: bool = True,
                 base_momentum: FloatOrList = 0.8, max_momentum: FloatOrList = 0.9,
                 last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        base_lrs = _format_param("CyclicLR", "base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _format_param("CyclicLR", "max_lr", optimizer, max_lr)
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        if step_size_up + step_size_down <= 0:
            raise ValueError("CyclicLR: step_size_up + step_size_down must be positive, got "
                             f"{step_size_up} + {step_size_down}")
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("CyclicLR: mode is invalid and scale_fn is None: expected mode "
                             "'triangular', 'triangular2' or 'exp_range' or a scale_fn, got "
                             f"mode={mode!r}")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_ref: Callable[[float], float]
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = _init_momentum(
                self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        if self._scale_fn_custom is not None:
            return
        if self.mode == "triangular":
            self._scale_fn_ref = self._triangular_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref = self._triangular2_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "exp_range":
            self._scale_fn_ref = partial(self._exp_range_scale_fn, self.gamma)
            self.scale_mode = "iterations"

    def scale_fn(self, x: float) -> float:
        """The amplitude factor for cycle (or step) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return self._scale_fn_ref(x)

    @staticmethod
    def _triangular_scale_fn(x: float) -> float:
        return 1.0

    @staticmethod
    def _triangular2_scale_fn(x: float) -> float:
        return 1 / (2.0 ** (x - 1))

    @staticmethod
    def _exp_range_scale_fn(gamma: float, x: float) -> float:
        return gamma ** x

    def get_lr(self) -> List[float]:
        """The rates of step ``last_epoch``; also sets the momenta (with ``cycle_momentum``)."""
        self._warn_get_lr()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        x_scale = cycle if self.scale_mode == "cycle" else self.last_epoch
        # one scale_fn call per value, as PyTorch (a custom scale_fn may count its calls)
        lrs = [base + (top - base) * scale_factor * self.scale_fn(x_scale)
               for base, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            momenta = [top - (top - base) * scale_factor * self.scale_fn(x_scale)
                       for base, top in zip(self.base_momentums, self.max_momentums)]
            for group, momentum in zip(self.optimizer.param_groups, momenta):
                _set_momentum(self, group, momentum)
        return lrs

    def state_dict(self) -> Dict[str, Any]:
        """As the base, without the scale function (a custom callable object's attributes are
        saved; a plain function is not, PyTorch's rule)."""
        state = super().state_dict()
        state.pop("_scale_fn_ref", None)
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            state["_scale_fn_custom"] = fn.__dict__.copy()
        return state

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restore attributes saved by ``state_dict()`` (give the same ``scale_fn`` again)."""
        state_dict = dict(state_dict)
        fn = state_dict.pop("_scale_fn_custom", None)
        super().load_state_dict(state_dict)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()


class OneCycleLR(LRScheduler):
    """The 1cycle policy: warm the rate up from ``max_lr / div_factor`` to ``max_lr``, then
    anneal it to ``max_lr / div_factor / final_div_factor``, over ``total_steps`` steps (or
    ``epochs * steps_per_epoch``); step it after every batch.

    The warm-up takes ``pct_start`` of the steps; ``anneal_strategy`` is ``'cos'`` or
    ``'linear'``; ``three_phase`` comes back down to the initial rate symmetrically before the
    final annealing. With ``cycle_momentum`` the momentum (or ``beta1``) moves the other way,
    between ``max_momentum`` and ``base_momentum``. Stepping past ``total_steps`` is an error.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import OneCycleLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    >>> s = OneCycleLR(opt, max_lr=1.0, total_steps=5, pct_start=0.4, div_factor=10,
    ...                final_div_factor=100, anneal_strategy="linear")
    >>> out = [s.get_last_lr()[0]]
    >>> for _ in range(4):
    ...     opt.step(); s.step(); out.append(round(s.get_last_lr()[0], 10))
    >>> out
    [0.1, 1.0, 0.667, 0.334, 0.001]
    >>> opt.param_groups[0]["momentum"]
    0.95
    """

    def __init__(self, optimizer: Optimizer, max_lr: FloatOrList,
                 total_steps: Optional[int] = None, epochs: Optional[int] = None,
                 steps_per_epoch: Optional[int] = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: FloatOrList = 0.85, max_momentum: FloatOrList = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError("OneCycleLR: Expected positive integer total_steps, but got "
                                 f"{total_steps!r}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"OneCycleLR: Expected positive integer epochs, but got "
                                 f"{epochs!r}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError("OneCycleLR: Expected positive integer steps_per_epoch, but "
                                 f"got {steps_per_epoch!r}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR: You must define either total_steps OR (epochs AND "
                             f"steps_per_epoch), got total_steps={total_steps}, "
                             f"epochs={epochs}, steps_per_epoch={steps_per_epoch}")
        n = self.total_steps
        up = float(pct_start * n) - 1
        if three_phase:
            self._schedule_phases = [
                dict(end_step=up, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=float(2 * pct_start * n) - 2, start_lr="max_lr",
                     end_lr="initial_lr", start_momentum="base_momentum",
                     end_momentum="max_momentum"),
                dict(end_step=n - 1, start_lr="initial_lr", end_lr="min_lr",
                     start_momentum="max_momentum", end_momentum="max_momentum"),
            ]
        else:
            self._schedule_phases = [
                dict(end_step=up, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=n - 1, start_lr="max_lr", end_lr="min_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
            ]
        if not isinstance(pct_start, float) or pct_start < 0 or pct_start > 1:
            raise ValueError(f"OneCycleLR: Expected float between 0 and 1 pct_start, but got "
                             f"{pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', "
                             f"instead got {anneal_strategy!r}")
        self._anneal_func_type = anneal_strategy
        max_lrs = _format_param("OneCycleLR", "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for top, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _init_momentum(self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def _anneal_func(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return self._annealing_cos(start, end, pct)
        return self._annealing_linear(start, end, pct)

    @staticmethod
    def _annealing_cos(start: float, end: float, pct: float) -> float:
        cos_out = math.cos(math.pi * pct) + 1
        return end + (start - end) / 2.0 * cos_out

    @staticmethod
    def _annealing_linear(start: float, end: float, pct: float) -> float:
        return (end - start) * pct + start

    def get_lr(self) -> List[float]:
        """The rates of step ``last_epoch``; also sets the momenta (with ``cycle_momentum``)."""
        self._warn_get_lr()
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(f"OneCycleLR: Tried to step {step_num} times. The specified number "
                             f"of total steps is {self.total_steps}")
        lrs = []
        last = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or i == last:
                    pct = (step_num - start_step) / (end_step - start_step)
                    lrs.append(self._anneal_func(group[phase["start_lr"]],
                                                 group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        _set_momentum(self, group, self._anneal_func(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct))
                    break
                start_step = phase["end_step"]
        return lrs
