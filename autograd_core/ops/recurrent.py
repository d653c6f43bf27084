"""Recurrent ops: a whole LSTM or Elman RNN layer as a single node (``nn.LSTM``,
``nn.RNN``), and one LSTM or GRU time step as a single node (``nn.GRU`` and the cells).

Written as a dozen Tensor ops, a step records a dozen nodes, and four of them are
slices whose backward allocates a zero array of the whole gate block; one node per
step does the gate arithmetic on arrays in both directions. The LSTM layer goes further:
one node runs the time loop on arrays (per step one matmul, NumPy's exp and tanh, and
one call of ``kernels/recurrent.py`` for the rest), keeps every step's activations,
and in backward sums the recurrent weight's gradient over all steps in one matmul.
With ``create_graph=True`` the backward is the gradient of the Tensor-op version
(``lstm_layer_composite``, ``lstm_step_composite``, ``gru_step_composite``), so second
derivatives still work.

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
from ..kernels.matmul import matmul_packed, matmul_panels, pack_panels
from ..kernels.recurrent import lstm_cell_kernels
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


# ------------------------------------------------------------------- Elman RNN (tanh/relu)
def rnn_step_composite(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None = None,
                       relu: bool = False) -> Tensor:
    """One Elman RNN step in Tensor ops, ``act(xw + (h W_hh^T + b_hh))``: ``nn.RNNCell``,
    the steps of a packed sequence, and ``RNNLayer``'s reference."""
    lin = h @ w_hh.mT
    if b_hh is not None:
        lin = lin + b_hh
    pre = xw + lin
    return pre.relu() if relu else pre.tanh()


def rnn_layer_composite(xw: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor | None = None,
                        relu: bool = False, reverse: bool = False) -> Tensor:
    """``RNNLayer`` in Tensor ops (the reference, and the second-derivative path): the
    hidden states of the steps in time order, (L, N, H)."""
    h = h0
    hs: list = [None] * xw.shape[0]
    for t in (range(xw.shape[0] - 1, -1, -1) if reverse else range(xw.shape[0])):
        h = rnn_step_composite(xw[t], h, w_hh, b_hh, relu)
        hs[t] = h.unsqueeze(0)
    return Cat.apply(*hs, dim=0)


