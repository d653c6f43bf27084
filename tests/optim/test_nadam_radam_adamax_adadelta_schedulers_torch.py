"""NAdam, RAdam, Adamax, Adadelta and the newer lr schedulers against PyTorch.

Optimizers: identical trajectories (float64, rtol 1e-12), same state_dict layouts and values,
PyTorch's error messages. Schedulers: the same lr (and momentum) sequences, exactly or to 1e-12,
and state_dict round trips that continue the same sequence.
"""
from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim
from autograd_core.optim import lr_scheduler as S

from tests.helpers import check_torch_state_continues, optimizer_problem, run_optimizer
from tests.optim.test_optimizers_torch import RTOL

# Every parity test takes conftest's `torch` fixture (a skip on a machine without torch,
# an error under CI).

OPT_CASES = [
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, momentum_decay=0.05, maximize=True)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.05, weight_decay=0.05, momentum_decay=0, maximize=True,
                   decoupled_weight_decay=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.05, betas=(0.5, 0.6), maximize=True)),  # rho_t <= 5 throughout
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-4, weight_decay=0.1)),
    ("Adamax", dict(lr=0.05, weight_decay=0.05, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4)),
    ("Adadelta", dict(lr=0.5, weight_decay=0.1)),
    ("Adadelta", dict(lr=0.5, rho=0.95, weight_decay=0.05, maximize=True)),
    ("Adadelta", dict(lr=0.5, rho=1.0)),
]
OPT_IDS = [f"{n}-{i}" for i, (n, _) in enumerate(OPT_CASES)]
STEPS = 25


@pytest.mark.parametrize("name,kwargs", OPT_CASES, ids=OPT_IDS)
@pytest.mark.parametrize("groups", [False, True], ids=["one-group", "two-groups"])
def test_optimizer_trajectory_matches_torch(name, kwargs, groups, torch):
    x0, w0, grads = optimizer_problem(3)
    ours, _ = run_optimizer(ag, getattr(optim, name), kwargs, x0, w0, grads, steps=STEPS,
                            groups=groups)
    ref, _ = run_optimizer(torch, getattr(torch.optim, name), kwargs, x0, w0, grads,
                           steps=STEPS, groups=groups)
    if kwargs.get("rho") != 1.0:  # rho=1 never moves (PyTorch's too): checked equal below
        assert np.abs(ref[-1][0] - x0).max() > 1e-4  # the test would be empty otherwise
    assert all(np.isfinite(a).all() for step in ref for a in step)
    for k, ((ox, ow), (tx, tw)) in enumerate(zip(ours, ref)):
        np.testing.assert_allclose(ox, tx, rtol=RTOL, atol=0, err_msg=f"x after step {k + 1}")
        np.testing.assert_allclose(ow, tw, rtol=RTOL, atol=0, err_msg=f"w after step {k + 1}")


def _compare_state(osd, tsd):
    assert len(osd["param_groups"]) == len(tsd["param_groups"])
    for og, tg in zip(osd["param_groups"], tsd["param_groups"]):
        assert og == tg  # same keys, defaults and parameter indices
    assert sorted(osd["state"]) == sorted(tsd["state"])
    for i in osd["state"]:
        assert sorted(osd["state"][i]) == sorted(tsd["state"][i])
        for key, tv in tsd["state"][i].items():
            ov = osd["state"][i][key]
            assert ov.dtype == np.dtype(str(tv.dtype).replace("torch.", "")), key
            assert ov.shape == tuple(tv.shape), key
            # mu_product is a float32 running product in both: equal to the last bit
            np.testing.assert_allclose(ov._data, tv.numpy(), rtol=RTOL, atol=0, err_msg=key)


@pytest.mark.parametrize("name,kwargs", [OPT_CASES[i] for i in (4, 8, 13, 18)],
                         ids=[OPT_IDS[i] for i in (4, 8, 13, 18)])
def test_optimizer_state_dict_matches_torch(name, kwargs, torch):
    x0, w0, grads = optimizer_problem()
    _, ours = run_optimizer(ag, getattr(optim, name), kwargs, x0, w0, grads, steps=7,
                            groups=True)
    _, ref = run_optimizer(torch, getattr(torch.optim, name), kwargs, x0, w0, grads, steps=7,
                           groups=True)
    _compare_state(ours.state_dict(), ref.state_dict())


