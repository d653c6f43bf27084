"""Every docstring example in autograd_core and optim runs and prints what it shows
(nn's are run by test_nn_docs.py, with a check that each public name has one)."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import autograd_core as ag
from autograd_core import optim
from tests.helpers import doctest_module, missing_hints

MODULES = sorted([ag.__name__, optim.__name__] + [
    m.name for pkg in (ag, optim)
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")
    if not m.name.endswith("__main__")])


def test_modules_found():
    assert {"autograd_core.autograd.engine", "autograd_core.kernels.microkernel",
            "autograd_core.optim.sgd",
            "autograd_core.optim.lr_scheduler", "autograd_core.optim.lr_scheduler.cyclic"
            } <= set(MODULES)


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
    doctest_module(name)


@pytest.mark.parametrize("name", [m for m in MODULES if m.split(".")[0] == "optim"])
def test_optim_public_classes_and_functions_have_hints_and_examples(name):
    """Each optim module says what it exports (``__all__``); each exported class and function
    defined there has an example, and type hints on it and on its public methods."""
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} does not say what it exports (__all__)"
    no_example, no_hints = [], []
    for attr in module.__all__:
        obj = getattr(module, attr)
        if getattr(obj, "__module__", None) != name:
            continue  # re-exported: checked where it is defined
        qualname = f"{name}.{attr}"
        if inspect.isfunction(obj):
            no_hints += missing_hints(qualname, obj)
        elif isinstance(obj, type):
            no_hints += [hint for method, member in vars(obj).items()
                         if inspect.isfunction(member)
                         and (not method.startswith("_") or method == "__init__")
                         for hint in missing_hints(f"{qualname}.{method}", member)]
        else:
            continue  # constants
        if ">>>" not in (obj.__doc__ or ""):
            no_example.append(qualname)
    assert no_example == [] and no_hints == []
