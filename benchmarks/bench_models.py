"""The model zoo (``benchmarks/zoo``): one whole training step (zero_grad, forward, loss,
backward, optimizer step) of seven well-known PyTorch programs at their usual sizes,
float32, autograd-core against PyTorch CPU. Each model is written once, against a library
passed in as a parameter, so both libraries run the same source on the same data (drawn
with NumPy from a fixed seed).

Every measurement runs in a fresh process (``run_isolated``), alternating libraries
(ours, PyTorch, ours, PyTorch, ...; ``REPEATS``: 3 processes each on one thread, 3 with
the default threads), and reports the median over the processes with the range (min-max)
in brackets:

* **CPU time per step on one thread** (the headline): ``OMP/OPENBLAS/MKL/NUMBA_NUM_THREADS=1``
  plus ``torch.set_num_threads(1)`` / ``ag.set_num_threads(1)``; ``time.process_time()``
  around the timed steps after the warm-up steps (each model's ``STEPS``; a process stops
  timing after ``TIME_BUDGET`` seconds once it has timed two steps);
* **wall-clock time per step with the default threads**, in separate processes;
* **peak memory of the training steps**: the process's peak RSS (``VmHWM``, reset through
  ``/proc/self/clear_refs`` just before the model is built) minus the RSS at that moment,
  in MB, from the one-thread processes. Before that moment each library has made and
  stepped one of each optimizer on a 2x2 parameter: PyTorch imports some 70 MB of itself
  when its first optimizer is made, which is not memory of the training step; and
  autograd-core has called one kernel, which imports Numba and starts LLVM (about 100 MB,
  likewise once per process);
* ours / PyTorch for each, and the host's load (``os.getloadavg()``) at the start and the
  end of the run.

Then, once per model and not timed, the **first steps' losses** are compared: the
autograd-core model gets the PyTorch model's initial weights (``state_dict`` through
NumPy), both run in float64 with dropout off (and the VAE's noise given), and the losses
of the first two steps must agree to 1e-6 relative (the second one checks the backward
pass and the optimizer step too).

A model that fails on autograd-core is reported as "fails: <reason>" and the others go on.

    python -m benchmarks models                  # the whole zoo (a few minutes)
    python -m benchmarks models gpt resnet18     # some models (or BENCH_MODELS=gpt,resnet18)
    python -m benchmarks models --quick          # smoke run: 1 process each, few steps
    python -m benchmarks models --no-check       # skip the first-step loss comparison
    python -m benchmarks models --repeats=5      # processes per library and setting
    python -m benchmarks models --profile gpt    # cProfile of a few of our steps, top 25
"""
from __future__ import annotations

import os
import statistics
import sys
import time
import traceback
from typing import Any

from benchmarks.harness import ROOT, cpu, fmt_time, has_module, print_table, run_isolated
from benchmarks.zoo import MODELS

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "NUMBA_NUM_THREADS": "1"}
# processes per library: one thread (the headline), default threads. Three, so that the
# median drops one slow process: with two threads on two shared cores, one process in a
# few runs twice as slow as its neighbours (GPT: 112 and 232 ms against 75-95 ms in the
# runs around it), and the median of two is their mean.
REPEATS = {"one": 3, "default": 3}
LIBS = ("ours", "torch")
LIB_TITLE = {"ours": "autograd-core", "torch": "PyTorch"}
SEED = 0
CHECK_RTOL = {"float64": 1e-6, "float32": 1e-4}
# wall seconds after which a process stops timing more steps (it times at least 2): the
# step counts of the models' STEPS are for a quiet host, the budget bounds the run on a
# busy one, where a step with the default threads can take ten times as long
TIME_BUDGET = {"one": 4.0, "default": 2.5, "quick": 1.0}


# ----------------------------------------------------------------------------- children

def _status_kb(field: str) -> int | None:
    """A field of /proc/self/status (VmRSS, VmHWM) in kB, or None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_kb() -> int:
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # kB on Linux


def _error(e: BaseException) -> str:
    """One line: the exception and where in the library (or the zoo) it was raised."""
    tb = traceback.extract_tb(e.__traceback__)
    where = ""
    for fr in reversed(tb):
        if "/benchmarks/" not in fr.filename or "/zoo/" in fr.filename:
            where = f" ({os.path.relpath(fr.filename, os.getcwd())}:{fr.lineno})"
            break
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {msg}"[:200] + where


def _prime(L: Any) -> None:
    """One step of each optimizer the zoo uses on a 2x2 parameter: PyTorch imports a good
    part of itself (tens of MB) when its first optimizer is made, which is not the memory
    of a training step. Likewise autograd-core imports Numba and starts LLVM (about 100 MB)
    at its first kernel call: one call of a tiny batched matmul (a kernel none of the
    models' steps call: below 512 multiply-adds per matrix) does that here."""
    torch, nn, optim = L.torch, L.nn, L.optim
    if L.name == "ours":
        import numpy as np
        from autograd_core import kernels
        if kernels.get_backend() != "numpy":
            kernels.bmm(np.ones((1, 2, 2), np.float32), np.ones((1, 2, 2), np.float32))
    w = nn.Parameter(torch.ones(2, 2))
    for opt in (optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=1e-4), optim.Adam([w]),
                optim.AdamW([w]), optim.Adadelta([w])):
        opt.zero_grad()
        (w * w).sum().backward()
        torch.nn.utils.clip_grad_norm_([w], 1.0)
        opt.step()


