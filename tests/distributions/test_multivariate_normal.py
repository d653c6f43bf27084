"""MultivariateNormal against PyTorch's in float64: log_prob, entropy, KL, moments and
their gradients for each way of giving the matrix, broadcast batch dims, PPO's diagonal
covariance, sampling shapes and reparameterised gradients, and the argument errors."""
import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import Draw, raises_like

draw = Draw(71)
rng = draw.rng


def spd(n, batch=()):
    a = rng.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def scores(m, kind, loc, mat, x, qmat):
    D = m.distributions
    loc_t = m.tensor(loc, requires_grad=True)
    mat_t = m.tensor(mat, requires_grad=True)
    given = m.linalg.cholesky(mat_t) if kind == "scale_tril" else mat_t
    d = D.MultivariateNormal(loc_t, **{kind: given})
    q = D.MultivariateNormal(m.zeros(loc.shape[-1], dtype=m.float64),
                             covariance_matrix=m.tensor(qmat))
    parts = [d.log_prob(m.tensor(x)), d.entropy(), D.kl_divergence(d, q), D.kl_divergence(q, d),
             d.variance, d.covariance_matrix, d.precision_matrix, d.scale_tril, d.mean]
    total = sum((p * m.tensor(np.linspace(0.5, 1.5, p.numel()).reshape(tuple(p.shape)))).sum()
                for p in parts)
    total.backward()
    return [p.detach().numpy() for p in parts] + [loc_t.grad.numpy(), mat_t.grad.numpy()], \
        (tuple(d.batch_shape), tuple(d.event_shape))


@pytest.mark.parametrize("kind", ["covariance_matrix", "precision_matrix", "scale_tril"])
@pytest.mark.parametrize("shapes", [((3,), (), (5,)), ((4, 3), (), (2, 4)), ((3,), (2,), (2,)),
                                    ((2, 1, 3), (4,), ())])
def test_values_and_gradients_match_torch(torch, kind, shapes):
    loc_batch, mat_batch, x_batch = shapes
    loc = rng.standard_normal(loc_batch)
    mat = spd(loc_batch[-1], mat_batch)
    batch = np.broadcast_shapes(loc_batch[:-1], mat_batch)
    x = rng.standard_normal(x_batch + batch + loc_batch[-1:])
    qmat = spd(loc_batch[-1])
    ours, theirs = scores(ag, kind, loc, mat, x, qmat), scores(torch, kind, loc, mat, x, qmat)
    assert ours[1] == theirs[1]
    for a, b in zip(ours[0], theirs[0]):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_ppo_diagonal_policy_and_sampling(torch):
    """PPO's continuous policy: a mean per state, one diagonal covariance for all."""
    means, actions = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    vals = {}
    for m in (ag, torch):
        mean = m.tensor(means, requires_grad=True)
        cov = m.diag(m.full((2,), 0.36, dtype=m.float64)).unsqueeze(dim=0)
        dist = m.distributions.MultivariateNormal(mean, cov)
        (dist.log_prob(m.tensor(actions)).sum() - 0.01 * dist.entropy().sum()).backward()
        assert tuple(dist.sample().shape) == (6, 2) and tuple(dist.sample((3,)).shape) == (3, 6, 2)
        vals[m.__name__] = mean.grad.numpy()
    np.testing.assert_allclose(vals["autograd_core"], vals["torch"], rtol=1e-12)
    loc = ag.zeros(2, dtype=ag.float64, requires_grad=True)
    ag.distributions.MultivariateNormal(loc, scale_tril=ag.eye(2, dtype=ag.float64)).rsample(
        (4,)).sum().backward()
    np.testing.assert_array_equal(loc.grad.numpy(), [4.0, 4.0])   # d(loc + L eps)/dloc, summed
    draws = ag.distributions.MultivariateNormal(
        ag.tensor([1.0, -2.0], dtype=ag.float64),
        covariance_matrix=ag.tensor([[2.0, 0.6], [0.6, 1.0]], dtype=ag.float64)).sample((20000,))
    np.testing.assert_allclose(np.cov(draws.numpy().T), [[2.0, 0.6], [0.6, 1.0]], atol=0.08)


def test_errors_as_torch(torch):
    for make in (lambda m: m.distributions.MultivariateNormal(m.zeros(2)),
                 lambda m: m.distributions.MultivariateNormal(m.zeros(2), m.eye(2),
                                                             scale_tril=m.eye(2)),
                 lambda m: m.distributions.MultivariateNormal(m.tensor(0.0), m.eye(2)),
                 lambda m: m.distributions.MultivariateNormal(m.zeros(2), m.ones(2))):
        raises_like(lambda: make(ag), lambda: make(torch))
    for bad in (lambda m: m.distributions.MultivariateNormal(
                    m.zeros(2), m.tensor([[1.0, 2.0], [2.0, 1.0]])),
                lambda m: m.distributions.MultivariateNormal(
                    m.zeros(2), scale_tril=m.tensor([[1.0, 1.0], [0.0, 1.0]]))):
        raises_like(lambda: bad(ag), lambda: bad(torch), match="to satisfy the constraint")
