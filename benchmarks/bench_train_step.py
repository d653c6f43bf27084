"""One training step (zero_grad, forward, cross-entropy, backward, SGD step) of three
models, ours against PyTorch CPU, each library in its own process:

* MLP 784-256-10, batch 64 (also against a hand-written NumPy float32 step);
* CNN ``Conv2d(1,8,3,p=1)-ReLU-MaxPool2-Conv2d(8,16,3,p=1)-ReLU-MaxPool2-Flatten-Linear(784,10)``,
  batch 64 of 1x28x28;
* a self-attention block, batch 16, sequence 32, dim 64, 4 heads:
  ``x + MHA(LayerNorm(x))`` (pre-norm residual), mean over the sequence, ``Linear(64, 10)``.

All float32, default thread counts. Targets (issue 4): MLP <= 1.0x PyTorch, CNN <= 2x,
attention <= 1.5x.

    python -m benchmarks train_step
"""
from __future__ import annotations

from typing import Any

from benchmarks.harness import fmt_time, has_module, print_table, ratio, run_isolated, time_fn

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
    import nn

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


def measure(lib: str, model: str, repeat: int = 7) -> dict:
    """Seconds per training step of ``model`` with ``lib`` ('ours', 'torch', 'numpy')."""
    x_np, y_np = _data(model)
    if lib == "torch":
        import torch
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
        import nn.functional as F
        import optim
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
            return {"time": None}
        step = _numpy_mlp_step(x_np, y_np)
    else:
        raise ValueError(lib)
    return {"time": time_fn(step, warmup=10, repeat=repeat, min_time=0.1)}


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


def main() -> None:
    have_torch = has_module("torch")
    rows = []
    for model in MODELS:
        try:
            ours = run_isolated("benchmarks.bench_train_step", "measure", lib="ours",
                                model=model)["time"]
        except RuntimeError as e:  # e.g. a missing op
            print(f"(ours, {model}: failed: {str(e).strip().splitlines()[-1]})")
            ours = None
        pt = run_isolated("benchmarks.bench_train_step", "measure", lib="torch",
                          model=model)["time"] if have_torch else None
        npy = run_isolated("benchmarks.bench_train_step", "measure", lib="numpy",
                           model=model)["time"] if model == "mlp" else None
        rows.append([model, fmt_time(ours), fmt_time(pt), ratio(ours, pt), fmt_time(npy),
                     ratio(npy, pt)])
    print_table("training step (zero_grad, forward, cross-entropy, backward, SGD step), float32",
                ["model", "autograd-core", "pytorch", "ours / pytorch", "numpy by hand",
                 "numpy / pytorch"], rows)


if __name__ == "__main__":
    main()
