"""``torch.autograd.Function`` as PyTorch programs write one: an op of their own.

``forward(ctx, *args)`` receives the arguments of ``apply`` as they are (Tensors, numbers,
sizes, None) and computes with Tensor ops, recording nothing; ``backward(ctx, *grads)``
receives one gradient per output and returns one per argument of forward (None for those
that need none). On the context: ``save_for_backward(*tensors)`` and ``saved_tensors``
(checked against in-place changes, freed after backward), ``needs_input_grad``,
``mark_non_differentiable``, ``mark_dirty``, ``set_materialize_grads``, and any attribute
(``ctx.scale = 2``). PyTorch 2's form, ``forward(*args)`` with a
``setup_context(ctx, inputs, output)`` beside it, works too; ``once_differentiable``
(``autograd/function.py``) marks a backward that is not differentiable itself.

A forward returning several tensors gives one node whose outputs are slices of one buffer
(indexing and ``reshape``, the Tensor ops): gradients reaching any of them meet there, and backward receives one per
output (zeros for an output that got none, unless ``set_materialize_grads(False)``).

The library's own ops subclass the array-level ``function.Function`` instead: forward on
NumPy arrays, which this class's ``forward`` never sees.

>>> import autograd_core as ag
>>> class ReverseGrad(ag.autograd.Function):    # a gradient reversal layer
...     @staticmethod
...     def forward(ctx, x, alpha):
...         ctx.alpha = alpha
...         return x.view_as(x)
...     @staticmethod
...     def backward(ctx, grad):
...         return grad.neg() * ctx.alpha, None
>>> x = ag.tensor([1.0, 2.0], requires_grad=True)
>>> ReverseGrad.apply(x, 0.5).sum().backward()
>>> x.grad
tensor([-0.5000, -0.5000])
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import function as _f
from .function import FREED_MESSAGE, Function as _Node, _modified_error, version_counter
from .grad_mode import STATE, no_grad

_new = object.__new__


def _is_float(a: np.ndarray) -> bool:
    return a.dtype.kind in "fc"


class Function(_Node):
    """Subclass with ``forward(ctx, *args)`` and ``backward(ctx, *grads)`` static methods on
    Tensors, and call ``YourFunction.apply(*args)`` (see the module's text)."""

    _setup_context = False   # PyTorch 2's form: forward(*args) and setup_context(ctx, ...)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._setup_context = any("setup_context" in vars(k) for k in cls.__mro__
                                 if k is not Function and issubclass(k, Function))

    # -- the context's API -----------------------------------------------------------
    def save_for_backward(self, *tensors: Any) -> None:
        """Keep ``tensors`` (inputs, outputs of forward or None) for backward."""
        for t in tensors:
            if t is not None and not _f.is_tensor(t):
                raise TypeError(f"save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self.__dict__["_to_save"] = tensors

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """Outputs of forward that get no gradient (indices, masks)."""
        self.__dict__.setdefault("_non_diff", set()).update(id(t) for t in tensors)

    def mark_dirty(self, *tensors: Any) -> None:
        """Inputs forward changed in place: nothing to do here, the in-place ops it used
        bumped their version counters already."""

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward receives None for an output that got no gradient."""
        self.__dict__["_materialize"] = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``; an output of forward comes back as
        the output tensor, attached to this node."""
        result = []
        for t, vc, version, node in self._check_saved():
            if t is None:
                result.append(None)
            elif node is not None:   # an output: its array, attached to its node
                result.append(_f._attached(t, node))
            else:
                result.append(t)
        return tuple(result)

    saved_variables = saved_tensors

    def _check_saved(self) -> tuple:
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MESSAGE)
        for t, vc, version, node in saved:
            if vc is not None and vc[0] != version:
                a = t if node is not None else t._data
                raise _modified_error(self, (a, None if node is not None else t._ctx, vc,
                                             version, node is not None))
        return saved

    saved_arrays = property(_check_saved)

    # -- the machinery ---------------------------------------------------------------
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` without recording and, when an argument requires grad in grad
        mode, make this op a node of the graph."""
        if STATE.watch is not None:   # anomaly mode or a profiler: see anomaly_mode.Watch
            return STATE.watch.apply(cls, args, kwargs)
        ctx = _new(cls)
        ctx._saved = ()
        ctx._consts = None
        ctx._small = None
        nodes, meta = [], []
        record = False
        enabled = STATE.enabled
        for a in args:
            if enabled and _f.is_tensor(a) and not a.is_sparse and a.requires_grad:
                c = a._ctx
                nodes.append(a if c is None else c)
                meta.append((a._data.shape, a._data.dtype))
                record = True
            else:
                nodes.append(None)
                meta.append(None)
        ctx.next = tuple(nodes)
        ctx._meta = meta
        with no_grad():
            if cls._setup_context:   # PyTorch 2's form
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        d = ctx.__dict__
        to_save = d.pop("_to_save", ())
        outputs = out if type(out) is tuple else (out,)
        non_diff = d.pop("_non_diff", ())
        slots = [i for i, o in enumerate(outputs) if _f.is_tensor(o) and _is_float(o._data)
                 and id(o) not in non_diff]
        if not record or not slots:
            return out
        d["_outputs"] = [(o._data.shape, o._data.dtype) if _f.is_tensor(o) else None
                         for o in outputs]
        d["_slots"] = slots
        results = list(outputs)
        if len(outputs) == 1:
            results[0] = res = _f.make(outputs[0]._data)
            res._requires_grad = True
            res._ctx = ctx
            attached = {id(outputs[0]): (res, ctx)}
        else:
            attached = _pack_outputs(ctx, outputs, slots, results)
        for i, o in enumerate(outputs):   # a non-differentiable output: a plain tensor
            if i not in slots and _f.is_tensor(o) and o._requires_grad:
                results[i] = _f.make(o._data)
        ctx._saved = tuple(_entry(t, attached) for t in to_save)
        return tuple(results) if type(out) is tuple else results[0]

    def _grads_of_outputs(self, grad: Any) -> list:
        """Backward's arguments, one per output of forward, from the gradient of this
        node's output (the buffer of all differentiable outputs when there are several)."""
        d = self.__dict__
        outputs, slots = d["_outputs"], d["_slots"]
        if len(outputs) == 1:
            return [grad]
        grads: list = [None] * len(outputs)
        start = 0
        for i in slots:
            shape = outputs[i][0]
            size = math.prod(shape)
            grads[i] = grad[start:start + size].reshape(shape)
            start += size
        if d.get("_materialize", True):   # zeros for the outputs that take no gradient
            for i, o in enumerate(outputs):
                if grads[i] is None and o is not None:
                    grads[i] = _f.make(np.zeros(o[0], o[1]))
        return grads

    def _user_grads(self, grad: Any) -> tuple:
        self._check_saved()
        grads = type(self).backward(self, *self._grads_of_outputs(grad))
        if type(grads) is not tuple:
            grads = (grads,)
        n = len(self._meta)
        if len(grads) != n and not (len(grads) > n and all(g is None for g in grads[n:])):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {n}, got {len(grads)})")
        return grads[:n]   # trailing Nones past the arguments are let through, as PyTorch

    def _backward(self, grad: Any) -> list:
        result = []
        for m, g in zip(self._meta, self._user_grads(grad)):
            if m is None or g is None:
                result.append(None)
                continue
            if not _f.is_tensor(g):
                raise TypeError(f"function {self.name()} returned a gradient of type "
                                f"{type(g).__name__}, expected a Tensor or None")
            if g._data.shape != m[0]:
                g = g.sum_to_size(m[0])
            if g._data.dtype != m[1]:
                g = g.to(m[1])
            result.append(g)
        return result

    def _backward_arrays(self, grad: np.ndarray, donated: bool = False) -> list:
        return [None if g is None else g._data for g in self._backward(_f.make(grad))]

    def name(self) -> str:
        """PyTorch's name of a custom op's node: ``ReverseGradBackward``."""
        return f"{type(self).__name__}Backward"


def _entry(t: Any, attached: dict) -> tuple:
    """What a saved tensor keeps: (tensor, its version counter, its version now, None);
    for an output of forward, (the output's array, the returned output's counter and
    version, the node it is attached to)."""
    if t is None:
        return (None, None, 0, None)
    if id(t) in attached:
        res, node = attached[id(t)]
        vc = version_counter(res)
        return (res._data, vc, vc[0], node)
    vc = version_counter(t)
    return (t, vc, vc[0], None)


def _pack_outputs(ctx: Function, outputs: tuple, slots: list, results: list) -> dict:
    """The differentiable outputs copied into one buffer, the node's output; each is
    returned (in ``results``) as a slice of it. Gives {id(output of forward): (returned
    output, its node)}."""
    dtype = np.result_type(*[outputs[i]._data for i in slots])
    hub = _f.make(np.concatenate([outputs[i]._data.reshape(-1).astype(dtype, copy=False)
                                  for i in slots]))
    hub._requires_grad = True
    hub._ctx = ctx
    attached = {}
    start = 0
    for i in slots:
        shape = outputs[i]._data.shape
        r = hub[start:start + math.prod(shape)].reshape(shape)
        if r._data.dtype != outputs[i]._data.dtype:
            r = r.to(outputs[i]._data.dtype)
        results[i] = r
        attached[id(outputs[i])] = (r, r._ctx)
        start += math.prod(shape)
    return attached
