"""``torch.version``: this library's version, and no CUDA or ROCm (``cuda`` and ``hip``
are None, as on PyTorch's CPU builds, so scripts that print or test them take their CPU
path).

>>> import autograd_core as ag
>>> ag.version.cuda is None, ag.version.__version__ == ag.__version__
(True, True)
"""
from __future__ import annotations

__version__ = "0.1.0"
cuda = None
hip = None
debug = False
git_version = "unknown"

__all__ = ["__version__", "cuda", "hip", "debug", "git_version"]
