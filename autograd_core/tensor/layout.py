"""How a tensor's numbers are laid out: ``strided`` (an array, every tensor but the
sparse ones) or ``sparse_coo`` (indices and values, ``tensor/sparse.py``), as
PyTorch's ``torch.layout``; and the memory formats a program may ask for
(``torch.channels_last``, ...), which name an order of the dims in memory. Arrays here
are kept in C order whatever the format asked: ``contiguous(memory_format=...)`` and
``model.to(memory_format=...)`` accept them and change nothing (the numbers, and every
result, are the same in any order).

>>> import autograd_core as ag
>>> ag.ones(2).layout, ag.eye(2).to_sparse().layout
(torch.strided, torch.sparse_coo)
"""
from __future__ import annotations


class _Named:
    """A named constant of PyTorch's (``torch.strided``, ``torch.channels_last``): prints
    as PyTorch's and pickles by name, so the module's object comes back."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


class layout(_Named):
    """A tensor layout; the two there are are ``strided`` and ``sparse_coo``."""

    __slots__ = ()


strided = layout("strided")
sparse_coo = layout("sparse_coo")


class memory_format(_Named):
    """An order of a tensor's dims in memory (``torch.channels_last``, ...)."""

    __slots__ = ()


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")
