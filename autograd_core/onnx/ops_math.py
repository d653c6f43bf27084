"""Converters of elementwise math, activations, comparisons and reductions.

Binary ops cast both inputs to the output's dtype (ONNX wants one type; our ops promote
as PyTorch does, so the recorded output dtype is the promoted one). Reductions take
their axes as an input (opset 18).
"""
from __future__ import annotations

import math

import numpy as np

from .dims import Dim
from .optable import converts

# -- arithmetic ------------------------------------------------------------------------
_BINARY = {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "Maximum": "Max",
           "Minimum": "Min"}


@converts(*_BINARY)
def binary(g, c):
    if c.op == "Div" and c.out_dtype.kind not in "fc":
        raise g.fail("integer division with rounding is not exported")
    a, b = g.inp(c, 0, c.out_dtype), g.inp(c, 1, c.out_dtype)
    return g.op(_BINARY[c.op], [a, b])


@converts("DivRounded")
def div_rounded(g, c):
    mode = c.attrs.get("rounding_mode")
    if c.out_dtype.kind != "f":
        raise g.fail(f"integer division with rounding_mode={mode!r} is not exported")
    q = g.op("Div", [g.inp(c, 0, c.out_dtype), g.inp(c, 1, c.out_dtype)])
    return g.op("Floor", [q]) if mode == "floor" else _trunc(g, q, c.out_dtype)


def _trunc(g, x, dtype):
    zero = g.const(np.zeros((), dtype))
    return g.op("Where", [g.op("Less", [x, zero]), g.op("Ceil", [x]), g.op("Floor", [x])])


@converts("Pow")
def pow_(g, c):
    r = c.inputs[1]
    x = g.inp(c, 0, c.out_dtype)
    if r[0] == "const" and r[1].ndim == 0:
        e = float(r[1])
        if e == 2.0:
            return g.op("Mul", [x, x])
        if e == 0.5:
            return g.op("Sqrt", [x])
        if e == 1.0:
            return g.op("Identity", [x])
        if e == -0.5:
            return g.op("Reciprocal", [g.op("Sqrt", [x])])
    return g.op("Pow", [x, g.inp(c, 1, c.out_dtype)])


_UNARY = {"Neg": "Neg", "Abs": "Abs", "Relu": "Relu", "Floor": "Floor", "Ceil": "Ceil",
          "Sign": "Sign", "Clone": "Identity", "Exp": "Exp", "Log": "Log", "Sqrt": "Sqrt",
          "Sin": "Sin", "Cos": "Cos", "Tan": "Tan", "Asin": "Asin", "Acos": "Acos",
          "Atan": "Atan", "Sinh": "Sinh", "Cosh": "Cosh", "Tanh": "Tanh", "Asinh": "Asinh",
          "Acosh": "Acosh", "Atanh": "Atanh", "Sigmoid": "Sigmoid", "Erf": "Erf"}


@converts(*_UNARY)
def unary(g, c):
    return g.op(_UNARY[c.op], [g.inp(c, 0, c.out_dtype)])


@converts("Rsqrt", "Exp2", "Expm1", "Log2", "Log10", "Log1p", "Trunc", "Round")
def unary_composed(g, c):
    dt = c.out_dtype
    x = g.inp(c, 0, dt)
    one = g.const(np.ones((), dt))
    if c.op == "Rsqrt":
        return g.op("Reciprocal", [g.op("Sqrt", [x])])
    if c.op == "Exp2":
        return g.op("Pow", [g.const(np.asarray(2, dt)), x])
    if c.op == "Expm1":
        return g.op("Sub", [g.op("Exp", [x]), one])
    if c.op == "Log1p":
        return g.op("Log", [g.op("Add", [x, one])])
    if c.op in ("Log2", "Log10"):
        base = 2.0 if c.op == "Log2" else 10.0
        return g.op("Div", [g.op("Log", [x]), g.const(np.asarray(math.log(base), dt))])
    if c.op == "Trunc":
        return _trunc(g, x, dt)
    decimals = c.attrs.get("decimals", 0)
    if not decimals:
        return g.op("Round", [x])
    scale = g.const(np.asarray(10.0 ** decimals, dt))
    return g.op("Div", [g.op("Round", [g.op("Mul", [x, scale])]), scale])


@converts("Cast")
def cast(g, c):
    from .builder import onnx_dtype
    return g.op("Cast", [g.inp(c, 0)], to=onnx_dtype(c.out_dtype))


