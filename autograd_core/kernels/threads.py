"""Thread pools that don't fight: OpenBLAS's, Numba's and ours share two cores.

Longer than 600 lines on purpose: one concept (which threads run on the cores), whose
parts lean on one another: our worker team takes the BLAS holds, the BLAS pool restart
waits until the team is idle (``_alone``), and both share one lock and the Ctrl-C
deferral; split, each half would reach into the other's state.

The problem: after a multi-threaded OpenBLAS call, OpenBLAS's idle worker keeps
spinning for about 2**28 cycles waiting for more work. Any parallel kernel that starts
in that window (Numba ``prange`` or our own worker threads) gets a core time-shared with
a spinning thread and runs many times slower (``python -m benchmarks threads`` shows by
how much; ``benchmarks/README.md`` keeps the figures).

BLAS policy, applied on first kernel use (:func:`configure`; nothing runs at import):

- ``"sleep"`` (the default) keeps OpenBLAS multi-threaded and makes its idle workers
  sleep at once. OpenBLAS reads ``OPENBLAS_THREAD_TIMEOUT`` when it starts its pool; if
  the variable was set before OpenBLAS started, there is nothing to do. Otherwise we set
  it to its minimum, ask OpenBLAS to re-read its environment and shut its pool down
  (``openblas_read_env``, ``blas_thread_shutdown_``); the next BLAS call starts a new
  pool that reads the new timeout. The variable stays set, so child processes start
  OpenBLAS the same way.
- ``"single"``: BLAS held to one thread (what ``OPENBLAS_NUM_THREADS=1`` does).
- ``"off"``: BLAS left alone (the benchmark's "before" column).

:func:`set_num_threads` caps NumPy's OpenBLAS at the same count (never above the count it
started with), as ``torch.set_num_threads`` caps PyTorch's BLAS; under ``"off"`` it
leaves BLAS alone.

Shutting the pool down under a BLAS call running in another thread deadlocks that call,
so the restart follows these rules:

- It is done only for the OpenBLAS bundled with NumPy (its symbols are renamed, so only
  NumPy calls it, and NumPy calls BLAS only from threads that have a Python thread
  state and a Python frame, which ``sys._current_frames`` lists).
- It is done only when no thread but the caller and our idle workers has a Python
  frame: then no thread is inside a NumPy BLAS call, and none can start one (new Python
  threads are started by running ones). The shutdown is called with the GIL held. The
  one case this cannot see is a thread that calls NumPy from C with no Python frame
  on its stack while no Python thread waits on it.
- When other threads are running, BLAS is held to one thread instead (no idle spinning,
  so no slowdown of our kernels, but large matmuls run on one thread, as with
  ``"single"``), and every later kernel call that finds itself alone restarts the pool
  and gives BLAS back its thread count. Calling :func:`configure` (or any kernel) before
  starting threads keeps BLAS multi-threaded throughout; so does setting
  ``OPENBLAS_THREAD_TIMEOUT`` (4 is the minimum) before Python starts, which is the way
  where threads run from the start (a Jupyter kernel has several).
- An OpenBLAS that is NumPy's but not bundled with it (a system or conda copy, which
  other libraries may call from threads of their own) is held to one thread unless
  ``OPENBLAS_THREAD_TIMEOUT`` was set before it started; an OpenBLAS NumPy does not use
  is left alone; so is a BLAS other than OpenBLAS unless NumPy uses it, in which case
  it is held to one thread (threadpoolctl; it has no idle-sleep control).

Our own parallelism: kernels that mix Numba code and BLAS calls (im2col + sgemm per
batch chunk) split the batch over a small team of Python threads (blocking waits, no
spinning); Numba kernels are compiled with ``nogil=True`` and BLAS is held to one
thread per call for the duration, so each core runs exactly one thread. Where each
item's result is the same however the range is cut (a convolution's output and input
gradient, per sample), the threads claim pieces as they come free (``piece``), so that a
thread sharing its core with another program does less of the work; sums across items
(a weight gradient) keep one even part per thread, so that a rerun gives the same
numbers. The rules:

- The team serves one :func:`parallel_for` at a time. A call made while it is busy
  (from inside a part, or from another thread) runs serially on its caller's thread, so
  kernels may be called from several threads at once.
- :func:`blas_single_thread` is a process-wide hold, counted: BLAS goes to one thread
  when the first hold starts and gets its previous count back when the last one ends.
  BLAS calls made meanwhile in other threads run on one thread too.
- While the host is busy (:func:`host_busy`: load average above the cores plus one),
  products (``ops.linalg``'s MatMul and Linear and the convolutions done as products,
  through :func:`blas_single_if_busy`) and
  ``blas_single`` calls run in one part also take a hold: a woken OpenBLAS worker would
  wait for a core, and the call for it. ``AUTOGRAD_CORE_BLAS_BUSY=on|off`` forces it.
- Ctrl-C: on the main thread, SIGINT's handler is deferred while :func:`parallel_for`
  uses the team (and while a hold is taken or given back), then called: the
  ``KeyboardInterrupt`` comes once every part has finished. An exception raised by a
  part, in the caller or a worker, also propagates only after every part has finished.
  No state is left behind: the next call computes its full result.

>>> from autograd_core.kernels import threads
>>> threads.get_num_threads() >= 1
True
>>> out = []
>>> threads.parallel_for(lambda lo, hi: out.append((lo, hi)), 10, grain=1)
>>> sorted(out)[0][0], sorted(out)[-1][1]
(0, 10)
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
import time
from typing import Any, Callable, Iterator

try:
    import _signal as _sig    # the C module behind ``signal``, without its enum conversions
except ImportError:           # pragma: no cover (another Python implementation)
    import signal as _sig

POLICIES = ("sleep", "single", "off")
_SUFFIXES = ("", "64_", "_64")
_PREFIXES = ("", "scipy_")
_SIGINT = _sig.SIGINT

_lock = threading.Lock()
_configured = False
_policy = os.environ.get("AUTOGRAD_CORE_BLAS_POLICY", "sleep")
_report: list[dict[str, Any]] = []
_openblas_setters: list[tuple[Callable[[int], None], Callable[[], int]]] = []
_controller = None          # threadpoolctl controller for non-OpenBLAS libraries
_num_threads: int | None = None
_single_depth = 0
_single_saved: list = []
_single_limiter = None      # threadpoolctl limiter of the current hold, if any
_pending: list["_Restart"] = []   # pools waiting for a kernel call made alone
_restarted: dict[str, int] = {}   # library path -> OPENBLAS_THREAD_TIMEOUT it restarted with
_blas_cap: int | None = None      # set_num_threads's count, which NumPy's OpenBLAS gets too
_blas_natural: dict[str, int] = {}  # library path -> its thread count before any cap
_capped: list[tuple[str, Callable[[int], None]]] = []   # NumPy's OpenBLAS: path, setter


def cpu_count() -> int:
    """Cores this process may run on (its affinity mask), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def get_num_threads() -> int:
    """Threads our kernels split work over: ``AUTOGRAD_CORE_NUM_THREADS``, else
    ``OMP_NUM_THREADS`` (PyTorch's own default reads it: ``OMP_NUM_THREADS=1 python
    train.py`` runs one thread in either library), else the core count.

    >>> get_num_threads() >= 1
    True
    """
    global _num_threads
    if _num_threads is None:
        _num_threads = cpu_count()
        for name in ("AUTOGRAD_CORE_NUM_THREADS", "OMP_NUM_THREADS"):
            env = os.environ.get(name, "").strip()
            if env.isdigit() and int(env) > 0:
                _num_threads = int(env)
                break
    return _num_threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads in our kernels (1 turns our own splitting off) and at most ``n``
    in the BLAS NumPy uses, as ``torch.set_num_threads`` does for PyTorch's BLAS.

    BLAS never gets more threads than it started with (its own default, or
    ``OPENBLAS_NUM_THREADS``); with the policy ``"off"`` it is left alone.

    >>> set_num_threads(get_num_threads())
    """
    global _num_threads, _blas_cap
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {n!r}")
    _num_threads = n
    _blas_cap = n
    configure()
    with _SigintDeferred(), _lock:
        _apply_cap()


def _apply_cap() -> None:
    """Under ``_lock``: give NumPy's OpenBLAS ``min(cap, its natural count)`` threads, now
    or when the current hold ends, or when its pending restart gives its count back."""
    if _blas_cap is None or _policy == "off":
        return
    for path, setter in _capped:
        n = min(_blas_cap, _blas_natural[path])
        _set_blas_threads(setter, n)
        for r in _pending:
            if r.path == path:
                r.count = n


# --------------------------------------------------------------------------- Ctrl-C
_held_signals: list = []


def _hold_sigint(signum: int, frame: Any) -> None:
    _held_signals.append(frame)


class _SigintDeferred:
    """``with _SigintDeferred():`` on the main thread, a SIGINT that arrives inside the
    block runs SIGINT's handler when the block ends instead of where it arrived. Elsewhere
    (another thread, a block nested in one, SIGINT not handled by Python) it does nothing."""

    __slots__ = ("previous", "held")

    def __enter__(self) -> "_SigintDeferred":
        global _held_signals
        self.previous = None
        if threading.get_ident() != threading.main_thread().ident:
            return self
        handler = _sig.getsignal(_SIGINT)
        if handler is _hold_sigint or not callable(handler):
            return self
        self.held = _held_signals = []
        try:
            _sig.signal(_SIGINT, _hold_sigint)
        except ValueError:     # not the main interpreter
            return self
        self.previous = handler
        return self

    def __exit__(self, *exc: Any) -> None:
        previous = self.previous
        if previous is None:
            return
        _sig.signal(_SIGINT, previous)   # a SIGINT from here on goes to the handler directly
        if self.held:
            previous(_SIGINT, self.held[-1])


# --------------------------------------------------------------------------- worker team
def _wake(lock: threading.Lock) -> None:
    try:
        lock.release()
    except RuntimeError:   # already released: one pending wake-up is enough
        pass


class _Worker:
    """A thread that runs one part at a time. ``task`` is the truth: set by the caller to
    hand a part over, reset to None by the worker once the part has run. The two locks
    only wake the other side (``go`` the worker, ``done`` the caller); a spare wake-up is
    harmless, as each side re-checks ``task`` after waking. Two lock operations per part,
    where a ThreadPoolExecutor takes a queue, a Future and a Condition."""

    def __init__(self, index: int) -> None:
        self.go, self.done = threading.Lock(), threading.Lock()
        self.go.acquire()
        self.done.acquire()
        self.task: tuple | None = None
        self.error: BaseException | None = None
        thread = threading.Thread(target=self._loop, name=f"autograd-core-{index}", daemon=True)
        thread.start()
        self.ident = thread.ident

    def _loop(self) -> None:
        go, done = self.go, self.done
        while True:
            go.acquire()
            task = self.task
            if task is None:       # a spare wake-up
                continue
            try:
                task[0](task[1], task[2])
            except BaseException as e:  # noqa: BLE001  (handed to the caller)
                self.error = e
            self.task = None
            _wake(done)

    def start(self, fn: Callable[[int, int], Any], lo: int, hi: int) -> None:
        self.wait()   # only returns at once, unless an exception cut a previous call short
        self.error = None
        self.task = (fn, lo, hi)
        _wake(self.go)

    def wait(self) -> BaseException | None:
        while self.task is not None:
            self.done.acquire()
        return self.error


_team: list[_Worker] = []
_team_busy = threading.Lock()   # one parallel_for at a time uses the team


def _workers(count: int) -> list[_Worker]:
    with _lock:
        while len(_team) < count:
            _team.append(_Worker(len(_team) + 1))
        return _team[:count]


def _forget_team_after_fork() -> None:
    # A forked child inherits the worker objects and lock states but not the threads.
    global _team_busy, _lock
    _team.clear()
    _team_busy = threading.Lock()
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_team_after_fork)


def parallel_for(fn: Callable[[int, int], Any], n: int, *, grain: int = 1,
                 blas_single: bool = False, piece: int = 0) -> None:
    """Call ``fn(lo, hi)`` on contiguous parts of ``range(n)``, one part per thread.

    Parts have at least ``grain`` items; the caller's thread runs the first part.
    With ``piece`` > 0 the threads instead claim pieces of the range as they come free,
    so that a thread slowed by another program on its core does less of the work: ``fn``
    is then called several times per thread, each time on a piece of at least ``piece``
    items (the first pieces larger: what is left over twice the threads).
    With ``blas_single`` BLAS is held to one thread meanwhile, so that ``fn`` may call
    ``np.matmul`` without OpenBLAS's own threads competing for the same cores; when
    ``fn`` runs alone in one part, only while the host is busy (:func:`host_busy`). A call
    made while the threads are busy (from inside ``fn``, or from another thread) runs
    serially on its caller's thread. Returns, or raises, once every part has finished.

    >>> seen = []
    >>> parallel_for(lambda lo, hi: seen.extend(range(lo, hi)), 5)
    >>> sorted(seen)
    [0, 1, 2, 3, 4]
    """
    if n <= 0:
        return
    parts = min(_num_threads or get_num_threads(), n // max(1, grain))
    if parts > 1:
        busy = _team_busy
        with _SigintDeferred():
            if busy.acquire(blocking=False):
                try:
                    if piece > 0:    # never more than an even part, so that all threads start
                        fn = _claiming(fn, n, parts, min(piece, -(-n // parts)))
                    _run_team(fn, n, parts, blas_single, grain)
                finally:
                    busy.release()
                return
    if blas_single and host_busy():   # one part, but BLAS's own threads would wait for cores
        configure()
        with _blas_hold():
            fn(0, n)
        return
    fn(0, n)


def _run_team(fn: Callable[[int, int], Any], n: int, parts: int, blas_single: bool,
              grain: int = 1) -> None:
    if _pending or not _configured:
        configure()
    workers = _team[:parts - 1] if len(_team) >= parts - 1 else _workers(parts - 1)
    bounds = _bounds(n, parts, grain)
    if blas_single:
        with _blas_hold():
            _run_parts(fn, workers, bounds)
    else:
        _run_parts(fn, workers, bounds)


def _claiming(fn: Callable[[int, int], Any], n: int, parts: int,
              piece: int) -> Callable[[int, int], None]:
    """A part that ignores its bounds and calls ``fn`` on pieces claimed from a shared
    position until none is left (guided: a claim takes what is left over ``2 * parts``,
    at least ``piece`` items). After an error no thread claims more."""
    claim = threading.Lock()
    at = [0]
    share = 2 * parts

    def run(_lo: int, _hi: int) -> None:
        while True:
            with claim:
                lo = at[0]
                if lo >= n:
                    return
                hi = min(n, lo + max(piece, (n - lo) // share))
                at[0] = hi
            try:
                fn(lo, hi)
            except BaseException:
                with claim:
                    at[0] = n
                raise
    return run


def _bounds(n: int, parts: int, grain: int = 1) -> list[int]:
    """Part boundaries. A worker starts its part later than the caller starts its own (it
    has to wake and take the GIL), so when parts are long and items short (``grain`` > 1:
    one item is less than a part worth a thread) the caller takes one item more; an item
    worth a thread on its own is longer than that head start, and parts stay even."""
    first = n // parts + (grain > 1 and n >= 16 * parts)
    rest = n - first
    return [0] + [first + rest * i // (parts - 1) for i in range(parts)]


def _run_parts(fn: Callable[[int, int], Any], workers: list[_Worker], bounds: list[int]) -> None:
    try:
        for i, w in enumerate(workers, 1):
            w.start(fn, bounds[i], bounds[i + 1])
        fn(bounds[0], bounds[1])
    except BaseException:
        for w in workers:           # a start cut short may have set a task without waking
            if w.task is not None:
                _wake(w.go)
        raise
    finally:
        errors = _finish(workers)
    if errors:
        raise errors[0]


def _finish(workers: list[_Worker]) -> list[BaseException]:
    """Wait until every worker's part has run. An exception raised meanwhile (by a signal
    handler) does not stop the wait: it is raised once the parts are done."""
    interrupt = None
    while True:
        try:
            errors = [w.wait() for w in workers]
            break
        except BaseException as e:  # noqa: BLE001  (raised below)
            interrupt = e
    if interrupt is not None:
        raise interrupt
    return [e for e in errors if e is not None]


# --------------------------------------------------------------------------- BLAS threads
def _address(f) -> int:
    return ctypes.cast(f, ctypes.c_void_p).value


def _set_blas_threads(setter: Callable[[int], None], n: int) -> None:
    """Give one OpenBLAS ``n`` threads, now or, during a hold, when the hold ends."""
    if _single_depth:
        for i, (s, _) in enumerate(_single_saved):
            if _address(s) == _address(setter):
                _single_saved[i] = (s, n)
    else:
        setter(n)


def _blas_threads(setter: Callable[[int], None], getter: Callable[[], int]) -> int:
    """One OpenBLAS's thread count, as it will be once the current hold ends."""
    for s, n in _single_saved if _single_depth else ():
        if _address(s) == _address(setter):
            return n
    return getter()


