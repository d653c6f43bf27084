"""Learning-rate schedulers: PyTorch's sequences, closed forms, state dicts."""
from __future__ import annotations

import io
import math
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim
from autograd_core.serialization import load, save
from autograd_core.optim import lr_scheduler as S


def _opt(lrs=(0.1,), cls=optim.SGD, **kw):
    groups = [{"params": [ag.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return cls(groups, **kw)


def _lrs(opt, sched, epochs, metrics=None):
    """Group lrs after each epoch; the optimizer steps before the scheduler, as it should."""
    out = [[g["lr"] for g in opt.param_groups]]
    for e in range(epochs):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[e])
        out.append([g["lr"] for g in opt.param_groups])
        assert sched.get_last_lr() == out[-1]
    return out


class _Warmup:
    """A callable object: LambdaLR saves its attributes (not the function) in state_dict."""

    def __init__(self, n):
        self.n = n

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.n)


CONFIGS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95 ** e + 0.1 * (e % 3))),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1 / (e + 1), _Warmup(4)])),
]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in
                                                      enumerate(CONFIGS)])
def test_lr_sequence_matches_torch(name, kwargs, torch):
    lrs = (0.1, 0.03)
    ours = _opt(lrs)
    ref = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr}
                           for lr in lrs])
    a = _lrs(ours, getattr(S, name)(ours, **kwargs), 25)
    b = _lrs(ref, getattr(torch.optim.lr_scheduler, name)(ref, **kwargs), 25)
    assert a == b  # same float operations in the same order: exactly equal
    assert len({tuple(x) for x in a}) > 2


@pytest.mark.parametrize("kwargs,metrics", [
    (dict(patience=2), [5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 2.9999, 3]),
    (dict(mode="max", factor=0.5, patience=1, threshold=0.1, threshold_mode="abs", cooldown=2),
     [1, 1.05, 1.2, 1.25, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3]),
    (dict(factor=0.1, patience=0, min_lr=[0.05, 1e-4], eps=1e-3),
     [3, 3, 3, 3, 2, 3, 3, 3, 3, 3]),
    (dict(mode="max", threshold_mode="rel", patience=0, factor=0.9),
     [0.5, 0.6, 0.6, 0.6001, 0.7, 0.7, 0.69, 0.71]),
])
def test_reduce_lr_on_plateau_matches_torch(kwargs, metrics, torch):
    lrs = (0.1, 0.01)
    ours = _opt(lrs)
    ref = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr}
                           for lr in lrs])
    a = _lrs(ours, S.ReduceLROnPlateau(ours, **kwargs), len(metrics), metrics)
    b = _lrs(ref, torch.optim.lr_scheduler.ReduceLROnPlateau(ref, **kwargs), len(metrics),
             metrics)
    assert a == b
    assert a[-1] != a[0]


def test_step_lr_by_hand():
    opt = _opt((1.0,))
    got = [x[0] for x in _lrs(opt, S.StepLR(opt, step_size=2, gamma=0.1), 6)]
    assert got == pytest.approx([1, 1, 0.1, 0.1, 0.01, 0.01, 0.001], rel=1e-15)


def test_multistep_lr_by_hand_counts_repeated_milestones():
    opt = _opt((1.0,))
    got = [x[0] for x in _lrs(opt, S.MultiStepLR(opt, milestones=[3, 1, 3], gamma=0.5), 4)]
    assert got == [1.0, 0.5, 0.5, 0.125, 0.125]


def test_exponential_lr_by_hand():
    opt = _opt((2.0,))
    got = [x[0] for x in _lrs(opt, S.ExponentialLR(opt, gamma=0.5), 3)]
    assert got == [2.0, 1.0, 0.5, 0.25]


