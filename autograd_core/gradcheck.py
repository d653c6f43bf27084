"""Check gradients against central finite differences.

``gradcheck(fn, inputs)`` compares the Jacobian that backward computes with
``(f(x + eps) - f(x - eps)) / (2 eps)``, one input element at a time. Use float64
inputs: in float32 the differences drown in rounding.

>>> import autograd_core as ag
>>> x = ag.randn(3, dtype=ag.float64, requires_grad=True)
>>> ag.gradcheck(lambda t: (t.sin() * t).sum(), (x,))
True

It works on scalar ``Value`` functions too:

>>> from autograd_core import Value
>>> ag.gradcheck(lambda a, b: (a * b).tanh(), (Value(0.3), Value(-1.2)))
True
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np

from .autograd import grad
from .tensor import Tensor, make
from .value import Value


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when analytical and numerical gradients differ."""


def _tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _numerical(fn: Callable, inputs: tuple, t: Tensor, eps: float, n_out: list) -> list:
    """Numerical Jacobian columns for input ``t``: one (out_size,) array per element."""
    flat = t._data.reshape(-1)  # a view: perturbs t in place
    if not np.shares_memory(flat, t._data):
        raise RuntimeError("gradcheck: inputs must be contiguous")
    cols = [np.zeros((len(flat), n), dtype=np.float64) for n in n_out]
    for k in range(len(flat)):
        orig = flat[k]
        flat[k] = orig + eps
        plus = [np.array(o._data, dtype=np.float64).reshape(-1) for o in _tuple(fn(*inputs))]
        flat[k] = orig - eps
        minus = [np.array(o._data, dtype=np.float64).reshape(-1) for o in _tuple(fn(*inputs))]
        flat[k] = orig
        for j, (p, m) in enumerate(zip(plus, minus)):
            cols[j][k] = (p - m) / (2 * eps)
    return cols  # per output: (in_size, out_size)


def _analytical(outputs: tuple, diff: list) -> list:
    """Analytical Jacobians [output][input] as (in_size, out_size) arrays, one backward per row."""
    result = []
    for o in outputs:
        per_input = [np.zeros((t._data.size, o._data.size)) for t in diff]
        if o._requires_grad:
            for j in range(o._data.size):
                seed = np.zeros(o._data.size, dtype=o._data.dtype)
                seed[j] = 1
                gs = grad(o, diff, grad_outputs=make(seed.reshape(o.shape)), retain_graph=True,
                          allow_unused=True)
                for i, g in enumerate(gs):
                    if g is not None:
                        per_input[i][:, j] = g._data.reshape(-1)
        result.append(per_input)
    return result


def _compare(num: np.ndarray, ana: np.ndarray, atol: float, rtol: float, where: str,
             in_shape: tuple, out_shape: tuple) -> str | None:
    bad = np.abs(num - ana) > atol + rtol * np.abs(num)
    bad |= np.isnan(num) != np.isnan(ana)
    if not bad.any():
        return None
    k, j = np.unravel_index(np.argmax(np.where(bad, np.abs(num - ana), -1)), bad.shape)
    ii = np.unravel_index(k, in_shape) if in_shape else ()
    oo = np.unravel_index(j, out_shape) if out_shape else ()
    return (f"gradcheck: Jacobian mismatch for {where}, at input element {tuple(map(int, ii))} and "
            f"output element {tuple(map(int, oo))}: numerical {num[k, j]:.6g}, analytical "
            f"{ana[k, j]:.6g} ({int(bad.sum())} of {bad.size} entries differ).\n"
            f"numerical:\n{num.T}\nanalytical:\n{ana.T}")


def gradcheck(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Check ``fn``'s gradients at ``inputs`` against central finite differences.

    ``inputs`` is a Tensor, a Value, or a tuple of them (other items are passed
    through); gradients are checked for every Tensor that requires grad, or every
    Value. ``fn`` returns a Tensor, a Value, or a tuple of Tensors. An entry passes
    when ``|numerical - analytical| <= atol + rtol * |numerical|``.
    Returns True, or raises ``GradcheckError`` naming the first mismatch
    (returns False instead when ``raise_exception=False``).

    >>> import autograd_core as ag
    >>> w = ag.randn(2, 3, dtype=ag.float64, requires_grad=True)
    >>> x = ag.randn(3, dtype=ag.float64)
    >>> ag.gradcheck(lambda w: (w @ x).tanh(), w)
    True
    """
    inputs = _tuple(inputs)
    if inputs and all(isinstance(v, Value) for v in inputs):
        return _gradcheck_values(fn, inputs, eps, atol, rtol, raise_exception)
    diff = [t for t in inputs if isinstance(t, Tensor) and t._requires_grad]
    if not diff:
        raise ValueError("gradcheck: expected at least one input tensor with requires_grad=True")
    for i, t in enumerate(diff):
        if t.dtype != np.float64:
            warnings.warn(f"gradcheck: input {i} is {t.dtype}, not float64; finite differences "
                          "are unreliable in lower precision", stacklevel=2)
    outputs = _tuple(fn(*inputs))
    for o in outputs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return Tensors, got {type(o).__name__}")
    ana = _analytical(outputs, diff)
    for i, t in enumerate(diff):
        num = _numerical(fn, inputs, t, eps, [o._data.size for o in outputs])
        for j, o in enumerate(outputs):
            msg = _compare(num[j], ana[j][i], atol, rtol,
                           f"output {j} with respect to input {i} of shape {t.shape}",
                           t.shape, o.shape)
            if msg:
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def _gradcheck_values(fn: Callable, inputs: tuple, eps: float, atol: float, rtol: float,
                      raise_exception: bool) -> bool:
    for v in inputs:
        v.grad = 0.0
    out = fn(*inputs)
    out.backward()
    for i, v in enumerate(inputs):
        orig = v.data
        v.data = orig + eps
        plus = fn(*inputs).data
        v.data = orig - eps
        minus = fn(*inputs).data
        v.data = orig
        num = (plus - minus) / (2 * eps)
        if abs(num - v.grad) > atol + rtol * abs(num):
            if raise_exception:
                raise GradcheckError(f"gradcheck: d(output)/d(input {i}) mismatch: numerical "
                                     f"{num:.6g}, analytical {v.grad:.6g}")
            return False
    return True


def gradgradcheck(fn: Callable, inputs: Any, grad_outputs: Sequence[Tensor] | None = None,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True) -> bool:
    """Check second derivatives: ``gradcheck`` on the gradient of ``fn`` (built with
    ``create_graph=True``), with respect to the inputs and to ``grad_outputs``
    (random float64 tensors when not given).

    >>> import autograd_core as ag
    >>> x = ag.randn(4, dtype=ag.float64, requires_grad=True)
    >>> ag.gradgradcheck(lambda t: t.tanh() * t, (x,))
    True
    """
    inputs = _tuple(inputs)
    outputs = _tuple(fn(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(make(rng.standard_normal(o.shape)).requires_grad_()
                             for o in outputs)
    grad_outputs = _tuple(grad_outputs)
    n = len(inputs)
    diff_pos = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t._requires_grad]

    def first_derivative(*args: Any) -> tuple:
        ins, gos = args[:n], args[n:]
        outs = _tuple(fn(*ins))
        pairs = [(o, g) for o, g in zip(outs, gos) if o._requires_grad]
        gs = grad([o for o, _ in pairs], [ins[k] for k in diff_pos], [g for _, g in pairs],
                  create_graph=True, allow_unused=True, materialize_grads=True)
        return gs

    return gradcheck(first_derivative, inputs + tuple(grad_outputs), eps, atol, rtol,
                     raise_exception)
