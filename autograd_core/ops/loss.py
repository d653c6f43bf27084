"""Fused losses: cross-entropy on logits (class indices or class probabilities),
binary cross-entropy on probabilities and on logits, and the regression losses (MSE,
smooth L1, Huber) of ``d = input - target``.

Each forward works on arrays with a numerically stable log-softmax / softplus, so
logits of +-1e4 give finite losses and gradients; each backward is the closed form.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .. import kernels
from ..autograd import composite_backward
from ..autograd.function import Function, const, is_tensor, spread
from .pointwise import select, where
from .reduce import log_softmax_array

if TYPE_CHECKING:  # for annotations only: the Tensor type sits above this layer
    from ..tensor import Tensor


def _reduce_array(loss: np.ndarray, reduction: str, denom: float | None = None) -> np.ndarray:
    if reduction == "none":
        return loss
    s = loss.sum(dtype=loss.dtype)
    if reduction == "sum":
        return np.asarray(s)
    return np.asarray(s / (loss.size if denom is None else denom), dtype=loss.dtype)


def _grad_scale(g: np.ndarray, reduction: str, denom: float, shape: tuple) -> np.ndarray:
    """Upstream gradient of each loss element, as an array of ``shape``."""
    if reduction == "none":
        return g.reshape(shape)
    if reduction == "mean":
        g = g / denom
    return spread(g, shape)


def _to_rows(x: np.ndarray) -> np.ndarray:
    """(N, C, d1, ...) -> (N * d1 * ..., C); (N, C) and (C,) stay 2-D."""
    if x.ndim == 1:
        return x.reshape(1, -1)
    if x.ndim == 2:
        return x
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _from_rows(rows: np.ndarray, shape: tuple) -> np.ndarray:
    if len(shape) <= 2:
        return rows.reshape(shape)
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return np.moveaxis(rows.reshape(moved), -1, 1)


def _loss_shape(shape: tuple) -> tuple:
    """Shape of the per-element loss (``reduction='none'``) for logits of ``shape``."""
    if len(shape) == 1:
        return ()
    return (shape[0],) + tuple(shape[2:])


def class_index_targets(target: np.ndarray, ignore_index: int, classes: int,
                        fn: str) -> tuple[np.ndarray | None, np.ndarray]:
    """``(valid, tc)`` for integer class targets: which ones count (None when all do), and
    the targets with the ignored ones set to class 0; an IndexError names a target outside
    ``[0, classes)``.

    >>> import numpy as np
    >>> from autograd_core.ops.loss import class_index_targets
    >>> valid, tc = class_index_targets(np.array([2, -100, 1]), -100, 3, "nll_loss")
    >>> valid.tolist(), tc.tolist()
    ([True, False, True], [2, 0, 1])
    """
    valid = target != ignore_index
    if valid.all():
        valid, tc = None, target
    else:
        tc = np.where(valid, target, 0)
    if tc.size and (tc.min() < 0 or tc.max() >= classes):
        bad = tc[(tc < 0) | (tc >= classes)].flat[0]
        raise IndexError(f"Target {bad} is out of bounds ({fn} with {classes} classes)")
    return valid, tc


def _mean_denominator(n: int, valid: np.ndarray | None, wy: np.ndarray | None) -> float:
    """What ``'mean'`` divides an index-target loss by, as PyTorch: the number of targets not
    ignored (``valid``, None when all count), or their classes' summed weights ``wy``."""
    if wy is None:
        return float(n) if valid is None else float(valid.sum())
    return float(wy.sum()) if valid is None else float((wy * valid).sum())


