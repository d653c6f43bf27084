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

from .engine import toposort

Number = Union[int, float]
_new = object.__new__


def _node(data: float, prev: tuple, local: tuple, op: str) -> "Value":
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v._prev = prev
    v._local = local
    v._op = op
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

    __slots__ = ("data", "grad", "_prev", "_local", "_op", "label", "__weakref__")

    def __init__(self, data: Number, _children: Iterable["Value"] = (), _op: str = "",
                 label: str = "") -> None:
        self.data = data
        self.grad = 0.0
        self._prev = tuple(_children)
        self._local = (0.0,) * len(self._prev)
        self._op = _op
        self.label = label

    # -- arithmetic: each op's value and its local derivatives ---------------
    def __add__(self, other: Union["Value", Number]) -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        return _node(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other: Union["Value", Number]) -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        return _node(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __sub__(self, other: Union["Value", Number]) -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        return _node(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __truediv__(self, other: Union["Value", Number]) -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        b = other.data
        return _node(self.data / b, (self, other), (1.0 / b, -self.data / (b * b)), "/")

    def __pow__(self, other: Union["Value", Number]) -> "Value":
        a = self.data
        if isinstance(other, Value):
            out = a ** other.data
            return _node(out, (self, other),
                         (other.data * a ** (other.data - 1), out * _log(a)), "**")
        if not isinstance(other, (int, float)):
            raise TypeError(f"unsupported operand type(s) for **: 'Value' and '{type(other).__name__}'")
        return _node(a ** other, (self,), (other * a ** (other - 1),), f"**{other}")

    def __neg__(self) -> "Value":
        return _node(-self.data, (self,), (-1.0,), "neg")

    def __radd__(self, other: Number) -> "Value":
        return Value(other) + self if not isinstance(other, Value) else other + self

    def __rmul__(self, other: Number) -> "Value":
        return Value(other) * self if not isinstance(other, Value) else other * self

    def __rsub__(self, other: Number) -> "Value":
        return Value(other) - self

    def __rtruediv__(self, other: Number) -> "Value":
        return Value(other) / self

    def __rpow__(self, other: Number) -> "Value":
        return Value(other) ** self

    # -- functions --------------------------------------------------------------
    def relu(self) -> "Value":
        x = self.data
        return _node(x if x > 0 else 0.0, (self,), (1.0 if x > 0 else 0.0,), "ReLU")

    def tanh(self) -> "Value":
        t = math.tanh(self.data)
        return _node(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> "Value":
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return _node(s, (self,), (s * (1.0 - s),), "sigmoid")

    def exp(self) -> "Value":
        e = math.exp(self.data)
        return _node(e, (self,), (e,), "exp")

    def log(self) -> "Value":
        x = self.data
        if x <= 0:
            raise ValueError(f"log: expected a positive number, got {x}")
        return _node(math.log(x), (self,), (1.0 / x,), "log")

    # -- backward -----------------------------------------------------------------
    def backward(self) -> None:
        """Fill ``.grad`` of every node this one depends on (gradients accumulate)."""
        order = toposort((self,), _parents)
        self.grad = 1.0
        for v in reversed(order):
            g = v.grad
            for parent, local in zip(v._prev, v._local):
                parent.grad += local * g

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def _parents(v: Value) -> tuple:
    return v._prev
