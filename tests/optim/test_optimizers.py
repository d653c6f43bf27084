"""Optimizers: hand-computed steps, the Optimizer base (groups, state dicts, closures), errors."""
from __future__ import annotations

import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import optim
from autograd_core.serialization import load, save


def _quadratic_steps(opt, x, n):
    """Minimise f(x) = x**2 / 2 (so grad = x) for n steps; return x after each step."""
    out = []
    for _ in range(n):
        opt.zero_grad()
        (x * x / 2).sum().backward()
        opt.step()
        out.append(x._data.copy())
    return out


def _param(v, dtype=np.float64):
    return ag.tensor(np.array(v, dtype=dtype), requires_grad=True)


# ----------------------------------------------------------------- hand-computed steps
@pytest.mark.parametrize("kwargs,expected", [
    (dict(lr=0.1), [0.9, 0.81, 0.729]),
    # buf = g on the first step; then buf = 0.9 buf + g
    (dict(lr=0.1, momentum=0.9), [0.9, 0.72, 0.486]),
    # nesterov: step with g + 0.9 buf
    (dict(lr=0.1, momentum=0.9, nesterov=True), [0.81, 0.5751, 0.327321]),
    # dampening applies from the second step on: buf = 0.9 buf + 0.5 g
    (dict(lr=0.1, momentum=0.9, dampening=0.5), [0.9, 0.765, 0.60525]),
    # weight decay adds 0.1 x to the gradient x
    (dict(lr=0.1, weight_decay=0.1), [0.89, 0.7921, 0.704969]),
    # maximize climbs
    (dict(lr=0.1, maximize=True), [1.1, 1.21, 1.331]),
])
def test_sgd_hand_computed(kwargs, expected):
    x = _param([1.0])
    got = _quadratic_steps(optim.SGD([x], **kwargs), x, 3)
    np.testing.assert_allclose(np.concatenate(got), expected, rtol=1e-12)


def test_sgd_default_lr_is_pytorch_2():
    x = _param([1.0])
    opt = optim.SGD([x])
    assert opt.defaults["lr"] == 1e-3
    np.testing.assert_allclose(_quadratic_steps(opt, x, 1)[0], [0.999], rtol=1e-12)


