"""Adam's elementwise rule in one pass over the parameter and its two (or three) buffers.

``optim.Adam`` written with NumPy makes about ten passes over memory per parameter (the
lerp of the first moment, the scaled square added to the second, the root, two scalings,
the quotient, the sum), each allocating a temporary; this kernel reads and writes each
element once. It does the same arithmetic in the same order, every scalar first rounded
to the arrays' dtype as NumPy rounds a Python float (float32 stays float32), so the two
paths agree bit for bit::

    m = m + w1 * (g - m)            if w1 < 0.5, else  m = g - (g - m) * (1 - w1)
    v = v * beta2 + ((1 - beta2) * g) * g
    vmax = maximum(vmax, v)         (amsgrad; the root below is taken of vmax)
    p = p + (-step_size * m) / (sqrt(v) / bc2 + eps)

with ``w1 = 1 - beta1``, ``step_size = lr / (1 - beta1**t)`` and ``bc2 = sqrt(1 - beta2**t)``.
Maximizing and weight decay change ``g`` before (``optim.optimizer``).

>>> import numpy as np
>>> p, g = np.array([1.0, -1.0]), np.array([0.5, -2.0])
>>> m, v = np.zeros(2), np.zeros(2)
>>> adam_update(p, g, m, v, None, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, step=1)
True
>>> p.round(6).tolist()     # the first step moves each element by lr
[0.9, -0.9]
"""
from __future__ import annotations

import numpy as np

from . import dispatch
from .jit import lazy_njit


# error_model="numpy": a division by zero (eps=0 on a zero second moment) gives NaN or
# inf as NumPy's does, and without the check on every element the loop is vectorised
# (about four times faster).
@lazy_njit(nogil=True, error_model="numpy")
def _adam(p, g, m, v, vmax, amsgrad, w1, keep1, lerp_low, beta2, c2, neg_step, bc2, eps):
    for i in range(p.shape[0]):
        gi = g[i]
        mi = m[i]
        if lerp_low:
            mi = mi + w1 * (gi - mi)
        else:
            mi = gi - (gi - mi) * keep1
        m[i] = mi
        vi = v[i] * beta2 + (c2 * gi) * gi
        v[i] = vi
        if amsgrad:
            vm = vmax[i]
            if vi > vm or vi != vi:          # np.maximum: a NaN on either side wins
                vm = vi
            vmax[i] = vm
            vi = vm
        p[i] = p[i] + (neg_step * mi) / (np.sqrt(vi) / bc2 + eps)


def adam_update(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray,
                vmax: np.ndarray | None, *, lr: float, beta1: float, beta2: float, eps: float,
                step: float) -> bool:
    """One Adam update of ``p``, ``m``, ``v`` (and ``vmax`` with AMSGrad) in place from the
    gradient ``g`` at step number ``step``, on the Numba path. Returns False, changing
    nothing, where that path does not serve (other dtypes, non-contiguous or differently
    shaped arrays, the NumPy backend forced): the caller then runs the NumPy rule.

    >>> import numpy as np
    >>> p = np.ones(3, np.float32); z = np.zeros(3, np.float32)
    >>> adam_update(p, np.ones(3, np.float32), z, z.copy(), None, lr=0.5, beta1=0.9,
    ...             beta2=0.999, eps=1e-8, step=1.0), p.round(4).tolist()
    (True, [0.5, 0.5, 0.5])
    """
    arrays = (p, g, m, v) + ((vmax,) if vmax is not None else ())
    dt = p.dtype
    if (dt not in (np.float32, np.float64) or dispatch.choose_path() != "numba"
            or any(a.dtype != dt or a.shape != p.shape or not a.flags.c_contiguous
                   for a in arrays)):
        return False
    w1 = 1 - beta1
    f = dt.type
    _adam(p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1),
          (vmax if vmax is not None else m).reshape(-1), vmax is not None,
          f(w1), f(1 - w1), abs(w1) < 0.5, f(beta2), f(1 - beta2),
          f(-(lr / (1 - beta1 ** step))), f((1 - beta2 ** step) ** 0.5), f(eps))
    return True
