"""save/load in PyTorch's file format: files written here read by real ``torch.load`` and
files of ``torch.save`` read here, bit for bit; whole modules; ``map_location``; the
weights-only unpickler refusing crafted pickles without running them; allowlisting; size
limits of the zip format."""
from __future__ import annotations

import io
import os
import pickle
import re
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.serialization as S
from autograd_core import nn
from autograd_core.serialization import (SerializationError, WeightsOnlyUnpicklingError,
                                         add_safe_globals, clear_safe_globals,
                                         get_safe_globals, load, safe_globals, save)
from autograd_core.serialization.zipformat import archive_records, write_archive
from tests.helpers import REPO, peak_bytes

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
          np.uint8, np.uint16, np.uint32, np.uint64, np.bool_, np.complex64, np.complex128]


@pytest.fixture(autouse=True)
def _no_safe_globals_left():
    clear_safe_globals()
    yield
    clear_safe_globals()


def _values(dtype, shape=(2, 3), seed=0):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dtype == np.bool_:
        a = rng.integers(0, 2, n).astype(bool)
    elif np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        a = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    elif np.dtype(dtype).kind == "c":
        a = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)
    else:
        a = rng.standard_normal(n).astype(dtype)
        a[:3] = [np.nan, -np.inf, -0.0]  # bits that value comparisons would blur
    return a.reshape(shape)


def _saved(obj, **kw) -> bytes:
    buf = io.BytesIO()
    save(obj, buf, **kw)
    return buf.getvalue()


def _torch_saved(torch, obj, **kw) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


def _archive(data_pkl: bytes, storages=(), byteorder="little", **kw) -> bytes:
    """A zip in PyTorch's layout holding this pickle: for crafted files."""
    buf = io.BytesIO()
    write_archive(buf, "archive", archive_records(data_pkl, storages, byteorder), **kw)
    return buf.getvalue()


# ------------------------------------------------------------ ours, read by torch
def test_torch_reads_our_state_dicts_bit_for_bit(torch):
    sd = OrderedDict((np.dtype(d).name, ag.from_numpy(_values(d))) for d in DTYPES)
    sd["scalar"] = ag.tensor(3.5)
    sd["empty"] = ag.zeros(0, 4)
    sd["grad"] = ag.ones(2, requires_grad=True)
    sd["param"] = nn.Parameter(ag.from_numpy(_values(np.float32, seed=1)))
    back = torch.load(io.BytesIO(_saved(sd)), weights_only=True)
    assert list(back) == list(sd)
    for k, t in back.items():
        ours = sd[k]._data
        assert isinstance(t, torch.Tensor), k
        assert t.dtype == getattr(torch, np.dtype(ours.dtype).name.replace("bool", "bool")), k
        assert tuple(t.shape) == ours.shape, k
        assert t.detach().numpy().tobytes() == ours.tobytes(), k
    assert back["grad"].requires_grad and not back["float32"].requires_grad
    assert isinstance(back["param"], torch.nn.Parameter) and back["param"].requires_grad


def test_torch_reads_nested_containers_views_and_shared_storages(torch):
    base = ag.from_numpy(np.arange(24, dtype=np.float32).reshape(4, 6))
    views = {"row": ag.from_numpy(base._data[2]),              # offset
             "cols": ag.from_numpy(base._data[:, 1:5:2]),      # strided
             "t": ag.from_numpy(base._data.T),                 # transposed
             "expanded": ag.from_numpy(np.broadcast_to(base._data[0, :2], (3, 2))),
             "reversed": ag.from_numpy(base._data[::-1])}      # negative strides: copied
    obj = {"base": base, "views": views, "list": [base, (ag.tensor([1, 2]), "x", None)],
           "epoch": 7, "lr": 0.5, "flags": [True, False], "shape": (4, 6), "blob": b"\x00\xff"}
    back = torch.load(io.BytesIO(_saved(obj)), weights_only=True)
    for k, v in views.items():
        assert back["views"][k].numpy().tobytes() == np.ascontiguousarray(v._data).tobytes()
    assert back["list"][0] is back["base"]  # one object, pickled once
    assert back["list"][1][1:] == ("x", None) and back["list"][1][0].tolist() == [1, 2]
    assert back["epoch"] == 7 and back["shape"] == (4, 6) and back["blob"] == b"\x00\xff"
    # views of one array share one storage, in PyTorch too
    ptr = back["base"].untyped_storage().data_ptr()
    for k in ("row", "cols", "t", "expanded"):
        assert back["views"][k].untyped_storage().data_ptr() == ptr, k
    assert back["views"]["expanded"].stride() == (0, 1)
    back["base"][2, 0] = -1.0
    assert back["views"]["row"][0].item() == -1.0


