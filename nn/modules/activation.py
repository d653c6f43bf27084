"""Activation modules: ``ReLU``, ``LeakyReLU``, ``ELU``, ``GELU``, ``SiLU``, ``Softplus``,
``Tanh``, ``Sigmoid``, ``Softmax``, ``LogSoftmax``, ``Hardtanh``, ``ReLU6``, ``Mish``,
``SELU``, ``LogSigmoid``, ``Softmin``, ``GLU``, ``PReLU``, ``Hardsigmoid``, ``Hardswish``,
``Softsign``, ``Tanhshrink``, ``Softshrink``, ``Hardshrink``, ``Threshold``, ``CELU``,
``RReLU`` and ``Softmax2d``;
``make_activation`` builds one from a name. (``MultiheadAttention``, which PyTorch
keeps here too, is in ``attention.py`` and re-exported.)

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.ReLU()(ag.tensor([-1.0, 2.0])).tolist()
[0.0, 2.0]
"""
from __future__ import annotations

from typing import Any, Callable

import autograd_core as ag
from autograd_core import Tensor

from .. import functional as F
from ..parameter import Parameter
from .attention import MultiheadAttention
from .module import Module

__all__ = ["ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus", "Tanh", "Sigmoid", "Softmax",
           "LogSoftmax", "Hardtanh", "ReLU6", "Mish", "SELU", "LogSigmoid", "Softmin", "GLU",
           "PReLU", "Hardsigmoid", "Hardswish", "Softsign", "Tanhshrink", "Softshrink",
           "Hardshrink", "Threshold", "CELU", "RReLU", "Softmax2d", "MultiheadAttention"]


