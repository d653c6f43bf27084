"""``ctc_loss``: the Connectionist Temporal Classification loss, as
``torch.nn.functional.ctc_loss``.

The forward (alpha) recursion of Graves et al. in log space, written with Tensor ops one
time step at a time over the whole batch: each target is extended with blanks
(``blank, y1, blank, y2, ..., blank``), and the log-probability of being at extended
position s after step t is ``logsumexp(alpha[s], alpha[s-1], alpha[s-2] if allowed) +
log_probs[t, label(s)]``, where the jump over a blank is allowed between two different
labels. A sample's steps past its input length keep its alphas. The loss is minus the
log-sum of the two final positions. Unreachable states hold a large negative finite
number instead of -inf, so every gradient is finite; a loss that is infinite (the input
too short for its target) is reported as inf, or 0 with ``zero_infinity``.

The gradient is the true derivative of the loss with respect to ``log_probs``.
PyTorch's own backward returns ``exp(log_probs) - posterior`` instead, which is the
gradient with respect to the logits when ``log_probs`` comes from ``log_softmax``; the
two agree after a ``log_softmax``, as in every use of CTC.

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> lp = ag.randn(12, 2, 5).log_softmax(2)
>>> F.ctc_loss(lp, ag.tensor([[1, 2, 2], [3, 1, 0]]), [12, 10], [3, 2]).shape
()
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .arguments import _array, _tensor

__all__ = ["ctc_loss"]

_NEG = -1e30  # "log 0" of an unreachable state: finite, so logsumexp has finite gradients


def _lengths(value: Any, name: str, batch: int, unbatched: bool) -> np.ndarray:
    arr = np.asarray(_array(value))
    if arr.dtype.kind not in "iu":
        if isinstance(value, Tensor):
            raise RuntimeError(f"ctc_loss(): {name} must be integral")
        arr = arr.astype(np.int64)
    arr = arr.astype(np.int64).reshape(-1) if unbatched else arr.astype(np.int64)
    if arr.ndim != 1 or arr.shape[0] != batch:
        raise RuntimeError(f"{name} must be of size batch_size")
    return arr


def ctc_loss(log_probs: Tensor, targets: Any, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """CTC loss of log-probabilities ``log_probs`` (T, N, C) (or unbatched (T, C)) for
    ``targets`` (N, S) padded or 1-D concatenated (``sum(target_lengths)``), with the
    lengths per sample as tensors or sequences of ints. ``reduction='mean'`` divides each
    loss by its target length (at least 1), then averages over the batch; ``'sum'`` sums;
    ``'none'`` gives one loss per sample. ``zero_infinity`` turns infinite losses (and
    their gradients) into 0.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> lp = ag.full((2, 3), 1 / 3).log()      # two steps, uniform over {blank, a, b}
    >>> round(F.ctc_loss(lp, ag.tensor([1]), [2], [1], reduction="sum").item(), 4)  # 3 paths
    1.0986
    """
    _tensor(log_probs, "ctc_loss", "log_probs")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_probs.ndim not in (2, 3):
        raise RuntimeError(f"ctc_loss: expected log_probs of shape (T, N, C) or (T, C), got "
                           f"{list(log_probs.shape)}")
    if log_probs.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise RuntimeError(f'"ctc_loss_cpu" not implemented for {log_probs.dtype}')
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    t_max, n, c = lp.shape
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    in_len = _lengths(input_lengths, "input_lengths", n, unbatched)
    tg_len = _lengths(target_lengths, "target_lengths", n, unbatched)
    tg = np.asarray(_array(targets))
    if unbatched:  # an (S,) target, as PyTorch: a batch of one padded target
        tg = tg.reshape(1, -1)
    if tg.dtype.kind not in "iu":
        raise RuntimeError(f"ctc_loss: expected integer targets, got dtype {tg.dtype}")
    if (tg_len < 0).any():
        raise RuntimeError(f"Expected target_lengths to have value at least 0, but got value "
                           f"{tg_len[tg_len < 0][0]} (while checking arguments for "
                           "ctc_loss_allocate_outputs)")
    s_max = int(tg_len.max()) if n else 0
    if tg.ndim == 1:  # concatenated
        if tg.shape[0] != int(tg_len.sum()):
            raise RuntimeError(f"Expected tensor to have size {int(tg_len.sum())} at dimension 0, "
                               f"but got size {tg.shape[0]} for argument #2 'targets' (while "
                               "checking arguments for ctc_loss_allocate_outputs)")
        padded = np.full((n, max(s_max, 1)), blank, dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(tg_len)[:-1]]).astype(np.int64)
        for i in range(n):
            padded[i, :tg_len[i]] = tg[offsets[i]:offsets[i] + tg_len[i]]
    else:
        if tg.shape[0] != n:
            raise RuntimeError(f"Expected tensor to have size {n} at dimension 0, but got size "
                               f"{tg.shape[0]} for argument #2 'targets' (while checking "
                               "arguments for ctc_loss_allocate_outputs)")
        if tg.shape[1] < s_max:
            raise RuntimeError(f"Expected tensor to have size at least {s_max} at dimension 1, "
                               f"but got size {tg.shape[1]} for argument #2 'targets' (while "
                               "checking arguments for ctc_loss_allocate_outputs)")
        keep = np.arange(tg.shape[1])[None, :] < tg_len[:, None]
        padded = np.where(keep, tg, blank).astype(np.int64)
        padded = padded[:, :max(s_max, 1)] if padded.shape[1] else np.full((n, 1), blank)
    if (in_len > t_max).any():
        bad = int(in_len[in_len > t_max][0])
        raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got value "
                           f"{bad} (while checking arguments for ctc_loss_allocate_outputs)")
    if (in_len < 0).any():
        raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value "
                           f"{in_len[in_len < 0][0]} (while checking arguments for "
                           "ctc_loss_allocate_outputs)")
    live = np.arange(padded.shape[1])[None, :] < tg_len[:, None]
    if ((padded < 0) | (padded >= c))[live].any():
        raise IndexError(f"ctc_loss: target labels must be in [0, {c}), got "
                         f"{padded[live][(padded[live] < 0) | (padded[live] >= c)][0]}")

    length = 2 * s_max + 1
    ext = np.full((n, length), blank, dtype=np.int64)
    ext[:, 1::2] = padded[:, :s_max]
    skip = np.zeros((n, length), dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    dt = lp.dtype
    neg = ag.full((n, length), _NEG, dtype=dt)
    neg1, neg2 = neg[:, :1], neg[:, :2]
    skip_t = ag.from_numpy(skip)
    # (T, N, L): the log-probability of each extended label at each step
    emit = lp.gather(2, ag.from_numpy(np.ascontiguousarray(np.broadcast_to(ext, (t_max, n, length)))))
    if t_max:
        start = np.zeros((n, length), dtype=bool)
        start[:, 0] = True
        start[:, 1] = length > 1
        if length > 1:
            start[:, 1] &= tg_len > 0
        alpha = ag.where(ag.from_numpy(start), emit[0], neg)
    else:
        alpha = neg
    for t in range(1, t_max):
        step = in_len > t
        if not step.any():
            break
        a1 = ag.cat([neg1, alpha[:, :-1]], 1)
        if length > 2:
            a2 = ag.where(skip_t, ag.cat([neg2, alpha[:, :-2]], 1), neg)
            new = ag.stack([alpha, a1, a2], 0).logsumexp(0) + emit[t]
        else:
            new = ag.stack([alpha, a1], 0).logsumexp(0) + emit[t]
        alpha = new if step.all() else ag.where(ag.from_numpy(step[:, None]), new, alpha)
    last = 2 * tg_len
    ends = ag.from_numpy(np.stack([last, np.maximum(last - 1, 0)], 1))
    final = alpha.gather(1, ends)
    final = ag.where(ag.from_numpy(np.stack([np.ones(n, bool), tg_len > 0], 1)), final,
                     neg[:, :2])
    nll = -final.logsumexp(1)
    # infinite losses: no alignment (the input is too short), or an empty input for a target
    empty = in_len == 0
    impossible = (nll.detach().numpy() > -_NEG / 2) | (empty & (tg_len > 0))
    if empty.any():
        nll = ag.where(ag.from_numpy(empty), 0.0, nll)
    if impossible.any():
        nll = ag.where(ag.from_numpy(impossible), 0.0 if zero_infinity else float("inf"), nll)
    if reduction == "mean":
        return (nll / ag.from_numpy(np.maximum(tg_len, 1).astype(dt))).mean()
    if reduction == "sum":
        return nll.sum()
    return nll.squeeze(0) if unbatched else nll
