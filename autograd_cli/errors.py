"""The refusals of the training application: settings that cannot work, and files that are
not usable checkpoints. The commands turn each into one error line and exit status 2.

>>> from autograd_cli.errors import CheckpointError, ConfigError
>>> issubclass(ConfigError, ValueError), issubclass(CheckpointError, ValueError)
(True, True)
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["ConfigError", "CheckpointError"]


class ConfigError(ValueError):
    """A setting that cannot work (a CNN on tabular data, a fraction out of range, ...).

    >>> from autograd_cli.models import build_model
    >>> try:
    ...     build_model("cnn", (4,), 3, "iris")
    ... except ConfigError as e:
    ...     print(str(e).split(";")[0])
    --model cnn needs image data (digits, fashion-mnist, mnist)
    """


class CheckpointError(ValueError):
    """A readable file that is not a usable checkpoint; ``reason`` says why, without the
    file's name (which ``str()`` adds), on one line.

    >>> e = CheckpointError(Path("run/checkpoint.npz"), "the config has\\n no 'seed'")
    >>> e.reason
    "the config has no 'seed'"
    >>> str(e)
    "run/checkpoint.npz: the config has no 'seed'"
    """

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, " ".join(reason.split())  # one line
        super().__init__(f"{path}: {self.reason}")
