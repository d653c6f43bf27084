"""optim with real nn modules: full training loops, checkpoints, resumption, PyTorch parity."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from autograd_core import optim
from autograd_core.optim.lr_scheduler import StepLR


def _data(seed=0, n=64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(np.int64)
    return ag.tensor(x), ag.tensor(y)


def _model(seed=0):
    ag.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 2))


def _epoch(model, opt, sched, x, y):
    model.train()
    for i in range(0, len(x), 16):
        opt.zero_grad()
        loss = F.cross_entropy(model(x[i:i + 16]), y[i:i + 16])
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
    sched.step()
    model.eval()
    with ag.no_grad():
        return F.cross_entropy(model(x), y).item()


def _setup(seed=0):
    model = _model(seed)
    opt = optim.AdamW(model.parameters(), lr=0.05, weight_decay=1e-2, amsgrad=True)
    return model, opt, StepLR(opt, step_size=2, gamma=0.5)


def test_checkpoint_resume_reproduces_the_uninterrupted_run(tmp_path):
    x, y = _data()
    model, opt, sched = _setup()
    losses = [_epoch(model, opt, sched, x, y) for _ in range(6)]
    assert losses[-1] < losses[0]

    model2, opt2, sched2 = _setup()
    for _ in range(3):
        _epoch(model2, opt2, sched2, x, y)
    path = tmp_path / "ckpt.pt"
    ag.save({"model": model2.state_dict(), "optim": opt2.state_dict(),
             "sched": sched2.state_dict(), "epoch": 3}, path)

    ck = ag.load(path)
    model3, opt3, sched3 = _setup(seed=123)  # different initial weights, overwritten below
    model3.load_state_dict(ck["model"])
    opt3.load_state_dict(ck["optim"])
    sched3.load_state_dict(ck["sched"])
    assert ck["model"]["1.num_batches_tracked"].dtype == np.int64
    resumed = [_epoch(model3, opt3, sched3, x, y) for _ in range(ck["epoch"], 6)]
    assert resumed == losses[3:]
    for (k, a), b in zip(model.state_dict().items(), model3.state_dict().values()):
        np.testing.assert_array_equal(a._data, b._data, err_msg=k)


def test_loading_into_another_architecture_names_keys_and_shapes(tmp_path):
    path = tmp_path / "m.pt"
    ag.save(_model().state_dict(), path)
    other = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    with pytest.raises(RuntimeError) as e:
        other.load_state_dict(ag.load(path))
    msg = str(e.value)
    assert "0.weight" in msg and "(16, 4)" in msg and "(8, 4)" in msg


def test_early_stopping_restores_a_real_module():
    x, y = _data(1)
    model, opt, sched = _setup(1)
    stopper = optim.EarlyStopping(patience=2)
    snapshots = []
    for epoch in range(30):
        _epoch(model, opt, sched, x, y)
        snapshots.append({k: v._data.copy() for k, v in model.state_dict().items()})
        # a validation loss that bottoms out at epoch 2
        if stopper.step([3.0, 2.0, 1.0, 1.5, 2.5, 0.5][epoch], model):
            break
    assert epoch == 4 and stopper.best_epoch == 2
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v._data, snapshots[2][k], err_msg=k)
    assert model.state_dict()["1.num_batches_tracked"].item() == 12


def test_sgd_training_steps_match_torch(torch):
    x, y = _data(2, n=32)
    ours = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    ref = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(),
                              torch.nn.Linear(8, 3)).double()
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in ref.state_dict().items()})
    o = optim.SGD(ours.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)
    t = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                        weight_decay=1e-3)
    xd, yd = x.double(), y % 3
    tx, ty = torch.tensor(x._data.astype(np.float64)), torch.tensor(yd._data)
    for _ in range(5):
        o.zero_grad()
        F.cross_entropy(ours(xd), yd).backward()
        o.step()
        t.zero_grad()
        torch.nn.functional.cross_entropy(ref(tx), ty).backward()
        t.step()
    for (k, a), b in zip(ours.state_dict().items(), ref.state_dict().values()):
        np.testing.assert_allclose(a._data, b.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)
