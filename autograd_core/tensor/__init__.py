"""The Tensor type and the functions that make and join tensors (see ``base.py`` for the
layout of this package).

>>> import autograd_core as ag
>>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
tensor([2., 4., 6.])
"""
from __future__ import annotations

from .args import ValuesIndices
from .base import Tensor, init_leaf, make
from .linalg import cdist
from .movement import cat, concat, concatenate, hstack, meshgrid, row_stack, stack, vstack
from .pointwise import where
from .reduce import std_mean, var_mean

__all__ = ["Tensor", "make", "init_leaf", "ValuesIndices", "where", "cat", "concat", "concatenate",
           "stack", "vstack", "hstack", "row_stack", "meshgrid", "cdist", "var_mean", "std_mean"]
