"""autograd_core.distributions against PyTorch's torch.distributions, in float64: values of
log_prob, entropy, moments, cdf/icdf and KL divergences, and their gradients with respect to
the parameters (and values), over broadcasting batch shapes; sampling by shape, dtype,
support and statistics; PyTorch's errors; and a REINFORCE update in lockstep with PyTorch."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn, optim
from autograd_core.distributions import (Bernoulli, Categorical, Distribution, Independent,
                                         Normal, OneHotCategorical, Uniform, kl_divergence,
                                         register_kl)
from tests.helpers import as_ours, load_from_torch

RTOL, ATOL = 1e-10, 1e-12
rng = np.random.default_rng(20240601)


# ------------------------------------------------------------------ helpers
def pair(torch, a, grad=True):
    """Float64 leaves holding ``a``: ours and PyTorch's."""
    a = np.asarray(a, dtype=np.float64)
    return (ag.tensor(a.copy(), dtype=ag.float64, requires_grad=grad),
            torch.tensor(a.copy(), dtype=torch.float64, requires_grad=grad))


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    ours = ours.detach().numpy() if hasattr(ours, "detach") else np.asarray(ours)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def same_grads(torch, outputs, leaves, rtol=1e-9, atol=1e-11):
    """Backpropagate the same random weighting of each (ours, theirs) output pair and
    compare the gradients of each (ours, theirs) leaf pair."""
    loss, tloss = 0, 0
    for o, t in outputs:
        close(o, t)
        w = rng.standard_normal(tuple(t.shape))
        loss = loss + (o * ag.tensor(w)).sum()
        tloss = tloss + (t * torch.tensor(w)).sum()
    loss.backward()
    tloss.backward()
    for x, tx in leaves:
        assert (x.grad is None) == (tx.grad is None)
        if tx.grad is not None:
            close(x.grad, tx.grad, rtol, atol)


def first_line(e):
    return str(e).split("\n")[0]


def same_error(ours, theirs):
    """PyTorch's exception type and the first line of its message (shapes and dtypes as
    ours print them)."""
    with pytest.raises(Exception) as t:
        theirs()
    with pytest.raises(type(t.value)) as o:
        ours()
    assert first_line(o.value) == as_ours(str(t.value))


# batch shapes that broadcast: (parameter a, parameter b, value)
SHAPES = [((), (), ()), ((3,), (3,), (3,)), ((2, 1), (3,), (4, 2, 3)), ((3,), (2, 3), (1,))]


# ------------------------------------------------------------------ Normal
@pytest.mark.parametrize("sa,sb,sv", SHAPES)
def test_normal_matches_torch(torch, sa, sb, sv):
    loc, tloc = pair(torch, rng.standard_normal(sa))
    scale, tscale = pair(torch, rng.uniform(0.5, 2.0, sb))
    value, tvalue = pair(torch, rng.standard_normal(sv) * 2)
    q, tq = pair(torch, rng.uniform(0.01, 0.99, sv))
    d, td = Normal(loc, scale), torch.distributions.Normal(tloc, tscale)
    assert d.batch_shape == tuple(td.batch_shape) and d.event_shape == ()
    assert d.has_rsample and d.support.check(value).all()
    same_grads(torch, [(d.log_prob(value), td.log_prob(tvalue)), (d.entropy(), td.entropy()),
                       (d.mean, td.mean), (d.mode, td.mode), (d.stddev, td.stddev),
                       (d.variance, td.variance), (d.cdf(value), td.cdf(tvalue)),
                       (d.icdf(q), td.icdf(tq)), (d.perplexity(), td.perplexity())],
               [(loc, tloc), (scale, tscale), (value, tvalue), (q, tq)])


def test_normal_of_numbers_has_the_default_dtype_and_no_batch(torch):
    d, td = Normal(0.0, 2.0), torch.distributions.Normal(0.0, 2.0)
    assert d.batch_shape == () and d.loc.dtype == ag.float32
    close(d.log_prob(ag.tensor(1.0)), td.log_prob(torch.tensor(1.0)), rtol=1e-6)
    e = Normal(ag.tensor([0.0, 1.0], dtype=ag.float64), 1)  # the number takes the tensor's dtype
    assert e.scale.dtype == ag.float64 and tuple(e.scale.shape) == (2,)


