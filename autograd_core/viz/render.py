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

import os
import pathlib
import shutil
import sys
import threading
from typing import Any

import graphviz
from graphviz.backend import dot_command

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


def dot_program() -> str | None:
    """The program that renders DOT here, or None when there is none."""
    chosen = os.environ.get("AUTOGRAD_CORE_DOT")
    if chosen:
        return shutil.which(chosen) or (chosen if os.path.isfile(chosen) else None)
    here = os.path.dirname(sys.executable)
    return (shutil.which("dot") or shutil.which("graphviz-pure")
            or shutil.which("graphviz-pure", path=here))


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
        return self._run(super().pipe, *args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return self._run(super().render, *args, **kwargs)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except GraphvizNotFound:  # a notebook shows how to fix it, and the DOT text
            return {"text/plain": INSTALL_HINT + "\n\n" + self.source}
