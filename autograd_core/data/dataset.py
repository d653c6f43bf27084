"""Former home of ``autograd_core.utils.data.dataset``; this path re-exports it, so
old imports (``from autograd_core.data.dataset import ...``) keep working."""
from ..utils.data.dataset import *  # noqa: F401,F403
from ..utils.data.dataset import __all__  # noqa: F401
