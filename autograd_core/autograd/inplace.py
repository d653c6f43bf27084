"""In-place changes inside a graph: the bookkeeping that gives a tensor changed in place
a new history, and PyTorch's rules for which changes are allowed.

A tensor ``t`` changed in place by an op takes the op's node as its ``grad_fn``; ops
recorded before keep pointing at the old node, so their gradients still reach the old
value. When ``t`` is a view, its base takes a ``CopySlices`` node (the old base with
the view's region replaced by the new value) and ``t`` is replayed from the base, as
in PyTorch.

>>> import autograd_core as ag
>>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> h = x * 1
>>> h[1:].mul_(10)
tensor([20., 30.], grad_fn=<IndexBackward0>)
>>> h.sum().backward()
>>> x.grad
tensor([ 1., 10., 10.])
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable
from weakref import ref

import numpy as np

from .function import (SAVED_FIELDS, Function, node_of, refresh_view, replay, replay_arrays,
                       version_counter, view_chain)

_new = object.__new__


def can_cast(frm: np.dtype, to: np.dtype) -> bool:
    """May a result of dtype ``frm`` be written into a tensor of dtype ``to``? PyTorch's
    rule: never float to integer, complex to real, or anything but bool to bool."""
    f, t = frm.kind, to.kind
    if f == "c" and t != "c":
        return False
    if f == "f" and t in "iub":
        return False
    return not (f != "b" and t == "b")


class CopySlices(Function):
    """The base of a view changed in place: the old base with the view's region replaced
    by the view's new value. ``next`` is (old base, new view value); ``chain`` replays
    the view from the base."""

    op = "copy_slices"

    @staticmethod
    def backward(ctx, grad):
        need_base, need_view = ctx.needs_input_grad
        gb = None
        if need_base:
            region = np.zeros(grad._data.shape, dtype=bool)
            replay_arrays(ctx.chain, region)[...] = True
            gb = grad.masked_fill(region, 0.0)
        return gb, (replay(ctx.chain, grad) if need_view else None)

    @staticmethod
    def array_backward(ctx, grad):
        need_base, need_view = ctx.needs_input_grad
        gb = None
        if need_base:
            gb = grad.copy()
            replay_arrays(ctx.chain, gb)[...] = 0
        return gb, (replay_arrays(ctx.chain, grad) if need_view else None)


def apply_inplace(t, name: str, fn, *others):
    """Write ``fn(t)`` into ``t`` as the in-place op ``name`` (``nn.functional``'s
    ``inplace=True``): recorded in the graph, with PyTorch's checks and errors."""
    return t._inplace(name, fn, *others)


def inplace_option(fn: Callable) -> Callable:
    """Give ``fn(input, ..., inplace=False)`` PyTorch's ``inplace=True``: the result is
    written into ``input`` (an in-place op of the graph, as ``relu_``)."""
    pos = list(inspect.signature(fn).parameters).index("inplace")
    name = fn.__name__ + "_"

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if len(args) > pos:
            inplace, args = args[pos], args[:pos] + args[pos + 1:]
        else:
            inplace = kwargs.pop("inplace", False)
        if not inplace:
            return fn(*args, **kwargs)
        if args:
            input, rest = args[0], args[1:]
        else:
            input, rest = kwargs.pop("input"), ()
        return apply_inplace(input, name, lambda x: fn(x, *rest, **kwargs))
    return wrapper


def keep_original_inputs(ctx: Function, original: np.ndarray) -> None:
    """Before a tensor is overwritten: if the op ``ctx`` saved it as its input (the array
    object ``original``), keep a copy instead, so that its backward sees the values it
    was given (PyTorch's ``original_self``). Other saved uses of the same memory stay
    version-checked."""
    saved = ctx._saved
    if saved and any(a is original for a in saved[::SAVED_FIELDS]):
        entries = list(saved)
        for i in range(0, len(entries), SAVED_FIELDS):
            if entries[i] is original:
                entries[i:i + SAVED_FIELDS] = (original.copy(), entries[i + 1], None, 0, False)
        ctx._saved = tuple(entries)


def rebase(t, res) -> None:
    """``t`` now holds ``res``'s values: give it the node that made ``res`` as history
    (through a ``CopySlices`` node on its base when ``t`` is a view)."""
    ctx = res._ctx
    if ctx is None:
        raise RuntimeError("in-place op: the result does not depend on the tensor it replaces "
                           "(internal error: every in-place op records its input)")
    if ctx._saved:  # a saved output is now t itself, at its new version
        vc = version_counter(t)
        entries = list(ctx._saved)
        for i in range(0, len(entries), SAVED_FIELDS):
            if entries[i + 4]:
                entries[i:i + SAVED_FIELDS] = (t._data, None, vc, vc[0], True)
        ctx._saved = tuple(entries)
    if t._view is None:
        t._ctx, t._requires_grad = ctx, True
        if t.label is not None:
            ctx.label = t.label
        if t._retains_grad:
            ctx._retain = ref(t)
        return
    base = t._view[0]
    cs = _new(CopySlices)
    cs._saved, cs._consts, cs._small = (), None, None
    cs.next = (node_of(base), ctx)
    cs._meta = ((base._data.shape, base._data.dtype), (res._data.shape, res._data.dtype))
    cs.chain = view_chain(t)
    base._ctx, base._requires_grad = cs, True
    if base._retains_grad:
        cs._retain = ref(base)
    refresh_view(t)  # t's grad_fn: replayed from the base's new history
    if t._retains_grad:
        t._ctx._retain = ref(t)
