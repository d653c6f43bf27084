"""One training step (zero_grad, forward, cross-entropy, backward, SGD step) of three
models, ours against PyTorch CPU, each library in its own process:

* MLP 784-256-10, batch 64 (also against a hand-written NumPy float32 step);
* CNN ``Conv2d(1,8,3,p=1)-ReLU-MaxPool2-Conv2d(8,16,3,p=1)-ReLU-MaxPool2-Flatten-Linear(784,10)``,
  batch 64 of 1x28x28;
* a self-attention block, batch 16, sequence 32, dim 64, 4 heads:
  ``x + MHA(LayerNorm(x))`` (pre-norm residual), mean over the sequence, ``Linear(64, 10)``.

All float32. The first table uses the default thread counts, each library in its own
process; times are the median over repeats, with the best in parentheses. On a
machine that other jobs share, separate processes see different loads, so the second
table runs everything with one thread (``OMP_NUM_THREADS=1``, ``torch.set_num_threads(1)``)
in one process, alternating one step of each library, and gives the median of the
per-round ratios: both sides see the same load.
Targets (issue 4): MLP <= 1.0x PyTorch, CNN <= 2x, attention <= 1.5x.

    python -m benchmarks train_step
"""
from __future__ import annotations

from typing import Any

import statistics
import time

from benchmarks.harness import fmt_time, has_module, print_table, ratio, run_isolated

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "NUMBA_NUM_THREADS": "1"}

MODELS = ("mlp", "cnn", "attention")


def _data(model: str, seed: int = 0) -> tuple:
    import numpy as np
    rng = np.random.default_rng(seed)
    if model == "mlp":
        x = rng.standard_normal((64, 784)).astype(np.float32)
        n = 64
    elif model == "cnn":
        x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
        n = 64
    else:
        x = rng.standard_normal((16, 32, 64)).astype(np.float32)
        n = 16
    return x, rng.integers(0, 10, n).astype(np.int64)


def _ours_model(model: str) -> Any:
    from autograd_core import nn

    if model == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    if model == "cnn":
        return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(784, 10))

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm = nn.LayerNorm(64)
            self.attn = nn.MultiheadAttention(64, 4, batch_first=True)
            self.head = nn.Linear(64, 10)

        def forward(self, x: Any) -> Any:
            h = self.norm(x)
            x = x + self.attn(h, h, h, need_weights=False)[0]
            return self.head(x.mean(1))

    return Block()


