"""Our worker team and the BLAS policy (``kernels/threads.py``) under threads and Ctrl-C.

The failures these tests guard against were hangs, so each scenario runs in a fresh
interpreter: ``faulthandler`` prints every thread's stack and exits if the script is
stuck, and the test fails with that output instead of hanging the suite. The scripts
pin OpenBLAS to two threads and our kernels to two parts, whatever the machine or
``make test`` (which sets ``OPENBLAS_NUM_THREADS=1``) says, since the races need both.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from autograd_core.kernels import threads
from tests.helpers import REPO

ROOT = str(REPO)
STUCK_AFTER = 60     # seconds before a script is declared stuck (a cold Numba cache compiles first)


def run_script(body: str) -> dict:
    """Run ``body`` in a fresh interpreter and return the dict it prints as its last line."""
    code = (f"import faulthandler; faulthandler.dump_traceback_later({STUCK_AFTER}, exit=True)\n"
            + textwrap.dedent(body))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENBLAS_", "OMP_", "GOTO_", "AUTOGRAD_CORE_"))}
    env.update(PYTHONPATH=ROOT + os.pathsep + env.get("PYTHONPATH", ""),
               OPENBLAS_NUM_THREADS="2", AUTOGRAD_CORE_NUM_THREADS="2")
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=STUCK_AFTER + 60)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"script hung and was killed:\n{e.stdout}\n{e.stderr}")
    if proc.returncode != 0:
        pytest.fail(f"script failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- first use next to BLAS
FIRST_USE_WHILE_BLAS_RUNS = """
import json, threading
import numpy as np
from threadpoolctl import threadpool_info
from autograd_core import kernels as K
from autograd_core.kernels import reference as ref, threads

def numpy_blas():
    [info] = [i for i in threadpool_info() if i["user_api"] == "blas"]
    return info["num_threads"]

rng = np.random.default_rng(0)
a = rng.standard_normal((512, 512)).astype(np.float32)
x = rng.standard_normal((16, 16, 24, 24)).astype(np.float32)
w = rng.standard_normal((32, 16, 3, 3)).astype(np.float32)
started, stop = threading.Event(), threading.Event()

def matmuls():                       # a user thread that keeps OpenBLAS's pool busy
    started.set()
    while not stop.is_set():
        a @ a

t = threading.Thread(target=matmuls)
t.start()
started.wait()
with K.use_backend("numba"):
    y = K.conv2d_forward(x, w, None, K.conv2d_geometry(x.shape, w.shape, 1, 1))  # the first kernel use
during = dict(threads.blas_report()[0], blas_threads=numpy_blas())
stop.set()
t.join()
with K.use_backend("numba"):
    y2 = K.conv2d_forward(x, w, None, K.conv2d_geometry(x.shape, w.shape, 1, 1))  # alone now
after = dict(threads.blas_report()[0], blas_threads=numpy_blas())
expected = ref.conv2d_forward(x.astype(np.float64), w.astype(np.float64), None, 1, 1)
print(json.dumps({"during": during, "after": after,
                  "error": float(max(abs(y - expected).max(), abs(y2 - expected).max()))}))
"""


@pytest.mark.parametrize("attempt", range(3))   # a race: each attempt is a fresh process
def test_first_kernel_use_while_another_thread_is_in_blas(attempt):
    """OpenBLAS's pool must not be restarted under a BLAS call running in another thread
    (that deadlocked). While such a thread lives, BLAS is held to one thread instead; the
    first kernel call made alone restarts the pool and gives BLAS back its two threads."""
    r = run_script(FIRST_USE_WHILE_BLAS_RUNS)
    assert r["error"] < 1e-3
    assert r["during"]["blas_threads"] == 1 and "thread_timeout" not in r["during"], r["during"]
    assert r["after"]["blas_threads"] == 2, r["after"]
    assert r["after"]["thread_timeout"] == 4, r["after"]


# --------------------------------------------------------------------------- set_num_threads
SET_NUM_THREADS_CAPS_BLAS = """
import json
import numpy as np
from threadpoolctl import threadpool_info
import autograd_core as ag
from autograd_core.kernels import threads

def numpy_blas():
    [info] = [i for i in threadpool_info() if i["user_api"] == "blas"]
    return info["num_threads"]

