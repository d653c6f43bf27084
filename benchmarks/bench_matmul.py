"""Batched matmul: ours (each path) against torch.bmm and a plain np.matmul.

Each library runs in its own process (``run_isolated``).

    python -m benchmarks matmul
"""
from __future__ import annotations

from benchmarks.harness import fmt_time, has_module, print_table, ratio, run_isolated, time_fn

SHAPES = [(64, 64, 64, 64), (256, 128, 64, 128), (4096, 4, 4, 4)]   # (B, M, K, N)


def _data(shape, seed=0):
    import numpy as np
    bsz, m, k, n = shape
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((bsz, m, k)).astype(np.float32),
            rng.standard_normal((bsz, k, n)).astype(np.float32))


def ours(shape: list, backend: str) -> dict:
    from autograd_core import kernels as K
    K.set_backend(backend)
    a, b = _data(tuple(shape))
    return {"t": time_fn(lambda: K.bmm(a, b))}


def plain_numpy(shape: list) -> dict:
    import numpy as np
    a, b = _data(tuple(shape))
    return {"t": time_fn(lambda: np.matmul(a, b))}


def torch_cpu(shape: list) -> dict:
    import torch
    a, b = (torch.from_numpy(v) for v in _data(tuple(shape)))
    return {"t": time_fn(lambda: torch.bmm(a, b))}


def one_thread(shape: list, lib: str) -> dict:
    """CPU seconds per call with everything on the calling thread (robust to other load)."""
    import time
    a, b = _data(tuple(shape))
    if lib == "torch":
        import torch
        torch.set_num_threads(1)
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        fn = lambda: torch.bmm(ta, tb)
        ctx = None
    else:
        from autograd_core import kernels as K
        from autograd_core.kernels import threads
        K.set_num_threads(1)
        K.set_backend(lib)
        fn = lambda: K.bmm(a, b)
        ctx = threads.blas_single_thread()
    if ctx is not None:
        ctx.__enter__()
    fn()
    best = float("inf")
    for _ in range(15):
        t0 = time.thread_time()
        for _ in range(10):
            fn()
        best = min(best, (time.thread_time() - t0) / 10)
    if ctx is not None:
        ctx.__exit__(None, None, None)
    return {"t": best}


def main() -> None:
    torch_ok = has_module("torch")
    rows = []
    for shape in SHAPES:
        r = {be: run_isolated("benchmarks.bench_matmul", "ours", shape=list(shape), backend=be)["t"]
             for be in ("auto", "numpy", "numba")}
        npm = run_isolated("benchmarks.bench_matmul", "plain_numpy", shape=list(shape))["t"]
        tor = run_isolated("benchmarks.bench_matmul", "torch_cpu", shape=list(shape))["t"] if torch_ok else None
        bsz, m, k, n = shape
        gflops = 2 * bsz * m * k * n / r["auto"] / 1e9
        rows.append([f"{bsz}x({m}x{k})@({k}x{n})", fmt_time(r["auto"]), f"{gflops:.0f}",
                     fmt_time(r["numpy"]), fmt_time(r["numba"]), fmt_time(npm), fmt_time(tor),
                     ratio(r["auto"], tor), ratio(r["auto"], npm)])
    one = []
    for shape in SHAPES:
        r = {lib: run_isolated("benchmarks.bench_matmul", "one_thread", shape=list(shape), lib=lib)["t"]
             for lib in ("numpy", "numba") + (("torch",) if torch_ok else ())}
        bsz, m, k, n = shape
        one.append([f"{bsz}x({m}x{k})@({k}x{n})", fmt_time(r["numpy"]), fmt_time(r["numba"]),
                    fmt_time(r.get("torch")), ratio(min(r["numpy"], r["numba"]), r.get("torch"))])
    print_table("bmm on one thread, CPU time (robust to other load on the machine)",
                ["shape", "ours numpy path", "ours numba path", "torch.bmm (1 thread)", "best ours / torch"], one)
    print_table("bmm, float32",
                ["shape", "ours (auto)", "GFLOP/s", "ours numpy path", "ours numba path", "np.matmul",
                 "torch.bmm", "ours / torch", "ours / np.matmul"], rows)


if __name__ == "__main__":
    main()
