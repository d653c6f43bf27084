"""Activations: ``relu``, ``leaky_relu``, ``elu``, ``gelu``, ``silu``, ``softplus``,
``tanh``, ``sigmoid``, ``softmax``, ``log_softmax``, ``softmin``, ``hardtanh``,
``relu6``, ``mish``, ``selu``, ``logsigmoid``, ``glu``, ``prelu``, ``hardsigmoid``,
``hardswish``, ``softsign``, ``tanhshrink``, ``softshrink``, ``hardshrink``,
``threshold``, ``celu``, ``rrelu`` and ``gumbel_softmax``; the in-place forms ``relu_``,
``elu_``, ``leaky_relu_``, ``hardtanh_``, ``selu_``, ``celu_``, ``threshold_`` and
``rrelu_`` write into their input.

Each is a core op or a composition of differentiable Tensor ops, so higher derivatives
come free; at the kinks the gradient is PyTorch's (``hardswish'`` is 0 at -3 and 1 at
3, and it is 0 at the bounds of ``hardtanh``, of ``hardsigmoid`` and of the shrinks'
dead zone).

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.hardswish(ag.tensor([-4.0, 0.0, 1.0, 4.0])).tolist()
[-0.0, 0.0, 0.6666666..., 4.0]
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.autograd import apply_inplace, inplace_option
from autograd_core.onnx import is_in_onnx_export
from autograd_core.ops.activation import ELU as _ELU
from autograd_core.ops.activation import GELU as _GELU
from autograd_core.ops.activation import Hardswish as _Hardswish
from autograd_core.ops.activation import LeakyReLU as _LeakyReLU
from autograd_core.ops.activation import SiLU as _SiLU
from autograd_core.ops.activation import Softplus as _Softplus

from .arguments import _tensor

__all__ = ["relu", "leaky_relu", "elu", "gelu", "silu", "softplus", "tanh", "sigmoid",
           "softmax", "log_softmax", "softmin", "hardtanh", "relu6", "mish", "selu",
           "logsigmoid", "glu", "prelu", "hardsigmoid", "hardswish", "softsign", "tanhshrink",
           "softshrink", "hardshrink", "threshold", "celu", "rrelu", "gumbel_softmax", "relu_",
           "elu_", "leaky_relu_", "hardtanh_", "selu_", "celu_", "threshold_", "rrelu_"]


@inplace_option
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.relu(ag.tensor([-1.0, 0.5, 2.0])).sum().item()
    2.5
    """
    return _tensor(input, "relu").relu()


