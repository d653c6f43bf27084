"""``Linear``: the core's fused ``x @ weight.T + bias`` op (``autograd_core.ops.matmul``)."""
from __future__ import annotations

from autograd_core.ops.matmul import Linear

__all__ = ["Linear"]
