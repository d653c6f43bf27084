"""``Function``: the base of every differentiable Tensor op.

An op is one class holding both directions, side by side:

* ``forward(ctx, *arrays, **attrs)`` computes on NumPy arrays and may call
  ``ctx.save_for_backward(...)`` with the arrays its backward needs;
* ``backward(ctx, grad)`` returns one gradient per input, written with Tensor
  operations (``ctx.saved_tensors`` gives the saved arrays back as Tensors that
  stay connected to the graph), so second derivatives come for free.

``Function.apply`` runs forward, records the node when grad mode is on and an
input requires grad, and (in ``_backward``) sums each gradient back to its input's
shape when the forward broadcast it. No op repeats that.

>>> import numpy as np
>>> import autograd_core as ag
>>> class Cube(ag.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, grad):
...         (x,) = ctx.saved_tensors
...         return grad * 3 * x * x
>>> x = ag.tensor([2.0], requires_grad=True)
>>> Cube.apply(x).backward(ag.ones(1))
>>> x.grad
tensor([12.])
"""
from __future__ import annotations

from operator import attrgetter
from weakref import ref as _ref
from typing import Any

import numpy as np

from .grad_mode import STATE

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)

_new = object.__new__
_data = attrgetter("_data")


class Function:
    """Base class of ops; subclass it and define ``forward`` and ``backward``."""

    __slots__ = ("parents", "_saved", "_out", "__dict__")

    # -- what an op defines -------------------------------------------------
    @staticmethod
    def forward(ctx: "Function", *arrays: np.ndarray, **attrs: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: "Function", grad: Any) -> Any:
        raise NotImplementedError

    # An op whose backward only adds ``grad`` into a zero tensor of its one input's shape
    # (indexing, gather) may also define ``add_into(self, buffer, grad)``, doing that add
    # in place; without a graph of the backward to record, the engine calls it instead.
    add_into = None

    # -- what forward and backward use ----------------------------------------
    def save_for_backward(self, *arrays: np.ndarray) -> None:
        """Keep arrays for backward; they come back as Tensors in ``saved_tensors``."""
        self._saved = arrays

    @property
    def needs_input_grad(self) -> tuple:
        """For each input: does it require grad? (backward may skip the others)"""
        return tuple([p._requires_grad for p in self.parents])

    @property
    def saved_tensors(self) -> tuple:
        """The saved arrays as Tensors: an input or the output stays connected to the graph."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MESSAGE)
        parents = self.parents
        result = []
        for a in saved:
            for p in parents:
                if p._data is a:
                    result.append(p)
                    break
            else:
                out = self._out() if self._out is not None else None
                result.append(out if out is not None and out._data is a else make(a))
        return tuple(result)

    # -- the machinery ------------------------------------------------------
    @classmethod
    def apply(cls, *inputs: Any, **attrs: Any) -> Any:
        """Run the op on Tensors and record it in the graph when needed."""
        if not STATE.enabled:  # nothing is recorded: no node, a throwaway context
            try:
                return make(cls.forward(_SCRATCH, *map(_data, inputs), **attrs))
            except (ValueError, IndexError, TypeError) as e:
                raise op_error(cls, inputs, e) from None
        ctx = _new(cls)
        ctx._saved = ()
        try:
            data = cls.forward(ctx, *map(_data, inputs), **attrs)
        except (ValueError, IndexError, TypeError) as e:
            raise op_error(cls, inputs, e) from None
        out = make(data)
        for t in inputs:
            if t._requires_grad:
                ctx.parents = inputs
                ctx._out = _ref(out) if ctx._saved else None
                out._requires_grad = True
                out._ctx = ctx
                break
        return out

    def _backward(self, grad: Any) -> tuple:
        """Gradients for each parent, summed back to the parent's shape and dtype."""
        grads = self.backward(self, grad)
        if type(grads) is not tuple:
            grads = (grads,)
        result = []
        for p, g in zip(self.parents, grads):
            if g is not None:
                a, pa = g._data, p._data
                if a.shape != pa.shape:
                    g = g.sum_to_size(pa.shape)
                if a.dtype != pa.dtype:
                    g = g.to(pa.dtype)
            result.append(g)
        return result

    def name(self) -> str:
        """PyTorch-style node name, e.g. ``MulBackward0``."""
        return f"{type(self).__name__}Backward0"

    @property
    def next_functions(self) -> tuple:
        return tuple((p._ctx, 0) for p in getattr(self, "parents", ()))

    def __repr__(self) -> str:
        return f"<{self.name()}>"


def op_name(cls: type) -> str:
    return getattr(cls, "op", None) or cls.__name__.lower()


def op_error(cls: type, inputs: tuple, e: Exception) -> Exception:
    """A clear error naming the op and the input shapes, instead of NumPy's."""
    shapes = " and ".join(str(tuple(t._data.shape)) for t in inputs)
    msg = str(e)
    if "broadcast" in msg:
        return ValueError(f"{op_name(cls)}: shapes {shapes} cannot be broadcast together")
    return type(e)(f"{op_name(cls)}: invalid input of shape {shapes}: {msg}")


class _Scratch(Function):
    """The context ops get when nothing is recorded: whatever they save is dropped,
    so no array outlives the call."""

    __slots__ = ()

    def save_for_backward(self, *arrays: np.ndarray) -> None:
        pass

    def __setattr__(self, name: str, value: Any) -> None:
        pass


_SCRATCH = _new(_Scratch)

from .tensor import make  # noqa: E402  (tensor.py imports this module first)
