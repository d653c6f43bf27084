"""Grad mode belongs to each thread, as in PyTorch: one thread's ``no_grad`` or backward
never stops another thread from recording its graph."""
from __future__ import annotations

import threading

import numpy as np

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F


def _run(*targets):
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # noqa: BLE001  (reported to the test)
                errors.append(e)
        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_does_not_stop_another_from_recording():
    model = nn.Linear(8, 4)
    x = ag.randn(16, 8)
    recorded = []
    stop = threading.Event()

    def evaluate():
        while not stop.is_set():
            with ag.no_grad():
                model(x)

    def train():
        try:
            for _ in range(300):
                loss = model(x).pow(2).mean()
                recorded.append(loss.requires_grad)
                loss.backward()
        finally:
            stop.set()

    _run(evaluate, train)
    assert recorded == [True] * 300


def test_backward_in_one_thread_does_not_switch_recording_off_in_another():
    w = ag.randn(32, 32, requires_grad=True)
    seen = []
    stop = threading.Event()

    def backward_loop():
        while not stop.is_set():
            (w @ w).tanh().sum().backward()

    def forward_loop():
        try:
            for _ in range(400):
                seen.append((w * 2).requires_grad)
        finally:
            stop.set()

    _run(backward_loop, forward_loop)
    assert seen == [True] * 400


def test_a_new_thread_starts_with_grad_enabled_whatever_the_caller_set():
    states = []
    with ag.no_grad():
        _run(lambda: states.append(ag.is_grad_enabled()))
        assert not ag.is_grad_enabled()
    ag.set_grad_enabled(False)
    try:
        _run(lambda: states.append(ag.is_grad_enabled()))
    finally:
        ag.set_grad_enabled(True)
    assert states == [True, True]


def test_four_threads_run_conv2d_forward_and_backward_correctly():
    rng = np.random.default_rng(0)
    cases = [(rng.standard_normal((4, 3, 12, 12)), rng.standard_normal((5, 3, 3, 3)))
             for _ in range(4)]

    def reference(xa, wa):
        x = ag.tensor(xa, requires_grad=True)
        w = ag.tensor(wa, requires_grad=True)
        F.conv2d(x, w, padding=1).relu().sum().backward()
        return x.grad.numpy(), w.grad.numpy()

    expected = [reference(*c) for c in cases]
    got: dict = {}

    def worker(k):
        def run():
            for _ in range(40):
                got[k] = reference(*cases[k])
        return run

    _run(*[worker(k) for k in range(4)])
    for k in range(4):
        for a, b in zip(got[k], expected[k]):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_two_threads_backward_through_separate_graphs():
    results = {}

    def make(k):
        def run():
            x = ag.tensor(np.arange(6.0).reshape(2, 3) + k, requires_grad=True)
            for _ in range(200):
                x.grad = None
                ((x * x).sum() * (k + 1)).backward()
            results[k] = x.grad.numpy().copy()
        return run

    _run(make(0), make(1))
    for k in (0, 1):
        np.testing.assert_allclose(results[k], 2 * (np.arange(6.0).reshape(2, 3) + k) * (k + 1))
