"""PyTorch's data API (``autograd_core.utils.data``, also exported by ``autograd_core.data``):
TensorDataset, ConcatDataset, random_split, DataLoader (batching, shuffling, collation,
samplers) and default_collate, by hand and against PyTorch."""
from __future__ import annotations

import collections
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.data import (
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


# -------------------------------------------------------------------- TensorDataset
def _tds(n=10, d=3):
    x = ag.from_numpy(np.arange(n * d, dtype=np.float32).reshape(n, d))
    y = ag.from_numpy(np.arange(n, dtype=np.int64))
    return TensorDataset(x, y)


def test_tensor_dataset_indexing():
    ds = _tds()
    assert len(ds) == 10
    x, y = ds[3]
    assert x.numpy().tolist() == [9, 10, 11] and int(y.numpy()) == 3
    assert len(ds.tensors) == 2


def test_tensor_dataset_size_mismatch_error_names_sizes():
    with pytest.raises(ValueError, match=r"Size mismatch.*\[5, 4\]") as e:
        TensorDataset(ag.zeros(5, 2), ag.zeros(4))
    assert "(5, 2)" in str(e.value) and "(4,)" in str(e.value)
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(TypeError, match="argument 1 is list"):
        TensorDataset(ag.zeros(2), [1, 2])


def test_concat_and_add():
    a, b = _tds(4), _tds(3)
    c = a + b
    assert isinstance(c, ConcatDataset) and len(c) == 7
    assert int(c[4][1].numpy()) == 0 and int(c[-1][1].numpy()) == 2
    with pytest.raises(IndexError, match="out of range"):
        c[7]


# --------------------------------------------------------------------- random_split
def test_random_split_ints_disjoint_and_complete():
    ds = _tds(10)
    parts = random_split(ds, [6, 3, 1], generator=ag.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [6, 3, 1]
    idx = [i for p in parts for i in p.indices]
    assert sorted(idx) == list(range(10))
    assert all(isinstance(p, Subset) for p in parts)
    assert int(parts[0][0][1].numpy()) == parts[0].indices[0]


def test_random_split_fractions_as_pytorch():
    parts = random_split(range(11), [0.7, 0.2, 0.1], generator=ag.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [8, 2, 1]  # floor 7, 2, 1 + remainder to the first
    parts = random_split(range(10), [0.5, 0.5])
    assert [len(p) for p in parts] == [5, 5]
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(3), [0.9, 0.1])


def test_random_split_reproducible():
    a = random_split(range(50), [25, 25], generator=ag.Generator().manual_seed(4))
    b = random_split(range(50), [25, 25], generator=ag.Generator().manual_seed(4))
    c = random_split(range(50), [25, 25], generator=ag.Generator().manual_seed(5))
    assert a[0].indices == b[0].indices and a[0].indices != c[0].indices
    ag.manual_seed(9)
    d = random_split(range(50), [25, 25])
    ag.manual_seed(9)
    e = random_split(range(50), [25, 25])
    assert d[1].indices == e[1].indices


def test_random_split_errors():
    with pytest.raises(ValueError, match=r"add up to 9.*10 samples"):
        random_split(range(10), [5, 4])
    with pytest.raises(ValueError, match="not between 0 and 1"):
        random_split(range(10), [1.5, -0.5])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=5), st.integers(0, 1000))
def test_random_split_property(lengths, seed):
    n = sum(lengths)
    with warnings.catch_warnings():
        # ints adding up to 1 count as fractions (PyTorch's rule; same lengths), which warns on zeros
        warnings.simplefilter("ignore", UserWarning)
        parts = random_split(list(range(n)), lengths, generator=ag.Generator().manual_seed(seed))
    got = [list(p) for p in parts]
    assert [len(g) for g in got] == lengths
    flat = [i for g in got for i in g]
    assert sorted(flat) == list(range(n))


# ----------------------------------------------------------------------- DataLoader
def test_dataloader_batches_and_len():
    ds = _tds(10)
    loader = DataLoader(ds, batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [b[1].shape[0] for b in batches] == [4, 4, 2]
    x, y = batches[0]
    assert isinstance(x, ag.Tensor) and x.shape == (4, 3) and x.dtype == np.float32
    assert y.dtype == np.int64 and y.numpy().tolist() == [0, 1, 2, 3]
    assert isinstance(batches[0], list)  # as PyTorch's default_collate
    dl = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(dl) == 2 and [b[1].shape[0] for b in dl] == [4, 4]
    assert len(DataLoader(ds)) == 10  # batch_size defaults to 1


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 60), bs=st.integers(1, 70), drop_last=st.booleans(), shuffle=st.booleans(),
       seed=st.integers(0, 10_000))