@converts("Clamp")
def clamp(g, c):
    dt = c.out_dtype
    x = g.inp(c, 0, dt)
    for key, op in (("min", "Max"), ("max", "Min")):
        v = c.attrs.get(key)
        if v is None:
            continue
        if isinstance(v, tuple):  # a tensor bound: a ref
            x = g.op(op, [x, g.ref(v, dt)])
        else:
            x = g.op(op, [x, g.const(np.asarray(v, dt))])
    return x


@converts("Where")
def where_(g, c):
    cond = g.ref(c.attrs["condition"], np.bool_)
    return g.op("Where", [cond, g.inp(c, 0, c.out_dtype), g.inp(c, 1, c.out_dtype)])


@converts("Fmod", "Remainder")
def remainder(g, c):
    dt = c.out_dtype
    if dt.kind != "f":
        raise g.fail("integer fmod/remainder is not exported")
    a, b = g.inp(c, 0, dt), g.inp(c, 1, dt)
    r = g.op("Mod", [a, b], fmod=1)
    if c.op == "Fmod":
        return r
    # Python's remainder takes the divisor's sign: r + b where r != 0 and sign(r) != sign(b)
    zero = g.const(np.zeros((), dt))
    fix = g.op("And", [g.op("Not", [g.op("Equal", [r, zero])]),
                       g.op("Not", [g.op("Equal", [g.op("Less", [r, zero]),
                                                   g.op("Less", [b, zero])])])])
    return g.op("Where", [fix, g.op("Add", [r, b]), r])


# -- activations ---------------------------------------------------------------------------
@converts("LeakyReLU")
def leaky_relu(g, c):
    return g.op("LeakyRelu", [g.inp(c, 0)], alpha=float(c.attrs.get("negative_slope", 0.01)))


@converts("ELU")
def elu(g, c):
    return g.op("Elu", [g.inp(c, 0)], alpha=float(c.attrs.get("alpha", 1.0)))


@converts("GELU")
def gelu(g, c):
    dt = c.out_dtype
    x = g.inp(c, 0)
    half, one = g.const(np.asarray(0.5, dt)), g.const(np.asarray(1.0, dt))
    if c.attrs.get("approximate", "none") == "tanh":
        k = g.const(np.asarray(math.sqrt(2 / math.pi), dt))
        cube = g.op("Mul", [g.op("Mul", [x, x]), x])
        inner = g.op("Mul", [k, g.op("Add", [x, g.op("Mul", [g.const(np.asarray(0.044715, dt)),
                                                                 cube])])])
        t = g.op("Tanh", [inner])
    else:
        t = g.op("Erf", [g.op("Mul", [x, g.const(np.asarray(1 / math.sqrt(2), dt))])])
    return g.op("Mul", [g.op("Mul", [half, x]), g.op("Add", [one, t])])


@converts("SiLU")
def silu(g, c):
    x = g.inp(c, 0)
    return g.op("Mul", [x, g.op("Sigmoid", [x])])


@converts("Softplus")
def softplus(g, c):
    dt = c.out_dtype
    x = g.inp(c, 0)
    beta, threshold = float(c.attrs.get("beta", 1.0)), float(c.attrs.get("threshold", 20.0))
    bx = x if beta == 1 else g.op("Mul", [x, g.const(np.asarray(beta, dt))])
    # log(1 + exp(bx)) without overflow: log1p(exp(-|bx|)) + max(bx, 0)
    one, zero = g.const(np.asarray(1.0, dt)), g.const(np.asarray(0.0, dt))
    soft = g.op("Add", [g.op("Log", [g.op("Add", [one, g.op("Exp", [g.op("Neg", [
        g.op("Abs", [bx])])])])]), g.op("Max", [bx, zero])])
    if beta != 1:
        soft = g.op("Div", [soft, g.const(np.asarray(beta, dt))])
    if math.isinf(threshold):
        return soft
    return g.op("Where", [g.op("Greater", [bx, g.const(np.asarray(threshold, dt))]), x, soft])


@converts("Hardswish")
def hardswish(g, c):
    x = g.inp(c, 0)
    if g.opset >= 14:
        return g.op("HardSwish", [x])
    return g.op("Mul", [x, g.op("HardSigmoid", [x], alpha=1 / 6, beta=0.5)])