def test_our_archive_has_torchs_layout(torch, tmp_path):
    save({"w": ag.ones(3), "b": ag.zeros(2, dtype=np.int64)}, tmp_path / "model.pt")
    torch.save({"w": torch.ones(3), "b": torch.zeros(2, dtype=torch.int64)}, tmp_path / "ref.pt")
    ours, ref = zipfile.ZipFile(tmp_path / "model.pt"), zipfile.ZipFile(tmp_path / "ref.pt")
    assert {n.split("/", 1)[0] for n in ours.namelist()} == {"model"}  # as torch names it
    assert [n.split("/", 1)[1] for n in ours.namelist()] == \
        [n.split("/", 1)[1] for n in ref.namelist()]
    raw = (tmp_path / "model.pt").read_bytes()
    for info in ours.infolist():  # every record's data starts at a multiple of 64
        name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:
                                                       info.header_offset + 30])
        assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0, info.filename
        assert info.compress_type == zipfile.ZIP_STORED
    assert ours.read("model/version") == ref.read("ref/version")
    assert ours.read("model/byteorder") == ref.read("ref/byteorder")
    assert ours.testzip() is None
    assert torch.load(tmp_path / "model.pt", weights_only=True, mmap=True)["w"].tolist() == \
        [1.0, 1.0, 1.0]
    for name in ("model.v2.pt", "weird name.pt", "é.pt", "noext", ".hidden.pt"):
        save({"a": 1}, tmp_path / name)
        torch.save({"a": 1}, tmp_path / ("ref-" + name))
        ours = zipfile.ZipFile(tmp_path / name).namelist()[0]
        ref = zipfile.ZipFile(tmp_path / ("ref-" + name)).namelist()[0].replace("ref-", "")
        assert ours == ref, name


