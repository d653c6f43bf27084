"""Grad mode: whether new operations are recorded in the graph.

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as context managers and
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
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    enabled = True


STATE = _State()


def is_grad_enabled() -> bool:
    """True when operations are currently being recorded."""
    return STATE.enabled


class _Mode:
    """Base for the grad-mode switches: a context manager and a decorator."""

    mode: bool = True

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
