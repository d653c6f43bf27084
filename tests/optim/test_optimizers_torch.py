"""Optimizers against PyTorch: identical trajectories to float64 precision, same layouts."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim

from tests.helpers import check_torch_state_continues, optimizer_problem, run_optimizer

# Every test here takes conftest's `torch` fixture: it skips without torch on a developer's
# machine, and fails under CI, so CI cannot pass by skipping the parity tests.

STEPS = 20
RTOL = 1e-12


CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.01, maximize=True)),
    ("SGD", dict()),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.05, maximize=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.05, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.2, amsgrad=True)),
    ("AdamW", dict(lr=0.05, betas=(0.5, 0.9), maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.05, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.3, eps=1e-6, maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("groups", [False, True], ids=["one-group", "two-groups"])
def test_trajectory_matches_torch(name, kwargs, groups, torch):
    x0, w0, grads = optimizer_problem()
    ours, _ = run_optimizer(ag, getattr(optim, name), kwargs, x0, w0, grads, STEPS,
                            groups=groups)
    ref, _ = run_optimizer(torch, getattr(torch.optim, name), kwargs, x0, w0, grads, STEPS,
                           groups=groups)
    assert np.abs(ref[-1][0] - x0).max() > 1e-3  # the test would be empty if nothing moved
    assert all(np.isfinite(a).all() for step in ref for a in step)
    for k, ((ox, ow), (tx, tw)) in enumerate(zip(ours, ref)):
        np.testing.assert_allclose(ox, tx, rtol=RTOL, atol=0, err_msg=f"x after step {k + 1}")
        np.testing.assert_allclose(ow, tw, rtol=RTOL, atol=0, err_msg=f"w after step {k + 1}")


@pytest.mark.parametrize("name,kwargs", [CASES[3], CASES[9], CASES[13], CASES[18], CASES[21]])
def test_float32_trajectory_close_to_torch(name, kwargs, torch):
    x0, w0, grads = optimizer_problem(1)
    x0, w0 = x0.astype(np.float32), w0.astype(np.float32)

    def g32(x, w):
        gx, gw = grads(x.astype(np.float64), w.astype(np.float64))
        return gx.astype(np.float32), gw.astype(np.float32)

    ours, _ = run_optimizer(ag, getattr(optim, name), kwargs, x0, w0, g32, steps=10)
    ref, _ = run_optimizer(torch, getattr(torch.optim, name), kwargs, x0, w0, g32, steps=10)
    assert ours[-1][0].dtype == np.float32
    np.testing.assert_allclose(ours[-1][0], ref[-1][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[-1][1], ref[-1][1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,kwargs", [CASES[2], CASES[9], CASES[12], CASES[18], CASES[21]])
def test_param_groups_and_state_layout_match_torch(name, kwargs, torch):
    x0, w0, grads = optimizer_problem()
    _, ours = run_optimizer(ag, getattr(optim, name), kwargs, x0, w0, grads, steps=3,
                            groups=True)
    _, ref = run_optimizer(torch, getattr(torch.optim, name), kwargs, x0, w0, grads, steps=3,
                           groups=True)
    osd, tsd = ours.state_dict(), ref.state_dict()
    assert len(osd["param_groups"]) == len(tsd["param_groups"]) == 2
    for og, tg in zip(osd["param_groups"], tsd["param_groups"]):
        assert og == tg  # same keys, defaults and parameter indices
    assert sorted(osd["state"]) == sorted(tsd["state"]) == [0, 1]
    for i in osd["state"]:
        assert sorted(osd["state"][i]) == sorted(tsd["state"][i])
        for key, tv in tsd["state"][i].items():
            ov = osd["state"][i][key]
            if key == "step":  # float32 under float32 default dtypes (ours is)
                assert ov.dtype == np.float32 and ov.shape == tuple(tv.shape) == ()
            else:
                assert ov.dtype == np.dtype(str(tv.dtype).replace("torch.", ""))
            np.testing.assert_allclose(ov._data, tv.numpy(), rtol=RTOL)


@pytest.mark.parametrize("name,kwargs", [CASES[3], CASES[9], CASES[18], CASES[21]])
def test_torch_state_dict_loads_and_continues(name, kwargs, torch):
    """A PyTorch optimizer's state, converted to NumPy, continues on our side step for step."""
    check_torch_state_continues(torch, name, kwargs, seed=2, steps=5)


def test_params_without_grad_are_skipped_like_torch(torch):
    x0, w0, _ = optimizer_problem()
    ox, ow = ag.tensor(x0, requires_grad=True), ag.tensor(w0, requires_grad=True)
    tx, tw = torch.tensor(x0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    o = optim.Adam([ox, ow], lr=0.1)
    t = torch.optim.Adam([tx, tw], lr=0.1)
    for k in range(4):
        ox.grad = ag.tensor(np.cos(ox._data))
        tx.grad = torch.tensor(np.cos(tx.detach().numpy()))
        if k % 2:
            ow.grad = ag.tensor(np.sin(ow._data))
            tw.grad = torch.tensor(np.sin(tw.detach().numpy()))
        o.step(); t.step()
        o.zero_grad(); t.zero_grad()
    np.testing.assert_allclose(ox._data, tx.detach().numpy(), rtol=RTOL)
    np.testing.assert_allclose(ow._data, tw.detach().numpy(), rtol=RTOL)
    assert float(o.state[ow]["step"]) == float(t.state[tw]["step"]) == 2.0


@pytest.mark.parametrize("kwargs,msg", [
    (dict(lr=-1), "Invalid learning rate: -1"),
    (dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (dict(lr=0.1, weight_decay=-1e-3), "Invalid weight_decay value: -0.001"),
    (dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
])
def test_sgd_errors_match_torch(kwargs, msg, torch):
    with pytest.raises(ValueError) as theirs:
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        optim.SGD([ag.zeros(1, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value) == msg