def test_torchs_names_are_written_without_torch():
    """The names are text in the pickle: saving needs no torch (here it cannot import)."""
    import subprocess
    import sys
    code = """
import sys, io, pickletools, zipfile
sys.modules["torch"] = None  # import torch fails
import numpy as np, autograd_core as ag, autograd_core.nn as nn
buf = io.BytesIO()
ag.save({"w": ag.ones(2), "u": ag.from_numpy(np.zeros(2, np.uint16)),
         "p": nn.Parameter(ag.zeros(1))}, buf)
pkl = zipfile.ZipFile(buf).read("archive/data.pkl")
print(sorted({str(a) for op, a, _ in pickletools.genops(pkl) if op.name == "GLOBAL"}))
print([a for op, a, _ in pickletools.genops(pkl) if op.name == "BINUNICODE"][:6])
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    assert out.returncode == 0, out.stderr
    names, strings = out.stdout.splitlines()
    assert names == str(sorted(["collections OrderedDict", "torch FloatStorage",
                                "torch.storage UntypedStorage",
                                "torch uint16", "torch._utils _rebuild_parameter",
                                "torch._utils _rebuild_tensor_v2",
                                "torch._utils _rebuild_tensor_v3"]))
    assert strings == str(["w", "storage", "0", "cpu", "u", "1"])


def test_zip64_fields_are_read_by_zipfile_torch_and_us(torch):
    data_pkl = pickle.dumps(None)  # replaced below by a real pickle with a storage
    from autograd_core.serialization.pickler import dumps
    data_pkl, storages = dumps({"w": ag.from_numpy(_values(np.float64))}, 2, nn.Parameter)
    data = _archive(data_pkl, storages, force_zip64=True)
    assert b"PK\x06\x06" in data  # the Zip64 end of central directory
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    expected = _values(np.float64).tobytes()
    assert load(io.BytesIO(data))["w"]._data.tobytes() == expected
    assert torch.load(io.BytesIO(data), weights_only=True)["w"].numpy().tobytes() == expected


def test_files_without_a_byteorder_record_or_big_endian_read_the_same(torch):
    from autograd_core.serialization.pickler import dumps
    values = _values(np.float32)
    data_pkl, storages = dumps({"w": ag.from_numpy(values)}, 2, None)
    no_record = _archive(data_pkl, storages, byteorder=None)
    big = _archive(data_pkl, [(k, a.byteswap()) for k, a in storages], byteorder="big")
    for data in (no_record, big, _saved({"w": ag.from_numpy(values)},
                                        _disable_byteorder_record=True)):
        assert load(io.BytesIO(data))["w"]._data.tobytes() == values.tobytes()
        assert torch.load(io.BytesIO(data), weights_only=True)["w"].numpy().tobytes() == \
            values.tobytes()


# ------------------------------------------------------------ torch's, read here
def test_we_read_torchs_tensors_of_every_common_dtype_bit_for_bit(torch):
    sd = OrderedDict((np.dtype(d).name, torch.from_numpy(_values(d).copy())) for d in DTYPES)
    sd["scalar"] = torch.tensor(2.5, dtype=torch.float64)
    sd["grad"] = torch.ones(3, requires_grad=True)
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = load(io.BytesIO(_torch_saved(torch, sd, pickle_protocol=protocol)))
        assert list(back) == list(sd)
        for k, t in sd.items():
            ours = back[k]
            assert type(ours) is ag.Tensor, k
            assert ours.dtype == np.dtype(str(t.dtype).replace("torch.", "")), k
            assert ours.shape == tuple(t.shape), k
            assert ours._data.tobytes() == t.detach().numpy().tobytes(), k
        assert back["grad"].requires_grad and not back["float32"].requires_grad


def test_we_read_torchs_views_offsets_and_shared_storages(torch):
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    sd = {"base": base, "offset": base[2], "block": base[1:3, 2:5], "t": base.t(),
          "strided": base[:, ::2], "expanded": torch.ones(1, 3).expand(4, 3),
          "same": base, "narrow": base.flatten()[5:9]}
    back = load(io.BytesIO(_torch_saved(torch, sd)))
    for k, t in sd.items():
        assert back[k].shape == tuple(t.shape), k
        np.testing.assert_array_equal(back[k]._data, t.numpy(), err_msg=k)
    assert back["same"] is back["base"]
    for k in ("offset", "block", "t", "strided", "narrow"):  # one storage: shared memory
        assert np.shares_memory(back[k]._data, back["base"]._data), k
    # an expanded view is copied: writing one element must not write others
    assert not np.shares_memory(back["expanded"]._data[0], back["expanded"]._data[1])
    back["expanded"]._data[0, 0] = 5
    assert back["expanded"]._data[1, 0] == 1


def test_bfloat16_and_other_dtypes_numpy_lacks_are_refused_naming_them(torch):
    for dtype, name in ((torch.bfloat16, "torch.bfloat16"),
                        (torch.float8_e4m3fn, "torch.float8_e4m3fn")):
        with pytest.raises(SerializationError, match=f"dtype {name}, which NumPy"):
            load(io.BytesIO(_torch_saved(torch, {"w": torch.zeros(2, dtype=dtype)})))


def test_torch_objects_we_do_not_load_are_refused_saying_so(torch):
    for obj, name in ((torch.eye(2).to_sparse(), "torch._utils._rebuild_sparse_tensor"),
                      (torch.nn.Linear(2, 2), "torch.nn.modules.linear.Linear")):
        with pytest.raises(pickle.UnpicklingError, match=f"GLOBAL {name} is PyTorch's, for "
                                                         "something autograd_core does not"):
            load(io.BytesIO(_torch_saved(torch, obj)))


def test_torch_values_size_device_dtype_and_state_dict_metadata(torch):
    sd = torch.nn.Linear(2, 3).state_dict()
    back = load(io.BytesIO(_torch_saved(torch, {"sd": sd, "size": torch.Size([2, 3]),
                                                "device": torch.device("cpu"),
                                                "dtype": torch.float16, "set": {1, 2},
                                                "complex": 1 + 2j, "bytes": b"ab"})))
    assert back["size"] == (2, 3) and type(back["size"]) is tuple
    assert back["device"] == "cpu" and back["dtype"] == np.float16
    assert back["set"] == {1, 2} and back["complex"] == 1 + 2j and back["bytes"] == b"ab"
    assert isinstance(back["sd"], OrderedDict) and back["sd"]._metadata == sd._metadata


def test_a_torch_parameter_loads_as_our_parameter(torch):
    p = torch.nn.Parameter(torch.ones(2, 2))
    back = load(io.BytesIO(_torch_saved(torch, {"p": p, "frozen": torch.nn.Parameter(
        torch.zeros(1), requires_grad=False)})))
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad
    assert isinstance(back["frozen"], nn.Parameter) and not back["frozen"].requires_grad
    assert back["p"].tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_torch_models_state_dicts_load_into_ours_and_back(torch):
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3),
                             torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(3 * 4 * 4, 5))
    tm(torch.randn(4, 2, 6, 6))  # running statistics and num_batches_tracked move
    tm.eval()
    om = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(),
                       nn.Linear(3 * 4 * 4, 5))
    om.load_state_dict(load(io.BytesIO(_torch_saved(torch, tm.state_dict()))))
    om.eval()
    x = np.random.default_rng(0).standard_normal((2, 2, 6, 6)).astype(np.float32)
    with torch.no_grad():
        expected = tm(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(om(ag.from_numpy(x))._data, expected, rtol=1e-5, atol=1e-6)
    # and back: torch loads what we saved, and computes the same
    tm2 = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3),
                              torch.nn.ReLU(), torch.nn.Flatten(),
                              torch.nn.Linear(3 * 4 * 4, 5))
    tm2.load_state_dict(torch.load(io.BytesIO(_saved(om.state_dict())), weights_only=True))
    tm2.eval()
    with torch.no_grad():
        np.testing.assert_array_equal(tm2(torch.from_numpy(x)).numpy(), expected)


def test_torch_optimizer_state_loads_into_ours(torch):
    from autograd_core import optim
    w = torch.nn.Parameter(torch.ones(3))
    topt = torch.optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    topt.step()
    sd = load(io.BytesIO(_torch_saved(torch, topt.state_dict())))
    ours = optim.Adam([ag.ones(3, requires_grad=True)], lr=1.0)
    ours.load_state_dict(sd)
    assert ours.param_groups[0]["lr"] == 0.1
    np.testing.assert_array_equal(ours.state_dict()["state"][0]["exp_avg"]._data,
                                  topt.state_dict()["state"][0]["exp_avg"].numpy())


def test_torchs_pre_1_6_format_is_refused_clearly(torch):
    data = _torch_saved(torch, {"w": torch.ones(2)}, _use_new_zipfile_serialization=False)
    with pytest.raises(SerializationError, match="pre-1.6 format.*re-save"):
        load(io.BytesIO(data))


# ------------------------------------------------------------------ whole modules
class UserNet(nn.Module):
    """A user's own module, as defined in a training script."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Dropout(0.0), nn.Linear(8, 2))
        self.register_buffer("scale", ag.tensor(2.0))
        self.name = "net"

    def forward(self, x):
        return self.body(x) * self.scale