class RNNLayer(Function):
    """One Elman RNN layer (``nn.RNN``) over a whole sequence from its input's projection:
    ``apply(xw, h0, w_hh[, b_hh], relu=, reverse=)`` -> (L, N, H), the hidden state of
    every step in time order, ``h' = tanh(xw[t] + (h W_hh^T + b_hh))`` (or relu). ``xw``
    (L, N, H) is ``x W_ih^T + b_ih`` for all steps, ``h0`` (N, H), ``w_hh`` (H, H); with
    ``reverse`` the steps run from L - 1 down to 0.

    One node for the time loop (per step one matmul and two adds on arrays, where the
    steps as Tensor ops record five nodes each); backward runs the steps back, one
    matmul each, and takes the recurrent weight's gradient over all steps in one."""

    op = "rnn"

    @staticmethod
    def forward(ctx, xw, h0, w_hh, b_hh=None, relu=False, reverse=False):
        length = xw.shape[0]
        out = np.empty(xw.shape, xw.dtype)
        wt = w_hh.T
        h = h0
        for t in (range(length - 1, -1, -1) if reverse else range(length)):
            pre = matmul_packed(h, wt)          # the order of the Tensor ops' sums:
            if b_hh is not None:                # xw + ((h W^T) + b)
                pre += b_hh
            pre += xw[t]
            if relu:
                np.maximum(pre, pre.dtype.type(0), out=out[t])   # a NaN stays NaN
            else:
                np.tanh(pre, out=out[t])
            h = out[t]
        ctx.relu, ctx.reverse = relu, reverse
        ctx.save_for_backward(xw, h0, w_hh, b_hh, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        ins = ctx.saved_tensors[:len(ctx.next)]
        return composite_backward(ctx, grad, lambda *t: rnn_layer_composite(
            *t, relu=ctx.relu, reverse=ctx.reverse), ins)

    @staticmethod
    def array_backward(ctx, grad):
        _, h0, w_hh, _, out = ctx.saved_arrays
        relu, reverse = ctx.relu, ctx.reverse
        length, n, hid = out.shape
        dpre = np.empty_like(out)
        dh = None
        for t in (range(length) if reverse else range(length - 1, -1, -1)):
            g = grad[t] if dh is None else grad[t] + dh
            if relu:   # PyTorch's mask: not out <= 0 (a NaN passes the gradient)
                np.multiply(g, out[t] != 0, out=dpre[t])
            else:
                y = out[t]
                np.multiply(g, 1 - y * y, out=dpre[t])
            dh = matmul_packed(dpre[t], w_hh)
        need = ctx.needs_input_grad
        dw = db = None
        if need[2]:
            # each step's previous state: the output one step back in the loop's order,
            # and h0 for the first step
            prev = np.empty_like(out)
            if reverse:
                prev[:-1] = out[1:]
                prev[-1] = h0
            else:
                prev[1:] = out[:-1]
                prev[0] = h0
            dw = matmul_packed(dpre.reshape(-1, hid).T, prev.reshape(-1, hid))
        if len(need) > 3 and need[3]:
            db = dpre.reshape(-1, hid).sum(0)
        return dpre, dh, dw, db


def rnn_layer(xw: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor | None = None,
              relu: bool = False, reverse: bool = False) -> Tensor:
    """An Elman RNN layer over the projected input ``xw`` (L, N, H) from ``h0`` (N, H):
    the hidden state of every step, (L, N, H) (``RNNLayer``).

    >>> import autograd_core as ag
    >>> from autograd_core.ops.recurrent import rnn_layer
    >>> rnn_layer(ag.randn(5, 3, 2), ag.zeros(3, 2), ag.randn(2, 2)).shape
    (5, 3, 2)
    """
    biases = () if b_hh is None else (b_hh,)
    return RNNLayer.apply(xw, h0, w_hh, *biases, relu=relu, reverse=reverse)


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
        # the cell kernel of the layer (``kernels/recurrent.py``) on the negated
        # pre-activation: the same operations as 1 / (1 + exp(-pre)) and tanh(pre)
        act = _hidden_gates(h, w, b)
        act += xw
        np.negative(act, out=act)
        out = np.empty((2,) + h.shape, act.dtype)
        tc = np.empty(h.shape, act.dtype)
        cell, one = lstm_cell_kernels()[0], act.dtype.type(1)
        cell(act, _contiguous(c), out[1], tc, out[0], one)   # act: i, f, g, o; out: h', c'
        ctx.act, ctx.tc = act, tc
        ctx.save_for_backward(xw, h, c, w, b)
        return out

    @staticmethod
    def backward(ctx, grad):
        return composite_backward(ctx, grad, lambda *ins: _stacked(lstm_step_composite(*ins)), ctx.saved_tensors[:len(ctx.next)])

    @staticmethod
    def array_backward(ctx, grad):
        xw, h, c, w, _ = ctx.saved_arrays
        act, tc = ctx.act, ctx.tc
        grad = _contiguous(grad)
        dc = np.array(grad[1])                 # becomes the gradient of c, in place
        dgates = np.empty_like(act)
        cell, one = lstm_cell_kernels()[1], act.dtype.type(1)
        cell(grad[0], np.zeros_like(dc), dc, act, _contiguous(c), tc, dgates, one)
        return (dgates, dgates @ w, dc, *_weight_grads(ctx, 3, dgates, h))


def lstm_layer_composite(x: Tensor, h0: Tensor, c0: Tensor, w_ih: Tensor, w_hh: Tensor,
                         b_ih: Tensor | None = None, b_hh: Tensor | None = None,
                         reverse: bool = False) -> Tensor:
    """``LSTMLayer`` in Tensor ops (the reference, and the second-derivative path): the
    hidden states of the steps in time order, then the last cell state, (L + 1, N, H)."""
    length = x.shape[0]
    xw = x @ w_ih.mT
    if b_ih is not None:
        xw = xw + b_ih
    h, c = h0, c0
    hs: list = [None] * length
    for t in (range(length - 1, -1, -1) if reverse else range(length)):
        h, c = lstm_step_composite(xw[t], h, c, w_hh, b_hh)
        hs[t] = h.unsqueeze(0)
    return Cat.apply(*hs, c.unsqueeze(0), dim=0)


def _contiguous(a: np.ndarray) -> np.ndarray:
    """``a`` as a C-contiguous, writeable array (a copy only when it is not one): the one
    layout the step kernels are compiled for."""
    return a if a.flags.c_contiguous and a.flags.writeable else np.array(a, order="C")


class LSTMLayer(Function):
    """One LSTM layer over a whole sequence, input projection included:
    ``apply(x, h0, c0, w_ih, w_hh[, b_ih, b_hh], reverse=)`` -> (L + 1, N, H), the hidden
    state of every step (in time order) and then the last cell state. ``x`` (L, N, I),
    ``h0`` and ``c0`` (N, H), ``w_ih`` (4H, I), ``w_hh`` (4H, H); with ``reverse`` the
    steps run from L - 1 down to 0 (the backward direction of a bidirectional layer).

    Forward keeps every step's activations, cell state and its tanh; backward runs the
    steps back (per step one kernel call and one matmul), then takes both weights'
    gradients over all steps in one matmul; both biases get the same gradient."""

    op = "lstm"

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, reverse=False):
        length, n = x.shape[:2]
        hid = h0.shape[-1]
        # The loop works on the negated pre-activations -(x W_ih^T + b + h W_hh^T): exp
        # needs them, and the negated weights give them exactly (rounding is symmetric)
        # without a pass to negate; tanh(-pre) = -g, which the cell kernel turns round.
        # ``acts`` holds them for every step, then (in place) the activations i, f, g, o.
        acts = matmul_packed(x.reshape(-1, x.shape[-1]), np.negative(w_ih).T)
        acts = acts.reshape(length, n, 4 * hid)
        if b_ih is not None:
            acts -= b_ih + b_hh
        out = np.empty((length + 1, n, hid), acts.dtype)
        cs = np.empty((length, n, hid), acts.dtype)
        tcs = np.empty((length, n, hid), acts.dtype)
        neg_w = np.negative(w_hh).T
        panels = pack_panels(neg_w)
        cell, one = lstm_cell_kernels()[0], acts.dtype.type(1)
        h, c = _contiguous(h0), _contiguous(c0)
        for t in (range(length - 1, -1, -1) if reverse else range(length)):
            a = matmul_panels(h, neg_w, panels, acts[t], accumulate=True)   # -pre
            cell(a, c, cs[t], tcs[t], out[t], one)
            c, h = cs[t], out[t]
        out[length] = c
        ctx.reverse = reverse
        ctx.acts, ctx.cs, ctx.tcs = acts, cs, tcs
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        ins = ctx.saved_tensors[:len(ctx.next)]
        return composite_backward(ctx, grad, lambda *t: lstm_layer_composite(
            *t, reverse=ctx.reverse), ins)

    @staticmethod
    def array_backward(ctx, grad):
        x, h0, c0, w_ih, w_hh, _, _, out = ctx.saved_arrays
        acts, cs, tcs, reverse = ctx.acts, ctx.cs, ctx.tcs, ctx.reverse
        length, n, hid = cs.shape
        grad = _contiguous(grad)
        dg = np.empty_like(acts)
        dh = np.zeros((n, hid), acts.dtype)
        dc = np.array(grad[length])
        c0 = _contiguous(c0)
        steps = range(length) if reverse else range(length - 1, -1, -1)
        first = steps[-1]   # the step that starts from (h0, c0)
        cell, one = lstm_cell_kernels()[1], acts.dtype.type(1)
        panels = pack_panels(w_hh)
        for t in steps:
            c_prev = c0 if t == first else cs[t + 1 if reverse else t - 1]
            cell(grad[t], dh, dc, acts[t], c_prev, tcs[t], dg[t], one)
            matmul_panels(dg[t], w_hh, panels, dh)
        need = ctx.needs_input_grad
        rows = dg.reshape(-1, 4 * hid)
        dx = matmul_packed(rows, w_ih).reshape(x.shape) if need[0] else None
        dw_ih = dw_hh = None
        if need[3] or need[4]:
            # both weights' gradients in one matmul: the gate gradients of every step
            # against the step's input and previous hidden state side by side, taken as
            # (z^T rows)^T with z^T written directly (transposing rows would cost more)
            inp = x.shape[-1]
            zt = np.empty((inp + hid, length, n), acts.dtype)
            zt[:inp] = x.transpose(2, 0, 1)
            if reverse:
                zt[inp:, :-1] = out[1:length].transpose(2, 0, 1)
            else:
                zt[inp:, 1:] = out[:length - 1].transpose(2, 0, 1)
            zt[inp:, first] = h0.T
            # rows are contiguous, so packing them is cheap: the tile however many steps
            zt = zt.reshape(inp + hid, -1)
            dw = matmul_panels(zt, rows, pack_panels(rows),
                               np.empty((inp + hid, 4 * hid), acts.dtype)).T
            dw_ih = dw[:, :inp] if need[3] else None
            dw_hh = dw[:, inp:] if need[4] else None
        grads = (dx, dh, dc, dw_ih, dw_hh)
        if len(need) > 5:
            db = rows.sum(0) if need[5] or need[6] else None
            grads += (db if need[5] else None, db if need[6] else None)
        return grads


def lstm_layer(x: Tensor, h0: Tensor, c0: Tensor, w_ih: Tensor, w_hh: Tensor,
               b_ih: Tensor | None = None, b_hh: Tensor | None = None,
               reverse: bool = False) -> tuple[Tensor, Tensor, Tensor]:
    """One LSTM layer over a sequence ``x`` (L, N, I) from ``(h0, c0)``: ``(output, h_n,
    c_n)``, output (L, N, H) the hidden state of every step. Both biases or neither.

    >>> import autograd_core as ag
    >>> from autograd_core.ops.recurrent import lstm_layer
    >>> out, h, c = lstm_layer(ag.randn(5, 3, 4), ag.zeros(3, 2), ag.zeros(3, 2),
    ...                        ag.randn(8, 4), ag.randn(8, 2))
    >>> out.shape, h.shape, c.shape
    ((5, 3, 2), (3, 2), (3, 2))
    """
    length = x.shape[0]
    biases = () if b_ih is None else (b_ih, b_hh)
    res = LSTMLayer.apply(x, h0, c0, w_ih, w_hh, *biases, reverse=reverse)
    return res[:length], res[0 if reverse else length - 1], res[length]


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