def _setup(lib: str, model: str, threads: int, deterministic: bool = False,
           dtype: str = "float32", state: dict | None = None, before_build: Any = None) -> tuple:
    """Import ``lib``, build ``model`` and its step; returns (Lib, modules, step).
    ``before_build()`` is called once the data is made, just before the model is built."""
    import numpy as np
    from benchmarks import zoo
    M = zoo.model(model)
    L = zoo.lib(lib, deterministic)
    if threads:
        L.torch.set_num_threads(threads)
    arrays = M.data(np.random.default_rng(SEED))
    if dtype != "float32":
        arrays = {k: v.astype(dtype) if v.dtype.kind == "f" else v for k, v in arrays.items()}
    batch = {k: L.torch.from_numpy(v) for k, v in arrays.items()}
    if before_build is not None:
        before_build()
    L.torch.manual_seed(SEED)
    mods = M.build(L)
    if dtype == "float64":
        for m in mods.values():
            m.double()
    if state is not None:
        for k, m in mods.items():
            m.load_state_dict(state[k])
    return L, mods, M.trainer(L, mods, batch)


def _losses(out: Any) -> list[float]:
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [float(o.detach().item()) for o in outs]


def measure(lib: str, model: str, threads: int = 0, warmup: int = 2, steps: int = 10,
            max_time: float = 0.0, min_steps: int = 2) -> dict:
    """Seconds of CPU and wall time per training step and the peak memory of the steps.

    Run in a fresh process; ``threads=1`` also calls ``set_num_threads(1)`` (the caller
    sets the BLAS/OpenMP/Numba variables in the environment). After ``warmup`` steps,
    ``steps`` steps are timed, or fewer (at least ``min_steps``) once ``max_time`` wall
    seconds have passed (the warm-up likewise stops once ``max_time`` has passed, but
    never before two steps)."""
    import gc
    try:
        base: dict = {}

        def baseline() -> None:
            _prime(L)
            gc.collect()
            base["rss"] = _status_kb("VmRSS")
            base["reset"] = _reset_peak()
            if not base["reset"]:
                base["rss"] = _peak_kb()

        from benchmarks import zoo
        L = zoo.lib(lib)
        L, mods, step = _setup(lib, model, threads, before_build=baseline)
        t0 = time.perf_counter()
        for i in range(warmup):   # the warm-up stops at the budget after two steps: the
            # first compiles or loads kernels and maps memory, and in both libraries the
            # second still faults in some memory (ResNet-18: 16,000 pages ours, 26,000
            # PyTorch's); from the third on, ours faults no more
            if i >= 2 and max_time and time.perf_counter() - t0 >= max_time:
                break
            step()
        c0, w0 = time.process_time(), time.perf_counter()
        n = 0
        while n < steps and (n < min_steps or not max_time
                             or time.perf_counter() - w0 < max_time):
            out = step()
            n += 1
        cpu = (time.process_time() - c0) / n
        wall = (time.perf_counter() - w0) / n
        peak = _peak_kb()
        loss = _losses(out)
    except Exception as e:  # e.g. a missing op: reported, not fatal
        return {"error": _error(e)}
    return {"cpu": cpu, "wall": wall, "peak_mb": (peak - base["rss"]) / 1024, "loss": loss,
            "peak_exact": base["reset"], "threads": threads, "steps": n}


