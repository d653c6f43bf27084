"""PyTorch programs written the way published ones are (tests/programs/), run unmodified
under real PyTorch and through ``autograd-core run``, in lockstep.

Each lockstep case runs its program twice, in subprocesses, in float64 with dropout off and
every random draw inside training taken from NumPy:

1. ``python program.py --save-init init.pt --losses torch.json ...``: real PyTorch draws
   the initial weights, writes them in its own file format and trains for 10 steps;
2. ``autograd-core run program.py --load-init init.pt --save-init ours.pt --losses
   ours.json ...``: the same script on this library reads PyTorch's file, writes the
   weights back in PyTorch's format and trains the same 10 steps.

The 10 losses must agree to 1e-10 relative, and so must everything else the programs record
(evaluation losses, learning rates, gradient norms, greedy samples); PyTorch must read
``ours.pt`` back to the very tensors of ``init.pt``. The GPT writes a nanoGPT checkpoint
(model, AdamW state, arguments, best loss) halfway and resumes from one: this library
resumes from PyTorch's, and a third run, on PyTorch, from this library's. Without PyTorch the lockstep cases skip
(under ``CI`` they fail: the ``torch`` fixture of tests/conftest.py). The published
settings (float32, dropout, PyTorch's own random draws) run on this library alone.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROGRAMS = REPO / "tests" / "programs"
STEPS = 10
RTOL = 1e-10
TIMEOUT = 600

# (case, program, the program's arguments for a lockstep run)
LOCKSTEP = [
    ("gpt", "gpt.py", ["--dropout", "0"]),
    ("gpt-manual-attention", "gpt.py", ["--dropout", "0", "--attention", "manual"]),
    ("char-lstm-tied", "char_rnn.py", ["--dropout", "0", "--cell", "lstm", "--tied",
                                       "--n-embd", "32", "--n-hidden", "32"]),
    ("char-gru-manual-sgd", "char_rnn.py", ["--dropout", "0", "--cell", "gru",
                                            "--optimizer", "manual-sgd", "--lr", "2.0"]),
    ("mnist-convnet", "mnist_cnn.py", ["--no-dropout"]),
    ("vae", "vae.py", ["--numpy-noise"]),
    ("dcgan", "dcgan.py", ["--numpy-noise"]),
    # the critic's losses: 4 generator steps of 3 critic steps each
    ("wgan-gp", "wgan_gp.py", ["--numpy-noise"]),
    ("style-transfer", "style_transfer.py", []),
    ("resnet-cosine", "resnet_cifar.py", ["--scheduler", "cosine"]),
    ("resnet-warmup-smoothing", "resnet_cifar.py",
     ["--scheduler", "warmup-cosine", "--label-smoothing", "0.1"]),
    # every closure call's loss is recorded: 2 L-BFGS steps give about 40
    ("sine-lstm-lbfgs", "sine_lstm.py", ["--steps", "2", "--length", "80", "--future", "20"]),
    ("sine-lstm-strong-wolfe", "sine_lstm.py", ["--steps", "2", "--length", "80", "--future", "20",
                                                "--line-search"]),
    # in one process: PyTorch's workers would each draw from a copy of the NumPy stream
    ("infinite-loader", "infinite_loader.py", ["--dropout", "0", "--numpy-data",
                                               "--num-workers", "0"]),
    # a pass of 3 batches: the trainer restarts the loader on StopIteration
    ("infinite-loader-restarts", "infinite_loader.py",
     ["--dropout", "0", "--numpy-data", "--num-workers", "0", "--num-samples", "24"]),
    ("gcn-sparse", "gcn.py", ["--dropout", "0"]),
    ("gcn-legacy-sparse-constructor", "gcn.py", ["--dropout", "0", "--adjacency", "legacy"]),
]

# the published settings, on this library only
PUBLISHED = [
    ("gpt", "gpt.py", ["--compile"]),
    ("char-lstm", "char_rnn.py", ["--cell", "lstm"]),
    ("char-gru", "char_rnn.py", ["--cell", "gru"]),
    ("mnist-convnet", "mnist_cnn.py", []),
    ("vae", "vae.py", []),
    ("dcgan", "dcgan.py", []),
    ("wgan-gp", "wgan_gp.py", []),
    ("style-transfer", "style_transfer.py", []),
    ("resnet", "resnet_cifar.py", ["--scheduler", "multistep"]),
    ("infinite-loader", "infinite_loader.py", []),
    # the published sequences are 1000 samples long and trained for 15 steps (minutes)
    ("sine-lstm", "sine_lstm.py", ["--steps", "1", "--length", "300", "--future", "100"]),
    ("gcn", "gcn.py", []),
]


def _env(ours: bool) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    # two shared cores: one thread each, for PyTorch, BLAS and our kernels
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               AUTOGRAD_CORE_NUM_THREADS="1")
    if ours:
        env["PYTHONPATH"] = str(REPO)
    return env


def _run(cmd: list, ours: bool, cwd: Path) -> None:
    out = subprocess.run(cmd, cwd=cwd, env=_env(ours), capture_output=True, text=True,
                         timeout=TIMEOUT)
    who = "autograd-core" if ours else "PyTorch"
    assert out.returncode == 0, (f"{who} run failed ({out.returncode}): {' '.join(map(str, cmd))}"
                                 f"\n--- stdout\n{out.stdout[-3000:]}\n--- stderr\n"
                                 f"{out.stderr[-5000:]}")


def _through_autograd_core(program: str, args: list) -> list:
    """The command line of ``autograd-core run program args``."""
    return [sys.executable, "-m", "autograd_cli", "run", str(PROGRAMS / program), *args]


def _close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= RTOL * max(abs(a), abs(b))


def _compare(key: str, theirs, ours) -> list[str]:
    if isinstance(theirs, float) or isinstance(ours, float):
        return [] if _close(float(theirs), float(ours)) else [f"{key}: {theirs!r} vs {ours!r}"]
    if isinstance(theirs, list) and isinstance(ours, list):
        if len(theirs) != len(ours):
            return [f"{key}: {len(theirs)} values vs {len(ours)}"]
        return [d for i, (a, b) in enumerate(zip(theirs, ours))
                for d in _compare(f"{key}[{i}]", a, b)]
    return [] if theirs == ours else [f"{key}: {theirs!r} vs {ours!r}"]


def _assert_same_record(theirs_json: Path, ours_json: Path) -> None:
    theirs, ours = json.loads(theirs_json.read_text()), json.loads(ours_json.read_text())
    assert len(theirs["losses"]) >= STEPS and len(ours["losses"]) >= STEPS
    assert all(math.isfinite(x) for x in theirs["losses"][:STEPS])
    losses = _compare("losses", theirs["losses"][:STEPS], ours["losses"][:STEPS])
    assert not losses, "the losses of the first 10 steps differ:\n" + "\n".join(losses)
    assert set(ours) == set(theirs)
    others = [d for key in theirs if key != "losses" for d in _compare(key, theirs[key], ours[key])]
    assert not others, "recorded values differ:\n" + "\n".join(others)


@pytest.mark.parametrize("program,args", [pytest.param(p, a, id=c) for c, p, a in LOCKSTEP])
def test_a_program_runs_in_lockstep_with_pytorch(torch, program, args, tmp_path):
    init, ours_init = tmp_path / "init.pt", tmp_path / "ours_init.pt"
    theirs_json, ours_json = tmp_path / "torch.json", tmp_path / "ours.json"
    common = ["--float64", *args]
    theirs_args, ours_args = [], []
    resumes = program == "gpt.py"  # each side resumes from the other's checkpoint
    if resumes:
        (tmp_path / "torch_ckpt").mkdir()
        (tmp_path / "ours_ckpt").mkdir()
        theirs_args = ["--out-dir", tmp_path / "torch_ckpt"]
        ours_args = ["--out-dir", tmp_path / "ours_ckpt",
                     "--resume-from", tmp_path / "torch_ckpt" / "ckpt.pt"]

    _run([sys.executable, str(PROGRAMS / program), *common, "--save-init", init,
          "--losses", theirs_json, *theirs_args], ours=False, cwd=tmp_path)
    _run(_through_autograd_core(program, [*common, "--load-init", init, "--save-init",
                                          ours_init, "--losses", ours_json, *ours_args]),
         ours=True, cwd=tmp_path)
    _assert_same_record(theirs_json, ours_json)
    if resumes:
        again = tmp_path / "torch_from_ours.json"
        _run([sys.executable, str(PROGRAMS / program), *common, "--load-init", init,
              "--losses", again, "--resume-from", tmp_path / "ours_ckpt" / "ckpt.pt"],
             ours=False, cwd=tmp_path)
        _assert_same_record(theirs_json, again)

    # PyTorch reads the weights as this library wrote them back: the same tensors
    def flat(obj, prefix=""):
        if isinstance(obj, dict):
            return {k: v for key, sub in obj.items() for k, v in flat(sub, f"{prefix}{key}.").items()}
        return {prefix.rstrip("."): obj}

    a, b = flat(torch.load(init)), flat(torch.load(ours_init))
    assert list(a) == list(b)
    for key in a:
        assert a[key].dtype == b[key].dtype and torch.equal(a[key], b[key]), key


@pytest.mark.parametrize("program,args", [pytest.param(p, a, id=c) for c, p, a in PUBLISHED])
def test_a_program_runs_on_autograd_core_with_its_published_settings(program, args, tmp_path):
    losses = tmp_path / "losses.json"
    _run(_through_autograd_core(program, [*args, "--losses", losses]), ours=True, cwd=tmp_path)
    record = json.loads(losses.read_text())
    assert len(record["losses"]) >= STEPS
    assert all(math.isfinite(x) for x in record["losses"])


def test_a_missing_name_stops_a_script_in_one_line(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("from torch.nn.utils.rnn import pad_sequence, no_such_function\n")
    out = subprocess.run(_through_autograd_core(str(script), []), cwd=tmp_path, env=_env(True),
                         capture_output=True, text=True, timeout=TIMEOUT)
    assert out.returncode == 2
    assert out.stderr.strip() == (f"autograd-core run: {script}: torch.nn.utils.rnn.no_such_function"
                                  " is not available in autograd-core")