class CrossEntropyIndex(Function):
    """Cross-entropy of logits with integer class targets.

    ``forward(logits, weight?, target=, ignore_index=, label_smoothing=, reduction=)``;
    logits are (C,), (N, C) or (N, C, d1, ...), targets (), (N,) or (N, d1, ...).
    Forward keeps ``e = exp(x - max)`` and its row sums ``s``; backward is then
    ``e * (g / s) - g`` at the targets (plus the smoothing terms).
    """

    op = "cross_entropy"

    @staticmethod
    def forward(ctx, x, weight=None, target=None, ignore_index=-100, label_smoothing=0.0,
                reduction="mean"):
        rows = _to_rows(x)
        n, c = rows.shape
        t = target.reshape(-1)
        eps = label_smoothing
        # without smoothing, one kernel pass that also checks the targets (None for rows it
        # does not serve, or a target out of range or ignored: the general path then)
        fast = kernels.cross_entropy_rows(rows, t, ignore_index) if eps == 0 else None
        if fast is not None:
            valid, tc = None, t
            e, s, picked = fast
        else:
            if n <= 64:   # a few targets: Python's min and max of a list beat NumPy's
                tl = t.tolist()
                lo, hi = (min(tl), max(tl)) if n else (0, 0)
            else:
                lo, hi = int(t.min()), int(t.max())
            if 0 <= lo and hi < c and not lo <= ignore_index <= hi:  # the common case
                valid, tc = None, t
            else:
                valid, tc = class_index_targets(t, ignore_index, c, "cross_entropy")
            shifted = rows - rows.max(axis=-1, keepdims=True)
            e = np.exp(shifted)
            s = e.sum(axis=-1, keepdims=True)
            log_s = np.log(s)
            if eps > 0:
                logp = shifted - log_s
                picked = logp[np.arange(n), tc]
                smooth = -(logp.sum(-1) if weight is None else logp @ weight) / c
            else:
                picked = shifted[np.arange(n), tc] - log_s[:, 0]
        all_valid = valid is None
        wy = weight[tc] if weight is not None else None
        loss = -picked if wy is None else -picked * wy
        if eps > 0:
            loss = (1 - eps) * loss + eps * smooth
        if not all_valid:
            loss = np.where(valid, loss, 0).astype(rows.dtype, copy=False)
        denom = _mean_denominator(n, valid, wy) if reduction == "mean" else 1.0
        ctx.e, ctx.s, ctx.tc, ctx.valid, ctx.all_valid, ctx.wy = e, s, tc, valid, all_valid, wy
        ctx.attrs = (target, ignore_index, label_smoothing, reduction)
        ctx.denom, ctx.xshape = denom, x.shape
        ctx.save_for_backward(x, weight)
        if reduction == "mean" and denom == 0:
            return np.asarray(np.nan, dtype=rows.dtype)
        return _reduce_array(loss.reshape(_loss_shape(x.shape)), reduction, denom)

    @staticmethod
    def backward(ctx, grad):
        target, ignore_index, eps, reduction = ctx.attrs
        saved = ctx.saved_tensors
        return composite_backward(ctx, grad, lambda x, w=None: cross_entropy_composite(
            x, target, w, ignore_index, eps, reduction), saved[:len(ctx.next)])

    @staticmethod
    def array_backward(ctx, g):
        target, ignore_index, eps, reduction = ctx.attrs
        weight = ctx.saved_arrays[1]
        e, s, tc, wy = ctx.e, ctx.s, ctx.tc, ctx.wy
        n, c = e.shape
        if reduction == "none":
            g = g.reshape(-1).astype(e.dtype, copy=False)
        elif reduction == "mean":
            g = g / e.dtype.type(ctx.denom)
        if not ctx.all_valid:  # ignored targets get 0 gradient whatever the upstream one
            g = select(ctx.valid, g)
        # d loss_i / d x_i = (sum_c a_ic) p_i - a_i, a_i the effective target weights
        ar = np.arange(n)
        if eps > 0:
            w_all = weight.sum() if weight is not None else c
            hard = (1 - eps) * (wy if wy is not None else 1.0)
            coef = g * (hard + eps * w_all / c) / s[:, 0]
            gx = e * coef[:, None]
            soft = g * (eps / c)
            soft = soft[:, None] if np.ndim(soft) else soft
            gx -= soft * weight if weight is not None else soft
            gx[ar, tc] -= g * hard
        else:
            gy = g if wy is None else g * wy
            gx = e * (gy / s[:, 0])[:, None]
            gx[ar, tc] -= gy
        gx = _from_rows(gx, ctx.xshape)
        if len(ctx.next) > 1:
            if ctx.next[1] is not None:
                raise RuntimeError("cross_entropy: the gradient with respect to 'weight' is not "
                                   "implemented")
            return gx, None
        return gx


