"""Colours and shapes that teach: one look tells inputs, parameters, ops, the output and gradients apart.

Colours are light fills with dark borders (readable when projected, in print and
for the common kinds of colour blindness, since each role also has its own border
style or shape).

>>> from autograd_core.viz.style import ROLE_STYLE
>>> sorted(ROLE_STYLE)
['constant', 'input', 'intermediate', 'output', 'parameter']
"""
from __future__ import annotations

# DejaVu Sans lays the text out: Graphviz's dot and graphviz-pure both know its widths,
# and it is wider than the sans-serif fonts a viewer may show instead (Arial, Helvetica,
# Liberation Sans), so text fits its box in any of them. With Helvetica, a viewer without
# it draws DejaVu Sans into boxes measured for Helvetica, and the text runs over.
FONT = "DejaVu Sans"
# What an SVG asks the viewer for: DejaVu Sans, else a narrower sans-serif.
SVG_FONT_FAMILY = "DejaVu Sans,Arial,Helvetica,sans-serif"

GRAD_COLOUR = "#c2410c"        # gradients: burnt orange text, everywhere
HIGHLIGHT_COLOUR = "#dc2626"   # the backward step being explained
EDGE_COLOUR = "#6b7280"
MUTED_COLOUR = "#6b7280"       # secondary text (shapes, dtypes)
BACKGROUND = "#ffffff"         # also the colour of edge labels that only keep room

ROLE_STYLE: dict[str, dict[str, str]] = {
    # leaves the gradient is for: inputs and variables
    "input": {"fillcolor": "#dbeafe", "color": "#1d4ed8", "style": "filled,rounded"},
    # leaves that are a model's parameters
    "parameter": {"fillcolor": "#fef3c7", "color": "#b45309", "style": "filled,rounded,bold"},
    # leaves that need no gradient (data, numbers)
    "constant": {"fillcolor": "#f3f4f6", "color": "#9ca3af", "style": "filled,rounded,dashed"},
    "intermediate": {"fillcolor": "#ffffff", "color": "#4b5563", "style": "filled,rounded"},
    "output": {"fillcolor": "#dcfce7", "color": "#15803d", "style": "filled,rounded,bold"},
}

OP_STYLE = {"shape": "ellipse", "style": "filled", "fillcolor": "#ede9fe", "color": "#6d28d9",
            "fontcolor": "#4c1d95", "fontsize": "12", "margin": "0.04,0.02", "height": "0.3",
            "width": "0.3"}

GROUP_STYLE = {"shape": "box3d", "style": "filled", "fillcolor": "#e0e7ff", "color": "#4338ca"}
TREE_STYLE = {"shape": "box", "style": "filled,rounded", "fillcolor": "#f5f3ff",
               "color": "#6d28d9"}
REST_STYLE = {"shape": "note", "style": "filled", "fillcolor": "#f9fafb", "color": "#9ca3af",
              "fontcolor": MUTED_COLOUR}

CLUSTER_STYLE = {"style": "rounded,dashed", "color": "#6366f1", "fontcolor": "#3730a3",
                 "fontsize": "12", "labeljust": "l"}

GRAPH_ATTR = {"bgcolor": BACKGROUND, "fontname": FONT, "nodesep": "0.25", "ranksep": "0.35",
              "pad": "0.2"}
NODE_ATTR = {"fontname": FONT, "fontsize": "11", "shape": "box", "margin": "0.08,0.04",
             "height": "0.3"}
EDGE_ATTR = {"color": EDGE_COLOUR, "arrowsize": "0.7", "fontname": FONT, "fontsize": "10"}

HIGHLIGHT_NODE = {"color": HIGHLIGHT_COLOUR, "penwidth": "3"}
HIGHLIGHT_EDGE = {"color": HIGHLIGHT_COLOUR, "penwidth": "2.5", "fontcolor": HIGHLIGHT_COLOUR}
# Edge labels of a backward step: this step's, earlier steps', and later steps' (invisible).
EDGE_LABEL = {"now": HIGHLIGHT_EDGE, "past": {"fontcolor": GRAD_COLOUR},
              "later": {"fontcolor": BACKGROUND}}