@pytest.mark.parametrize("name,kwargs", [OPT_CASES[i] for i in (3, 9, 14, 17)],
                         ids=[OPT_IDS[i] for i in (3, 9, 14, 17)])
def test_torch_optimizer_state_loads_and_continues(name, kwargs, torch):
    """A PyTorch optimizer's state, saved through our serialization, continues step for step."""
    # PyTorch's own load casts every buffer but "step" to the parameter's dtype (NAdam's float32
    # mu_product becomes float64): the reference is a PyTorch optimizer that loaded it too.
    ours, ref = check_torch_state_continues(torch, name, kwargs, seed=4, steps=6,
                                            reload_torch=True)
    _compare_state(ours.state_dict(), ref.state_dict())


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "Adadelta"])
def test_optimizer_defaults_match_torch(name, torch):
    ours = getattr(optim, name)([ag.zeros(2, requires_grad=True)])
    ref = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
    assert ours.defaults == ref.defaults
    assert ours.state_dict()["param_groups"] == ref.state_dict()["param_groups"]


def test_optimizer_own_state_dict_round_trip(torch):
    """state_dict -> pickle -> load_state_dict into a fresh optimizer continues identically."""
    x0, w0, grads = optimizer_problem(5)
    for name, kwargs in [OPT_CASES[4], OPT_CASES[9], OPT_CASES[13], OPT_CASES[17]]:
        traj, a = run_optimizer(ag, getattr(optim, name), kwargs, x0, w0, grads, steps=4)
        x = ag.tensor(traj[-1][0].copy(), requires_grad=True)
        w = ag.tensor(traj[-1][1].copy(), requires_grad=True)
        b = getattr(optim, name)([x, w])
        b.load_state_dict(pickle.loads(pickle.dumps(a.state_dict())))
        xa, wa = a.param_groups[0]["params"]
        for _ in range(4):
            for opt, (p, q) in ((a, (xa, wa)), (b, (x, w))):
                gx, gw = grads(p._data, q._data)
                p.grad, q.grad = ag.tensor(gx), ag.tensor(gw)
                opt.step()
        # exact, except NAdam: loading casts its float32 mu_product to float64, as PyTorch's
        rtol = 1e-9 if name == "NAdam" else 0
        np.testing.assert_allclose(x._data, xa._data, rtol=rtol, atol=0)
        np.testing.assert_allclose(w._data, wa._data, rtol=rtol, atol=0)
        assert float(b.state[x]["step"]) == 8.0


ERROR_CASES = [
    ("NAdam", dict(lr=-1)), ("NAdam", dict(eps=-1e-8)), ("NAdam", dict(betas=(1.0, 0.9))),
    ("NAdam", dict(betas=(0.9, -0.1))), ("NAdam", dict(weight_decay=-1)),
    ("NAdam", dict(momentum_decay=-0.1)),
    ("RAdam", dict(lr=-0.5)), ("RAdam", dict(betas=(0.9, 1.0))), ("RAdam", dict(eps=-1)),
    ("RAdam", dict(weight_decay=-0.1)),
    ("Adamax", dict(lr=-1)), ("Adamax", dict(betas=(-0.1, 0.9))), ("Adamax", dict(eps=-1)),
    ("Adamax", dict(weight_decay=-1)),
    ("Adadelta", dict(lr=-1)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(rho=-0.5)),
    ("Adadelta", dict(eps=-1)), ("Adadelta", dict(weight_decay=-1)),
]


@pytest.mark.parametrize("name,kwargs", ERROR_CASES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(ERROR_CASES)])
def test_optimizer_errors_match_torch(name, kwargs, torch):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([ag.zeros(1, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)  # e.g. "Invalid beta parameter at index 1: 1.0"


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "Adadelta"])
def test_optimizer_rejects_differentiable(name):
    with pytest.raises(NotImplementedError, match=f"{name}\\(differentiable=True\\)"):
        getattr(optim, name)([ag.zeros(1, requires_grad=True)], differentiable=True)


