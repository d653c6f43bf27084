"""``autograd_core.tensor.statistics`` and the random functions ``normal``, ``poisson``,
``randint_like``, ``logspace`` and ``range``: values, dtypes, gradients and errors against
PyTorch (the random ones checked statistically)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag

NAN = float("nan")


def _close(out, ref, rtol=1e-12, atol=1e-13):
    np.testing.assert_allclose(np.asarray(out.detach().numpy(), dtype=float),
                               np.asarray(ref.detach().numpy(), dtype=float), rtol=rtol,
                               atol=atol, equal_nan=True)


def test_bincount_matches_pytorch(torch):
    a = np.array([0, 3, 3, 1, 7])
    for kwargs in ({}, {"minlength": 10}):
        out, ref = ag.bincount(ag.tensor(a), **kwargs), torch.bincount(torch.tensor(a), **kwargs)
        assert out.tolist() == ref.tolist() and str(ref.dtype).endswith(str(out.dtype))
    for wd in ("float32", "float64", "int64"):
        w = np.arange(5)
        out = ag.bincount(ag.tensor(a), ag.tensor(w).to(getattr(ag, wd)))
        ref = torch.bincount(torch.tensor(a), torch.tensor(w).to(getattr(torch, wd)))
        _close(out, ref)
        assert str(ref.dtype).endswith(str(out.dtype))
    assert ag.bincount(ag.tensor([], dtype=ag.int64)).tolist() == []
    with pytest.raises(RuntimeError, match="1-d non-negative integral"):
        ag.bincount(ag.tensor([-1]))
    with pytest.raises(NotImplementedError, match="bincount_cpu"):
        ag.bincount(ag.tensor([1.0]))


def test_isin_histogram_msort_match_pytorch(torch):
    a, b = np.array([[1, 2], [3, 4]]), np.array([2, 4, 9])
    for inv in (False, True):
        assert ag.isin(ag.tensor(a), ag.tensor(b), invert=inv).tolist() == torch.isin(
            torch.tensor(a), torch.tensor(b), invert=inv).tolist()
    assert ag.isin(ag.tensor(a), 2).tolist() == torch.isin(torch.tensor(a), 2).tolist()
    assert ag.isin(3, ag.tensor(b)).tolist() == torch.isin(3, torch.tensor(b)).tolist()
    x = np.random.default_rng(0).standard_normal(50)
    for bins in (5, ag.tensor([-1.0, 0.0, 0.5, 2.0], dtype=ag.float64)):
        tb = bins if isinstance(bins, int) else torch.tensor(bins.numpy())
        h, e = ag.histogram(ag.tensor(x), bins)
        th, te = torch.histogram(torch.tensor(x), tb)
        _close(h, th), _close(e, te)
    h, e = ag.histogram(ag.tensor(x), 4, range=(-1.0, 1.0), density=True)
    th, te = torch.histogram(torch.tensor(x), 4, range=(-1.0, 1.0), density=True)
    _close(h, th), _close(e, te)
    m = np.random.default_rng(1).standard_normal((4, 3))
    _close(ag.msort(ag.tensor(m)), torch.msort(torch.tensor(m)))


def test_nanmedian_matches_pytorch(torch):
    a = np.array([[1.0, NAN, 3.0, 2.0], [NAN, NAN, NAN, NAN], [4.0, 1.0, NAN, 0.5]])
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    _close(ag.nanmedian(x), torch.nanmedian(tx))
    for dim in (0, 1, -1):
        for keepdim in (False, True):
            v, i = ag.nanmedian(x, dim, keepdim)
            tv, ti = torch.nanmedian(tx, dim, keepdim)
            _close(v, tv)
            # the index in an all-NaN slice is PyTorch's sort's, not specified
            keep = ~np.isnan(tv.detach().numpy())
            assert (i.numpy()[keep] == ti.numpy()[keep]).all()
    v, _ = x.nanmedian(1)
    tv, _ = tx.nanmedian(1)
    (v * ag.tensor([1.0, 0.0, 2.0])).sum().backward()
    (tv * torch.tensor([1.0, 0.0, 2.0], dtype=torch.float64)).sum().backward()
    _close(x.grad, tx.grad)


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_unique_consecutive_matches_pytorch(torch, dim):
    a = np.array([[1, 1, 2], [1, 1, 2], [3, 1, 1], [3, 1, 1]])
    out = ag.unique_consecutive(ag.tensor(a), return_inverse=True, return_counts=True, dim=dim)
    ref = torch.unique_consecutive(torch.tensor(a), return_inverse=True, return_counts=True,
                                   dim=dim)
    assert [o.tolist() for o in out] == [r.tolist() for r in ref]
    assert ag.tensor(a).unique_consecutive().tolist() == torch.tensor(a).unique_consecutive(
    ).tolist()


@pytest.mark.parametrize("shape", [(3, 6), (6,), (1, 5)])
@pytest.mark.parametrize("weights", ["none", "f", "a", "fa"])
@pytest.mark.parametrize("correction", [0, 1, 2])
def test_cov_matches_pytorch(torch, shape, weights, correction):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape)
    n = shape[-1]
    kw, tkw = {}, {}
    if "f" in weights:
        f = rng.integers(1, 4, n)
        kw["fweights"], tkw["fweights"] = ag.tensor(f), torch.tensor(f)
    if "a" in weights:
        w = rng.uniform(0.5, 2, n)
        kw["aweights"], tkw["aweights"] = ag.tensor(w), torch.tensor(w)
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out = ag.cov(x, correction=correction, **kw)
    ref = torch.cov(tx, correction=correction, **tkw)
    _close(out, ref)
    out.sum().backward()
    ref.sum().backward()
    _close(x.grad, tx.grad)
    assert ag.gradcheck(lambda t: ag.cov(t, correction=correction, **kw), x)


def test_cov_corrcoef_dtypes_and_errors(torch):
    a = np.array([[1, 2, 4], [1, 0, 1]])
    assert ag.cov(ag.tensor(a)).dtype == ag.float32 and torch.cov(torch.tensor(a)).dtype == \
        torch.float32
    _close(ag.corrcoef(ag.tensor(a)), torch.corrcoef(torch.tensor(a)), 1e-6)
    x = np.random.default_rng(2).standard_normal((3, 5))
    t, tt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    _close(ag.corrcoef(t), torch.corrcoef(tt))
    ag.corrcoef(t)[0, 1].backward()
    torch.corrcoef(tt)[0, 1].backward()
    _close(t.grad, tt.grad)
    with pytest.raises(RuntimeError, match="two or fewer dimensions"):
        ag.cov(ag.ones(2, 2, 2))
    with pytest.raises(RuntimeError, match="fweights to have integral dtype"):
        ag.cov(ag.ones(2, 3), fweights=ag.ones(3))
    with pytest.raises(RuntimeError, match="aweights cannot be negative"):
        ag.cov(ag.ones(2, 3), aweights=-ag.ones(3))


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_trapezoid_and_cumulative_trapezoid_match_pytorch(torch, dim):
    rng = np.random.default_rng(dim + 5)
    y = rng.standard_normal((4, 5, 3))
    xs = np.sort(rng.standard_normal(y.shape[dim]))
    for fn in ("trapezoid", "cumulative_trapezoid"):
        for xarg, kwargs in ((None, {}), (None, {"dx": 0.5}), ("x", {}), ("full", {})):
            Y, TY = ag.tensor(y, requires_grad=True), torch.tensor(y, requires_grad=True)
            if xarg == "x":
                args, targs = (ag.tensor(xs),), (torch.tensor(xs),)
            elif xarg == "full":
                full = np.sort(rng.standard_normal(y.shape), axis=dim)
                args, targs = (ag.tensor(full),), (torch.tensor(full),)
            else:
                args = targs = ()
            out = getattr(ag, fn)(Y, *args, dim=dim, **kwargs)
            ref = getattr(torch, fn)(TY, *targs, dim=dim, **kwargs)
            _close(out, ref)
            out.sum().backward()
            ref.sum().backward()
            _close(Y.grad, TY.grad)
    _close(ag.trapz(ag.tensor(y), ag.tensor(xs), dim=dim),
           torch.trapz(torch.tensor(y), torch.tensor(xs), dim=dim))
    assert ag.trapezoid(ag.tensor([1, 2, 3])).dtype == ag.float32
    assert ag.gradcheck(lambda t: ag.cumulative_trapezoid(t, dim=dim),
                        ag.tensor(y, requires_grad=True))


@pytest.mark.parametrize("p", [1, 2, 3.5])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_renorm_matches_pytorch(torch, p, dim):
    a = np.random.default_rng(0).standard_normal((3, 4, 2)) * 2
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, ref = ag.renorm(x, p, dim, 1.5), torch.renorm(tx, p, dim, 1.5)
    _close(out, ref)
    g = np.random.default_rng(1).standard_normal(a.shape)
    out.backward(ag.tensor(g))
    ref.backward(torch.tensor(g))
    _close(x.grad, tx.grad, 1e-10, 1e-12)


def test_normal_overloads_statistics_and_errors(torch):
    g = ag.Generator().manual_seed(0)
    mean, std = ag.tensor([[0.0], [10.0]], dtype=ag.float64), ag.tensor([1.0, 2.0, 3.0],
                                                                        dtype=ag.float64)
    draws = np.stack([ag.normal(mean, std, generator=g).numpy() for _ in range(4000)])
    assert draws.shape[1:] == (2, 3) and draws.dtype == np.float64
    np.testing.assert_allclose(draws.mean(0), [[0, 0, 0], [10, 10, 10]], atol=0.2)
    np.testing.assert_allclose(draws.std(0), [[1, 2, 3], [1, 2, 3]], rtol=0.06)
    assert ag.normal(ag.zeros(3), 2.0).shape == (3,)
    assert ag.normal(1.0, ag.ones(4)).shape == (4,)
    flat = ag.normal(2.0, 3.0, (20000,), generator=g)
    assert flat.dtype == ag.float32 and abs(float(flat.mean()) - 2) < 0.1
    assert abs(float(flat.std()) - 3) < 0.1
    m = ag.zeros(3, requires_grad=True)
    out = ag.normal(m, 1.0)
    tm = torch.zeros(3, requires_grad=True)
    assert out.requires_grad == torch.normal(tm, 1.0).requires_grad
    out.sum().backward()
    assert m.grad.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        ag.normal(ag.ones(2), -ag.ones(2))
    with pytest.raises(TypeError):
        ag.normal(1.0, 2.0)
    with pytest.raises(NotImplementedError, match="normal_kernel_cpu"):
        ag.normal(ag.tensor([1]), 1.0)


def test_poisson_randint_like_logspace_range(torch):
    rates = ag.tensor([0.5, 4.0, 30.0], dtype=ag.float64)
    draws = np.stack([ag.poisson(rates).numpy() for _ in range(4000)])
    np.testing.assert_allclose(draws.mean(0), rates.numpy(), rtol=0.06)
    np.testing.assert_allclose(draws.var(0), rates.numpy(), rtol=0.12)
    assert ag.poisson(rates).dtype == ag.float64
    r = ag.randint_like(ag.zeros(1000, dtype=ag.float64), 3, 7)
    assert r.dtype == ag.float64 and set(r.tolist()) == {3.0, 4.0, 5.0, 6.0}
    assert ag.randint_like(ag.zeros(2, dtype=ag.int32), 5).dtype == ag.int32
    _close(ag.logspace(-2, 3, 7), torch.logspace(-2, 3, 7), 1e-6)
    _close(ag.logspace(0, 4, 5, base=2, dtype=ag.float64),
           torch.logspace(0, 4, 5, base=2, dtype=torch.float64))
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        out = ag.range(1, 2.5, 0.5)
    with pytest.warns(UserWarning):
        ref = torch.range(1, 2.5, 0.5)
    _close(out, ref)
    assert out.dtype == ag.float32


def test_randint_range_spread_errors_and_seed(torch):
    # every value of the range, each about as often (a uniform draw of 6 values, 60,000
    # times: each count within 5% of 10,000, about 10 standard deviations); in draws of
    # 1000 (a word modulo the range) and of 60,000 (NumPy's integers)
    v = np.concatenate([ag.randint(-2, 4, (1000,)).numpy() for _ in range(60)])
    assert v.dtype == np.int64 and v.min() == -2 and v.max() == 3
    np.testing.assert_allclose(np.bincount(v + 2), 10000, rtol=0.05)
    v = ag.randint(-2, 4, (60000,)).numpy()
    assert v.dtype == np.int64 and v.min() == -2 and v.max() == 3
    np.testing.assert_allclose(np.bincount(v + 2), 10000, rtol=0.05)
    assert ag.randint(5, (3, 0)).shape == (3, 0) and ag.randint(0, 9, ()).shape == ()
    assert set(ag.randint(3, size=(300,)).tolist()) == {0, 1, 2}
    wide = ag.randint(0, 2 ** 40, (1000,)).numpy()      # past 2**32: NumPy's integers
    assert wide.min() >= 0 and wide.max() < 2 ** 40 and wide.max() > 2 ** 39
    assert ag.randint(0, 3, (4,), dtype=ag.float32).dtype == ag.float32
    g1, g2 = ag.Generator().manual_seed(7), ag.Generator().manual_seed(7)
    assert ag.randint(0, 1000, (8,), generator=g1).tolist() == \
        ag.randint(0, 1000, (8,), generator=g2).tolist()
    # PyTorch's exception types and messages
    with pytest.raises(RuntimeError) as ours:
        ag.randint(5, 5, (2,))
    with pytest.raises(RuntimeError) as theirs:
        torch.randint(5, 5, (2,))
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(TypeError, match=r"randint\(\): argument 'low'"):
        ag.randint(0.5, 3, (2,))
    with pytest.raises(TypeError, match=r"randint_like\(\): argument 'high'"):
        ag.randint_like(ag.zeros(2), 2.5)
    with pytest.raises(TypeError):
        torch.randint(0.5, 3, (2,))
