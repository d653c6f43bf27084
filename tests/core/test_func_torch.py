"""autograd_core.func (torch.func) against PyTorch in float64: grad and its compositions,
vjp, jvp, jacrev/jacfwd/hessian, vmap (in_dims, out_dims, nesting, errors), functional_call
and the per-sample-gradient recipe on a small MLP."""
from __future__ import annotations

import importlib

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn

FN = importlib.import_module("autograd_core.func")
STATELESS = importlib.import_module("autograd_core.nn.utils.stateless")
RNG = np.random.default_rng(0)
X, Y = RNG.normal(size=3), RNG.normal(size=3)
B = RNG.normal(size=(4, 3))


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def close(a, b):
    if isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b)
        for k in b:
            close(a[k], b[k])
    elif isinstance(b, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), (type(a), a)
        for x, y in zip(a, b):
            close(x, y)
    else:
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-9, atol=1e-12)


def both(torch, *arrays):
    return ([ag.tensor(a, dtype=ag.float64) for a in arrays],
            [torch.tensor(a, dtype=torch.float64) for a in arrays])


def f(x):
    return (x.sin() * x ** 2).sum()


def g(x, y):
    return (x * y.exp()).sum() + (x ** 3 * y).sum()


def test_grad_argnums_has_aux_and_grad_and_value(torch):
    (x, y), (tx, ty) = both(torch, X, Y)
    close(FN.grad(f)(x), torch.func.grad(f)(tx))
    close(FN.grad(g, argnums=1)(x, y), torch.func.grad(g, argnums=1)(tx, ty))
    close(FN.grad(g, argnums=(0, 1))(x, y), torch.func.grad(g, argnums=(0, 1))(tx, ty))
    close(FN.grad_and_value(g)(x, y), torch.func.grad_and_value(g)(tx, ty))
    aux = lambda x: (f(x), x * 2)  # noqa: E731
    close(FN.grad(aux, has_aux=True)(x), torch.func.grad(aux, has_aux=True)(tx))
    assert not FN.grad(f)(x).requires_grad


def test_grad_composes_to_higher_derivatives(torch):
    (x,), (tx,) = both(torch, [0.7])
    h = lambda x: (x ** 4 * x.sin()).sum()  # noqa: E731
    close(FN.grad(FN.grad(h))(x[0]), torch.func.grad(torch.func.grad(h))(tx[0]))
    close(FN.grad(FN.grad(FN.grad(h)))(x[0]),
          torch.func.grad(torch.func.grad(torch.func.grad(h)))(tx[0]))
    # a grad of a function that takes a grad of a closed-over value
    (xs, ys), (txs, tys) = both(torch, X, Y)
    outer = lambda F: lambda y: F.grad(lambda x: (x * y).sin().sum())(xs if F is FN else txs).sum()  # noqa: E731
    close(FN.grad(outer(FN))(ys), torch.func.grad(outer(torch.func))(tys))


def test_grad_of_inputs_with_a_graph_is_differentiable(torch):
    x = ag.tensor(X, dtype=ag.float64, requires_grad=True)
    tx = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    (gx,) = ag.autograd.grad(FN.grad(f)(x).sum(), x)
    (tgx,) = torch.autograd.grad(torch.func.grad(f)(tx).sum(), tx)
    close(gx, tgx)


def test_grad_errors_match(torch):
    (x,), (tx,) = both(torch, X)
    for call in (lambda F, x: F.grad(lambda x: x * 2)(x),
                 lambda F, x: F.grad(lambda x: 3.0)(x),
                 lambda F, x: F.grad(f, has_aux=True)(x),
                 lambda F, x: F.grad(f, argnums=2)(x),
                 lambda F, x: F.grad(f, argnums=())(x)):
        with pytest.raises(Exception) as ours:
            call(FN, x)
        with pytest.raises(Exception) as theirs:
            call(torch.func, tx)
        assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))


def test_vjp_and_jvp(torch):
    (x, y, v), (tx, ty, tv) = both(torch, X, Y, B[0])
    fn = lambda x, y: (x * y, (x ** 2).sum())  # noqa: E731
    out, vjp_fn = FN.vjp(fn, x, y)
    tout, tvjp_fn = torch.func.vjp(fn, tx, ty)
    close(out, tout)
    close(vjp_fn((v, ag.tensor(2.0, dtype=ag.float64))),
          tvjp_fn((tv, torch.tensor(2.0, dtype=torch.float64))))
    close(vjp_fn((v, ag.tensor(1.0, dtype=ag.float64))),          # called again
          tvjp_fn((tv, torch.tensor(1.0, dtype=torch.float64))))
    close(FN.jvp(fn, (x, y), (v, v)), torch.func.jvp(fn, (tx, ty), (tv, tv)))
    close(FN.jvp(f, (x,), (v,)), torch.func.jvp(f, (tx,), (tv,)))