MODELS = {
    "mlp": lambda: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)),
    "conv": lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(),
                                  nn.MaxPool2d(2), nn.Flatten()),
    "lstm": lambda: nn.LSTM(4, 5, batch_first=True),
    "transformer": lambda: nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True),
    "embedding": lambda: nn.Embedding(10, 4),
}
INPUTS = {"mlp": lambda: ag.randn(3, 4), "conv": lambda: ag.randn(2, 1, 6, 6),
          "lstm": lambda: ag.randn(2, 3, 4), "transformer": lambda: ag.randn(2, 3, 4),
          "embedding": lambda: ag.tensor([[1, 2], [9, 0]])}


def _outputs(out):
    return [o._data for o in (out if isinstance(out, tuple) else (out,))
            if isinstance(o, ag.Tensor)] + \
        [x._data for o in (out if isinstance(out, tuple) else ())
         if isinstance(o, tuple) for x in o]


@pytest.mark.parametrize("kind", list(MODELS))
def test_whole_modules_of_this_library_round_trip(kind, tmp_path):
    model = MODELS[kind]()
    model.eval()
    path = tmp_path / "model.pt"
    save(model, path)
    x = INPUTS[kind]()
    for weights_only in (True, False):  # our own classes are allowed by default
        back = load(path, weights_only=weights_only)
        back.eval()
        assert type(back) is type(model)
        assert [n for n, _ in back.named_parameters()] == \
            [n for n, _ in model.named_parameters()]
        assert all(isinstance(p, nn.Parameter) for p in back.parameters())
        for a, b in zip(_outputs(model(x)), _outputs(back(x))):
            np.testing.assert_array_equal(a, b)


