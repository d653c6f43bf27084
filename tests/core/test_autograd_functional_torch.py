"""autograd.functional (vjp, jvp, jacobian, hessian, vhp, hvp) against PyTorch in float64:
values, the single-tensor and tuple conventions, create_graph, strict-mode errors."""
from __future__ import annotations

import importlib
import re

import numpy as np
import pytest

import autograd_core as ag

AF = importlib.import_module("autograd_core.autograd.functional")
NAMES = ("vjp", "jvp", "jacobian", "hessian", "vhp", "hvp")


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def close(a, b):
    """Same nesting of tuples, same values."""
    if isinstance(b, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), (type(a), a)
        for x, y in zip(a, b):
            close(x, y)
    else:
        assert not isinstance(a, (tuple, list))
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-10, atol=1e-12)


def pair(torch, *arrays):
    return (tuple(ag.tensor(a, dtype=ag.float64) for a in arrays),
            tuple(torch.tensor(a, dtype=torch.float64) for a in arrays))


RNG = np.random.default_rng(0)
X, Y, V2 = RNG.normal(size=3), RNG.normal(size=3), RNG.normal(size=(2, 3))


def f_single(x):
    return (x ** 3).reshape(3, 1) * x.exp()          # (3,) -> (3, 3)


def f_tuple(x, y):
    return x * y.tanh(), (x ** 2).sum() * y          # two (3,) -> two (3,)


def f_scalar(x):
    return (x ** 3).sum() + (x[0] * x[1] * x[2])


def f_scalar2(x, y):
    return (x * x * y).sum() + (y ** 3).sum()


@pytest.mark.parametrize("name", ["jacobian", "hessian"])
def test_single_tensor_in_gives_a_tensor_out(torch, name):
    (x,), (tx,) = pair(torch, X)
    fn = f_single if name == "jacobian" else f_scalar
    ours = getattr(AF, name)(fn, x)
    theirs = getattr(torch.autograd.functional, name)(fn, tx)
    assert ours.shape == tuple(theirs.shape)
    close(ours, theirs)


def test_jacobian_of_tuples_is_nested_and_matches(torch):
    ours_in, theirs_in = pair(torch, X, Y)
    ours = AF.jacobian(f_tuple, ours_in)
    theirs = torch.autograd.functional.jacobian(f_tuple, theirs_in)
    close(ours, theirs)
    # a tuple of one input still gives tuples
    close(AF.jacobian(lambda x: x * 2, ours_in[:1]),
          torch.autograd.functional.jacobian(lambda x: x * 2, theirs_in[:1]))


@pytest.mark.parametrize("kw", [dict(vectorize=True), dict(vectorize=True, strategy="forward-mode")])
def test_jacobian_vectorize_and_forward_mode_give_the_same_values(torch, kw):
    ours_in, theirs_in = pair(torch, X, Y)
    close(AF.jacobian(f_tuple, ours_in, **kw),
          torch.autograd.functional.jacobian(f_tuple, theirs_in, **kw))


def test_hessian_of_tuple_inputs(torch):
    ours_in, theirs_in = pair(torch, X, Y)
    close(AF.hessian(f_scalar2, ours_in), torch.autograd.functional.hessian(f_scalar2, theirs_in))
    close(AF.hessian(f_scalar2, ours_in, vectorize=True, outer_jacobian_strategy="forward-mode"),
          torch.autograd.functional.hessian(f_scalar2, theirs_in, vectorize=True,
                                            outer_jacobian_strategy="forward-mode"))


def test_vjp_and_jvp(torch):
    (x, y, v), (tx, ty, tv) = pair(torch, X, Y, V2[0])
    F = torch.autograd.functional
    close(AF.vjp(f_single, x, ag.ones(3, 3, dtype=ag.float64)),
          F.vjp(f_single, tx, torch.ones(3, 3, dtype=torch.float64)))
    close(AF.vjp(f_tuple, (x, y), (v, v * 2)), F.vjp(f_tuple, (tx, ty), (tv, tv * 2)))
    close(AF.vjp(f_scalar, x), F.vjp(f_scalar, tx))              # v left out: scalar output
    close(AF.jvp(f_tuple, (x, y), (v, v * 3)), F.jvp(f_tuple, (tx, ty), (tv, tv * 3)))
    close(AF.jvp(lambda a: a.sin() * 2, x, v), F.jvp(lambda a: a.sin() * 2, tx, tv))
    one, tone = ag.tensor([0.7], dtype=ag.float64), torch.tensor([0.7], dtype=torch.float64)
    close(AF.jvp(lambda a: a ** 3, one), F.jvp(lambda a: a ** 3, tone))


