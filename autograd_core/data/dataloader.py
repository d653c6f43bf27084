"""Former home of ``autograd_core.utils.data.dataloader``; this path re-exports it, so
old imports (``from autograd_core.data.dataloader import ...``) keep working."""
from ..utils.data.dataloader import *  # noqa: F401,F403
from ..utils.data.dataloader import __all__  # noqa: F401