# -- comparisons and logic (Tensor methods the tracer records) ------------------------
_COMPARE = {"==": ("Equal", False), "!=": ("Equal", True), "<": ("Less", False),
            "<=": ("LessOrEqual", False), ">": ("Greater", False),
            ">=": ("GreaterOrEqual", False)}


@converts("compare")
def compare(g, c):
    op, negate = _COMPARE[c.attrs["op"]]
    dt = np.result_type(*c.in_dtypes)
    out = g.op(op, [g.inp(c, 0, dt), g.inp(c, 1, dt)])
    return g.op("Not", [out]) if negate else out


_LOGICAL = {"and": "And", "or": "Or", "xor": "Xor"}


@converts("logical")
def logical(g, c):
    op = c.attrs["op"]
    if op == "not":
        if c.in_dtypes[0] != np.bool_:
            raise g.fail("bitwise not of integers is not exported")
        return g.op("Not", [g.inp(c, 0)])
    kind = op.replace("bitwise_", "")
    if kind not in _LOGICAL or c.out_dtype != np.bool_:
        raise g.fail(f"the integer bit operation {op!r} is not exported (bool tensors only)")
    return g.op(_LOGICAL[kind], [g.inp(c, 0, np.bool_), g.inp(c, 1, np.bool_)])


# -- reductions ------------------------------------------------------------------------------
def axes_of(dim, ndim: int) -> list:
    if dim is None:
        return list(range(ndim))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return sorted(int(d) % ndim for d in dims) if ndim else []


def reduce(g, op: str, x: str, axes: list, keepdim: bool) -> str:
    if not axes:
        return g.op("Identity", [x])
    return g.reduce(op, x, axes, keepdim)


@converts("Sum")
def sum_(g, c):
    dt = c.out_dtype
    return reduce(g, "ReduceSum", g.inp(c, 0, dt), axes_of(c.attrs.get("dim"),
                  len(c.in_shapes[0])), c.attrs.get("keepdim", False))


@converts("Mean")
def mean(g, c):
    return reduce(g, "ReduceMean", g.inp(c, 0, c.out_dtype), axes_of(c.attrs.get("dim"),
                  len(c.in_shapes[0])), c.attrs.get("keepdim", False))


@converts("RegressionLoss")
def regression_loss(g, c):
    """MSE, smooth L1 or Huber of ``d = x - t`` (``ops.loss.RegressionLoss``), reduced."""
    dt = c.out_dtype
    d = g.op("Sub", [g.inp(c, 0, dt), g.inp(c, 1, dt)])
    kind, beta = c.attrs.get("kind", "mse"), float(c.attrs.get("beta", 1.0))
    num = lambda v: g.const(np.asarray(v, dt))                        # noqa: E731
    if kind == "mse":
        loss = g.op("Mul", [d, d])
    else:
        ad = g.op("Abs", [d])
        square = g.op("Mul", [g.op("Mul", [d, d]), num(0.5 / beta if kind == "smooth_l1" else 0.5)])
        line = g.op("Sub", [ad, num(0.5 * beta)])
        if kind == "huber":
            line = g.op("Mul", [line, num(beta)])
        loss = g.op("Where", [g.op("Less", [ad, num(beta)]), square, line])
    reduction = c.attrs.get("reduction", "mean")
    if reduction == "none":
        return loss
    ndim = max(len(c.in_shapes[0]), len(c.in_shapes[1]))
    return reduce(g, "ReduceMean" if reduction == "mean" else "ReduceSum", loss,
                  list(range(ndim)), False)


@converts("LogSumExp")
def logsumexp(g, c):
    """``log(sum(exp(x - m))) + m`` with ``m`` the maximum over the axes, as the op computes
    it (ONNX's ReduceLogSumExp need not shift)."""
    x = g.inp(c, 0, c.out_dtype)
    axes = axes_of(c.attrs.get("dim"), len(c.in_shapes[0]))
    keep = c.attrs.get("keepdim", False)
    if not axes:
        return g.op("Identity", [x])
    m = g.reduce("ReduceMax", x, axes, True)
    m = g.op("Where", [g.op("IsInf", [m]), g.const(np.asarray(0, c.out_dtype)), m])
    s = g.reduce("ReduceSum", g.op("Exp", [g.op("Sub", [x, m])]), axes, True)
    out = g.op("Add", [g.op("Log", [s]), m])
    return out if keep else g.op("Squeeze", [out, g.ints(axes)])


