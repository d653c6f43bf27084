"""torch.optim.swa_utils against PyTorch: the averaged weights of AveragedModel (SWA,
EMA by one-parameter and by list functions, with buffers), update_bn's statistics, and
SWALR's rates (cosine, linear, no annealing, resumed from a state dict)."""
import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import Draw

draw = Draw(53)
rng = draw.rng


def train_and_average(m, weights, batches, make_avg, use_buffers=False):
    nn = m.nn
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2)).double()
    net.load_state_dict({k: m.tensor(v) for k, v in weights.items()})
    avg = make_avg(m, net, use_buffers)
    opt = m.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    for x in batches:
        opt.zero_grad()
        (net(m.tensor(x)) ** 2).mean().backward()
        opt.step()
        avg.update_parameters(net)
    m.optim.swa_utils.update_bn([m.tensor(x) for x in batches], avg)
    out = avg(m.tensor(batches[0])).detach().numpy()
    return {k: v.detach().numpy() for k, v in avg.state_dict().items()}, out


AVERAGES = {
    "swa": lambda m, net, ub: m.optim.swa_utils.AveragedModel(net, use_buffers=ub),
    "ema multi": lambda m, net, ub: m.optim.swa_utils.AveragedModel(
        net, multi_avg_fn=m.optim.swa_utils.get_ema_multi_avg_fn(0.8), use_buffers=ub),
    "ema one": lambda m, net, ub: m.optim.swa_utils.AveragedModel(
        net, avg_fn=m.optim.swa_utils.get_ema_avg_fn(0.7), use_buffers=ub),
    "swa multi": lambda m, net, ub: m.optim.swa_utils.AveragedModel(
        net, multi_avg_fn=m.optim.swa_utils.get_swa_multi_avg_fn(), use_buffers=ub),
}


@pytest.mark.parametrize("use_buffers", [False, True])
@pytest.mark.parametrize("kind", sorted(AVERAGES))
def test_averaged_model_and_update_bn_match_torch(torch, kind, use_buffers):
    shapes = ag.nn.Sequential(ag.nn.Linear(3, 4), ag.nn.BatchNorm1d(4), ag.nn.ReLU(),
                              ag.nn.Linear(4, 2)).state_dict()
    weights = {k: (rng.standard_normal(tuple(v.shape)) if v.dtype.kind == "f" else v.numpy())
               for k, v in shapes.items()}
    batches = [rng.standard_normal((6, 3)) for _ in range(4)]
    if kind == "swa multi" and use_buffers:   # the batch count is an integer: both refuse
        from tests.helpers import raises_like
        raises_like(lambda: train_and_average(ag, weights, batches, AVERAGES[kind], True),
                    lambda: train_and_average(torch, weights, batches, AVERAGES[kind], True),
                    match="Integer division with addcdiv")
        return
    ours = train_and_average(ag, weights, batches, AVERAGES[kind], use_buffers)
    theirs = train_and_average(torch, weights, batches, AVERAGES[kind], use_buffers)
    assert list(ours[0]) == list(theirs[0])
    for key in ours[0]:
        np.testing.assert_allclose(ours[0][key], theirs[0][key], rtol=1e-12, atol=1e-14,
                                   err_msg=key)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kw", [dict(anneal_strategy="cos", anneal_epochs=3),
                                dict(anneal_strategy="linear", anneal_epochs=4),
                                dict(anneal_epochs=0)])
def test_swalr_rates_match_torch(torch, kw):
    def rates(m):
        p = m.zeros(1, requires_grad=True)
        opt = m.optim.SGD([p], lr=0.5)
        sched = m.optim.swa_utils.SWALR(opt, swa_lr=0.05, **kw)
        out = []
        for step in range(6):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr()[0])
            if step == 2:   # resumed from its state dict
                state = sched.state_dict()
                assert "anneal_func" not in state
                sched = m.optim.swa_utils.SWALR(opt, swa_lr=0.05, **kw)
                sched.load_state_dict(state)
        return out
    np.testing.assert_allclose(rates(ag), rates(torch), rtol=1e-15)


def test_errors_as_torch(torch):
    from tests.helpers import raises_like
    raises_like(lambda: ag.optim.swa_utils.get_ema_avg_fn(1.5),
                lambda: torch.optim.swa_utils.get_ema_avg_fn(1.5))
    raises_like(lambda: ag.optim.swa_utils.SWALR(ag.optim.SGD([ag.zeros(1, requires_grad=True)],
                                                              lr=1), 0.1, anneal_strategy="x"),
                lambda: torch.optim.swa_utils.SWALR(torch.optim.SGD(
                    [torch.zeros(1, requires_grad=True)], lr=1), 0.1, anneal_strategy="x"))
