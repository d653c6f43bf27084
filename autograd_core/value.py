"""``Value``: a scalar that remembers how it was made (micrograd's API).

Each op stores its parents and its name. Backward needs no closures: it walks the
graph in topological order and applies the chain rule,
``parent.grad += local * out.grad``, where ``local`` is the op's *local derivative*
d(out)/d(parent), computed from the numbers of the node and its parents (as
micrograd's closures compute it, from the ``data`` of the moment). No closures also
means no reference cycles, so the garbage collector never has to clean up old graphs.

>>> from autograd_core import Value
>>> x, y, z = Value(1.0, label='x'), Value(-3.0, label='y'), Value(4.0, label='z')
>>> f = (x + y) * z
>>> f.backward()
>>> x.grad, y.grad, z.grad
(4.0, 4.0, -2.0)
"""
from __future__ import annotations

import math
import weakref
from typing import Iterable, Union


Number = Union[int, float]
_new = object.__new__


def _const(x: Number) -> "Value":
    """A leaf for a plain number used in an expression (as micrograd wraps it)."""
    if not isinstance(x, (int, float)):
        raise TypeError(f"Value: expected a number or a Value, got {type(x).__name__}")
    v = _new(Value)
    v.data = x
    v.grad = 0.0
    v._a = v._b = v._mark = None
    v._op = ""
    return v


