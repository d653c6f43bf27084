"""Converters of the layers' ops: linear and matmul, einsum, convolution (and the
transposed one), pooling, layer norm, attention, and the LSTM and GRU steps.

A convolution's or pooling's geometry is read by name (``stride``, ``padding``, ...)
from a dict or an object, so either form of the op's ``geometry`` attribute works.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .optable import converts


def _geo(c, key: str, default: Any = None) -> Any:
    geo = c.attrs.get("geometry")
    if geo is None:
        return c.attrs.get(key, default)
    # the kernels' pool geometry names the window ``kernel``; the functions, ``kernel_size``
    keys = (key, "kernel") if key == "kernel_size" else (key,)
    for k in keys:
        v = geo.get(k) if isinstance(geo, dict) else getattr(geo, k, None)
        if v is not None:
            return v
    return default


def _pair(v: Any, n: int = 2) -> list:
    if isinstance(v, (int, np.integer)):
        return [int(v)] * n
    return [int(x) for x in v]


def _pads(g, v: Any) -> list:
    """ONNX pads ``[h_begin, w_begin, h_end, w_end]`` from PyTorch's padding."""
    if isinstance(v, str):
        raise g.fail(f"padding={v!r} (resolve it to numbers first)")
    if isinstance(v, (int, np.integer)):
        return [int(v)] * 4
    v = list(v)
    if all(isinstance(x, (int, np.integer)) for x in v) and len(v) == 2:
        return [int(v[0]), int(v[1]), int(v[0]), int(v[1])]
    if len(v) == 2 and all(isinstance(x, (tuple, list)) for x in v):  # ((top, bottom), (l, r))
        return [int(v[0][0]), int(v[1][0]), int(v[0][1]), int(v[1][1])]
    if len(v) == 4:
        return [int(x) for x in v]
    raise g.fail(f"padding {v!r}")


@converts("Linear")
def linear(g, c):
    dt = c.out_dtype
    x, w = g.inp(c, 0, dt), g.inp(c, 1, dt)
    b = g.inp(c, 2, dt) if len(c.inputs) > 2 else None
    if len(c.in_shapes[0]) == 2:
        return g.op("Gemm", [x, w] + ([b] if b else []), transB=1)
    y = g.op("MatMul", [x, g.op("Transpose", [w], perm=[1, 0])])
    return g.op("Add", [y, b]) if b else y


@converts("MatMul")
def matmul(g, c):
    return g.op("MatMul", [g.inp(c, 0, c.out_dtype), g.inp(c, 1, c.out_dtype)])


@converts("Einsum")
def einsum(g, c):
    eq = ",".join(c.attrs["inputs"]) + "->" + c.attrs["output"]
    return g.op("Einsum", [g.inp(c, i, c.out_dtype) for i in range(len(c.inputs))],
                equation=eq)


@converts("Conv2d")
def conv2d(g, c):
    w_shape = c.in_shapes[1]
    ins = [g.inp(c, i, c.out_dtype) for i in range(len(c.inputs))]
    return g.op("Conv", ins, kernel_shape=[int(k) for k in w_shape[2:]],
                strides=_pair(_geo(c, "stride", 1)), pads=_pads(g, _geo(c, "padding", 0)),
                dilations=_pair(_geo(c, "dilation", 1)), group=int(_geo(c, "groups", 1)))


@converts("ConvInputGrad")
def conv_transpose2d(g, c):
    """The gradient of a convolution with respect to its input, which is what a
    transposed convolution computes: ``ConvTranspose`` with the output size recorded."""
    w_shape, g_shape = c.in_shapes[1], c.in_shapes[0]
    target = g.static(tuple(_geo(c, "input_shape"))[2:], "the output size")
    s, d = _pair(_geo(c, "stride", 1)), _pair(_geo(c, "dilation", 1))
    p = _pads(g, _geo(c, "padding", 0))
    k = [int(x) for x in w_shape[2:]]
    base = [(int(g_shape[2 + i]) - 1) * s[i] - p[i] - p[i + 2] + d[i] * (k[i] - 1) + 1
            for i in range(2)]
    out_pad = [int(t) - b for t, b in zip(target, base)]
    if any(o < 0 for o in out_pad):
        raise g.fail(f"a transposed convolution to size {target}")
    return g.op("ConvTranspose", [g.inp(c, 0, c.out_dtype), g.inp(c, 1, c.out_dtype)],
                kernel_shape=k, strides=s, pads=p, dilations=d,
                group=int(_geo(c, "groups", 1)), output_padding=out_pad)


