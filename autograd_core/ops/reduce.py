"""Reductions along ``dim`` (an int, a tuple, or None for all) with ``keepdim``, and the
ops that reduce along one dim as they go: softmax and log-softmax, cumulative sums and
products, norms and quantiles.

>>> import autograd_core as ag
>>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> x.sum(0).tolist(), x.cumsum(1).tolist()
([4.0, 6.0], [[1.0, 3.0], [3.0, 7.0]])
"""
from __future__ import annotations

import contextlib
import math
from typing import Any, Callable

import numpy as np

from ..autograd.function import Function, const, spread, sum_to_shape
from ..kernels import dispatch
from ..kernels import softmax as row_kernels
from .index import IndexAdd, along_dim_index, take_along
from .pointwise import select, select_tensor, where


def keepdim_shape(shape: tuple, dim) -> tuple:
    """The shape a reduction over ``dim`` has with ``keepdim=True``."""
    if dim is None:
        return (1,) * len(shape)
    dims = {d % len(shape) for d in dim} if isinstance(dim, tuple) else {dim % len(shape)}
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def reduced_shape(shape: tuple, dim) -> tuple:
    """The shape a reduction over ``dim`` (an int, a tuple, or None for all) leaves."""
    if dim is None:
        return ()
    dims = {d % len(shape) for d in dim} if isinstance(dim, tuple) else {dim % len(shape)}
    return tuple(s for i, s in enumerate(shape) if i not in dims)


_NO_CONTEXT = contextlib.nullcontext()


def quiet_if(degenerate: bool) -> Any:
    """NumPy's divide and invalid warnings silenced when ``degenerate`` (an empty mean, a
    variance without degrees of freedom: NaN or inf, as PyTorch's, quietly); else nothing,
    as ``np.errstate`` costs 1.4-5 us a call on the ops' common path."""
    return np.errstate(divide="ignore", invalid="ignore") if degenerate else _NO_CONTEXT


def reduced_count(shape: tuple, dim) -> int:
    """How many elements a reduction over ``dim`` (an int, a tuple, or None for all) takes
    together."""
    if dim is None:
        return math.prod(shape)
    if isinstance(dim, tuple):
        return math.prod([shape[d] for d in dim])
    return shape[dim]


class Sum(Function):
    op = "sum"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        ctx.dim, ctx.keepdim = dim, keepdim
        return np.asarray(a.sum(axis=dim, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.input_shape()
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(shape, ctx.dim))
        return grad.expand(shape)

    @staticmethod
    def array_backward(ctx, grad):
        shape = ctx.input_shape()
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(shape, ctx.dim))
        return spread(grad, shape)


class LogSumExp(Function):
    """``log(sum(exp(x)))`` over ``dim`` (an int, a tuple, or None for all) in one node, as
    PyTorch's ``LogsumexpBackward0``: the forward shifts by the finite maximum of each
    slice (no overflow), the backward is ``grad * exp(x - result)``, the softmax.

    >>> import autograd_core as ag
    >>> x = ag.tensor([[0.0, 0.0], [-1e4, -1e4]], requires_grad=True)
    >>> x.logsumexp(1).sum().backward(); x.grad
    tensor([[0.5000, 0.5000],
            [0.4999, 0.4999]])
    """

    op = "logsumexp"

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        finite = False
        if x.size:
            m = np.max(x, axis=dim, keepdims=True)
            finite = bool(np.isfinite(m).all())
            if not finite:   # all -inf (or an inf) in a slice: no shift there
                m = np.where(np.isfinite(m), m, 0).astype(x.dtype)
        else:
            m = np.zeros(keepdim_shape(x.shape, dim), x.dtype)
        with quiet_if(not finite):   # log(0) = -inf for an empty or all -inf slice
            out = np.log(np.exp(x - m).sum(axis=dim, keepdims=True))
        out += m
        out = out if keepdim else out.reshape(reduced_shape(x.shape, dim))
        ctx.dim, ctx.keepdim, ctx.finite = dim, keepdim, finite
        ctx.save_for_backward(x, out)
        return out

    # With every slice's maximum finite, ``x - result <= 0``: nothing to warn about; an
    # infinite result gives inf - inf = NaN there, as PyTorch's, quietly.

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        if not ctx.keepdim:
            shape = keepdim_shape(x.shape, ctx.dim)
            grad, out = grad.reshape(shape), out.reshape(shape)
        with quiet_if(not ctx.finite):
            return grad * (x - out).exp()

    @staticmethod
    def array_backward(ctx, grad):
        x, out = ctx.saved_arrays
        if not ctx.keepdim:
            shape = keepdim_shape(x.shape, ctx.dim)
            grad, out = grad.reshape(shape), out.reshape(shape)
        with quiet_if(not ctx.finite):
            return grad * np.exp(x - out)


