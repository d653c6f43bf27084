"""The Makefile's set-up: what `make demo` and `make test` install, said as they do it, and
a system install tried once (as root) or a note shown once (not root), never every run.

The system-package step runs for real against a scratch VENV, with a PATH of stand-ins
(`id`, `apt-get`) so that no package is installed and both root and non-root are covered.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def make(venv: Path, *targets: str, path: str | None = None, dry: bool = False) -> str:
    env = dict(os.environ, PATH=path or os.environ.get("PATH", ""))
    p = subprocess.run([MAKE, "-s", *(["-n"] if dry else []), "-C", str(REPO),
                        f"VENV={venv}", *targets],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout + p.stderr


def scratch_venv(tmp_path: Path) -> Path:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    py = venv / "bin" / "python"
    py.write_text("#!/bin/sh\nexit 0\n")
    py.chmod(0o755)
    return venv


def stand_ins(tmp_path: Path, uid: int, apt_works: bool) -> tuple[str, Path]:
    """A PATH without dot: `id -u` says ``uid``, `apt-get` logs its calls and fails or not."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    log = tmp_path / "apt.log"
    for name in ("touch", "sh"):
        os.symlink(shutil.which(name), bin_ / name)
    (bin_ / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_ / "apt-get").write_text(f"#!/bin/sh\necho \"$@\" >> {log}\nexit {0 if apt_works else 1}\n")
    for f in ("id", "apt-get"):
        (bin_ / f).chmod(0o755)
    return str(bin_), log


def test_a_failed_graphviz_install_is_tried_once_and_said(tmp_path):
    venv = scratch_venv(tmp_path)
    path, log = stand_ins(tmp_path, uid=0, apt_works=False)
    first = make(venv, "graphviz", path=path)
    assert "installing Debian's graphviz" in first and "failed" in first
    assert "update" in log.read_text()
    calls = log.read_text()
    second = make(venv, "graphviz", path=path)
    assert second == "" and log.read_text() == calls          # not tried again


def test_without_root_the_note_is_shown_once(tmp_path):
    venv = scratch_venv(tmp_path)
    path, log = stand_ins(tmp_path, uid=1000, apt_works=True)
    first = make(venv, "graphviz", path=path)
    assert first.startswith("note: Graphviz's dot is not installed") and "once" in first
    assert make(venv, "graphviz", path=path) == ""
    assert not log.exists()                                      # nothing installed


def test_demo_and_test_install_no_fashion_mnist_and_say_what_they_install(tmp_path):
    venv = tmp_path / "fresh"                      # nothing there: every step is listed
    demo = make(venv, "demo", dry=True)
    assert "[cli]" in demo and "apt-get" not in demo and "fashion" not in demo.lower()
    assert "tqdm, matplotlib and graphviz-pure" in demo
    test = make(venv, "test", dry=True)
    assert "dataset-fashion-mnist" not in test
    assert "pytest, hypothesis" in test and "graphviz" in test


def test_fashion_mnist_only_when_asked(tmp_path):
    text = (REPO / "Makefile").read_text()
    assert "fashion-mnist:" in text
    readme = (REPO / "README.md").read_text()
    assert "make fashion-mnist" in readme