@contextlib.contextmanager
def _blas_hold() -> Iterator[None]:
    global _single_depth, _single_saved, _single_limiter
    held = False
    try:
        with _SigintDeferred(), _lock:
            if _single_depth == 0:
                if _openblas_setters:
                    _single_saved = [(setter, getter()) for setter, getter in _openblas_setters]
                    for setter, _ in _single_saved:
                        setter(1)
                elif _controller is not None:
                    _single_limiter = _controller.limit(limits=1, user_api="blas")
            _single_depth += 1
            held = True
        yield
    finally:
        if held:
            with _SigintDeferred(), _lock:
                _single_depth -= 1
                if _single_depth == 0:
                    for setter, n in _single_saved:
                        setter(n)
                    _single_saved = []
                    if _single_limiter is not None:
                        _single_limiter.restore_original_limits()
                        _single_limiter = None


def blas_single_thread() -> contextlib.AbstractContextManager:
    """Hold BLAS to one thread inside the block (about a microsecond for OpenBLAS).

    The limit is process-wide, as BLAS libraries offer no per-thread one. Holds from
    several threads are counted: the count from before the first comes back after the
    last one ends.

    >>> with blas_single_thread():
    ...     pass
    """
    configure()
    return _blas_hold()


# --------------------------------------------------------------------------- busy host
# A multi-threaded BLAS call hands a piece to each of OpenBLAS's sleeping workers, then
# waits for all of them. On a host with no free core a woken worker waits its turn in the
# scheduler for milliseconds, and the caller waits with it: a 64x1568 @ 1568x128 sgemm
# took 98 ms that way on a 2-core host at load 8.6, 0.32 ms on one thread. So products
# run on one thread while the host is busy: its 1-minute load average exceeds the host's
# cores by more than ``_BUSY_MARGIN`` (the load counts our own running threads too). The
# load average is the host's, so it is compared with the host's cores, not with the ones
# this process may use (a container pinned to 2 of 64 cores is not busy at load 10).
# Checked at most once a second.
_BUSY_MARGIN = 1.0
_busy_setting = os.environ.get("AUTOGRAD_CORE_BLAS_BUSY", "auto")   # auto | on | off
_busy_checked = -1.0
_busy = False


