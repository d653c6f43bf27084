"""Every docstring example in autograd_core and optim runs and prints what it shows
(nn's are run by test_nn_docs.py, with a check that each public name has one)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import autograd_core as ag
import optim

MODULES = sorted(
    m.name for pkg in (ag, optim)
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")
    if not m.name.endswith("__main__"))


def test_modules_found():
    assert {"autograd_core.autograd.engine", "autograd_core.kernels.microkernel", "optim.sgd"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    ag.manual_seed(0)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.failed == 0, f"{result.failed} doctest failure(s) in {name}"