@converts("MaxPool2d")
def max_pool2d(g, c):
    k = _pair(_geo(c, "kernel_size"))
    stride = _geo(c, "stride")
    return g.op("MaxPool", [g.inp(c, 0)], kernel_shape=k,
                strides=_pair(stride) if stride is not None else k,
                pads=_pads(g, _geo(c, "padding", 0)), dilations=_pair(_geo(c, "dilation", 1)),
                ceil_mode=int(bool(_geo(c, "ceil_mode", False))))


@converts("AvgPool2d")
def avg_pool2d(g, c):
    k = _pair(_geo(c, "kernel_size"))
    stride = _geo(c, "stride")
    divisor = _geo(c, "divisor_override")
    ceil = bool(_geo(c, "ceil_mode", False))
    include = bool(_geo(c, "count_include_pad", True))
    if divisor is not None and (ceil or not include):
        raise g.fail("divisor_override with ceil_mode or count_include_pad=False")
    y = g.op("AveragePool", [g.inp(c, 0)], kernel_shape=k,
             strides=_pair(stride) if stride is not None else k,
             pads=_pads(g, _geo(c, "padding", 0)), ceil_mode=int(ceil),
             count_include_pad=int(include))
    if divisor is not None:
        y = g.op("Mul", [y, g.const(np.asarray(k[0] * k[1] / divisor, c.out_dtype))])
    return y


@converts("LayerNormOp")
def layer_norm(g, c):
    ndim = int(c.attrs.get("ndim", 1))
    has = c.attrs.get("has", (False, False))
    dt = c.out_dtype
    x = g.inp(c, 0, dt)
    it = iter(range(1, len(c.inputs)))
    w = g.inp(c, next(it), dt) if has[0] else None
    b = g.inp(c, next(it), dt) if has[1] else None
    if w is None:
        shape = g.static(tuple(c.in_shapes[0][-ndim:]), "the normalized shape")
        w = g.const(np.ones(shape, dt))
    eps = float(c.attrs.get("eps", 1e-5))
    if g.opset >= 17:
        return g.op("LayerNormalization", [x, w] + ([b] if b else []), axis=-ndim, epsilon=eps)
    axes = list(range(len(c.in_shapes[0]) - ndim, len(c.in_shapes[0])))
    d = g.op("Sub", [x, g.reduce("ReduceMean", x, axes, True)])
    var = g.reduce("ReduceMean", g.op("Mul", [d, d]), axes, True)
    y = g.op("Div", [d, g.op("Sqrt", [g.op("Add", [var, g.const(np.asarray(eps, dt))])])])
    y = g.op("Mul", [y, w])
    return g.op("Add", [y, b]) if b else y


