"""Anomaly detection (``torch.autograd.detect_anomaly``), and the one seam through which
it and the profiler watch ops.

While anomaly mode is on, every op recorded in forward keeps the stack trace of the line
that made it; when that op's backward fails, a warning shows that trace before the error
propagates. With ``check_nan`` (the default), a backward that returns a gradient holding
NaN raises PyTorch's error naming the op and the output.

The switch belongs to the calling thread, as grad mode does (PyTorch's is one global
switch). When neither anomaly mode nor a profiler is on, the only cost is one check of
``STATE.watch`` per op in ``Function.apply`` and per node in the engine's loop.

>>> import warnings
>>> import autograd_core as ag
>>> from autograd_core.autograd.anomaly_mode import set_detect_anomaly
>>> x = ag.tensor([0.0], requires_grad=True)
>>> with set_detect_anomaly(True), warnings.catch_warnings(record=True):
...     y = x.sqrt() * 0
...     try:
...         y.sum().backward()
...     except RuntimeError as e:
...         print(e)
Function 'SqrtBackward0' returned nan values in its 0th output.
"""
from __future__ import annotations

import functools
import time
import traceback
import warnings
from typing import Any, Callable, TypeVar

import numpy as np

from .grad_mode import STATE

F = TypeVar("F", bound=Callable[..., Any])

ENABLED_WARNING = ("Anomaly Detection has been enabled. This mode will increase the runtime "
                   "and should only be enabled for debugging.")


def is_anomaly_enabled() -> bool:
    """True while anomaly mode is on in this thread.

    >>> from autograd_core.autograd.anomaly_mode import is_anomaly_enabled
    >>> is_anomaly_enabled()
    False
    """
    return STATE.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    """True when anomaly mode, if on, checks backward's gradients for NaN.

    >>> from autograd_core.autograd.anomaly_mode import is_anomaly_check_nan_enabled
    >>> is_anomaly_check_nan_enabled()
    True
    """
    return STATE.anomaly_check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Switch anomaly mode in this thread (``torch.set_anomaly_enabled``).

    >>> from autograd_core.autograd.anomaly_mode import set_anomaly_enabled, is_anomaly_enabled
    >>> set_anomaly_enabled(True); is_anomaly_enabled()
    True
    >>> set_anomaly_enabled(False); is_anomaly_enabled()
    False
    """
    STATE.anomaly = bool(enabled)
    STATE.anomaly_check_nan = bool(check_nan)
    refresh_watch()


class detect_anomaly:
    """Anomaly mode inside a ``with`` block or a decorated function; warns when made,
    as PyTorch does, that it slows every op down.

    >>> import warnings
    >>> from autograd_core.autograd.anomaly_mode import detect_anomaly, is_anomaly_enabled
    >>> with warnings.catch_warnings(record=True) as w:
    ...     with detect_anomaly():
    ...         print(is_anomaly_enabled())
    True
    >>> str(w[0].message).startswith("Anomaly Detection has been enabled")
    True
    >>> is_anomaly_enabled()
    False
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = STATE.anomaly
        self.prev_check_nan = STATE.anomaly_check_nan
        self.check_nan = check_nan
        warnings.warn(ENABLED_WARNING, stacklevel=2)

    def __enter__(self) -> None:
        self.prev, self.prev_check_nan = STATE.anomaly, STATE.anomaly_check_nan
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc: object) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)

    def __call__(self, fn: F) -> F:
        check_nan = self.check_nan

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = STATE.anomaly, STATE.anomaly_check_nan
            set_anomaly_enabled(True, check_nan)
            try:
                return fn(*args, **kwargs)
            finally:
                set_anomaly_enabled(*prev)

        return wrapper  # type: ignore[return-value]