@inplace_option
def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``negative_slope * x``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.leaky_relu(ag.tensor([-1.0, 2.0]), 0.1).tolist()
    [-0.1..., 2.0]
    """
    return _LeakyReLU.apply(_tensor(input, "leaky_relu"), negative_slope=negative_slope)


@inplace_option
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> round(F.elu(ag.tensor([-1.0]))[0].item(), 4)
    -0.6321
    """
    return _ELU.apply(_tensor(input, "elu"), alpha=alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` with the exact normal CDF (``approximate='none'``, via erf) or the
    tanh approximation (``approximate='tanh'``).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> round(F.gelu(ag.tensor([1.0]))[0].item(), 4)
    0.8413
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return _GELU.apply(_tensor(input, "gelu"), approximate=approximate)


@inplace_option
def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (swish).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> round(F.silu(ag.tensor([1.0]))[0].item(), 4)
    0.7311
    """
    return _SiLU.apply(_tensor(input, "silu"))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold``; the gradient
    is ``sigmoid(beta x)`` (a half at 0), as PyTorch's.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> round(F.softplus(ag.tensor([0.0]))[0].item(), 4)
    0.6931
    """
    return _Softplus.apply(_tensor(input, "softplus"), beta=beta, threshold=threshold)


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.tanh(ag.tensor([0.0])).tolist()
    [0.0]
    """
    return _tensor(input, "tanh").tanh()


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``, stable for large ``|x|``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.sigmoid(ag.tensor([0.0])).tolist()
    [0.5]
    """
    return _tensor(input, "sigmoid").sigmoid()


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.softmax(ag.tensor([[0.0, 0.0]]), dim=1).tolist()
    [[0.5, 0.5]]
    """
    _tensor(input, "softmax")
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    x = input if dtype is None else input.to(dtype)
    return x.softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``, stable.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> [round(v, 4) for v in F.log_softmax(ag.tensor([0.0, 0.0]), dim=0).tolist()]
    [-0.6931, -0.6931]
    """
    _tensor(input, "log_softmax")
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    x = input if dtype is None else input.to(dtype)
    return x.log_softmax(dim)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """``softmax(-x)`` along ``dim``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> [round(v, 4) for v in F.softmin(ag.tensor([0.0, 1.0]), dim=0).tolist()]
    [0.7311, 0.2689]
    """
    _tensor(input, "softmin")
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    x = input if dtype is None else input.to(dtype)
    return (-x).softmax(dim)


@inplace_option
def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.hardtanh(ag.tensor([-3.0, 0.5, 2.0])).tolist()
    [-1.0, 0.5, 1.0]
    """
    _tensor(input, "hardtanh")
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val, got "
                         f"min_val={min_val} and max_val={max_val}")
    inside = ~((input <= min_val) | (input >= max_val))  # a NaN is inside, as PyTorch's mask
    if not is_in_onnx_export() and inside.all():  # export records the general form
        return input * 1.0
    # as PyTorch, the gradient is 0 at the bounds too: outside values are constants
    return ag.where(inside, input, input.detach().clamp(min_val, max_val))


@inplace_option
def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.relu6(ag.tensor([-1.0, 3.0, 8.0])).tolist()
    [0.0, 3.0, 6.0]
    """
    return hardtanh(_tensor(input, "relu6"), 0.0, 6.0)


@inplace_option
def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> round(F.mish(ag.tensor([1.0]))[0].item(), 4)
    0.8651
    """
    # softplus without its linear part: log(1 + exp(x)) everywhere, gradient sigmoid(x)
    return input * _Softplus.apply(_tensor(input, "mish"), threshold=math.inf).tanh()


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants
    ``alpha = 1.6733, scale = 1.0507``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> [round(v, 4) for v in F.selu(ag.tensor([-1.0, 1.0])).tolist()]
    [-1.1113, 1.0507]
    """
    x = _tensor(input, "selu")
    if inplace:
        # two ops, and the in-place write protects only the last one's saved input: the
        # ELU reads a copy, which the write leaves as it was
        return apply_inplace(x, "selu_", lambda t: _ELU.apply(t.clone(), alpha=_SELU_ALPHA)
                             * _SELU_SCALE)
    return _ELU.apply(x, alpha=_SELU_ALPHA) * _SELU_SCALE


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> [round(v, 4) for v in F.logsigmoid(ag.tensor([0.0, -1000.0])).tolist()]
    [-0.6931, -1000.0]
    """
    return -_Softplus.apply(-_tensor(input, "logsigmoid"), threshold=math.inf)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: split ``input`` in halves ``a, b`` along ``dim``; ``a * sigmoid(b)``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.glu(ag.tensor([2.0, 0.0])).tolist()
    [1.0]
    """
    _tensor(input, "glu")
    if input.ndim == 0:
        raise ValueError("glu: does not support scalars because halving size must be even")
    d = dim + input.ndim if dim < 0 else dim
    if not 0 <= d < input.ndim:
        raise IndexError(f"glu: dim {dim} is out of range for input of shape "
                         f"{tuple(input.shape)}")
    if input.shape[d] % 2:
        raise ValueError(f"glu: halving dimension must be even, but dimension {dim} is size "
                         f"{input.shape[d]} (input shape {tuple(input.shape)})")
    a, b = input.chunk(2, d)
    return a * b.sigmoid()


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x`` for positive x, else ``weight * x``; ``weight`` holds one slope, or one per
    channel (dim 1).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.prelu(ag.tensor([[-2.0, 2.0]]), ag.tensor([0.25])).tolist()
    [[-0.5, 2.0]]
    """
    _tensor(input, "prelu")
    _tensor(weight, "prelu", "weight")
    k = weight.numel()
    if weight.ndim > 1:
        raise ValueError(f"prelu: expected a 0-D or 1-D weight, got shape {tuple(weight.shape)}")
    if k == 1:
        w = weight.reshape(())
    else:
        if input.ndim == 0:
            raise ValueError(f"prelu: a 0-D input needs a single weight, got {k}")
        channels = input.shape[1] if input.ndim >= 2 else 1
        if channels != k:
            raise ValueError(f"prelu: mismatch of parameter numbers and input channel size: "
                             f"weight has {k} entries but input of shape {tuple(input.shape)} "
                             f"has {channels} channels (dim 1; inputs of fewer than 2 dims "
                             f"have 1)")
        w = weight.reshape((k,) + (1,) * (input.ndim - 2))
    return input.relu() + w * input.clamp(max=0.0)


def _const(value: float, like: Tensor) -> Tensor:
    return ag.from_numpy(np.asarray(value, dtype=like.dtype if like.dtype.kind == "f" else
                                    np.float32))


@inplace_option
def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear between.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.hardsigmoid(ag.tensor([-4.0, 0.0, 1.5, 4.0])).tolist()
    [0.0, 0.5, 0.75, 1.0]
    """
    x = _tensor(input, "hardsigmoid")
    # as PyTorch: gradient 1/6 strictly inside (-3, 3), 0 outside, also for a NaN
    outside = x.detach().clamp(-3.0, 3.0) / 6.0 + 0.5
    return ag.where((x > -3.0) & (x < 3.0), x / 6.0 + 0.5, outside)


@inplace_option
def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6`` (MobileNetV3's h-swish).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.hardswish(ag.tensor([-3.0, 3.0])).tolist()
    [-0.0, 3.0]
    """
    # PyTorch's gradient: 0 up to -3, x/3 + 1/2 strictly between, 1 from 3 on
    return _Hardswish.apply(_tensor(input, "hardswish"))


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.softsign(ag.tensor([-1.0, 3.0])).tolist()
    [-0.5, 0.75]
    """
    x = _tensor(input, "softsign")
    return x / (x.abs() + 1.0)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.tanhshrink(ag.tensor([0.0])).tolist()
    [0.0]
    """
    x = _tensor(input, "tanhshrink")
    return x - x.tanh()


def _dead_zone(input: Tensor, lambd: float, fn: str) -> tuple[Tensor, Tensor]:
    """A shrink's input, checked, and where the shrink gives 0: ``[-lambd, lambd]``, PyTorch's
    mask (a NaN is outside it, so it passes, and stays NaN)."""
    x = _tensor(input, fn)
    if lambd < 0:
        raise ValueError(f"{fn}: lambda must be greater or equal to 0, but found to be {lambd}")
    return x, (x >= -lambd) & (x <= lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.softshrink(ag.tensor([-2.0, 0.3, 1.5]), 0.5).tolist()
    [-1.5, 0.0, 1.0]
    """
    x, dead = _dead_zone(input, lambd, "softshrink")
    return ag.where(dead, _const(0.0, x), ag.where(x > lambd, x - lambd, x + lambd))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.hardshrink(ag.tensor([-2.0, 0.3, 1.5]), 0.5).tolist()
    [-2.0, 0.0, 1.5]
    """
    x, dead = _dead_zone(input, lambd, "hardshrink")
    return ag.where(dead, _const(0.0, x), x)


@inplace_option
def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.threshold(ag.tensor([-1.0, 0.5, 2.0]), 1.0, 9.0).tolist()
    [9.0, 9.0, 2.0]
    """
    x = _tensor(input, "threshold")
    return ag.where(x <= threshold, _const(value, x), x)  # a NaN passes, as PyTorch's


@inplace_option
def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> round(F.celu(ag.tensor([-1.0]), alpha=2.0)[0].item(), 4)
    -0.7869
    """
    x = _tensor(input, "celu")
    if alpha == 0:
        raise ValueError("celu: ZeroDivisionError: alpha cannot be 0 for CELU")
    if alpha == 1:
        return _ELU.apply(x, alpha=1.0)
    return _ELU.apply(x / alpha, alpha=1.0) * alpha


@inplace_option
def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: in training, each non-positive element is multiplied by a
    slope drawn from U(lower, upper) (the gradient is that slope); otherwise
    ``leaky_relu`` with slope ``(lower + upper) / 2``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.rrelu(ag.tensor([-1.0, 2.0]), 0.2, 0.4).tolist()
    [-0.3..., 2.0]
    """
    x = _tensor(input, "rrelu")
    if not training:
        return _LeakyReLU.apply(x, negative_slope=(lower + upper) / 2)
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    slope = ag.rand(tuple(x.shape), dtype=dt).numpy() * (upper - lower) + lower
    noise = np.where(x.detach().numpy() <= 0, slope, 1).astype(dt)
    return x * ag.from_numpy(noise)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A sample of the Gumbel-softmax distribution: ``softmax((logits + g) / tau)`` with
    Gumbel(0, 1) noise ``g``; with ``hard``, the one-hot of its argmax, differentiated as
    the soft sample (straight-through).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y = F.gumbel_softmax(ag.randn(4, 6), tau=0.5, hard=True)
    >>> y.sum(-1).tolist(), sorted(set(y.reshape(-1).tolist()))
    ([1.0, 1.0, 1.0, 1.0], [0.0, 1.0])
    """
    _tensor(logits, "gumbel_softmax", "logits")
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    dt = logits.dtype
    u = ag.rand(tuple(logits.shape), dtype=dt).numpy()
    # Exp(1) draws, kept above 0 so that the Gumbel noise -log(e) is finite
    e = np.maximum(-np.log1p(-u), np.finfo(dt).tiny)
    y_soft = ((logits + ag.from_numpy(-np.log(e))) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.argmax(dim, keepdim=True)
    y_hard = ag.zeros_like(y_soft).scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def relu_(input: Tensor) -> Tensor:
    """``relu`` written into ``input``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([-1.0, 2.0]); _ = F.relu_(x); x.tolist()
    [0.0, 2.0]
    """
    return relu(input, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``elu`` written into ``input``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([-1.0, 1.0]); _ = F.elu_(x); x.tolist()
    [-0.6321205496788025, 1.0]
    """
    return elu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``leaky_relu`` written into ``input``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([-1.0, 1.0]); _ = F.leaky_relu_(x); x.tolist()
    [-0.009999999776482582, 1.0]
    """
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``hardtanh`` written into ``input``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([-1.0, 1.0]); _ = F.hardtanh_(x); x.tolist()
    [-1.0, 1.0]
    """
    return hardtanh(input, min_val, max_val, inplace=True)


def selu_(input: Tensor) -> Tensor:
    """``selu`` written into ``input``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([-1.0, 1.0]); _ = F.selu_(x); x.tolist()
    [-1.1113307476043701, 1.0507010221481323]
    """
    return selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``celu`` written into ``input``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([-1.0, 1.0]); _ = F.celu_(x); x.tolist()
    [-0.6321205496788025, 1.0]
    """
    return celu(input, alpha, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """``threshold`` written into ``input``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([-1.0, 2.0]); _ = F.threshold_(x, 0.0, 5.0); x.tolist()
    [5.0, 2.0]
    """
    return globals()["threshold"](input, threshold, value, inplace=True)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """``rrelu`` written into ``input``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> x = ag.tensor([-3.0, 1.0]); _ = F.rrelu_(x, 0.1, 0.3); x.tolist()
    [-0.6000000238418579, 1.0]
    """
    return rrelu(input, lower, upper, training, inplace=True)