# -- attention -----------------------------------------------------------------------------
def _split_heads(g, a: str, heads: int, e: int, seq_first: bool) -> str:
    r = g.op("Reshape", [a, g.ints([0, 0, heads, e // heads])])
    return g.op("Transpose", [r], perm=[1, 2, 0, 3] if seq_first else [0, 2, 1, 3])


@converts("Attention")
def attention(g, c):
    a = c.attrs
    if a.get("dropout_p", 0.0):
        raise g.fail(f"attention dropout (dropout_p={a['dropout_p']}); export runs the model "
                     "in eval mode, pass dropout_p=0.0 to scaled_dot_product_attention")
    dt = c.out_dtype
    heads, seq_first, packed = a.get("heads"), a.get("seq_first", False), a.get("packed", False)
    if packed:
        e = int(c.in_shapes[0][-1]) // 3
        q, k, v = g.split(g.inp(c, 0, dt), 3, e)
        ek = ev = e
    else:
        q, k, v = (g.inp(c, i, dt) for i in range(3))
        e, ek, ev = (int(s[-1]) for s in c.in_shapes[:3])
    if heads is not None:
        heads = int(heads)
        q, k, v = (_split_heads(g, t, heads, n, seq_first) for t, n in ((q, e), (k, ek), (v, ev)))
        kt = g.op("Transpose", [k], perm=[0, 1, 3, 2])
    else:
        nd = len(c.in_shapes[1])
        kt = g.op("Transpose", [k], perm=list(range(nd - 2)) + [nd - 1, nd - 2])
    s = g.op("Mul", [g.op("MatMul", [q, kt]), g.const(np.asarray(a.get("scale", 1.0), dt))])
    mask = a.get("mask")
    if mask is not None:
        s = g.op("Add", [s, g.ref(mask, dt)])
    p = g.op("Softmax", [s], axis=-1)
    if mask is not None:  # a row masked everywhere gives zeros, not NaN
        p = g.op("Where", [g.op("IsNaN", [p]), g.const(np.zeros((), dt)), p])
    out = g.op("MatMul", [p, v])
    if heads is not None:
        out = g.op("Transpose", [out], perm=[2, 0, 1, 3] if seq_first else [0, 2, 1, 3])
        out = g.op("Reshape", [out, g.ints([0, 0, -1])])
    return out


# -- recurrent steps ----------------------------------------------------------------------
def _hidden_gates(g, c, h: str, w_index: int) -> str:
    """``h @ W^T`` with the weight at input ``w_index`` (plus the bias after it, if any)."""
    dt = c.out_dtype
    gh = g.op("MatMul", [h, g.op("Transpose", [g.inp(c, w_index, dt)], perm=[1, 0])])
    if len(c.inputs) > w_index + 1:
        gh = g.op("Add", [gh, g.inp(c, w_index + 1, dt)])
    return gh


def _lstm_cell(g, gates: str, cell: str, n: int) -> tuple[str, str]:
    """The new hidden and cell state from the pre-activations (gate order i, f, g, o)."""
    i, f, gg, o = g.split(gates, 4, n)
    i, f, o = (g.op("Sigmoid", [t]) for t in (i, f, o))
    c2 = g.op("Add", [g.op("Mul", [f, cell]), g.op("Mul", [i, g.op("Tanh", [gg])])])
    return g.op("Mul", [o, g.op("Tanh", [c2])]), c2


def _stack(g, parts: list) -> str:
    """``parts`` (each of one shape) stacked along a new first axis."""
    zero = g.ints([0])
    return g.op("Concat", [g.op("Unsqueeze", [p, zero]) for p in parts], axis=0)


@converts("LSTMStep")
def lstm_step(g, c):
    dt = c.out_dtype
    xw, h, cell = g.inp(c, 0, dt), g.inp(c, 1, dt), g.inp(c, 2, dt)
    gates = g.op("Add", [xw, _hidden_gates(g, c, h, 3)])
    return _stack(g, list(_lstm_cell(g, gates, cell, int(c.in_shapes[1][-1]))))


@converts("LSTMLayer")
def lstm_layer(g, c):
    """A whole layer, unrolled over the traced sequence length: the hidden state of every
    step in time order, then the last cell state (``ops.recurrent.LSTMLayer``)."""
    dt = c.out_dtype
    x, h, cell = g.inp(c, 0, dt), g.inp(c, 1, dt), g.inp(c, 2, dt)
    length, n = int(c.in_shapes[0][0]), int(c.in_shapes[1][-1])
    xw = g.op("MatMul", [x, g.op("Transpose", [g.inp(c, 3, dt)], perm=[1, 0])])
    if len(c.inputs) > 5:
        xw = g.op("Add", [xw, g.op("Add", [g.inp(c, 5, dt), g.inp(c, 6, dt)])])
    w_hh_t = g.op("Transpose", [g.inp(c, 4, dt)], perm=[1, 0])
    hidden = [None] * length
    steps = range(length - 1, -1, -1) if c.attrs.get("reverse", False) else range(length)
    for t in steps:
        xt = g.op("Gather", [xw, g.const(np.asarray(t, np.int64))], axis=0)
        h, cell = _lstm_cell(g, g.op("Add", [xt, g.op("MatMul", [h, w_hh_t])]), cell, n)
        hidden[t] = h
    return _stack(g, hidden + [cell])


@converts("GRUStep")
def gru_step(g, c):
    dt = c.out_dtype
    xw, h = g.inp(c, 0, dt), g.inp(c, 1, dt)
    gh = _hidden_gates(g, c, h, 2)
    n = int(c.in_shapes[1][-1])
    xr, xz, xn = g.split(xw, 3, n)
    hr, hz, hn = g.split(gh, 3, n)
    r = g.op("Sigmoid", [g.op("Add", [xr, hr])])
    z = g.op("Sigmoid", [g.op("Add", [xz, hz])])
    n = g.op("Tanh", [g.op("Add", [xn, g.op("Mul", [r, hn])])])
    return g.op("Add", [n, g.op("Mul", [z, g.op("Sub", [h, n])])])
