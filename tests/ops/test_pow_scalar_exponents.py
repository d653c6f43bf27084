"""``pow`` with a number exponent, against PyTorch in float32 and float64.

PyTorch computes exponents 2 and 3 as products, -1 and -2 as their reciprocals, -0.5 as
``1 / sqrt``, 1 as a copy and 0 as ones: those values must be PyTorch's bit for bit
(0.5 is ``sqrt``, within an ulp of PyTorch's). Other exponents go through ``pow`` and are
compared to a float tolerance. Bases cover negative numbers (odd and even exponents),
signed zeros, infinities and NaN; gradients run through both backward paths (arrays, and
the graph of the gradient for ``create_graph=True``).
"""
import numpy as np
import pytest

import autograd_core as ag

# inf and NaN arithmetic is the point here: NumPy's warnings about it are expected
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

EXACT = [0.0, 1.0, 2.0, 3.0, -1.0, -2.0, -0.5, 0, 1, 2, 3, -1, -2]
OTHER = [0.5, 4.0, 5.0, -3.0, -4.0, 7, 1.5, -1.5, 2.5, 16777215.0]
RTOL = {np.float32: 3e-6, np.float64: 1e-14}
SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -1e-30, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5]


def _bases(dtype):
    rng = np.random.default_rng(3)
    # long enough that NumPy's and PyTorch's vector loops both run, plus a scalar tail
    return np.concatenate([SPECIAL, rng.standard_normal(83) * 3]).astype(dtype)


def _same(ours, theirs, exact, rtol):
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    if exact:
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0)


def _run(m, a, e, up, create_graph):
    x = m.tensor(a, requires_grad=True)
    y = x ** e if create_graph else x.pow(e)
    grad = ag.grad if m is ag else m.autograd.grad
    (g,) = grad(y, x, m.tensor(up), create_graph=create_graph)
    return y.detach().numpy(), g.detach().numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("e", EXACT + OTHER)
def test_pow_number_exponent_matches_torch(torch, dtype, e):
    a = _bases(dtype)
    up = np.random.default_rng(4).standard_normal(a.shape).astype(dtype)
    for create_graph in (False, True):
        ov, og = _run(ag, a, e, up, create_graph)
        tv, tg = _run(torch, a, e, up, create_graph)
        _same(ov, tv, e in EXACT, RTOL[dtype])
        # d/dx = up * (e * x ** (e - 1)): exact where x ** (e - 1) is one of the products
        _same(og, tg, e in (0, 1, 2, 3, 0.0, 1.0, 2.0, 3.0), RTOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pow_half_is_sqrt_within_an_ulp(torch, dtype):
    a = _bases(dtype)
    ours, theirs = ag.tensor(a).pow(0.5).numpy(), torch.tensor(a).pow(0.5).numpy()
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_max_ulp(ours, theirs, maxulp=1)


def test_pow_square_and_cube_are_products():
    a = _bases(np.float32)
    x = ag.tensor(a)
    np.testing.assert_array_equal((x ** 2).numpy(), a * a)
    np.testing.assert_array_equal(x.pow(3.0).numpy(), a * a * a)
    np.testing.assert_array_equal((x ** 0).numpy(), np.ones_like(a))   # NaN ** 0 is 1 too
    y = x ** 1
    assert not np.shares_memory(y.numpy(), a)                        # a copy, not a view


@pytest.mark.parametrize("e", [0, 1, 2, 3, 5, 2.0, 3.0, 0.5, -1.0])
def test_pow_integer_tensor_matches_torch(torch, e):
    a = np.array([-3, -2, -1, 0, 1, 2, 3, 7], dtype=np.int64)
    ours, theirs = (ag.tensor(a) ** e).numpy(), (torch.tensor(a) ** e).numpy()
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_pow_integer_tensor_negative_integer_exponent_raises(torch):
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        torch.tensor([1, 2]) ** -1
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        ag.tensor([1, 2]) ** -1


@pytest.mark.parametrize("e", [2.0, 3.0, -1.0, -2.0, 0.5, -0.5, 4.0, 1.5])
def test_pow_number_exponent_second_derivative(torch, e):
    a = np.array([0.5, 1.0, 2.0, 3.0], dtype=np.float64)
    res = []
    for m in (ag, torch):
        x = m.tensor(a, requires_grad=True)
        grad = ag.grad if m is ag else m.autograd.grad
        (g,) = grad((x ** e).sum(), x, create_graph=True)
        (gg,) = grad((g * m.tensor(a)).sum(), x)
        res.append(gg.detach().numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-13)
