"""save/load: exact round trips of every supported kind, the earlier ``.npz`` format still
read, size limits against decompression bombs, and atomic writes. PyTorch interoperability
and the weights-only unpickler are in test_torch_format.py."""
from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from collections import Counter, OrderedDict
from pathlib import Path

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.serialization import SerializationError, load, save
from tests.helpers import REPO, peak_bytes

LEGACY = Path(__file__).resolve().parent / "legacy_npz"


def _roundtrip(obj, **kw):
    buf = io.BytesIO()
    save(obj, buf)
    return load(io.BytesIO(buf.getvalue()), **kw)


def _assert_same(a, b, where="root"):
    assert type(a) is type(b), where
    if isinstance(a, ag.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.requires_grad == b.requires_grad, where
        assert a._data.tobytes() == b._data.tobytes(), where  # bit for bit (NaNs, -0.0)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype and (a == b or (np.isnan(a) and np.isnan(b))), where
    elif isinstance(a, dict):
        assert list(a) == list(b), where  # same keys, same key types, same order
        for k in a:
            assert type(k) is type(list(b)[list(a).index(k)]), where
            _assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, where


def every_kind():
    """What the earlier format could hold, as legacy_npz/legacy_every_kind.npz holds it."""
    rng = np.random.default_rng(0)
    return OrderedDict([
        ("conv.weight", ag.tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32))),
        ("bn.num_batches_tracked", ag.tensor(12345678901234)),  # int64 0-d buffer
        ("bn.running_var", ag.ones(4, dtype=np.float64)),
        ("param", ag.zeros(3, requires_grad=True)),
        ("half", ag.tensor(np.arange(6, dtype=np.float16).reshape(2, 3))),
        ("mask", ag.tensor(np.array([True, False]))),
        ("ints", [np.arange(3, dtype=d) for d in (np.int8, np.uint8, np.int16, np.int32)]),
        ("complex", np.array([1 + 2j, -1j])),
        ("strings", np.array(["a", "bé"])),
        ("np_scalars", (np.float64(1.5), np.int64(-7), np.bool_(True))),
        ("python", {0: 1, -3: "x", 2.5: None, (1, "a"): [], "big": 2 ** 80,
                    "floats": [float("inf"), -0.0, 0.1]}),
        ("optim", {"state": {0: {"step": ag.tensor(3.0), "exp_avg": ag.zeros(2)}},
                   "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0]}]}),
        ("milestones", Counter({30: 1, 80: 2})),
    ])


def test_round_trip_of_every_supported_kind():
    rng = np.random.default_rng(0)
    meta = OrderedDict(w=ag.ones(2))
    meta._metadata = {"": {"version": 1}}  # as nn state dicts of PyTorch carry
    obj = OrderedDict([
        *every_kind().items(),
        ("tensors", [ag.tensor(rng.standard_normal(5).astype(d)) for d in
                     (np.float16, np.float32, np.float64)]
         + [ag.tensor(np.array([-3, 0, 7], dtype=d)) for d in
            (np.int8, np.int16, np.int32, np.int64)]
         + [ag.tensor(np.array([0, 7, 255], dtype=d)) for d in
            (np.uint8, np.uint16, np.uint32, np.uint64)]
         + [ag.tensor(np.array([1 + 2j, np.nan], dtype=d)) for d in (np.complex64,
                                                                     np.complex128)]),
        ("special floats", ag.tensor(np.array([np.nan, -np.inf, -0.0, 1e-45], np.float32))),
        ("empty", ag.zeros(0, 5)), ("scalar", ag.tensor(2.5)),
        ("transposed", ag.from_numpy(np.arange(12.0).reshape(3, 4).T)),
        ("np empty", np.zeros((0, 5), np.float32)),
        ("np transposed", np.arange(12.0).reshape(3, 4).T),
        ("np nan scalar", np.float32(np.nan)), ("np str", np.str_("ünï")),
        ("bytes", [b"", b"\x00\xff raw", bytearray(b"ba")]),
        ("containers", ({1, 2}, set(), (), [], {}, None, True, False)),
        ("numbers", [0, -1, 2 ** 31, -2 ** 63, 2 ** 200, 1.5, float("nan"), 3 + 4j]),
        ("shape", (2, 3)),
        ("with metadata", meta),
        ("unicode ключ", "ünïcödé ✓"),
    ])
    back = _roundtrip(obj)
    _assert_same(obj, back)
    assert isinstance(back, OrderedDict) and isinstance(back["milestones"], Counter)
    assert back["with metadata"]._metadata == {"": {"version": 1}}
    assert back["bn.num_batches_tracked"].item() == 12345678901234
    assert back["python"]["big"] == 2 ** 80 and back["numbers"][4] == 2 ** 200
    assert np.signbit(back["python"]["floats"][1])
    assert back["containers"][0] == {1, 2} and type(back["bytes"][2]) is bytearray


def test_each_pickle_protocol_round_trips():
    obj = every_kind()
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        buf = io.BytesIO()
        save(obj, buf, pickle_protocol=protocol)
        _assert_same(obj, load(io.BytesIO(buf.getvalue())), f"protocol {protocol}")


def test_loaded_arrays_are_writable_and_independent():
    t = ag.ones(3)
    back = _roundtrip({"t": t})["t"]
    back._data[0] = 5
    assert t.tolist() == [1.0, 1.0, 1.0] and back.tolist() == [5.0, 1.0, 1.0]


def test_shared_tensors_stay_shared():
    w = ag.randn(3, 3)
    tied = ag.from_numpy(w._data)      # a second tensor on the same array (tied weights)
    row = ag.from_numpy(w._data[1])    # a view of it
    back = _roundtrip({"a": w, "b": w, "c": tied, "d": [w], "row": row})
    assert back["a"] is back["b"] is back["d"][0]  # one object saved once
    assert back["c"] is not back["a"]
    back["a"]._data[1, 2] = 42.0       # one storage: writing one writes the others
    assert back["c"]._data[1, 2] == 42.0 and back["row"]._data[2] == 42.0
    np.testing.assert_array_equal(back["row"]._data[:2], w._data[1, :2])


def test_optimizer_and_scheduler_state_dicts_round_trip():
    from autograd_core import optim
    from autograd_core.optim.lr_scheduler import OneCycleLR
    w = ag.randn(4, 3, requires_grad=True)
    b = ag.zeros(3, requires_grad=True)
    opt = optim.Adam([w, b], lr=0.01, amsgrad=True)
    sched = OneCycleLR(opt, max_lr=0.1, total_steps=10)
    w.grad, b.grad = ag.ones_like(w), ag.ones_like(b)
    opt.step()
    sched.step()
    sd = {"model": OrderedDict(weight=w.detach(), bias=b.detach(),
                               num_batches_tracked=ag.tensor(3)),
          "optim": opt.state_dict(), "sched": sched.state_dict(), "epoch": 4}
    _assert_same(sd, _roundtrip(sd))


def test_paths_files_and_atomic_replace(tmp_path):
    path = tmp_path / "model.pt"
    save({"v": 1}, path)
    assert os.listdir(tmp_path) == ["model.pt"]
    assert load(path) == {"v": 1} and load(str(path)) == {"v": 1}
    with open(path, "rb") as fh:
        assert load(fh) == {"v": 1}
    with pytest.raises((pickle.PicklingError, AttributeError), match="lambda"):
        save({"v": 2, "bad": lambda: 0}, path)
    assert load(path) == {"v": 1}  # the old checkpoint is untouched
    assert os.listdir(tmp_path) == ["model.pt"]  # and no temporary file is left behind
    with open(tmp_path / "f.bin", "wb") as fh:
        save([ag.zeros(2)], fh)
    assert load(tmp_path / "f.bin")[0].tolist() == [0.0, 0.0]


def test_save_writes_in_one_pass_to_a_stream_that_cannot_seek():
    chunks = []

    class Pipe:
        def write(self, b):
            chunks.append(bytes(b))
            return len(chunks[-1])

    save({"w": ag.arange(5)}, Pipe())
    assert load(io.BytesIO(b"".join(chunks)))["w"].tolist() == [0, 1, 2, 3, 4]


def test_bad_arguments_of_save_are_clear_errors():
    with pytest.raises(AttributeError, match="expected 'f' to be string, path, or a "
                                             "file-like object with a 'write' attribute"):
        save({}, 42)
    with pytest.raises(ValueError, match="pickle_protocol must be an int from 2"):
        save({}, io.BytesIO(), pickle_protocol=0)
    with pytest.raises(ValueError, match="only the standard pickle module"):
        save({}, io.BytesIO(), pickle_module=json)
    with pytest.raises(NotImplementedError, match="pre-1.6 format"):
        save({}, io.BytesIO(), _use_new_zipfile_serialization=False)
    with pytest.raises(TypeError, match="cannot save a tensor of dtype float128"):
        save(ag.from_numpy(np.zeros(2, np.longdouble)), io.BytesIO())


@pytest.mark.parametrize("data,msg", [
    (b"", "is empty"),
    (b"hello, not a checkpoint", "not a checkpoint.*expected a zip archive"),
    (b"PK\x03\x04garbage", "corrupt or truncated"),
])
def test_foreign_bytes_are_refused(data, msg):
    with pytest.raises(SerializationError, match=msg):
        load(io.BytesIO(data))


def test_plain_numpy_files_are_refused_with_a_hint():
    npy, npz = io.BytesIO(), io.BytesIO()
    np.save(npy, np.zeros(3))
    np.savez(npz, w=np.zeros(3))
    with pytest.raises(SerializationError, match="single NumPy .npy array.*numpy.load"):
        load(io.BytesIO(npy.getvalue()))
    with pytest.raises(SerializationError, match="zip archive but not a checkpoint"):
        load(io.BytesIO(npz.getvalue()))


@pytest.fixture(scope="module")
def checkpoint():
    obj = {"w": ag.tensor(np.arange(12, dtype=np.float32).reshape(3, 4)), "n": ag.tensor(7),
           "opt": {"state": {0: {"step": ag.tensor(2.0)}}, "param_groups": [{"lr": 0.1}]}}
    buf = io.BytesIO()
    save(obj, buf)
    return obj, buf.getvalue()


def _every_truncation_is_refused(data):
    for n in range(len(data)):
        with pytest.raises(SerializationError, match="corrupt|truncated|not a checkpoint|empty"):
            load(io.BytesIO(data[:n]))


def _bit_flips_are_refused_or_harmless(obj, data):
    """Any single flipped bit gives SerializationError, or (in bytes that carry no data, such
    as zip dates and alignment padding) the very same content: never another exception,
    never wrong data."""
    refused = 0
    for i in range(len(data)):
        for bit in (0, 6):
            d = bytearray(data)
            d[i] ^= 1 << bit
            try:
                back = load(io.BytesIO(bytes(d)))
            except SerializationError:
                refused += 1
                continue
            _assert_same(obj, back)
    return refused


def test_every_truncation_is_refused(checkpoint):
    _every_truncation_is_refused(checkpoint[1])


def test_bit_flips_are_refused_or_harmless(checkpoint):
    obj, data = checkpoint
    # the flips not refused are in the 64-byte alignment padding and the zip dates
    assert _bit_flips_are_refused_or_harmless(obj, data) > len(data) * 0.8


def test_load_accepts_pytorch_keywords(checkpoint):
    obj, data = checkpoint
    _assert_same(obj, load(io.BytesIO(data), map_location="cpu", weights_only=True))
    _assert_same(obj, load(io.BytesIO(data), weights_only=None, mmap=False))


def test_deflated_archives_still_load(checkpoint):
    """PyTorch and save store records; a re-zipped archive with deflate reads the same."""
    obj, data = checkpoint
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
    _assert_same(obj, load(io.BytesIO(buf.getvalue())))


# ------------------------------------------------ the earlier .npz format, still read
# legacy_npz/legacy_*.npz (beside this file) were written by autograd_core.save before it
# wrote PyTorch's format (commit f485fa7): every_kind() and the ``small`` dict below.
SMALL = {"w": ag.tensor(np.arange(12, dtype=np.float32).reshape(3, 4)), "n": ag.tensor(7),
         "opt": {"state": {0: {"step": ag.tensor(2.0)}}, "param_groups": [{"lr": 0.1}]}}


def test_legacy_checkpoints_still_load():
    _assert_same(every_kind(), load(LEGACY / "legacy_every_kind.npz"))
    _assert_same(SMALL, load(LEGACY / "legacy_small.npz", weights_only=True, map_location="cpu"))
    _assert_same(SMALL, load(LEGACY / "legacy_small.npz", weights_only=False))


def test_legacy_checkpoint_truncations_and_bit_flips_are_refused():
    data = (LEGACY / "legacy_small.npz").read_bytes()
    _every_truncation_is_refused(data)
    assert _bit_flips_are_refused_or_harmless(SMALL, data) > len(data)


def test_legacy_load_never_unpickles(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("pickle was used")

    from autograd_core.serialization import unpickler
    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(unpickler.WeightsOnlyUnpickler, "load", boom)
    _assert_same(SMALL, load(LEGACY / "legacy_small.npz"))


class _Exploit:
    """Unpickling this calls a function: the classic pickle payload."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))  # creating the marker file proves code ran


def test_pickled_object_array_inside_a_legacy_archive_is_refused(tmp_path):
    """A doctored archive: valid manifest, but the array member is a pickled object array."""
    marker = tmp_path / "pwned"
    evil = io.BytesIO()
    with zipfile.ZipFile(LEGACY / "legacy_small.npz") as src, zipfile.ZipFile(evil, "w") as dst:
        for name in src.namelist():
            if name == "a0.npy":
                payload = io.BytesIO()
                np.save(payload, np.array([_Exploit(str(marker))], dtype=object),
                        allow_pickle=True)
                dst.writestr(name, payload.getvalue())
            else:
                dst.writestr(name, src.read(name))
    with pytest.raises(SerializationError, match="pickled object array"):
        load(io.BytesIO(evil.getvalue()))
    assert not marker.exists()


def _with_manifest(manifest: dict, arrays=None) -> bytes:
    buf = io.BytesIO()
    kw = {"__autograd_core_manifest__": np.frombuffer(json.dumps(manifest).encode(), np.uint8)}
    kw.update(arrays or {})
    np.savez(buf, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("manifest,arrays,msg", [
    ({"format": "something else", "version": 1, "root": 1}, None, "unknown manifest format"),
    ({"format": "autograd_core.save", "version": 99, "root": 1, "tensors": [], "arrays": {}},
     None, "version 99"),
    ({"format": "autograd_core.save", "version": 1, "root": {"$ndarray": "a0"}, "tensors": [],
      "arrays": {}}, None, "'a0' is referenced but missing"),
    ({"format": "autograd_core.save", "version": 1, "root": {"$ndarray": "a0"}, "tensors": [],
      "arrays": {"a0": {"dtype": "<f8", "shape": [2]}}}, {"a0": np.zeros(3)},
     "has dtype <f8 and shape \\[3\\], but the manifest says <f8 and \\[2\\]"),
    ({"format": "autograd_core.save", "version": 1, "root": {"$tensor": 5}, "tensors": [],
      "arrays": {}}, None, "bad tensor reference 5"),
    ({"format": "autograd_core.save", "version": 1, "root": {"$evil": "os.system"},
      "tensors": [], "arrays": {}}, None, "unknown manifest entry"),
])
def test_doctored_legacy_manifests_are_refused(manifest, arrays, msg):
    with pytest.raises(SerializationError, match=msg):
        load(io.BytesIO(_with_manifest(manifest, arrays)))


def test_legacy_member_larger_than_declared_is_refused_before_reading():
    """A doctored archive whose member inflates far beyond its declared shape (a zip bomb)."""
    manifest = {"format": "autograd_core.save", "version": 1, "root": {"$ndarray": "a0"},
                "tensors": [], "arrays": {"a0": {"dtype": "<f8", "shape": [2]}}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        raw = json.dumps(manifest).encode()
        for name, arr in (("__autograd_core_manifest__.npy", np.frombuffer(raw, np.uint8)),
                          ("a0.npy", np.zeros(2_000_000))):
            member = io.BytesIO()
            np.save(member, arr)
            zf.writestr(name, member.getvalue())
    assert len(buf.getvalue()) < 100_000  # 16 MB of zeros deflate to a few kB
    with pytest.raises(SerializationError, match="more than its declared dtype <f8 and shape"):
        load(io.BytesIO(buf.getvalue()))


# ---------------------------------------- size limits of the .npz format (bombs)
MANIFEST_NAME = "__autograd_core_manifest__.npy"


def _npy(arr) -> bytes:
    b = io.BytesIO()
    np.save(b, arr, allow_pickle=False)
    return b.getvalue()


def _archive(manifest: dict, members: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A hand-made archive: the manifest (as we write it) and raw ``.npy`` members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        zf.writestr(MANIFEST_NAME, _npy(np.frombuffer(json.dumps(manifest).encode(), np.uint8)))
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _one_array_manifest(dtype: str, shape: list) -> dict:
    return {"format": "autograd_core.save", "version": 1, "root": {"$ndarray": "a0"},
            "tensors": [], "arrays": {"a0": {"dtype": dtype, "shape": shape}}}


def test_deflate_bomb_is_refused_before_inflating(tmp_path):
    """8 MB of zeros deflate to ~8 kB: with a 1 MB limit the file is refused from the sizes
    its zip directory declares, before anything is inflated; the error names the file, the
    entry and how to raise the limit."""
    n = 1_000_000
    path = tmp_path / "bomb.npz"
    path.write_bytes(_archive(_one_array_manifest("<f8", [n]), {"a0.npy": _npy(np.zeros(n))}))
    assert path.stat().st_size < 50_000
    errors = []

    def attempt():
        try:
            load(path, max_bytes=1_000_000)
        except SerializationError as e:
            errors.append(str(e))

    assert peak_bytes(attempt) < 1_000_000
    assert len(errors) == 1
    msg = errors[0]
    assert "bomb.npz" in msg and "a0.npy" in msg and "8000128" in msg and "max_bytes" in msg
    assert load(path, max_bytes=9_000_000).shape == (n,)  # under a higher limit it loads


def test_module_level_limit_applies_and_is_read_at_call_time(tmp_path, monkeypatch):
    import autograd_core.serialization as S
    n = 500_000
    data = _archive(_one_array_manifest("<f8", [n]), {"a0.npy": _npy(np.zeros(n))})
    assert load(io.BytesIO(data)).shape == (n,)
    monkeypatch.setattr(S, "MAX_BYTES", 1_000_000)
    with pytest.raises(SerializationError, match="a0.npy.*MAX_BYTES"):
        load(io.BytesIO(data))
    assert load(io.BytesIO(data), max_bytes=5_000_000).shape == (n,)  # the keyword wins


def test_default_limit_refuses_a_file_declaring_gigabytes(tmp_path):
    """The zip directory declares 5 GB for one entry (a forged size; a real one would take
    minutes to build): refused at once by the default limit, nothing inflated."""
    good = _archive(_one_array_manifest("<f8", [4]), {"a0.npy": _npy(np.zeros(4))})
    src = zipfile.ZipFile(io.BytesIO(good))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
        zf.filelist[-1].file_size = 5 * 10 ** 9   # what the central directory will declare
    errors = []

    def attempt():
        try:
            load(io.BytesIO(buf.getvalue()))
        except SerializationError as e:
            errors.append(str(e))

    assert peak_bytes(attempt) < 1_000_000
    assert len(errors) == 1 and "a0.npy" in errors[0] and "limit" in errors[0]


def test_header_shape_beyond_the_entry_size_is_refused_before_allocating():
    """A member whose .npy header declares 2**40 float64s (8 TB), consistent with the
    manifest, in a tiny entry: refused from the header, before the array is allocated."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (2 ** 40,)})
    data = _archive(_one_array_manifest("<f8", [2 ** 40]), {"a0.npy": header.getvalue() + b"x" * 64})
    with pytest.raises(SerializationError, match=r"header of entry 'a0\.npy' declares.*8\.0 TiB.*refused before allocating"):
        load(io.BytesIO(data))


def test_manifest_bomb_is_refused_before_inflating(tmp_path):
    """A valid manifest padded with 9 MB of JSON whitespace deflates to ~10 kB; it is
    refused by the manifest limit (default 8 MiB) before it is inflated or parsed."""
    path = tmp_path / "manifest-bomb.npz"
    text = json.dumps({"format": "autograd_core.save", "version": 1, "root": 1, "tensors": [],
                       "arrays": {}}).encode() + b" " * (9 * 2 ** 20)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST_NAME, _npy(np.frombuffer(text, np.uint8)))
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 100_000
    errors = []

    def attempt():
        try:
            load(path)
        except SerializationError as e:
            errors.append(str(e))

    assert peak_bytes(attempt) < 2_000_000
    assert len(errors) == 1
    assert "manifest-bomb.npz" in errors[0] and "manifest" in errors[0]
    assert "max_manifest_bytes" in errors[0]
    assert load(path, max_manifest_bytes=10 * 2 ** 20) == 1


def test_bzip2_and_lzma_members_are_refused():
    """Their decompressors cannot be bounded per read; we only write stored members, and
    deflated ones (numpy.savez_compressed) can be read in bounded steps."""
    data = _archive(_one_array_manifest("<f8", [3]), {"a0.npy": _npy(np.zeros(3))},
                    compression=zipfile.ZIP_BZIP2)
    with pytest.raises(SerializationError, match="compress"):
        load(io.BytesIO(data))


@pytest.mark.parametrize("kw,value,exc", [("max_bytes", -1, ValueError),
                                          ("max_bytes", 1.5, TypeError),
                                          ("max_bytes", True, TypeError),
                                          ("max_manifest_bytes", "8MB", TypeError)])
def test_bad_limits_are_clear_errors(checkpoint, kw, value, exc):
    with pytest.raises(exc, match=kw):
        load(io.BytesIO(checkpoint[1]), **{kw: value})


# --------------------------------------------------- temp files and fsync
# --------------------------------------------------- temp files and fsync
def _saver_process(folder, block: bool):
    """A process saving 2 MB to folder/ckpt.npz that, mid-write, either kills itself
    (SIGKILL: no cleanup runs) or waits for a line on stdin before finishing."""
    import subprocess
    import sys
    code = f"""
import os, signal, sys
import numpy as np
import autograd_core.serialization as S
real = S._write_archive
def write(fh, *records):
    if {block!r}:
        print("writing", flush=True)
        sys.stdin.readline()
        return real(fh, *records)
    fh.write(b"x" * 1_000_000)
    fh.flush()
    os.kill(os.getpid(), signal.SIGKILL)
S._write_archive = write
S.save({{"w": np.ones(250_000)}}, os.path.join({str(folder)!r}, "ckpt.npz"))
print("saved", flush=True)
"""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)