@converts("Prod")
def prod(g, c):
    return reduce(g, "ReduceProd", g.inp(c, 0, c.out_dtype),
                  axes_of(c.attrs.get("dim"), len(c.in_shapes[0])), c.attrs.get("keepdim", False))


@converts("Amax")
def amax(g, c):
    op = "ReduceMax" if c.attrs.get("largest", True) else "ReduceMin"
    return reduce(g, op, g.inp(c, 0), axes_of(c.attrs.get("dim"), len(c.in_shapes[0])),
                  c.attrs.get("keepdim", False))


@converts("MaxAll")
def max_all(g, c):
    op = "ReduceMax" if c.attrs.get("largest", True) else "ReduceMin"
    return reduce(g, op, g.inp(c, 0), list(range(len(c.in_shapes[0]))), False)


@converts("Var")
def var(g, c):
    dt = c.out_dtype
    x = g.inp(c, 0, dt)
    axes = axes_of(c.attrs.get("dim"), len(c.in_shapes[0]))
    divisor = c.attrs.get("divisor", 1)
    mean = g.reduce("ReduceMean", x, axes, True)
    d = g.op("Sub", [x, mean])
    s = reduce(g, "ReduceSum", g.op("Mul", [d, d]), axes, c.attrs.get("keepdim", False))
    if isinstance(divisor, Dim):  # n - correction over a dynamic axis
        return g.op("Div", [s, g.ref(("dimvalue", divisor, dt))])
    return g.op("Div", [s, g.const(np.asarray(float(divisor), dt))])


@converts("Std")
def std(g, c):
    """The square root of the variance (``Var``'s nodes)."""
    return g.op("Sqrt", [var(g, c)])


@converts("Norm")
def norm(g, c):
    dt = c.out_dtype
    x = g.inp(c, 0, dt)
    p = float(c.attrs.get("p", 2.0))
    axes = axes_of(c.attrs.get("dim"), len(c.in_shapes[0]))
    keep = c.attrs.get("keepdim", False)
    if p == 2:
        return g.op("Sqrt", [reduce(g, "ReduceSum", g.op("Mul", [x, x]), axes, keep)])
    if p == 1:
        return reduce(g, "ReduceSum", g.op("Abs", [x]), axes, keep)
    e = g.const(np.asarray(p, dt))
    s = reduce(g, "ReduceSum", g.op("Pow", [g.op("Abs", [x]), e]), axes, keep)
    return g.op("Pow", [s, g.const(np.asarray(1.0 / p, dt))])


@converts("Softmax", "LogSoftmax")
def softmax(g, c):
    ndim = len(c.in_shapes[0])
    x = g.inp(c, 0, c.out_dtype)
    op = "Softmax" if c.op == "Softmax" else "LogSoftmax"
    if ndim == 0:
        x1 = g.op("Reshape", [x, g.ints([1])])
        return g.op("Reshape", [g.op(op, [x1], axis=0), g.ints([])])
    return g.op(op, [x], axis=int(c.attrs.get("dim", -1)) % ndim)


@converts("CumSum")
def cumsum(g, c):
    ndim = len(c.in_shapes[0])
    return g.op("CumSum", [g.inp(c, 0, c.out_dtype),
                           g.const(np.asarray(int(c.attrs.get("dim", 0)) % max(ndim, 1),
                                              np.int64))])


@converts("extreme")
def extreme(g, c):
    op = "ReduceMax" if c.attrs["largest"] else "ReduceMin"
    axis = c.attrs["dim"] % len(c.in_shapes[0])
    return reduce(g, op, g.inp(c, 0), [axis], c.attrs["keepdim"])


@converts("arg_extreme")
def arg_extreme(g, c):
    op = "ArgMax" if c.attrs["largest"] else "ArgMin"
    x = g.inp(c, 0)
    ndim = len(c.in_shapes[0])
    if ndim == 0:
        return g.op("Cast", [g.op("Mul", [x, g.const(np.zeros((), c.in_dtypes[0]))])], to=7)
    if c.attrs["dim"] is None:
        flat = g.op("Reshape", [x, g.ints([-1])])
        out = g.op(op, [flat], axis=0, keepdims=0)
        if c.attrs["keepdim"]:
            out = g.op("Reshape", [out, g.ints([1] * ndim)])
        return out
    return g.op(op, [x], axis=c.attrs["dim"] % ndim, keepdims=int(c.attrs["keepdim"]))
