"""Read a compute graph into a plain list of nodes, numbered in topological order.

Both node kinds are read the same way: a scalar ``Value`` (parents in ``_prev``)
and a ``Tensor`` graph, whose nodes are ops (``grad_fn``, with their inputs in
``inputs()``) and leaf tensors. Each op is shown by the tensor it made: a root as
itself, any other by the values its op kept (small outputs) or else its shape alone. Nothing in the graph is changed. Numbers, not ``id()``, name the
nodes, so the same graph always reads the same.

>>> from autograd_core import Value
>>> from autograd_core.viz.trace import read_graph
>>> x, y = Value(2.0, label='x'), Value(3.0, label='y')
>>> g = read_graph(x * y + x)
>>> [n.op for n in g.nodes]
['', '', '*', '+']
>>> g.nodes[-1].parents
(2, 0)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from ..autograd.engine import toposort
from ..tensor import Tensor, make
from ..value import Value

# Op names drawn as the symbol a teacher writes on the board.
VALUE_SYMBOLS = {"*": "×", "/": "÷", "-": "−", "neg": "−x"}
TENSOR_SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "neg": "−x", "matmul": "@",
                  "pow": "^"}


@dataclass
class Node:
    """One value of the graph: a ``Value`` or a ``Tensor``, and the op that made it."""

    index: int
    obj: Any                # the Value or Tensor shown
    parents: tuple[int, ...]
    op: str = ""            # the op as written in the graph ('*', 'mul'); '' for a leaf
    symbol: str = ""        # what the picture shows for the op ('×')
    op_title: str = ""      # a longer name for tooltips ('MulBackward0')
    fn: Any = None          # the op's node (a Tensor's grad_fn), None for leaves
    known: bool = True      # False when only the shape of the op's output is known

    @property
    def is_leaf(self) -> bool:
        return not self.op

    @property
    def is_tensor(self) -> bool:
        return isinstance(self.obj, Tensor)


@dataclass
class Graph:
    """The nodes reachable from ``roots``; every node comes after its parents."""

    nodes: list[Node]
    roots: list[int]
    kind: str                                   # 'value' or 'tensor'
    _index: dict[int, int] = field(default_factory=dict, repr=False)

    def index_of(self, obj: Any) -> int | None:
        """The number of ``obj`` in this graph, or None (matched by identity; a tensor
        made by an op also matches by its ``grad_fn``)."""
        i = self._index.get(id(obj))
        if i is not None and (self.nodes[i].obj is obj or self.nodes[i].fn is obj):
            return i
        ctx = getattr(obj, "_ctx", None) if isinstance(obj, Tensor) else None
        if ctx is not None:
            i = self._index.get(id(ctx))
            if i is not None and self.nodes[i].fn is ctx:
                return i
        return None

    def consumers(self) -> list[list[int]]:
        """For each node, the nodes that use it (once per use)."""
        users: list[list[int]] = [[] for _ in self.nodes]
        for n in self.nodes:
            for p in n.parents:
                users[p].append(n.index)
        return users


def _value_parents(v: Value) -> tuple:
    return v._prev


def _graph_node(t: Tensor) -> Any:
    """A tensor's node in the graph: its grad_fn, or itself when it is a leaf."""
    return t if t._ctx is None else t._ctx


def _node_inputs(node: Any) -> tuple:
    return node.inputs() if node._is_fn else ()


def as_roots(root: Any) -> list:
    """``root`` as a list of roots: one node, or a list/tuple of them."""
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots:
        raise ValueError("nothing to draw: got an empty list of roots")
    for r in roots:
        if not isinstance(r, (Value, Tensor)):
            raise TypeError(f"expected a Value or a Tensor, got {type(r).__name__}")
    kinds = {isinstance(r, Value) for r in roots}
    if len(kinds) > 1:
        raise TypeError("cannot mix Values and Tensors in one graph")
    return roots


def read_graph(root: Value | Tensor | Sequence[Value | Tensor]) -> Graph:
    """Read the graph that ends at ``root`` (a node, or a list of nodes)."""
    roots = as_roots(root)
    is_value = isinstance(roots[0], Value)
    if is_value:
        order = _topological(roots, _value_parents)
    else:
        roots = [r._fresh() for r in roots]
        order = _topological([_graph_node(r) for r in roots], _node_inputs)
    index = {id(obj): i for i, obj in enumerate(order)}
    if is_value:
        nodes = [_value_node(i, obj, index) for i, obj in enumerate(order)]
    else:
        shown = {id(_graph_node(r)): r for r in roots}
        metas = _output_metas(order)
        nodes = [_tensor_node(i, obj, index, shown, metas) for i, obj in enumerate(order)]
        for n in nodes:
            index.setdefault(id(n.obj), n.index)
    root_ids: list[int] = []
    for r in roots:
        i = index[id(r if is_value else _graph_node(r))]
        if i not in root_ids:
            root_ids.append(i)
    return Graph(nodes, root_ids, "value" if is_value else "tensor", index)


def _topological(roots: list, parents_of: Any) -> list:
    """The engine's topological order, with parents visited in argument order, so that
    in ``x + y`` the picture puts ``x`` before ``y``."""
    return toposort(list(reversed(roots)), lambda node: tuple(reversed(parents_of(node))))


def _value_node(i: int, obj: Value, index: dict) -> Node:
    parents = tuple(index[id(p)] for p in obj._prev)
    op = obj._op if parents else ""
    symbol = "^" + op[2:] if op.startswith("**") else VALUE_SYMBOLS.get(op, op)
    return Node(i, obj, parents, op, symbol, op)


def _output_metas(order: list) -> dict:
    """(shape, dtype) of each op's output, as its users recorded them."""
    metas: dict = {}
    for node in order:
        if node._is_fn:
            for p, meta in zip(node.next, node._meta):
                if p is not None and p._is_fn:
                    metas.setdefault(id(p), meta)
    return metas


def _tensor_node(i: int, obj: Any, index: dict, shown: dict, metas: dict) -> Node:
    if not obj._is_fn:  # a leaf tensor
        return Node(i, obj, ())
    parents = tuple(index[id(p)] for p in obj.inputs())
    op = getattr(type(obj), "op", None) or type(obj).__name__.lower()
    out, known = shown.get(id(obj)), True
    if out is None:
        out, known = _stand_in(obj, metas.get(id(obj)))
    return Node(i, out, parents, op, TENSOR_SYMBOLS.get(op, op), obj.name(), obj, known)


def _stand_in(fn: Any, meta: tuple | None) -> tuple:
    """A tensor to show for an op whose output is gone: its kept values, or its shape."""
    if fn._small is not None:
        t, known = make(fn._small), True
    else:
        shape, dtype = meta if meta is not None else ((), np.dtype(np.float32))
        t, known = make(np.broadcast_to(np.zeros((), dtype), shape)), False
    t._ctx, t._requires_grad, t._label = fn, True, fn.label
    return t, known


def ancestors(graph: Graph, starts: Iterable[int], stop: set[int] = frozenset()) -> set[int]:
    """Indices reachable from ``starts`` through parents, not walking past ``stop``."""
    seen: set[int] = set()
    stack = [s for s in starts]
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        if i in stop:
            continue
        stack.extend(graph.nodes[i].parents)
    return seen
