"""The files a training run writes beside its checkpoint: the loss and accuracy curves and
the confusion matrix (PNG, with matplotlib), the model's graph (SVG, with Graphviz's
``dot`` or ``graphviz-pure``) and ``metrics.json``.

Rules: each file replaces the old one in one rename (``write_atomically``), so a folder
never holds half a picture; a picture that cannot be drawn (no matplotlib, no renderer, a
failure while drawing) is a warning, never the loss of a trained model; matplotlib and
graphviz load only when a picture is drawn.

>>> import json, tempfile
>>> from pathlib import Path
>>> from autograd_cli.report import write_metrics
>>> out = Path(tempfile.mkdtemp())
>>> write_metrics(out, {"test_acc": 0.5, "best_val_loss": float("nan")}).name
'metrics.json'
>>> json.loads((out / "metrics.json").read_text())
{'test_acc': 0.5, 'best_val_loss': 'nan'}
"""
from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core.serialization import write_atomically

from .datasets import Splits

__all__ = ["plots", "graph_picture", "write_metrics", "log_scale", "confusion_colours",
           "contrast", "text_colour"]


def _figure(w: float, h: float):
    from matplotlib.figure import Figure  # no pyplot: never touches a notebook's backend
    return Figure(figsize=(w, h), dpi=100, layout="constrained")


def _save_figure(fig: Any, path: Path) -> None:
    """``fig`` as a PNG at ``path``, replacing the old picture in one rename."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    write_atomically(path, lambda f: f.write(buf.getvalue()))


def plots(out: Path, history: list, cm: np.ndarray | None, splits: Splits, title: str,
          test_acc: float | None, warns: list, log: Callable[..., None]) -> dict:
    """Write ``loss.png`` and ``accuracy.png`` (train and validation per epoch in
    ``history``, the best epoch marked, ``test_acc`` as a line when given) and, when ``cm``
    is given, ``confusion_matrix.png`` into ``out``; return ``{name: path}`` of the files
    written. Without matplotlib: a warning in ``warns`` and through ``log``, no files.

    >>> import tempfile
    >>> from autograd_cli.datasets import load_data
    >>> out = Path(tempfile.mkdtemp())
    >>> history = [{"epoch": 1, "train_loss": 0.7, "val_loss": 0.6, "train_acc": 0.5,
    ...             "val_acc": 0.6}]
    >>> sorted(plots(out, history, None, load_data("xor", n_samples=20), "mlp on xor",
    ...              None, [], print))
    ['accuracy', 'loss']
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        msg = ("warning: matplotlib is not installed; no PNG pictures (the [cli] extra brings "
               "it: pip install 'autograd-core[cli]')")
        warns.append(msg)
        log(msg)
        return {}
    files = {}
    epochs = [r["epoch"] for r in history]
    for key, label, name in (("loss", "cross-entropy loss", "loss.png"),
                             ("acc", "accuracy", "accuracy.png")):
        fig = _figure(6, 4)
        ax = fig.add_subplot()
        style = ("o-", "s-") if len(epochs) <= 30 else ("-", "-")
        ax.plot(epochs, [r[f"train_{key}"] for r in history], style[0], label="train")
        ax.plot(epochs, [r[f"val_{key}"] for r in history], style[1], label="validation")
        best = next((r for r in history if r["val_loss"] == min(h["val_loss"] for h in history)),
                    None)
        if best is not None:
            ax.axvline(best["epoch"], color="grey", ls=":", label=f"best epoch {best['epoch']}")
        if key == "acc" and test_acc is not None:
            ax.axhline(test_acc, color="green", ls="--", lw=1, label=f"test {test_acc:.4f}")
        if key == "loss" and log_scale(history):
            ax.set_yscale("log")  # the later epochs are not a flat line at zero
            label += " (log scale)"
        ax.set_xlabel("epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)  # no epoch 1.5
        ax.set_ylabel(label)
        ax.set_title(f"{title}: {label}")
        ax.grid(alpha=0.3, which="both" if ax.get_yscale() == "log" else "major")
        ax.legend()
        _save_figure(fig, out / name)
        files[name.split(".")[0]] = out / name
    if cm is not None:
        k = cm.shape[0]
        size = max(4.5, 0.55 * k + 2.5)
        fig = _figure(size, size + 0.3)
        ax = fig.add_subplot()
        colours = confusion_colours(cm)
        ax.imshow(colours, interpolation="nearest")
        ax.set_xticks(range(k), [str(c) for c in splits.classes], rotation=45, ha="right")
        ax.set_yticks(range(k), [str(c) for c in splits.classes])
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        acc = f", test accuracy {test_acc:.4f}" if test_acc is not None else ""
        ax.set_title(f"{title}: confusion matrix{acc}\ncorrect in blue, errors in red, each "
                     "shaded by its count", fontsize=10)
        fontsize = 10 if k <= 12 else 8
        for i in range(k):
            for j in range(k):
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=fontsize,
                        color=MUTED_TEXT if cm[i, j] == 0 else text_colour(colours[i, j]))
        _save_figure(fig, out / "confusion_matrix.png")
        files["confusion_matrix"] = out / "confusion_matrix.png"
    return files


MUTED_TEXT = "#6b7280"  # the zeros of a confusion matrix: grey, contrast 4.8 on white


