"""``Value``: a scalar that remembers how it was made (micrograd's API).

Each op stores its parents and its *local derivatives*, the numbers
d(out)/d(parent), at forward time. Backward then needs no closures: it walks the
graph in topological order and applies the chain rule,
``parent.grad += local * out.grad``. No closures also means no reference cycles,
so the garbage collector never has to clean up old graphs.

>>> from autograd_core import Value
>>> x, y, z = Value(1.0, label='x'), Value(-3.0, label='y'), Value(4.0, label='z')
>>> f = (x + y) * z
>>> f.backward()
>>> x.grad, y.grad, z.grad
(4.0, 4.0, -2.0)
"""
from __future__ import annotations

import math
from typing import Iterable, Union


Number = Union[int, float]
_new = object.__new__


def _node(data: float, a: "Value", da: float, b: "Value | None", db: float, op: str) -> "Value":
    """A result node: its value, its parents and the local derivatives d(out)/d(parent)."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._a = a
    v._da = da
    v._b = b
    v._db = db
    v._op = op
    v.label = ""
    return v


def _const(x: Number) -> "Value":
    """A leaf for a plain number used in an expression (as micrograd wraps it)."""
    if not isinstance(x, (int, float)):
        raise TypeError(f"Value: expected a number or a Value, got {type(x).__name__}")
    v = _new(Value)
    v.data = x
    v.grad = 0.0
    v._a = v._b = None
    v._da = v._db = 0.0
    v._op = ""
    v.label = ""
    return v


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

    # Two parent slots instead of micrograd's tuple and closure: a node is one object,
    # so building a graph allocates little and the garbage collector has little to scan.
    __slots__ = ("data", "grad", "_a", "_da", "_b", "_db", "_op", "label", "__weakref__")

    def __init__(self, data: Number, _children: Iterable["Value"] = (), _op: str = "",
                 label: str = "") -> None:
        children = tuple(_children)
        if len(children) > 2:
            raise ValueError(f"Value: at most two children, got {len(children)}")
        self.data = data
        self.grad = 0.0
        self._a = children[0] if children else None
        self._b = children[1] if len(children) > 1 else None
        self._da = self._db = 0.0
        self._op = _op
        self.label = label

    @property
    def _prev(self) -> tuple:
        """The parents (micrograd's name)."""
        a, b = self._a, self._b
        return () if a is None else (a,) if b is None else (a, b)

    @property
    def _local(self) -> tuple:
        """The local derivatives d(self)/d(parent), one per parent."""
        a, b = self._a, self._b
        return () if a is None else (self._da,) if b is None else (self._da, self._db)

    # -- arithmetic: each op's value and its local derivatives ---------------
    def __add__(self, other: Union["Value", Number]) -> "Value":
        other = other if isinstance(other, Value) else _const(other)
        return _node(self.data + other.data, self, 1.0, other, 1.0, "+")

    def __mul__(self, other: Union["Value", Number]) -> "Value":
        other = other if isinstance(other, Value) else _const(other)
        return _node(self.data * other.data, self, other.data, other, self.data, "*")

    def __sub__(self, other: Union["Value", Number]) -> "Value":
        other = other if isinstance(other, Value) else _const(other)
        return _node(self.data - other.data, self, 1.0, other, -1.0, "-")

    def __truediv__(self, other: Union["Value", Number]) -> "Value":
        other = other if isinstance(other, Value) else _const(other)
        b = other.data
        return _node(self.data / b, self, 1.0 / b, other, -self.data / (b * b), "/")

    def __pow__(self, other: Union["Value", Number]) -> "Value":
        a = self.data
        if isinstance(other, Value):
            out = a ** other.data
            return _node(out, self, other.data * a ** (other.data - 1), other, out * _log(a), "**")
        if not isinstance(other, (int, float)):
            raise TypeError(f"unsupported operand type(s) for **: 'Value' and '{type(other).__name__}'")
        return _node(a ** other, self, other * a ** (other - 1), None, 0.0, f"**{other}")

    def __neg__(self) -> "Value":
        return _node(-self.data, self, -1.0, None, 0.0, "neg")

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
        return _node(x if x > 0 else 0.0, self, 1.0 if x > 0 else 0.0, None, 0.0, "ReLU")

    def tanh(self) -> "Value":
        t = math.tanh(self.data)
        return _node(t, self, 1.0 - t * t, None, 0.0, "tanh")

    def sigmoid(self) -> "Value":
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return _node(s, self, s * (1.0 - s), None, 0.0, "sigmoid")

    def exp(self) -> "Value":
        e = math.exp(self.data)
        return _node(e, self, e, None, 0.0, "exp")

    def log(self) -> "Value":
        x = self.data
        if x <= 0:
            raise ValueError(f"log: expected a positive number, got {x}")
        return _node(math.log(x), self, 1.0 / x, None, 0.0, "log")

    # -- backward -----------------------------------------------------------------
    def backward(self) -> None:
        """Fill ``.grad`` of every node this one depends on (gradients accumulate)."""
        order = _toposort(self)
        self.grad = 1.0
        for v in reversed(order):
            a = v._a
            if a is not None:
                g = v.grad
                a.grad += v._da * g
                b = v._b
                if b is not None:
                    b.grad += v._db * g

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def _parents(v: Value) -> tuple:
    a = v._a
    return () if a is None else (a,) if v._b is None else (a, v._b)


def _toposort(root: Value) -> list:
    """``engine.toposort((root,), _parents)``, the same algorithm with the two parent
    slots read directly: no tuple per node, so a big scalar graph sorts about twice as
    fast (``tests/core/test_value.py`` checks that both orders agree)."""
    order: list = []
    state: dict = {}
    stack: list = [root]
    push, pop, get = stack.append, stack.pop, state.get
    while stack:
        node = stack[-1]
        s = get(node)
        if s is None:
            state[node] = 1
            a = node._a
            if a is not None:
                if a not in state:
                    push(a)
                b = node._b
                if b is not None and b not in state:
                    push(b)
        else:
            pop()
            if s == 1:
                state[node] = 2
                order.append(node)
    return order
