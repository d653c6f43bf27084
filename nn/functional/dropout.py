"""Dropout: ``dropout`` of elements and ``dropout1d`` / ``dropout2d`` of whole channels,
inverted (the kept values scaled by ``1 / (1 - p)``), active only when ``training``.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.dropout(ag.ones(4), 0.5, training=False).tolist()
[1.0, 1.0, 1.0, 1.0]
"""
from __future__ import annotations

import warnings

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.autograd import inplace_option
from autograd_core.random import Generator, dropout_mask

from .arguments import _tensor

__all__ = ["dropout", "dropout1d", "dropout2d"]


@inplace_option
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
            generator: Generator | None = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)``
    (inverted dropout); the identity when ``training`` is False. Random numbers come
    from the global generator (``autograd_core.manual_seed``) or ``generator``.
    With ``inplace=True`` the result is written into ``input``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y = F.dropout(ag.ones(1000), 0.5)
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    """
    return _dropout(input, p, training, input.shape, generator)


def _dropout(input: Tensor, p: float, training: bool, mask_shape: tuple,
             generator: Generator | None) -> Tensor:
    """``input`` times the core's dropout mask of ``mask_shape`` (which broadcasts: a mask
    of (N, C, 1, ...) drops whole channels)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    dt = input.dtype
    if dt.kind != "f":
        dt = np.dtype(np.float32)
    return input * ag.from_numpy(dropout_mask(mask_shape, p, dt, generator))


@inplace_option
def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator: Generator | None = None) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p`` and scale
    the rest by ``1/(1-p)``; the identity when ``training`` is False.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y = F.dropout1d(ag.ones(2, 50, 3), 0.5)
    >>> bool(((y == 0).all(-1) | (y == 2).all(-1)).all())
    True
    """
    _tensor(input, "dropout1d")
    if input.ndim not in (2, 3):
        raise ValueError(f"dropout1d: expected 2D (C, L) or 3D (N, C, L) input, got shape "
                         f"{tuple(input.shape)}")
    return _dropout(input, p, training, input.shape[:-1] + (1,), generator)


@inplace_option
def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator: Generator | None = None) -> Tensor:
    """Zero whole channels (feature maps) of (N, C, H, W) input with probability ``p`` and
    scale the rest by ``1/(1-p)``; the identity when ``training`` is False. A 3-D input
    is taken as (N, C, L) with a warning, as PyTorch does.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y = F.dropout2d(ag.ones(2, 50, 3, 3), 0.5)
    >>> bool(((y == 0).all((2, 3)) | (y == 2).all((2, 3))).all())
    True
    """
    _tensor(input, "dropout2d")
    if input.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected 3D or 4D (N, C, H, W) input, got shape "
                         f"{tuple(input.shape)}")
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. To maintain the 1D "
                      "channel-wise dropout behavior, please switch to using dropout1d "
                      "instead.", stacklevel=2)
    mask_shape = input.shape[:2] + (1,) * (input.ndim - 2)
    return _dropout(input, p, training, mask_shape, generator)
