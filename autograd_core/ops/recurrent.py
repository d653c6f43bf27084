"""One LSTM or GRU time step as a single node, for ``nn.LSTM``/``nn.GRU`` and their cells.

Written as a dozen Tensor ops, a step records a dozen nodes, and four of them are
slices whose backward allocates a zero array of the whole gate block; one node per
step does the gate arithmetic on arrays in both directions. With ``create_graph=True``
the backward is the gradient of the Tensor-op version (``lstm_step_composite``,
``gru_step_composite``), so second derivatives still work.

    LSTM  i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (xw + h W_hh^T + b_hh)
          c' = f * c + i * g,   h' = o * tanh(c')
    GRU   r, z = sigmoid(xw_rz + (h W_hh^T + b_hh)_rz)
          n = tanh(xw_n + r * (h W_hh^T + b_hh)_n),   h' = n + z * (h - n)

``xw`` is the input's projection ``x W_ih^T + b_ih``, computed for all time steps at once.

>>> import autograd_core as ag
>>> from autograd_core.ops.recurrent import LSTMStep
>>> xw, h, c, w = ag.randn(3, 8), ag.zeros(3, 2), ag.zeros(3, 2), ag.randn(8, 2)
>>> LSTMStep.apply(xw, h, c, w).shape       # (h', c') stacked
(2, 3, 2)
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..autograd import composite_backward
from ..autograd.function import Function
from .movement import Cat
from .special import sigmoid_array

if TYPE_CHECKING:  # for annotations only: the Tensor type sits above this layer
    from ..tensor import Tensor


def _stacked(hc: tuple):
    """``stack([h, c])`` as recorded ops (the LSTM step's output layout)."""
    return Cat.apply(*(t.unsqueeze(0) for t in hc), dim=0)


def _hidden_gates(h: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    gh = h @ w.T
    if b is not None:
        gh += b
    return gh


def _weight_grads(ctx, k: int, dgates: np.ndarray, h: np.ndarray) -> list:
    """Gradients for ``w_hh`` (input ``k``) and ``b_hh`` (input ``k + 1``, if given) from
    the gradient of the hidden-side gate block ``h W_hh^T + b_hh``."""
    need = ctx.needs_input_grad
    out = [dgates.T @ h if need[k] else None]
    if len(need) > k + 1:
        out.append(dgates.sum(0) if need[k + 1] else None)
    return out


# ------------------------------------------------------------------------------ LSTM
def lstm_step_composite(xw: Tensor, h: Tensor, c: Tensor, w: Tensor,
                        b: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """The LSTM step in Tensor ops: the reference, and the second-derivative path."""
    n = h.shape[-1]
    gates = xw + h @ w.mT
    if b is not None:
        gates = gates + b
    s = gates.sigmoid()
    c = s[..., n:2 * n] * c + s[..., :n] * gates[..., 2 * n:3 * n].tanh()
    return s[..., 3 * n:] * c.tanh(), c


class LSTMStep(Function):
    """``apply(xw, h, c, w_hh[, b_hh])`` -> ``stack([h', c'])``; ``xw`` (N, 4H), ``h`` and
    ``c`` (N, H), ``w_hh`` (4H, H)."""

    op = "lstm_step"

    @staticmethod
    def forward(ctx, xw, h, c, w, b=None):
        n = h.shape[-1]
        gates = _hidden_gates(h, w, b)
        gates += xw
        act = sigmoid_array(gates)  # i, f, (unused), o
        act[:, 2 * n:3 * n] = np.tanh(gates[:, 2 * n:3 * n])   # g
        i, f, g, o = (act[:, k * n:(k + 1) * n] for k in range(4))
        out = np.empty((2,) + h.shape, act.dtype)
        np.multiply(f, c, out=out[1])
        out[1] += i * g
        tc = np.tanh(out[1])
        np.multiply(o, tc, out=out[0])
        ctx.act, ctx.tc = act, tc
        ctx.save_for_backward(xw, h, c, w, b)
        return out

    @staticmethod
    def backward(ctx, grad):
        return composite_backward(ctx, grad, lambda *ins: _stacked(lstm_step_composite(*ins)), ctx.saved_tensors[:len(ctx.next)])

    @staticmethod
    def array_backward(ctx, grad):
        xw, h, c, w, _ = ctx.saved_arrays
        n = h.shape[-1]
        act, tc = ctx.act, ctx.tc
        i, f, g, o = (act[:, k * n:(k + 1) * n] for k in range(4))
        dh_out, dc_out = grad[0], grad[1]
        dc = dh_out * o * (1 - tc * tc) + dc_out
        dgates = np.empty_like(act)
        np.multiply(dc * g, i * (1 - i), out=dgates[:, :n])
        np.multiply(dc * c, f * (1 - f), out=dgates[:, n:2 * n])
        np.multiply(dc * i, 1 - g * g, out=dgates[:, 2 * n:3 * n])
        np.multiply(dh_out * tc, o * (1 - o), out=dgates[:, 3 * n:])
        return (dgates, dgates @ w, dc * f, *_weight_grads(ctx, 3, dgates, h))


# ------------------------------------------------------------------------------- GRU
def gru_step_composite(xw: Tensor, h: Tensor, w: Tensor, b: Tensor | None = None) -> Tensor:
    """The GRU step in Tensor ops: the reference, and the second-derivative path."""
    n = h.shape[-1]
    gh = h @ w.mT
    if b is not None:
        gh = gh + b
    rz = (xw[..., :2 * n] + gh[..., :2 * n]).sigmoid()
    new = (xw[..., 2 * n:] + rz[..., :n] * gh[..., 2 * n:]).tanh()
    return new + rz[..., n:] * (h - new)


class GRUStep(Function):
    """``apply(xw, h, w_hh[, b_hh])`` -> ``h'``; ``xw`` (N, 3H), ``h`` (N, H), ``w_hh`` (3H, H)."""

    op = "gru_step"

    @staticmethod
    def forward(ctx, xw, h, w, b=None):
        n = h.shape[-1]
        gh = _hidden_gates(h, w, b)
        rz = sigmoid_array(xw[:, :2 * n] + gh[:, :2 * n])
        r, z = rz[:, :n], rz[:, n:]
        new = np.tanh(xw[:, 2 * n:] + r * gh[:, 2 * n:])
        ctx.gh_n, ctx.rz, ctx.new = gh[:, 2 * n:], rz, new
        ctx.save_for_backward(xw, h, w, b)
        return new + z * (h - new)

    @staticmethod
    def backward(ctx, grad):
        return composite_backward(ctx, grad, gru_step_composite,
                                  ctx.saved_tensors[:len(ctx.next)])

    @staticmethod
    def array_backward(ctx, g):
        xw, h, w, _ = ctx.saved_arrays
        n = h.shape[-1]
        rz, new, gh_n = ctx.rz, ctx.new, ctx.gh_n
        r, z = rz[:, :n], rz[:, n:]
        dpre_n = g * (1 - z) * (1 - new * new)
        dxw = np.empty_like(xw, shape=(h.shape[0], 3 * n))
        np.multiply(dpre_n * gh_n, r * (1 - r), out=dxw[:, :n])
        np.multiply(g * (h - new), z * (1 - z), out=dxw[:, n:2 * n])
        dxw[:, 2 * n:] = dpre_n
        dgh = dxw.copy()         # the hidden-side block: r scales its n part
        dgh[:, 2 * n:] *= r
        return (dxw, dgh @ w + g * z, *_weight_grads(ctx, 2, dgh, h))


# --------------------------------------------------------------------------- one step
def lstm_step(xw: Tensor, h: Tensor, c: Tensor, w: Tensor,
              b: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step ``(h', c')``: the fused ``LSTMStep`` on a batch of rows (2-D ``xw``),
    the Tensor-op version on any other layout.

    >>> import autograd_core as ag
    >>> from autograd_core.ops.recurrent import lstm_step
    >>> h, c = lstm_step(ag.randn(3, 8), ag.zeros(3, 2), ag.zeros(3, 2), ag.randn(8, 2))
    >>> h.shape, c.shape
    ((3, 2), (3, 2))
    """
    if xw.ndim != 2:
        return lstm_step_composite(xw, h, c, w, b)
    hc = LSTMStep.apply(xw, h, c, w, *(() if b is None else (b,)))
    return hc[0], hc[1]


def gru_step(xw: Tensor, h: Tensor, w: Tensor, b: Tensor | None = None) -> Tensor:
    """One GRU step ``h'``: the fused ``GRUStep`` on a batch of rows (2-D ``xw``), the
    Tensor-op version on any other layout.

    >>> import autograd_core as ag
    >>> from autograd_core.ops.recurrent import gru_step
    >>> gru_step(ag.randn(3, 6), ag.zeros(3, 2), ag.randn(6, 2)).shape
    (3, 2)
    """
    if xw.ndim != 2:
        return gru_step_composite(xw, h, w, b)
    return GRUStep.apply(xw, h, w, *(() if b is None else (b,)))
