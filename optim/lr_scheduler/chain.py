"""``SequentialLR`` and ``ChainedScheduler``: schedulers made of other schedulers.

>>> import autograd_core as ag
>>> from autograd_core.optim import SGD
>>> from autograd_core.optim.lr_scheduler import ExponentialLR, LinearLR, SequentialLR
>>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
>>> warmup = LinearLR(opt, start_factor=0.5, total_iters=2)
>>> decay = ExponentialLR(opt, gamma=0.5)
>>> s = SequentialLR(opt, [warmup, decay], milestones=[2])
>>> out = [s.get_last_lr()[0]]
>>> for _ in range(4):
...     opt.step(); s.step(); out.append(s.get_last_lr()[0])
>>> out
[0.5, 0.75, 1.0, 0.5, 0.25]
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Any, Dict, List, Optional, Sequence

from ..optimizer import Optimizer
from .base import LRScheduler
from .plateau import ReduceLROnPlateau

__all__ = ["SequentialLR", "ChainedScheduler"]


def _check_schedulers(cls: str, schedulers: Sequence[Any], optimizer: Any, what: str) -> None:
    if len(schedulers) < 1:
        raise ValueError(f"{cls} expects at least one scheduler{what}, but got no scheduler.")
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{cls} at index {i} should have `optimizer` as its attribute, "
                            f"got {type(scheduler).__name__}.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{cls} does not support `ReduceLROnPlateau` scheduler as it "
                             "requires additional kwargs to be specified when calling `step`, "
                             f"but got one at index {i} in the given schedulers sequence.")
        if optimizer is not scheduler.optimizer:
            raise ValueError(f"{cls} expects all schedulers to belong to the same optimizer, "
                             f"but got scheduler {type(scheduler).__name__} at index {i} has "
                             f"{scheduler.optimizer}, which is different from "
                             f"{type(optimizer).__name__}.")


class _Composite(LRScheduler):
    """State dicts of schedulers holding schedulers: each child saves its own state."""

    _schedulers: Sequence[LRScheduler]

    def state_dict(self) -> Dict[str, Any]:
        """Every attribute except the optimizer, with the children's state dicts in
        ``'_schedulers'`` (PyTorch's layout)."""
        sd = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        sd["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return sd

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restore this scheduler's attributes and each child's state."""
        state_dict = dict(state_dict)
        children = state_dict.pop("_schedulers")
        self.__dict__.update(state_dict)
        for s, sd in zip(self._schedulers, children):
            s.load_state_dict(sd)


class SequentialLR(_Composite):
    """Run ``schedulers[i]`` between ``milestones[i-1]`` and ``milestones[i]``.

    At each milestone the next scheduler restarts from its epoch 0 (from the base rates), as in
    PyTorch. The schedulers must already be built on the same optimizer; building one applies
    its epoch-0 rate, which ``SequentialLR`` undoes.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import ConstantLR, SequentialLR, StepLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = SequentialLR(opt, [ConstantLR(opt, factor=0.1, total_iters=10),
    ...                        StepLR(opt, step_size=1, gamma=0.5)], milestones=[2])
    >>> out = [s.get_last_lr()[0]]
    >>> for _ in range(3):
    ...     opt.step(); s.step(); out.append(round(s.get_last_lr()[0], 10))
    >>> out
    [0.1, 0.1, 1.0, 0.5]
    """

    def __init__(self, optimizer: Optimizer, schedulers: List[LRScheduler],
                 milestones: List[int], last_epoch: int = -1) -> None:
        _check_schedulers("SequentialLR", schedulers, optimizer, "")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("SequentialLR: Sequential Schedulers expects number of schedulers "
                             "provided to be one more than the number of milestone points, but "
                             f"got number of schedulers {len(schedulers)} and the number of "
                             f"milestones to be equal to {len(milestones)}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # undo the children's epoch-0 rates
            group["lr"] = group["initial_lr"]
        self.recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched: Optional[Any] = None) -> None:
        """Step every (nested) child's ``last_epoch`` back by one: their construction stepped."""
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        """Advance one epoch with the scheduler in charge (restarted at a milestone)."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step every scheduler of ``schedulers`` at each ``step()``: their effects compose.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> from autograd_core.optim.lr_scheduler import ChainedScheduler, ConstantLR, ExponentialLR
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = ChainedScheduler([ConstantLR(opt, factor=0.1, total_iters=2),
    ...                       ExponentialLR(opt, gamma=0.5)])
    >>> out = [s.get_last_lr()[0]]
    >>> for _ in range(3):
    ...     opt.step(); s.step(); out.append(round(s.get_last_lr()[0], 10))
    >>> out
    [0.1, 0.05, 0.25, 0.125]
    """

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optional[Optimizer] = None) -> None:
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler expects at least one scheduler to be chained, "
                             "but got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_schedulers("ChainedScheduler", schedulers, optimizer, " to be chained")
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = [g["lr"] for g in self._schedulers[-1].optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]
        """Step each scheduler in turn."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [g["lr"] for g in self._schedulers[-1].optimizer.param_groups]
