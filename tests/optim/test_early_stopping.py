"""EarlyStopping: when it stops, which weights it keeps and restores."""
from __future__ import annotations

import io
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.serialization import load, save
from autograd_core.optim import EarlyStopping


class Model:
    """Only state_dict / load_state_dict, as the helper promises to need nothing else."""

    def __init__(self):
        self.w = ag.zeros(2, 2, requires_grad=True)
        self.n = ag.tensor(0)  # an int64 buffer, like num_batches_tracked
        self.loads = 0

    def state_dict(self):
        # like PyTorch: detached tensors that share memory with the live parameters
        return OrderedDict(w=self.w.detach(), n=self.n)

    def load_state_dict(self, sd):
        self.loads += 1
        with ag.no_grad():
            self.w.copy_(sd["w"])
            self.n.copy_(sd["n"])

    def train_epoch(self, value):
        with ag.no_grad():
            self.w.fill_(value)
            self.n.add_(1)


def run(stopper, model, losses):
    for epoch, loss in enumerate(losses):
        model.train_epoch(float(epoch))
        if stopper.step(loss, model):
            return epoch
    return None


def test_stops_after_patience_epochs_without_improvement():
    s = EarlyStopping(patience=3)
    assert [s.step(x) for x in [5, 4, 4.5, 4.2]] == [False] * 4
    assert s.step(4.0) is True  # 3 epochs in a row no better than 4
    assert (s.best_score, s.best_epoch, s.num_bad_epochs) == (4, 1, 3)
    assert s.step(0.1) is True  # once stopped, it stays stopped


def test_improvement_resets_the_count():
    s = EarlyStopping(patience=2)
    assert [s.step(x) for x in [3, 4, 2, 5, 1, 6, 7]] == [False] * 6 + [True]
    assert s.best_epoch == 4


def test_min_delta_and_mode_max():
    s = EarlyStopping(patience=2, min_delta=0.1)
    assert [s.step(x) for x in [1.0, 0.95, 0.91]] == [False, False, True]
    m = EarlyStopping(patience=1, mode="max")
    assert [m.step(x) for x in [0.5, 0.7, 0.6]] == [False, False, True]
    assert m.best_score == 0.7


def test_nan_is_never_an_improvement():
    s = EarlyStopping(patience=2)
    assert [s.step(x) for x in [1.0, float("nan"), float("nan")]] == [False, False, True]
    assert s.best_score == 1.0
    first = EarlyStopping(patience=2)
    assert first.step(float("nan")) is False  # a bad epoch, even with nothing to compare yet
    assert first.best_score is None and first.num_bad_epochs == 1


def test_patience_zero_stops_at_the_first_bad_epoch():
    s = EarlyStopping(patience=0)
    assert [s.step(x) for x in [2, 1, 1]] == [False, False, True]


def test_restores_best_weights_on_stop():
    model, s = Model(), EarlyStopping(patience=2)
    stopped = run(s, model, [3.0, 1.0, 2.0, 2.5, 0.1])
    assert stopped == 3 and s.best_epoch == 1
    assert model.w.tolist() == [[1.0, 1.0], [1.0, 1.0]]  # epoch 1's weights
    assert model.n.item() == 2 and model.n.dtype == np.int64
    assert model.loads == 1


def test_keeps_a_deep_copy_not_a_view():
    model, s = Model(), EarlyStopping(patience=5)
    run(s, model, [1.0, 2.0, 3.0])
    assert s.best_state["w"].tolist() == [[0.0, 0.0], [0.0, 0.0]]  # not epoch 2's values
    assert isinstance(s.best_state, OrderedDict)
    s.restore(model)
    assert model.w.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    model.train_epoch(9.0)  # the restored weights must not alias the snapshot
    assert s.best_state["w"].tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_restore_best_weights_false_leaves_the_model():
    model, s = Model(), EarlyStopping(patience=1, restore_best_weights=False)
    assert run(s, model, [1.0, 2.0]) == 1
    assert model.w.tolist()[0] == [1.0, 1.0] and model.loads == 0
    s.restore(model)  # still possible by hand
    assert model.w.tolist()[0] == [0.0, 0.0]


def test_state_dict_round_trip_through_save_load():
    model, s = Model(), EarlyStopping(patience=3, min_delta=0.01)
    run(s, model, [2.0, 1.0, 1.5])
    buf = io.BytesIO()
    save(s.state_dict(), buf)
    s2 = EarlyStopping()
    s2.load_state_dict(load(io.BytesIO(buf.getvalue())))
    assert (s2.patience, s2.min_delta, s2.best_score, s2.best_epoch, s2.num_bad_epochs,
            s2.epoch) == (3, 0.01, 1.0, 1, 1, 3)
    assert [s2.step(x) for x in [1.2, 1.3]] == [False, True]
    np.testing.assert_array_equal(s2.best_state["w"]._data, np.ones((2, 2), np.float32))


def test_errors():
    with pytest.raises(ValueError, match="patience must be an int >= 0, got -1"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="mode must be 'min' or 'max', got 'up'"):
        EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="min_delta"):
        EarlyStopping(min_delta=-0.1)
    s = EarlyStopping()
    with pytest.raises(RuntimeError, match="no best weights were recorded"):
        s.restore(Model())
    with pytest.raises(TypeError, match="state_dict"):
        s.step(1.0, model=object())
    with pytest.raises(TypeError, match="metric must be a number"):
        s.step("low")
    assert s.step(ag.tensor(0.5)) is False and s.best_score == 0.5
