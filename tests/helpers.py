"""Helpers shared by the test files: the one place they are defined (import them from here,
``from tests.helpers import ...``, rather than writing them again in a test file).

- ``REPO``: the repository's root folder (for subprocesses' ``PYTHONPATH`` and files on disk).
- PyTorch as a reference: ``torch_or_skip`` (the ``torch`` fixture of conftest.py calls it).
- float64 inputs: ``arr``/``leaf`` (seeded per call), ``Draw`` (one generator per test file:
  ``arr``, ``t64`` and the PyTorch comparison ``parity``), ``assert_matches_torch``,
  ``load_from_torch``, ``load_same_layout`` and ``step_like_torch`` (a module against
  PyTorch's).
- optimizers against PyTorch: ``optimizer_problem``, ``run_optimizer`` (ours or
  PyTorch's, step by step), ``check_torch_state_continues`` (a PyTorch optimizer's state
  loads into ours and both continue alike).
- PyTorch's errors: ``raises_like`` (the same exception type and message as PyTorch's).
- graph renderers as the library finds them: ``RENDERERS``, ``use_renderer`` (Graphviz's
  ``dot``, or the ``graphviz-pure`` fallback with ``dot`` hidden), ``renderer_or_skip``.
- ``doctest_module`` and ``missing_hints`` (docstring and type-hint checks), ``peak_bytes`` (memory bounds),
  ``f_graph`` (the Value graph f = (x + y) * z), ``interrupt_evaluate_on_call`` (Ctrl-C and
  crashes inside ``autograd-core train``).
"""
from __future__ import annotations

import doctest
import importlib
import inspect
import io
import os
import re
import shutil
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


# ------------------------------------------------------------------ graph renderers
RENDERERS = ("dot", "graphviz-pure")
NO_PATH = "/nonexistent-autograd-core-test-path"   # a PATH on which nothing is found


def use_renderer(monkeypatch, which: str) -> str:
    """Make the library render with ``which`` and return the program's path:

    * ``"dot"``: Graphviz's ``dot`` from the PATH, a system package that is optional
      (``make test`` installs it as root): the test is skipped without it;
    * ``"graphviz-pure"``: the fallback of a machine without ``dot``: the PATH is emptied
      (no ``dot``, no activated virtual environment) and the library must find
      ``graphviz-pure`` beside ``sys.executable`` itself, as under ``make test``. It comes
      with the dev extra, so a missing one fails (never a skip).
    """
    from autograd_core.viz import dot_program
    monkeypatch.delenv("AUTOGRAD_CORE_DOT", raising=False)
    if which == "dot":
        if shutil.which("dot") is None:
            pytest.skip("Graphviz's dot is not installed (the graphviz-pure runs cover this "
                        "machine; sudo apt-get install graphviz adds dot)")
    else:
        monkeypatch.setenv("PATH", NO_PATH)
    program = dot_program()
    assert program is not None and os.path.basename(program).startswith(which), (
        f"expected the library to find {which}, got {program!r}"
        + ("; graphviz-pure comes with the dev extra: pip install -e '.[dev]'"
           if which != "dot" else ""))
    return program


def renderer_or_skip() -> str:
    """The renderer the library finds (``dot``, else ``graphviz-pure``); skipped only on a
    core-only install that has neither."""
    from autograd_core.viz import dot_program
    program = dot_program()
    if program is None:
        pytest.skip("no graph renderer: neither Graphviz's dot nor graphviz-pure (pip install "
                    "-e '.[dev]')")
    return program


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


def load_same_layout(ours, theirs) -> None:
    """Check that our module and PyTorch's name the same parameters, buffers and state-dict
    keys in the same order, then load PyTorch's values into ours."""
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    load_from_torch(ours, theirs)


def step_like_torch(torch, ours, theirs, a, rng) -> None:
    """One forward and backward of our module and PyTorch's on array ``a``, with a gradient
    drawn from ``rng``: the outputs and every parameter's gradient agree (float64)."""
    y, yt = ours(ag.tensor(a)), theirs(torch.tensor(a))
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(tuple(yt.shape))
    y.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    for (k, p), (_, pt) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=k)


# ------------------------------------------------------------ optimizers against PyTorch
def optimizer_problem(seed: int = 0):
    """Starting values of two parameters and a non-quadratic gradient field, in float64."""
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal(5)
    w0 = rng.standard_normal((3, 4))
    m = rng.standard_normal((5, 5))
    a = m @ m.T / 5 + np.eye(5)
    c = rng.standard_normal((3, 4))

    def grads(x, w):
        return a @ x + 0.5 * np.sin(3 * x), np.tanh(2 * w) + 0.3 * w * np.abs(w) + c

    return x0, w0, grads


