"""``explain``: the chain rule, step by step, in the order backward runs.

At each node, backward takes the gradient that arrived from above (the
*upstream* gradient, d out / d node), multiplies it by the node's *local*
derivative for each parent (d node / d parent), and adds the product into that
parent's gradient. ``explain`` writes out every one of those products with its
numbers, and draws one picture per step.

It only reads the graph: no ``.grad`` is touched, and it works before or after
``backward()`` (for Tensors: before it, or after ``backward(retain_graph=True)``,
since backward frees what the ops saved).

>>> from autograd_core import Value
>>> from autograd_core.explain import explain
>>> x, y, z = Value(1.0, label='x'), Value(-3.0, label='y'), Value(4.0, label='z')
>>> f = (x + y) * z; f.label = 'f'
>>> e = explain(f)
>>> print(e)
Backward pass through f = (x + y) * z = -8, one node at a time.
At each node: grad of parent += local derivative × upstream gradient.
<BLANKLINE>
start: ∂f/∂f = 1
step 1: f = (x + y) * z, upstream ∂f/∂f = 1
  to (x + y): local ∂f/∂(x + y) = z = 4; 4 × 1 = 4; grad (x + y): 0 + 4 = 4
  to z: local ∂f/∂z = (x + y) = -2; -2 × 1 = -2; grad z: 0 + (-2) = -2
step 2: x + y, upstream ∂f/∂(x + y) = 4
  to x: local ∂(x + y)/∂x = 1; 1 × 4 = 4; grad x: 0 + 4 = 4
  to y: local ∂(x + y)/∂y = 1; 1 × 4 = 4; grad y: 0 + 4 = 4
gradients: ∂f/∂x = 4, ∂f/∂y = 4, ∂f/∂z = -2
>>> [s.node_name for s in e.steps], e.steps[0].terms[1].product
(['f', 'x + y'], -2.0)
>>> len(e.frames())        # one picture before backward, then one per step
3
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .autograd.engine import toposort
from .autograd.grad_mode import no_grad
from .tensor import Tensor, make
from .value import Value
from .viz.draw import Drawing, Frame
from .viz.formulas import is_number
from .viz.formulas import local_formula, node_references, wrap
from .viz.number_text import summary
from .viz.render import GraphPicture
from .viz.slider import StepSlider
from .viz.trace import Graph, Node, read_graph

FREED = ("explain() needs the values the ops saved for backward, and backward() has freed them. "
         "Call explain(loss) before loss.backward(), or use loss.backward(retain_graph=True).")


@dataclass(frozen=True)
class Term:
    """What one step sends to one parent: local derivative × upstream gradient."""

    parent: int                 # node number (as in the pictures)
    parent_name: str
    local: Any                  # d node / d parent: a number, an array (elementwise) or None
    formula: str                # the local derivative as algebra, e.g. 'z' or '1 - o**2'
    upstream: Any               # d root / d node
    product: Any                # what the parent receives: local × upstream
    before: Any                 # the parent's gradient before this step
    after: Any                  # ... and after it


@dataclass(frozen=True)
class Step:
    """One node's backward: its upstream gradient and what each parent receives."""

    number: int                 # 1, 2, ... in the order backward runs
    node: int                   # node number (as in the pictures)
    node_name: str
    expression: str             # 'f = (x + y) * z'
    op: str
    upstream: Any
    terms: tuple[Term, ...]


def _num(x: Any) -> str:
    """A number or array as text; a negative number in parentheses (for ``a + (-2)``)."""
    text = summary(x)
    return f"({text})" if text.startswith("-") else text


