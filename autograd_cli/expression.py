"""Safe arithmetic expressions over ``Value``: parsed with ``ast``, checked against a whitelist,
then evaluated by walking the tree. Nothing is ever passed to ``eval`` or ``exec``.

Allowed: numbers, the given variable names, ``+ - * / **``, unary ``-`` and ``+``,
parentheses, and one-argument calls of ``exp``, ``log``, ``tanh``, ``relu``, ``sigmoid``.
Anything else is refused with an ``ExpressionError`` that names the construct and
its column, before any of the expression is evaluated.

>>> from autograd_cli.expression import evaluate, ExpressionError
>>> f = evaluate("(x + y) * z", {"x": 1, "y": -3, "z": 4})
>>> f.data
-8.0
>>> try:
...     evaluate("__import__('os').system('echo hi')", {})
... except ExpressionError as e:
...     print(e)
attribute access '.system' is not allowed (column 1)
"""
from __future__ import annotations

import ast
import math
from typing import Any, Mapping

from autograd_core import Value

__all__ = ["FUNCTIONS", "MAX_LENGTH", "ExpressionError", "EvaluationError", "parse", "evaluate"]

FUNCTIONS = ("exp", "log", "relu", "sigmoid", "tanh")
MAX_LENGTH = 2000  # characters; longer input is refused before parsing

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_OTHER_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
                    ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&",
                    ast.Not: "not", ast.Invert: "~"}
_CONSTRUCTS = {
    ast.Lambda: "lambda", ast.ListComp: "comprehension", ast.SetComp: "comprehension",
    ast.DictComp: "comprehension", ast.GeneratorExp: "generator expression",
    ast.Compare: "comparison", ast.BoolOp: "'and'/'or'", ast.IfExp: "conditional expression",
    ast.NamedExpr: "assignment ':='", ast.Starred: "'*' unpacking", ast.JoinedStr: "f-string",
    ast.List: "list", ast.Tuple: "tuple", ast.Dict: "dict", ast.Set: "set",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slice",
}


class ExpressionError(ValueError):
    """The expression is not allowed (or not valid); nothing of it was evaluated.

    >>> try:
    ...     parse("x // 2", {"x": 1})
    ... except ExpressionError as e:
    ...     print(e.column, e)
    1 the operator '//' is not allowed (only + - * / **) (column 1)
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        self.column = column
        super().__init__(message if column is None else f"{message} (column {column})")


class EvaluationError(ArithmeticError):
    """The expression is allowed, but its numbers fail (division by zero, log of -1, ...).

    >>> try:
    ...     evaluate("1 / x", {"x": 0})
    ... except EvaluationError as e:
    ...     print(e)
    division by zero
    """


def _column(node: ast.AST) -> int | None:
    col = getattr(node, "col_offset", None)
    return None if col is None else col + 1


def _refuse(node: ast.AST, variables: Mapping[str, Any]) -> ExpressionError:
    """The error for a node outside the whitelist, naming what it is."""
    col = _column(node)
    if isinstance(node, ast.Attribute):
        return ExpressionError(f"attribute access '.{node.attr}' is not allowed", col)
    if isinstance(node, ast.Subscript):
        return ExpressionError("subscripts ('[...]') are not allowed", col)
    if isinstance(node, ast.Constant):
        kind = "strings are" if isinstance(node.value, (str, bytes)) else \
            f"the constant {node.value!r} is"
        return ExpressionError(f"{kind} not allowed (only numbers)", col)
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            return ExpressionError(f"'{node.id}' is a function: call it as {node.id}(...)", col)
        given = ", ".join(sorted(variables)) or "none"
        return ExpressionError(f"unknown name '{node.id}' (variables given: {given}; "
                               f"give it a value as {node.id}=...)", col)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            # report the innermost offending part, such as .system in os.system(...)
            return _refuse(node.func, variables) if isinstance(
                node.func, (ast.Attribute, ast.Subscript, ast.Lambda)) else ExpressionError(
                "calling the result of an expression is not allowed", col)
        name = node.func.id
        if name not in FUNCTIONS:
            return ExpressionError(f"calling '{name}' is not allowed (functions: "
                                   f"{', '.join(FUNCTIONS)})", col)
        return ExpressionError(f"{name}() takes exactly one argument, without keywords", col)
    op = getattr(node, "op", None)
    if op is not None and type(op) in _OTHER_OPERATORS:
        return ExpressionError(f"the operator '{_OTHER_OPERATORS[type(op)]}' is not allowed "
                               "(only + - * / **)", col)
    what = _CONSTRUCTS.get(type(node), type(node).__name__)
    return ExpressionError(f"{what} is not allowed", col)


def parse(text: str, variables: Mapping[str, Any]) -> ast.expr:
    """Parse and check ``text``; return its tree, or raise ``ExpressionError``.

    >>> from autograd_cli.expression import parse
    >>> type(parse("tanh(2 * x)", {"x": 1.0})).__name__
    'Call'
    """
    if not isinstance(text, str):
        raise ExpressionError("the expression must be text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExpressionError("the expression is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        col = e.offset if e.offset and e.offset > 0 else None
        raise ExpressionError(f"not a valid expression: {e.msg}", col) from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise ExpressionError(f"not a valid expression: {e}") from None
    _check(tree.body, variables)
    return tree.body


def _check(root: ast.expr, variables: Mapping[str, Any]) -> None:
    """Every node must be on the whitelist; walked with a stack, not recursion."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            stack += [node.right, node.left]
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            stack.append(node.operand)
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            pass
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and \
                node.id in variables and node.id not in FUNCTIONS:
            pass
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in FUNCTIONS and len(node.args) == 1 and not node.keywords
              and not isinstance(node.args[0], ast.Starred)):
            stack.append(node.args[0])
        else:
            raise _refuse(node, variables)


