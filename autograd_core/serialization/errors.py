"""The errors ``load`` raises for files it refuses, and how sizes are spelled in them."""
from __future__ import annotations

import pickle

__all__ = ["SerializationError", "WeightsOnlyUnpicklingError", "Refused", "describe"]


class SerializationError(RuntimeError):
    """A file that ``load`` refuses: not a checkpoint, corrupt, truncated, or beyond a size
    limit. A ``RuntimeError``, as PyTorch's errors for such files are."""


class WeightsOnlyUnpicklingError(SerializationError, pickle.UnpicklingError):
    """A file whose pickle names a global (a class or function) that ``weights_only=True``
    does not allow. Both a ``pickle.UnpicklingError``, PyTorch's type for this refusal, and
    a :class:`SerializationError`, so callers catching either see it."""


class Refused(pickle.UnpicklingError):
    """Raised inside the weights-only unpickler by the checks of what a file may build; the
    loader reports it as a :class:`WeightsOnlyUnpicklingError` naming the file."""


def describe(value: object) -> str:
    """``value`` for an error message, without calling anything of it: the repr of plain
    data (cut short), else its type (a repr of a built object could run its code)."""
    if value is None or type(value) in (bool, int, float, str, bytes):
        text = repr(value)
        return text if len(text) <= 80 else text[:80] + "..."
    if type(value) in (tuple, list) and len(value) <= 8 and all(
            v is None or type(v) in (bool, int, float, str) for v in value):
        return describe(str(value)) if len(repr(value)) > 80 else repr(value)
    if isinstance(value, type):
        return f"class {value.__module__}.{value.__qualname__}"
    kind = type(value)
    if kind.__name__ in ("function", "builtin_function_or_method"):
        return f"function {getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', '?')}"
    return f"a {kind.__module__}.{kind.__qualname__} object"


def size_text(n: int) -> str:
    """``n`` bytes as the exact count and a readable size: '8000128 bytes (7.6 MiB)'."""
    value, unit = float(n), "bytes"
    for u in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if value < 1024:
            break
        value, unit = value / 1024, u
    return f"{n} bytes" + (f" ({value:.1f} {unit})" if unit != "bytes" else "")


def refuse_large_archive(name: str, infos: list, max_bytes: int, what: str) -> int:
    """The total size ``infos`` (zip members) declare; a :class:`SerializationError` naming
    the three largest when it is over ``max_bytes``, raised before anything is inflated.
    ``what`` names the members in the message ('records', 'arrays')."""
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        largest = sorted(infos, key=lambda i: -i.file_size)[:3]
        which = ", ".join(f"{i.filename!r} {size_text(i.file_size)}" for i in largest)
        raise SerializationError(
            f"load: {name}: its {what} declare {size_text(total)} uncompressed (largest: "
            f"{which}), more than the limit of {size_text(max_bytes)}; refused before reading "
            "anything. If you trust this file, raise the limit: load(..., max_bytes=N) or "
            "autograd_core.serialization.MAX_BYTES = N")
    return total
