"""The memory tuning done at import: freed array memory stays in the process, so a
training step does not page-fault through memory it freed in the previous step, and
NumPy does not ask for transparent huge pages."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import REPO


# A training step in miniature: a dozen 1 MB arrays and one of 80 MB (a language
# model's logits) allocated, touched, all freed.
STEP = """
import json, resource, numpy as np
import autograd_core
multiarray = (getattr(np, "_core", None) or np.core).multiarray   # NumPy 2, or 1
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def step():
    xs = [np.ones(1 << 18, np.float32) for _ in range(12)] + [np.ones(20 << 20, np.float32)]
    del xs
for _ in range(3):
    step()
f0 = faults()
for _ in range(20):
    step()
print(json.dumps(dict(autograd_core.allocator.report(), faults=(faults() - f0) / 20,
                      numpy_huge_pages=multiarray._get_madvise_hugepage())))
"""


def run(env: dict) -> dict:
    full = {k: v for k, v in os.environ.items()
            if not (k.startswith("MALLOC_") or k in ("AUTOGRAD_CORE_MALLOC", "GLIBC_TUNABLES",
                                                     "NUMPY_MADVISE_HUGEPAGE"))}
    full.update(env, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", STEP], env=full, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


GLIBC = (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc") \
    if hasattr(os, "confstr") else False


def test_default_keeps_freed_memory_and_stops_page_faults():
    # huge pages off in both, so that faults count 4 KB pages
    keep = run({})
    off = run({"AUTOGRAD_CORE_MALLOC": "off", "NUMPY_MADVISE_HUGEPAGE": "0"})
    assert off["policy"] == "off" and not off["applied"] and off["reason"] == "policy off"
    if GLIBC:
        assert keep["applied"] and "mmap threshold 256 MiB" in keep["reason"]
        # 92 MB freed per step: glibc's defaults give it back and fault it in again
        # (about 23,000 faults per step here); kept, the next step reuses it.
        assert off["faults"] > 10000
        assert keep["faults"] < off["faults"] / 100
    else:
        assert not keep["applied"] and keep["reason"] == "the C library is not glibc"


def test_numpy_is_told_not_to_ask_for_huge_pages_unless_the_user_chose():
    default = run({})
    assert default["huge_pages"] == "off" and default["numpy_huge_pages"] is False
    chosen = run({"NUMPY_MADVISE_HUGEPAGE": "1"})
    assert chosen["huge_pages"] == "numpy's choice" and chosen["numpy_huge_pages"] is True
    off = run({"AUTOGRAD_CORE_MALLOC": "off", "NUMPY_MADVISE_HUGEPAGE": "1"})
    assert off["huge_pages"] == "numpy's choice" and off["numpy_huge_pages"] is True


def test_user_malloc_settings_are_left_alone():
    r = run({"MALLOC_TOP_PAD_": "1048576"})
    assert not r["applied"]
    assert r["reason"] == ("malloc already tuned by the environment" if GLIBC
                           else "the C library is not glibc")


def test_unknown_policy_is_a_clear_error():
    from autograd_core import allocator
    with pytest.raises(ValueError, match="AUTOGRAD_CORE_MALLOC must be one of"):
        allocator.configure("sometimes")
