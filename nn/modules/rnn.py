"""Recurrent layers, as ``torch.nn``: ``RNN``, ``LSTM``, ``GRU`` and the cells ``RNNCell``,
``LSTMCell``, ``GRUCell``, with PyTorch's arguments, parameter names, shapes, gate order
and initialisation.

They are written with differentiable Tensor ops and one Python loop over the time
steps, so gradients and second derivatives come from the engine. Per layer and
direction, the input projection ``x @ W_ih.T + b_ih`` of all time steps is one matmul
before the loop; an LSTM layer's time loop is then one node, each GRU step one node
(``autograd_core.ops.recurrent``: one matmul ``h @ W_hh.T + b_hh`` for all gates per
step, the gate arithmetic on arrays), and an RNN step three ops.

Gate order, as PyTorch: LSTM ``i, f, g, o`` and GRU ``r, z, n``::

    RNN   h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)         (or relu)
    LSTM  i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (x W_ih^T + b_ih + h W_hh^T + b_hh)
          c' = f * c + i * g,   h' = o * tanh(c')
    GRU   r, z = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr), sigmoid(... z ...)
          n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)),   h' = (1 - z) * n + z * h

Longer than 600 lines on purpose: one concept (the recurrent layers and their one-step
cells, which share the step functions and argument checks at the top of this file), kept
in one file as PyTorch keeps it.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> lstm = nn.LSTM(8, 16, num_layers=2, batch_first=True)
>>> out, (h, c) = lstm(ag.randn(4, 10, 8))
>>> out.shape, h.shape, c.shape
((4, 10, 16), (2, 4, 16), (2, 4, 16))
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.recurrent import (gru_step, lstm_layer, lstm_step, rnn_layer,
                                         rnn_step_composite)

from .. import functional as F
from .. import init
from ..functional.arguments import _check_dtype
from ..parameter import Parameter, _empty, _float_dtype
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_CHUNKS = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ------------------------------------------------------------------ one time step
def _time_steps(x: Tensor) -> list[Tensor]:
    """``[x[0], ..., x[L-1]]``; in backward each step's gradient is added into one buffer
    of ``x``'s shape (the engine's ``add_into``), so L steps cost O(L)."""
    return [x[t] for t in range(x.shape[0])]


def _check_input(name: str, input: Any, ndims: tuple, input_size: int, weight: Tensor,
                 type_note: str, dim_note: str, size_message: str) -> None:
    """Check a recurrent layer's or cell's input: a Tensor of ``ndims`` dims with
    ``input_size`` features and ``weight``'s dtype; the notes and message are PyTorch's
    words for each."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}{type_note}")
    if input.ndim not in ndims:
        raise ValueError(f"{name}: Expected input to be {ndims[0]}D or {ndims[1]}D, got "
                         f"{input.ndim}D{dim_note} instead (shape {tuple(input.shape)})")
    if input.shape[-1] != input_size:
        raise ValueError(f"{name}: " + size_message.format(want=input_size, got=input.shape[-1]))
    if input.dtype != weight.dtype:
        _check_dtype(name, input, weight)


def _check_type(name: str, what: str, v: Any, kind: type) -> None:
    if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
        raise TypeError(f"{name}: {what} should be of type {kind.__name__}, got: "
                        f"{type(v).__name__}")


def _check_sizes(name: str, input_size: Any, hidden_size: Any) -> None:
    for what, v in (("input_size", input_size), ("hidden_size", hidden_size)):
        _check_type(name, what, v, int)
    for what, v in (("input_size", input_size), ("hidden_size", hidden_size)):
        if v <= 0:
            raise ValueError(f"{name}: {what} must be greater than zero, got {v}")


