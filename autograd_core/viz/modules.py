"""Which nn module made each node, so that pictures can group nodes into module clusters.

Two ways to know it:

* ``record_modules(model)``, a context manager around the forward pass, sees each
  module's inputs and outputs through forward hooks, and so places every node;
* without it, ``draw_graph(..., model=model)`` places each parameter in its module
  and each op that reads a parameter (through views such as ``.T``) beside it.

Only hooks are added, and removed on exit: the graph is never changed.

>>> import autograd_core as ag
>>> from autograd_core.viz.modules import record_modules
>>> class Twice:                 # any object with PyTorch's forward-hook API will do
...     hooks = []
...     def register_forward_hook(self, hook):
...         self.hooks.append(hook)
...         return type('Handle', (), {'remove': lambda _: self.hooks.remove(hook)})()
...     def __call__(self, x):
...         y = x * 2
...         for h in list(self.hooks): h(self, (x,), y)
...         return y
>>> class Model:
...     twice = Twice()
...     def named_modules(self): return [('', self), ('twice', self.twice)]
>>> model = Model()
>>> with record_modules(model) as rec:
...     y = model.twice(ag.ones(2, requires_grad=True))
>>> [c.name for c in rec.calls], model.twice.hooks
(['twice'], [])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from ..tensor import Tensor
from .names import model_parameters
from .trace import Graph

# Ops that only look at a parameter differently; they belong with the parameter.
VIEW_OPS = {"permute", "transpose", "reshape", "expand", "to", "index"}


@dataclass
class ModuleCall:
    """One call of one module: its name, its input and output tensors."""

    name: str
    inputs: list
    outputs: list


def tensors_in(obj: Any) -> list:
    """The tensors in ``obj``, a tensor or lists, tuples and dicts of them (a module's
    inputs or outputs), in order; anything else holds none.

    >>> import autograd_core as ag
    >>> len(tensors_in((ag.ones(2), {"h": [ag.zeros(1)], "n": 3})))
    2
    """
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in tensors_in(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in tensors_in(o)]
    return []


@dataclass
class ModuleRecord:
    """What ``record_modules`` saw: the model, its module types and every module call in order."""

    model: Any
    calls: list[ModuleCall] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    _handles: list = field(default_factory=list, repr=False)

    def __enter__(self) -> "ModuleRecord":
        for name, module in self.model.named_modules():
            self.types[name] = type(module).__name__
            if not name:
                continue  # the model itself: its nodes are drawn outside any cluster
            self._handles.append(_add_hook(module, self._hook_for(name)))
        return self

    def __exit__(self, *exc: object) -> None:
        for remove in self._handles:
            remove()
        self._handles.clear()

    def _hook_for(self, name: str):
        def hook(module: Any, inputs: Any, output: Any) -> None:
            self.calls.append(ModuleCall(name, tensors_in(inputs), tensors_in(output)))
        return hook


def _add_hook(module: Any, hook) -> Any:
    """PyTorch's ``register_forward_hook`` when there is one; otherwise wrap ``forward``."""
    register = getattr(module, "register_forward_hook", None)
    if register is not None:
        return register(hook).remove
    forward = module.forward
    had_own = "forward" in vars(module)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        out = forward(*args, **kwargs)
        hook(module, args, out)
        return out

    module.forward = wrapped

    def remove() -> None:
        if had_own:
            module.forward = forward
        else:
            del module.forward
    return remove


def record_modules(model: Any) -> ModuleRecord:
    """Record, during a forward pass, which module made each tensor.

    Use it as ``with record_modules(model) as rec:`` around the forward pass, then
    ``draw_graph(loss, modules=rec)``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> from autograd_core.viz import draw_graph, record_modules
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    >>> with record_modules(model) as rec:
    ...     loss = model(ag.randn(5, 3)).sum()
    >>> [call.name for call in rec.calls]
    ['0', '1', '2']
    >>> 'label="1 (ReLU)"' in draw_graph(loss, modules=rec).source   # one cluster per module
    True
    """
    return ModuleRecord(model)