def test_normal_rsample_is_differentiable_like_torch(torch):
    """Our draws' noise, recovered as (x - loc) / scale, fed to PyTorch's formula: the same
    reparameterized gradient of a loss of the draws."""
    loc, tloc = pair(torch, rng.standard_normal((2, 3)))
    scale, tscale = pair(torch, rng.uniform(0.5, 2.0, (3,)))
    x = Normal(loc, scale).rsample((4,))
    assert tuple(x.shape) == (4, 2, 3) and x.requires_grad
    eps = ((x - loc) / scale).detach().numpy()
    tx = tloc + torch.tensor(eps) * tscale
    same_grads(torch, [((x ** 2).sin(), (tx ** 2).sin())], [(loc, tloc), (scale, tscale)])


def test_normal_sample_is_outside_the_graph():
    loc = ag.zeros(3, dtype=ag.float64, requires_grad=True)
    s = Normal(loc, 1.0).sample((2,))
    assert not s.requires_grad and tuple(s.shape) == (2, 3) and s.dtype == ag.float64


def test_normal_expand(torch):
    d = Normal(ag.tensor([0.0, 1.0], dtype=ag.float64), 2.0).expand((3, 2))
    td = torch.distributions.Normal(torch.tensor([0.0, 1.0], dtype=torch.float64), 2.0)
    td = td.expand((3, 2))
    assert d.batch_shape == (3, 2)
    v = rng.standard_normal((3, 2))
    close(d.log_prob(ag.tensor(v)), td.log_prob(torch.tensor(v)))


# ------------------------------------------------------------------ Categorical
CAT_SHAPES = [((4,), ()), ((4,), (5,)), ((3, 4), (3,)), ((2, 3, 4), (5, 1, 3)), ((3, 4), (2, 1))]


@pytest.mark.parametrize("by", ["probs", "logits"])
@pytest.mark.parametrize("param_shape,value_shape", CAT_SHAPES)
def test_categorical_matches_torch(torch, by, param_shape, value_shape):
    a = rng.uniform(0.1, 2.0, param_shape) if by == "probs" else rng.standard_normal(param_shape)
    p, tp = pair(torch, a)
    d, td = Categorical(**{by: p}), torch.distributions.Categorical(**{by: tp})
    assert d.batch_shape == tuple(td.batch_shape) and d.param_shape == tuple(td.param_shape)
    value = rng.integers(0, param_shape[-1], value_shape)
    v, tv = ag.tensor(value), torch.tensor(value)
    assert d.mode.dtype == ag.int64
    np.testing.assert_array_equal(d.mode.numpy(), td.mode.numpy())
    np.testing.assert_array_equal(d.mean.numpy(), td.mean.numpy())  # NaN, as PyTorch's
    np.testing.assert_array_equal(d.variance.numpy(), td.variance.numpy())
    np.testing.assert_array_equal(d.enumerate_support().numpy(), td.enumerate_support().numpy())
    np.testing.assert_array_equal(d.enumerate_support(False).numpy(),
                                  td.enumerate_support(False).numpy())
    same_grads(torch, [(d.log_prob(v), td.log_prob(tv)), (d.entropy(), td.entropy()),
                       (d.probs, td.probs), (d.logits, td.logits)], [(p, tp)])


def test_categorical_with_zero_probabilities(torch):
    a = np.array([[0.0, 1.0, 3.0], [2.0, 0.0, 0.0]])
    d, td = Categorical(ag.tensor(a)), torch.distributions.Categorical(torch.tensor(a))
    close(d.entropy(), td.entropy())
    close(d.logits, td.logits)
    dl = Categorical(logits=ag.tensor([0.0, -math.inf, 1.0], dtype=ag.float64))
    tl = torch.distributions.Categorical(
        logits=torch.tensor([0.0, -math.inf, 1.0], dtype=torch.float64))
    close(dl.entropy(), tl.entropy())


