"""``autograd-core train`` / ``evaluate`` and the library behind them (autograd_cli).

Runs are tiny (a few hundred examples, one or two epochs) so the whole file stays fast; the
accuracy targets are measured by hand and by benchmarks, not here.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_core as ag
import autograd_cli as T
from autograd_cli.cli import main
from tests.helpers import REPO, interrupt_evaluate_on_call

PICTURES = ("loss.png", "accuracy.png", "confusion_matrix.png")
FINAL = re.compile(r"^test accuracy: (\d\.\d{4})$")


def train(tmp_path: Path, *args: str, name: str = "run") -> tuple[int, Path]:
    out = tmp_path / name
    code = main(["train", *args, "--out", str(out), "--no-progress"])
    return code, out


def final_accuracy(stdout: str) -> float:
    last = stdout.rstrip("\n").splitlines()[-1]
    m = FINAL.match(last)
    assert m, f"last line {last!r} is not 'test accuracy: 0.xxxx'"
    return float(m.group(1))


def has_dot() -> bool:
    from autograd_core.viz import dot_program
    return dot_program() is not None


@pytest.fixture(scope="module")
def xor_run(tmp_path_factory):
    """One small run shared by the tests that only read its outputs."""
    tmp = tmp_path_factory.mktemp("xor")
    out = tmp / "run"
    import io
    from contextlib import redirect_stdout
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["train", "--data", "xor", "--model", "mlp", "--epochs", "2",
                     "--n-samples", "200", "--out", str(out), "--no-progress"])
    return code, out, buf.getvalue()


# ------------------------------------------------------------------ a run
def test_xor_run_writes_everything_and_ends_with_the_accuracy(xor_run):
    code, out, stdout = xor_run
    assert code == 0
    acc = final_accuracy(stdout)
    for name in ("checkpoint.npz", "metrics.json", *PICTURES):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    for name in PICTURES:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if has_dot():
        svg = (out / "graph.svg").read_text()
        assert "<svg" in svg and "Linear" in svg
    m = json.loads((out / "metrics.json").read_text())
    assert m["test_acc"] == pytest.approx(acc, abs=5e-5)
    assert [r["epoch"] for r in m["history"]] == [1, 2]
    for r in m["history"]:
        assert {"train_loss", "train_acc", "val_loss", "val_acc", "seconds"} <= set(r)
    assert m["args"]["epochs"] == 2 and m["args"]["optimizer"] == "adam"
    assert m["sizes"] == {"train": 140, "val": 30, "test": 30}
    assert np.sum(m["confusion_matrix"]) == 30
    assert m["timings"]["total_seconds"] > 0 and len(m["timings"]["epoch_seconds"]) == 2
    assert m["interrupted"] is False


def test_evaluate_reproduces_the_saved_test_accuracy(xor_run, capsys):
    _, out, stdout = xor_run
    acc = final_accuracy(stdout)
    assert main(["evaluate", str(out / "checkpoint.npz")]) == 0
    assert final_accuracy(capsys.readouterr().out) == acc
    assert main(["evaluate", str(out)]) == 0          # the run folder works too
    assert final_accuracy(capsys.readouterr().out) == acc


def test_checkpoint_rebuilds_the_model(xor_run):
    _, out, _ = xor_run
    model, cfg, ckpt = T.load_checkpoint(out)
    assert cfg["model"] == "mlp" and cfg["data"] == "xor" and cfg["input_shape"] == [2]
    assert ckpt["epoch"] in (1, 2)
    m = json.loads((out / "metrics.json").read_text())
    assert ckpt["epoch"] == m["best_epoch"]
    s = T.load_data("xor", seed=cfg["seed"], n_samples=cfg["n_samples"])
    _, acc, _ = T.evaluate(model, s.x_test, s.y_test)
    assert acc == pytest.approx(m["test_acc"])


def test_digits_cnn_on_a_subset(tmp_path, capsys):
    code, out = train(tmp_path, "--model", "cnn", "--data", "digits", "--epochs", "1",
                      "--limit", "200")
    assert code == 0
    acc = final_accuracy(capsys.readouterr().out)
    model, cfg, _ = T.load_checkpoint(out)
    assert cfg["input_shape"] == [1, 8, 8] and type(model).__name__ == "CNN"
    assert main(["evaluate", str(out)]) == 0
    assert final_accuracy(capsys.readouterr().out) == acc
    if has_dot():
        assert "Conv2d" in (out / "graph.svg").read_text()


@pytest.mark.parametrize("model,data", [("attention", "iris"), ("resnet", "digits"),
                                        ("attention", "digits")])
def test_other_models_round_trip(tmp_path, capsys, model, data):
    code, out = train(tmp_path, "--model", model, "--data", data, "--epochs", "1",
                      "--limit", "120", "--no-graph")
    assert code == 0
    acc = final_accuracy(capsys.readouterr().out)
    assert not (out / "graph.svg").exists()
    assert main(["evaluate", str(out)]) == 0
    assert final_accuracy(capsys.readouterr().out) == acc


def test_fashion_mnist_from_a_folder_of_idx_files(tmp_path, capsys):
    from autograd_core.data import write_idx
    rng = np.random.default_rng(0)
    d = tmp_path / "fm"
    d.mkdir()
    for split, n in (("train", 60), ("t10k", 20)):
        write_idx(d / f"{split}-images-idx3-ubyte.gz",
                  rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(d / f"{split}-labels-idx1-ubyte.gz", (np.arange(n) % 10).astype(np.uint8))
    code, out = train(tmp_path, "--data", "fashion-mnist", "--data-dir", str(d), "--epochs",
                      "1", "--model", "mlp", "--no-graph")
    assert code == 0
    acc = final_accuracy(capsys.readouterr().out)
    m = json.loads((out / "metrics.json").read_text())
    assert m["sizes"] == {"train": 54, "val": 6, "test": 20}    # its own test set
    assert main(["evaluate", str(out)]) == 0                    # remembers --data-dir
    assert final_accuracy(capsys.readouterr().out) == acc


# ------------------------------------------------------- errors and help
@pytest.mark.parametrize("args", [
    ["--model", "transformer"], ["--data", "cifar"], ["--optimizer", "lbfgs"],
    ["--epochs", "0"], ["--epochs", "two"], ["--batch-size", "-3"], ["--lr", "0"],
    ["--lr", "nan"], ["--val-fraction", "1.5"], ["--patience", "-1"],
    ["--weight-decay", "-0.1"], ["--data-dir", "/nonexistent/folder"],
])
def test_bad_options_are_argparse_errors(args, capsys):
    with pytest.raises(SystemExit) as e:
        main(["train", *args])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "usage: autograd-core train" in err and "error:" in err


@pytest.mark.parametrize("args,message", [
    (["--model", "cnn", "--data", "iris"], "needs image data"),
    (["--model", "resnet", "--data", "moons"], "needs image data"),
    (["--data", "digits", "--data-dir", "."], "--data-dir applies to fashion-mnist"),
    (["--data", "mnist"], "--data mnist needs --data-dir"),
    (["--data", "iris", "--n-samples", "10"], "--n-samples applies to generated data"),
    (["--data", "digits", "--val-fraction", "0.5", "--test-fraction", "0.5"], "below 1"),
    (["--data", "xor", "--out", __file__], "is a file, not a folder"),
])
def test_impossible_combinations_are_clear_errors(tmp_path, args, message, capsys):
    if "--out" in args:
        code = main(["train", *args])
    else:
        code, _ = train(tmp_path, *args)
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_fashion_mnist_says_how_to_get_it(tmp_path, capsys):
    code, _ = train(tmp_path, "--data", "fashion-mnist", "--data-dir", str(tmp_path))
    assert code == 2
    err = capsys.readouterr().err
    assert "Fashion-MNIST" in err and "not found" in err and "Traceback" not in err


def test_missing_fashion_mnist_in_a_real_process(tmp_path):
    """The console command itself: the message, no traceback, exit status 2."""
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-m", "autograd_cli", "train", "--data",
                        "fashion-mnist", "--data-dir", str(tmp_path), "--out",
                        str(tmp_path / "o")], capture_output=True, text=True, env=env,
                       cwd=tmp_path, timeout=120)
    assert p.returncode == 2
    assert "autograd-core train: error: Fashion-MNIST" in p.stderr
    assert "Traceback" not in p.stderr


def test_evaluate_errors(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "nothing.npz")]) == 2
    assert "no checkpoint at" in capsys.readouterr().err
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a checkpoint")
    assert main(["evaluate", str(junk)]) == 2
    assert "cannot evaluate" in capsys.readouterr().err
    other = tmp_path / "other.npz"
    ag.save({"weight": ag.ones(2)}, str(other))
    assert main(["evaluate", str(other)]) == 2
    assert "not a checkpoint of `autograd-core train`" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["evaluate", str(other), "--split", "all"])
    assert e.value.code == 2


def test_evaluate_refuses_data_of_another_shape(xor_run, capsys):
    _, out, _ = xor_run
    assert main(["evaluate", str(out), "--data", "iris"]) == 2
    assert "the model takes inputs (2,)" in capsys.readouterr().err


def _help(*cmd: str) -> str:
    from autograd_cli.cli import build_parser
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sub.choices[cmd[0]].format_help(), sub.choices[cmd[0]]


@pytest.mark.parametrize("cmd", ["train", "evaluate"])
def test_help_documents_every_option_and_its_default(cmd):
    text, parser = _help(cmd)
    for action in parser._actions:
        if not action.option_strings or action.dest == "help":
            continue
        assert action.help, f"{action.option_strings} has no help"
        assert "default" in action.help, f"{action.option_strings}: help names no default"
        assert action.option_strings[-1] in text
    if cmd == "train":
        for name in T.DATASETS:
            assert name in text
        assert "test accuracy: 0.xxxx" in text and "130" in text


# -------------------------------------------------------------- Ctrl-C
def test_ctrl_c_keeps_the_best_checkpoint(tmp_path, monkeypatch, capsys):
    interrupt_evaluate_on_call(monkeypatch, 3)   # during epoch 3's validation
    code, out = train(tmp_path, "--data", "moons", "--n-samples", "200", "--epochs", "10")
    assert code == 130
    captured = capsys.readouterr()
    assert "test accuracy" not in captured.out
    ckpt = out / "checkpoint.npz"
    assert ckpt.is_file()
    assert str(ckpt) in captured.err and "interrupted after 2 finished epochs" in captured.err
    m = json.loads((out / "metrics.json").read_text())
    assert m["interrupted"] is True and len(m["history"]) == 2
    _, _, saved = T.load_checkpoint(ckpt)
    assert saved["epoch"] == m["best_epoch"]
    monkeypatch.undo()
    assert main(["evaluate", str(ckpt)]) == 0
    final_accuracy(capsys.readouterr().out)


def test_ctrl_c_before_the_first_epoch_ends(tmp_path, monkeypatch, capsys):
    interrupt_evaluate_on_call(monkeypatch, 1)
    code, out = train(tmp_path, "--data", "moons", "--n-samples", "100", "--epochs", "3")
    assert code == 130
    assert "no checkpoint was saved" in capsys.readouterr().err
    assert not (out / "checkpoint.npz").exists()


def test_fit_returns_best_weights_when_interrupted():
    from autograd_core import nn
    from autograd_core.data import make_moons
    x, y = make_moons(120, noise=0.1, seed=0)
    model = nn.MLP(2, [8], 2)
    snapshots = {}

    def cb(epoch, record):
        snapshots[epoch] = {k: v.numpy().copy() for k, v in model.state_dict().items()}
        if epoch == 3:
            raise KeyboardInterrupt

    r = T.fit(model, (x[:100], y[:100]), (x[100:], y[100:]), epochs=10, lr=0.05,
              progress=False, callbacks=[cb], log=lambda *a: None)
    assert r.interrupted and len(r.history) == 3
    best = snapshots[r.best_epoch]
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), best[k])


# ------------------------------------------------------------ library
def test_early_stopping_stops_and_restores():
    from autograd_core import nn
    from autograd_core.data import make_moons
    x, y = make_moons(200, noise=0.3, seed=1)
    model = nn.MLP(2, [32], 2)
    r = T.fit(model, (x[:40], y[:40]), (x[40:], y[40:]), epochs=200, lr=0.05, batch_size=8,
              patience=3, progress=False, log=lambda *a: None)
    assert r.stopped_early and len(r.history) == r.best_epoch + 3
    val_loss, _, _ = T.evaluate(model, x[40:], y[40:])
    assert val_loss == pytest.approx(min(h["val_loss"] for h in r.history), rel=1e-5)


def test_patience_zero_never_stops_and_keeps_the_best_weights():
    from autograd_core import nn
    from autograd_core.data import make_moons
    x, y = make_moons(200, noise=0.3, seed=1)
    model = nn.MLP(2, [32], 2)
    r = T.fit(model, (x[:40], y[:40]), (x[40:], y[40:]), epochs=25, lr=0.05, batch_size=8,
              patience=0, progress=False, log=lambda *a: None)
    assert not r.stopped_early and len(r.history) == 25
    assert r.best_epoch < 25          # it overfits, so the best epoch is an early one
    val_loss, _, _ = T.evaluate(model, x[40:], y[40:])
    assert val_loss == pytest.approx(min(h["val_loss"] for h in r.history), rel=1e-5)


def test_splits_are_seeded_and_standardised_on_train_only():
    a = T.load_data("digits", seed=3)
    b = T.load_data("digits", seed=3)
    c = T.load_data("digits", seed=4)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_test, c.y_test)
    assert len(a.y_train) + len(a.y_val) + len(a.y_test) == 1797
    assert abs(a.x_train.mean()) < 1e-4 and abs(a.x_train.std() - 1) < 1e-3
    assert abs(a.x_test.mean()) > 1e-4          # statistics of the train split, not refitted
    iris = T.load_data("iris", seed=0)
    np.testing.assert_allclose(iris.x_train.mean(0), 0, atol=1e-5)
    assert len(iris.normalization["mean"]) == 4


def test_models_adapt_to_the_data():
    assert T.build_model("mlp", (1, 8, 8), 10, "digits")(ag.randn(3, 1, 8, 8)).shape == (3, 10)
    assert T.build_model("attention", (4,), 3, "iris")(ag.randn(5, 4)).shape == (5, 3)
    assert T.build_model("attention", (1, 28, 28), 10)(ag.randn(2, 1, 28, 28)).shape == (2, 10)
    with pytest.raises(T.ConfigError, match="needs image data"):
        T.build_model("cnn", (4,), 3, "iris")


def test_graph_is_skipped_with_a_warning_without_dot(tmp_path, monkeypatch, capsys):
    from autograd_core.viz import GraphvizNotFound, render

    def no_dot(self, *args, **kwargs):
        raise GraphvizNotFound()

    monkeypatch.setattr(render.GraphPicture, "pipe", no_dot)
    code, out = train(tmp_path, "--data", "xor", "--n-samples", "100", "--epochs", "1")
    assert code == 0
    captured = capsys.readouterr()
    final_accuracy(captured.out)
    assert "warning: no graph.svg" in captured.out
    assert not (out / "graph.svg").exists()
    assert "no graph.svg" in json.loads((out / "metrics.json").read_text())["warnings"][0]


def test_default_output_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = T.TrainConfig(data="iris").resolved()
    assert cfg.model == "mlp" and cfg.epochs == T.DATASETS["iris"].epochs
    assert re.fullmatch(r"runs/mlp-iris-\d{8}-\d{6}", cfg.out.replace(os.sep, "/"))
    assert T.TrainConfig().resolved().model == "cnn"     # images: cnn by default


@pytest.mark.parametrize("name", ["datasets", "models", "fitting", "checkpoints", "training",
                                  "report"])
def test_docstring_examples(name):
    import doctest
    import importlib
    module = importlib.import_module(f"autograd_cli.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