def host_busy() -> bool:
    """True while the host has no core to spare for a BLAS worker (see above);
    ``AUTOGRAD_CORE_BLAS_BUSY=on|off`` forces the answer.

    >>> isinstance(host_busy(), bool)
    True
    """
    global _busy_checked, _busy
    if _busy_setting != "auto":
        return _busy_setting == "on"
    now = time.monotonic()
    if now - _busy_checked >= 1.0:
        _busy_checked = now
        try:
            _busy = os.getloadavg()[0] > (os.cpu_count() or 1) + _BUSY_MARGIN
        except (AttributeError, OSError):   # no load average here
            _busy = False
    return _busy


def blas_single_if_busy(macs: int) -> contextlib.AbstractContextManager:
    """A BLAS hold (:func:`blas_single_thread`) for a product of ``macs`` multiply-adds
    while :func:`host_busy`; nothing otherwise, or when the product is small enough for
    OpenBLAS to run it on one thread anyway (at most 2**18 multiply-adds).

    >>> with blas_single_if_busy(10 ** 7):
    ...     pass
    """
    if macs <= 1 << 18 or not host_busy():
        return contextlib.nullcontext()
    configure()
    return _blas_hold()


def set_blas_policy(policy: str) -> None:
    """Choose how BLAS threads are tamed: ``"sleep"`` (default), ``"single"`` or ``"off"``.

    Takes effect at the next kernel call if the kernels have not been used yet; a later
    call re-applies ``"single"`` but cannot undo a policy already applied (a ``"sleep"``
    still waiting for a kernel call made alone is undone).

    >>> set_blas_policy("sleep")
    """
    global _policy, _configured
    if policy not in POLICIES:
        raise ValueError(f"set_blas_policy: expected one of {POLICIES}, got {policy!r}")
    _policy = policy
    if _configured:
        _configured = False
        configure()


