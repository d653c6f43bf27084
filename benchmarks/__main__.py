"""Run every benchmark module (`bench_*.py`), or those named on the command line.

    python -m benchmarks            # all
    python -m benchmarks conv value # only bench_conv and bench_value
"""
import importlib
import os
import pkgutil
import sys

import benchmarks


def main(argv: list[str]) -> None:
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if n[len("bench_"):] in argv or n in argv]
    from benchmarks.harness import cpu
    load = f"; load {os.getloadavg()[0]:.2f} (1 min)" if hasattr(os, "getloadavg") else ""
    print(f"host: {os.cpu_count()} CPUs, {cpu()}{load}", flush=True)
    for name in names:
        print(f"\n## {name}", flush=True)
        importlib.import_module(f"benchmarks.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
