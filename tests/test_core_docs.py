"""Every docstring example in autograd_core and optim runs and prints what it shows
(nn's are run by test_nn_docs.py, with a check that each public name has one)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import autograd_core as ag
import optim

MODULES = sorted([ag.__name__, optim.__name__] + [
    m.name for pkg in (ag, optim)
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")
    if not m.name.endswith("__main__")])


def test_modules_found():
    assert {"autograd_core.autograd.engine", "autograd_core.kernels.microkernel", "optim.sgd",
            "optim.lr_scheduler", "optim.lr_scheduler.cyclic"} <= set(MODULES)


@pytest.mark.parametrize("pkg", [ag, optim], ids=lambda pkg: pkg.__name__)
def test_every_module_on_disk_is_collected(pkg):
    """Subpackages' modules too (optim.lr_scheduler.*): a module the walk misses is untested."""
    root = Path(pkg.__file__).parent
    on_disk = {".".join((pkg.__name__, *p.relative_to(root).with_suffix("").parts))
               .removesuffix(".__init__") for p in root.rglob("*.py")
               if p.name != "__main__.py"}
    assert on_disk - set(MODULES) == set()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    ag.manual_seed(0)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.failed == 0, f"{result.failed} doctest failure(s) in {name}"