def test_categorical_expand(torch):
    p = rng.uniform(0.1, 1.0, (4,))
    d = Categorical(ag.tensor(p)).expand((2, 3))
    td = torch.distributions.Categorical(torch.tensor(p)).expand((2, 3))
    assert d.batch_shape == (2, 3)
    v = rng.integers(0, 4, (2, 3))
    close(d.log_prob(ag.tensor(v)), td.log_prob(torch.tensor(v)))
    assert tuple(d.sample((5,)).shape) == (5, 2, 3)


# ------------------------------------------------------------------ Bernoulli
@pytest.mark.parametrize("by", ["probs", "logits"])
@pytest.mark.parametrize("param_shape,value_shape", [((), ()), ((4,), (4,)), ((3, 1), (2, 1, 4)),
                                                     ((2, 4), (4,))])
def test_bernoulli_matches_torch(torch, by, param_shape, value_shape):
    a = (rng.uniform(0.05, 0.95, param_shape) if by == "probs"
         else rng.standard_normal(param_shape) * 3)
    p, tp = pair(torch, a)
    d, td = Bernoulli(**{by: p}), torch.distributions.Bernoulli(**{by: tp})
    assert d.batch_shape == tuple(td.batch_shape)
    v, tv = pair(torch, rng.integers(0, 2, value_shape).astype(np.float64), grad=False)
    np.testing.assert_array_equal(d.mode.numpy(), td.mode.numpy())
    np.testing.assert_array_equal(d.enumerate_support().numpy(), td.enumerate_support().numpy())
    same_grads(torch, [(d.log_prob(v), td.log_prob(tv)), (d.entropy(), td.entropy()),
                       (d.mean, td.mean), (d.variance, td.variance), (d.stddev, td.stddev),
                       (d.probs, td.probs), (d.logits, td.logits)], [(p, tp)])


def test_bernoulli_log_prob_is_stable_for_large_logits(torch):
    a = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    x, tx = pair(torch, a)
    d, td = Bernoulli(logits=x), torch.distributions.Bernoulli(logits=tx)
    ones, zeros = ag.ones(5, dtype=ag.float64), ag.zeros(5, dtype=ag.float64)
    t1, t0 = torch.ones(5, dtype=torch.float64), torch.zeros(5, dtype=torch.float64)
    assert np.isfinite(d.log_prob(ones).detach().numpy()).all()
    same_grads(torch, [(d.log_prob(ones), td.log_prob(t1)), (d.log_prob(zeros), td.log_prob(t0))],
               [(x, tx)])
    assert Bernoulli(0.5).mode.isnan().item()


# ------------------------------------------------------------------ Uniform, Independent, OneHot
def test_uniform_matches_torch(torch):
    low, tlow = pair(torch, rng.uniform(-2, 0, (2, 1)))
    high, thigh = pair(torch, rng.uniform(0.5, 2, (3,)))
    v, tv = pair(torch, rng.uniform(-0.4, 0.4, (2, 3)))
    q, tq = pair(torch, rng.uniform(0, 1, (3,)))
    d, td = Uniform(low, high), torch.distributions.Uniform(tlow, thigh)
    assert d.batch_shape == tuple(td.batch_shape)
    same_grads(torch, [(d.log_prob(v), td.log_prob(tv)), (d.entropy(), td.entropy()),
                       (d.mean, td.mean), (d.variance, td.variance), (d.stddev, td.stddev),
                       (d.cdf(v), td.cdf(tv)), (d.icdf(q), td.icdf(tq))],
               [(low, tlow), (high, thigh), (v, tv), (q, tq)])
    outside = Uniform(0.0, 1.0, validate_args=False).log_prob(ag.tensor([-1.0, 0.5, 1.0]))
    assert outside.numpy().tolist() == [-math.inf, 0.0, -math.inf]
    v = np.array([-3.0, 0.1, 1.9, 5.0])
    a, ta = pair(torch, [-1.0])
    b, tb = pair(torch, [2.0])
    lp = Uniform(a, b, validate_args=False).log_prob(ag.tensor(v))
    tlp = torch.distributions.Uniform(ta, tb, validate_args=False).log_prob(torch.tensor(v))
    close(lp, tlp)
    lp.sum().backward()
    tlp.sum().backward()
    close(a.grad, ta.grad)
    close(b.grad, tb.grad)


