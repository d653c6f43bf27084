"""Functional forms of the layers, activations and losses, as ``torch.nn.functional``.

>>> import autograd_core as ag
>>> import nn.functional as F
>>> logits = ag.tensor([[2.0, 0.5, -1.0]], requires_grad=True)
>>> loss = F.cross_entropy(logits, ag.tensor([0]))
>>> round(loss.item(), 4)
0.2413
>>> loss.backward()
>>> logits.grad.shape
(1, 3)
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.autograd.grad_mode import STATE
from autograd_core.ops.pointwise import Mul, select_tensor
from autograd_core.ops.index import IndexAdd
from autograd_core.autograd.inplace import inplace_option
from autograd_core.tensor.random import Generator, rng
from autograd_core.tensor import make, where

from autograd_core.ops.activation import ELU as _ELU
from autograd_core.ops.activation import GELU as _GELU
from autograd_core.ops.activation import LeakyReLU as _LeakyReLU
from autograd_core.ops.activation import Softplus as _Softplus
from autograd_core.ops.attention import Attention as _Attention
from autograd_core.ops.linalg import Linear as _LinearOp
from autograd_core.ops.loss import BinaryCrossEntropy as _BCE
from autograd_core.ops.loss import BinaryCrossEntropyWithLogits as _BCEWithLogits
from autograd_core.ops.loss import CrossEntropyIndex as _CEIndex
from autograd_core.ops.loss import CrossEntropyProb as _CEProb
from autograd_core.ops.normalization import BatchNormTrain as _BatchNormTrain
from autograd_core.ops.normalization import LayerNormOp as _LayerNormOp
from autograd_core.ops.normalization import first_of
from .distance import cosine_similarity, normalize, pairwise_distance
from .padding import pad
from .upsampling import interpolate, pixel_shuffle, pixel_unshuffle
# the topical modules below use this module's helpers (F._tensor, F._reduce, ...) at call time
from .activation_functional import (celu, hardshrink, hardsigmoid, hardswish, softshrink,
                                    softsign, tanhshrink, threshold)
from .adaptive_max_pool import adaptive_max_pool1d, adaptive_max_pool2d
from .bilinear import bilinear
from .fold import fold, unfold
from .loss_functional import (cosine_embedding_loss, gaussian_nll_loss, margin_ranking_loss,
                              multilabel_soft_margin_loss, poisson_nll_loss)
from .rms_norm import rms_norm

__all__ = [
    "linear", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "dropout",
    "embedding", "one_hot", "batch_norm", "layer_norm", "relu", "leaky_relu", "elu", "gelu",
    "silu", "softplus", "tanh", "sigmoid", "softmax", "log_softmax",
    "scaled_dot_product_attention", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy",
    "hinge_embedding_loss", "multi_margin_loss",
    "pad", "interpolate", "pixel_shuffle", "pixel_unshuffle", "normalize", "cosine_similarity",
    "pairwise_distance", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d", "dropout1d",
    "dropout2d", "group_norm", "instance_norm", "hardtanh", "relu6", "mish", "selu",
    "logsigmoid", "softmin", "glu", "prelu", "kl_div", "triplet_margin_loss",
    "hardsigmoid", "hardswish", "softsign", "tanhshrink", "softshrink", "hardshrink", "threshold",
    "celu", "rms_norm", "bilinear", "adaptive_max_pool1d", "adaptive_max_pool2d", "unfold",
    "fold", "margin_ranking_loss", "cosine_embedding_loss", "gaussian_nll_loss",
    "poisson_nll_loss", "multilabel_soft_margin_loss",
]


def _tensor(x: Any, fn: str, name: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def _as_const(x: Any, like: Tensor) -> Tensor:
    """A Tensor for ``x``; numbers and arrays take ``like``'s float dtype."""
    if isinstance(x, Tensor):
        return x
    return make(np.asarray(x, dtype=like.dtype))