def _adam_reference(grads, lr, b1, b2, eps, amsgrad=False):
    """Adam from the paper (Kingma & Ba, Algorithm 1), with AMSGrad's max, on given gradients."""
    x, m, v, vmax, xs = 1.0, 0.0, 0.0, 0.0, []
    for t, g in enumerate(grads, 1):
        if callable(g):
            g = g(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = max(vmax, v)
        mhat = m / (1 - b1 ** t)
        vhat = (vmax if amsgrad else v) / (1 - b2 ** t)
        x = x - lr * mhat / (math.sqrt(vhat) + eps)
        xs.append(x)
    return xs


def test_adam_first_step_moves_by_lr():
    x = _param([1.0, -3.0])
    (got,) = _quadratic_steps(optim.Adam([x], lr=0.1), x, 1)
    # m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps)
    np.testing.assert_allclose(got, [1 - 0.1 / (1 + 1e-8), -3 + 0.1 * 3 / (3 + 1e-8)], rtol=1e-14)


def test_adam_hand_computed_three_steps():
    x = _param([1.0])
    got = np.concatenate(_quadratic_steps(optim.Adam([x], lr=0.1), x, 3))
    ref = _adam_reference([lambda x: x] * 3, 0.1, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(got, ref, rtol=1e-13)
    assert got[0] == pytest.approx(0.9, abs=1e-8)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_amsgrad_uses_max_second_moment(amsgrad):
    # gradients 1 then 0.1 with beta2 = 0.5: v falls from 0.5 to 0.255, v_max stays 0.5
    x = _param([1.0])
    opt = optim.Adam([x], lr=0.1, betas=(0.9, 0.5), amsgrad=amsgrad)
    got = []
    for g in [1.0, 0.1]:
        x.grad = ag.tensor([g], dtype=np.float64)
        opt.step()
        got.append(x.item())
    ref = _adam_reference([1.0, 0.1], 0.1, 0.9, 0.5, 1e-8, amsgrad=amsgrad)
    np.testing.assert_allclose(got, ref, rtol=1e-13)
    other = _adam_reference([1.0, 0.1], 0.1, 0.9, 0.5, 1e-8, amsgrad=not amsgrad)
    assert abs(got[1] - other[1]) > 1e-3
    assert ("max_exp_avg_sq" in opt.state[x]) == amsgrad


def _kernel_and_numpy_runs(dtype, make_optimizer, seed: int) -> dict:
    """Three steps of ``make_optimizer(params)`` on each backend from the same start: a
    small parameter and a large one (split over the threads), gradients of every size
    with a zero, an inf and a NaN. The parameters and every state buffer, per backend."""
    rng = np.random.default_rng(seed)
    shapes = [(3, 5), (700, 800)]
    start = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = [[(rng.standard_normal(s) * 10.0 ** rng.integers(-6, 6, s)).astype(dtype)
              for s in shapes] for _ in range(3)]
    for step in grads:
        step[0][0, :3] = [0, np.inf, np.nan]
    runs = {}
    for backend in ("numpy", "numba"):
        params = [ag.tensor(a.copy(), requires_grad=True) for a in start]
        opt = make_optimizer(params)
        with ag.kernels.use_backend(backend), np.errstate(invalid="ignore"):
            for step in grads:
                for p, g in zip(params, step):
                    p.grad = ag.tensor(g)
                opt.step()
        runs[backend] = [p.detach().numpy().copy() for p in params] + [
            b.numpy().copy() for p in params for k, b in opt.state[p].items() if k != "step"]
    for a, b in zip(runs["numpy"], runs["numba"]):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_array_equal(a, b)      # exactness: the same arithmetic
    return runs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("beta1, amsgrad", [(0.9, False), (0.9, True), (0.2, True)])
def test_adam_kernel_equals_numpy_rule_bit_for_bit(dtype, beta1, amsgrad):
    """The one-pass Numba update (``kernels.adam_update``) and the NumPy rule give the
    same bits over three steps: both lerp branches (1 - beta1 below and above 0.5),
    AMSGrad, weight decay and maximize (``_kernel_and_numpy_runs``)."""
    _kernel_and_numpy_runs(dtype, lambda params: optim.Adam(
        params, lr=1e-2, betas=(beta1, 0.99), eps=1e-6, amsgrad=amsgrad, weight_decay=1e-3,
        maximize=True), seed=7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", [
    dict(),                                                        # plain steps
    dict(momentum=0.9, weight_decay=5e-4),                         # the CIFAR recipe
    dict(momentum=0.9, dampening=0.3, maximize=True),
    dict(momentum=0.8, nesterov=True, weight_decay=1e-2),
])
def test_sgd_kernel_equals_numpy_rule_bit_for_bit(dtype, options, monkeypatch):
    """The one-pass Numba update (``kernels.sgd_update``) and the NumPy rule give the same
    bits over three steps, the momentum buffer's first fill included."""
    import autograd_core.kernels.sgd as K
    served = []
    real = K.sgd_update
    monkeypatch.setattr(ag.kernels, "sgd_update",
                        lambda *a, **k: served.append(real(*a, **k)) or served[-1])
    runs = _kernel_and_numpy_runs(dtype, lambda params: optim.SGD(params, lr=1e-2, **options),
                                  seed=8)
    assert len(runs["numba"]) == 2 + 2 * ("momentum" in options)
    assert True in served and False in served    # the kernel served the Numba path only


def test_adam_kernel_serves_the_optimizer(monkeypatch):
    """Adam calls the one-pass kernel (it returns True where it served) on contiguous
    float arrays, and falls back to the NumPy rule for what it does not take."""
    import autograd_core.kernels.adam as K
    served = []
    real = K.adam_update
    monkeypatch.setattr(ag.kernels, "adam_update",
                        lambda *a, **k: served.append(real(*a, **k)) or served[-1])
    x = _param([1.0, 2.0])
    x.grad = ag.tensor([0.5, 0.5], dtype=np.float64)
    with ag.kernels.use_backend("numba"):
        optim.Adam([x], lr=0.1).step()
    with ag.kernels.use_backend("numpy"):
        optim.Adam([x], lr=0.1).step()
    assert served == [True, False]


def test_adam_weight_decay_is_l2_and_adamw_is_decoupled():
    # zero gradient: Adam's L2 term makes g = wd * x (a full lr-sized step); AdamW only decays
    x, y = _param([2.0]), _param([2.0])
    a = optim.Adam([x], lr=0.1, weight_decay=0.5)
    w = optim.AdamW([y], lr=0.1, weight_decay=0.5)
    for opt, p in ((a, x), (w, y)):
        p.grad = ag.zeros_like(p)
        opt.step()
    assert x.item() == pytest.approx(2.0 - 0.1, rel=1e-7)
    assert y.item() == pytest.approx(2.0 * (1 - 0.1 * 0.5), rel=1e-14)
    assert optim.AdamW([_param([0.0])]).defaults["weight_decay"] == 1e-2
    assert w.param_groups[0]["decoupled_weight_decay"] is True


def test_rmsprop_hand_computed():
    lr, alpha, eps = 0.01, 0.75, 1e-8

    def run(**kw):
        x = _param([5.0])
        opt = optim.RMSprop([x], lr=lr, alpha=alpha, **kw)
        out = []
        for _ in range(2):
            x.grad = ag.tensor([2.0], dtype=np.float64)  # constant gradient
            opt.step()
            out.append(x.item())
        return out

    v1, v2 = 0.25 * 4, 0.75 * 0.25 * 4 + 0.25 * 4
    plain = run()
    assert plain[0] == pytest.approx(5 - lr * 2 / (math.sqrt(v1) + eps), rel=1e-14)
    assert plain[1] == pytest.approx(plain[0] - lr * 2 / (math.sqrt(v2) + eps), rel=1e-14)
    gbar1 = 0.25 * 2
    centered = run(centered=True)
    assert centered[0] == pytest.approx(5 - lr * 2 / (math.sqrt(v1 - gbar1 ** 2) + eps), rel=1e-14)
    mom = run(momentum=0.5)
    buf1 = 2 / (math.sqrt(v1) + eps)
    buf2 = 0.5 * buf1 + 2 / (math.sqrt(v2) + eps)
    assert mom == pytest.approx([5 - lr * buf1, 5 - lr * buf1 - lr * buf2], rel=1e-14)


def test_adagrad_hand_computed():
    x = _param([5.0])
    opt = optim.Adagrad([x], lr=0.5, lr_decay=0.1, initial_accumulator_value=1.0)
    got = []
    for _ in range(2):
        x.grad = ag.tensor([2.0], dtype=np.float64)
        opt.step()
        got.append(x.item())
    # sums 1 + 4 = 5 then 9; the step-2 rate is 0.5 / (1 + 0.1)
    x1 = 5 - 0.5 * 2 / (math.sqrt(5) + 1e-10)
    x2 = x1 - 0.5 / 1.1 * 2 / (math.sqrt(9) + 1e-10)
    assert got == pytest.approx([x1, x2], rel=1e-14)
    assert float(opt.state[x]["step"]) == 2.0


def test_adagrad_state_is_created_eagerly_as_in_pytorch():
    x = _param([1.0, 2.0])
    opt = optim.Adagrad([x], initial_accumulator_value=0.25)
    assert opt.state_dict()["state"][0]["sum"].tolist() == [0.25, 0.25]
    y = _param([3.0])
    opt.add_param_group({"params": [y], "initial_accumulator_value": 2.0})
    y.grad = ag.tensor([1.0], dtype=np.float64)
    opt.step()
    assert opt.state[y]["sum"].tolist() == [3.0]  # the group's own value is honoured


@settings(max_examples=40, deadline=None)
@given(p=hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4),
                    elements=st.floats(-1e3, 1e3)),
       lr=st.floats(0, 10), seed=st.integers(0, 2 ** 16))
