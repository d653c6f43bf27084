"""The recurrent layers of the README's table: ``nn.LSTM`` and ``nn.GRU`` (input 64,
hidden 128, one layer) over 100 time steps of a batch of 32, forward and backward of the
output's sum, float32, autograd-core against PyTorch CPU.

Each library runs in its own processes, alternating (ours, PyTorch, ours, ...; 3 each),
on one thread (``*_NUM_THREADS=1``, ``set_num_threads(1)``): CPU time per forward+backward
(``time.process_time()``, median of the repeats inside a process), then the median over
the processes with the range (min-max).

    python -m benchmarks recurrent
"""
from __future__ import annotations

import statistics
import time

from benchmarks.harness import fmt_time, has_module, print_table, run_isolated

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "NUMBA_NUM_THREADS": "1"}
LENGTH, BATCH, INPUT, HIDDEN = 100, 32, 64, 128
LAYERS = ("LSTM", "GRU")
PROCESSES = 3


def measure(lib: str, layer: str, repeat: int = 15) -> dict:
    """CPU seconds per forward+backward of ``layer`` in ``lib`` ("ours" or "torch")."""
    import numpy as np
    if lib == "torch":
        import torch as m
        m.set_num_threads(1)
    else:
        import autograd_core as m
        m.set_num_threads(1)
    m.manual_seed(0)
    rnn = getattr(m.nn, layer)(INPUT, HIDDEN)
    x = m.tensor(np.random.default_rng(0).standard_normal((LENGTH, BATCH, INPUT)).astype(np.float32),
                 requires_grad=True)

    def step():
        rnn.zero_grad()
        x.grad = None
        out, _ = rnn(x)
        out.sum().backward()

    for _ in range(3):
        step()
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        step()
        times.append(time.process_time() - t0)
    return {"cpu": statistics.median(times)}


def main() -> None:
    libs = ("ours", "torch") if has_module("torch") else ("ours",)
    rows = []
    for layer in LAYERS:
        res: dict = {lib: [] for lib in libs}
        for _ in range(PROCESSES):
            for lib in libs:
                res[lib].append(run_isolated("benchmarks.bench_recurrent", "measure",
                                             env=ONE_THREAD, lib=lib, layer=layer)["cpu"])

        def cell(ts: list) -> str:
            return f"{fmt_time(statistics.median(ts))} ({fmt_time(min(ts))}-{fmt_time(max(ts))})"

        ours = statistics.median(res["ours"])
        row = [f"{layer}, {LENGTH} steps, batch {BATCH}, {INPUT} -> {HIDDEN}", cell(res["ours"])]
        if "torch" in res:
            row += [cell(res["torch"]), f"{ours / statistics.median(res['torch']):.2f}x"]
        rows.append(row)
    print_table("recurrent layer forward+backward, CPU time on one thread (median, min-max)",
                ["layer", "autograd-core", "PyTorch", "ours / PyTorch"], rows)


if __name__ == "__main__":
    main()