class Mean(Function):
    """mean() over ``dim`` as one op, as PyTorch's ``MeanBackward0``: the sum divided by
    the count in the input's dtype (the same numbers as ``sum() / count``), and a backward
    that spreads ``grad / count`` over the reduced dims."""

    op = "mean"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        count = np.asarray(reduced_count(a.shape, dim), a.dtype)
        ctx.shape, ctx.dim, ctx.keepdim, ctx.count = a.shape, dim, keepdim, count
        with quiet_if(not count):   # an empty mean is NaN
            return np.asarray(a.sum(axis=dim, keepdims=keepdim) / count)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(ctx.shape, ctx.dim))
        return (grad / const(ctx.count)).expand(ctx.shape)

    @staticmethod
    def array_backward(ctx, grad):
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(ctx.shape, ctx.dim))
        with quiet_if(not ctx.count):
            return spread(grad / ctx.count, ctx.shape)


class SumToSize(Function):
    """Sum a broadcast gradient back to ``shape``: the inverse of ``expand``."""

    op = "sum_to_size"

    @staticmethod
    def forward(ctx, a, shape=()):
        ctx.shape = a.shape
        return sum_to_shape(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)

    @staticmethod
    def array_backward(ctx, grad):
        return spread(grad, ctx.shape)


class Var(Function):
    """Variance over ``dim``: the sum of squared deviations from the mean over ``divisor``
    (``n - correction``). The backward is PyTorch's closed form ``grad * 2 (x - mean) /
    divisor``: the terms through the mean add up to 0 and are left out (an inf upstream
    gradient gives +-inf there, as PyTorch's, not inf - inf)."""

    op = "var"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, divisor=1):
        with quiet_if(not (a.size and divisor > 0)):   # empty, or no degree of freedom
            # the mean as Mean's forward computes it (the sum over the count, in a's dtype)
            count = np.asarray(reduced_count(a.shape, dim), a.dtype)
            d = a - a.sum(axis=dim, keepdims=True) / count
            ctx.dim, ctx.keepdim, ctx.shape, ctx.d = dim, keepdim, a.shape, d
            ctx.scale = 2.0 / divisor if divisor else math.inf
            ctx.save_for_backward(a)
            # a Python number divides in a's dtype (NumPy's rule for scalars)
            return np.asarray(np.add.reduce(d * d, axis=dim, keepdims=keepdim) / divisor)

    @staticmethod
    def backward(ctx, grad):
        a = ctx.saved_tensors[0]   # (Std saves its output after it)
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(ctx.shape, ctx.dim))
        return grad * ctx.scale * (a - a.mean(ctx.dim, keepdim=True))

    @staticmethod
    def array_backward(ctx, grad):
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(ctx.shape, ctx.dim))
        return ctx.scale * grad * ctx.d


