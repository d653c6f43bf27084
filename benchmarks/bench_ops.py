"""Per-op framework overhead on tiny tensors (4 elements), where the arithmetic
costs nothing and what is measured is the bookkeeping:

* forward: ``c = a * b`` with ``a`` and ``b`` requiring grad (the node is recorded);
* forward+backward: ``(a * b).backward(g)``;
* a chain of 100 ops, forward+backward, per op;
* the objects the garbage collector tracks that each op of that chain leaves alive while
  its graph is kept (Python runs a collection after every 700 new ones, and a full one,
  which reads every live object, after enough of them have lived long: fewer per op,
  fewer collections).

NumPy (the bare ``a * b`` on arrays) is the floor; PyTorch CPU runs in its own process.
"""
from __future__ import annotations

from benchmarks.harness import fmt_time, has_module, print_table, ratio, run_isolated, time_fn


def measure(lib: str) -> dict:
    import numpy as np
    if lib == "numpy":
        a, b = np.ones(4, np.float32), np.ones(4, np.float32)
        return {"forward": time_fn(lambda: a * b), "forward+backward": None, "chain": None}
    if lib == "torch":
        import torch as m
        m.set_num_threads(1)
        a = m.ones(4, requires_grad=True)
        b = m.ones(4, requires_grad=True)
        g = m.ones(4)
    else:
        import autograd_core as m
        a = m.ones(4, requires_grad=True)
        b = m.ones(4, requires_grad=True)
        g = m.ones(4)

    def fwd():
        return a * b

    def fwd_bwd():
        (a * b).backward(g)

    def chain():
        x = a
        for _ in range(50):
            x = x * b
            x = x + a
        x.backward(g)

    return {"forward": time_fn(fwd), "forward+backward": time_fn(fwd_bwd),
            "chain": time_fn(chain, repeat=5) / 100, "tracked": tracked_per_op(a, b)}


def tracked_per_op(a, b) -> float:
    """Net new objects tracked by the garbage collector per op of a 100-op chain, its graph
    kept (collections off meanwhile, so that the count is not reset)."""
    import gc
    gc.collect()
    gc.disable()
    try:
        before = gc.get_count()[0]
        x = a
        for _ in range(50):
            x = x * b
            x = x + a
        after = gc.get_count()[0]
    finally:
        gc.enable()
    del x
    return (after - before) / 100


def main() -> None:
    res = {"autograd-core": run_isolated("benchmarks.bench_ops", "measure", lib="ours"),
           "numpy": run_isolated("benchmarks.bench_ops", "measure", lib="numpy")}
    if has_module("torch"):
        res["pytorch"] = run_isolated("benchmarks.bench_ops", "measure", lib="torch")
    rows = []
    for what in ("forward", "forward+backward", "chain"):
        ours = res["autograd-core"][what]
        pt = res.get("pytorch", {}).get(what)
        rows.append([what if what != "chain" else "chain of 100 ops, fwd+bwd, per op",
                     fmt_time(ours), fmt_time(res["numpy"][what]), fmt_time(pt), ratio(ours, pt)])
    print_table("tiny-op overhead (4-element float32 tensors)",
                ["", "autograd-core", "numpy (no graph)", "pytorch", "ours / pytorch"], rows)
    pt = res.get("pytorch", {}).get("tracked")
    print_table("objects tracked by the garbage collector per op, graph kept (the chain's)",
                ["autograd-core", "pytorch"],
                [[f"{res['autograd-core']['tracked']:.1f}", "-" if pt is None else f"{pt:.1f}"]])


if __name__ == "__main__":
    main()
