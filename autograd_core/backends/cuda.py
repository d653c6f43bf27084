"""``torch.backends.cuda``: flags accepted and remembered; CUDA is not built in.

>>> from autograd_core.backends import cuda
>>> cuda.matmul.allow_tf32 = True
>>> cuda.is_built()
False
"""
from __future__ import annotations


class _Flags:
    """A namespace of switches (``matmul.allow_tf32`` and friends)."""

    def __init__(self, **flags: bool) -> None:
        self.__dict__.update(flags)


matmul = _Flags(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                allow_bf16_reduced_precision_reduction=True)


def is_built() -> bool:
    return False


def flash_sdp_enabled() -> bool:
    return False


def mem_efficient_sdp_enabled() -> bool:
    return False


def math_sdp_enabled() -> bool:
    return True
