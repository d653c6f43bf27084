"""``kernels/exp.py``: the vectorised float32 exponential that the activation and softmax
kernels inline, against float64 exp: under one float32 ulp on the normal range, the
subnormal results to the nearest subnormal, and the special values."""
from __future__ import annotations

import numpy as np

from autograd_core.kernels.exp import exp_array


def _ulps(got: np.ndarray, exact: np.ndarray) -> np.ndarray:
    return np.abs(got.astype(np.float64) - exact) / np.spacing(exact.astype(np.float32)).astype(np.float64)


def test_within_one_ulp_on_the_normal_range():
    # float32s from -87.3 (the smallest normal result) to 88.72 (the largest), 1 in 997
    lo, hi = np.float32(-87.3).view(np.int32), np.float32(88.72).view(np.int32)
    neg = np.arange(np.float32(-0.0).view(np.int32), lo + 1, 997, dtype=np.int32)
    pos = np.arange(0, hi + 1, 997, dtype=np.int32)
    x = np.concatenate([neg.view(np.float32), pos.view(np.float32)])
    exact = np.exp(x.astype(np.float64))
    assert _ulps(exp_array(x), exact).max() < 1.0


def test_subnormal_results_and_underflow():
    x = np.linspace(-110, -87.4, 100_001, dtype=np.float32)
    exact = np.exp(x.astype(np.float64))
    smallest = float(np.finfo(np.float32).smallest_subnormal)
    # a subnormal result is off by at most one step of the subnormals (rounding once more)
    assert np.abs(exp_array(x) - exact).max() <= smallest
    assert (exp_array(np.array([-104.0, -200.0, -1e30], np.float32)) == 0).all()


def test_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 88.73, 1e30, 1.0], np.float32)
    got = exp_array(x)
    assert got[:2].tolist() == [1.0, 1.0]
    assert got[2] == np.inf and got[3] == 0 and np.isnan(got[4])
    assert got[5] == np.inf and got[6] == np.inf       # past float32's largest
    assert abs(float(got[7]) - np.e) <= np.spacing(np.float32(np.e))


def test_any_layout():
    x = np.linspace(-5, 5, 60, dtype=np.float32).reshape(6, 10)[:, ::3]
    np.testing.assert_allclose(exp_array(x), np.exp(x.astype(np.float64)), rtol=1.2e-7)
