"""Flatten parameters into one vector and back, as ``torch.nn.utils``:
``parameters_to_vector`` and ``vector_to_parameters``.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> from autograd_core.nn.utils import parameters_to_vector, vector_to_parameters
>>> model = nn.Linear(3, 2)
>>> vec = parameters_to_vector(model.parameters())
>>> vec.shape
(8,)
>>> vector_to_parameters(ag.zeros(8), model.parameters())
>>> model.weight.tolist()
[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
"""
from __future__ import annotations

from typing import Iterable

import autograd_core as ag
from autograd_core import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _params(parameters: Iterable[Tensor] | Tensor, fn: str) -> list:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{fn}: expected an iterable of Tensors, got an element of type "
                            f"{type(p).__name__}")
    return params


def parameters_to_vector(parameters: Iterable[Tensor] | Tensor) -> Tensor:
    """All ``parameters`` flattened and concatenated into one 1-D tensor (differentiable:
    it is a ``cat`` of their reshapes).

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils import parameters_to_vector
    >>> parameters_to_vector([ag.ones(2, 2), ag.zeros(3)]).tolist()
    [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    """
    params = _params(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: expected at least one parameter, got none")
    return ag.cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor] | Tensor) -> None:
    """Set the data of ``parameters``, in order, from consecutive slices of the 1-D
    ``vec``; as PyTorch's, each parameter's data becomes a view of ``vec`` (no graph).

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils import vector_to_parameters
    >>> a, b = ag.zeros(2, requires_grad=True), ag.zeros(1, 2, requires_grad=True)
    >>> vector_to_parameters(ag.tensor([1.0, 2.0, 3.0, 4.0]), [a, b])
    >>> a.tolist(), b.tolist()
    ([1.0, 2.0], [[3.0, 4.0]])
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, but got: "
                        f"{type(vec).__name__}")
    params = _params(parameters, "vector_to_parameters")
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: expected a 1-D vec of {total} elements (the "
                         f"parameters' total), got shape {tuple(vec.shape)}")
    data = vec.detach().numpy()
    pointer = 0
    for p in params:
        n = p.numel()
        p.data = data[pointer:pointer + n].reshape(p.shape)
        pointer += n
