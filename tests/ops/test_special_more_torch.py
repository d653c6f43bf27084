"""The special and pointwise functions added beside ``ops/special.py``'s table (lgamma,
digamma, polygamma, erfinv, logit, xlogy, fmax, ...) and ``autograd_core.special``: float64
values and gradients against PyTorch on random broadcast shapes and edge values, gradcheck
and gradgradcheck, result dtypes and PyTorch's errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag

NAN, INF = float("nan"), float("inf")
EDGES = [0.0, -0.0, -1.0, -2.0, -2.5, 1.0, 0.5, 1e-300, INF, -INF, NAN]


def _close(out, ref, rtol=1e-12, atol=1e-14):
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=rtol, atol=atol,
                               equal_nan=True)


# name -> (interval of random inputs, edge values, rtol)
UNARY = {
    "lgamma": ((-4.5, 6), EDGES, 1e-12),
    "digamma": ((-4.5, 6), [0.0, -0.0, -1.0, -2.5, 1.0, 1e-300, INF, NAN], 1e-11),
    "erfc": ((-6, 6), EDGES, 1e-13),
    "erfinv": ((-1, 1), [0.0, -0.0, 1.0, -1.0, 1.5, 0.5, -0.5, 1 - 1e-15, -1 + 1e-12, NAN], 1e-13),
    "i0": ((-40, 40), [0.0, 700.0, 710.0, INF, -INF, NAN], 1e-13),
    "logit": ((0, 1), [0.0, 1.0, -0.5, 1.5, 0.5, NAN], 1e-13),
    "sinc": ((-4, 4), [0.0, 1.0, -2.0, 1e-300, INF, NAN], 1e-13),
    "sgn": ((-2, 2), EDGES, 0),
    "deg2rad": ((-400, 400), EDGES, 1e-15),
    "rad2deg": ((-7, 7), EDGES, 1e-15),
    "arccos": ((-1, 1), [1.0, -1.0, 2.0, NAN], 1e-15),
    "arcsin": ((-1, 1), [1.0, -1.0, 2.0, NAN], 1e-15),
    "arctan": ((-5, 5), EDGES, 1e-15),
    "arccosh": ((1, 5), [1.0, 0.5, INF, NAN], 1e-15),
    "arcsinh": ((-5, 5), EDGES, 1e-15),
    "arctanh": ((-1, 1), [1.0, -1.0, 0.0, NAN], 1e-15),
    "positive": ((-5, 5), EDGES, 0),
    "absolute": ((-5, 5), EDGES, 0),
    "negative": ((-5, 5), EDGES, 0),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_values_and_gradients_match_pytorch(torch, name):
    (lo, hi), edges, rtol = UNARY[name]
    rng = np.random.default_rng(len(name))
    a = np.concatenate([rng.uniform(lo, hi, 40), edges]).reshape(-1)
    g = rng.standard_normal(a.shape)
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = getattr(ag, name)(x), getattr(torch, name)(tx)
    _close(out, tout, rtol)
    _close(getattr(x, name)(), getattr(tx, name)(), rtol)
    if out.requires_grad and name != "sgn":
        out.backward(ag.tensor(g))
        tout.backward(torch.tensor(g))
        # PyTorch's trigamma is good to ~1e-9 and finite at the poles (ours: inf)
        n = 40 if name == "digamma" else a.size
        _close(x.grad[:n], tx.grad[:n], 1e-8 if name == "digamma" else max(rtol, 1e-10), 1e-12)


@pytest.mark.parametrize("name", ["lgamma", "digamma", "erfc", "erfinv", "i0", "logit", "sinc",
                                  "deg2rad", "arccos", "signbit", "sgn"])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_unary_result_dtypes_match_pytorch(torch, name, dtype):
    a = np.array([0, 1, 0])
    tx = torch.tensor(a).to(getattr(torch, dtype))
    x = ag.tensor(a).to(getattr(ag, dtype if dtype != "bool" else "bool_"))
    try:
        ref = getattr(torch, name)(tx)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)):
            getattr(ag, name)(x)
        return
    out = getattr(ag, name)(x)
    assert str(out.dtype).replace("torch.", "") == str(ref.dtype).replace("torch.", "")
    np.testing.assert_allclose(out.numpy().astype(float), ref.numpy().astype(float),
                               rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5])
def test_polygamma_matches_pytorch(torch, n):
    rng = np.random.default_rng(n)
    a = np.concatenate([rng.uniform(-4.5, 8, 40), [0.0, 1e-3, 30.0, NAN]])
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = ag.polygamma(n, x), torch.polygamma(n, tx)
    # PyTorch's trigamma is good to ~1e-9 only; ours is within 1e-15 of mpmath
    _close(out, tout, rtol=1e-8, atol=1e-10)
    out.sum().backward()
    tout.sum().backward()
    _close(x.grad, tx.grad, rtol=1e-8, atol=1e-10)
    with pytest.raises(RuntimeError, match="does not support negative n"):
        ag.polygamma(-1, x)


def test_erfinv_is_exact_to_float64_and_inverts_erf():
    x = np.concatenate([np.linspace(-0.999, 0.999, 201), 1 - np.logspace(-16, -1, 30)])
    y = ag.tensor(x, dtype=ag.float64).erfinv()
    np.testing.assert_allclose(y.erf().numpy(), x, rtol=2e-16 * 4, atol=0)


@pytest.mark.parametrize("p", [1, 2, 4])
def test_mvlgamma_matches_pytorch(torch, p):
    a = np.random.default_rng(p).uniform((p - 1) / 2 + 0.1, 6, (3, 4))
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = ag.mvlgamma(x, p), torch.mvlgamma(tx, p)
    _close(out, tout)
    out.sum().backward()
    tout.sum().backward()
    _close(x.grad, tx.grad, 1e-11)
    with pytest.raises(RuntimeError, match=r"All elements must be greater than \(p-1\)/2"):
        ag.mvlgamma(ag.zeros(2), 2)


@pytest.mark.parametrize("eps", [None, 0.1, -1.0])
def test_logit_eps_matches_pytorch(torch, eps):
    a = np.array([-0.5, 0.0, 0.05, 0.3, 0.95, 1.0, 1.5])
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = ag.logit(x, eps), torch.logit(tx, eps)
    _close(out, tout)
    out.sum().backward()
    tout.sum().backward()
    _close(x.grad, tx.grad)


# name -> (interval of the first input, of the second, edge pairs)
BINARY = {
    "xlogy": ((-3, 3), (0, 4), [(0.0, 0.0), (0.0, NAN), (0.0, INF), (1.0, 0.0), (2.0, -1.0)]),
    "fmax": ((-3, 3), (-3, 3), [(NAN, 1.0), (1.0, NAN), (NAN, NAN), (1.0, 1.0)]),
    "fmin": ((-3, 3), (-3, 3), [(NAN, 1.0), (1.0, NAN), (NAN, NAN), (1.0, 1.0)]),
    "logaddexp2": ((-50, 50), (-50, 50), [(1000.0, 1000.0), (-INF, 0.0), (2.0, 2.0)]),
    "ldexp": ((-3, 3), (-4, 4), [(0.0, 3.0), (1.5, 0.0)]),
    "float_power": ((0.1, 3), (-2, 2), [(0.0, 2.0), (2.0, 0.0)]),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_values_and_gradients_match_pytorch_with_broadcasting(torch, name):
    (alo, ahi), (blo, bhi), edges = BINARY[name]
    rng = np.random.default_rng(len(name))
    a, b = rng.uniform(alo, ahi, (3, 1, 4)), rng.uniform(blo, bhi, (5, 1))
    if name == "ldexp":
        b = np.round(b)
    for a_, b_ in ((a, b), (np.array([e[0] for e in edges]), np.array([e[1] for e in edges]))):
        x, tx = ag.tensor(a_, requires_grad=True), torch.tensor(a_, requires_grad=True)
        y, ty = ag.tensor(b_, requires_grad=True), torch.tensor(b_, requires_grad=True)
        out, tout = getattr(ag, name)(x, y), getattr(torch, name)(tx, ty)
        _close(out, tout, 1e-13)
        g = rng.standard_normal(out.shape)
        out.backward(ag.tensor(g))
        tout.backward(torch.tensor(g))
        _close(x.grad, tx.grad, 1e-12)
        if ty.grad is not None:
            _close(y.grad, ty.grad, 1e-12)


@pytest.mark.parametrize("name", ["xlogy", "fmax", "fmin", "float_power", "ldexp", "nextafter",
                                  "gcd", "lcm", "heaviside", "logaddexp2"])
@pytest.mark.parametrize("dtypes", [("int64", "int64"), ("float32", "float32"),
                                    ("int32", "float64"), ("float32", "float64")])
def test_binary_result_dtypes_and_errors_match_pytorch(torch, name, dtypes):
    a, b = np.array([4, 0, 6]), np.array([2, 3, 0])
    tx, ty = (torch.tensor(v).to(getattr(torch, d)) for v, d in zip((a, b), dtypes))
    x, y = (ag.tensor(v).to(getattr(ag, d)) for v, d in zip((a, b), dtypes))
    try:
        ref = getattr(torch, name)(tx, ty)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e)):
            getattr(ag, name)(x, y)
        return
    out = getattr(ag, name)(x, y)
    assert str(out.dtype).replace("torch.", "") == str(ref.dtype).replace("torch.", "")
    np.testing.assert_allclose(out.numpy().astype(float), ref.numpy().astype(float), rtol=1e-6)


def test_numbers_as_arguments(torch):
    a = np.array([0.5, 2.0])
    x, tx = ag.tensor(a), torch.tensor(a)
    _close(ag.xlogy(2, x), torch.xlogy(2, tx))
    _close(ag.xlogy(x, 3.0), torch.xlogy(tx, 3.0))
    _close(ag.float_power(x, 2), torch.float_power(tx, 2))
    assert ag.float_power(ag.tensor([2.0]), 2).dtype == ag.float64


def test_gradcheck_and_gradgradcheck_of_the_differentiable_ones():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.uniform(0.2, 0.8, (2, 3)), requires_grad=True)
    y = ag.tensor(rng.uniform(0.5, 2.0, (3,)), requires_grad=True)
    fns = [lambda t: t.lgamma(), lambda t: t.digamma(), lambda t: t.polygamma(2),
           lambda t: t.erfc(), lambda t: t.erfinv(), lambda t: t.i0(), lambda t: t.logit(),
           lambda t: t.sinc(), lambda t: (t + 1).mvlgamma(3), lambda t: ag.special.ndtri(t),
           lambda t: ag.special.log_ndtr(t * 10 - 9), lambda t: ag.special.entr(t),
           lambda t: ag.special.i1(t * 5), lambda t: ag.special.xlog1py(t, t)]
    for fn in fns:
        assert ag.gradcheck(fn, x)
        assert ag.gradgradcheck(fn, x)
    for fn in (ag.xlogy, ag.fmax, ag.fmin, ag.logaddexp2, ag.float_power):
        assert ag.gradcheck(fn, (x, y))


def test_frexp_gcd_lcm_signbit_heaviside_nextafter_match_pytorch(torch):
    a = np.array([8.0, 0.75, -3.0, 0.0, -0.0, INF, 1e-310])
    m, e = ag.frexp(ag.tensor(a))
    tm, te = torch.frexp(torch.tensor(a))
    _close(m, tm, 0)
    assert e.dtype == ag.int32 and e.tolist() == te.tolist()
    with pytest.raises(RuntimeError, match="only supports floating-point"):
        ag.frexp(ag.tensor([1]))
    i, j = np.array([12, -18, 0, 7]), np.array([[8], [0]])
    assert ag.gcd(ag.tensor(i), ag.tensor(j)).tolist() == torch.gcd(
        torch.tensor(i), torch.tensor(j)).tolist()
    assert ag.lcm(ag.tensor(i), ag.tensor(j)).tolist() == torch.lcm(
        torch.tensor(i), torch.tensor(j)).tolist()
    assert ag.signbit(ag.tensor(a)).tolist() == torch.signbit(torch.tensor(a)).tolist()
    v = np.array([0.5])
    _close(ag.heaviside(ag.tensor(a), ag.tensor(v)), torch.heaviside(torch.tensor(a),
                                                                         torch.tensor(v)))
    with pytest.raises(RuntimeError, match="derivative for aten::heaviside"):
        ag.heaviside(ag.tensor(a, requires_grad=True), ag.tensor(v)).sum().backward()
    b = np.array([1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0])
    _close(ag.nextafter(ag.tensor(a), ag.tensor(b)), torch.nextafter(torch.tensor(a),
                                                                         torch.tensor(b)), 0, 0)
    with pytest.raises(RuntimeError, match=r"The `\+` operator, on a bool tensor"):
        ag.positive(ag.tensor([True]))


def test_conj_and_aliases():
    x = ag.tensor([1.0, -2.0], requires_grad=True)
    assert x.conj() is x and x.resolve_conj() is x and not x.is_conj()
    assert ag.isreal(x).tolist() == [True, True]
    assert ag.greater(x, 0).tolist() == [True, False] and ag.not_equal(x, 1).tolist() == [False, True]


SPECIAL = {
    "erf": (-3, 3), "erfc": (-3, 3), "erfinv": (-0.99, 0.99), "expit": (-5, 5),
    "logit": (0.01, 0.99), "gammaln": (0.1, 5), "digamma": (0.1, 5), "psi": (0.1, 5),
    "i0": (-5, 5), "i1": (-40, 40), "sinc": (-3, 3), "log1p": (-0.5, 3), "expm1": (-2, 2),
    "exp2": (-3, 3), "ndtr": (-10, 10), "ndtri": (0, 1), "log_ndtr": (-60, 10),
    "entr": (-1, 3), "round": (-5, 5),
}


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_special_namespace_matches_torch_special(torch, name):
    lo, hi = SPECIAL[name]
    a = np.concatenate([np.random.default_rng(3).uniform(lo, hi, 30), [0.0]])
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = getattr(ag.special, name)(x), getattr(torch.special, name)(tx)
    _close(out, tout, 1e-12, 1e-13)
    if tout.requires_grad and tout.grad_fn is not None:
        out.sum().backward()
        tout.sum().backward()
        _close(x.grad, tx.grad, 1e-8 if name in ("digamma", "psi") else 1e-10, 1e-12)


def test_special_namespace_of_several_arguments(torch):
    a = np.random.default_rng(4).uniform(0.1, 3, (3, 4))
    x, tx = ag.tensor(a), torch.tensor(a)
    _close(ag.special.polygamma(2, x), torch.special.polygamma(2, tx))
    _close(ag.special.multigammaln(x + 1, 2), torch.special.multigammaln(tx + 1, 2))
    _close(ag.special.xlogy(x, x), torch.special.xlogy(tx, tx))
    _close(ag.special.xlog1py(x, x), torch.special.xlog1py(tx, tx))
    _close(ag.special.softmax(x, 1), torch.special.softmax(tx, 1))
    _close(ag.special.log_softmax(x, 0), torch.special.log_softmax(tx, 0))
    _close(ag.special.logsumexp(x, 1), torch.special.logsumexp(tx, 1))
