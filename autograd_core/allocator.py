"""Keep freed array memory in the process between training steps (glibc's malloc).

A training step allocates the same arrays every time: activations, gradients and
scratch buffers of a few hundred KB to a few MB each, all freed when the graph is.
glibc's malloc hands blocks of 128 KB or more to the kernel and back (``mmap`` and
``munmap``, or trimming the heap top) by default, so every step pays page faults
and zero-filling for memory it just returned (what that costs a training step:
``benchmarks/README.md``, "Memory").

:func:`configure` (run by ``import autograd_core``) raises glibc's mmap threshold to
32 MiB and its trim threshold to 256 MiB with ``mallopt``: blocks below 32 MiB come
from the heap, and up to 256 MiB of freed heap stays in the process for the next step.
Nothing is changed when the
C library is not glibc, when the user has tuned malloc already (``MALLOC_*_``
variables or ``glibc.malloc`` tunables), or with ``AUTOGRAD_CORE_MALLOC=off``.

>>> from autograd_core import allocator
>>> allocator.report()["policy"] in ("keep", "off")
True
"""
from __future__ import annotations

import os
from typing import Any

POLICIES = ("keep", "off")
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 256 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3   # glibc's mallopt parameter numbers

_report: dict[str, Any] = {"policy": "off", "applied": False, "reason": "not configured yet"}


def _user_tuned() -> bool:
    return any(k.startswith("MALLOC_") and k.endswith("_") for k in os.environ) or \
        "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", "")


def configure(policy: str | None = None) -> dict[str, Any]:
    """Apply ``policy`` (``"keep"``, the default, or ``"off"``; by default from
    ``AUTOGRAD_CORE_MALLOC``) once per process, and return :func:`report`.

    ``"off"`` after ``"keep"`` does not undo it; start a process with
    ``AUTOGRAD_CORE_MALLOC=off`` for glibc's defaults.
    """
    policy = policy or os.environ.get("AUTOGRAD_CORE_MALLOC", "keep")
    if policy not in POLICIES:
        raise ValueError(f"AUTOGRAD_CORE_MALLOC must be one of {POLICIES}, got {policy!r}")
    if _report["applied"]:
        return report()
    _report.update(policy=policy, applied=False)
    libc_version = ""
    try:
        libc_version = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        pass
    if policy == "off":
        _report["reason"] = "policy off"
    elif not libc_version.startswith("glibc"):
        _report["reason"] = "the C library is not glibc"
    elif _user_tuned():
        _report["reason"] = "malloc already tuned by the environment"
    else:
        import ctypes
        mallopt = ctypes.CDLL(None).mallopt
        mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and \
            mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
        _report.update(applied=ok, reason=f"{libc_version}: mmap threshold {MMAP_THRESHOLD >> 20} "
                       f"MiB, trim threshold {TRIM_THRESHOLD >> 20} MiB" if ok
                       else f"{libc_version}: mallopt refused")
    return report()


def report() -> dict[str, Any]:
    """What :func:`configure` did: ``policy``, ``applied`` and the ``reason``.

    >>> sorted(report())
    ['applied', 'policy', 'reason']
    """
    return dict(_report)
