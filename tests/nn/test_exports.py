"""The names nn and nn.functional export (``nn/__init__.py``, ``nn/functional/__init__.py``)."""
from __future__ import annotations

from autograd_core import nn
import autograd_core.nn.functional as F


def test_functional_and_module_names_are_exported():
    for name in ("pad", "interpolate", "pixel_shuffle", "pixel_unshuffle", "normalize",
                 "cosine_similarity", "pairwise_distance", "hardtanh", "relu6", "mish", "selu",
                 "logsigmoid", "softmin", "glu", "prelu", "kl_div", "triplet_margin_loss",
                 "group_norm", "instance_norm", "dropout1d", "dropout2d", "max_pool1d",
                 "avg_pool1d", "adaptive_avg_pool1d", "one_hot"):
        assert name in F.__all__ and callable(getattr(F, name))
    for name in ("ZeroPad2d", "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d",
                 "CosineSimilarity", "PairwiseDistance", "Hardtanh", "ReLU6", "Mish", "SELU",
                 "LogSigmoid", "Softmin", "GLU", "PReLU", "KLDivLoss", "TripletMarginLoss",
                 "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "Dropout2d", "PixelShuffle",
                 "PixelUnshuffle", "Upsample", "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d"):
        assert name in nn.__all__ and issubclass(getattr(nn, name), nn.Module)
