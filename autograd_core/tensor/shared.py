"""Tensors in shared memory, for training one model from several processes (Hogwild).

``t.share_memory_()`` moves ``t``'s numbers into a block of memory that child processes
share with this one: a ``memfd`` (an unnamed file in RAM) mapped ``MAP_SHARED``. A
child made by ``fork`` inherits the mapping. A child made by ``spawn`` (or a tensor sent
through a ``multiprocessing`` queue) receives the tensor pickled by
``multiprocessing``'s own pickler, for which the tensor's types are registered to send
the block's file descriptor instead of the numbers; the other side maps the same
block. So an optimizer step in any process changes the parameters every process sees.
Ordinary pickling (``torch.save``, ``pickle.dumps``) still copies the numbers.

The block lives as long as an array in any process maps it; gradients, made lazily by
backward, stay private to each process, as in PyTorch.

>>> import autograd_core as ag
>>> t = ag.zeros(3).share_memory_()
>>> t.is_shared(), t.tolist()
(True, [0.0, 0.0, 0.0])
"""
from __future__ import annotations

import mmap
import os
import tempfile
from typing import Any

import numpy as np

_registered: set = set()   # Tensor types multiprocessing's pickler knows


class SharedBlock:
    """One mapping of shared memory: its file descriptor (kept open, so it can be sent
    to another process) and the mapping that arrays are made on."""

    __slots__ = ("fd", "map", "nbytes", "__weakref__")

    def __init__(self, nbytes: int, fd: int | None = None) -> None:
        self.nbytes = nbytes
        if fd is None:
            fd = _new_fd()
            os.ftruncate(fd, max(nbytes, 1))
        self.fd = fd
        self.map = mmap.mmap(fd, max(nbytes, 1), flags=mmap.MAP_SHARED,
                             prot=mmap.PROT_READ | mmap.PROT_WRITE)

    def __del__(self) -> None:
        try:
            os.close(self.fd)
        except (OSError, TypeError):   # already closed, or at interpreter shutdown
            pass


def _new_fd() -> int:
    if hasattr(os, "memfd_create"):
        return os.memfd_create("autograd-core-shared", getattr(os, "MFD_CLOEXEC", 0))
    f = tempfile.TemporaryFile()     # an unlinked file: the same, on systems without memfd
    return os.dup(f.fileno())


def _array_on(block: SharedBlock, shape: tuple, dtype: np.dtype) -> np.ndarray:
    return np.ndarray(shape, dtype=dtype, buffer=block.map)


def block_of(arr: np.ndarray) -> SharedBlock | None:
    """The shared block an array lies in (its base chain ends at the mapping), or None."""
    base = arr
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    return _owners.get(id(base)) if isinstance(base, mmap.mmap) else None


# id(mapping) -> its block; a mapping is kept alive by the arrays made on it, and the
# block by this table (blocks are few: one per shared tensor, freed with the process).
_owners: dict = {}


def share(arr: np.ndarray) -> np.ndarray:
    """``arr``'s numbers in a new shared block (a C-contiguous array of the same shape
    and dtype), or ``arr`` itself if it already lies in one."""
    if block_of(arr) is not None:
        return arr
    block = SharedBlock(arr.nbytes)
    _owners[id(block.map)] = block
    out = _array_on(block, arr.shape, arr.dtype)
    out[...] = arr
    return out


def register_reducer(cls: type) -> None:
    """Teach ``multiprocessing``'s pickler to send tensors of type ``cls`` that lie in
    shared memory by reference (their block's file descriptor)."""
    if cls in _registered:
        return
    from multiprocessing.reduction import ForkingPickler
    ForkingPickler.register(cls, _reduce)
    _registered.add(cls)


def _reduce(t: Any) -> Any:
    arr = t._data
    block = block_of(arr)
    if block is None or not arr.flags.c_contiguous or arr.nbytes != block.nbytes:
        return t.__reduce_ex__(4)   # not shared (or a part of a block): by value
    from multiprocessing.reduction import DupFd
    return (_rebuild, (type(t), DupFd(block.fd), arr.shape, arr.dtype.str, arr.nbytes,
                       t.requires_grad))


def _rebuild(cls: type, dupfd: Any, shape: tuple, dtype: str, nbytes: int,
             requires_grad: bool) -> Any:
    block = SharedBlock(nbytes, fd=dupfd.detach())
    _owners[id(block.map)] = block
    arr = _array_on(block, tuple(shape), np.dtype(dtype))
    register_reducer(cls)
    return cls._make_subclass(cls, arr, requires_grad)
