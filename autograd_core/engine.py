"""The engine: topological order by an explicit stack, and the backward pass.

Both node kinds share this algorithm. ``Tensor`` runs ``run_backward`` below over
``toposort``; ``Value`` (scalars) runs its own two-line accumulation loop over a copy
of ``toposort`` that reads its two parent slots directly (``value._toposort``, 1.4x
faster on micrograd's demo; a test keeps the two orders equal).
A gradient flowing into a node is summed over all of its uses before the node's
backward runs; that is why the order must be topological.

Sums are made in place once the engine holds a buffer of its own (never in an array
that a backward handed on, a hook kept or a user passed in), and indexing ops add
their gradient straight into their input's buffer (``Function.add_into``), so taking
L slices of one tensor costs O(L) in backward rather than L zero tensors of its size.
With ``create_graph`` every sum is a recorded Tensor op instead.
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
    state: dict = {}  # node -> 1 while its parents are being visited, 2 once placed
    stack: list = list(roots)
    while stack:
        node = stack[-1]
        s = state.get(node)
        if s is None:  # first visit: its parents go on top of it
            state[node] = 1
            for p in parents(node):
                if p not in state:
                    stack.append(p)
        else:  # all parents placed (or a stale duplicate entry)
            stack.pop()
            if s == 1:
                state[node] = 2
                order.append(node)
    return order


def _tensor_parents(t: Any) -> tuple:
    ctx = t._ctx
    return () if ctx is None else ctx.parents


def run_backward(roots: Sequence[Any], root_grads: Sequence[Any], retain_graph: bool,
                 create_graph: bool, inputs: Sequence[Any] | None = None) -> list | None:
    """Backpropagate ``root_grads`` from ``roots``.

    With ``inputs=None`` gradients accumulate into the ``.grad`` of leaves (and of
    nodes that called ``retain_grad()``). Otherwise nothing is accumulated and the
    gradients reaching ``inputs`` are returned, in order (None where none arrived).
    """
    order = toposort(roots, _tensor_parents)
    grads: dict = {}  # node -> the sum of the gradients that reached it so far
    for r, g in zip(roots, root_grads):
        grads[r] = grads[r] + g if r in grads else g
    wanted = None if inputs is None else {t: i for i, t in enumerate(inputs)}
    captured: list = [None] * (0 if inputs is None else len(inputs))
    handed: set = {id(g._data) for g in root_grads}  # arrays that others may hold
    owned: set = set()  # ids of gradient sums made here, which only this loop holds

    prev = STATE.enabled
    STATE.enabled = create_graph  # backward records a graph only when asked to
    try:
        pop, get = grads.pop, grads.get
        for node in reversed(order):
            g = pop(node, None)
            if g is None:
                continue
            if owned:
                owned.discard(id(g))  # from here on others may hold it (and its id be reused)
            if node._hooks:
                for hook in list(node._hooks.values()):
                    r = hook(g)
                    if r is not None:
                        g = r
            ctx = node._ctx
            if wanted is not None:
                i = wanted.get(node)
                if i is not None:
                    captured[i] = g
            elif ctx is None or node._retains_grad:
                _accumulate(node, g, create_graph, handed)
            if ctx is None:
                continue
            if not create_graph and type(ctx).add_into is not None:
                p = ctx.parents[0]       # an indexing op: add into p's buffer in place
                if p._requires_grad:
                    ctx.add_into(_own(grads, p, owned), g._data)
            else:
                for p, pg in zip(ctx.parents, ctx._backward(g)):
                    if pg is not None and p._requires_grad:
                        old = get(p)
                        if old is None:
                            grads[p] = pg
                        elif id(old) in owned:
                            np.add(old._data, pg._data, out=old._data)
                        else:
                            grads[p] = new = old + pg
                            if not create_graph and type(new._data) is np.ndarray:
                                owned.add(id(new))
            if not retain_graph:
                ctx._saved = None
    finally:
        STATE.enabled = prev
    return captured if inputs is not None else None


def _own(grads: dict, p: Any, owned: set) -> np.ndarray:
    """The array of ``grads[p]``, first replaced by a zero or copied buffer of this
    loop's own if it is missing or held elsewhere, so that it may be added into."""
    old = grads.get(p)
    if old is None or id(old) not in owned:
        buf = np.zeros(p._data.shape, p._data.dtype) if old is None else np.array(old._data)
        grads[p] = old = make(buf)
        owned.add(id(old))
    return old._data


def _accumulate(node: Any, g: Any, create_graph: bool, handed: set) -> None:
    """Add ``g`` into ``node.grad``, never storing an array that something else holds."""
    old = node.grad
    if create_graph:  # keep the graph of the gradient: out of place
        node.grad = g if old is None else old + g
        return
    a = g._data
    if old is None:
        if a.base is not None or id(a) in handed or not a.flags.writeable:
            a = a.copy()
        handed.add(id(a))
        node.grad = make(a) if (g._ctx is not None or a is not g._data) else g
    elif old._data.shape == a.shape and old._data.flags.writeable and old._ctx is None:
        np.add(old._data, a, out=old._data, casting="unsafe")  # in place, as PyTorch
    else:
        node.grad = old + g


from .tensor import make  # noqa: E402
import numpy as np  # noqa: E402