def test_independent_normal_matches_torch(torch):
    loc, tloc = pair(torch, rng.standard_normal((2, 3)))
    scale, tscale = pair(torch, rng.uniform(0.5, 2, (2, 3)))
    v, tv = pair(torch, rng.standard_normal((4, 2, 3)))
    d = Independent(Normal(loc, scale), 1)
    td = torch.distributions.Independent(torch.distributions.Normal(tloc, tscale), 1)
    assert (d.batch_shape, d.event_shape) == (tuple(td.batch_shape), tuple(td.event_shape))
    assert d.has_rsample and tuple(d.rsample((5,)).shape) == (5, 2, 3)
    assert d.expand((4, 2)).batch_shape == (4, 2)
    same_grads(torch, [(d.log_prob(v), td.log_prob(tv)), (d.entropy(), td.entropy()),
                       (d.mean, td.mean), (d.variance, td.variance)],
               [(loc, tloc), (scale, tscale), (v, tv)])


@pytest.mark.parametrize("by", ["probs", "logits"])
def test_one_hot_categorical_matches_torch(torch, by):
    a = rng.uniform(0.1, 2.0, (2, 4)) if by == "probs" else rng.standard_normal((2, 4))
    p, tp = pair(torch, a)
    d, td = OneHotCategorical(**{by: p}), torch.distributions.OneHotCategorical(**{by: tp})
    assert (d.batch_shape, d.event_shape) == (tuple(td.batch_shape), tuple(td.event_shape))
    v = np.eye(4)[rng.integers(0, 4, (3, 2))]
    np.testing.assert_array_equal(d.mode.numpy(), td.mode.numpy())
    np.testing.assert_array_equal(d.enumerate_support().numpy(), td.enumerate_support().numpy())
    s = d.sample((5,))
    assert tuple(s.shape) == (5, 2, 4) and (s.sum(-1) == 1).all()
    same_grads(torch, [(d.log_prob(ag.tensor(v)), td.log_prob(torch.tensor(v))),
                       (d.entropy(), td.entropy()), (d.mean, td.mean),
                       (d.variance, td.variance)], [(p, tp)])


# ------------------------------------------------------------------ KL divergence
def test_kl_normal_normal(torch):
    a, ta = pair(torch, rng.standard_normal((2, 1)))
    b, tb = pair(torch, rng.uniform(0.5, 2, (3,)))
    c, tc = pair(torch, rng.standard_normal((3,)))
    e, te = pair(torch, rng.uniform(0.5, 2, (2, 3)))
    D = torch.distributions
    same_grads(torch, [(kl_divergence(Normal(a, b), Normal(c, e)),
                        D.kl_divergence(D.Normal(ta, tb), D.Normal(tc, te)))],
               [(a, ta), (b, tb), (c, tc), (e, te)])


@pytest.mark.parametrize("one_hot", [False, True])
def test_kl_categorical_categorical(torch, one_hot):
    p, tp = pair(torch, rng.uniform(0.1, 2, (2, 1, 4)))
    q, tq = pair(torch, rng.standard_normal((3, 4)))
    ours, theirs = ((OneHotCategorical, torch.distributions.OneHotCategorical) if one_hot
                    else (Categorical, torch.distributions.Categorical))
    same_grads(torch, [(kl_divergence(ours(probs=p), ours(logits=q)),
                        torch.distributions.kl_divergence(theirs(probs=tp), theirs(logits=tq)))],
               [(p, tp), (q, tq)])


def test_kl_categorical_with_zeros_is_infinite_or_finite_like_torch(torch):
    p = np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])
    q = np.array([[0.5, 0.0, 0.5], [0.2, 0.3, 0.5]])
    D = torch.distributions
    close(kl_divergence(Categorical(ag.tensor(p)), Categorical(ag.tensor(q))),
          D.kl_divergence(D.Categorical(torch.tensor(p)), D.Categorical(torch.tensor(q))))