def check(model: str, steps: int = 2) -> dict:
    """The losses of the first ``steps`` steps of both libraries from PyTorch's initial
    weights, in float64 (float32 when ours fails in float64), dropout off."""
    import numpy as np
    out: dict = {}
    for dtype in ("float64", "float32"):
        try:
            _, tmods, tstep = _setup("torch", model, 1, True, dtype)
            state = {k: {n: v.detach().numpy().copy() for n, v in m.state_dict().items()}
                     for k, m in tmods.items()}
            theirs = [_losses(tstep()) for _ in range(steps)]
        except Exception as e:
            return {"error": "PyTorch: " + _error(e)}
        try:
            _, _, ostep = _setup("ours", model, 1, True, dtype,
                                 {k: {n: np.array(v) for n, v in s.items()} for k, s in state.items()})
            ours = [_losses(ostep()) for _ in range(steps)]
        except Exception as e:
            out.setdefault("errors", []).append(f"{dtype}: {_error(e)}")
            continue
        rel = [max(abs(a - b) / max(abs(b), 1e-30) for a, b in zip(o, t))
               for o, t in zip(ours, theirs)]
        out.update(dtype=dtype, ours=ours, torch=theirs, rel=rel,
                   match=all(r <= CHECK_RTOL[dtype] for r in rel))
        return out
    out["error"] = "; ".join(out.get("errors", ["?"]))
    return out


def profile(model: str, warmup: int = 2, steps: int = 3, top: int = 25) -> dict:
    """cProfile of ``steps`` of our steps (one thread) after ``warmup``: the top functions
    by total (own) time, as text."""
    import cProfile
    import io
    import pstats
    try:
        _, _, step = _setup("ours", model, 1)
        for _ in range(warmup):
            step()
        pr = cProfile.Profile()
        pr.enable()
        for _ in range(steps):
            step()
        pr.disable()
    except Exception as e:
        return {"error": _error(e)}
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(top)
    text = s.getvalue().replace(ROOT + os.sep, "")
    for d in sys.path:                      # site-packages/numpy/... -> numpy/...
        if d.endswith("site-packages"):
            text = text.replace(d + os.sep, "")
    return {"text": text, "steps": steps}


# ----------------------------------------------------------------------------- parent

