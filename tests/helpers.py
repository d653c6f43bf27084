"""Helpers shared by the test files: the one place they are defined (import them from here,
``from tests.helpers import ...``, rather than writing them again in a test file).

- ``REPO``: the repository's root folder (for subprocesses' ``PYTHONPATH`` and files on disk).
- PyTorch as a reference: ``torch_or_skip`` (the ``torch`` fixture of conftest.py calls it).
- float64 inputs: ``arr``/``leaf`` (seeded per call), ``Draw`` (one generator per test file:
  ``arr``, ``t64`` and the PyTorch comparison ``parity``), ``assert_matches_torch``,
  ``load_from_torch``.
- ``doctest_module`` and ``missing_hints`` (docstring and type-hint checks), ``peak_bytes`` (memory bounds),
  ``f_graph`` (the Value graph f = (x + y) * z), ``interrupt_evaluate_on_call`` (Ctrl-C and
  crashes inside ``autograd-core train``).
"""
from __future__ import annotations

import doctest
import importlib
import inspect
import os
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import autograd_core as ag

REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------- PyTorch as a reference
def torch_or_skip():
    """PyTorch, imported; without it the test is skipped on a developer's machine, but under
    CI (``CI=true``) a missing torch is an error, so CI can never pass by skipping."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI"):
            raise RuntimeError("CI runs the PyTorch parity tests: install torch==2.13.0 "
                               "(make test does, from the local wheel)")
        pytest.skip("torch is not installed (make test installs the local CPU wheel)")
    return torch


# ------------------------------------------------------------------ float64 inputs
def arr(shape, seed=0, low=-2.0, high=2.0):
    """Uniform float64 array of ``shape`` from its own seeded generator."""
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def leaf(a):
    """A float64 leaf requiring grad holding a copy of ``a``."""
    return ag.tensor(np.array(a, dtype=np.float64), requires_grad=True)


def assert_matches_torch(torch, fn, arrays) -> None:
    """``fn(module, *tensors)`` run on our float64 leaves and on PyTorch's: same shape,
    float64 values and input gradients (for one random output gradient) to 1e-10."""
    ours = [leaf(a) for a in arrays]
    theirs = [torch.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out, tout = fn(ag, *ours), fn(torch, *theirs)
    assert out.shape == tuple(tout.shape) and out.dtype == np.float64
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(7).standard_normal(out.shape)
    out.backward(ag.tensor(g))
    tout.backward(torch.tensor(g))
    for a, ta in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)


class Draw:
    """Standard-normal float64 draws from one generator, made once per test file
    (``draw = Draw(seed)``; ``rng, arr, t64, parity = draw.rng, draw.arr, draw.t64,
    draw.parity``)."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def arr(self, *shape, scale=1.0, lo=None):
        """An array of ``shape``, times ``scale``; with ``lo``, ``|a| + lo`` (positive)."""
        a = self.rng.standard_normal(shape) * scale
        return a if lo is None else np.abs(a) + lo

    def t64(self, *shape, requires_grad=True, scale=1.0, lo=None):
        """``arr(*shape, ...)`` as a float64 tensor (a leaf requiring grad by default)."""
        return ag.tensor(self.arr(*shape, scale=scale, lo=lo), dtype=ag.float64,
                         requires_grad=requires_grad)

    def parity(self, torch, ours, theirs, *arrays, consts=(), atol=1e-10, grad_rtol=1e-9,
               grad=True):
        """``ours(*tensors, *consts)`` and ``theirs(...)`` on float64 copies of ``arrays``:
        the same shape, values (to ``atol``, rtol 1e-9) and, with ``grad``, input gradients
        for a random upstream gradient (to ``atol``, ``grad_rtol``). ``consts`` are extra
        arguments without gradient. A tuple output is (values, indices): the indices must
        be equal. Returns our output."""
        xs = [ag.tensor(np.asarray(a, dtype=np.float64), dtype=ag.float64, requires_grad=grad)
              for a in arrays]
        ts = [torch.tensor(a, dtype=torch.float64, requires_grad=grad) for a in arrays]
        oc = [ag.tensor(c) for c in consts]
        tc = [torch.tensor(c) for c in consts]
        y, yt = ours(*xs, *oc), theirs(*ts, *tc)
        if isinstance(yt, tuple):
            np.testing.assert_array_equal(y[1].numpy(), yt[1].numpy())
            y, yt = y[0], yt[0]
        assert tuple(y.shape) == tuple(yt.shape)
        np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), atol=atol, rtol=1e-9)
        if grad:
            g = self.rng.standard_normal(tuple(yt.shape))
            y.backward(ag.tensor(g, dtype=ag.float64))
            yt.backward(torch.tensor(g))
            for x, t in zip(xs, ts):
                np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=atol,
                                           rtol=grad_rtol)
        return y


def load_from_torch(ours, theirs) -> None:
    """Load a PyTorch module's state_dict (same keys) into ours."""
    sd = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    assert sorted(ours.state_dict()) == sorted(sd)
    ours.load_state_dict(sd)


# ------------------------------------------------------------------------- the rest
def doctest_module(name: str):
    """Run the docstring examples of module ``name`` (seed 0; ELLIPSIS and
    NORMALIZE_WHITESPACE); fail on any failure, return the results."""
    ag.manual_seed(0)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.failed == 0, f"{result.failed} doctest failure(s) in {name}"
    return result


def missing_hints(qualname: str, fn) -> list[str]:
    """The parameters and return of ``fn`` that have no type hint."""
    sig = inspect.signature(fn)
    missing = [f"{qualname}({p})" for p in sig.parameters.values()
               if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty]
    if sig.return_annotation is inspect.Signature.empty and fn.__name__ != "__init__":
        missing.append(f"{qualname} -> ?")
    return missing


def peak_bytes(fn) -> int:
    """``fn()``'s peak of traced allocations (NumPy reports its buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def f_graph():
    """f = (x + y) * z at x=1, y=-3, z=4: f=-8, df/dx = df/dy = z = 4, df/dz = x + y = -2."""
    x, y, z = ag.Value(1.0, label="x"), ag.Value(-3.0, label="y"), ag.Value(4.0, label="z")
    f = (x + y) * z
    f.label = "f"
    return x, y, z, f


def interrupt_evaluate_on_call(monkeypatch, n: int, exc=KeyboardInterrupt) -> None:
    """Make the n-th call of ``autograd_cli.fitting.evaluate`` (validation each epoch, then
    the test) raise ``exc``, as a Ctrl-C (or a crash) there would."""
    from autograd_cli import fitting

    real = fitting.evaluate
    calls = {"n": 0}

    def evaluate(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise exc
        return real(*args, **kwargs)

    monkeypatch.setattr(fitting, "evaluate", evaluate)
