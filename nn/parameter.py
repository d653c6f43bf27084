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

__all__ = ["Parameter", "Buffer"]


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
            p.grad = Tensor(self.grad.detach().numpy())
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
