"""Execute every teaching notebook (``notebooks/*.ipynb``) top to bottom.

Each notebook is its own test: it runs in a fresh ``python3`` kernel with
``notebooks/`` as the working directory, from an in-memory copy (the file on disk
is never rewritten), and fails on any cell error. Its execution time is printed
(``pytest -s`` or ``-rA`` shows it) and must stay within the issue's budget of
90 seconds on 2 cores.

Committed notebooks must carry their outputs (they are read on GitHub), from one
clean top-to-bottom run: ``python notebooks/build.py`` makes them so.

The same run checks every figure the notebook shows (``notebooks/figure_check.py``,
installed invisibly in the kernel): nothing outside the figure or cut off, no text under
8 pt, no overlapping texts, no legend over data, no curve hidden under another.

Works under ``pytest -n 2 --dist loadfile``: all notebooks go to one worker and
run one after another there.
"""
from __future__ import annotations

import importlib.util
import os
import re
import time
from datetime import datetime
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need nbformat (pip install -e '.[dev]')")
nbclient = pytest.importorskip("nbclient", reason="the notebook tests need nbclient (pip install -e '.[dev]')")
pytest.importorskip("ipykernel", reason="the notebook tests need ipykernel (pip install -e '.[dev]')")

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))
BUDGET_S = 90.0          # per notebook, the budget (2 cores)
CELL_TIMEOUT_S = 600     # generous: a slow cell should fail on the budget, with its time shown
MAX_BYTES = 2_000_000    # committed notebook size, outputs included: keep figures modest
IGNORED = {"__pycache__", ".ipynb_checkpoints"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colours in kernel tracebacks
# Authoring files that engineers may be saving in this shared tree while the tests run;
# a notebook that writes files writes data, pictures or models, not these.
AUTHORING = (".ipynb", ".ipynb.tmp", ".py", ".md")


def _figure_check():
    spec = importlib.util.spec_from_file_location("figure_check", NB_DIR / "figure_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


figure_check = _figure_check()


def _kernel_env() -> dict:
    env = dict(os.environ)
    # the repository importable even when the package is not installed
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.pop("MPLBACKEND", None)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def _files_under(d: Path) -> set:
    out = set()
    for dirpath, dirnames, filenames in os.walk(d):
        dirnames[:] = [n for n in dirnames if n not in IGNORED]
        out.update(os.path.relpath(os.path.join(dirpath, f), d) for f in filenames
                   if not f.endswith(AUTHORING))
    return out


def _slowest_cells(nb, times: list, k: int = 3) -> str:
    ranked = sorted(((t, i) for i, t in enumerate(times) if t is not None), reverse=True)[:k]
    def first_line(i):
        return (nb.cells[i].source.strip().splitlines() or [""])[0][:40]
    return ", ".join(f"cell {i} ({first_line(i)!r}) {t:.1f} s" for t, i in ranked)


def test_notebooks_found():
    assert NOTEBOOKS, f"no notebooks in {NB_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_with_outputs(path):
    """A reader on GitHub sees outputs, from one clean run (execution counts 1, 2, 3, ...)."""
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code, f"{path.name} has no code cells"
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(code)}: save it after one clean "
        "top-to-bottom run (python notebooks/build.py, or Restart & Run All)")
    assert any(c.outputs for c in code), f"{path.name} was saved without outputs"
    size = path.stat().st_size
    assert size < MAX_BYTES, (f"{path.name} is {size / 1e6:.1f} MB: shrink its figures "
                              "(dpi ~80, small figsize) so the repository stays small")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, record_property):
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:  # run from a clean slate: nothing left over from the saved run
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    before = _files_under(NB_DIR)
    client = figure_check.checking_client(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                          resources={"metadata": {"path": str(NB_DIR)}})
    t0 = time.perf_counter()
    error = None
    try:
        client.execute(env=_kernel_env())
    except nbclient.exceptions.CellExecutionError as e:
        error = ANSI.sub("", str(e))
    seconds = time.perf_counter() - t0
    created = sorted(_files_under(NB_DIR) - before)
    if error is not None:  # outside the except block: one traceback, not two
        also = f"\n(it also wrote {created} into the repository)" if created else ""
        pytest.fail(f"{path.name} failed:\n{error}{also}", pytrace=False)

    times = []
    for cell in nb.cells:
        ex = cell.get("metadata", {}).get("execution", {})
        start, end = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
        if start and end:
            times.append((datetime.fromisoformat(end.replace("Z", "+00:00"))
                          - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds())
        else:
            times.append(None)
    record_property("seconds", round(seconds, 2))
    print(f"\n{path.name}: executed in {seconds:.1f} s (budget {BUDGET_S:.0f} s); "
          f"slowest: {_slowest_cells(nb, times)}")

    assert not created, (f"{path.name} wrote {created} into the repository: write to a "
                         "tempfile.TemporaryDirectory() instead")
    assert seconds < BUDGET_S, (f"{path.name} took {seconds:.1f} s, over the {BUDGET_S:.0f} s "
                                f"budget; slowest: {_slowest_cells(nb, times)}")
    report = client.figure_report
    assert report is not None, f"{path.name}: the figure check did not run"
    # a notebook that draws with matplotlib must have had its figures checked (its pictures
    # may all be Graphviz SVGs, which test_notebook_figures.py measures instead)
    draws = any("matplotlib" in cell.source for cell in nb.cells if cell.cell_type == "code")
    assert report["figures"] > 0 or not draws, f"{path.name}: no figure was checked"
    assert not report["problems"], (
        f"{path.name}: {len(report['problems'])} problem(s) in its figures "
        f"(see notebooks/figure_check.py):\n{figure_check.format_problems(report)}")
