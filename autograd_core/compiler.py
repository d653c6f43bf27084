"""``torch.compiler``: the switches programs use around ``torch.compile``. Nothing is
compiled here (``compile.py``), so nothing is ever being compiled, and the decorators
give back what they are given.

>>> import autograd_core as ag
>>> @ag.compiler.disable
... def f(x):
...     return x + 1
>>> f(ag.ones(1)).tolist(), ag.compiler.is_compiling()
([2.0], False)
"""
from __future__ import annotations

from typing import Any, Callable


def _same(fn: Any = None, **options: Any) -> Any:
    """``deco(fn)`` is ``fn``; ``deco(**options)`` is a decorator doing the same."""
    if fn is None:
        return lambda f: f
    return fn


def disable(fn: Callable | None = None, recursive: bool = True, *, reason: str | None = None
            ) -> Any:
    """``@torch.compiler.disable``: ``fn`` itself (it always runs as Python here)."""
    return _same(fn)


allow_in_graph = assume_constant_result = _same


def is_compiling() -> bool:
    """False: code here never runs inside a compiler's trace."""
    return False


is_dynamo_compiling = is_exporting = is_compiling


def reset() -> None:
    """Nothing to forget: there are no compiled graphs."""


def cudagraph_mark_step_begin() -> None:
    """Nothing to mark: there are no CUDA graphs."""


__all__ = ["disable", "allow_in_graph", "assume_constant_result", "is_compiling",
           "is_dynamo_compiling", "is_exporting", "reset", "cudagraph_mark_step_begin"]
