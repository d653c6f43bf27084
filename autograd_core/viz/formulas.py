"""Nodes written as algebra: what each node is called, how it is computed, its local derivatives.

Used by ``explain`` to write steps such as
``n1 = x1 * w1`` and ``local ∂n1/∂x1 = w1 = -3``.

>>> from autograd_core import Value
>>> from autograd_core.viz.trace import read_graph
>>> from autograd_core.viz.formulas import node_references
>>> x, y, z = Value(1.0, label='x'), Value(-3.0, label='y'), Value(4.0, label='z')
>>> g = read_graph((x + y) * z)
>>> calls, computed = node_references(g, {0: 'x', 1: 'y', 3: 'z'}, root=4)
>>> calls[2], computed[4]
('x + y', '(x + y) * z')
"""
from __future__ import annotations

from typing import Any

from ..value import Value
from .number_text import fmt
from .trace import Graph, Node

SHORT_EXPRESSION = 12  # unnamed nodes are called by their expression up to this length

# How each op's local derivative reads, with {a}, {b} the parents and {out} the result.
VALUE_LOCAL = {
    "+": ("1", "1"), "-": ("1", "-1"), "*": ("{b}", "{a}"), "/": ("1/{b}", "-{a}/{b}**2"),
    "**": ("{b} * {a}**({b} - 1)", "{out} * log({a})"), "neg": ("-1",),
    "tanh": ("1 - {out}**2",), "sigmoid": ("{out} * (1 - {out})",), "exp": ("{out}",),
    "log": ("1/{a}",), "ReLU": ("(1 if {a} > 0 else 0)",),
}
TENSOR_LOCAL = {
    "add": ("1", "1"), "sub": ("1", "-1"), "mul": ("{b}", "{a}"), "div": ("1/{b}", "-{a}/{b}**2"),
    "neg": ("-1",), "exp": ("{out}",), "log": ("1/{a}",), "tanh": ("1 - {out}**2",),
    "sigmoid": ("{out} * (1 - {out})",), "relu": ("(1 where {a} > 0, else 0)",),
    "sqrt": ("1 / (2 * {out})",), "sin": ("cos({a})",), "cos": ("-sin({a})",),
    "matmul": ("upstream @ {b}ᵀ", "{a}ᵀ @ upstream"),
    "sum": ("1 for every entry of {a}",), "to": ("1",), "reshape": ("1 (entries move back)",),
    "permute": ("1 (entries move back)",), "expand": ("1, summed over the copies",),
}

INFIX = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**", "add": "+", "sub": "-",
         "mul": "*", "div": "/", "matmul": "@"}
# Precedence of what a node is written as: bigger binds tighter.
ATOM, POWER, UNARY, PRODUCT, SUM = 5, 4, 3, 2, 1
PRECEDENCE = {"+": SUM, "-": SUM, "*": PRODUCT, "/": PRODUCT, "@": PRODUCT, "**": POWER}


def is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _operand(text: str, prec: int, need: int, right: bool = False) -> str:
    """``text`` (binding as ``prec``) as an operand of an op binding as ``need``."""
    if prec < need or (prec == need and (right if need != POWER else not right)):
        return f"({text})"
    if need > SUM and is_number(text) and text.startswith("-"):
        return f"({text})"
    return text


def _balanced(text: str) -> bool:
    """``f(...)`` or ``(...)`` whose first parenthesis closes at the very end."""
    start = text.find("(")
    if start < 0 or not text.endswith(")") or not (start == 0 or text[:start].isidentifier()):
        return False
    depth = 0
    for k, ch in enumerate(text[start:], start):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return k == len(text) - 1
    return False


def wrap(text: str) -> str:
    """A reference as it reads inside ``∂a/∂b``: compound ones get parentheses."""
    plain = text.replace(".", "").replace("[", "").replace("]", "")
    if plain.isidentifier() or is_number(text) or _balanced(text):
        return text
    return f"({text})"


def expression(graph: Graph, i: int, refs: dict[int, tuple[str, int]]) -> tuple[str, int]:
    """How node ``i`` is computed from its parents' references, and how tightly it binds."""
    n = graph.nodes[i]
    args = [refs[p] for p in n.parents]
    sym = INFIX.get(n.op)
    if sym is not None and len(args) == 2:
        need = PRECEDENCE[sym]
        return (f"{_operand(*args[0], need)} {sym} {_operand(*args[1], need, right=True)}",
                need)
    if n.op.startswith("**") and len(args) == 1:
        return f"{_operand(*args[0], POWER)}**{n.op[2:]}", POWER
    if n.op == "neg" and len(args) == 1:
        return f"-{_operand(*args[0], UNARY)}", UNARY
    fn = "relu" if n.op == "ReLU" else n.op
    return f"{fn}({', '.join(a for a, _ in args)})", ATOM


def _scalar_text(obj: Any) -> str | None:
    """A number for a scalar leaf (a constant in the expression); None for others."""
    if isinstance(obj, Value):
        return fmt(obj.data)
    return fmt(obj._data.reshape(-1)[0]) if obj._data.size == 1 else None


def node_references(graph: Graph, names: dict[int, str],
                    root: int) -> tuple[dict[int, str], dict[int, str]]:
    """For each node: what it is called, and how it is computed (a leaf: its name).

    A node is called by its name; else, for a scalar leaf, its number; else the
    root is ``out``; else a short expression (``x + y``); else ``n1``, ``n2``, ...
    """
    refs: dict[int, tuple[str, int]] = {}
    computed: dict[int, str] = {}
    counter = 0
    for n in graph.nodes:
        i = n.index
        text, prec = ("", ATOM) if n.is_leaf else expression(graph, i, refs)
        if i in names:
            refs[i] = (names[i], ATOM)
        elif n.is_leaf and _scalar_text(n.obj) is not None:
            refs[i] = (_scalar_text(n.obj), ATOM)  # type: ignore[assignment]
        elif i == root:
            refs[i] = ("out", ATOM)
        elif not n.is_leaf and len(text) <= SHORT_EXPRESSION:
            refs[i] = (text, prec)
        else:
            counter += 1
            refs[i] = (f"n{counter}", ATOM)
        computed[i] = text if text else refs[i][0]
    return {i: r for i, (r, _) in refs.items()}, computed


def local_formula(node: Node, pos: int, calls: dict[int, str]) -> str:
    """The local derivative d node / d (its ``pos``-th parent), as algebra."""
    a = wrap(calls[node.parents[0]])
    if node.op.startswith("**") and len(node.parents) == 1:  # Value's x**k
        k = node.op[2:]
        return f"{k} * {a}**({k} - 1)"
    table = TENSOR_LOCAL if node.is_tensor else VALUE_LOCAL
    forms = table.get(node.op)
    if forms is None or pos >= len(forms):
        return f"∂{node.op}/∂(input {pos + 1})"
    b = wrap(calls[node.parents[1]]) if len(node.parents) > 1 else ""
    return forms[pos].format(a=a, b=b, out=wrap(calls[node.index]))
