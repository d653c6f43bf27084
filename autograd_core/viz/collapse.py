"""Collapse a large graph into a readable picture: modules, then private subtrees, then the far end.

A *group* stands for several nodes drawn as one box. In order, while the picture
has more than ``max_nodes`` boxes:

1. modules (from ``record_modules`` or a model's parameters) become one box each,
   at the deepest module level that fits (``stage1.0`` before ``stage1``); at a level
   that does not fit, a run of numbered sibling modules of one class and one op count
   (``h.0``, ``h.1``, ... of a GPT) is tried as one box (``h.0–11``, ``12 × Block``)
   before the level above;
2. every node used only once, and not named, joins the box of the node that uses
   it (unless that one is named, the output or an activation, which always stay
   boxes of their own): a micrograd neuron (its weights, products, sum and tanh) becomes one
   box, and so does a chain of ops (``exp → log → tanh``);
3. the nodes farthest from the output become one ``… N earlier nodes`` box.

``collapse_modules`` asks for step 1 whatever the size: ``True`` (top-level
modules), a depth (``2``: ``stage1.0``) or a list of module names.

>>> from autograd_core import Value
>>> from autograd_core.viz.trace import read_graph
>>> from autograd_core.viz.collapse import plan_groups
>>> x = Value(0.5, label='x')
>>> y = (x.exp() * 2 + 1).log().sigmoid()
>>> g = read_graph(y)
>>> [g.title for g in plan_groups(g, {}, max_nodes=3, keep={0}).groups]
['exp → × → + → log']
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Collection, Sequence

from .modules import module_depth, truncate
from .trace import Graph


# An activation ends a layer: its output keeps a box of its own, so layers stay apart.
LAYER_ENDS = {"tanh", "sigmoid", "ReLU", "relu"}


@dataclass
class Group:
    """Several nodes drawn as one box."""

    kind: str                 # 'module', 'tree' or 'rest'
    title: str                # 'stage1.0', 'h.0–11', 'tanh(…)', '… 120 earlier nodes'
    members: list[int]        # node numbers, ascending
    detail: str = ""          # '17 ops: 8 ×, 8 +, tanh'
    repeat: list[str] = field(default_factory=list)  # the modules of a folded run

    @property
    def last(self) -> int:
        return self.members[-1]


@dataclass
class Plan:
    """The groups, and for each grouped node the number of its group."""

    groups: list[Group] = field(default_factory=list)
    group_of: dict[int, int] = field(default_factory=dict)

    def boxes(self, n_nodes: int) -> int:
        return n_nodes - len(self.group_of) + len(self.groups)

    def add(self, group: Group) -> None:
        self.groups.append(group)
        for i in group.members:
            self.group_of[i] = len(self.groups) - 1


def _module_key(name: str, chosen: Any, parents: set[str]) -> str | None:
    """The module a node of module ``name`` is drawn in when collapsing at ``chosen``."""
    if isinstance(chosen, int):
        if module_depth(name) >= chosen:
            return truncate(name, chosen)
        return None if name in parents else name  # a whole small module: collapse it too
    return next((m for m in chosen if name == m or name.startswith(m + ".")), None)


def _module_plan(owner: dict[int, str], chosen: Any, module_names: Collection[str]) -> Plan:
    """Group the nodes of the chosen modules: a depth (int) or a collection of names."""
    parents = {truncate(m, k) for m in set(module_names) | set(owner.values())
               for k in range(1, module_depth(m))}
    by_name: dict[str, list[int]] = {}
    for i in sorted(owner):
        key = _module_key(owner[i], chosen, parents)
        if key is not None:
            by_name.setdefault(key, []).append(i)
    plan = Plan()
    for key, members in sorted(by_name.items(), key=lambda kv: kv[1][0]):
        if len(members) >= 2:  # a module of one node is clearer drawn as that node
            plan.add(Group("module", key, members))
    return plan


def _numbered(name: str) -> tuple[str, int] | None:
    """``('h', 3)`` for ``'h.3'``; None for a name that does not end in a number."""
    parent, _, last = name.rpartition(".")
    return (parent, int(last)) if last.isdigit() else None


def _fold_repeats(graph: Graph, plan: Plan, types: Any) -> Plan:
    """Each run of two or more module boxes ``p.k``, ``p.k+1``, ... of one class and one
    op count becomes one box; the other groups stay as they are."""
    kind_of = types.get if hasattr(types, "get") else (lambda name: None)

    def signature(g: Group) -> tuple | None:
        numbered = _numbered(g.title) if g.kind == "module" else None
        if numbered is None or kind_of(g.title) is None:
            return None
        ops = sum(1 for i in g.members if not graph.nodes[i].is_leaf)
        return numbered[0], kind_of(g.title), ops

    runs: list[list[Group]] = []
    for g in plan.groups:
        sig = signature(g)
        last = runs[-1][-1] if runs else None
        if (last is not None and sig is not None and signature(last) == sig
                and _numbered(g.title)[1] == _numbered(last.title)[1] + 1):  # type: ignore[index]
            runs[-1].append(g)
        else:
            runs.append([g])
    folded = Plan()
    for run in runs:
        if len(run) < 2:
            folded.add(run[0])
            continue
        parent, first = _numbered(run[0].title)  # type: ignore[misc]
        title = f"{parent}.{first}–{first + len(run) - 1}" if parent else f"{first}–{first + len(run) - 1}"
        members = sorted(i for g in run for i in g.members)
        folded.add(Group("module", title, members, repeat=[g.title for g in run]))
    return folded


def _tree_plan(graph: Graph, plan: Plan, keep: Collection[int]) -> None:
    """Fold every unnamed node used exactly once into the box of its user."""
    users = graph.consumers()
    head: dict[int, int] = {}
    for n in reversed(graph.nodes):
        i = n.index
        u = users[i]
        private = (len(u) == 1 and i not in keep and n.op not in LAYER_ENDS
                   and i not in plan.group_of and u[0] not in plan.group_of and u[0] not in keep)
        head[i] = head[u[0]] if private else i
    members: dict[int, list[int]] = {}
    for i, h in head.items():
        members.setdefault(h, []).append(i)
    for h in sorted(members):
        group = sorted(members[h])
        ops = [graph.nodes[i] for i in group if not graph.nodes[i].is_leaf]
        if len(ops) < 2 or graph.nodes[h].is_leaf:
            continue  # one op is clearer drawn as itself
        inside = set(group)
        chain = all(sum(1 for p in op.parents if not graph.nodes[p].is_leaf and p in inside) <= 1
                    for op in ops)
        if chain and len(ops) <= 4:
            title = " → ".join(op.symbol for op in ops)
        else:
            title = f"{graph.nodes[h].symbol}(…)"
        counts = Counter(op.symbol for op in ops)
        detail = f"{len(ops)} op{'s' if len(ops) != 1 else ''}"
        if len(counts) > 1 or len(ops) > 4:
            detail += ": " + ", ".join(f"{c} {s}" if c > 1 else s for s, c in counts.most_common(4))
        plan.add(Group("tree", title, group, detail))


def _rest_plan(graph: Graph, plan: Plan, max_nodes: int) -> None:
    """Keep the ``max_nodes - 1`` boxes nearest the output; the rest becomes one box."""
    boxes: list[tuple[int, str, int]] = []  # (position, 'node' or 'group', which)
    for n in graph.nodes:
        if n.index not in plan.group_of:
            boxes.append((n.index, "node", n.index))
    for k, g in enumerate(plan.groups):
        boxes.append((g.last, "group", k))
    boxes.sort()
    dropped = boxes[: max(len(boxes) - (max_nodes - 1), 0)]
    if not dropped:
        return
    members: list[int] = []
    for _, kind, ref in dropped:
        members.extend([ref] if kind == "node" else plan.groups[ref].members)
    gone = {ref for _, kind, ref in dropped if kind == "group"}
    kept = [g for k, g in enumerate(plan.groups) if k not in gone]
    plan.groups, plan.group_of = [], {}
    for g in kept:
        plan.add(g)
    plan.add(Group("rest", f"… {len(members):,} earlier nodes", sorted(members)))


def plan_groups(graph: Graph, owner: dict[int, str], max_nodes: int | None = None,
                collapse_modules: bool | int | Sequence[str] | None = None,
                module_names: Collection[str] = (), keep: Collection[int] = ()) -> Plan:
    """Decide which nodes are drawn together (see the module docstring).

    ``owner`` maps nodes to module names; ``keep`` holds nodes that must stay
    visible (the output and named nodes).
    """
    n = len(graph.nodes)
    plan = Plan()
    if collapse_modules is not None and collapse_modules is not False:
        chosen = 1 if collapse_modules is True else collapse_modules
        plan = _module_plan(owner, [chosen] if isinstance(chosen, str) else chosen, module_names)
    elif max_nodes is not None and n > max_nodes and owner:
        deepest = max(module_depth(m) for m in owner.values())
        for depth in range(deepest, 0, -1):
            plan = _module_plan(owner, depth, module_names)
            if plan.boxes(n) <= max_nodes:
                break
            folded = _fold_repeats(graph, plan, module_names)
            if folded.boxes(n) <= max_nodes:
                plan = folded
                break
    if max_nodes is not None and plan.boxes(n) > max_nodes:
        _tree_plan(graph, plan, set(keep) | set(graph.roots))
    if max_nodes is not None and plan.boxes(n) > max_nodes:
        _rest_plan(graph, plan, max(max_nodes, 2))
    return plan
