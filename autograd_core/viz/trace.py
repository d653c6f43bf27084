"""Read a compute graph into a plain list of nodes, numbered in topological order.

Both node kinds are read the same way: a scalar ``Value`` (parents in ``_prev``)
and a ``Tensor`` (parents in ``grad_fn.parents``). Nothing in the graph is changed.
Numbers, not ``id()``, name the nodes, so the same graph always reads the same.

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

from ..engine import toposort
from ..tensor import Tensor
from ..value import Value

# Op names drawn as the symbol a teacher writes on the board.
VALUE_SYMBOLS = {"*": "×", "/": "÷", "-": "−", "neg": "−x"}
TENSOR_SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "neg": "−x", "matmul": "@",
                  "pow": "^"}


@dataclass
class Node:
    """One value of the graph: a ``Value`` or a ``Tensor``, and the op that made it."""

    index: int
    obj: Any
    parents: tuple[int, ...]
    op: str = ""            # the op as written in the graph ('*', 'mul'); '' for a leaf
    symbol: str = ""        # what the picture shows for the op ('×')
    op_title: str = ""      # a longer name for tooltips ('MulBackward0')

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
        """The number of ``obj`` in this graph, or None (matched by identity)."""
        i = self._index.get(id(obj))
        return i if i is not None and self.nodes[i].obj is obj else None

    def consumers(self) -> list[list[int]]:
        """For each node, the nodes that use it (once per use)."""
        users: list[list[int]] = [[] for _ in self.nodes]
        for n in self.nodes:
            for p in n.parents:
                users[p].append(n.index)
        return users


def _value_parents(v: Value) -> tuple:
    return v._prev


def _tensor_parents(t: Tensor) -> tuple:
    ctx = t._ctx
    return () if ctx is None else tuple(ctx.parents)


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
    order = _topological(roots, _value_parents if is_value else _tensor_parents)
    index = {id(obj): i for i, obj in enumerate(order)}
    nodes = [_node(i, obj, index, is_value) for i, obj in enumerate(order)]
    root_ids: list[int] = []
    for r in roots:
        if index[id(r)] not in root_ids:
            root_ids.append(index[id(r)])
    return Graph(nodes, root_ids, "value" if is_value else "tensor", index)


def _topological(roots: list, parents_of: Any) -> list:
    """The engine's topological order, with parents visited in argument order, so that
    in ``x + y`` the picture puts ``x`` before ``y``."""
    return toposort(list(reversed(roots)), lambda node: tuple(reversed(parents_of(node))))


def _node(i: int, obj: Any, index: dict, is_value: bool) -> Node:
    if is_value:
        parents = tuple(index[id(p)] for p in obj._prev)
        op = obj._op if parents else ""
        symbol = "^" + op[2:] if op.startswith("**") else VALUE_SYMBOLS.get(op, op)
        return Node(i, obj, parents, op, symbol, op)
    ctx = obj._ctx
    if ctx is None:
        return Node(i, obj, ())
    parents = tuple(index[id(p)] for p in ctx.parents)
    op = getattr(type(ctx), "op", None) or type(ctx).__name__.lower()
    return Node(i, obj, parents, op, TENSOR_SYMBOLS.get(op, op), ctx.name())


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