def test_positional_foreach_like_torch(torch):
    """Adamax and Adadelta take ``foreach`` positionally (before the ``*``), as PyTorch."""
    w = ag.zeros(1, requires_grad=True)
    assert optim.Adamax([w], 1e-3, (0.9, 0.99), 1e-8, 0, None).defaults["foreach"] is None
    assert optim.Adadelta([w], 1.0, 0.9, 1e-6, 0, False).defaults["foreach"] is False
    with pytest.raises(TypeError):
        optim.NAdam([w], 1e-3, (0.9, 0.99), 1e-8, 0, 4e-3, False, None)
    with pytest.raises(TypeError):
        torch.optim.NAdam([torch.zeros(1, requires_grad=True)], 1e-3, (0.9, 0.99), 1e-8, 0,
                          4e-3, False, None)


# ------------------------------------------------------------------ lr schedulers
class _Mul:
    """A callable object: its attributes are saved by state_dict (a lambda is not)."""

    def __init__(self, f):
        self.f = f

    def __call__(self, epoch):
        return self.f ** (epoch % 3)


class _Scale:
    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return 1.0 / (1.0 + self.k * x)


def _pair(torch, kind):
    """The same two-group optimizer in both libraries (SGD with momentum, or Adam)."""
    lrs = (0.1, 0.03)

    def make(lib, zeros):
        cls = lib.SGD if kind == "sgd" else lib.Adam
        kw = dict(momentum=0.9) if kind == "sgd" else {}
        return cls([{"params": [zeros(1, requires_grad=True)], "lr": lr} for lr in lrs], **kw)

    return make(optim, ag.zeros), make(torch.optim, torch.zeros)


def _hyper(opt):
    """(lr, momentum or beta1) of every group."""
    return [(g["lr"], g["momentum"] if "momentum" in g else g["betas"][0])
            for g in opt.param_groups]


def _run_sched(opt, sched, steps):
    out = [_hyper(opt)]
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(_hyper(opt))
        assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
    return out


def _seq(L):
    return L.SequentialLR(_OPT[0], [L.LinearLR(_OPT[0], start_factor=0.2, total_iters=4),
                                    L.ExponentialLR(_OPT[0], gamma=0.8)], milestones=[5])


# Each config builds a scheduler from a module (ours or torch's) and an optimizer.
SCHED_CONFIGS = {
    "Multiplicative": ("sgd", lambda L, o: L.MultiplicativeLR(o, lambda e: 0.9)),
    "Multiplicative-list": ("sgd", lambda L, o: L.MultiplicativeLR(
        o, [lambda e: 0.95 if e % 2 else 1.02, _Mul(0.8)])),
    "Constant": ("sgd", lambda L, o: L.ConstantLR(o)),
    "Constant-3": ("sgd", lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=3)),
    "Linear": ("sgd", lambda L, o: L.LinearLR(o)),
    "Linear-decay": ("sgd", lambda L, o: L.LinearLR(o, start_factor=0.9, end_factor=0.1,
                                                      total_iters=7)),
    "Polynomial": ("sgd", lambda L, o: L.PolynomialLR(o)),
    "Polynomial-2.5": ("sgd", lambda L, o: L.PolynomialLR(o, total_iters=8, power=2.5)),
    "WarmRestarts": ("sgd", lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=3)),
    "WarmRestarts-mult": ("sgd", lambda L, o: L.CosineAnnealingWarmRestarts(
        o, T_0=2, T_mult=2, eta_min=0.01)),
    "Cyclic": ("sgd", lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3)),
    "Cyclic-tri2": ("sgd", lambda L, o: L.CyclicLR(o, base_lr=[0.01, 0.001], max_lr=[0.1, 0.05],
                                                   step_size_up=2, step_size_down=5,
                                                   mode="triangular2",
                                                   base_momentum=[0.7, 0.8],
                                                   max_momentum=0.95)),
    "Cyclic-exp": ("adam", lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                                   mode="exp_range", gamma=0.9)),
    "Cyclic-fn": ("sgd", lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                 scale_fn=_Scale(0.5),
                                                 scale_mode="iterations")),
    "Cyclic-nomom": ("adam", lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                     step_size_up=3, cycle_momentum=False)),
    "OneCycle": ("sgd", lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=30)),
    "OneCycle-adam": ("adam", lambda L, o: L.OneCycleLR(o, max_lr=[0.5, 0.2], epochs=3,
                                                        steps_per_epoch=10)),
    "OneCycle-linear": ("sgd", lambda L, o: L.OneCycleLR(
        o, max_lr=0.5, total_steps=30, pct_start=0.25, anneal_strategy="linear",
        div_factor=10.0, final_div_factor=100.0, base_momentum=0.8, max_momentum=[0.9, 0.99])),
    "OneCycle-3phase": ("adam", lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=30,
                                                          three_phase=True)),
    "OneCycle-3phase-linear": ("sgd", lambda L, o: L.OneCycleLR(
        o, max_lr=0.5, total_steps=30, three_phase=True, anneal_strategy="linear",
        cycle_momentum=False)),
    "Sequential": ("sgd", lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.2, total_iters=4), L.ExponentialLR(o, gamma=0.8)],
        milestones=[5])),
    "Sequential-3": ("sgd", lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, factor=0.5, total_iters=10), L.CosineAnnealingLR(o, T_max=6),
            L.StepLR(o, step_size=3, gamma=0.5)], milestones=[3, 12])),
    "Sequential-nested": ("sgd", lambda L, o: L.SequentialLR(
        o, [L.ChainedScheduler([L.LinearLR(o, start_factor=0.5, total_iters=3),
                                L.ExponentialLR(o, gamma=0.9)]),
            L.PolynomialLR(o, total_iters=10)], milestones=[6])),
    "Chained": ("sgd", lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.1, total_iters=4), L.ExponentialLR(o, gamma=0.9)])),
    "Chained-opt": ("sgd", lambda L, o: L.ChainedScheduler(
        [L.LinearLR(o, start_factor=0.3, total_iters=6), L.MultiStepLR(o, [4, 9], 0.5),
         L.CosineAnnealingWarmRestarts(o, T_0=5)], optimizer=o)),
}
SCHED_IDS = list(SCHED_CONFIGS)
SCHED_STEPS = 30  # OneCycleLR's total_steps


