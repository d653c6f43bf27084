"""Linear maps: ``linear`` (``input @ weight.T + bias``) and ``bilinear``
(``x1^T W x2 + b`` for each output feature).

>>> import autograd_core as ag, autograd_core.nn.functional as F
>>> F.linear(ag.ones(2, 3), ag.ones(4, 3)).tolist()[0]
[3.0, 3.0, 3.0, 3.0]
"""
from __future__ import annotations

from autograd_core import Tensor
from autograd_core.ops.linalg import Linear as _LinearOp

from .arguments import _tensor

__all__ = ["linear", "bilinear"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` in one node; weight is (out_features, in_features).

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.linear(ag.ones(2, 3), ag.ones(4, 3), ag.zeros(4)).shape
    (2, 4)
    """
    if bias is None:
        return _LinearOp.apply(input, weight)
    return _LinearOp.apply(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]``, with
    ``weight`` (out, in1, in2) and inputs (..., in1), (..., in2) of the same leading dims.

    >>> import autograd_core as ag, autograd_core.nn.functional as F
    >>> F.bilinear(ag.ones(2, 3), ag.ones(2, 4), ag.ones(5, 3, 4)).tolist()[0]
    [12.0, 12.0, 12.0, 12.0, 12.0]
    """
    for name, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        _tensor(t, "bilinear", name)
    if weight.ndim != 3:
        raise ValueError(f"bilinear: expected a 3D weight (out, in1, in2), got shape "
                         f"{tuple(weight.shape)}")
    out, n1, n2 = weight.shape
    if input1.ndim == 0 or input1.shape[-1] != n1 or input2.ndim == 0 or \
            input2.shape[-1] != n2 or input1.shape[:-1] != input2.shape[:-1]:
        raise ValueError(f"bilinear: expected input1 (..., {n1}) and input2 (..., {n2}) with the "
                         f"same leading dims for weight of shape {tuple(weight.shape)}, got "
                         f"shapes {tuple(input1.shape)} and {tuple(input2.shape)}")
    if bias is not None and tuple(bias.shape) != (out,):
        raise ValueError(f"bilinear: expected bias of shape ({out},), got {tuple(bias.shape)}")
    lead = input1.shape[:-1]
    # (..., in1) @ (in1, out * in2) -> (..., out, in2), then contract in2 with input2
    t = (input1.reshape(-1, n1) @ weight.permute(1, 0, 2).reshape(n1, out * n2))
    y = (t.reshape(-1, out, n2) * input2.reshape(-1, 1, n2)).sum(-1).reshape(lead + (out,))
    return y + bias if bias is not None else y