def test_kl_bernoulli_bernoulli(torch):
    # (PyTorch's Bernoulli KL needs equal batch shapes: its masks do not broadcast; ours do)
    p, tp = pair(torch, rng.uniform(0.05, 0.95, (2, 3)))
    q, tq = pair(torch, rng.standard_normal((2, 3)))
    D = torch.distributions
    kl = kl_divergence(Bernoulli(ag.full((2, 1), 0.3)), Bernoulli(ag.full((3,), 0.6)))
    assert tuple(kl.shape) == (2, 3)
    same_grads(torch, [(kl_divergence(Bernoulli(p), Bernoulli(logits=q)),
                        D.kl_divergence(D.Bernoulli(tp), D.Bernoulli(logits=tq)))],
               [(p, tp), (q, tq)])
    ep, eq = np.array([0.0, 1.0, 0.3, 0.0, 1.0]), np.array([0.5, 0.5, 0.0, 0.0, 1.0])
    close(kl_divergence(Bernoulli(ag.tensor(ep)), Bernoulli(ag.tensor(eq))),
          D.kl_divergence(D.Bernoulli(torch.tensor(ep)), D.Bernoulli(torch.tensor(eq))))


def test_kl_uniform_and_independent(torch):
    D = torch.distributions
    lo, hi = np.array([0.0, -1.0]), np.array([1.0, 1.0])
    lo2, hi2 = np.array([-1.0, -0.5]), np.array([2.0, 1.0])
    close(kl_divergence(Uniform(ag.tensor(lo), ag.tensor(hi)),
                        Uniform(ag.tensor(lo2), ag.tensor(hi2))),
          D.kl_divergence(D.Uniform(torch.tensor(lo), torch.tensor(hi)),
                          D.Uniform(torch.tensor(lo2), torch.tensor(hi2))))
    a, b = rng.standard_normal((2, 3)), rng.uniform(0.5, 2, (2, 3))
    ours = kl_divergence(Independent(Normal(ag.tensor(a), ag.tensor(b)), 1),
                         Independent(Normal(ag.tensor(b), ag.tensor(b)), 1))
    theirs = D.kl_divergence(D.Independent(D.Normal(torch.tensor(a), torch.tensor(b)), 1),
                             D.Independent(D.Normal(torch.tensor(b), torch.tensor(b)), 1))
    close(ours, theirs)


def test_kl_of_an_unregistered_pair_raises_like_torch(torch):
    D = torch.distributions
    same_error(lambda: kl_divergence(Normal(0.0, 1.0), Categorical(ag.ones(2))),
               lambda: D.kl_divergence(D.Normal(0.0, 1.0), D.Categorical(torch.ones(2))))


def test_register_kl_picks_the_closest_pair():
    class Narrow(Normal):
        pass

    @register_kl(Narrow, Normal)
    def _kl(p: Distribution, q: Distribution) -> ag.Tensor:
        return ag.full(tuple(p.batch_shape), 7.0)

    assert kl_divergence(Narrow(0.0, 1.0), Normal(0.0, 2.0)).item() == 7.0
    assert kl_divergence(Normal(0.0, 1.0), Narrow(0.0, 1.0)).item() == 0.0  # Normal-Normal
    with pytest.raises(TypeError):
        register_kl(int, Normal)


# ------------------------------------------------------------------ sampling
def test_sample_shapes_and_dtypes():
    cases = [(Categorical(ag.ones(3, 4)), (3,), ag.int64),
             (Categorical(logits=ag.zeros(4, dtype=ag.float64)), (), ag.int64),
             (Normal(ag.zeros(2, 1, dtype=ag.float64), ag.ones(3, dtype=ag.float64)), (2, 3),
              ag.float64),
             (Bernoulli(ag.full((2,), 0.3, dtype=ag.float64)), (2,), ag.float64),
             (Uniform(ag.zeros(2), 1.0), (2,), ag.float32)]
    for d, batch, dtype in cases:
        for sample_shape in [(), (5,), (2, 3), ag.Size([4])]:
            s = d.sample(sample_shape)
            assert tuple(s.shape) == tuple(sample_shape) + batch and s.dtype == dtype
            assert bool(d.support.check(s).all())
    assert isinstance(Categorical(ag.ones(3)).sample().item(), int)


