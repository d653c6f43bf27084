"""A small autograd profiler (``torch.autograd.profiler``): wall-clock time and call
counts of each op's forward (``aten::mul``), each node's backward (``MulBackward0``) and
each ``record_function`` block, in the thread that entered ``profile``.

Times are in microseconds, as PyTorch's. An event's self time is its time minus that of
the events inside it (a ``record_function`` block around a model's forward has the ops
as children). Only the CPU is profiled; ``use_cuda``, ``profile_memory`` and
``with_stack`` are accepted and ignored.

>>> import autograd_core as ag
>>> from autograd_core.autograd.profiler import profile, record_function
>>> x = ag.ones(3, requires_grad=True)
>>> with profile() as prof:
...     with record_function("step"):
...         (x * 2).sum().backward()
>>> sorted(e.key for e in prof.key_averages())
['MulBackward0', 'SumBackward0', 'aten::mul', 'aten::sum', 'step']
"""
from __future__ import annotations

import functools
import json
import os
import tempfile
import threading
import time
from typing import Any, Callable, Iterable, TypeVar

from .anomaly_mode import refresh_watch
from .grad_mode import STATE

F = TypeVar("F", bound=Callable[..., Any])


class FunctionEvent:
    """One timed call: ``name``, start and end (seconds, ``time.perf_counter``), the time
    of the events inside it, and the input shapes when ``record_shapes``.

    >>> e = FunctionEvent("aten::mul", 1.0, 1.000003, 0.000001, None, 0, 0)
    >>> round(e.cpu_time_total), round(e.self_cpu_time_total)
    (3, 2)
    """

    __slots__ = ("name", "start", "end", "children", "input_shapes", "depth", "thread")

    def __init__(self, name: str, start: float, end: float, children: float,
                 input_shapes: list | None, depth: int, thread: int) -> None:
        self.name, self.start, self.end, self.children = name, start, end, children
        self.input_shapes, self.depth, self.thread = input_shapes, depth, thread

    key = property(lambda self: self.name)

    @property
    def cpu_time_total(self) -> float:
        """Microseconds from start to end."""
        return (self.end - self.start) * 1e6

    @property
    def self_cpu_time_total(self) -> float:
        """Microseconds spent outside the events inside this one."""
        return max(self.end - self.start - self.children, 0.0) * 1e6

    def __repr__(self) -> str:
        return f"<FunctionEvent {self.name} cpu_time_total={self.cpu_time_total:.3f}us>"


class FunctionEventAvg:
    """The events of one key summed (a row of ``key_averages()``).

    >>> row = FunctionEventAvg("aten::mul")
    >>> row.add(FunctionEvent("aten::mul", 0.0, 2e-6, 0.0, None, 0, 0))
    >>> row.count, round(row.cpu_time_total), round(row.cpu_time)
    (1, 2, 2)
    """

    def __init__(self, key: str, input_shapes: Any = None) -> None:
        self.key = key
        self.input_shapes = input_shapes
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0

    def add(self, e: FunctionEvent) -> None:
        self.count += 1
        self.cpu_time_total += e.cpu_time_total
        self.self_cpu_time_total += e.self_cpu_time_total

    @property
    def cpu_time(self) -> float:
        """Average microseconds per call."""
        return self.cpu_time_total / self.count if self.count else 0.0

    @property
    def self_cpu_time(self) -> float:
        return self.self_cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} count={self.count} "
                f"cpu_time_total={self.cpu_time_total:.3f}us "
                f"self_cpu_time_total={self.self_cpu_time_total:.3f}us>")


def _fmt_us(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class EventList(list):
    """A list of events or averaged rows, with PyTorch's ``table``.

    >>> EventList().table()
    'No events recorded.'
    """

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_name_column_width: int = 55, **ignored: Any) -> str:
        """A text table: name, self CPU (% and time), CPU total (% and time), CPU time
        average and number of calls, sorted by ``sort_by`` (descending), at most
        ``row_limit`` rows (all when negative)."""
        rows = list(self)
        if not rows:
            return "No events recorded."
        if sort_by is not None:
            if sort_by not in ("cpu_time_total", "self_cpu_time_total", "cpu_time",
                               "self_cpu_time", "count"):
                raise ValueError(f"sort_by: unknown key {sort_by!r}")
            rows.sort(key=lambda r: getattr(r, sort_by), reverse=True)
        self_total = sum(r.self_cpu_time_total for r in rows) or 1.0
        if row_limit is not None and row_limit >= 0:
            rows = rows[:row_limit]
        shapes = any(getattr(r, "input_shapes", None) for r in rows)
        names = [r.key if len(r.key) <= max_name_column_width
                 else r.key[:max_name_column_width - 3] + "..." for r in rows]
        w = max(len("Name"), *(len(n) for n in names))
        heads = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
                 "# of Calls"] + (["Input Shapes"] if shapes else [])
        widths = [12] * 6 + [30] * shapes
        line = "-" * w + "  " + "  ".join("-" * x for x in widths)
        out = [line, "Name".ljust(w) + "  " + "  ".join(h.rjust(x) for h, x in zip(heads, widths)),
               line]
        for n, r in zip(names, rows):
            cells = [f"{100 * r.self_cpu_time_total / self_total:.2f}%",
                     _fmt_us(r.self_cpu_time_total),
                     f"{100 * r.cpu_time_total / self_total:.2f}%",
                     _fmt_us(r.cpu_time_total), _fmt_us(r.cpu_time), str(r.count)]
            if shapes:
                cells.append(str(getattr(r, "input_shapes", "") or ""))
            out.append(n.ljust(w) + "  " + "  ".join(c.rjust(x) for c, x in zip(cells, widths)))
        out.append(line)
        out.append(f"Self CPU time total: {_fmt_us(sum(r.self_cpu_time_total for r in self))}")
        return "\n".join(out) + "\n"


