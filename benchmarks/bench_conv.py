"""conv2d forward + backward (input and weight) against PyTorch CPU and a NumPy im2col.

Each library runs in its own process (``run_isolated``). "NumPy im2col" is our NumPy
path forced (``AUTOGRAD_CORE_KERNELS=numpy``): a strided im2col copy and one np.matmul
over the batch, col2im by slice-adds. Also: first use of every kernel in a fresh
process with a warm Numba cache, and a cold compile (empty ``NUMBA_CACHE_DIR``).

    python -m benchmarks conv
"""
from __future__ import annotations

import os
import tempfile
import time

from benchmarks.harness import fmt_time, has_module, print_table, ratio, run_isolated, time_fn

# (N, C, H, W, K, kernel, padding)
SHAPES = [
    (64, 1, 28, 28, 8, 3, 1),
    (64, 8, 14, 14, 16, 3, 1),
    (32, 16, 32, 32, 32, 3, 1),
]


def _data(shape, seed=0):
    import numpy as np
    n, c, h, w, k, ks, p = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((k, c, ks, ks)).astype(np.float32)
    g = rng.standard_normal((n, k, h + 2 * p - ks + 1, w + 2 * p - ks + 1)).astype(np.float32)
    return x, wt, g


def ours(shape: list, backend: str) -> dict:
    """Seconds for forward, backward-input, backward-weight and their sum (one process)."""
    from autograd_core import kernels as K
    K.set_backend(backend)
    x, w, g = _data(tuple(shape))
    geo = K.conv2d_geometry(x.shape, w.shape, 1, shape[6])
    fwd = lambda: K.conv2d_forward(x, w, None, geo)
    bin_ = lambda: K.conv2d_backward_input(g, w, geo)
    bw = lambda: K.conv2d_backward_weight(g, x, geo)

    def step():
        fwd(); bin_(); bw()
    return {"fwd": time_fn(fwd), "bwd_input": time_fn(bin_), "bwd_weight": time_fn(bw),
            "total": time_fn(step)}