def _within(mean, expected, stderr, k=5.0):
    assert np.all(np.abs(mean - expected) <= k * stderr + 1e-12), (mean, expected, stderr)


def test_categorical_sample_frequencies():
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.0, 0.5]])
    n = 20000
    s = Categorical(ag.tensor(p)).sample((n,)).numpy()
    assert s.min() >= 0 and s.max() <= 2 and (s[:, 1] != 1).all()
    for row in range(2):
        freq = np.bincount(s[:, row], minlength=3) / n
        _within(freq, p[row], np.sqrt(p[row] * (1 - p[row]) / n))


def test_normal_bernoulli_uniform_sample_moments():
    n = 20000
    loc, scale = np.array([-1.0, 2.0]), np.array([0.5, 3.0])
    x = Normal(ag.tensor(loc), ag.tensor(scale)).sample((n,)).numpy()
    _within(x.mean(0), loc, scale / np.sqrt(n))
    _within(x.std(0), scale, scale / np.sqrt(2 * n))
    r = Normal(ag.tensor(loc), ag.tensor(scale)).rsample((n,)).detach().numpy()
    _within(r.mean(0), loc, scale / np.sqrt(n))
    p = np.array([0.1, 0.5, 0.9])
    b = Bernoulli(ag.tensor(p)).sample((n,)).numpy()
    assert set(np.unique(b)) <= {0.0, 1.0}
    _within(b.mean(0), p, np.sqrt(p * (1 - p) / n))
    u = Uniform(ag.tensor([-1.0, 2.0]), ag.tensor([1.0, 5.0])).sample((n,)).numpy()
    assert (u[:, 0] >= -1).all() and (u[:, 0] < 1).all()
    assert (u[:, 1] >= 2).all() and (u[:, 1] < 5).all()
    _within(u.mean(0), np.array([0.0, 3.5]), np.array([2.0, 3.0]) / np.sqrt(12 * n))


def test_sampling_is_reproducible_with_manual_seed():
    def draws():
        return [Categorical(ag.ones(3, 5)).sample((7,)).numpy(),
                Normal(ag.zeros(4), 1.0).sample((3,)).numpy(),
                Normal(ag.zeros(4), 1.0).rsample().detach().numpy(),
                Bernoulli(ag.full((6,), 0.5)).sample().numpy(),
                Uniform(0.0, 1.0).sample((2,)).numpy()]
    ag.manual_seed(123)
    first = draws()
    ag.manual_seed(123)
    second = draws()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    ag.manual_seed(124)
    assert not np.array_equal(draws()[0], first[0])


# ------------------------------------------------------------------ errors and validation
def test_both_or_neither_probs_and_logits_raise_like_torch(torch):
    D = torch.distributions
    for ours, theirs in [(Categorical, D.Categorical), (Bernoulli, D.Bernoulli),
                         (OneHotCategorical, D.OneHotCategorical)]:
        same_error(lambda: ours(), lambda: theirs())
        same_error(lambda: ours(ag.ones(2), ag.ones(2)),
                   lambda: theirs(torch.ones(2), torch.ones(2)))
    same_error(lambda: Categorical(ag.tensor(1.0)), lambda: D.Categorical(torch.tensor(1.0)))
    same_error(lambda: Categorical(logits=ag.tensor(1.0)),
               lambda: D.Categorical(logits=torch.tensor(1.0)))


