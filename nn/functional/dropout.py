"""Dropout: ``dropout`` of elements and ``dropout1d`` / ``dropout2d`` / ``dropout3d`` of
whole channels, inverted (the kept values scaled by ``1 / (1 - p)``), active only when
``training``; ``alpha_dropout`` and ``feature_alpha_dropout`` (for SELU networks) set the
dropped values to SELU's negative saturation and keep zero mean and unit variance.

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

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]


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
    is taken as (N, C, L) with a warning, as PyTorch does; another rank warns too and
    drops along its first two dims (a 2-D input: each element, mnist_rnn's use).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y = F.dropout2d(ag.ones(2, 50, 3, 3), 0.5)
    >>> bool(((y == 0).all((2, 3)) | (y == 2).all((2, 3))).all())
    True
    """
    _tensor(input, "dropout2d")
    if input.ndim < 2:
        raise RuntimeError(f"dropout2d: Feature dropout requires at least 2 dimensions in the "
                           f"input, got shape {tuple(input.shape)}")
    if input.ndim not in (3, 4):   # PyTorch warns and drops along the first two dims
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. Note "
                      "that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", stacklevel=3)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. To maintain the 1D "
                      "channel-wise dropout behavior, please switch to using dropout1d "
                      "instead.", stacklevel=2)
    mask_shape = input.shape[:2] + (1,) * (input.ndim - 2)
    return _dropout(input, p, training, mask_shape, generator)


@inplace_option
def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator: Generator | None = None) -> Tensor:
    """Zero whole channels (3-D feature maps) of (N, C, D, H, W) or (C, D, H, W) input with
    probability ``p`` and scale the rest by ``1/(1-p)``; the identity when ``training`` is
    False. Other ranks warn, as PyTorch, and drop along dim 0.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y = F.dropout3d(ag.ones(2, 50, 2, 2, 2), 0.5)
    >>> bool(((y == 0).all((2, 3, 4)) | (y == 2).all((2, 3, 4))).all())
    True
    """
    _tensor(input, "dropout3d")
    _check_p(p)
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. Note "
                      "that dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 4D or 5D inputs).", stacklevel=3)
    # as PyTorch: anything but 5-D gets a batch dim of 1, then whole dim-1 slices drop
    shape = input.shape if input.ndim == 5 else (1,) + tuple(input.shape)
    mask_shape = tuple(shape[:2]) + (1,) * (len(shape) - 2)
    if input.ndim != 5:
        mask_shape = mask_shape[1:]
    return _dropout(input, p, training, mask_shape, generator)


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


_SELU_SATURATION = 1.7580993408473766  # -SELU's limit at -inf: alpha * scale


def _alpha_dropout(input: Tensor, p: float, training: bool, feature: bool,
                   generator: Generator | None) -> Tensor:
    """PyTorch's alpha dropout: kept values ``a x + a alpha p``, dropped ones ``a alpha
    (p - 1)``, with ``a = 1 / sqrt((alpha^2 p + 1)(1 - p))``; ``feature`` drops whole
    channels (a mask of shape (N, C, 1, ...))."""
    _check_p(p)
    if p == 0.0 or not training or input.numel() == 0:
        return input
    if feature and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 1.0:
        return input * 0.0
    dt = input.dtype if input.dtype.kind == "f" else np.dtype(np.float32)
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2) if feature else tuple(input.shape)
    keep = (dropout_mask(shape, p, dt, generator) != 0).astype(dt)
    alpha = _SELU_SATURATION
    a = 1.0 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    b = (keep - 1) * (alpha * a) + alpha * a * p
    return input * ag.from_numpy((keep * a).astype(dt)) + ag.from_numpy(b.astype(dt))


@inplace_option
def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False, generator: Generator | None = None) -> Tensor:
    """Alpha dropout of each element (for SELU networks): dropped values become SELU's
    negative saturation, then an affine map keeps zero mean and unit variance. As
    PyTorch, ``training`` is False by default.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.alpha_dropout(ag.ones(3), 0.5).tolist()
    [1.0, 1.0, 1.0]
    >>> len(set(F.alpha_dropout(ag.ones(1000), 0.5, training=True).tolist()))
    2
    """
    return _alpha_dropout(_tensor(input, "alpha_dropout"), p, training, False, generator)


@inplace_option
def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False, generator: Generator | None = None) -> Tensor:
    """Alpha dropout of whole channels (dim 1) of (N, C, ...) input; see ``alpha_dropout``.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> y = F.feature_alpha_dropout(ag.ones(4, 30, 5), 0.5, training=True)
    >>> bool((y == y[:, :, :1]).all())
    True
    """
    return _alpha_dropout(_tensor(input, "feature_alpha_dropout"), p, training, True, generator)
