"""Every docstring example in autograd_cli runs and prints what it shows, and every public
function and class of it (its modules' ``__all__``) has type hints and an example."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import autograd_cli
from tests.helpers import doctest_module, missing_hints

MODULES = sorted(["autograd_cli"] + [
    m.name for m in pkgutil.walk_packages(autograd_cli.__path__, "autograd_cli.")
    if not m.name.endswith("__main__")])  # importing __main__ runs the command


def test_modules_found():
    assert {"autograd_cli.cli", "autograd_cli.expression", "autograd_cli.training",
            "autograd_cli.checkpoints"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that writes a default runs/ folder writes here
    result = doctest_module(name)
    assert result.attempted > 0, f"{name} has no example"


def _public(name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(name)
    return [(f"{name}.{attr}", getattr(module, attr)) for attr in module.__all__
            if getattr(getattr(module, attr), "__module__", None) == name]


@pytest.mark.parametrize("name", [m for m in MODULES if m != "autograd_cli"])
def test_public_functions_and_classes_have_hints_and_examples(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} does not say what it exports (__all__)"
    no_example, no_hints = [], []
    for qualname, obj in _public(name):
        if inspect.isfunction(obj):
            no_hints += missing_hints(qualname, obj)
        elif isinstance(obj, type):
            for attr, member in vars(obj).items():
                if inspect.isfunction(member) and (not attr.startswith("_") or attr == "__init__"):
                    no_hints += missing_hints(f"{qualname}.{attr}", member)
                    if not attr.startswith("_") and member.__doc__ and ">>>" not in member.__doc__:
                        no_example.append(f"{qualname}.{attr}")
        else:
            continue  # constants
        if ">>>" not in (obj.__doc__ or ""):
            no_example.append(qualname)
    assert no_example == [] and no_hints == []
