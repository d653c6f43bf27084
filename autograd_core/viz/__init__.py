"""Pictures of compute graphs: ``draw_graph``, and ``record_modules`` to group nodes by nn module.

Viz only reads the graph; it never changes it.

>>> from autograd_core import Value
>>> from autograd_core.viz import draw_graph
>>> a = Value(2.0, label='a')
>>> b = (a * a).tanh(); b.label = 'b'
>>> print(draw_graph(b).source.splitlines()[0])
digraph autograd_graph {
"""
from .draw import DEFAULT_MAX_NODES, Drawing, Frame, draw_graph
from .modules import ModuleRecord, record_modules
from .render import (INSTALL_HINT, GraphPicture, GraphvizNotFound, dot_program,
                     graphviz_pure_program, output_formats, renderer_name)

__all__ = ["draw_graph", "record_modules", "ModuleRecord", "GraphPicture", "GraphvizNotFound",
           "dot_program", "graphviz_pure_program", "output_formats", "renderer_name",
           "Drawing", "Frame", "DEFAULT_MAX_NODES", "INSTALL_HINT"]
