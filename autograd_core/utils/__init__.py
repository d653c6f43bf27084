"""PyTorch's ``torch.utils`` paths, so ported scripts keep their imports:
``from autograd_core.utils.data import DataLoader``."""
from .. import data  # noqa: F401
