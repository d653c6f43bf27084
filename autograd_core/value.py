"""``Value``: a scalar that remembers how it was made (micrograd's API).

Each node stores its parents, and its class names the op that made it (``_Mul`` for
``*``, ``_Add`` for ``+``, ...: a subclass of ``Value`` with nothing of its own). Backward
needs no closures: it walks the graph in topological order and applies the chain rule,
``parent.grad += local * out.grad``, where ``local`` is the op's *local derivative*
d(out)/d(parent), computed from the numbers of the node and its parents (as micrograd's
closures compute it, from the ``data`` of the moment). No closures also means no
reference cycles, so the garbage collector never has to clean up old graphs.

>>> from autograd_core import Value
>>> x, y, z = Value(1.0, label='x'), Value(-3.0, label='y'), Value(4.0, label='z')
>>> f = (x + y) * z
>>> f.backward()
>>> x.grad, y.grad, z.grad
(4.0, 4.0, -2.0)
>>> f._op, type(f).__name__
('*', '_Mul')
"""
from __future__ import annotations

import math
from typing import Iterable, Union


Number = Union[int, float]
_new = object.__new__


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

    # Four slots and nothing else: a node is 64 bytes, the size of the smallest object
    # that holds four references, and the garbage collector, whose full collections read
    # every node of every live graph, reads the fewest bytes (a step of micrograd's demo
    # keeps 65,000 nodes alive). The op is the node's class, the exponent of ``x ** number``
    # its class's too (``_pow_class``), a label sits in ``_labels`` (see ``label``), and
    # backward's bookkeeping in sets of its own (``_toposort``).
    __slots__ = ("data", "grad", "_a", "_b")
    _op = ""        # the op that made the node (a leaf: none); each op's class sets it
    _x = None       # the number of ``x ** number``, on those nodes' classes only
    _labeled = False

    def __init__(self, data: Number, _children: Iterable["Value"] = (), _op: str = "",
                 label: str = "") -> None:
        children = tuple(_children)
        if len(children) > 2:
            raise ValueError(f"Value: at most two children, got {len(children)}")
        self.data = data
        self.grad = 0.0
        self._a = children[0] if children else None
        self._b = children[1] if len(children) > 1 else None
        if _op:
            if type(self) is Value:
                self.__class__ = _op_class(_op)
            else:   # a subclass of the user's own keeps its op in its __dict__
                self._op = _op
        if label:
            self.label = label

    @property
    def label(self) -> str:
        """A name for pictures (``draw_dot``); ``""`` when none was given."""
        return _labels.get(id(self), "") if self._labeled else ""

    @label.setter
    def label(self, name: str) -> None:
        if name:
            if not self._labeled:
                self.__class__ = _labeled_class(type(self))
            _labels[id(self)] = name
        else:
            _labels.pop(id(self), None)

    @property
    def _prev(self) -> tuple:
        """The parents (micrograd's name)."""
        a, b = self._a, self._b
        return () if a is None else (a,) if b is None else (a, b)

    @property
    def _local(self) -> tuple:
        """The local derivatives d(self)/d(parent), one per parent, at the current data."""
        return _local(self)

    def __reduce__(self) -> tuple:
        # the op classes made on the fly (an exponent's, a label's) are not importable:
        # a node is rebuilt from its op's name, numbers, parents and label instead
        cls = type(self).__mro__[1] if self._labeled else type(self)
        own = cls if cls.__module__ != __name__ else None   # a user's subclass
        return (_rebuild, (own, self._op, self._x, self.data, self.grad, self._a, self._b,
                           self.label, getattr(self, "__dict__", None)))

    # -- arithmetic: each op's value ----------------------------------------------
    # Every node is made in place (``_new`` and one store per slot) rather than by a
    # helper: a call costs about a fifth of a node (15-20% per op in the micrograd
    # benchmark), and a step makes tens of thousands. The ops below repeat one another on
    # purpose: keep them inlined, do not factor them out.
    def __add__(self, other: Union["Value", Number]) -> "Value":
        if not isinstance(other, Value):
            other = _const(other)
        v = _new(_Add)
        v.data = self.data + other.data
        v.grad = 0.0
        v._a = self
        v._b = other
        return v

    def __mul__(self, other: Union["Value", Number]) -> "Value":
        if not isinstance(other, Value):
            other = _const(other)
        v = _new(_Mul)
        v.data = self.data * other.data
        v.grad = 0.0
        v._a = self
        v._b = other
        return v

    def __sub__(self, other: Union["Value", Number]) -> "Value":
        if not isinstance(other, Value):
            other = _const(other)
        v = _new(_Sub)
        v.data = self.data - other.data
        v.grad = 0.0
        v._a = self
        v._b = other
        return v

    def __truediv__(self, other: Union["Value", Number]) -> "Value":
        if not isinstance(other, Value):
            other = _const(other)
        v = _new(_Div)
        v.data = self.data / other.data
        v.grad = 0.0
        v._a = self
        v._b = other
        return v

    def __pow__(self, other: Union["Value", Number]) -> "Value":
        if isinstance(other, Value):
            v = _new(_Pow)
            v.data = self.data ** other.data
            v._b = other
        elif isinstance(other, (int, float)):
            v = _new(_pow_class(other))
            v.data = self.data ** other
            v._b = None
        else:
            raise TypeError(f"unsupported operand type(s) for **: 'Value' and '{type(other).__name__}'")
        v.grad = 0.0
        v._a = self
        return v

    def __neg__(self) -> "Value":
        return _unary(_Neg, -self.data, self)

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
        v = _new(_ReLU)
        v.data = x if x > 0 else 0.0
        v.grad = 0.0
        v._a = self
        v._b = None
        return v

    def tanh(self) -> "Value":
        return _unary(_Tanh, math.tanh(self.data), self)

    def sigmoid(self) -> "Value":
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return _unary(_Sigmoid, s, self)

    def exp(self) -> "Value":
        return _unary(_Exp, math.exp(self.data), self)

    def log(self) -> "Value":
        x = self.data
        if x <= 0:
            raise ValueError(f"log: expected a positive number, got {x}")
        return _unary(_Log, math.log(x), self)

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
            op = type(v)
            # the common ops inline (the same products as ``_local``), the rest through it
            if op is _Mul:
                b = v._b
                a.grad += b.data * g
                b.grad += a.data * g
            elif op is _Add:
                a.grad += g
                v._b.grad += g
            elif op is _ReLU:
                a.grad += (1.0 if v.data > 0 else 0.0) * g
            else:
                local = _local(v)
                a.grad += local[0] * g
                if len(local) > 1:
                    v._b.grad += local[1] * g

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


