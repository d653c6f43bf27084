"""Dynamic axes and frozen constants: compare the run that is exported with extra runs.

Tracing sees numbers, not where they came from: ``x.reshape(x.shape[0], -1)`` records
``shape=(8, 192)`` for a batch of 8. So export runs the model again on changed inputs
and lines the recorded calls up one by one (the same code runs the same ops in the same
order, or export stops and says so):

* each dynamic axis (a *symbol*, e.g. ``batch``) is grown, once by 1 and once by 3, with
  the other axes kept; an integer that changes with it becomes a ``Dim``: ``coef *
  batch + offset``, or ``coef * batch * seq`` when several symbols change it; the two
  growths must agree, or export stops;
* float inputs get new values in every extra run: an array made outside the recorded
  ops (a ``const`` ref) must then be the same in all runs, or it was computed from the
  data in a way the graph does not see, and export stops instead of freezing it. A
  constant whose shape follows the symbols and whose elements are all one value (an
  RNN's zero initial state) becomes ``("filled", value, shape)``.

>>> from autograd_core.onnx.dims import Dim
>>> d = Dim(4, ("batch",), 0, 32)
>>> d, d.value
(4*batch, 32)
"""
from __future__ import annotations

import dataclasses

from dataclasses import dataclass
from typing import Any

import numpy as np

from .capture import Call
from .errors import OnnxExporterError, where

GROWTHS = (1, 3)  # how much each symbol's axes grow in its two extra runs


@dataclass(frozen=True)
class Dim:
    """An integer that follows the dynamic axes: ``coef * prod(syms) + offset`` (only one
    symbol when ``offset`` is not 0); ``value`` is its value in the exported run."""

    coef: int
    syms: tuple
    offset: int
    value: int

    def __repr__(self) -> str:
        text = "*".join(([str(self.coef)] if self.coef != 1 else []) + list(self.syms))
        return text + (f"{self.offset:+d}" if self.offset else "")

    def __int__(self) -> int:
        return self.value

    def name(self) -> str:
        """The dim's name in the file's shapes: the symbol itself, or the expression."""
        return repr(self)


class Mismatch(Exception):
    """Two runs differ in a way export cannot express (the message says how)."""


def static(v: Any) -> Any:
    """``v`` with every ``Dim`` replaced by its value in the exported run."""
    if isinstance(v, Dim):
        return v.value
    if isinstance(v, tuple):
        return tuple(static(x) for x in v)
    if isinstance(v, list):
        return [static(x) for x in v]
    if isinstance(v, dict):
        return {k: static(x) for k, x in v.items()}
    return v


def has_dim(v: Any) -> bool:
    if isinstance(v, Dim):
        return True
    if isinstance(v, (tuple, list)):
        return any(has_dim(x) for x in v)
    if isinstance(v, dict):
        return any(has_dim(x) for x in v.values())
    if isinstance(v, slice):
        return any(has_dim(x) for x in (v.start, v.stop, v.step))
    return False