def module_types(model: Any) -> dict[str, str]:
    named = getattr(model, "named_modules", None)
    return {name: type(m).__name__ for name, m in named()} if named else {}


def modules_from_record(graph: Graph, record: ModuleRecord) -> dict[int, str]:
    """The innermost module that made each node, from the recorded calls.

    Inner modules finish first, so they claim their nodes first. Each call claims
    the nodes between its outputs and its inputs that no earlier call has claimed,
    walking through the nodes of its own submodules but not past other modules'.
    """
    owner: dict[int, str] = {}
    for call in record.calls:
        outs = [i for i in (graph.index_of(t) for t in call.outputs) if i is not None]
        if not outs:
            continue
        stop = {i for i in (graph.index_of(t) for t in call.inputs) if i is not None}
        prefix = call.name + "."
        seen: set[int] = set()
        stack = list(outs)
        while stack:
            i = stack.pop()
            if i in seen or i in stop:
                continue
            seen.add(i)
            current = owner.get(i)
            if current is not None and not current.startswith(prefix) and current != call.name:
                continue  # made by another module, before this one was called
            node = graph.nodes[i]
            if node.is_leaf:  # a constant made inside the module belongs to it
                if current is None and not getattr(node.obj, "_requires_grad", True):
                    owner[i] = call.name
                continue
            if current is None:
                owner[i] = call.name
            stack.extend(node.parents)
    owner.update(_parameter_owners(graph, record.model))
    return {i: m for i, m in owner.items() if m}


def _parameter_owners(graph: Graph, model: Any) -> dict[int, str]:
    owner: dict[int, str] = {}
    for name, p in model_parameters(model):
        i = graph.index_of(p)
        if i is not None and i not in owner:
            owner[i] = name.rpartition(".")[0]
    return owner


def modules_from_parameters(graph: Graph, model: Any) -> dict[int, str]:
    """Without a record: each parameter's module, the ops that read a parameter, and
    the ops between them (an op whose neighbours all lie in one module goes there)."""
    owner = _parameter_owners(graph, model)
    param_like = set(owner)  # parameters, and views of them such as W.T
    for node in graph.nodes:  # topological: a view of a parameter comes before its users
        if node.is_leaf or node.index in owner:
            continue
        mods = {owner[p] for p in node.parents if p in param_like}
        if len(mods) == 1:
            owner[node.index] = mods.pop()
            if node.op in VIEW_OPS:
                param_like.add(node.index)
    _fill_between(graph, owner)
    return {i: m for i, m in owner.items() if m}


def _common_module(names: list[str]) -> str:
    parts = [n.split(".") for n in names]
    common: list[str] = []
    for level in zip(*parts):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return ".".join(common)


def _fill_between(graph: Graph, owner: dict[int, str]) -> None:
    """Place each unplaced op in the innermost module holding all its placed neighbours."""
    users = graph.consumers()
    for _ in range(2):  # a second pass places ops whose neighbours the first one placed
        for node in graph.nodes:
            if node.is_leaf or node.index in owner:
                continue
            near = [owner[j] for j in (*node.parents, *users[node.index]) if j in owner]
            if near and len(near) >= 2:
                common = _common_module(near)
                if common:
                    owner[node.index] = common


def module_depth(name: str) -> int:
    return 0 if not name else name.count(".") + 1


def truncate(name: str, depth: int) -> str:
    return ".".join(name.split(".")[:depth])


def iter_prefixes(name: str) -> Iterator[str]:
    """``'a.b.c'`` -> ``'a'``, ``'a.b'``, ``'a.b.c'``."""
    parts = name.split(".")
    for k in range(1, len(parts) + 1):
        yield ".".join(parts[:k])


__all__ = ["ModuleRecord", "ModuleCall", "tensors_in", "record_modules", "modules_from_record",
           "modules_from_parameters", "module_types", "module_depth", "truncate", "iter_prefixes"]
