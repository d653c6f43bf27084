"""LBFGS against PyTorch: the same trajectory (losses, parameters, closure calls) to
float64 precision, with and without the strong-Wolfe line search, and the same state
layout, so a PyTorch checkpoint continues here in step."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim

# Quasi-Newton iterations amplify rounding differences (a dot product summed in another
# order) by 10-20x per ten iterations on these problems, so the runs are kept to 20-44
# iterations, after which parameters still agree to 1e-11 (1e-16 after the first ten).
RTOL = 1e-9
STEPS = 2


def _problem(seed: int = 0):
    """A small tanh regression: inputs, targets, and four parameter arrays."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((48, 4))
    y = np.sin(x @ np.array([[1.0], [-0.5], [0.3], [0.8]]))
    params = [rng.standard_normal((12, 4)) * 0.4, np.zeros(12),
              rng.standard_normal((1, 12)) * 0.4, np.zeros(1)]
    return x, y, params


def _run(L, O, kwargs, steps, dtype="float64", seed=0, missing_grad=False):
    x, y, arrays = _problem(seed)
    ps = [L.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    unused = L.tensor(np.ones(3, dtype), requires_grad=True)   # never gets a gradient
    xs, ys = L.tensor(x.astype(dtype)), L.tensor(y.astype(dtype))
    opt = O.LBFGS(ps + ([unused] if missing_grad else []), **kwargs)

    def closure():
        opt.zero_grad()
        h = L.tanh(xs @ ps[0].T + ps[1])
        loss = ((h @ ps[2].T + ps[3] - ys) ** 2).mean()
        loss.backward()
        return loss

    losses = [float(opt.step(closure)) for _ in range(steps)]
    state = opt.state[ps[0]]
    flat = np.concatenate([p.detach().numpy().ravel() for p in ps])
    return losses, flat, (state.get("func_evals"), state.get("n_iter")), opt, closure, ps


CASES = [
    dict(lr=0.5, max_iter=10),
    dict(lr=1, max_iter=10, history_size=3),                 # the history overflows
    dict(lr=1, max_iter=8, line_search_fn="strong_wolfe"),
    dict(lr=0.8, max_iter=20, history_size=4, line_search_fn="strong_wolfe"),
    dict(lr=1, max_iter=25, max_eval=12, tolerance_change=1e-6),   # stops on max_eval
    dict(lr=1, max_iter=25, tolerance_grad=5e-3),                  # stops on the gradient
]


@pytest.mark.parametrize("kwargs", CASES, ids=[str(i) for i in range(len(CASES))])
def test_trajectory_matches_torch(kwargs, torch):
    ours = _run(ag, optim, kwargs, STEPS)
    ref = _run(torch, torch.optim, kwargs, STEPS)
    assert ref[0][-1] < 0.5 * ref[0][0]      # the test would be empty if nothing moved
    assert ours[2] == ref[2]                 # closure calls and iterations, exactly
    np.testing.assert_allclose(ours[0], ref[0], rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(ours[1], ref[1], rtol=RTOL, atol=1e-12)


def test_parameter_without_gradient_counts_as_zero(torch):
    kwargs = dict(lr=1, max_iter=6, line_search_fn="strong_wolfe")
    ours = _run(ag, optim, kwargs, 3, missing_grad=True)
    ref = _run(torch, torch.optim, kwargs, 3, missing_grad=True)
    assert ours[2] == ref[2]
    np.testing.assert_allclose(ours[1], ref[1], rtol=RTOL, atol=1e-12)
    assert ours[3].param_groups[0]["params"][-1].tolist() == [1.0, 1.0, 1.0]  # exact: never moved


def test_rosenbrock_converges_like_torch(torch):
    """From a hard start, strong Wolfe reaches the minimum (1, 1) in PyTorch's steps."""
    def run(L, O):
        x = L.tensor([-1.2, 1.0], dtype=L.float64, requires_grad=True)
        opt = O.LBFGS([x], line_search_fn="strong_wolfe", history_size=10)

        def closure():
            opt.zero_grad()
            loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
            loss.backward()
            return loss
        losses = [float(opt.step(closure)) for _ in range(4)]
        return losses, x.tolist(), opt.state[x]["func_evals"]
    ours, ref = run(ag, optim), run(torch, torch.optim)
    assert ours[2] == ref[2]
    np.testing.assert_allclose(ours[0], ref[0], rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(ours[1], [1.0, 1.0], atol=1e-5)   # tolerance_change stops it
    np.testing.assert_allclose(ours[1], ref[1], rtol=RTOL)


def test_float32_close_to_torch(torch):
    """float32 rounds differently in each library; the first steps agree to its precision."""
    kwargs = dict(lr=1, max_iter=5, line_search_fn="strong_wolfe")
    ours = _run(ag, optim, kwargs, 1, dtype="float32")
    ref = _run(torch, torch.optim, kwargs, 1, dtype="float32")
    np.testing.assert_allclose(ours[1], ref[1], rtol=1e-3, atol=1e-4)
    assert ours[1].dtype == np.float32


def test_state_layout_matches_torch(torch):
    kwargs = dict(lr=1, max_iter=5, history_size=3, line_search_fn="strong_wolfe")
    ours = _run(ag, optim, kwargs, 2)[3].state_dict()
    ref = _run(torch, torch.optim, kwargs, 2)[3].state_dict()
    assert ours["param_groups"] == ref["param_groups"]
    assert set(ours["state"]) == set(ref["state"]) == {0}
    assert set(ours["state"][0]) == set(ref["state"][0])
    for key in ("old_dirs", "old_stps", "ro"):
        assert len(ours["state"][0][key]) == len(ref["state"][0][key]) == 3
    np.testing.assert_allclose(ours["state"][0]["d"].numpy(), ref["state"][0]["d"].numpy(),
                               rtol=1e-8, atol=1e-12)


def test_torch_state_dict_continues_in_step(torch):
    """Two steps in PyTorch, its state loaded here (as NumPy arrays), two more steps in each:
    the same losses and parameters."""
    kwargs = dict(lr=1, max_iter=6, history_size=5, line_search_fn="strong_wolfe")
    _, _, _, t_opt, t_closure, t_ps = _run(torch, torch.optim, kwargs, 2)
    sd = t_opt.state_dict()

    def to_numpy(v):
        if isinstance(v, torch.Tensor):
            return v.detach().numpy().copy()
        if isinstance(v, list):
            return [to_numpy(e) for e in v]
        return v
    state = {k: {key: to_numpy(v) for key, v in s.items()} for k, s in sd["state"].items()}
    _, _, _, o_opt, o_closure, o_ps = _run(ag, optim, kwargs, 0)
    for o, t in zip(o_ps, t_ps):
        o.detach().numpy()[...] = t.detach().numpy()
    o_opt.load_state_dict({"state": state, "param_groups": sd["param_groups"]})
    ours = [float(o_opt.step(o_closure)) for _ in range(2)]
    ref = [float(t_opt.step(t_closure)) for _ in range(2)]
    np.testing.assert_allclose(ours, ref, rtol=RTOL)
    for o, t in zip(o_ps, t_ps):
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=RTOL, atol=1e-12)


def test_errors_match_torch(torch):
    a, b = ag.zeros(2, requires_grad=True), ag.zeros(3, requires_grad=True)
    ta, tb = torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    msg = "LBFGS doesn't support per-parameter options"
    with pytest.raises(ValueError, match=msg):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(ValueError, match=msg):
        torch.optim.LBFGS([{"params": [ta]}, {"params": [tb]}])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.LBFGS([a], lr=-1)

    for opt, w in ((optim.LBFGS([a], line_search_fn="wolfe"), a),
                   (torch.optim.LBFGS([ta], line_search_fn="wolfe"), ta)):
        def closure():
            opt.zero_grad()
            loss = ((w - 1) ** 2).sum()
            loss.backward()
            return loss
        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)
    with pytest.raises(TypeError, match="LBFGS.step: expected a closure"):
        optim.LBFGS([a]).step(None)


def test_closure_runs_with_grad_enabled_and_bumps_versions():
    """``step`` may be called under ``no_grad`` (the closure still records a graph), and
    the parameters are changed in place: a graph that saved them can no longer backward."""
    w = ag.tensor([2.0, -1.0], dtype=ag.float64, requires_grad=True)
    saved = (w * w).sum()
    opt = optim.LBFGS([w], max_iter=3)

    def closure():
        opt.zero_grad()
        loss = ((w - 1) ** 2).sum()
        loss.backward()
        return loss
    with ag.no_grad():
        first = opt.step(closure)
    assert float(first) == 5.0   # exact: (2-1)^2 + (-1-1)^2 in float64
    np.testing.assert_allclose(w.tolist(), [1.0, 1.0], atol=1e-9)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        saved.backward()