# ------------------------------------------------------------------ multi-layer layers
class RNNBase(Module):
    """The base of ``RNN``, ``LSTM`` and ``GRU`` (``mode`` is ``'RNN_TANH'``,
    ``'RNN_RELU'``, ``'LSTM'`` or ``'GRU'``).

    >>> from autograd_core import nn
    >>> nn.RNNBase("GRU", 4, 8).weight_ih_l0.shape
    (24, 4)
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if mode not in _CHUNKS:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        name = {"LSTM": "LSTM", "GRU": "GRU"}.get(mode, "RNN")
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing "
                             f"the probability of an element being zeroed, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        _check_type(name, "bias", bias, bool)
        _check_type(name, "batch_first", batch_first, bool)
        _check_sizes(name, input_size, hidden_size)
        _check_type(name, "num_layers", num_layers, int)
        if num_layers <= 0:
            raise ValueError(f"{name}: num_layers must be greater than zero, got {num_layers}")
        if proj_size != 0:
            raise NotImplementedError(f"{name}: proj_size={proj_size} (LSTM with projections) "
                                      "is not supported; use proj_size=0")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        dt = _float_dtype(dtype)
        gate_size = _CHUNKS[mode] * hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for d in range(directions):
                suffix = "_reverse" if d == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                names = []
                for kind, shape in shapes:
                    pname = f"{kind}_l{layer}{suffix}"
                    setattr(self, pname, _empty(shape, dt))
                    names.append(pname)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: every weight and bias U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op (PyTorch compacts the weights for cuDNN here)."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters per layer and direction: ``[[w_ih, w_hh, b_ih, b_hh], ...]``."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def _weight(self, name: str) -> Any:
        """A weight or bias by name: the parameter, or the tensor a hook or parametrization
        computes in its place (weight_norm, spectral_norm); None when there is none."""
        p = self._parameters
        return p[name] if name in p else getattr(self, name, None)

    def _params(self, layer: int, d: int) -> tuple:
        suffix = "_reverse" if d == 1 else ""
        return tuple(self._weight(f"{kind}_l{layer}{suffix}")
                     for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    def _check_input(self, input: Any) -> bool:
        """Check ``input``; True when it is batched (3-D)."""
        name = self._get_name()
        _check_input(name, input, (2, 3), self.input_size, self._weight("weight_ih_l0"),
                     " or PackedSequence", " tensor",
                     "input.size(-1) must be equal to input_size. Expected {want}, got {got}")
        batched = input.ndim == 3
        length = input.shape[1 if batched and self.batch_first else 0]
        if length == 0:
            raise ValueError(f"{name}: expected a sequence length larger than 0, got input of "
                             f"shape {tuple(input.shape)}")
        return batched

    def _check_hidden(self, hx: Any, batched: bool, batch: int, what: str) -> Tensor:
        """Check an initial state; return it as (layers * directions, N, H)."""
        name = self._get_name()
        if not isinstance(hx, Tensor):
            raise TypeError(f"{name}: expected {what} to be a Tensor, got {type(hx).__name__}")
        rows = self.num_layers * (2 if self.bidirectional else 1)
        if batched:
            expected = (rows, batch, self.hidden_size)
            if hx.ndim != 3:
                raise ValueError(f"{name}: For batched 3-D input, {what} should also be 3-D but "
                                 f"got {hx.ndim}-D tensor (shape {tuple(hx.shape)})")
        else:
            expected = (rows, self.hidden_size)
            if hx.ndim != 2:
                raise ValueError(f"{name}: For unbatched 2-D input, {what} should also be 2-D but "
                                 f"got {hx.ndim}-D tensor (shape {tuple(hx.shape)})")
        if tuple(hx.shape) != expected:
            raise ValueError(f"{name}: Expected {what} size {expected}, got {list(hx.shape)}")
        w = self._weight("weight_ih_l0")
        if hx.dtype != w.dtype:
            _check_dtype(f"{name} ({what})", hx, w)
        return hx if batched else hx.unsqueeze(1)

    def _stack(self, x: Tensor, batch: int, states: list[Tensor | None], direction: Any
               ) -> tuple[Tensor, list[Tensor]]:
        """The layer and direction loop shared by ``_run`` and ``_run_packed``: for each layer
        and direction, ``direction(x, cur, w_ih, w_hh, b_ih, b_hh, reverse)`` runs one pass over
        the layer's input ``x`` from the states ``cur`` and returns its output and final
        states; the directions' outputs are joined on the last axis (dropout between layers)
        and the final states stacked like ``states`` (None: zeros of (``batch``, H))."""
        directions = 2 if self.bidirectional else 1
        zeros = ag.zeros(batch, self.hidden_size, dtype=x.dtype)
        finals: list[list[Tensor]] = [[] for _ in states]
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                row = layer * directions + d
                cur = [zeros if s is None else s[row] for s in states]
                seq, cur = direction(x, cur, *self._params(layer, d), d == 1)
                outs.append(seq)
                for f, s in zip(finals, cur):
                    f.append(s)
            x = outs[0] if directions == 1 else ag.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        return x, [ag.stack(f, 0) for f in finals]

    def _run(self, input: Tensor, states: list[Tensor | None]) -> tuple[Tensor, list[Tensor]]:
        """Run the stack on time-major ``input`` (L, N, H_in) from the initial ``states``
        (each (layers * directions, N, H), or None for zeros); return the last layer's
        output (L, N, directions * H) and the final states, stacked like ``states``."""
        mode = self.mode
        length = input.shape[0]

        def direction(x: Tensor, cur: list[Tensor], w_ih: Tensor, w_hh: Tensor,
                      b_ih: Tensor | None, b_hh: Tensor | None, reverse: bool
                      ) -> tuple[Tensor, list[Tensor]]:
            if mode == "LSTM":   # the whole time loop in one node
                seq, h_n, c_n = lstm_layer(x, cur[0], cur[1], w_ih, w_hh, b_ih, b_hh,
                                           reverse=reverse)
                return seq, [h_n, c_n]
            if mode != "GRU":    # so is the Elman RNN's, after the input's projection
                seq = rnn_layer(F.linear(x, w_ih, b_ih), cur[0], w_hh, b_hh,
                                relu=mode == "RNN_RELU", reverse=reverse)
                return seq, [seq[0 if reverse else length - 1]]
            xs = _time_steps(F.linear(x, w_ih, b_ih))   # the GRU: one node a step
            out: list[Any] = [None] * length
            for t in (range(length - 1, -1, -1) if reverse else range(length)):
                cur = [gru_step(xs[t], cur[0], w_hh, b_hh)]
                out[t] = cur[0]
            return ag.stack(out, 0), cur

        return self._stack(input, input.shape[1], states, direction)

    def _run_packed(self, data: Tensor, batch_sizes: list[int], states: list[Tensor | None]
                    ) -> tuple[Tensor, list[Tensor]]:
        """``_run`` on a packed batch: ``data`` (sum of the lengths, H_in) holds the time
        steps one after the other, step t for the first ``batch_sizes[t]`` sequences (the
        batch is sorted by decreasing length). At each step only those rows advance, the
        others keep their state: a sequence that has ended keeps its last one, and going
        backwards one that has not started yet keeps its initial one."""
        mode = self.mode
        batch, steps = batch_sizes[0], len(batch_sizes)

        def direction(x: Tensor, cur: list[Tensor], w_ih: Tensor, w_hh: Tensor,
                      b_ih: Tensor | None, b_hh: Tensor | None, reverse: bool
                      ) -> tuple[Tensor, list[Tensor]]:
            xs = F.linear(x, w_ih, b_ih).split(batch_sizes, 0)
            out: list[Any] = [None] * steps
            for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
                b = batch_sizes[t]
                active = [c if b == batch else c[:b] for c in cur]
                if mode == "LSTM":
                    new = list(lstm_step(xs[t], active[0], active[1], w_hh, b_hh))
                elif mode == "GRU":
                    new = [gru_step(xs[t], active[0], w_hh, b_hh)]
                else:
                    new = [rnn_step_composite(xs[t], active[0], w_hh, b_hh, mode == "RNN_RELU")]
                cur = new if b == batch else [ag.cat([h, c[b:]], 0) for h, c in zip(new, cur)]
                out[t] = new[0]
            return ag.cat(out, 0), cur

        return self._stack(data, batch, states, direction)

    def _states(self, hx: Any, batched: bool, batch: int) -> list[Tensor | None]:
        """The initial states given as ``hx``, checked, as a list (None: zeros)."""
        if self.mode == "LSTM":
            if hx is None:
                return [None, None]
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTM: expected hx to be a tuple (h_0, c_0), got "
                                f"{type(hx).__name__}")
            return [self._check_hidden(hx[0], batched, batch, "hidden[0]"),
                    self._check_hidden(hx[1], batched, batch, "hidden[1]")]
        return [None if hx is None else self._check_hidden(hx, batched, batch, "hidden")]

    def _forward_packed(self, input: PackedSequence, hx: Any
                        ) -> tuple[PackedSequence, list[Tensor]]:
        data, batch_sizes, sorted_indices, unsorted_indices = input
        name = self._get_name()
        w = self._weight("weight_ih_l0")
        if data.ndim != 2 or data.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input.size(-1) must be equal to input_size. Expected "
                             f"{self.input_size}, got {data.shape[-1]}")
        if data.dtype != w.dtype:
            _check_dtype(name, data, w)
        sizes = [int(b) for b in batch_sizes.tolist()]
        states = self._states(hx, True, sizes[0])
        if sorted_indices is not None:  # the states follow the batch into its sorted order
            states = [s if s is None else s.index_select(1, sorted_indices) for s in states]
        out, finals = self._run_packed(data, sizes, states)
        if unsorted_indices is not None:
            finals = [f.index_select(1, unsorted_indices) for f in finals]
        return PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices), finals

    def _forward(self, input: Tensor | PackedSequence, hx: Any
                 ) -> tuple[Tensor | PackedSequence, list[Tensor]]:
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        batched = self._check_input(input)
        if batched:
            x = input.transpose(0, 1) if self.batch_first else input
        else:
            x = input.unsqueeze(1)
        batch = x.shape[1]
        out, finals = self._run(x, self._states(hx, batched, batch))
        if not batched:
            return out.squeeze(1), [f.squeeze(1) for f in finals]
        return (out.transpose(0, 1) if self.batch_first else out), finals

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Multi-layer Elman RNN, ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``
    (``nonlinearity='relu'`` for ReLU).

    Input (L, N, H_in), (N, L, H_in) with ``batch_first=True``, or unbatched (L, H_in);
    optional ``hx`` (D * num_layers, N, H) (or (D * num_layers, H) unbatched), zeros by
    default. Returns ``(output, h_n)``: output (L, N, D * H) (batch first if asked) and the
    final hidden state of every layer and direction (D * num_layers, N, H); D = 2 when
    ``bidirectional``. ``dropout`` applies to the outputs of every layer but the last, in
    training. The input may be a ``PackedSequence`` (``nn.utils.rnn``) of sequences of
    different lengths; the output is then packed the same way and ``h_n`` holds each
    sequence's state at its own last step.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> rnn = nn.RNN(10, 20, num_layers=2)
    >>> rnn
    RNN(10, 20, num_layers=2)
    >>> out, h_n = rnn(ag.randn(5, 3, 10), ag.zeros(2, 3, 20))
    >>> out.shape, h_n.shape
    ((5, 3, 20), (2, 3, 20))
    >>> [name for name, _ in rnn.named_parameters()][:4]
    ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"RNN: Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor | PackedSequence, hx: Tensor | None = None
                ) -> tuple[Tensor | PackedSequence, Tensor]:
        out, (h_n,) = self._forward(input, hx)
        return out, h_n


class LSTM(RNNBase):
    """Multi-layer long short-term memory; gates stacked ``i, f, g, o`` in ``weight_ih_l*``
    (4 * H, H_in) and ``weight_hh_l*`` (4 * H, H).

    Input as ``RNN``; ``hx`` is an optional tuple ``(h_0, c_0)``, each
    (D * num_layers, N, H). Returns ``(output, (h_n, c_n))``. ``proj_size`` is not
    supported (NotImplementedError).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> lstm = nn.LSTM(10, 20, bidirectional=True)
    >>> out, (h_n, c_n) = lstm(ag.randn(5, 3, 10))
    >>> out.shape, h_n.shape, c_n.shape
    ((5, 3, 40), (2, 3, 20), (2, 3, 20))
    >>> lstm.weight_hh_l0_reverse.shape
    (80, 20)
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)

    def forward(self, input: Tensor | PackedSequence, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor | PackedSequence, tuple[Tensor, Tensor]]:
        out, (h_n, c_n) = self._forward(input, hx)
        return out, (h_n, c_n)


