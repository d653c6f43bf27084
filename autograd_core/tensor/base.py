"""The ``Tensor`` type: a NumPy array that records the operations made on it.

This module holds what every tensor is (its array, dtype and shape, its place in the
graph: ``grad_fn``, ``requires_grad``, ``.grad``, hooks, version counter and view
of a base) and its conversions; the methods, grouped by concept, come from the mixins
of this package (pointwise, reduce, movement, index, linalg, in place, creation,
random). Every differentiable op is a ``Function`` in ``autograd_core/ops/``.

Here the Tensor type is bound to the graph machinery below it (``bind_tensor``): the
one place where the layers below learn the class they make.

The class holds only operator sugar and bookkeeping; every differentiable op is a
``Function`` in ``autograd_core/ops/`` with its forward and backward side by side.

Longer than 600 lines on purpose: one concept (the Tensor class itself, its state, graph
bookkeeping and conversions; its op methods are already in the mixins), kept in one place.

>>> import autograd_core as ag
>>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad
tensor([2., 4., 6.])
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence
from weakref import ref as _weakref

import numpy as np

from .. import autograd
from ..device import CPU, device
from ..device import check as check_device
from ..autograd.function import (RemovableHandle, bind_tensor, refresh_view, scalar_type_name,
                                 torch_type_name, version_counter)
from ..ops import pointwise as P
from .args import _check_dim, _is_float, add_numpy_names
from .bins import BinsMixin
from .creation import CreationMixin
from .dtypes import _dtype, bfloat16, get_default_dtype
from .layout import strided
from .legacy import empty_array, is_size, legacy_array, legacy_dtype, legacy_type
from .index import IndexMixin
from .inplace import InPlaceMixin
from .linalg import LinalgMixin
from .movement import MovementMixin
from .pointwise import PointwiseMixin
from .random import RandomMixin
from .reduce import ReduceMixin
from .printing import array_text
from .size import Size, shape_of
from .statistics import StatisticsMixin

_tuple_new = tuple.__new__
_FLOAT32, _FLOAT64, _FLOAT16, _INT64 = (np.dtype(t) for t in (np.float32, np.float64, np.float16,
                                                          np.int64))

_new = object.__new__


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

class Tensor(PointwiseMixin, ReduceMixin, MovementMixin, IndexMixin, LinalgMixin, InPlaceMixin,
             CreationMixin, RandomMixin, BinsMixin, StatisticsMixin):
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

    def __init__(self, *args: Any, dtype: Any = None, requires_grad: bool = False,
                 device: Any = None) -> None:
        """PyTorch's legacy constructor: ``Tensor(2, 3)`` an uninitialised tensor of that
        shape, ``Tensor([1, 2])`` one of that data, both of the default float dtype (or
        ``dtype``); ``Tensor(t)`` a tensor sharing ``t``'s memory. ``tensor(data)`` is the
        constructor that infers the dtype.

        >>> import autograd_core as ag
        >>> ag.Tensor(2, 3).shape, ag.Tensor([1, 2]), ag.Tensor()
        ((2, 3), tensor([1., 2.]), tensor([]))
        """
        check_device(device)
        dt = get_default_dtype() if dtype is None else _dtype(dtype)
        if len(args) == 1 and isinstance(args[0], Tensor):
            arr = args[0]._data if dtype is None else args[0]._data.astype(dt, copy=False)
        elif not args or is_size(args):
            arr = empty_array(args, dt, "Tensor")
        elif len(args) > 1:
            raise TypeError(f"Tensor(): expected sizes (ints) or one sequence of data, got "
                            f"{len(args)} arguments")
        else:
            arr = legacy_array(args[0], dt)
        init_leaf(self, arr)
        if requires_grad:
            self.requires_grad = True

    def new(self, *args: Any, device: Any = None) -> "Tensor":
        """PyTorch's legacy ``x.new(...)``: the legacy constructor of this tensor's dtype
        (``x.new(2, 3)`` uninitialised (zero), ``x.new(data)``, ``x.new()`` empty).

        >>> import autograd_core as ag
        >>> ag.zeros(1, dtype=ag.float64).new(2, 3).dtype, ag.tensor([1]).new([2.7])
        (dtype('float64'), tensor([2]))
        """
        kind = legacy_type(self._data.dtype)
        if kind is not None:
            return kind(*args, device=device)
        return Tensor(*args, dtype=self._data.dtype, device=device)

    @staticmethod
    def _make_subclass(cls: type, data: Any, require_grad: bool = False) -> "Tensor":
        """A new leaf of the Tensor subclass ``cls`` holding ``data`` (a Tensor or a NumPy
        array) without a copy, as PyTorch's ``torch.Tensor._make_subclass``: the way a
        subclass such as ``nn.Parameter`` makes its instances in ``__new__``. The leaf
        shares ``data``'s memory but nothing of its graph, grad or version counter.

        >>> import numpy as np, autograd_core as ag
        >>> class Weight(ag.Tensor):
        ...     __slots__ = ()
        ...     def __new__(cls, data):
        ...         return ag.Tensor._make_subclass(cls, data, True)
        ...     def __init__(self, data):  # __new__ did the work
        ...         pass
        >>> base = ag.zeros(2)
        >>> w = Weight(base)
        >>> type(w).__name__, w.requires_grad, np.shares_memory(w.detach().numpy(), base.numpy())
        ('Weight', True, True)
        """
        if not (isinstance(cls, type) and issubclass(cls, Tensor)):
            raise TypeError(f"_make_subclass: cls must be a subclass of Tensor, got {cls!r}")
        arr = data._data if isinstance(data, Tensor) else data
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"_make_subclass: data must be a Tensor or a NumPy array, got "
                            f"{type(data).__name__}")
        t = _new(cls)
        init_leaf(t, arr)
        if require_grad:
            t.requires_grad = True
        return t

    @property
    def data(self) -> "Tensor":
        """The same numbers, detached from the graph (shares memory). As in PyTorch, changes
        made through it are not seen by autograd's version checks; ``detach()`` is safer."""
        return make(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    def share_memory_(self) -> "Tensor":
        """Move the numbers into memory shared with child processes (``tensor/shared.py``),
        in place; nothing to do if they are there already. Returns ``self``.

        >>> import autograd_core as ag
        >>> w = ag.ones(2, requires_grad=True)
        >>> w.share_memory_() is w, w.is_shared(), w.requires_grad
        (True, True, True)
        """
        if self._view is not None:
            raise RuntimeError("share_memory_: this tensor is a view of another; share the "
                               "tensor it views instead")
        from . import shared
        arr = shared.share(self._data)
        if arr is not self._data:
            self._data = arr
            autograd.mark_dirty(self)
        shared.register_reducer(type(self))
        return self

    def is_shared(self) -> bool:
        """Whether the numbers lie in shared memory (``share_memory_``).

        >>> import autograd_core as ag
        >>> ag.zeros(2).is_shared()
        False
        """
        from . import shared
        return shared.block_of(self._data) is not None

    @property
    def shape(self) -> Size:
        """The sizes of the dims, a ``Size`` (a tuple of ints, as PyTorch's).

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).shape, ag.zeros(2, 3).shape.numel()
        ((2, 3), 6)
        """
        return _tuple_new(Size, self._data.shape)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def device(self) -> device:
        """Where the tensor lives: always the CPU here (``device(type='cpu')``)."""
        return CPU

    is_cuda = is_xpu = is_mps = is_meta = is_quantized = is_sparse = False
    is_cpu = True
    layout = strided   # a sparse tensor's is ``sparse_coo`` (tensor/sparse.py)

    def to_sparse(self, sparse_dim: int | None = None, **kwargs: Any) -> "Tensor":
        """The nonzero entries of this tensor as a sparse COO tensor (``tensor/sparse.py``).

        >>> import autograd_core as ag
        >>> s = ag.tensor([[0.0, 2.0], [3.0, 0.0]]).to_sparse()
        >>> s.layout, s.indices().tolist(), s.values().tolist()
        (torch.sparse_coo, [[0, 1], [1, 0]], [2.0, 3.0])
        """
        from .sparse import to_sparse
        return to_sparse(self, sparse_dim)

    to_sparse_coo = to_sparse

    def to_dense(self, dtype: Any = None, *, masked_grad: Any = None) -> "Tensor":
        """This tensor (it is dense already); a sparse one gives its dense form."""
        return self if dtype is None else self.to(dtype)

    @property
    def real(self) -> "Tensor":
        """The real part: the tensor itself for a real dtype, as PyTorch's."""
        return self

    @property
    def imag(self) -> "Tensor":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def get_device(self) -> int:
        """-1: the index PyTorch gives a CPU tensor."""
        return -1

    def size(self, dim: int | None = None) -> Any:
        """The shape, or with ``dim`` the size of that dim.

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).size(), ag.zeros(2, 3).size(-1)
        ((2, 3), 3)
        """
        if dim is None:
            return shape_of(self._data)
        if self._data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_check_dim(self, dim, "size")]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        """Bytes per element (as ``element_size()``)."""
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes of the elements the tensor sees (``numel() * itemsize``).

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).nbytes
        24
        """
        return int(self._data.nbytes)

    def ndimension(self) -> int:
        """The number of dims (an old alias of ``dim()``)."""
        return self._data.ndim

    def data_ptr(self) -> int:
        """The address of the tensor's first element: two tensors sharing memory from the
        same element give the same number (as PyTorch's).

        >>> import autograd_core as ag
        >>> x = ag.zeros(4)
        >>> x.data_ptr() == x.view(2, 2).data_ptr(), x[1:].data_ptr() - x.data_ptr()
        (True, 4)
        """
        return int(self._data.__array_interface__["data"][0])

    def is_signed(self) -> bool:
        """False for uint8 and bool, True for the other dtypes, as PyTorch's."""
        return self._data.dtype.kind not in "ub"

    def is_inference(self) -> bool:
        """False: tensors made under ``inference_mode`` are ordinary tensors here."""
        return False

    def is_neg(self) -> bool:
        """False: there are no lazily negated (conjugate-view) tensors here."""
        return False

    def is_same_size(self, other: "Tensor") -> bool:
        return tuple(self.shape) == tuple(other.shape)

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The array behind the tensor (shared, not copied); with ``force``, of a tensor
        that requires grad too (still shared, as PyTorch's on the CPU).

        >>> import autograd_core as ag
        >>> ag.ones(2, requires_grad=True).numpy(force=True).tolist()
        [1.0, 1.0]
        """
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(f"item(): a Tensor with {self._data.size} elements cannot be "
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
        return iter(self.unbind(0))

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

    def __format__(self, format_spec: str) -> str:
        """As PyTorch's: a plain 0-d tensor formats as its number (``f"{loss:.4f}"``);
        anything else only with an empty spec.

        >>> import autograd_core as ag
        >>> f"{ag.tensor(2.5):+.2f}"
        '+2.50'
        """
        if self._data.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = array_text(self._data, "tensor(")
        extra = ""
        if self._data.dtype not in (np.float32, np.int64, np.bool_):
            extra += f", dtype={self._data.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn=<{self._ctx.name()}>"
        elif self._requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

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
        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """Cast: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)`` (other's
        dtype); ``non_blocking``, ``copy`` and ``memory_format`` as in PyTorch. The device
        must be the CPU (a CUDA device raises PyTorch's error for a CPU-only build).

        A cast to an integer or bool dtype is not differentiable: its result does not
        require grad, as in PyTorch.

        >>> import autograd_core as ag
        >>> x = ag.ones(2)
        >>> x.to("cpu") is x, x.to("cpu", ag.float64).dtype
        (True, dtype('float64'))
        """
        dtype = kwargs.get("dtype")
        check_device(kwargs.get("device"))
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, device, int)) and not isinstance(a, bool):
                check_device(a)
            elif a is not None and not isinstance(a, bool):
                dtype = a
        copy = kwargs.get("copy", False)
        dtype = _dtype(dtype)  # bfloat16 and non-dtypes refused with a clear message
        if dtype is None or dtype == self._data.dtype:
            return self.clone() if copy else self
        return self._cast(np.dtype(dtype))

    def _cast(self, dtype: np.dtype) -> "Tensor":
        """This tensor in ``dtype`` (itself when it has it): ``to``'s last step, and all of
        ``float()``, ``long()`` and the like, which need none of its argument parsing."""
        if dtype == self._data.dtype:
            return self
        if not _is_float(dtype):
            return make(self._data.astype(dtype))
        return P.Cast.apply(self, dtype=dtype)

    def type(self, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
        """Without ``dtype``, PyTorch's legacy name of this tensor's type (a string); with a
        dtype or such a name, this tensor cast to it (itself when it has it already).

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.5])
        >>> x.type(), x.type(ag.float64).dtype, x.type("torch.IntTensor").tolist()
        ('torch.FloatTensor', dtype('float64'), [1])
        >>> x.type(ag.LongTensor)
        tensor([1])
        """
        if dtype is None:
            return torch_type_name(self._data.dtype)
        legacy = legacy_dtype(dtype)  # FloatTensor, 'torch.FloatTensor', ...
        if legacy is None and isinstance(dtype, str):
            raise ValueError(f"invalid type: '{dtype}'")
        return self.to(dtype if legacy is None else legacy)

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def float(self) -> "Tensor":
        return self._cast(_FLOAT32)

    def double(self) -> "Tensor":
        return self._cast(_FLOAT64)

    def half(self) -> "Tensor":
        return self._cast(_FLOAT16)

    def bfloat16(self) -> "Tensor":
        """Refused with a clear message: NumPy has no bfloat16 (use float32)."""
        return self.to(bfloat16)

    def long(self) -> "Tensor":
        return self._cast(_INT64)

    def int(self) -> "Tensor":
        return self.to(np.int32)

    def short(self) -> "Tensor":
        return self.to(np.int16)

    def char(self) -> "Tensor":
        """As int8 (PyTorch's ``CharTensor``)."""
        return self.to(np.int8)

    def byte(self) -> "Tensor":
        """As uint8 (PyTorch's ``ByteTensor``).

        >>> import autograd_core as ag
        >>> ag.tensor([1.7, 255.0]).byte()
        tensor([  1, 255], dtype=uint8)
        """
        return self.to(np.uint8)

    def bool(self) -> "Tensor":
        return self.to(np.bool_)

    def cpu(self, memory_format: Any = None) -> "Tensor":
        """This tensor: it is on the CPU already."""
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False, memory_format: Any = None
             ) -> "Tensor":
        """Raises PyTorch's error for a build without CUDA."""
        check_device("cuda" if device is None else device if not isinstance(device, int)
                     else f"cuda:{device}")
        return self

    def pin_memory(self, device: Any = None) -> "Tensor":
        """Raises as PyTorch does without an accelerator (pinned memory is for copies to one)."""
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def is_pinned(self, device: Any = None) -> bool:
        return False

    def clone(self) -> "Tensor":
        """A copy that does not share memory (differentiable)."""
        return P.Clone.apply(self)

    def contiguous(self, memory_format: Any = None) -> "Tensor":
        """This tensor if it is C-contiguous, else a C-contiguous copy (a ``memory_format``
        such as ``channels_last`` is accepted and changes nothing: ``tensor/layout.py``)."""
        if self._data.flags.c_contiguous:
            return self
        return P.Clone.apply(self)

    def is_floating_point(self) -> bool:
        """True for float16/32/64 tensors.

        >>> import autograd_core as ag
        >>> ag.ones(1).is_floating_point(), ag.tensor([1]).is_floating_point()
        (True, False)
        """
        return self._data.dtype.kind == "f"

    def nelement(self) -> int:
        """The number of elements (an alias of ``numel``).

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).nelement()
        6
        """
        return int(self._data.size)

    def stride(self, dim: int | None = None) -> Any:
        """Steps in memory between neighbours along each dim, counted in elements.

        >>> import autograd_core as ag
        >>> x = ag.zeros(2, 3)
        >>> x.stride(), x.t().stride(), x.stride(-1)
        ((3, 1), (1, 3), 1)
        """
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        if dim is None:
            return steps
        return steps[_check_dim(self, dim, "stride")]

    # (moved from tensor.py unchanged, module helpers reached as _t.<name>)
    def is_contiguous(self, memory_format: Any = None) -> bool:
        """True when the elements lie in row-major order in memory.

        >>> import autograd_core as ag
        >>> x = ag.zeros(2, 3)
        >>> x.is_contiguous(), x.t().is_contiguous()
        (True, False)
        """
        return bool(self._data.flags.c_contiguous)

# PyTorch's argument parser takes NumPy's names axis / keepdims for dim / keepdim everywhere
add_numpy_names(Tensor)

bind_tensor(Tensor, make)
