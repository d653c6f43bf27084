"""Build the teaching notebooks: Python source -> executed ``.ipynb`` with outputs.

Each notebook is written as a plain Python file in ``notebooks/src/`` (reviewable,
diff-friendly), then turned into ``notebooks/<same name>.ipynb``, executed top to
bottom in a fresh ``python3`` kernel and saved *with* its outputs, so it reads well
on GitHub. Nothing is written if a cell fails.

    python notebooks/build.py                    # every notebooks/src/*.py
    python notebooks/build.py 02 04              # only the sources whose name starts so
    python notebooks/build.py --run 05_xor.ipynb # re-execute a notebook edited in Jupyter, in place

Source format: the "percent" format of jupytext (``jupytext --to ipynb`` reads it too).
A line ``# %%`` starts a code cell, ``# %% [markdown]`` a markdown cell, whose lines
all start with ``#`` (the ``# `` prefix is removed)::

    # %% [markdown]
    # # A title
    # Some *markdown*.

    # %%
    x = 1 + 1
    x

Kernels run with ``notebooks/`` as the working directory and the repository root on
``PYTHONPATH``, so ``import autograd_core`` works whether or not the package is
installed. ``tests/test_notebooks.py`` executes every ``notebooks/*.ipynb`` the same way.

Both also check every figure a notebook shows (``figure_check.py``: nothing outside the
figure or cut off, no text under 8 pt, no overlapping texts, no legend over data, no
curve hidden under another). The builder still writes the notebook, prints what it found
and exits with status 1.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SRC = HERE / "src"
BUDGET_S = 90.0  # the budget per notebook, on 2 cores
CELL_TIMEOUT_S = 600

if str(HERE) not in sys.path:      # figure_check.py lives next to this file
    sys.path.insert(0, str(HERE))

_MARKER = re.compile(r"^# %%(?P<rest>.*)$")


def parse_percent(text: str) -> list[tuple[str, str]]:
    """Split percent-format source into ``[(kind, source)]``, kind 'code' or 'markdown'."""
    cells: list[tuple[str, list[str]]] = []
    kind, lines = None, []
    for line in text.splitlines():
        m = _MARKER.match(line)
        if m:
            if kind is not None:
                cells.append((kind, lines))
            kind = "markdown" if "[markdown]" in m.group("rest") else "code"
            lines = []
        elif kind is None:
            if line.strip():  # a module docstring or header before the first cell
                raise ValueError(f"text before the first '# %%' marker: {line!r}")
        else:
            lines.append(line)
    if kind is not None:
        cells.append((kind, lines))
    out = []
    for kind, lines in cells:
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if kind == "markdown":
            md = []
            for ln in lines:
                if ln == "#":
                    md.append("")
                elif ln.startswith("# "):
                    md.append(ln[2:])
                else:
                    raise ValueError(f"markdown lines must start with '# ': {ln!r}")
            lines = md
        if lines:
            out.append((kind, "\n".join(lines)))
    return out


def to_notebook(cells: list[tuple[str, str]]):
    """An unexecuted nbformat v4 notebook, with stable cell ids (no churn on rebuild)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, source) in enumerate(cells):
        cell = (nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell)(source)
        cell["id"] = f"cell-{i:02d}"
        nb.cells.append(cell)
    return nb


def kernel_env() -> dict:
    """The environment kernels start in: the repo importable, inline matplotlib."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.pop("MPLBACKEND", None)  # an inherited Agg would hide every figure
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiets a debugger warning
    return env


def execute(nb, cwd: Path = HERE, timeout: int = CELL_TIMEOUT_S) -> tuple[float, dict]:
    """Execute ``nb`` in place in a fresh ``python3`` kernel, checking its figures.

    Returns the seconds it took and ``figure_check``'s report (``report["problems"]``).
    """
    from figure_check import checking_client

    client = checking_client(nb, timeout=timeout, kernel_name="python3",
                             resources={"metadata": {"path": str(cwd)}}, record_timing=False)
    t0 = time.perf_counter()
    client.execute(env=kernel_env())  # passed on to the kernel manager's start_kernel
    return time.perf_counter() - t0, client.figure_report


def coalesce_streams(nb) -> None:
    """Merge consecutive stdout (or stderr) outputs of a cell, as Jupyter displays them."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for out in cell.outputs:
            if (out.output_type == "stream" and merged and merged[-1].output_type == "stream"
                    and merged[-1].name == out.name):
                merged[-1].text += out.text
            else:
                merged.append(out)
        cell.outputs = merged


def save(nb, path: Path) -> None:
    import nbformat

    coalesce_streams(nb)
    nbformat.validate(nb)
    tmp = path.with_suffix(".ipynb.tmp")
    nbformat.write(nb, str(tmp))
    tmp.replace(path)


def build(src: Path) -> tuple[float, dict]:
    nb = to_notebook(parse_percent(src.read_text(encoding="utf-8")))
    seconds, report = execute(nb)
    save(nb, HERE / (src.stem + ".ipynb"))
    return seconds, report


def rerun(path: Path) -> tuple[float, dict]:
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    seconds, report = execute(nb)
    save(nb, path)
    return seconds, report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="source name prefixes (default: all of notebooks/src)")
    ap.add_argument("--run", nargs="+", metavar="NOTEBOOK", type=Path,
                    help="re-execute these .ipynb files in place instead of building from source")
    args = ap.parse_args(argv)
    if args.run:
        jobs = [(p, rerun) for p in args.run]
    else:
        srcs = sorted(SRC.glob("*.py"))
        if args.names:
            srcs = [s for s in srcs if any(s.name.startswith(n) for n in args.names)]
        if not srcs:
            print("no matching sources in", SRC, file=sys.stderr)
            return 2
        jobs = [(s, build) for s in srcs]
    from figure_check import format_problems

    failed = 0
    for path, fn in jobs:
        seconds, report = fn(path)
        flag = "" if seconds < BUDGET_S else f"  OVER the {BUDGET_S:.0f} s budget"
        problems = report["problems"]
        if problems:
            flag += f"  {len(problems)} figure problem(s):\n{format_problems(report)}"
        failed += bool(flag)
        print(f"{path.stem}: executed in {seconds:.1f} s (kernel CPU {report.get('cpu_s', 0):.1f} s), "
              f"{report['figures']} figures checked{flag}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
