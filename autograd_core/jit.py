"""``torch.jit`` for programs that decorate functions or modules with it: there is nothing
to compile here, so ``script`` and ``trace`` give back what they were given (it runs
eagerly, as under PyTorch with ``PYTORCH_JIT=0``), the decorators ``ignore``, ``unused``
and ``export`` change nothing, and ``is_scripting()``/``is_tracing()`` are False.
TorchScript files cannot be written or read (``save``/``load`` raise; save a state dict).

>>> import autograd_core as ag
>>> @ag.jit.script
... def gelu(x):
...     return 0.5 * x * (1.0 + ag.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))
>>> gelu(ag.zeros(2)).tolist(), ag.jit.is_scripting()
([0.0, 0.0], False)
"""
from __future__ import annotations

from typing import Any, Generic, TypeVar

__all__ = ["script", "trace", "trace_module", "ignore", "unused", "export", "is_scripting",
           "is_tracing", "annotate", "Final", "save", "load", "ScriptModule", "ScriptFunction"]

T = TypeVar("T")


def script(obj: T, *args: Any, **kwargs: Any) -> T:
    """``obj`` itself: a function or module runs eagerly."""
    return obj


def trace(func: T, example_inputs: Any = None, *args: Any, **kwargs: Any) -> T:
    """``func`` itself (a traced module is the module)."""
    return func


def trace_module(mod: T, inputs: Any = None, *args: Any, **kwargs: Any) -> T:
    return mod


def ignore(drop: Any = False, **kwargs: Any) -> Any:
    """``@ignore`` or ``@ignore(drop=True)``: the function unchanged."""
    if callable(drop):
        return drop
    return lambda fn: fn


unused = export = ignore


def is_scripting() -> bool:
    return False


def is_tracing() -> bool:
    return False


def annotate(the_type: Any, the_value: T) -> T:
    return the_value


class Final(Generic[T]):
    """``torch.jit.Final[int]``: a type annotation, nothing more."""


class ScriptModule:
    """The type of scripted modules; none is ever made here (``script`` returns the module)."""


class ScriptFunction:
    """The type of scripted functions; none is ever made here."""


def save(m: Any, f: Any, *args: Any, **kwargs: Any) -> None:
    raise NotImplementedError("torch.jit.save: TorchScript files are not available in "
                              "autograd-core; save the model's state_dict with torch.save")


def load(f: Any, *args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("torch.jit.load: TorchScript files are not available in "
                              "autograd-core; load a state_dict saved with torch.save")