def blas_report() -> list[dict[str, Any]]:
    """The BLAS libraries found in this process and what :func:`configure` did to each."""
    configure()
    with _lock:
        return [dict(r) for r in _report]


def _find_symbol(lib: ctypes.CDLL, base: str):
    for prefix in _PREFIXES:
        for suffix in _SUFFIXES:
            try:
                return getattr(lib, f"{prefix}{base}{suffix}")
            except AttributeError:
                continue
    return None


def configure() -> None:
    """Apply the BLAS policy once, and finish a pool restart that waits for a moment with
    no other thread running (idempotent, cheap once done)."""
    global _configured
    if _configured and not _pending:
        return
    with _SigintDeferred(), _lock:
        if not _configured:
            try:
                _configure_locked()
            finally:
                _configured = True
        elif _pending:
            _restart_pending()


def _configure_locked() -> None:
    global _controller
    for r in _pending:                # a restart still waiting: give BLAS its count back
        _set_blas_threads(r.setter, r.count)
    _pending.clear()
    _report.clear()
    _openblas_setters.clear()
    _controller = None
    if _policy not in POLICIES:
        raise ValueError(f"AUTOGRAD_CORE_BLAS_POLICY must be one of {POLICIES}, got {_policy!r}")
    try:
        import numpy  # noqa: F401  (load its BLAS before looking for it)
        from threadpoolctl import ThreadpoolController
    except ImportError:
        _report.append({"internal_api": "unknown", "fix": "none (threadpoolctl not installed)"})
        return
    controller = ThreadpoolController()
    numpy_blas = _numpy_blas_name()
    others, openblas = [], []
    for info in controller.info():
        if info.get("user_api") != "blas":
            continue
        entry = {k: info.get(k) for k in ("internal_api", "version", "threading_layer",
                                           "num_threads", "filepath")}
        _report.append(entry)
        if info.get("internal_api") != "openblas" or info.get("threading_layer") != "pthreads":
            others.append(entry)
            continue
        lib = ctypes.CDLL(info["filepath"], mode=getattr(os, "RTLD_NOLOAD", 0))
        setter = _find_symbol(lib, "openblas_set_num_threads")
        getter = _find_symbol(lib, "openblas_get_num_threads")
        if setter is None or getter is None:
            others.append(entry)
            continue
        setter.argtypes, setter.restype = [ctypes.c_int], None
        getter.argtypes, getter.restype = [], ctypes.c_int
        _openblas_setters.append((setter, getter))
        openblas.append((entry, setter, getter))
    bundled = [_bundled_with_numpy(entry["filepath"]) for entry, _, _ in openblas]
    _capped.clear()
    for (entry, setter, getter), own in zip(openblas, bundled):
        numpys = own or (not any(bundled) and "openblas" in numpy_blas)
        # the count before any cap of ours: a later configure() finds it capped
        natural = _blas_natural.setdefault(entry["filepath"], _blas_threads(setter, getter))
        entry["fix"] = _apply_openblas(entry, setter, getter, own, numpys, natural)
        if numpys:
            if not any(r.path == entry["filepath"] for r in _pending):  # held only until then
                # a policy's limit (one thread) is kept under any cap
                _blas_natural[entry["filepath"]] = min(natural, _blas_threads(setter, getter))
            _capped.append((entry["filepath"], setter))
    _apply_cap()
    if others:
        # Holds go through threadpoolctl for these; not for an OpenBLAS among them, whose
        # limit threadpoolctl only lets the first thread that set one change again, while
        # a hold may be taken in one thread and ended in another.
        _controller = controller.select(internal_api=sorted(
            {str(e.get("internal_api")) for e in others} - {"openblas"}))
        for entry in others:
            if _policy == "off":
                entry["fix"] = "none (policy off)"
            elif str(entry.get("internal_api")) not in numpy_blas:
                # e.g. PyTorch's MKL next to NumPy's OpenBLAS: not ours to slow down
                entry["fix"] = "none (not the BLAS NumPy uses)"
            else:
                controller.select(filepath=entry["filepath"]).limit(limits=1)
                entry["fix"] = "limited to 1 thread (no idle-sleep control for this BLAS)"


