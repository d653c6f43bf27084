"""Normalisation layers: ``BatchNorm1d/2d/3d`` (running statistics, momentum, eval
mode) and ``SyncBatchNorm`` (a batch norm, on one process), ``InstanceNorm1d/2d/3d``,
``LayerNorm``, ``GroupNorm``, ``RMSNorm``, ``LocalResponseNorm`` and the legacy
``CrossMapLRN2d``; the lazy ``LazyBatchNorm1d/2d/3d`` and ``LazyInstanceNorm1d/2d/3d``
read ``num_features`` from their first input. (Over 600 lines: every normalisation
layer of ``torch.nn``, sharing the batch-norm base.)

>>> import autograd_core as ag, autograd_core.nn as nn
>>> nn.RMSNorm(2)(ag.tensor([[3.0, 4.0]])).tolist()
[[0.8485..., 1.1313...]]
"""
from __future__ import annotations

from typing import Any, Sequence

import autograd_core as ag
from autograd_core import Tensor

from .. import functional as F
from .. import init
from ..functional.arguments import _check_dtype
from ..functional.normalization import _check_normalized_shape, _cross_map_lrn2d, _shape
from ..parameter import Parameter, UninitializedBuffer, UninitializedParameter
from .lazy import LazyModuleMixin
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "InstanceNorm1d",
           "InstanceNorm2d", "InstanceNorm3d", "LayerNorm", "GroupNorm", "RMSNorm",
           "LocalResponseNorm", "CrossMapLRN2d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


def _affine_parameters(module: Module, shape: Any, affine: bool, bias: bool, dtype: Any) -> None:
    """``weight`` (ones) and ``bias`` (zeros) of ``shape``, or None parameters, as PyTorch's
    norm layers register them."""
    if affine:
        module.weight = Parameter(ag.ones(shape, dtype=dtype))
        if bias:
            module.bias = Parameter(ag.zeros(shape, dtype=dtype))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def _reset_affine(module: Module) -> None:
    if module.weight is not None:
        init.ones_(module.weight)
        if module.bias is not None:
            init.zeros_(module.bias)


