"""``torch.multiprocessing``: the standard library's ``multiprocessing``, with tensors in
shared memory sent by reference, and PyTorch's ``spawn``.

A model whose parameters were moved into shared memory (``model.share_memory()``) and
handed to processes started here (by ``fork`` or ``spawn``, as ``Process`` arguments or
through a ``Queue``) is the same model in every process: what one process's optimizer
writes, the others read. That is Hogwild training (pytorch/examples' mnist_hogwild).
Tensors not in shared memory are copied, as by ``pickle``.

>>> import autograd_core.multiprocessing as mp
>>> mp.get_sharing_strategy(), callable(mp.Process)
('file_descriptor', True)
"""
from __future__ import annotations

import multiprocessing as _mp
import traceback
from multiprocessing import (Array, Barrier, Condition, Event, JoinableQueue, Lock, Manager,  # noqa: F401
                             Pipe, Pool, Process, Queue, RLock, Semaphore, SimpleQueue, Value,
                             active_children, cpu_count, current_process, get_all_start_methods,
                             get_context, get_start_method, set_start_method)
from typing import Any, Callable

__all__ = ["Array", "Barrier", "Condition", "Event", "JoinableQueue", "Lock", "Manager", "Pipe",
           "Pool", "Process", "Queue", "RLock", "Semaphore", "SimpleQueue", "Value",
           "active_children", "cpu_count", "current_process", "get_all_start_methods",
           "get_context", "get_start_method", "set_start_method", "spawn", "start_processes",
           "ProcessContext", "ProcessRaisedException", "ProcessExitedException",
           "get_sharing_strategy", "set_sharing_strategy", "get_all_sharing_strategies"]

_STRATEGIES = ("file_descriptor",)


def get_all_sharing_strategies() -> set:
    """The ways tensors in shared memory travel between processes: file descriptors only."""
    return set(_STRATEGIES)


def get_sharing_strategy() -> str:
    return "file_descriptor"


def set_sharing_strategy(new_strategy: str) -> None:
    """Only ``"file_descriptor"`` exists here (PyTorch's default on Linux)."""
    if new_strategy not in _STRATEGIES:
        raise RuntimeError(f"set_sharing_strategy: only 'file_descriptor' is supported, got "
                           f"{new_strategy!r}")


class ProcessRaisedException(Exception):
    """A process started by :func:`spawn` raised; the message holds its traceback."""

    def __init__(self, msg: str, error_index: int, error_pid: int) -> None:
        super().__init__(msg)
        self.msg, self.error_index, self.pid = msg, error_index, error_pid


class ProcessExitedException(Exception):
    """A process started by :func:`spawn` ended with a nonzero exit code (or a signal)."""

    def __init__(self, msg: str, error_index: int, error_pid: int, exit_code: int) -> None:
        super().__init__(msg)
        self.msg, self.error_index, self.pid, self.exit_code = msg, error_index, error_pid, exit_code


def _run(fn: Callable, index: int, args: tuple, errors: Any) -> None:
    try:
        fn(index, *args)
    except KeyboardInterrupt:
        pass    # the parent is told by the exit code
    except BaseException:
        errors.put((index, traceback.format_exc()))
        raise SystemExit(1)


class ProcessContext:
    """The processes of one :func:`spawn` call; ``join()`` waits for them and raises the
    first failure (after stopping the others), as PyTorch's."""

    def __init__(self, processes: list, errors: Any) -> None:
        self.processes, self.errors = processes, errors

    def pids(self) -> list:
        return [p.pid for p in self.processes]

    def join(self, timeout: float | None = None) -> bool:
        """True once every process has ended without error; raises on a failure."""
        for p in self.processes:
            p.join(timeout)
        failed = [(i, p) for i, p in enumerate(self.processes)
                  if p.exitcode is not None and p.exitcode != 0]
        if failed:
            for p in self.processes:
                if p.is_alive():
                    p.terminate()
            for p in self.processes:
                p.join()
            index, proc = failed[0]
            if not self.errors.empty():
                index, tb = self.errors.get()
                raise ProcessRaisedException(f"\n\n-- Process {index} terminated with the "
                                             f"following error:\n{tb}", index,
                                             self.processes[index].pid)
            raise ProcessExitedException(f"process {index} terminated with exit code "
                                         f"{proc.exitcode}", index, proc.pid, proc.exitcode)
        return all(p.exitcode == 0 for p in self.processes)


def start_processes(fn: Callable, args: tuple = (), nprocs: int = 1, join: bool = True,
                    daemon: bool = False, start_method: str = "spawn") -> ProcessContext | None:
    """Run ``fn(i, *args)`` for ``i`` in ``range(nprocs)``, each in a new process."""
    ctx = get_context(start_method)
    errors = ctx.SimpleQueue()
    processes = []
    for i in range(nprocs):
        p = ctx.Process(target=_run, args=(fn, i, args, errors), daemon=daemon)
        p.start()
        processes.append(p)
    context = ProcessContext(processes, errors)
    if not join:
        return context
    context.join()
    return None


def spawn(fn: Callable, args: tuple = (), nprocs: int = 1, join: bool = True,
          daemon: bool = False, start_method: str = "spawn") -> ProcessContext | None:
    """``torch.multiprocessing.spawn``: ``fn(i, *args)`` in ``nprocs`` new processes
    (``fn`` must be importable by the children: a module-level function). With ``join``
    it waits for them and raises ``ProcessRaisedException`` if one raised.

    >>> import autograd_core.multiprocessing as mp
    >>> mp.spawn(print, args=("started",), nprocs=0) is None
    True
    """
    return start_processes(fn, args, nprocs, join, daemon, start_method)


del _mp