def _torch_model(model: str) -> Any:
    import torch.nn as tn

    if model == "mlp":
        return tn.Sequential(tn.Linear(784, 256), tn.ReLU(), tn.Linear(256, 10))
    if model == "cnn":
        return tn.Sequential(tn.Conv2d(1, 8, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2),
                             tn.Conv2d(8, 16, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2),
                             tn.Flatten(), tn.Linear(784, 10))

    class Block(tn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm = tn.LayerNorm(64)
            self.attn = tn.MultiheadAttention(64, 4, batch_first=True)
            self.head = tn.Linear(64, 10)

        def forward(self, x: Any) -> Any:
            h = self.norm(x)
            x = x + self.attn(h, h, h, need_weights=False)[0]
            return self.head(x.mean(1))

    return Block()


def _time(step: Any, repeat: int, min_time: float = 0.1) -> dict:
    """Median and best seconds per call over ``repeat`` timings of >= ``min_time`` each."""
    for _ in range(10):
        step()
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            step()
        if time.perf_counter() - t0 >= min_time:
            break
        number *= 2
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            step()
        times.append((time.perf_counter() - t0) / number)
    return {"time": statistics.median(times), "best": min(times)}


def measure(lib: str, model: str, repeat: int = 9, threads: int = 0) -> dict:
    """Seconds per training step of ``model`` with ``lib`` ('ours', 'torch', 'numpy');
    ``threads=1`` limits PyTorch to one thread (set the BLAS variables in the env too)."""
    x_np, y_np = _data(model)
    if lib == "torch":
        import torch
        if threads:
            torch.set_num_threads(threads)
        net = _torch_model(model)
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
        ce = torch.nn.functional.cross_entropy

        def step() -> None:
            opt.zero_grad()
            ce(net(x), y).backward()
            opt.step()
    elif lib == "ours":
        import autograd_core as ag
        import autograd_core.nn.functional as F
        from autograd_core import optim
        ag.manual_seed(0)
        net = _ours_model(model)
        opt = optim.SGD(net.parameters(), lr=0.01)
        x, y = ag.from_numpy(x_np), ag.from_numpy(y_np)
        ce = F.cross_entropy

        def step() -> None:
            opt.zero_grad()
            ce(net(x), y).backward()
            opt.step()
    elif lib == "numpy":
        if model != "mlp":
            return {"time": None, "best": None}
        step = _numpy_mlp_step(x_np, y_np)
    else:
        raise ValueError(lib)
    return _time(step, repeat)


def _numpy_mlp_step(x: Any, y: Any) -> Any:
    """The MLP step written by hand in NumPy float32: the floor for any framework."""
    import numpy as np
    rng = np.random.default_rng(0)
    w1 = rng.uniform(-1 / 28, 1 / 28, (256, 784)).astype(np.float32)
    b1 = np.zeros(256, np.float32)
    w2 = rng.uniform(-1 / 16, 1 / 16, (10, 256)).astype(np.float32)
    b2 = np.zeros(10, np.float32)
    n = x.shape[0]
    ar = np.arange(n)
    lr = np.float32(0.01)

    def step() -> None:
        h = x @ w1.T + b1
        mask = h > 0
        a = h * mask
        z = a @ w2.T + b2
        z = z - z.max(1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(1, keepdims=True)
        g = p
        g[ar, y] -= 1
        g /= n
        gw2 = g.T @ a
        gb2 = g.sum(0)
        ga = g @ w2
        ga *= mask
        gw1 = ga.T @ x
        gb1 = ga.sum(0)
        for p, gp in ((w1, gw1), (b1, gb1), (w2, gw2), (b2, gb2)):
            p -= lr * gp

    return step


def _steps(model: str) -> dict:
    """One training-step closure per library for ``model`` (PyTorch's if installed)."""
    import autograd_core as ag
    import autograd_core.nn.functional as F
    from autograd_core import optim
    x_np, y_np = _data(model)
    ag.manual_seed(0)
    net = _ours_model(model)
    opt = optim.SGD(net.parameters(), lr=0.01)
    x, y = ag.from_numpy(x_np), ag.from_numpy(y_np)

    def ours() -> None:
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()

    steps = {"ours": ours}
    if model == "mlp":
        steps["numpy"] = _numpy_mlp_step(x_np, y_np)
    if has_module("torch"):
        import torch
        torch.set_num_threads(1)
        tnet = _torch_model(model)
        topt = torch.optim.SGD(tnet.parameters(), lr=0.01)
        tx, ty = torch.from_numpy(x_np), torch.from_numpy(y_np)

        def theirs() -> None:
            topt.zero_grad()
            torch.nn.functional.cross_entropy(tnet(tx), ty).backward()
            topt.step()

        steps["torch"] = theirs
    return steps


def measure_paired(model: str, rounds: int = 0, min_time: float = 3.0) -> dict:
    """Alternate one step of each library (run with one thread) for ``rounds`` rounds
    (or ``min_time`` seconds); per library the median step time, and the median over
    rounds of its ratio to PyTorch's step."""
    steps = _steps(model)
    for f in steps.values():
        for _ in range(5):
            f()
    times: dict = {k: [] for k in steps}
    t_end = time.perf_counter() + min_time
    n = 0
    while (n < rounds) if rounds else (time.perf_counter() < t_end or n < 20):
        for k, f in steps.items():
            t0 = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t0)
        n += 1
    out: dict = {k: {"time": statistics.median(v), "best": min(v)} for k, v in times.items()}
    if "torch" in times:
        for k, v in times.items():
            out[k]["ratio"] = statistics.median(a / b for a, b in zip(v, times["torch"]))
    return out


def _run(lib: str, model: str, one_thread: bool) -> dict:
    try:
        return run_isolated("benchmarks.bench_train_step", "measure",
                            env=ONE_THREAD if one_thread else None, lib=lib, model=model,
                            threads=1 if one_thread else 0)
    except RuntimeError as e:  # e.g. a missing op
        print(f"({lib}, {model}: failed: {str(e).strip().splitlines()[-1]})")
        return {"time": None, "best": None}


def _cell(r: dict) -> str:
    if r["time"] is None:
        return "-"
    return f"{fmt_time(r['time'])} ({fmt_time(r['best'])})"


def main() -> None:
    have_torch = has_module("torch")
    none = {"time": None, "best": None}
    rows = []
    for model in MODELS:
        ours = _run("ours", model, False)
        pt = _run("torch", model, False) if have_torch else none
        npy = _run("numpy", model, False) if model == "mlp" else none
        rows.append([model, _cell(ours), _cell(pt), ratio(ours["time"], pt["time"]),
                     _cell(npy), ratio(npy["time"], pt["time"])])
    print_table("training step (zero_grad, forward, cross-entropy, backward, SGD step), "
                "float32, default threads, separate processes",
                ["model", "autograd-core", "pytorch", "ours / pytorch", "numpy by hand",
                 "numpy / pytorch"], rows)
    rows = []
    for model in MODELS:
        r = run_isolated("benchmarks.bench_train_step", "measure_paired", env=ONE_THREAD,
                         model=model)
        get = lambda k, f: r.get(k, {}).get(f)  # noqa: E731
        rows.append([model, _cell(r["ours"]), _cell(r["torch"]) if "torch" in r else "-",
                     f"{get('ours', 'ratio'):.2f}x" if get("ours", "ratio") else "-",
                     _cell(r["numpy"]) if "numpy" in r else "-",
                     f"{get('numpy', 'ratio'):.2f}x" if get("numpy", "ratio") else "-"])
    print_table("the same steps, 1 thread, one process, alternating steps (median of per-round "
                "ratios)",
                ["model", "autograd-core", "pytorch", "ours / pytorch", "numpy by hand",
                 "numpy / pytorch"], rows)


if __name__ == "__main__":
    main()
