"""How Tensor methods read their arguments: sizes given as varargs or one sequence,
dims (negative ones too) checked against a tensor, reduction dims with PyTorch's and
NumPy's names, indices holding tensors, and the dtype a Python scalar takes.

>>> import autograd_core as ag
>>> from autograd_core.tensor.args import _size, _check_dim
>>> _size((2, 3)), _size(((2, 3),)), _check_dim(ag.zeros(2, 3), -1, "sum")
((2, 3), (2, 3), 1)
"""

from __future__ import annotations

import functools
import inspect
import operator
from collections import namedtuple
from typing import Any, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..autograd.function import is_tensor
from ..ops.index import torch_order
from .dtypes import get_default_dtype

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


# PyTorch's torch.return_types.max / min / sort / topk
_SCALARS = (int, float, bool, np.number, np.bool_)


_NUMBERS = (int, float, bool, np.number, np.bool_)


ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _is_float(dtype: np.dtype) -> bool:
    return dtype.kind in "fc"


def _pair_dtype(a: np.ndarray, scalar: Any) -> np.dtype:
    """The dtype a Python scalar takes next to array ``a`` (PyTorch's rule)."""
    if isinstance(scalar, (bool, np.bool_)):
        return a.dtype
    if isinstance(scalar, (float, np.floating)) and not _is_float(a.dtype):
        return np.dtype(get_default_dtype())
    if isinstance(scalar, (int, np.integer)) and a.dtype == np.bool_:
        return np.dtype(np.int64)
    return a.dtype


def _leaf(data: np.ndarray, requires_grad: bool) -> "Tensor":
    t = _f.make(data)
    if requires_grad:
        t.requires_grad = True
    return t


def _size(args: tuple) -> tuple:
    """Sizes given as varargs or as one sequence, as PyTorch accepts both."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    elif len(args) == 1 and is_tensor(args[0]):
        sizes = args[0].tolist()
        args = tuple(sizes) if isinstance(sizes, list) else (sizes,)
    try:
        return tuple(map(operator.index, args))   # ints (and 0-d integer tensors), as PyTorch
    except TypeError:
        for i, a in enumerate(args):
            if not hasattr(type(a), "__index__"):
                raise TypeError(f"argument 'size' must be tuple of ints, but found element of "
                                f"type {type(a).__name__} at pos {i}") from None
        raise


def _keyword_size(args: tuple, kwargs: dict, name: str, op: str) -> tuple:
    """The varargs sizes or dims of ``op``, given instead as the keyword PyTorch names them
    (``zeros(size=(2, 3))``, ``x.flip(dims=[0])``, ``x.reshape(shape=(3, 2))``); called
    only when keywords are left over.

    >>> _keyword_size((), {"dims": [0]}, "dims", "flip")
    ([0],)
    """
    unknown = [k for k in kwargs if k != name]
    if unknown:
        raise TypeError(f"{op}() got an unexpected keyword argument '{unknown[0]}'")
    if args:
        raise TypeError(f"{op}() got multiple values for argument '{name}'")
    return (kwargs[name],)


def _check_dim(t: Tensor, dim: Any, op: str) -> int:
    """``dim`` as an index in ``[0, ndim)``; a 0-d tensor takes dims -1 and 0, as PyTorch's
    (then 0 is returned). Out of range: PyTorch's ``IndexError``."""
    n = t.ndim or 1
    if type(dim) is int and -n <= dim < n:   # the common case, checked first
        return dim % n
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return int(dim) % n


def _check_dim_of_nd(t: Tensor, dim: Any, op: str) -> int:
    """:func:`_check_dim` for ops that need a dim to exist: PyTorch's ``IndexError`` on a
    0-d tensor."""
    if t.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _check_dim(t, dim, op)


def _dims(t: Tensor, dim: Any, keepdim: bool) -> tuple:
    """Reduction dims (an int, a sequence, or None for all) checked against ``t``: None,
    an int, or a tuple of ints; a 0-d tensor reduces over all (after the check)."""
    if dim is None:
        return None, keepdim
    if isinstance(dim, (list, tuple)):
        dims = tuple(_check_dim(t, d, "reduce") for d in dim)
        return (dims if dims and t.ndim else None), keepdim
    d = _check_dim(t, dim, "reduce")
    return (d if t.ndim else None), keepdim


def numpy_names(fn: Any) -> Any:
    """Let ``fn`` take NumPy's keyword names ``axis`` for ``dim`` and ``keepdims`` for
    ``keepdim``, as PyTorch's argument parser does for every op with those parameters.

    >>> import autograd_core as ag
    >>> ag.ones(2, 3).sum(axis=1, keepdims=True).shape
    (2, 1)
    """
    @functools.wraps(fn)
    def aliased(*args: Any, **kwargs: Any) -> Any:
        if not kwargs:
            return fn(*args)
        if "axis" in kwargs:
            if "dim" in kwargs:
                raise TypeError(f"{fn.__name__}(): got both 'dim' and its alias 'axis'")
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs:
            if "keepdim" in kwargs:
                raise TypeError(f"{fn.__name__}(): got both 'keepdim' and its alias 'keepdims'")
            kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)

    return aliased


def add_numpy_names(cls: type) -> None:
    """Wrap every method of ``cls`` that has a ``dim`` or ``keepdim`` parameter with
    :func:`numpy_names`."""
    for name in dir(cls):
        fn = getattr(cls, name, None)
        if not callable(fn) or isinstance(fn, type) or name.startswith("__"):
            continue
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            continue
        if ("dim" in params or "keepdim" in params) and "axis" not in params:
            setattr(cls, name, numpy_names(fn))


def _index(index: Any) -> Any:
    """Tensors and lists inside an index become arrays (a 0-d integer tensor an int, which
    PyTorch applies as ``select``); an index that mixes ints with arrays is applied in
    PyTorch's order (``ops.index.torch_order``)."""
    if isinstance(index, tuple):
        return torch_order(tuple(_index_item(i) for i in index))
    return _index_item(index)


def _index_item(i: Any) -> Any:
    if is_tensor(i):
        d = i._data
        if d.ndim == 0 and d.dtype.kind in "iu":
            return int(d)
        return d
    if isinstance(i, list):
        return np.asarray(i)
    return i


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, _f.Tensor) else np.asarray(x)


def _require_tensor(x: Any, op: str, arg: str) -> "Tensor":
    if not isinstance(x, _f.Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")
    return x


def _require_float(x: "Tensor", op: str) -> None:
    if x._data.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point tensor, got dtype {x._data.dtype}")


def _index_1d(index: Any, op: str, n: int, negative: bool,
              error: type = IndexError) -> np.ndarray:
    """``index`` as a 1-D int64 array; out of ``[-n, n)`` (``[0, n)`` unless ``negative``)
    it raises ``error`` naming the op, the index and the valid range."""
    idx = _array(index)
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: index must be a 1-D int64 tensor, got shape {idx.shape} and "
                         f"dtype {idx.dtype}")
    idx = idx.reshape(-1).astype(np.int64)
    low = -n if negative else 0
    if idx.size and (idx.min() < low or idx.max() >= n):
        bad = idx[(idx < low) | (idx >= n)][0]
        raise error(f"{op}: index {bad} is out of range for a dim of size {n} (expected "
                    f"{low} <= index < {n})")
    return idx % max(n, 1)