def test_cosine_recursive_form_equals_closed_form_and_is_periodic():
    T, lo, base = 10, 0.001, 0.1
    opt = _opt((base,))
    got = [x[0] for x in _lrs(opt, S.CosineAnnealingLR(opt, T_max=T, eta_min=lo), 4 * T)]
    closed = [lo + (base - lo) * (1 + math.cos(math.pi * e / T)) / 2 for e in range(4 * T + 1)]
    np.testing.assert_allclose(got, closed, rtol=1e-12, atol=1e-15)
    assert got[T] == pytest.approx(lo) and got[2 * T] == pytest.approx(base)


def test_lambda_lr_by_hand_and_per_group():
    opt = _opt((1.0, 2.0))
    sched = S.LambdaLR(opt, [lambda e: e + 1, lambda e: 0.5 ** e])
    got = _lrs(opt, sched, 2)
    assert got == [[1.0, 2.0], [2.0, 1.0], [3.0, 0.5]]
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        S.LambdaLR(opt, [lambda e: 1.0])


def test_reduce_on_plateau_by_hand():
    opt = _opt((1.0,))
    s = S.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1, min_lr=0.2)
    got = [x[0] for x in _lrs(opt, s, 10, [1.0] * 10)]
    # epoch 1 sets the best; bad epochs 2, 3 -> halve; epoch 4 is cooldown; bad 5, 6 -> halve;
    # ...; the third cut stops at min_lr
    assert got == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2]
    s.step(ag.tensor(0.5))  # a 0-d tensor metric works
    assert s.best == 0.5


def test_step_with_epoch_uses_closed_form_and_warns():
    opt = _opt((1.0,))
    s = S.StepLR(opt, step_size=2, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        s.step(5)
    assert s.get_last_lr() == [0.25] and s.last_epoch == 5


def test_warns_when_scheduler_steps_before_optimizer():
    opt = _opt()
    s = S.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()
    opt2 = _opt()
    s2 = S.ExponentialLR(opt2, gamma=0.5)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s2.step()


def test_initial_lr_and_resume_errors():
    opt = _opt((0.3,))
    S.StepLR(opt, step_size=2)
    assert opt.param_groups[0]["initial_lr"] == 0.3
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(_opt(), step_size=2, last_epoch=4)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        S.StepLR([1, 2], step_size=2)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        S.ReduceLROnPlateau(_opt(), factor=1.0)
    with pytest.raises(ValueError, match="mode sideways is unknown"):
        S.ReduceLROnPlateau(_opt(), mode="sideways")


@pytest.mark.parametrize("make", [
    lambda o: S.StepLR(o, step_size=3, gamma=0.5),
    lambda o: S.MultiStepLR(o, milestones=[2, 4, 4], gamma=0.5),
    lambda o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.01),
    lambda o: S.LambdaLR(o, _Warmup(5)),
    lambda o: S.ReduceLROnPlateau(o, patience=1, factor=0.5),
], ids=["step", "multistep", "cosine", "lambda", "plateau"])
def test_state_dict_round_trip_through_save_load(make):
    metrics = [3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
    plateau = "Plateau" in type(make(_opt())).__name__
    opt = _opt((0.1, 0.2))
    sched = make(opt)
    _lrs(opt, sched, 5, metrics[:5] if plateau else None)
    buf = io.BytesIO()
    save({"optim": opt.state_dict(), "sched": sched.state_dict()}, buf)
    ck = load(io.BytesIO(buf.getvalue()))
    opt2 = _opt((5.0, 5.0))
    sched2 = make(opt2)
    if isinstance(sched2, S.LambdaLR):
        sched2.lr_lambdas[0].n = 99  # restored from the state dict below
    opt2.load_state_dict(ck["optim"])
    sched2.load_state_dict(ck["sched"])
    if isinstance(sched2, S.LambdaLR):
        assert sched2.lr_lambdas[0].n == 5
    a = _lrs(opt, sched, 7, metrics[5:] if plateau else None)
    b = _lrs(opt2, sched2, 7, metrics[5:] if plateau else None)
    assert a == b
