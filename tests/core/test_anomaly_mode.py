"""Anomaly mode (``torch.autograd.detect_anomaly`` / ``set_detect_anomaly``): a NaN made by
an op's backward raises PyTorch's error, and a failing backward warns with the stack
trace of the forward line that made the op."""
from __future__ import annotations

import inspect
import threading
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd.anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled,
                                                 is_anomaly_enabled, set_detect_anomaly)
from autograd_core.autograd.grad_mode import STATE


def _nan_in_sqrt_backward(lib, set_detect_anomaly_fn):
    """sqrt at 0 times 0: SqrtBackward0 computes 0 / 0. Returns (message, warnings, line)."""
    x = lib.tensor([0.0], requires_grad=True)
    with set_detect_anomaly_fn(True):
        line = inspect.currentframe().f_lineno + 1
        y = x.sqrt() * 0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError) as info:
                y.sum().backward()
    return str(info.value), [str(w.message) for w in caught if w.category is UserWarning], line


def test_nan_in_backward_raises_and_warns_with_the_forward_line():
    msg, warned, line = _nan_in_sqrt_backward(ag, set_detect_anomaly)
    assert msg == "Function 'SqrtBackward0' returned nan values in its 0th output."
    (w,) = [w for w in warned if w.startswith("Error detected in")]
    assert w.startswith("Error detected in SqrtBackward0. Traceback of forward call that "
                        "caused the error:\n")
    assert f'File "{__file__}", line {line}, in _nan_in_sqrt_backward' in w
    assert "y = x.sqrt() * 0" in w
    assert not is_anomaly_enabled() and STATE.watch is None


def test_same_message_as_pytorch(torch):
    ours, ours_w, _ = _nan_in_sqrt_backward(ag, set_detect_anomaly)
    theirs, theirs_w, _ = _nan_in_sqrt_backward(torch, torch.autograd.set_detect_anomaly)
    assert ours == theirs
    assert [w.split(".")[0] for w in ours_w if w.startswith("Error")] == \
           [w.split(".")[0] for w in theirs_w if w.startswith("Error")]


@pytest.mark.parametrize("first", [True, False])
def test_index_of_the_output_as_pytorch(torch, first):
    def run(lib, anomaly):
        x = lib.tensor([1.0], requires_grad=True)
        w = lib.tensor([float("inf")])
        z = x * w if first else w * x   # the gradient of x is 0 * inf
        with anomaly(True), warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError) as info:
                z.backward(lib.tensor([0.0]))
        return str(info.value)

    assert run(ag, set_detect_anomaly) == run(torch, torch.autograd.set_detect_anomaly)
    assert run(ag, set_detect_anomaly).endswith(f"in its {0 if first else 1}th output.")


def test_other_errors_in_backward_warn_with_the_forward_trace():
    class Broken(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            raise ValueError("broken backward")

    x = ag.tensor([1.0], requires_grad=True)
    with set_detect_anomaly(True):
        y = Broken.apply(x)  # the forward line
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(ValueError, match="broken backward"):
                y.sum().backward()
    (w,) = [str(w.message) for w in caught]
    assert w.startswith("Error detected in BrokenBackward.")   # a custom op: PyTorch's name
    assert "y = Broken.apply(x)  # the forward line" in w


def test_check_nan_false_lets_nan_through():
    x = ag.tensor([0.0], requires_grad=True)
    with set_detect_anomaly(True, check_nan=False), np.errstate(all="ignore"):
        assert is_anomaly_enabled() and not is_anomaly_check_nan_enabled()
        (x.sqrt() * 0).sum().backward()
    assert np.isnan(x.grad.numpy()).all()
    assert is_anomaly_check_nan_enabled()


def test_no_effect_when_disabled():
    assert not is_anomaly_enabled() and STATE.watch is None
    x = ag.tensor([0.0], requires_grad=True)
    y = x.sqrt() * 0
    assert "_anomaly_trace" not in y.grad_fn.__dict__
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        with np.errstate(all="ignore"):
            y.sum().backward()
    assert np.isnan(x.grad.numpy()).all()


def test_detect_anomaly_warns_when_made_and_nests():
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled. This mode will "
                      "increase the runtime and should only be enabled for debugging."):
        ctx = detect_anomaly(check_nan=False)
    with ctx:
        assert is_anomaly_enabled() and not is_anomaly_check_nan_enabled()
        with set_detect_anomaly(False):
            assert not is_anomaly_enabled()
            assert STATE.watch is None
        assert is_anomaly_enabled() and STATE.watch is not None
    assert not is_anomaly_enabled() and is_anomaly_check_nan_enabled()
    assert STATE.watch is None


def test_set_detect_anomaly_as_a_plain_call():
    set_detect_anomaly(True)
    try:
        assert is_anomaly_enabled()
        y = ag.tensor([1.0], requires_grad=True) * 2
        assert "_anomaly_trace" in y.grad_fn.__dict__
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_enabled() and STATE.watch is None


def test_decorator_form():
    with pytest.warns(UserWarning, match="Anomaly Detection"):
        @detect_anomaly()
        def step(x):
            assert is_anomaly_enabled()
            (x.sqrt() * 0).sum().backward()

    assert not is_anomaly_enabled()
    with warnings.catch_warnings(record=True):
        with pytest.raises(RuntimeError, match="'SqrtBackward0' returned nan values"):
            step(ag.tensor([0.0], requires_grad=True))
    assert not is_anomaly_enabled() and STATE.watch is None


def test_per_thread():
    seen = {}
    started, release = threading.Event(), threading.Event()

    def other():
        started.wait(30)
        seen["enabled"] = is_anomaly_enabled()
        y = ag.tensor([1.0], requires_grad=True) * 2
        seen["trace"] = "_anomaly_trace" in y.grad_fn.__dict__
        release.set()

    t = threading.Thread(target=other)
    t.start()
    with set_detect_anomaly(True):
        started.set()
        release.wait(30)
        assert is_anomaly_enabled()
    t.join(30)
    assert seen == {"enabled": False, "trace": False}


def test_double_backward_under_anomaly_mode():
    x = ag.tensor(3.0, requires_grad=True)
    with set_detect_anomaly(True), warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        y = x ** 3
        (dy,) = ag.grad(y, x, create_graph=True)
        (d2y,) = ag.grad(dy, x)
    assert (dy.item(), d2y.item()) == (27.0, 18.0)


def test_nan_in_double_backward_names_the_inducing_op(torch):
    def run(lib, anomaly):
        x = lib.tensor([0.0], requires_grad=True)
        with anomaly(True), np.errstate(all="ignore"):
            (dy,) = lib.autograd.grad(x.sqrt().sum(), x, create_graph=True)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with pytest.raises(RuntimeError) as info:
                    (dy * 0).sum().backward()
        return str(info.value), "\n".join(str(w.message) for w in caught)

    msg, warned = run(ag, set_detect_anomaly)
    assert msg == run(torch, torch.autograd.set_detect_anomaly)[0]
    assert "Previous calculation was induced by SqrtBackward0" in warned
    assert "x.sqrt().sum()" in warned
