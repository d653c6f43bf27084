"""Grad mode: whether new operations are recorded in the graph.

The mode belongs to the calling thread, as in PyTorch: a thread that evaluates under
``no_grad`` never stops another thread from recording, and each thread starts with
recording on. ``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as context managers and
as decorators, as in PyTorch:

>>> import autograd_core as ag
>>> x = ag.tensor([1.0], requires_grad=True)
>>> with ag.no_grad():
...     y = x * 2
>>> y.requires_grad
False
"""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    """Per-thread switches; the class attributes are each new thread's defaults."""

    enabled = True
    inference = False  # inside inference_mode()
    # while ``grad(outputs, inputs)`` runs: the nodes from which an input is reached (the
    # engine's ``useful`` set); an op's ``needs_input_grad`` is False for the others
    useful = None
    # anomaly mode (anomaly_mode.py): on, and whether backward checks for NaN
    anomaly = False
    anomaly_check_nan = True
    anomaly_parent = None  # the node whose backward is running, under anomaly mode
    profiler = None        # the active autograd profiler (profiler.py), if any
    # set while anomaly mode or a profiler is on: the object that wraps each op's forward
    # (``Function.apply``) and each node's backward (the engine); None costs one check
    watch = None


STATE = _State()


def is_grad_enabled() -> bool:
    """True when operations are currently being recorded."""
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``.

    >>> import autograd_core as ag
    >>> with ag.inference_mode():
    ...     ag.is_inference_mode_enabled()
    True
    """
    return STATE.inference


class _Mode:
    """Base for the grad-mode switches: a context manager and a decorator, with or
    without parentheses (``@no_grad()`` and ``@no_grad``, as PyTorch allows both)."""

    mode: bool = True

    def __new__(cls, fn: Any = None) -> Any:
        self = super().__new__(cls)
        return self(fn) if callable(fn) else self

    def __enter__(self) -> None:
        self._prev = STATE.enabled
        STATE.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self._prev

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = STATE.enabled
            STATE.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                STATE.enabled = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_Mode):
    """Do not record operations: results do not require grad.

    >>> import autograd_core as ag
    >>> @ag.no_grad()
    ... def double(t):
    ...     return t * 2
    >>> double(ag.ones(2, requires_grad=True)).requires_grad
    False
    >>> @ag.no_grad            # without parentheses too, as in PyTorch
    ... def triple(t):
    ...     return t * 3
    >>> triple(ag.ones(2, requires_grad=True)).requires_grad
    False
    """

    mode = False


class enable_grad(_Mode):
    """Record operations again, inside a ``no_grad`` block.

    >>> import autograd_core as ag
    >>> x = ag.ones(2, requires_grad=True)
    >>> with ag.no_grad():
    ...     with ag.enable_grad():
    ...         y = x * 2
    >>> y.requires_grad
    True
    """

    mode = True


class set_grad_enabled(_Mode):
    """Switch recording on or off: as a call, a context manager or a decorator.

    Called plainly, it takes effect at once (as in PyTorch); used in ``with``,
    the previous mode comes back at the end of the block.

    >>> import autograd_core as ag
    >>> with ag.set_grad_enabled(False):
    ...     ag.is_grad_enabled()
    False
    >>> ag.is_grad_enabled()
    True
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._prev = STATE.enabled
        STATE.enabled = self.mode

    def __enter__(self) -> None:  # the mode was already set in __init__
        pass

    def __call__(self, fn: F) -> F:
        STATE.enabled = self._prev  # a decorator must not change the mode now
        return super().__call__(fn)


class inference_mode(_Mode):
    """Like ``no_grad``, for code that only runs a model: nothing is recorded. A context
    manager or a decorator (with or without parentheses), as in PyTorch;
    ``inference_mode(False)`` turns recording back on inside it.

    Tensors made inside are ordinary tensors here (PyTorch's "inference tensors", which
    skip version counting, have no counterpart).

    >>> import autograd_core as ag
    >>> x = ag.ones(2, requires_grad=True)
    >>> with ag.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad
    False
    >>> @ag.inference_mode
    ... def double(t):
    ...     return t * 2
    >>> double(x).requires_grad
    False
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode) and not isinstance(mode, bool):  # @inference_mode without ()
            return cls(True)(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.inference = bool(mode)
        self.mode = not self.inference  # the grad mode inside

    def __enter__(self) -> None:
        self._prev = (STATE.enabled, STATE.inference)
        STATE.enabled, STATE.inference = self.mode, self.inference

    def __exit__(self, *exc: object) -> None:
        STATE.enabled, STATE.inference = self._prev

    def clone(self) -> "inference_mode":
        return type(self)(self.inference)

    def __call__(self, fn: F) -> F:
        inference = self.inference

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(inference):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
