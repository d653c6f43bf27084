"""Weight initialisation, as ``torch.nn.init``: fill a tensor in place (without
recording a graph) and return it. Random ones use the global generator
(``autograd_core.manual_seed``) unless ``generator=`` is given.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> w = ag.empty(256, 784)
>>> _ = nn.init.kaiming_uniform_(w, nonlinearity="relu")
>>> bound = (6 / 784) ** 0.5
>>> float(w.abs().max()) <= bound
True
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_core import Generator, Tensor, no_grad
from autograd_core.random import rng

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
           "zeros_", "eye_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_", "orthogonal_"]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's values).

    ===========  =====================================
    linear/conv  1
    sigmoid      1
    tanh         5/3
    relu         sqrt(2)
    leaky_relu   sqrt(2 / (1 + negative_slope**2)), slope 0.01 by default
    selu         3/4
    ===========  =====================================

    >>> from autograd_core import nn
    >>> round(nn.init.calculate_gain("leaky_relu", 0.2), 4)
    1.3868
    """
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _check(tensor: Any, fn: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init.{fn}: expected a Tensor, got {type(tensor).__name__}")
    return tensor


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    with no_grad():
        np.copyto(tensor.detach().numpy(), values, casting="unsafe")
    return tensor


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (got shape {tuple(tensor.shape)})")
    receptive = int(np.prod(tensor.shape[2:])) if tensor.dim() > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Generator | None = None) -> Tensor:
    """Fill with U(a, b).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> t = nn.init.uniform_(ag.empty(1000), -1, 1)
    >>> bool((t >= -1).all() and (t < 1).all())
    True
    """
    _check(tensor, "uniform_")
    return _fill(tensor, rng(generator).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std**2).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> t = nn.init.normal_(ag.empty(10000), 3.0, 0.5)
    >>> abs(float(t.mean()) - 3.0) < 0.05
    True
    """
    _check(tensor, "normal_")
    return _fill(tensor, rng(generator).normal(mean, std, tensor.shape))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std**2) truncated to [a, b] (redrawing the values outside).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> t = nn.init.trunc_normal_(ag.empty(1000), a=-1.0, b=1.0)
    >>> bool((t.abs() <= 1).all())
    True
    """
    _check(tensor, "trunc_normal_")
    if not a < b:
        raise ValueError(f"trunc_normal_: expected a < b, got a={a}, b={b}")
    g = rng(generator)
    out = g.normal(mean, std, tensor.shape)
    bad = (out < a) | (out > b)
    for _ in range(1000):
        if not bad.any():
            break
        out[bad] = g.normal(mean, std, int(bad.sum()))
        bad = (out < a) | (out > b)
    np.clip(out, a, b, out=out)
    return _fill(tensor, out)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.init.constant_(ag.empty(2), 0.5).tolist()
    [0.5, 0.5]
    """
    _check(tensor, "constant_")
    return _fill(tensor, np.asarray(val))


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.init.ones_(ag.empty(2)).tolist()
    [1.0, 1.0]
    """
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.init.zeros_(ag.empty(2)).tolist()
    [0.0, 0.0]
    """
    return constant_(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.init.eye_(ag.empty(2, 3)).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    _check(tensor, "eye_")
    if tensor.dim() != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    return _fill(tensor, np.eye(*tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: Generator | None = None) -> Tensor:
    """Glorot uniform: U(-b, b) with ``b = gain * sqrt(6 / (fan_in + fan_out))``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> w = nn.init.xavier_uniform_(ag.empty(30, 20))
    >>> float(w.abs().max()) <= (6 / 50) ** 0.5
    True
    """
    _check(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: Generator | None = None) -> Tensor:
    """Glorot normal: N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> w = nn.init.xavier_normal_(ag.empty(200, 300))
    >>> abs(float(w.std()) - (2 / 500) ** 0.5) < 0.002
    True
    """
    _check(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming(tensor: Tensor, fn: str, a: float, mode: str,
             nonlinearity: str) -> tuple[float, float] | None:
    """``(gain, sqrt(fan))`` of He initialisation, or None for an empty tensor."""
    _check(tensor, fn)
    if 0 in tensor.shape:
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a), math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: Generator | None = None) -> Tensor:
    """He uniform: U(-b, b) with ``b = gain * sqrt(3 / fan)``, ``gain = calculate_gain(
    nonlinearity, a)`` and ``fan`` the fan-in or fan-out (``mode``).

    ``nn.Linear`` and the conv layers use ``a=sqrt(5)``, which gives U(-1/sqrt(fan_in),
    1/sqrt(fan_in)).

    >>> import math, autograd_core as ag, autograd_core.nn as nn
    >>> w = nn.init.kaiming_uniform_(ag.empty(64, 100), a=math.sqrt(5))
    >>> float(w.abs().max()) <= 0.1
    True
    """
    scale = _kaiming(tensor, "kaiming_uniform_", a, mode, nonlinearity)
    if scale is None:
        return tensor
    gain, root_fan = scale
    bound = math.sqrt(3.0) * gain / root_fan
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: Generator | None = None) -> Tensor:
    """He normal: N(0, std**2) with ``std = gain / sqrt(fan)``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> w = nn.init.kaiming_normal_(ag.empty(400, 200), mode="fan_out", nonlinearity="relu")
    >>> abs(float(w.std()) - (2 / 400) ** 0.5) < 0.002
    True
    """
    scale = _kaiming(tensor, "kaiming_normal_", a, mode, nonlinearity)
    if scale is None:
        return tensor
    gain, root_fan = scale
    return normal_(tensor, 0.0, gain / root_fan, generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix (rows or columns orthonormal), times ``gain``.

    >>> import numpy as np, autograd_core as ag, autograd_core.nn as nn
    >>> w = nn.init.orthogonal_(ag.empty(3, 5)).numpy()
    >>> bool(np.allclose(w @ w.T, np.eye(3), atol=1e-5))
    True
    """
    _check(tensor, "orthogonal_")
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = rng(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))

