"""``nn``: modules, layers, losses and models on top of ``autograd_core``, as
``torch.nn``.

>>> import autograd_core as ag
>>> import nn
>>> import nn.functional as F
>>> model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
>>> x, y = ag.randn(64, 784), ag.randint(0, 10, (64,))
>>> loss = F.cross_entropy(model(x), y)
>>> model.zero_grad()
>>> loss.backward()
>>> model[0].weight.grad.shape
(256, 784)
"""
from . import functional, init
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh
from .attention import MultiheadAttention
from .conv import Conv1d, Conv2d
from .dropout import Dropout
from .linear import Embedding, Flatten, Identity, Linear, NonDynamicallyQuantizableLinear, Unflatten
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeEmbeddingLoss, HuberLoss,
                   L1Loss, MSELoss, MultiMarginLoss, NLLLoss, SmoothL1Loss)
from .models import CNN, MLP, ResidualBlock, ResNet, TransformerEncoderBlock, TransformerEncoderLayer
from .module import Module, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .parameter import Buffer, Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .activation import GLU, Hardtanh, LogSigmoid, Mish, PReLU, ReLU6, SELU, Softmin
from .distance import CosineSimilarity, PairwiseDistance
from .dropout import Dropout1d, Dropout2d
from .loss import KLDivLoss, TripletMarginLoss
from .normalization import GroupNorm, InstanceNorm1d, InstanceNorm2d
from .padding import (CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d,
                      ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, ZeroPad1d, ZeroPad2d)
from .pooling import AdaptiveAvgPool1d, AvgPool1d, MaxPool1d
from .upsampling import (PixelShuffle, PixelUnshuffle, Upsample, UpsamplingBilinear2d,
                         UpsamplingNearest2d)
from .conv_transpose import ConvTranspose1d, ConvTranspose2d
from .recurrent import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell, RNNCellBase
from .activation import (CELU, Hardshrink, Hardsigmoid, Hardswish, Softshrink, Softsign,
                         Tanhshrink, Threshold)
from .bilinear import Bilinear
from .fold import Fold, Unfold
from .loss import (CosineEmbeddingLoss, GaussianNLLLoss, MarginRankingLoss,
                   MultiLabelSoftMarginLoss, PoissonNLLLoss)
from .pooling import AdaptiveMaxPool1d, AdaptiveMaxPool2d
from .rms_norm import RMSNorm
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder)

from . import utils

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
]
