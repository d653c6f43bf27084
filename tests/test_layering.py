"""The layers import downwards only: the application (autograd_cli) sits on nn and optim,
which sit on autograd_core. Read from the source with ``ast``: every import statement of
every module, at the top or inside a function, relative ones resolved. (Imports through
``importlib`` and strings are out of scope.)"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ("autograd_core", "nn", "optim")


def module_name(path: Path) -> str:
    """The module's import name: the repository's nn/ and optim/ folders are the packages
    autograd_core.nn and autograd_core.optim."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    if parts[0] in ("nn", "optim"):
        parts.insert(0, "autograd_core")
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module name an import statement in ``source`` (the text of ``module``) names:
    ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a`` and ``a.b`` (``b`` may be
    a submodule); relative imports are resolved against ``module``'s package."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                base = base + (node.module.split(".") if node.module else [])
            else:
                base = node.module.split(".")
            name = ".".join(base)
            if name:
                found.add(name)
            found.update(f"{name}.{alias.name}" if name else alias.name for alias in node.names)
    return found


def modules_of(package: str) -> list[tuple[str, Path]]:
    return sorted((module_name(p), p) for p in (ROOT / package).rglob("*.py"))


def imports_of(name: str, path: Path) -> set[str]:
    return imported_modules(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")


def within(found: set[str], top: str) -> list[str]:
    return sorted(m for m in found if m == top or m.startswith(top + "."))


LIBRARY_MODULES = [m for package in LIBRARY for m in modules_of(package)]


def test_the_library_modules_are_all_found():
    names = {name for name, _ in LIBRARY_MODULES}
    assert {"autograd_core", "autograd_core.serialization", "autograd_core.kernels.conv",
            "autograd_core.nn", "autograd_core.nn.utils.rnn", "autograd_core.optim.adam"} <= names
    assert len(names) > 80


@pytest.mark.parametrize("name,path", LIBRARY_MODULES, ids=[m for m, _ in LIBRARY_MODULES])
def test_no_library_module_imports_the_application(name, path):
    assert within(imports_of(name, path), "autograd_cli") == []


def test_the_core_imports_neither_nn_nor_optim():
    upward = {name: [m for top in ("nn", "optim", "autograd_core.nn", "autograd_core.optim")
                     for m in within(imports_of(name, path), top)]
              for name, path in modules_of("autograd_core")}
    assert {name: found for name, found in upward.items() if found} == {}


@pytest.mark.parametrize("source,module,expected", [
    ("import autograd_cli", "nn.linear", ["autograd_cli"]),
    ("import os, autograd_cli.training as t", "optim.sgd", ["autograd_cli.training"]),
    ("from autograd_cli.cli import main", "autograd_core.tensor",
     ["autograd_cli.cli", "autograd_cli.cli.main"]),
    ("def f():\n    from autograd_cli import fitting\n", "nn.module",
     ["autograd_cli", "autograd_cli.fitting"]),
    ("from .. import autograd_cli", "autograd_core.viz", ["autograd_cli"]),
    ("from . import functional\nfrom .fused import loss", "nn.loss", []),
])
def test_the_check_sees_every_kind_of_import(source, module, expected):
    assert within(imported_modules(source, module), "autograd_cli") == expected


def test_relative_imports_are_resolved():
    assert imported_modules("from . import init", "nn.linear") >= {"nn", "nn.init"}
    assert imported_modules("from ..kernels import conv", "autograd_core.ops.conv") >= {
        "autograd_core.kernels", "autograd_core.kernels.conv"}
    assert "nn.fused.loss" in imported_modules("from .fused import loss", "nn", is_package=True)


# ------------------------------------------------------------ the layers of the core
# Each layer of autograd_core imports only the layers below it (and itself). Imports under
# ``if TYPE_CHECKING:`` are for annotations only and do not count.
CORE_LAYERS = [
    ("autograd_core.kernels", "autograd_core.random", "autograd_core.device"),
    ("autograd_core.autograd",),
    ("autograd_core.ops",),
    ("autograd_core.tensor",),
]


def runtime_imports(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # drop the bodies of `if TYPE_CHECKING:` blocks
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = [ast.Pass()]
    return imported_modules(ast.unparse(tree), name, path.name == "__init__.py")


def _layer_of(module: str) -> int | None:
    for i, prefixes in enumerate(CORE_LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    return None


CORE_MODULES = [(n, p) for n, p in modules_of("autograd_core") if _layer_of(n) is not None]


@pytest.mark.parametrize("name,path", CORE_MODULES, ids=[m for m, _ in CORE_MODULES])
def test_each_layer_of_the_core_imports_only_the_layers_below(name, path):
    own = _layer_of(name)
    upward = sorted(m for m in runtime_imports(name, path)
                    if m.startswith("autograd_core") and m != "autograd_core"
                    and (_layer_of(m) is None or _layer_of(m) > own))
    assert upward == []


def test_kernels_know_nothing_of_graphs():
    for name, path in modules_of("autograd_core/kernels"):
        found = {m for m in runtime_imports(name, path) if m.startswith("autograd_core")}
        assert all(m.startswith("autograd_core.kernels") for m in found), (name, found)


NN_MODULES = modules_of("nn")
# what nn may not take from the core: its internal constructors and grad-mode state
CORE_INTERNALS = {"make", "init_leaf", "STATE", "bind_tensor"}
# the slots of a Tensor and of a graph node, never read outside the core
TENSOR_SLOTS = {"_data", "_ctx", "_requires_grad", "_grad", "_hooks", "_retains_grad", "_vc",
                "_view"}


@pytest.mark.parametrize("name,path", NN_MODULES, ids=[m for m, _ in NN_MODULES])
def test_nn_imports_itself_only_relatively(name, path):
    # nn is the package autograd_core.nn: it must not name its own package
    absolute = imports_of(name, path) - _relative_imports(path, name)
    assert within(absolute, "nn") + within(absolute, "autograd_core.nn") == []


def _relative_imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    relative = "\n".join(ast.unparse(n) for n in ast.walk(tree)
                         if isinstance(n, ast.ImportFrom) and n.level)
    return imported_modules(relative, module, path.name == "__init__.py")


@pytest.mark.parametrize("name,path", NN_MODULES, ids=[m for m, _ in NN_MODULES])
def test_nn_uses_only_the_public_api_of_the_core(name, path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    taken = [alias.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level
             and n.module.split(".")[0] == "autograd_core" for alias in n.names]
    assert [t for t in taken if t.startswith("_") or t in CORE_INTERNALS] == []
    read = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert read & TENSOR_SLOTS == set()