def test_our_classes_are_found_by_name_when_their_module_has_moved():
    """A file names the module a class was defined in when it was saved; nn's layout may
    change since. An nn.Module subclass (or nn.functional function) is then found by its
    name in nn (or nn.functional)."""
    from autograd_core.serialization.pickler import dumps
    model = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0)  # holds F.relu as a value
    data_pkl, storages = dumps(model, 2, nn.Parameter)
    moved = re.sub(rb"cautograd_core\.nn\.[a-z_.]+\n(Linear|TransformerEncoderLayer)\n",
                   lambda m: b"cautograd_core.nn.layers_of_old\n" + m.group(1) + b"\n", data_pkl)
    moved = re.sub(rb"cautograd_core\.nn\.functional[a-z_.]*\nrelu\n",
                   b"cautograd_core.nn.functional.old\nrelu\n", moved)
    assert moved.count(b"nn.layers_of_old") >= 2 and b"nn.functional.old" in moved
    back = load(io.BytesIO(_archive(moved, storages)))
    assert type(back) is type(model) and back.activation is model.activation
    x = ag.randn(3, 2, 4)
    model.eval(), back.eval()
    np.testing.assert_array_equal(back(x)._data, model(x)._data)
    # a name that is not one of ours is refused, moved or not
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL autograd_core.nn.layers_of_old.Popen"):
        load(io.BytesIO(_archive(moved.replace(b"\nLinear\n", b"\nPopen\n"), storages)))


def test_a_users_module_class_loads_only_when_allowlisted(tmp_path):
    model = UserNet()
    path = tmp_path / "user.pt"
    save(model, path)
    x = ag.randn(3, 4)
    where = f"{UserNet.__module__}.UserNet"
    with pytest.raises(pickle.UnpicklingError, match=f"GLOBAL {where} was not an allowed "
                       r"global by default.*add_safe_globals\(\[" + where):
        load(path)
    with pytest.raises(SerializationError, match=repr(str(path))):  # names the file
        load(path)
    with safe_globals([UserNet]):
        back = load(path)
    assert get_safe_globals() == []
    np.testing.assert_array_equal(back(x)._data, model(x)._data)
    assert back.name == "net" and back.scale.item() == 2.0
    add_safe_globals([(UserNet, where)])
    np.testing.assert_array_equal(load(path)(x)._data, model(x)._data)
    clear_safe_globals()
    # weights_only=False: plain pickle (trusted files only)
    np.testing.assert_array_equal(load(path, weights_only=False)(x)._data, model(x)._data)


def test_safe_globals_arguments_are_checked():
    with pytest.raises(ValueError, match="tuple of length 2"):
        add_safe_globals([(UserNet, "a", "b")])
    with pytest.raises(TypeError, match="second item in tuple to be str"):
        add_safe_globals([(UserNet, 3)])
    with pytest.raises(TypeError, match="expected classes or functions.*int 3"):
        add_safe_globals([3])
    with pytest.raises(TypeError, match="must be a list"):
        add_safe_globals(UserNet)
    assert get_safe_globals() == []
    assert S.DEFAULT_PROTOCOL == 2


# ------------------------------------------------------------------- map_location
def _cuda_file() -> bytes:
    """A file whose storage is tagged 'cuda:0', as torch.save writes GPU tensors."""
    from autograd_core.serialization.pickler import dumps
    data_pkl, storages = dumps({"w": ag.ones(2)}, 2, None)
    cpu = b"X\x03\x00\x00\x00cpu"
    assert data_pkl.count(cpu) == 1
    return _archive(data_pkl.replace(cpu, b"X\x06\x00\x00\x00cuda:0"), storages)


def test_map_location_forms(torch):
    data = _saved({"w": ag.ones(2)})
    seen = []

    def keep(storage, location):
        seen.append((type(storage).__name__, location, storage.dtype))
        return storage

    for where in ("cpu", b"cpu", torch.device("cpu"), {"cpu": "cpu"}, keep,
                  lambda storage, location: None):
        assert load(io.BytesIO(data), map_location=where)["w"].tolist() == [1.0, 1.0], where
    assert seen == [("Storage", "cpu", np.float32)]
    with pytest.raises(TypeError, match="map_location must be None, a device string.*int"):
        load(io.BytesIO(data), map_location=0)
    with pytest.raises(TypeError, match="map_location returned int"):
        load(io.BytesIO(data), map_location=lambda storage, location: 0)


