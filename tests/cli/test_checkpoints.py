"""Checkpoints of ``autograd-core train``: an existing run's checkpoint survives a rerun
until a newer complete one replaces it, Ctrl-C reports only what is on disk, and
``evaluate`` turns every doctored checkpoint into one error line and exit status 2 without
allocating what the file asks for."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.serialization as S
import autograd_cli as T
from autograd_cli import checkpoints, datasets, fitting, models
from autograd_cli.cli import main
from tests.helpers import REPO, interrupt_evaluate_on_call

CKPT = "checkpoint.npz"


def train(out: Path, *args: str) -> int:
    return main(["train", "--data", "xor", "--model", "mlp", "--n-samples", "200",
                 "--out", str(out), "--no-progress", "--no-graph", *args])


@pytest.fixture
def earlier_run(tmp_path, capsys):
    """A finished run folder: its checkpoint and metrics bytes."""
    out = tmp_path / "run"
    assert train(out, "--epochs", "1") == 0
    capsys.readouterr()
    return out, {n: (out / n).read_bytes() for n in os.listdir(out)}


# ------------------------------------------------- rerunning into a run folder
def test_ctrl_c_before_the_first_epoch_keeps_the_earlier_runs_folder(earlier_run, monkeypatch,
                                                                      capsys):
    out, files = earlier_run
    interrupt_evaluate_on_call(monkeypatch, 1)
    assert train(out, "--epochs", "3", "--seed", "1") == 130
    for name, data in files.items():
        assert (out / name).read_bytes() == data, name   # checkpoint, metrics, pictures
    err = capsys.readouterr().err
    assert "no checkpoint was saved by this run" in err
    assert f"{out / CKPT} still holds the earlier run's checkpoint, unchanged" in err
    assert "is kept in" not in err


def test_a_crash_before_the_first_epoch_keeps_the_earlier_checkpoint(earlier_run, monkeypatch):
    out, files = earlier_run
    interrupt_evaluate_on_call(monkeypatch, 1, RuntimeError("boom"))
    cfg = T.TrainConfig(model="mlp", data="xor", n_samples=200, epochs=3, seed=1, out=str(out),
                        progress=False, graph=False)
    with pytest.raises(RuntimeError, match="boom"):
        T.run(cfg, log=lambda *a, **k: None)
    assert (out / CKPT).read_bytes() == files[CKPT]
    assert T.load_checkpoint(out)[1]["seed"] == 0


def test_a_crash_while_writing_the_first_checkpoint_keeps_the_earlier_one(earlier_run,
                                                                          monkeypatch):
    out, files = earlier_run

    def broken(fh, *records):
        fh.write(b"half a checkpoint")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(S, "_write_archive", broken)
    cfg = T.TrainConfig(model="mlp", data="xor", n_samples=200, epochs=3, seed=1, out=str(out),
                        progress=False, graph=False)
    with pytest.raises(OSError, match="No space left"):
        T.run(cfg, log=lambda *a, **k: None)
    assert (out / CKPT).read_bytes() == files[CKPT]
    assert sorted(os.listdir(out)) == sorted(files)  # no temp file left either


def test_a_finished_rerun_replaces_the_checkpoint(earlier_run, capsys):
    out, files = earlier_run
    assert train(out, "--epochs", "2", "--seed", "1") == 0
    _, cfg, ckpt = T.load_checkpoint(out)
    m = json.loads((out / "metrics.json").read_text())
    assert cfg["seed"] == 1 and ckpt["epoch"] == m["best_epoch"] == m["checkpoint_epoch"]
    assert m["checkpoint"] == CKPT


def test_ctrl_c_after_the_reruns_first_checkpoint_reports_that_one(earlier_run, monkeypatch,
                                                                   capsys):
    out, _ = earlier_run
    interrupt_evaluate_on_call(monkeypatch, 2)      # during epoch 2's validation
    assert train(out, "--epochs", "5", "--seed", "1") == 130
    _, cfg, ckpt = T.load_checkpoint(out)
    assert cfg["seed"] == 1 and ckpt["epoch"] == 1
    err = capsys.readouterr().err
    assert f"(epoch 1, val loss {ckpt['val_loss']:.4f}" in err and str(out / CKPT) in err
    m = json.loads((out / "metrics.json").read_text())
    assert m["checkpoint"] == CKPT and m["checkpoint_epoch"] == 1 and m["interrupted"]


def test_ctrl_c_while_loading_data_says_the_checkpoint_is_the_earlier_runs(earlier_run,
                                                                          monkeypatch, capsys):
    out, files = earlier_run

    def load_data(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(datasets, "load_data", load_data)
    assert train(out, "--epochs", "3", "--seed", "1") == 130
    err = capsys.readouterr().err
    assert "no checkpoint was saved by this run" in err and "unchanged" in err
    assert "best checkpoint so far" not in err
    assert (out / CKPT).read_bytes() == files[CKPT]


# ------------------------------------------------ Ctrl-C during a checkpoint write
def _interrupt_checkpoint_write(monkeypatch, n: int, after_rename: bool):
    """Ctrl-C during the n-th checkpoint save: halfway through writing it, or just after
    its rename (the new file is on disk, the save has not returned)."""
    calls = {"write": 0, "replace": 0}
    real_write, real_replace = S._write_archive, os.replace

    def write(fh, *records):
        calls["write"] += 1
        if calls["write"] == n and not after_rename:
            fh.write(b"half a checkpoint")
            raise KeyboardInterrupt
        return real_write(fh, *records)

    def replace(src, dst, **kw):
        real_replace(src, dst, **kw)
        if os.path.basename(dst) == CKPT:
            calls["replace"] += 1
            if calls["replace"] == n and after_rename:
                raise KeyboardInterrupt

    monkeypatch.setattr(S, "_write_archive", write)
    monkeypatch.setattr(os, "replace", replace)
    return calls


@pytest.mark.parametrize("after_rename", [False, True])
def test_ctrl_c_during_a_checkpoint_write_reports_the_checkpoint_on_disk(tmp_path, monkeypatch,
                                                                         capsys, after_rename):
    out = tmp_path / "run"
    calls = _interrupt_checkpoint_write(monkeypatch, 2, after_rename)
    assert main(["train", "--data", "moons", "--n-samples", "200", "--epochs", "10",
                 "--patience", "0", "--out", str(out), "--no-progress", "--no-graph"]) == 130
    assert calls["write"] == 2                      # a second checkpoint was being written
    monkeypatch.undo()
    _, _, on_disk = T.load_checkpoint(out)
    m = json.loads((out / "metrics.json").read_text())
    improved = [r["epoch"] for r in m["history"]
                if r["val_loss"] == min(h["val_loss"] for h in m["history"]
                                        if h["epoch"] <= r["epoch"])]
    first, second = improved[0], improved[1]
    # halfway: the first checkpoint stays; after the rename: the second is on disk
    assert on_disk["epoch"] == (second if after_rename else first)
    err = capsys.readouterr().err
    assert (f"the best checkpoint so far (epoch {on_disk['epoch']}, val loss "
            f"{on_disk['val_loss']:.4f}, val accuracy {on_disk['val_acc']:.4f}) is kept in "
            f"{out / CKPT}") in err
    assert m["checkpoint_epoch"] == on_disk["epoch"]
    assert [n for n in os.listdir(out) if n.startswith(".")] == []


def test_ctrl_c_during_the_test_evaluation_reports_the_checkpoint_on_disk(tmp_path,
                                                                         monkeypatch, capsys):
    out = tmp_path / "run"
    interrupt_evaluate_on_call(monkeypatch, 3)    # 2 validations, then the test evaluation
    assert train(out, "--epochs", "2") == 130
    _, _, on_disk = T.load_checkpoint(out)
    err = capsys.readouterr().err
    assert f"(epoch {on_disk['epoch']}, val loss {on_disk['val_loss']:.4f}" in err
    assert f"is kept in {out / CKPT}" in err


# ------------------------------------------------------ doctored checkpoints
@pytest.fixture(scope="module")
def good(tmp_path_factory):
    out = tmp_path_factory.mktemp("good") / "run"
    with open(os.devnull, "w") as devnull:
        from contextlib import redirect_stdout
        with redirect_stdout(devnull):
            assert train(out, "--epochs", "1") == 0
    return out / CKPT


def doctor(good: Path, tmp_path: Path, mutate) -> Path:
    ck = ag.load(good)
    ck = mutate(ck) or ck
    path = tmp_path / "doctored.npz"
    ag.save(ck, path)
    return path


def one_error_line(path: Path, capsys, *extra: str) -> str:
    code = main(["evaluate", str(path), *extra])
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("autograd-core evaluate: error: ")
    assert str(path) in lines[0] and "Traceback" not in captured.err
    assert captured.out == ""
    return lines[0]


def _sd(ck):
    return ck["state_dict"]


def _cfg(ck):
    return ck["config"]


def _setitem(get, key, value):
    def mutate(ck):
        get(ck)[key] = value
    return mutate


def _delitem(get, key):
    def mutate(ck):
        del get(ck)[key]
    return mutate


def _kw(key, value):
    return _setitem(lambda ck: ck["config"]["model_kwargs"], key, value)


DOCTORED = {
    # the state dict
    "renamed key": (lambda ck: _sd(ck).__setitem__("0.wieght", _sd(ck).pop("0.weight")),
                    'Missing key(s) in state_dict: "0.weight"'),
    "transposed weight": (lambda ck: _sd(ck).__setitem__("0.weight", _sd(ck)["0.weight"].T),
                          "size mismatch for 0.weight"),
    "extra key": (_setitem(_sd, "9.weight", ag.zeros(3)), "state_dict"),
    "strings for a bias": (_setitem(_sd, "0.bias", np.array(["x"] * 64)),
                           "state_dict['0.bias'] has dtype <U1"),
    "complex bias": (_setitem(_sd, "0.bias", ag.zeros(64, dtype=np.complex128)),
                     "state_dict['0.bias'] has dtype <c16"),
    "a string for a tensor": (_setitem(_sd, "0.bias", "hello"),
                              "state_dict['0.bias'] is a str"),
    "state_dict a list": (lambda ck: ck.__setitem__("state_dict", [1, 2]),
                          "'state_dict' must be a dict"),
    "no state_dict": (_delitem(lambda ck: ck, "state_dict"), "has no 'state_dict'"),
    # the checkpoint itself
    "no config": (_delitem(lambda ck: ck, "config"), "has no 'config'"),
    "config a string": (lambda ck: ck.__setitem__("config", "mlp"), "'config' must be a dict"),
    "other format": (lambda ck: ck.__setitem__("format", "x"),
                     "not a checkpoint of `autograd-core train`"),
    "newer version": (lambda ck: ck.__setitem__("version", 99), "version 99"),
    "a list": (lambda ck: [1, 2], "not a checkpoint of `autograd-core train`"),
    # config types and values
    "model a number": (_setitem(_cfg, "model", 5), "config['model']"),
    "unknown model": (_setitem(_cfg, "model", "transformer"), "'transformer'"),
    "data a number": (_setitem(_cfg, "data", 5), "config['data']"),
    "unknown data": (_setitem(_cfg, "data", "cifar"), "unknown dataset 'cifar'"),
    "classes a number": (_setitem(_cfg, "classes", 3), "config['classes']"),
    "no classes": (_setitem(_cfg, "classes", []), "config['classes']"),
    "input_shape a string": (_setitem(_cfg, "input_shape", "2"), "config['input_shape']"),
    "input_shape floats": (_setitem(_cfg, "input_shape", [2.5]), "config['input_shape']"),
    "input_shape zero": (_setitem(_cfg, "input_shape", [0]), "config['input_shape']"),
    "input_shape 2-d": (_setitem(_cfg, "input_shape", [1, 2]), "config['input_shape']"),
    "model_kwargs None": (_setitem(_cfg, "model_kwargs", None), "config['model_kwargs']"),
    "hidden_sizes a string": (_kw("hidden_sizes", "64"), "hidden_sizes"),
    "hidden_sizes negative": (_kw("hidden_sizes", [-1]), "hidden_sizes"),
    "hidden_sizes bools": (_kw("hidden_sizes", [True]), "hidden_sizes"),
    "unknown model kwarg": (_kw("activation", "os.system"), "'activation'"),
    "seed a string": (_setitem(_cfg, "seed", "0"), "config['seed']"),
    "seed negative": (_setitem(_cfg, "seed", -1), "config['seed']"),
    "val_fraction 2": (_setitem(_cfg, "val_fraction", 2), "val_fraction"),
    "test_fraction a string": (_setitem(_cfg, "test_fraction", "x"), "test_fraction"),
    "limit 1": (_setitem(_cfg, "limit", 1), "limit"),
    "n_samples zero": (_setitem(_cfg, "n_samples", 0), "config['n_samples']"),
    "data_dir a number": (_setitem(_cfg, "data_dir", 5), "config['data_dir']"),
    "normalization None": (_setitem(_cfg, "normalization", None), "config['normalization']"),
    "no std": (_setitem(_cfg, "normalization", {"mean": [0.0, 0.0]}), "std"),
    "zero std": (lambda ck: _cfg(ck)["normalization"].__setitem__("std", [1.0, 0.0]), "std"),
    "nan mean": (lambda ck: _cfg(ck)["normalization"].__setitem__("mean", [0.0, float("nan")]),
                 "mean"),
    "mean of 3 features": (lambda ck: _cfg(ck)["normalization"].__setitem__("mean", [0.0] * 3),
                           "mean"),
    "mean strings": (lambda ck: _cfg(ck)["normalization"].__setitem__("mean", ["a", "b"]),
                     "mean"),
    # allocations the file asks for
    "hidden 20000x20000": (_kw("hidden_sizes", [20000, 20000]), "its state_dict holds"),
    "hidden 10**6 x 10**6": (_kw("hidden_sizes", [10 ** 6, 10 ** 6]), "limit"),
    "100000 classes": (_setitem(_cfg, "classes", [f"c{i}" for i in range(100_000)]),
                       "its state_dict holds"),
    "10**12 samples": (_setitem(_cfg, "n_samples", 10 ** 12), "n_samples"),
    "hidden 10**400": (_kw("hidden_sizes", [10 ** 400]), "values, about 10^"),
    "resnet of 10**9 blocks": (lambda ck: _cfg(ck).update(
        model="resnet", input_shape=[1, 8, 8], model_kwargs={"widths": [16], "blocks": 10 ** 9},
        normalization={"mean": 0.0, "std": 1.0}),
        "more than the limit"),
    "4000 classes named at length": (_setitem(_cfg, "classes", ["x" * 1000] * 4000),
                                     "its state_dict holds"),
}
for _field in ("model", "data", "input_shape", "classes", "model_kwargs", "normalization",
               "seed", "val_fraction"):
    DOCTORED[f"no {_field}"] = (_delitem(_cfg, _field), f"config has no '{_field}'")


@pytest.mark.parametrize("case", sorted(DOCTORED))
def test_a_doctored_checkpoint_is_one_error_line(good, tmp_path, capsys, monkeypatch, case):
    mutate, fragment = DOCTORED[case]
    path = doctor(good, tmp_path, mutate)
    built = []
    real_build = models.build_model

    def build_model(*args, **kwargs):
        built.append(args)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(models, "build_model", build_model)
    line = one_error_line(path, capsys)
    assert fragment in line
    assert len(line) < 700          # whatever the file holds, the line stays readable
    if case.startswith(("hidden ", "100000", "10**12", "resnet", "4000")):
        assert built == []          # refused from the config, before building anything


def test_huge_configs_allocate_nothing_big(good, tmp_path):
    import tracemalloc
    path = doctor(good, tmp_path, _kw("hidden_sizes", [20000, 20000]))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="its state_dict holds"):
            T.load_checkpoint(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000          # the model it describes would take 1.6 GB


def test_the_model_size_follows_the_byte_limit(good, tmp_path, monkeypatch, capsys):
    """A model bigger than the limit is not built, whatever the file holds: hidden_sizes
    [5000] is 25,002 float32 (100 kB), refused under a 50 kB limit (the file's arrays,
    19 kB, are within it); by default the file is refused as not matching its config."""
    monkeypatch.setattr(S, "MAX_BYTES", 50_000)
    assert main(["evaluate", str(good)]) == 0       # the real model, 18 kB, is fine
    capsys.readouterr()
    path = doctor(good, tmp_path, _kw("hidden_sizes", [5000]))
    line = one_error_line(path, capsys)
    assert "100,008 bytes, more than the limit of 50,000 bytes" in line
    assert "refused before building it" in line
    with pytest.raises(ValueError, match="more than the limit of 40,000 bytes"):
        T.load_checkpoint(path, max_bytes=40_000)
    with pytest.raises(ValueError, match="its state_dict holds 4,482 values, but the model "
                                         "its config describes .* has 25,002"):
        T.load_checkpoint(path, max_bytes=10 ** 6)


def test_activations_beyond_the_limit_are_refused(good, tmp_path, monkeypatch, capsys):
    """A 200,000-wide hidden layer whose weights really are in the file (4 MB, within an
    8 MB limit): evaluating 30 examples at once would take ~50 MB of activations."""
    def mutate(ck):
        ck["config"]["model_kwargs"]["hidden_sizes"] = [200_000]
        ck["state_dict"] = {"0.weight": np.zeros((200_000, 2), np.float32),
                            "0.bias": np.zeros(200_000, np.float32),
                            "2.weight": np.zeros((2, 200_000), np.float32),
                            "2.bias": np.zeros(2, np.float32)}

    path = doctor(good, tmp_path, mutate)
    monkeypatch.setattr(S, "MAX_BYTES", 8_000_000)
    line = one_error_line(path, capsys)
    assert "activations" in line and "limit" in line
    monkeypatch.setattr(S, "MAX_BYTES", 200_000_000)
    assert main(["evaluate", str(path)]) == 0     # the same file, under a higher limit


def test_truncated_checkpoints(good, tmp_path, capsys):
    data = good.read_bytes()
    for n in (0, 10, len(data) // 2, len(data) - 1):
        path = tmp_path / f"cut{n}.npz"
        path.write_bytes(data[:n])
        line = one_error_line(path, capsys)
        assert "corrupt" in line or "truncated" in line or "empty" in line


def test_zip_bombs(good, tmp_path, capsys, monkeypatch):
    # an entry declaring 5 GB (forged in the zip directory): refused by the default limit
    src = zipfile.ZipFile(good)
    forged = tmp_path / "forged.npz"
    with zipfile.ZipFile(forged, "w") as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
        zf.filelist[-1].file_size = 5 * 10 ** 9
    line = one_error_line(forged, capsys)
    assert "limit" in line and zf.filelist[-1].filename in line
    # a real one: 8 MB of zeros beside the weights, deflated to a few kB, 1 MB limit
    bomb = doctor(good, tmp_path, _setitem(lambda ck: ck, "padding", np.zeros(10 ** 6)))
    deflated = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb) as src, zipfile.ZipFile(deflated, "w",
                                                        zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
    assert deflated.stat().st_size < 100_000
    monkeypatch.setattr(S, "MAX_BYTES", 1_000_000)
    assert "limit" in one_error_line(deflated, capsys)


def test_out_of_memory_is_one_error_line(good, monkeypatch, capsys):
    def evaluate(*a, **k):
        raise MemoryError("Unable to allocate 1.00 TiB")

    monkeypatch.setattr(fitting, "evaluate", evaluate)
    assert "out of memory" in one_error_line(good, capsys)


def test_missing_checkpoint_and_folder_are_one_line(tmp_path, capsys):
    assert "no checkpoint at" in one_error_line(tmp_path / "nothing.npz", capsys)
    assert "no checkpoint at" in one_error_line(tmp_path, capsys)


def test_a_doctored_checkpoint_in_a_real_process(good, tmp_path):
    path = doctor(good, tmp_path, _kw("hidden_sizes", "64"))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    p = subprocess.run([sys.executable, "-m", "autograd_cli", "evaluate", str(path)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 2 and len(p.stderr.splitlines()) == 1
    assert "hidden_sizes" in p.stderr and "Traceback" not in p.stderr


def test_the_untouched_checkpoint_still_evaluates(good, tmp_path, capsys):
    path = doctor(good, tmp_path, lambda ck: None)     # a load/save round trip
    assert main(["evaluate", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("test accuracy: ")


# ---------------------------------------------------------- model sizes
@pytest.mark.parametrize("model,shape,classes,kwargs", [
    ("mlp", (2,), 2, {}), ("mlp", (4,), 3, {"hidden_sizes": [32, 16, 8]}),
    ("mlp", (1, 8, 8), 10, {"hidden_sizes": []}),
    ("cnn", (1, 8, 8), 10, {}), ("cnn", (1, 28, 28), 10, {"channels": [4, 8, 16]}),
    ("cnn", (3, 9, 7), 5, {"channels": [6], "hidden": None}),
    ("resnet", (1, 8, 8), 10, {}), ("resnet", (3, 16, 16), 4, {"widths": [8, 8, 16],
                                                              "blocks": [2, 0, 1]}),
    ("attention", (4,), 3, {}), ("attention", (1, 8, 8), 10, {}),
    ("attention", (1, 6, 10), 7, {"d_model": 24, "nhead": 3, "num_layers": 2,
                                  "dim_feedforward": 40}),
])
def test_state_dict_size_from_the_config_matches_the_built_model(model, shape, classes, kwargs):
    kw = {**models.default_model_kwargs(model, "", shape), **kwargs}
    built = T.build_model(model, shape, classes, "", **kw)
    n = sum(int(np.prod(v.shape)) for v in built.state_dict().values())
    assert models.state_dict_size(model, shape, classes, kw) == n


def test_sizes_are_computed_in_closed_form():
    """A doctored ``blocks`` of 10**12 must not make the size computation loop."""
    import time
    t0 = time.perf_counter()
    arch = {"widths": [16, 32], "blocks": [10 ** 12, 10 ** 12]}
    n = models.state_dict_size("resnet", (1, 8, 8), 10, arch)
    a = models.activation_size("resnet", (1, 8, 8), 10, arch)
    assert time.perf_counter() - t0 < 0.1
    assert n > 10 ** 15 and a > 10 ** 15


@pytest.mark.parametrize("data", ["xor", "moons", "circles", "spirals"])
def test_generated_points_stay_within_the_bytes_per_point_bound(data):
    """The n_samples check refuses a config by ``checkpoints._BYTES_PER_GENERATED_SAMPLE``:
    that must bound what ``load_data`` really takes per generated point at its peak."""
    import tracemalloc
    n = 20_000
    datasets.load_data(data, n_samples=100)       # imports and caches outside the count
    tracemalloc.start()
    try:
        datasets.load_data(data, n_samples=n)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= n * checkpoints._BYTES_PER_GENERATED_SAMPLE