def cpu_time(fn, repeat: int = 15, number: int = 5) -> float:
    """Least CPU seconds of this thread per call of ``fn``. On a shared machine this moves
    far less than wall time, as long as ``fn`` runs entirely in the calling thread."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.thread_time()
        for _ in range(number):
            fn()
        best = min(best, (time.thread_time() - t0) / number)
    return best


def ours_one_thread(shape: list) -> dict:
    """CPU time of forward + both backwards with everything on the calling thread."""
    from autograd_core import kernels as K
    from autograd_core.kernels import threads
    K.set_num_threads(1)
    x, w, g = _data(tuple(shape))
    geo = K.conv2d_geometry(x.shape, w.shape, 1, shape[6])

    def step():
        K.conv2d_forward(x, w, None, geo)
        K.conv2d_backward_input(g, w, geo)
        K.conv2d_backward_weight(g, x, geo)
    with threads.blas_single_thread():
        return {"total": cpu_time(step)}


def torch_one_thread(shape: list) -> dict:
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(1)
    x_np, w_np, g_np = _data(tuple(shape))
    p = shape[6]
    x = torch.from_numpy(x_np).requires_grad_()
    w = torch.from_numpy(w_np).requires_grad_()
    g = torch.from_numpy(g_np)

    def step():
        x.grad = w.grad = None
        F.conv2d(x, w, None, 1, p).backward(g)
    return {"total": cpu_time(step)}


def torch_cpu(shape: list) -> dict:
    import torch
    import torch.nn.functional as F
    x_np, w_np, g_np = _data(tuple(shape))
    p = shape[6]
    x = torch.from_numpy(x_np).requires_grad_()
    w = torch.from_numpy(w_np).requires_grad_()
    g = torch.from_numpy(g_np)

    def fwd():
        with torch.no_grad():
            F.conv2d(x, w, None, 1, p)

    def step():
        x.grad = w.grad = None
        F.conv2d(x, w, None, 1, p).backward(g)
    return {"fwd": time_fn(fwd), "total": time_fn(step), "threads": torch.get_num_threads()}


# processes per library for the one-thread table, alternating ours and PyTorch's
ONE_THREAD_ROUNDS = 3

POOL_SHAPES = [(64, 8, 28, 28, 2, 2, 0), (32, 32, 32, 32, 2, 2, 0), (32, 16, 32, 32, 3, 2, 1)]


def pool(shape: list, backend: str) -> dict:
    """Seconds for max/avg pool forward and backward with one path forced."""
    import numpy as np
    from autograd_core import kernels as K
    K.set_backend(backend)
    n, c, h, w, k, s, p = shape
    x = np.random.default_rng(0).standard_normal((n, c, h, w)).astype(np.float32)
    max_geo = K.max_pool2d_geometry(x.shape, k, s, p)
    avg_geo = K.avg_pool2d_geometry(x.shape, k, s, p)
    out, idx = K.max_pool2d_forward(x, max_geo)
    g = np.ones_like(out)
    return {"max_fwd": time_fn(lambda: K.max_pool2d_forward(x, max_geo)),
            "max_bwd": time_fn(lambda: K.max_pool2d_backward(g, idx, max_geo)),
            "avg_fwd": time_fn(lambda: K.avg_pool2d_forward(x, avg_geo)),
            "avg_bwd": time_fn(lambda: K.avg_pool2d_backward(g, avg_geo))}


def torch_pool(shape: list) -> dict:
    import numpy as np
    import torch
    import torch.nn.functional as F
    n, c, h, w, k, s, p = shape
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((n, c, h, w)).astype(np.float32))
    xg = x.clone().requires_grad_()
    out = F.max_pool2d(xg, k, s, p)
    g = torch.ones_like(out)

    def max_fb():
        xg.grad = None
        F.max_pool2d(xg, k, s, p).backward(g)

    def avg_fb():
        xg.grad = None
        F.avg_pool2d(xg, k, s, p).backward(g)
    return {"max": time_fn(max_fb), "avg": time_fn(avg_fb)}


def first_use(cache_dir: str | None = None) -> dict:
    """Import, then the first call of every kernel (float32 and float64) in this fresh process."""
    t0 = time.perf_counter()
    import autograd_core.kernels as K
    t1 = time.perf_counter()
    K.warmup()
    t2 = time.perf_counter()
    import sys
    return {"import": t1 - t0, "first_use": t2 - t1, "scipy_loaded": "scipy.linalg" in sys.modules}


def main() -> None:
    torch_ok = has_module("torch")
    rows, stage_rows = [], []
    for shape in SHAPES:
        auto = run_isolated("benchmarks.bench_conv", "ours", shape=list(shape), backend="auto")
        numba = run_isolated("benchmarks.bench_conv", "ours", shape=list(shape), backend="numba")
        numpy_ = run_isolated("benchmarks.bench_conv", "ours", shape=list(shape), backend="numpy")
        tor = run_isolated("benchmarks.bench_conv", "torch_cpu", shape=list(shape)) if torch_ok else None
        n, c, h, w, k, ks, p = shape
        name = f"N={n} C={c} {h}x{w} K={k} {ks}x{ks} pad {p}"
        rows.append([name, fmt_time(auto["total"]), fmt_time(tor and tor["total"]),
                     ratio(auto["total"], tor and tor["total"]), fmt_time(numpy_["total"]),
                     ratio(numpy_["total"], auto["total"])])
        for label, r in (("ours auto", auto), ("ours numba", numba), ("ours numpy", numpy_)):
            stage_rows.append([name, label, fmt_time(r["fwd"]), fmt_time(r["bwd_input"]),
                               fmt_time(r["bwd_weight"]), fmt_time(r["total"])])
        if tor:
            stage_rows.append([name, f"torch ({tor['threads']} threads)", fmt_time(tor["fwd"]), "-", "-",
                               fmt_time(tor["total"])])
    print_table("conv2d forward + backward (input and weight), float32",
                ["shape", "ours", "PyTorch", "ours / PyTorch", "NumPy im2col", "im2col / ours"], rows)
    one_rows = []
    for shape in SHAPES:
        n, c, h, w, k, ks, p = shape
        # alternating processes, the least of each library's: another program's load
        # comes and goes within seconds here, and one pair of processes can land on
        # opposite sides of it
        ours1 = tor1 = None
        for _ in range(ONE_THREAD_ROUNDS):
            t = run_isolated("benchmarks.bench_conv", "ours_one_thread", shape=list(shape))["total"]
            ours1 = t if ours1 is None else min(ours1, t)
            if torch_ok:
                t = run_isolated("benchmarks.bench_conv", "torch_one_thread", shape=list(shape))["total"]
                tor1 = t if tor1 is None else min(tor1, t)
        one_rows.append([f"N={n} C={c} {h}x{w} K={k} {ks}x{ks} pad {p}", fmt_time(ours1), fmt_time(tor1),
                         ratio(ours1, tor1)])
    print_table(f"the same on one thread, CPU time (robust to other load on the machine; the "
                f"least of {ONE_THREAD_ROUNDS} alternating processes per library)",
                ["shape", "ours", "PyTorch (torch.set_num_threads(1))", "ours / PyTorch"], one_rows)
    print_table("conv2d by stage and path", ["shape", "path", "forward", "backward input",
                                             "backward weight", "all three"], stage_rows)

    pool_rows = []
    for shape in POOL_SHAPES:
        n, c, h, w, k, st, p = shape
        name = f"N={n} C={c} {h}x{w} k={k} s={st} p={p}"
        tor = run_isolated("benchmarks.bench_conv", "torch_pool", shape=list(shape)) if torch_ok else None
        for backend in ("numba", "numpy"):
            r = run_isolated("benchmarks.bench_conv", "pool", shape=list(shape), backend=backend)
            pool_rows.append([name, backend, fmt_time(r["max_fwd"]), fmt_time(r["max_bwd"]),
                              fmt_time(r["max_fwd"] + r["max_bwd"]), fmt_time(tor and tor["max"]),
                              fmt_time(r["avg_fwd"]), fmt_time(r["avg_bwd"]),
                              fmt_time(r["avg_fwd"] + r["avg_bwd"]), fmt_time(tor and tor["avg"])])
    print_table("pooling by path, float32 (PyTorch: forward + backward through autograd)",
                ["shape", "path", "max fwd", "max bwd", "max both", "PyTorch max", "avg fwd", "avg bwd",
                 "avg both", "PyTorch avg"], pool_rows)

    warm = run_isolated("benchmarks.bench_conv", "first_use")       # fills the cache if empty
    warm = run_isolated("benchmarks.bench_conv", "first_use")
    with tempfile.TemporaryDirectory() as tmp:
        cold = run_isolated("benchmarks.bench_conv", "first_use", env={"NUMBA_CACHE_DIR": tmp})
        # Numba imports scipy.linalg when it is installed (to check for BLAS), ~0.3-1 s here.
        # SciPy is not a dependency of this project, so its .venv has none: hide it to see.
        os.makedirs(os.path.join(tmp, "noscipy", "scipy"))
        with open(os.path.join(tmp, "noscipy", "scipy", "__init__.py"), "w") as f:
            f.write("raise ImportError('hidden by bench_conv')\n")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        path = os.pathsep.join([root, os.path.join(tmp, "noscipy"), os.environ.get("PYTHONPATH", "")])
        bare = run_isolated("benchmarks.bench_conv", "first_use", env={"PYTHONPATH": path})
    print_table("Numba compile: first use of every kernel, float32 and float64, fresh process",
                ["cache", "import autograd_core.kernels", "first use of all kernels",
                 "scipy.linalg imported (by numba)"],
                [["warm", fmt_time(warm["import"]), fmt_time(warm["first_use"]), warm["scipy_loaded"]],
                 ["warm, SciPy not installed (as in .venv)", fmt_time(bare["import"]),
                  fmt_time(bare["first_use"]), bare["scipy_loaded"]],
                 ["cold (empty NUMBA_CACHE_DIR)", fmt_time(cold["import"]), fmt_time(cold["first_use"]),
                  cold["scipy_loaded"]]])


if __name__ == "__main__":
    main()