def test_sgd_step_is_p_minus_lr_g(p, lr, seed):
    g = np.random.default_rng(seed).standard_normal(p.shape)
    x = ag.tensor(p, requires_grad=True)
    x.grad = ag.tensor(g)
    optim.SGD([x], lr=lr).step()
    np.testing.assert_array_equal(x._data, p - lr * g)


@settings(max_examples=40, deadline=None)
@given(g=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(1e-3, 1e3)),
       sign=st.sampled_from([-1.0, 1.0]), lr=st.floats(1e-4, 1.0))
def test_adam_first_step_is_lr_sized_whatever_the_scale(g, sign, lr):
    x = ag.zeros(g.shape, dtype=np.float64, requires_grad=True)
    x.grad = ag.tensor(sign * g)
    optim.Adam([x], lr=lr).step()
    np.testing.assert_allclose(x._data, -sign * lr * g / (g + 1e-8), rtol=1e-12)


def test_float32_params_stay_float32():
    for cls in (optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad):
        x = ag.ones(3, requires_grad=True)
        opt = cls([x], lr=0.1) if cls is not optim.SGD else cls([x], lr=0.1, momentum=0.9)
        _quadratic_steps(opt, x, 2)
        assert x.dtype == np.float32, cls
        for v in opt.state[x].values():
            assert v.dtype == np.float32, cls  # buffers and the step counter


