"""The engine: topological order by an explicit stack, and the backward pass.

The graph's nodes are ops (``Function`` contexts, a tensor's ``grad_fn``) and leaf
tensors; each op's ``next`` names the node each input's gradient goes to. A tensor
changed in place gets a new ``grad_fn`` while ops recorded before keep pointing at the
old one, which is why edges go to nodes and not to tensors.

A gradient flowing into a node is summed over all of its uses before the node's
backward runs; that is why the order must be topological. Without ``create_graph`` the
loop works on plain arrays and calls each op's ``array_backward`` when it has one; with
it, every step is a recorded Tensor op, so the gradient can be differentiated again.

Sums are made in place once the engine holds a buffer of its own (never in an array
that a backward handed on, a hook saw or a user passed in), and indexing ops add their
gradient straight into their input's buffer (``Function.add_into``), so taking L slices
of one tensor costs O(L) in backward rather than L zero tensors of its size. Such a
buffer, once complete, is also the op's to overwrite (``array_backward_inplace``).

``Value`` (scalars) runs its own two-line loop over a copy of ``toposort`` that reads
its two parent slots directly and keeps the nodes' states in two sets
(``value._toposort``; a test keeps the two orders equal).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

import numpy as np

from . import function as _fn
from .function import node_of, torch_type_name
from .grad_mode import STATE


def toposort(roots: Iterable[Any], parents: Callable[[Any], Iterable[Any]]) -> list:
    """Nodes reachable from ``roots``, every node after all of its parents.

    Iterative depth-first search, so a chain 200,000 deep needs no recursion.

    >>> from autograd_core.autograd.engine import toposort
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


def node_parents(node: Any) -> tuple:
    """The nodes ``node``'s gradient flows to (none for a leaf)."""
    return tuple([p for p in node.next if p is not None]) if node._is_fn else ()


def graph_order(roots: Iterable[Any], stop: Any = ()) -> list:
    """``toposort(roots, node_parents)``: the same algorithm and the same order, with each
    node's ``next`` read in the loop (it runs for every node of every backward); the walk
    does not go past a node in ``stop``."""
    order: list = []
    state: dict = {}
    stack: list = list(roots)
    push, place, get = stack.append, order.append, state.get
    while stack:
        node = stack[-1]
        s = get(node)
        if s is None:
            state[node] = 1
            if node._is_fn and node not in stop:
                for p in node.next:
                    if p is not None and p not in state:
                        push(p)
        else:
            stack.pop()
            if s == 1:
                state[node] = 2
                place(node)
    return order


