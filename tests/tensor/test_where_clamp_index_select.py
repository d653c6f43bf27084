"""where with numbers (PyTorch's result dtypes) and with the condition alone, clamp with
tensor bounds (values and gradients), and index_select's exception types, against PyTorch."""
import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import Draw

draw = Draw(11)
rng, parity = draw.rng, draw.parity

COND = np.array([[True, False, True], [False, True, False]])


@pytest.mark.parametrize("make", [
    lambda m, c: m.where(c, 1, 0), lambda m, c: m.where(c, 1.0, 0),
    lambda m, c: m.where(c, True, False), lambda m, c: m.where(c, 2.5, -1.0),
    lambda m, c: m.where(c, m.ones(3, dtype=m.float64), 0),
    lambda m, c: m.where(c, 1, m.ones(2, 3, dtype=m.float64)),
    lambda m, c: m.where(c, m.ones(3, dtype=m.int32), 0),
    lambda m, c: m.where(c, m.ones(3, dtype=m.int32), 0.5),
    lambda m, c: m.where(c, m.ones(3, dtype=m.int32), m.tensor(7)),
    lambda m, c: m.where(c, 1, m.tensor(2.5)), lambda m, c: m.where(c, m.tensor(1), m.tensor(2.0)),
    lambda m, c: m.where(c, m.ones(3, dtype=m.uint8), m.tensor(-1)),
    lambda m, c: m.ones(2, 3).where(c, 0)])
def test_where_with_numbers_takes_torchs_dtype(torch, make):
    ours, theirs = make(ag, ag.tensor(COND)), make(torch, torch.tensor(COND))
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_where_with_the_condition_alone_is_nonzero_as_tuple(torch):
    for c in [COND, np.array([1, 0, 2]), np.array(1), np.zeros((2, 0)), rng.random((2, 3, 4)) > .5]:
        ours, theirs = ag.where(ag.tensor(c)), torch.where(torch.tensor(c))
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            np.testing.assert_array_equal(o.numpy(), t.numpy())
            assert o.dtype == np.int64


def test_where_gradients_and_errors_as_torch(torch):
    parity(torch, lambda x: ag.where(ag.tensor(COND), x, 0.5),
           lambda x: torch.where(torch.tensor(COND), x, 0.5), rng.standard_normal((2, 3)))
    parity(torch, lambda x, y: ag.where(ag.tensor(COND), x, y),
           lambda x, y: torch.where(torch.tensor(COND), x, y), rng.standard_normal((2, 3)),
           rng.standard_normal(3))
    with pytest.raises(RuntimeError) as theirs:
        torch.where(torch.tensor([1, 0]), 1, 0)
    with pytest.raises(RuntimeError) as ours:
        ag.where(ag.tensor([1, 0]), 1, 0)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(TypeError):
        torch.where(torch.tensor(COND), torch.ones(3))
    with pytest.raises(TypeError, match="where"):
        ag.where(ag.tensor(COND), ag.ones(3))


@pytest.mark.parametrize("lo,hi", [((3,), (3,)), ((2, 1), (3,)), ((3,), None), (None, (2, 3)),
                                   ((), ())])
def test_clamp_with_tensor_bounds_as_torch(torch, lo, hi):
    x = rng.standard_normal((2, 3)) * 2
    arrays = [x] + [rng.standard_normal(s) - (0.5 if s is lo else -0.5)
                    for s in (lo, hi) if s is not None]

    def call(lib, x, *b):
        b = list(b)
        kw = {}
        if lo is not None:
            kw["min"] = b.pop(0)
        if hi is not None:
            kw["max"] = b.pop(0)
        return lib.clamp(x, **kw) if lib is torch else x.clamp(**kw)
    parity(torch, lambda *t: call(ag, *t), lambda *t: call(torch, *t), *arrays)


def test_clamp_mixing_a_tensor_and_a_number_is_a_type_error(torch):
    with pytest.raises(TypeError):
        torch.ones(2).clamp(min=torch.zeros(2), max=1.0)
    with pytest.raises(TypeError, match="clamp"):
        ag.ones(2).clamp(min=ag.zeros(2), max=1.0)
    with pytest.raises(RuntimeError, match="clamp"):
        ag.ones(2).clamp()


@pytest.mark.parametrize("shape,dim,index", [((3,), 0, [3]), ((3,), 0, [-1]), ((2, 3), 0, [2]),
                                             ((2, 3), 1, [3]), ((2, 3), 1, [0, 7]),
                                             ((2, 3, 4), 2, [4]), ((2, 3, 4), -1, [-5]),
                                             ((2, 3, 4), -2, [3]), ((2, 3, 4), 1, 7),
                                             ((2, 3), 0, [[0, 1]])])
def test_index_select_out_of_range_raises_torchs_type(torch, shape, dim, index):
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    with pytest.raises(Exception) as theirs:
        torch.tensor(x).index_select(dim, torch.tensor(index))
    with pytest.raises(type(theirs.value), match="index_select"):
        ag.tensor(x).index_select(dim, ag.tensor(index))
    with pytest.raises(RuntimeError, match="int32 or int64"):
        ag.tensor(x).index_select(0, ag.tensor([0.0]))
