"""NAdam, RAdam, Adamax, Adadelta and the newer lr schedulers against PyTorch.

Optimizers: identical trajectories (float64, rtol 1e-12), same state_dict layouts and values,
PyTorch's error messages. Schedulers: the same lr (and momentum) sequences, exactly or to 1e-12,
and state_dict round trips that continue the same sequence.
"""
from __future__ import annotations

import copy
import io
import math
import pickle

import numpy as np
import pytest

import autograd_core as ag
import optim
from autograd_core.serialization import load, save
from optim import lr_scheduler as S

from test_optim_torch import RTOL, _problem, _run_ours, _run_torch

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
    x0, w0, grads = _problem(3)
    ours, _ = _run_ours(getattr(optim, name), kwargs, x0, w0, grads, steps=STEPS,
                        groups=groups)
    ref, _ = _run_torch(torch, getattr(torch.optim, name), kwargs, x0, w0, grads,
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
    x0, w0, grads = _problem()
    _, ours = _run_ours(getattr(optim, name), kwargs, x0, w0, grads, steps=7, groups=True)
    _, ref = _run_torch(torch, getattr(torch.optim, name), kwargs, x0, w0, grads, steps=7,
                        groups=True)
    _compare_state(ours.state_dict(), ref.state_dict())


@pytest.mark.parametrize("name,kwargs", [OPT_CASES[i] for i in (3, 9, 14, 17)],
                         ids=[OPT_IDS[i] for i in (3, 9, 14, 17)])
def test_torch_optimizer_state_loads_and_continues(name, kwargs, torch):
    """A PyTorch optimizer's state, saved through our serialization, continues step for step."""
    x0, w0, grads = _problem(4)
    ref_traj, ref = _run_torch(torch, getattr(torch.optim, name), kwargs, x0, w0, grads,
                               steps=6)
    tsd = ref.state_dict()
    converted = {"state": {i: {k: v.numpy().copy() for k, v in s.items()}
                           for i, s in tsd["state"].items()},
                 "param_groups": tsd["param_groups"]}
    buf = io.BytesIO()
    save(converted, buf)
    x = ag.tensor(ref_traj[-1][0].copy(), requires_grad=True)
    w = ag.tensor(ref_traj[-1][1].copy(), requires_grad=True)
    ours = getattr(optim, name)([x, w], lr=123.0)
    ours.load_state_dict(load(io.BytesIO(buf.getvalue())))
    assert ours.param_groups[0]["lr"] == kwargs.get("lr", ours.defaults["lr"]) != 123.0
    # PyTorch's own load casts every buffer but "step" to the parameter's dtype (NAdam's float32
    # mu_product becomes float64): the reference is a PyTorch optimizer that loaded it too.
    tx = torch.tensor(ref_traj[-1][0].copy(), requires_grad=True)
    tw = torch.tensor(ref_traj[-1][1].copy(), requires_grad=True)
    ref = getattr(torch.optim, name)([tx, tw], lr=123.0)
    ref.load_state_dict(tsd)
    for _ in range(6):
        gx, gw = grads(x._data, w._data)
        x.grad, w.grad = ag.tensor(gx), ag.tensor(gw)
        ours.step()
        gx, gw = grads(tx.detach().numpy(), tw.detach().numpy())
        tx.grad, tw.grad = torch.tensor(gx), torch.tensor(gw)
        ref.step()
        np.testing.assert_allclose(x._data, tx.detach().numpy(), rtol=RTOL)
        np.testing.assert_allclose(w._data, tw.detach().numpy(), rtol=RTOL)
    _compare_state(ours.state_dict(), ref.state_dict())


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "Adadelta"])
def test_optimizer_defaults_match_torch(name, torch):
    ours = getattr(optim, name)([ag.zeros(2, requires_grad=True)])
    ref = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
    assert ours.defaults == ref.defaults
    assert ours.state_dict()["param_groups"] == ref.state_dict()["param_groups"]


def test_optimizer_own_state_dict_round_trip(torch):
    """state_dict -> pickle -> load_state_dict into a fresh optimizer continues identically."""
    x0, w0, grads = _problem(5)
    for name, kwargs in [OPT_CASES[4], OPT_CASES[9], OPT_CASES[13], OPT_CASES[17]]:
        traj, a = _run_ours(getattr(optim, name), kwargs, x0, w0, grads, steps=4)
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
