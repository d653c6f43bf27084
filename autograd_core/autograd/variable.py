"""``Variable``: PyTorch's pre-0.4 wrapper of a tensor, kept as PyTorch keeps it for old
programs. ``Variable(t)`` is a new leaf sharing ``t``'s memory (``t.detach()``), requiring
grad if asked; every tensor is an instance of ``Variable``.

>>> import autograd_core as ag
>>> from autograd_core.autograd import Variable
>>> v = Variable(ag.ones(2), requires_grad=True)
>>> v, isinstance(ag.zeros(1), Variable)
(tensor([1., 1.], requires_grad=True), True)
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import function as _seam

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, _seam.Tensor)

    def __call__(cls, data: Any = None, requires_grad: bool = False, volatile: bool = False
                 ) -> Any:
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        if data is None:
            return _seam.make(np.zeros(0, dtype=np.float32))
        if not isinstance(data, _seam.Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            if out.dtype.kind not in "fc":
                raise RuntimeError("Only Tensors of floating point and complex dtype can "
                                   "require gradients")
            out.requires_grad_(True)
        return out


class Variable(metaclass=_VariableMeta):
    """A tensor (PyTorch's legacy name): ``Variable(data, requires_grad=False)`` returns
    ``data.detach()``, requiring grad if asked; ``volatile`` only warns, as PyTorch's.

    >>> import autograd_core as ag
    >>> ag.autograd.Variable(ag.tensor([2.0]), requires_grad=True).requires_grad
    True
    """
