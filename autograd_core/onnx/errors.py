"""The errors of ONNX export, under PyTorch's names (``torch.onnx.errors``).

>>> from autograd_core.onnx.errors import OnnxExporterError, UnsupportedOperatorError
>>> issubclass(UnsupportedOperatorError, OnnxExporterError), issubclass(OnnxExporterError, RuntimeError)
(True, True)
"""
from __future__ import annotations


class OnnxExporterError(RuntimeError):
    """Export stopped: the message names the op, the option and the module it came from."""


class UnsupportedOperatorError(OnnxExporterError):
    """An op (or an option of it) that has no ONNX form here."""


def where(module: str) -> str:
    """`` (in module 'encoder.0' (Linear))`` for messages, or nothing at the top level."""
    return f" (in module {module})" if module else " (in the model's own forward)"
