"""``Size``: the type of ``Tensor.shape`` and ``Tensor.size()``, a tuple of ints as
PyTorch's ``torch.Size`` (slicing, ``+`` and ``*`` keep the type; ``numel()``).

It prints as the plain tuple it is, ``(2, 3)``, where PyTorch prints ``torch.Size([2, 3])``:
shapes appear in this library's messages and examples as tuples.

>>> import autograd_core as ag
>>> s = ag.zeros(2, 3).shape
>>> s, s.numel(), s[1:], isinstance(s, ag.Size), s == (2, 3)
((2, 3), 6, (3,), True, True)
"""
from __future__ import annotations

import operator
from typing import Any, Iterable

__all__ = ["Size"]

_tuple_new = tuple.__new__


def _as_int(value: Any, i: int) -> int:
    """One size: an int, or what PyTorch also takes as one (a bool, a NumPy integer, a 0-d
    integer tensor); anything else is PyTorch's TypeError."""
    try:
        return operator.index(value)
    except TypeError:
        kind = type(value)
        name = f"numpy.{kind.__name__}" if kind.__module__ == "numpy" else kind.__name__
        raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                        f"'{name}')") from None


class Size(tuple):
    """A tensor's shape: a tuple of ints, as PyTorch's ``torch.Size``.

    >>> import autograd_core as ag
    >>> ag.Size([2, 3]) + (4,), ag.Size([2, 3]).numel()
    ((2, 3, 4), 6)
    """

    __slots__ = ()

    def __new__(cls, sizes: Iterable[Any] = ()) -> "Size":
        return _tuple_new(cls, [_as_int(v, i) for i, v in enumerate(sizes)])

    def numel(self) -> int:
        """The number of elements of a tensor of this shape (1 for ``Size([])``).

        >>> import autograd_core as ag
        >>> ag.Size([2, 3, 4]).numel(), ag.Size([]).numel()
        (24, 1)
        """
        n = 1
        for v in self:
            n *= v
        return n

    def __getitem__(self, key: Any) -> Any:
        item = tuple.__getitem__(self, key)
        return _tuple_new(Size, item) if isinstance(key, slice) else item

    def __add__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return _tuple_new(Size, tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return _tuple_new(Size, tuple.__add__(other, self))

    def __mul__(self, n: Any) -> Any:
        return _tuple_new(Size, tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __reduce__(self) -> tuple:
        return (Size, (tuple(self),))


def shape_of(array: Any) -> Size:
    """The ``Size`` of an array's shape (no checks: its entries are ints)."""
    return _tuple_new(Size, array.shape)