@pytest.mark.parametrize("cfg", SCHED_IDS)
def test_scheduler_sequence_matches_torch(cfg, torch):
    kind, build = SCHED_CONFIGS[cfg]
    ours, ref = _pair(torch, kind)
    a = _run_sched(ours, build(S, ours), SCHED_STEPS)
    b = _run_sched(ref, build(torch.optim.lr_scheduler, ref), SCHED_STEPS)
    assert len({tuple(x) for x in b}) > 1  # the schedule really changes something
    np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-13, atol=0)


def _sd_equal(ours, theirs):
    """State dicts equal key for key (floats to 1e-13; children recursively)."""
    assert sorted(ours) == sorted(theirs)
    for k, tv in theirs.items():
        ov = ours[k]
        if isinstance(tv, dict) and k != "_schedule_phases":
            _sd_equal(ov, tv)
        elif k == "_schedulers":
            assert len(ov) == len(tv)
            for o, t in zip(ov, tv):
                _sd_equal(o, t)
        elif k in ("milestones",):
            assert dict(ov) == dict(tv)
        elif isinstance(tv, list) and tv and isinstance(tv[0], float):
            np.testing.assert_allclose(ov, tv, rtol=1e-13, err_msg=k)
        else:
            assert ov == tv, k


@pytest.mark.parametrize("cfg", SCHED_IDS)
def test_scheduler_state_dict_matches_torch_and_resumes(cfg, torch):
    kind, build = SCHED_CONFIGS[cfg]
    ours, ref = _pair(torch, kind)
    so, st = build(S, ours), build(torch.optim.lr_scheduler, ref)
    for _ in range(11):
        ours.step(); so.step(); ref.step(); st.step()
    sd = so.state_dict()
    _sd_equal(sd, st.state_dict())  # PyTorch's keys and values
    blob = pickle.dumps(sd)  # lambdas are not in it, as in PyTorch

    # resume: a fresh optimizer and scheduler load both states and continue identically
    # (the scheduler is built first: building it sets the rates, loading restores them)
    fresh, _ = _pair(torch, kind)
    s2 = build(S, fresh)
    fresh.load_state_dict(copy.deepcopy(ours.state_dict()))
    s2.load_state_dict(pickle.loads(blob))
    assert s2.get_last_lr() == so.get_last_lr() == [g["lr"] for g in fresh.param_groups]
    assert _hyper(fresh) == _hyper(ours)
    rest = SCHED_STEPS - 11
    np.testing.assert_array_equal(np.array(_run_sched(fresh, s2, rest)),
                                  np.array(_run_sched(ours, so, rest)))


