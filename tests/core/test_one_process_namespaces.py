"""The names of PyTorch that training scripts import even when they train in one process
(``torch.distributed``, ``torch.nn.parallel.DistributedDataParallel``, ``torch.jit``, the
memory formats): they are there, say what PyTorch says with no process group started, and
``autograd-core run`` runs a script that imports them."""
import os
import subprocess
import sys

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from tests.helpers import REPO

NO_GROUP = ("Default process group has not been initialized, please make sure to call "
            "init_process_group.")


def test_distributed_without_a_process_group_as_torch(torch):
    assert ag.distributed.is_available() is False and ag.distributed.is_initialized() is False
    assert not torch.distributed.is_initialized()
    for name in ("get_rank", "get_world_size", "barrier"):
        with pytest.raises(ValueError) as theirs:
            getattr(torch.distributed, name)()
        with pytest.raises(ValueError) as ours:
            getattr(ag.distributed, name)()
        assert str(ours.value) == str(theirs.value) == NO_GROUP
    with pytest.raises(ValueError, match="Default process group"):
        ag.distributed.all_reduce(ag.ones(2), op=ag.distributed.ReduceOp.SUM)
    with pytest.raises(RuntimeError, match="one process"):
        ag.distributed.init_process_group(backend="gloo")
    with pytest.raises(ValueError) as theirs:
        torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(1, 1))
    with pytest.raises(ValueError) as ours:
        nn.parallel.DistributedDataParallel(nn.Linear(1, 1))
    assert str(ours.value) == str(theirs.value)
    assert nn.parallel.DataParallel is nn.DataParallel


def test_jit_gives_back_what_it_is_given():
    def f(x):
        return x * 2

    m = nn.Linear(2, 2)
    assert ag.jit.script(f) is f and ag.jit.script(m) is m
    assert ag.jit.trace(m, ag.ones(1, 2)) is m and ag.jit.ignore(f) is f
    assert ag.jit.unused(drop=True)(f) is f and ag.jit.export(f) is f
    assert not ag.jit.is_scripting() and not ag.jit.is_tracing()
    assert ag.jit.annotate(list, [1]) == [1]
    with pytest.raises(NotImplementedError, match="state_dict"):
        ag.jit.save(m, "m.pt")


def test_memory_formats_are_accepted_and_change_nothing(torch):
    for name in ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format"):
        assert repr(getattr(ag, name)) == repr(getattr(torch, name)) == f"torch.{name}"
    x = ag.arange(24.0).reshape(1, 2, 3, 4)
    y = x.contiguous(memory_format=ag.channels_last)
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    assert x.is_contiguous(memory_format=ag.contiguous_format)
    conv = nn.Conv2d(2, 3, 1).to(memory_format=ag.channels_last)
    assert conv(y).shape == (1, 3, 3, 4)
    assert repr(ag.ones(1).layout) == repr(torch.ones(1).layout) == "torch.strided"


SCRIPT = """
import os
import torch
import torch.distributed as dist
from torch.distributed import init_process_group, destroy_process_group
from torch.nn.parallel import DistributedDataParallel as DDP

@torch.jit.script
def gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(0.7978845608 * (x + 0.044715 * torch.pow(x, 3.0))))

ddp = int(os.environ.get("RANK", -1)) != -1
assert not ddp and not (dist.is_available() and dist.is_initialized())
model = torch.nn.Linear(4, 2).to(memory_format=torch.channels_last)
loss = gelu(model(torch.ones(3, 4))).sum()
loss.backward()
print("ok", model.weight.grad.shape)
"""


def test_a_script_importing_them_runs(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-m", "autograd_cli", "run", str(script)],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok (2, 4)"
