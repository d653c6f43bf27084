"""The ReLU and leaky ReLU kernels (``kernels/activation.py``): the Numba and NumPy paths
agree bit for bit, on one thread and split over two, with NaN, -0.0 and odd layouts (and
small arrays take NumPy's); the
float32 GELU, sigmoid and SiLU kernels within float32's precision of the exact functions
and of PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

from autograd_core import kernels as K
from autograd_core.kernels import threads
from autograd_core.kernels.activation import (gelu_forward, leaky_relu_backward,
                                               leaky_relu_forward, relu_backward, relu_forward)


def _cases(dtype):
    rng = np.random.default_rng(11)
    x = rng.standard_normal(600_001).astype(dtype)
    x[:6] = [np.nan, -0.0, 0.0, np.inf, -np.inf, 1e-30]
    return x


@pytest.mark.filterwarnings("ignore:invalid value encountered")   # -inf * 0 is NaN, as in PyTorch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("slope", [0.2, 0.0, -0.5, 1.5])
@pytest.mark.parametrize("parts", [1, 2])
def test_numba_and_numpy_paths_agree_bit_for_bit(dtype, slope, parts):
    x = np.tile(_cases(dtype)[:600_000], 4).reshape(2400, 1000)   # 2.4M: two parts
    g = np.random.default_rng(2).standard_normal(x.shape).astype(dtype)
    before = threads.get_num_threads()
    threads.set_num_threads(parts)
    try:
        with K.use_backend("numba"):
            out, mask = leaky_relu_forward(x, slope)
            dx = leaky_relu_backward(g, mask, slope)
    finally:
        threads.set_num_threads(before)
    with K.use_backend("numpy"):
        ref_out, ref_mask = leaky_relu_forward(x, slope)
        ref_dx = leaky_relu_backward(g, ref_mask, slope)
    s = dtype(slope)
    expected = np.where(x > 0, x, x * s)
    for a, b in ((out, ref_out), (out, expected), (dx, ref_dx), (dx, np.where(x > 0, g, g * s))):
        assert a.dtype == dtype and a.shape == x.shape
        np.testing.assert_array_equal(a, b)   # exact: one multiply or none per element
    np.testing.assert_array_equal(mask, x > 0)
    assert np.signbit(out.reshape(-1)[1]) == (slope >= 0)   # -0.0 * slope keeps IEEE's sign
    assert np.isnan(out.reshape(-1)[0])                    # NaN is not positive: NaN * slope


def test_non_contiguous_input_gives_the_same_numbers():
    # strided operands are copied C-contiguous for the kernels (NumPy's passes over them
    # cost several times more)
    x = _cases(np.float32)[:20_000].reshape(100, 200)[:, ::2]
    with K.use_backend("numba"):
        out, mask = leaky_relu_forward(x, 0.01)
        dx = leaky_relu_backward(np.ones((100, 200), np.float32)[:, ::2], mask[:, ::-1][:, ::-1],
                                 0.01)
    np.testing.assert_array_equal(out, np.where(x > 0, x, x * np.float32(0.01)))
    np.testing.assert_array_equal(dx, np.where(x > 0, 1, np.float32(0.01)).astype(np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("parts", [1, 2])
def test_relu_numba_path_is_np_maximum_and_threshold_backward_bit_for_bit(dtype, parts):
    x = np.tile(_cases(dtype)[:600_000], 2).reshape(1200, 1000)   # 1.2M: split in two
    g = np.random.default_rng(3).standard_normal(x.shape).astype(dtype)
    g.reshape(-1)[:6] = [1.0, np.inf, np.nan, -np.inf, np.nan, 2.0]
    before = threads.get_num_threads()
    threads.set_num_threads(parts)
    try:
        with K.use_backend("numba"):
            out = relu_forward(x)
            dx = relu_backward(g, out)
    finally:
        threads.set_num_threads(before)
    with K.use_backend("numpy"):
        ref_out = relu_forward(x)
        ref_dx = relu_backward(g, ref_out)
    expected_dx = np.where(out != 0, g, 0).astype(dtype)
    for a, b in ((out, np.maximum(x, 0)), (out, ref_out), (dx, expected_dx), (dx, ref_dx)):
        assert a.dtype == dtype and a.shape == x.shape
        np.testing.assert_array_equal(a, b)   # exact: a copy or a zero per element
    flat_out, flat_dx = out.reshape(-1), dx.reshape(-1)
    assert np.isnan(flat_out[0]) and flat_dx[0] == 1.0   # a NaN passes, and passes its gradient
    assert np.signbit(flat_out[1])                        # -0.0 stays -0.0, as np.maximum
    assert flat_dx[1] == 0.0 and flat_dx[2] == 0.0        # inf and NaN stopped where out is 0
    assert flat_dx[3] == -np.inf                          # and passed where it is not (out = inf)


def test_relu_of_integers_and_strided_arrays(monkeypatch):
    x = np.arange(-5, 5)
    assert relu_forward(x).tolist() == [0, 0, 0, 0, 0, 0, 1, 2, 3, 4]
    # a strided gradient (a slice of a concatenation's) is copied for the kernel: the same
    # numbers as NumPy's (exact: a copy or a zero per element)
    from autograd_core.kernels import activation
    calls = []
    real = activation._relu_backward_numba
    monkeypatch.setattr(activation, "_relu_backward_numba", lambda *a: calls.append(1) or real(*a))
    y = _cases(np.float32)[:20_000].reshape(100, 200)[:, ::2]
    with K.use_backend("numba"):
        out = relu_forward(y)
        g = np.random.default_rng(4).standard_normal((100, 200)).astype(np.float32)[:, 1::2]
        dx = relu_backward(g, out)
        ds = activation.sigmoid_backward(g, out)
    assert calls
    np.testing.assert_array_equal(out, np.maximum(y, 0))
    np.testing.assert_array_equal(dx, np.where(out != 0, g, np.float32(0)))
    np.testing.assert_array_equal(ds, g * (out * (np.float32(1) - out)))


@pytest.mark.filterwarnings("ignore:invalid value encountered")   # inf * 0, as the NumPy rule
@pytest.mark.parametrize("parts", [1, 2])
def test_float32_gelu_is_within_float32_precision_of_the_exact_function(parts, torch):
    import math
    x = np.concatenate([_cases(np.float32)[6:], np.linspace(-12, 12, 100_001, dtype=np.float32)])
    before = threads.get_num_threads()
    threads.set_num_threads(parts)
    try:
        with K.use_backend("numba"):
            out, deriv = gelu_forward(x)
    finally:
        threads.set_num_threads(before)
    x64 = x.astype(np.float64)
    cdf = 0.5 * (1 + np.array([math.erf(v / math.sqrt(2)) for v in x64]))
    exact = x64 * cdf
    exact_deriv = cdf + x64 * np.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi)
    # erf's error is at most 1.5e-7, about one float32 ulp near 1
    np.testing.assert_allclose(out, exact, rtol=4e-7, atol=2e-7 * np.abs(x64).max())
    np.testing.assert_allclose(deriv, exact_deriv, rtol=4e-7, atol=4e-7)
    t = torch.from_numpy(x).requires_grad_()
    y = torch.nn.functional.gelu(t)
    (g,) = torch.autograd.grad(y, t, torch.ones_like(y))
    # and PyTorch's, to 1e-6 or PyTorch's own distance from the exact function where that
    # is larger (its float32 erf on AVX-512 hosts is off by 1.2e-6 near x = -3.5)
    theirs, their_deriv = y.detach().numpy(), g.numpy()
    assert (np.abs(out - theirs) <= np.maximum(1e-6 + 1e-6 * np.abs(theirs),
                                               np.abs(theirs - exact) + 4e-7)).all()
    assert (np.abs(deriv - their_deriv) <= np.maximum(1e-6 + 1e-6 * np.abs(their_deriv),
                                                      np.abs(their_deriv - exact_deriv) + 4e-7)).all()
    # any float32 array, small or strided, takes the same erf; float64 and the NumPy path
    # go back to the op's rule with the C library's erf
    small, strided = x[:10], np.tile(x[:10], (2, 1)).T
    np.testing.assert_array_equal(gelu_forward(small)[0], out[:10])
    np.testing.assert_array_equal(gelu_forward(strided)[1], np.tile(deriv[:10], (2, 1)).T)
    assert gelu_forward(x.astype(np.float64)) is None
    with K.use_backend("numpy"):
        assert gelu_forward(x) is None
    assert np.isnan(gelu_forward(np.array([np.nan], np.float32))[0][0])


def test_small_arrays_take_numpy_with_the_same_results(monkeypatch):
    from autograd_core.kernels import activation
    x = _cases(np.float32)[:100].reshape(10, 10)
    called = []
    monkeypatch.setattr(activation, "_relu_forward_numba", lambda *a: called.append(a))
    with K.use_backend("numba"):
        out = relu_forward(x)
        masked = leaky_relu_forward(x, 0.1)[0]
    assert not called
    np.testing.assert_array_equal(out, np.maximum(x, 0))
    np.testing.assert_array_equal(masked, np.where(x > 0, x, x * np.float32(0.1)))


@pytest.mark.filterwarnings("ignore:overflow encountered")
@pytest.mark.parametrize("parts", [1, 2])
def test_float32_sigmoid_and_silu_within_float32_precision(parts, torch):
    """The one-pass float32 sigmoid and SiLU (on ``expf``) against float64 and PyTorch's
    float32, on one thread and on two; the sigmoid's backward bit for bit as NumPy's
    ``g * (y * (1 - y))`` in both dtypes."""
    from autograd_core.kernels.activation import sigmoid_backward, sigmoid_forward, silu_forward
    x = np.concatenate([_cases(np.float32)[6:], np.linspace(-120, 120, 100_001, dtype=np.float32)])
    g = np.random.default_rng(5).standard_normal(x.shape).astype(np.float32)
    before = threads.get_num_threads()
    threads.set_num_threads(parts)
    try:
        with K.use_backend("numba"):
            s = sigmoid_forward(x)
            out, deriv = silu_forward(x)
            dx = sigmoid_backward(g, s)
            dx64 = sigmoid_backward(g.astype(np.float64), s.astype(np.float64))
    finally:
        threads.set_num_threads(before)
    x64 = x.astype(np.float64)
    s64 = 1 / (1 + np.exp(-x64))
    # below -88.7 exp(-x) overflows to inf and the sigmoid is 0 (PyTorch's too), where
    # the exact value is under float32's smallest normal number
    tiny = float(np.finfo(np.float32).tiny)
    np.testing.assert_allclose(s, s64, rtol=3e-7, atol=tiny)
    np.testing.assert_allclose(out, x64 * s64, rtol=3e-7, atol=tiny * 120)   # |x| <= 120
    np.testing.assert_allclose(deriv, s64 * (1 + x64 * (1 - s64)), rtol=1e-6, atol=3e-7)
    np.testing.assert_array_equal(dx, g * (s * (1 - s)))
    np.testing.assert_array_equal(dx64, g.astype(np.float64) * (s.astype(np.float64) * (1 - s.astype(np.float64))))
    t = torch.from_numpy(x).requires_grad_()
    y = torch.nn.functional.silu(t)
    (tg,) = torch.autograd.grad(y, t, torch.ones_like(y))
    np.testing.assert_allclose(out, y.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(deriv, tg.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(s, torch.sigmoid(torch.from_numpy(x)).numpy(), rtol=1e-6, atol=1e-7)
    # float64 on vexp: within a few float64 ulps
    with K.use_backend("numba"):
        s_64 = sigmoid_forward(x64)
        out64, deriv64 = silu_forward(x64)
    np.testing.assert_allclose(s_64, s64, rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(out64, x64 * s64, rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(deriv64, s64 * (1 + x64 * (1 - s64)), rtol=1e-14, atol=1e-15)
    # small arrays, integers and the NumPy path: None, the ops' NumPy rules serve
    assert sigmoid_forward(x[:10]) is None and silu_forward(np.arange(5000)) is None
    with K.use_backend("numpy"):
        assert sigmoid_forward(x) is None and sigmoid_backward(g, s) is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exp_and_tanh_ops_take_the_kernels_for_large_arrays(dtype, torch, monkeypatch):
    """``Tensor.exp`` and ``tanh`` of 4096 elements and more run ``vexp``/``vtanh``: values
    and gradients against PyTorch's in the same dtype, to that dtype's rounding."""
    import autograd_core as ag
    from autograd_core.kernels import activation
    calls = []
    for name in ("_exp_numba", "_tanh_numba"):
        kernel = getattr(activation, name)
        monkeypatch.setattr(activation, name,
                            lambda *a, _k=kernel, _n=name: calls.append(_n) or _k(*a))
    x = (np.random.default_rng(7).standard_normal((64, 100)) * 3).astype(dtype)
    eps = float(np.finfo(dtype).eps)
    for ours_fn, theirs_fn in ((lambda t: t.exp(), torch.exp), (lambda t: t.tanh(), torch.tanh)):
        ours = ag.tensor(x, requires_grad=True)
        theirs = torch.from_numpy(x).requires_grad_()
        y, ty = ours_fn(ours), theirs_fn(theirs)
        y.sum().backward()
        ty.sum().backward()
        # each library within 2 ulps of the exact value: 4 ulps apart at most
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=4 * eps)
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=16 * eps,
                                   atol=16 * eps)
    assert calls == ["_exp_numba", "_tanh_numba"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_tanh_kernel_against_float64_and_torch(dtype, torch):
    """GELU's tanh approximation in one pass (``vtanh``): output and derivative within the
    dtype's rounding of the float64 formula, and of PyTorch's in the same dtype."""
    from autograd_core.kernels.activation import gelu_tanh_forward
    x = np.concatenate([(np.random.default_rng(8).standard_normal(50_000) * 3),
                        np.linspace(-30, 30, 10_001)]).astype(dtype)
    with K.use_backend("numba"):
        out, deriv = gelu_tanh_forward(x)
    x64 = x.astype(np.float64)
    c = np.sqrt(2 / np.pi)
    t = np.tanh(c * (x64 + 0.044715 * x64 ** 3))
    exact = 0.5 * x64 * (1 + t)
    exact_deriv = 0.5 * (1 + t) + 0.5 * x64 * (1 - t * t) * c * (1 + 3 * 0.044715 * x64 ** 2)
    eps = float(np.finfo(dtype).eps)
    np.testing.assert_allclose(out, exact, rtol=4 * eps, atol=4 * eps)
    # the derivative's terms cancel where it crosses 0 (x near -0.75 and x << 0): absolute
    # rounding of terms up to ~10 there
    np.testing.assert_allclose(deriv, exact_deriv, rtol=8 * eps, atol=64 * eps)
    tx = torch.from_numpy(x).requires_grad_()
    ty = torch.nn.functional.gelu(tx, approximate="tanh")
    (tg,) = torch.autograd.grad(ty, tx, torch.ones_like(ty))
    np.testing.assert_allclose(out, ty.detach().numpy(), rtol=8 * eps, atol=8 * eps)
    np.testing.assert_allclose(deriv, tg.numpy(), rtol=16 * eps, atol=64 * eps)
    assert gelu_tanh_forward(x[:100]) is None