def test_vhp_and_hvp(torch):
    (x, y, v, w), (tx, ty, tv, tw) = pair(torch, X, Y, V2[0], V2[1])
    F = torch.autograd.functional
    for name in ("vhp", "hvp"):
        close(getattr(AF, name)(f_scalar, x, v), getattr(F, name)(f_scalar, tx, tv))
        close(getattr(AF, name)(f_scalar2, (x, y), (v, w)),
              getattr(F, name)(f_scalar2, (tx, ty), (tv, tw)))


def test_results_are_detached_unless_create_graph():
    x = ag.tensor(X, dtype=ag.float64, requires_grad=True)
    out, g = AF.vjp(f_scalar, x)
    assert not out.requires_grad and not g.requires_grad
    assert not AF.jacobian(f_single, x).requires_grad
    assert AF.jacobian(f_single, x, create_graph=True).requires_grad


@pytest.mark.parametrize("name", NAMES)
def test_create_graph_gives_second_derivatives(torch, name):
    """Differentiate the (summed) result again with respect to the inputs."""
    (v,), (tv,) = pair(torch, V2[0])
    results = []
    for lib, vec, fn in ((ag, v, f_scalar), (torch, tv, f_scalar)):
        x = (lib.tensor(X, dtype=lib.float64) if lib is ag else
             torch.tensor(X, dtype=torch.float64)).requires_grad_()
        mod = AF if lib is ag else torch.autograd.functional
        if name in ("jacobian", "hessian"):
            res = getattr(mod, name)(fn, x, create_graph=True)
        else:
            res = getattr(mod, name)(fn, x, vec, create_graph=True)[1] if name != "vjp" else \
                mod.vjp(fn, x, create_graph=True)[1]
        assert res.requires_grad
        g = (lib.autograd.grad((res * res).sum(), x)[0])
        results.append(g)
    close(results[0], results[1])


def _size(m):
    dims = [d.strip() for d in m.group(1).split(",") if d.strip()]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _error(fn):
    """The error's type and message, PyTorch's ``torch.Size([3])`` written as ``(3,)``."""
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), re.sub(r"torch\.Size\(\[(.*?)\]\)", _size, str(info.value))


@pytest.mark.parametrize("name,fn,args", [
    ("vjp", lambda x, y: x * 2, lambda a, b: ((a, b), (a,))),
    ("jvp", lambda x, y: x * 2, lambda a, b: ((a, b), (a, b))),
    ("jacobian", lambda x, y: x * 2, lambda a, b: ((a, b),)),
    ("jacobian", lambda x: x.detach(), lambda a, b: (a,)),
    ("vjp", lambda x: x.detach() * 2, lambda a, b: (a, a)),
    ("hessian", lambda x: x.sum() * 3, lambda a, b: (a,)),
    ("hessian", lambda x: x, lambda a, b: (a,)),
    ("vhp", lambda x: (x * 2).sum(), lambda a, b: (a, b)),
    ("hvp", lambda x: (x * 2).sum(), lambda a, b: (a, b)),
    ("hvp", lambda x, y: (x ** 2).sum(), lambda a, b: ((a, b), (a, b))),
])
def test_strict_mode_errors_match(torch, name, fn, args):
    (a, b), (ta, tb) = pair(torch, X, Y)
    ours = _error(lambda: getattr(AF, name)(fn, *args(a, b), strict=True))
    theirs = _error(lambda: getattr(torch.autograd.functional, name)(fn, *args(ta, tb),
                                                                    strict=True))
    assert ours == theirs


@pytest.mark.parametrize("name,call", [
    ("forward-mode without vectorize", lambda M, F, x: M.jacobian(F, x, strategy="forward-mode")),
    ("forward-mode and create_graph", lambda M, F, x: M.jacobian(
        F, x, strategy="forward-mode", vectorize=True, create_graph=True)),
    ("forward-mode and strict", lambda M, F, x: M.jacobian(
        F, x, strategy="forward-mode", vectorize=True, strict=True)),
    ("vectorize and strict", lambda M, F, x: M.jacobian(F, x, vectorize=True, strict=True)),
    ("unknown strategy", lambda M, F, x: M.jacobian(F, x, strategy="sideways")),
    ("v of the wrong size", lambda M, F, x: M.vjp(F, x, x)),
    ("v of the wrong length", lambda M, F, x: M.jvp(lambda a, b: a * b, (x, x), (x,))),
    ("v left out", lambda M, F, x: M.jvp(F, x)),
    ("not a tensor", lambda M, F, x: M.vjp(F, 3.0)),
    ("hessian of a vector", lambda M, F, x: M.hessian(lambda a: a * 2, x)),
])
def test_invalid_arguments_raise_as_pytorch(torch, name, call):
    (x,), (tx,) = pair(torch, X)
    ours = _error(lambda: call(AF, f_single, x))
    theirs = _error(lambda: call(torch.autograd.functional, f_single, tx))
    assert ours == theirs, name
