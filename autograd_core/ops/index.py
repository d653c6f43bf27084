"""Indexing ops: ``x[index]``, ``gather`` and the embedding lookup, each paired with the
scatter-add that is its backward (and whose own backward is the indexing again);
``scatter`` and ``index_put`` (``x[index] = v``).

>>> import autograd_core as ag
>>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> x[[0, 0, 2]].sum().backward()
>>> x.grad
tensor([2., 0., 1.])
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function, const
from ..kernels.scatter import add_along_dims, take_along_dims
from .pointwise import NoDerivative, select_tensor, where


class SelectThenIndex:
    """An index that mixes ints with arrays, in PyTorch's two steps: ``first`` (the ints,
    each a ``select``; every other item keeps its dims) gives a view, which ``second``
    (the rest) indexes. NumPy would instead apply the ints as arrays broadcast with the
    others, which moves the dims of non-adjacent advanced indices to the front: for ``x``
    of shape ``(A, B, C)``, ``x[0, :, [0, 1]]`` is ``(B, 2)`` in PyTorch, ``(2, B)`` in NumPy.
    """

    __slots__ = ("first", "second")

    def __init__(self, first: tuple, second: tuple) -> None:
        self.first, self.second = first, second

    def __repr__(self) -> str:
        return f"SelectThenIndex({self.first!r}, {self.second!r})"


def _is_int(i) -> bool:
    return isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))


def torch_order(index):
    """``index`` (ints, slices, None, Ellipsis and arrays) as PyTorch applies it: a
    :class:`SelectThenIndex` when it mixes ints with arrays, else itself.

    >>> torch_order((0, slice(None), np.array([0, 1])))
    SelectThenIndex((0, slice(None, None, None), slice(None, None, None)), (slice(None, None, None), array([0, 1])))
    """
    if not isinstance(index, tuple):
        return index
    arrays = [isinstance(i, np.ndarray) for i in index]
    if not any(arrays) or not any(_is_int(i) for i in index) or any(
            isinstance(i, (bool, np.bool_)) for i in index):
        return index
    first, second = [], []
    for i, is_array in zip(index, arrays):
        if _is_int(i):
            first.append(i)
        elif is_array:  # kept whole by the first step (a bool mask spans its ndim dims)
            first.extend([slice(None)] * (i.ndim if i.dtype == np.bool_ else 1))
            second.append(i)
        elif i is Ellipsis:
            first.append(i)
            second.append(i)
        else:  # a slice or None: applied by the first step, its dim kept whole by the second
            first.append(i)
            second.append(slice(None))
    return SelectThenIndex(tuple(first), tuple(second))


def get(a: np.ndarray, index) -> np.ndarray:
    """``a[index]`` for any index, :class:`SelectThenIndex` too."""
    if type(index) is SelectThenIndex:
        return np.asarray(a[index.first][index.second])
    grid = _open_grid(index, a.ndim)
    if grid is not None and len(grid[1]) == 2:   # padding's and upsampling's grids
        return take_along_dims(a, grid[0], grid[1])
    return np.asarray(a[index])


def put(a: np.ndarray, index, v) -> None:
    """``a[index] = v`` in place, for any index."""
    if type(index) is SelectThenIndex:
        a[index.first][index.second] = v
    else:
        a[index] = v


def is_basic(index) -> bool:
    """True when ``index`` holds only ints, slices, None and Ellipsis (no repeats possible)."""
    if type(index) is SelectThenIndex:
        return False
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if not (i is None or i is Ellipsis or isinstance(i, _BASIC)):
            return False
    return True


_BASIC = (int, np.integer, slice)


def add_at(out: np.ndarray, index, g: np.ndarray) -> None:
    """``out[index] += g`` in place, repeated positions of an advanced index adding up."""
    if type(index) is SelectThenIndex:
        out, index = out[index.first], index.second  # a view of out
    if is_basic(index):
        out[index] += g
        return
    grid = _open_grid(index, out.ndim)
    if grid is None or g.shape != (out.shape[:grid[0]] + grid[2]
                                   + out.shape[grid[0] + len(grid[1]):]):
        np.add.at(out, index, g)
        return
    # integer arrays along consecutive dims, each picking along its own dim (one array
    # of any shape, or an open grid of 1-D picks as ``np.ix_`` makes): two dims at a time,
    # from the last, each pass but the last into a buffer the size of what is left
    first, picks, _ = grid
    while len(picks) > 2:
        shape = list(g.shape)
        shape[first + len(picks) - 2:first + len(picks)] = out.shape[first + len(picks) - 2:
                                                                     first + len(picks)]
        part = np.zeros(shape, out.dtype)
        add_along_dims(part, first + len(picks) - 2, picks[-2:], g)
        picks, g = picks[:-2], part
    add_along_dims(out, first, picks, g)


def _open_grid(index, ndim: int):
    """``(first, picks, shape)`` when ``index`` is full slices, then integer arrays for
    dims ``first, first + 1, ...`` that each pick along one dim (a single array of any
    shape, or arrays shaped as ``np.ix_`` makes them), then full slices; else None.
    ``picks`` are the arrays (the grid's flattened to 1-D), ``shape`` the dims they give."""
    if type(index) is np.ndarray:   # one array (an embedding's lookup, a batch's rows)
        return (0, [index], index.shape) if ndim and index.dtype.kind in "iu" else None
    items = index if type(index) is tuple else (index,)
    full = slice(None)
    arrays = [i for i, item in enumerate(items) if type(item) is np.ndarray]
    if not arrays or any(i is Ellipsis or i is None for i in items) or len(items) > ndim:
        return None
    first, k = arrays[0], len(arrays)
    if arrays != list(range(first, first + k)) or any(
            items[i] != full for i in range(len(items)) if not first <= i < first + k):
        return None
    picks = [items[i] for i in arrays]
    if any(p.dtype.kind not in "iu" for p in picks):
        return None
    if k == 1:
        return first, picks, picks[0].shape
    for j, p in enumerate(picks):
        if p.ndim != k or any(n != 1 for d, n in enumerate(p.shape) if d != j):
            return None
    return first, [p.reshape(-1) for p in picks], tuple(p.size for p in picks)


def as_view_index(index):
    """A basic index that always gives a view, even of one element: NumPy turns ``a[0]``
    of a 1-D array into a scalar copy, but ``a[0, ...]`` into a 0-d view (as PyTorch)."""
    items = index if isinstance(index, tuple) else (index,)
    if any(i is Ellipsis for i in items):
        return index
    return items + (Ellipsis,)


class Index(Function):
    op = "index"
    is_view = True  # for basic indices; advanced ones copy

    @staticmethod
    def forward(ctx, a, index=None):
        ctx.index = index
        if is_basic(index):
            return a[as_view_index(index)]
        return get(a, index)

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, index=ctx.index, shape=ctx.input_shape())

    def add_into(self, buffer: np.ndarray, grad: np.ndarray) -> None:
        """The backward as an in-place add into the input's gradient ``buffer``: the
        engine uses it when no graph of the backward is recorded, so that ``L`` slices
        of one tensor cost O(L) in backward, not L zero tensors of the whole size."""
        add_at(buffer, self.index, grad)


