"""Converters of movement and indexing: reshape, permute, expand, cat, flip, indexing,
gather, embedding, fill and copy.

Target shapes come from the recorded output shape (``c.out_shape``), where dims that
follow a dynamic axis are ``Dim``s: a single one is written as ``-1`` (a constant shape),
several are computed from the inputs' shapes.
"""
from __future__ import annotations

import numpy as np

from .dims import Dim, has_dim
from .optable import converts

INT_MAX = np.iinfo(np.int64).max


def target_shape(g, shape: tuple) -> str:
    dyn = [i for i, d in enumerate(shape) if isinstance(d, Dim)]
    if len(dyn) == 1:
        return g.ints([-1 if isinstance(d, Dim) else int(d) for d in shape])
    return g.shape_tensor(shape)


@converts("Reshape")
def reshape(g, c):
    return g.op("Reshape", [g.inp(c, 0), target_shape(g, c.out_shape)])


@converts("Permute")
def permute(g, c):
    return g.op("Transpose", [g.inp(c, 0)], perm=[int(d) for d in c.attrs["dims"]])


@converts("Expand")
def expand(g, c):
    src, out = c.in_shapes[0], c.out_shape
    lead = len(out) - len(src)
    # ONNX's Expand broadcasts both ways: 1 keeps a dim the input already has
    dims = [1 if i >= lead and src[i - lead] == d and isinstance(d, Dim) else d
            for i, d in enumerate(out)]
    return g.op("Expand", [g.inp(c, 0), g.shape_tensor(dims)])


@converts("Cat")
def cat(g, c):
    ndim = len(c.out_shape)
    ins = [g.inp(c, i, c.out_dtype) for i in range(len(c.inputs))
           if not (len(c.in_shapes[i]) == 1 and c.in_shapes[i][0] == 0 and ndim != 1)]
    return g.op("Concat", ins, axis=int(c.attrs.get("dim", 0)) % ndim)


@converts("Stack")
def stack(g, c):
    axis = int(c.attrs.get("dim", 0)) % len(c.out_shape)
    ins = [g.op("Unsqueeze", [g.inp(c, i, c.out_dtype), g.ints([axis])])
           for i in range(len(c.inputs))]
    return g.op("Concat", ins, axis=axis)


@converts("Flip")
def flip(g, c):
    ndim = len(c.in_shapes[0])
    axes = [int(d) % ndim for d in c.attrs["dims"]]
    n = len(axes)
    return g.op("Slice", [g.inp(c, 0), g.ints([-1] * n), g.ints([-INT_MAX] * n), g.ints(axes),
                          g.ints([-1] * n)])


@converts("SumToSize")
def sum_to_size(g, c):
    src, shape = c.in_shapes[0], tuple(c.attrs["shape"])
    lead = len(src) - len(shape)
    axes = list(range(lead)) + [lead + i for i, s in enumerate(shape)
                                if s == 1 and src[lead + i] != 1]
    x = g.inp(c, 0)
    if axes:
        x = g.op("ReduceSum", [x, g.ints(axes)], keepdims=1)
    return g.op("Reshape", [x, target_shape(g, c.out_shape)])


# -- indexing ------------------------------------------------------------------------------
def _is_ref(v) -> bool:
    return isinstance(v, tuple) and len(v) in (2, 3) and v and v[0] in (
        "input", "param", "node", "const", "filled")


def _expand_ellipsis(items: tuple, ndim: int) -> list:
    used = sum(0 if i is None or i is Ellipsis else 1 for i in items)
    out = []
    for i in items:
        if i is Ellipsis:
            out.extend([slice(None)] * (ndim - used))
        else:
            out.append(i)
    if Ellipsis not in items:
        out.extend([slice(None)] * (ndim - used))
    return out


