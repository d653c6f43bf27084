"""Weight averaging, as PyTorch's ``torch.optim.swa_utils``: ``AveragedModel`` keeps a
running average of a model's parameters (stochastic weight averaging by default, or an
exponential moving average with ``get_ema_multi_avg_fn``/``get_ema_avg_fn``), ``SWALR``
anneals each group's rate to its ``swa_lr``, and ``update_bn`` recomputes the batch-norm
statistics of the averaged weights with one pass over the data.

>>> import autograd_core as ag
>>> from autograd_core import nn
>>> from autograd_core.optim.swa_utils import AveragedModel
>>> model = nn.Linear(1, 1, bias=False)
>>> swa = AveragedModel(model)
>>> for w in (1.0, 2.0, 6.0):
...     with ag.no_grad():
...         _ = model.weight.fill_(w)
...     swa.update_parameters(model)
>>> swa.module.weight.item(), swa.n_averaged.item()
(3.0, 3)
"""
from __future__ import annotations

import copy
import itertools
import math
from typing import Any, Callable, Iterable

import autograd_core as ag
from autograd_core import nn

from .lr_scheduler.base import LRScheduler, _format_param
from .optimizer import Optimizer

__all__ = ["AveragedModel", "SWALR", "update_bn", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable[..., None]:
    """An update of lists of averaged parameters: ``ema = lerp(ema, current, 1 - decay)``.

    >>> import autograd_core as ag
    >>> ema, cur = [ag.zeros(2)], [ag.ones(2)]
    >>> get_ema_multi_avg_fn(0.75)(ema, cur, 1); ema[0].tolist()
    [0.25, 0.25]
    """
    _check_decay(decay)

    def ema_update(ema_params: list, current_params: list, num_averaged: Any) -> None:
        with ag.no_grad():
            for e, c in zip(ema_params, current_params):
                if e.is_floating_point():
                    e.lerp_(c, 1 - decay)
                else:
                    e.copy_(e * decay + c * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn() -> Callable[..., None]:
    """An update of lists of averaged parameters: the running mean of all seen so far.

    >>> import autograd_core as ag
    >>> avg, cur = [ag.zeros(1)], [ag.full((1,), 3.0)]
    >>> get_swa_multi_avg_fn()(avg, cur, 2); avg[0].tolist()
    [1.0]
    """
    def swa_update(averaged: list, current: list, num_averaged: Any) -> None:
        with ag.no_grad():
            for a, c in zip(averaged, current):
                if not a.is_floating_point():   # PyTorch's addcdiv refuses integers
                    raise RuntimeError(
                        "Integer division with addcdiv is no longer supported, and in a "
                        "future  release addcdiv will perform a true division of tensor1 and "
                        "tensor2. The historic addcdiv behavior can be implemented as (input + "
                        "value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
                        "inputs and as (input + value * tensor1 / tensor2) for float inputs. "
                        "The future addcdiv behavior is just the latter implementation: (input "
                        "+ value * tensor1 / tensor2), for all dtypes.")
                a.lerp_(c, float(1 / (num_averaged + 1)))
    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable[..., Any]:
    """One averaged parameter's exponential moving average: ``decay * ema + (1 - decay) * p``.

    >>> import autograd_core as ag
    >>> get_ema_avg_fn(0.5)(ag.zeros(1), ag.ones(1), 1).tolist()
    [0.5]
    """
    _check_decay(decay)

    def ema_update(ema_param: Any, current_param: Any, num_averaged: Any) -> Any:
        with ag.no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn() -> Callable[..., Any]:
    """One averaged parameter's running mean: ``avg + (p - avg) / (n + 1)``.

    >>> import autograd_core as ag
    >>> get_swa_avg_fn()(ag.zeros(1), ag.full((1,), 3.0), 2).tolist()
    [1.0]
    """
    def swa_update(averaged_param: Any, current_param: Any, num_averaged: Any) -> Any:
        with ag.no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(nn.Module):
    """A copy of ``model`` whose parameters (and, with ``use_buffers``, buffers) are the
    average of those ``update_parameters`` has seen; calling it calls the copy.

    >>> import autograd_core as ag
    >>> from autograd_core import nn
    >>> ema = AveragedModel(nn.Linear(2, 1), multi_avg_fn=get_ema_multi_avg_fn(0.9))
    >>> ema(ag.ones(3, 2)).shape
    (3, 1)
    """

    def __init__(self, model: nn.Module, device: Any = None,
                 avg_fn: Callable[..., Any] | None = None,
                 multi_avg_fn: Callable[..., None] | None = None,
                 use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", ag.tensor(0, dtype=ag.long))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def update_parameters(self, model: nn.Module) -> None:
        """Fold ``model``'s current parameters into the average (the first call copies)."""
        if self.use_buffers:
            mine = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            theirs = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            mine, theirs = list(self.parameters()), list(model.parameters())
        mine = [p.detach() for p in mine]
        theirs = [p.detach() for p in theirs]
        n = self.n_averaged
        with ag.no_grad():
            if n.item() == 0:
                for a, c in zip(mine, theirs):
                    a.copy_(c)
            elif self.multi_avg_fn is not None:
                self.multi_avg_fn(mine, theirs, n)
            else:   # PyTorch's path on the CPU: the one-parameter function, SWA by default
                avg_fn = self.avg_fn or get_swa_avg_fn()
                for a, c in zip(mine, theirs):
                    a.copy_(avg_fn(a, c, n))
            if not self.use_buffers:
                for b_avg, b_model in zip(self.module.buffers(), model.buffers()):
                    b_avg.copy_(b_model.detach())
            self.n_averaged += 1


def update_bn(loader: Iterable[Any], model: nn.Module, device: Any = None) -> None:
    """Recompute the running statistics of every batch-norm layer of ``model`` from one
    pass over ``loader`` (a batch is a tensor, or a list or tuple whose first element is
    the input), as a cumulative average.

    >>> import autograd_core as ag
    >>> from autograd_core import nn
    >>> net = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    >>> update_bn([ag.ones(4, 2)], net); net[1].num_batches_tracked.item()
    1
    """
    momenta = {}
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            momenta[m] = m.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for m in momenta:
        m.momentum = None
    with ag.no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for m, momentum in momenta.items():
        m.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's rate from its current value to ``swa_lr`` over
    ``anneal_epochs`` steps (``"cos"`` or ``"linear"``), then keeps it there.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = SWALR(opt, swa_lr=0.1, anneal_epochs=2, anneal_strategy="linear")
    >>> rates = []
    >>> for _ in range(3):
    ...     opt.step(); s.step(); rates.append(round(s.get_last_lr()[0], 4))
    >>> rates
    [0.55, 0.1, 0.1]
    """

    def __init__(self, optimizer: Optimizer, swa_lr: Any, anneal_epochs: int = 10,
                 anneal_strategy: str = "cos", last_epoch: int = -1) -> None:
        for lr, group in zip(_format_param("SWALR", "swa_lr", optimizer, swa_lr),
                             optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        return swa_lr if alpha == 1 else (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, strategy: str) -> None:
        self._anneal_strategy = strategy
        self.anneal_func = self._cosine_anneal if strategy == "cos" else self._linear_anneal

    def get_lr(self) -> list:
        self._warn_get_lr()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev = [self._initial_lr(g["lr"], g["swa_lr"], prev_alpha)
                for g in self.optimizer.param_groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g["swa_lr"] * alpha + lr * (1 - alpha)
                for g, lr in zip(self.optimizer.param_groups, prev)]

    def state_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