class _BatchNorm(Module):
    _dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, num_features, affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", ag.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ag.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", ag.tensor(0, dtype=ag.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with ag.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input(self, input: Tensor) -> None:
        name = self._get_name()
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in self._dims:
            want = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"{name}: expected {want} input, got {input.ndim}D input of shape "
                             f"{tuple(input.shape)}")
        if input.shape[1] != self.num_features:
            raise ValueError(f"{name}: expected input with {self.num_features} channels (dim 1), "
                             f"got shape {tuple(input.shape)}")
        if self.weight is not None and input.dtype != self.weight.dtype:
            _check_dtype(name, input, self.weight)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            steps = self.num_batches_tracked.numpy()  # an int tensor: never requires grad
            steps += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(steps)
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_running = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if use_running else None,
                            self.running_var if use_running else None, self.weight, self.bias,
                            bn_training, factor, self.eps)

    def _load_from_state_dict(self, state_dict: dict, prefix: str, missing: list,
                              errors: list, assign: bool = False) -> None:
        # As PyTorch for old checkpoints: a missing num_batches_tracked is not an error
        # (the current count is kept).
        key = prefix + "num_batches_tracked"
        if self.track_running_stats and key not in state_dict:
            state_dict[key] = self.num_batches_tracked.numpy().copy()
        super()._load_from_state_dict(state_dict, prefix, missing, errors, assign)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) input, per channel C.

    In training it normalises with the batch mean and (biased) variance and updates
    ``running_mean``/``running_var`` (with the unbiased variance) by ``momentum``
    (``None``: a cumulative average), counting ``num_batches_tracked``; in ``eval()``
    it uses the running statistics.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> bn = nn.BatchNorm1d(3)
    >>> bn
    BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> y = bn(ag.randn(8, 3))
    >>> int(bn.num_batches_tracked)
    1
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) input, per channel C; see ``BatchNorm1d``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> bn = nn.BatchNorm2d(4)
    >>> bn(ag.randn(2, 4, 5, 5)).shape
    (2, 4, 5, 5)
    >>> bn.eval()(ag.randn(1, 4, 5, 5)).shape
    (1, 4, 5, 5)
    """

    _dims = (4,)


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` dims of each sample, then apply
    an elementwise ``weight`` (ones) and ``bias`` (zeros).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> ln = nn.LayerNorm(64)
    >>> ln
    LayerNorm((64,), eps=1e-05, elementwise_affine=True, bias=True)
    >>> ln(ag.randn(16, 32, 64)).shape
    (16, 32, 64)
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, dtype)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"LayerNorm: expected a Tensor input, got {type(input).__name__}")
        _check_normalized_shape("LayerNorm", input, tuple(self.normalized_shape))
        w = self.weight
        if w is not None and input.dtype != w.dtype:
            _check_dtype("LayerNorm", input, w)
        return F.layer_norm(input, self.normalized_shape, w, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalise (N, C, *) input over groups of ``num_channels / num_groups`` channels,
    then apply a per-channel ``weight`` (ones) and ``bias`` (zeros).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> gn = nn.GroupNorm(2, 4)
    >>> gn
    GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
    >>> gn(ag.randn(3, 4, 5, 5)).shape
    (3, 4, 5, 5)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels must be divisible by num_groups, got "
                             f"num_channels={num_channels} and num_groups={num_groups}")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, num_channels, affine, bias, dtype)

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"GroupNorm: expected a Tensor input, got {type(input).__name__}")
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise RuntimeError(f"GroupNorm: expected input of shape (N, {self.num_channels}, *), "
                               f"got shape {tuple(input.shape)}")
        if self.weight is not None and input.dtype != self.weight.dtype:
            _check_dtype("GroupNorm", input, self.weight)
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


class _InstanceNorm(_BatchNorm):
    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        name = self._get_name()
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in self._dims:
            raise ValueError(f"{name}: expected {self._dims[0]}D (unbatched) or "
                             f"{self._dims[1]}D (batched) input, got shape "
                             f"{tuple(input.shape)}")
        unbatched = input.ndim == self._dims[0]
        channels = input.shape[0 if unbatched else 1]
        if channels != self.num_features and (self.affine or self.track_running_stats):
            raise ValueError(f"{name}: expected input with {self.num_features} channels (dim "
                             f"{0 if unbatched else 1}), got shape {tuple(input.shape)}")
        if self.weight is not None and input.dtype != self.weight.dtype:
            _check_dtype(name, input, self.weight)
        x = input.unsqueeze(0) if unbatched else input
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              self.training or not self.track_running_stats,
                              0.0 if self.momentum is None else self.momentum, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Normalise each channel of each sample of (N, C, L) or unbatched (C, L) input over
    its length. As in PyTorch, ``affine=False`` and ``track_running_stats=False`` by
    default; when tracking, training updates ``running_mean``/``running_var`` and
    ``eval()`` uses them.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> norm = nn.InstanceNorm1d(3)
    >>> norm
    InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)
    >>> [round(v, 4) for v in norm(ag.tensor([[[1.0, 3.0]] * 3]))[0, 0].tolist()]
    [-1.0, 1.0]
    """

    _dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Normalise each channel of each sample of (N, C, H, W) or unbatched (C, H, W) input
    over its positions; see ``InstanceNorm1d``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> norm = nn.InstanceNorm2d(4, affine=True, track_running_stats=True)
    >>> list(norm.state_dict())
    ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    >>> norm(ag.randn(2, 4, 5, 5)).shape
    (2, 4, 5, 5)
    """

    _dims = (3, 4)


class RMSNorm(Module):
    """Root-mean-square normalisation over the trailing ``normalized_shape`` dims, then an
    elementwise ``weight`` (ones); no bias, no mean subtraction.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> norm = nn.RMSNorm(64)
    >>> norm
    RMSNorm((64,), eps=None, elementwise_affine=True)
    >>> norm(ag.randn(8, 10, 64)).shape
    (8, 10, 64)
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None,
                 elementwise_affine: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ag.ones(self.normalized_shape, dtype=dtype))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W) input, per channel C; see ``BatchNorm1d``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.BatchNorm3d(4)(ag.randn(2, 4, 3, 3, 3)).shape
    (2, 4, 3, 3, 3)
    """

    _dims = (5,)


class InstanceNorm3d(_InstanceNorm):
    """Normalise each channel of each sample of (N, C, D, H, W) or unbatched (C, D, H, W)
    input over its positions; see ``InstanceNorm1d``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.InstanceNorm3d(2)(ag.randn(1, 2, 3, 3, 3)).shape
    (1, 2, 3, 3, 3)
    """

    _dims = (4, 5)


class SyncBatchNorm(_BatchNorm):
    """Batch norm over (N, C, *) input that PyTorch synchronises across the processes of a
    distributed job; this library runs one process, where PyTorch's ``SyncBatchNorm`` is
    exactly ``batch_norm``. ``convert_sync_batchnorm`` swaps it in for every batch norm of
    a model, keeping the parameters and statistics.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> model = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.BatchNorm2d(3)))
    >>> model[0]
    SyncBatchNorm(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> model(ag.randn(2, 3, 4, 4)).shape
    (2, 3, 4, 4)
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check_input(self, input: Tensor) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(f"SyncBatchNorm: expected a Tensor input, got "
                            f"{type(input).__name__}")
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        if input.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm: expected input with {self.num_features} channels "
                             f"(dim 1), got shape {tuple(input.shape)}")
        if self.weight is not None and input.dtype != self.weight.dtype:
            _check_dtype("SyncBatchNorm", input, self.weight)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """``module`` with each batch-norm layer (BatchNorm1d/2d/3d, not instance norm)
        replaced by a ``SyncBatchNorm`` holding the same parameters and buffers."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, _InstanceNorm):
            out = SyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                module.track_running_stats, process_group,
                                bias=module.bias is not None)
            if module.affine:
                out.weight = module.weight
                if module.bias is not None:
                    out.bias = module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
            if hasattr(module, "qconfig"):
                out.qconfig = module.qconfig
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out


class LocalResponseNorm(Module):
    """Local response normalisation across channels (``F.local_response_norm``).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> lrn = nn.LocalResponseNorm(2)
    >>> lrn
    LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)
    >>> lrn(ag.randn(2, 4, 5, 5)).shape
    (2, 4, 5, 5)
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class CrossMapLRN2d(LocalResponseNorm):
    """PyTorch's legacy cross-map LRN of (N, C, H, W) input (Lua Torch's), with its
    windows: ``x * (k + alpha / size * sum of x^2 over nearby channels) ** -beta``;
    values and gradients as PyTorch computes them.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> nn.CrossMapLRN2d(3)
    CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=1)
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> None:
        super().__init__(size, alpha, beta, k)

    def forward(self, input: Tensor) -> Tensor:
        return _cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)


# ---------------------------------------------------------------------------- lazy
class _LazyNormBase(LazyModuleMixin):
    """What the lazy batch and instance norms share, as PyTorch's ``_LazyNormBase``:
    ``num_features`` (0 until then) is read from dim 1 of the first input, then the
    affine parameters and running statistics are materialised and reset. (As in
    PyTorch, ``affine`` and ``track_running_stats`` default to True for the lazy instance
    norms too.)"""

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False, device, dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(dtype=dtype)
        if track_running_stats:
            self.register_buffer("running_mean", UninitializedBuffer(dtype=dtype))
            self.register_buffer("running_var", UninitializedBuffer(dtype=dtype))
            self.register_buffer("num_batches_tracked", ag.tensor(0, dtype=ag.int64))

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        if not self.has_uninitialized_params():
            if self.num_features == 0:  # materialised by load_state_dict (PyTorch keeps 0)
                self.num_features = input.shape[1]
            return
        self.num_features = input.shape[1]
        if self.affine:
            self.weight.materialize((self.num_features,))
            if self.bias is not None:
                self.bias.materialize((self.num_features,))
        if self.track_running_stats:
            self.running_mean.materialize((self.num_features,))
            self.running_var.materialize((self.num_features,))
        self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, BatchNorm1d):
    """A ``BatchNorm1d`` whose ``num_features`` is read from its first input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> bn = nn.LazyBatchNorm1d()
    >>> bn(ag.randn(8, 3)).shape, bn
    ((8, 3), BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True))
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormBase, BatchNorm2d):
    """A ``BatchNorm2d`` whose ``num_features`` is read from its first input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.LazyBatchNorm2d()
    >>> _ = m(ag.randn(2, 3, 4, 4)); m.num_features
    3
    """

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNormBase, BatchNorm3d):
    """A ``BatchNorm3d`` whose ``num_features`` is read from its first input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.LazyBatchNorm3d()
    >>> _ = m(ag.randn(2, 3, 2, 2, 2)); m.num_features
    3
    """

    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyNormBase, InstanceNorm1d):
    """An ``InstanceNorm1d`` whose ``num_features`` is read from its first input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.LazyInstanceNorm1d()
    >>> _ = m(ag.randn(2, 3, 5)); m.num_features
    3
    """

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormBase, InstanceNorm2d):
    """An ``InstanceNorm2d`` whose ``num_features`` is read from its first input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.LazyInstanceNorm2d()
    >>> _ = m(ag.randn(2, 3, 4, 4)); m.num_features
    3
    """

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormBase, InstanceNorm3d):
    """An ``InstanceNorm3d`` whose ``num_features`` is read from its first input.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> m = nn.LazyInstanceNorm3d()
    >>> _ = m(ag.randn(2, 3, 2, 2, 2)); m.num_features
    3
    """

    cls_to_become = InstanceNorm3d
