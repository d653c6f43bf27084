"""``nn.utils.stateless``: call a module with other tensors in place of its parameters and
buffers (``torch.nn.utils.stateless``). ``functional_call`` is ``autograd_core.func``'s.

>>> import autograd_core as ag
>>> from autograd_core import nn
>>> from autograd_core.nn.utils.stateless import functional_call
>>> lin = nn.Linear(2, 1)
>>> functional_call(lin, {"weight": ag.ones(1, 2), "bias": ag.ones(1)}, (ag.ones(2),))
tensor([3.])
"""
from autograd_core.func import functional_call

__all__ = ["functional_call"]