def test_invalid_parameters_raise_like_torch(torch):
    D = torch.distributions
    same_error(lambda: Normal(ag.tensor([0.0, 1.0]), ag.tensor([1.0, -1.0])),
               lambda: D.Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, -1.0])))
    same_error(lambda: Normal(0.0, -1.0), lambda: D.Normal(0.0, -1.0))
    same_error(lambda: Categorical(ag.tensor([-1.0, 2.0])),
               lambda: D.Categorical(torch.tensor([-1.0, 2.0])))
    same_error(lambda: Bernoulli(ag.tensor([0.5, 1.5])),
               lambda: D.Bernoulli(torch.tensor([0.5, 1.5])))
    same_error(lambda: Uniform(1.0, 0.0), lambda: D.Uniform(1.0, 0.0))
    same_error(lambda: Normal(ag.tensor([0.0, math.nan]), 1.0),
               lambda: D.Normal(torch.tensor([0.0, math.nan]), 1.0))
    Normal(0.0, -1.0, validate_args=False)  # no check when asked
    Categorical(ag.tensor([-1.0, 2.0]), validate_args=False)


def test_invalid_values_raise_like_torch(torch):
    D = torch.distributions
    same_error(lambda: Normal(0.0, 1.0).log_prob(1.0), lambda: D.Normal(0.0, 1.0).log_prob(1.0))
    same_error(lambda: Categorical(ag.ones(2, 3)).log_prob(ag.tensor([3, 0])),
               lambda: D.Categorical(torch.ones(2, 3)).log_prob(torch.tensor([3, 0])))
    same_error(lambda: Normal(ag.zeros(3), 1.0).log_prob(ag.zeros(2)),
               lambda: D.Normal(torch.zeros(3), 1.0).log_prob(torch.zeros(2)))
    same_error(lambda: Bernoulli(ag.tensor([0.5, 0.5])).log_prob(ag.tensor([0.5, 1.0])),
               lambda: D.Bernoulli(torch.tensor([0.5, 0.5])).log_prob(torch.tensor([0.5, 1.0])))
    same_error(lambda: OneHotCategorical(ag.ones(3)).log_prob(ag.zeros(2)),
               lambda: D.OneHotCategorical(torch.ones(3)).log_prob(torch.zeros(2)))
    # without validation, an out-of-support value is scored by the formula, as PyTorch's
    p, tp = pair(torch, [0.3], grad=False)
    v, tv = pair(torch, [0.5], grad=False)
    close(Bernoulli(p, validate_args=False).log_prob(v),
          D.Bernoulli(tp, validate_args=False).log_prob(tv))


def test_set_default_validate_args():
    try:
        Distribution.set_default_validate_args(False)
        Normal(0.0, -1.0)
        Bernoulli(0.3).log_prob(ag.tensor(0.5))  # out of support, unchecked
        with pytest.raises(ValueError):
            Normal(0.0, -1.0, validate_args=True)
    finally:
        Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        Normal(0.0, -1.0)
    with pytest.raises(ValueError):
        Distribution.set_default_validate_args("yes")


def test_repr(torch):
    D = torch.distributions
    assert (repr(Normal(ag.zeros(2), ag.ones(2)))
            == as_ours(repr(D.Normal(torch.zeros(2), torch.ones(2)))))
    assert repr(Categorical(ag.ones(3))) == as_ours(repr(D.Categorical(torch.ones(3))))
    assert repr(Normal(0.0, 1.0)) == repr(D.Normal(0.0, 1.0))


# ------------------------------------------------------------------ REINFORCE in lockstep
def _policies(torch):
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(),
                                 torch.nn.Linear(16, 3)).double()
    ours = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3)).double()
    load_from_torch(ours, theirs)
    return ours, theirs


