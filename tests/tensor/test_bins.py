"""searchsorted, bucketize and histc (autograd_core/tensor/bins.py) against PyTorch: values,
dtypes, the right/side/sorter/out_int32 options, and PyTorch's errors."""
import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import raises_like

rng = np.random.default_rng(5)


def same(ours, theirs):
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


SEQ = np.array([1.0, 3.0, 5.0, 5.0, 7.0, 9.0])
VALUES = np.array([[0.0, 3.0, 5.0], [6.0, 9.0, 10.0]])


@pytest.mark.parametrize("kw", [{}, dict(right=True), dict(side="right"), dict(side="left"),
                                dict(out_int32=True), dict(right=True, side="right")])
def test_searchsorted_as_torch(torch, kw):
    for seq, values in [(SEQ, VALUES), (SEQ, 5.0), (SEQ, np.array(4.0)),
                        (np.sort(rng.standard_normal((2, 3, 7)), -1), rng.standard_normal((2, 3, 4))),
                        (np.array([[1, 3, 5], [2, 4, 6]]), np.array([[3, 6], [1, 4]])),
                        (SEQ.astype(np.float32), VALUES), (SEQ, np.zeros((0,)))]:
        def v(m):
            return values if isinstance(values, float) else m.tensor(values)
        same(ag.searchsorted(ag.tensor(seq), v(ag), **kw),
             torch.searchsorted(torch.tensor(seq), v(torch), **kw))


def test_searchsorted_with_sorter_as_torch(torch):
    seq = rng.standard_normal(8)
    for side in ("left", "right"):
        values = np.concatenate([seq[:3], rng.standard_normal(5)])
        same(ag.searchsorted(ag.tensor(seq), ag.tensor(values), side=side,
                             sorter=ag.tensor(seq).argsort()),
             torch.searchsorted(torch.tensor(seq), torch.tensor(values), side=side,
                                sorter=torch.tensor(seq).argsort()))
    rows = rng.standard_normal((3, 5))
    same(ag.searchsorted(ag.tensor(rows), ag.tensor(rows[:, :2] + 0.1),
                         sorter=ag.tensor(rows).argsort(-1)),
         torch.searchsorted(torch.tensor(rows), torch.tensor(rows[:, :2] + 0.1),
                            sorter=torch.tensor(rows).argsort(-1)))


def test_searchsorted_errors_as_torch(torch):
    for make in [lambda m: m.searchsorted(m.tensor(SEQ), m.tensor(VALUES), side="foo"),
                 lambda m: m.searchsorted(m.tensor(SEQ), m.tensor(VALUES), side="left",
                                          right=True),
                 lambda m: m.searchsorted(m.tensor([[1, 2], [3, 4]]), m.tensor([[1, 2, 3]])),
                 lambda m: m.searchsorted(m.tensor([[1, 2], [3, 4]]), m.tensor([1, 2])),
                 lambda m: m.searchsorted(m.tensor(SEQ), m.tensor(VALUES),
                                          sorter=m.tensor(SEQ).argsort().int()),
                 lambda m: m.bucketize(m.tensor(VALUES), m.tensor([[1.0, 2.0]]))]:
        raises_like(lambda: make(ag), lambda: make(torch))


@pytest.mark.parametrize("kw", [{}, dict(right=True), dict(out_int32=True)])
def test_bucketize_as_torch(torch, kw):
    bounds = np.array([-1.0, 0.0, 0.5, 2.0])
    for values in [rng.standard_normal((3, 4)), np.array([-1.0, 0.0, 0.5, 2.0, 3.0]), 0.5]:
        def v(m):
            return values if isinstance(values, float) else m.tensor(values)
        same(ag.bucketize(v(ag), ag.tensor(bounds), **kw),
             torch.bucketize(v(torch), torch.tensor(bounds), **kw))


@pytest.mark.parametrize("data,kw", [
    ([1.0, 2.0, 1.0], dict(bins=4, min=0, max=3)), ([1.0, 2.0, 1.0, 5.0, -1.0], dict(bins=4)),
    ([2.0, 2.0], dict(bins=3)), ([], dict(bins=3)), ([0.1 * i for i in range(31)],
                                                     dict(bins=30, min=0, max=3)),
    ("normal32", dict(bins=7)), ("normal64", dict(bins=10, min=-1, max=1)),
    ("normal64", dict())])
def test_histc_as_torch(torch, data, kw):
    if data == "normal32":
        a = rng.standard_normal(1000).astype(np.float32)
    elif data == "normal64":
        a = rng.standard_normal(1000)
    else:
        a = np.array(data, dtype=np.float32)
    same(ag.histc(ag.tensor(a), **kw), torch.histc(torch.tensor(a), **kw))
    same(ag.tensor(a).histc(**kw), torch.tensor(a).histc(**kw))
    assert not ag.histc(ag.tensor(a, requires_grad=True), **kw).requires_grad  # counts


def test_histc_errors_as_torch(torch):
    for make in [lambda m: m.histc(m.tensor([1, 2, 1]), bins=4),
                 lambda m: m.histc(m.tensor([1.0, 2.0]), bins=0),
                 lambda m: m.histc(m.tensor([1.0, 2.0]), bins=3, min=2, max=1),
                 lambda m: m.histc(m.tensor([1.0, float("inf")]), bins=3)]:
        raises_like(lambda: make(ag), lambda: make(torch))
    with pytest.raises(RuntimeError, match="histc: range of .* is not finite"):
        ag.histc(ag.tensor([1.0, float("nan")]), bins=3)
