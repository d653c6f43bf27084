"""The road to scale: weights trained here continue training under real PyTorch's
``DistributedDataParallel`` (two processes, gloo backend, loopback only) with the same
model code, and come back here, where ``draw_graph`` and ``explain`` still work.

The check is exact: two DDP ranks, each on half of every batch, average their gradients,
which is the full-batch gradient; so DDP's weights must equal those of the same steps run
here on the full batch in one process (to float32 rounding)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn, optim
from autograd_core.safetensors import load_file, save_file


pytest.importorskip("safetensors", reason="the safetensors package is not installed "
                    "(pip install 'autograd-core[safetensors]'; make test installs it)")

# The model code both libraries run: `nn` is autograd_core.nn here and torch.nn in DDP.
MODEL_SOURCE = """
def make_model(nn):
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                         nn.Linear(16, 2))
"""

WORKER = """
import os, sys
import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

{model_source}

def main(rank, world, store, folder, steps, lr):
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"   # loopback only
    torch.set_num_threads(1)
    # A file store, not a TCP store that rank 0 serves and takes down as it exits
    dist.init_process_group("gloo", init_method="file://" + os.path.join(folder, store),
                            rank=rank, world_size=world)
    try:
        model = make_model(torch.nn)
        model.load_state_dict(load_file(os.path.join(folder, "trained_here.safetensors")))
        ddp = DDP(model)
        data = np.load(os.path.join(folder, "data.npz"))
        ds = TensorDataset(torch.from_numpy(data["x"]), torch.from_numpy(data["y"]))
        sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=False)
        loader = DataLoader(ds, batch_size=len(ds) // world, sampler=sampler)
        opt = torch.optim.SGD(ddp.parameters(), lr=lr, momentum=0.9)
        for step in range(steps):
            for x, y in loader:
                opt.zero_grad()
                F.cross_entropy(ddp(x), y).backward()
                opt.step()
        if rank == 0:
            save_file({{k: v.contiguous() for k, v in model.state_dict().items()}},
                      os.path.join(folder, "trained_ddp.safetensors"))
        dist.barrier()
    finally:
        dist.destroy_process_group()

if __name__ == "__main__":
    store, folder, steps, lr = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    torch.multiprocessing.spawn(main, args=(2, store, folder, steps, lr), nprocs=2, join=True)
"""


def make_model(nn_module):
    scope: dict = {}
    exec(MODEL_SOURCE, scope)  # the one definition, shared with the DDP worker
    return scope["make_model"](nn_module)


def _run_ddp(script, folder, steps, lr) -> None:
    """Run the two DDP ranks; a second try only when a rank died by a signal.

    CI saw rank 1 abort once ("terminate called without an active exception", SIGABRT)
    in PyTorch's gloo teardown on a loaded machine; 30 runs here, loaded and not, never
    did. An exit code other than a signal's, or a second signal, fails the test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env["OMP_NUM_THREADS"] = "1"
    errors = []
    for attempt in range(2):
        store = f"store{attempt}"   # a file store is used once
        proc = subprocess.run([sys.executable, str(script), store, str(folder), str(steps),
                               str(lr)], capture_output=True, text=True, env=env, timeout=540)
        if proc.returncode == 0:
            return
        errors.append(proc.stderr[-3000:])
        if "terminated with signal" not in proc.stderr:
            break
    raise AssertionError("the DDP run failed:\n" + "\n--- and again:\n".join(errors))


def _train_here(model, x, y, steps, lr):
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    for _ in range(steps):
        opt.zero_grad()
        loss = ag.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return loss


def test_train_here_continue_under_ddp_come_back(tmp_path, torch):
    # `torch` (conftest): skips with the reason when PyTorch is not installed, except in CI
    from autograd_core.data import make_moons
    x_np, y_np = make_moons(64, noise=0.1, seed=0)
    x_np, y_np = np.asarray(x_np, np.float32), np.asarray(y_np, np.int64)
    x, y = ag.from_numpy(x_np), ag.from_numpy(y_np)
    np.savez(tmp_path / "data.npz", x=x_np, y=y_np)

    # 1. train here, save the weights as safetensors
    ag.manual_seed(0)
    model = make_model(nn)
    first = float(ag.nn.functional.cross_entropy(model(x), y).item())
    _train_here(model, x, y, steps=20, lr=0.1)
    save_file(model.state_dict(), tmp_path / "trained_here.safetensors")
    here = {k: v.numpy().copy() for k, v in model.state_dict().items()}

    # 2. continue in PyTorch's DDP: two processes, gloo, 127.0.0.1
    steps, lr = 30, 0.1
    script = tmp_path / "ddp_worker.py"
    script.write_text(WORKER.format(model_source=textwrap.dedent(MODEL_SOURCE)))
    _run_ddp(script, tmp_path, steps, lr)

    # 3. back here: the same steps on the full batch in one process give the same weights
    ddp_path = tmp_path / "trained_ddp.safetensors"
    back = make_model(nn)
    back.load_state_dict(ddp_path)
    assert set(load_file(ddp_path)) == set(here)
    reference = make_model(nn)
    reference.load_state_dict(tmp_path / "trained_here.safetensors")
    _train_here(reference, x, y, steps=steps, lr=lr)
    for k, v in reference.state_dict().items():
        got = back.state_dict()[k].numpy()
        assert not np.array_equal(got, here[k]), f"{k} did not change under DDP"
        assert np.allclose(got, v.numpy(), atol=1e-5, rtol=1e-4), k
    loss = ag.nn.functional.cross_entropy(back(x), y)
    assert loss.item() < first

    # 4. the teaching tools work on the model that came back
    from autograd_core.explain import explain
    from autograd_core.viz import draw_graph
    text = str(explain(loss, model=back))
    assert "weight" in text
    loss.backward()
    picture = draw_graph(loss, model=back)
    assert "weight" in picture.source

