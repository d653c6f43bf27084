"""``nn``: modules, layers, losses and models on top of ``autograd_core``, as
``torch.nn``.

>>> import autograd_core as ag
>>> from autograd_core import nn
>>> import autograd_core.nn.functional as F
>>> model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
>>> x, y = ag.randn(64, 784), ag.randint(0, 10, (64,))
>>> loss = F.cross_entropy(model(x), y)
>>> model.zero_grad()
>>> loss.backward()
>>> model[0].weight.grad.shape
(256, 784)
"""

if __name__ != "autograd_core.nn":
    # This folder is the package autograd_core.nn. Imported under another name (a top-level
    # `nn`, from the repository's root) it would be a second copy of every class.
    raise ImportError(f"the folder {__path__[0]} is autograd_core.nn: import it as "
                      f"`from autograd_core import nn`, not as `{__name__}`")

from . import functional, init
from . import utils
from .models import CNN, MLP, ResidualBlock, ResNet
from .modules import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
                      AvgPool1d, AvgPool2d, BatchNorm1d, BatchNorm2d, BCELoss, BCEWithLogitsLoss,
                      Bilinear, CELU, CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d,
                      Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, CosineEmbeddingLoss,
                      CosineSimilarity, CrossEntropyLoss, Dropout, Dropout1d, Dropout2d, ELU,
                      Embedding, Flatten, Fold, GaussianNLLLoss, GELU, GLU, GroupNorm, GRU,
                      GRUCell, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, HingeEmbeddingLoss,
                      HuberLoss, Identity, InstanceNorm1d, InstanceNorm2d, KLDivLoss, L1Loss,
                      LayerNorm, LeakyReLU, Linear, LogSigmoid, LogSoftmax, LSTM, LSTMCell,
                      MarginRankingLoss, MaxPool1d, MaxPool2d, Mish, Module, ModuleDict,
                      ModuleList, MSELoss, MultiheadAttention, MultiLabelSoftMarginLoss,
                      MultiMarginLoss, NLLLoss, NonDynamicallyQuantizableLinear, PairwiseDistance,
                      ParameterDict, ParameterList, PixelShuffle, PixelUnshuffle, PoissonNLLLoss,
                      PReLU, ReflectionPad1d, ReflectionPad2d, ReLU, ReLU6, ReplicationPad1d,
                      ReplicationPad2d, RMSNorm, RNN, RNNBase, RNNCell, RNNCellBase, SELU,
                      Sequential, Sigmoid, SiLU, SmoothL1Loss, Softmax, Softmin, Softplus,
                      Softshrink, Softsign, Tanh, Tanhshrink, Threshold, Transformer,
                      TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                      TransformerEncoderBlock, TransformerEncoderLayer, TripletMarginLoss,
                      Unflatten, Unfold, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d,
                      ZeroPad1d, ZeroPad2d)
from .modules import (AdaptiveAvgPool3d, AdaptiveLogSoftmaxWithLoss, AdaptiveMaxPool3d,
                      AlphaDropout, AvgPool3d, BatchNorm3d, ChannelShuffle, CircularPad3d,
                      ConstantPad3d, Container, Conv3d, ConvTranspose3d, CrossMapLRN2d, CTCLoss,
                      DataParallel, Dropout3d, EmbeddingBag, FeatureAlphaDropout,
                      FractionalMaxPool2d, FractionalMaxPool3d, InstanceNorm3d,
                      LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d, LazyConv2d,
                      LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d,
                      LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d, LazyLinear,
                      LazyModuleMixin, LocalResponseNorm, LPPool1d, LPPool2d, LPPool3d,
                      MaxPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d, MultiLabelMarginLoss,
                      NLLLoss2d, ReflectionPad3d, ReplicationPad3d, RReLU, Softmax2d,
                      SoftMarginLoss, SyncBatchNorm, TripletMarginWithDistanceLoss, ZeroPad3d)
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = [
    "functional", "init", "utils",
    "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Parameter", "Buffer",
    "Identity", "Linear", "NonDynamicallyQuantizableLinear", "Flatten", "Unflatten", "Embedding",
    "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Dropout",
    "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus", "Tanh", "Sigmoid", "Softmax",
    "LogSoftmax",
    "MultiheadAttention",
    "L1Loss", "MSELoss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss", "NLLLoss",
    "CrossEntropyLoss", "HingeEmbeddingLoss", "MultiMarginLoss",
    "MLP", "CNN", "ResidualBlock", "ResNet", "TransformerEncoderBlock", "TransformerEncoderLayer",
    "Hardtanh", "ReLU6", "Mish", "SELU", "LogSigmoid", "Softmin", "GLU", "PReLU",
    "CosineSimilarity", "PairwiseDistance", "Dropout1d", "Dropout2d", "KLDivLoss",
    "TripletMarginLoss", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "ZeroPad1d",
    "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d", "ReflectionPad2d",
    "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d", "MaxPool1d",
    "AvgPool1d", "AdaptiveAvgPool1d", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d",
    "PixelShuffle", "PixelUnshuffle",
    "ConvTranspose1d", "ConvTranspose2d", "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase",
    "RNNCell", "LSTMCell", "GRUCell",
    "Hardsigmoid", "Hardswish", "Softsign", "Tanhshrink", "Softshrink", "Hardshrink",
    "Threshold", "CELU", "RMSNorm", "Bilinear", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "Unfold", "Fold", "MarginRankingLoss", "CosineEmbeddingLoss", "GaussianNLLLoss",
    "PoissonNLLLoss", "MultiLabelSoftMarginLoss", "TransformerEncoder",
    "TransformerDecoderLayer", "TransformerDecoder", "Transformer",
    # issue #14: the rest of torch.nn
    "UninitializedParameter", "UninitializedBuffer", "LazyModuleMixin",
    "Conv3d", "ConvTranspose3d", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
    "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyLinear",
    "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "MaxUnpool1d",
    "MaxUnpool2d", "MaxUnpool3d", "LPPool1d", "LPPool2d", "LPPool3d",
    "BatchNorm3d", "SyncBatchNorm", "InstanceNorm3d", "LocalResponseNorm", "CrossMapLRN2d",
    "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d",
    "LazyInstanceNorm2d", "LazyInstanceNorm3d",
    "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
    "ZeroPad3d", "ConstantPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad3d",
    "ChannelShuffle", "RReLU", "Softmax2d",
    "SoftMarginLoss", "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss", "CTCLoss",
    "NLLLoss2d", "EmbeddingBag", "AdaptiveLogSoftmaxWithLoss", "Container", "DataParallel",
    "FractionalMaxPool2d", "FractionalMaxPool3d",
]
