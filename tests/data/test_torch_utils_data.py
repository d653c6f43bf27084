"""PyTorch's ``torch.utils.data`` import paths and semantics (issue #14):
``autograd_core.utils.data`` and its submodules are real modules holding the one
copy of each class; samplers draw lazily (an "infinite" ``RandomSampler`` takes
no memory); ``DataLoader`` accepts every keyword of PyTorch's signature, with
PyTorch's errors and warnings."""
from __future__ import annotations

import importlib
import inspect
import itertools
import multiprocessing
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import autograd_core.data as data_pkg
import autograd_core.utils.data as udata
from autograd_core.utils.data import (
    BatchSampler,
    ChainDataset,
    DataLoader,
    DistributedSampler,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    StackDataset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    get_worker_info,
)
from autograd_core.utils.data.sampler import _rebatch
from tests.helpers import REPO, missing_hints, peak_bytes

SUBMODULES = ("dataset", "sampler", "dataloader", "distributed")
HUGE = 10**10


def _tds(n: int) -> TensorDataset:
    return TensorDataset(ag.from_numpy(np.arange(2 * n, dtype=np.float32).reshape(n, 2)),
                         ag.from_numpy(np.arange(n)))


def _outcome(fn):
    """("ok", value) or (exception type name, message), with the warnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", fn())
        except Exception as e:  # noqa: BLE001 - the outcome is what is compared
            result = (type(e).__name__, str(e))
    return result, [str(w.message) for w in caught]


# ================================================================ import paths
def test_the_import_statements_of_ported_scripts_work_in_a_fresh_interpreter():
    code = "\n".join([
        "import autograd_core.utils.data",
        "import autograd_core.utils.data as data",
        "import autograd_core.utils.data.distributed",
        "from autograd_core.utils.data import DataLoader, Dataset, Subset",
        "from autograd_core.utils.data.dataloader import DataLoader as DL, default_collate",
        "from autograd_core.utils.data.dataset import TensorDataset, random_split",
        "from autograd_core.utils.data.sampler import RandomSampler, WeightedRandomSampler",
        "from autograd_core.utils.data.distributed import DistributedSampler",
        "from autograd_core.utils.data import get_worker_info",
        "import autograd_core.data as D",
        "assert DL is DataLoader is D.DataLoader is autograd_core.utils.data.DataLoader",
        "assert data.distributed.DistributedSampler is DistributedSampler",
        "print('ok')",
    ])
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.parametrize("name", udata.__all__)
def test_each_name_is_one_object_on_every_path(name):
    obj = getattr(udata, name)
    assert getattr(data_pkg, name) is obj
    assert getattr(ag.utils.data, name) is obj
    home = obj.__module__
    assert home.startswith("autograd_core.utils.data."), home  # defined once, under utils.data
    assert getattr(importlib.import_module(home), name) is obj


@pytest.mark.parametrize("sub", SUBMODULES)
def test_each_submodule_exports_what_pytorchs_does(torch, sub):
    theirs = importlib.import_module(f"torch.utils.data.{sub}")
    ours = importlib.import_module(f"autograd_core.utils.data.{sub}")
    assert sorted(ours.__all__) == sorted(theirs.__all__)
    assert set(ours.__all__) <= set(udata.__all__)


def test_the_package_exports_pytorchs_names_but_datapipes(torch):
    datapipes = {"DFIterDataPipe", "DataChunk", "IterDataPipe", "MapDataPipe", "_DatasetKind",
                 "argument_validation", "functional_datapipe", "guaranteed_datapipes_determinism",
                 "non_deterministic", "runtime_validation", "runtime_validation_disabled"}
    assert set(udata.__all__) == set(torch.utils.data.__all__) - datapipes
    assert udata.__all__ == sorted(udata.__all__)
    assert set(udata.__all__) <= set(data_pkg.__all__)


@pytest.mark.parametrize("sub", SUBMODULES + ("collate",))
def test_public_api_has_type_hints_and_examples(sub):
    name = f"autograd_core.utils.data.{sub}"
    module = importlib.import_module(name)
    no_example, no_hints = [], []
    for attr in module.__all__:
        obj = getattr(module, attr)
        if obj.__module__ != name:
            continue  # re-exported: checked where it is defined
        if inspect.isfunction(obj):
            no_hints += missing_hints(f"{name}.{attr}", obj)
        else:
            no_hints += [h for meth, member in vars(obj).items() if inspect.isfunction(member)
                         and (not meth.startswith("_") or meth == "__init__")
                         for h in missing_hints(f"{name}.{attr}.{meth}", member)]
        if ">>>" not in (obj.__doc__ or ""):
            no_example.append(attr)
    assert no_example == [] and no_hints == []


# ============================================================== lazy samplers
def test_random_sampler_with_replacement_and_1e10_samples_draws_lazily():
    s = RandomSampler(range(1000), replacement=True, num_samples=HUGE)
    got: list = []
    peak = peak_bytes(lambda: got.extend(itertools.islice(iter(s), 1000)))
    assert len(s) == HUGE and len(got) == 1000 and all(0 <= i < 1000 for i in got)
    assert peak < 1_000_000


def test_weighted_sampler_with_1e10_samples_draws_lazily():
    w = np.ones(1000)
    w[::2] = 0.0
    s = WeightedRandomSampler(w, num_samples=HUGE)
    got: list = []
    peak = peak_bytes(lambda: got.extend(itertools.islice(iter(s), 1000)))
    assert len(got) == 1000 and all(i % 2 == 1 for i in got)
    assert peak < 4_000_000


def test_batch_sampler_over_an_endless_sampler_is_lazy():
    bs = BatchSampler(RandomSampler(range(10), replacement=True, num_samples=HUGE), 64, drop_last=False)
    batches: list = []
    peak = peak_bytes(lambda: batches.extend(itertools.islice(iter(bs), 20)))
    assert len(bs) == -(-HUGE // 64) and [len(b) for b in batches] == [64] * 20
    assert peak < 1_000_000


def test_infinite_loader_next_iter_and_restart_loop():
    """minGPT's trainer and makemore: a replacement sampler of 1e10 samples, batches read with
    next(); a StopIteration starts a new epoch."""
    ds = _tds(50)
    loader = DataLoader(ds, sampler=RandomSampler(ds, replacement=True, num_samples=int(1e10)),
                        shuffle=False, pin_memory=False, batch_size=8, num_workers=4)
    assert len(loader) == 1250000000
    xb, yb = next(iter(loader))
    assert xb.shape == (8, 2) and yb.shape == (8,)
    np.testing.assert_array_equal(xb.numpy()[:, 0], 2 * yb.numpy())

    def loop(loader, steps):
        seen, it = 0, iter(loader)
        for _ in range(steps):
            try:
                _, yb = next(it)
            except StopIteration:
                it = iter(loader)
                _, yb = next(it)
            seen += yb.shape[0]
        return seen

    peak = peak_bytes(lambda: loop(loader, 200))
    assert peak < 2_000_000
    short = DataLoader(ds, sampler=RandomSampler(ds, replacement=True, num_samples=20), batch_size=8)
    assert loop(short, 7) == 8 + 8 + 4 + 8 + 8 + 4 + 8  # three batches an epoch, then a new epoch


@pytest.mark.parametrize("n,k", [(7, 1), (7, 31), (7, 32), (5, 100), (1000, 1000), (3 * 2**30, 65)])
def test_replacement_stream_with_a_generator_is_the_whole_epoch_draw(n, k):
    """Drawing 32 at a time gives the same numbers as the former whole-epoch draw."""
    got = list(RandomSampler(range(n) if n < 10**6 else _Sized(n), replacement=True, num_samples=k,
                             generator=ag.Generator().manual_seed(3)))
    want = np.random.default_rng(3).integers(0, n, size=k, dtype=np.int64).tolist()
    assert got == want


class _Sized:
    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n


@pytest.mark.parametrize("n,k", [(5, None), (5, 3), (5, 12), (4, 8)])
def test_permutation_stream_with_a_generator_is_one_permutation_per_pass(n, k):
    g = ag.Generator().manual_seed(7)
    s = RandomSampler(range(n), num_samples=k, generator=g)
    k = n if k is None else k
    ref = np.random.default_rng(7)
    for _epoch in range(3):
        want = np.concatenate([ref.permutation(n) for _ in range(k // n)]
                              + ([ref.permutation(n)[: k % n]] if k % n else [])).tolist()
        assert list(s) == want


def test_generator_none_seeds_a_private_generator_from_the_global_one_each_epoch():
    s = RandomSampler(range(10), replacement=True, num_samples=100)
    ag.manual_seed(5)
    seed = int(ag.random.default_generator.np.integers(0, 2**63, dtype=np.int64))
    after_one_draw = ag.rand(3).numpy()
    ag.manual_seed(5)
    got = list(s)
    assert got == np.random.default_rng(seed).integers(0, 10, size=100).tolist()
    np.testing.assert_array_equal(ag.rand(3).numpy(), after_one_draw)  # one draw an epoch
    ag.manual_seed(5)
    it = iter(s)
    interleaved = []
    for i in it:  # other draws from the global generator during the epoch change nothing
        interleaved.append(i)
        ag.rand(2)
    assert interleaved == got


def test_pytorch_also_advances_the_global_generator_by_one_draw_an_epoch(torch):
    torch.manual_seed(5)
    list(torch.utils.data.RandomSampler(range(10), replacement=True, num_samples=1000))
    a = torch.rand(3)
    torch.manual_seed(5)
    torch.empty((), dtype=torch.int64).random_()
    assert torch.equal(a, torch.rand(3))


def test_nothing_is_drawn_before_the_first_index():
    g = ag.Generator().manual_seed(1)
    state = g.get_state()
    for s in (RandomSampler(range(5), generator=g), RandomSampler(range(5), True, 99, generator=g),
              WeightedRandomSampler([1.0, 2.0], 5, generator=g), SubsetRandomSampler([1, 2], generator=g)):
        it = iter(s)
        iter(DataLoader(range(5), sampler=s, batch_size=2))
        assert g.get_state() == state
        next(it)
        assert g.get_state() != state
        g.set_state(state)


@pytest.mark.parametrize("k", [5, 16384, 40000])
def test_weighted_draws_are_those_of_multinomial(k):
    w = np.array([0.5, 0.0, 2.0, 1.0, 3.5])
    got = list(WeightedRandomSampler(w, k, generator=ag.Generator().manual_seed(2)))
    want = ag.tensor(w).multinomial(k, True, generator=ag.Generator().manual_seed(2)).numpy().tolist()
    assert got == want
    no_rep = list(WeightedRandomSampler(w, 4, replacement=False, generator=ag.Generator().manual_seed(2)))
    assert no_rep == ag.tensor(w).multinomial(4, False, generator=ag.Generator().manual_seed(2)).numpy().tolist()
    assert sorted(no_rep) == [0, 2, 3, 4]


def test_weighted_sampler_frequencies():
    s = WeightedRandomSampler([1.0, 3.0], 40000, generator=ag.Generator().manual_seed(0))
    assert abs(np.mean(list(s)) - 0.75) < 0.01


@given(sizes=st.lists(st.integers(0, 9), max_size=12), size=st.integers(1, 7), drop_last=st.booleans())
def test_rebatch_is_plain_batching(sizes, size, drop_last):
    flat = list(range(sum(sizes)))
    starts = np.cumsum([0] + sizes)
    chunks = [np.arange(a, b) for a, b in zip(starts[:-1], starts[1:])]
    got = [b.tolist() for b in _rebatch(iter(chunks), size, drop_last)]
    want = [flat[i:i + size] for i in range(0, len(flat), size)]
    if drop_last and want and len(want[-1]) < size:
        want.pop()
    assert got == want


def test_loader_batches_are_the_samplers_indices_in_order():
    ds = _tds(30)
    for make in (lambda g: RandomSampler(ds, replacement=True, num_samples=77, generator=g),
                 lambda g: RandomSampler(ds, num_samples=45, generator=g),
                 lambda g: WeightedRandomSampler(np.arange(30.0), 50, generator=g),
                 lambda g: SubsetRandomSampler(list(range(0, 30, 3)), generator=g)):
        want = list(make(ag.Generator().manual_seed(4)))
        got = [i for _, yb in DataLoader(ds, batch_size=8, sampler=make(ag.Generator().manual_seed(4)))
               for i in yb.numpy().tolist()]
        assert got == want


def test_samplers_that_override_iter_are_respected():
    class Backwards(SequentialSampler):
        def __iter__(self):
            return iter(range(len(self.data_source) - 1, -1, -1))

    class Evens(RandomSampler):
        def __iter__(self):
            return (i for i in super().__iter__() if i % 2 == 0)

    ds = _tds(6)
    assert [yb.numpy().tolist() for _, yb in DataLoader(ds, batch_size=4, sampler=Backwards(ds))] == [
        [5, 4, 3, 2], [1, 0]]
    got = [i for _, yb in DataLoader(ds, batch_size=2, sampler=Evens(ds)) for i in yb.numpy().tolist()]
    assert sorted(got) == [0, 2, 4]


def test_sampler_errors_match_pytorch(torch):
    T = torch.utils.data
    cases = [
        lambda m: m.RandomSampler(range(3), num_samples=0),
        lambda m: m.RandomSampler([]),
        lambda m: m.RandomSampler(range(3), replacement=1),
        lambda m: m.WeightedRandomSampler([1.0, 2.0], 0),
        lambda m: m.WeightedRandomSampler([1.0, 2.0], True),
        lambda m: m.WeightedRandomSampler([1.0, 2.0], 3, replacement="yes"),
        lambda m: m.WeightedRandomSampler([[1.0, 2.0]], 3),
        lambda m: m.BatchSampler(range(3), 0, False),
        lambda m: m.BatchSampler(range(3), 2, 1),
        lambda m: m.DistributedSampler(range(3), num_replicas=2, rank=2),
        lambda m: m.DistributedSampler(range(3), num_replicas=2, rank=-1),
    ]
    for case in cases:
        assert _outcome(lambda: case(udata)) == _outcome(lambda: case(T))


@pytest.mark.parametrize("n", [0, 1, 5, 10, 11])
@pytest.mark.parametrize("replicas", [1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_shares_match_pytorch(torch, n, replicas, drop_last):
    for rank in range(replicas):
        ours = DistributedSampler(range(n), num_replicas=replicas, rank=rank, shuffle=False, drop_last=drop_last)
        theirs = torch.utils.data.DistributedSampler(range(n), num_replicas=replicas, rank=rank, shuffle=False,
                                                     drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
        shuffled = DistributedSampler(range(n), num_replicas=replicas, rank=rank, drop_last=drop_last)
        assert len(list(shuffled)) == len(theirs)


def test_distributed_sampler_shuffles_by_seed_and_epoch_and_shares_do_not_overlap():
    shares = [DistributedSampler(range(12), num_replicas=3, rank=r, seed=4) for r in range(3)]
    first = [list(s) for s in shares]
    assert sorted(i for share in first for i in share) == list(range(12))
    assert first == [list(s) for s in shares]  # the same epoch gives the same order
    for s in shares:
        s.set_epoch(1)
    second = [list(s) for s in shares]
    assert second != first and sorted(i for share in second for i in share) == list(range(12))
    with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
        DistributedSampler(range(12))


# ========================================================= DataLoader keywords
def test_dataloader_signature_is_pytorchs(torch):
    ours = inspect.signature(DataLoader).parameters
    theirs = inspect.signature(torch.utils.data.DataLoader).parameters
    assert list(ours) == list(theirs)
    for name, p in theirs.items():
        assert (ours[name].kind, ours[name].default) == (p.kind, p.default), name


_CONSTRUCTION_CASES = [
    dict(num_workers=-1),
    dict(timeout=-1),
    dict(prefetch_factor=2),
    dict(num_workers=2, prefetch_factor=-1),
    dict(persistent_workers=True),
    dict(multiprocessing_context="spawn"),
    dict(num_workers=2, multiprocessing_context="bogus"),
    dict(num_workers=2, multiprocessing_context=3),
    dict(sampler=[0, 1], shuffle=True),
    dict(batch_sampler=[[0, 1]], batch_size=2),
    dict(batch_sampler=[[0, 1]], shuffle=True),
    dict(batch_sampler=[[0, 1]], sampler=[0]),
    dict(batch_sampler=[[0, 1]], drop_last=True),
    dict(batch_size=None, drop_last=True),
    dict(batch_size=0),
    dict(drop_last=1),
]


@pytest.mark.parametrize("kwargs", _CONSTRUCTION_CASES, ids=lambda kw: ",".join(kw))
def test_dataloader_argument_errors_match_pytorch(torch, kwargs):
    ours = _outcome(lambda: DataLoader(_tds(4), **kwargs) and None)
    theirs = _outcome(lambda: torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.arange(4)),
                                                         **kwargs) and None)
    assert ours == theirs and ours[0][0] != "ok"


class _Stream(IterableDataset):
    def __init__(self, n: int = 7, length: int | None = None) -> None:
        self.n, self.length = n, length

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self) -> int:
        if self.length is None:
            raise TypeError(f"object of type '{type(self).__name__}' has no len()")
        return self.length


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[1]), dict(batch_sampler=[[0]])],
                         ids=lambda kw: ",".join(kw))
def test_iterable_dataset_errors_match_pytorch(torch, kwargs):
    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(7))

    ours = _outcome(lambda: DataLoader(_Stream(), **kwargs) and None)
    theirs = _outcome(lambda: torch.utils.data.DataLoader(TorchStream(), **kwargs) and None)
    assert ours == theirs and ours[0][0] == "ValueError"


def test_every_keyword_is_accepted_and_kept():
    ds = _tds(10)
    gen = ag.Generator().manual_seed(0)
    called: list = []
    loader = DataLoader(ds, 4, True, None, None, 2, None, True, True, 5.0, called.append, "spawn", gen,
                        prefetch_factor=3, persistent_workers=True, pin_memory_device="", in_order=False)
    assert (loader.batch_size, loader.num_workers, loader.pin_memory, loader.drop_last, loader.timeout) == (
        4, 2, True, True, 5.0)
    assert loader.generator is gen and loader.worker_init_fn == called.append
    assert isinstance(loader.multiprocessing_context, multiprocessing.context.BaseContext)
    assert loader.multiprocessing_context.get_start_method() == "spawn"
    assert (loader.prefetch_factor, loader.persistent_workers, loader.in_order) == (3, True, False)
    assert DataLoader(ds, num_workers=1).prefetch_factor == 2 and DataLoader(ds).prefetch_factor is None
    with pytest.warns(UserWarning, match="no accelerator is found"):
        batches = [yb.numpy().tolist() for _, yb in loader]
    assert [len(b) for b in batches] == [4, 4] and len(loader) == 2
    assert called == []  # no worker processes, so worker_init_fn is never called


def test_num_workers_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loader = DataLoader(_tds(9), batch_size=4, num_workers=4, shuffle=True)
        assert [yb.shape[0] for _, yb in loader] == [4, 4, 1]


def test_iteration_time_warnings_and_errors_match_pytorch(torch):
    tds = torch.utils.data.TensorDataset(torch.arange(4))
    cases = [dict(pin_memory=True), dict(pin_memory=True, pin_memory_device="cuda"),
             dict(pin_memory=False, pin_memory_device="cuda"), dict(timeout=5), dict(timeout=5, num_workers=0)]
    for kwargs in cases:
        ours = _outcome(lambda: len(next(iter(DataLoader(_tds(4), **kwargs)))))
        theirs = _outcome(lambda: len(next(iter(torch.utils.data.DataLoader(tds, **kwargs)))))
        assert ours[0][0] == theirs[0][0] and ours[1] == theirs[1], kwargs
        if ours[0][0] != "ok":
            assert ours == theirs
    called: list = []
    list(torch.utils.data.DataLoader(tds, worker_init_fn=called.append))
    assert called == []  # PyTorch does not call it without workers either


def test_get_worker_info_is_none_outside_workers(torch):
    assert get_worker_info() is None and torch.utils.data.get_worker_info() is None

    class Sharded(IterableDataset):  # the pattern of PyTorch's documentation
        def __iter__(self):
            info = get_worker_info()
            if info is None:
                return iter(range(6))
            return iter(range(info.id, 6, info.num_workers))

    got = [b.numpy().tolist() for b in DataLoader(Sharded(), batch_size=4, num_workers=3)]
    assert got == [[0, 1, 2, 3], [4, 5]]


@pytest.mark.parametrize("kwargs", [dict(batch_size=None), dict(batch_size=2), dict(batch_size=2, drop_last=True),
                                    dict(batch_size=3)], ids=str)
@pytest.mark.parametrize("n,length", [(7, 5), (4, 5), (7, 7)])
def test_len_with_an_iterable_dataset_matches_pytorch(torch, kwargs, n, length):
    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(n))

        def __len__(self):
            return length

    def run(loader):
        size = len(loader)
        return size, len(list(loader))

    ours = _outcome(lambda: run(DataLoader(_Stream(n, length), **kwargs)))
    theirs = _outcome(lambda: run(torch.utils.data.DataLoader(TorchStream(), **kwargs)))
    assert ours[0] == theirs[0]
    assert len(ours[1]) == len(theirs[1])  # a warning for each item past the reported length
    assert all("was reported to be" in w for w in ours[1])
    with pytest.raises(TypeError):
        len(DataLoader(_Stream(), **kwargs))
    with warnings.catch_warnings():  # without len(loader) first, nothing is compared
        warnings.simplefilter("error")
        list(DataLoader(_Stream(n, length), **kwargs))


# ============================================================ more datasets
def test_chain_and_stack_datasets(torch):
    a, b = _Stream(2, 2), _Stream(3, 3)
    chained = a + b
    assert isinstance(chained, ChainDataset) and list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(ChainDataset([a, [1, 2]]))
    st_ = StackDataset([1, 2, 3], "abc")
    assert st_[2] == (3, "c") and len(st_) == 3 and st_.__getitems__([0, 2]) == [(1, "a"), (3, "c")]
    sd = StackDataset(x=[1, 2], y="ab")
    assert sd.__getitems__([1]) == [{"x": 2, "y": "b"}]
    batch = next(iter(DataLoader(StackDataset(ag.arange(4.0), list(range(4))), batch_size=3)))
    assert batch[0].numpy().tolist() == [0.0, 1.0, 2.0] and batch[1].numpy().tolist() == [0, 1, 2]
    for args, kwargs in [((), {}), (([1], "ab"), {}), (([1],), {"y": [2]})]:
        assert _outcome(lambda: StackDataset(*args, **kwargs)) == _outcome(
            lambda: torch.utils.data.StackDataset(*args, **kwargs))
