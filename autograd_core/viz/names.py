"""Names for the nodes of a graph: from a dict such as ``locals()``, a model, or labels.

Objects are matched by identity, never by value. The first name wins, in this
order: the ``names`` dict, the model's ``named_parameters()``, then ``.label``.

>>> from autograd_core import Value
>>> from autograd_core.viz.trace import read_graph
>>> from autograd_core.viz.names import node_names
>>> a, b = Value(1.0), Value(2.0, label='b')
>>> c = a * b
>>> sorted(node_names(read_graph(c), names={'a': a, 'c': c}).values())
['a', 'b', 'c']
"""
from __future__ import annotations

from typing import Any, Mapping

from ..tensor import Tensor
from ..value import Value
from .trace import Graph

MAX_LISTED = 10_000  # lists longer than this in ``names`` are not searched


def _name_candidates(names: Mapping[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, obj in names.items():
        if not isinstance(key, str) or key.startswith("_"):
            continue  # Jupyter's _, _1, __builtins__, ...
        if isinstance(obj, (Value, Tensor)):
            out.append((key, obj))
        elif isinstance(obj, (list, tuple)) and 0 < len(obj) <= MAX_LISTED:
            out.extend((f"{key}[{i}]", o) for i, o in enumerate(obj)
                       if isinstance(o, (Value, Tensor)))
    return out


def model_parameters(model: Any) -> list[tuple[str, Any]]:
    """``model.named_parameters()`` as a list, or [] when there is no model."""
    if model is None:
        return []
    named = getattr(model, "named_parameters", None)
    if named is None:
        raise TypeError(f"model must have named_parameters(), got {type(model).__name__}")
    return list(named())


def node_names(graph: Graph, names: Mapping[str, Any] | None = None,
               model: Any = None) -> dict[int, str]:
    """A name for every node that has one, keyed by node number."""
    result: dict[int, str] = {}
    sources = _name_candidates(names or {}) + model_parameters(model)
    for key, obj in sources:
        i = graph.index_of(obj)
        if i is not None and i not in result:
            result[i] = key
    for n in graph.nodes:
        if n.index not in result:
            label = getattr(n.obj, "label", None)
            if label:
                result[n.index] = str(label)
    return result


def parameter_nodes(graph: Graph, model: Any = None) -> set[int]:
    """Numbers of the nodes that are parameters: the model's, or of class ``Parameter``."""
    found = {graph.index_of(p) for _, p in model_parameters(model)}
    found.discard(None)
    for n in graph.nodes:
        if n.is_leaf and type(n.obj).__name__ == "Parameter":
            found.add(n.index)
    return found  # type: ignore[return-value]