class profile:
    """Record the ops, backward nodes and ``record_function`` blocks run in this thread
    while active (``torch.autograd.profiler.profile``).

    >>> import autograd_core as ag
    >>> x = ag.ones(2, requires_grad=True)
    >>> with profile() as prof:
    ...     y = x * x
    >>> [(r.key, r.count) for r in prof.key_averages()]
    [('aten::mul', 1)]
    >>> "aten::mul" in prof.key_averages().table(sort_by="cpu_time_total")
    True
    """

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, **ignored: Any) -> None:
        self.enabled = enabled
        self.record_shapes = record_shapes
        self.function_events: EventList = EventList()
        self._stack: list = []  # per open event: the time of the events inside it so far
        self._prev: Any = None
        self._entered = False

    def __enter__(self) -> "profile":
        if self.enabled:
            if self._entered:
                raise RuntimeError("Profiler context manager is not reentrant")
            self._entered = True
            self._prev = STATE.profiler
            STATE.profiler = self
            refresh_watch()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled and STATE.profiler is self:
            STATE.profiler = self._prev
            refresh_watch()

    # -- what the watcher (anomaly_mode.Watch) and record_function call --------------
    def _begin(self) -> None:
        self._stack.append(0.0)

    def _end(self, name: str, start: float, inputs: Iterable[Any] | None) -> None:
        end = time.perf_counter()
        children = self._stack.pop()
        if self._stack:
            self._stack[-1] += end - start
        shapes = None
        if self.record_shapes and inputs is not None:
            shapes = [list(getattr(t, "shape", ())) for t in inputs]
        self.function_events.append(FunctionEvent(name, start, end, children, shapes,
                                                  len(self._stack), threading.get_ident()))

    # -- results ---------------------------------------------------------------------
    def events(self) -> EventList:
        """Every recorded event, in the order they ended."""
        return self.function_events

    def key_averages(self, group_by_input_shape: bool = False, **ignored: Any) -> EventList:
        """One row per event name (and input shapes, when asked), in order of first end."""
        rows: dict = {}
        for e in self.function_events:
            shapes = str(e.input_shapes) if group_by_input_shape and e.input_shapes else None
            k = (e.name, shapes)
            row = rows.get(k)
            if row is None:
                row = rows[k] = FunctionEventAvg(e.name, shapes)
            row.add(e)
        return EventList(rows.values())

    def table(self, sort_by: str | None = None, row_limit: int = 100, **kwargs: Any) -> str:
        """``key_averages().table(...)``."""
        return self.key_averages().table(sort_by=sort_by, row_limit=row_limit, **kwargs)

    @property
    def self_cpu_time_total(self) -> float:
        """Microseconds of self time of all events."""
        return sum(e.self_cpu_time_total for e in self.function_events)

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as Chrome trace JSON (open in chrome://tracing or Perfetto);
        written to a temporary file, synced and renamed, so ``path`` is never half-written."""
        origin = min((e.start for e in self.function_events), default=0.0)
        trace = {"traceEvents": [
            {"name": e.name, "ph": "X", "cat": _category(e.name),
             "ts": round((e.start - origin) * 1e6, 3), "dur": round((e.end - e.start) * 1e6, 3),
             "pid": os.getpid(), "tid": e.thread,
             "args": {} if e.input_shapes is None else {"Input Dims": e.input_shapes}}
            for e in sorted(self.function_events, key=lambda e: e.start)],
            "displayTimeUnit": "ms"}
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".trace-", suffix=".json", dir=folder)
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(trace, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def __str__(self) -> str:
        return self.table()


def _category(name: str) -> str:
    if name.startswith("aten::"):
        return "cpu_op"
    return "autograd" if name.endswith(("Backward0", "Backward1")) else "user_annotation"


class record_function:
    """Time a block (or every call of a decorated function) as one row named ``name``
    of the active profiler; does nothing when no profiler is active.

    >>> import autograd_core as ag
    >>> @record_function("double")
    ... def double(t):
    ...     return t * 2
    >>> with profile() as prof:
    ...     _ = double(ag.ones(2))
    >>> [r.key for r in prof.key_averages()]
    ['aten::mul', 'double']
    """

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self._prof: Any = None
        self._start = 0.0

    def __enter__(self) -> "record_function":
        prof = self._prof = STATE.profiler
        if prof is not None:
            self._start = time.perf_counter()
            prof._begin()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._prof is not None:
            self._prof._end(self.name, self._start, None)
            self._prof = None

    def __call__(self, fn: F) -> F:
        name = self.name

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with record_function(name):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
