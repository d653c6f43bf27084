"""``Function``: the base of every differentiable Tensor op, and a node of the graph.

An op is one class holding both directions, side by side:

* ``forward(ctx, *arrays, **attrs)`` computes on NumPy arrays and may call
  ``ctx.save_for_backward(...)`` with the arrays its backward needs;
* ``backward(ctx, grad)`` returns one gradient per input, written with Tensor
  operations (``ctx.saved_tensors`` gives the saved arrays back as Tensors that
  stay connected to the graph), so second derivatives come for free;
* optionally ``array_backward(ctx, grad)``, the same gradients computed on arrays
  (``ctx.saved_arrays``). It is differentiable once (PyTorch's ``once_differentiable``):
  the engine uses it when no graph of the backward is wanted, and ``backward`` otherwise.

``Function.apply`` runs forward and, when grad mode is on and an input requires grad,
makes the op's context a node of the graph: ``next`` holds, per input, the node its
gradient goes to (the input's own ``grad_fn``, the input itself when it is a leaf, or
None). Gradients are summed back to each input's shape and cast to its dtype here, in
one place (``sum_to_shape``); no op un-broadcasts by hand.

Saved tensors remember their version: an in-place change to one of them before
backward raises PyTorch's "modified by an inplace operation" error instead of giving a
wrong gradient.

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

import itertools
import math
import re
from typing import Any

import numpy as np

from .grad_mode import STATE


class _FreedError(RuntimeError, AttributeError):
    """A context's attribute read after backward freed it: PyTorch's RuntimeError
    (also an AttributeError, so that ``hasattr``/``getattr(..., default)`` stay quiet)."""


FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)

_new = object.__new__

# True while something stands in for ``Function.apply`` to see every op (ONNX export's
# tracer, ``onnx/capture.py``); see ``ops_observed``.
OPS_TRACED = False


def ops_observed() -> bool:
    """True while something must see every op: anomaly mode or a profiler (``STATE.watch``,
    which ``Function.apply`` hands each op to) or ONNX export (``OPS_TRACED``). The
    shortcuts that make an op's result without ``Function.apply`` when nothing is recorded
    (``x[i]``, ``unbind``, ``stack``, in-place arithmetic) ask this first and take
    ``Function.apply`` then, so that no op goes unseen."""
    return STATE.watch is not None or OPS_TRACED

# A node keeps its output's values when they are this few (pictures and explanations
# of small graphs then show every value), and otherwise only a weak reference to it.
SMALL_VALUES = 64


class Function:
    """Base class of ops; subclass it and define ``forward`` and ``backward``."""

    __slots__ = ("next", "_saved", "_meta", "_consts", "_small", "__dict__")
    _is_fn = True          # a node of the graph that has parents (leaf tensors say False)
    _hooks = None          # hooks registered on the output tensor: {id: fn(grad)}
    _retain = None         # weakref to the output tensor that called retain_grad()
    label = None           # the output tensor's label (for pictures)
    array_backward = None  # optional: staticmethod(ctx, grad_array) -> arrays
    # optional: as array_backward, but free to overwrite ``grad_array`` (and return it):
    # the engine calls it when it made that array itself and nothing else can hold it
    array_backward_inplace = None
    is_view = False        # True when the output may share memory with input 0

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
    def save_for_backward(self, *arrays: np.ndarray | None) -> None:
        """Keep arrays for backward; they come back as Tensors in ``saved_tensors``
        (and as arrays in ``saved_arrays``), checked against in-place changes."""
        self._saved = arrays

    def __getattr__(self, name: str) -> Any:
        # only for a missing attribute: one the engine released after backward (see
        # ``release``) gives PyTorch's error, as a saved tensor would
        if not name.startswith("__"):
            try:
                released = object.__getattribute__(self, "_saved") is None
            except AttributeError:      # a context made without Function.apply
                released = False
            if released:
                raise _FreedError(FREED_MESSAGE)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def release(self) -> None:
        """Free what backward needed, once it has run without ``retain_graph``: the
        saved arrays and every array the op kept on its context (``ctx.xhat = ...``), so
        that holding the output (a loss kept until the next step) keeps no activation
        alive, as in PyTorch."""
        d = self.__dict__
        arrays = [k for k, v in d.items() if type(v) is np.ndarray] if d else ()
        for k in arrays:
            del d[k]
        if self._saved or arrays:
            self._saved = None

    @property
    def needs_input_grad(self) -> tuple:
        """For each input: does it require grad, and, inside ``grad(outputs, inputs)``,
        does its gradient lead to one of ``inputs``? (backward may skip the others, as
        PyTorch's ops skip a weight's gradient when only the input's is asked for)"""
        useful = STATE.useful
        if useful is None:
            return tuple([n is not None for n in self.next])
        return tuple([n is not None and n in useful for n in self.next])

    def _check_saved(self) -> tuple:
        """The saved arrays, after checking that none was modified in place since (and
        that an earlier backward did not free them): PyTorch's errors otherwise."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MESSAGE)
        for i in range(2, len(saved), SAVED_FIELDS):   # each entry's version counter
            vc = saved[i]
            if vc is not None and vc[0] != saved[i + 1]:
                raise _modified_error(self, saved[i - 2:i - 2 + SAVED_FIELDS])
        return saved[::SAVED_FIELDS]

    saved_arrays = property(_check_saved)

    def input_shape(self, i: int = 0) -> tuple:
        """The shape of input ``i`` (what a backward that undoes a change of shape needs;
        read from the node's record of its inputs rather than kept again).

        >>> import autograd_core as ag
        >>> ag.ones(2, 3, requires_grad=True).reshape(6).grad_fn.input_shape()
        (2, 3)
        """
        return self._meta[i][0]

    @property
    def saved_tensors(self) -> tuple:
        """The saved arrays as Tensors: an input or the output stays connected to the graph."""
        result = []
        saved = self._saved
        for k, a in enumerate(self.saved_arrays):
            node, is_out = saved[k * SAVED_FIELDS + 1], saved[k * SAVED_FIELDS + 4]
            if a is None:
                result.append(None)
            elif is_out:
                result.append(_attached(a, self))
            elif node is None:
                result.append(make(a))
            elif node._is_fn:
                result.append(_attached(a, node))
            else:  # a leaf: itself, so that a graph of the backward reaches its .grad
                result.append(node if node._data is a else make(a))
        return tuple(result)

    # -- the machinery ------------------------------------------------------
    @classmethod
    def apply(cls, *inputs: Any, **attrs: Any) -> Any:
        """Run the op on Tensors and record it in the graph when needed."""
        state = STATE
        if state.watch is not None:  # anomaly mode or a profiler: see anomaly_mode.Watch
            return state.watch.apply(cls, inputs, attrs)
        # the inputs' arrays and whether any input needs a gradient here; one and two
        # inputs (most ops, and the binary arithmetic) without the loops of the general case
        n = len(inputs)
        record = False
        if n == 1:
            t = inputs[0]
            if state.enabled:
                v = t._view
                if v is not None and v[4] != t._vc[0]:   # a view whose base changed in place:
                    refresh_view(t)                      # its grad_fn from the base's history
                record = t._requires_grad
            arrays = (t._data,)
        elif n == 2:
            t, u = inputs
            if state.enabled:
                v = t._view
                if v is not None and v[4] != t._vc[0]:
                    refresh_view(t)
                v = u._view
                if v is not None and v[4] != u._vc[0]:
                    refresh_view(u)
                record = t._requires_grad or u._requires_grad
            arrays = (t._data, u._data)
        else:
            if state.enabled:
                for t in inputs:
                    v = t._view
                    if v is not None and v[4] != t._vc[0]:
                        refresh_view(t)
                    if t._requires_grad:
                        record = True
            arrays = [t._data for t in inputs]
        if not record:
            out = _forward_only(cls, inputs, arrays, attrs)
            if cls.is_view:
                mark_view(out, inputs[0], cls, attrs)
            return out
        # the node: per input the node its gradient goes to (None for an input that needs
        # none: a constant of the graph, kept in ``_consts``), and the inputs' shapes and
        # dtypes
        ctx = _new(cls)
        if n == 1:
            c = t._ctx
            ctx.next = (t if c is None else c,)
            ctx._consts = None
            a = arrays[0]
            key = (a.shape, a.dtype)
        elif n == 2:
            a, b = arrays
            c, d = t._ctx, u._ctx
            rt, ru = t._requires_grad, u._requires_grad
            if rt and ru:
                ctx.next = (t if c is None else c, u if d is None else d)
                ctx._consts = None
            elif rt:
                ctx.next = (t if c is None else c, None)
                ctx._consts = [None, u]
            else:
                ctx.next = (None, u if d is None else d)
                ctx._consts = [t, None]
            key = (a.shape, a.dtype, b.shape, b.dtype)
        else:
            nodes = []
            key = []
            consts = None
            i = 0
            for t in inputs:
                a = t._data
                key.append(a.shape)
                key.append(a.dtype)
                if t._requires_grad:
                    c = t._ctx
                    nodes.append(t if c is None else c)
                else:
                    nodes.append(None)
                    if consts is None:
                        consts = [None] * n
                    consts[i] = t
                i += 1
            ctx.next = tuple(nodes)
            ctx._consts = consts
            key = tuple(key)
        ctx._saved = ()
        ctx._meta = _METAS.get(key) or _intern_meta(key)
        try:
            data = cls.forward(ctx, *arrays, **attrs)
        except (ValueError, IndexError, TypeError) as e:
            raise op_error(cls, inputs, e) from None
        if type(data) is not np.ndarray:  # a NumPy scalar (a full reduction): read-only
            raw, data = data, np.asarray(data)
            if ctx._saved:  # the output saved for backward stays the output (its graph)
                ctx._saved = tuple(data if a is raw else a for a in ctx._saved)
        out = make(data)
        out._requires_grad = True
        out._ctx = ctx
        if ctx._saved:
            ctx._saved = _pack(ctx, arrays, inputs, data, out)
        ctx._small = data if data.size <= SMALL_VALUES else None
        if cls.is_view:
            mark_view(out, inputs[0], cls, attrs)
        return out

    @classmethod
    def apply_number(cls, t: Any, number: np.ndarray, **attrs: Any) -> Any:
        """``apply(t, number)`` for a Python number already made a 0-d array of its dtype
        (the binary operators' ``x + 1``): when nothing is recorded (``t`` needs no
        gradient here, is not a view behind its base's in-place change, and nothing
        observes ops), the forward alone, without wrapping the number in a Tensor; the
        loops of small programs (``data[i:i + block_size]``) run it for every element."""
        v = t._view
        if (t._requires_grad and STATE.enabled) or (v is not None and v[4] != t._vc[0]) \
                or STATE.watch is not None or OPS_TRACED:
            return cls.apply(t, make(number), **attrs)
        return _forward_only(cls, (t, number), (t._data, number), attrs)

    @classmethod
    def apply_view(cls, t: Any, data: np.ndarray, attrs: dict,
                   ctx_attrs: dict | None = None) -> Any:
        """``cls.apply(t, **attrs)`` for a view op (one input, nothing saved) whose result
        ``data``, a view of ``t``'s array, the caller has made: the same node, the same
        view record, without ``apply``'s general machinery (``x[i]``, ``view``,
        ``expand``, ``unsqueeze``, ``transpose``, which programs of tiny tensors run many
        times a step). ``ctx_attrs`` are what the op's forward
        keeps on its context (``Index``'s ``index``). While something observes ops
        (``ops_observed``), ``apply`` itself.

        >>> import autograd_core as ag
        >>> from autograd_core.ops.movement import Reshape
        >>> x = ag.ones(2, 3, requires_grad=True)
        >>> y = Reshape.apply_view(x, x.detach().numpy().reshape(6), {"shape": (6,)})
        >>> y.grad_fn.name(), y.shape
        ('ReshapeBackward0', (6,))
        """
        state = STATE
        if state.watch is not None or OPS_TRACED:
            return cls.apply(t, **attrs)
        out = make(data)
        if state.enabled:
            v = t._view
            if v is not None and v[4] != t._vc[0]:   # as in apply: a view whose base
                refresh_view(t)                      # changed in place
            if t._requires_grad:
                a = t._data
                ctx = _new(cls)
                ctx._saved = ()
                c = t._ctx
                ctx.next = (t if c is None else c,)
                ctx._consts = None
                key = (a.shape, a.dtype)
                ctx._meta = _METAS.get(key) or _intern_meta(key)
                ctx._small = data if data.size <= SMALL_VALUES else None
                if ctx_attrs:
                    ctx.__dict__.update(ctx_attrs)
                out._requires_grad = True
                out._ctx = ctx
        mark_known_view(out, t, cls, attrs)
        return out

    def _backward(self, grad: Any) -> list:
        """Gradients (Tensors) for each input, from ``backward``, at each input's shape
        and dtype."""
        self._check_saved()
        grads = self.backward(self, grad)
        if type(grads) is not tuple:
            grads = (grads,)
        result = []
        for (shape, dtype), g in zip(self._meta, grads):
            if g is not None:
                if g._data.shape != shape:
                    g = g.sum_to_size(shape)
                if g._data.dtype != dtype:
                    g = g.to(dtype)
            result.append(g)
        return result

    def _backward_arrays(self, grad: np.ndarray, donated: bool = False) -> list:
        """Gradients (arrays) for each input: ``array_backward`` when the op has one
        (``array_backward_inplace`` when the engine ``donated`` ``grad``), else
        ``backward`` on a Tensor, at each input's shape and dtype."""
        self._check_saved()
        fast = self.array_backward
        if donated and self.array_backward_inplace is not None:
            fast = self.array_backward_inplace
        if fast is not None:
            grads = fast(self, grad)
            if type(grads) is not tuple:
                grads = (grads,)
        else:
            grads = self.backward(self, make(grad))
            grads = tuple([None if g is None else g._data for g in
                           (grads if type(grads) is tuple else (grads,))])
        result = []
        for (shape, dtype), g in zip(self._meta, grads):
            if g is not None:
                if type(g) is not np.ndarray:  # NumPy scalars from 0-d arithmetic
                    g = np.asarray(g)
                if g.shape != shape:
                    g = sum_to_shape(g, shape)
                if g.dtype != dtype:
                    g = g.astype(dtype)
            result.append(g)
        return result

    def name(self) -> str:
        """PyTorch-style node name, e.g. ``MulBackward0``."""
        return f"{type(self).__name__}Backward0"

    @property
    def next_functions(self) -> tuple:
        """``((node, 0), ...)`` per input, as PyTorch's: the input's ``grad_fn``, a leaf's
        accumulator (the leaf itself here), or ``None``."""
        return tuple((n, 0) for n in self.next)

    def inputs(self) -> tuple:
        """Per input: its node (``grad_fn`` or leaf) if it requires grad, else the input
        tensor itself (a constant of the graph). For pictures; the engine reads ``next``."""
        consts = self._consts
        if consts is None:
            return self.next
        return tuple(n if n is not None else c for n, c in zip(self.next, consts))

    def register_hook(self, fn: Any) -> Any:
        """``fn(grad)`` on the gradient of this node's output (as ``Tensor.register_hook``)."""
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = fn
        return handle

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class RemovableHandle:
    """Returned by ``register_hook`` (and nn's ``register_forward_hook``): ``remove()``
    takes the hook away; also a context manager that removes it on exit."""

    _ids = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def sum_to_shape(a: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a broadcast array back to ``shape``: the inverse of broadcasting, the one place
    gradients are un-broadcast."""
    lead = a.ndim - len(shape)
    have = a.shape
    dims = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and have[lead + i] != 1:
            dims.append(lead + i)
    if not dims:
        return a.reshape(shape)
    out = a.sum(axis=tuple(dims), keepdims=True)   # keeps ``shape`` when no lead is summed
    return out if lead == 0 else out.reshape(shape)


# Up to this many elements, a gradient spread over a shape is a new array: NumPy's
# ``broadcast_to`` view takes microseconds of Python to set up where filling a small array
# takes a fraction of one; larger ones stay read-only views, which cost no memory.
SMALL_SPREAD = 4096


# A node's ``_meta``, its inputs' ``(shape, dtype)`` pairs, is one tuple shared by every
# node whose inputs have the same shapes and dtypes: a graph's nodes then hold no pairs
# of their own, and Python's garbage collector, which runs after every so many new
# objects, runs less often and reads fewer. Cleared when full, as shapes may vary without
# end (sequences of every length).
_METAS: dict = {}
_METAS_MAX = 4096


def _intern_meta(key: tuple) -> tuple:
    """The shared ``_meta`` for ``key``, the inputs' shapes and dtypes in turn."""
    if len(_METAS) >= _METAS_MAX:
        _METAS.clear()
    meta = _METAS[key] = tuple(zip(key[0::2], key[1::2]))
    return meta


def spread(g: np.ndarray, shape: tuple) -> np.ndarray:
    """``g`` broadcast to ``shape``, for a backward: an array of its own when small, else a
    read-only view (as ``np.broadcast_to``)."""
    if math.prod(shape) <= SMALL_SPREAD:
        out = np.empty(shape, g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)


def node_of(t: Any) -> Any:
    """The node a gradient for ``t`` goes to: its ``grad_fn``, itself when it is a leaf
    that requires grad, or None."""
    v = t._view
    if v is not None and v[4] != t._vc[0]:
        refresh_view(t)
    if not t._requires_grad:
        return None
    ctx = t._ctx
    return t if ctx is None else ctx


def _forward_only(cls: type, inputs: tuple, arrays: Any, attrs: dict) -> Any:
    """``cls``'s result on ``arrays`` with nothing recorded: a throwaway context, whatever
    it saves is dropped; NumPy's errors become ``op_error``'s, naming the ``inputs``."""
    try:
        data = cls.forward(_SCRATCH, *arrays, **attrs)
    except (ValueError, IndexError, TypeError) as e:
        raise op_error(cls, inputs, e) from None
    return make(data if type(data) is np.ndarray else np.asarray(data))


def _attached(a: np.ndarray, node: Function) -> Any:
    """A Tensor holding ``a`` whose gradient flows to ``node``."""
    t = make(a)
    t._ctx = node
    t._requires_grad = True
    return t


# A node's ``_saved``, once packed: per saved array, SAVED_FIELDS fields in a row, ``array,
# node, version counter, version when saved, is the output``, all in one flat tuple (a
# tuple per array would be one more object per saved array for the garbage collector).
SAVED_FIELDS = 5


_NOTHING_SAVED = (None, None, None, 0, False)   # the entry of a None saved


def _pack(ctx: Function, arrays: list, inputs: tuple, data: np.ndarray, out: Any) -> tuple:
    """Each saved array with what its unpacking needs (``SAVED_FIELDS``). Inputs and the
    output are version-checked; arrays the op made for itself are private and need no
    check."""
    saved = ctx._saved
    if len(saved) == 1:   # one array, the first input or the output: without the loops
        a = saved[0]
        if a is arrays[0]:
            vc = version_counter(inputs[0])
            return (a, ctx.next[0], vc, vc[0], False)
        if a is data:
            vc = out._vc = [0]
            return (a, None, vc, 0, True)
    elif len(saved) == 2 and len(arrays) == 2:   # a binary op's inputs, each or None
        a, b = saved
        x, y = arrays
        if (a is x or a is None) and (b is y or b is None):
            nxt = ctx.next
            if a is None:
                first = _NOTHING_SAVED
            else:
                vc = version_counter(inputs[0])
                first = (a, nxt[0], vc, vc[0], False)
            if b is None:
                return first + _NOTHING_SAVED
            vc = version_counter(inputs[1])
            return first + (b, nxt[1], vc, vc[0], False)
    packed = []
    for a in saved:
        if a is None:
            packed += _NOTHING_SAVED
            continue
        for i, x in enumerate(arrays):
            if a is x:
                t = inputs[i]
                vc = t._vc
                if vc is None:
                    vc = t._vc = [0]
                packed += (a, ctx.next[i], vc, vc[0], False)
                break
        else:
            if a is data:
                vc = out._vc = [0]
                packed += (a, None, vc, 0, True)
            else:
                packed += (a, None, None, 0, False)
    return tuple(packed)


def version_counter(t: Any) -> list:
    """``t``'s version counter (a one-element list shared with its views), made on demand."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
    return vc


def _modified_error(ctx: Function, entry: tuple) -> RuntimeError:
    a, node, vc, version, is_out = entry
    what = f"[{torch_type_name(a.dtype)} [{', '.join(map(str, a.shape))}]]"
    if is_out:
        what += f", which is output 0 of {type(ctx).__name__},"
    elif node is not None and node._is_fn:
        what += f", which is output 0 of {type(node).__name__},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {what} is at version {vc[0]}; expected version {version} "
        f"instead (needed by {ctx.name()}). Hint: the in-place operation changed a tensor "
        "that this op saved for backward; use the out-of-place form, or clone() the tensor "
        "before changing it.")


_TORCH_TYPES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def scalar_type_name(dtype: np.dtype) -> str:
    """PyTorch's name of a dtype in messages: ``Float``, ``Long``, ..."""
    return _TORCH_TYPES.get(np.dtype(dtype).name, np.dtype(dtype).name)


def torch_type_name(dtype: np.dtype) -> str:
    """PyTorch's legacy tensor type name: ``torch.FloatTensor``, ..."""
    return f"torch.{scalar_type_name(dtype)}Tensor"


# -- views ----------------------------------------------------------------------
def _shares_base(out: np.ndarray, a: np.ndarray) -> bool:
    """True when ``out`` is a view of ``a``'s memory (NumPy keeps the owner as ``base``)."""
    b = out.base
    if b is None:
        return False
    root = a if a.base is None else a.base
    return b is root or b is a or np.may_share_memory(out, a)


def mark_view(out: Any, inp: Any, cls: type, attrs: dict) -> None:
    """Record that ``out`` is a view of ``inp`` made by ``cls(**attrs)``: it shares the
    base's version counter and can be replayed from the base (see ``replay``)."""
    if _shares_base(out._data, inp._data):
        mark_known_view(out, inp, cls, attrs)


def mark_known_view(out: Any, inp: Any, cls: type, attrs: dict) -> None:
    """``mark_view`` for an ``out`` known to share ``inp``'s memory (basic indexing always
    gives a view), without the check."""
    base = inp if inp._view is None else inp._view[0]
    vc = version_counter(base)
    out._vc = vc
    out._view = (base, inp, cls, attrs, vc[0], not STATE.enabled)


def view_chain(t: Any) -> list:
    """The view ops, from ``t``'s base to ``t``: ``[(cls, attrs), ...]``."""
    chain = []
    while t._view is not None:
        _, inp, cls, attrs = t._view[:4]
        chain.append((cls, attrs))
        t = inp
    chain.reverse()
    return chain


def replay_arrays(chain: list, a: np.ndarray) -> np.ndarray:
    """The view ``chain`` applied to array ``a`` (a view of it)."""
    for cls, attrs in chain:
        a = cls.forward(_SCRATCH, a, **attrs)
    return a


def replay(chain: list, t: Any) -> Any:
    """The view ``chain`` applied to Tensor ``t`` with recorded ops."""
    for cls, attrs in chain:
        t = cls.apply(t, **attrs)
    return t


def refresh_view(t: Any) -> None:
    """After its base changed in place, give view ``t`` a ``grad_fn`` from the base's
    new history (PyTorch regenerates a view's ``grad_fn`` the same way)."""
    base, inp, cls, attrs, version, no_grad = t._view
    if version == t._vc[0]:
        return
    t._view = (base, inp, cls, attrs, t._vc[0], no_grad)
    if base._requires_grad:
        prev = STATE.enabled
        STATE.enabled = True
        try:
            fresh = replay(view_chain(t), base)
        finally:
            STATE.enabled = prev
        t._ctx, t._requires_grad = fresh._ctx, True


def op_name(cls: type) -> str:
    return getattr(cls, "op", None) or cls.__name__.lower()


def op_error(cls: type, inputs: tuple, e: Exception) -> Exception:
    """A clear error naming the op and the input shapes, instead of NumPy's."""
    shapes = " and ".join(str(tuple(np.shape(getattr(t, "_data", t)))) for t in inputs)
    msg = str(e)
    if isinstance(e, IndexError) and msg.startswith("shape mismatch: indexing arrays"):
        # index tensors whose shapes do not broadcast: PyTorch's IndexError and words
        found = re.findall(r"\(([0-9, ]*)\)", msg)
        listed = ", ".join("[" + ", ".join(x for x in f.replace(" ", "").split(",") if x) + "]"
                           for f in found)
        return IndexError(f"shape mismatch: indexing tensors could not be broadcast together "
                          f"with shapes {listed}")
    if "broadcast" in msg:
        return RuntimeError(f"{op_name(cls)}: shapes {shapes} cannot be broadcast together")
    # NumPy's ValueError for shapes that do not fit is PyTorch's RuntimeError
    kind = RuntimeError if isinstance(e, ValueError) else type(e)
    return kind(f"{op_name(cls)}: invalid input of shape {shapes}: {msg}")


class _NoNodes(dict):
    """``next`` of the scratch context: no input has a node (any index gives None; the
    first 64 are stored, so that ops' ``ctx.next[i]`` reads them without a Python call)."""

    def __missing__(self, i: int) -> None:
        return None


class _Scratch(Function):
    """The context ops get when nothing is recorded: whatever they save is dropped,
    so no array outlives the call; ``ctx.next[i]`` is None for every input."""

    __slots__ = ()
    next = _NoNodes.fromkeys(range(64))

    def save_for_backward(self, *arrays: np.ndarray) -> None:
        pass

    def __setattr__(self, name: str, value: Any) -> None:
        pass


_SCRATCH = _new(_Scratch)

# The one seam between graph nodes and the Tensor type: tensor/base.py binds these when
# it defines Tensor, so that nothing below the tensor layer imports it.
Tensor: type = None  # type: ignore[assignment]
make: Any = None


def bind_tensor(tensor_type: type, make_fn: Any) -> None:
    """Called once by tensor/base.py: the class of tensors and its fast constructor."""
    global Tensor, make
    Tensor, make = tensor_type, make_fn


def once_differentiable(backward: Any) -> Any:
    """PyTorch's decorator for a custom op's ``backward`` that is not differentiable itself:
    it runs without recording, so a ``create_graph`` backward through it gets no graph of
    it (PyTorch's ``torch.autograd.function.once_differentiable``).

    >>> import autograd_core as ag
    >>> class Double(ag.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return x * 2
    ...     @staticmethod
    ...     @once_differentiable
    ...     def backward(ctx, grad):
    ...         return grad * 2
    >>> x = ag.ones(1, requires_grad=True)
    >>> (g,) = ag.autograd.grad(Double.apply(x).sum(), x, create_graph=True)
    >>> g, g.requires_grad
    (tensor([2.]), False)
    """
    import functools

    @functools.wraps(backward)
    def run(ctx: Any, *grads: Any) -> Any:
        previous = STATE.enabled
        STATE.enabled = False
        try:
            return backward(ctx, *grads)
        finally:
            STATE.enabled = previous
    return run


def is_tensor(obj: Any) -> bool:
    """True for a Tensor (of any subclass)."""
    return isinstance(obj, Tensor)


def const(array: np.ndarray) -> Any:
    """A Tensor holding ``array``, needing no gradient: a constant of a backward formula."""
    return make(array)
