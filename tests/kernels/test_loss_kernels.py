"""The binary cross-entropy kernel (``kernels.loss``) against NumPy's expression."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import kernels as K
from autograd_core.kernels.loss import binary_cross_entropy_terms


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_terms_match_the_numpy_path(dtype):
    """The one-pass BCE terms against the NumPy expression: float64 bit for bit (both call
    the C library's logs), float32 within a few ulps of each log (NumPy's float32 log is
    its own vectorised one, the kernel's log1p Kahan's form); x = 0 and 1 clamp a log to
    -100, a NaN input stays NaN, x near 1 keeps log1p's digits; a large batch is split
    over the threads. The loss op takes the kernel and sums what the terms say."""
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, (300, 784)).astype(dtype)
    x[0, :5] = [0.0, 1.0, np.nan, 1e-30, 1 - 2.0 ** -20]
    t = rng.uniform(0, 1, x.shape).astype(dtype)
    with K.use_backend("numba"):
        loss, log_x, log_1mx = binary_cross_entropy_terms(x, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        ref_x = np.maximum(np.log(x), -100.0)
        ref_1 = np.maximum(np.log1p(-x), -100.0)
        ref = -(t * ref_x + (1 - t) * ref_1)
    assert loss.dtype == log_x.dtype == dtype
    assert log_x[0, 0] == -100 and log_1mx[0, 1] == -100 and np.isnan(loss[0, 2])
    if dtype == np.float64:
        for got, want in ((loss, ref), (log_x, ref_x), (log_1mx, ref_1)):
            np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(log_x, ref_x, rtol=1e-6, atol=0)
        np.testing.assert_allclose(log_1mx, ref_1, rtol=1e-6, atol=0)
        np.testing.assert_allclose(loss, ref, rtol=1e-6, atol=1e-7)
    with K.use_backend("numba"):
        assert binary_cross_entropy_terms(x, t[:1]) is None       # broadcast: NumPy's
        xs, ts = ag.tensor(x[1:]), ag.tensor(t[1:])
        got = ag.nn.functional.binary_cross_entropy(xs, ts, reduction="sum").item()
    np.testing.assert_allclose(got, ref[1:].sum(dtype=np.float64),
                               rtol=1e-12 if dtype == np.float64 else 1e-5)