class CrossEntropyProb(Function):
    """Cross-entropy of logits with class-probability targets of the logits' shape.

    ``forward(logits, target, weight?, label_smoothing=, reduction=)``; the mean is
    over the batch (and extra dims), as in PyTorch.
    """

    op = "cross_entropy"

    @staticmethod
    def forward(ctx, x, t, weight=None, label_smoothing=0.0, reduction="mean"):
        rows = _to_rows(x)
        trow = _to_rows(t)
        n, c = rows.shape
        logp = log_softmax_array(rows)
        eps = label_smoothing
        ts = trow * (1 - eps) + eps / c if eps > 0 else trow
        a = ts * weight if weight is not None else ts
        loss = -(a * logp).sum(-1)
        ctx.logp, ctx.a = logp, a
        ctx.attrs = (label_smoothing, reduction)
        ctx.denom, ctx.xshape = float(n), x.shape
        ctx.save_for_backward(x, t, weight)
        return _reduce_array(loss.reshape(_loss_shape(x.shape)), reduction, float(n))

    @staticmethod
    def backward(ctx, grad):
        eps, reduction = ctx.attrs
        return composite_backward(ctx, grad, lambda x, t, w=None: cross_entropy_composite(
            x, t, w, -100, eps, reduction), ctx.saved_tensors[:len(ctx.next)])

    @staticmethod
    def array_backward(ctx, grad):
        eps, reduction = ctx.attrs
        saved = ctx.saved_arrays
        logp, a = ctx.logp, ctx.a
        n, c = logp.shape
        g = _grad_scale(grad, reduction, ctx.denom, (n,)).astype(logp.dtype, copy=False)
        need = ctx.needs_input_grad
        gx = None
        if need[0]:
            gx = np.exp(logp) * (g * a.sum(-1))[:, None] - a * g[:, None]
            gx = _from_rows(gx, ctx.xshape)
        gt = None
        if need[1]:
            w = saved[2] if saved[2] is not None else 1.0
            gt = _from_rows(-(1 - eps) * w * logp * g[:, None], ctx.xshape)
        if len(need) > 2 and need[2]:
            raise RuntimeError("cross_entropy: the gradient with respect to 'weight' is not "
                               "implemented")
        return (gx, gt, None) if len(need) > 2 else (gx, gt)


def _move_class_last(x: Tensor) -> Tensor:
    if x.ndim <= 2:
        return x.reshape(1, -1) if x.ndim == 1 else x
    return x.permute(0, *range(2, x.ndim), 1).reshape(-1, x.shape[1])


def cross_entropy_composite(x: Tensor, target: "Tensor | np.ndarray", weight: Tensor | None,
                            ignore_index: int, label_smoothing: float,
                            reduction: str) -> Tensor:
    """Cross-entropy written in Tensor ops: the reference for tests and the path for
    second derivatives. ``target`` is an int array (class indices) or a float Tensor."""
    rows = _move_class_last(x)
    n, c = rows.shape
    logp = rows.log_softmax(-1)
    loss_shape = _loss_shape(x.shape)
    eps = label_smoothing
    if is_tensor(target) and target.dtype.kind == "f":
        t = _move_class_last(target)
        if eps > 0:
            t = t * (1 - eps) + eps / c
        a = t * weight if weight is not None else t
        loss = -(a * logp).sum(-1)
        return reduce_loss(loss.reshape(loss_shape), reduction, float(n))
    t = np.asarray(target._data if is_tensor(target) else target).reshape(-1)
    return _nll_rows(logp, t, weight, ignore_index, eps, reduction, loss_shape)