def run_optimizer(lib, cls, kwargs, x0, w0, grads, steps, groups=False):
    """``steps`` steps of optimizer ``cls`` (ours with ``lib=ag``, PyTorch's with
    ``lib=torch``) from ``x0, w0`` on ``grads``; return the (x, w) arrays after each step
    and the optimizer. With ``groups``, w is in a second group at half the rate."""
    x = lib.tensor(x0.copy(), requires_grad=True)
    w = lib.tensor(w0.copy(), requires_grad=True)
    if groups:
        params = [{"params": [x]}, {"params": [w], "lr": kwargs.get("lr", 1e-3) * 0.5}]
    else:
        params = [x, w]
    opt = cls(params, **kwargs)
    traj = []
    for _ in range(steps):
        gx, gw = grads(x.detach().numpy(), w.detach().numpy())
        x.grad, w.grad = lib.tensor(gx), lib.tensor(gw)
        opt.step()
        traj.append((x.detach().numpy().copy(), w.detach().numpy().copy()))
    return traj, opt


def check_torch_state_continues(torch, name: str, kwargs: dict, seed: int, steps: int,
                                reload_torch: bool = False):
    """Run PyTorch's optimizer ``name`` for ``steps`` steps, save its state as NumPy arrays
    through our serialization, load it into ours, and check that ours and a PyTorch
    reference take the same next ``steps`` steps (rtol 1e-12); return (ours, reference).

    The reference is the optimizer that made the state, or, with ``reload_torch``, a new
    PyTorch optimizer that loaded it."""
    from autograd_core import optim
    from autograd_core.serialization import load, save

    x0, w0, grads = optimizer_problem(seed)
    ref_traj, ref = run_optimizer(torch, getattr(torch.optim, name), kwargs, x0, w0, grads,
                                  steps)
    tsd = ref.state_dict()
    converted = {"state": {i: {k: v.numpy().copy() for k, v in s.items()}
                           for i, s in tsd["state"].items()},
                 "param_groups": tsd["param_groups"]}
    buf = io.BytesIO()
    save(converted, buf)
    x = ag.tensor(ref_traj[-1][0].copy(), requires_grad=True)
    w = ag.tensor(ref_traj[-1][1].copy(), requires_grad=True)
    ours = getattr(optim, name)([x, w], lr=123.0)
    ours.load_state_dict(load(io.BytesIO(buf.getvalue())))
    assert ours.param_groups[0]["lr"] == kwargs.get("lr", ours.defaults["lr"]) != 123.0
    if reload_torch:
        tx = torch.tensor(ref_traj[-1][0].copy(), requires_grad=True)
        tw = torch.tensor(ref_traj[-1][1].copy(), requires_grad=True)
        ref = getattr(torch.optim, name)([tx, tw], lr=123.0)
        ref.load_state_dict(tsd)
    else:
        tx, tw = ref.param_groups[0]["params"]
    for _ in range(steps):
        gx, gw = grads(x._data, w._data)
        x.grad, w.grad = ag.tensor(gx), ag.tensor(gw)
        ours.step()
        gx, gw = grads(tx.detach().numpy(), tw.detach().numpy())
        tx.grad, tw.grad = torch.tensor(gx), torch.tensor(gw)
        ref.step()
        np.testing.assert_allclose(x._data, tx.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(w._data, tw.detach().numpy(), rtol=1e-12)
    return ours, ref


# ------------------------------------------------------------------- PyTorch's errors
def as_ours(message: str) -> str:
    """PyTorch's message as ours reads: its first line only (some go on with a printed
    tensor), its ``torch.Size([2, 3])`` written as our shapes, (2, 3), and its
    ``torch.int64`` as our dtypes, int64."""
    def shape(m):
        return repr(tuple(int(v) for v in m.group(1).split(",") if v.strip()))
    message = re.sub(r"torch\.Size\(\[([^\]]*)\]\)", shape, message.split("\n")[0])
    return re.sub(r"torch\.((?:float|int|uint|bool)\d*)", r"\1", message)


def raises_like(ours, theirs, match=None) -> None:
    """``ours()`` raises PyTorch's exception type (``theirs()``'s) with its message (see
    ``as_ours``), or, given ``match``, a message holding ``match``."""
    with pytest.raises(Exception) as theirs_err:
        theirs()
    with pytest.raises(type(theirs_err.value)) as ours_err:
        ours()
    if match is None:
        assert str(ours_err.value) == as_ours(str(theirs_err.value))
    else:
        assert match in str(ours_err.value)


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
