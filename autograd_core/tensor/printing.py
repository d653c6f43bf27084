"""How tensors print: ``set_printoptions`` (PyTorch's ``precision``, ``threshold``,
``edgeitems``, ``linewidth``, ``sci_mode`` and the ``profile`` presets) and the text of
a tensor's numbers, which ``Tensor.__repr__`` uses.

>>> import autograd_core as ag
>>> ag.set_printoptions(precision=2)
>>> ag.tensor([1.23456, 2.0])
tensor([1.23, 2.00])
>>> ag.set_printoptions(profile="default")
"""
from __future__ import annotations

from typing import Any

import numpy as np

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80, sci_mode=None),
    "full": dict(precision=4, threshold=np.inf, edgeitems=3, linewidth=80, sci_mode=None),
}
OPTIONS: dict = dict(_PROFILES["default"])


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print, as ``torch.set_printoptions``: ``profile`` ("default",
    "short", "full") first, then any option given; ``sci_mode`` True or False forces or
    forbids scientific notation (None: NumPy's choice).
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, "
                             f"got {profile!r}")
        OPTIONS.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            OPTIONS[name] = value
    if sci_mode is not None or profile is not None:
        OPTIONS["sci_mode"] = sci_mode


def get_printoptions() -> dict:
    """The current options (a copy).

    >>> import autograd_core as ag
    >>> ag.get_printoptions()["precision"]
    4
    """
    return dict(OPTIONS)


def array_text(a: np.ndarray, prefix: str) -> str:
    """The numbers of ``a`` as a tensor prints them after ``prefix``."""
    o = OPTIONS
    kw: dict[str, Any] = {}
    if o["sci_mode"] is True:
        kw["floatmode"] = "maxprec"
        kw["formatter"] = {"float_kind": lambda v: np.format_float_scientific(
            v, precision=o["precision"])}
    else:
        if o["sci_mode"] is False:
            kw["suppress_small"] = True
        if a.dtype.kind == "f" and _fixed_digits(a, o["sci_mode"] is None):
            kw["floatmode"] = "fixed"
    threshold = o["threshold"]
    return np.array2string(a, separator=", ", prefix=prefix, precision=o["precision"],
                           threshold=int(min(threshold, 2**62)), edgeitems=o["edgeitems"],
                           max_line_width=o["linewidth"], **kw)


def _fixed_digits(a: np.ndarray, sci_allowed: bool) -> bool:
    """Whether every number prints with all ``precision`` digits, as PyTorch's: when one
    finite nonzero value is not an integer, or (integers) when they take scientific
    notation. NumPy's default trims the zeros of each (``0.5`` beside ``0.4999``, where
    PyTorch prints ``0.5000``); a tensor of integers prints as ``1., 2.`` in both."""
    v = np.abs(a[np.isfinite(a) & (a != 0)]).astype(np.float64)
    if not v.size:
        return False
    if not (v == np.ceil(v)).all():
        return True
    big, small = v.max(), v.min()
    return sci_allowed and (big / small > 1000.0 or big > 1.0e8)