def test_jacrev_jacfwd_hessian(torch):
    (x, y), (tx, ty) = both(torch, X, Y)
    vec = lambda x, y: (x.exp() * y, x.sum() * y ** 2)  # noqa: E731
    for ours, theirs in ((FN.jacrev, torch.func.jacrev), (FN.jacfwd, torch.func.jacfwd)):
        close(ours(vec)(x, y), theirs(vec)(tx, ty))
        close(ours(vec, argnums=(0, 1))(x, y), theirs(vec, argnums=(0, 1))(tx, ty))
        close(ours(lambda x: x.sin())(x), theirs(lambda x: x.sin())(tx))
    close(FN.hessian(g, argnums=(0, 1))(x, y), torch.func.hessian(g, argnums=(0, 1))(tx, ty))
    close(FN.hessian(f)(x), torch.func.hessian(f)(tx))
    close(FN.jacrev(FN.jacrev(f))(x), torch.func.jacrev(torch.func.jacrev(f))(tx))
    params = {"w": x, "b": y}
    tparams = {"w": tx, "b": ty}
    lin = lambda p: p["w"] * p["b"]  # noqa: E731
    close(FN.jacrev(lin)(params), torch.func.jacrev(lin)(tparams))


def test_vmap_in_dims_out_dims_and_nesting(torch):
    (b, x), (tb, tx) = both(torch, B, X)
    cases = [
        (lambda v, w: (v * w).sum(), dict(), (b, b)),
        (lambda v, w: v * w, dict(in_dims=(0, None)), (b, x)),
        (lambda v, w: v * w, dict(in_dims=(1, None), out_dims=1), (b, b[:, 0])),
        (lambda v, w: v * w, dict(in_dims=(-1, None), out_dims=-1), (b, b[:, 0])),
        (lambda v: (v, v.sum()), dict(out_dims=(1, 0)), (b.reshape(2, 2, 3),)),
        (lambda d: d["a"] + d["c"][0], dict(in_dims=({"a": 0, "c": (None,)},)),
         ({"a": b, "c": (x,)},)),
        (lambda d, s: d["a"].sum() * s, dict(in_dims=(0, None)), ({"a": b}, 2.0)),
    ]
    for fn, kw, args in cases:
        targs = _to_torch(torch, args)
        close(FN.vmap(fn, **kw)(*args), torch.func.vmap(fn, **kw)(*targs))
    outer = lambda F: F.vmap(F.vmap(lambda a, c: a * c, in_dims=(0, None)), in_dims=(None, 0))  # noqa: E731
    close(outer(FN)(x, b), outer(torch.func)(tx, tb))
    # out_dims=None for an output that does not depend on the mapped input
    close(FN.vmap(lambda v, w: (v * 2, w), in_dims=(0, None), out_dims=(0, None))(b, x),
          torch.func.vmap(lambda v, w: (v * 2, w), in_dims=(0, None), out_dims=(0, None))(tb, tx))


def _to_torch(torch, obj):
    if isinstance(obj, ag.Tensor):
        return torch.tensor(obj.numpy())
    if isinstance(obj, dict):
        return {k: _to_torch(torch, v) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)):
        return type(obj)(_to_torch(torch, v) for v in obj)
    return obj


@pytest.mark.parametrize("call", [
    lambda F, b: F.vmap(lambda v, w: v + w)(b, b[:3]),
    lambda F, b: F.vmap(lambda v: v, in_dims=2)(b),
    lambda F, b: F.vmap(lambda v, w: v, in_dims=(0,))(b, b),
    lambda F, b: F.vmap(lambda v, w: v, in_dims=(0, 0))(b, 3.0),
    lambda F, b: F.vmap(lambda v: v, in_dims=(None,))(b),
    lambda F, b: F.vmap(lambda v: 3.0)(b),
    lambda F, b: F.vmap(lambda v: v, randomness="sometimes")(b),
    lambda F, b: F.vmap(lambda v: v)(),
])
def test_vmap_errors_match(torch, call):
    (b,), (tb,) = both(torch, B)
    with pytest.raises(Exception) as ours:
        call(FN, b)
    with pytest.raises(Exception) as theirs:
        call(torch.func, tb)
    assert type(ours.value) is type(theirs.value)
    # the same words up to the printed structures (PyTorch prints its TreeSpec)
    words = lambda e: str(e.value).split(" has structure")[0]  # noqa: E731
    assert words(ours) == words(theirs)


