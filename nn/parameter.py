"""``Parameter``: a Tensor that a ``Module`` registers as one of its weights.

Assigning a ``Parameter`` to an attribute of a ``Module`` registers it, so that it
shows up in ``parameters()`` and ``state_dict()``.

>>> import autograd_core as ag
>>> from autograd_core import nn
>>> p = nn.Parameter(ag.zeros(2))
>>> p
Parameter containing:
tensor([0., 0.], requires_grad=True)
>>> isinstance(p, ag.Tensor), p.requires_grad
(True, True)
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


def _array(data: Any) -> np.ndarray:
    """The array a Parameter made of ``data`` holds: ``data``'s own when it is a Tensor or an
    array (shared, not copied)."""
    if data is None:
        return np.empty((0,), dtype=np.float32)
    if isinstance(data, Tensor):
        return data.detach().numpy()
    if isinstance(data, np.ndarray):
        return data
    raise TypeError(f"Parameter: expected a Tensor or a NumPy array, got {type(data).__name__}")


class Parameter(Tensor):
    """A Tensor that is a module parameter; it requires grad by default.

    ``Parameter(t)`` shares ``t``'s memory, as in PyTorch. Any operation on it
    gives an ordinary Tensor.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> w = nn.Parameter(ag.ones(2, 2))
    >>> (w * 2).sum().backward()
    >>> w.grad
    tensor([[2., 2.],
           [2., 2.]])
    """

    __slots__ = ()

    def __new__(cls, data: Any = None, requires_grad: bool = True) -> "Parameter":
        return Tensor._make_subclass(cls, _array(data), requires_grad)

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        pass  # __new__ made it

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: Any) -> tuple:
        return (Parameter, (self.detach().numpy(), self.requires_grad))

    def __deepcopy__(self, memo: dict) -> "Parameter":
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(self.detach().numpy().copy(), self.requires_grad)
        if self.grad is not None:
            p.grad = ag.tensor(self.grad.detach().numpy())
        memo[id(self)] = p
        return p


class Buffer(Tensor):
    """Marks a tensor as a buffer when assigned to a module attribute (``torch.nn.Buffer``).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.Module()
    >>> m.steps = nn.Buffer(ag.zeros(1))
    >>> list(m.state_dict())
    ['steps']
    """

    __slots__ = ("persistent",)

    def __new__(cls, data: Any, *, persistent: bool = True) -> "Buffer":
        arr = data.detach().numpy() if isinstance(data, Tensor) else np.asarray(data)
        return Tensor._make_subclass(cls, arr)

    def __init__(self, data: Any, *, persistent: bool = True) -> None:
        self.persistent = persistent


class _UninitializedTensorMixin:
    """A placeholder of a lazy module's parameter or buffer: no shape yet, an empty array
    of the dtype it will have. ``materialize(shape)`` gives it its memory and turns it,
    the same object, into its ``cls_to_become``; until then its shape is an error, as
    PyTorch's."""

    __slots__ = ()
    cls_to_become: type

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Allocate the tensor (uninitialised values) with ``shape`` and the placeholder's
        dtype (or ``dtype``); it becomes a ``Parameter`` (or a plain Tensor for a buffer)."""
        if device is not None:
            ag.zeros(0, device=device)  # PyTorch's error for a device that is not the CPU
        dt = np.dtype(dtype) if dtype is not None else self.detach().dtype
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)
        self.data = np.empty(shape, dtype=dt)
        self.__class__ = self.cls_to_become

    @property
    def shape(self) -> tuple:
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This "
                           "error usually happens in `load_state_dict` when trying to load an "
                           "uninitialized parameter into an initialized one. Call `forward` to "
                           "initialize the parameters before accessing their attributes.")

    @property
    def ndim(self) -> int:
        return self.shape  # raises, as the shape

    def size(self, dim: int | None = None) -> Any:
        """The placeholder's size, (0,), as PyTorch's."""
        return Tensor.size(self.detach(), dim)

    def numel(self) -> int:
        raise ValueError(f"Attempted to use an uninitialized parameter in numel(). This error "
                         f"happens when you are using a `LazyModule` or explicitly manipulating "
                         f"`torch.nn.parameter.{type(self).__name__}` objects. When using "
                         f"LazyModules Call `forward` with a dummy batch to initialize the "
                         f"parameters before calling torch functions")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol: Any) -> tuple:
        return (type(self), (self.requires_grad, None, self.detach().dtype))

    def __deepcopy__(self, memo: dict) -> Any:
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, None, self.detach().dtype)
        return memo[id(self)]


class UninitializedParameter(_UninitializedTensorMixin, Parameter):
    """A parameter of a lazy module (``nn.LazyLinear``, ...) before its first forward:
    its shape is unknown until ``materialize`` makes it a ``Parameter``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> p = nn.UninitializedParameter()
    >>> p
    <UninitializedParameter>
    >>> p.materialize((2, 3)); type(p).__name__, p.shape
    ('Parameter', (2, 3))
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device: Any = None,
                dtype: Any = None) -> "UninitializedParameter":
        if device is not None:
            ag.zeros(0, device=device)
        return Tensor._make_subclass(cls, np.empty((0,), dtype=_float_dtype(dtype)),
                                     requires_grad)

    def __init__(self, requires_grad: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        pass  # __new__ made it


class UninitializedBuffer(_UninitializedTensorMixin, Tensor):
    """A buffer of a lazy module (``running_mean`` of ``nn.LazyBatchNorm1d``, ...) before its
    first forward; ``materialize`` makes it a plain Tensor.

    >>> import autograd_core.nn as nn
    >>> b = nn.UninitializedBuffer(); b.materialize(4); b.shape
    (4,)
    """

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                persistent: bool = True) -> "UninitializedBuffer":
        if device is not None:
            ag.zeros(0, device=device)
        dt = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
        return Tensor._make_subclass(cls, np.empty((0,), dtype=dt), requires_grad)

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                 persistent: bool = True) -> None:
        pass  # __new__ made it


def is_lazy(param: Any) -> bool:
    """Whether ``param`` is an uninitialised parameter or buffer of a lazy module."""
    return isinstance(param, _UninitializedTensorMixin)


# --------------------------------------------------------- parameters of new layers
def _float_dtype(dtype: Any) -> np.dtype:
    """``dtype`` (the default dtype when None) for a layer's parameters: a floating point
    one, since they require grad."""
    dt = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
    if dt.kind != "f":
        raise TypeError(f"parameters must have a floating point dtype, got {dt}")
    return dt


def _empty(shape: tuple, dtype: Any) -> Parameter:
    """A new Parameter of ``shape`` and ``dtype`` (the default dtype when None), for the
    layer's ``reset_parameters`` to fill."""
    return Parameter(ag.empty(shape, dtype=dtype))


def _add_bias(module: Any, bias: bool, shape: tuple, dtype: Any) -> None:
    """``module.bias``: a new Parameter of ``shape`` when ``bias``, else a registered None,
    as PyTorch's layers have it."""
    if bias:
        module.bias = _empty(shape, dtype)
    else:
        module.register_parameter("bias", None)
