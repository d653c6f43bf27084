"""Shared timing helpers for the benchmarks.

Each library is measured in its own Python process: OpenBLAS, Numba and PyTorch
each keep a thread pool, and pools from different libraries fight for the two
cores when they live in one process. ``run_isolated`` starts a fresh interpreter,
calls one function there and returns the dict it produced.
"""
from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Iterable, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu() -> str:
    """The host's processor and vector width, e.g. ``"AMD EPYC, AVX2 (no AVX-512)"``: the
    kernels' tiles differ by vector width, and so do the ratios to PyTorch."""
    name, flags = "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and name == "unknown CPU":
                    name = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        import platform
        name = platform.processor() or name
    width = ("AVX-512" if "avx512f" in flags else
             "AVX2 (no AVX-512)" if "avx2" in flags else "no AVX2" if flags else "")
    return f"{name}, {width}" if width else name


def has_module(name: str) -> bool:
    """True when ``name`` can be imported in this environment."""
    return importlib.util.find_spec(name) is not None


def run_isolated(module: str, func: str, env: dict[str, str] | None = None, **kwargs: Any) -> dict:
    """Run ``module.func(**kwargs)`` in a fresh interpreter and return its JSON result."""
    code = (
        "import json, sys\n"
        f"from {module} import {func} as f\n"
        "res = f(**json.loads(sys.argv[1]))\n"
        "print('@@RESULT@@' + json.dumps(res))\n"
    )
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    if env:
        full_env.update(env)
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(kwargs)],
        capture_output=True, text=True, cwd=ROOT, env=full_env,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("@@RESULT@@"):
            return json.loads(line[len("@@RESULT@@"):])
    raise RuntimeError(f"benchmark {module}.{func} failed:\n{proc.stdout}\n{proc.stderr}")


def time_fn(fn: Callable[[], Any], *, warmup: int = 3, repeat: int = 7, number: int | None = None,
            min_time: float = 0.05) -> float:
    """Median seconds per call of ``fn``.

    ``number`` calls are timed together ``repeat`` times; when ``number`` is None it is
    chosen so that one timing lasts at least ``min_time`` seconds.
    """
    for _ in range(warmup):
        fn()
    if number is None:
        number = 1
        while True:
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            if time.perf_counter() - t0 >= min_time or number >= 1 << 20:
                break
            number *= 2
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def print_table(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a Markdown table, ready to paste into the README."""
    rows = [[str(c) for c in r] for r in rows]
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    sys.stdout.flush()


def ratio(ours: float | None, base: float | None) -> str:
    if ours is None or base is None or base == 0:
        return "-"
    return f"{ours / base:.2f}x"