def test_training_with_autograd_reduces_loss():
    ag.manual_seed(0)
    X = ag.randn(64, 3)
    y = X @ ag.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    w = ag.zeros(3, 1, requires_grad=True)
    b = ag.zeros(1, requires_grad=True)
    for cls, lr in ((optim.SGD, 0.1), (optim.Adam, 0.05), (optim.RMSprop, 0.05)):
        with ag.no_grad():
            w.zero_(); b.zero_()
        opt = cls([w, b], lr=lr)
        losses = []
        for _ in range(60):
            opt.zero_grad()
            loss = ((X @ w + b - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert losses[-1] < 0.1 * losses[0], cls


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_step_reads_a_gradient_that_has_a_graph(cls):
    """After backward(create_graph=True) ``.grad`` has a grad_fn; step() uses its values and
    leaves it (and its graph) alone."""
    w = ag.tensor([1.0, -2.0], requires_grad=True)
    (w ** 3).sum().backward(create_graph=True)
    assert w.grad.grad_fn is not None
    ref = ag.tensor([1.0, -2.0], requires_grad=True)
    ref.grad = w.grad.detach().clone()
    opt, opt_ref = cls([w], lr=0.1), cls([ref], lr=0.1)
    opt.step(); opt_ref.step()
    np.testing.assert_array_equal(w.detach().numpy(), ref.detach().numpy())
    assert w.grad.grad_fn is not None and w.grad.tolist() == [3.0, 12.0]


def test_optim_uses_only_the_public_api_of_autograd_core():
    """No Tensor slot (``._data``, ``._vc``, ...) or ``_version`` read anywhere in optim, and
    only public names imported from autograd_core's public modules."""
    import ast
    import importlib
    from pathlib import Path

    slots = {s for s in ag.Tensor.__slots__ if not s.startswith("__")} | {"_version"}
    found = []
    for path in sorted(Path(optim.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in slots:
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "ag" and node.attr.startswith("_"):
                found.append(f"{path.name}:{node.lineno} ag.{node.attr}")
            elif isinstance(node, ast.ImportFrom) and node.level == 0 \
                    and node.module.split(".")[0] == "autograd_core":
                module = importlib.import_module(node.module)
                public = getattr(module, "__all__", None)
                for alias in node.names:
                    if any(part.startswith("_") for part in node.module.split(".")) \
                            or alias.name.startswith("_") \
                            or (public is not None and alias.name not in public):
                        found.append(f"{path.name}:{node.lineno} {node.module}.{alias.name}")
    assert found == []


# -------------------------------------------------------------------- the base class
def test_param_groups_fill_defaults_and_keep_overrides():
    a, b = _param([1.0]), _param([2.0])
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.1}], lr=0.1)
    g0, g1 = opt.param_groups
    assert g0["params"][0] is a and g1["params"][0] is b
    assert (g0["lr"], g0["momentum"], g1["lr"], g1["momentum"]) == (0.1, 0, 0.5, 0.1)
    assert set(g0) == {"params", "lr", "momentum", "dampening", "weight_decay", "nesterov",
                       "maximize", "foreach", "differentiable", "fused"}


def test_named_parameters_are_accepted():
    a, b = _param([1.0]), _param([2.0])
    opt = optim.Adam([("w", a), ("b", b)])
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_add_param_group_and_its_errors():
    a, b = _param([1.0]), _param([2.0])
    opt = optim.SGD([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.01})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {_param([0.0])}})
    with pytest.raises(TypeError, match="can only optimize Tensors, but one of the params is "
                                        "numpy.ndarray"):
        opt.add_param_group({"params": [np.zeros(2)]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([_param([0.0])])
    with pytest.raises(ValueError, match="non-leaf"):
        opt.add_param_group({"params": [a * 2]})
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(a, lr=0.1)


@pytest.mark.parametrize("cls,kwargs,msg", [
    (optim.SGD, dict(lr=-1), "Invalid learning rate: -1"),
    (optim.Adam, dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (optim.Adam, dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (optim.Adam, dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (optim.AdamW, dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (optim.RMSprop, dict(alpha=-0.5), "Invalid alpha value: -0.5"),
    (optim.RMSprop, dict(momentum=-1), "Invalid momentum value: -1"),
    (optim.Adagrad, dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    (optim.Adagrad, dict(initial_accumulator_value=-1),
     "Invalid initial_accumulator_value value: -1"),
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
])
def test_invalid_hyperparameters(cls, kwargs, msg):
    with pytest.raises(ValueError) as e:
        cls([_param([1.0])], **kwargs)
    assert str(e.value) == msg


def test_unsupported_pytorch_flags_are_refused_clearly():
    with pytest.raises(NotImplementedError, match="fused=True"):
        optim.Adam([_param([1.0])], fused=True)
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        optim.SGD([_param([1.0])], differentiable=True)


def test_zero_grad():
    x = _param([1.0, 2.0])
    opt = optim.SGD([x], lr=0.1)
    (x * x).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert x.grad is not None and x.grad.tolist() == [0.0, 0.0]
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    opt.zero_grad()
    assert x.grad is None


def test_step_with_closure_returns_loss_and_enables_grad():
    x = _param([3.0])
    opt = optim.SGD([x], lr=0.1)
    calls = []

    def closure():
        calls.append(ag.is_grad_enabled())
        opt.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss

    with ag.no_grad():
        loss = opt.step(closure)
    assert calls == [True]
    assert loss.item() == 9.0
    assert x.item() == pytest.approx(3.0 - 0.1 * 6.0)
    assert opt.step() is None


def test_repr_lists_groups_like_pytorch():
    r = repr(optim.SGD([_param([1.0])], lr=0.1, momentum=0.9))
    assert r.startswith("SGD (\nParameter Group 0\n    dampening: 0\n")
    assert "    lr: 0.1\n" in r and "    momentum: 0.9\n" in r and r.endswith(")")


# ----------------------------------------------------------------------- state dicts
def _model(seed):
    rng = np.random.default_rng(seed)
    return [ag.tensor(rng.standard_normal((3, 2)), requires_grad=True),
            ag.tensor(rng.standard_normal(2), requires_grad=True)]


def _loss_grads(params, t):
    w, b = params
    w.grad = ag.tensor(np.sin(w._data + t) + 0.1 * w._data)
    b.grad = ag.tensor(b._data * np.abs(b._data) - 0.2)


ALL = [
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    (optim.Adam, dict(lr=0.05, amsgrad=True, weight_decay=1e-2)),
    (optim.AdamW, dict(lr=0.05)),
    (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.01)),
]


@pytest.mark.parametrize("cls,kwargs", ALL, ids=[c.__name__ for c, _ in ALL])
def test_save_load_resume_gives_the_same_trajectory(cls, kwargs, tmp_path):
    # uninterrupted run of 8 steps
    ref = _model(0)
    opt = cls(ref, **kwargs)
    for t in range(8):
        _loss_grads(ref, t)
        opt.step()
    # 4 steps, checkpoint to disk, new objects, load, 4 more steps
    params = _model(0)
    opt = cls(params, **kwargs)
    for t in range(4):
        _loss_grads(params, t)
        opt.step()
    path = tmp_path / "ckpt.pt"
    save({"params": [p.detach() for p in params], "optim": opt.state_dict()}, path)
    ck = load(path)
    params2 = [ag.tensor(p._data, requires_grad=True) for p in ck["params"]]
    opt2 = cls(params2, lr=999.0)
    opt2.load_state_dict(ck["optim"])
    assert opt2.param_groups[0]["lr"] == kwargs["lr"]
    for t in range(4, 8):
        _loss_grads(params2, t)
        opt2.step()
    for a, b in zip(params2, ref):
        np.testing.assert_array_equal(a._data, b._data)


def test_state_dict_layout():
    a, b = _param([1.0]), _param([[1.0, 2.0]])
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    b.grad = ag.tensor([[1.0, 1.0]], dtype=np.float64)
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert list(sd["state"]) == [1]  # only b has been stepped
    s = sd["state"][1]
    assert sorted(s) == ["exp_avg", "exp_avg_sq", "step"]
    assert s["step"].dtype == np.float32 and s["step"].shape == () and float(s["step"]) == 1.0
    assert s["exp_avg"].shape == (1, 2)
    assert "params" in opt.param_groups[0] and isinstance(opt.param_groups[0]["params"][0],
                                                          ag.Tensor)


def test_step_counter_dtype_follows_the_default_dtype_as_pytorch():
    old = ag.get_default_dtype()
    try:
        for default in (np.float32, np.float64):
            ag.set_default_dtype(default)
            x = _param([1.0])
            opt = optim.RMSprop([x])
            x.grad = ag.ones_like(x)
            opt.step()
            assert opt.state[x]["step"].dtype == default
    finally:
        ag.set_default_dtype(old)


def test_load_state_dict_copies_and_casts():
    src = [_param([1.0, 2.0])]
    opt = optim.SGD(src, lr=0.1, momentum=0.9)
    src[0].grad = ag.tensor([1.0, 1.0], dtype=np.float64)
    opt.step()
    dst = ag.zeros(2, requires_grad=True)  # float32
    opt2 = optim.SGD([dst], lr=0.1, momentum=0.9)
    sd = opt.state_dict()
    opt2.load_state_dict(sd)
    buf = opt2.state[dst]["momentum_buffer"]
    assert buf.dtype == np.float32
    buf._data[:] = 7
    assert sd["state"][0]["momentum_buffer"].tolist() == [1.0, 1.0]
    # NumPy arrays are accepted in place of tensors (weights converted from PyTorch)
    opt2.load_state_dict({"state": {0: {"momentum_buffer": np.array([3.0, 4.0])}},
                          "param_groups": sd["param_groups"]})
    assert opt2.state[dst]["momentum_buffer"].tolist() == [3.0, 4.0]


def test_load_state_dict_errors_are_clear():
    opt = optim.SGD([_param([1.0]), _param([2.0])], lr=0.1, momentum=0.9)
    one = optim.SGD([_param([1.0])], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="group 0 has 2 parameters in the optimizer and 1 in"):
        opt.load_state_dict(one)
    two = optim.SGD([{"params": [_param([1.0])]}, {"params": [_param([1.0])]}]).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups: the optimizer "
                                         "has 1, the state dict has 2"):
        opt.load_state_dict(two)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"w": 1})
    other = optim.SGD([_param([1.0, 2.0, 3.0]), _param([2.0])], lr=0.1, momentum=0.9)
    for p in other.param_groups[0]["params"]:
        p.grad = ag.ones_like(p)
    other.step()
    with pytest.raises(ValueError, match=r"has shape \(3,\) but its parameter has shape \(1,\)"):
        opt.load_state_dict(other.state_dict())


def test_state_dict_survives_serialization_with_int_keys_and_steps():
    params = _model(1)
    opt = optim.Adam(params, lr=0.01)
    for t in range(3):
        _loss_grads(params, t)
        opt.step()
    buf = io.BytesIO()
    save(opt.state_dict(), buf)
    sd = load(io.BytesIO(buf.getvalue()))
    assert list(sd["state"]) == [0, 1] and all(isinstance(k, int) for k in sd["state"])
    assert sd["state"][0]["step"].dtype == np.float32 and float(sd["state"][0]["step"]) == 3.0
    assert sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert sd["param_groups"][0]["foreach"] is None
    orig = opt.state_dict()
    for i in (0, 1):
        for k, v in orig["state"][i].items():
            np.testing.assert_array_equal(sd["state"][i][k]._data, v._data)
            assert sd["state"][i][k].dtype == v.dtype


# ------------------------------------------- large updates split over threads
SPLIT_CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=5e-4)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.2, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=1e-3, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=1e-3, betas=(0.5, 0.999))),
    ("RMSprop", dict(lr=1e-3, centered=True, momentum=0.9)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adadelta", dict()),
    ("Adamax", dict(lr=1e-2)),
    ("RAdam", dict(lr=1e-3)),
    ("NAdam", dict(lr=1e-3)),     # not split (a shared scalar): the same numbers anyway
]


