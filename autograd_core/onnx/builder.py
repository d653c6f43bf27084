"""The ONNX graph being written: nodes, initializers, constants, and shape arithmetic.

Converters (``ops_*.py``) call ``GraphBuilder.op`` to add a node and get its output
name, ``inp`` for the name of a call's input (cast to a dtype when asked), ``const`` for
a constant array and ``shape_tensor`` for a shape whose dims may follow the dynamic
axes (``Dim``: computed in the graph from the inputs' ``Shape``). Parameters and
buffers become initializers named by their ``state_dict`` keys. ``onnx`` is imported
here, and this module only by ``export``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .capture import Call
from .dims import Dim, has_dim
from .errors import OnnxExporterError, UnsupportedOperatorError, where

import onnx
from onnx import TensorProto, helper, numpy_helper


def onnx_dtype(dtype: np.dtype, what: str = "") -> int:
    """The ``TensorProto`` element type of a NumPy dtype; a clear error for one ONNX
    lacks."""
    dtype = np.dtype(dtype)
    try:
        return helper.np_dtype_to_tensor_dtype(dtype)
    except (KeyError, ValueError, TypeError):
        raise UnsupportedOperatorError(f"onnx.export: dtype {dtype} has no ONNX type{what}") \
            from None


class GraphBuilder:
    """Collects the nodes of one graph (see the module doc)."""

    def __init__(self, calls: list[Call], params: dict, symbols: dict, opset: int) -> None:
        self.calls = calls
        self.params = params            # state_dict key -> array
        self.symbols = symbols          # symbol -> (input name, axis)
        self.opset = opset
        self.nodes: list = []
        self.initializers: dict = {}    # name -> TensorProto
        self.values: dict = {}          # ("node", k) -> output name
        self.input_names: list[str] = []
        self.input_dtypes: list = []
        self.input_shapes: list = []
        self._count = 0
        self._consts: dict = {}
        self._dims: dict = {}
        self.call: Call | None = None   # the call being converted (for messages)

    # -- names and nodes ----------------------------------------------------------------
    def fresh(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def op(self, op_type: str, inputs: list, n_out: int = 1, **attrs: Any) -> Any:
        """Add a node; its output name (or names, when ``n_out > 1``)."""
        outs = [self.fresh(op_type) for _ in range(n_out)]
        c = self.call
        name = self.fresh(f"{c.op}/{op_type}" if c is not None else op_type)
        node = helper.make_node(op_type, [i or "" for i in inputs], outs, name=name,
                                **{k: v for k, v in attrs.items() if v is not None})
        if c is not None and c.module:
            node.doc_string = c.module
        self.nodes.append(node)
        return outs[0] if n_out == 1 else outs

    def reduce(self, op_type: str, x: str, axes: list, keepdims: bool) -> str:
        """A reduction over ``axes``: axes as an input from opset 18 (ReduceSum from 13),
        as an attribute before."""
        if self.opset >= 18 or op_type == "ReduceSum":
            return self.op(op_type, [x, self.ints(axes)], keepdims=int(bool(keepdims)))
        return self.op(op_type, [x], axes=[int(a) for a in axes], keepdims=int(bool(keepdims)))

    def split(self, x: str, parts: int, size: int, axis: int = -1) -> list:
        """``x`` cut into ``parts`` pieces of ``size`` along ``axis``."""
        if self.opset >= 18:
            return self.op("Split", [x], n_out=parts, axis=axis, num_outputs=parts)
        return self.op("Split", [x, self.ints([size] * parts)], n_out=parts, axis=axis)

    def fail(self, what: str) -> UnsupportedOperatorError:
        """The error for an op or option of the current call that has no ONNX form."""
        c = self.call
        return UnsupportedOperatorError(
            f"onnx.export: {c.op if c else 'op'}: {what}{where(c.module if c else '')}")

    # -- constants ------------------------------------------------------------------------
    def const(self, array: Any, dtype: Any = None, name: str | None = None) -> str:
        """An initializer holding ``array`` (small ones shared by value)."""
        a = np.asarray(array, dtype=dtype)
        if a.dtype == np.float16 or a.dtype.kind not in "biuf":
            onnx_dtype(a.dtype)
        key = None
        if a.size <= 16 and name is None:
            key = (a.dtype.str, a.shape, a.tobytes())
            if key in self._consts:
                return self._consts[key]
        name = name or self.fresh("const")
        self.initializers[name] = numpy_helper.from_array(a.copy(order="C"), name)
        if key is not None:
            self._consts[key] = name
        return name

    def ints(self, values: Any) -> str:
        """A 1-D int64 constant (axes, pads, starts, ...)."""
        return self.const(np.asarray(list(values), dtype=np.int64).reshape(-1))

    # -- refs ---------------------------------------------------------------------------
    def ref(self, r: tuple, dtype: Any = None) -> str:
        """The name holding ref ``r`` (cast to ``dtype`` when given and different)."""
        kind = r[0]
        if kind == "node":
            name, have = self.values[r], self.calls[r[1]].out_dtype
        elif kind == "input":
            name, have = self.input_names[r[1]], self.input_dtypes[r[1]]
        elif kind == "param":
            a = self.params[r[1]]
            if r[1] not in self.initializers:
                onnx_dtype(a.dtype, f" (parameter {r[1]!r})")
                self.initializers[r[1]] = numpy_helper.from_array(a.copy(order="C"), r[1])
            name, have = r[1], a.dtype
        elif kind == "const":
            a = r[1]
            if dtype is not None and a.dtype != np.dtype(dtype):
                a = a.astype(dtype)
            return self.const(a)
        elif kind == "filled":
            value = np.asarray(r[1], dtype=dtype if dtype is not None else r[1].dtype)
            shape = self.shape_tensor(r[2])
            return self.op("ConstantOfShape", [shape],
                           value=numpy_helper.from_array(value.reshape(1)))
        elif kind == "dimvalue":
            out = self.op("Reshape", [self.dim(r[1]), self.ints([])])
            return self.op("Cast", [out], to=onnx_dtype(dtype if dtype is not None else r[2]))
        else:
            raise OnnxExporterError(f"onnx.export: unknown ref {r!r}")
        if dtype is not None and np.dtype(dtype) != np.dtype(have):
            return self.op("Cast", [name], to=onnx_dtype(dtype))
        return name

    def inp(self, c: Call, i: int, dtype: Any = None) -> str:
        """The name of input ``i`` of call ``c``."""
        return self.ref(c.inputs[i], dtype)

    def dtype_of(self, r: tuple) -> np.dtype:
        kind = r[0]
        if kind == "node":
            return self.calls[r[1]].out_dtype
        if kind == "input":
            return self.input_dtypes[r[1]]
        if kind == "param":
            return self.params[r[1]].dtype
        if kind == "dimvalue":
            return np.dtype(r[2])
        return np.asarray(r[1]).dtype

    def shape_of_ref(self, r: tuple) -> tuple:
        kind = r[0]
        if kind == "node":
            return tuple(self.calls[r[1]].out_shape)
        if kind == "input":
            return tuple(self.input_shapes[r[1]])
        if kind == "param":
            return tuple(self.params[r[1]].shape)
        if kind == "filled":
            return tuple(r[2])
        if kind == "dimvalue":
            return ()
        return tuple(np.asarray(r[1]).shape)

    # -- shapes -------------------------------------------------------------------------
    def dim(self, d: Dim) -> str:
        """A 1-element int64 tensor holding ``d``, computed from the inputs' shapes."""
        if d in self._dims:
            return self._dims[d]
        parts = []
        for s in d.syms:
            src, axis = self.symbols[s]
            if self.opset >= 15:
                parts.append(self.op("Shape", [src], start=axis, end=axis + 1))
            else:
                parts.append(self.op("Gather", [self.op("Shape", [src]), self.ints([axis])]))
        out = parts[0]
        for p in parts[1:]:
            out = self.op("Mul", [out, p])
        if d.coef != 1:
            out = self.op("Mul", [out, self.ints([d.coef])])
        if d.offset:
            out = self.op("Add", [out, self.ints([d.offset])])
        self._dims[d] = out
        return out

    def shape_tensor(self, dims: Any) -> str:
        """A 1-D int64 tensor of ``dims`` (ints and ``Dim``s)."""
        dims = tuple(dims)
        if not has_dim(dims):
            return self.ints([int(v) for v in dims])
        pieces, run = [], []
        for v in dims:
            if isinstance(v, Dim):
                if run:
                    pieces.append(self.ints(run))
                    run = []
                pieces.append(self.dim(v))
            else:
                run.append(int(v))
        if run:
            pieces.append(self.ints(run))
        return self.op("Concat", pieces, axis=0)

    def static(self, value: Any, what: str) -> Any:
        """``value`` when it holds no ``Dim``; otherwise the error that option ``what``
        cannot follow a dynamic axis."""
        if has_dim(value):
            raise self.fail(f"{what} {value!r} depends on a dynamic axis, which this op "
                            "cannot follow; export without that dynamic axis")
        return value


def value_info(name: str, dtype: np.dtype, shape: tuple, names: dict | None = None) -> Any:
    """A graph input's or output's type: dims that follow the dynamic axes get names."""
    dims = []
    for i, d in enumerate(shape):
        if isinstance(d, Dim):
            dims.append((names or {}).get(i) or d.name())
        else:
            dims.append(int(d))
    return helper.make_tensor_value_info(name, onnx_dtype(dtype, f" (of {name!r})"), dims)


__all__ = ["GraphBuilder", "value_info", "onnx_dtype", "onnx", "TensorProto"]