def run_backward(roots: Sequence[Any], root_grads: Sequence[Any], retain_graph: bool,
                 create_graph: bool, inputs: Sequence[Any] | None = None,
                 stop_at_inputs: bool = False) -> list | None:
    """Backpropagate ``root_grads`` (Tensors) from ``roots`` (Tensors).

    With ``inputs=None`` gradients accumulate into the ``.grad`` of leaves (and of
    tensors that called ``retain_grad()``). Otherwise nothing is accumulated and the
    gradients reaching ``inputs`` are returned as Tensors, in order (None where none
    arrived). ``stop_at_inputs`` says that no input depends on another, so the walk need
    not go past them (a graph built on top of them, as ``composite_backward``'s).
    """
    arrays = not create_graph
    root_nodes = [node_of(r) for r in roots]
    grads: dict = {}  # node -> the sum of the gradients that reached it so far
    handed: set = set()  # ids of arrays that others may hold: never added into
    for n, g in zip(root_nodes, root_grads):
        v = g._data if arrays else g
        handed.add(id(g._data))
        grads[n] = v if n not in grads else grads[n] + v
    wanted: dict | None = None
    captured: list = []
    if inputs is not None:
        wanted = {}
        for i, t in enumerate(inputs):
            wanted.setdefault(node_of(t), []).append(i)
        captured = [None] * len(inputs)
    owned: set = set()  # ids of gradient sums made here, which only this loop holds

    order = graph_order(root_nodes, wanted if stop_at_inputs else ())
    useful = None if wanted is None else _leading_to(order, wanted)
    watch = STATE.watch  # anomaly mode or a profiler: wraps each node's backward (Watch.backward)
    prev, prev_useful = STATE.enabled, STATE.useful
    STATE.enabled = create_graph  # backward records a graph only when asked to
    STATE.useful = useful         # and computes only the gradients that lead to inputs
    try:
        pop, get = grads.pop, grads.get
        for node in reversed(order):
            g = pop(node, None)
            if g is None or (useful is not None and node not in useful):
                continue
            # a sum this loop made, that no hook, .grad or caller will see: the node's
            # backward may write into it (``Function.array_backward_inplace``)
            donated = False
            if owned:
                donated = id(g) in owned
                owned.discard(id(g))  # from here on others may hold it (and its id be reused)
            if node._hooks:
                g = _run_hooks(node, g, arrays, handed)
                donated = False
            is_fn = node._is_fn
            if wanted is not None:
                for i in wanted.get(node, ()):
                    captured[i] = g
                    donated = False
            elif not is_fn:
                _accumulate(node, g, arrays, handed)
            elif node._retain is not None:
                donated = False
                t = node._retain()
                if t is not None and t._ctx is node:
                    _accumulate(t, g, arrays, handed)
            if not is_fn:
                continue
            if arrays:
                if node.add_into is not None:  # an indexing op: add into p's buffer in place
                    node._check_saved()
                    p = node.next[0]
                    if p is not None:
                        buf = _own(grads, p, owned, node._meta[0])
                        if watch is None:
                            node.add_into(buf, g)
                        else:
                            watch.backward(node, node.add_into, buf, g)
                else:
                    pgs = (node._backward_arrays(g, donated) if watch is None else
                           watch.backward(node, node._backward_arrays, g, donated))
                    for p, pg in zip(node.next, pgs):
                        if pg is not None and p is not None:
                            old = get(p)
                            if old is None:
                                grads[p] = pg
                            elif id(old) in owned:
                                np.add(old, pg, out=old)
                            else:
                                new = old + pg
                                if type(new) is not np.ndarray:  # 0-d sums give scalars
                                    new = np.asarray(new)
                                grads[p] = new
                                owned.add(id(new))
            else:
                pgs = (node._backward(g) if watch is None else
                       watch.backward(node, node._backward, g))
                for p, pg in zip(node.next, pgs):
                    if pg is not None and p is not None:
                        old = get(p)
                        grads[p] = pg if old is None else old + pg
            if not retain_graph:
                if node.__dict__:
                    node.release()
                elif node._saved:
                    node._saved = None
    finally:
        STATE.enabled, STATE.useful = prev, prev_useful
    if wanted is None:
        return None
    return [g if g is None or not arrays else _fn.make(g) for g in captured]


def _leading_to(order: list, wanted: dict) -> set:
    """The nodes of ``order`` from which a wanted node can be reached: the only ones
    ``grad(outputs, inputs)`` needs to run (``order`` lists parents first)."""
    useful = set(wanted)
    for node in order:
        if node._is_fn and node not in useful:
            for p in node.next:
                if p is not None and p in useful:
                    useful.add(node)
                    break
    return useful


def _own(grads: dict, p: Any, owned: set, meta: tuple) -> np.ndarray:
    """``grads[p]``, first replaced by a zero or copied buffer of this loop's own if it is
    missing or held elsewhere, so that it may be added into."""
    old = grads.get(p)
    if old is None or id(old) not in owned:
        shape, dtype = meta
        grads[p] = old = np.zeros(shape, dtype) if old is None else np.array(old)
        owned.add(id(old))
    return old


def _run_hooks(node: Any, g: Any, arrays: bool, handed: set) -> Any:
    """Pass the gradient through the node's hooks; a hook may return a replacement of the
    same shape and dtype (PyTorch's rule), and may keep what it saw."""
    t = _fn.make(g) if arrays else g
    for hook in list(node._hooks.values()):
        r = hook(t)
        if r is None:
            continue
        name = getattr(hook, "__name__", type(hook).__name__)
        if not isinstance(r, _fn.Tensor):
            raise TypeError(f"hook '{name}' returned {type(r).__name__}, expected a Tensor or None")
        if r._data.shape != t._data.shape:
            raise RuntimeError(f"hook '{name}' has changed the size of value")
        if r._data.dtype != t._data.dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                               f"{torch_type_name(t._data.dtype)} got "
                               f"{torch_type_name(r._data.dtype)})")
        t = r
    if arrays:
        handed.add(id(g))
        handed.add(id(t._data))
        return t._data
    return t


def _accumulate(t: Any, g: Any, arrays: bool, handed: set) -> None:
    """Add ``g`` into ``t.grad``, never storing an array that something else holds."""
    old = t._grad
    if not arrays:  # keep the graph of the gradient: out of place
        t._grad = g if old is None else old + g
        return
    if old is None:
        if g.base is not None or id(g) in handed or not g.flags.writeable:
            g = g.copy()
        handed.add(id(g))
        t._grad = _fn.make(g)
    elif old._data.shape == g.shape and old._data.flags.writeable and old._ctx is None:
        np.add(old._data, g, out=old._data, casting="unsafe")  # in place, as PyTorch
    else:
        t._grad = old + _fn.make(g)