def test_cuda_locations_fail_as_in_a_cpu_only_pytorch(torch):
    data = _cuda_file()
    if not torch.cuda.is_available():  # the reference: PyTorch's own CPU-only build
        with pytest.raises(RuntimeError, match="CUDA"):
            torch.load(io.BytesIO(data), weights_only=True)
        with pytest.raises(RuntimeError, match="CUDA"):
            torch.load(io.BytesIO(_saved({"w": ag.ones(2)})), map_location="cuda",
                       weights_only=True)
    for kw in ({}, {"map_location": "cuda"}, {"map_location": "cuda:1"}):
        src = data if not kw else _saved({"w": ag.ones(2)})
        with pytest.raises(RuntimeError, match="on a CUDA device but CUDA is not available.*"
                                               "map_location='cpu'"):
            load(io.BytesIO(src), **kw)
    for where in ("cpu", torch.device("cpu"), {"cuda:0": "cpu"}):
        assert load(io.BytesIO(data), map_location=where)["w"].tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="tagged with 'mps'"):
        load(io.BytesIO(_saved({"w": ag.ones(2)})), map_location="mps")
    # files without tensors do not look at the location, as in PyTorch
    assert load(io.BytesIO(_saved({"n": 1})), map_location="cuda") == {"n": 1}