class GRU(RNNBase):
    """Multi-layer gated recurrent unit; gates stacked ``r, z, n`` in ``weight_ih_l*``
    (3 * H, H_in) and ``weight_hh_l*`` (3 * H, H).

    Input, ``hx`` and outputs as ``RNN``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> gru = nn.GRU(10, 20, batch_first=True)
    >>> out, h_n = gru(ag.randn(3, 5, 10))
    >>> out.shape, h_n.shape
    ((3, 5, 20), (1, 3, 20))
    >>> out, h_n = gru(ag.randn(5, 10))  # unbatched
    >>> out.shape, h_n.shape
    ((5, 20), (1, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)

    def forward(self, input: Tensor | PackedSequence, hx: Tensor | None = None
                ) -> tuple[Tensor | PackedSequence, Tensor]:
        out, (h_n,) = self._forward(input, hx)
        return out, h_n


# ------------------------------------------------------------------ cells
class RNNCellBase(Module):
    """The base of the cells: ``weight_ih`` (chunks * H, H_in), ``weight_hh``
    (chunks * H, H), ``bias_ih`` and ``bias_hh`` (chunks * H), all
    U(-1/sqrt(H), 1/sqrt(H)).

    >>> from autograd_core import nn
    >>> nn.RNNCellBase(4, 8, True, num_chunks=3).weight_hh.shape
    (24, 8)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name = self._get_name()
        _check_sizes(name, input_size, hidden_size)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        dt = _float_dtype(dtype)
        self.weight_ih = _empty((num_chunks * hidden_size, input_size), dt)
        self.weight_hh = _empty((num_chunks * hidden_size, hidden_size), dt)
        if bias:
            self.bias_ih = _empty((num_chunks * hidden_size,), dt)
            self.bias_hh = _empty((num_chunks * hidden_size,), dt)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: every weight and bias U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check(self, input: Any, hx: Any, what: str = "hidden") -> tuple[Tensor, list]:
        """Check the input and states; return the input projection (N, chunks * H) and the
        states as (N, H) (None where not given)."""
        name = self._get_name()
        _check_input(name, input, (1, 2), self.input_size, self.weight_ih, "", "",
                     "input has inconsistent input_size: got {got} expected {want}")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        states = list(hx) if isinstance(hx, (tuple, list)) else [hx]
        out = []
        for i, h in enumerate(states):
            label = what if len(states) == 1 else f"hx[{i}]"
            if h is None:
                out.append(None)
                continue
            if not isinstance(h, Tensor):
                raise TypeError(f"{name}: expected {label} to be a Tensor, got "
                                f"{type(h).__name__}")
            if h.ndim != input.ndim:
                raise ValueError(f"{name}: Expected {label} to be {input.ndim}D like the input "
                                 f"(shape {tuple(input.shape)}), got {h.ndim}D (shape "
                                 f"{tuple(h.shape)})")
            h = h if batched else h.unsqueeze(0)
            if h.shape[0] != x.shape[0]:
                raise ValueError(f"{name}: Input batch size {x.shape[0]} doesn't match {label} "
                                 f"batch size {h.shape[0]}")
            if h.shape[1] != self.hidden_size:
                raise ValueError(f"{name}: {label} has inconsistent hidden_size: got "
                                 f"{h.shape[1]}, expected {self.hidden_size}")
            if h.dtype != self.weight_ih.dtype:
                _check_dtype(name, h, self.weight_ih)
            out.append(h)
        zeros = None
        for i, h in enumerate(out):
            if h is None:
                if zeros is None:
                    zeros = ag.zeros(x.shape[0], self.hidden_size, dtype=x.dtype)
                out[i] = zeros
        return F.linear(x, self.weight_ih, self.bias_ih), out

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """One Elman RNN step, ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu).

    Input (N, H_in) or (H_in,), ``hx`` (N, H) or (H,) (zeros by default); returns h'.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> cell = nn.RNNCell(10, 20, nonlinearity="relu")
    >>> cell
    RNNCell(10, 20, nonlinearity=relu)
    >>> h = ag.zeros(3, 20)
    >>> for x in ag.randn(6, 3, 10):
    ...     h = cell(x, h)
    >>> h.shape
    (3, 20)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: Unknown nonlinearity '{nonlinearity}'. Select from "
                             "'tanh' or 'relu'.")
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        xw, (h,) = self._check(input, hx)
        h = rnn_step_composite(xw, h, self.weight_hh, self.bias_hh, self.nonlinearity == "relu")
        return h if input.ndim == 2 else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (gates ``i, f, g, o``). ``hx`` is an optional tuple ``(h, c)``;
    returns ``(h', c')``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> cell = nn.LSTMCell(10, 20)
    >>> h, c = cell(ag.randn(3, 10))
    >>> h, c = cell(ag.randn(3, 10), (h, c))
    >>> h.shape, c.shape, cell.weight_ih.shape
    ((3, 20), (3, 20), (80, 10))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, Tensor]:
        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError("LSTMCell: expected hx to be a tuple (h, c), got "
                            f"{type(hx).__name__}")
        xw, (h, c) = self._check(input, hx)
        h, c = lstm_step(xw, h, c, self.weight_hh, self.bias_hh)
        return (h, c) if input.ndim == 2 else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (gates ``r, z, n``); returns h'.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> cell = nn.GRUCell(10, 20)
    >>> cell(ag.randn(10), ag.zeros(20)).shape
    (20,)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        xw, (h,) = self._check(input, hx)
        h = gru_step(xw, h, self.weight_hh, self.bias_hh)
        return h if input.ndim == 2 else h.squeeze(0)