def _constant(node: ast.expr) -> float | None:
    """The number a node stands for when it is a literal such as ``2`` or ``-0.5``."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    return None


def evaluate(text: str, values: Mapping[str, Value | float]) -> Value:
    """Build the ``Value`` graph of ``text``; numbers in ``values`` become labelled leaves.

    A literal exponent stays a plain number (``x**2`` is one node ``**2``, as in micrograd).

    >>> from autograd_cli.expression import evaluate
    >>> y = evaluate("sigmoid(w * x + b)", {"w": 2.0, "x": 1.0, "b": -2.0})
    >>> y.data, y._op
    (0.5, 'sigmoid')
    """
    tree = parse(text, values)
    leaves = {name: v if isinstance(v, Value) else Value(float(v), label=name)
              for name, v in values.items()}
    done: dict[int, Value] = {}
    stack: list[tuple[ast.expr, bool]] = [(tree, False)]
    try:
        while stack:
            node, ready = stack.pop()
            if isinstance(node, ast.Constant):
                done[id(node)] = Value(float(node.value))
            elif isinstance(node, ast.Name):
                done[id(node)] = leaves[node.id]
            elif not ready:
                stack.append((node, True))
                stack.extend((child, False) for child in _children(node))
            else:
                done[id(node)] = _apply(node, done)
            _check_real(done.get(id(node)), node)
    except ZeroDivisionError:
        raise EvaluationError("division by zero") from None
    except OverflowError:
        raise EvaluationError("a number grew too large (overflow)") from None
    except ValueError as e:
        raise EvaluationError(str(e)) from None
    return done[id(tree)]


def _children(node: ast.expr) -> list:
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow) and _constant(node.right) is not None:
            return [node.left]
        return [node.right, node.left]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    return [node.args[0]]  # a call


def _apply(node: ast.expr, done: dict) -> Value:
    if isinstance(node, ast.BinOp):
        a = done[id(node.left)]
        if isinstance(node.op, ast.Pow):
            k = _constant(node.right)
            return a ** (k if k is not None else done[id(node.right)])
        b = done[id(node.right)]
        return {ast.Add: a.__add__, ast.Sub: a.__sub__, ast.Mult: a.__mul__,
                ast.Div: a.__truediv__}[type(node.op)](b)
    if isinstance(node, ast.UnaryOp):
        a = done[id(node.operand)]
        return -a if isinstance(node.op, ast.USub) else a
    return getattr(done[id(node.args[0])], node.func.id)()


def _check_real(v: Value | None, node: ast.expr) -> None:
    if v is None:
        return
    if isinstance(v.data, complex) or (isinstance(v.data, float) and math.isinf(v.data)):
        what = "not a real number" if isinstance(v.data, complex) else "infinite"
        raise EvaluationError(f"the value at column {_column(node)} is {what}")