# -- the ops: a class each, whose name is the node's ``_op`` ---------------------------
class _Add(Value):
    __slots__ = ()
    _op = "+"


class _Mul(Value):
    __slots__ = ()
    _op = "*"


class _Sub(Value):
    __slots__ = ()
    _op = "-"


class _Div(Value):
    __slots__ = ()
    _op = "/"


class _Pow(Value):
    """``x ** y`` of two Values."""
    __slots__ = ()
    _op = "**"


class _PowNumber(Value):
    """``x ** number``: a class per number (``_pow_class``), which holds it in ``_x``."""
    __slots__ = ()


class _Neg(Value):
    __slots__ = ()
    _op = "neg"


class _ReLU(Value):
    __slots__ = ()
    _op = "ReLU"


class _Tanh(Value):
    __slots__ = ()
    _op = "tanh"


class _Sigmoid(Value):
    __slots__ = ()
    _op = "sigmoid"


class _Exp(Value):
    __slots__ = ()
    _op = "exp"


class _Log(Value):
    __slots__ = ()
    _op = "log"


# every op by its name, and the classes made for names no op here has (a node built by
# hand, ``Value(data, (a, b), "myop")``: it shows its name and passes no gradient on)
_BUILT_IN = (_Add, _Mul, _Sub, _Div, _Pow, _Neg, _ReLU, _Tanh, _Sigmoid, _Exp, _Log)
_OPS: dict = {c._op: c for c in _BUILT_IN}
_POWERS: dict = {}
_LABELED: dict = {}
# Classes made on the fly are kept for reuse up to this many of a kind; past it the cache
# starts again (the nodes keep their classes alive as long as they need them).
_MAX_CLASSES = 256


