"""Bounded spin-waits on a flag, run without the GIL (used by ``threads.py``'s worker team).

A worker that blocks on a lock between two kernel calls is woken by the kernel (a futex
wake), and only then starts waiting for the GIL; a caller that blocks waiting for a
worker's part is woken the same way. On short kernels these wake-ups are a visible part
of the wall-clock time. PyTorch's OpenMP threads spin for a while instead; this module
lets ours do the same without holding the GIL while they spin:

- :func:`wait_flag` spins, in Numba code compiled ``nogil=True``, until ``flags[i]`` equals
  a value or a budget of iterations runs out. Each iteration calls ``sched_yield()``: a
  spin on the CPU's ``pause`` hint alone kept the other thread of the pair off the core
  on a loaded machine (10x slower calls, measured); the call also makes the loop re-read
  the flag from memory every time.
- :func:`idle` first sets ``flags[1] = 1`` (a worker saying "my part is done", stored after
  the GIL has been given up, so a caller spinning on it can take the GIL at once), then
  spins on ``flags[0]`` ("a part is handed to you").

Rules: a spin is only a faster way to notice a change. The truth stays with the caller's
Python state (``_Worker.task``) and the locks stay the way to wake a thread that stopped
spinning, so a spin that runs out of budget, or is not available (no Numba, or
``AUTOGRAD_CORE_SPIN_US=0``), changes timing only. Nothing here imports Numba until
:func:`load` is called, and :func:`load` does so only when Numba is already imported.
"""
from __future__ import annotations

import os
import sys
import threading
import time

_lock = threading.Lock()
_loaded = False
wait_flag = None     # wait_flag(flags, i, value, iterations) -> bool, nogil
idle = None          # idle(flags, iterations) -> bool, nogil
iterations = 0       # spin iterations in the budget (AUTOGRAD_CORE_SPIN_US microseconds)

DEFAULT_US = 100


def budget_us() -> float:
    """The spin budget in microseconds: ``AUTOGRAD_CORE_SPIN_US`` (0 turns spinning off)."""
    env = os.environ.get("AUTOGRAD_CORE_SPIN_US")
    try:
        return max(0.0, float(env)) if env else float(DEFAULT_US)
    except ValueError:
        return float(DEFAULT_US)


def load() -> bool:
    """Compile (or load from Numba's cache) the spin functions and size the budget, once.
    False, leaving them None, when spinning is off or Numba is not imported yet."""
    global _loaded, wait_flag, idle, iterations
    if _loaded:
        return wait_flag is not None
    if "numba" not in sys.modules:   # the NumPy backend: don't import Numba for this
        return False
    with _lock:
        if _loaded:
            return wait_flag is not None
        try:
            us = budget_us()
            if us > 0:
                try:
                    w, i = _build()
                except ImportError:    # no spin-wait hint for this CPU
                    return False
                iterations = _calibrate(w, us)
                wait_flag, idle = w, i
        finally:
            _loaded = True
    return wait_flag is not None


def _build():
    from . import _spin_impl as impl   # imports Numba; compiled once, then cached on disk
    import numpy as np
    flags = np.zeros(2, np.int32)
    impl.wait_flag(flags, 0, 1, 1)     # compile (or load) both now, not inside a kernel call
    impl.idle(flags, 1)
    return impl.wait_flag, impl.idle


def _calibrate(wait, us: float) -> int:
    """Iterations that take ``us`` microseconds (the fastest of a few timings, as a busy
    machine only makes a timing longer)."""
    import numpy as np
    flags = np.zeros(2, np.int32)
    n, best = 2000, float("inf")
    for _ in range(3):
        t = time.perf_counter()
        wait(flags, 0, 1, n)
        best = min(best, time.perf_counter() - t)
    per_us = n / max(best * 1e6, 1e-3)
    return max(1, int(per_us * us))
