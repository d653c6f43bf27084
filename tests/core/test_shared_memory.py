"""Tensors in shared memory and ``torch.multiprocessing``: what a Hogwild program
(pytorch/examples' mnist_hogwild) relies on. Processes started by ``fork`` and by
``spawn`` update one model; tensors not shared are copies."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.multiprocessing as mp
from autograd_core import nn, optim


def _sgd_steps(rank: int, model: nn.Module, steps: int) -> None:
    """A worker: a few SGD steps on the shared model (gradients are its own)."""
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = ag.ones(4, 3, dtype=ag.float64)
    for _ in range(steps):
        opt.zero_grad()
        model(x).sum().backward()   # d/dbias = 4 per output: bias -= 0.4 per step
        opt.step()


def _add_one(rank: int, inbox, outbox) -> None:
    t = inbox.get()
    t.add_(1.0)
    outbox.put(t.is_shared())


def _fails(rank: int) -> None:
    raise ValueError(f"worker {rank} failed on purpose")


def _model() -> nn.Module:
    m = nn.Linear(3, 2).double()
    with ag.no_grad():
        m.bias.zero_()
    return m


def test_share_memory_moves_the_numbers_and_keeps_the_tensor():
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    before = w._version
    assert not w.is_shared()
    assert w.share_memory_() is w
    assert w.is_shared() and w.requires_grad and w.shape == (2, 2)
    assert w.tolist() == [[1.0, 2.0], [3.0, 4.0]]   # exact: a copy of the same numbers
    assert w._version > before                     # as an in-place change
    arr = w.detach().numpy()
    assert w.share_memory_().detach().numpy() is arr   # a second call keeps the same block
    m = _model().share_memory()
    assert all(p.is_shared() for p in m.parameters())
    bn = nn.BatchNorm1d(2).share_memory()
    assert bn.running_mean.is_shared() and bn.num_batches_tracked.is_shared()
    with pytest.raises(RuntimeError, match="share_memory_: this tensor is a view"):
        ag.zeros(4)[1:].share_memory_()


def test_plain_pickling_still_copies():
    w = ag.ones(3).share_memory_()
    back = pickle.loads(pickle.dumps(w))
    back.add_(1.0)
    assert w.tolist() == [1.0, 1.0, 1.0] and not back.is_shared()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_processes_update_one_shared_model(method):
    model = _model().share_memory()
    private = _model()   # not shared: the children's updates stay theirs
    ctx = mp.get_context(method)
    procs = [ctx.Process(target=_sgd_steps, args=(i, model, 3)) for i in range(2)]
    procs += [ctx.Process(target=_sgd_steps, args=(2, private, 3))]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    # 2 processes x 3 steps x (-0.4): both wrote into the same numbers (Hogwild's races
    # could lose an update only if two steps overlapped on the same element; these are
    # tiny and far apart, but allow it)
    bias = model.bias.detach().numpy()
    assert np.all(bias <= -2.0) and np.all(bias >= -2.4 - 1e-12), bias
    assert private.bias.tolist() == [0.0, 0.0]   # exact: never written here


def test_a_shared_tensor_through_a_queue_is_the_same_tensor():
    ctx = mp.get_context("spawn")
    inbox, outbox = ctx.Queue(), ctx.Queue()
    t = ag.zeros(5, dtype=ag.float64).share_memory_()
    p = ctx.Process(target=_add_one, args=(0, inbox, outbox))
    p.start()
    inbox.put(t)
    assert outbox.get(timeout=120) is True
    p.join(120)
    assert t.tolist() == [1.0] * 5   # exact: the child added 1 to the same memory


def test_spawn_runs_the_function_and_reports_a_failure():
    model = _model().share_memory()
    assert mp.spawn(_sgd_steps, args=(model, 1), nprocs=2) is None
    assert np.all(model.bias.detach().numpy() < -0.7)
    with pytest.raises(mp.ProcessRaisedException, match="worker 0 failed on purpose"):
        mp.spawn(_fails, nprocs=1)
    with pytest.raises(RuntimeError, match="only 'file_descriptor'"):
        mp.set_sharing_strategy("file_system")


HOGWILD_SCRIPT = '''
import torch
import torch.multiprocessing as mp
import torch.nn as nn
import torch.optim as optim


def train(rank, model):
    torch.manual_seed(rank)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = torch.ones(8, 3)
    for _ in range(4):
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()


if __name__ == "__main__":
    mp.set_start_method("spawn", force=True)
    model = nn.Linear(3, 2)
    with torch.no_grad():
        model.bias.zero_()
    model.share_memory()
    procs = [mp.Process(target=train, args=(rank, model)) for rank in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print(type(torch.zeros(1)).__module__, [p.exitcode for p in procs], model.bias.tolist())
'''


def test_an_unmodified_hogwild_script_runs_with_spawn_through_run(tmp_path):
    """``autograd-core run`` maps ``torch`` in the children a spawn start method makes too
    (they import the script again, in a fresh interpreter)."""
    import os
    import subprocess
    import sys
    from tests.helpers import REPO
    script = tmp_path / "hogwild.py"
    script.write_text(HOGWILD_SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-m", "autograd_core.run", str(script)], env=env,
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    line = out.stdout.strip().splitlines()[-1]
    assert line.startswith("autograd_core"), line
    assert "[0, 0]" in line
    # 2 processes x 4 steps x (-0.1 * 8) per bias element: -6.4 when both wrote the same
    # memory (Hogwild may lose an update to a race: allow down to one process's -3.2)
    values = [float(v) for v in line.split("[")[-1].rstrip("]").split(",")]
    assert all(-6.4 - 1e-5 < v < -3.2 + 1e-5 for v in values), line
