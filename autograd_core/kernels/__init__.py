"""Array kernels: batched matmul, convolution, pooling and the LSTM cell on contiguous
float32/float64 arrays.

Plain functions, ndarrays in and out, nothing of graphs or autograd. Convolution and
pooling take their arguments as a geometry object, validated once by its constructor
(``conv2d_geometry``, ``max_pool2d_geometry``, ``avg_pool2d_geometry``). Each kernel has
two paths, NumPy/BLAS and Numba, chosen per shape by :mod:`.dispatch` (whichever
measured faster) unless forced with ``AUTOGRAD_CORE_KERNELS=numpy|numba|auto`` or
:func:`set_backend` / :func:`use_backend`. Numba kernels are ``@njit(cache=True)`` and
compile on first use, never at import; :func:`warmup` compiles (or loads) them all.

>>> import numpy as np
>>> from autograd_core import kernels
>>> x = np.random.rand(2, 3, 8, 8).astype(np.float32)
>>> w = np.random.rand(4, 3, 3, 3).astype(np.float32)
>>> geo = kernels.conv2d_geometry(x.shape, w.shape, padding=1)    # validated once
>>> y = kernels.conv2d_forward(x, w, None, geo)
>>> with kernels.use_backend("numpy"):
...     bool(np.allclose(y, kernels.conv2d_forward(x, w, None, geo), atol=1e-4))
True
"""
from __future__ import annotations

import numpy as np

from .activation import _KERNEL_MIN as _ACTIVATION_KERNEL_MIN
from .activation import (exp_forward, gelu_forward, gelu_tanh_forward, leaky_relu_backward,
                         leaky_relu_forward, relu_backward, relu_forward, sigmoid_backward,
                         sigmoid_forward, silu_forward, tanh_forward)
from .adam import adam_update
from .conv import conv2d_backward_input, conv2d_backward_weight, conv2d_forward
from .dispatch import BACKENDS, get_backend, set_backend, use_backend
from .loss import binary_cross_entropy_terms
from .matmul import bmm, matmul_packed, matmul_panels, pack_panels
from .norm import (batch_norm_backward, batch_norm_forward, layer_norm_backward,
                   layer_norm_forward, layer_norm_grads)
from .pool import avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward, max_pool2d_forward
from .recurrent import lstm_cell_kernels
from .scatter import add_along_dims, take_along_dims
from .sgd import sgd_update
from .shapes import (TILE_BYTES, WIDE_TILE_BYTES, AvgPoolGeometry, ConvGeometry, MaxPoolGeometry,
                     avg_pool2d_geometry, conv2d_geometry, max_pool2d_geometry)
from .sparse import coo_mm
from .softmax import (cross_entropy_rows, log_softmax_backward_rows, log_softmax_rows,
                      softmax_backward_rows, softmax_rows)
from .threads import get_num_threads, parallel_for, set_num_threads
from .vecmath import exp_array, tanh_array
from . import winograd

__all__ = [
    "bmm", "matmul_packed",
    "ConvGeometry", "conv2d_geometry", "conv2d_forward", "conv2d_backward_input",
    "conv2d_backward_weight",
    "MaxPoolGeometry", "max_pool2d_geometry", "AvgPoolGeometry", "avg_pool2d_geometry",
    "max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward", "avg_pool2d_backward",
    "batch_norm_forward", "batch_norm_backward", "layer_norm_forward", "layer_norm_backward",
    "layer_norm_grads",
    "lstm_cell_kernels", "relu_forward", "relu_backward", "leaky_relu_forward",
    "leaky_relu_backward", "gelu_forward", "gelu_tanh_forward", "sigmoid_forward",
    "sigmoid_backward", "silu_forward", "exp_forward", "tanh_forward", "exp_array",
    "tanh_array", "softmax_rows", "log_softmax_rows", "softmax_backward_rows",
    "log_softmax_backward_rows", "cross_entropy_rows", "adam_update", "sgd_update",
    "binary_cross_entropy_terms", "coo_mm",
    "BACKENDS", "get_backend", "set_backend", "use_backend",
    "get_num_threads", "set_num_threads", "parallel_for", "warmup",
]


