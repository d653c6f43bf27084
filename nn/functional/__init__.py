"""Functional forms of the layers, activations and losses, as ``torch.nn.functional``.

One submodule per concept, named as the module files of ``nn.modules``: ``activation``,
``linear``, ``conv`` (and ``conv3d``), ``pooling`` (and ``pooling_nd``: 3-D,
power-average, fractional; and ``unpooling``), ``normalization``, ``dropout``,
``sparse`` (embedding, embedding_bag, one_hot), ``loss`` (and ``ctc``), ``attention``,
``padding``, ``upsampling``, ``distance``, ``fold`` and ``vision`` (affine_grid,
grid_sample). Every public name is re-exported here.

>>> import autograd_core as ag
>>> import autograd_core.nn.functional as F
>>> logits = ag.tensor([[2.0, 0.5, -1.0]], requires_grad=True)
>>> loss = F.cross_entropy(logits, ag.tensor([0]))
>>> round(loss.item(), 4)
0.2413
>>> loss.backward()
>>> logits.grad.shape
(1, 3)
"""
from __future__ import annotations

from .activation import (celu, celu_, elu, elu_, gelu, glu, gumbel_softmax, hardshrink,
                         hardsigmoid, hardswish, hardtanh, hardtanh_, leaky_relu, leaky_relu_,
                         log_softmax, logsigmoid, mish, prelu, relu, relu6, relu_, rrelu, rrelu_,
                         selu, selu_, sigmoid, silu, softmax, softmin, softplus, softshrink,
                         softsign, tanh, tanhshrink, threshold, threshold_)
from .attention import multi_head_attention_forward, scaled_dot_product_attention
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .conv3d import conv3d, conv_transpose3d
from .ctc import ctc_loss
from .distance import cosine_similarity, normalize, pairwise_distance, pdist
from .dropout import alpha_dropout, dropout, dropout1d, dropout2d, dropout3d, feature_alpha_dropout
from .fold import fold, unfold
from .linear import bilinear, linear
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits,
                   cosine_embedding_loss, cross_entropy, gaussian_nll_loss, hinge_embedding_loss,
                   huber_loss, kl_div, l1_loss, margin_ranking_loss, mse_loss, multi_margin_loss,
                   multilabel_margin_loss, multilabel_soft_margin_loss, nll_loss,
                   poisson_nll_loss, smooth_l1_loss, soft_margin_loss, triplet_margin_loss,
                   triplet_margin_with_distance_loss)
from .normalization import (batch_norm, group_norm, instance_norm, layer_norm,
                            local_response_norm, rms_norm)
from .padding import pad
from .pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,
                      adaptive_max_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d)
from .pooling_nd import (adaptive_avg_pool3d, adaptive_max_pool1d_with_indices,
                         adaptive_max_pool2d_with_indices, adaptive_max_pool3d,
                         adaptive_max_pool3d_with_indices, avg_pool3d, fractional_max_pool2d,
                         fractional_max_pool2d_with_indices, fractional_max_pool3d,
                         fractional_max_pool3d_with_indices, lp_pool1d, lp_pool2d, lp_pool3d,
                         max_pool1d_with_indices, max_pool2d_with_indices, max_pool3d,
                         max_pool3d_with_indices)
from .unpooling import max_unpool1d, max_unpool2d, max_unpool3d
from .sparse import embedding, embedding_bag, one_hot
from .vision import affine_grid, grid_sample
from .upsampling import (channel_shuffle, interpolate, native_channel_shuffle, pixel_shuffle,
                         pixel_unshuffle, upsample, upsample_bilinear, upsample_nearest)

__all__ = [
    "linear", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool2d",
    "avg_pool2d", "adaptive_avg_pool2d", "dropout",
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
    "poisson_nll_loss", "multilabel_soft_margin_loss", "multi_head_attention_forward",
    # issue #14: the rest of torch.nn.functional
    "conv3d", "conv_transpose3d", "max_pool3d", "avg_pool3d", "adaptive_avg_pool3d",
    "adaptive_max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "max_pool3d_with_indices", "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices", "max_unpool1d",
    "max_unpool2d", "max_unpool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d", "dropout3d",
    "alpha_dropout", "feature_alpha_dropout", "relu_", "elu_", "leaky_relu_", "hardtanh_",
    "selu_", "celu_", "threshold_", "rrelu_", "rrelu", "gumbel_softmax", "soft_margin_loss",
    "multilabel_margin_loss", "triplet_margin_with_distance_loss", "ctc_loss",
    "local_response_norm", "pdist", "channel_shuffle", "embedding_bag", "grid_sample",
    "affine_grid", "upsample", "upsample_nearest", "upsample_bilinear", "fractional_max_pool2d",
    "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d_with_indices", "native_channel_shuffle",
]
