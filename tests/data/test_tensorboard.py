"""SummaryWriter's event files: each record's frame and CRC-32C checks, the Event and
Summary messages decoded back (scalars, several scalars as sub-runs, histograms), the
file appended to and flushed, and a makemore-style script that logs through it under
``autograd-core run``."""
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.utils.tensorboard import SummaryWriter, crc32c
from tests.helpers import REPO


def _masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_records(path):
    data = open(path, "rb").read()
    out, i = [], 0
    while i < len(data):
        (n,) = struct.unpack_from("<Q", data, i)
        assert struct.unpack_from("<I", data, i + 8)[0] == _masked(crc32c(data[i:i + 8]))
        body = data[i + 12:i + 12 + n]
        assert struct.unpack_from("<I", data, i + 12 + n)[0] == _masked(crc32c(body))
        out.append(body)
        i += 16 + n
    return out


def fields(msg):
    """Protobuf fields of ``msg``: [(number, value)] (varint ints, 8/4-byte raw, bytes)."""
    out, i = [], 0
    while i < len(msg):
        key, i = _varint(msg, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, i = _varint(msg, i)
        elif wire == 1:
            val, i = msg[i:i + 8], i + 8
        elif wire == 5:
            val, i = msg[i:i + 4], i + 4
        else:
            n, i = _varint(msg, i)
            val, i = msg[i:i + n], i + n
        out.append((num, val))
    return out


def _varint(b, i):
    shift = n = 0
    while True:
        c = b[i]
        i += 1
        n |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return n, i


def events(log_dir):
    (name,) = [f for f in os.listdir(log_dir) if f.startswith("events.out.tfevents.")]
    result = []
    for body in read_records(os.path.join(log_dir, name)):
        f = dict(fields(body))
        entry = {"step": f.get(2, 0), "version": f.get(3)}
        if 5 in f:
            (value,) = [v for n, v in fields(f[5]) if n == 1]
            v = dict(fields(value))
            entry["tag"] = v[1].decode()
            if 2 in v:
                entry["value"] = struct.unpack("<f", v[2])[0]
            if 5 in v:
                entry["histo"] = dict(fields(v[5]))
        result.append(entry)
    return result


def test_crc32c_check_value():
    assert crc32c(b"123456789") == 0xE3069283   # the standard check value of CRC-32C


def test_scalars_histograms_and_sub_runs(tmp_path):
    w = SummaryWriter(str(tmp_path))
    w.add_scalar("Loss/train", ag.tensor(2.5), 0)
    w.add_scalar("Loss/train", 1.25, 7)
    w.add_histogram("weights", np.arange(10.0), 3)
    w.add_scalars("loss", {"train": 0.5, "test": np.float32(0.75)}, 2)
    with pytest.warns(UserWarning, match="add_image: not written"):
        w.add_image("img", np.zeros((3, 2, 2)))
    w.flush()
    got = events(str(tmp_path))
    assert got[0]["version"] == b"brain.Event:2"
    assert [(e["tag"], e["step"], e["value"]) for e in got[1:3]] == [
        ("Loss/train", 0, 2.5), ("Loss/train", 7, 1.25)]   # exact: float32 numbers
    h = got[3]["histo"]
    assert got[3]["tag"] == "weights" and got[3]["step"] == 3
    # exact: min, max, count, sum and sum of squares of the integers 0..9
    assert [struct.unpack("<d", h[k])[0] for k in (1, 2, 3, 4, 5)] == [0.0, 9.0, 10.0, 45.0, 285.0]
    counts = np.frombuffer(h[7], "<f8")
    assert counts.sum() == 10
    for name, value in (("loss_train", 0.5), ("loss_test", 0.75)):
        (e,) = events(str(tmp_path / name))[1:]
        assert (e["tag"], e["step"], e["value"]) == ("loss", 2, value)
    w.close()
    with SummaryWriter(str(tmp_path / "again")) as w2:
        assert w2.get_logdir() == str(tmp_path / "again")
    with pytest.raises(ValueError, match="one number"):
        SummaryWriter(str(tmp_path / "x")).add_scalar("a", ag.ones(2))


SCRIPT = """
import torch
from torch.utils.tensorboard import SummaryWriter
writer = SummaryWriter(log_dir="work")
w = torch.zeros(1, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
for step in range(3):
    loss = ((w - 1) ** 2).sum()
    opt.zero_grad(); loss.backward(); opt.step()
    writer.add_scalar("Loss/train", loss.item(), step)
    writer.flush()
writer.close()
print("logged")
"""


def test_a_script_logs_through_it(tmp_path):
    (tmp_path / "train.py").write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-m", "autograd_cli", "run", "train.py"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    got = [e for e in events(str(tmp_path / "work")) if "tag" in e]
    np.testing.assert_allclose([e["value"] for e in got], [1.0, 0.64, 0.4096], rtol=1e-6)
