"""``Linear``, ``Identity``, ``Flatten``, ``Unflatten`` and ``Embedding``."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from . import functional as F
from autograd_core.ops.linalg import Linear as _LinearOp
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Identity", "Linear", "NonDynamicallyQuantizableLinear", "Flatten", "Unflatten",
           "Embedding"]


def _empty(shape: tuple, dtype: Any) -> Parameter:
    dt = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
    if dt.kind != "f":
        raise TypeError(f"parameters must have a floating point dtype, got {dt}")
    return Parameter(np.empty(shape, dtype=dt))


def check_dtype(layer: str, x: Tensor, param: Tensor) -> None:
    """Raise a clear error when ``x`` cannot meet a layer's parameters (PyTorch refuses
    mixed dtypes too, rather than casting silently)."""
    if x._data.dtype != param._data.dtype:
        raise TypeError(f"{layer}: expected input of dtype {param.dtype} (the layer's dtype), "
                        f"got {x.dtype}; convert the input (x.float() / x.double()) or the "
                        f"layer (.float() / .double())")


class Identity(Module):
    """Returns its input (a placeholder; any constructor arguments are ignored).

    >>> import autograd_core as ag, nn
    >>> nn.Identity(54, unused="x")(ag.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """``y = x @ weight.T + bias`` on the last dim; ``weight`` is (out_features, in_features).

    Weight and bias start uniform in (-1/sqrt(in_features), 1/sqrt(in_features)), as in
    PyTorch (``kaiming_uniform_(a=sqrt(5))``).

    >>> import autograd_core as ag, nn
    >>> fc = nn.Linear(784, 10)
    >>> fc
    Linear(in_features=784, out_features=10, bias=True)
    >>> fc(ag.randn(64, 784)).shape
    (64, 10)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError(f"Linear: in_features and out_features must be >= 0, got "
                             f"{in_features} and {out_features}")
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _empty((out_features, in_features), dtype)
        if bias:
            self.bias = _empty((out_features,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        p = self._parameters
        w = p["weight"]
        if not isinstance(input, Tensor):
            raise TypeError(f"{self._get_name()}: expected a Tensor input, got "
                            f"{type(input).__name__}")
        x = input._data
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"{self._get_name()}: expected input with {self.in_features} "
                             f"features (last dim), got shape {tuple(x.shape)}")
        if x.dtype != w._data.dtype:
            check_dtype(self._get_name(), input, w)
        b = p["bias"]
        if b is None:
            return _LinearOp.apply(input, w)
        return _LinearOp.apply(input, w, b)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class NonDynamicallyQuantizableLinear(Linear):
    """The ``Linear`` of ``MultiheadAttention.out_proj`` (PyTorch's class name, for repr).

    >>> import nn
    >>> nn.MultiheadAttention(8, 2).out_proj
    NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
    """


class Flatten(Module):
    """Flatten dims ``start_dim`` .. ``end_dim`` into one (by default all but the batch dim).

    >>> import autograd_core as ag, nn
    >>> nn.Flatten()(ag.zeros(64, 16, 7, 7)).shape
    (64, 784)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``.

    >>> import autograd_core as ag, nn
    >>> nn.Unflatten(1, (2, 5))(ag.zeros(3, 10)).shape
    (3, 2, 5)
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Embedding(Module):
    """A lookup table: integer indices of any shape -> rows of ``weight``
    (num_embeddings, embedding_dim), initialised N(0, 1); the ``padding_idx`` row starts
    at zero and gets no gradient.

    >>> import autograd_core as ag, nn
    >>> emb = nn.Embedding(10, 3, padding_idx=0)
    >>> emb(ag.tensor([[1, 2, 0]])).shape
    (1, 3, 3)
    >>> emb.weight[0].tolist()
    [0.0, 0.0, 0.0]
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight: Tensor | None = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx {padding_idx} must be within "
                                 f"num_embeddings ({num_embeddings})")
            if padding_idx < 0:
                padding_idx += num_embeddings
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = _empty((num_embeddings, embedding_dim), dtype)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with ag.no_grad():
                self.weight._data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: int | None = None, **kwargs: Any) -> "Embedding":
        """An Embedding holding ``embeddings`` (2-D); frozen unless ``freeze=False``.

        >>> import autograd_core as ag, nn
        >>> nn.Embedding.from_pretrained(ag.eye(2)).weight.requires_grad
        False
        """
        if embeddings.ndim != 2:
            raise ValueError("Embeddings parameter is expected to be 2-dimensional")
        n, d = embeddings.shape
        return cls(n, d, padding_idx=padding_idx, _weight=embeddings, _freeze=freeze, **kwargs)

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        if self.sparse:
            s += ", sparse=True"
        return s
