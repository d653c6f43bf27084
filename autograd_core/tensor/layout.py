"""How a tensor's numbers are laid out: ``strided`` (an array, every tensor but the
sparse ones) or ``sparse_coo`` (indices and values, ``tensor/sparse.py``), as
PyTorch's ``torch.layout``.

>>> import autograd_core as ag
>>> ag.ones(2).layout, ag.eye(2).to_sparse().layout
(torch.strided, torch.sparse_coo)
"""
from __future__ import annotations


class layout:
    """A tensor layout; the two there are are ``strided`` and ``sparse_coo``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name   # pickled by name: the module's object comes back


strided = layout("strided")
sparse_coo = layout("sparse_coo")
