"""``kernels/vecmath.py``: the vectorised exponential and tanh that the activation, softmax
and LSTM kernels inline. float32 against float64 and float64 against long double (80-bit
on x86): the exponentials under 1 ulp (float64: 2) on the normal range and subnormal
results to the nearest subnormal, tanh within 2 ulps, and the special values."""
from __future__ import annotations

import numpy as np

from autograd_core.kernels.vecmath import exp_array, tanh_array


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
    # exact comparisons on purpose: exp(0) = 1, 0 and inf past the range are exact in IEEE
    # arithmetic on any CPU
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 88.73, 1e30, 1.0], np.float32)
    got = exp_array(x)
    assert got[:2].tolist() == [1.0, 1.0]
    assert got[2] == np.inf and got[3] == 0 and np.isnan(got[4])
    assert got[5] == np.inf and got[6] == np.inf       # past float32's largest
    assert abs(float(got[7]) - np.e) <= np.spacing(np.float32(np.e))


def test_any_layout():
    x = np.linspace(-5, 5, 60, dtype=np.float32).reshape(6, 10)[:, ::3]
    np.testing.assert_allclose(exp_array(x), np.exp(x.astype(np.float64)), rtol=1.2e-7)


def _ulps_long(got: np.ndarray, exact: np.ndarray) -> np.ndarray:
    spacing = np.spacing(np.abs(exact).astype(got.dtype)).astype(np.longdouble)
    return np.abs(got.astype(np.longdouble) - exact) / spacing


def test_float64_exp_within_two_ulps():
    x = np.linspace(-708, 709.7, 1_000_001)
    got = exp_array(x)
    assert got.dtype == np.float64
    assert _ulps_long(got, np.exp(x.astype(np.longdouble))).max() < 2.0
    sub = np.linspace(-745, -708.5, 10_001)
    assert np.abs(exp_array(sub) - np.exp(sub.astype(np.longdouble))).max() <= 5e-324
    assert exp_array(np.array([710.0, 1e300, -746.0, -1e300, -np.inf, np.inf])).tolist() == \
        [np.inf, np.inf, 0.0, 0.0, 0.0, np.inf]
    assert np.isnan(exp_array(np.array([np.nan]))[0])


def test_tanh_within_two_ulps_in_both_dtypes():
    base = np.concatenate([np.linspace(-25, 25, 500_001), np.geomspace(1e-30, 1, 20_001)])
    for dtype in (np.float32, np.float64):
        x = np.concatenate([base, -base]).astype(dtype)
        got = tanh_array(x)
        assert got.dtype == dtype
        exact = np.tanh(x.astype(np.longdouble))
        assert _ulps_long(got, exact).max() < 2.0
        # exactly +-0, +-1 and x itself (tiny x): these are exact on any CPU
        special = tanh_array(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40], dtype))
        assert special[:4].tolist() == [0.0, 0.0, 1.0, -1.0]
        assert np.signbit(special[1]) and np.isnan(special[4]) and special[5] == dtype(1e-40)
