"""Fused differentiable ops behind ``nn.functional``: forward and backward on NumPy
arrays in one node each, for speed.

Every op here declares a plain-array ``array_backward`` (used by ``backward()``) and a
``backward`` that differentiates the same computation written in Tensor ops
(``composite_backward``), which the engine uses when a graph of the gradient is wanted
(``create_graph=True``), so second derivatives work.
"""
from __future__ import annotations

from autograd_core.autograd import composite_backward

__all__ = ["composite_backward"]