@pytest.mark.parametrize("kw", [dict(T_0=3), dict(T_0=2, T_mult=2, eta_min=0.01),
                                dict(T_0=1, T_mult=3)])
def test_warm_restarts_fractional_epochs_match_torch(kw, torch):
    """step(epoch) with fractional epochs (per-batch stepping), then plain steps again."""
    ours, ref = _pair(torch, "sgd")
    so = S.CosineAnnealingWarmRestarts(ours, **kw)
    st = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(ref, **kw)
    a, b = [], []
    for epoch in range(8):
        for batch in range(5):
            e = epoch + batch / 5
            ours.step(); so.step(e); a.append(_hyper(ours) + [so.T_cur, so.T_i, so.last_epoch])
            ref.step(); st.step(e); b.append(_hyper(ref) + [st.T_cur, st.T_i, st.last_epoch])
    for _ in range(6):
        ours.step(); so.step(); a.append(_hyper(ours) + [so.T_cur, so.T_i, so.last_epoch])
        ref.step(); st.step(); b.append(_hyper(ref) + [st.T_cur, st.T_i, st.last_epoch])
    assert len(a) == len(b) == 46
    for x, y in zip(a, b):
        assert x[2:] == pytest.approx(y[2:], rel=1e-13)
        np.testing.assert_allclose(np.array(x[:2]), np.array(y[:2]), rtol=1e-13, atol=0)
    with pytest.raises(ValueError, match="CosineAnnealingWarmRestarts: Expected non-negative"):
        so.step(-1)


def test_one_cycle_past_total_steps_raises_like_torch(torch):
    ours, ref = _pair(torch, "sgd")
    so = S.OneCycleLR(ours, max_lr=0.1, total_steps=4)
    st = torch.optim.lr_scheduler.OneCycleLR(ref, max_lr=0.1, total_steps=4)
    for _ in range(4):
        ours.step(); so.step(); ref.step(); st.step()
    assert so.get_last_lr() == st.get_last_lr()
    with pytest.raises(ValueError, match="Tried to step 5 times") as theirs:
        st.step()
    with pytest.raises(ValueError, match="OneCycleLR: Tried to step 5 times. The specified "
                                         "number of total steps is 4"):
        so.step()
    assert "total steps is 4" in str(theirs.value)


def _o():
    return optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)


