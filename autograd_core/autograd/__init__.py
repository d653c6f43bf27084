"""Automatic differentiation: ``backward`` and ``grad`` (the entry points of the engine),
``Function`` (``torch.autograd.Function``: an op a program defines on Tensors; the
library's own ops subclass the array-level ``function.Function``), grad mode, and the
rules of in-place changes.

The layer below the Tensor type: it knows tensors only through the seam that
``tensor/base.py`` binds (``function.Tensor``, ``function.make``).

>>> import autograd_core as ag
>>> x = ag.tensor(3.0, requires_grad=True)
>>> y = x ** 3
>>> (dy,) = ag.grad(y, x, create_graph=True)   # 3x^2 = 27
>>> (d2y,) = ag.grad(dy, x)                    # 6x = 18
>>> dy.item(), d2y.item()
(27.0, 18.0)
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import function as _seam
from .engine import run_backward
from .function import version_counter
from .custom_function import Function  # torch.autograd.Function: ops of a program's own
from .grad_mode import (STATE, enable_grad, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from . import profiler  # noqa: F401  (torch.autograd.profiler)
from .anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled,
                           set_anomaly_enabled, set_detect_anomaly)
from .inplace import apply_inplace, inplace_option
from .variable import Variable
from . import functional  # noqa: F401,E402  (torch.autograd.functional)


def _seq(x: Any) -> list:
    if x is None:
        return []
    if isinstance(x, _seam.Tensor):
        return [x]
    return list(x)


def _root_grads(outputs: list, grad_outputs: list, what: str) -> list:
    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if i < len(grad_outputs) else None
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs "
                                   f"({what} got an output of shape {out.shape}; pass a gradient)")
            g = _seam.make(np.ones(out._data.shape, dtype=out._data.dtype))
        else:
            if not isinstance(g, _seam.Tensor):
                g = _seam.make(np.asarray(g, dtype=out._data.dtype))
            if g.shape != out.shape:
                raise RuntimeError(f"{what}: Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{g.shape} and output[{i}] has a shape of {out.shape}.")
        grads.append(g)
    return grads


def _check_outputs(outputs: list, what: str) -> None:
    for i, out in enumerate(outputs):
        if not isinstance(out, _seam.Tensor):
            raise TypeError(f"{what}: expected Tensors, got {type(out).__name__}")
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Accumulate gradients of ``tensors`` into the leaves' ``.grad`` (``torch.autograd.backward``)."""
    outputs = _seq(tensors)
    _check_outputs(outputs, "backward")
    grads = _root_grads(outputs, _seq(grad_tensors), "backward")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        wanted = _seq(inputs)
        res = run_backward(outputs, grads, retain_graph, create_graph, wanted)
        for t, g in zip(wanted, res):
            if g is not None:
                g = g if create_graph else g.detach()
                t.grad = g if t.grad is None else t.grad + g
        return
    run_backward(outputs, grads, retain_graph, create_graph)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> Any:
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated).

    With ``create_graph=True`` the result is itself differentiable. ``inputs`` may be a
    dict of tensors (``dict(model.named_parameters())``): the result is then a dict with
    the same keys. ``is_grads_batched=True`` takes each ``grad_outputs`` with a leading
    batch dimension and returns one gradient per entry, stacked (PyTorch vectorizes this
    with vmap; here it is a loop). ``only_inputs`` is deprecated and ignored, as in PyTorch.

    >>> import autograd_core as ag
    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> ag.autograd.grad((x ** 3).sum(), x)[0].tolist()
    [3.0, 12.0]
    >>> ag.autograd.grad(x * x, x, ag.eye(2), is_grads_batched=True)[0].tolist()
    [[2.0, 0.0], [0.0, 4.0]]
    """
    if not only_inputs:
        import warnings
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). "
                      "To accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=2)
    if isinstance(inputs, dict):
        keys = list(inputs)
        found = grad(outputs, [inputs[k] for k in keys], grad_outputs, retain_graph,
                     create_graph, True, allow_unused, is_grads_batched, materialize_grads)
        return dict(zip(keys, found))
    if is_grads_batched:
        return _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
                             allow_unused, materialize_grads)
    outs = _seq(outputs)
    ins = _seq(inputs)
    _check_outputs(outs, "grad")
    for t in ins:
        if not isinstance(t, _seam.Tensor) or not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _root_grads(outs, _seq(grad_outputs), "grad")
    if retain_graph is None:
        retain_graph = create_graph
    res = run_backward(outs, grads, retain_graph, create_graph, ins)
    result = []
    for t, g in zip(ins, res):
        if g is None:
            if materialize_grads:
                g = _seam.make(np.zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used "
                                   "in the graph. Set allow_unused=True if this is the desired "
                                   "behavior.")
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


def _batched_grad(outputs: Any, inputs: Any, grad_outputs: Any, retain_graph: bool | None,
                  create_graph: bool, allow_unused: bool | None, materialize_grads: bool) -> tuple:
    """``grad`` once per entry of the grad_outputs' leading dimension, the results stacked."""
    outs = _seq(outputs)
    gos = _seq(grad_outputs)
    if len(gos) != len(outs) or any(g is None for g in gos):
        raise RuntimeError("grad: is_grads_batched=True needs one grad_output per output, each "
                           "with a leading batch dimension")
    sizes = {g.shape[0] if getattr(g, "ndim", 0) else None for g in gos}
    if len(sizes) != 1 or None in sizes:
        raise RuntimeError("grad: with is_grads_batched=True every grad_output needs the same "
                           f"leading batch dimension, got shapes {[tuple(g.shape) for g in gos]}")
    batch = sizes.pop()
    per_entry = [grad(outs, inputs, [g[i] for g in gos], True if i < batch - 1 else retain_graph,
                      create_graph, True, allow_unused, False, materialize_grads)
                 for i in range(batch)]
    import autograd_core   # the public API, whose stack records a node when create_graph
    return tuple(None if col[0] is None else autograd_core.stack(col)
                 for col in zip(*per_entry))


def composite_backward(ctx: Any, grad_output: Any, fn: Any, inputs: Sequence[Any]) -> tuple:
    """The gradients of an op for its inputs, from ``fn(*inputs)``: the same computation
    written in Tensor ops. An op with a fast ``array_backward`` uses this as its
    ``backward``, so that a graph of the gradient (``create_graph=True``) is still exact.
    ``inputs`` are the op's saved inputs (``ctx.saved_tensors``)."""
    needs = ctx.needs_input_grad
    wrt = [t for t, need in zip(inputs, needs) if need]
    create = STATE.enabled
    with enable_grad():
        out = fn(*inputs)
    if not out._requires_grad:
        return tuple(None for _ in needs)
    gs = iter(run_backward([out], [grad_output], True, create, wrt, stop_at_inputs=True))
    return tuple(next(gs) if need else None for need in needs)


def mark_dirty(*tensors: Any) -> None:
    """Say that the memory of ``tensors`` was changed in place by code outside autograd's
    ops (an optimizer writing into ``p.numpy()``, say): their version goes up, so that a
    backward through a graph that saved one of them raises instead of using new values.

    >>> import autograd_core as ag
    >>> w = ag.ones(2, requires_grad=True)
    >>> loss = (w * w).sum()
    >>> w.detach().numpy()[:] = 5.0; ag.autograd.mark_dirty(w)
    >>> w._version
    1
    """
    for t in tensors:
        version_counter(t)[0] += 1


__all__ = ["Function", "backward", "grad", "composite_backward", "mark_dirty", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "apply_inplace", "inplace_option", "Variable",
           "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled", "profiler", "functional"]
