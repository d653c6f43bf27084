"""SGD's elementwise rule in one pass over the parameter and its momentum buffer.

``optim.SGD`` written with NumPy makes six to eight passes over memory per parameter (the
decay's product and sum, the buffer's scaling and sum, the step's product and difference),
each product allocating a temporary; this kernel reads and writes each element once. It
does the same arithmetic in the same order, every scalar first rounded to the arrays'
dtype as NumPy rounds a Python float (float32 stays float32), so the two paths agree bit
for bit::

    g = -g                                  (maximize)
    g = g + weight_decay * p                (weight_decay != 0)
    buf = g                                 (momentum, first step)
    buf = buf * momentum + g                (momentum; ``(1 - dampening) * g`` when damped)
    g = g + momentum * buf  if nesterov  else  buf
    p = p - lr * g

>>> import numpy as np
>>> p, g = np.array([1.0, -1.0]), np.array([0.5, -2.0])
>>> sgd_update(p, g, None, lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0,
...            nesterov=False, maximize=False, first=False)
True
>>> p.tolist()
[0.95, -0.8]
"""
from __future__ import annotations

import numpy as np

from . import dispatch
from .jit import lazy_njit


# error_model="numpy": no check of its own on any operation, so the loop vectorises
@lazy_njit(nogil=True, error_model="numpy")
def _sgd(p, g, buf, negate, decay, wd, has_buf, first, momentum, damped, keep, nesterov, lr):
    for i in range(p.shape[0]):
        gi = g[i]
        if negate:
            gi = -gi
        if decay:
            gi = gi + wd * p[i]
        if has_buf:
            if first:
                b = gi
            elif damped:
                b = buf[i] * momentum + keep * gi
            else:
                b = buf[i] * momentum + gi
            buf[i] = b
            gi = gi + momentum * b if nesterov else b
        p[i] = p[i] - lr * gi


def sgd_update(p: np.ndarray, g: np.ndarray, buf: np.ndarray | None, *, lr: float,
               momentum: float, dampening: float, weight_decay: float, nesterov: bool,
               maximize: bool, first: bool) -> bool:
    """One SGD update of ``p`` (and of its momentum buffer ``buf``, filled from the
    gradient when ``first``) in place from the gradient ``g``, on the Numba path. Returns
    False, changing nothing, where that path does not serve (other dtypes, non-contiguous
    or differently shaped arrays, the NumPy backend forced): the caller then runs the
    NumPy rule.

    >>> import numpy as np
    >>> p = np.ones(3, np.float32); buf = np.empty(3, np.float32)
    >>> sgd_update(p, np.ones(3, np.float32), buf, lr=0.5, momentum=0.9, dampening=0.0,
    ...            weight_decay=0.0, nesterov=False, maximize=False, first=True), p.tolist()
    (True, [0.5, 0.5, 0.5])
    """
    arrays = (p, g) + ((buf,) if buf is not None else ())
    dt = p.dtype
    if (dt not in (np.float32, np.float64) or dispatch.choose_path() != "numba"
            or any(a.dtype != dt or a.shape != p.shape or not a.flags.c_contiguous
                   for a in arrays)):
        return False
    f = dt.type
    _sgd(p.reshape(-1), g.reshape(-1), (buf if buf is not None else p).reshape(-1), maximize,
         weight_decay != 0, f(weight_decay), buf is not None, first, f(momentum),
         dampening != 0, f(1 - dampening), nesterov, f(lr))
    return True
