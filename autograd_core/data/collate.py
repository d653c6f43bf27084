"""Former home of ``autograd_core.utils.data.collate``; this path re-exports it, so
old imports (``from autograd_core.data.collate import ...``) keep working."""
from ..utils.data.collate import *  # noqa: F401,F403
from ..utils.data.collate import __all__  # noqa: F401
