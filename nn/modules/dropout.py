"""``Dropout``, ``Dropout1d``, ``Dropout2d`` and ``Dropout3d``: inverted dropout of
elements or of whole channels; ``AlphaDropout`` and ``FeatureAlphaDropout`` for SELU
networks; all active only in training mode.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.Dropout(0.5).eval()(ag.ones(2)).tolist()
[1.0, 1.0]
"""
from __future__ import annotations

from autograd_core import Tensor

from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]


class Dropout(Module):
    """In training, zero each element with probability ``p`` and scale the others by
    ``1/(1-p)``; in ``eval()`` mode, the identity. Uses the global generator
    (``autograd_core.manual_seed``). With ``inplace=True`` the result is written into the
    input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> drop = nn.Dropout(p=0.5)
    >>> sorted(set(drop(ag.ones(100)).tolist()))
    [0.0, 2.0]
    >>> drop.eval()(ag.ones(3)).tolist()
    [1.0, 1.0, 1.0]
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """In training, zero whole channels of (N, C, L) or (C, L) input with probability
    ``p`` and scale the others by ``1/(1-p)``; in ``eval()`` mode, the identity.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Dropout1d(0.2)
    Dropout1d(p=0.2, inplace=False)
    >>> nn.Dropout1d().eval()(ag.ones(1, 2, 3)).tolist()
    [[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(Dropout):
    """In training, zero whole channels (feature maps) of (N, C, H, W) input with
    probability ``p`` and scale the others by ``1/(1-p)``; in ``eval()`` mode, the
    identity.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> drop = nn.Dropout2d(0.5)
    >>> y = drop(ag.ones(4, 8, 3, 3))
    >>> sorted(set(y.reshape(-1).tolist()))
    [0.0, 2.0]
    >>> bool(((y == 0).all((2, 3)) | (y == 2).all((2, 3))).all())
    True
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(Dropout):
    """In training, zero whole channels (3-D feature maps) of (N, C, D, H, W) or
    (C, D, H, W) input with probability ``p`` and scale the others by ``1/(1-p)``; in
    ``eval()`` mode, the identity.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.Dropout3d(0.2)
    Dropout3d(p=0.2, inplace=False)
    >>> nn.Dropout3d().eval()(ag.ones(1, 2, 1, 1, 1)).reshape(-1).tolist()
    [1.0, 1.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(Dropout):
    """Alpha dropout (for SELU networks): in training, dropped elements take SELU's
    negative saturation and an affine map keeps zero mean and unit variance; in ``eval()``
    mode, the identity.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> drop = nn.AlphaDropout(0.2)
    >>> drop
    AlphaDropout(p=0.2, inplace=False)
    >>> y = drop(ag.randn(10000, dtype=ag.float64))
    >>> abs(y.mean().item()) < 0.05, abs(y.std().item() - 1) < 0.05
    (True, True)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training, self.inplace)


class FeatureAlphaDropout(Dropout):
    """Alpha dropout of whole channels (dim 1) of (N, C, ...) input; see ``AlphaDropout``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> y = nn.FeatureAlphaDropout(0.5)(ag.ones(4, 8, 3))
    >>> bool((y == y[:, :, :1]).all())
    True
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.feature_alpha_dropout(input, self.p, self.training, self.inplace)