def test_dataloader_len_and_epoch_coverage(n, bs, drop_last, shuffle, seed):
    ds = _tds(n, 2)
    loader = DataLoader(ds, batch_size=bs, shuffle=shuffle, drop_last=drop_last,
                        generator=ag.Generator().manual_seed(seed))
    expected_len = n // bs if drop_last else -(-n // bs)
    assert len(loader) == expected_len
    seen = [int(i) for _, yb in loader for i in yb.numpy()]
    assert len(list(iter(loader))) == expected_len
    if drop_last:
        assert len(seen) == expected_len * bs and len(set(seen)) == len(seen)
    else:
        assert sorted(seen) == list(range(n))  # every sample exactly once per epoch
    if not shuffle:
        assert seen == sorted(seen)


def test_dataloader_shuffle_reproducible_with_generator():
    ds = _tds(100)

    def order(loader):
        return [int(i) for _, yb in loader for i in yb.numpy()]

    l1 = DataLoader(ds, batch_size=7, shuffle=True, generator=ag.Generator().manual_seed(3))
    l2 = DataLoader(ds, batch_size=7, shuffle=True, generator=ag.Generator().manual_seed(3))
    e1, e2 = order(l1), order(l1)
    assert e1 == order(l2) and e2 == order(l2)  # same sequence of epochs
    assert e1 != e2  # a fresh order each epoch
    assert e1 != list(range(100)) and sorted(e1) == list(range(100))
    l3 = DataLoader(ds, batch_size=7, shuffle=True, generator=ag.Generator().manual_seed(4))
    assert order(l3) != e1


def test_dataloader_shuffle_uses_global_seed():
    ds = _tds(50)
    ag.manual_seed(11)
    a = [int(i) for _, yb in DataLoader(ds, batch_size=8, shuffle=True) for i in yb.numpy()]
    ag.manual_seed(11)
    b = [int(i) for _, yb in DataLoader(ds, batch_size=8, shuffle=True) for i in yb.numpy()]
    assert a == b and a != list(range(50))


def test_dataloader_fast_path_matches_per_sample_collation():
    rng = np.random.default_rng(0)
    x = ag.from_numpy(rng.normal(size=(23, 2, 3)).astype(np.float32))
    y = ag.from_numpy(rng.integers(0, 5, size=23))
    ds = TensorDataset(x, y)
    g = lambda: ag.Generator().manual_seed(1)  # noqa: E731
    fast = list(DataLoader(ds, batch_size=5, shuffle=True, generator=g()))
    slow = list(DataLoader(ds, batch_size=5, shuffle=True, generator=g(), collate_fn=default_collate))
    assert len(fast) == len(slow) == 5
    for (fx, fy), (sx, sy) in zip(fast, slow):
        assert fx.shape == sx.shape and fx.dtype == sx.dtype and fy.dtype == sy.dtype
        np.testing.assert_array_equal(fx.numpy(), sx.numpy())
        np.testing.assert_array_equal(fy.numpy(), sy.numpy())


def test_dataloader_tensor_dataset_reads_whole_batches(monkeypatch):
    ds = _tds(20)
    train, val = random_split(ds, [15, 5], generator=ag.Generator().manual_seed(0))

    def no_per_sample(self, index):
        raise AssertionError("DataLoader fetched a TensorDataset sample by sample")

    monkeypatch.setattr(TensorDataset, "__getitem__", no_per_sample)
    assert sum(yb.shape[0] for _, yb in DataLoader(ds, batch_size=6, shuffle=True)) == 20
    got = sorted(int(i) for _, yb in DataLoader(train, batch_size=4) for i in yb.numpy())
    assert got == sorted(train.indices)


def test_dataloader_respects_overridden_getitem():
    class Doubled(TensorDataset):
        def __getitem__(self, i):
            x, y = super().__getitem__(i)
            return x * 2, y

    ds = Doubled(ag.from_numpy(np.ones((4, 2), np.float32)), ag.from_numpy(np.arange(4)))
    xb, _ = next(iter(DataLoader(ds, batch_size=4)))
    assert xb.numpy().tolist() == [[2, 2]] * 4


def test_dataloader_generic_dataset_and_collation():
    Point = collections.namedtuple("Point", "x label")

    class Mixed(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"img": np.full((2, 2), i, np.float32), "n": i, "w": 0.5 * i, "name": f"s{i}",
                    "p": Point(float(i), i % 2), "pair": (ag.tensor([float(i)]), True)}

    b = next(iter(DataLoader(Mixed(), batch_size=3)))
    assert b["img"].shape == (3, 2, 2) and b["img"].dtype == np.float32
    assert b["n"].dtype == np.int64 and b["n"].numpy().tolist() == [0, 1, 2]
    assert b["w"].dtype == np.float64
    assert b["name"] == ["s0", "s1", "s2"]
    assert isinstance(b["p"], Point) and b["p"].label.numpy().tolist() == [0, 1, 0]
    assert isinstance(b["pair"], list) and b["pair"][0].shape == (3, 1)
    assert b["pair"][1].dtype == np.bool_
    last = list(DataLoader(Mixed(), batch_size=3))[-1]
    assert last["n"].numpy().tolist() == [3, 4]


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match=r"equal size.*\(3,\).*\(4,\) at sample 1"):
        default_collate([ag.zeros(3), ag.zeros(4)])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (1, 2, 3)])
    with pytest.raises(TypeError, match="found NoneType"):
        default_collate([None, None])