def warmup(dtypes: tuple[str, ...] = ("float32", "float64")) -> None:
    """Compile (cold cache) or load (warm cache) every Numba kernel for ``dtypes``.

    Useful before timing, or in a process that must not pause later.

    >>> warmup(("float64",))
    """
    with use_backend("numba"):
        gelu_forward(np.ones(_ACTIVATION_KERNEL_MIN, np.float32))   # float32 only, whatever
                                                                    # ``dtypes`` says
        rows = np.ones((2, 3), np.float32)        # softmax's rows: float32 only too
        exp_array(rows)
        for name in dtypes:                       # exp and tanh of either dtype
            tanh_array(exp_array(np.ones(2, name)))
        softmax_backward_rows(rows, softmax_rows(rows), rows.copy())
        log_softmax_backward_rows(rows, log_softmax_rows(rows), rows.copy())
        cross_entropy_rows(rows, np.zeros(2, np.int64), -100)
        wx, ww = np.ones((1, 2, 4, 4), np.float32), np.ones((2, 2, 3, 3), np.float32)
        wy = winograd.conv2d(wx, ww, None, 1, 1)                          # float32 only
        winograd.conv2d_backward_input(wy, ww, 1, 1)
        winograd.conv2d_backward_weight(wy, wx, 1, 1)
        wx, ww = np.ones((1, 16, 4, 4), np.float32), np.ones((64, 16, 4, 4), np.float32)
        wy = winograd.strided_conv2d(wx, ww, None, 1, 1)   # 64 columns: the GEMM tiles
        winograd.strided_conv2d_backward_input(wy, ww, (4, 4), 1, 1)
        winograd.strided_conv2d_backward_weight(wy, wx, 1, 1)
        for name in dtypes:
            dt = np.dtype(name)
            x = np.ones((2, 2, 9, 9), dt)         # 9 wide: stride 1 takes the contiguous-run kernels
            # stride 1 and strided convolutions use different kernels; a 16x10 input's
            # columns (16 rows of 12) fill whole GEMM tiles (24, 32 or 64 columns wide),
            # which the forward reads in place (``gemm_gather``); the GEMM kernels serve one
            # group, the depthwise ones (stride 2: its phases) two
            for w, groups in ((np.ones((2, 2, 3, 3), dt), 1), (np.ones((2, 1, 3, 3), dt), 2)):
                for xc, stride in ((x, 1), (x, 2), (np.ones((2, 2, 16, 10), dt), 1)):
                    geo = conv2d_geometry(xc.shape, w.shape, stride=stride, padding=1,
                                          groups=groups)
                    g = conv2d_forward(xc, w, None, geo)
                    conv2d_backward_input(g, w, geo)
                    conv2d_backward_weight(g, xc, geo)
            # a filters' gradient of one vector of output channels: by column taps
            # (``conv._shifted_backward_weight``)
            from .microkernel import VECTOR_BYTES
            xs = np.ones((1, 4, 6, 6), dt)
            ws = np.ones((VECTOR_BYTES // dt.itemsize, 4, 3, 3), dt)
            geo = conv2d_geometry(xs.shape, ws.shape, stride=1, padding=1)
            conv2d_backward_weight(conv2d_forward(xs, ws, None, geo), xs, geo)
            bmm(np.ones((2, 3, 4), dt), np.ones((2, 4, 5), dt))             # loop nest
            bmm(np.ones((2, 4, 4), dt), np.ones((2, 4, TILE_BYTES // dt.itemsize), dt))  # tiles
            geo = max_pool2d_geometry(x.shape, 2)
            out, idx = max_pool2d_forward(x, geo)                    # the 2x2 kernel
            max_pool2d_backward(out, idx, geo)
            max_pool2d_forward(x, max_pool2d_geometry(x.shape, 3, stride=2, padding=1))  # 3x3
            max_pool2d_forward(x, max_pool2d_geometry(x.shape, 2, stride=1))  # the general one
            geo = avg_pool2d_geometry(x.shape, 2)
            avg_pool2d_backward(avg_pool2d_forward(x, geo), geo)
            y, xhat, _, _, inv_std = batch_norm_forward(x, np.ones(2, dt), np.zeros(2, dt), 1e-5)
            batch_norm_backward(y, xhat, inv_std, np.ones(2, dt))
            y, xhat, inv_std = layer_norm_forward(x, 1, np.ones(9, dt), np.zeros(9, dt), 1e-5)
            layer_norm_grads(y, xhat, inv_std, 1, np.ones(9, dt), (True, True, True))
            forward, backward = lstm_cell_kernels()                  # the LSTM cell
            a, c, one = np.ones((2, 8), dt), np.ones((2, 2), dt), dt.type(1)
            forward(a.copy(), c, c.copy(), c.copy(), c.copy(), one)
            backward(c, c.copy(), c.copy(), a, c, c, a.copy(), one)
            picks = [np.array([1, 1]), np.array([0, 1])]              # slices picked, added
            add_along_dims(c.copy(), 0, picks[:1], c)
            add_along_dims(c.copy(), 0, picks, take_along_dims(c, 0, picks))
            b = np.ones((2, WIDE_TILE_BYTES // dt.itemsize), dt)         # a packed product
            matmul_panels(np.ones((4, 2), dt), b, pack_panels(b), np.ones((4, b.shape[1]), dt))
            pack_panels(np.ones(b.shape[::-1], dt).T)                    # a weight's transpose
            big = np.ones(_ACTIVATION_KERNEL_MIN, dt)                  # the activations
            relu_backward(big, relu_forward(big))                        # (smaller: NumPy)
            leaky_relu_backward(big, leaky_relu_forward(big, 0.1)[1], 0.1)
            sigmoid_backward(big, sigmoid_forward(big))
            silu_forward(big)
            gelu_tanh_forward(big)
            exp_forward(big)
            tanh_forward(big)
            adam_update(a.copy(), a, a.copy(), a.copy(), a.copy(), lr=0.1, beta1=0.9,
                        beta2=0.999, eps=1e-8, step=1.0)                 # Adam's step
            sgd_update(a.copy(), a, a.copy(), lr=0.1, momentum=0.9, dampening=0.0,
                       weight_decay=1e-4, nesterov=False, maximize=False, first=False)
            binary_cross_entropy_terms(c / 2, c)                         # BCE's terms
            coo_mm(np.array([1, 0]), np.array([0, 1]), c[0], c, 2)     # sparse @ dense
