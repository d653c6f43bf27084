"""Run an ONNX file in ONNX Runtime: ``load_session`` and ``run``, with one-line errors.

A missing, truncated or corrupt file, or one ONNX Runtime refuses, raises
``OnnxExporterError`` naming the file; inputs are checked by name, count, dtype and rank
against the graph before running. ``onnxruntime`` is imported here, on first use.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from .errors import OnnxExporterError

_TYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64,
          "tensor(float16)": np.float16, "tensor(int64)": np.int64, "tensor(int32)": np.int32,
          "tensor(int8)": np.int8, "tensor(uint8)": np.uint8, "tensor(bool)": np.bool_}


def load_session(path: Any) -> Any:
    """An ``onnxruntime.InferenceSession`` of the file at ``path`` (checked first)."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise ImportError("running .onnx files needs onnxruntime: pip install "
                          "'autograd-core[onnx]'") from None
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such ONNX file")
    try:
        import onnx
        model = onnx.load(path)
        onnx.checker.check_model(model)
    except ImportError:
        pass
    except Exception as e:  # noqa: BLE001 - protobuf's DecodeError, the checker's errors
        raise OnnxExporterError(f"{path}: not a valid ONNX model (truncated or corrupt?): "
                                f"{_first_line(e)}") from None
    try:
        return ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001 - ORT's own exception types
        raise OnnxExporterError(f"{path}: ONNX Runtime cannot load it: {_first_line(e)}") \
            from None


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def run(path: Any, inputs: Any, session: Any = None) -> list:
    """The outputs (arrays) of the ONNX file at ``path`` on ``inputs``: a list in the
    graph's input order, a single array or tensor, or a dict by input name.

    >>> import os, tempfile, autograd_core as ag
    >>> from autograd_core import nn
    >>> path = os.path.join(tempfile.mkdtemp(), "m.onnx")
    >>> model = nn.Linear(3, 2)
    >>> _ = ag.onnx.export(model, ag.ones(1, 3), path)             # doctest: +SKIP
    >>> ag.onnx.run(path, ag.ones(1, 3))[0].shape                 # doctest: +SKIP
    (1, 2)
    """
    sess = session or load_session(path)
    specs = sess.get_inputs()
    if isinstance(inputs, dict):
        feed = dict(inputs)
    else:
        if not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        if len(inputs) != len(specs):
            raise ValueError(f"{path}: the graph takes {len(specs)} inputs "
                             f"({', '.join(s.name for s in specs)}), got {len(inputs)}")
        feed = {s.name: x for s, x in zip(specs, inputs)}
    known = {s.name: s for s in specs}
    for name in feed:
        if name not in known:
            raise ValueError(f"{path}: the graph has no input {name!r} (inputs: "
                             f"{', '.join(known)})")
    for s in specs:
        if s.name not in feed:
            raise ValueError(f"{path}: input {s.name!r} is missing")
        x = feed[s.name]
        x = x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)
        want = _TYPES.get(s.type)
        if want is not None and x.dtype != want:
            if x.dtype.kind == np.dtype(want).kind:
                x = x.astype(want)
            else:
                raise TypeError(f"{path}: input {s.name!r} must be {np.dtype(want)}, got "
                                f"{x.dtype}")
        if len(s.shape) != x.ndim:
            raise ValueError(f"{path}: input {s.name!r} must have {len(s.shape)} dims "
                             f"({s.shape}), got shape {x.shape}")
        for d, n in zip(s.shape, x.shape):
            if isinstance(d, int) and d != n:
                raise ValueError(f"{path}: input {s.name!r} must have shape {s.shape}, got "
                                 f"{x.shape} (export with dynamic_axes for other sizes)")
        feed[s.name] = x
    try:
        return sess.run(None, feed)
    except Exception as e:  # noqa: BLE001 - ORT's own exception types
        raise OnnxExporterError(f"{path}: ONNX Runtime failed: {_first_line(e)}") from None
