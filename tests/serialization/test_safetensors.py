"""safetensors in and out, checked by the real consumer: files we write load in PyTorch
with ``safetensors.torch.load_file`` + ``load_state_dict`` and give our outputs; files
PyTorch writes load here and give PyTorch's outputs; keys, dtypes and bits are kept."""
from __future__ import annotations

import json
import os
import struct

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.safetensors import load, load_file, save, save_file

pytest.importorskip("safetensors", reason="the safetensors package is not installed "
                    "(pip install 'autograd-core[safetensors]'; make test installs it)")


def ours_and_torch(torch):
    """The same architecture here and in PyTorch (state_dict keys alike)."""
    tnn = torch.nn
    ours = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 5),
                         nn.LayerNorm(5))
    theirs = tnn.Sequential(tnn.Conv2d(2, 4, 3, padding=1), tnn.BatchNorm2d(4), tnn.ReLU(),
                            tnn.MaxPool2d(2), tnn.Flatten(), tnn.Linear(4 * 4 * 4, 5),
                            tnn.LayerNorm(5))
    return ours, theirs


def _train_a_little(model):
    model.train()
    model(ag.randn(6, 2, 8, 8))  # moves the batch-norm statistics off their initial values


def test_ours_loads_in_pytorch_and_gives_our_outputs(torch, tmp_path):
    import safetensors.torch as stt
    ours, theirs = ours_and_torch(torch)
    _train_a_little(ours)
    path = tmp_path / "model.safetensors"
    save_file(ours.state_dict(), path, metadata={"format": "pt"})
    state = stt.load_file(str(path))
    theirs.load_state_dict(state)
    for k, v in ours.state_dict().items():
        assert state[k].numpy().dtype == v.numpy().dtype, k
        assert state[k].numpy().tobytes() == v.numpy().tobytes(), k
    x = ag.randn(3, 2, 8, 8)
    ours.eval(), theirs.eval()
    with torch.no_grad():
        want = theirs(torch.from_numpy(x.numpy())).numpy()
    assert np.allclose(ours(x).detach().numpy(), want, atol=1e-5)


def test_pytorch_saved_loads_here_and_gives_pytorchs_outputs(torch, tmp_path):
    import safetensors.torch as stt
    ours, theirs = ours_and_torch(torch)
    theirs.train()
    theirs(torch.randn(6, 2, 8, 8))
    path = tmp_path / "torch.safetensors"
    stt.save_file(theirs.state_dict(), str(path))
    ours.load_state_dict(load_file(path))
    ours2 = ours_and_torch(torch)[0]
    ours2.load_state_dict(path)  # a path works too
    x = ag.randn(3, 2, 8, 8)
    ours.eval(), ours2.eval(), theirs.eval()
    with torch.no_grad():
        want = theirs(torch.from_numpy(x.numpy())).numpy()
    assert np.allclose(ours(x).detach().numpy(), want, atol=1e-5)
    assert np.array_equal(ours(x).detach().numpy(), ours2(x).detach().numpy())


def test_recurrent_weights_go_both_ways(torch, tmp_path):
    import safetensors.torch as stt
    ours = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    theirs = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    path = tmp_path / "lstm.safetensors"
    stt.save_file(theirs.state_dict(), str(path))
    ours.load_state_dict(path)
    x = ag.randn(4, 2, 3)
    with torch.no_grad():
        want = theirs(torch.from_numpy(x.numpy()))[0].numpy()
    assert np.allclose(ours(x)[0].detach().numpy(), want, atol=1e-5)


def test_every_dtype_keeps_its_bits_both_ways(torch, tmp_path):
    import safetensors.torch as stt
    rng = np.random.default_rng(0)
    arrays = {
        "f16": rng.standard_normal(5).astype(np.float16),
        "f32": np.frombuffer(rng.bytes(4 * 6), np.float32).reshape(2, 3),  # NaN payloads too
        "f64": rng.standard_normal((2, 2)),
        "i8": rng.integers(-128, 127, 4, dtype=np.int8),
        "i16": rng.integers(-999, 999, 4, dtype=np.int16),
        "i32": rng.integers(-999, 999, 4, dtype=np.int32),
        "i64": rng.integers(-999, 999, (2, 2), dtype=np.int64),
        "u8": rng.integers(0, 255, 3, dtype=np.uint8),
        "bool": np.array([True, False, True]),
        "scalar": np.array(7, dtype=np.int64),
        "empty": np.zeros((0, 3), np.float32),
    }
    path = tmp_path / "all.safetensors"
    save_file({k: ag.from_numpy(v) for k, v in arrays.items()}, path)
    theirs = stt.load_file(str(path))
    for k, v in arrays.items():
        assert theirs[k].numpy().dtype == v.dtype and theirs[k].numpy().shape == v.shape, k
        assert theirs[k].numpy().tobytes() == v.tobytes(), k
    back = tmp_path / "back.safetensors"
    stt.save_file(theirs, str(back))
    ours = load_file(back)
    assert set(ours) == set(arrays)
    for k, v in arrays.items():
        assert ours[k].dtype == v.dtype and ours[k].numpy().tobytes() == v.tobytes(), k


