"""Step through a list of graph pictures in a browser or notebook: a slider, no ipywidgets.

The page is plain HTML: every frame's SVG, each with its text, and a range input
whose small inline handler shows one frame at a time. Where scripts cannot run
(an untrusted notebook) the first frame still shows.

>>> from autograd_core.viz.render import GraphPicture
>>> from autograd_core.viz.slider import StepSlider
>>> a, b = GraphPicture(), GraphPicture()
>>> a.node('x'); b.node('y')
>>> s = StepSlider([a, b], ['before', 'after'])
>>> s.count
2
>>> # s.save('steps.html'), or leave s as the last line of a notebook cell
"""
from __future__ import annotations

import hashlib
import html
from typing import Sequence

from .render import GraphPicture


class StepSlider:
    """Frames (Digraphs) and their texts under one slider; ``.html``, ``.save(path)``, inline in Jupyter."""

    def __init__(self, frames: Sequence[GraphPicture], texts: Sequence[str] | None = None) -> None:
        self.frames = list(frames)
        self.texts = list(texts) if texts is not None else [""] * len(self.frames)
        self._html: str | None = None

    @property
    def count(self) -> int:
        return len(self.frames)

    @property
    def html(self) -> str:
        """The slider as an HTML fragment (renders every frame with dot the first time)."""
        if self._html is None:
            self._html = _page(self.frames, self.texts)
        return self._html

    def _repr_html_(self) -> str:
        return self.html

    def save(self, path: str) -> None:
        """Write a page that opens in any browser."""
        with open(path, "w", encoding="utf-8") as f:
            f.write("<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
                    "<title>Backward, step by step</title></head>\n<body>"
                    f"{self.html}</body></html>\n")


def _page(frames: list[GraphPicture], texts: list[str]) -> str:
    key = "ag" + hashlib.sha1("".join(f.source for f in frames).encode()).hexdigest()[:10]
    divs = []
    for k, frame in enumerate(frames):
        svg = frame.pipe(format="svg", encoding="utf-8")
        svg = svg[svg.find("<svg"):]
        text = texts[k] if k < len(texts) else ""
        pre = f'<pre style="font-size:13px">{html.escape(text)}</pre>' if text else ""
        shown = "block" if k == 0 else "none"
        divs.append(f'<div class="{key}-f" style="display:{shown}">{svg}{pre}</div>')
    last = len(frames) - 1
    show = (f"var fs=document.querySelectorAll('.{key}-f');"
            "for(var i=0;i<fs.length;i++){fs[i].style.display=(i==v)?'block':'none';}"
            f"document.getElementById('{key}-n').textContent=v;"
            f"document.getElementById('{key}-r').value=v;")
    move = (f"var v=Math.max(0,Math.min({last},"
            f"+document.getElementById('{key}-r').value+__D__));{show}")
    return ('<div style="font-family:Helvetica,Arial,sans-serif">'
            f'<button onclick="{move.replace("__D__", "-1")}">&#9664;</button> '
            f'<input id="{key}-r" type="range" min="0" max="{last}" value="0" '
            f'style="width:50%;vertical-align:middle" oninput="var v=+this.value;{show}"> '
            f'<button onclick="{move.replace("__D__", "1")}">&#9654;</button> '
            f'&nbsp;frame <span id="{key}-n">0</span> of {last}'
            + "".join(divs) + "</div>")