def test_vmap_randomness():
    b = ag.ones(3, 2)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        FN.vmap(lambda v: v * ag.rand(2))(b)
    same = FN.vmap(lambda v: v * ag.rand(2), randomness="same")(b)
    assert np.allclose(same.numpy(), same.numpy()[0])
    different = FN.vmap(lambda v: v * ag.rand(2), randomness="different")(b)
    assert not np.allclose(different.numpy(), different.numpy()[0])


def _mlp(lib):
    lib.manual_seed(0)
    m = lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2))
    return m.double() if hasattr(m, "double") else m


def test_per_sample_gradients_of_an_mlp(torch):
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    tmodel = tmodel.double()
    with torch.no_grad():
        for (name, p), (_, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
            tp.copy_(torch.tensor(p.detach().numpy(), dtype=torch.float64))
    model = model.double() if hasattr(model, "double") else model
    x = RNG.normal(size=(6, 3))
    y = np.array([0, 1, 1, 0, 1, 0])

    def recipe(F, lossfn, m, data, target):
        params = {k: v.detach() for k, v in m.named_parameters()}
        buffers = {k: v.detach() for k, v in m.named_buffers()}

        def compute_loss(params, buffers, sample, t):
            pred = F.functional_call(m, (params, buffers), (sample.unsqueeze(0),))
            return lossfn(pred, t.unsqueeze(0))
        return F.vmap(F.grad(compute_loss), in_dims=(None, None, 0, 0))(params, buffers, data,
                                                                        target)

    ours = recipe(FN, nn.functional.cross_entropy, model, ag.tensor(x, dtype=ag.float64),
                  ag.tensor(y))
    theirs = recipe(torch.func, torch.nn.functional.cross_entropy, tmodel,
                    torch.tensor(x, dtype=torch.float64), torch.tensor(y))
    close(ours, theirs)
    assert ours["0.weight"].shape == (6, 5, 3)
    # the module has its own parameters back
    assert all(type(p).__name__ == "Parameter" for p in model.parameters())


def test_functional_call_restores_after_an_exception_and_checks_keys():
    lin = nn.Linear(2, 2)
    weight = lin.weight

    class Boom(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = lin

        def forward(self, x):
            raise ValueError("boom")
    with pytest.raises(ValueError, match="boom"):
        FN.functional_call(Boom(), {"lin.weight": ag.zeros(2, 2)}, ag.ones(2))
    assert lin.weight is weight
    with pytest.raises(RuntimeError, match=r"Unexpected key\(s\): 'nope'.\n\tMissing key\(s\)"):
        FN.functional_call(lin, {"nope": ag.zeros(1)}, (ag.ones(2),), strict=True)
    assert STATELESS.functional_call is FN.functional_call
    out = STATELESS.functional_call(lin, {"weight": ag.eye(2), "bias": ag.zeros(2)},
                                    (ag.tensor([1.0, 2.0]),))
    assert out.tolist() == [1.0, 2.0]  # exact: small integers


def test_functional_call_ties_weights(torch):
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2, bias=False)
            self.b = nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))
    m = Tied()
    out = FN.functional_call(m, {"a.weight": 2 * ag.eye(2)}, (ag.ones(2),))
    assert out.tolist() == [4.0, 4.0]  # exact: small integers
    with pytest.raises(ValueError, match="which are tied"):
        FN.functional_call(m, {"a.weight": ag.eye(2), "b.weight": 2 * ag.eye(2)}, (ag.ones(2),))


def test_stack_module_state_and_an_ensemble(torch):
    models = [nn.Linear(3, 2) for _ in range(4)]
    params, buffers = FN.stack_module_state(models)
    assert params["weight"].shape == (4, 2, 3) and params["weight"].requires_grad
    x = ag.tensor(B[0], dtype=ag.float32)
    out = FN.vmap(lambda p, b: FN.functional_call(models[0], (p, b), (x,)))(params, buffers)
    expected = np.stack([m(x).detach().numpy() for m in models])
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-6)