class NllLoss(Function):
    """Negative log-likelihood of log-probabilities at integer class targets, one op as
    PyTorch's (``NllLossBackward0``): ``-logp[i, t_i] * w[t_i]``, reduced.

    ``forward(logp, weight?, target=, ignore_index=, reduction=)``; ``logp`` is (C,), (N, C)
    or (N, C, d1, ...), ``target`` an int array of the shape without the class dim. The
    gradient is ``-g * w[t_i]`` at each row's target and 0 elsewhere;
    :func:`nll_loss_composite` is the same in Tensor ops, for a graph of the gradient.
    """

    op = "nll_loss"

    @staticmethod
    def forward(ctx, logp, weight=None, target=None, ignore_index=-100, reduction="mean"):
        rows = _to_rows(logp)
        n, c = rows.shape
        valid, tc = class_index_targets(target.reshape(-1), ignore_index, c, "nll_loss")
        wy = weight[tc] if weight is not None else None
        picked = rows[np.arange(n), tc]
        loss = -picked if wy is None else -picked * wy
        if valid is not None:
            loss = np.where(valid, loss, 0).astype(rows.dtype, copy=False)
        denom = _mean_denominator(n, valid, wy) if reduction == "mean" else 1.0
        ctx.tc, ctx.valid, ctx.wy, ctx.denom, ctx.xshape = tc, valid, wy, denom, logp.shape
        ctx.classes = c
        ctx.attrs = (target, ignore_index, reduction)
        ctx.save_for_backward(logp, weight)
        if reduction == "mean" and denom == 0:
            return np.asarray(np.nan, dtype=rows.dtype)
        return _reduce_array(loss.reshape(_loss_shape(logp.shape)), reduction, denom)

    @staticmethod
    def backward(ctx, grad):
        target, ignore_index, reduction = ctx.attrs
        return composite_backward(ctx, grad, lambda x, w=None: nll_loss_composite(
            x, target, w, ignore_index, reduction), ctx.saved_tensors[:len(ctx.next)])

    @staticmethod
    def array_backward(ctx, g):
        reduction = ctx.attrs[2]
        tc, wy = ctx.tc, ctx.wy
        dtype = g.dtype
        n = tc.shape[0]
        if reduction == "none":
            g = g.reshape(-1)
        elif reduction == "mean":
            g = g / dtype.type(ctx.denom)
        gy = g if wy is None else g * wy
        if ctx.valid is not None:   # ignored targets get 0 gradient whatever the upstream one
            gy = select(ctx.valid, np.broadcast_to(gy, (n,)))
        rows = np.zeros((n, ctx.classes), dtype)
        rows[np.arange(n), tc] = -gy
        gx = _from_rows(rows, ctx.xshape)
        if len(ctx.next) > 1:
            if ctx.next[1] is not None:
                raise RuntimeError("nll_loss: the gradient with respect to 'weight' is not "
                                   "implemented")
            return gx, None
        return gx