class Std(Function):
    """Standard deviation over ``dim``: the square root of ``Var``'s, one node as PyTorch's
    ``StdBackward0``. The gradient is the variance's for ``grad / (2 std)`` (the chain rule
    through the square root), and 0 where the deviation is 0 (a constant input), as
    PyTorch's (not sqrt's inf times 0)."""

    op = "std"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, divisor=1):
        out = np.sqrt(Var.forward(ctx, a, dim, keepdim, divisor))   # keeps ctx.d, ctx.scale
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out = ctx.saved_tensors[1]
        if not ctx.keepdim:
            shape = keepdim_shape(ctx.shape, ctx.dim)
            grad, out = grad.reshape(shape), out.reshape(shape)
        zero = out._data == 0
        some = zero.any()
        if some:   # divide by 1 there, then give those places 0
            out = where(zero, const(np.ones((), out._data.dtype)), out)
        g = Var.backward(ctx, grad / (out * 2))
        return select_tensor(~zero, g) if some else g

    @staticmethod
    def array_backward(ctx, grad):
        out = ctx.saved_arrays[1]
        if not ctx.keepdim:
            shape = keepdim_shape(ctx.shape, ctx.dim)
            grad, out = grad.reshape(shape), out.reshape(shape)
        zero = out == 0
        some = zero.any()
        with quiet_if(some):
            g = Var.array_backward(ctx, grad / (out * 2))
        return select(~zero, g) if some else g


