"""Two functions the distributions need that the core does not have yet, written with its
public API: ``erfinv`` (PyTorch's ``torch.erfinv``, for ``Normal.icdf``) and ``softplus``
(``torch.nn.functional.softplus`` with ``beta=1``, which ``nn`` has but the core may not
import). Each belongs in the core; this is their home until it has them.

>>> import autograd_core as ag
>>> round(erfinv(ag.tensor([0.5], dtype=ag.float64)).item(), 12)
0.476936276204
"""
from __future__ import annotations

import math

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

__all__ = ["erfinv", "softplus"]

_HALF_SQRT_PI = math.sqrt(math.pi) / 2

# Giles (2010), "Approximating the erfinv function": a single-precision start that Newton
# steps bring to double precision (on erf near 0, on erfc near ±1).
_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
            -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
         -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _poly(coefficients: tuple[float, ...], w: np.ndarray) -> np.ndarray:
    p = np.full_like(w, coefficients[0])
    for c in coefficients[1:]:
        p = c + p * w
    return p


_erfc = np.frompyfunc(math.erfc, 1, 1)


def _erfinv_array(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    work = y.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = -np.log((1.0 - work) * (1.0 + work))
        x = np.where(w < 5.0, _poly(_CENTRAL, w - 2.5), _poly(_TAIL, np.sqrt(w) - 3.0)) * work
        inside = np.abs(work) < 1
        central = np.abs(work) <= 0.5
        tail = inside & ~central
        for _ in range(2):  # Newton on erf(x) = y near 0
            erf_x = ag.from_numpy(np.where(central, x, 0.0)).erf().numpy()
            step = (erf_x - work) / (np.exp(-x * x) / _HALF_SQRT_PI)
            x = np.where(central, x - step, x)
        if tail.any():  # near ±1, Newton on log erfc(|x|) = log(1 - |y|), which keeps its digits
            ax, q = np.abs(x[tail]), 1.0 - np.abs(work[tail])
            for _ in range(4):  # on the logarithms: log erfc is close to quadratic
                c = _erfc(ax).astype(np.float64)
                ax = ax + (np.log(c) - np.log(q)) * c / (np.exp(-ax * ax) / _HALF_SQRT_PI)
            x[tail] = np.copysign(ax, work[tail])
        x = np.where(np.abs(work) == 1, np.copysign(np.inf, work), x)
        x = np.where(np.abs(work) > 1, np.nan, x)
    return x.astype(y.dtype, copy=False)


class _Erfinv(ag.Function):
    """``erfinv(y)``; its derivative ``sqrt(pi)/2 exp(erfinv(y)^2)`` is written with Tensor
    ops on a fresh ``erfinv(y)``, so higher derivatives follow."""

    @staticmethod
    def forward(ctx, y):
        ctx.save_for_backward(y)
        return _erfinv_array(y)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        x = _Erfinv.apply(y)
        return grad * _HALF_SQRT_PI * (x * x).exp()


def erfinv(input: Tensor) -> Tensor:
    """The inverse of the error function, elementwise: ``erf(erfinv(y)) = y`` for
    ``-1 < y < 1``; ``±inf`` at ``±1`` and NaN outside, as PyTorch's. Differentiable.

    >>> import autograd_core as ag
    >>> erfinv(ag.tensor([0.0, 1.0, -1.0]))
    tensor([ 0., inf, -inf])
    """
    if not input.is_floating_point():
        input = input.to(ag.get_default_dtype())
    return _Erfinv.apply(input)


def softplus(input: Tensor) -> Tensor:
    """``log(1 + exp(x))`` without overflow; its gradient is ``sigmoid(x)``, a half at 0,
    as PyTorch's ``softplus``.

    >>> import autograd_core as ag
    >>> round(softplus(ag.tensor([0.0])).item(), 4)
    0.6931
    """
    return ag.logaddexp(ag.zeros_like(input), input)
