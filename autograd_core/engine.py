"""The engine: topological order by an explicit stack, and the backward pass.

Both node kinds share ``toposort``. ``Value`` (scalars) runs its own two-line
accumulation loop over that order; ``Tensor`` runs ``run_backward`` below.
A gradient flowing into a node is summed over all of its uses before the node's
backward runs; that is why the order must be topological.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from .grad_mode import STATE


def toposort(roots: Iterable[Any], parents: Callable[[Any], Iterable[Any]]) -> list:
    """Nodes reachable from ``roots``, every node after all of its parents.

    Iterative depth-first search, so a chain 200,000 deep needs no recursion.

    >>> from autograd_core.engine import toposort
    >>> graph = {'c': ['b', 'b'], 'b': ['a'], 'a': []}
    >>> toposort(['c'], lambda n: graph[n])
    ['a', 'b', 'c']
    """
    order: list = []
    visited: set = set()
    stack: list = [(r, False) for r in roots]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        key = id(node)
        if key in visited:
            continue
        visited.add(key)
        stack.append((node, True))
        for p in parents(node):
            if id(p) not in visited:
                stack.append((p, False))
    return order


def _tensor_parents(t: Any) -> tuple:
    ctx = t._ctx
    if ctx is None:
        return ()
    return [p for p in ctx.parents if p._requires_grad]


def run_backward(roots: Sequence[Any], root_grads: Sequence[Any], retain_graph: bool,
                 create_graph: bool, inputs: Sequence[Any] | None = None) -> list | None:
    """Backpropagate ``root_grads`` from ``roots``.

    With ``inputs=None`` gradients accumulate into the ``.grad`` of leaves (and of
    nodes that called ``retain_grad()``). Otherwise nothing is accumulated and the
    gradients reaching ``inputs`` are returned, in order (None where none arrived).
    """
    from .tensor import make

    order = toposort(roots, _tensor_parents)
    grads: dict[int, Any] = {}
    for r, g in zip(roots, root_grads):
        grads[id(r)] = grads[id(r)] + g if id(r) in grads else g
    wanted = None if inputs is None else {id(t): i for i, t in enumerate(inputs)}
    captured: list = [None] * (0 if inputs is None else len(inputs))
    handed: set[int] = {id(g._data) for g in root_grads}  # arrays others may hold

    prev = STATE.enabled
    STATE.enabled = create_graph
    try:
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._hooks:
                for hook in list(node._hooks.values()):
                    r = hook(g)
                    if r is not None:
                        g = r
            ctx = node._ctx
            if wanted is not None:
                i = wanted.get(id(node))
                if i is not None:
                    captured[i] = g
            elif ctx is None or node._retains_grad:
                _accumulate(node, g, create_graph, handed, make)
            if ctx is None:
                continue
            parent_grads = ctx._backward(g)
            if not retain_graph:
                ctx._saved = None
            for p, pg in zip(ctx.parents, parent_grads):
                if pg is None or not p._requires_grad:
                    continue
                k = id(p)
                old = grads.get(k)
                grads[k] = pg if old is None else old + pg
    finally:
        STATE.enabled = prev
    return captured if inputs is not None else None


def _accumulate(node: Any, g: Any, create_graph: bool, handed: set, make: Callable) -> None:
    """Add ``g`` into ``node.grad``; never store an array that something else holds."""
    if not create_graph:
        a = g._data
        if a.base is not None or id(a) in handed or not a.flags.writeable:
            a = a.copy()
            g = make(a)
        handed.add(id(a))
        if g._ctx is not None or g._requires_grad:
            g = make(a)
    if node.grad is None:
        node.grad = g
    else:
        node.grad = node.grad + g
