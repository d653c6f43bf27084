"""Gradient clipping, as ``torch.nn.utils``: ``clip_grad_norm_`` and ``clip_grad_value_``.

Both work on the ``.grad`` arrays in place, outside the graph.

>>> import autograd_core as ag
>>> from autograd_core.nn.utils import clip_grad_norm_
>>> w = ag.zeros(2, requires_grad=True)
>>> w.grad = ag.tensor([3.0, 4.0])
>>> clip_grad_norm_([w], max_norm=1.0)      # the norm before clipping
tensor(5.)
>>> w.grad
tensor([0.6000, 0.8000])
"""
from __future__ import annotations

import types
import warnings
from typing import Iterable, List, Union

import numpy as np

from autograd_core import Tensor, from_numpy

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]

_tensor_or_tensors = Union[Tensor, Iterable[Tensor]]


def _as_list(tensors: _tensor_or_tensors, what: str) -> List[Tensor]:
    if isinstance(tensors, Tensor):
        return [tensors]
    out = list(tensors)
    for t in out:
        if not isinstance(t, Tensor):
            raise TypeError(f"{what}: expected Tensors, got {type(t).__name__}")
    return out


def _vector_norm(a: np.ndarray, p: float) -> np.ndarray:
    """``torch.linalg.vector_norm(a, p)`` on a NumPy array, as a 0-d array of a's float dtype."""
    dtype = a.dtype if a.dtype.kind in "fc" else np.dtype(np.float32)
    a = a.reshape(-1)
    if a.size == 0:
        return np.zeros((), dtype)
    if p == 2.0:
        if a.dtype.kind == "c":
            a = np.abs(a)
        return np.asarray(np.sqrt(np.dot(a, a)), dtype)
    absa = np.abs(a)
    if p == float("inf"):
        return np.asarray(absa.max(), dtype)
    if p == float("-inf"):
        return np.asarray(absa.min(), dtype)
    if p == 0.0:
        return np.asarray(np.count_nonzero(a), dtype)
    if p == 1.0:
        return np.asarray(absa.sum(), dtype)
    return np.asarray(np.sum(absa ** p) ** (1.0 / p), dtype)


def get_total_norm(tensors: _tensor_or_tensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` taken together, as one 0-d tensor.

    Computed as PyTorch does: the norm of the vector of the tensors' own norms.

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils import get_total_norm
    >>> get_total_norm([ag.tensor([3.0]), ag.tensor([-4.0])], norm_type="inf")
    tensor(4.)
    """
    ts = _as_list(tensors, "get_total_norm")
    norm_type = float(norm_type)
    if len(ts) == 0:
        return from_numpy(np.zeros((), np.float32))
    norms = [_vector_norm(t.detach().numpy(), norm_type) for t in ts]
    dtype = np.result_type(*norms)
    total = _vector_norm(np.stack([n.astype(dtype) for n in norms]), norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           "is non-finite, so it cannot be clipped. To disable this error and "
                           "scale the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    return from_numpy(total)


def clip_grads_with_norm_(parameters: _tensor_or_tensors, max_norm: float,
                          total_norm: Union[Tensor, float], foreach: bool | None = None) -> None:
    """Scale the gradients by ``min(max_norm / (total_norm + 1e-6), 1)``, in place.

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils import clip_grads_with_norm_
    >>> w = ag.zeros(1, requires_grad=True); w.grad = ag.tensor([2.0])
    >>> clip_grads_with_norm_([w], max_norm=1.0, total_norm=ag.tensor(4.0)); w.grad
    tensor([0.5000])
    """
    params = _as_list(parameters, "clip_grads_with_norm_")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    max_norm = float(max_norm)
    tn = total_norm.detach().numpy() if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    if tn.dtype.kind not in "fc":
        tn = tn.astype(np.float32)
    # PyTorch: clamp(max_norm / (total_norm + 1e-6), max=1.0), computed in the norm's dtype
    coef = np.reciprocal(tn + tn.dtype.type(1e-6)) * tn.dtype.type(max_norm)
    if coef >= 1.0:  # min(coef, 1) == 1: multiplying by one changes nothing
        return
    with np.errstate(invalid="ignore", over="ignore"):  # inf * 0 -> NaN, as PyTorch, silently
        for g in grads:
            a = g.detach().numpy()
            np.multiply(a, coef.astype(a.dtype) if a.dtype.kind in "fc" else coef, out=a,
                        casting="unsafe")


def clip_grad_norm_(parameters: _tensor_or_tensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale the gradients so that their total norm is at most ``max_norm``; return the norm.

    The total norm is that of all gradients viewed as one vector (``norm_type`` may be
    ``'inf'``). Gradients are multiplied in place by ``max_norm / (total_norm + 1e-6)`` when
    that is below 1, as PyTorch. A NaN or infinite norm raises with ``error_if_nonfinite``;
    otherwise, as in PyTorch, the gradients are scaled by it (and become NaN or zero).

    Returns:
        The total norm before clipping, a 0-d tensor.

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils import clip_grad_norm_
    >>> a, b = ag.zeros(1, requires_grad=True), ag.zeros(1, requires_grad=True)
    >>> a.grad, b.grad = ag.tensor([6.0]), ag.tensor([-8.0])
    >>> clip_grad_norm_([a, b], max_norm=5.0).item()
    10.0
    >>> a.grad, b.grad
    (tensor([3.0000]), tensor([-4.0000]))
    """
    if isinstance(parameters, Tensor):
        params = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        params = _as_list(parameters, "clip_grad_norm_")
        if is_generator and not params:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=2)
    grads = [p.grad for p in params if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total_norm)
    return total_norm


def clip_grad_norm(parameters: _tensor_or_tensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated alias of ``clip_grad_norm_`` (as in PyTorch); it warns.

    >>> import warnings, autograd_core as ag
    >>> from autograd_core.nn.utils import clip_grad_norm
    >>> w = ag.zeros(1, requires_grad=True); w.grad = ag.tensor([3.0])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     clip_grad_norm([w], max_norm=1.0).item()
    3.0
    """
    warnings.warn("`nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite)


def clip_grad_value_(parameters: _tensor_or_tensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place.

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils import clip_grad_value_
    >>> w = ag.zeros(3, requires_grad=True); w.grad = ag.tensor([-2.0, 0.5, 3.0])
    >>> clip_grad_value_([w], clip_value=1.0); w.grad
    tensor([-1.0000,  0.5000,  1.0000])
    """
    params = _as_list(parameters, "clip_grad_value_")
    clip_value = float(clip_value)
    for p in params:
        g = p.grad
        if g is not None:
            a = g.detach().numpy()
            np.clip(a, -clip_value, clip_value, out=a)