def _unary(data: float, a: "Value", op: str) -> "Value":
    """A node with one parent, ``a``."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._a = a
    v._b = v._mark = None
    v._op = op
    return v


# Labels are for pictures and few nodes have one: they live beside the graph, not in
# every node (a smaller node is less for the garbage collector to scan).
_labels: "weakref.WeakKeyDictionary[Value, str]" = weakref.WeakKeyDictionary()


def _log(x: float) -> float:
    if x > 0:
        return math.log(x)
    return 0.0 if x == 0 else math.nan  # d(b**e)/de at b == 0 is taken as 0, as PyTorch


class Value:
    """A scalar node of a compute graph, with micrograd's API.

    ``data`` and ``grad`` are plain Python numbers and may be assigned.

    >>> from autograd_core import Value
    >>> a = Value(2.0)
    >>> b = a * a + a.exp()
    >>> b.backward()
    >>> round(a.grad, 4)   # 2a + e^a
    11.3891
    """

    # Two parent slots instead of micrograd's tuple and closure: a node is one small
    # object, so building a graph allocates little and the garbage collector has little
    # to scan (a full collection reads every node of every live graph). ``_x`` is the
    # number of ``x ** number``, set on those nodes only (a slot left empty costs the
    # collector nothing); ``_mark`` is backward's bookkeeping (see ``_toposort``).
    __slots__ = ("data", "grad", "_a", "_b", "_x", "_op", "_mark", "__weakref__")

    def __init__(self, data: Number, _children: Iterable["Value"] = (), _op: str = "",
                 label: str = "") -> None:
        children = tuple(_children)
        if len(children) > 2:
            raise ValueError(f"Value: at most two children, got {len(children)}")
        self.data = data
        self.grad = 0.0
        self._a = children[0] if children else None
        self._b = children[1] if len(children) > 1 else None
        self._x = None
        self._op = _op
        self._mark = None
        if label:
            _labels[self] = label

    @property
    def label(self) -> str:
        """A name for pictures (``draw_dot``); ``""`` when none was given."""
        return _labels.get(self, "")

    @label.setter
    def label(self, name: str) -> None:
        if name:
            _labels[self] = name
        else:
            _labels.pop(self, None)

    @property
    def _prev(self) -> tuple:
        """The parents (micrograd's name)."""
        a, b = self._a, self._b
        return () if a is None else (a,) if b is None else (a, b)

    @property
    def _local(self) -> tuple:
        """The local derivatives d(self)/d(parent), one per parent, at the current data."""
        return _local(self)

    # -- arithmetic: each op's value ----------------------------------------------
    # Every node is made in place (``_new`` and one store per slot) rather than by a
    # helper: a call costs about a fifth of a node (15-20% per op in the micrograd
    # benchmark), and a step makes tens of thousands. The ops below repeat one another on
    # purpose: keep them inlined, do not factor them out.
    def __add__(self, other: Union["Value", Number]) -> "Value":
        if not isinstance(other, Value):
            other = _const(other)
        v = _new(Value)
        v.data = self.data + other.data
        v.grad = 0.0
        v._a = self
        v._b = other
        v._op = "+"
        v._mark = None
        return v

    def __mul__(self, other: Union["Value", Number]) -> "Value":
        if not isinstance(other, Value):
            other = _const(other)
        v = _new(Value)
        x = self.data
        y = other.data
        v.data = x * y
        v.grad = 0.0
        v._a = self
        v._b = other
        v._op = "*"
        v._mark = None
        return v

    def __sub__(self, other: Union["Value", Number]) -> "Value":
        if not isinstance(other, Value):
            other = _const(other)
        v = _new(Value)
        v.data = self.data - other.data
        v.grad = 0.0
        v._a = self
        v._b = other
        v._op = "-"
        v._mark = None
        return v

    def __truediv__(self, other: Union["Value", Number]) -> "Value":
        if not isinstance(other, Value):
            other = _const(other)
        v = _new(Value)
        x = self.data
        y = other.data
        v.data = x / y
        v.grad = 0.0
        v._a = self
        v._b = other
        v._op = "/"
        v._mark = None
        return v

    def __pow__(self, other: Union["Value", Number]) -> "Value":
        x = self.data
        v = _new(Value)
        if isinstance(other, Value):
            v.data = x ** other.data
            v._b = other
            v._op = "**"
        elif isinstance(other, (int, float)):
            v.data = x ** other
            v._b = None
            v._x = other
            v._op = f"**{other}"
        else:
            raise TypeError(f"unsupported operand type(s) for **: 'Value' and '{type(other).__name__}'")
        v.grad = 0.0
        v._a = self
        v._mark = None
        return v

    def __neg__(self) -> "Value":
        return _unary(-self.data, self, "neg")

    def __radd__(self, other: Number) -> "Value":
        return _const(other) + self

    def __rmul__(self, other: Number) -> "Value":
        return _const(other) * self

    def __rsub__(self, other: Number) -> "Value":
        return _const(other) - self

    def __rtruediv__(self, other: Number) -> "Value":
        return _const(other) / self

    def __rpow__(self, other: Number) -> "Value":
        return _const(other) ** self

    # -- functions --------------------------------------------------------------
    def relu(self) -> "Value":
        x = self.data
        v = _new(Value)
        v.data = x if x > 0 else 0.0
        v.grad = 0.0
        v._a = self
        v._b = None
        v._op = "ReLU"
        v._mark = None
        return v

    def tanh(self) -> "Value":
        t = math.tanh(self.data)
        v = _new(Value)
        v.data = t
        v.grad = 0.0
        v._a = self
        v._b = None
        v._op = "tanh"
        v._mark = None
        return v

    def sigmoid(self) -> "Value":
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return _unary(s, self, "sigmoid")

    def exp(self) -> "Value":
        e = math.exp(self.data)
        return _unary(e, self, "exp")

    def log(self) -> "Value":
        x = self.data
        if x <= 0:
            raise ValueError(f"log: expected a positive number, got {x}")
        return _unary(math.log(x), self, "log")

    # -- backward -----------------------------------------------------------------
    def backward(self) -> None:
        """Fill ``.grad`` of every node this one depends on (gradients accumulate)."""
        order = _toposort(self)
        self.grad = 1.0
        for v in reversed(order):
            a = v._a
            if a is None:
                continue
            g = v.grad
            op = v._op
            # the common ops inline (the same products as ``_local``), the rest through it
            if op == "*":
                b = v._b
                a.grad += b.data * g
                b.grad += a.data * g
            elif op == "+":
                a.grad += g
                v._b.grad += g
            elif op == "ReLU":
                a.grad += (1.0 if v.data > 0 else 0.0) * g
            else:
                b = v._b
                local = _local(v)
                a.grad += local[0] * g
                if b is not None:
                    b.grad += local[1] * g

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def _local(v: Value) -> tuple:
    """The local derivatives d(v)/d(parent) of node ``v``, one per parent, from the
    numbers of the node and its parents now (micrograd's closures read them the same
    way). An op this module does not know (a node built by hand) passes nothing on."""
    a, b, op = v._a, v._b, v._op
    if a is None:
        return ()
    if b is None:
        x = a.data
        if op == "ReLU":
            d = 1.0 if v.data > 0 else 0.0
        elif op == "tanh":
            t = v.data
            d = 1.0 - t * t
        elif op == "sigmoid":
            s = v.data
            d = s * (1.0 - s)
        elif op == "exp":
            d = v.data
        elif op == "log":
            d = 1.0 / x
        elif op == "neg":
            d = -1.0
        elif op[:2] == "**" and v._x is not None:   # x ** number
            e = v._x
            d = e * x ** (e - 1)
        else:
            d = 0.0
        return (d,)
    x, y = a.data, b.data
    if op == "*":
        return (y, x)
    if op == "+":
        return (1.0, 1.0)
    if op == "-":
        return (1.0, -1.0)
    if op == "/":
        return (1.0 / y, -x / (y * y))
    if op == "**":
        return (y * x ** (y - 1), v.data * _log(x))
    return (0.0, 0.0)


def _parents(v: Value) -> tuple:
    a = v._a
    return () if a is None else (a,) if v._b is None else (a, v._b)


def _toposort(root: Value) -> list:
    """``engine.toposort((root,), _parents)``, the same algorithm and the same order,
    with the two parent slots read directly and each node's state kept in its
    ``_mark`` slot instead of a dict (``tests/core/test_value.py`` checks that both
    orders agree).

    The states are two objects new to this call, so marks left by an earlier sort
    count as unvisited and need no clearing. Two threads must not sort graphs that
    share inner nodes at the same time: each would take the other's marks for
    unvisited and could place such a node twice (shared leaves are harmless, a leaf
    passes nothing on).
    """
    entered = object()
    placed = object()
    order: list = []
    stack: list = [root]
    push, pop, place = stack.append, stack.pop, order.append
    while stack:
        node = stack[-1]
        s = node._mark
        if s is entered:  # all its parents are placed
            pop()
            node._mark = placed
            place(node)
        elif s is placed:  # a duplicate entry, pushed before the node was reached
            pop()
        else:  # first visit: its parents go on top of it
            node._mark = entered
            a = node._a
            if a is not None:
                s = a._mark
                if s is not entered and s is not placed:
                    push(a)
                b = node._b
                if b is not None:
                    s = b._mark
                    if s is not entered and s is not placed:
                        push(b)
    return order