def index_items(g, c, x: str, index, shape: tuple) -> str:
    items = index if isinstance(index, tuple) else (index,)
    if any(not (isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis
                or _is_ref(i)) for i in items):
        raise g.fail(f"an index of this form ({type(index).__name__}) is not exported")
    items = _expand_ellipsis(items, len(shape))
    arrays = [k for k, i in enumerate(items) if _is_ref(i)]
    ints = [k for k, i in enumerate(items) if isinstance(i, (int, np.integer))]
    if len(arrays) > 1 or (arrays and ints):
        raise g.fail("indexing with several index arrays (or arrays and ints together) is "
                     "not exported; index one dim at a time")
    starts, ends, axes, steps = [], [], [], []
    squeeze, unsqueeze = [], []
    axis = 0    # the input's axis the item applies to
    out_axis = 0
    for k, i in enumerate(items):
        if i is None:
            unsqueeze.append(out_axis)
            out_axis += 1
            continue
        if isinstance(i, (int, np.integer)):
            i = int(i)
            starts.append(i)
            ends.append(i + 1 if i != -1 else INT_MAX)
            axes.append(axis)
            steps.append(1)
            squeeze.append(axis)
        elif isinstance(i, slice):
            step = 1 if i.step is None else i.step
            if i.start is None and i.stop is None and step == 1:
                pass
            else:
                if isinstance(step, Dim) or step == 0:
                    raise g.fail("a slice step that follows a dynamic axis is not exported")
                if step > 0:
                    start = 0 if i.start is None else i.start
                    end = INT_MAX if i.stop is None else i.stop
                else:
                    start = INT_MAX if i.start is None else i.start
                    end = -INT_MAX if i.stop is None else i.stop
                starts.append(start)
                ends.append(end)
                axes.append(axis)
                steps.append(step)
            out_axis += 1
        else:
            out_axis += 1
        axis += 1
    if starts:
        x = g.op("Slice", [x, g.shape_tensor(starts), g.shape_tensor(ends), g.ints(axes),
                           g.ints(steps)])
    if arrays:
        k = arrays[0]
        ref = items[k]
        dt = g.dtype_of(ref) if ref[0] != "filled" else ref[1].dtype
        if dt == np.bool_:
            raise g.fail("indexing with a boolean mask (an output size that depends on the "
                         "data) is not exported; use torch.where")
        idx = g.ref(ref, np.int64)
        # the index array replaces its axis (counted on the sliced input, before squeezes)
        x = g.op("Gather", [x, idx], axis=k - sum(1 for j in items[:k] if j is None))
        shift = len(ref[1].shape) - 1 if ref[0] == "const" else None
        if shift is None:
            shift = len(g.shape_of_ref(ref)) - 1
        squeeze = [a if a < k else a + shift for a in squeeze]
    if squeeze:
        x = g.op("Squeeze", [x, g.ints(squeeze)])
    if unsqueeze:
        x = g.op("Unsqueeze", [x, g.ints(unsqueeze)])
    return x


@converts("Index")
def index(g, c):
    return index_items(g, c, g.inp(c, 0), c.attrs["index"], c.in_shapes[0])


@converts("Gather")
def gather(g, c):
    shape, dim = c.in_shapes[0], int(c.attrs["dim"]) % max(len(c.in_shapes[0]), 1)
    idx_ref = c.attrs["index"]
    x = g.inp(c, 0)
    out = c.out_shape
    if tuple(out) != tuple(shape):
        cut = [k for k in range(len(shape)) if k != dim and out[k] != shape[k]]
        if cut:
            x = g.op("Slice", [x, g.ints([0] * len(cut)),
                               g.shape_tensor([out[k] for k in cut]), g.ints(cut)])
    return g.op("GatherElements", [x, g.ref(idx_ref, np.int64)], axis=dim)


@converts("Embedding")
def embedding(g, c):
    return g.op("Gather", [g.inp(c, 0), g.ref(c.attrs["indices"], np.int64)], axis=0)


@converts("Copy")
def copy(g, c):
    src = g.inp(c, 1, c.out_dtype)
    return g.op("Expand", [src, g.shape_tensor(c.out_shape)])


@converts("Fill")
def fill(g, c):
    if len(c.inputs) > 1:
        return g.op("Expand", [g.inp(c, 1, c.out_dtype), g.shape_tensor(c.out_shape)])
    arr = c.attrs.get("array")
    if arr is not None:
        if has_dim(c.out_shape):
            raise g.fail("a fill with random values of a shape that follows a dynamic axis")
        return g.ref(arr, c.out_dtype) if _is_ref(arr) else g.const(
            np.asarray(arr, c.out_dtype).reshape(c.out_shape))
    from onnx import numpy_helper
    value = np.asarray(c.attrs.get("value"), dtype=c.out_dtype).reshape(1)
    return g.op("ConstantOfShape", [g.shape_tensor(c.out_shape)],
                value=numpy_helper.from_array(value))