class Explanation:
    """The chain rule for one backward pass: ``str()`` is the text, ``steps`` the numbers.

    ``frames()`` gives one picture per step, ``slider()`` steps through them in a
    notebook or a browser, ``gradients`` maps names to final gradients.
    """

    def __init__(self, drawing: Drawing, steps: list[Step], grads: dict[int, Any],
                 calls: dict[int, str], computed: dict[int, str], root: int, seed: Any) -> None:
        self.drawing = drawing
        self.steps = steps
        self.grads = grads              # node number -> final gradient
        self.seed = seed                # d root / d root
        self.root = root
        self._calls = calls
        self._computed = computed

    @property
    def root_name(self) -> str:
        return self._calls[self.root]

    @property
    def gradients(self) -> dict[str, Any]:
        """The final gradient of every named node and every leaf that is not a plain number."""
        out = {}
        for i, g in sorted(self.grads.items()):
            node = self.drawing.graph.nodes[i]
            if i != self.root and (i in self.drawing.names or
                                   (node.is_leaf and not is_number(self._calls[i]))):
                out[self._calls[i]] = g
        return out

    # ------------------------------------------------------------------ text
    def header(self) -> list[str]:
        r = self.root_name
        obj = self.drawing.graph.nodes[self.root].obj
        value = summary(obj.data if isinstance(obj, Value) else obj._data)
        rhs = self._computed[self.root]
        made = f"{r} = {rhs}" if rhs != r else r
        lines = [f"Backward pass through {made} = {value}, one node at a time."]
        short = [f"{name} = {self._computed[i]}" for i, name in sorted(self._calls.items())
                 if i not in self.drawing.names and name[:1] == "n" and name[1:].isdigit()]
        if short:
            lines.append("where " + ", ".join(short))
        return lines + ["At each node: grad of parent += local derivative × upstream gradient.",
                        "", f"start: ∂{r}/∂{r} = {summary(self.seed)}"]

    def step_lines(self, s: Step) -> list[str]:
        r = self.root_name
        lines = [f"step {s.number}: {s.expression}, upstream ∂{r}/∂{wrap(s.node_name)} = "
                 f"{summary(s.upstream)}"]
        for t in s.terms:
            local = f"local ∂{wrap(s.node_name)}/∂{wrap(t.parent_name)} = {t.formula}"
            if t.local is not None:
                if summary(t.local) != t.formula:
                    local += f" = {summary(t.local)}"
                calc = f"{summary(t.local)} × {_num(t.upstream)} = {summary(t.product)}"
            else:
                calc = f"sends {summary(t.product)}"
            who = wrap(t.parent_name)
            lines.append(f"  to {who}: {local}; {calc}; grad {who}: "
                         f"{summary(t.before)} + {_num(t.product)} = {summary(t.after)}")
        return lines

    def __str__(self) -> str:
        lines = self.header()
        for s in self.steps:
            lines.extend(self.step_lines(s))
        r = self.root_name
        final = ", ".join(f"∂{r}/∂{wrap(name)} = {summary(v)}"
                          for name, v in self.gradients.items())
        lines.append(f"gradients: {final}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation of {self.root_name}: {len(self.steps)} backward steps>"

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"

    # -------------------------------------------------------------- pictures
    def frames(self) -> list[GraphPicture]:
        """One ``graphviz.Digraph`` before backward, then one after each step.

        The step's node is drawn in red, and the edges to its parents are labelled
        ``local × upstream = product``; gradients appear as they are filled in.
        """
        r = self.root_name
        texts: dict[tuple[int, int], str] = {}   # every step's edge labels, for every frame
        when: dict[tuple[int, int], int] = {}
        for s in self.steps:
            terms = list(s.terms)
            for pos, p in enumerate(self.drawing.graph.nodes[s.node].parents):
                t = next((t for t in terms if t.parent == p), None)
                if t is not None:
                    terms.remove(t)
                    texts[(s.node, pos)] = (
                        f"{summary(t.local)} × {_num(t.upstream)} = {summary(t.product)}"
                        if t.local is not None else summary(t.product))
                    when[(s.node, pos)] = s.number
        first = {k: (v, "later") for k, v in texts.items()}
        out = [self.drawing.digraph(Frame(grads={self.root: self.seed}, edge_labels=first, final_grads=self.grads, caption=(
            f"Forward pass done. Backward starts with ∂{r}/∂{r} = {summary(self.seed)}")))]
        grads: dict[int, Any] = {self.root: self.seed}
        for s in self.steps:
            for t in s.terms:
                grads[t.parent] = t.after
            labels = {k: (v, "now" if when[k] == s.number else
                          "past" if when[k] < s.number else "later") for k, v in texts.items()}
            caption = (f"Step {s.number} of {len(self.steps)}: {s.expression}. "
                       "Each input gets local derivative × upstream gradient")
            out.append(self.drawing.digraph(Frame(grads=dict(grads), highlight={s.node},
                                                  edge_labels=labels, caption=caption,
                                                  final_grads=self.grads)))
        return out

    def slider(self) -> StepSlider:
        """The frames under a slider, with each step's text: shows inline in Jupyter,
        or ``.save('steps.html')`` for a browser. Rendering needs ``dot``."""
        texts = ["\n".join(self.header())] + ["\n".join(self.step_lines(s)) for s in self.steps]
        return StepSlider(self.frames(), texts)


def _step(number: int, node: Node, calls: dict, computed: dict, up: Any, terms: list) -> Step:
    name, rhs = calls[node.index], computed[node.index]
    expression = f"{name} = {rhs}" if rhs != name else name
    return Step(number, node.index, name, expression, node.op, up, tuple(terms))


def _value_steps(graph: Graph, calls: dict, computed: dict, root: int) -> tuple[list, dict]:
    """Value's backward, replayed on the side with the ``_local`` derivatives."""
    order = toposort([graph.nodes[root].obj], lambda v: v._prev)
    grads: dict[int, float] = {root: 1.0}
    steps: list[Step] = []
    for obj in reversed(order):
        i = graph.index_of(obj)
        node = graph.nodes[i]
        if node.is_leaf:
            continue
        up = grads.get(i, 0.0)
        terms = []
        for pos, (p, local) in enumerate(zip(node.parents, obj._local)):
            before = grads.get(p, 0.0)
            product = local * up
            grads[p] = before + product
            terms.append(Term(p, calls[p], local, local_formula(node, pos, calls), up, product,
                              before, grads[p]))
        steps.append(_step(len(steps) + 1, node, calls, computed, up, terms))
    return steps, grads


def _tensor_steps(graph: Graph, calls: dict, computed: dict, root: int,
                  seed: np.ndarray) -> tuple[list, dict]:
    """Tensor backward, replayed on the side: each op's own backward gives its
    vector-Jacobian products; nothing is accumulated into any ``.grad``."""
    grads: dict[int, np.ndarray] = {root: seed}
    steps: list[Step] = []
    with no_grad():
        for i in range(len(graph.nodes) - 1, -1, -1):  # numbered in topological order
            node = graph.nodes[i]
            if node.is_leaf or i not in grads:
                continue
            up = grads[i]
            sent = _vjp(node, up)
            ones = _vjp(node, np.ones_like(up)) if _local_is_simple(graph, node) else None
            terms = []
            for pos, p in enumerate(node.parents):
                if sent[pos] is None or node.fn.next[pos] is None:
                    continue
                product = sent[pos]._data
                local = None
                if ones is not None and ones[pos] is not None:
                    local = ones[pos]._data
                    if local.size == 1:
                        local = local.reshape(()).item()
                before = grads.get(p)
                after = product.copy() if before is None else before + product
                grads[p] = after
                terms.append(Term(p, calls[p], local, local_formula(node, pos, calls), up,
                                  product, 0.0 if before is None else before, after))
            steps.append(_step(len(steps) + 1, node, calls, computed, up, terms))
    return steps, grads


def _vjp(node: Node, upstream: np.ndarray) -> tuple:
    """Each parent's share of ``upstream``, from the op's own backward."""
    try:
        return node.fn._backward(make(np.asarray(upstream, dtype=node.obj._data.dtype)))
    except RuntimeError as e:
        if "backward through the graph a second time" in str(e):
            raise RuntimeError(FREED) from None
        raise


def _local_is_simple(graph: Graph, node: Node) -> bool:
    """True where the local derivative is one number, or elementwise (all shapes equal)."""
    if node.op == "matmul":
        return False
    out = node.obj._data.shape
    return all((int(np.prod(shape)) == 1 and int(np.prod(out)) == 1) or shape == out
               for shape, _ in node.fn._meta)


def explain(root: Value | Tensor, *, names: Mapping[str, Any] | None = None, model: Any = None,
            gradient: Any = None, rankdir: str = "LR",
            max_nodes: int | None = None) -> Explanation:
    """Explain the backward pass from ``root``, step by step, with the numbers.

    * ``names``: a dict such as ``locals()`` naming the nodes (matched by identity);
      labels and a ``model``'s parameter names are used too. Other nodes are called
      by a short expression (``x + y``), or ``n1``, ``n2``, ...; an unnamed root is ``out``.
    * ``gradient``: the starting gradient for a Tensor with more than one element.
    * ``rankdir``, ``max_nodes``: as for ``draw_graph``, for the frames (by default
      nothing is collapsed, so that every step can be highlighted).

    ``print(explain(f))`` shows the text; ``.steps`` holds the numbers; ``.frames()``
    the pictures; ``.slider()`` steps through them in a notebook.

    >>> import autograd_core as ag
    >>> from autograd_core.explain import explain
    >>> w = ag.tensor(2.0, requires_grad=True)
    >>> x = ag.tensor(3.0)
    >>> y = (w * x).sigmoid()
    >>> e = explain(y, names={'w': w, 'x': x, 'y': y})
    >>> round(e.gradients['w'], 4)        # x * y * (1 - y)
    0.0074
    """
    graph = read_graph(root)
    if len(graph.roots) != 1:
        raise TypeError("explain: give one root (a Value or a Tensor)")
    drawing = Drawing(root, rankdir=rankdir, names=names, model=model, graph=graph,
                      max_nodes=max_nodes)
    r = graph.roots[0]
    calls, computed = node_references(graph, drawing.names, r)
    if isinstance(root, Value):
        steps, grads = _value_steps(graph, calls, computed, r)
        return Explanation(drawing, steps, grads, calls, computed, r, 1.0)
    if not root.requires_grad:
        raise RuntimeError("explain: the root does not require grad, so backward has nothing to "
                           "do (give an input requires_grad=True)")
    if gradient is None:
        if root._data.size != 1:
            raise RuntimeError("explain: the root has more than one element; pass gradient= "
                               "(as for backward)")
        seed = np.ones_like(root._data)
    else:
        g = gradient._data if isinstance(gradient, Tensor) else gradient
        seed = np.broadcast_to(np.asarray(g, dtype=root._data.dtype), root._data.shape).copy()
    steps, grads = _tensor_steps(graph, calls, computed, r, seed)
    grads = {i: (g.reshape(()).item() if g.size == 1 and g.ndim == 0 else g)
             for i, g in grads.items()}
    seed_out: Any = seed.reshape(()).item() if seed.ndim == 0 else seed
    return Explanation(drawing, steps, grads, calls, computed, r, seed_out)


__all__ = ["explain", "Explanation", "Step", "Term"]
