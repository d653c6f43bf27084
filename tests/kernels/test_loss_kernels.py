"""The loss kernels against NumPy's expressions and PyTorch: binary cross-entropy's terms
(``kernels.loss``) and cross-entropy's forward rows (``kernels.softmax``)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import kernels as K
from autograd_core.kernels.loss import binary_cross_entropy_terms
from autograd_core.kernels.softmax import cross_entropy_rows
from tests.helpers import torch_or_skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_terms_match_the_numpy_path(dtype):
    """The one-pass BCE terms against the NumPy expression: float64 within an ulp or two
    (the kernel calls the C library's logs; NumPy's float64 log is its own AVX-512 one on
    hosts that have it, the C library's elsewhere), float32 within a few ulps of each log
    (NumPy's float32 log is its own vectorised one, the kernel's log1p Kahan's form); x = 0 and 1 clamp a log to
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
            np.testing.assert_allclose(got, want, rtol=5e-16, atol=0)
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


def test_cross_entropy_rows_match_the_numpy_path():
    """The float32 kernel's terms against NumPy's float64 ones: ``e = exp(x - max)``, its
    row sums, and the log-probability at each target; a NaN row stays NaN. It declines
    (None) a target out of range, one equal to ``skip`` (ignore_index), and rows it does
    not serve (float64, not contiguous), which the op then computes with NumPy."""
    rng = np.random.default_rng(5)
    x = (rng.standard_normal((300, 65)) * 8).astype(np.float32)
    x[7, 3] = np.nan
    t = rng.integers(0, 65, 300)
    with K.use_backend("numba"):
        e, s, picked = cross_entropy_rows(x, t, -100)
        x64 = x.astype(np.float64)
        shifted = x64 - x64.max(axis=1, keepdims=True)
        ref_e = np.exp(shifted)
        ref_s = ref_e.sum(axis=1, keepdims=True)
        ref_p = shifted[np.arange(300), t] - np.log(ref_s[:, 0])
        ok = np.arange(300) != 7
        assert e.dtype == s.dtype == picked.dtype == np.float32
        np.testing.assert_allclose(e[ok], ref_e[ok], rtol=2e-6, atol=1e-30)
        np.testing.assert_allclose(s[ok], ref_s[ok], rtol=2e-6)
        np.testing.assert_allclose(picked[ok], ref_p[ok], rtol=2e-6, atol=2e-6)
        assert np.isnan(s[7, 0]) and np.isnan(picked[7])
        bad = t.copy()
        bad[299] = 65
        assert cross_entropy_rows(x, bad, -100) is None
        assert cross_entropy_rows(x, t, int(t[150])) is None      # an ignored target
        assert cross_entropy_rows(x.astype(np.float64), t, -100) is None
        assert cross_entropy_rows(x[:, ::2], t, -100) is None
        big = np.zeros((2048, 300), np.float32)           # split over the threads
        e, s, picked = cross_entropy_rows(big, np.arange(2048) % 300, -100)
        np.testing.assert_allclose(picked, np.full(2048, -np.log(300.0)), rtol=1e-6)
        assert cross_entropy_rows(big, np.full(2048, 300), -100) is None


@pytest.mark.parametrize("case", ["plain", "weight", "ignore_in_range", "spatial", "out_of_range"])
def test_float32_cross_entropy_matches_pytorch(case):
    """``F.cross_entropy`` in float32 (the kernel's path, and its way back to NumPy's when
    a target is ignored or out of range) against PyTorch's loss and gradient."""
    torch = torch_or_skip()
    rng = np.random.default_rng(6)
    shape, tshape = ((256, 65), (256,)) if case != "spatial" else ((4, 7, 5, 3), (4, 5, 3))
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    t = rng.integers(0, 7 if case == "spatial" else 65, tshape)
    kw = {}
    if case == "weight":
        kw["weight"] = rng.uniform(0.5, 2.0, 65).astype(np.float32)
    if case == "ignore_in_range":
        kw["ignore_index"] = int(t[0])
    if case == "out_of_range":
        t[9] = 65
        with K.use_backend("numba"), pytest.raises(IndexError, match="Target 65 is out of bounds"):
            ag.nn.functional.cross_entropy(ag.tensor(x), ag.tensor(t))
        return
    for reduction in ("mean", "sum", "none"):
        a = ag.tensor(x, requires_grad=True)
        b = torch.tensor(x, requires_grad=True)
        ours_kw = {k: ag.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        theirs_kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                     for k, v in kw.items()}
        with K.use_backend("numba"):
            la = ag.nn.functional.cross_entropy(a, ag.tensor(t), reduction=reduction, **ours_kw)
            la.sum().backward()
        lb = torch.nn.functional.cross_entropy(b, torch.tensor(t), reduction=reduction,
                                               **theirs_kw)
        lb.sum().backward()
        assert la.dtype == ag.float32
        np.testing.assert_allclose(la.detach().numpy(), lb.detach().numpy(), rtol=1e-5,
                                   atol=1e-5)
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-7)