seen = {"start": numpy_blas()}
ag.set_num_threads(1)                       # before any kernel use: configures first
seen["one"] = numpy_blas()
a = np.ones((300, 300), np.float32)
with threads.blas_single_thread():
    ag.set_num_threads(2)                   # during a hold: given when the hold ends
    seen["in_hold"] = numpy_blas()
seen["after_hold"] = numpy_blas()
ag.set_num_threads(8)                       # never more than BLAS started with
seen["eight"] = numpy_blas()
ag.set_num_threads(1)
a @ a
seen["one_again"] = numpy_blas()
seen["ours"] = ag.get_num_threads()
print(json.dumps(seen))
"""


def test_set_num_threads_caps_numpys_blas():
    """``torch.set_num_threads(1)`` makes PyTorch's BLAS single-threaded; ours must do the
    same to NumPy's OpenBLAS, or a "one-thread" program keeps a second core busy in BLAS
    (an LSTMCell loop of small products took twice its wall time in CPU time)."""
    r = run_script(SET_NUM_THREADS_CAPS_BLAS)
    assert r == {"start": 2, "one": 1, "in_hold": 1, "after_hold": 2, "eight": 2,
                 "one_again": 1, "ours": 1}, r


def test_set_num_threads_rejects_bad_counts():
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="set_num_threads: expected a positive int"):
            threads.set_num_threads(bad)


# --------------------------------------------------------------------------- Ctrl-C
CTRL_C_DURING_PARALLEL_FOR = """
import json, random, signal, threading, time
import numpy as np
from autograd_core import kernels as K
from autograd_core.kernels import reference as ref, threads

# Ctrl-C raises KeyboardInterrupt, as in a Python started from a terminal: a process
# started in the background inherits SIGINT ignored, and Python then leaves it ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)

worker_deaths = []
threading.excepthook = lambda args: worker_deaths.append(repr(args.exc_value))
main = threading.main_thread().ident
rng = random.Random(0)
n = 40
report = {"interrupted": 0, "raised_early": [], "incomplete": [], "other": []}
for it in range(80):
    caller_s = rng.uniform(0.0, 0.02)          # sometimes shorter than the worker's part,
    worker_s = rng.uniform(0.005, 0.02)        # so the signal finds the caller waiting
    how = rng.choice(["signal to main", "signal to main", "caller signals itself",
                      "worker raises"])
    seen, finished = [], []

    def part(lo, hi):
        if lo == 0:
            time.sleep(caller_s / 2)
            if how == "caller signals itself":
                signal.raise_signal(signal.SIGINT)
            time.sleep(caller_s / 2)
        else:
            time.sleep(worker_s / 2)
            if how == "signal to main":
                signal.pthread_kill(main, signal.SIGINT)     # Ctrl-C arrives on the main thread
            time.sleep(worker_s / 2)
            if how == "worker raises":
                finished.append(lo)
                raise KeyboardInterrupt
        seen.extend(range(lo, hi))
        finished.append(lo)

    try:
        threads.parallel_for(part, n)
    except KeyboardInterrupt:
        report["interrupted"] += 1
        if len(finished) != 2:
            report["raised_early"].append(it)           # a part was still running
    except BaseException as e:
        report["other"].append(repr(e))
    else:
        if sorted(seen) != list(range(n)):
            report["incomplete"].append(it)

seen = []
threads.parallel_for(lambda lo, hi: seen.extend(range(lo, hi)), n)
rng = np.random.default_rng(1)
x = rng.standard_normal((8, 8, 20, 20))
w = rng.standard_normal((16, 8, 3, 3))
with K.use_backend("numba"):
    y = K.conv2d_forward(x, w, None, K.conv2d_geometry(x.shape, w.shape, 1, 1))
report.update(covered=sorted(seen) == list(range(n)), worker_deaths=worker_deaths,
              conv_error=float(abs(y - ref.conv2d_forward(x, w, None, 1, 1)).max()))
