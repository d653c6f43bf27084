"""Linear algebra ops: matrix products (``MatMul``, batch dims broadcast; ``Linear``,
``x @ weight.T + bias`` in one node) and ``einsum``.

>>> import autograd_core as ag
>>> a = ag.ones(2, 3, requires_grad=True)
>>> (a @ ag.ones(3, 4)).shape, ag.einsum("ij,jk->ik", a, ag.ones(3, 4)).shape
((2, 4), (2, 4))
"""
from __future__ import annotations

import math
import string
from typing import Any, TYPE_CHECKING

import numpy as np

from .. import kernels
from ..kernels import threads
from ..autograd.function import Function, is_tensor

if TYPE_CHECKING:  # for annotations only: the Tensor type sits above this layer
    from ..tensor import Tensor


_BMM_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


_SMALL_MACS = 1 << 18   # OpenBLAS runs a product this small on one thread anyway


def _macs(a: np.ndarray, b: np.ndarray) -> int:
    """Multiply-adds of ``a @ b`` (1-d operands count as one row or column)."""
    rows = a.size // a.shape[-1] if a.ndim and a.shape[-1] else 0
    return rows * b.shape[-1] * (a.shape[-1] if a.ndim else 0) if b.ndim >= 2 else a.size


def mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` through :func:`matmul_arrays`, on one BLAS thread while the host is busy
    (``kernels.threads.blas_single_if_busy``)."""
    if a.size * b.shape[-1] > _SMALL_MACS and _macs(a, b) > _SMALL_MACS and threads.host_busy():
        with threads.blas_single_if_busy(_macs(a, b)):
            return matmul_arrays(a, b)
    return matmul_arrays(a, b)   # small products take no hold (about 1 us less per call)


def matmul_arrays(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``; batches of equal shape go to the batched-matmul kernel, which splits the
    batch over threads (np.matmul runs one small BLAS call after another), and a matrix or
    a stack times a matrix is one product on the rows (``kernels.matmul_packed``; np.matmul
    would loop over the stack)."""
    if b.ndim == 2 and a.ndim >= 2 and a.shape[-1]:
        if a.ndim == 2:
            return kernels.matmul_packed(a, b)
        out = kernels.matmul_packed(a.reshape(-1, a.shape[-1]), b)
        return out.reshape(a.shape[:-1] + out.shape[-1:])
    if a.ndim >= 3 and a.shape[:-2] == b.shape[:-2] and a.dtype == b.dtype \
            and a.dtype in _BMM_DTYPES:
        out = kernels.bmm(a.reshape((-1,) + a.shape[-2:]), b.reshape((-1,) + b.shape[-2:]))
        return out.reshape(a.shape[:-2] + out.shape[-2:])
    return np.matmul(a, b)


class MatMul(Function):
    op = "matmul"

    @staticmethod
    def forward(ctx, a, b):
        k = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if a.shape[-1] != k:
            raise RuntimeError(f"shapes {a.shape} and {b.shape} cannot be multiplied "
                             f"({a.shape[-1]} != {k})")
        nxt = ctx.next
        ctx.save_for_backward(a if nxt[1] is not None else None,
                              b if nxt[0] is not None else None)
        if a.ndim == 1 or b.ndim == 1:   # a vector: NumPy's matmul (BLAS gemv or dot)
            return np.matmul(a, b)
        return mm(a, b)

    # A stack times a matrix (``x @ W``, x of shape (B, T, K)): W's gradient is one product
    # of the stacked rows, ``x.reshape(-1, K).T @ grad.reshape(-1, N)``, rather than B
    # small products summed over the batch afterwards.

    # A vector operand (``M @ v``, ``v @ M``, ``u @ v``) is the same node, as PyTorch's
    # ``mv`` and ``dot``, not an unsqueeze, a product and a squeeze: its gradient is a
    # broadcast product with the other operand's gradient there (batch dims are summed
    # away by ``sum_to_shape``).

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        shape_a, shape_b = ctx._meta[0][0], ctx._meta[1][0]
        if len(shape_b) == 1:    # (..., m, k) @ (k,): grad (..., m)
            if len(shape_a) == 1:
                return (grad * b if need_a else None), (grad * a if need_b else None)
            return ((grad.unsqueeze(-1) * b if need_a else None),
                    ((grad.unsqueeze(-2) @ a).squeeze(-2) if need_b else None))
        if len(shape_a) == 1:    # (k,) @ (..., k, n): grad (..., n)
            return (((b @ grad.unsqueeze(-1)).squeeze(-1) if need_a else None),
                    (a.unsqueeze(-1) * grad.unsqueeze(-2) if need_b else None))
        gb = None
        if need_b:
            stacked = a.ndim > 2 and len(ctx._meta[1][0]) == 2
            gb = (a.reshape(-1, a.shape[-1]).mT @ grad.reshape(-1, grad.shape[-1]) if stacked
                  else a.mT @ grad)
        return (grad @ b.mT if need_a else None), gb

    @staticmethod
    def array_backward(ctx, grad):
        a, b = ctx.saved_arrays
        shape_a, shape_b = ctx._meta[0][0], ctx._meta[1][0]
        if len(shape_b) == 1:
            if len(shape_a) == 1:
                return (grad * b if b is not None else None), (grad * a if a is not None else None)
            return ((grad[..., None] * b if b is not None else None),
                    (np.matmul(grad[..., None, :], a)[..., 0, :] if a is not None else None))
        if len(shape_a) == 1:
            return ((np.matmul(b, grad[..., None])[..., 0] if b is not None else None),
                    (a[:, None] * grad[..., None, :] if a is not None else None))
        ga = mm(grad, np.swapaxes(b, -1, -2)) if b is not None else None
        gb = None
        if a is not None:
            stacked = a.ndim > 2 and len(ctx._meta[1][0]) == 2
            gb = (mm(a.reshape(-1, a.shape[-1]).T, grad.reshape(-1, grad.shape[-1])) if stacked
                  else mm(np.swapaxes(a, -1, -2), grad))
        return ga, gb


class Linear(Function):
    """``x @ weight.T + bias`` in one node: the layer behind ``nn.Linear``."""

    op = "linear"

    @staticmethod
    def forward(ctx, x, w, b=None):
        if x.shape[-1] != w.shape[1]:
            raise RuntimeError(f"input has {x.shape[-1]} features but weight {w.shape} expects "
                             f"{w.shape[1]} (weight is (out_features, in_features))")
        nxt = ctx.next
        ctx.save_for_backward(x if nxt[1] is not None else None,
                              w if nxt[0] is not None else None)
        out = mm(x, w.T)
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = grad @ w if need[0] else None
        gw = None
        if need[1]:
            g2 = grad.reshape(-1, grad.shape[-1])
            gw = g2.mT @ x.reshape(-1, x.shape[-1])
        gb = grad.reshape(-1, grad.shape[-1]).sum(0) if len(need) > 2 and need[2] else None
        return (gx, gw, gb) if len(need) > 2 else (gx, gw)

    @staticmethod
    def array_backward(ctx, g):
        x, w = ctx.saved_arrays
        need = ctx.needs_input_grad
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        gx = mm(g2, w).reshape(ctx._meta[0][0]) if need[0] else None
        gw = None
        if need[1]:
            gw = mm(g2.T, x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x)
        if len(need) > 2:
            return gx, gw, (g2.sum(0) if need[2] else None)
        return gx, gw


_LETTERS = string.ascii_uppercase + string.ascii_lowercase


class Einsum(Function):
    """Operands with distinct letters each and consistent sizes; ``inputs`` and ``output``
    are the letter strings."""

    op = "einsum"

    @staticmethod
    def forward(ctx, *arrays, inputs=(), output=""):
        ctx.inputs, ctx.output = inputs, output
        ctx.save_for_backward(*arrays)
        eq = ",".join(inputs) + "->" + output
        return np.asarray(np.einsum(eq, *arrays, optimize=_optimize(inputs, arrays)))

    @staticmethod
    def backward(ctx, grad):
        ops = ctx.saved_tensors
        grads = []
        for i, need in enumerate(ctx.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            others = [s for j, s in enumerate(ctx.inputs) if j != i]
            present = set(ctx.output).union(*others)
            mine = ctx.inputs[i]
            kept = "".join(c for c in mine if c in present)
            g = Einsum.apply(grad, *[o for j, o in enumerate(ops) if j != i],
                             inputs=(ctx.output, *others), output=kept)
            if kept != mine:  # letters only operand i has: its gradient is constant along them
                shape = ops[i].shape
                g = g.reshape(tuple(shape[k] if c in present else 1 for k, c in enumerate(mine)))
                g = g.expand(shape)
            grads.append(g)
        return tuple(grads)


# Below this many multiply-adds np.einsum's own loop beats its contraction planner's cost
# (tens of microseconds); above, the planner's BLAS products win (benchmarks/README.md).
_EINSUM_PLAN_MACS = 1 << 16


def _optimize(inputs: tuple, arrays: tuple) -> bool:
    """Whether np.einsum should plan the contraction (BLAS products, pairwise order):
    always for more than two operands, else for a large one."""
    if len(arrays) > 2:
        return True
    sizes = {c: n for term, a in zip(inputs, arrays) for c, n in zip(term, a.shape)}
    return math.prod(sizes.values()) > _EINSUM_PLAN_MACS


def _parse(equation: str, operands: list) -> tuple:
    """Letter strings per operand and for the output, with any ellipsis spelled out."""
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->", 1)
    else:
        lhs, out = eq, None
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(f"einsum: the equation {equation!r} names {len(terms)} operands but "
                         f"{len(operands)} were given")
    for term in terms + ([out] if out is not None else []):
        rest = term.replace("...", "", 1)
        if "." in rest or any(c not in _LETTERS for c in rest):
            raise RuntimeError(f"einsum: invalid subscript {term!r} in {equation!r} "
                             "(expected letters and at most one '...')")
    used = set(c for c in eq if c in _LETTERS)
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for term, t in zip(terms, operands):
        letters = len(term.replace("...", ""))
        if "..." in term:
            n_ell = max(n_ell, t.ndim - letters)
            if t.ndim < letters:
                raise RuntimeError(f"einsum: subscript {term!r} has {letters} letters but operand "
                                 f"of shape {t.shape} has {t.ndim} dims")
        elif letters != t.ndim:
            raise RuntimeError(f"einsum: subscript {term!r} has {letters} letters but operand of "
                             f"shape {t.shape} has {t.ndim} dims")
    ell = "".join(spare[:n_ell])
    inputs = []
    for term, t in zip(terms, operands):
        if "..." in term:
            k = t.ndim - len(term.replace("...", ""))
            term = term.replace("...", ell[n_ell - k:] if k else "")
        inputs.append(term)
    if out is None:
        counts = {}
        for term in inputs:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
        if len(set(out)) != len(out):
            raise RuntimeError(f"einsum: output subscript {out!r} repeats a letter")
        missing = [c for c in out if not any(c in term for term in inputs)]
        if missing:
            raise RuntimeError(f"einsum: output subscript {missing[0]!r} does not appear in the "
                             f"inputs of {equation!r}")
    return inputs, out


def _diagonal(t: Tensor, term: str) -> tuple:
    """Take the diagonal over each letter repeated in ``term`` (by indexing, so it has a gradient)."""
    while len(set(term)) != len(term):
        c = next(c for c in term if term.count(c) > 1)
        pos = [k for k, x in enumerate(term) if x == c]
        sizes = {t.shape[k] for k in pos}
        if len(sizes) != 1:
            raise RuntimeError(f"einsum: subscript {c!r} is repeated over dims of different sizes "
                             f"{[t.shape[k] for k in pos]}")
        rest = [k for k in range(len(term)) if k not in pos]
        t = t.permute(*pos, *rest)
        ar = np.arange(sizes.pop())
        t = t[(ar,) * len(pos)]
        term = c + "".join(term[k] for k in rest)
    return t, term


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products over the subscripts of ``equation``, as ``torch.einsum``.

    Explicit (``'ij,jk->ik'``) and implicit (``'ij,jk'``: the letters seen once, sorted)
    outputs, ``...`` for broadcast leading dims, any number of operands, size-1 dims
    broadcast, repeated subscripts in one operand (``'ii->i'``, ``'ii'``) take a diagonal.

    >>> import autograd_core as ag
    >>> x = ag.ones(2, 3, 4)
    >>> y = ag.ones(2, 4, 5)
    >>> ag.einsum("bij,bjk->bik", x, y).shape, ag.einsum("...j,...j", x, x).shape
    ((2, 3, 5), (2, 3))
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum: expected the equation string first, got {type(equation).__name__}")
    if not operands:
        raise RuntimeError("einsum: expected at least one operand")
    for k, t in enumerate(operands):
        if not is_tensor(t):
            raise TypeError(f"einsum: operand {k} must be a Tensor, not {type(t).__name__}")
    inputs, out = _parse(equation, list(operands))
    ops = []
    for t, term in zip(operands, inputs):
        t, term = _diagonal(t, term)
        ops.append(t)
        inputs[len(ops) - 1] = term
    sizes: dict = {}
    for t, term in zip(ops, inputs):
        for c, s in zip(term, t.shape):
            if s != 1:
                if sizes.get(c, s) != s:
                    raise RuntimeError(
                        f"einsum: subscript {c!r} has size {s} in one operand and "
                        f"{sizes[c]} in another (shapes {[tuple(o.shape) for o in operands]})")
                sizes[c] = s
    dt = np.result_type(*[t.dtype for t in ops])
    ops = [t.to(dt) for t in ops]
    ops = [t.expand(tuple(sizes.get(c, 1) for c in term)) for t, term in zip(ops, inputs)]
    return Einsum.apply(*ops, inputs=tuple(inputs), output=out)