class IndexAdd(Function):
    """A zero tensor of ``shape`` with ``grad`` added at ``index`` (repeats add up)."""

    op = "index_add"

    @staticmethod
    def forward(ctx, g, index=None, shape=()):
        ctx.index = index
        out = np.zeros(shape, dtype=g.dtype)
        add_at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, grad):
        return Index.apply(grad, index=ctx.index)


def along_dim_index(index: np.ndarray, dim: int) -> tuple:
    """The full advanced index that picks ``index`` along ``dim``."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def take_along(a: np.ndarray, index: np.ndarray, dim: int) -> np.ndarray:
    """``np.take_along_axis(a, index, dim)``, for rows (2-D, ``dim`` 1) one advanced index
    without its setup."""
    if a.ndim == 2 and dim == 1:
        return a[np.arange(a.shape[0])[:, None], index]
    return np.take_along_axis(a, index, axis=dim)


class Gather(Function):
    op = "gather"

    @staticmethod
    def forward(ctx, a, dim=0, index=None):
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        if index.shape != a.shape:  # PyTorch reads only the part of a that index covers
            a = a[tuple(slice(None) if k == dim else slice(0, n) for k, n in enumerate(index.shape))]
        return take_along(a, index, dim)

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, index=along_dim_index(ctx.index, ctx.dim), shape=ctx.shape)

    def add_into(self, buffer: np.ndarray, grad: np.ndarray) -> None:
        """In-place backward, as :meth:`Index.add_into`."""
        np.add.at(buffer, along_dim_index(self.index, self.dim), grad)


class Scatter(Function):
    op = "scatter"

    @staticmethod
    def forward(ctx, a, src, dim=0, index=None):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        part = src[tuple(slice(0, s) for s in index.shape)]
        out = a.copy()
        pos = along_dim_index(index, dim)  # index may be smaller than a apart from dim
        out[pos] = part
        mask = np.zeros(a.shape, dtype=bool)
        mask[pos] = True
        ctx.mask = mask
        return out

    @staticmethod
    def backward(ctx, grad):
        need_a, need_src = ctx.needs_input_grad
        ga = gs = None
        if need_a:
            ga = where(ctx.mask, const(np.zeros((), grad._data.dtype)), grad)
        if need_src:
            gs = Gather.apply(grad, dim=ctx.dim, index=ctx.index)
            if ctx.index.shape != ctx.src_shape:
                region = tuple(slice(0, s) for s in ctx.index.shape)
                gs = IndexAdd.apply(gs, index=region, shape=ctx.src_shape)
        return ga, gs


class IndexPut(Function):
    """``a`` with ``a[index] = v``; with ``inplace`` the write goes into ``a`` itself
    (``__setitem__``, which bumps ``a``'s version)."""

    op = "index_put"

    @staticmethod
    def forward(ctx, a, v, index=None, inplace=False):
        ctx.index = index
        out = a if inplace else a.copy()
        put(out, index, v)
        return out

    @staticmethod
    def backward(ctx, grad):
        need_a, need_v = ctx.needs_input_grad
        ga = IndexPut.apply(grad, const(np.zeros((), grad._data.dtype)), index=ctx.index) \
            if need_a else None
        return ga, (Index.apply(grad, index=ctx.index) if need_v else None)

    @staticmethod
    def array_backward(ctx, grad):
        need_a, need_v = ctx.needs_input_grad
        ga = None
        if need_a:
            ga = grad.copy()
            put(ga, ctx.index, 0)
        return ga, (get(grad, ctx.index) if need_v else None)


class Embedding(Function):
    """``weight[indices]``: the rows of ``weight`` picked by the integer array ``indices``
    (any shape); the row ``padding_idx``, if given, gets a zero gradient whatever the
    upstream one.

    >>> import numpy as np, autograd_core as ag
    >>> from autograd_core.ops.index import Embedding
    >>> w = ag.eye(3, requires_grad=True)
    >>> Embedding.apply(w, indices=np.array([[0, 2, 2]]), padding_idx=0).sum().backward()
    >>> w.grad.sum(1).tolist()
    [0.0, 0.0, 6.0]
    """

    op = "embedding"

    @staticmethod
    def forward(ctx, weight, indices=None, padding_idx=None):
        ctx.indices, ctx.padding_idx, ctx.shape = indices, padding_idx, weight.shape
        return weight.take(indices, axis=0)    # weight[indices], in half the time

    @staticmethod
    def backward(ctx, grad):
        g = IndexAdd.apply(grad, index=ctx.indices, shape=ctx.shape)
        if ctx.padding_idx is not None:  # its row's gradient is 0 whatever the upstream one
            keep = np.ones((ctx.shape[0], 1), dtype=bool)
            keep[ctx.padding_idx] = False
            g = select_tensor(keep, g)
        return g


def embedding_renorm(weight: np.ndarray, indices: np.ndarray, max_norm: float,
                     norm_type: float = 2.0) -> None:
    """Rescale, in place, the rows of ``weight`` that ``indices`` picks to a ``norm_type``-norm
    of at most ``max_norm`` (``torch.embedding_renorm_``); the others stay as they are.

    >>> import numpy as np
    >>> from autograd_core.ops.index import embedding_renorm
    >>> w = np.array([[3.0, 4.0], [0.3, 0.4]])
    >>> embedding_renorm(w, np.array([0, 1]), max_norm=1.0)
    >>> np.round(w, 4).tolist()
    [[0.6, 0.8], [0.3, 0.4]]
    """
    rows = np.unique(indices)
    norms = np.linalg.norm(weight[rows], ord=norm_type, axis=1, keepdims=True)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    weight[rows] = weight[rows] * scale


_SCATTER_UFUNCS = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
                   "amin": np.minimum}