print(json.dumps(report))
"""


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs signal.pthread_kill (POSIX)")
def test_ctrl_c_during_parallel_for_leaves_the_team_usable():
    """Every parallel_for hit by SIGINT (on the main thread, while it runs its own part or
    waits for the worker's) or by a part raising KeyboardInterrupt raises it only once
    every part has finished; no later call returns with a part missing, hangs or finds
    a dead worker; and a convolution afterwards is right."""
    r = run_script(CTRL_C_DURING_PARALLEL_FOR)
    assert r["other"] == [] and r["worker_deaths"] == [], r
    assert r["raised_early"] == [] and r["incomplete"] == [], r
    assert r["interrupted"] == 80, r
    assert r["covered"] and r["conv_error"] < 1e-9, r


# --------------------------------------------------------------------------- several threads
CONCURRENT_KERNELS = """
import json, threading
import numpy as np
from threadpoolctl import threadpool_info
from autograd_core import kernels as K
from autograd_core.kernels import reference as ref, threads

def numpy_blas():
    [info] = [i for i in threadpool_info() if i["user_api"] == "blas"]
    return info["num_threads"]

def problem(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((12, 8, 16 + seed, 14))
    w = rng.standard_normal((16, 8, 3, 3))
    g = rng.standard_normal((12, 16, 16 + seed, 14))
    a = rng.standard_normal((16, 96, 96)); b = rng.standard_normal((16, 96, 96))      # NumPy path
    ta = rng.standard_normal((64, 32, 32)); tb = rng.standard_normal((64, 32, 32))  # tiled Numba path
    inputs = (x, w, g, a, b, ta, tb)
    expected = (ref.conv2d_forward(x, w, None, 1, 1), ref.conv2d_backward_input(g, w, x.shape, 1, 1),
                ref.conv2d_backward_weight(g, x, w.shape, 1, 1), ref.bmm(a, b), ref.bmm(ta, tb))
    return inputs, expected

def run(inputs):
    x, w, g, a, b, ta, tb = inputs
    geo = K.conv2d_geometry(x.shape, w.shape, 1, 1)
    return (K.conv2d_forward(x, w, None, geo), K.conv2d_backward_input(g, w, geo),
            K.conv2d_backward_weight(g, x, geo), K.bmm(a, b), K.bmm(ta, tb))

problems = [problem(seed) for seed in range(4)]   # references in plain NumPy: no kernel used yet
big = np.random.default_rng(9).standard_normal((400, 400))
errors, failures = [0.0] * 4, []
barrier = threading.Barrier(5)
stop = threading.Event()

def worker(i):
    try:
        inputs, expected = problems[i]
        barrier.wait()                             # first kernel use: all four at once
        for _ in range(15):
            for got, want in zip(run(inputs), expected):
                errors[i] = max(errors[i], float(abs(got - want).max()))
    except BaseException as e:
        failures.append(repr(e))

def user_blas():                                   # plain NumPy BLAS use meanwhile
    barrier.wait()
    while not stop.is_set():
        big @ big

ts = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
other = threading.Thread(target=user_blas)
for t in ts + [other]:
    t.start()
for t in ts:
    t.join()
stop.set()
other.join()
run(problems[0][0])                                 # alone again
print(json.dumps({"errors": errors, "failures": failures, "depth": threads._single_depth,
                  "blas_threads": numpy_blas()}))
"""


def test_kernels_from_four_threads_at_first_use():
    """Four threads making their first kernel calls at once (conv2d forward and both
    backwards, bmm on both paths), each on its own data, while a fifth runs plain NumPy
    matmuls: every result equals the NumPy reference, and once the threads are gone
    BLAS has its two threads back."""
    r = run_script(CONCURRENT_KERNELS)
    assert r["failures"] == [], r
    assert max(r["errors"]) < 1e-9, r
    assert r["depth"] == 0 and r["blas_threads"] == 2, r


class FakeBlas:
    """Stands for a BLAS that ``blas_single_thread`` limits through threadpoolctl (MKL,
    BLIS): ``limit`` sets the count at once, its limiter restores the count it found."""

    def __init__(self, num_threads: int) -> None:
        self.num_threads = num_threads

    def limit(self, limits: int, user_api: str):
        blas, original = self, self.num_threads

        class Limiter:
            def restore_original_limits(self) -> None:
                blas.num_threads = original

            def __enter__(self):
                return self

            def __exit__(self, *exc) -> None:
                self.restore_original_limits()
        self.num_threads = limits
        return Limiter()


def test_blas_single_thread_counted_through_threadpoolctl(monkeypatch):
    """The threadpoolctl route (a BLAS other than OpenBLAS) is counted like the OpenBLAS
    one: overlapping holds from two threads, the first leaving first, keep BLAS at one
    thread until the last leaves, then restore the count from before the first."""
    threads.configure()
    blas = FakeBlas(2)
    monkeypatch.setattr(threads, "_openblas_setters", [])
    monkeypatch.setattr(threads, "_controller", blas)
    entered, release = threading.Event(), threading.Event()

    def hold():
        with threads.blas_single_thread():
            entered.set()
            release.wait(10)
    with threads.blas_single_thread():
        t = threading.Thread(target=hold)
        t.start()
        assert entered.wait(10)
    inside = blas.num_threads
    release.set()
    t.join(10)
    assert inside == 1         # the other thread still holds
    assert blas.num_threads == 2


# --------------------------------------------------------------------------- busy host
def test_products_hold_blas_to_one_thread_only_while_the_host_is_busy(monkeypatch):
    """On a host with no free core (load average above the cores plus a margin) a product
    big enough for OpenBLAS to split runs under a BLAS hold; on a free host, or for a
    product OpenBLAS runs on one thread anyway, no hold is taken. The decision follows
    ``os.getloadavg`` (checked at most once a second) unless forced on or off."""
    import numpy as np

    from autograd_core.ops.linalg import mm
    depth = []

    def spy(a, b):
        depth.append(threads._single_depth)
        return a @ b
    monkeypatch.setattr("autograd_core.ops.linalg.matmul_arrays", spy)
    big, small = np.ones((64, 1568)), np.ones((64, 8))
    for setting, expected in (("on", [1, 0]), ("off", [0, 0])):
        monkeypatch.setattr(threads, "_busy_setting", setting)
        depth.clear()
        mm(big, np.ones((1568, 128)))
        mm(small, np.ones((8, 8)))
        assert depth == expected, setting
    monkeypatch.setattr(threads, "_busy_setting", "auto")
    for load, busy in (((os.cpu_count() or 1) + 5.0, True), (0.0, False)):
        monkeypatch.setattr(threads.os, "getloadavg", lambda load=load: (load, load, load))
        monkeypatch.setattr(threads, "_busy_checked", -1.0)   # as if the last check were old
        assert threads.host_busy() is busy
    assert threads._single_depth == 0


def test_a_blas_single_call_run_in_one_part_holds_blas_only_while_busy(monkeypatch):
    """parallel_for with ``blas_single`` that runs ``fn`` in one part (too little work to
    split) holds BLAS to one thread while the host is busy, and leaves it alone otherwise."""
    depth = []
    for setting, expected in (("on", [1]), ("off", [0])):
        monkeypatch.setattr(threads, "_busy_setting", setting)
        depth.clear()
        threads.parallel_for(lambda lo, hi: depth.append(threads._single_depth), 1,
                             blas_single=True)
        assert depth == expected, setting
    assert threads._single_depth == 0


def test_omp_num_threads_sets_the_default_as_pytorchs(torch):
    """``OMP_NUM_THREADS=1 python train.py`` runs PyTorch on one thread; ours too (our own
    variable first, an unusable value ignored)."""
    from autograd_core.kernels.threads import cpu_count
    code = "import autograd_core as ag; print(ag.get_num_threads())"
    for env, want in (({"OMP_NUM_THREADS": "1"}, 1), ({"OMP_NUM_THREADS": "3"}, 3),
                      ({"OMP_NUM_THREADS": "1", "AUTOGRAD_CORE_NUM_THREADS": "2"}, 2),
                      ({"OMP_NUM_THREADS": "x"}, None)):
        full = {k: v for k, v in os.environ.items()
                if k not in ("OMP_NUM_THREADS", "AUTOGRAD_CORE_NUM_THREADS")}
        full.update(env)
        out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                             text=True, check=True).stdout.strip()
        assert int(out) == (want if want is not None else cpu_count())
    torch_one = subprocess.run([sys.executable, "-c", "import torch; print(torch.get_num_threads())"],
                               env={**os.environ, "OMP_NUM_THREADS": "1"}, capture_output=True,
                               text=True, check=True).stdout.strip()
    assert torch_one == "1"
