"""Collapse a large graph into a readable picture: modules, then op chains, then the far end.

A *group* stands for several nodes drawn as one box. In order, while the picture
has more than ``max_nodes`` boxes:

1. each module (from ``record_modules`` or a model's parameters) becomes one box,
   at the deepest module level that fits (``layer1.0`` before ``layer1``);
2. chains of ops, each feeding only the next, become one box (``mul → add → relu``);
3. the nodes farthest from the output become one ``… N earlier nodes`` box.

``collapse_modules`` asks for step 1 whatever the size: ``True`` (top-level
modules), a depth (``2``: ``layer1.0``) or a list of module names.

>>> from autograd_core import Value
>>> from autograd_core.viz.trace import read_graph
>>> from autograd_core.viz.collapse import plan_groups
>>> x = Value(0.5)
>>> y = x.tanh().exp().relu().sigmoid()
>>> [g.title for g in plan_groups(read_graph(y), {}, max_nodes=3).groups]
['tanh → exp → ReLU → sigmoid']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .modules import module_depth, truncate
from .trace import Graph


@dataclass
class Group:
    """Several nodes drawn as one box."""

    kind: str                 # 'module', 'chain' or 'rest'
    title: str                # 'layer1.0', 'mul → add', '… 120 earlier nodes'
    members: list[int]        # node numbers, ascending

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


def _module_plan(graph: Graph, owner: dict[int, str], chosen: Any) -> Plan:
    """Group the nodes of the chosen modules: a depth (int) or a collection of names."""
    by_name: dict[str, list[int]] = {}
    for i in sorted(owner):
        name = owner[i]
        if isinstance(chosen, int):
            if module_depth(name) < chosen:
                continue
            key = truncate(name, chosen)
        else:
            key = next((m for m in chosen if name == m or name.startswith(m + ".")), None)
            if key is None:
                continue
        by_name.setdefault(key, []).append(i)
    plan = Plan()
    for key, members in sorted(by_name.items(), key=lambda kv: kv[1][0]):
        if len(members) < 2:
            continue  # a module of one node is clearer drawn as that node
        plan.groups.append(Group("module", key, members))
        for i in members:
            plan.group_of[i] = len(plan.groups) - 1
    return plan


def _chain_plan(graph: Graph, plan: Plan) -> None:
    """Merge ops that each feed only the next one (and the single-use leaves they read)."""
    users = graph.consumers()
    chain_of: dict[int, int] = {}
    chains: list[list[int]] = []
    for n in graph.nodes:
        if n.is_leaf or n.index in plan.group_of:
            continue
        inner = [p for p in n.parents if not graph.nodes[p].is_leaf]
        if len(inner) == 1 and len(users[inner[0]]) == 1 and inner[0] not in plan.group_of:
            k = chain_of.get(inner[0])
            if k is None:
                k = len(chains)
                chains.append([inner[0]])
                chain_of[inner[0]] = k
            chains[k].append(n.index)
            chain_of[n.index] = k
    for members in chains:
        taken = set(members)
        for i in list(members):
            for p in graph.nodes[i].parents:
                if graph.nodes[p].is_leaf and p not in plan.group_of and len(users[p]) == 1:
                    taken.add(p)
        ops = [graph.nodes[i].symbol for i in members]
        shown = ops if len(ops) <= 4 else ops[:2] + ["…"] + ops[-1:]
        plan.groups.append(Group("chain", " → ".join(shown), sorted(taken)))
        for i in taken:
            plan.group_of[i] = len(plan.groups) - 1


def _rest_plan(graph: Graph, plan: Plan, max_nodes: int) -> None:
    """Keep the ``max_nodes - 1`` boxes nearest the output; the rest becomes one box."""
    boxes: list[tuple[int, Any]] = []  # (position, single node or group number)
    for n in graph.nodes:
        if n.index not in plan.group_of:
            boxes.append((n.index, ("node", n.index)))
    for k, g in enumerate(plan.groups):
        boxes.append((g.last, ("group", k)))
    boxes.sort(key=lambda b: b[0])
    dropped = boxes[: max(len(boxes) - (max_nodes - 1), 0)]
    if not dropped:
        return
    members: list[int] = []
    for _, (kind, ref) in dropped:
        members.extend([ref] if kind == "node" else plan.groups[ref].members)
    members.sort()
    rest = Group("rest", f"… {len(members):,} earlier nodes", members)
    dropped_groups = {ref for _, (kind, ref) in dropped if kind == "group"}
    kept = [g for k, g in enumerate(plan.groups) if k not in dropped_groups]
    plan.groups = kept + [rest]
    plan.group_of = {i: k for k, g in enumerate(plan.groups) for i in g.members}


def plan_groups(graph: Graph, owner: dict[int, str], max_nodes: int | None = None,
                collapse_modules: bool | int | Sequence[str] | None = None) -> Plan:
    """Decide which nodes are drawn together (see the module docstring)."""
    n = len(graph.nodes)
    plan = Plan()
    if collapse_modules is not None and collapse_modules is not False:
        chosen = 1 if collapse_modules is True else collapse_modules
        if isinstance(chosen, str):
            chosen = [chosen]
        plan = _module_plan(graph, owner, chosen)
    elif max_nodes is not None and n > max_nodes and owner:
        deepest = max(module_depth(m) for m in owner.values())
        for depth in range(deepest, 0, -1):
            plan = _module_plan(graph, owner, depth)
            if plan.boxes(n) <= max_nodes:
                break
    if max_nodes is not None and plan.boxes(n) > max_nodes:
        _chain_plan(graph, plan)
    if max_nodes is not None and plan.boxes(n) > max_nodes:
        _rest_plan(graph, plan, max(max_nodes, 2))
    return plan
