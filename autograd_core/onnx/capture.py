"""Graph capture: run the model once and write down every op that ran.

While a ``Tracer`` is active, ``Function.apply`` (every differentiable op) and the few
Tensor methods that compute without a ``Function`` (comparisons, ``&``/``|``/``^``, ``~``,
``max``/``min`` along a dim and ``argmax``/``argmin``, whose indices come from the data)
report each call: the op, its attributes, where its inputs came from and the module that
was running. Nothing else changes: the ops compute as always, and the patches are taken
away when the tracer exits (also on error). Export therefore sees what actually ran.

Where an input came from is a *ref*, a tuple:

* ``("input", i)``   the model's i-th tensor argument;
* ``("param", key)`` a parameter or buffer, by its ``state_dict`` key;
* ``("node", k)``    the output of the k-th recorded call;
* ``("const", a)``   anything else: an array made outside the recorded ops (a copy, taken
  when it was used). Export checks these against a second run (see ``dims.py``).

Tensors are known by identity (``id`` of the Tensor, and of its array, which ``detach``
and ``.numpy()`` share); every object looked up is kept alive, so ids stay unique.
Array attributes of ops (an embedding's indices, a ``where`` condition) are resolved to
refs the same way.

>>> import autograd_core as ag
>>> from autograd_core.onnx.capture import Tracer
>>> x = ag.ones(2, 3)
>>> with Tracer([x], {}) as t:
...     y = (x * 2).sum(1)
>>> [c.op for c in t.calls], t.calls[1].inputs
(['Mul', 'Sum'], [('node', 0)])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import function
from ..autograd.function import Function
from ..tensor import Tensor
from ..tensor.inplace import InPlaceMixin
from .errors import OnnxExporterError, where

_STATE = {"active": None}  # the tracer that is running, if any (one at a time)


def is_in_onnx_export() -> bool:
    """True while ``autograd_core.onnx.export`` runs the model (as
    ``torch.onnx.is_in_onnx_export``): code may then take a path without data-dependent
    Python branches.

    >>> from autograd_core.onnx import is_in_onnx_export
    >>> is_in_onnx_export()
    False
    """
    return _STATE["active"] is not None


@dataclass
class Call:
    """One op that ran: ``op`` is the Function's class name (or ``compare``, ``logical``),
    ``inputs`` their refs, ``attrs`` its keyword attributes with arrays replaced by refs."""

    op: str
    fn: Any
    inputs: list
    attrs: dict
    in_shapes: list
    in_dtypes: list
    out_shape: tuple
    out_dtype: np.dtype
    module: str
    value: np.ndarray = field(repr=False, default=None)


class Tracer:
    """Records the calls made while active (a context manager; see the module doc)."""

    def __init__(self, inputs: list, params: dict) -> None:
        self.calls: list[Call] = []
        self._keep: list = []
        self._by_tensor: dict = {}
        self._by_array: dict = {}
        self.modules: list[str] = []
        self.depth = 0
        for i, t in enumerate(inputs):
            if isinstance(t, Tensor):
                self._bind(t, ("input", i))
        for key, t in params.items():
            if isinstance(t, Tensor) and id(t) not in self._by_tensor:
                self._bind(t, ("param", key))

    # -- refs --------------------------------------------------------------------
    def _bind(self, t: Tensor, ref: tuple) -> None:
        self._keep.append(t)
        self._keep.append(t._data)
        self._by_tensor[id(t)] = ref
        self._by_array[id(t._data)] = ref

    def ref_of(self, t: Any) -> tuple:
        """Where tensor (or array, or number) ``t`` came from."""
        if isinstance(t, Tensor):
            ref = self._by_tensor.get(id(t))
            if ref is not None:
                return ref
            t = t._data
        if isinstance(t, np.ndarray):
            ref = self._by_array.get(id(t))
            if ref is None and t.base is not None and isinstance(t.base, np.ndarray):
                base = self._by_array.get(id(t.base))
                if base is not None and t.shape == t.base.shape and t.dtype == t.base.dtype:
                    ref = base  # a whole-array view (detach().numpy(), view())
            if ref is not None:
                return ref
            return ("const", np.array(t, copy=True))
        return ("const", np.asarray(t))

    def _attr(self, v: Any) -> Any:
        if isinstance(v, (np.ndarray, Tensor)):
            return self.ref_of(v)
        if isinstance(v, tuple):
            return tuple(self._attr(x) for x in v)
        if isinstance(v, list):
            return [self._attr(x) for x in v]
        if isinstance(v, dict):
            return {k: self._attr(x) for k, x in v.items()}
        return v

    def module(self) -> str:
        return self.modules[-1] if self.modules else ""

    def record(self, op: str, fn: Any, inputs: tuple, attrs: dict, out: Tensor) -> None:
        arrays = [t._data if isinstance(t, Tensor) else np.asarray(t) for t in inputs]
        call = Call(op, fn, [self.ref_of(t) for t in inputs], self._attr(attrs),
                    [a.shape for a in arrays], [a.dtype for a in arrays],
                    out._data.shape, out._data.dtype, self.module(), out._data)
        self._bind(out, ("node", len(self.calls)))
        self.calls.append(call)

    # -- activation ------------------------------------------------------------------
    def __enter__(self) -> "Tracer":
        if _STATE["active"] is not None:
            raise OnnxExporterError("onnx.export: an export is already running (export is not "
                                    "re-entrant)")
        _STATE["active"] = self
        function.OPS_TRACED = True
        self._saved = {(Function, "apply"): Function.__dict__["apply"]}
        for name in ("_compare", "_bitwise", "bitwise_not", "logical_not", "__bool__",
                     "_extreme", "_arg_extreme"):
            self._saved[(Tensor, name)] = _lookup(Tensor, name)
        self._saved[(InPlaceMixin, "_commit")] = InPlaceMixin.__dict__["_commit"]
        _install(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for (owner, name), v in self._saved.items():
            if owner is Tensor and name not in _OWN_TENSOR_ATTRS:
                try:
                    delattr(Tensor, name)
                except AttributeError:
                    pass
            else:
                setattr(owner, name, v)
        _STATE["active"] = None
        function.OPS_TRACED = False


_OWN_TENSOR_ATTRS = set(Tensor.__dict__)


def _lookup(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    raise AttributeError(name)


def _install(tracer: Tracer) -> None:
    """Put the recording versions in place (``Tracer.__exit__`` takes them away)."""
    apply = tracer._saved[(Function, "apply")].__func__

    def traced_apply(cls, *inputs, **attrs):
        if tracer.depth:
            return apply(cls, *inputs, **attrs)
        tracer.depth += 1
        try:
            out = apply(cls, *inputs, **attrs)
        finally:
            tracer.depth -= 1
        tracer.record(cls.__name__, cls, inputs, attrs, out)
        return out

    Function.apply = classmethod(traced_apply)

    compare = tracer._saved[(Tensor, "_compare")]

    def traced_compare(self, other, fn, op):
        out = compare(self, other, fn, op)
        o = other if isinstance(other, Tensor) else np.asarray(other)
        tracer.record("compare", None, (self, o), {"op": op}, out)
        return out

    bitwise = tracer._saved[(Tensor, "_bitwise")]

    def traced_bitwise(self, other, fn, kernel, reflected=False):
        out = bitwise(self, other, fn, kernel, reflected)
        o = other if isinstance(other, Tensor) else np.asarray(other)
        ins = (o, self) if reflected else (self, o)
        tracer.record("logical", None, ins, {"op": kernel}, out)
        return out

    def unary(name: str):
        orig = tracer._saved[(Tensor, name)]

        def traced(self):
            out = orig(self)
            tracer.record("logical", None, (self,), {"op": "not"}, out)
            return out
        return traced

    boolean = tracer._saved[(Tensor, "__bool__")]

    def traced_bool(self):
        if tracer.ref_of(self)[0] != "const":
            raise OnnxExporterError(
                "onnx.export: bool() of a tensor computed from the inputs" + where(tracer.module())
                + ": a Python branch on data cannot be exported (the graph would keep the "
                "branch taken on the example input); compute both sides and use torch.where")
        return boolean(self)

    commit = tracer._saved[(InPlaceMixin, "_commit")]

    def traced_commit(self, name, res, original):
        out = commit(self, name, res, original)
        ref = tracer.ref_of(res)
        if ref[0] != "const" or tracer.ref_of(self)[0] != "const":
            if self._view is not None:
                raise OnnxExporterError(
                    f"onnx.export: in-place {name} into a view (a slice or reshape of another "
                    f"tensor){where(tracer.module())} cannot be exported; use the out-of-place "
                    "form")
            tracer._bind(self, ref)
        return out

    extreme = tracer._saved[(Tensor, "_extreme")]

    def traced_extreme(self, dim, keepdim, largest, name):
        if dim is None or isinstance(dim, Tensor) or self.ndim == 0:
            return extreme(self, dim, keepdim, largest, name)
        tracer.depth += 1  # the Gather inside picks by indices found on the data: not recorded
        try:
            out = extreme(self, dim, keepdim, largest, name)
        finally:
            tracer.depth -= 1
        attrs = {"dim": int(dim), "keepdim": bool(keepdim), "largest": bool(largest)}
        tracer.record("extreme", None, (self,), attrs, out[0])
        tracer.record("arg_extreme", None, (self,), attrs, out[1])
        return out

    arg_extreme = tracer._saved[(Tensor, "_arg_extreme")]

    def traced_arg_extreme(self, dim, keepdim, fn, name):
        out = arg_extreme(self, dim, keepdim, fn, name)
        attrs = {"dim": None if dim is None else int(dim), "keepdim": bool(keepdim),
                 "largest": name == "argmax"}
        tracer.record("arg_extreme", None, (self,), attrs, out)
        return out

    Tensor._extreme = traced_extreme
    Tensor._arg_extreme = traced_arg_extreme
    Tensor._compare = traced_compare
    Tensor._bitwise = traced_bitwise
    Tensor.bitwise_not = unary("bitwise_not")
    Tensor.logical_not = unary("logical_not")
    Tensor.__bool__ = traced_bool
    InPlaceMixin._commit = traced_commit


def module_hooks(model: Any, tracer: Tracer) -> list:
    """Forward hooks on every submodule of ``model`` (duck-typed: anything with
    ``named_modules``) that keep ``tracer.modules`` a stack of "'name' (Type)" labels."""
    handles = []
    named = getattr(model, "named_modules", None)
    if named is None:
        return handles
    for name, m in named():
        label = f"'{name}' ({type(m).__name__})" if name else f"{type(m).__name__} (the model)"

        def pre(mod, args, label=label):
            tracer.modules.append(label)

        def post(mod, args, out):
            if tracer.modules:
                tracer.modules.pop()

        handles.append(m.register_forward_pre_hook(pre))
        handles.append(m.register_forward_hook(post))
    return handles