def test_dataloader_no_batching_and_iterable():
    ds = _tds(3)
    items = list(DataLoader(ds, batch_size=None))
    assert len(items) == 3 and items[1][0].shape == (3,)

    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

    batches = [b.numpy().tolist() for b in DataLoader(Stream(), batch_size=3)]
    assert batches == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.numpy().tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=True)] == [
        [0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="IterableDataset: expected unspecified shuffle"):
        DataLoader(Stream(), shuffle=True)
    with pytest.raises(TypeError, match="without one"):
        len(DataLoader(Stream(), batch_size=2))


def test_dataloader_argument_errors():
    ds = _tds(4)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_size=2, batch_sampler=[[0, 1]])
    with pytest.raises(ValueError, match="mutually exclusive with drop_last"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with warnings.catch_warnings():  # num_workers > 0 loads in this process, silently, as PyTorch warns nothing
        warnings.simplefilter("error")
        assert DataLoader(ds, num_workers=2).num_workers == 2


def test_dataloader_custom_sampler_and_batch_sampler():
    ds = _tds(6)
    ys = [yb.numpy().tolist() for _, yb in DataLoader(ds, batch_size=2, sampler=[5, 4, 3, 2, 1, 0])]
    assert ys == [[5, 4], [3, 2], [1, 0]]
    dl = DataLoader(ds, batch_sampler=[[0, 5], [1, 2, 3]])
    assert [yb.numpy().tolist() for _, yb in dl] == [[0, 5], [1, 2, 3]] and len(dl) == 2


# ------------------------------------------------------------------- PyTorch parity
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(0, 200), k=st.integers(1, 5), seed=st.integers(0, 1000))
def test_random_split_lengths_match_pytorch(torch, n, k, seed):
    rng = np.random.default_rng(seed)
    w = rng.random(k) + 0.05
    fracs = (w / w.sum()).tolist()
    fracs[-1] = 1 - sum(fracs[:-1])
    if not all(0 <= f <= 1 for f in fracs):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            want = [len(s) for s in torch.utils.data.random_split(range(n), fracs)]
        except ValueError:
            with pytest.raises(ValueError):
                random_split(range(n), fracs)
            return
        got = [len(s) for s in random_split(range(n), fracs)]
    assert got == want


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(0, 100), bs=st.integers(1, 40), drop_last=st.booleans(), shuffle=st.booleans())
def test_dataloader_len_and_batch_sizes_match_pytorch(torch, n, bs, drop_last, shuffle):
    try:
        tl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.arange(n)), batch_size=bs,
                                         drop_last=drop_last, shuffle=shuffle)
    except ValueError as e:  # PyTorch refuses to shuffle an empty dataset
        with pytest.raises(ValueError, match=re.escape(str(e))):
            DataLoader(TensorDataset(ag.from_numpy(np.arange(n))), batch_size=bs, drop_last=drop_last,
                       shuffle=shuffle)
        return
    ol = DataLoader(TensorDataset(ag.from_numpy(np.arange(n))), batch_size=bs, drop_last=drop_last,
                    shuffle=shuffle)
    assert len(ol) == len(tl)
    assert [b[0].shape[0] for b in ol] == [b[0].shape[0] for b in tl]


def test_default_collate_matches_pytorch(torch):
    from torch.utils.data import default_collate as torch_collate

    P = collections.namedtuple("P", "a b")
    batch = [{"f": 1.5, "i": 3, "b": True, "arr": np.ones((2,), np.float32), "p": P(1, 2.0), "s": "x"},
             {"f": 2.5, "i": 4, "b": False, "arr": np.zeros((2,), np.float32), "p": P(3, 4.0), "s": "y"}]
    ours, theirs = default_collate(batch), torch_collate(batch)
    for key in ("f", "i", "b", "arr"):
        assert ours[key].shape == tuple(theirs[key].shape)
        assert str(ours[key].dtype) == str(theirs[key].dtype).replace("torch.", "")
        np.testing.assert_array_equal(ours[key].numpy(), theirs[key].numpy())
    assert isinstance(ours["p"], P) and ours["p"].b.dtype == np.float64
    assert ours["s"] == theirs["s"] == ["x", "y"]
    pairs = [(np.ones(2), 1), (np.zeros(2), 0)]
    ours, theirs = default_collate(pairs), torch_collate(pairs)
    assert type(ours) is type(theirs) is list and len(ours) == len(theirs) == 2