class _InplaceActivation(Module):
    """An activation ``_fn(input, inplace=...)`` with PyTorch's ``inplace`` flag (the result
    is written into the input), shown in its repr as PyTorch does."""

    _fn: Callable[..., Tensor]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return self._fn(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class _ScalarActivation(Module):
    """An activation ``_fn(input, <_param>, inplace=...)`` of one number, the attribute
    named ``_param``, shown in the repr with the ``inplace`` flag."""

    _fn: Callable[..., Tensor]
    _param: str

    def forward(self, input: Tensor) -> Tensor:
        return self._fn(input, getattr(self, self._param), inplace=self.inplace)

    def extra_repr(self) -> str:
        return (f"{self._param}={getattr(self, self._param)}"
                + (", inplace=True" if self.inplace else ""))


class _DimActivation(Module):
    """An activation ``_fn(input, dim)`` along one dim (softmax and its kin)."""

    _fn: Callable[..., Tensor]

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return self._fn(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class _Shrink(Module):
    """A shrink ``_fn(input, lambd)``; the repr shows ``lambd`` alone, as PyTorch's."""

    _fn: Callable[..., Tensor]

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return self._fn(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class ReLU(_InplaceActivation):
    """``max(x, 0)``; with ``inplace=True`` written into the input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ReLU()(ag.tensor([-1.0, 0.5, 2.0])).sum().item()
    2.5
    """

    _fn = staticmethod(F.relu)


class LeakyReLU(_ScalarActivation):
    """``x`` for positive x, else ``negative_slope * x``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.LeakyReLU(0.2)
    LeakyReLU(negative_slope=0.2)
    >>> nn.LeakyReLU(0.5)(ag.tensor([-2.0, 2.0])).tolist()
    [-1.0, 2.0]
    """

    _fn, _param = staticmethod(F.leaky_relu), "negative_slope"

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace


class ELU(_ScalarActivation):
    """``x`` for positive x, else ``alpha * (exp(x) - 1)``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ELU()
    ELU(alpha=1.0)
    >>> nn.ELU()(ag.tensor([0.0, 1.0])).tolist()
    [0.0, 1.0]
    """

    _fn, _param = staticmethod(F.elu), "alpha"

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace


class GELU(Module):
    """Gaussian error linear unit, exact (``approximate='none'``) or tanh-approximated.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.GELU(approximate="tanh")
    GELU(approximate='tanh')
    >>> nn.GELU()(ag.tensor([0.0])).tolist()
    [0.0]
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_InplaceActivation):
    """``x * sigmoid(x)``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.SiLU()(ag.tensor([0.0])).tolist()
    [0.0]
    """

    _fn = staticmethod(F.silu)


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Softplus()
    Softplus(beta=1.0, threshold=20.0)
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Tanh(Module):
    """Hyperbolic tangent.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Tanh()(ag.tensor([0.0])).tolist()
    [0.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return input.tanh()


class Sigmoid(Module):
    """Logistic sigmoid.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Sigmoid()(ag.tensor([0.0])).tolist()
    [0.5]
    """

    def forward(self, input: Tensor) -> Tensor:
        return input.sigmoid()


class Softmax(_DimActivation):
    """Softmax along ``dim``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Softmax(dim=-1)
    Softmax(dim=-1)
    >>> nn.Softmax(dim=1)(ag.zeros(1, 4)).tolist()
    [[0.25, 0.25, 0.25, 0.25]]
    """

    _fn = staticmethod(F.softmax)


class LogSoftmax(_DimActivation):
    """Log-softmax along ``dim``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> [round(v, 4) for v in nn.LogSoftmax(dim=0)(ag.zeros(2)).tolist()]
    [-0.6931, -0.6931]
    """

    _fn = staticmethod(F.log_softmax)


class Hardtanh(Module):
    """``x`` clamped to ``[min_val, max_val]``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Hardtanh()
    Hardtanh(min_val=-1.0, max_val=1.0)
    >>> nn.Hardtanh(-2.0, 2.0)(ag.tensor([-3.0, 1.0, 3.0])).tolist()
    [-2.0, 1.0, 2.0]
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        self.min_val = min_val if min_value is None else min_value
        self.max_val = max_val if max_value is None else max_value
        self.inplace = inplace
        if self.min_val > self.max_val:
            raise ValueError(f"Hardtanh: min_val cannot be greater than max_val, got "
                             f"min_val={self.min_val} and max_val={self.max_val}")

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, inplace=self.inplace)

    def extra_repr(self) -> str:
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))


class ReLU6(Hardtanh):
    """``min(max(x, 0), 6)``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.ReLU6()(ag.tensor([-1.0, 3.0, 9.0])).tolist()
    [0.0, 3.0, 6.0]
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Mish(_InplaceActivation):
    """``x * tanh(softplus(x))``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Mish()(ag.tensor([0.0])).tolist()
    [0.0]
    """

    _fn = staticmethod(F.mish)


class SELU(_InplaceActivation):
    """Scaled ELU with the self-normalising constants.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> [round(v, 4) for v in nn.SELU()(ag.tensor([0.0, 1.0])).tolist()]
    [0.0, 1.0507]
    """

    _fn = staticmethod(F.selu)


class LogSigmoid(Module):
    """``log(sigmoid(x))``, stable.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> [round(v, 4) for v in nn.LogSigmoid()(ag.tensor([0.0])).tolist()]
    [-0.6931]
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Softmin(_DimActivation):
    """``softmax(-x)`` along ``dim``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Softmin(dim=1)
    Softmin(dim=1)
    >>> nn.Softmin(dim=1)(ag.zeros(1, 2)).tolist()
    [[0.5, 0.5]]
    """

    _fn = staticmethod(F.softmin)


class GLU(_DimActivation):
    """Gated linear unit: halves ``a, b`` of ``dim`` give ``a * sigmoid(b)``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.GLU()
    GLU(dim=-1)
    >>> nn.GLU()(ag.randn(4, 6)).shape
    (4, 3)
    """

    _fn = staticmethod(F.glu)

    def __init__(self, dim: int = -1) -> None:
        super().__init__(dim)


class PReLU(Module):
    """``x`` for positive x, else ``weight * x`` with a learnt slope: one shared
    (``num_parameters=1``) or one per channel (dim 1), initialised to ``init``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> act = nn.PReLU()
    >>> act
    PReLU(num_parameters=1)
    >>> act(ag.tensor([-4.0, 4.0])).tolist()
    [-1.0, 4.0]
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(ag.full((num_parameters,), float(init), dtype=dtype))

    def reset_parameters(self) -> None:
        self.weight.detach().numpy()[...] = self.init

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Hardsigmoid(_InplaceActivation):
    """``relu6(x + 3) / 6``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Hardsigmoid()(ag.tensor([-4.0, 0.0, 4.0])).tolist()
    [0.0, 0.5, 1.0]
    """

    _fn = staticmethod(F.hardsigmoid)

    def extra_repr(self) -> str:
        return ""  # PyTorch shows no inplace flag here


class Hardswish(_InplaceActivation):
    """``x * relu6(x + 3) / 6``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Hardswish()(ag.tensor([-4.0, 4.0])).tolist()
    [-0.0, 4.0]
    """

    _fn = staticmethod(F.hardswish)

    def extra_repr(self) -> str:
        return ""  # PyTorch shows no inplace flag here


class Softsign(Module):
    """``x / (1 + |x|)``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Softsign()(ag.tensor([1.0])).tolist()
    [0.5]
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Tanhshrink(Module):
    """``x - tanh(x)``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Tanhshrink()(ag.tensor([0.0])).tolist()
    [0.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class Softshrink(_Shrink):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Softshrink()
    Softshrink(0.5)
    >>> nn.Softshrink(1.0)(ag.tensor([-3.0, 0.5, 2.0])).tolist()
    [-2.0, 0.0, 1.0]
    """

    _fn = staticmethod(F.softshrink)


class Hardshrink(_Shrink):
    """``x`` where ``|x| > lambd``, else 0.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Hardshrink()
    Hardshrink(0.5)
    >>> nn.Hardshrink(1.0)(ag.tensor([-3.0, 0.5, 2.0])).tolist()
    [-3.0, 0.0, 2.0]
    """

    _fn = staticmethod(F.hardshrink)


class Threshold(Module):
    """``x`` where ``x > threshold``, else ``value``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.Threshold(0.1, 20.0)
    >>> m
    Threshold(threshold=0.1, value=20.0)
    >>> m(ag.tensor([0.0, 1.0])).tolist()
    [20.0, 1.0]
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, inplace=self.inplace)

    def extra_repr(self) -> str:
        return (f"threshold={self.threshold}, value={self.value}"
                + (", inplace=True" if self.inplace else ""))


class CELU(_ScalarActivation):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.CELU()
    CELU(alpha=1.0)
    >>> nn.CELU(2.0)(ag.tensor([0.0, 1.0])).tolist()
    [0.0, 1.0]
    """

    _fn, _param = staticmethod(F.celu), "alpha"

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace


_ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU, "gelu": GELU, "tanh": Tanh, "sigmoid": Sigmoid, "leaky_relu": LeakyReLU,
    "elu": ELU, "silu": SiLU,
}


def make_activation(activation: str | type | Callable[[], Module] | Module) -> Module:
    """An activation module from a name (``'relu'``, ``'gelu'``, ``'tanh'``, ``'sigmoid'``,
    ``'leaky_relu'``, ``'elu'``, ``'silu'``), a Module class or factory, or a Module.

    >>> from autograd_core import nn
    >>> from autograd_core.nn.modules.activation import make_activation
    >>> make_activation("gelu"), make_activation(nn.Tanh), make_activation(nn.ReLU(inplace=True))
    (GELU(approximate='none'), Tanh(), ReLU(inplace=True))
    """
    if isinstance(activation, Module):
        return activation
    if isinstance(activation, str):
        key = activation.lower()
        if key not in _ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; expected one of "
                             f"{sorted(_ACTIVATIONS)} or a Module class")
        return _ACTIVATIONS[key]()
    if callable(activation):
        m = activation()
        if not isinstance(m, Module):
            raise TypeError(f"activation factory returned {type(m).__name__}, not an nn.Module")
        return m
    raise TypeError(f"activation must be a name, a Module class or a Module, got "
                    f"{type(activation).__name__}")


class RReLU(Module):
    """Randomized leaky ReLU: in training, each negative element is scaled by a slope
    drawn from U(lower, upper); in ``eval()`` mode by ``(lower + upper) / 2``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.RReLU(0.1, 0.3)
    RReLU(lower=0.1, upper=0.3)
    >>> nn.RReLU(0.1, 0.3).eval()(ag.tensor([-1.0, 2.0])).tolist()
    [-0.20000000298023224, 2.0]
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace
                                                            else "")


class Softmax2d(Module):
    """Softmax over the channels (dim -3) of (N, C, H, W) or (C, H, W) input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Softmax2d()(ag.zeros(1, 2, 1, 1)).reshape(-1).tolist()
    [0.5, 0.5]
    """

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"Softmax2d: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D "
                             "instead")
        return F.softmax(input, -3)