def log_scale(history: list) -> bool:
    """Whether the loss curves of ``history`` (train and validation) span more than a
    decade, so that a log axis shows the later epochs, not a flat line at zero.

    >>> log_scale([{"train_loss": 2.3, "val_loss": 1.9}, {"train_loss": 0.05, "val_loss": 0.1}])
    True
    >>> log_scale([{"train_loss": 0.7, "val_loss": 0.6}, {"train_loss": 0.3, "val_loss": 0.2}])
    False
    """
    values = [r[key] for r in history for key in ("train_loss", "val_loss")]
    values = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v) and v > 0]
    return bool(values) and max(values) > 10 * min(values)


def confusion_colours(cm: np.ndarray) -> np.ndarray:
    """The colour (RGBA) of each cell of the confusion matrix ``cm``: the diagonal (correct)
    in blues, the rest (errors) in reds, each shaded by its count relative to the largest
    of its kind, with a floor, so that a cell of one error stands out from the zeros
    (white).

    >>> c = confusion_colours(np.array([[50, 1], [0, 49]]))
    >>> c.shape, bool(c[0, 1, 1] < 0.9), bool(c[1, 0, 1] > 0.9)
    ((2, 2, 4), True, True)
    """
    from matplotlib import colormaps
    cm = np.asarray(cm)
    diag = np.eye(cm.shape[0], dtype=bool)
    colours = np.zeros(cm.shape + (4,))
    for mask, cmap in ((diag, colormaps["Blues"]), (~diag, colormaps["Reds"])):
        vals = cm[mask].astype(float)
        top = max(float(vals.max()), 1.0) if vals.size else 1.0
        colours[mask] = cmap(np.where(vals > 0, 0.3 + 0.7 * vals / top, 0.0))
    colours[cm == 0] = (1.0, 1.0, 1.0, 1.0)  # nothing there: the page's white
    return colours


def _luminance(rgb: Any) -> float:
    """WCAG's relative luminance of an sRGB colour with channels in [0, 1]."""
    c = np.asarray(rgb, dtype=float)[:3]
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])


def contrast(a: Any, b: Any) -> float:
    """WCAG's contrast ratio of two colours (RGB(A) in [0, 1]): 1 to 21; text is readable
    from 4.5.

    >>> round(contrast((0, 0, 0), (1, 1, 1)), 1)
    21.0
    """
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour(cell: Any) -> str:
    """Black or white, whichever reads better on a cell of colour ``cell`` (RGB(A) in
    [0, 1]); either way the contrast is at least 4.5.

    >>> text_colour((0.03, 0.19, 0.42)), text_colour((0.97, 0.98, 1.0))
    ('white', 'black')
    """
    return "white" if contrast(cell, (1, 1, 1)) > contrast(cell, (0, 0, 0)) else "black"


def graph_picture(out: Path, model: Any, splits: Splits, title: str, warns: list,
                  log: Callable[..., None]) -> dict:
    """The model's graph (one forward pass and the loss on two training examples) as
    ``graph.svg`` in ``out``; returns ``{"graph": path}``, or ``{}`` with a warning in
    ``warns`` and through ``log`` when it cannot be drawn.

    >>> import tempfile
    >>> from autograd_cli.datasets import load_data
    >>> from autograd_cli.models import build_model
    >>> from autograd_core.viz import dot_program
    >>> out = Path(tempfile.mkdtemp())
    >>> files = graph_picture(out, build_model("mlp", (2,), 2), load_data("xor", n_samples=20),
    ...                       "mlp on xor", [], lambda *a: None)
    >>> sorted(files) == (["graph"] if dot_program() else [])
    True
    """
    from autograd_core.viz import GraphvizNotFound, draw_graph, record_modules
    try:
        x = ag.from_numpy(splits.x_train[:2])
        y = ag.from_numpy(splits.y_train[:2])
        model.eval()
        with record_modules(model) as rec:
            logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        model.zero_grad()
        picture = draw_graph(loss, modules=rec, names={"input": x, "labels": y, "loss": loss},
                             collapse_modules=True, show_grad=False,
                             title=f"{title}: one forward pass and the loss")
        svg = picture.pipe(format="svg")
    except GraphvizNotFound:
        msg = ("warning: no graph.svg: no graph renderer is installed, neither Graphviz's dot "
               "nor graphviz-pure (the [cli] extra brings graphviz-pure: pip install "
               "'autograd-core[cli]')")
        warns.append(msg)
        log(msg)
        return {}
    except Exception as e:  # a picture must never lose a trained model
        msg = f"warning: no graph.svg: drawing the graph failed: {type(e).__name__}: {e}"
        warns.append(msg)
        log(msg)
        return {}
    write_atomically(out / "graph.svg", lambda f: f.write(svg))
    return {"graph": out / "graph.svg"}


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


def write_metrics(out: Path, metrics: dict) -> Path:
    """Write ``metrics`` as ``out / "metrics.json"`` (indented; NumPy scalars as numbers,
    paths as text, inf and nan as the strings ``"inf"`` and ``"nan"``) and return its path.

    >>> import tempfile
    >>> write_metrics(Path(tempfile.mkdtemp()), {"epochs": np.int64(3)}).read_text()
    '{\\n  "epochs": 3\\n}'
    """
    path = out / "metrics.json"
    text = json.dumps(_jsonable(metrics), indent=2).encode("utf-8")
    write_atomically(path, lambda f: f.write(text))
    return path
