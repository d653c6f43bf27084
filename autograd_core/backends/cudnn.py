"""``torch.backends.cudnn``: flags accepted and remembered; cuDNN is not available.

>>> from autograd_core.backends import cudnn
>>> cudnn.is_available(), cudnn.deterministic
(False, False)
"""
from __future__ import annotations

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version() -> None:
    return None