def _plan(model: str, quick: bool) -> tuple[int, int]:
    from benchmarks import zoo
    warmup, steps = zoo.model(model).STEPS
    if quick:
        return 1, max(1, min(steps // 4, 5))
    return warmup, steps


def _run(lib: str, model: str, one_thread: bool, warmup: int, steps: int, quick: bool) -> dict:
    budget = TIME_BUDGET["quick" if quick else "one" if one_thread else "default"]
    try:
        return run_isolated("benchmarks.bench_models", "measure",
                            env=ONE_THREAD if one_thread else None, lib=lib, model=model,
                            threads=1 if one_thread else 0, warmup=warmup, steps=steps,
                            max_time=budget, min_steps=1 if quick else 2)
    except RuntimeError as e:   # the process died (a crash, not an exception)
        lines = str(e).strip().splitlines()
        return {"error": lines[-1] if lines else "the process failed"}


def _stat(runs: list[dict], key: str) -> tuple | None:
    vals = [r[key] for r in runs if key in r]
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)


def _fmt_range(s: tuple | None, fmt: Any, err: str | None) -> str:
    if err:
        return f"fails: {err}"
    if s is None:
        return "-"
    med, lo, hi = s
    if lo == hi:
        return fmt(med)
    return f"{fmt(med)} ({fmt(lo)}-{fmt(hi)})"


def _fmt_mb(x: float) -> str:
    return f"{x:.0f} MB" if abs(x) >= 10 else f"{x:.1f} MB"


def _ratio(a: tuple | None, b: tuple | None) -> str:
    if a is None or b is None or b[0] <= 0:
        return "-"
    return f"{a[0] / b[0]:.2f}x"


def _load() -> str:
    try:
        l1, l5, l15 = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{l1:.2f} / {l5:.2f} / {l15:.2f} (1/5/15 min)"


def _parse(argv: list[str]) -> tuple[list[str], dict]:
    opts = {"quick": False, "check": True, "profile": False, "repeats": REPEATS}
    names: list[str] = []
    for a in argv:
        if a == "--quick":
            opts["quick"] = True
        elif a == "--no-check":
            opts["check"] = False
        elif a == "--profile":
            opts["profile"] = True
        elif a.startswith("--repeats="):
            n = int(a.split("=", 1)[1])
            opts["repeats"] = {"one": n, "default": n}
        elif a in MODELS:
            names.append(a)
        # anything else is a benchmark name for benchmarks/__main__.py ("models", "conv")
    if not names and os.environ.get("BENCH_MODELS"):
        names = [n.strip() for n in os.environ["BENCH_MODELS"].split(",") if n.strip()]
        bad = [n for n in names if n not in MODELS]
        if bad:
            raise SystemExit(f"BENCH_MODELS: unknown model(s) {bad}; the zoo has {MODELS}")
    return names or list(MODELS), opts


def run_profiles(names: list[str], quick: bool = False) -> None:
    from benchmarks import zoo
    for model in names:
        # enough steps that a few-millisecond step is not lost in the noise
        warmup, steps = (1, 1) if quick else (2, max(3, zoo.model(model).STEPS[1] // 3))
        r = run_isolated("benchmarks.bench_models", "profile", env=ONE_THREAD, model=model,
                         warmup=warmup, steps=steps)
        print(f"\n### profile of {model} (autograd-core, one thread, {steps} steps after "
              f"{warmup} warm-up)\n")
        print(f"fails: {r['error']}" if "error" in r else r["text"], flush=True)


def main(argv: list[str] | None = None) -> None:
    names, opts = _parse(sys.argv[1:] if argv is None else argv)
    if opts["profile"]:
        run_profiles(names, opts["quick"])
        return
    libs = LIBS if has_module("torch") else ("ours",)
    repeats = {"one": 1, "default": 1} if opts["quick"] else opts["repeats"]
    t_start = time.perf_counter()
    load_start = _load()
    print(f"\nhost: {os.cpu_count()} CPUs, {cpu()}; load at the start {load_start}; "
          f"{repeats['one']} process(es) per library on one thread, {repeats['default']} with the "
          "default threads, alternating libraries", flush=True)

    from benchmarks import zoo
    results: dict = {}
    for model in names:
        warmup, steps = _plan(model, opts["quick"])
        res: dict = {(lib, mode): [] for lib in libs for mode in ("one", "default")}
        for mode in ("one", "default"):
            for _ in range(repeats[mode]):
                for lib in libs:
                    if any("error" in r for r in res[(lib, mode)]):
                        continue
                    res[(lib, mode)].append(_run(lib, model, mode == "one", warmup, steps,
                                                opts["quick"]))
        chk = None
        if opts["check"] and "torch" in libs:
            try:
                chk = run_isolated("benchmarks.bench_models", "check", env=ONE_THREAD,
                                   model=model)
            except RuntimeError as e:
                chk = {"error": str(e).strip().splitlines()[-1]}
        results[model] = (res, chk, warmup, steps)
        ours1 = _stat(res[("ours", "one")], "cpu")
        print(f"  {model}: {warmup}+{steps} steps at most; ours one thread "
              f"{fmt_time(ours1[0]) if ours1 else 'fails'} per step "
              f"({time.perf_counter() - t_start:.0f} s so far)", flush=True)

    def err(runs: list[dict]) -> str | None:
        for r in runs:
            if "error" in r:
                return r["error"]
        return None

    def table(title: str, mode: str, key: str, fmt: Any) -> None:
        rows = []
        for model in names:
            res, _, warmup, steps = results[model]
            o, t = res[("ours", mode)], res.get(("torch", mode), [])
            so, st = _stat(o, key), _stat(t, key)
            counts = sorted({r["steps"] for r in o + t if "steps" in r})
            timed = (f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
                     if counts else "-")
            rows.append([f"{model}: {zoo.model(model).TITLE}", f"{warmup}+{timed}",
                         _fmt_range(so, fmt, err(o)),
                         _fmt_range(st, fmt, err(t)) if "torch" in libs else "-",
                         _ratio(so, st)])
        print_table(title, ["model", "warm-up+timed steps", LIB_TITLE["ours"], LIB_TITLE["torch"],
                            "ours / PyTorch"], rows)

    table("CPU time per training step, one thread (median of processes, min-max)",
          "one", "cpu", fmt_time)
    table("wall-clock time per training step, default threads (median of processes, min-max)",
          "default", "wall", fmt_time)
    table("peak memory of the training steps: peak RSS minus RSS before building the model "
          "(one-thread processes)", "one", "peak_mb", _fmt_mb)

    if opts["check"] and "torch" in libs:
        rows = []
        for model in names:
            chk = results[model][1]
            if chk is None or "error" in chk:
                rows.append([model, "-", "-", "-", "-",
                             f"fails: {chk['error'] if chk else '?'}"])
                continue
            rows.append([model, chk["dtype"],
                         " / ".join(f"{v:.10g}" for v in chk["torch"][0]),
                         " / ".join(f"{v:.10g}" for v in chk["ours"][0]),
                         ", ".join(f"{r:.1e}" for r in chk["rel"]),
                         ("yes" if chk["match"] else "NO")
                         + (f" (float64 failed: {chk['errors'][0]})" if chk.get("errors") else "")])
        print_table("first steps' loss from PyTorch's initial weights (dropout off; relative "
                    f"tolerance {CHECK_RTOL['float64']:g} in float64, "
                    f"{CHECK_RTOL['float32']:g} in float32)",
                    ["model", "dtype", "PyTorch step-1 loss", "ours step-1 loss",
                     "rel. difference, steps 1, 2", "match"], rows)

    print(f"\nhost: {os.cpu_count()} CPUs, {cpu()}; load at the start {load_start}, at the end {_load()}; "
          f"the run took {time.perf_counter() - t_start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
