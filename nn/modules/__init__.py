"""The layers of ``nn``, one file per concept as ``torch.nn.modules``: ``module``
(``Module``), ``container``, ``linear``, ``flatten``, ``sparse``, ``conv``, ``pooling``,
``normalization``, ``dropout``, ``activation``, ``attention``, ``transformer``, ``rnn``,
``loss``, ``padding``, ``upsampling``, ``distance``, ``fold``, ``lazy``, ``adaptive``,
``channelshuffle`` and ``data_parallel``. ``nn`` re-exports every class. PyTorch's paths
``batchnorm`` and ``instancenorm`` name ``normalization`` here, and ``pixelshuffle``
names ``upsampling`` (``nn.modules.batchnorm._BatchNorm`` is the base of the batch norms).

>>> from autograd_core import nn
>>> nn.modules.conv.Conv2d is nn.Conv2d, nn.modules.batchnorm.BatchNorm2d is nn.BatchNorm2d
(True, True)
"""
import sys as _sys

from .activation import (CELU, ELU, GELU, GLU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh,
                         LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, RReLU, SELU,
                         Sigmoid, SiLU, Softmax, Softmax2d, Softmin, Softplus, Softshrink,
                         Softsign, Tanh, Tanhshrink, Threshold)
from .adaptive import AdaptiveLogSoftmaxWithLoss
from .attention import MultiheadAttention
from .channelshuffle import ChannelShuffle
from .container import (Container, ModuleDict, ModuleList, ParameterDict, ParameterList,
                        Sequential)
from .conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d,
                   LazyConv1d, LazyConv2d, LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d,
                   LazyConvTranspose3d)
from .data_parallel import DataParallel
from .distance import CosineSimilarity, PairwiseDistance
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout
from .flatten import Flatten, Unflatten
from .fold import Fold, Unfold
from .lazy import LazyModuleMixin
from .linear import Bilinear, Identity, LazyLinear, Linear, NonDynamicallyQuantizableLinear
from .loss import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss, CrossEntropyLoss, CTCLoss,
                   GaussianNLLLoss, HingeEmbeddingLoss, HuberLoss, KLDivLoss, L1Loss,
                   MarginRankingLoss, MSELoss, MultiLabelMarginLoss, MultiLabelSoftMarginLoss,
                   MultiMarginLoss, NLLLoss, NLLLoss2d, PoissonNLLLoss, SmoothL1Loss,
                   SoftMarginLoss, TripletMarginLoss, TripletMarginWithDistanceLoss)
from .module import Module
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, CrossMapLRN2d, GroupNorm,
                            InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm,
                            LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyInstanceNorm1d,
                            LazyInstanceNorm2d, LazyInstanceNorm3d, LocalResponseNorm, RMSNorm,
                            SyncBatchNorm)
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d,
                      ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                      ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d,
                      ZeroPad3d)
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool1d,
                      AdaptiveMaxPool2d, AdaptiveMaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d,
                      FractionalMaxPool2d, FractionalMaxPool3d, LPPool1d, LPPool2d, LPPool3d,
                      MaxPool1d, MaxPool2d, MaxPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d)
from .rnn import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell, RNNCellBase
from .sparse import Embedding, EmbeddingBag
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderBlock, TransformerEncoderLayer)
from .upsampling import (PixelShuffle, PixelUnshuffle, Upsample, UpsamplingBilinear2d,
                         UpsamplingNearest2d)

__all__ = [
    "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Identity", "Linear", "NonDynamicallyQuantizableLinear", "Bilinear", "Flatten", "Unflatten",
    "Embedding", "Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d",
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "BatchNorm1d", "BatchNorm2d", "InstanceNorm1d", "InstanceNorm2d", "LayerNorm", "GroupNorm",
    "RMSNorm", "Dropout", "Dropout1d", "Dropout2d",
    "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus", "Tanh", "Sigmoid", "Softmax",
    "LogSoftmax", "Hardtanh", "ReLU6", "Mish", "SELU", "LogSigmoid", "Softmin", "GLU", "PReLU",
    "Hardsigmoid", "Hardswish", "Softsign", "Tanhshrink", "Softshrink", "Hardshrink",
    "Threshold", "CELU", "MultiheadAttention",
    "TransformerEncoderBlock", "TransformerEncoderLayer", "TransformerEncoder",
    "TransformerDecoderLayer", "TransformerDecoder", "Transformer",
    "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
    "L1Loss", "MSELoss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss", "NLLLoss",
    "CrossEntropyLoss", "HingeEmbeddingLoss", "MultiMarginLoss", "KLDivLoss", "TripletMarginLoss",
    "MarginRankingLoss", "CosineEmbeddingLoss", "GaussianNLLLoss", "PoissonNLLLoss",
    "MultiLabelSoftMarginLoss",
    "ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d",
    "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d",
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle",
    "CosineSimilarity", "PairwiseDistance", "Unfold", "Fold",
    # issue #14: the rest of torch.nn
    "Conv3d", "ConvTranspose3d", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
    "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyLinear", "LazyModuleMixin",
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

from . import normalization as batchnorm, normalization as instancenorm  # noqa: E402
from . import upsampling as pixelshuffle  # noqa: E402

for _alias, _module in (("batchnorm", batchnorm), ("instancenorm", instancenorm),
                        ("pixelshuffle", pixelshuffle)):   # importable by PyTorch's path too
    _sys.modules.setdefault(f"{__name__}.{_alias}", _module)
del _alias, _module
