"""Former home of ``autograd_core.utils.data.sampler``; this path re-exports it, so
old imports (``from autograd_core.data.sampler import ...``) keep working."""
from ..utils.data.sampler import *  # noqa: F401,F403
from ..utils.data.sampler import __all__  # noqa: F401
