"""Every public docstring example in nn runs and prints what it shows."""
from __future__ import annotations

import pkgutil

import pytest

from autograd_core import nn
from tests.helpers import doctest_module

# every module of the package, subpackages (nn.functional, nn.modules, nn.utils) included
MODULES = sorted([nn.__name__] + [m.name for m in pkgutil.walk_packages(nn.__path__,
                                                                        nn.__name__ + ".")])


def test_every_module_is_collected():
    assert {f"autograd_core.nn.{m}" for m in (
        "functional", "functional.loss", "modules", "modules.conv", "modules.module",
        "utils.clip_grad", "models")} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    doctest_module(name)


def test_every_public_class_and_function_has_an_example():
    missing = []
    for name in nn.__all__:
        obj = getattr(nn, name)
        if isinstance(obj, type) and ">>>" not in (obj.__doc__ or ""):
            missing.append(name)
    import autograd_core.nn.functional as F
    for name in F.__all__:
        if ">>>" not in (getattr(F, name).__doc__ or ""):
            missing.append(f"functional.{name}")
    assert missing == []