SCHED_ERRORS = [
    (lambda L, o: L.ConstantLR(o, factor=1.5), ValueError, "ConstantLR", "factor=1.5"),
    (lambda L, o: L.LinearLR(o, start_factor=0), ValueError, "LinearLR", "start_factor=0"),
    (lambda L, o: L.LinearLR(o, end_factor=2), ValueError, "LinearLR", "end_factor=2"),
    (lambda L, o: L.MultiplicativeLR(o, 0.5), TypeError, "MultiplicativeLR", "float"),
    (lambda L, o: L.MultiplicativeLR(o, [abs, abs]), ValueError, "MultiplicativeLR",
     "Expected 1 lr_lambdas, but got 2"),
    (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
     "CosineAnnealingWarmRestarts", "positive integer T_0, but got 0"),
    (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), ValueError,
     "CosineAnnealingWarmRestarts", "T_mult >= 1, but got 1.5"),
    (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"), ValueError,
     "CosineAnnealingWarmRestarts", "eta_min"),
    (lambda L, o: L.CyclicLR(o, 0.01, 0.1, mode="sine"), ValueError, "CyclicLR", "'sine'"),
    (lambda L, o: L.CyclicLR(o, [0.01, 0.02], 0.1), ValueError, "CyclicLR",
     "base_lr has 2 values, param_groups has 1"),
    (lambda L, o: L.CyclicLR(optim.Adagrad([ag.zeros(1, requires_grad=True)]), 0.01, 0.1),
     ValueError, "CyclicLR", "Adagrad"),
    (lambda L, o: L.OneCycleLR(o, max_lr=0.1), ValueError, "OneCycleLR", "total_steps=None"),
    (lambda L, o: L.OneCycleLR(o, max_lr=0.1, total_steps=0), ValueError, "OneCycleLR",
     "total_steps, but got 0"),
    (lambda L, o: L.OneCycleLR(o, max_lr=0.1, epochs=2, steps_per_epoch=0), ValueError,
     "OneCycleLR", "steps_per_epoch, but got 0"),
    (lambda L, o: L.OneCycleLR(o, max_lr=0.1, total_steps=9, pct_start=1.5), ValueError,
     "OneCycleLR", "pct_start, but got 1.5"),
    (lambda L, o: L.OneCycleLR(o, max_lr=0.1, total_steps=9, anneal_strategy="cosine"),
     ValueError, "OneCycleLR", "'cosine'"),
    (lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), L.StepLR(o, 3)], milestones=[]),
     ValueError, "SequentialLR", "number of schedulers 2"),
    (lambda L, o: L.SequentialLR(o, [L.ReduceLROnPlateau(o)], milestones=[]), ValueError,
     "SequentialLR", "ReduceLROnPlateau"),
    (lambda L, o: L.SequentialLR(o, [], milestones=[]), ValueError, "SequentialLR",
     "at least one scheduler"),
    (lambda L, o: L.ChainedScheduler([]), ValueError, "ChainedScheduler",
     "at least one scheduler"),
    (lambda L, o: L.ChainedScheduler([L.StepLR(o, 2)], optimizer=type(o)(
        [ag.zeros(1, requires_grad=True)])), ValueError, "ChainedScheduler",
     "same optimizer"),
]


@pytest.mark.parametrize("build,exc,cls,detail", SCHED_ERRORS,
                         ids=[f"{c}-{i}" for i, (_, _, c, _) in enumerate(SCHED_ERRORS)])
def test_scheduler_errors_name_class_and_values(build, exc, cls, detail):
    with pytest.raises(exc) as info:
        build(S, _o())
    msg = str(info.value)
    assert cls in msg and detail in msg, msg


def test_new_names_exported_like_torch(torch):
    for name in ["NAdam", "RAdam", "Adamax", "Adadelta"]:
        assert name in optim.__all__ and getattr(optim, name).__name__ == name
        assert hasattr(torch.optim, name)
    for name in ["OneCycleLR", "LinearLR", "ConstantLR", "MultiplicativeLR", "PolynomialLR",
                 "CosineAnnealingWarmRestarts", "CyclicLR", "SequentialLR",
                 "ChainedScheduler"]:
        assert name in S.__all__ and hasattr(torch.optim.lr_scheduler, name)
        assert issubclass(getattr(S, name), S.LRScheduler)
    assert sorted(S.__all__) == sorted(n for n in torch.optim.lr_scheduler.__all__
                                       if hasattr(S, n))


def test_one_cycle_with_real_training_matches_torch(torch):
    """OneCycleLR driving NAdam's lr and beta1 during 20 steps: same parameters as PyTorch."""
    x0, w0, grads = optimizer_problem(6)
    x, w = ag.tensor(x0, requires_grad=True), ag.tensor(w0, requires_grad=True)
    tx, tw = torch.tensor(x0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    o = optim.NAdam([x, w], weight_decay=0.01)
    t = torch.optim.NAdam([tx, tw], weight_decay=0.01)
    so = S.OneCycleLR(o, max_lr=0.05, total_steps=20, three_phase=True)
    st = torch.optim.lr_scheduler.OneCycleLR(t, max_lr=0.05, total_steps=20, three_phase=True)
    for _ in range(20):
        gx, gw = grads(x._data, w._data)
        x.grad, w.grad = ag.tensor(gx), ag.tensor(gw)
        o.step(); so.step()
        gx, gw = grads(tx.detach().numpy(), tw.detach().numpy())
        tx.grad, tw.grad = torch.tensor(gx), torch.tensor(gw)
        t.step(); st.step()
    np.testing.assert_allclose(x._data, tx.detach().numpy(), rtol=RTOL)
    np.testing.assert_allclose(w._data, tw.detach().numpy(), rtol=RTOL)
    assert o.param_groups[0]["betas"] == t.param_groups[0]["betas"]