def scatter_reduce_array(a: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray,
                         reduce: str, include_self: bool) -> np.ndarray:
    """``a`` with each ``src[i][j]`` reduced into ``out[i][index[i][j]]`` (for ``dim=1``) by
    ``reduce``; without ``include_self`` the old values at the places written take no part.
    ``src`` has ``index``'s shape. An integer ``mean`` rounds down, as PyTorch's.

    >>> scatter_reduce_array(np.zeros(2), np.array([1.0, 3.0]), 0, np.array([1, 1]), "mean",
    ...                      False).tolist()
    [0.0, 2.0]
    """
    pos = along_dim_index(index, dim)
    out = a.copy()
    ufunc = _SCATTER_UFUNCS[reduce]
    if not include_self:
        if reduce in ("amax", "amin"):
            info = np.finfo(a.dtype) if a.dtype.kind == "f" else np.iinfo(a.dtype)
            start = (-np.inf if reduce == "amax" else np.inf) if a.dtype.kind == "f" else (
                info.min if reduce == "amax" else info.max)
        else:
            start = 1 if reduce == "prod" else 0
        out[pos] = start
    ufunc.at(out, pos, src)
    if reduce == "mean":
        count = scatter_count(a.shape, dim, index, include_self)
        out = out / count if a.dtype.kind == "f" else np.floor_divide(out, count)
    return np.asarray(out, dtype=a.dtype)