@pytest.mark.parametrize("name,kwargs", SPLIT_CASES, ids=[n for n, _ in SPLIT_CASES])
def test_an_update_split_over_threads_gives_the_same_numbers(name, kwargs):
    """A parameter large enough to be split over two threads ends exactly where the same
    update on one thread leaves it (elementwise rules: the split changes no operation)."""
    for dtype in (np.float32, np.float64):
        one, _ = _run_with_threads(name, kwargs, 1, dtype)
        two, opt = _run_with_threads(name, kwargs, 2, dtype)
        for a, b in zip(one, two):
            np.testing.assert_array_equal(a, b)   # exact: the same operations per element
        state = opt.state[opt.param_groups[0]["params"][0]]
        assert all(v.shape == (700, 1000) for v in state.values()
                   if isinstance(v, ag.Tensor) and v.ndim)


def _run_with_threads(name, kwargs, threads, dtype):
    rng = np.random.default_rng(5)
    big = rng.standard_normal((700, 1000)).astype(dtype)   # 700k elements: split in two
    small = rng.standard_normal(10).astype(dtype)
    grads = [[rng.standard_normal(a.shape).astype(dtype) for a in (big, small)]
             for _ in range(3)]
    before = ag.get_num_threads()
    ag.set_num_threads(threads)
    try:
        ps = [ag.tensor(a.copy(), requires_grad=True) for a in (big, small)]
        opt = getattr(optim, name)(ps, **kwargs)
        for gs in grads:
            for p, g in zip(ps, gs):
                p.grad = ag.tensor(g)
            opt.step()
    finally:
        ag.set_num_threads(before)
    return [p.detach().numpy() for p in ps], opt
