"""Run an unmodified PyTorch script on autograd-core: ``python -m autograd_core.run
script.py [args...]`` (the CLI's ``autograd-core run`` does the same).

For that process only, ``import torch`` gives ``autograd_core`` and ``import torch.X.Y``
gives ``autograd_core.X.Y`` (``torch.nn.functional``, ``torch.optim.lr_scheduler``,
``torch.utils.data``, ...): the same module objects, so ``torch.Tensor`` is
``autograd_core.Tensor``. A ``torch`` module or attribute this library does not have
stops the script with one line naming it (and what to use instead, where there is
something), not a traceback from deep inside.

>>> import autograd_core.run as run
>>> with run.torch_names():
...     import torch
...     import torch.nn.functional as F
>>> torch.__name__, F.relu(torch.tensor([-1.0, 2.0])).tolist()
('autograd_core', [0.0, 2.0])
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import runpy
import sys
from types import ModuleType
from typing import Any, Iterator, Sequence

# torch modules with no counterpart here, and what to use instead
INSTEAD = {
    "torch.fx": None,
    "torch.quantization": None,
    "torch.ao": None,
    "torch.export": None,
    "torch.hub": "load weights from a local file with torch.load",
}


class MissingFeature(ImportError):
    """A module of PyTorch this library does not have: stops ``run`` with one line."""


def _message(name: str) -> str:
    instead = INSTEAD.get(name)
    return f"{name} is not available in autograd-core" + (f"; instead: {instead}" if instead else "")


def _missing(name: str) -> MissingFeature:
    return MissingFeature(_message(name), name=name)


def _torch_name(e: AttributeError) -> str | None:
    """``torch.X.name`` when ``e`` is a missing attribute of one of this library's modules
    (how a script asks for a part of PyTorch that is not here), else None."""
    obj, name = getattr(e, "obj", None), getattr(e, "name", None)
    module = getattr(obj, "__name__", "") if isinstance(obj, ModuleType) else ""
    if not name or not (module == "autograd_core" or module.startswith("autograd_core.")):
        return None
    return "torch" + module[len("autograd_core"):] + "." + name


def _torch_import_name(e: ImportError) -> str | None:
    """``torch.X.name`` when ``e`` is ``from torch.X import name`` failing because one of
    this library's modules has no ``name``, else None."""
    module = e.name or ""
    if not (module == "autograd_core" or module.startswith("autograd_core.")):
        return None
    name = getattr(e, "name_from", None)  # Python 3.12+
    if name is None:
        found = re.match(r"cannot import name '([^']+)'", str(e))
        if found is None:
            return None
        name = found.group(1)
    return "torch" + module[len("autograd_core"):] + "." + name


class _Alias(importlib.abc.Loader):
    """Loads ``torch.X`` as the already imported module ``autograd_core.X``."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        pass


class TorchFinder(importlib.abc.MetaPathFinder):
    """Resolves ``torch`` and ``torch.*`` to this library's modules of the same path."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        ours = "autograd_core" + fullname[len("torch"):]
        if fullname in INSTEAD:
            raise _missing(fullname)
        try:
            module = importlib.import_module(ours)
        except ModuleNotFoundError as e:
            if e.name is not None and (e.name == ours or ours.startswith(e.name + ".")):
                raise _missing(fullname) from None
            raise
        return importlib.util.spec_from_loader(fullname, _Alias(module), is_package=hasattr(
            module, "__path__"))


@contextlib.contextmanager
def torch_names() -> Iterator[None]:
    """Inside the block, ``import torch...`` imports this library (and the aliases stay
    in ``sys.modules`` only for the block)."""
    finder = TorchFinder()
    before = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    for k in before:  # a real PyTorch imported earlier must not answer inside the block
        del sys.modules[k]
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for k in [k for k in sys.modules if k == "torch" or k.startswith("torch.")]:
            del sys.modules[k]
        sys.modules.update(before)


def _spawned_children_too() -> None:
    """Processes the script starts with multiprocessing's ``spawn`` (a Hogwild trainer's
    ``mp.set_start_method('spawn')``) run a fresh interpreter that imports the script
    again: their command line installs the same ``torch`` names first. (Forked children
    inherit them.)"""
    import multiprocessing.spawn as spawn
    original = spawn.get_command_line
    if getattr(original, "_torch_names", False):
        return

    def get_command_line(**kwds: Any) -> list:
        cmd = list(original(**kwds))
        if "-c" in cmd:
            i = cmd.index("-c") + 1
            cmd[i] = ("import sys, autograd_core.run as _run; "
                      "sys.meta_path.insert(0, _run.TorchFinder()); " + cmd[i])
        return cmd

    get_command_line._torch_names = True  # type: ignore[attr-defined]
    spawn.get_command_line = get_command_line


def run(script: str, args: Sequence[str] = ()) -> int:
    """Run ``script`` as ``__main__`` with ``sys.argv = [script, *args]`` and ``torch``
    resolved to this library; returns the exit status (2 for a missing PyTorch feature,
    reported in one line on stderr)."""
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    sys.meta_path.insert(0, TorchFinder())
    _spawned_children_too()
    try:
        runpy.run_path(script, run_name="__main__")
    except MissingFeature as e:
        print(f"autograd-core run: {script}: {e}", file=sys.stderr)
        return 2
    except (ImportError, AttributeError) as e:
        # a part of PyTorch this library lacks, asked for by an import or an attribute
        name = _torch_import_name(e) if isinstance(e, ImportError) else _torch_name(e)
        if name is None:
            raise
        print(f"autograd-core run: {script}: {_message(name)}", file=sys.stderr)
        return 2
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m autograd_core.run script.py [args...]\n\n"
              "Run an unmodified PyTorch script with `import torch` resolved to autograd-core.")
        return 0 if argv else 2
    return run(argv[0], argv[1:])


if __name__ == "__main__":
    sys.exit(main())
