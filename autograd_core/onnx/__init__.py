"""ONNX export, as ``torch.onnx``: ``export(model, args, f, ...)`` writes the ops the
forward pass actually ran as an ONNX graph (see ``exporter.py`` for how), and
``is_in_onnx_export()`` tells code that an export is running.

The ``onnx`` package (and ``onnxruntime``, for the check against ONNX Runtime) are
imported only when ``export`` is called: install them with ``pip install
'autograd-core[onnx]'``. ``run(path, inputs)`` runs a file in ONNX Runtime.

>>> import autograd_core as ag
>>> ag.onnx.is_in_onnx_export()
False
"""
from __future__ import annotations

from typing import Any

from . import errors
from .capture import is_in_onnx_export
from .errors import OnnxExporterError, UnsupportedOperatorError

__all__ = ["export", "is_in_onnx_export", "run", "errors", "OnnxExporterError",
           "UnsupportedOperatorError"]


def export(model: Any, args: Any = (), f: Any = None, **kwargs: Any) -> Any:
    """``torch.onnx.export``'s signature; see ``autograd_core.onnx.exporter.export``."""
    from .exporter import export as _export
    return _export(model, args, f, **kwargs)


def run(path: Any, inputs: Any) -> list:
    """Outputs of the ONNX file at ``path`` run in ONNX Runtime on ``inputs`` (arrays or
    tensors, in the graph's input order, or a dict by name); see ``runtime.py``."""
    from .runtime import run as _run
    return _run(path, inputs)