class Unifier:
    """Lines up values of the exported run with those of the extra runs.

    ``runs`` lists, per extra run, ``(symbol or None, growth)``; ``sizes`` gives each
    symbol's size in the exported run."""

    def __init__(self, runs: list, sizes: dict) -> None:
        self.runs = runs
        self.sizes = sizes

    def integer(self, v0: int, others: list) -> Any:
        if all(o == v0 for o in others):
            return v0
        changed = {}
        for (sym, grow), o in zip(self.runs, others):
            if o != v0:
                if sym is None:
                    raise Mismatch(f"the number {v0} changes to {o} with the input values")
                changed.setdefault(sym, []).append((grow, o))
        syms = tuple(sorted(changed))
        base = int(np.prod([self.sizes[s] for s in syms]))
        if v0 % base == 0:  # coef * prod(syms)
            coef = v0 // base
            if coef and all(o == coef * base // self.sizes[s] * (self.sizes[s] + g)
                            for s in syms for g, o in changed[s]):
                return Dim(coef, syms, 0, v0)
        if len(syms) == 1:  # coef * sym + offset
            s = syms[0]
            (g1, o1), *rest = changed[s]
            coef, offset = o1 - v0, v0 - (o1 - v0) * self.sizes[s]
            if g1 == 1 and all(o == coef * (self.sizes[s] + g) + offset for g, o in rest):
                return Dim(coef, syms, offset, v0)
        raise Mismatch(f"the number {v0} changes with {', '.join(syms)} in a way that is not "
                       f"a multiple of {' * '.join(syms)} plus a constant "
                       f"(values {[v0] + list(others)})")

    def value(self, v0: Any, others: list) -> Any:
        """The unified form of an attribute, shape or ref."""
        if isinstance(v0, bool) or v0 is None or isinstance(v0, (str, type, np.dtype)):
            if any(o != v0 for o in others):
                raise Mismatch(f"{v0!r} changes to {next(o for o in others if o != v0)!r}")
            return v0
        if isinstance(v0, (int, np.integer)) and not isinstance(v0, bool):
            return self.integer(int(v0), [int(o) for o in others])
        if isinstance(v0, (float, np.floating)):
            if any(not (o == v0 or (o != o and v0 != v0)) for o in others):
                raise Mismatch(f"the number {v0} changes to {others}")
            return v0
        if isinstance(v0, slice):
            return slice(*(self.value(getattr(v0, a), [getattr(o, a) for o in others])
                           for a in ("start", "stop", "step")))
        if isinstance(v0, tuple) and v0 and v0[0] in ("input", "param", "node", "const") \
                and len(v0) == 2:
            return self.ref(v0, others)
        if isinstance(v0, (tuple, list)):
            if any(len(o) != len(v0) for o in others):
                raise Mismatch(f"{v0!r} has another length in another run")
            out = [self.value(x, [o[i] for o in others]) for i, x in enumerate(v0)]
            return tuple(out) if isinstance(v0, tuple) else out
        if isinstance(v0, dict):
            if any(set(o) != set(v0) for o in others):
                raise Mismatch("the attributes differ between runs")
            return {k: self.value(x, [o[k] for o in others]) for k, x in v0.items()}
        if isinstance(v0, np.ndarray):
            return self.array(v0, others)
        if dataclasses.is_dataclass(v0) and not isinstance(v0, type):
            # a kernel geometry: unified field by field (its batch size may be a Dim)
            fields = [f.name for f in dataclasses.fields(v0)]
            return self.value({k: getattr(v0, k) for k in fields},
                              [{k: getattr(o, k) for k in fields} for o in others])
        if any(o != v0 for o in others):
            raise Mismatch(f"{v0!r} changes between runs")
        return v0

    def array(self, a0: np.ndarray, others: list) -> Any:
        shape = self.value(tuple(a0.shape), [tuple(o.shape) for o in others])
        if has_dim(shape):
            flat = [a0] + list(others)
            if all(x.size for x in flat):
                first = a0.reshape(-1)[0]
                if all(np.all(x == first) or (first != first and np.all(x != x)) for x in flat):
                    return ("filled", np.asarray(first, dtype=a0.dtype), shape)
            raise Mismatch(f"an array of shape {a0.shape} made outside the recorded ops "
                           "changes with the dynamic axes and is not one value repeated")
        if a0.ndim == 0 and a0.dtype.kind in "iuf" and all(o.shape == () for o in others):
            values = [a0] + list(others)
            if all(float(v) == int(v) for v in values) and any(v != a0 for v in others):
                try:  # a size used as a number (the count a mean divides by)
                    d = self.integer(int(a0), [int(o) for o in others])
                except Mismatch:
                    d = None
                if isinstance(d, Dim):
                    return ("dimvalue", d, a0.dtype)
        for o in others:
            if o.dtype != a0.dtype or not np.array_equal(o, a0, equal_nan=a0.dtype.kind in "fc"):
                raise Mismatch(f"an array of shape {a0.shape} made outside the recorded ops "
                               "(with .numpy(), argmax, a comparison on arrays, ...) has other "
                               "values when the input values change: its value would be frozen "
                               "in the file")
        return a0

    def ref(self, r0: tuple, others: list) -> tuple:
        if r0[0] == "const":
            if any(o[0] != "const" for o in others):
                raise Mismatch(f"an input is a constant in one run and {others[0][0]} in another")
            v = self.array(r0[1], [o[1] for o in others])
            return v if isinstance(v, tuple) else ("const", v)
        if any(o != r0 for o in others):
            raise Mismatch(f"an input comes from {r0} in one run and from "
                           f"{next(o for o in others if o != r0)} in another")
        return r0


def unify_calls(calls0: list[Call], extra: list[list[Call]], unifier: Unifier) -> list[Call]:
    """The calls of the exported run with every changing number made a ``Dim`` and every
    constant checked; raises ``OnnxExporterError`` naming the first call that differs."""
    for run in extra:
        if len(run) != len(calls0):
            k = next((i for i, (a, b) in enumerate(zip(calls0, run)) if a.op != b.op),
                     min(len(run), len(calls0)))
            at = calls0[k] if k < len(calls0) else run[k]
            raise OnnxExporterError(
                f"onnx.export: the model ran {len(calls0)} ops on the example input and "
                f"{len(run)} on a changed one (another size on a dynamic axis, or other "
                f"values); they part at op #{k} {at.op}{where(at.module)}. The forward depends "
                "on the data or on a size through Python code, which a graph cannot follow")
    out = []
    for k, c in enumerate(calls0):
        others = [run[k] for run in extra]
        try:
            if any(o.op != c.op for o in others):
                raise Mismatch(f"the op is {c.op} in one run and "
                               f"{next(o.op for o in others if o.op != c.op)} in another")
            inputs = [unifier.value(r, [o.inputs[i] for o in others])
                      for i, r in enumerate(c.inputs)]
            attrs = unifier.value(c.attrs, [o.attrs for o in others])
            in_shapes = [unifier.value(tuple(s), [tuple(o.in_shapes[i]) for o in others])
                         for i, s in enumerate(c.in_shapes)]
            out_shape = unifier.value(tuple(c.out_shape), [tuple(o.out_shape) for o in others])
        except Mismatch as e:
            raise OnnxExporterError(f"onnx.export: op #{k} {c.op}{where(c.module)}: {e}. "
                                    "It cannot be exported as it ran") from None
        out.append(Call(c.op, c.fn, inputs, attrs, in_shapes, c.in_dtypes, out_shape,
                        c.out_dtype, c.module, c.value))
    return out