# ---------------------------------------------------------------- linear
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` in one node; weight is (out_features, in_features).

    >>> import autograd_core as ag, nn.functional as F
    >>> F.linear(ag.ones(2, 3), ag.ones(4, 3), ag.zeros(4)).shape
    (2, 4)
    """
    if bias is None:
        return _LinearOp.apply(input, weight)
    return _LinearOp.apply(input, weight, bias)


# ------------------------------------------------- convolution and pooling
def _core_op(name: str) -> Any:
    fn = getattr(ag, name, None)
    if fn is None:
        raise NotImplementedError(f"{name}: autograd_core does not provide ag.{name} yet")
    return fn


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation) of (N, C_in, L) input; ``autograd_core.conv1d``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.conv1d(ag.ones(1, 2, 5), ag.ones(3, 2, 3), padding=1).shape
    (1, 3, 5)
    """
    return _core_op("conv1d")(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution of (N, C_in, H, W) input; ``autograd_core.conv2d``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.conv2d(ag.ones(1, 1, 5, 5), ag.ones(2, 1, 3, 3)).shape
    (1, 2, 3, 3)
    """
    return _core_op("conv2d")(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """1-D transposed convolution, weight (C_in, C_out / groups, K), as PyTorch's.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.conv_transpose1d(ag.ones(1, 2, 5), ag.ones(2, 3, 3), stride=2).shape
    (1, 3, 11)
    """
    from .conv_transpose import conv_transpose1d as op  # (it imports nn.conv, which imports F)
    return op(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """2-D transposed convolution, weight (C_in, C_out / groups, kH, kW), as PyTorch's.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.conv_transpose2d(ag.ones(1, 2, 4, 4), ag.ones(2, 3, 3, 3), stride=2, padding=1,
    ...                    output_padding=1).shape
    (1, 3, 8, 8)
    """
    from .conv_transpose import conv_transpose2d as op
    return op(input, weight, bias, stride, padding, output_padding, groups, dilation)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """2-D max pooling; ``autograd_core.max_pool2d``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.max_pool2d(ag.ones(1, 1, 4, 4), 2).shape
    (1, 1, 2, 2)
    """
    return _core_op("max_pool2d")(input, kernel_size, stride, padding, dilation,
                                  ceil_mode=ceil_mode, return_indices=return_indices)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """2-D average pooling; ``autograd_core.avg_pool2d``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.avg_pool2d(ag.ones(1, 1, 4, 4), 2).shape
    (1, 1, 2, 2)
    """
    return _core_op("avg_pool2d")(input, kernel_size, stride, padding, ceil_mode=ceil_mode,
                                  count_include_pad=count_include_pad,
                                  divisor_override=divisor_override)


def _adaptive_matrix(n_in: int, n_out: int, dtype: np.dtype) -> np.ndarray:
    """(n_out, n_in) averaging matrix of adaptive pooling: bins [floor(i n/o), ceil((i+1) n/o))."""
    m = np.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        start = (i * n_in) // n_out
        end = -((-(i + 1) * n_in) // n_out)
        m[i, start:end] = 1.0 / (end - start)
    return m


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a fixed output size (H_out, W_out), PyTorch's bins.

    Written as ``P_h @ x @ P_w^T`` with averaging matrices, so it is differentiable
    to any order.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.adaptive_avg_pool2d(ag.arange(16.0).reshape(1, 1, 4, 4), 1).tolist()
    [[[[7.5]]]]
    """
    _tensor(input, "adaptive_avg_pool2d")
    if input.ndim not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d: expected 3D or 4D input (C, H, W) or "
                         f"(N, C, H, W), got shape {tuple(input.shape)}")
    h, w = input.shape[-2:]
    oh, ow = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    oh = h if oh is None else oh
    ow = w if ow is None else ow
    if oh <= 0 or ow <= 0:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size}")
    if (oh, ow) == (1, 1):
        return input.mean((-2, -1), keepdim=True)
    out = input
    if oh != h:
        out = make(_adaptive_matrix(h, oh, input.dtype)) @ out
    if ow != w:
        out = out @ make(np.ascontiguousarray(_adaptive_matrix(w, ow, input.dtype).T))
    return out


# ------------------------------------------------------------- 1-D pooling
def _single(value: Any, fn: str, name: str) -> int:
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{fn}: {name} must be an int or a 1-tuple, got {tuple(value)}")
        value = value[0]
    return int(value)


def _check1d(input: Tensor, fn: str) -> None:
    _tensor(input, fn)
    if input.ndim not in (2, 3):
        raise ValueError(f"{fn}: expected 2D (C, L) or 3D (N, C, L) input, got shape "
                         f"{tuple(input.shape)}")


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """1-D max pooling of (N, C, L) or (C, L) input, as ``max_pool2d`` on a height-1 image.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.max_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[3.0, 2.0]]]
    """
    _check1d(input, "max_pool1d")
    k = _single(kernel_size, "max_pool1d", "kernel_size")
    s = k if stride is None or stride == () else _single(stride, "max_pool1d", "stride")
    out = max_pool2d(input.unsqueeze(-2), (1, k), (1, s),
                     (0, _single(padding, "max_pool1d", "padding")),
                     (1, _single(dilation, "max_pool1d", "dilation")), ceil_mode=ceil_mode,
                     return_indices=return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """1-D average pooling of (N, C, L) or (C, L) input, as ``avg_pool2d`` on a height-1 image.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.avg_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[2.0, 1.0]]]
    """
    _check1d(input, "avg_pool1d")
    k = _single(kernel_size, "avg_pool1d", "kernel_size")
    s = k if stride is None or stride == () else _single(stride, "avg_pool1d", "stride")
    out = avg_pool2d(input.unsqueeze(-2), (1, k), (1, s),
                     (0, _single(padding, "avg_pool1d", "padding")), ceil_mode=ceil_mode,
                     count_include_pad=count_include_pad)
    return out.squeeze(-2)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of (N, C, L) or (C, L) input to a fixed length, PyTorch's bins.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.adaptive_avg_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[2.0, 1.0]]]
    """
    _check1d(input, "adaptive_avg_pool1d")
    n = input.shape[-1]
    o = _single(output_size, "adaptive_avg_pool1d", "output_size")
    if o <= 0:
        raise ValueError(f"adaptive_avg_pool1d: output_size must be positive, got {output_size}")
    if o == n:
        return input * 1.0
    if o == 1:
        return input.mean(-1, keepdim=True)
    return input @ make(np.ascontiguousarray(_adaptive_matrix(n, o, input.dtype).T))


# ------------------------------------------------------------- dropout
@inplace_option
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
            generator: Generator | None = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)``
    (inverted dropout); the identity when ``training`` is False. Random numbers come
    from the global generator (``autograd_core.manual_seed``) or ``generator``.
    With ``inplace=True`` the result is written into ``input``.

    >>> import autograd_core as ag, nn.functional as F
    >>> y = F.dropout(ag.ones(1000), 0.5)
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    x = input._data
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    keep = rng(generator).random(x.shape, dtype=np.float32) >= p
    mask = keep * dt.type(1.0 / (1.0 - p))
    if STATE.enabled and input._requires_grad:
        return Mul.apply(input, make(mask))
    return make(x * mask)


def _channel_dropout(input: Tensor, p: float, training: bool, mask_shape: tuple,
                     generator: Generator | None) -> Tensor:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    dt = input.dtype if input.dtype.kind == "f" else np.dtype(np.float32)
    keep = rng(generator).random(mask_shape, dtype=np.float32) >= p
    return input * make(keep * dt.type(1.0 / (1.0 - p)))


@inplace_option
def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator: Generator | None = None) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p`` and scale
    the rest by ``1/(1-p)``; the identity when ``training`` is False.

    >>> import autograd_core as ag, nn.functional as F
    >>> y = F.dropout1d(ag.ones(2, 50, 3), 0.5)
    >>> bool(((y == 0).all(-1) | (y == 2).all(-1)).all())
    True
    """
    _tensor(input, "dropout1d")
    if input.ndim not in (2, 3):
        raise ValueError(f"dropout1d: expected 2D (C, L) or 3D (N, C, L) input, got shape "
                         f"{tuple(input.shape)}")
    return _channel_dropout(input, p, training, input.shape[:-1] + (1,), generator)


@inplace_option
def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
              generator: Generator | None = None) -> Tensor:
    """Zero whole channels (feature maps) of (N, C, H, W) input with probability ``p`` and
    scale the rest by ``1/(1-p)``; the identity when ``training`` is False. A 3-D input
    is taken as (N, C, L) with a warning, as PyTorch does.

    >>> import autograd_core as ag, nn.functional as F
    >>> y = F.dropout2d(ag.ones(2, 50, 3, 3), 0.5)
    >>> bool(((y == 0).all((2, 3)) | (y == 2).all((2, 3))).all())
    True
    """
    _tensor(input, "dropout2d")
    if input.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected 3D or 4D (N, C, H, W) input, got shape "
                         f"{tuple(input.shape)}")
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. To maintain the 1D "
                      "channel-wise dropout behavior, please switch to using dropout1d "
                      "instead.", stacklevel=2)
    mask_shape = input.shape[:2] + (1,) * (input.ndim - 2)
    return _channel_dropout(input, p, training, mask_shape, generator)


# ----------------------------------------------------------- embedding
class _Embedding(ag.Function):
    op = "embedding"

    @staticmethod
    def forward(ctx, weight, indices=None, padding_idx=None):
        ctx.indices, ctx.padding_idx, ctx.shape = indices, padding_idx, weight.shape
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        g = IndexAdd.apply(grad, index=ctx.indices, shape=ctx.shape)
        if ctx.padding_idx is not None:  # its row's gradient is 0 whatever the upstream one
            keep = np.ones((ctx.shape[0], 1), dtype=bool)
            keep[ctx.padding_idx] = False
            g = select_tensor(keep, g)
        return g


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input`` (any shape); the row at
    ``padding_idx`` gets no gradient. With ``max_norm``, the picked rows are first
    rescaled in place to norm at most ``max_norm``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.embedding(ag.tensor([[0, 2]]), ag.eye(3)).tolist()
    [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]
    """
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: expected integer indices, got dtype {idx.dtype}")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].flat[0]
        raise IndexError(f"embedding: index {bad} is out of range for {n} embeddings "
                         f"(expected 0 <= index < {n})")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse are not supported")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    if max_norm is not None:
        rows = np.unique(idx)
        w = weight._data
        norms = np.linalg.norm(w[rows], ord=norm_type, axis=1, keepdims=True)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        w[rows] = w[rows] * scale
    return _Embedding.apply(weight, indices=idx, padding_idx=padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding, shape ``tensor.shape + (num_classes,)``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.one_hot(ag.tensor([0, 2]), 3).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    idx = tensor._data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot is only applicable to index tensor, got dtype {idx.dtype}")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got "
                           f"[{idx.min()}, {idx.max()}]")
    return make((idx[..., None] == np.arange(num_classes)).astype(np.int64))


# ------------------------------------------------------- normalization
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch norm over axis 1 (channels) of (N, C), (N, C, L) or (N, C, H, W) input.

    In training, the batch statistics normalise and the running ones (if given) are
    updated in place: ``running = (1 - momentum) * running + momentum * batch``, the
    variance being the unbiased batch variance. Otherwise the running ones are used.

    >>> import autograd_core as ag, nn.functional as F
    >>> x = ag.tensor([[1.0], [3.0]])
    >>> rm, rv = ag.zeros(1), ag.ones(1)
    >>> [round(v, 4) for v in F.batch_norm(x, rm, rv, training=True).reshape(-1).tolist()]
    [-1.0, 1.0]
    >>> round(rm.item(), 4), round(rv.item(), 4)
    (0.2, 1.1)
    """
    _tensor(input, "batch_norm")
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected input of at least 2 dims (N, C, ...), got shape "
                         f"{tuple(input.shape)}")
    c = input.shape[1]
    cshape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None or bias is not None:
        if weight is None:
            weight = make(np.ones(c, dtype=input.dtype))
        if bias is None:
            bias = make(np.zeros(c, dtype=input.dtype))
    if training:
        count = input.numel() // c
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {tuple(input.shape)}")
        if eps <= 0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
        stats: list = []
        if weight is not None:
            out = _BatchNormTrain.apply(input, weight, bias, eps=eps, stats=stats)
        else:
            out = _BatchNormTrain.apply(input, eps=eps, stats=stats)
        if running_mean is not None or running_var is not None:
            mean, var = stats
            m = momentum
            if running_mean is not None:
                rm = running_mean._data
                rm *= 1 - m
                rm += m * mean
            if running_var is not None:
                rv = running_var._data
                rv *= 1 - m
                rv += (m * count / (count - 1)) * var
        return out
    if eps < 0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when not training")
    inv = 1.0 / np.sqrt(running_var._data.astype(input.dtype) + eps)
    mean = running_mean._data.astype(input.dtype)
    if weight is None:
        return (input - make(mean.reshape(cshape))) * make(inv.reshape(cshape))
    scale = weight * make(inv)
    shift = bias - scale * make(mean)
    return input * scale.reshape(cshape) + shift.reshape(cshape)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims, then scale and shift.

    >>> import autograd_core as ag, nn.functional as F
    >>> y = F.layer_norm(ag.tensor([[1.0, 2.0, 3.0]]), (3,))
    >>> [round(v, 4) for v in y[0].tolist()]
    [-1.2247, 0.0, 1.2247]
    """
    _tensor(input, "layer_norm")
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise ValueError(f"layer_norm: expected input with trailing shape {shape}, got shape "
                         f"{tuple(input.shape)}")
    has = (weight is not None, bias is not None)
    wb = [t for t in (weight, bias) if t is not None]
    return _LayerNormOp.apply(input, *wb, ndim=k, eps=eps, has=has)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise (N, C, *) input over each group of ``C / num_groups`` channels (and all
    their positions), then scale and shift per channel.

    >>> import autograd_core as ag, nn.functional as F
    >>> y = F.group_norm(ag.tensor([[1.0, 3.0, 5.0, 7.0]]), 2)
    >>> [round(v, 4) for v in y[0].tolist()]
    [-1.0, 1.0, -1.0, 1.0]
    """
    _tensor(input, "group_norm")
    if input.ndim < 2:
        raise ValueError(f"group_norm: expected input of at least 2 dims (N, C, *), got shape "
                         f"{tuple(input.shape)}")
    n, c = input.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise ValueError(f"group_norm: expected the number of channels to be divisible by "
                         f"num_groups, got input of shape {tuple(input.shape)} and "
                         f"num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"group_norm: expected {name} of shape ({c},), got "
                             f"{tuple(t.shape)}")
    x = input.reshape(n, num_groups, -1)
    x = x - make(first_of(x._data, (2,)))  # a constant shift: constant groups give exactly 0
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, correction=0)
    y = ((x - mean) * (var + eps).rsqrt()).reshape(input.shape)
    cshape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(cshape)
    if bias is not None:
        y = y + bias.reshape(cshape)
    return y


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of each sample of (N, C, *) input over its positions, then
    scale and shift per channel. With ``use_input_stats`` (training), the running
    statistics (if given) are updated in place with the batch average of the instance
    means and unbiased variances; otherwise they normalise.

    >>> import autograd_core as ag, nn.functional as F
    >>> y = F.instance_norm(ag.tensor([[[1.0, 3.0], [0.0, 4.0]]]))
    >>> [[round(v, 4) for v in row] for row in y[0].tolist()]
    [[-1.0, 1.0], [-1.0, 1.0]]
    """
    _tensor(input, "instance_norm")
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected input of at least 3 dims (N, C, *), got "
                         f"shape {tuple(input.shape)}")
    c = input.shape[1]
    cshape = (1, c) + (1,) * (input.ndim - 2)
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and tuple(t.shape) != (c,):
            raise ValueError(f"instance_norm: expected {name} of shape ({c},) for input of "
                             f"shape {tuple(input.shape)}, got {tuple(t.shape)}")
    if use_input_stats:
        dims = tuple(range(2, input.ndim))
        count = int(np.prod(input.shape[2:]))
        if count <= 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {tuple(input.shape)}")
        first = first_of(input._data, dims)
        x = input - make(first)  # a constant shift: constant channels give exactly 0
        mean = x.mean(dims, keepdim=True)
        var = x.var(dims, keepdim=True, correction=0)
        if eps == 0:  # as PyTorch's batch-norm kernel: 1/sqrt(var) is taken as 0 where var is 0
            dead = var._data == 0
            one, zero = make(np.ones((), var.dtype)), make(np.zeros((), var.dtype))
            inv = where(dead, zero, where(dead, one, var).rsqrt())
        else:
            inv = (var + eps).rsqrt()
        y = (x - mean) * inv
        m = momentum
        if running_mean is not None:
            rm = running_mean._data
            rm *= 1 - m
            rm += m * (mean._data + first).reshape(input.shape[:2]).mean(0).astype(rm.dtype)
        if running_var is not None:
            rv = running_var._data
            unbiased = var._data.reshape(input.shape[:2]) * (count / (count - 1))
            rv *= 1 - m
            rv += m * unbiased.mean(0).astype(rv.dtype)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: running_mean and running_var are needed when "
                             "use_input_stats is False")
        mean = running_mean._data.astype(input.dtype).reshape(cshape)
        inv = (1.0 / np.sqrt(running_var._data.astype(input.dtype) + eps)).reshape(cshape)
        y = (input - make(mean)) * make(inv)
    if weight is not None:
        y = y * weight.reshape(cshape)
    if bias is not None:
        y = y + bias.reshape(cshape)
    return y


# ------------------------------------------------------------ activations
@inplace_option
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.relu(ag.tensor([-1.0, 0.5, 2.0])).sum().item()
    2.5
    """
    return _tensor(input, "relu").relu()


@inplace_option
def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``negative_slope * x``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.leaky_relu(ag.tensor([-1.0, 2.0]), 0.1).tolist()
    [-0.1..., 2.0]
    """
    return _LeakyReLU.apply(_tensor(input, "leaky_relu"), negative_slope=negative_slope)


@inplace_option
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    >>> import autograd_core as ag, nn.functional as F
    >>> round(F.elu(ag.tensor([-1.0]))[0].item(), 4)
    -0.6321
    """
    return _ELU.apply(_tensor(input, "elu"), alpha=alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` with the exact normal CDF (``approximate='none'``, via erf) or the
    tanh approximation (``approximate='tanh'``).

    >>> import autograd_core as ag, nn.functional as F
    >>> round(F.gelu(ag.tensor([1.0]))[0].item(), 4)
    0.8413
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return _GELU.apply(_tensor(input, "gelu"), approximate=approximate)


