"""``nn.utils``: training utilities that act on parameters, as ``torch.nn.utils``.

>>> import autograd_core as ag
>>> from autograd_core.nn.utils import clip_grad_value_
>>> w = ag.zeros(2, requires_grad=True); w.grad = ag.tensor([5.0, -0.1])
>>> clip_grad_value_([w], 1.0); w.grad
tensor([ 1.0000, -0.1000])
"""
from . import clip_grad, convert_parameters, rnn
from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_,
                        get_total_norm)
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm
from . import parametrizations, parametrize, stateless

__all__ = ["clip_grad", "convert_parameters", "rnn", "clip_grad_norm_", "clip_grad_norm",
           "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_", "parameters_to_vector",
           "vector_to_parameters", "weight_norm", "remove_weight_norm", "spectral_norm",
           "remove_spectral_norm", "parametrize", "parametrizations", "stateless"]
