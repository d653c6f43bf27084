"""``torch.profiler`` basics over the autograd profiler (``autograd/profiler.py``).

Only the CPU is profiled. ``schedule`` is accepted and its steps are ignored: everything
between entering and leaving ``profile`` is recorded, and ``on_trace_ready`` (when
given) is called once, on leaving.

>>> import autograd_core as ag
>>> from autograd_core.profiler import profile, ProfilerActivity, record_function
>>> x = ag.ones(2, requires_grad=True)
>>> with profile(activities=[ProfilerActivity.CPU]) as prof:
...     with record_function("model_inference"):
...         y = x * x
...     prof.step()
>>> [r.key for r in prof.key_averages()]
['aten::mul', 'model_inference']
"""
from __future__ import annotations

import enum
from typing import Any, Callable, Iterable

from .autograd.profiler import EventList, record_function
from .autograd.profiler import profile as _autograd_profile

__all__ = ["profile", "record_function", "ProfilerActivity", "ProfilerAction", "schedule",
           "EventList"]


class ProfilerActivity(enum.Enum):
    """What to profile; only ``CPU`` is recorded here.

    >>> ProfilerActivity.CPU.name
    'CPU'
    """

    CPU = 0
    CUDA = 1


class ProfilerAction(enum.Enum):
    """What a ``schedule`` says to do at a step (as PyTorch's).

    >>> ProfilerAction.RECORD.name
    'RECORD'
    """

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0,
             skip_first: int = 0, **ignored: Any) -> Callable[[int], ProfilerAction]:
    """PyTorch's step schedule, as a function of the step number. ``profile`` accepts
    one and records every step regardless.

    >>> s = schedule(wait=1, warmup=1, active=2)
    >>> [s(i).name for i in range(4)]
    ['NONE', 'WARMUP', 'RECORD', 'RECORD_AND_SAVE']
    """
    cycle = wait + warmup + active

    def action(step: int) -> ProfilerAction:
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        pos = step % cycle
        if pos < wait:
            return ProfilerAction.NONE
        if pos < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if pos < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return action


class profile(_autograd_profile):
    """``torch.profiler.profile``: the autograd profiler with PyTorch's newer arguments.

    >>> import autograd_core as ag
    >>> with profile(schedule=schedule(wait=0, warmup=0, active=1)) as prof:
    ...     for _ in range(2):
    ...         _ = ag.ones(2) + 1
    ...         prof.step()
    >>> prof.step_num, [(r.key, r.count) for r in prof.key_averages()]
    (2, [('aten::add', 2)])
    """

    def __init__(self, *, activities: Iterable[ProfilerActivity] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable[["profile"], Any] | None = None,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, **ignored: Any) -> None:
        super().__init__(True, record_shapes=record_shapes)
        self.activities = set(activities) if activities is not None else {ProfilerActivity.CPU}
        self.schedule = schedule
        self.on_trace_ready = on_trace_ready
        self.step_num = 0

    def start(self) -> None:
        """Begin recording (as entering the ``with`` block)."""
        self.__enter__()

    def stop(self) -> None:
        """End recording (as leaving the ``with`` block)."""
        self.__exit__(None, None, None)

    def step(self) -> None:
        """Mark the end of a training step (counted; the schedule is not applied)."""
        self.step_num += 1

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)
