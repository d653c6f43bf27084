"""micrograd's README demo: an MLP 2-16-16-1 on 100 moons points, SVM (hinge) loss
plus L2, one full-batch step = forward + zero_grad + backward + update.

The same code (below) drives micrograd's ``Value`` (from PyPI) and ours, each in
its own processes (``ROUNDS`` each, alternating), with Python's garbage collector on (as
users run it) and off. A step's time is the process's CPU time (the median over the
steps, then over the processes), so other programs on a busy machine do not count.
"""
from __future__ import annotations

import gc
import random
import time

from benchmarks.harness import has_module, print_table, run_isolated


class Neuron:
    def __init__(self, V, nin, nonlin=True):
        self.w = [V(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = V(0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, V, nin, nout, **kwargs):
        self.neurons = [Neuron(V, nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, V, nin, nouts):
        sz = [nin] + nouts
        self.layers = [Layer(V, sz[i], sz[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0


def moons(n=100, noise=0.1, seed=1337):
    import numpy as np
    from autograd_core.data import make_moons
    X, y = make_moons(n, noise=noise, seed=seed)
    return np.asarray(X, dtype=float).tolist(), (np.asarray(y) * 2 - 1).tolist()


def run(engine: str, gc_on: bool, steps: int = 10) -> dict:
    if engine == "micrograd":
        from micrograd.engine import Value as V
    else:
        from autograd_core import Value as V
    random.seed(1337)
    X, y = moons()
    model = MLP(V, 2, [16, 16, 1])

    def loss():
        inputs = [list(map(V, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum((p * p for p in model.parameters()))
        return data_loss + reg_loss

    if not gc_on:
        gc.disable()
    times, losses = [], []
    for k in range(steps):
        t0 = time.process_time()
        total = loss()
        model.zero_grad()
        total.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
        times.append(time.process_time() - t0)
        losses.append(total.data)
    gc.enable()
    return {"step": sorted(times)[len(times) // 2], "losses": losses}


# processes per library and collector setting, alternating: each gives the median of its
# steps, the table the median of those (one process's step moved 97-118 ms between runs)
ROUNDS = 3


def _median(xs: list) -> float:
    return sorted(xs)[len(xs) // 2]


def main() -> None:
    rows = []
    mg_ok = has_module("micrograd")
    for gc_on in (True, False):
        ours, mg, same = [], [], True
        for _ in range(ROUNDS):
            o = run_isolated("benchmarks.bench_value", "run", engine="ours", gc_on=gc_on)
            ours.append(o["step"])
            if mg_ok:
                # micrograd's cyclic garbage piles up over steps: the median of 10
                m = run_isolated("benchmarks.bench_value", "run", engine="micrograd",
                                 gc_on=gc_on, steps=10 if gc_on else 5)
                mg.append(m["step"])
                same = same and all(abs(a - b) < 1e-9 for a, b in zip(o["losses"], m["losses"]))
        o, m = _median(ours), (_median(mg) if mg else None)
        rows.append([
            "on" if gc_on else "off",
            f"{o * 1e3:.1f} ms ({min(ours) * 1e3:.1f}-{max(ours) * 1e3:.1f})",
            f"{m * 1e3:.1f} ms ({min(mg) * 1e3:.1f}-{max(mg) * 1e3:.1f})" if mg else "-",
            f"{m / o:.1f}x" if mg else "-",
            ("yes" if same else "NO") if mg else "-",
        ])
    print_table(f"micrograd demo step, CPU time (MLP 2-16-16-1, 100 moons, SVM loss + L2; "
                f"median of {ROUNDS} alternating processes each, min-max)",
                ["garbage collector", "autograd-core Value", "micrograd Value",
                 "ours faster by", "same losses"], rows)
    if not mg_ok:
        print("\n(micrograd is not installed: `pip install micrograd==0.1.0` for the comparison)")


if __name__ == "__main__":
    main()