def _op_class(op: str) -> type:
    """The class of nodes made by ``op`` (its name)."""
    cls = _OPS.get(op)
    if cls is None:
        if len(_OPS) > _MAX_CLASSES:
            _OPS.clear()
            _OPS.update((c._op, c) for c in _BUILT_IN)
        cls = _OPS[op] = type("_Op", (Value,), {"__slots__": (), "_op": op})
    return cls


def _pow_class(e: Number) -> type:
    """The class of ``x ** e`` nodes for the number ``e`` (2 and 2.0 apart, as their
    names ``**2`` and ``**2.0`` are)."""
    key = (type(e), e)
    cls = _POWERS.get(key)
    if cls is None:
        if len(_POWERS) >= _MAX_CLASSES:
            _POWERS.clear()
        cls = _POWERS[key] = type("_PowNumber", (_PowNumber,),
                                  {"__slots__": (), "_op": f"**{e}", "_x": e})
    return cls


# Labels are for pictures and few nodes have one: a labeled node takes a subclass of its
# op's class (the same four slots) whose finalizer drops the label when the node goes, so
# that an id in ``_labels`` is always a live node's.
_labels: dict = {}


def _drop_label(self: Value, _pop=_labels.pop) -> None:   # bound now: safe at exit too
    _pop(id(self), None)


def _labeled_class(cls: type) -> type:
    labeled = _LABELED.get(cls)
    if labeled is None:
        if len(_LABELED) >= _MAX_CLASSES:
            _LABELED.clear()
        labeled = _LABELED[cls] = type(cls.__name__, (cls,), {
            "__slots__": (), "_labeled": True, "__del__": _drop_label,
            "__module__": cls.__module__, "__qualname__": cls.__qualname__})
    return labeled


def _rebuild(own: type | None, op: str, x: Number | None, data: Number, grad: Number,
             a: Value | None, b: Value | None, label: str, state: dict | None) -> Value:
    """A node again (for pickle and copy): of the user's subclass ``own``, or of the class
    of ``op`` (``x ** x``'s for a number ``x``)."""
    cls = own or (_pow_class(x) if x is not None else _op_class(op) if op else Value)
    v = _new(cls)
    v.data, v.grad, v._a, v._b = data, grad, a, b
    if state:
        v.__dict__.update(state)
    if label:
        v.label = label
    return v


def _const(x: Number) -> Value:
    """A leaf for a plain number used in an expression (as micrograd wraps it)."""
    if not isinstance(x, (int, float)):
        raise TypeError(f"Value: expected a number or a Value, got {type(x).__name__}")
    v = _new(Value)
    v.data = x
    v.grad = 0.0
    v._a = v._b = None
    return v


def _unary(cls: type, data: float, a: Value) -> Value:
    """A node of op class ``cls`` with one parent, ``a``."""
    v = _new(cls)
    v.data = data
    v.grad = 0.0
    v._a = a
    v._b = None
    return v


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
        elif v._x is not None:   # x ** number
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
    with the two parent slots read directly and each node's state in two sets of this
    call (``tests/core/test_value.py`` checks that both orders agree): ``entered`` once
    its parents are pushed, ``placed`` once they all are placed and it is too. A node
    has no slot for it (see ``Value.__slots__``), and sets of their own let two threads
    sort graphs that share nodes at the same time."""
    entered: set = set()
    placed: set = set()
    order: list = []
    stack: list = [root]
    push, pop, place = stack.append, stack.pop, order.append
    enter, put = entered.add, placed.add
    while stack:
        node = stack[-1]
        if node in entered:
            pop()
            if node not in placed:   # all its parents are placed (else a duplicate entry)
                put(node)
                place(node)
        else:  # first visit: its parents go on top of it
            enter(node)
            a = node._a
            if a is not None:
                if a not in entered:
                    push(a)
                b = node._b
                if b is not None and b not in entered:
                    push(b)
    return order
