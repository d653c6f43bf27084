"""The figure check that the notebooks run under (``notebooks/figure_check.py``).

``tests/test_notebooks.py`` executes every notebook with the check installed in its
kernel and fails on any problem it reports. These tests show, on small figures made
here, that each rule catches what it should and lets a good figure through, starting
with the figure that prompted it: notebook 01's sigmoid plot, whose annotation ran over
the right edge of its axes. They also check the graph pictures (Graphviz SVGs), which do
not go through matplotlib, in the committed notebooks.
"""
from __future__ import annotations

import importlib.util
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the figure check needs matplotlib")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
COLUMN_PT = 720          # a notebook's reading column (960 px), on GitHub and in Jupyter
MIN_SHOWN_PT = 8.0       # the smallest text size a graph picture may shrink to on that column


def _load():
    spec = importlib.util.spec_from_file_location("figure_check", NB_DIR / "figure_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fc = _load()


def figure(w=5.0, h=3.5, **kwargs):
    """A figure like the notebooks' (80 dpi, grid), on an Agg canvas, outside pyplot."""
    fig = Figure(figsize=(w, h), dpi=80, **kwargs)
    FigureCanvasAgg(fig)
    return fig


def sigmoid_figure(fixed: bool):
    """Notebook 01's 'The sigmoid and its derivative', as it was and as it is now."""
    ns = np.linspace(-6, 6, 300)
    sig = 1 / (1 + np.exp(-ns))
    n, y, slope = 1.0, 0.7311, 0.1966
    fig = figure(5.5, 3.5, layout="constrained" if fixed else None)
    ax = fig.add_subplot()
    ax.plot(ns, sig, label=r"$\sigma(n)$")
    ax.plot(ns, sig * (1 - sig), label=r"$\sigma'(n) = \sigma(n)(1 - \sigma(n))$")
    ax.plot([n], [y], "o", color="tab:blue")
    ax.plot([n], [slope], "o", color="tab:orange")
    if fixed:
        ax.annotate(f"our neuron: n = 1\ny = {y:.4f}\nslope {slope:.4f}", xy=(n, slope),
                    xytext=(2.4, 0.3), arrowprops={"arrowstyle": "->"})
    else:   # the cell as committed before the check existed
        ax.annotate(f"our neuron: n = 1\ny = {y:.4f}, slope {slope:.4f}", xy=(n, slope),
                    xytext=(2.2, 0.35), arrowprops={"arrowstyle": "->"})
    ax.set(title="The sigmoid and its derivative", xlabel="n = w1 x1 + w2 x2 + b", ylabel="value")
    ax.legend(loc="upper left")
    return fig


def test_the_old_sigmoid_annotation_is_caught():
    problems = fc.check_figure(sigmoid_figure(fixed=False))
    assert any("our neuron" in p and "runs over the edge of its axes" in p and "right" in p
               for p in problems), problems
    # and without a layout, the x-axis label hangs below the figure
    assert any("extends beyond the figure" in p for p in problems), problems


def test_the_fixed_sigmoid_figure_passes():
    assert fc.check_figure(sigmoid_figure(fixed=True)) == []


def test_small_text_is_caught_and_8_pt_is_fine():
    fig = figure(layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.text(0.5, 0.2, "tiny", fontsize=6.5)
    ax.text(0.5, 0.6, "fine", fontsize=8)
    problems = fc.check_figure(fig)
    assert len(problems) == 1 and "6.5 pt" in problems[0] and "'tiny'" in problems[0], problems


def test_tick_labels_count_as_text():
    fig = figure(layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.tick_params(labelsize=7)
    assert any("at 7 pt" in p for p in fc.check_figure(fig))


def test_a_title_above_the_figure_is_caught():
    fig = figure(layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    fig.suptitle("placed by hand above the top edge", y=1.05)
    problems = fc.check_figure(fig)
    assert any("extends beyond the figure" in p and "top" in p for p in problems), problems
    assert any("cut off by the figure's edge" in p for p in problems), problems


def test_text_clipped_by_its_axes_is_caught():
    fig = figure(layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.text(0.95, 0.5, "a label that does not fit", clip_on=True)
    problems = fc.check_figure(fig)
    assert any("is clipped" in p for p in problems), problems


def test_overlapping_and_touching_texts_are_caught():
    fig = figure(layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.text(0.1, 0.5, "first label")
    ax.text(0.15, 0.5, "second label")
    problems = fc.check_figure(fig)
    assert any("overlap or touch" in p for p in problems), problems


def test_a_legend_over_a_curve_is_caught_and_loc_best_avoids_it():
    x = np.linspace(0, 1, 50)
    for loc, bad in (("upper left", True), ("best", False)):
        fig = figure(layout="constrained")
        ax = fig.add_subplot()
        ax.plot(x, 1 - x, label="falling")       # passes the upper left corner
        ax.plot(x, 0.3 * x, label="low")
        ax.legend(loc=loc)
        problems = fc.check_figure(fig)
        assert any("covers data" in p and "'falling'" in p for p in problems) == bad, (loc, problems)


def test_a_legend_over_bars_is_caught():
    fig = figure(layout="constrained")
    ax = fig.add_subplot()
    ax.bar(np.arange(10), np.r_[1:6, 5:0:-1], label="counts")
    ax.legend(loc="upper center")
    assert any("covers data: bars" in p for p in fc.check_figure(fig))


def test_a_curve_on_a_reference_line_is_caught():
    """Notebook 06's curve that sat on the dotted log 10 line."""
    steps = np.arange(150)
    fig = figure(layout="constrained")
    ax = fig.add_subplot()
    ax.plot(steps, np.log(10) + 0.002 * np.sin(steps), label="stuck")
    ax.plot(steps, 2 * np.exp(-steps / 40), label="learning")
    ax.axhline(np.log(10), color="k", ls=":", lw=1)
    ax.legend(loc="lower left")
    problems = fc.check_figure(fig)
    assert any("the curve 'stuck' runs along a reference line" in p for p in problems), problems


def test_a_path_hidden_under_another_is_caught():
    """Notebook 07's Rosenbrock paths: gradient descent's under Adam's."""
    t = np.linspace(0, 1, 200)
    path = np.c_[t, t ** 2]
    fig = figure(layout="constrained")
    ax = fig.add_subplot()
    ax.plot(*path[:60].T, "o-", ms=2, label="gradient descent")   # a short stretch of the same valley
    ax.plot(*path.T, "o-", ms=2, label="Adam")
    problems = fc.check_figure(fig)
    assert any("'gradient descent' is hidden" in p and "under 'Adam'" in p for p in problems), problems


def test_a_thin_line_on_a_wide_one_shows_both():
    """A target drawn wide and pale with the fit thin on top: both stay visible."""
    x = np.linspace(0, 1, 100)
    fig = figure(layout="constrained")
    ax = fig.add_subplot()
    ax.plot(x, np.sin(3 * x), color="gray", lw=3, alpha=0.5, label="target")
    ax.plot(x, np.sin(3 * x) + 0.002, color="tab:red", lw=1.2, label="fit")
    ax.legend(loc="lower center")
    assert fc.check_figure(fig) == []


def test_black_on_a_dark_cell_is_caught_and_ink_fixes_it():
    """Notebook 11's numbers in a heat map: black on the dark cells."""
    m = np.array([[-1.0, -0.2], [0.3, 1.0]])

    def ink(rgba):                                   # the helper the notebooks use
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
        return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 else "white"

    for fixed in (False, True):
        fig = figure(3, 3, layout="constrained")
        ax = fig.add_subplot()
        im = ax.imshow(m, cmap="coolwarm", vmin=-1, vmax=1)
        ax.set(xticks=[], yticks=[])
        for (i, j), v in np.ndenumerate(m):
            ax.text(j, i, f"{v:.1f}", ha="center", va="center",
                    color=ink(im.to_rgba(v)) if fixed else "black")
        problems = fc.check_figure(fig)
        if fixed:
            assert problems == []
        else:
            assert any("too little contrast" in p and "'-1.0'" in p for p in problems), problems


def test_overlap_ok_lets_an_intended_overlap_through():
    x = np.linspace(0, 1, 100)
    fig = figure(layout="constrained")
    ax = fig.add_subplot()
    ax.plot(x, x ** 2, lw=3, alpha=0.5, label="by hand")
    ax.plot(x, x ** 2, "k--", lw=1, label="engine", gid=fc.OVERLAP_OK)
    ax.legend(loc="upper left")
    assert fc.check_figure(fig) == []


def test_install_checks_every_printed_figure_once():
    before = len(fc.PROBLEMS)
    fc.install()
    fc.install()                                 # idempotent
    fig = sigmoid_figure(fixed=False)
    fig.savefig(io.BytesIO(), format="png")
    fig.savefig(io.BytesIO(), format="png")      # shown twice: reported once
    new = fc.PROBLEMS[before:]
    assert new and all(p["titles"] == "The sigmoid and its derivative" for p in new)
    assert len(new) == len(fc.check_figure(sigmoid_figure(fixed=False)))
    assert json.loads(fc.report())["problems"][-len(new):] == new


def _svg_pictures(path: Path):
    """(cell index, width in pt, smallest font size in pt) of each SVG output."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            svg = out.get("data", {}).get("image/svg+xml")
            if svg is None:
                continue
            svg = "".join(svg) if isinstance(svg, list) else svg
            m = re.search(r"<svg[^>]*\bwidth=\"([\d.]+)pt\"", svg)
            sizes = [float(v) for v in re.findall(r'font-size="([\d.]+)"', svg)]
            if m and sizes:
                yield i, float(m.group(1)), min(sizes)


@pytest.mark.parametrize("path", sorted(NB_DIR.glob("*.ipynb")), ids=lambda p: p.stem)
def test_graph_pictures_are_not_too_wide(path):
    """A Graphviz SVG wider than the page is shrunk to fit: its smallest label must stay 8 pt.

    The page is a reading column of COLUMN_PT (960 px); Jupyter and GitHub scale a wider
    picture down to it, and its labels with it.
    """
    small = []
    for i, width, font in _svg_pictures(path):
        shown = font * min(1.0, COLUMN_PT / width)
        if shown < MIN_SHOWN_PT:
            small.append(f"cell {i}: {width:.0f} pt wide, its {font:g} pt labels shown at {shown:.1f} pt")
    assert not small, (f"{path.name}: graph pictures too wide to read: {small}; draw them top to "
                       "bottom (rankdir='TB') or collapse modules")
