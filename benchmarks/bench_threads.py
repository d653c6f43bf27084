"""Thread pools fighting: an OpenBLAS matmul followed directly by parallel work.

After a multi-threaded sgemm OpenBLAS's idle worker spins for ~0.1 s. Parallel work
started in that window (a Numba ``prange`` kernel, or our conv kernel that splits
the batch over two threads) shares a core with the spinning thread. Each column is
a fresh process with one BLAS policy (``kernels/threads.py``):

- ``off``: BLAS left alone (the problem);
- ``OPENBLAS_NUM_THREADS=1``: the known fix, at the cost of single-threaded BLAS;
- ``single``: the same limit applied at run time through threadpoolctl;
- ``sleep`` (our default): OpenBLAS stays multi-threaded, idle workers sleep at once;
- ``sleep`` with another Python thread running at our first kernel call: the pool
  restart is not safe then, so BLAS is held to one thread until a call made alone.

    python -m benchmarks threads
"""
from __future__ import annotations

from benchmarks.harness import fmt_time, print_table, run_isolated, time_fn

POLICIES = [
    ("off (no fix)", {"AUTOGRAD_CORE_BLAS_POLICY": "off"}),
    ("OPENBLAS_NUM_THREADS=1", {"AUTOGRAD_CORE_BLAS_POLICY": "off", "OPENBLAS_NUM_THREADS": "1"}),
    ("single", {"AUTOGRAD_CORE_BLAS_POLICY": "single"}),
    ("sleep (default)", {"AUTOGRAD_CORE_BLAS_POLICY": "sleep"}),
]
# The same, but with a Numba prange kernel run before our first kernel call applies the fix.
LATE = ("sleep, applied after Numba's threads started", {"AUTOGRAD_CORE_BLAS_POLICY": "sleep"})
BUSY = ("sleep, another Python thread alive", {"AUTOGRAD_CORE_BLAS_POLICY": "sleep"})


def measure(late: bool = False, other_thread: bool = False) -> dict:
    import threading

    import numpy as np
    from numba import njit, prange

    from autograd_core import kernels as K
    from autograd_core.kernels import threads

    @njit(parallel=True)
    def row_sums(x, out):
        for i in prange(x.shape[0]):
            s = 0.0
            for j in range(x.shape[1]):
                s += x[i, j] * 1.0001
            out[i] = s

    rng = np.random.default_rng(0)
    a = rng.standard_normal((256, 256)).astype(np.float32)
    big = rng.standard_normal((1024, 1024)).astype(np.float32)
    x = rng.standard_normal((2000, 500)).astype(np.float32)
    out = np.empty(2000, np.float32)
    cx = rng.standard_normal((64, 8, 14, 14)).astype(np.float32)
    cw = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    K.set_backend("numba")
    if late:
        row_sums(x, out)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    if other_thread:             # alive (idle) during the whole measurement
        other.start()
    threads.configure()          # as our first kernel call does
    row_sums(x, out)
    geo = K.conv2d_geometry(cx.shape, cw.shape, 1, 1)
    K.conv2d_forward(cx, cw, None, geo)
    conv = lambda: K.conv2d_forward(cx, cw, None, geo)
    res = {
        "sgemm": time_fn(lambda: a @ a),
        "prange": time_fn(lambda: row_sums(x, out)),
        "conv": time_fn(conv),
        "sgemm_1024": time_fn(lambda: big @ big, repeat=5),
    }
    res["sgemm+prange"] = time_fn(lambda: (a @ a, row_sums(x, out)))
    res["sgemm+conv"] = time_fn(lambda: (a @ a, conv()))
    res["blas"] = "; ".join(r.get("fix", "?") for r in threads.blas_report())
    if other_thread:
        stop.set()
        other.join()
    return res


def main() -> None:
    rows = []
    runs = [p + ({},) for p in POLICIES] + [LATE + ({"late": True},), BUSY + ({"other_thread": True},)]
    for label, env, kwargs in runs:
        r = run_isolated("benchmarks.bench_threads", "measure", env=env, **kwargs)
        rows.append([label, fmt_time(r["sgemm"]), fmt_time(r["prange"]), fmt_time(r["sgemm+prange"]),
                     f"{r['sgemm+prange'] / (r['sgemm'] + r['prange']):.1f}x",
                     fmt_time(r["conv"]), fmt_time(r["sgemm+conv"]),
                     f"{r['sgemm+conv'] / (r['sgemm'] + r['conv']):.1f}x", fmt_time(r["sgemm_1024"])])
    print_table("sgemm 256 followed by parallel work (time per pair; 1.0x = no interference)",
                ["BLAS policy", "sgemm 256", "Numba prange", "sgemm + prange", "slowdown",
                 "our conv fwd", "sgemm + conv", "slowdown", "sgemm 1024"], rows)


if __name__ == "__main__":
    main()
