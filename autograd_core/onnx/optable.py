"""The op table: which converter writes each recorded op as ONNX nodes.

A converter is ``fn(g, c) -> name``: ``g`` the ``GraphBuilder``, ``c`` the recorded
``Call``; it returns the name of the ONNX value that holds the op's output. Keys are the
``Function`` class names (``Mul``, ``Conv2d``, ...) and ``compare``/``logical`` for the
Tensor methods the tracer records; ``ops_math``, ``ops_shape`` and ``ops_nn`` fill the
table when they are imported (by ``export``).

>>> from autograd_core.onnx.optable import CONVERTERS, converts
>>> @converts("MyOp")
... def my_op(g, c):
...     return g.op("Identity", [g.inp(c, 0)])
>>> CONVERTERS.pop("MyOp") is my_op
True
"""
from __future__ import annotations

from typing import Callable

CONVERTERS: dict[str, Callable] = {}

# ops that only compute gradients or losses: named in the error, as training-only
TRAINING_ONLY = {"ConvWeightGrad": "the gradient of a convolution",
                 "MaxPoolScatter": "the gradient of max pooling",
                 "AvgPoolScatter": "the gradient of average pooling",
                 "BatchNormTrain": "batch norm with batch statistics (training mode)",
                 "CrossEntropyIndex": "a loss", "CrossEntropyProb": "a loss", "NllLoss": "a loss",
                 "BinaryCrossEntropy": "a loss", "BinaryCrossEntropyWithLogits": "a loss"}


def converts(*names: str) -> Callable[[Callable], Callable]:
    """Decorator: register a converter under the op names given."""
    def register(fn: Callable) -> Callable:
        for n in names:
            CONVERTERS[n] = fn
        return fn
    return register
