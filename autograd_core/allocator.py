"""Keep freed array memory in the process between training steps (glibc's malloc),
in ordinary pages.

A training step allocates the same arrays every time: activations, gradients and
scratch buffers of a few hundred KB to tens of MB each, all freed when the graph is.
glibc's malloc hands blocks of 128 KB or more to the kernel and back (``mmap`` and
``munmap``, or trimming the heap top) by default, so every step pays page faults
and zero-filling for memory it just returned (what that costs a training step:
``benchmarks/README.md``, "Memory").

:func:`configure` (run by ``import autograd_core``) raises glibc's mmap threshold to
256 MiB and its trim threshold to 512 MiB with ``mallopt``: blocks below 256 MiB (a
language model's logits, 32 x 64 x 10,000 float32, are 82 MB) come from the heap, and up
to 512 MiB of freed heap stays in the process for the next step. Nothing is changed when
the C library is not glibc, when the user has tuned malloc already (``MALLOC_*_``
variables or ``glibc.malloc`` tunables), or with ``AUTOGRAD_CORE_MALLOC=off``.

It also stops NumPy from asking the kernel for transparent huge pages
(``madvise(MADV_HUGEPAGE)``, which NumPy does for every array of 4 MB or more): where the
kernel compacts memory to find a free 2 MB page on the fault, as it does for such
requests on a long-running host, the first training steps spend most of their time in
the kernel (ResNet-18's first step 2.2 s against 1.1 s, of which 1.2 s against 0.15 s in
the kernel), and a later step can stall for half a second; the steps after the first
two run no faster with huge pages. Left alone when ``NUMPY_MADVISE_HUGEPAGE`` is set,
or with ``AUTOGRAD_CORE_MALLOC=off``.

>>> from autograd_core import allocator
>>> allocator.report()["policy"] in ("keep", "off")
True
>>> allocator.report()["huge_pages"] in ("numpy's choice", "off")
True
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

POLICIES = ("keep", "off")
MMAP_THRESHOLD = 256 << 20
TRIM_THRESHOLD = 512 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3   # glibc's mallopt parameter numbers

_report: dict[str, Any] = {"policy": "off", "applied": False, "reason": "not configured yet",
                           "huge_pages": "numpy's choice"}


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
    if policy == "keep" and "NUMPY_MADVISE_HUGEPAGE" not in os.environ and _numpy_huge_pages(False):
        _report["huge_pages"] = "off"
    return report()


def _numpy_huge_pages(enabled: bool) -> bool:
    """Ask NumPy to advise (or not) huge pages for its large arrays; False where this
    NumPy has no such switch."""
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    switch = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if switch is None:
        return False
    switch(enabled)
    return True


def report() -> dict[str, Any]:
    """What :func:`configure` did: ``policy``, ``applied`` and the ``reason`` (malloc's
    thresholds), and ``huge_pages`` (``"off"`` when NumPy was told not to ask for them).

    >>> sorted(report())
    ['applied', 'huge_pages', 'policy', 'reason']
    """
    return dict(_report)
