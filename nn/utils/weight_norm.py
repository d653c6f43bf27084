"""``weight_norm`` and ``remove_weight_norm``: PyTorch's classic hook form of weight
normalisation (Salimans & Kingma). The parameter ``name`` is replaced by a magnitude
``name_g`` and a direction ``name_v``; before each forward the module's ``name`` is
recomputed as ``v * g / ||v||``, the norm taken over every dim except ``dim``.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> import warnings; warnings.simplefilter("ignore", FutureWarning)
>>> m = nn.utils.weight_norm(nn.Linear(3, 4))
>>> [n for n, _ in m.named_parameters()], m.weight_g.shape
(['bias', 'weight_g', 'weight_v'], (4, 1))
"""
from __future__ import annotations

import warnings
from typing import Any

from autograd_core import Tensor

from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm", "norm_except_dim"]


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of ``v`` over every dim but ``dim``, shaped to broadcast against
    ``v`` (1 in the reduced dims); with ``dim=-1`` the norm of the whole tensor (0-d).

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils.weight_norm import norm_except_dim
    >>> norm_except_dim(ag.tensor([[3.0, 4.0], [0.0, 1.0]]), 2, 0).tolist()
    [[5.0], [1.0]]
    """
    if dim == -1:
        return v.norm(pow)
    dims = [d for d in range(v.dim()) if d != dim]
    return v.norm(pow, dim=dims, keepdim=True) if dims else v.abs()


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and
    ``<name>_v`` (PyTorch's class of that name)."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Any) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, 2, self.dim))

    @staticmethod
    def apply(module: Any, name: str, dim: int | None) -> "WeightNorm":
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same "
                                   f"parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if not isinstance(weight, Parameter):
            raise ValueError(f"weight_norm: '{name}' of {type(module).__name__} is not a "
                             f"parameter")
        del module._parameters[name]
        module.register_parameter(name + "_g",
                                  Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Any) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module: Any, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Any, name: str = "weight", dim: int | None = 0) -> Any:
    """Weight-normalise ``module``'s parameter ``name`` (norm over every dim but ``dim``;
    ``dim=None`` or -1: the whole tensor). Deprecated in PyTorch in favour of the
    parametrization form, so it warns as PyTorch's does (FutureWarning).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> import warnings; warnings.simplefilter("ignore", FutureWarning)
    >>> m = nn.utils.weight_norm(nn.Linear(2, 2), dim=None)
    >>> m.weight_g.shape, list(m.state_dict())
    ((), ['bias', 'weight_g', 'weight_v'])
    """
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: Any, name: str = "weight") -> Any:
    """Undo ``weight_norm``: ``name`` is a plain parameter again, holding the current weight.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> import warnings; warnings.simplefilter("ignore", FutureWarning)
    >>> m = nn.utils.remove_weight_norm(nn.utils.weight_norm(nn.Linear(2, 2)))
    >>> list(m.state_dict())
    ['bias', 'weight']
    """
    return _remove_norm_hook(module, WeightNorm, name, "weight_norm")


def _remove_norm_hook(module: Any, kind: type, name: str, what: str) -> Any:
    """Remove ``module``'s forward pre-hook of class ``kind`` on parameter ``name`` (a
    ``WeightNorm`` or ``SpectralNorm``), letting it put the plain parameter back; ``what``
    names the function for the error when there is none."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, kind) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"{what} of '{name}' not found in {module}")
