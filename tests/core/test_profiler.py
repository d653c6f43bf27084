"""The autograd profiler (``torch.autograd.profiler``) and ``torch.profiler`` basics:
per-op counts and times of forward and backward, ``record_function`` rows, the table,
the Chrome trace, and nothing recorded when disabled."""
from __future__ import annotations

import json
import os

import autograd_core as ag
from autograd_core import nn
from autograd_core.autograd.grad_mode import STATE
from autograd_core.autograd.profiler import profile, record_function
from autograd_core.profiler import ProfilerActivity, schedule
from autograd_core.profiler import profile as torch_profile


def _model():
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))


def _step(model, x):
    loss = model(x).sum()
    loss.backward()


def _rows(prof):
    return {r.key: r for r in prof.key_averages()}


def test_counts_and_times_of_forward_and_backward():
    model, x = _model(), ag.randn(3, 4)
    with profile() as one:
        _step(model, x)
    with profile() as two:
        _step(model, x)
        _step(model, x)
    rows1, rows2 = _rows(one), _rows(two)
    assert rows1.keys() == rows2.keys()
    assert any(k.startswith("aten::") for k in rows1)
    backward = [k for k in rows1 if k.endswith("Backward0")]
    assert backward, rows1.keys()
    for k, r in rows1.items():
        assert rows2[k].count == 2 * r.count
        assert r.cpu_time_total > 0
        assert 0 <= r.self_cpu_time_total <= r.cpu_time_total + 1e-6
        assert abs(r.cpu_time - r.cpu_time_total / r.count) < 1e-6
    assert STATE.watch is None and STATE.profiler is None


def test_record_function_rows_hold_their_ops():
    model, x = _model(), ag.randn(3, 4)
    with profile() as prof:
        with record_function("forward_pass"):
            loss = model(x).sum()
        with record_function("backward_pass"):
            loss.backward()
    rows = _rows(prof)
    fwd, bwd = rows["forward_pass"], rows["backward_pass"]
    assert fwd.count == bwd.count == 1
    ops = sum(r.cpu_time_total for k, r in rows.items() if k.startswith("aten::"))
    assert fwd.self_cpu_time_total < fwd.cpu_time_total
    assert fwd.cpu_time_total >= ops * 0.5  # the forward ops ran inside the block
    grads = sum(r.cpu_time_total for k, r in rows.items() if k.endswith("Backward0"))
    assert bwd.cpu_time_total >= grads
    total_self = sum(r.self_cpu_time_total for r in rows.values())
    assert abs(total_self - prof.self_cpu_time_total) < 1e-6


def test_record_function_decorator_and_no_profiler():
    @record_function("block")
    def f(t):
        return t * 2

    assert f(ag.ones(2)).tolist() == [2.0, 2.0]  # no profiler: nothing happens
    with profile() as prof:
        f(ag.ones(2))
        f(ag.ones(2))
    assert _rows(prof)["block"].count == 2


def test_table_text():
    model, x = _model(), ag.randn(3, 4)
    with profile() as prof:
        _step(model, x)
    text = prof.key_averages().table(sort_by="cpu_time_total", row_limit=3)
    lines = text.strip().splitlines()
    assert "Name" in lines[1] and "CPU total" in lines[1] and "# of Calls" in lines[1]
    assert lines[-1].startswith("Self CPU time total:")
    assert len(lines) == 3 + 3 + 2  # header, three rows, rule and total
    totals = sorted(prof.key_averages(), key=lambda r: r.cpu_time_total, reverse=True)
    assert [ln.split()[0] for ln in lines[3:6]] == [r.key for r in totals[:3]]
    assert "aten::" in prof.table()


def test_chrome_trace_is_valid_json(tmp_path):
    model, x = _model(), ag.randn(3, 4)
    with profile(record_shapes=True) as prof:
        with record_function("step"):
            _step(model, x)
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    assert os.listdir(tmp_path) == ["trace.json"]  # no temporary file left behind
    trace = json.loads(path.read_text())
    events = trace["traceEvents"]
    assert len(events) == len(prof.events())
    assert {e["ph"] for e in events} == {"X"}
    assert all(e["dur"] >= 0 and e["ts"] >= 0 for e in events)
    names = {e["name"] for e in events}
    assert "step" in names and any(n.endswith("Backward0") for n in names)
    assert any("Input Dims" in e["args"] for e in events)


def test_nothing_recorded_when_disabled():
    model, x = _model(), ag.randn(3, 4)
    with profile(enabled=False) as prof:
        assert STATE.watch is None
        _step(model, x)
    assert len(prof.events()) == 0 and prof.key_averages().table() == "No events recorded."
    with profile() as prof:
        pass
    _step(model, x)  # after the block
    assert len(prof.events()) == 0
    assert STATE.watch is None and STATE.profiler is None


def test_torch_profiler_basics():
    model, x = _model(), ag.randn(3, 4)
    seen = []
    with torch_profile(activities=[ProfilerActivity.CPU], record_shapes=True,
                       schedule=schedule(wait=1, warmup=1, active=2),
                       on_trace_ready=seen.append) as prof:
        for _ in range(3):
            with record_function("train_step"):
                _step(model, x)
            prof.step()
    assert seen == [prof] and prof.step_num == 3
    assert _rows(prof)["train_step"].count == 3
    assert STATE.watch is None