@inplace_option
def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (swish).

    >>> import autograd_core as ag, nn.functional as F
    >>> round(F.silu(ag.tensor([1.0]))[0].item(), 4)
    0.7311
    """
    return input * _tensor(input, "silu").sigmoid()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold``; the gradient
    is ``sigmoid(beta x)`` (a half at 0), as PyTorch's.

    >>> import autograd_core as ag, nn.functional as F
    >>> round(F.softplus(ag.tensor([0.0]))[0].item(), 4)
    0.6931
    """
    return _Softplus.apply(_tensor(input, "softplus"), beta=beta, threshold=threshold)


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.tanh(ag.tensor([0.0])).tolist()
    [0.0]
    """
    return _tensor(input, "tanh").tanh()


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``, stable for large ``|x|``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.sigmoid(ag.tensor([0.0])).tolist()
    [0.5]
    """
    return _tensor(input, "sigmoid").sigmoid()


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.softmax(ag.tensor([[0.0, 0.0]]), dim=1).tolist()
    [[0.5, 0.5]]
    """
    _tensor(input, "softmax")
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    x = input if dtype is None else input.to(dtype)
    return x.softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``, stable.

    >>> import autograd_core as ag, nn.functional as F
    >>> [round(v, 4) for v in F.log_softmax(ag.tensor([0.0, 0.0]), dim=0).tolist()]
    [-0.6931, -0.6931]
    """
    _tensor(input, "log_softmax")
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    x = input if dtype is None else input.to(dtype)
    return x.log_softmax(dim)


