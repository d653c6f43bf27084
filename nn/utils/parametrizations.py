"""``nn.utils.parametrizations``: ``weight_norm`` and ``spectral_norm`` as
parametrizations (the forms PyTorch recommends), with PyTorch's state dict keys
(``parametrizations.weight.original0``/``original1`` for the magnitude and direction,
``parametrizations.weight.original`` with buffers ``0._u`` and ``0._v`` for the spectral
norm).

>>> import autograd_core as ag, autograd_core.nn as nn
>>> m = nn.utils.parametrizations.weight_norm(nn.Linear(3, 4))
>>> list(m.state_dict())
['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
"""
from __future__ import annotations

from typing import Any


import autograd_core as ag
from autograd_core import Tensor

from .. import functional as F
from ..modules.module import Module
from . import parametrize
from .weight_norm import norm_except_dim

__all__ = ["weight_norm", "spectral_norm"]


class _WeightNorm(Module):
    """``v * g / ||v||`` from the originals ``(g, v)``, the norm over every dim but ``dim``."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, 2, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple:
        return norm_except_dim(weight, 2, self.dim), weight


class _SpectralNorm(Module):
    """``W / sigma`` for ``sigma`` the power iteration's estimate of ``W``'s largest singular
    value (``u`` and ``v`` buffers, refined in place in training mode); a 1-D tensor is
    normalised to unit length instead."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            matrix = self._reshape_weight_to_matrix(weight)
            h, w = matrix.shape
            with ag.no_grad():
                u = F.normalize(ag.randn(h, dtype=weight.dtype), dim=0, eps=self.eps)
                v = F.normalize(ag.randn(w, dtype=weight.dtype), dim=0, eps=self.eps)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            self._power_method(matrix, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, matrix: Tensor, n: int) -> None:
        with ag.no_grad():  # u first, then v, written into the buffers (PyTorch's order)
            for _ in range(n):
                self._u.copy_(F.normalize(matrix.mv(self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(matrix.t().mv(self._u), dim=0, eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        matrix = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(matrix, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = u.dot(matrix.mv(v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Weight normalisation as a parametrization: ``module.<name>`` is computed from the
    magnitude ``original0`` (norm over every dim but ``dim``) and direction ``original1``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(3, 4))
    >>> m.parametrizations.weight.original0.shape, m(ag.ones(2, 3)).shape
    ((4, 1), (2, 4))
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _old_keys(state_dict: dict, prefix: str, *rest: Any) -> None:
        # a checkpoint of the hook form (name_g, name_v) loads into this one, as PyTorch's
        g, v = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g in state_dict and v in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v)

    module._register_load_state_dict_pre_hook(_old_keys)
    return module


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Spectral normalisation as a parametrization (``dim`` 1 for transposed convolutions,
    else 0, unless given); ``u`` and ``v`` start from this library's random draws.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.utils.parametrizations.spectral_norm(nn.Linear(3, 4))
    >>> [n for n, _ in m.named_buffers()]
    ['parametrizations.weight.0._u', 'parametrizations.weight.0._v']
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) \
            else 0
    return parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