class set_detect_anomaly:
    """Switch anomaly mode on or off: at once when called, and back to the previous mode
    at the end of a ``with`` block (PyTorch's ``torch.autograd.set_detect_anomaly``).

    >>> from autograd_core.autograd.anomaly_mode import set_detect_anomaly, is_anomaly_enabled
    >>> with set_detect_anomaly(True, check_nan=False):
    ...     print(is_anomaly_enabled())
    True
    >>> is_anomaly_enabled()
    False
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = STATE.anomaly
        self.prev_check_nan = STATE.anomaly_check_nan
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


def refresh_watch() -> None:
    """Point ``STATE.watch`` at the watcher when anomaly mode or a profiler is on in
    this thread, and at None otherwise (so that ops pay one check).

    >>> from autograd_core.autograd.grad_mode import STATE
    >>> refresh_watch(); STATE.watch is None
    True
    """
    on = STATE.anomaly or STATE.profiler is not None
    STATE.watch = WATCH if on else None


def forward_trace(node: Any) -> str:
    """The warning text for a failure in ``node``'s backward: where it was made, and, for
    a node made by an earlier backward (double backward), where that one was made.

    >>> forward_trace(object())
    'Error detected in object. Traceback of forward call that caused the error:\\n'
    """
    info = getattr(node, "__dict__", {})
    msg = (f"Error detected in {_name(node)}. Traceback of forward call that caused the "
           f"error:\n{''.join(info.get('_anomaly_trace', ()))}")
    parent = info.get("_anomaly_parent")
    while parent is not None:
        info = parent.__dict__
        msg += (f"\n\nPrevious calculation was induced by {_name(parent)}. Traceback of "
                f"forward call that induced the previous calculation:\n"
                f"{''.join(info.get('_anomaly_trace', ()))}")
        parent = info.get("_anomaly_parent")
    return msg


def _name(node: Any) -> str:
    name = getattr(node, "name", None)
    return name() if callable(name) else type(node).__name__


def _has_nan(g: Any) -> bool:
    a = getattr(g, "_data", g)  # a Tensor (graph of the backward) or an array
    return type(a) is np.ndarray and a.dtype.kind in "fc" and bool(np.isnan(a).any())


class Watch:
    """What ``Function.apply`` and the engine call instead of their plain paths while
    anomaly mode or a profiler is on: times each op's forward and each node's backward for
    the profiler, keeps forward traces and checks backward results for anomaly mode.

    >>> import warnings
    >>> import autograd_core as ag
    >>> with warnings.catch_warnings(record=True), detect_anomaly():
    ...     y = ag.tensor([1.0], requires_grad=True) * 2
    >>> '_anomaly_trace' in y.grad_fn.__dict__
    True
    """

    def apply(self, cls: type, inputs: tuple, attrs: dict) -> Any:
        prof = STATE.profiler
        STATE.watch = None  # the op itself runs on the plain path
        try:
            if prof is None:
                out = cls.apply(*inputs, **attrs)
            else:
                start = time.perf_counter()
                prof._begin()
                try:
                    out = cls.apply(*inputs, **attrs)
                finally:
                    prof._end(f"aten::{getattr(cls, 'op', None) or cls.__name__.lower()}",
                              start, inputs)
        finally:
            STATE.watch = self
        if STATE.anomaly:
            ctx = getattr(out, "_ctx", None)
            if type(ctx) is cls and "_anomaly_trace" not in ctx.__dict__:
                ctx._anomaly_trace = traceback.format_stack()[:-2]  # without the machinery
                ctx._anomaly_parent = STATE.anomaly_parent
        return out

    def backward(self, node: Any, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)``, the gradients of ``node``'s inputs, watched."""
        prof = STATE.profiler
        anomaly = STATE.anomaly
        if prof is not None:
            start = time.perf_counter()
            prof._begin()
        prev_parent = STATE.anomaly_parent
        STATE.anomaly_parent = node
        try:
            grads = fn(*args)
            if anomaly and STATE.anomaly_check_nan and grads is not None:
                for i, (g, p) in enumerate(zip(grads, node.next)):
                    if g is not None and p is not None and _has_nan(g):  # p: wanted
                        raise RuntimeError(f"Function '{node.name()}' returned nan values "
                                           f"in its {i}th output.")
        except Exception as e:
            if anomaly and not getattr(e, "_anomaly_reported", False):
                warnings.warn(forward_trace(node), UserWarning, stacklevel=2)
                try:
                    e._anomaly_reported = True  # type: ignore[attr-defined]
                except AttributeError:
                    pass
            raise
        finally:
            STATE.anomaly_parent = prev_parent
            if prof is not None:
                prof._end(node.name(), start, None)
        return grads


WATCH = Watch()