def test_reinforce_trains_in_lockstep_with_torch(torch):
    """pytorch/examples' reinforce.py update: a softmax policy, Categorical(probs),
    loss = -(log_prob * returns).sum(), Adam. The actions are given, not sampled, so both
    libraries see the same episode; the parameters must stay equal."""
    ours, theirs = _policies(torch)
    opt = optim.Adam(ours.parameters(), lr=1e-2)
    topt = torch.optim.Adam(theirs.parameters(), lr=1e-2)
    data = np.random.default_rng(3)
    for step in range(5):
        states = data.standard_normal((8, 4))
        actions = data.integers(0, 3, 8)
        returns = data.standard_normal(8)
        returns = (returns - returns.mean()) / (returns.std() + 1e-9)
        probs = ours(ag.tensor(states)).softmax(dim=-1)
        tprobs = theirs(torch.tensor(states)).softmax(dim=-1)
        m, tm = Categorical(probs), torch.distributions.Categorical(tprobs)
        loss = (-(m.log_prob(ag.tensor(actions)) * ag.tensor(returns)).sum()
                - 0.01 * m.entropy().sum())
        tloss = (-(tm.log_prob(torch.tensor(actions)) * torch.tensor(returns)).sum()
                 - 0.01 * tm.entropy().sum())
        close(loss, tloss)
        opt.zero_grad()
        topt.zero_grad()
        loss.backward()
        tloss.backward()
        opt.step()
        topt.step()
        for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
            np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-10,
                                       atol=1e-13, err_msg=f"{name} after step {step}")


def test_actor_critic_style_episode_runs():
    """actor_critic.py's pattern: sample an action, keep its log_prob, ``.item()`` it, and
    backpropagate a stacked loss at the end of the episode."""
    ours = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    saved = []
    for _ in range(5):
        m = Categorical(ours(ag.randn(4)).softmax(dim=-1))
        action = m.sample()
        assert action.item() in (0, 1)
        saved.append(m.log_prob(action))
    loss = -ag.stack(saved).sum()
    loss.backward()
    assert all(p.grad is not None for p in ours.parameters())


# ------------------------------------------------------------------ a ported script
REINFORCE_SCRIPT = '''
from collections import deque

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical, Normal
from torch.distributions.kl import kl_divergence

torch.manual_seed(543)


class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 32)
        self.dropout = nn.Dropout(p=0.6)
        self.affine2 = nn.Linear(32, 2)
        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)


policy = Policy()
optimizer = optim.Adam(policy.parameters(), lr=1e-2)
eps = np.finfo(np.float32).eps.item()
env = np.random.default_rng(0)


def select_action(state):
    state = torch.from_numpy(state).float().unsqueeze(0)
    probs = policy(state)
    m = Categorical(probs)
    action = m.sample()
    policy.saved_log_probs.append(m.log_prob(action))
    return action.item()


def finish_episode():
    R = 0
    policy_loss = []
    returns = deque()
    for r in policy.rewards[::-1]:
        R = r + 0.99 * R
        returns.appendleft(R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)
    for log_prob, R in zip(policy.saved_log_probs, returns):
        policy_loss.append(-log_prob * R)
    optimizer.zero_grad()
    policy_loss = torch.cat(policy_loss).sum()
    policy_loss.backward()
    optimizer.step()
    del policy.rewards[:]
    del policy.saved_log_probs[:]


for i_episode in range(3):
    for t in range(10):
        state = env.standard_normal(4)
        action = select_action(state)
        policy.rewards.append(float(action == int(state[0] > 0)))
    finish_episode()

mu = torch.zeros(3, requires_grad=True)
z = Normal(mu, 1.0).rsample()
kl = kl_divergence(Normal(mu, 1.0), Normal(torch.ones(3), 2.0)).sum()
(kl + z.sum()).backward()
RESULT = mu.grad.tolist()
'''


def test_reinforce_script_runs_with_changed_imports_only(tmp_path, monkeypatch):
    """pytorch/examples' reinforce.py (a toy environment in place of gym), run with
    ``import torch`` resolved to this library."""
    import runpy
    from autograd_core import run
    monkeypatch.delitem(run.INSTEAD, "torch.distributions", raising=False)
    script = tmp_path / "reinforce.py"
    script.write_text(REINFORCE_SCRIPT)
    with run.torch_names():
        result = runpy.run_path(str(script))["RESULT"]
    # d/dmu [KL(N(mu,1) || N(1,2)) + (mu + eps)] = (mu - 1) / 4 + 1 at mu = 0
    np.testing.assert_allclose(result, [0.75] * 3, rtol=1e-6)
