"""``draw_graph``: a picture of a compute graph, for notebooks, slides and the CLI.

Every value is a box (its name, its data, and its gradient once backward has run);
every op is a small ellipse between its inputs and its output. Inputs are blue,
parameters amber, constants grey and dashed, the output green, and gradients are
written in orange. Nodes are numbered in topological order, so the DOT text is
the same on every run.

>>> from autograd_core import Value
>>> from autograd_core.viz import draw_graph
>>> x, y, z = Value(1.0, label='x'), Value(-3.0, label='y'), Value(4.0, label='z')
>>> f = (x + y) * z; f.label = 'f'
>>> f.backward()
>>> g = draw_graph(f)            # a graphviz.Digraph: shows itself in Jupyter
>>> 'grad -2' in g.source        # dz = x + y = -2
True
>>> # g.render('f', format='png') writes f.png
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..tensor import Tensor
from ..value import Value
from . import style
from .collapse import Group, Plan, plan_groups
from .modules import (ModuleRecord, module_types, modules_from_parameters, modules_from_record,
                      truncate)
from .names import node_names, parameter_nodes
from .number_text import fmt, shape_text, summary, summary_lines
from .render import GraphPicture
from .trace import Graph, Node, read_graph

# Ops whose inputs can be swapped; the others get their edges numbered (1, 2, ...).
COMMUTATIVE = {"+", "*", "add", "mul", "maximum", "minimum", "cat"}
DEFAULT_MAX_NODES = 40


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _grad_of(obj: Any, values_have_grads: bool) -> Any:
    """The gradient to show for a node, or None when there is none yet."""
    if isinstance(obj, Value):
        return obj.grad if values_have_grads else None
    g = obj.grad
    return None if g is None else g._data


@dataclass
class Frame:
    """What one picture shows beyond the graph: gradients so far and a highlighted step."""

    grads: dict[int, Any] | None = None            # node -> gradient; None: read .grad
    highlight: set[int] = field(default_factory=set)
    # (child, k-th parent) -> (text, 'now' | 'past' | 'later'); 'later' labels are drawn
    # invisible, so that every frame of a sequence has the same layout
    edge_labels: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    caption: str = ""
    final_grads: dict[int, Any] = field(default_factory=dict)  # room kept for unknown ones


class Drawing:
    """A read graph with its names, roles and groups, ready to draw as many pictures as needed."""

    def __init__(self, root: Any, *, rankdir: str = "LR", names: Mapping[str, Any] | None = None,
                 model: Any = None, modules: ModuleRecord | None = None, show_grad: bool = True,
                 show_data: bool = True, max_nodes: int | None = DEFAULT_MAX_NODES,
                 collapse_modules: bool | int | Sequence[str] | None = None,
                 format: str = "svg", graph: Graph | None = None) -> None:
        if rankdir not in ("LR", "RL", "TB", "BT"):
            raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
        self.graph = graph if graph is not None else read_graph(root)
        if modules is not None and model is None:
            model = modules.model
        self.rankdir, self.format = rankdir, format
        self.show_grad, self.show_data = show_grad, show_data
        self.names = node_names(self.graph, names, model)
        self.params = parameter_nodes(self.graph, model)
        if modules is not None:
            self.owner = modules_from_record(self.graph, modules)
        elif model is not None:
            self.owner = modules_from_parameters(self.graph, model)
        else:
            self.owner = {}
        self.types = modules.types if modules is not None else module_types(model)
        self.plan: Plan = plan_groups(self.graph, self.owner, max_nodes, collapse_modules,
                                      module_names=self.types, keep=self.names)
        self.values_have_grads = any(
            isinstance(self.graph.nodes[r].obj, Value) and self.graph.nodes[r].obj.grad != 0
            for r in self.graph.roots)
        # a scalar Tensor output, once backward has filled leaves' .grad, shows grad 1
        self.tensor_seed = self.graph.kind == "tensor" and len(self.graph.roots) == 1 and \
            self.graph.nodes[self.graph.roots[0]].obj._data.size == 1 and any(
                n.is_leaf and n.obj.grad is not None for n in self.graph.nodes)

    # ----------------------------------------------------------------- roles
    def role(self, node: Node) -> str:
        if node.index in self.graph.roots:
            return "output"
        if not node.is_leaf:
            return "intermediate"
        if node.index in self.params:
            return "parameter"
        if isinstance(node.obj, Tensor) and not node.obj.requires_grad:
            return "constant"
        return "input"

    # ---------------------------------------------------------------- labels
    def value_label(self, node: Node, frame: Frame) -> str:
        rows: list[str] = []
        name = self.names.get(node.index)
        if name:
            rows.append(f"<B>{_esc(name)}</B>")
        obj = node.obj
        if isinstance(obj, Tensor):
            rows.append(f'<FONT POINT-SIZE="9" COLOR="{style.MUTED_COLOUR}">'
                        f"{_esc(shape_text(obj._data))}</FONT>")
            if self.show_data and node.known:
                rows.extend(_esc(line) for line in summary_lines(obj._data))
        elif self.show_data:
            rows.append(f"data {_esc(fmt(obj.data))}")
        grad = self._grad(node, frame)
        if grad is not None:
            lines = summary_lines(grad)
            rows.append(f'<FONT COLOR="{style.GRAD_COLOUR}">grad {_esc(lines[0])}</FONT>')
            rows.extend(f'<FONT COLOR="{style.GRAD_COLOUR}">{_esc(line)}</FONT>'
                        for line in lines[1:])
        elif frame.grads is not None and self.show_grad:  # a frame: not known yet
            later = frame.final_grads.get(node.index)
            room = summary(later)[1:] if later is not None else ""
            half = len(room) // 2
            # the box's own fill colour: dot's SVG output ignores the alpha of text colours
            hide = style.ROLE_STYLE[self.role(node)]["fillcolor"]
            left, right = (f'<FONT COLOR="{hide}">{_esc(t)}</FONT>' if t else ""
                           for t in (room[:half], room[half:]))
            rows.append(f'{left}<FONT COLOR="{style.MUTED_COLOUR}">grad ?</FONT>{right}')
        return _table(rows)

    def _grad(self, node: Node, frame: Frame) -> Any:
        if not self.show_grad:
            return None
        if frame.grads is not None:
            return frame.grads.get(node.index)
        grad = _grad_of(node.obj, self.values_have_grads)
        if grad is None and self.tensor_seed and node.index in self.graph.roots:
            return np.ones_like(node.obj._data)
        return grad

    def group_label(self, group: Group) -> str:
        rows = [f"<B>{_esc(group.title)}</B>"]
        if group.kind == "rest":
            return _table(rows)
        detail = group.detail
        if group.kind == "module":
            kind = self.types.get(group.repeat[0] if group.repeat else group.title)
            if kind:
                times = f"{len(group.repeat)} × " if group.repeat else ""
                rows[0] += f" · {times}{_esc(kind)}"
            ops = sum(1 for i in group.members if not self.graph.nodes[i].is_leaf)
            params = sum(int(self.graph.nodes[i].obj._data.size) for i in group.members
                         if i in self.params and isinstance(self.graph.nodes[i].obj, Tensor))
            k = len(group.repeat)
            each = k > 1 and ops % k == 0 and params % k == 0  # a folded run of equal modules
            if each:
                ops, params = ops // k, params // k
            detail = f"{ops} op{'s' if ops != 1 else ''}" + (f" · {params:,} params"
                                                             if params else "")
            if k > 1:
                detail += " each" if each else " in all"
        rows.append(f'<FONT POINT-SIZE="9" COLOR="{style.MUTED_COLOUR}">{_esc(detail)}</FONT>')
        last = self.graph.nodes[group.last]
        if isinstance(last.obj, Tensor):
            out = shape_text(last.obj._data)
            shapes = self._input_shapes(group) if group.kind == "module" else []
            if shapes and out.startswith(shapes[0] + " ") and len(shapes) == 1:
                rows.append(f'<FONT POINT-SIZE="9">in and out {_esc(out)}</FONT>')
            else:
                if shapes:
                    rows.append(f'<FONT POINT-SIZE="9">in {_esc(", ".join(shapes))}</FONT>')
                rows.append(f'<FONT POINT-SIZE="9">out {_esc(out)}</FONT>')
        elif self.show_data:
            rows.append(f"data {_esc(fmt(last.obj.data))}")
        if group.kind == "tree":
            grad = self._grad(last, Frame())
            if grad is not None:
                rows.append(f'<FONT COLOR="{style.GRAD_COLOUR}">grad {_esc(summary(grad))}</FONT>')
        return _table(rows)

    def _input_shapes(self, group: Group, most: int = 2) -> list[str]:
        """The shapes of the tensors a module's box receives from outside it (not its
        parameters nor plain numbers), at most ``most`` of them."""
        inside = set(group.members)
        shapes: list[str] = []
        for i in group.members:
            for p in self.graph.nodes[i].parents:
                obj = self.graph.nodes[p].obj
                if p in inside or p in self.params or not isinstance(obj, Tensor) or \
                        obj._data.ndim == 0:
                    continue
                text = str(tuple(int(d) for d in obj._data.shape))
                if text not in shapes:
                    shapes.append(text)
        return shapes[:most] + (["…"] if len(shapes) > most else [])

    # --------------------------------------------------------------- picture
    def cluster_of(self, node_or_group: Node | Group) -> str:
        if isinstance(node_or_group, Group):
            g = node_or_group
            if g.kind == "module":
                return truncate(g.title, g.title.count("."))
            if g.kind == "tree":
                return self.owner.get(g.last, "")
            return ""
        return self.owner.get(node_or_group.index, "")

    def digraph(self, frame: Frame | None = None, title: str | None = None) -> GraphPicture:
        frame = frame or Frame()
        dot = GraphPicture("autograd_graph", format=self.format,
                           graph_attr={**style.GRAPH_ATTR, "rankdir": self.rankdir},
                           node_attr=style.NODE_ATTR, edge_attr=style.EDGE_ATTR)
        caption = frame.caption or title
        if caption:
            dot.attr(label=caption, labelloc="t", fontsize="14")
        # what goes in which cluster, in topological order
        members: dict[str, list[tuple[str, Any]]] = {}
        seen_groups: set[int] = set()
        for node in self.graph.nodes:
            k = self.plan.group_of.get(node.index)
            if k is None:
                members.setdefault(self.cluster_of(node), []).append(("node", node))
            elif k not in seen_groups:
                seen_groups.add(k)
                group = self.plan.groups[k]
                members.setdefault(self.cluster_of(group), []).append(("group", k))
        paths = _all_prefixes(members)
        self._emit_cluster(dot, "", paths, members, frame, [0])
        self._emit_edges(dot, frame)
        return dot

    def _emit_cluster(self, container: Any, path: str, paths: list[str],
                      members: dict[str, list], frame: Frame, counter: list[int]) -> None:
        for kind, item in members.get(path, []):
            if kind == "node":
                self._emit_node(container, item, frame)
            else:
                self._emit_group(container, item)
        for child in paths:
            if child and truncate(child, child.count(".")) == path and child != path:
                counter[0] += 1
                with container.subgraph(name=f"cluster_{counter[0]}") as sub:
                    kind = self.types.get(child)
                    label = f"{child} ({kind})" if kind else child
                    sub.attr(label=label, **style.CLUSTER_STYLE)
                    self._emit_cluster(sub, child, paths, members, frame, counter)
                    self._pad_label(sub, label, child, paths, members, counter[0])

    def _pad_label(self, sub: Any, label: str, path: str, paths: list[str],
                   members: dict[str, list], number: int) -> None:
        """Top to bottom, an edge into a cluster that holds a column of boxes (one module,
        or a run of blocks) runs down through the middle of the cluster, across a label
        wider than the boxes. An invisible spacer as wide as the label, left of the first
        box, keeps the label clear of that edge. (Not for clusters drawn op by op, whose
        parameters sit side by side under the label anyway.)"""
        inside = members.get(path, [])
        if self.rankdir not in ("TB", "BT") or not inside or any(
                c != path and c.startswith(path + ".") for c in paths) or any(
                kind == "node" and item.is_leaf for kind, item in inside):
            return
        kind, item = inside[0]
        head = f"g{item}" if kind == "group" else (f"v{item.index}" if item.is_leaf
                                                   else f"o{item.index}")
        # Helvetica's average letter is about half an em wide
        width = len(label) * float(style.CLUSTER_STYLE["fontsize"]) * 0.5 / 72
        pad = f"pad{number}"
        sub.node(pad, "", shape="box", style="invis", fixedsize="true", width=f"{width:.2f}",
                 height="0.02")
        with sub.subgraph() as row:
            row.attr(rank="same")
            row.edge(pad, head, style="invis")

    def _emit_node(self, container: Any, node: Node, frame: Frame) -> None:
        attrs = dict(style.ROLE_STYLE[self.role(node)])
        if node.index in frame.highlight:
            attrs.update(style.HIGHLIGHT_NODE)
        container.node(f"v{node.index}", f"<{self.value_label(node, frame)}>", **attrs)
        if not node.is_leaf:
            op_attrs = dict(style.OP_STYLE, tooltip=node.op_title)
            if node.index in frame.highlight:
                op_attrs.update(style.HIGHLIGHT_NODE)
            container.node(f"o{node.index}", node.symbol, **op_attrs)
            container.edge(f"o{node.index}", f"v{node.index}")

    def _emit_group(self, container: Any, k: int) -> None:
        group = self.plan.groups[k]
        look = {"module": style.GROUP_STYLE, "tree": style.TREE_STYLE,
                "rest": style.REST_STYLE}[group.kind]
        container.node(f"g{k}", f"<{self.group_label(group)}>", **look)

    def _box(self, i: int, as_target: bool) -> str:
        k = self.plan.group_of.get(i)
        if k is not None:
            return f"g{k}"
        return f"o{i}" if as_target else f"v{i}"

    def _emit_edges(self, dot: Any, frame: Frame) -> None:
        drawn: set[tuple[str, str]] = set()
        for node in self.graph.nodes:
            numbered = len(node.parents) > 1 and node.op not in COMMUTATIVE
            for pos, p in enumerate(node.parents):
                tail, head = self._box(p, False), self._box(node.index, True)
                if tail == head:
                    continue
                in_group = head.startswith("g") or tail.startswith("g")
                if in_group and (tail, head) in drawn:
                    continue
                drawn.add((tail, head))
                attrs: dict[str, str] = {}
                if numbered and not in_group:
                    attrs["headlabel"] = str(pos + 1)
                    attrs["labelfontcolor"] = style.MUTED_COLOUR
                    attrs["labelfontsize"] = "9"
                label = frame.edge_labels.get((node.index, pos))
                if label is not None:
                    text, when = label
                    attrs["label"] = text
                    attrs.update(style.EDGE_LABEL[when])
                dot.edge(tail, head, **attrs)


def _table(rows: list[str]) -> str:
    cells = "".join(f"<TR><TD>{r}</TD></TR>" for r in rows) or "<TR><TD> </TD></TR>"
    return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>'


def _all_prefixes(members: dict[str, list]) -> list[str]:
    """Every cluster path and its ancestors, in order of first appearance."""
    out: list[str] = []
    for path in members:
        parts = path.split(".") if path else []
        for k in range(1, len(parts) + 1):
            p = ".".join(parts[:k])
            if p not in out:
                out.append(p)
    return out


def draw_graph(root: Value | Tensor | Sequence[Value | Tensor], *, rankdir: str = "LR",
               names: Mapping[str, Any] | None = None, model: Any = None,
               modules: ModuleRecord | None = None, show_grad: bool = True,
               show_data: bool = True, max_nodes: int | None = DEFAULT_MAX_NODES,
               collapse_modules: bool | int | Sequence[str] | None = None,
               format: str = "svg", title: str | None = None) -> GraphPicture:
    """Draw the compute graph that ends at ``root`` (a Value or a Tensor, or a list of them).

    * ``rankdir``: ``'LR'`` (left to right) or ``'TB'`` (top to bottom).
    * ``names``: a dict of name -> node, such as ``locals()``; matched by identity.
    * ``model``: an ``nn.Module``: names its parameters and groups nodes by module.
    * ``modules``: a ``record_modules(model)`` record, which places every node exactly.
    * ``show_grad``: write each node's gradient, once backward has run.
    * ``max_nodes``: collapse modules, then unnamed nodes used only once (into their
      user's box), then the far end of the graph, until at most this many boxes
      remain (``None``: never collapse).
    * ``collapse_modules``: ``True``, a depth or module names: draw those modules as one box each.
    * ``format``: what ``.render()`` writes (``'svg'``, ``'png'``, ``'pdf'``).

    Returns a ``graphviz.Digraph``: Jupyter shows it inline, ``.source`` is the DOT
    text and ``.render('name')`` writes ``name.svg``.

    >>> import autograd_core as ag
    >>> from autograd_core.viz import draw_graph
    >>> W = ag.randn(2, 3, requires_grad=True)
    >>> x = ag.ones(3)
    >>> loss = (W @ x).relu().sum()
    >>> loss.backward()
    >>> g = draw_graph(loss, names={'W': W, 'x': x, 'loss': loss}, rankdir='TB')
    >>> '(2, 3) float32' in g.source
    True
    """
    return Drawing(root, rankdir=rankdir, names=names, model=model, modules=modules,
                   show_grad=show_grad, show_data=show_data, max_nodes=max_nodes,
                   collapse_modules=collapse_modules, format=format).digraph(title=title)