def test_a_killed_save_leaves_a_temp_file_that_the_next_save_removes(tmp_path):
    seen = set()
    for _ in range(3):  # each killed save removes the one before: they never pile up
        p = _saver_process(tmp_path, block=False)
        p.communicate(timeout=120)
        assert p.returncode == -9
        stale = [n for n in os.listdir(tmp_path) if n != "ckpt.npz"]
        assert len(stale) == 1 and stale[0].startswith(".")  # hidden, 1 MB
        assert (tmp_path / stale[0]).stat().st_size == 1_000_000
        seen.add(stale[0])
    assert len(seen) == 3
    save({"v": 1}, tmp_path / "ckpt.npz")
    assert os.listdir(tmp_path) == ["ckpt.npz"] and load(tmp_path / "ckpt.npz") == {"v": 1}


def test_a_live_save_in_another_process_is_left_alone(tmp_path):
    p = _saver_process(tmp_path, block=True)
    try:
        assert p.stdout.readline().strip() == "writing"
        temp = [n for n in os.listdir(tmp_path)]
        assert len(temp) == 1
        save({"v": 1}, tmp_path / "other.npz")            # cleans stale files, not this one
        assert sorted(os.listdir(tmp_path)) == sorted(temp + ["other.npz"])
        out, _ = p.communicate("go\n", timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0 and out.strip().endswith("saved")
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz", "other.npz"]
    assert load(tmp_path / "ckpt.npz")["w"].shape == (250_000,)


def test_other_files_are_never_removed(tmp_path):
    names = [".tmp-notours", "notes.tmp", ".autograd-core-save-x.tmp.bak", "a.save",
             ".tmp-abcd1234.save.keep", "ckpt.npz.part"]
    for n in names:
        (tmp_path / n).write_bytes(b"keep me")
    save({"v": 1}, tmp_path / "ckpt.npz")
    assert sorted(os.listdir(tmp_path)) == sorted(names + ["ckpt.npz"])


def test_old_temp_files_of_earlier_versions_are_removed_once_an_hour_old(tmp_path):
    """Earlier versions named their temp files ``.tmp-XXXXXXXX.save`` and could not say
    whether a writer was still alive: such a file is removed once it is an hour old."""
    import time
    old, fresh = tmp_path / ".tmp-k3j_x9a2.save", tmp_path / ".tmp-q8w2e4r6.save"
    old.write_bytes(b"x" * 1000)
    fresh.write_bytes(b"x" * 1000)
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    save({"v": 1}, tmp_path / "ckpt.npz")
    assert sorted(os.listdir(tmp_path)) == sorted(["ckpt.npz", fresh.name])


def test_save_fsyncs_the_file_before_the_rename_and_the_folder_after(tmp_path, monkeypatch):
    import stat
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append("fsync dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(src, dst, **kw):
        events.append("rename")
        real_replace(src, dst, **kw)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    save({"w": ag.ones(3)}, tmp_path / "ckpt.npz")
    assert events == ["fsync file", "rename", "fsync dir"]
    assert load(tmp_path / "ckpt.npz")["w"].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.skipif(os.name == "nt", reason="POSIX flock")
def test_a_temp_file_removed_before_its_writer_locked_it_is_made_again(tmp_path, monkeypatch):
    """The race the lock protocol closes: a cleaner in another process removes a just-made
    temp file before its writer locks it. The writer notices and starts a new one."""
    import fcntl
    real = fcntl.flock
    removed = []

    def flock(fd, op):
        if op == fcntl.LOCK_EX and not removed:  # the writer's blocking lock, first time
            for n in os.listdir(tmp_path):
                if n.startswith(".autograd-core-save-"):
                    os.unlink(tmp_path / n)
                    removed.append(n)
        return real(fd, op)

    monkeypatch.setattr(fcntl, "flock", flock)
    save({"v": 1}, tmp_path / "ckpt.npz")
    assert len(removed) == 1
    assert os.listdir(tmp_path) == ["ckpt.npz"] and load(tmp_path / "ckpt.npz") == {"v": 1}
