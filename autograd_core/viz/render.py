"""Rendering: Graphviz's ``dot``, or the ``graphviz-pure`` program when ``dot`` is missing.

``GraphPicture`` is a ``graphviz.Digraph`` (so ``.source``, ``.render()``,
``.pipe()`` and Jupyter's inline display all work as usual) that finds a renderer:

1. the program named by the environment variable ``AUTOGRAD_CORE_DOT``, if set;
2. ``dot`` on the PATH (Debian: ``apt-get install graphviz``);
3. ``graphviz-pure`` (``pip install graphviz-pure``), a Rust port of dot, on the PATH
   or beside the running Python (a virtual environment that is not activated).

Without any of them, rendering raises ``GraphvizNotFound``, which says how to
install one; the DOT text is still there in ``.source``.

>>> from autograd_core.viz.render import GraphPicture
>>> g = GraphPicture()
>>> g.edge('a', 'b')
>>> 'a -> b' in g.source
True
"""
from __future__ import annotations

import functools
import os
import pathlib
import shutil
import subprocess
import sys
import threading
from typing import Any

import graphviz
from graphviz.backend import dot_command

from .style import FONT, SVG_FONT_FAMILY

INSTALL_HINT = (
    "Rendering a graph picture needs Graphviz's 'dot' program, and none was found on the PATH.\n"
    "Install it with one of:\n"
    "  sudo apt-get install graphviz      (Debian, Ubuntu)\n"
    "  brew install graphviz              (macOS)\n"
    "  conda install -c conda-forge graphviz\n"
    "  pip install graphviz-pure          (a self-contained port of dot; used when dot is missing)\n"
    "The DOT text is always available without it: graph.source"
)

_lock = threading.Lock()


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """No ``dot`` (nor ``graphviz-pure``) was found; the message says how to install one."""

    def __init__(self, tried: Any = None) -> None:
        RuntimeError.__init__(self, INSTALL_HINT)
        self.tried = tried

    def __str__(self) -> str:
        return INSTALL_HINT


def graphviz_pure_program() -> str | None:
    """The ``graphviz-pure`` program on the PATH or beside the running Python (the ``bin``
    folder of a virtual environment that is not activated), or None.

    >>> program = graphviz_pure_program()
    >>> program is None or os.path.basename(program).startswith("graphviz-pure")
    True
    """
    return (shutil.which("graphviz-pure")
            or shutil.which("graphviz-pure", path=os.path.dirname(sys.executable)))


def dot_program() -> str | None:
    """The program that renders DOT here (see the module's docstring for the order it
    looks in), or None when there is none.

    >>> program = dot_program()
    >>> program is None or os.path.isfile(program)
    True
    """
    chosen = os.environ.get("AUTOGRAD_CORE_DOT")
    if chosen:
        return shutil.which(chosen) or (chosen if os.path.isfile(chosen) else None)
    return shutil.which("dot") or graphviz_pure_program()


def renderer_name(program: str | None = None) -> str:
    """A short name for the renderer ``program`` (default: :func:`dot_program`'s):
    ``'dot'``, ``'graphviz-pure'``, the file's name for another one, ``'none'`` without one.

    >>> renderer_name("/usr/bin/dot"), renderer_name("/x/.venv/bin/graphviz-pure")
    ('dot', 'graphviz-pure')
    """
    program = program if program is not None else dot_program()
    if program is None:
        return "none"
    base = os.path.basename(program)
    if base.startswith("graphviz-pure"):
        return "graphviz-pure"
    return os.path.splitext(base)[0] if base.lower().endswith(".exe") else base


def output_formats(program: str | None = None) -> frozenset[str]:
    """The output formats (``-T`` values) that ``program`` (default: the renderer
    :func:`dot_program` finds) can write, asked from the program itself (``-T?`` lists
    them); empty without a renderer. Graphviz's ``dot`` writes pdf; ``graphviz-pure``
    does not.

    >>> formats = output_formats()
    >>> not formats or {"svg", "png"} <= formats
    True
    """
    program = program if program is not None else dot_program()
    if program is None:
        return frozenset()
    return _formats_of(program)


@functools.lru_cache(maxsize=8)
def _formats_of(program: str) -> frozenset[str]:
    try:
        p = subprocess.run([program, "-T?"], capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    # 'Format: "?" not recognized. Use one of: canon dot ... svg xdot'
    text = p.stderr + p.stdout
    _, found, listed = text.partition("Use one of:")
    if not found:
        return frozenset({"svg", "png"})  # an old or unusual dot: the formats every one has
    return frozenset(word.split(":")[0] for word in listed.split())


def _svg_fonts(svg: Any) -> Any:
    """``svg`` (text or bytes) with each ``font-family`` of the layout font (``style.FONT``)
    widened to a list of fallbacks (``style.SVG_FONT_FAMILY``): a viewer without that font
    shows a narrower sans-serif, never its default serif."""
    old, new = f'font-family="{FONT}"', f'font-family="{SVG_FONT_FAMILY}"'
    if isinstance(svg, bytes):
        return svg.replace(old.encode(), new.encode())
    return svg.replace(old, new) if isinstance(svg, str) else svg


class GraphPicture(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders with ``dot`` or, failing that, ``graphviz-pure``."""

    def _run(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        program = dot_program()
        if program is None:
            raise GraphvizNotFound()
        if os.path.basename(program).startswith("graphviz-pure"):
            kwargs.setdefault("quiet", True)  # it warns about font widths of non-ASCII text
        with _lock:  # the graphviz package reads the program from a module global
            saved = dot_command.DOT_BINARY
            dot_command.DOT_BINARY = pathlib.Path(program)
            try:
                return method(*args, **kwargs)
            except graphviz.ExecutableNotFound as e:
                raise GraphvizNotFound(program) from e
            finally:
                dot_command.DOT_BINARY = saved

    def pipe(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        out = self._run(super().pipe, *args, **kwargs)
        fmt = kwargs.get("format") or (args[0] if args else None) or self.format
        return _svg_fonts(out) if fmt == "svg" else out

    def render(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        path = self._run(super().render, *args, **kwargs)
        if str(path).endswith(".svg"):
            with open(path, "rb") as f:
                data = f.read()
            with open(path, "wb") as f:
                f.write(_svg_fonts(data))
        return path

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except GraphvizNotFound:  # a notebook shows how to fix it, and the DOT text
            return {"text/plain": INSTALL_HINT + "\n\n" + self.source}
