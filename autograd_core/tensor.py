"""``Tensor``: a NumPy array that records the operations made on it.

The class holds only operator sugar and bookkeeping; every differentiable op is a
``Function`` in ``autograd_core/ops/`` with its forward and backward side by side.

>>> import autograd_core as ag
>>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad
tensor([2., 4., 6.])
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from weakref import ref as _weakref

from . import grad_mode
from .function import RemovableHandle, bind_tensor, refresh_view, scalar_type_name, version_counter
from .tensor_more_ops import MoreOps

_new = object.__new__
_SCALARS = (int, float, bool, np.number, np.bool_)

# PyTorch's torch.return_types.max / min
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def make(data: np.ndarray) -> "Tensor":
    """Wrap an array in a Tensor without copying or checks (internal fast path; the same
    slots as ``init_leaf``, written out, as this runs for every op)."""
    t = _new(Tensor)
    t._data = data
    t._ctx = None
    t._requires_grad = False
    t._grad = None
    t._hooks = None
    t._retains_grad = False
    t._label = None
    t._vc = None
    t._view = None
    return t


def init_leaf(t: "Tensor", data: np.ndarray) -> None:
    """Fill the slots of a new leaf tensor (also of subclasses such as nn.Parameter)."""
    t._data = data
    t._ctx = None
    t._requires_grad = False
    t._grad = None
    t._hooks = None
    t._retains_grad = False
    t._label = None
    t._vc = None      # version counter, shared with views (made on demand)
    t._view = None    # for a view: (base, input, op class, op attrs, base version, made in no_grad)


def _is_float(dtype: np.dtype) -> bool:
    return dtype.kind in "fc"


def _pair_dtype(a: np.ndarray, scalar: Any) -> np.dtype:
    """The dtype a Python scalar takes next to array ``a`` (PyTorch's rule)."""
    if isinstance(scalar, (bool, np.bool_)):
        return a.dtype
    if isinstance(scalar, (float, np.floating)) and not _is_float(a.dtype):
        return np.dtype(np.float32)
    if isinstance(scalar, (int, np.integer)) and a.dtype == np.bool_:
        return np.dtype(np.int64)
    return a.dtype


class Tensor(MoreOps):
    """An n-dimensional array that can record the operations made on it.

    Create tensors with ``autograd_core.tensor``, ``zeros``, ``randn`` and friends.

    >>> import autograd_core as ag
    >>> a = ag.tensor([[1.0, 2.0]], requires_grad=True)
    >>> (a @ a.T).item()
    5.0
    """

    __slots__ = ("_data", "_ctx", "_requires_grad", "_grad", "_hooks", "_retains_grad", "_label",
                 "_vc", "_view", "__weakref__")
    __array_ufunc__ = None  # `ndarray + Tensor` calls Tensor.__radd__
    _is_fn = False  # as a node of the graph: a leaf (its grad_fn is the op node)

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        from .creation import to_array
        init_leaf(self, to_array(data, dtype))
        if requires_grad:
            self.requires_grad = True

    # ------------------------------------------------------------------ data
    @property
    def data(self) -> "Tensor":
        """The same numbers, detached from the graph (shares memory). As in PyTorch, changes
        made through it are not seen by autograd's version checks; ``detach()`` is safer."""
        return make(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self):
        """The op that made this tensor (None for leaves)."""
        return self._ctx

    def size(self, dim: int | None = None) -> Any:
        return self._data.shape if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    def element_size(self) -> int:
        return self._data.itemsize

    def numpy(self) -> np.ndarray:
        """The array behind the tensor (shared, not copied)."""
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def item(self) -> Any:
        if self._data.size != 1:
            raise ValueError(f"item(): a Tensor with {self._data.size} elements cannot be "
                             "converted to a Python scalar")
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._data.size} values is ambiguous")
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="tensor(", precision=4)
        extra = ""
        if self._data.dtype not in (np.float32, np.int64, np.bool_):
            extra += f", dtype={self._data.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn=<{self._ctx.name()}>"
        elif self._requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # ---------------------------------------------------------- autograd state
    def _fresh(self) -> "Tensor":
        """This tensor, with its ``grad_fn`` regenerated if it is a view whose base was
        changed in place since."""
        v = self._view
        if v is not None and v[4] != self._vc[0]:
            refresh_view(self)
        return self

    @property
    def requires_grad(self) -> bool:
        return self._fresh()._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._ctx is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        if flag and not _is_float(self._data.dtype):
            raise RuntimeError("only Tensors of floating point dtype can require gradients, "
                               f"got dtype {self._data.dtype}")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self._fresh()._ctx is None

    @property
    def grad_fn(self):
        """The op that made this tensor (None for leaves)."""
        return self._fresh()._ctx

    @property
    def grad(self) -> "Tensor | None":
        """The gradient accumulated by ``backward()`` (leaves, and tensors that called
        ``retain_grad()``)."""
        return self._grad

    @grad.setter
    def grad(self, value: "Tensor | None") -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError("assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size "
                                   f"'{list(value._data.shape)}' to a tensor of size "
                                   f"'{list(self._data.shape)}'. Please ensure that the gradient "
                                   "and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype "
                                   f"'{value._data.dtype}' to a tensor with dtype "
                                   f"'{scalar_type_name(self._data.dtype)}'. The gradient must "
                                   "match the tensor's dtype.")
        self._grad = value

    @property
    def label(self) -> "str | None":
        """A name for pictures of the graph (``draw_graph``, ``explain``)."""
        return self._label

    @label.setter
    def label(self, value: "str | None") -> None:
        self._label = value
        if self._ctx is not None:  # the op node shows it once this tensor is gone
            self._ctx.label = value

    @property
    def _version(self) -> int:
        """How many times this tensor (or its base, or another view of it) was changed in
        place."""
        return 0 if self._vc is None else self._vc[0]

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._ctx is not None:
            self._retains_grad = True
            self._ctx._retain = _weakref(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad and self._ctx is not None

    def detach(self) -> "Tensor":
        """The same numbers, cut from the graph (shares memory and the version counter)."""
        t = make(self._data)
        t._vc = version_counter(self)
        return t

    def detach_(self) -> "Tensor":
        self._ctx = None
        self._requires_grad = False
        self._view = None
        return self

    def register_hook(self, hook: Callable[["Tensor"], "Tensor | None"]) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed.

        The hook may return a new gradient (of the same shape and dtype) to use instead.
        On a tensor that is later changed in place, the hook sees the gradient of the
        value it was registered on, as in PyTorch.

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 10)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([20., 40.])
        >>> h.remove()
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._ctx is not None:
            return self._ctx.register_hook(hook)
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Sequence["Tensor"] | None = None) -> None:
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires grad.

        >>> import autograd_core as ag
        >>> x, y, z = (ag.tensor(v, requires_grad=True) for v in (1.0, -3.0, 4.0))
        >>> f = (x + y) * z
        >>> f.backward()
        >>> x.grad, y.grad, z.grad
        (tensor(4.), tensor(4.), tensor(-2.))
        """
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    # -------------------------------------------------------------- in place
    # An in-place op computes its result with the out-of-place op (recorded when grad mode
    # is on and something requires grad), writes it into this tensor's memory and bumps
    # the version counter; the tensor then takes the op's node as its grad_fn. On a view,
    # the base takes a CopySlices node and the view is replayed from it (ops/inplace.py).
    def _inplace(self, name: str, fn: Callable[["Tensor"], "Tensor"], *others: Any) -> "Tensor":
        # an integer or bool tensor never requires grad, whatever is written into it
        record = grad_mode.STATE.enabled and _is_float(self._data.dtype) and (
            self.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others))
        self._check_writable(name, record)
        if record:
            stand = self._stand_in()
            return self._commit(name, fn(stand), stand._data)
        with grad_mode.no_grad():
            res = fn(self)
        return self._commit(name, res, None)

    def _stand_in(self) -> "Tensor":
        """This tensor for the op of an in-place change to see as its input: the same
        node and memory, but its own array object, so that what the op saves of it can
        be told apart (it becomes PyTorch's ``original_self``, copied before the write)
        from a second use of this tensor (which stays version-checked)."""
        self._fresh()
        t = make(self._data.view())
        t._ctx, t._requires_grad, t._vc = self._ctx, self._requires_grad, version_counter(self)
        return t

    def _check_writable(self, name: str, record: bool) -> None:
        if not self._data.flags.writeable:
            raise RuntimeError(f"{name}: unsupported operation: more than one element of the "
                               "written-to tensor refers to a single memory location. Please "
                               "clone() the tensor before performing the operation.")
        v = self._view
        if grad_mode.STATE.enabled and v is not None and v[5] and v[0]._requires_grad:
            raise RuntimeError(f"{name}: A view was created in no_grad mode and is being modified "
                               "inplace with grad mode enabled. Given that this use case is "
                               "ambiguous and error-prone, it is forbidden. You can clarify your "
                               "code by moving both the view and the inplace either both inside "
                               "the no_grad block (if you don't want the inplace to be tracked) "
                               "or both outside (if you want the inplace to be tracked).")
        if not record:
            return
        if self._ctx is None and self._requires_grad:
            raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        base = None if self._view is None else self._view[0]
        if base is not None and base._ctx is None and base._requires_grad:
            raise RuntimeError(f"{name}: a view of a leaf Variable that requires grad is being "
                               "used in an in-place operation.")

    def _commit(self, name: str, res: "Tensor", original: np.ndarray | None) -> "Tensor":
        """Write ``res`` into this tensor and bump its version; when the change is recorded
        (``original`` is the stand-in's array), take the node that made ``res`` as this
        tensor's history."""
        d, r = self._data, res._data
        record = original is not None
        if r.shape != d.shape:
            raise RuntimeError(f"{name}: output with shape {list(d.shape)} doesn't match the "
                               f"broadcast shape {list(r.shape)}")
        if not can_cast(r.dtype, d.dtype):
            raise RuntimeError(f"{name}: result type {scalar_type_name(r.dtype)} can't be cast "
                               f"to the desired output type {scalar_type_name(d.dtype)}")
        if record:
            keep_original_inputs(res._ctx, original)
        if r is not d and r is not original:
            np.copyto(d, r, casting="unsafe")
        version_counter(self)[0] += 1
        if record:
            rebase(self, res)
        return self

    def copy_(self, src: Any, non_blocking: bool = False) -> "Tensor":
        """Copy ``src`` (broadcast, cast to this dtype) into this tensor."""
        if not isinstance(src, Tensor):
            src = make(np.asarray(src))
        try:
            shape = np.broadcast_shapes(src._data.shape, self._data.shape)
        except ValueError:
            shape = None
        if shape != self._data.shape:
            raise RuntimeError(f"copy_: the size of tensor a ({list(self._data.shape)}) must "
                               f"match the size of tensor b ({list(src._data.shape)})")
        return self._inplace("copy_", lambda s: IP.Copy.apply(s, src), src)

    def zero_(self) -> "Tensor":
        return self.fill_(0)

    def fill_(self, value: Any) -> "Tensor":
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                                   f"with {value.ndim} dimensions.")
            return self._inplace("fill_", lambda s: IP.Fill.apply(s, value.to(s.dtype)), value)
        return self._inplace("fill_", lambda s: IP.Fill.apply(s, value=value))

    def _draw_(self, name: str, draw: Callable[[Any], np.ndarray], generator: Any) -> "Tensor":
        from .random import rng
        values = draw(rng(generator))
        return self._inplace(name, lambda s: IP.Fill.apply(s, array=values))

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> "Tensor":
        return self._draw_("uniform_", lambda g: g.uniform(a, b, self._data.shape), generator)

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> "Tensor":
        return self._draw_("normal_", lambda g: g.normal(mean, std, self._data.shape), generator)

    def add_(self, other: Any, alpha: float = 1) -> "Tensor":
        return self._inplace("add_", lambda s: s + (other * alpha if alpha != 1 else other), other)

    def sub_(self, other: Any, alpha: float = 1) -> "Tensor":
        return self._inplace("sub_", lambda s: s - (other * alpha if alpha != 1 else other), other)

    def mul_(self, other: Any) -> "Tensor":
        return self._inplace("mul_", lambda s: s * other, other)

    def div_(self, other: Any) -> "Tensor":
        return self._inplace("div_", lambda s: s / other, other)

    def pow_(self, exponent: Any) -> "Tensor":
        return self._inplace("pow_", lambda s: s ** exponent, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":
        return self._inplace("clamp_", lambda s: s.clamp(min, max), min, max)

    clip_ = clamp_

    def __setitem__(self, index: Any, value: Any) -> None:
        idx = _index(index)
        v = value if isinstance(value, Tensor) else None
        record = grad_mode.STATE.enabled and _is_float(self._data.dtype) and (
            self.requires_grad or (v is not None and v.requires_grad))
        self._check_writable("__setitem__", record)
        if not record:
            try:
                self._data[idx] = value._data if v is not None else value
            except ValueError as e:
                raise RuntimeError(f"__setitem__: {e}") from None
            version_counter(self)[0] += 1
            return
        if v is None:
            v = make(np.asarray(value, dtype=self._data.dtype))
        stand = self._stand_in()
        try:
            res = IP.IndexPut.apply(stand, v, index=idx, inplace=True)
        except ValueError as e:
            raise RuntimeError(f"__setitem__: {e}") from None
        self._commit("__setitem__", res, stand._data)

    def __iadd__(self, other: Any) -> "Tensor":
        return self.add_(other)

    def __isub__(self, other: Any) -> "Tensor":
        return self.sub_(other)

    def __imul__(self, other: Any) -> "Tensor":
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> "Tensor":
        return self.div_(other)

    def __ipow__(self, other: Any) -> "Tensor":
        return self.pow_(other)

    # ---------------------------------------------------------------- dtypes
    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """Cast: ``to(dtype)``, ``to(device, dtype)``, ``to(other)`` (to other's dtype); a
        device such as ``'cpu'`` is accepted and ignored.

        A cast to an integer or bool dtype is not differentiable: its result does not
        require grad, as in PyTorch."""
        dtype = kwargs.get("dtype")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif not (a is None or isinstance(a, bool) or
                      (isinstance(a, str) and a.startswith("cpu"))):  # not non_blocking, a device
                dtype = a
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype == self._data.dtype:
            return self
        if not _is_float(dtype):
            return make(self._data.astype(dtype))
        return E.Cast.apply(self, dtype=dtype)

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def float(self) -> "Tensor":
        return self.to(np.float32)

    def double(self) -> "Tensor":
        return self.to(np.float64)

    def half(self) -> "Tensor":
        return self.to(np.float16)

    def long(self) -> "Tensor":
        return self.to(np.int64)

    def int(self) -> "Tensor":
        return self.to(np.int32)

    def bool(self) -> "Tensor":
        return self.to(np.bool_)

    def cpu(self) -> "Tensor":
        return self

    def clone(self) -> "Tensor":
        """A copy that does not share memory (differentiable)."""
        return E.Clone.apply(self)

    def contiguous(self) -> "Tensor":
        """This tensor if it is C-contiguous, else a C-contiguous copy."""
        if self._data.flags.c_contiguous:
            return self
        return E.Clone.apply(self)

    # ------------------------------------------------------------ arithmetic
    def _other(self, other: Any, op: str) -> "Tensor":
        if isinstance(other, Tensor):
            return other
        if isinstance(other, _SCALARS):
            return make(np.asarray(other, dtype=_pair_dtype(self._data, other)))
        if isinstance(other, np.ndarray):
            return make(other)
        raise TypeError(f"unsupported operand type(s) for {op}: 'Tensor' and "
                        f"'{type(other).__name__}'")

    def _binary(self, other: Any, Op: type, op: str) -> "Tensor":
        if type(other) is Tensor and other._data.dtype == self._data.dtype:  # the common case
            return Op.apply(self, other)
        o = self._other(other, op)
        a = self
        da, do = a._data.dtype, o._data.dtype
        if da != do and _is_float(da) != _is_float(do):
            # int with float: the int side takes the float's dtype (PyTorch's rule);
            # integer tensors never require grad, so a plain cast is enough
            if _is_float(da):
                o = make(o._data.astype(da))
            else:
                a = make(a._data.astype(do))
        return Op.apply(a, o)

    def _rbinary(self, other: Any, Op: type, op: str) -> "Tensor":
        return self._other(other, op)._binary(self, Op, op)

    def __add__(self, other: Any) -> "Tensor":
        return self._binary(other, E.Add, "+")

    def __radd__(self, other: Any) -> "Tensor":
        return self._rbinary(other, E.Add, "+")

    def __sub__(self, other: Any) -> "Tensor":
        return self._binary(other, E.Sub, "-")

    def __rsub__(self, other: Any) -> "Tensor":
        return self._rbinary(other, E.Sub, "-")

    def __mul__(self, other: Any) -> "Tensor":
        return self._binary(other, E.Mul, "*")

    def __rmul__(self, other: Any) -> "Tensor":
        return self._rbinary(other, E.Mul, "*")

    def __truediv__(self, other: Any) -> "Tensor":
        a = self if _is_float(self._data.dtype) or isinstance(other, float) or (
            isinstance(other, Tensor) and _is_float(other._data.dtype)) else self.float()
        return a._binary(other, E.Div, "/")

    def __rtruediv__(self, other: Any) -> "Tensor":
        return self._other(other, "/").__truediv__(self)

    def __pow__(self, other: Any) -> "Tensor":
        return self._binary(other, E.Pow, "**")

    def __rpow__(self, other: Any) -> "Tensor":
        return self._rbinary(other, E.Pow, "**")

    def __matmul__(self, other: Any) -> "Tensor":
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return self._other(other, "@").matmul(self)

    def __neg__(self) -> "Tensor":
        return E.Neg.apply(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return E.Abs.apply(self)

    def __floordiv__(self, other: Any) -> "Tensor":
        return make(self._data // self._other(other, "//")._data)

    def __mod__(self, other: Any) -> "Tensor":
        return make(self._data % self._other(other, "%")._data)

    add = __add__
    sub = __sub__
    mul = __mul__
    div = __truediv__
    pow = __pow__
    neg = __neg__

    # comparisons: bool tensors, no gradient
    def _compare(self, other: Any, fn: Callable, op: str) -> "Tensor":
        o = self._other(other, op)._data
        try:
            return make(np.asarray(fn(self._data, o)))
        except ValueError:
            raise ValueError(f"{op}: shapes {self.shape} and {o.shape} cannot be broadcast "
                             "together") from None

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.equal, "==")

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.not_equal, "!=")

    def __lt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less, "<")

    def __le__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less_equal, "<=")

    def __gt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater, ">")

    def __ge__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater_equal, ">=")

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __and__(self, other: Any) -> "Tensor":
        return self._compare(other, np.logical_and if self.dtype == np.bool_ else np.bitwise_and, "&")

    def __or__(self, other: Any) -> "Tensor":
        return self._compare(other, np.logical_or if self.dtype == np.bool_ else np.bitwise_or, "|")

    def __invert__(self) -> "Tensor":
        return make(~self._data)

    def logical_not(self) -> "Tensor":
        return make(np.logical_not(self._data))

    def all(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        return make(np.asarray(self._data.all(axis=dim, keepdims=keepdim)))

    def any(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        return make(np.asarray(self._data.any(axis=dim, keepdims=keepdim)))

    def isnan(self) -> "Tensor":
        return make(np.isnan(self._data))

    def isfinite(self) -> "Tensor":
        return make(np.isfinite(self._data))

    def sign(self) -> "Tensor":
        """-1, 0 or 1 by the sign of each element (zero gradient, as PyTorch's).

        >>> import autograd_core as ag
        >>> ag.tensor([-2.0, 0.0, 3.0]).sign()
        tensor([-1.,  0.,  1.])
        """
        from .ops.rounding import Sign
        return Sign.apply(self)

    def allclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
        return bool(np.allclose(self._data, np.asarray(other), rtol=rtol, atol=atol))

    def equal(self, other: "Tensor") -> bool:
        return self.shape == other.shape and bool((self._data == other._data).all())

    # ------------------------------------------------------------ elementwise
    def _floating(self) -> "Tensor":
        """Integer and bool tensors as the default float dtype, as PyTorch's float ops take
        them (``tensor([1, 2]).exp()`` is float32); float tensors as they are."""
        if self._data.dtype.kind == "f":
            return self
        from .creation import get_default_dtype  # creation imports this module
        return make(self._data.astype(get_default_dtype()))

    def exp(self) -> "Tensor":
        return E.Exp.apply(self._floating())

    def log(self) -> "Tensor":
        return E.Log.apply(self._floating())

    def sqrt(self) -> "Tensor":
        return E.Sqrt.apply(self._floating())

    def rsqrt(self) -> "Tensor":
        return 1 / self.sqrt()

    def sin(self) -> "Tensor":
        return E.Sin.apply(self._floating())

    def cos(self) -> "Tensor":
        return E.Cos.apply(self._floating())

    def tanh(self) -> "Tensor":
        return E.Tanh.apply(self._floating())

    def sigmoid(self) -> "Tensor":
        return E.Sigmoid.apply(self._floating())

    def relu(self) -> "Tensor":
        return E.Relu.apply(self)

    def abs(self) -> "Tensor":
        return E.Abs.apply(self)

    def square(self) -> "Tensor":
        return self * self

    def log1p(self) -> "Tensor":
        """``log(1 + x)``, exact for tiny ``x`` (where ``(x + 1).log()`` loses every digit).

        >>> import autograd_core as ag
        >>> ag.tensor([1e-10], dtype=ag.float64).log1p().tolist()   # (x + 1).log(): 1.00000008e-10
        [9.999999999500001e-11]
        """
        from .ops.special import Log1p
        return Log1p.apply(self._floating())

    def clamp(self, min: float | None = None, max: float | None = None) -> "Tensor":
        if min is None and max is None:
            raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
        return E.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def maximum(self, other: Any) -> "Tensor":
        return self._binary(other, E.Maximum, "maximum")

    def minimum(self, other: Any) -> "Tensor":
        return self._binary(other, E.Minimum, "minimum")

    # ------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool | None = None, dtype: Any = None) -> "Tensor":
        dim, keepdim = _dims(self, dim, axis, keepdim, keepdims)
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype == np.bool_:
            x = x.long()
        return R.Sum.apply(x, dim=dim, keepdim=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
             keepdims: bool | None = None, dtype: Any = None) -> "Tensor":
        dim, keepdim = _dims(self, dim, axis, keepdim, keepdims)
        x = self if dtype is None else self.to(dtype)
        if not _is_float(x._data.dtype):
            raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be "
                               f"floating point, got {x._data.dtype}")
        return x.sum(dim, keepdim) / _count(x._data.shape, dim)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None, axis: Any = None,
            keepdims: bool | None = None) -> "Tensor":
        """Variance; unbiased (``correction=1``) by default, as PyTorch."""
        if isinstance(dim, bool):  # x.var(False): the `unbiased` overload
            dim, unbiased = None, dim
        dim, keepdim = _dims(self, dim, axis, keepdim, keepdims)
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        if not _is_float(self._data.dtype):
            raise RuntimeError("std and var only support floating point and complex dtypes")
        divisor = max(_count(self._data.shape, dim) - correction, 0)
        return R.Var.apply(self, dim=dim, keepdim=keepdim, divisor=divisor)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None, axis: Any = None,
            keepdims: bool | None = None) -> "Tensor":
        """Standard deviation; unbiased (``correction=1``) by default, as PyTorch. Where it
        is 0 (a constant input) its gradient is 0, as PyTorch's (not sqrt's inf times 0)."""
        v = self.var(dim, unbiased, keepdim, correction=correction, axis=axis,
                     keepdims=keepdims)
        zero = v._data == 0
        if not zero.any():
            return v.sqrt()
        one, zeros = make(np.ones((), v._data.dtype)), make(np.zeros((), v._data.dtype))
        return where(zero, zeros, where(zero, one, v).sqrt())

    def prod(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        if dim is not None:
            dim = _check_dim(self, dim, "prod")
        return R.Prod.apply(self, dim=dim, keepdim=keepdim)

    def _extreme(self, dim: Any, keepdim: bool, largest: bool, name: str) -> Any:
        if dim is None:
            return R.MaxAll.apply(self, largest=largest)
        if isinstance(dim, Tensor):  # torch.max(a, b): elementwise
            return self.maximum(dim) if largest else self.minimum(dim)
        dim = _check_dim(self, dim, name)
        idx = (np.argmax if largest else np.argmin)(self._data, axis=dim, keepdims=True)
        values = I.Gather.apply(self, dim=dim, index=idx)
        if not keepdim:
            values = values.squeeze(dim)
            idx = np.squeeze(idx, axis=dim)
        return ValuesIndices(values, make(idx.astype(np.int64)))

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The largest element, or with ``dim`` a named tuple ``(values, indices)``."""
        return self._extreme(dim, keepdim, True, "max")

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._extreme(dim, keepdim, False, "min")

    def amax(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        """The largest elements over ``dim`` (an int, a tuple, or None for all); ties share
        the gradient evenly, as PyTorch's."""
        dim, keepdim = _dims(self, dim, None, keepdim, None)
        return R.Amax.apply(self, dim=dim, keepdim=keepdim, largest=True)

    def amin(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        """The smallest elements over ``dim``; ties share the gradient evenly."""
        dim, keepdim = _dims(self, dim, None, keepdim, None)
        return R.Amax.apply(self, dim=dim, keepdim=keepdim, largest=False)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        if dim is None:
            return make(np.asarray(np.argmax(self._data), dtype=np.int64))
        dim = _check_dim(self, dim, "argmax")
        return make(np.argmax(self._data, axis=dim, keepdims=keepdim).astype(np.int64))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        if dim is None:
            return make(np.asarray(np.argmin(self._data), dtype=np.int64))
        dim = _check_dim(self, dim, "argmin")
        return make(np.argmin(self._data, axis=dim, keepdims=keepdim).astype(np.int64))

    def logsumexp(self, dim: Any, keepdim: bool = False) -> "Tensor":
        """``log(sum(exp(x)))`` along ``dim``, without overflow."""
        dim = _check_dim(self, dim, "logsumexp")
        m = np.max(self._data, axis=dim, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = (self - make(m)).exp().sum(dim, keepdim=True).log() + make(m)
        return out if keepdim else out.squeeze(dim)

    def softmax(self, dim: int) -> "Tensor":
        return R.Softmax.apply(self, dim=_check_dim(self, dim, "softmax"))

    def log_softmax(self, dim: int) -> "Tensor":
        return R.LogSoftmax.apply(self, dim=_check_dim(self, dim, "log_softmax"))

    def sum_to_size(self, *size: Any) -> "Tensor":
        """Sum broadcast dimensions away so that the result has shape ``size``."""
        shape = _size(size)
        if shape == self._data.shape:
            return self
        try:
            if np.broadcast_shapes(shape, self._data.shape) != self._data.shape:
                raise ValueError
        except ValueError:
            raise ValueError(f"sum_to_size: size {shape} is not expandable to {self.shape}") from None
        return R.SumToSize.apply(self, shape=shape)

    # ----------------------------------------------------------------- matmul
    def matmul(self, other: Any) -> "Tensor":
        """Matrix product with NumPy/PyTorch semantics for 1-D, 2-D and batched operands."""
        o = self._other(other, "@")
        a = self
        if a.ndim == 0 or o.ndim == 0:
            raise ValueError(f"matmul: both arguments need at least 1 dimension, got shapes "
                             f"{a.shape} and {o.shape}")
        if a._data.dtype != o._data.dtype:
            dt = np.result_type(a._data.dtype, o._data.dtype)
            a, o = a.to(dt), o.to(dt)
        k_b = o.shape[-2] if o.ndim > 1 else o.shape[0]
        if a.shape[-1] != k_b:
            raise ValueError(f"matmul: shapes {self.shape} and {o.shape} cannot be multiplied "
                             f"({a.shape[-1]} != {k_b})")
        squeeze = []
        if a.ndim == 1:
            a = a.unsqueeze(0)
            squeeze.append(-2)
        if o.ndim == 1:
            o = o.unsqueeze(-1)
            squeeze.append(-1)
        out = M.MatMul.apply(a, o)
        for d in sorted(squeeze):  # -2 first, then -1
            out = out.squeeze(d)
        return out

    def dot(self, other: "Tensor") -> "Tensor":
        if self.ndim != 1 or other.ndim != 1:
            raise ValueError(f"dot: expected 1-D tensors, got shapes {self.shape} and {other.shape}")
        return self.matmul(other)

    mm = matmul
    bmm = matmul

    # ----------------------------------------------------------------- shape
    def reshape(self, *shape: Any) -> "Tensor":
        shape = _size(shape)
        if shape == self._data.shape:
            return self
        return S.Reshape.apply(self, shape=shape)

    view = reshape

    def view_as(self, other: "Tensor") -> "Tensor":
        return self.reshape(other.shape)

    def reshape_as(self, other: "Tensor") -> "Tensor":
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        if self.ndim == 0:
            return self.reshape(1)
        s = _check_dim(self, start_dim, "flatten")
        e = _check_dim(self, end_dim, "flatten")
        shape = self.shape[:s] + (-1,) + self.shape[e + 1:]
        return self.reshape(shape)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> "Tensor":
        d = _check_dim(self, dim, "unflatten")
        return self.reshape(self.shape[:d] + tuple(sizes) + self.shape[d + 1:])

    def permute(self, *dims: Any) -> "Tensor":
        dims = _size(dims)
        if sorted(d % max(self.ndim, 1) for d in dims) != list(range(self.ndim)):
            raise ValueError(f"permute: dims {dims} are not a permutation of the {self.ndim} "
                             f"dims of shape {self.shape}")
        dims = tuple(d % self.ndim for d in dims)
        return S.Permute.apply(self, dims=dims)

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        if self.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
            return self
        d0, d1 = _check_dim(self, dim0, "transpose"), _check_dim(self, dim1, "transpose")
        dims = list(range(self.ndim))
        dims[d0], dims[d1] = dims[d1], dims[d0]
        return S.Permute.apply(self, dims=tuple(dims))

    swapaxes = transpose

    def t(self) -> "Tensor":
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self.transpose(0, 1) if self.ndim == 2 else self

    @property
    def T(self) -> "Tensor":
        return self.permute(*range(self.ndim - 1, -1, -1)) if self.ndim > 1 else self

    @property
    def mT(self) -> "Tensor":
        return self.transpose(-2, -1)

    def squeeze(self, dim: Any = None) -> "Tensor":
        if dim is None:
            return self.reshape(tuple(s for s in self.shape if s != 1))
        dims = dim if isinstance(dim, tuple) else (dim,)
        dims = {_check_dim(self, d, "squeeze") for d in dims}
        return self.reshape(tuple(s for i, s in enumerate(self.shape) if not (i in dims and s == 1)))

    def unsqueeze(self, dim: int) -> "Tensor":
        n = self.ndim + 1
        if not -n <= dim < n:
            raise IndexError(f"unsqueeze: dim {dim} out of range for a tensor with {self.ndim} dims")
        d = dim % n
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def expand(self, *sizes: Any) -> "Tensor":
        sizes = _size(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise ValueError(f"expand: the number of sizes ({len(sizes)}) must be at least the "
                             f"number of dims of shape {self.shape}")
        shape = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        if shape == self.shape:
            return self
        try:
            np.broadcast_shapes(self.shape, shape)
            if any(a != 1 and a != b for a, b in zip(self.shape, shape[lead:])):
                raise ValueError
        except ValueError:
            raise ValueError(f"expand: shape {self.shape} cannot be expanded to {shape}") from None
        return S.Expand.apply(self, shape=shape)

    def expand_as(self, other: "Tensor") -> "Tensor":
        return self.expand(other.shape)

    broadcast_to = expand

    def repeat(self, *sizes: Any) -> "Tensor":
        sizes = _size(sizes)
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self.shape)
        # expand an inserted axis before each dim, then merge
        inter = []
        for r, s in zip(sizes, x.shape):
            inter += [r, s]
        y = x.reshape(tuple(v for s in x.shape for v in (1, s))).expand(inter)
        return y.reshape(tuple(r * s for r, s in zip(sizes, x.shape)))

    def narrow(self, dim: int, start: int, length: int) -> "Tensor":
        d = _check_dim(self, dim, "narrow")
        index = (slice(None),) * d + (slice(start, start + length),)
        return self[index]

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple:
        d = _check_dim(self, dim, "split")
        n = self.shape[d]
        if isinstance(split_size_or_sections, int):
            step = split_size_or_sections
            sizes = [min(step, n - s) for s in range(0, n, step)] or [0]
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != n:
                raise ValueError(f"split: sizes {sizes} don't add up to dim {d}'s size {n}")
        out, start = [], 0
        for s in sizes:
            out.append(self.narrow(d, start, s))
            start += s
        return tuple(out)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        n = self.shape[_check_dim(self, dim, "chunk")]
        return self.split(max(-(-n // chunks), 1), dim)

    def unbind(self, dim: int = 0) -> tuple:
        d = _check_dim(self, dim, "unbind")
        return tuple(self.select(d, i) for i in range(self.shape[d]))

    def select(self, dim: int, index: int) -> "Tensor":
        d = _check_dim(self, dim, "select")
        return self[(slice(None),) * d + (index,)]

    def __getitem__(self, index: Any) -> "Tensor":
        return I.Index.apply(self, index=_index(index))

    def gather(self, dim: int, index: "Tensor") -> "Tensor":
        d = _check_dim(self, dim, "gather")
        idx = index._data if isinstance(index, Tensor) else np.asarray(index)
        if idx.ndim != self.ndim:
            raise ValueError(f"gather: index has {idx.ndim} dims but input has {self.ndim}")
        n = self._data.shape[d] if self.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):  # no negative indices, as PyTorch
            bad = idx[(idx < 0) | (idx >= n)].flat[0]
            raise RuntimeError(f"gather: index {bad} is out of bounds for dimension {d} with "
                               f"size {n} (expected 0 <= index < {n})")
        return I.Gather.apply(self, dim=d, index=idx)

    def masked_fill(self, mask: Any, value: float) -> "Tensor":
        m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
        return where(m, make(np.asarray(value, dtype=self.dtype)), self)


bind_tensor(Tensor, make)


def _inplace_method(name: str) -> Callable:
    op = getattr(Tensor, name)

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return self._inplace(name + "_", lambda s: op(s, *args, **kwargs), *args,
                             *kwargs.values())

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = (f"``x.{name}_(...)`` writes ``x.{name}(...)`` into ``x`` (in place, "
                      "recorded in the graph as PyTorch does).")
    return method


# the in-place twins of out-of-place methods (the others are written out above)
for _name in ("relu", "sigmoid", "tanh", "exp", "log", "sqrt", "rsqrt", "neg", "abs", "sin", "cos",
              "clamp_min", "clamp_max", "sign", "floor", "ceil", "round", "trunc", "frac",
              "reciprocal", "log1p", "expm1", "log2", "log10", "exp2", "square", "addcmul",
              "addcdiv", "lerp", "hypot", "atan2", "index_fill", "index_add", "scatter",
              "scatter_add", "tril", "triu", "nan_to_num", "logaddexp"):
    if hasattr(Tensor, _name) and not hasattr(Tensor, _name + "_"):
        setattr(Tensor, _name + "_", _inplace_method(_name))
del _name


# ----------------------------------------------------------------- helpers
def _leaf(data: np.ndarray, requires_grad: bool) -> "Tensor":
    t = make(data)
    if requires_grad:
        t.requires_grad = True
    return t


def _size(args: tuple) -> tuple:
    """Sizes given as varargs or as one sequence, as PyTorch accepts both."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    elif len(args) == 1 and isinstance(args[0], Tensor):
        args = tuple(args[0].tolist())
    return tuple(int(a) for a in args)


def _check_dim(t: Tensor, dim: Any, op: str) -> int:
    n = max(t.ndim, 1)
    if not isinstance(dim, (int, np.integer)) or not -n <= dim < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor of shape {t.shape} "
                         f"(expected to be in [{-n}, {n - 1}])")
    return int(dim) % n


def _dims(t: Tensor, dim: Any, axis: Any, keepdim: bool, keepdims: bool | None) -> tuple:
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return None, keepdim
    if isinstance(dim, (list, tuple)):
        dims = tuple(_check_dim(t, d, "reduce") for d in dim)
        return (dims if dims else None), keepdim
    return (_check_dim(t, dim, "reduce") if t.ndim else None), keepdim


def _count(shape: tuple, dim: Any) -> int:
    if dim is None:
        return int(np.prod(shape))
    dims = dim if isinstance(dim, tuple) else (dim,)
    return int(np.prod([shape[d] for d in dims]))


def _index(index: Any) -> Any:
    """Tensors and lists inside an index become arrays; the rest stays."""
    if isinstance(index, tuple):
        return tuple(_index_item(i) for i in index)
    return _index_item(index)


def _index_item(i: Any) -> Any:
    if isinstance(i, Tensor):
        return i._data
    if isinstance(i, list):
        return np.asarray(i)
    return i


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """Pick from ``input`` where ``condition`` holds, else from ``other`` (differentiable in both).

    >>> import autograd_core as ag
    >>> x = ag.tensor([-1.0, 2.0])
    >>> ag.where(x > 0, x, ag.zeros(2))
    tensor([0., 2.])
    """
    c = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if c.dtype != np.bool_:
        raise TypeError(f"where: expected a bool condition, got dtype {c.dtype}")
    a = input if isinstance(input, Tensor) else None
    b = other if isinstance(other, Tensor) else None
    if a is None and b is None:
        a = make(np.asarray(input, dtype=np.float32))
    if a is None:
        a = b._other(input, "where")
    if b is None:
        b = a._other(other, "where")
    if a.dtype != b.dtype:
        dt = np.result_type(a._data.dtype, b._data.dtype)
        a, b = a.to(dt), b.to(dt)
    return E.Where.apply(a, b, condition=c)


from .ops import elementwise as E  # noqa: E402
from .ops import inplace as IP  # noqa: E402
from .ops.inplace import can_cast, keep_original_inputs, rebase  # noqa: E402
from .ops import index as I  # noqa: E402
from .ops import matmul as M  # noqa: E402
from .ops import reduce as R  # noqa: E402
from .ops import shape as S  # noqa: E402
from .ops import scan as SC  # noqa: E402
from .ops import scatter as SCT  # noqa: E402
from .ops import norm as N  # noqa: E402
from . import autograd as _autograd  # noqa: E402