def test_metadata_and_bytes_api(torch):
    from safetensors import safe_open
    data = save({"w": ag.ones(2)}, metadata={"step": "7"})
    assert np.array_equal(load(data)["w"].numpy(), np.ones(2, np.float32))
    import safetensors.torch as stt
    assert stt.load(data)["w"].tolist() == [1.0, 1.0]


def test_metadata_is_written(tmp_path):
    from safetensors import safe_open
    path = tmp_path / "m.safetensors"
    save_file({"w": ag.ones(2)}, path, metadata={"epoch": "3"})
    with safe_open(str(path), framework="numpy") as f:
        assert f.metadata() == {"epoch": "3"}


def test_tied_tensors_are_refused_as_in_safetensors_torch(tmp_path):
    w = ag.ones(2, 2)
    with pytest.raises(RuntimeError, match="share memory"):
        save_file({"a": w, "b": w}, tmp_path / "t.safetensors")
    assert not os.listdir(tmp_path)


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(TypeError, match="key 'a': expected a Tensor"):
        save_file({"a": [1, 2]}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="metadata must be a dict of str -> str"):
        save_file({"a": ag.ones(1)}, tmp_path / "x.safetensors", metadata={"a": 1})


# -- broken files: one line, naming the file and the key ----------------------------------
def _write(path, header: dict, body: bytes) -> None:
    h = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(h)) + h + body)


def test_truncated_and_corrupt_files(tmp_path):
    path = tmp_path / "w.safetensors"
    save_file({"weight": ag.ones(4, 4), "bias": ag.ones(4)}, path)
    data = path.read_bytes()
    cases = {
        "trunc.safetensors": (data[:-10], "key '(weight|bias)'.*truncated"),
        "short.safetensors": (data[:5], "truncated"),
        "header.safetensors": (data[:20], "truncated"),
        "garbage.safetensors": (b"\x08\x00\x00\x00\x00\x00\x00\x00not json", "corrupt"),
    }
    for name, (content, pattern) in cases.items():
        p = tmp_path / name
        p.write_bytes(content)
        with pytest.raises(ValueError, match=name + ".*" + pattern) as info:
            load_file(p)
        assert "\n" not in str(info.value)


def test_a_dtype_we_lack_is_named_with_its_key(tmp_path):
    p = tmp_path / "bf16.safetensors"
    _write(p, {"layer.weight": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}},
           b"\x00" * 4)
    with pytest.raises(ValueError, match=r"bf16.safetensors: key 'layer.weight': dtype BF16"):
        load_file(p)


def test_bad_offsets_are_named_with_their_key(tmp_path):
    p = tmp_path / "off.safetensors"
    _write(p, {"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}}, b"\x00" * 16)
    with pytest.raises(ValueError, match=r"off.safetensors: key 'w': its 12 bytes"):
        load_file(p)


def test_wrong_keys_or_shapes_name_the_file_and_load_nothing(tmp_path):
    path = tmp_path / "lin.safetensors"
    save_file(nn.Linear(3, 2).state_dict(), path)
    model = nn.Linear(3, 2)
    model2 = nn.Linear(4, 2)
    before = model2.bias.detach().numpy().copy()
    with pytest.raises(RuntimeError, match=r"lin.safetensors: .*size mismatch for weight") as e:
        model2.load_state_dict(path)
    assert "\n" not in str(e.value)
    assert np.array_equal(model2.bias.detach().numpy(), before)  # not partially loaded
    with pytest.raises(RuntimeError, match=r'lin.safetensors: .*Missing key\(s\).*"0.weight"'):
        nn.Sequential(nn.Linear(3, 2)).load_state_dict(path)
    model.load_state_dict(path)
