"""Devices, as PyTorch has them on a build without CUDA: every tensor lives on the CPU.

``device('cpu')``, ``device('cuda:0')`` and friends are objects with PyTorch's ``type``,
``index``, printing and equality; a ``device=`` argument (object, string or index) is
accepted everywhere PyTorch accepts one. Asking for memory on a device this library does
not have raises PyTorch's own error for a CPU-only build, never a silent CPU tensor.

>>> import autograd_core as ag
>>> ag.device("cpu"), str(ag.device("cuda", 1)), ag.zeros(2, device="cpu").device
(device(type='cpu'), 'cuda:1', device(type='cpu'))
>>> ag.zeros(2, device="cuda")
Traceback (most recent call last):
AssertionError: Torch not compiled with CUDA enabled
"""
from __future__ import annotations

import builtins
from typing import Any

# the device types PyTorch's parser knows, in its message's order
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
          "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class device:
    """Where a tensor's memory is: ``device('cpu')``, ``device('cuda:0')``,
    ``device('cuda', 0)``. Only the CPU holds tensors here.

    >>> import autograd_core as ag
    >>> d = ag.device("cuda:1")
    >>> d.type, d.index, d == ag.device("cuda", 1), d == "cuda:1"
    ('cuda', 1, True, False)
    """

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif isinstance(type, int) and not isinstance(type, bool):
            # PyTorch: an int alone names an index of the current accelerator
            raise RuntimeError("Cannot access accelerator device when none is available.")
        elif not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({builtins.type(type).__name__})")
        else:
            name, _, idx = type.partition(":")
            if name not in _TYPES:
                raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                                   f"device string: {type}")
            if idx:
                if index is not None:
                    raise RuntimeError(f"type (string) must not include an index because index "
                                       f"was passed explicitly: {type}")
                if not idx.isdigit():
                    raise RuntimeError(f"Invalid device string: '{type}'")
                index = int(idx)
            type = name
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index}")
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("device objects are immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __reduce__(self) -> tuple:
        return (device, (self.type, self.index))

    def __enter__(self) -> "device":
        check(self)
        return self

    def __exit__(self, *exc: object) -> None:
        pass


CPU = device("cpu")


def check(dev: Any) -> device:
    """``dev`` (a device, a string, an index or None) as a device that can hold tensors
    here: the CPU. Other devices raise the error PyTorch's CPU-only build raises.

    >>> check("cpu"), check(None)
    (device(type='cpu'), device(type='cpu'))
    """
    if dev is None:
        return CPU
    d = dev if isinstance(dev, device) else device(dev)
    if d.type == "cpu":
        return CPU
    if d.type == "meta":
        raise NotImplementedError("tensors on the 'meta' device (shape only, no data) are not "
                                  "supported by autograd-core")
    if d.type in ("cuda", "hip"):
        raise AssertionError("Torch not compiled with CUDA enabled")
    raise RuntimeError(f"device '{d}' is not available: autograd-core runs on the CPU only "
                       "(use device='cpu')")


__all__ = ["device", "check", "CPU"]