class Prod(Function):
    op = "prod"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        ctx.dim, ctx.keepdim = dim, keepdim
        ctx.save_for_backward(a)
        return np.asarray(np.prod(a, axis=dim, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        dim = ctx.dim
        if not ctx.keepdim:
            grad = grad.reshape(keepdim_shape(a.shape, dim))
        if np.all(a._data != 0):
            # recomputed as a Tensor op, so that second derivatives see it
            return grad * a.prod(dim, keepdim=True) / a
        # With zeros: the product of all the other entries, by prefix and suffix products.
        x = np.moveaxis(a._data, dim, -1) if dim is not None else a._data.reshape(-1)
        ones = np.ones_like(x[..., :1])
        left = np.cumprod(np.concatenate([ones, x[..., :-1]], -1), -1)
        right = np.flip(np.cumprod(np.concatenate([ones, np.flip(x, -1)[..., :-1]], -1), -1), -1)
        others = left * right
        others = np.moveaxis(others, -1, dim) if dim is not None else others.reshape(a.shape)
        return grad * const(others)


class MaxAll(Function):
    """max() or min() over every element, as PyTorch's: the gradient goes to the elements
    equal to the result (to the NaNs when it is NaN), shared evenly, and is 0 elsewhere
    whatever the upstream gradient."""

    op = "max"

    # The shares are found in backward, from the saved input and result (checked against
    # in-place changes): a forward alone (``x.max().item()``, a max under no_grad) is one
    # reduction.

    @staticmethod
    def forward(ctx, a, largest=True):
        out = np.asarray(a.max() if largest else a.min())
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def _share(ctx, dtype: np.dtype) -> np.ndarray:
        a, out = ctx.saved_arrays
        mask = np.isnan(a) if a.dtype.kind == "f" and np.isnan(out) else a == out
        return (mask / mask.sum()).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return select_tensor(MaxAll._share(ctx, grad._data.dtype), grad)

    @staticmethod
    def array_backward(ctx, grad):
        return select(MaxAll._share(ctx, grad.dtype), grad)


class Max(Function):
    """``max(dim)``'s values, with the indices of the maxima found beforehand (``index``,
    with the reduced dim kept): one node, as PyTorch's ``MaxBackward0``. The gradient goes
    to the element each index picked, and is 0 elsewhere. ``Min`` is the same op."""

    op = "max"

    @staticmethod
    def forward(ctx, a, dim=0, keepdim=False, index=None):
        ctx.dim, ctx.keepdim, ctx.index = dim, keepdim, index
        out = take_along(a, index, dim)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        return IndexAdd.apply(grad, index=along_dim_index(ctx.index, ctx.dim),
                              shape=ctx.input_shape())

    def add_into(self, buffer: np.ndarray, grad: np.ndarray) -> None:
        """In-place backward (see ``Function.add_into``): each slice has one index, so a
        plain ``+=`` at them adds each gradient once."""
        if not self.keepdim:
            grad = np.expand_dims(grad, self.dim)
        buffer[along_dim_index(self.index, self.dim)] += grad


class Min(Max):
    """``min(dim)``'s values: ``Max``'s op on the indices of the minima (PyTorch's
    ``MinBackward0``)."""

    op = "min"


class Amax(Function):
    """amax() or amin() over ``dim`` (an int, a tuple, or None for all), as PyTorch's: ties
    share the gradient evenly, and the backward is a product with those shares (a NaN in
    a reduced slice gives NaN gradients over it)."""

    op = "amax"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, largest=True):
        ext = np.asarray((np.max if largest else np.min)(a, axis=dim, keepdims=True))
        ties = a == ext
        with np.errstate(invalid="ignore"):
            ctx.share = (ties / ties.sum(axis=dim, keepdims=True)).astype(a.dtype, copy=False)
        ctx.keep = ext.shape
        if keepdim:
            return ext
        return ext.reshape(()) if dim is None else np.squeeze(ext, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.keep) * const(ctx.share)

    @staticmethod
    def array_backward(ctx, grad):
        return grad.reshape(ctx.keep) * ctx.share


# Softmax and log-softmax over the last dim of a C-contiguous array work through blocks of
# rows this large: each block's temporaries stay in the cache and only the result is a new
# array (the measurement: benchmarks/README.md, "Ops").
ROW_BLOCK_BYTES = 1 << 20


def _row_view(dim: int, *arrays: np.ndarray) -> tuple | None:
    """The arrays as (rows, last dim) 2-D views when ``dim`` is their last dim and each is a
    C-contiguous float array of one shape and dtype; None otherwise."""
    a = arrays[0]
    if a.ndim == 0 or dim % a.ndim != a.ndim - 1 or a.size == 0 or a.dtype.kind != "f":
        return None
    for x in arrays:
        if x.shape != a.shape or x.dtype != a.dtype or not x.flags.c_contiguous:
            return None
    if a.ndim == 2:
        return arrays
    c = a.shape[-1]
    return tuple([x.reshape(-1, c) for x in arrays])


def _block_rows(rows: np.ndarray) -> int:
    return max(1, ROW_BLOCK_BYTES // (rows.shape[1] * rows.itemsize))


# float32 rows of any size go through the Numba kernels (``kernels/softmax.py``: one pass
# each way where NumPy takes four, and one call where NumPy makes five, so they are faster
# from a single row of ten up: benchmarks/README.md, "Ops"); float64 rows take NumPy's passes.
def _row_kernel(rows: np.ndarray) -> bool:
    return rows.dtype == np.float32 and dispatch.choose_path() == "numba"


def softmax_array(a: np.ndarray, dim: int = -1) -> np.ndarray:
    """``exp(a - max) / sum(exp(a - max))`` along ``dim``."""
    if a.ndim == 2 and dim in (1, -1) and a.dtype == np.float32 and a.flags.c_contiguous \
            and a.size and dispatch.choose_path() == "numba":   # the common case, checked fast
        return row_kernels.softmax_rows(a)
    view = _row_view(dim, a)
    if view is None:
        e = np.exp(a - a.max(axis=dim, keepdims=True))
        return e / e.sum(axis=dim, keepdims=True)
    (rows,) = view
    if _row_kernel(rows):
        return row_kernels.softmax_rows(rows).reshape(a.shape)
    out = np.empty_like(rows)
    step = _block_rows(rows)
    for i in range(0, rows.shape[0], step):
        x, o = rows[i:i + step], out[i:i + step]
        np.subtract(x, x.max(axis=1, keepdims=True), out=o)
        np.exp(o, out=o)
        o /= o.sum(axis=1, keepdims=True)
    return out.reshape(a.shape)


def _blocked_backward(grad: np.ndarray, out: np.ndarray, dim: int, inplace: bool,
                      block: Callable, kernel: Callable) -> np.ndarray | None:
    """A row-wise backward over blocks of rows of ``grad`` and ``out`` (see ``_row_view``;
    None when they have no such view): ``block(g, o, r, scratch)`` writes the gradient of
    rows ``g`` and outputs ``o`` into ``r``, using ``scratch``, of their shape, as it likes
    (``r`` itself unless ``inplace``, where ``r`` is ``g``'s memory); float32 rows take
    ``kernel(g, o, r)`` instead, over all rows at once."""
    view = _row_view(dim, grad, out)
    if view is None:
        return None
    g, o = view
    gx = g if inplace else np.empty_like(g)
    if _row_kernel(g):
        gx = kernel(g, o, gx)
        return gx if grad.ndim == 2 else gx.reshape(grad.shape)
    step = _block_rows(g)
    tmp = np.empty((min(step, g.shape[0]), g.shape[1]), g.dtype) if inplace else None
    for i in range(0, g.shape[0], step):
        gb, r = g[i:i + step], gx[i:i + step]
        block(gb, o[i:i + step], r, tmp[:gb.shape[0]] if inplace else r)
    return gx.reshape(grad.shape)


def _softmax_block(g: np.ndarray, o: np.ndarray, r: np.ndarray, scratch: np.ndarray) -> None:
    s = np.multiply(g, o, out=scratch).sum(axis=1, keepdims=True)
    np.subtract(g, s, out=r)
    r *= o


def softmax_backward_array(grad: np.ndarray, out: np.ndarray, dim: int,
                           inplace: bool = False) -> np.ndarray:
    """``out * (grad - sum(grad * out))`` along ``dim``: softmax's backward; with
    ``inplace``, written into ``grad``'s memory where it can be."""
    gx = _blocked_backward(grad, out, dim, inplace, _softmax_block,
                           row_kernels.softmax_backward_rows)
    if gx is None:
        return out * (grad - (grad * out).sum(axis=dim, keepdims=True))
    return gx


class _RowSoftmax(Function):
    """Softmax and log-softmax: ``forward`` is the subclass's ``forward_array(a, dim)`` and
    saves its output and ``ctx.dim``; the array backwards are the subclass's
    ``backward_array(grad, out, dim, inplace=False)``."""

    forward_array: Callable
    backward_array: Callable

    @classmethod
    def forward(cls, ctx, a, dim=-1):
        out = cls.forward_array(a, dim)
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def array_backward(ctx, grad):
        (out,) = ctx.saved_arrays
        return ctx.backward_array(grad, out, ctx.dim)

    @staticmethod
    def array_backward_inplace(ctx, grad):
        (out,) = ctx.saved_arrays
        return ctx.backward_array(grad, out, ctx.dim, inplace=True)


class Softmax(_RowSoftmax):
    op = "softmax"

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out * (grad - (grad * out).sum(ctx.dim, keepdim=True))

    forward_array = staticmethod(softmax_array)
    backward_array = staticmethod(softmax_backward_array)


def log_softmax_array(a: np.ndarray, dim: int = -1) -> np.ndarray:
    """``a - logsumexp(a)`` along ``dim``, stable: the forward of every log-softmax."""
    view = _row_view(dim, a)
    if view is None:
        shifted = a - a.max(axis=dim, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
    (rows,) = view
    if _row_kernel(rows):
        return row_kernels.log_softmax_rows(rows).reshape(a.shape)
    out = np.empty_like(rows)
    step = _block_rows(rows)
    tmp = np.empty((min(step, rows.shape[0]), rows.shape[1]), rows.dtype)
    for i in range(0, rows.shape[0], step):
        x, o = rows[i:i + step], out[i:i + step]
        np.subtract(x, x.max(axis=1, keepdims=True), out=o)
        s = np.exp(o, out=tmp[:o.shape[0]]).sum(axis=1, keepdims=True)
        o -= np.log(s, out=s)
    return out.reshape(a.shape)


def _log_softmax_block(g: np.ndarray, o: np.ndarray, r: np.ndarray,
                       scratch: np.ndarray) -> None:
    s = g.sum(axis=1, keepdims=True)
    e = np.exp(o, out=scratch)
    e *= s
    np.subtract(g, e, out=r)


def log_softmax_backward_array(grad: np.ndarray, out: np.ndarray, dim: int,
                               inplace: bool = False) -> np.ndarray:
    """``grad - exp(out) * sum(grad)`` along ``dim``: log-softmax's backward; with
    ``inplace``, written into ``grad``'s memory where it can be."""
    gx = _blocked_backward(grad, out, dim, inplace, _log_softmax_block,
                           row_kernels.log_softmax_backward_rows)
    if gx is None:
        return grad - np.exp(out) * grad.sum(axis=dim, keepdims=True)
    return gx


class LogSoftmax(_RowSoftmax):
    op = "log_softmax"

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - out.exp() * grad.sum(ctx.dim, keepdim=True)

    forward_array = staticmethod(log_softmax_array)
    backward_array = staticmethod(log_softmax_backward_array)


def reverse_cumsum(t, dim: int):
    """``sum_{j >= i} t_j`` along ``dim``: the running sum from the other end."""
    return t.flip(dim).cumsum(dim).flip(dim)


class CumSum(Function):
    op = "cumsum"

    @staticmethod
    def forward(ctx, a, dim=0):
        ctx.dim = dim
        return np.cumsum(a, axis=dim, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return reverse_cumsum(grad, ctx.dim)


class CumProd(Function):
    op = "cumprod"

    @staticmethod
    def forward(ctx, a, dim=0):
        ctx.dim = dim
        out = np.cumprod(a, axis=dim, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        dim = ctx.dim
        if a.shape[dim] == 0:
            return grad
        if np.all(a._data != 0):
            # d out_j / d a_k = out_j / a_k for j >= k
            return reverse_cumsum(grad * out, dim) / a
        # With zeros: d out_j / d a_k = prod_{i <= j, i != k} a_i (j >= k), built as an
        # (n, n) table per position: row k is the cumprod of a with a_k set to one.
        x = a.transpose(dim, -1)
        g = grad.transpose(dim, -1)
        n = x.shape[-1]
        eye = np.eye(n, dtype=bool)
        rows = where(eye, const(np.ones((), a._data.dtype)), x.unsqueeze(-2).expand(
            x.shape[:-1] + (n, n)))                                   # [..., k, i]
        table = rows.cumprod(-1) * const(np.triu(np.ones((n, n), a._data.dtype)))  # j >= k
        gx = (table * g.unsqueeze(-2)).sum(-1)                         # sum over j
        return gx.transpose(dim, -1)


def cumulative_extreme_index(a: np.ndarray, dim: int, largest: bool) -> np.ndarray:
    """Along ``dim``: the index of the running maximum (or minimum) of ``a``, as PyTorch's
    ``cummax``/``cummin``: at a tie the later index, and from a NaN on the last NaN seen.

    >>> cumulative_extreme_index(np.array([1.0, 3.0, 3.0, 2.0]), 0, True).tolist()
    [0, 1, 2, 2]
    """
    running = (np.maximum if largest else np.minimum).accumulate(a, axis=dim)
    # the running extreme changes only where an element reaches it, so the last element
    # equal to its running extreme (or the last NaN) is where the extreme was taken
    hit = a == running
    if a.dtype.kind == "f":
        hit |= np.isnan(a)
    shape = [1] * a.ndim
    shape[dim] = a.shape[dim]
    positions = np.where(hit, np.arange(a.shape[dim]).reshape(shape), 0)
    return np.maximum.accumulate(positions, axis=dim).astype(np.int64)


class LogCumSumExp(Function):
    """``log(cumsum(exp(a)))`` along ``dim``, without overflow. The gradient
    ``sum_{j >= i} grad_j * exp(a_i - out_j)`` is taken in log space, the positive and
    negative parts of ``grad`` apart (PyTorch's formula), so it neither overflows nor
    underflows; it is written with this op itself, so it has a derivative too."""

    op = "logcumsumexp"

    @staticmethod
    def forward(ctx, a, dim=0):
        ctx.dim = dim
        out = np.logaddexp.accumulate(a, axis=dim, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        dim = ctx.dim
        if grad._data.size == 0:
            return grad
        lowest = const(np.asarray(np.finfo(grad._data.dtype).min, grad._data.dtype))
        g = grad._data

        def reverse_logcumsumexp(x):
            return LogCumSumExp.apply(x.flip(dim), dim=dim).flip(dim)

        # log(0) = -inf where grad is 0 (not selected), and lowest - out may round to -inf:
        # both are exact results here
        with np.errstate(divide="ignore", over="ignore"):
            log_abs = grad.abs().log()
            pos = (reverse_logcumsumexp(where(g > 0, log_abs, lowest) - out) + a).exp()
            neg = (reverse_logcumsumexp(where(g < 0, log_abs, lowest) - out) + a).exp()
        return pos - neg


class Norm(Function):
    """``(sum |x|^p)^(1/p)`` over ``dim`` (a tuple, or None for all) for a finite ``p > 0``."""

    op = "norm"

    @staticmethod
    def forward(ctx, a, p=2.0, dim=None, keepdim=False):
        ctx.p, ctx.dim, ctx.keepdim = p, dim, keepdim
        if p == 2:
            out = np.sqrt(np.sum(a * a, axis=dim, keepdims=keepdim))
        elif p == 1:
            out = np.sum(np.abs(a), axis=dim, keepdims=keepdim)
        else:
            out = np.sum(np.abs(a) ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)
        out = np.asarray(out, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        p = ctx.p
        if not ctx.keepdim:
            shape = keepdim_shape(a.shape, ctx.dim)
            grad, out = grad.reshape(shape), out.reshape(shape)
        sign = const(np.sign(a._data))
        if p == 1:
            return grad * sign
        # where the norm is zero, so is every |x| it covers: divide by one instead
        safe = where(out._data == 0, const(np.ones((), out._data.dtype)), out)
        if p == 2:
            return grad * a / safe
        # |x|^(p-1) is infinite at x = 0 for p < 1: the gradient there is zero (sign(0) = 0)
        one = const(np.ones((), a._data.dtype))
        base = where(a._data == 0, one, a.abs())
        return grad * sign * base ** (p - 1) / safe ** (p - 1)


QUANTILE_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


class Quantile(Function):
    """``quantile``/``nanquantile`` of ``a`` along ``dim`` (None: over every element) at
    ``q`` (a 0-d or 1-d array of ``a``'s dtype; 1-d puts the q dim first), as PyTorch's:
    sort, take the rank ``q * (n - 1)`` (``n`` the count of non-NaN values with
    ``ignore_nan``; a NaN in a slice makes its quantile NaN otherwise), round it by
    ``interpolation``, and interpolate between the two order statistics around it. The
    gradient goes to those one or two elements, weighted as they were (``q`` is a constant).

    >>> import numpy as np
    >>> import autograd_core as ag
    >>> x = ag.tensor([4.0, 1.0, 3.0, 2.0], requires_grad=True)
    >>> y = Quantile.apply(x, q=np.asarray(0.5, np.float32))   # rank 1.5: between 2 and 3
    >>> y.backward(); y, x.grad
    (tensor(2.5000, grad_fn=<QuantileBackward0>), tensor([0.0000, 0.0000, 0.5000, 0.5000]))
    """

    op = "quantile"

    @staticmethod
    def forward(ctx, a, q=None, dim=None, keepdim=False, interpolation="linear",
                ignore_nan=False):
        dtype = a.dtype
        x = a.reshape(-1) if dim is None or a.ndim == 0 else np.moveaxis(a, dim, -1)
        n = x.shape[-1]
        order = np.argsort(x, axis=-1, kind="stable")         # NaNs last, as PyTorch's
        ordered = np.take_along_axis(x, order, axis=-1)
        qs = q.reshape((-1,) + (1,) * (x.ndim - 1))             # (Q, 1, ...) against (R...)
        nan = np.isnan(ordered)
        if ignore_nan:
            count = (n - nan.sum(axis=-1)).astype(dtype)
            ranks = qs * (count - np.asarray(1, dtype))
            ranks = np.where(ranks < 0, np.asarray(0, dtype), ranks)  # all NaN: rank 0
        else:
            last = np.asarray(n - 1, dtype)
            ranks = np.where(nan.any(axis=-1), last, qs * last)     # any NaN: the last (NaN)
        ranks = np.asarray(ranks, dtype)
        if interpolation == "lower":
            ranks = np.floor(ranks)
        elif interpolation == "higher":
            ranks = np.ceil(ranks)
        elif interpolation == "nearest":
            ranks = np.round(ranks)                                 # half to even, as PyTorch
        below = np.moveaxis(ranks.astype(np.int64), 0, -1)          # (R..., Q)
        lower = np.take_along_axis(ordered, below, axis=-1)
        if interpolation in ("linear", "midpoint"):
            above = np.moveaxis(np.ceil(ranks).astype(np.int64), 0, -1)
            w = np.full(below.shape, 0.5, dtype) if interpolation == "midpoint" else \
                np.moveaxis(ranks, 0, -1) - below.astype(dtype)
            upper = np.take_along_axis(ordered, above, axis=-1)
            # PyTorch's lerp: exact at both ends
            out = np.where(w < 0.5, lower + w * (upper - lower), upper - (upper - lower) * (1 - w))
            ctx.above_at = np.take_along_axis(order, above, axis=-1)
            ctx.w_below, ctx.w_above = np.asarray(1 - w, dtype), np.asarray(w, dtype)
        else:
            out = lower
            ctx.above_at = None  # the one order statistic taken gets the whole gradient
        ctx.below_at = np.take_along_axis(order, below, axis=-1)  # positions in x
        ctx.inner_shape, ctx.shape = x.shape, a.shape
        ctx.dim, ctx.keepdim, ctx.scalar_q = dim, keepdim, q.ndim == 0
        scalar_q = q.ndim == 0
        out = np.moveaxis(np.asarray(out, dtype), -1, 0)           # (Q, R...)
        if keepdim and a.ndim:
            out = out.reshape((out.shape[0],) + (1,) * a.ndim) if dim is None else \
                np.expand_dims(out, 1 + dim)
        return np.array(out[0] if scalar_q else out, dtype)  # a contiguous copy

    @staticmethod
    def _layout(ctx, grad):
        """The output gradient as (R..., Q), the layout of ``ctx.picks``."""
        if ctx.scalar_q:
            grad = grad.reshape((1,) + tuple(grad.shape))
        if ctx.keepdim and len(ctx.shape):
            grad = grad.reshape((grad.shape[0],) + ctx.inner_shape[:-1])
        return grad

    @staticmethod
    def backward(ctx, grad):
        g = Quantile._layout(ctx, grad).movedim(0, -1)
        axis = len(ctx.inner_shape) - 1
        if ctx.above_at is None:
            gx = IndexAdd.apply(g, index=along_dim_index(ctx.below_at, axis),
                                shape=ctx.inner_shape)
        else:
            gx = (IndexAdd.apply(g * const(ctx.w_below), index=along_dim_index(ctx.below_at, axis),
                                 shape=ctx.inner_shape)
                  + IndexAdd.apply(g * const(ctx.w_above),
                                   index=along_dim_index(ctx.above_at, axis),
                                   shape=ctx.inner_shape))
        return gx.reshape(ctx.shape) if ctx.dim is None or not len(ctx.shape) else \
            gx.movedim(-1, ctx.dim)

    @staticmethod
    def array_backward(ctx, grad):
        g = np.moveaxis(Quantile._layout(ctx, grad), 0, -1)
        axis = len(ctx.inner_shape) - 1
        gx = np.zeros(ctx.inner_shape, grad.dtype)
        if ctx.above_at is None:
            np.add.at(gx, along_dim_index(ctx.below_at, axis), g)
        else:
            np.add.at(gx, along_dim_index(ctx.below_at, axis), g * ctx.w_below)
            np.add.at(gx, along_dim_index(ctx.above_at, axis), g * ctx.w_above)
        return gx.reshape(ctx.shape) if ctx.dim is None or not len(ctx.shape) else \
            np.moveaxis(gx, -1, ctx.dim)
