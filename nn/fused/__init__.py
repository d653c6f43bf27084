"""Fused differentiable ops behind ``nn.functional``: forward and backward on NumPy
arrays in one node each, for speed.

Every op here has a plain-array backward for ``backward()`` and, when a graph of the
gradient is wanted (``create_graph=True``), falls back to ``composite_backward``: the
gradient of the same computation written in Tensor ops, so second derivatives work.
"""
from __future__ import annotations

from typing import Any, Callable

from autograd_core.autograd import grad as _grad
from autograd_core.grad_mode import STATE


def recording() -> bool:
    """True inside a backward run with ``create_graph=True`` (grad mode is on there)."""
    return STATE.enabled


def composite_backward(ctx: Any, grad: Any, fn: Callable[..., Any]) -> tuple:
    """Gradients for ``ctx``'s inputs from ``fn(*inputs)``, a Tensor-op version of the
    op's forward, with ``create_graph=True``: differentiable again."""
    parents = ctx.parents
    needs = ctx.needs_input_grad
    wrt = [p for p, need in zip(parents, needs) if need]
    out = fn(*parents)
    gs = iter(_grad(out, wrt, grad, create_graph=True, allow_unused=True))
    return tuple(next(gs) if need else None for need in needs)
