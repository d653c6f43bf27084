"""``EarlyStopping``: stop training when a validation metric stops improving, keep the best weights.

PyTorch has no such helper; this one follows the behaviour people know from Keras'
``EarlyStopping`` callback and Lightning's, with PyTorch-style method names.

>>> from autograd_core.optim import EarlyStopping
>>> stopper = EarlyStopping(patience=2)
>>> [stopper.step(loss) for loss in [1.0, 0.5, 0.6, 0.7]]
[False, False, False, True]
>>> stopper.best_score, stopper.best_epoch
(0.5, 1)
"""
from __future__ import annotations

import copy
import math
from collections import OrderedDict
from typing import Any, Dict

import numpy as np

from autograd_core import Tensor, from_numpy

__all__ = ["EarlyStopping"]


def _snapshot(obj: Any) -> Any:
    """A deep copy of a state dict: tensors and arrays copied, detached, same dtypes and shapes."""
    if isinstance(obj, Tensor):
        return from_numpy(np.array(obj.detach().numpy(), copy=True))
    if isinstance(obj, np.ndarray):
        return obj.copy()
    if isinstance(obj, OrderedDict):
        return OrderedDict((k, _snapshot(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: _snapshot(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_snapshot(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_snapshot(v) for v in obj)
    return copy.deepcopy(obj)


class EarlyStopping:
    """Tell a training loop when to stop, and keep the weights of the best epoch.

    Call ``step(val_metric, model)`` once per epoch; it returns ``True`` when the metric has not
    improved for ``patience`` epochs in a row. An epoch improves when its metric beats the best
    so far by more than ``min_delta`` (lower is better in ``mode='min'``, higher in ``'max'``);
    a NaN metric never improves.

    Design, and why:

    * Only ``model.state_dict()`` and ``model.load_state_dict()`` are used, so any object with
      those two methods works (a Module, or something holding several) and the helper stays
      in ``optim``, which knows nothing of layers.
    * On each improvement it keeps a *deep copy* of the state dict (arrays copied), because a
      state dict's tensors share memory with the live parameters, which go on changing.
      Copying costs one model's memory and one copy per improving epoch, not per step.
    * The caller owns the loop: ``step`` only answers "stop now?", so it fits plain loops,
      schedulers and checkpointing alike. With ``restore_best_weights=True`` the best weights
      are loaded back into the model at the moment ``step`` returns ``True``, the Keras
      behaviour; ``restore(model)`` does it by hand (e.g. when the epoch budget ran out first).
    * Counting follows Keras/Lightning: with ``patience=p`` training stops after ``p``
      consecutive epochs without improvement. The first epoch always sets the best.
    * ``state_dict()``/``load_state_dict()`` let the stopper itself be checkpointed with
      ``autograd_core.save`` and resumed.

    Args:
        patience: epochs without improvement to tolerate before stopping (>= 0).
        min_delta: the smallest change that counts as an improvement (>= 0).
        mode: ``'min'`` (e.g. a loss) or ``'max'`` (e.g. an accuracy).
        restore_best_weights: load the best weights into the model when stopping.

    Attributes: ``best_score``, ``best_epoch`` (0-based index of the best ``step`` call),
    ``best_state`` (the copied state dict, or None), ``num_bad_epochs``, ``epoch`` (steps seen),
    ``should_stop``.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import EarlyStopping
    >>> class Model:   # anything with state_dict / load_state_dict
    ...     def __init__(self): self.w = ag.zeros(1)
    ...     def state_dict(self): return {"w": self.w}
    ...     def load_state_dict(self, sd): self.w.copy_(sd["w"])
    >>> model, stopper = Model(), EarlyStopping(patience=1)
    >>> for epoch, loss in enumerate([0.9, 0.4, 0.8]):
    ...     _ = model.w.fill_(epoch)          # "training" changes the weights
    ...     if stopper.step(loss, model):
    ...         break
    >>> model.w.item(), stopper.best_epoch   # the weights of epoch 1 are back
    (1.0, 1)
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, mode: str = "min",
                 restore_best_weights: bool = True) -> None:
        if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) \
                or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        if not (isinstance(min_delta, (int, float, np.number)) and min_delta >= 0):
            raise ValueError(f"EarlyStopping: min_delta must be a number >= 0, got {min_delta!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.mode = mode
        self.restore_best_weights = bool(restore_best_weights)
        self.reset()

    def reset(self) -> None:
        """Forget everything seen so far (start a new run)."""
        self.best_score: float | None = None
        self.best_epoch: int | None = None
        self.best_state: Dict[str, Any] | None = None
        self.num_bad_epochs = 0
        self.epoch = 0
        self.should_stop = False

    def is_better(self, score: float, best: float | None) -> bool:
        """Whether ``score`` improves on ``best`` by more than ``min_delta``."""
        if math.isnan(score):
            return False
        if best is None:
            return True
        if self.mode == "min":
            return score < best - self.min_delta
        return score > best + self.min_delta

    def step(self, metric: Any, model: Any = None) -> bool:
        """Record one epoch's validation metric; return True when training should stop.

        ``metric`` is a float or a one-element tensor. When ``model`` is given, its
        ``state_dict()`` is copied on every improvement (and restored on stopping if
        ``restore_best_weights``).
        """
        try:
            score = float(metric)
        except (TypeError, ValueError):
            raise TypeError("EarlyStopping.step: metric must be a number or a one-element tensor, "
                            f"got {type(metric).__name__}") from None
        if model is not None and not (hasattr(model, "state_dict")
                                      and hasattr(model, "load_state_dict")):
            raise TypeError("EarlyStopping.step: model must have state_dict() and "
                            f"load_state_dict(), got {type(model).__name__}")
        epoch = self.epoch
        self.epoch += 1
        if self.is_better(score, self.best_score):
            self.best_score = score
            self.best_epoch = epoch
            self.num_bad_epochs = 0
            if model is not None:
                self.best_state = _snapshot(model.state_dict())
        else:
            self.num_bad_epochs += 1
        if self.num_bad_epochs >= self.patience and self.num_bad_epochs > 0:
            if not self.should_stop and self.restore_best_weights and model is not None \
                    and self.best_state is not None:
                self.restore(model)
            self.should_stop = True
        return self.should_stop

    __call__ = step

    def restore(self, model: Any) -> None:
        """Load the best weights seen so far into ``model`` (a copy, so the snapshot stays)."""
        if self.best_state is None:
            raise RuntimeError("EarlyStopping.restore: no best weights were recorded; pass the "
                               "model to step(metric, model)")
        model.load_state_dict(_snapshot(self.best_state))

    def state_dict(self) -> Dict[str, Any]:
        """The stopper's state (including the best weights), for checkpoints."""
        return {"patience": self.patience, "min_delta": self.min_delta, "mode": self.mode,
                "restore_best_weights": self.restore_best_weights,
                "best_score": self.best_score, "best_epoch": self.best_epoch,
                "best_state": self.best_state, "num_bad_epochs": self.num_bad_epochs,
                "epoch": self.epoch, "should_stop": self.should_stop}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Resume from ``state_dict()``."""
        expected = set(self.state_dict())
        missing = expected - set(state_dict)
        if missing:
            raise KeyError(f"EarlyStopping.load_state_dict: missing keys {sorted(missing)}")
        for k in expected:
            setattr(self, k, state_dict[k])
        self.best_state = _snapshot(self.best_state) if self.best_state is not None else None

    def __repr__(self) -> str:
        return (f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
                f"mode={self.mode!r}, best_score={self.best_score}, best_epoch={self.best_epoch}, "
                f"num_bad_epochs={self.num_bad_epochs})")
