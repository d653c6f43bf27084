"""The LSTM cell's arithmetic around its matmul, one time step per call, for a layer's time
loop (``ops/recurrent.py``): the exponentials, tanh, products and sums that NumPy would
spread over a dozen calls per step (each a few microseconds on a step's small arrays) in
one pass. The Numba path takes ``vexp`` and ``vtanh`` (:mod:`.vecmath`, vectorised; NumPy's
float64 exp and tanh are scalar loops on an AVX2 host), the NumPy path NumPy's: the two
agree to those functions' last-bit differences.

Gate blocks are ``i, f, g, o`` (PyTorch's order), each ``H`` columns of an (N, 4H) array.
:func:`lstm_cell_kernels` gives the two step functions of the path in force:

- ``forward(a, c_prev, c, tc, h, one)``: ``a`` holds the negated pre-activation ``-pre``
  (the time loop computes it with the negated weights: the sigmoid is ``1 / (1 +
  exp(-pre))``); writes the sigmoids into ``a``'s ``i, f, o`` blocks and ``g = tanh(pre)``
  into its ``g`` block, the new cell state ``f * c_prev + i * g`` into ``c``, its tanh into
  ``tc`` and the hidden state ``o * tc`` into ``h``.
- ``backward(g_h, dh, dc, a, c_prev, tc, dg, one)``: from the step's upstream gradients
  of ``h`` (``g_h + dh``, ``dh`` from the next step) and of ``c`` (``dc``), the
  activations ``a``, the previous cell state and ``tc = tanh(c)``, writes the gate
  gradients into ``dg`` and the gradient flowing to the previous cell state into ``dc``
  (in place). Both paths compute each element of the backward with the same operations
  in the same order, so they agree bit for bit.

>>> import numpy as np
>>> forward, backward = lstm_cell_kernels()
>>> a = np.zeros((1, 4)); c, tc, h = np.empty((1, 1)), np.empty((1, 1)), np.empty((1, 1))
>>> forward(a, np.ones((1, 1)), c, tc, h, 1.0)
>>> a.tolist(), c.tolist()           # sigmoid(0) = 0.5; g = tanh(0) = 0
([[0.5, 0.5, -0.0, 0.5]], [[0.5]])
"""
from __future__ import annotations

import numpy as np

from . import dispatch
from .jit import lazy_njit
from .vecmath import vexp, vtanh


# error_model="numpy": a float division by zero gives inf or NaN (as NumPy's) instead of
# raising, so the loops carry no check and vectorise. Inner loops index 1-D row views with
# the bare loop counter, the form LLVM vectorises (benchmarks/README.md, "Kernels").
@lazy_njit(nogil=True, error_model="numpy")
def _forward_numba(a, c_prev, c, tc, h, one):
    n, hh = c.shape
    for r in range(n):
        ai, af, ag, ao = a[r, :hh], a[r, hh:2 * hh], a[r, 2 * hh:3 * hh], a[r, 3 * hh:]
        cp, cr, tr, hr = c_prev[r], c[r], tc[r], h[r]
        for j in range(hh):
            i = one / (one + vexp(ai[j]))      # vexp(-pre) = inf for pre << 0: 0
            f = one / (one + vexp(af[j]))
            g = -vtanh(ag[j])
            o = one / (one + vexp(ao[j]))
            ai[j] = i
            af[j] = f
            ag[j] = g
            ao[j] = o
            cn = f * cp[j] + i * g
            cr[j] = cn
            t = vtanh(cn)
            tr[j] = t
            hr[j] = o * t


def _forward_numpy(a, c_prev, c, tc, h, one):
    hh = c.shape[1]
    with np.errstate(over="ignore"):   # exp(-pre) is inf for pre << 0: the sigmoid is 0
        s = np.reciprocal(np.exp(a) + one)
    np.tanh(a[:, 2 * hh:3 * hh], out=a[:, 2 * hh:3 * hh])
    a[:, :2 * hh] = s[:, :2 * hh]
    a[:, 3 * hh:] = s[:, 3 * hh:]
    np.negative(a[:, 2 * hh:3 * hh], out=a[:, 2 * hh:3 * hh])
    np.add(a[:, hh:2 * hh] * c_prev, a[:, :hh] * a[:, 2 * hh:3 * hh], out=c)
    np.tanh(c, out=tc)
    np.multiply(a[:, 3 * hh:], tc, out=h)


@lazy_njit(nogil=True, error_model="numpy")
def _backward_numba(g_h, dh, dc, a, c_prev, tc, dg, one):
    n, hh = dc.shape
    for r in range(n):
        ai, af, ag, ao = a[r, :hh], a[r, hh:2 * hh], a[r, 2 * hh:3 * hh], a[r, 3 * hh:]
        di, df, dgg, do = dg[r, :hh], dg[r, hh:2 * hh], dg[r, 2 * hh:3 * hh], dg[r, 3 * hh:]
        gh, dhr, dcr, cp, tcr = g_h[r], dh[r], dc[r], c_prev[r], tc[r]
        for j in range(hh):
            i, f, g, o, t = ai[j], af[j], ag[j], ao[j], tcr[j]
            dht = gh[j] + dhr[j]
            dct = dcr[j] + dht * o * (one - t * t)
            di[j] = dct * g * (i * (one - i))
            df[j] = dct * cp[j] * (f * (one - f))
            dgg[j] = dct * i * (one - g * g)
            do[j] = dht * t * (o * (one - o))
            dcr[j] = dct * f


def _backward_numpy(g_h, dh, dc, a, c_prev, tc, dg, one):
    hh = dc.shape[1]
    i, f, g, o = a[:, :hh], a[:, hh:2 * hh], a[:, 2 * hh:3 * hh], a[:, 3 * hh:]
    dht = g_h + dh
    dct = dc + dht * o * (one - tc * tc)
    dg[:, :hh] = dct * g * (i * (one - i))
    dg[:, hh:2 * hh] = dct * c_prev * (f * (one - f))
    dg[:, 2 * hh:3 * hh] = dct * i * (one - g * g)
    dg[:, 3 * hh:] = dht * tc * (o * (one - o))
    np.multiply(dct, f, out=dc)


def lstm_cell_kernels() -> tuple:
    """``(forward, backward)``, the step functions of the path in force (see the module's
    text), resolved once per layer rather than once per step. Every array they take is
    C-contiguous and writeable, of one float dtype, and ``one`` is 1 in that dtype: one
    compiled signature per dtype."""
    if dispatch.choose_rnn() == "numba":
        return _forward_numba.compile(), _backward_numba.compile()
    return _forward_numpy, _backward_numpy