def scatter_count(shape: tuple, dim: int, index: np.ndarray, include_self: bool) -> np.ndarray:
    """How many values a scatter-mean averages at each place (at least 1)."""
    count = np.full(shape, 1 if include_self else 0, dtype=np.int64)
    np.add.at(count, along_dim_index(index, dim), 1)
    return np.maximum(count, 1)


class ScatterReduce(Function):
    """``scatter_reduce(dim, index, src, reduce, include_self)`` with ``reduce`` one of sum,
    prod, mean, amax, amin; ``src`` has ``index``'s shape. The gradients are PyTorch's: sum
    passes ``grad`` (gathered for ``src``), mean divides it by the count, amax/amin share it
    evenly among the elements equal to the result, prod multiplies it by the product of
    the others (exact when one of them is 0). Without ``include_self`` the old values at
    the places written get zero gradient."""

    op = "scatter_reduce"

    @staticmethod
    def forward(ctx, a, src, dim=0, index=None, reduce="sum", include_self=True):
        ctx.dim, ctx.index, ctx.reduce, ctx.include_self = dim, index, reduce, include_self
        out = scatter_reduce_array(a, src, dim, index, reduce, include_self)
        if reduce in ("prod", "amax", "amin"):
            ctx.save_for_backward(a, src, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, index, reduce = ctx.dim, ctx.index, ctx.reduce
        dtype = grad._data.dtype

        def gather(t):
            return Gather.apply(t, dim=dim, index=index)

        if reduce == "sum":
            ga, gs = grad, gather(grad)
        elif reduce == "mean":
            count = const(scatter_count(grad._data.shape, dim, index, ctx.include_self)
                          .astype(dtype))
            ga = grad / count
            gs = gather(ga)
        elif reduce == "prod":
            ga, gs = ScatterReduce._prod_grads(ctx, grad, gather)
        else:
            a, src, out = ctx.saved_arrays
            self_hit = (a == out).astype(dtype)
            src_hit = (src == out[along_dim_index(index, dim)]).astype(dtype)
            ties = self_hit.copy()
            np.add.at(ties, along_dim_index(index, dim), src_hit)
            shared = grad / const(np.maximum(ties, 1))
            ga = shared * const(self_hit)
            gs = gather(shared) * const(src_hit)
        if not ctx.include_self:
            written = np.zeros(grad._data.shape, dtype=bool)
            written[along_dim_index(index, dim)] = True
            ga = where(written, const(np.zeros((), dtype)), ga)
        need_a, need_src = ctx.needs_input_grad
        return (ga if need_a else None), (gs if need_src else None)

    @staticmethod
    def _prod_grads(ctx, grad, gather):
        a, src, out = ctx.saved_tensors
        ad, sd = a._data, src._data
        one = const(np.ones((), ad.dtype))
        attrs = dict(dim=ctx.dim, index=ctx.index, reduce="prod", include_self=ctx.include_self)
        # self: grad times the product of the others, with self's zeros taken as ones
        masked_self = where(ad == 0, one, a)
        ga = grad * ScatterReduce.apply(masked_self, src, **attrs) / masked_self
        # src: where a src element is the only zero written to its place, the product of
        # the others is the product with it taken as one; elsewhere grad * out / src
        src_zero = sd == 0
        zeros_at = np.zeros(ad.shape, np.int64)
        np.add.at(zeros_at, along_dim_index(ctx.index, ctx.dim), src_zero)
        single = src_zero & (zeros_at[along_dim_index(ctx.index, ctx.dim)] == 1)
        others = ScatterReduce.apply(a, where(single, one, src), **attrs)
        gs = where(single, gather(grad * others), gather(grad * out) / where(src_zero, one, src))
        return ga, gs


class ScatterReduceNoGrad(NoDerivative):
    """``scatter(dim, index, src, reduce='add'|'multiply')``: PyTorch gives it no derivative."""

    op = "scatter"

    @staticmethod
    def forward(ctx, a, src, dim=0, index=None, reduce="sum"):
        return scatter_reduce_array(a, src, dim, index, reduce, True)
