"""``spectral_norm`` and ``remove_spectral_norm``: PyTorch's classic hook form of spectral
normalisation (Miyato et al.). The parameter ``name`` becomes ``name_orig``; buffers
``name_u`` and ``name_v`` hold the power iteration's singular vectors. Before each forward
the module's ``name`` is ``name_orig / sigma``, ``sigma = u . (W v)`` for ``W`` the weight
as a matrix (``dim`` first); in training mode ``n_power_iterations`` steps refine ``u``
and ``v`` in place first, in evaluation mode they are used as they are.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> m = nn.utils.spectral_norm(nn.Linear(3, 4))
>>> list(m.state_dict())
['bias', 'weight_orig', 'weight_u', 'weight_v']
"""
from __future__ import annotations

from typing import Any

import autograd_core as ag
from autograd_core import Tensor

from .. import functional as F
from ..parameter import Parameter
from .weight_norm import _remove_norm_hook

__all__ = ["SpectralNorm", "spectral_norm", "remove_spectral_norm"]


class SpectralNorm:
    """The forward pre-hook that recomputes ``module.<name>`` (PyTorch's class of that
    name)."""

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        self.name, self.dim, self.eps = name, dim, eps
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.n_power_iterations = n_power_iterations

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            dims = [self.dim] + [d for d in range(weight.dim()) if d != self.dim]
            weight = weight.permute(*dims)
        return weight.reshape(weight.size(0), -1)

    def compute_weight(self, module: Any, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        matrix = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with ag.no_grad():
                for _ in range(self.n_power_iterations):
                    # the buffers are updated in place, as PyTorch's (out=u, out=v)
                    v.copy_(F.normalize(matrix.t().mv(u), dim=0, eps=self.eps))
                    u.copy_(F.normalize(matrix.mv(v), dim=0, eps=self.eps))
            u, v = u.clone(), v.clone()
        sigma = u.dot(matrix.mv(v))
        return weight / sigma

    @staticmethod
    def apply(module: Any, name: str, n_power_iterations: int, dim: int,
              eps: float) -> "SpectralNorm":
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same "
                                   f"parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        if name not in module._parameters:
            raise KeyError(name)
        weight = module._parameters[name]
        with ag.no_grad():
            matrix = fn.reshape_weight_to_matrix(weight)
            h, w = matrix.shape
            u = F.normalize(ag.randn(h, dtype=weight.dtype), dim=0, eps=fn.eps)
            v = F.normalize(ag.randn(w, dtype=weight.dtype), dim=0, eps=fn.eps)
        del module._parameters[name]
        module.register_parameter(name + "_orig", weight)
        setattr(module, name, weight.detach())
        module.register_buffer(name + "_u", u)
        module.register_buffer(name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Any) -> None:
        with ag.no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Any, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module,
                                                       do_power_iteration=module.training))


def spectral_norm(module: Any, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Any:
    """Spectrally normalise ``module``'s parameter ``name``; ``dim`` (the output dim) is 1
    for transposed convolutions and 0 otherwise unless given. ``u`` and ``v`` start from
    this library's random draws (copy PyTorch's buffers to match it exactly).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.utils.spectral_norm(nn.Linear(4, 4).double(), n_power_iterations=200)
    >>> y = m(ag.ones(1, 4, dtype=ag.float64))
    >>> import numpy as np
    >>> round(float(np.linalg.norm(m.weight.detach().numpy(), 2)), 4)
    1.0
    """
    if dim is None:
        from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) \
            else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module: Any, name: str = "weight") -> Any:
    """Undo ``spectral_norm``: ``name`` is a plain parameter again, holding the normalised
    weight.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.utils.remove_spectral_norm(nn.utils.spectral_norm(nn.Linear(2, 2)))
    >>> list(m.state_dict())
    ['bias', 'weight']
    """
    return _remove_norm_hook(module, SpectralNorm, name, "spectral_norm")