# ------------------------------------------------------- crafted files are refused
class _Run:
    """Unpickling this calls ``func(*args)``: the classic pickle payload."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def _payloads(marker):
    touch = f"touch {marker}"
    return {
        "os.system": (pickle.dumps(_Run(os.system, touch), protocol=2), "posix.system"),
        "GLOBAL os system": (b"\x80\x02cos\nsystem\nX" + struct.pack("<I", len(touch))
                             + touch.encode() + b"\x85R.", "os.system"),
        "protocol 4": (pickle.dumps(_Run(os.system, touch), protocol=4), "posix.system"),
        "eval": (pickle.dumps(_Run(eval, f"open({str(marker)!r}, 'w')"), protocol=2), "eval"),
        "exec": (pickle.dumps(_Run(exec, f"open({str(marker)!r}, 'w')"), protocol=3), "exec"),
        "open": (pickle.dumps(_Run(open, str(marker), "w"), protocol=2), "open"),
        "getattr": (pickle.dumps(_Run(getattr, dict, "fromkeys"), protocol=2), "getattr"),
        "INST": (b"(cos\nsystem\nS'" + touch.encode() + b"'\ni__builtin__\nobject\n.",
                 "os.system"),
        "object array": (pickle.dumps(np.array([_Run(open, str(marker), "w")], dtype=object),
                                      protocol=2), "dtype"),
        "subprocess": (pickle.dumps(_Run(__import__("subprocess").call, ["touch",
                                                                          str(marker)]),
                                    protocol=2), "subprocess.call"),
    }


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("kind", list(_payloads("m")))
def test_crafted_pickles_are_refused_without_running(kind, tmp_path, torch):
    marker = tmp_path / "pwned"
    data_pkl, what = _payloads(marker)[kind]
    data = _archive(data_pkl)
    with pytest.raises(pickle.UnpicklingError, match="weights only load failed.*" + what):
        load(io.BytesIO(data))
    with pytest.raises(WeightsOnlyUnpicklingError):
        load(io.BytesIO(data), map_location="cpu", weights_only=None)
    # a bare pickle (no zip) is refused the same way, whatever weights_only says
    for weights_only in (True, False):
        with pytest.raises(pickle.UnpicklingError):
            load(io.BytesIO(data_pkl if data_pkl[:1] == b"\x80" else b"\x80\x02" + data_pkl),
                 weights_only=weights_only)
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError):  # the reference refuses it too
        torch.load(io.BytesIO(data), weights_only=True)
    assert not marker.exists()


def test_blocked_modules_stay_blocked_when_allowlisted(tmp_path):
    marker = tmp_path / "pwned"
    data = _archive(pickle.dumps(_Run(os.system, f"touch {marker}"), protocol=2))
    with safe_globals([os.system]):
        with pytest.raises(pickle.UnpicklingError, match="whose module posix is blocked"):
            load(io.BytesIO(data))
    assert not marker.exists()


def _op(*parts) -> bytes:
    return b"\x80\x02" + b"".join(parts) + b"."


def _glob(module, name) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _str(s: str) -> bytes:
    return b"X" + struct.pack("<I", len(s.encode())) + s.encode()


@pytest.mark.parametrize("data_pkl,message", [
    # calling a module built from the file (its forward) rather than an allowed function
    (_op(_glob("autograd_core.nn.modules.linear", "Linear"), b")\x81", b"}b", b")R"), r"calls a autograd_core\.nn\.\S*Linear object"),
    # a library module created with arguments, or called as a class
    (_op(_glob("autograd_core.nn.modules.linear", "Linear"), b"K\x02K\x02\x86\x81"), "with arguments"),
    (_op(_glob("autograd_core.nn.modules.linear", "Linear"), b"K\x02K\x02\x86R"), r"calls class autograd_core\.nn\.\S*Linear"),
    # setting state of objects that are not allowed to have it
    (_op(_glob("__builtin__", "set"), b")R}b"), "sets the state of a set"),
    (_op(_glob("torch", "float32"), b"(K\x03X\x01\x00\x00\x00>NNNJ\xff\xff\xff\xffJ\xff\xff"
                                    b"\xff\xffK\x00tb"), "did not make"),
    # containers of the file calling methods of non-containers
    (_op(_glob("autograd_core.nn.modules.container", "ModuleList"), b")\x81(K\x01e"), "APPENDS on a ModuleList"),
    (_op(_glob("autograd_core.nn.modules.container", "ModuleDict"), b")\x81K\x01K\x02s"), "SETITEM on a ModuleDict"),
    # an allowed function with arguments that would allocate from a few bytes
    (_op(_glob("__builtin__", "bytearray"), b"\x8a\x05\x00\x10\xa5\xd4\xe8\x85R"),
     "from bytes or text only"),
    (_op(_glob("numpy", "dtype"), _str("O8"), b"\x89\x88\x87R"), "numeric, bool and string"),
    # persistent ids other than storages
    (_op(b"(", _str("module"), b"K\x01tQ"), "Only persistent_load of storage"),
])
def test_crafted_opcodes_are_refused(data_pkl, message):
    with pytest.raises(pickle.UnpicklingError, match=message):
        load(io.BytesIO(_archive(data_pkl)))
    assert np.dtype(np.float32).byteorder == "="  # NumPy's shared dtype is untouched


def test_frozenset_and_slice_need_allowlisting_as_in_pytorch():
    data = _saved({"f": frozenset({1}), "s": slice(1, 2)})
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL frozenset"):
        load(io.BytesIO(data))
    with safe_globals([frozenset, slice]):
        assert load(io.BytesIO(data)) == {"f": frozenset({1}), "s": slice(1, 2)}


def test_numpy_values_load_by_default_and_torch_needs_them_allowlisted(torch):
    obj = {"a": np.arange(6, dtype=np.int16).reshape(2, 3), "s": np.float32(1.5),
           "u": np.array(["ab", "c"]), "dt": np.dtype(">i4")}
    data = _saved(obj)
    back = load(io.BytesIO(data))
    np.testing.assert_array_equal(back["a"], obj["a"])
    assert back["a"].dtype == np.int16 and back["s"] == np.float32(1.5)
    assert back["dt"] == np.dtype(">i4") and list(back["u"]) == ["ab", "c"]
    with pytest.raises(pickle.UnpicklingError):
        torch.load(io.BytesIO(data), weights_only=True)
    assert torch.load(io.BytesIO(data), weights_only=False)["a"].tolist() == obj["a"].tolist()


# ---------------------------------------------------------- size limits and damage
def _deflated(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
    return buf.getvalue()


def test_a_deflated_storage_bomb_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.pt"
    path.write_bytes(_deflated(_saved({"w": ag.zeros(2_000_000, dtype=np.float64)})))
    assert path.stat().st_size < 100_000  # 16 MB of zeros
    errors = []

    def attempt():
        try:
            load(path, max_bytes=1_000_000)
        except SerializationError as e:
            errors.append(str(e))

    assert peak_bytes(attempt) < 1_000_000
    assert len(errors) == 1
    assert "bomb.pt" in errors[0] and "archive/data/0" in errors[0] and "max_bytes" in errors[0]
    assert load(path)["w"].shape == (2_000_000,)  # within the default limit it loads


def test_a_pickle_beyond_its_limit_is_refused_before_reading(monkeypatch):
    data = _deflated(_saved({"text": " " * (9 * 2 ** 20)}))
    assert len(data) < 100_000
    with pytest.raises(SerializationError, match="its pickle.*archive/data.pkl.*more than the "
                                                 "limit.*max_manifest_bytes"):
        load(io.BytesIO(data))
    assert len(load(io.BytesIO(data), max_manifest_bytes=10 * 2 ** 20)["text"]) == 9 * 2 ** 20
    monkeypatch.setattr(S, "MAX_MANIFEST_BYTES", 10 * 2 ** 20)  # read at each call
    assert len(load(io.BytesIO(data))["text"]) == 9 * 2 ** 20


def test_a_record_declaring_gigabytes_is_refused_at_once():
    src = zipfile.ZipFile(io.BytesIO(_saved({"w": ag.zeros(4)})))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
        zf.getinfo("archive/data/0").file_size = 5 * 10 ** 9  # what the directory declares
    with pytest.raises(SerializationError, match="archive/data/0.*more than the limit"):
        load(io.BytesIO(buf.getvalue()))


def test_an_expanded_view_is_copied_within_the_limit_only():
    """A stride-0 view of one element: saved as such (8 bytes), but loading copies it."""
    small = ag.from_numpy(np.broadcast_to(np.array([7.0]), (3, 2)))
    back = load(io.BytesIO(_saved(small)))
    assert back.tolist() == [[7.0, 7.0]] * 3 and back._data.strides == (16, 8)
    huge = ag.from_numpy(np.broadcast_to(np.array([7.0]), (2 ** 40,)))
    data = _saved(huge)
    assert len(data) < 4000
    errors = []

    def attempt():
        try:
            load(io.BytesIO(data))
        except SerializationError as e:
            errors.append(str(e))

    assert peak_bytes(attempt) < 1_000_000
    assert len(errors) == 1 and "overlapping view" in errors[0] and "max_bytes" in errors[0]


def _doctored(pickle_edit) -> bytes:
    from autograd_core.serialization.pickler import dumps
    data_pkl, storages = dumps({"w": ag.zeros(4)}, 2, None)
    return _archive(pickle_edit(data_pkl), storages)


@pytest.mark.parametrize("edit,message", [
    (lambda p: p.replace(b"K\x04\x85", b"K\x05\x85", 1), "lies outside its storage"),
    (lambda p: re.sub(rb"(X\x03\x00\x00\x00cpuq.)K\x04", lambda m: m.group(1) + b"K\x05", p),
     "holds 16 bytes, but its pickle declares 20"),
    (lambda p: p.replace(b"X\x01\x00\x00\x000", b"X\x01\x00\x00\x009"), "no record "
                                                                       "archive/data/9"),
    (lambda p: p[:-5], "corrupt: its pickle cannot be read"),
])
def test_doctored_pickles_are_refused_as_corrupt(edit, message):
    with pytest.raises(SerializationError, match=message):
        load(io.BytesIO(_doctored(edit)))


def test_truncated_files_give_one_error_naming_the_file(tmp_path):
    data = _saved({"w": ag.ones(100)})
    for n in (0, 3, 30, len(data) // 2, len(data) - 1):
        path = tmp_path / f"cut{n}.pt"
        path.write_bytes(data[:n])
        with pytest.raises(SerializationError, match=f"{path.name}.*(corrupt|truncated|empty)"):
            load(path)


def test_load_arguments_follow_pytorch(tmp_path):
    data = _saved({"w": ag.ones(2)})
    with pytest.raises(RuntimeError, match="explicit pickle_module"):
        load(io.BytesIO(data), pickle_module=pickle)
    assert load(io.BytesIO(data), pickle_module=pickle, weights_only=False)["w"].tolist() == \
        [1.0, 1.0]
    with pytest.raises(ValueError, match="must be a file path in order to use the mmap"):
        load(io.BytesIO(data), mmap=True)
    with pytest.warns(UserWarning, match="pickle_load_args only works if"):
        load(io.BytesIO(data), errors="strict")
    with pytest.warns(UserWarning, match="pickle_load_args only works if"):  # as PyTorch's
        assert load(io.BytesIO(_saved({"s": "é"})), encoding="latin1") == {"s": "é"}
    path = tmp_path / "w.pt"
    path.write_bytes(data)
    mapped = load(path, mmap=True)["w"]
    assert mapped.tolist() == [1.0, 1.0]
    mapped._data[0] = 3.0  # copy-on-write: the file is not changed
    assert load(path)["w"].tolist() == [1.0, 1.0]


def test_serialization_is_a_module_path_as_torch_serialization():
    import importlib
    mod = importlib.import_module("autograd_core.serialization")
    for name in ("save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
                 "safe_globals", "DEFAULT_PROTOCOL", "MAX_BYTES", "write_atomically"):
        assert hasattr(mod, name), name
    assert ag.save is mod.save and ag.load is mod.load