def _softplus_exact(x: Tensor) -> Tensor:
    """``log(1 + exp(x))`` without overflow, with the exact derivative ``sigmoid(x)``
    everywhere (also at 0): each branch sees only its own, clamped half of ``x``."""
    pos = x.clamp(min=0.0)
    neg = x.clamp(max=0.0)
    return where(x._data > 0, pos + (-pos).exp().log1p(), neg.exp().log1p())


@inplace_option
def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.hardtanh(ag.tensor([-3.0, 0.5, 2.0])).tolist()
    [-1.0, 0.5, 1.0]
    """
    _tensor(input, "hardtanh")
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val, got "
                         f"min_val={min_val} and max_val={max_val}")
    x = input._data
    inside = ~((x <= min_val) | (x >= max_val))  # a NaN is inside, as PyTorch's mask
    if inside.all():
        return input * 1.0
    # as PyTorch, the gradient is 0 at the bounds too: outside values are constants
    return where(inside, input, make(np.clip(x, min_val, max_val)))


@inplace_option
def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.relu6(ag.tensor([-1.0, 3.0, 8.0])).tolist()
    [0.0, 3.0, 6.0]
    """
    return hardtanh(_tensor(input, "relu6"), 0.0, 6.0)


@inplace_option
def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``.

    >>> import autograd_core as ag, nn.functional as F
    >>> round(F.mish(ag.tensor([1.0]))[0].item(), 4)
    0.8651
    """
    return input * _softplus_exact(_tensor(input, "mish")).tanh()


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@inplace_option
def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants
    ``alpha = 1.6733, scale = 1.0507``.

    >>> import autograd_core as ag, nn.functional as F
    >>> [round(v, 4) for v in F.selu(ag.tensor([-1.0, 1.0])).tolist()]
    [-1.1113, 1.0507]
    """
    return _ELU.apply(_tensor(input, "selu"), alpha=_SELU_ALPHA) * _SELU_SCALE


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|``.

    >>> import autograd_core as ag, nn.functional as F
    >>> [round(v, 4) for v in F.logsigmoid(ag.tensor([0.0, -1000.0])).tolist()]
    [-0.6931, -1000.0]
    """
    return -_Softplus.apply(-_tensor(input, "logsigmoid"), threshold=math.inf)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """``softmax(-x)`` along ``dim``.

    >>> import autograd_core as ag, nn.functional as F
    >>> [round(v, 4) for v in F.softmin(ag.tensor([0.0, 1.0]), dim=0).tolist()]
    [0.7311, 0.2689]
    """
    _tensor(input, "softmin")
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    x = input if dtype is None else input.to(dtype)
    return (-x).softmax(dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: split ``input`` in halves ``a, b`` along ``dim``; ``a * sigmoid(b)``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.glu(ag.tensor([2.0, 0.0])).tolist()
    [1.0]
    """
    _tensor(input, "glu")
    if input.ndim == 0:
        raise ValueError("glu: does not support scalars because halving size must be even")
    d = dim + input.ndim if dim < 0 else dim
    if not 0 <= d < input.ndim:
        raise IndexError(f"glu: dim {dim} is out of range for input of shape "
                         f"{tuple(input.shape)}")
    if input.shape[d] % 2:
        raise ValueError(f"glu: halving dimension must be even, but dimension {dim} is size "
                         f"{input.shape[d]} (input shape {tuple(input.shape)})")
    a, b = input.chunk(2, d)
    return a * b.sigmoid()


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x`` for positive x, else ``weight * x``; ``weight`` holds one slope, or one per
    channel (dim 1).

    >>> import autograd_core as ag, nn.functional as F
    >>> F.prelu(ag.tensor([[-2.0, 2.0]]), ag.tensor([0.25])).tolist()
    [[-0.5, 2.0]]
    """
    _tensor(input, "prelu")
    _tensor(weight, "prelu", "weight")
    k = weight.numel()
    if weight.ndim > 1:
        raise ValueError(f"prelu: expected a 0-D or 1-D weight, got shape {tuple(weight.shape)}")
    if k == 1:
        w = weight.reshape(())
    else:
        if input.ndim == 0:
            raise ValueError(f"prelu: a 0-D input needs a single weight, got {k}")
        channels = input.shape[1] if input.ndim >= 2 else 1
        if channels != k:
            raise ValueError(f"prelu: mismatch of parameter numbers and input channel size: "
                             f"weight has {k} entries but input of shape {tuple(input.shape)} "
                             f"has {channels} channels (dim 1; inputs of fewer than 2 dims "
                             f"have 1)")
        w = weight.reshape((k,) + (1,) * (input.ndim - 2))
    return input.relu() + w * input.clamp(max=0.0)


# -------------------------------------------------------------- attention
def _additive_mask(mask: Any, dtype: np.dtype, what: str, true_means_keep: bool) -> np.ndarray:
    """A float mask to add to attention scores: 0 where allowed, -inf where not."""
    if isinstance(mask, Tensor):
        if mask._requires_grad:
            raise ValueError(f"{what}: masks are constants here; a float mask that requires "
                             "grad is not supported")
        m = mask._data
    else:
        m = np.asarray(mask)
    if m.dtype == np.bool_:
        allowed = m if true_means_keep else ~m
        return np.where(allowed, np.zeros((), dtype), np.asarray(-np.inf, dtype))
    if m.dtype.kind != "f":
        raise TypeError(f"{what}: expected a bool or float mask, got dtype {m.dtype}")
    return m.astype(dtype, copy=False)


def causal_mask(L: int, S: int, dtype: Any = np.float32) -> np.ndarray:
    """Additive (L, S) mask letting position i attend to positions j <= i (top-left aligned)."""
    allowed = np.tril(np.ones((L, S), dtype=bool))
    return np.where(allowed, np.zeros((), dtype), np.asarray(-np.inf, dtype))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False,
                                 generator: Generator | None = None) -> Tensor:
    """``softmax(q k^T * scale + mask) v`` in one node, on ``(..., L, E)`` queries,
    ``(..., S, E)`` keys and ``(..., S, Ev)`` values; ``scale`` defaults to 1/sqrt(E).

    ``attn_mask`` is a bool mask (True = takes part in attention) or a float mask that is
    added to the scores, broadcastable to (..., L, S). ``is_causal`` masks future
    positions. A query row with no allowed key gives zeros. ``dropout_p`` drops attention
    weights (pass 0 in evaluation).

    >>> import autograd_core as ag, nn.functional as F
    >>> q = k = v = ag.randn(2, 4, 5, 8)
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
    (2, 4, 5, 8)
    """
    for name, t in (("query", query), ("key", key), ("value", value)):
        _tensor(t, "scaled_dot_product_attention", name)
        if t.ndim < 2:
            raise ValueError(f"scaled_dot_product_attention: {name} needs at least 2 dims "
                             f"(..., seq, features), got shape {tuple(t.shape)}")
    L, E = query.shape[-2:]
    S = key.shape[-2]
    if key.shape[-1] != E:
        raise ValueError(f"scaled_dot_product_attention: query has {E} features but key has "
                         f"{key.shape[-1]} (shapes {tuple(query.shape)} and {tuple(key.shape)})")
    if value.shape[-2] != S:
        raise ValueError(f"scaled_dot_product_attention: key has {S} positions but value has "
                         f"{value.shape[-2]} (shapes {tuple(key.shape)} and {tuple(value.shape)})")
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not supported")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    dtype = query.dtype
    mask = None
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: explicit attn_mask should not be "
                             "set when is_causal=True")
        mask = causal_mask(L, S, dtype)
    elif attn_mask is not None:
        mask = _additive_mask(attn_mask, dtype, "scaled_dot_product_attention", True)
        try:
            np.broadcast_shapes(mask.shape, query.shape[:-2] + (L, S))
        except ValueError:
            raise ValueError(f"scaled_dot_product_attention: attn_mask of shape {mask.shape} "
                             f"does not broadcast to the scores' shape "
                             f"{query.shape[:-2] + (L, S)}") from None
    if scale is None:
        scale = 1.0 / math.sqrt(E)
    return _Attention.apply(query, key, value, scale=scale, mask=mask, dropout_p=dropout_p,
                            generator=generator)


# ----------------------------------------------------------------- losses
_REDUCTIONS = ("mean", "sum", "none")


def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    if size_average is not None or reduce is not None:  # PyTorch's legacy arguments
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        return "mean" if (size_average and reduce) else ("sum" if reduce else "none")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _pair(input: Tensor, target: Any, fn: str) -> tuple[Tensor, Tensor]:
    _tensor(input, fn)
    target = _as_const(target, input)
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({tuple(target.shape)}) that is different to the "
                      f"input size ({tuple(input.shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      stacklevel=3)
        try:
            np.broadcast_shapes(target.shape, input.shape)
        except ValueError:
            raise ValueError(f"{fn}: target of shape {tuple(target.shape)} does not broadcast "
                             f"with input of shape {tuple(input.shape)}") from None
    return input, target


def mse_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean squared error ``(x - y)^2``, reduced.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.mse_loss(ag.tensor([1.0, 3.0]), ag.tensor([0.0, 0.0])).item()
    5.0
    """
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target, "mse_loss")
    d = input - target
    loss = d * d
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean") -> Tensor:
    """Mean absolute error ``|x - y|``, reduced.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.l1_loss(ag.tensor([1.0, -3.0]), ag.tensor([0.0, 0.0])).item()
    2.0
    """
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``; ``d = x - y``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.huber_loss(ag.tensor([0.5, 3.0]), ag.zeros(2), reduction="sum").item()
    2.625
    """
    reduction = _reduction(None, None, reduction)
    input, target = _pair(input, target, "huber_loss")
    d = input - target
    ad = d.abs()
    loss = where(ad._data < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)
    return _reduce(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.smooth_l1_loss(ag.tensor([0.5, 3.0]), ag.zeros(2), reduction="sum").item()
    2.625
    """
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target, "smooth_l1_loss")
    d = input - target
    ad = d.abs()
    if beta == 0:
        return _reduce(ad, reduction)
    loss = where(ad._data < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    return _reduce(loss, reduction)


def binary_cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """``-w (y log x + (1 - y) log(1 - x))`` on probabilities ``x``; each log is clamped
    to >= -100, as in PyTorch, so ``x`` of exactly 0 or 1 gives a finite loss.

    >>> import autograd_core as ag, nn.functional as F
    >>> round(F.binary_cross_entropy(ag.tensor([0.8]), ag.tensor([1.0])).item(), 4)
    0.2231
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input, "binary_cross_entropy")
    target = _as_const(target, input)
    if target.shape != input.shape:
        raise ValueError(f"binary_cross_entropy: using a target size ({tuple(target.shape)}) "
                         f"that is different to the input size ({tuple(input.shape)}) is not "
                         "supported; please ensure they have the same size")
    if weight is not None:
        return _BCE.apply(input, target, _as_const(weight, input), reduction=reduction)
    return _BCE.apply(input, target, reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Tensor | None = None,
                                     size_average: Any = None, reduce: Any = None,
                                     reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid and binary cross-entropy in one stable op:
    ``(1 - y) x + (1 + (pos_weight - 1) y) log(1 + exp(-x))``, times ``weight``.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.binary_cross_entropy_with_logits(ag.tensor([1e4, -1e4]), ag.tensor([1.0, 0.0])).item()
    0.0
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input, "binary_cross_entropy_with_logits")
    target = _as_const(target, input)
    if target.shape != input.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: target size ({tuple(target.shape)}) "
                         f"must be the same as input size ({tuple(input.shape)})")
    extra = []
    if weight is not None:
        extra.append(_as_const(weight, input))
    if pos_weight is not None:
        extra.append(_as_const(pos_weight, input))
    return _BCEWithLogits.apply(input, target, *extra,
                                has=(weight is not None, pos_weight is not None),
                                reduction=reduction)


def _class_targets(input: Tensor, target: Any, fn: str) -> np.ndarray:
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{fn}: class-index targets must be integers (int64), got dtype "
                        f"{t.dtype}; for class probabilities pass a float target of the "
                        f"input's shape {tuple(input.shape)}")
    expected = () if input.ndim == 1 else (input.shape[0],) + tuple(input.shape[2:])
    if t.shape != expected:
        raise ValueError(f"{fn}: expected target of shape {expected} for input of shape "
                         f"{tuple(input.shape)}, got {tuple(t.shape)}")
    return t


def _class_weight(weight: Any, input: Tensor, fn: str) -> Tensor | None:
    if weight is None:
        return None
    w = _as_const(weight, input)
    c = input.shape[1] if input.ndim > 1 else input.shape[0]
    if w.shape != (c,):
        raise ValueError(f"{fn}: weight should have one entry per class ({c},), got shape "
                         f"{tuple(w.shape)}")
    if w.dtype != input.dtype:
        w = make(w._data.astype(input.dtype))
    return w


def nll_loss(input: Tensor, target: Any, weight: Tensor | None = None, size_average: Any = None,
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) or (N, C, d1, ...)
    at the integer ``target``; ``'mean'`` divides by the summed weights of the
    non-ignored targets.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.nll_loss(ag.tensor([[-1.0, -2.0], [-3.0, -0.5]]), ag.tensor([0, 1])).item()
    0.75
    """
    from autograd_core.ops.loss import reduce_loss
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input, "nll_loss")
    if input.ndim < 1:
        raise ValueError("nll_loss: input needs at least 1 dim (C,) or (N, C, ...)")
    t = _class_targets(input, target, "nll_loss")
    w = _class_weight(weight, input, "nll_loss")
    c = input.shape[1] if input.ndim > 1 else input.shape[0]
    valid = t != ignore_index
    tc = np.where(valid, t, 0)
    if tc.size and (tc.min() < 0 or tc.max() >= c):
        bad = tc[(tc < 0) | (tc >= c)].flat[0]
        raise IndexError(f"Target {bad} is out of bounds (nll_loss with {c} classes)")
    if input.ndim == 1:
        picked = input[int(tc)]
    else:
        picked = input.gather(1, make(np.expand_dims(tc, 1))).squeeze(1)
    vmask = make(valid.astype(input.dtype))
    wy = w.gather(0, make(tc.reshape(-1))).reshape(tc.shape) * vmask if w is not None else vmask
    loss = -picked * wy
    if not valid.all():  # ignored targets get 0 gradient whatever the upstream one
        loss = where(valid, loss, make(np.zeros((), input.dtype)))
    if reduction == "mean":
        return loss.sum() / wy.sum()
    return reduce_loss(loss, reduction)


def cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None,
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits ``input`` (C,), (N, C) or (N, C, d1, ...) and either
    integer class indices (shape without the class dim) or class probabilities (the
    input's shape). One fused node with a stable log-softmax: logits of +-1e4 are fine.

    ``weight`` (C,) weighs classes; ``'mean'`` then divides by the summed weights of
    the targets (index targets) or by the batch size (probability targets).
    ``ignore_index`` targets add nothing; ``label_smoothing`` mixes the target with
    the uniform distribution.

    >>> import autograd_core as ag, nn.functional as F
    >>> x = ag.tensor([[1e4, -1e4], [0.0, 0.0]], requires_grad=True)
    >>> loss = F.cross_entropy(x, ag.tensor([1, 0]))
    >>> round(loss.item(), 2)
    10000.35
    >>> loss.backward(); bool(x.grad.isfinite().all())
    True
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input, "cross_entropy")
    if input.dtype.kind != "f":
        raise TypeError(f"cross_entropy: expected floating point logits, got dtype {input.dtype}")
    if input.ndim < 1:
        raise ValueError("cross_entropy: input needs at least 1 dim (C,) or (N, C, ...)")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    w = _class_weight(weight, input, "cross_entropy")
    extra = (w,) if w is not None else ()
    t_arr = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t_arr.dtype.kind == "f":
        if t_arr.shape != tuple(input.shape) and input.ndim > 1 and \
                t_arr.shape == (input.shape[0],) + tuple(input.shape[2:]):
            _class_targets(input, t_arr, "cross_entropy")  # raises: indices must be integers
        if t_arr.shape != tuple(input.shape):
            raise ValueError(f"cross_entropy: class-probability targets must have the input's "
                             f"shape {tuple(input.shape)}, got {tuple(t_arr.shape)}; class "
                             "indices must be integers")
        t = target if isinstance(target, Tensor) else make(t_arr)
        if t.dtype != input.dtype:
            t = t.to(input.dtype)
        return _CEProb.apply(input, t, *extra, label_smoothing=label_smoothing,
                             reduction=reduction)
    t_arr = _class_targets(input, target, "cross_entropy")
    return _CEIndex.apply(input, *extra, target=t_arr, ignore_index=ignore_index,
                          label_smoothing=label_smoothing, reduction=reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """``x`` where the target is 1, ``max(0, margin - x)`` where it is -1.

    >>> import autograd_core as ag, nn.functional as F
    >>> F.hinge_embedding_loss(ag.tensor([0.3, 0.3]), ag.tensor([1.0, -1.0])).item()
    0.5
    """
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _pair(input, target, "hinge_embedding_loss")
    t = np.broadcast_to(target._data, np.broadcast_shapes(target.shape, input.shape))
    zero = make(np.zeros((), dtype=input.dtype))
    margin_clamp = (margin - input).clamp(min=0.0)
    loss = where(t != 1, margin_clamp, zero) + where(t != -1, input, zero)
    return _reduce(loss, reduction)


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average: Any = None,
                      reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss: ``sum_{j != y} max(0, margin - x[y] + x[j])^p / C``
    (times ``weight[y]``), for (N, C) or (C,) input.

    >>> import autograd_core as ag, nn.functional as F
    >>> round(F.multi_margin_loss(ag.tensor([[0.1, 0.2, 0.4, 0.8]]), ag.tensor([3])).item(), 4)
    0.325
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensor(input, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 supported, got {p}")
    if input.ndim not in (1, 2):
        raise ValueError(f"multi_margin_loss: expected (N, C) or (C,) input, got shape "
                         f"{tuple(input.shape)}")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    t = _class_targets(input, target, "multi_margin_loss").reshape(-1)
    n, c = x.shape
    if t.size and (t.min() < 0 or t.max() >= c):
        raise IndexError(f"multi_margin_loss: target out of range [0, {c})")
    xy = x.gather(1, make(t[:, None]))
    m = (x - xy + margin).clamp(min=0.0)
    if p == 2:
        m = m * m
    w = _class_weight(weight, input, "multi_margin_loss")
    if w is not None:
        m = m * w.gather(0, make(t)).reshape(-1, 1)
    not_y = make((np.arange(c)[None, :] != t[:, None]).astype(input.dtype))
    loss = (m * not_y).sum(1) / c
    if input.ndim == 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def kl_div(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence of log-probabilities ``input`` from ``target``
    (probabilities, or log-probabilities with ``log_target``): pointwise
    ``target * (log target - input)``. ``reduction='batchmean'`` divides the sum by the
    batch size (the true KL divergence); ``'mean'`` averages over all elements.

    >>> import autograd_core as ag, nn.functional as F
    >>> x = ag.tensor([[0.25, 0.75]]).log()
    >>> round(F.kl_div(x, ag.tensor([[0.5, 0.5]]), reduction="batchmean").item(), 4)
    0.1438
    """
    _tensor(input, "kl_div")
    if reduction == "batchmean" and size_average is None and reduce is None:
        red = "batchmean"
    else:
        red = _reduction(size_average, reduce, reduction)
        if red == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
    input, target = _pair(input, target, "kl_div")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        t = target._data
        safe = where(t == 0, make(np.ones((), dtype=target.dtype)), target)
        xlogy = where(t == 0, make(np.zeros((), dtype=target.dtype)), target * safe.log())
        loss = xlogy - target * input
    if red == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, red)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the ``pairwise_distance`` (p-norm
    along the last dim); ``swap`` uses ``min(d(a, n), d(p, n))`` as the negative distance.

    >>> import autograd_core as ag, nn.functional as F
    >>> a, pos, neg = ag.zeros(1, 2), ag.tensor([[0.0, 1.0]]), ag.tensor([[0.0, 1.5]])
    >>> round(F.triplet_margin_loss(a, pos, neg, eps=0.0).item(), 4)
    0.5
    """
    reduction = _reduction(size_average, reduce, reduction)
    for name, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        _tensor(t, "triplet_margin_loss", name)
    if not anchor.ndim == positive.ndim == negative.ndim or anchor.ndim == 0:
        raise ValueError(f"triplet_margin_loss: expected anchor, positive and negative with "
                         f"the same number of dims, at least 1 (..., D), got shapes "
                         f"{tuple(anchor.shape)}, {tuple(positive.shape)} and "
                         f"{tuple(negative.shape)}")
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    d_ap = pairwise_distance(anchor, positive, p, eps)
    d_an = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_an = d_an.minimum(pairwise_distance(positive, negative, p, eps))
    loss = (d_ap - d_an + margin).clamp(min=0.0)
    return _reduce(loss, reduction)