def nll_loss(logp: Tensor, target: np.ndarray, weight: Tensor | None = None,
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``logp`` ((C,), (N, C) or
    (N, C, d1, ...)) at the integer class ``target`` (the shape without the class dim), one
    op (:class:`NllLoss`). Targets equal to ``ignore_index`` add nothing; ``'mean'``
    divides by the summed weights of the others.

    >>> import numpy as np, autograd_core as ag
    >>> from autograd_core.ops.loss import nll_loss
    >>> nll_loss(ag.tensor([[-1.0, -2.0], [-3.0, -0.5]]), np.array([0, 1])).item()
    0.75
    """
    t = np.asarray(target)
    extra = () if weight is None else (weight,)
    return NllLoss.apply(logp, *extra, target=t, ignore_index=ignore_index, reduction=reduction)


def nll_loss_composite(logp: Tensor, target: np.ndarray, weight: Tensor | None = None,
                       ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """:func:`nll_loss` in Tensor ops: the reference for tests and the path for second
    derivatives (cross-entropy's index-target path after its log-softmax)."""
    t = np.asarray(target).reshape(-1)
    c = logp.shape[1] if logp.ndim > 1 else logp.shape[0]
    class_index_targets(t, ignore_index, c, "nll_loss")
    return _nll_rows(_move_class_last(logp), t, weight, ignore_index, 0.0, reduction,
                     _loss_shape(logp.shape))


def _nll_rows(logp: Tensor, t: np.ndarray, weight: Tensor | None, ignore_index: int,
              eps: float, reduction: str, loss_shape: tuple) -> Tensor:
    """The loss of (N, C) log-probability rows at the flat class targets ``t``, with label
    smoothing ``eps``, reshaped to ``loss_shape`` and reduced."""
    c = logp.shape[1]
    valid = t != ignore_index
    tc = np.where(valid, t, 0)
    picked = logp.gather(1, const(tc[:, None])).reshape(-1)
    vmask = const(valid.astype(logp.dtype))
    if weight is not None:
        wy = weight.gather(0, const(tc)) * vmask
    else:
        wy = vmask
    loss = -picked * wy
    if eps > 0:
        smooth = -(logp * weight).sum(-1) if weight is not None else -logp.sum(-1)
        loss = loss * (1 - eps) + smooth * vmask * (eps / c)
    if not valid.all():  # ignored targets get 0 gradient whatever the upstream one
        loss = where(valid, loss, const(np.zeros((), logp.dtype)))
    loss = loss.reshape(loss_shape)
    if reduction == "mean":
        return loss.sum() / wy.sum()
    return reduce_loss(loss, reduction)


def reduce_loss(loss: Tensor, reduction: str, denom: float | None = None) -> Tensor:
    """``loss`` reduced as ``reduction`` says: ``'none'``, ``'sum'``, or ``'mean'``, the sum
    divided by ``denom`` (by default the number of elements): the reduction of every loss.

    >>> import autograd_core as ag
    >>> from autograd_core.ops.loss import reduce_loss
    >>> loss = ag.tensor([1.0, 2.0, 6.0])
    >>> reduce_loss(loss, "mean").item(), reduce_loss(loss, "sum", 2.0).item()
    (3.0, 9.0)
    """
    if reduction == "mean":
        return loss.mean() if denom is None else loss.sum() / denom
    if reduction == "sum":
        return loss.sum()
    return loss


# ------------------------------------------------------------------ regression
class RegressionLoss(Function):
    """``mse_loss``, ``smooth_l1_loss`` and ``huber_loss`` as one op each, as PyTorch's
    (``MseLossBackward0``, ...): a function of ``d = x - t`` per element (``kind``; ``beta``
    is smooth L1's beta or Huber's delta, positive), reduced. The composite of Tensor ops it replaces
    made four to eight nodes; its backward is one closed form, and
    ``regression_composite`` for a graph of the gradient. (PyTorch composes ``l1_loss``
    of ``abs`` and a reduction, and smooth L1 with beta 0 is that L1; so does
    ``nn.functional``.)"""

    op = "regression_loss"
    _NAMES = {"mse": "MseLoss", "smooth_l1": "SmoothL1Loss", "huber": "HuberLoss"}

    @staticmethod
    def forward(ctx, x, t, kind="mse", beta=1.0, reduction="mean"):
        d = x - t
        if kind == "mse":
            loss = d * d
        else:
            ad = np.abs(d)
            if kind == "smooth_l1":
                loss = np.where(ad < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
            else:   # huber
                loss = np.where(ad < beta, d * d * 0.5, (ad - 0.5 * beta) * beta)
        ctx.kind, ctx.beta, ctx.reduction, ctx.d = kind, beta, reduction, d
        ctx.save_for_backward(x, t)
        return _reduce_array(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        kind, beta, reduction = ctx.kind, ctx.beta, ctx.reduction
        return composite_backward(ctx, grad, lambda x, t: regression_composite(
            x, t, kind, beta, reduction), ctx.saved_tensors)

    @staticmethod
    def array_backward(ctx, grad):
        d, kind, beta = ctx.d, ctx.kind, ctx.beta
        g = _grad_scale(grad, ctx.reduction, float(d.size), d.shape)
        if kind == "mse":
            dl = d * 2
        elif kind == "smooth_l1":
            dl = np.where(np.abs(d) < beta, d * (1.0 / beta), np.sign(d))
        else:   # huber
            dl = np.clip(d, -beta, beta)
        gx = (g * dl).astype(d.dtype, copy=False)
        need = ctx.needs_input_grad
        return (gx if need[0] else None), (-gx if need[1] else None)

    def name(self) -> str:
        return f"{self._NAMES[self.kind]}Backward0"


def regression_composite(x: Tensor, t: Tensor, kind: str, beta: float, reduction: str) -> Tensor:
    """:class:`RegressionLoss` in Tensor ops (its backward with ``create_graph``)."""
    d = x - t
    if kind == "mse":
        return reduce_loss(d * d, reduction)
    ad = d.abs()
    if kind == "smooth_l1":
        loss = where(ad._data < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    else:
        loss = where(ad._data < beta, d * d * 0.5, (ad - 0.5 * beta) * beta)
    return reduce_loss(loss, reduction)


# ------------------------------------------------------------------ binary
_LOG_MIN = kernels.loss.LOG_MIN


class BinaryCrossEntropy(Function):
    """``-w (t log x + (1 - t) log(1 - x))`` with each log clamped to >= -100, as PyTorch."""

    op = "binary_cross_entropy"

    @staticmethod
    def forward(ctx, x, t, weight=None, reduction="mean"):
        if x.size and (x.min() < 0 or x.max() > 1):
            raise RuntimeError("binary_cross_entropy: all elements of input should be between "
                             "0 and 1")
        terms = kernels.binary_cross_entropy_terms(x, t)    # one pass, or None
        if terms is not None:
            loss, log_x, log_1mx = terms
        else:
            with np.errstate(divide="ignore"):
                log_x = np.maximum(np.log(x), _LOG_MIN)
                log_1mx = np.maximum(np.log1p(-x), _LOG_MIN)
            loss = -(t * log_x + (1 - t) * log_1mx)
        if weight is not None:
            loss = loss * weight
        loss = loss.astype(x.dtype, copy=False)
        ctx.reduction = reduction
        ctx.log_x, ctx.log_1mx = log_x, log_1mx
        ctx.save_for_backward(x, t, weight)
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        return composite_backward(ctx, grad, lambda x, t, w=None: bce_composite(
            x, t, w, ctx.reduction), ctx.saved_tensors[:len(ctx.next)])

    @staticmethod
    def array_backward(ctx, grad):
        x, t, w = ctx.saved_arrays
        shape = np.broadcast_shapes(x.shape, t.shape, () if w is None else w.shape)
        g = _grad_scale(grad, ctx.reduction, float(math.prod(shape)), shape)
        if w is not None:
            g = g * w
        need = ctx.needs_input_grad
        gx = g * (x - t) / np.maximum((1 - x) * x, 1e-12) if need[0] else None
        gt = g * (ctx.log_1mx - ctx.log_x) if need[1] else None
        if len(need) > 2:
            if need[2]:
                raise RuntimeError("binary_cross_entropy: the gradient with respect to "
                                   "'weight' is not implemented")
            return gx, gt, None
        return gx, gt


def bce_composite(x: Tensor, t: Tensor, w: Tensor | None, reduction: str) -> Tensor:
    loss = -(t * x.log().clamp(min=_LOG_MIN) + (1 - t) * (1 - x).log().clamp(min=_LOG_MIN))
    if w is not None:
        loss = loss * w
    return reduce_loss(loss, reduction)


def _softplus_neg(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(-x))`` without overflow."""
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)


class BinaryCrossEntropyWithLogits(Function):
    """``(1 - t) x + (1 + (pw - 1) t) softplus(-x)``, times ``weight``: stable for any x.

    Inputs: ``(x, t)``, then ``weight`` and ``pos_weight`` when given (``has`` says which).
    """

    op = "binary_cross_entropy_with_logits"

    @staticmethod
    def forward(ctx, x, t, *extra, has=(False, False), reduction="mean"):
        it = iter(extra)
        w = next(it) if has[0] else None
        pw = next(it) if has[1] else None
        sp = _softplus_neg(x)
        lw = 1 + (pw - 1) * t if pw is not None else 1
        loss = (1 - t) * x + lw * sp
        if w is not None:
            loss = loss * w
        ctx.has, ctx.reduction, ctx.sp = has, reduction, sp
        ctx.save_for_backward(x, t, *extra)
        return _reduce_array(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        has, reduction = ctx.has, ctx.reduction

        def fn(x, t, *extra):
            it = iter(extra)
            w = next(it) if has[0] else None
            pw = next(it) if has[1] else None
            return bce_with_logits_composite(x, t, w, pw, reduction)
        return composite_backward(ctx, grad, fn, ctx.saved_tensors)

    @staticmethod
    def array_backward(ctx, grad):
        has, reduction = ctx.has, ctx.reduction
        saved = ctx.saved_arrays
        x, t = saved[0], saved[1]
        it = iter(saved[2:])
        w = next(it) if has[0] else None
        pw = next(it) if has[1] else None
        sp = ctx.sp
        shape = np.broadcast_shapes(*(a.shape for a in saved))
        g = _grad_scale(grad, reduction, float(math.prod(shape)), shape)
        if w is not None:
            g = g * w
        need = ctx.needs_input_grad
        sig_neg = np.exp(-x - sp)  # sigmoid(-x) = exp(-softplus(x)) = exp(-x - softplus(-x))
        lw = 1 + (pw - 1) * t if pw is not None else 1
        out = [g * ((1 - t) - lw * sig_neg) if need[0] else None]
        out.append(g * (-x + (pw - 1) * sp if pw is not None else -x) if need[1] else None)
        if has[0]:
            if need[2]:
                raise RuntimeError("binary_cross_entropy_with_logits: the gradient with "
                                   "respect to 'weight' is not implemented")
            out.append(None)
        if has[1]:
            out.append(g * t * sp if need[-1] else None)
        return tuple(out)


def bce_with_logits_composite(x: Tensor, t: Tensor, w: Tensor | None, pw: Tensor | None,
                              reduction: str) -> Tensor:
    sp = (-(x.abs())).exp().log1p() + (-x).clamp(min=0)
    lw = (pw - 1) * t + 1 if pw is not None else 1
    loss = (1 - t) * x + sp * lw
    if w is not None:
        loss = loss * w
    return reduce_loss(loss, reduction)
