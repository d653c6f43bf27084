"""The Numba half of ``spin.py`` (imported by :func:`spin.load` only, as it imports Numba)."""
from __future__ import annotations

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def sched_yield(typingctx):
    """``sched_yield()`` from the C library, called by name (so the function can be cached).
    A call LLVM cannot see into: the flag a loop around it reads is re-read every time."""
    def codegen(context, builder, signature, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(32), []),
                                            "sched_yield")
        builder.call(fn, [])
        return context.get_dummy_value()
    return types.void(), codegen


@njit(nogil=True, cache=True)
def wait_flag(flags, i, value, n):
    """Yield the core up to ``n`` times until ``flags[i] == value``; True if it does."""
    for _ in range(n):
        if flags[i] == value:
            return True
        sched_yield()
    return flags[i] == value


@njit(nogil=True, cache=True)
def idle(flags, n):
    """Set ``flags[1] = 1``, then yield the core up to ``n`` times until ``flags[0] == 1``."""
    flags[1] = 1
    for _ in range(n):
        if flags[0] == 1:
            return True
        sched_yield()
    return flags[0] == 1