def _numpy_blas_name() -> str:
    """Lower-case name of the BLAS NumPy was built with ("scipy-openblas", "mkl", ...)."""
    import numpy as np
    try:
        return str(np.__config__.CONFIG["Build Dependencies"]["blas"]["name"]).lower()
    except (AttributeError, KeyError, TypeError):
        return ""


def _bundled_with_numpy(path: str) -> bool:
    """True for a library shipped inside NumPy's wheel (``numpy.libs/``, ``numpy/.dylibs/``)."""
    import numpy as np
    home = os.path.dirname(os.path.realpath(np.__file__))
    path = os.path.realpath(path)
    return any(path.startswith(d + os.sep) for d in (home, home + ".libs"))


class _Restart:
    """An OpenBLAS whose pool is to be restarted with a short idle timeout."""

    def __init__(self, entry: dict, path: str, setter, count: int) -> None:
        lib = ctypes.PyDLL(path, mode=getattr(os, "RTLD_NOLOAD", 0))   # calls keep the GIL
        self.entry, self.path, self.setter, self.count = entry, path, setter, count
        self.read_env = _find_symbol(lib, "openblas_read_env")
        self.shutdown = _find_symbol(lib, "blas_thread_shutdown_")
        for f in (self.read_env, self.shutdown):
            f.argtypes, f.restype = [], None

    def run(self) -> None:
        """Only with no other thread in (or able to enter) this BLAS: see the module doc."""
        timeout = int(os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4"))
        self.read_env()
        self.shutdown()   # the pool restarts on the next BLAS call, reading the new timeout
        _restarted[self.path] = timeout
        self.entry["thread_timeout"] = timeout
        self.entry["fix"] = f"idle threads sleep at once (OPENBLAS_THREAD_TIMEOUT={timeout})"


def _alone() -> bool:
    """No thread but this one and our idle workers has a Python frame."""
    if threading.active_count() > 1 + len(_team):
        return False
    me = threading.get_ident()
    idle = {w.ident for w in _team if w.task is None}
    return all(t == me or t in idle for t in sys._current_frames())


def _restart_pending() -> None:
    """Under ``_lock``: restart the waiting pools if this thread is alone and holds no BLAS."""
    if _single_depth or not _alone():
        return
    for r in _pending:
        r.run()
        r.setter(r.count)
    _pending.clear()


def _apply_openblas(entry: dict, setter, getter, bundled: bool, numpys: bool, natural: int) -> str:
    if _policy == "off":
        return "none (policy off)"
    if _policy == "single":
        _set_blas_threads(setter, 1)
        return "limited to 1 thread (policy single)"
    if not numpys:
        return "none (not the BLAS NumPy uses)"
    path = entry["filepath"]
    if path in _restarted:
        entry["thread_timeout"] = _restarted[path]
        return f"idle threads sleep at once (OPENBLAS_THREAD_TIMEOUT={_restarted[path]})"
    lib = ctypes.CDLL(path, mode=getattr(os, "RTLD_NOLOAD", 0))
    timeout = _find_symbol(lib, "openblas_thread_timeout")
    if timeout is not None:
        timeout.argtypes, timeout.restype = [], ctypes.c_int
        current = timeout()
        if current > 0:
            entry["thread_timeout"] = current
            return f"none (OPENBLAS_THREAD_TIMEOUT={current} already set at start-up)"
    if not bundled:
        _set_blas_threads(setter, 1)
        return ("limited to 1 thread (an OpenBLAS not bundled with NumPy may be in use by another "
                "library's threads: set OPENBLAS_THREAD_TIMEOUT before starting Python instead)")
    if _find_symbol(lib, "openblas_read_env") is None or _find_symbol(lib, "blas_thread_shutdown_") is None:
        _set_blas_threads(setter, 1)
        return "limited to 1 thread (this OpenBLAS cannot shorten its idle spin)"
    restart = _Restart(entry, path, setter, natural)
    if _single_depth == 0 and _alone():
        restart.run()
        return entry["fix"]
    _set_blas_threads(setter, 1)
    _pending.append(restart)
    return ("held to 1 thread while other threads run (restarting the pool under their BLAS "
            "calls would deadlock them); the first kernel call made alone restarts it")
