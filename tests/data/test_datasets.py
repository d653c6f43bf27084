"""autograd_core.data: the shipped datasets (digits, iris, mcycle) and the generated ones,
the IDX reader and writer, (Fashion-)MNIST from a folder of IDX files (small ones written
here), and the docstring examples of the data packages."""
from __future__ import annotations

import doctest
import gzip
import os
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import autograd_core.data as data_pkg
from autograd_core.data import (
    FASHION_MNIST_DIR,
    DataLoader,
    DatasetNotFoundError,
    Digits,
    FashionMNIST,
    IDXFormatError,
    Iris,
    MCycle,
    MNIST,
    load_digits,
    load_fashion_mnist,
    load_iris,
    load_mcycle,
    load_mnist,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
    read_idx,
    write_idx,
)
from tests.helpers import REPO


# ----------------------------------------------------------------- shipped datasets
def test_digits_shapes_dtypes_and_labels():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    assert np.array_equal(X, np.round(X))  # pixel counts are integers
    counts = np.bincount(y)
    assert len(counts) == 10 and counts.min() >= 170 and counts.sum() == 1797
    # the first UCI test-set digit is a 0
    assert y[0] == 0 and X[0, :8].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


def test_digits_images_and_copies():
    X, y = load_digits()
    imgs, y2 = load_digits(images=True)
    assert imgs.shape == (1797, 8, 8)
    assert np.array_equal(imgs.reshape(1797, 64), X) and np.array_equal(y, y2)
    X[:] = -1  # a caller's array is its own: the next load is unaffected
    y[:] = 99
    X3, y3 = load_digits()
    assert X3.min() == 0 and y3.max() == 9


def test_iris():
    X, y = load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float32
    assert y.shape == (150,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 50, 50]
    np.testing.assert_allclose(X[0], [5.1, 3.5, 1.4, 0.2], rtol=1e-6)
    np.testing.assert_allclose(X.min(0), [4.3, 2.0, 1.0, 0.1], rtol=1e-6)
    np.testing.assert_allclose(X.max(0), [7.9, 4.4, 6.9, 2.5], rtol=1e-6)
    assert data_pkg.IRIS_CLASSES == ("setosa", "versicolor", "virginica")


def test_mcycle():
    X, y = load_mcycle()
    assert X.shape == (133, 1) and X.dtype == np.float32
    assert y.shape == (133,) and y.dtype == np.float32
    assert X.min() == pytest.approx(2.4) and X.max() == pytest.approx(57.6)
    assert y.min() == -134 and y.max() == 75
    assert np.all(np.diff(X[:, 0]) >= 0)  # sorted by time
    assert (X[0, 0], y[0]) == (pytest.approx(2.4), 0.0)


def test_shipped_files_small_documented_and_packaged():
    files = sorted(p.name for p in data_pkg.FILES_DIR.iterdir())
    assert {"digits.csv.gz", "iris.csv", "mcycle.csv", "README.md"} <= set(files)
    total = sum(p.stat().st_size for p in data_pkg.FILES_DIR.iterdir())
    assert total < 500_000
    readme = (data_pkg.FILES_DIR / "README.md").read_text()
    for name in ("digits.csv.gz", "iris.csv", "mcycle.csv"):
        assert name in readme
    assert "License" in readme
    assert '"data/files/*"' in (REPO / "pyproject.toml").read_text()


def test_dataset_classes():
    d = Digits(images=True, normalize=True)
    x, label = d[5]
    assert isinstance(x, ag.Tensor) and x.shape == (1, 8, 8) and x.dtype == np.float32
    X, y = load_digits(images=True)
    np.testing.assert_allclose(x.numpy()[0], X[5] / 16)
    assert int(label) == y[5] and len(d) == 1797
    assert Digits()[0][0].shape == (64,)
    xb, yb = next(iter(DataLoader(d, batch_size=10)))
    assert xb.shape == (10, 1, 8, 8) and yb.dtype == np.int64
    np.testing.assert_allclose(xb.numpy()[:, 0], X[:10] / 16)
    assert Iris().classes[int(Iris()[149][1])] == "virginica"
    m = MCycle(standardize=True)
    assert abs(m.targets.mean()) < 1e-5 and abs(m.targets.std() - 1) < 1e-4
    assert m.y_mean == pytest.approx(float(load_mcycle()[1].mean()), rel=1e-5)


def test_dataset_class_transform_is_applied_per_sample():
    seen = []

    def tf(x):
        seen.append(x.shape)
        return x * 2

    d = Iris(transform=tf, target_transform=lambda t: t + 10)
    xb, yb = next(iter(DataLoader(d, batch_size=4)))
    assert len(seen) == 4
    np.testing.assert_allclose(xb.numpy(), load_iris()[0][:4] * 2)
    assert yb.numpy().tolist() == [10, 10, 10, 10]


# --------------------------------------------------------------- generated datasets
GENERATORS = [
    (make_xor, {}),
    (make_moons, {"noise": 0.1}),
    (make_circles, {"noise": 0.05}),
    (make_spirals, {}),
]


@pytest.mark.parametrize("fn,kw", GENERATORS, ids=lambda v: getattr(v, "__name__", ""))
def test_generators_deterministic_under_seed(fn, kw):
    X1, y1 = fn(120, seed=7, **kw)
    X2, y2 = fn(120, seed=7, **kw)
    X3, _ = fn(120, seed=8, **kw)
    assert X1.shape == (120, 2) and X1.dtype == np.float32 and y1.dtype == np.int64
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    # seed=None draws from the global generator, which manual_seed resets
    ag.manual_seed(123)
    A, a = fn(50, **kw)
    ag.manual_seed(123)
    B, b = fn(50, **kw)
    assert np.array_equal(A, B) and np.array_equal(a, b)
    # an autograd_core.Generator works as a seed too
    G1, _ = fn(30, seed=ag.Generator().manual_seed(1), **kw)
    G2, _ = fn(30, seed=ag.Generator().manual_seed(1), **kw)
    assert np.array_equal(G1, G2)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 400), seed=st.integers(0, 2**31))
def test_generators_sizes_and_balance(n, seed):
    for fn in (make_xor, make_moons, make_circles):
        X, y = fn(n, seed=seed)
        assert X.shape == (n, 2) and y.shape == (n,)
        assert np.isfinite(X).all()
        counts = np.bincount(y, minlength=2)
        assert counts.max() - counts.min() <= (3 if fn is make_xor else 1)
    for k in (2, 3, 5):
        X, y = make_spirals(n, n_classes=k, seed=seed)
        assert X.shape == (n, 2)
        counts = np.bincount(y, minlength=k)
        assert len(counts) == k and counts.max() - counts.min() <= 1


def test_make_moons_geometry_without_noise():
    X, y = make_moons(101, noise=None, shuffle=False)
    assert (y == 0).sum() == 50 and (y == 1).sum() == 51
    up, low = X[y == 0].astype(np.float64), X[y == 1].astype(np.float64)
    np.testing.assert_allclose(np.hypot(up[:, 0], up[:, 1]), 1, atol=1e-6)
    assert up[:, 1].min() >= -1e-6
    np.testing.assert_allclose(np.hypot(low[:, 0] - 1, low[:, 1] - 0.5), 1, atol=1e-6)
    assert low[:, 1].max() <= 0.5 + 1e-6
    np.testing.assert_allclose(up[0], [1, 0], atol=1e-6)
    np.testing.assert_allclose(up[-1], [-1, 0], atol=1e-6)
    np.testing.assert_allclose(low[0], [0, 0.5], atol=1e-6)
    X2, y2 = make_moons((3, 7), shuffle=False)
    assert np.bincount(y2).tolist() == [3, 7]


def test_make_circles_geometry_and_errors():
    X, y = make_circles(200, factor=0.3, shuffle=False)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1, atol=1e-6)
    np.testing.assert_allclose(r[y == 1], 0.3, atol=1e-6)
    with pytest.raises(ValueError, match=r"factor must be in \[0, 1\), got 1.5"):
        make_circles(10, factor=1.5)
    with pytest.raises(ValueError, match="noise must be"):
        make_circles(10, noise=-1)
    with pytest.raises(ValueError, match="n_samples must be a positive int, got 0"):
        make_moons(0)


def test_make_xor_labels_follow_quadrants():
    X, y = make_xor(4, noise=None, shuffle=False)
    assert X.tolist() == [[-1, -1], [-1, 1], [1, -1], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    X, y = make_xor(400, noise=0.1, seed=0)
    assert np.array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64))
    assert np.bincount(y).tolist() == [200, 200]


def test_make_spirals_shape_and_radius():
    X, y = make_spirals(90, n_classes=3, noise=None, shuffle=False)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() <= 1 + 1e-6 and r.min() == 0
    assert np.bincount(y).tolist() == [30, 30, 30]
    # arms are rotations of each other by 2*pi/3
    a0, a1 = X[y == 0].astype(np.float64), X[y == 1].astype(np.float64)
    c, s = np.cos(2 * np.pi / 3), np.sin(2 * np.pi / 3)
    np.testing.assert_allclose(a0 @ np.array([[c, s], [-s, c]]), a1, atol=1e-6)
    with pytest.raises(ValueError, match="n_classes must be at least 2"):
        make_spirals(10, n_classes=1)


# ------------------------------------------------------------------------------ IDX
def _idx_bytes(arr: np.ndarray, code: int, be_dtype: str) -> bytes:
    """An IDX file built by hand (independently of write_idx)."""
    header = bytes([0, 0, code, arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape)
    return header + arr.astype(be_dtype).tobytes()


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_read_idx_labels_and_images(tmp_path, gz):
    labels = np.array([7, 2, 1, 0, 4, 255], dtype=np.uint8)
    images = np.arange(3 * 28 * 28, dtype=np.int64).reshape(3, 28, 28).astype(np.uint8)
    for name, arr in (("labels-idx1-ubyte", labels), ("images-idx3-ubyte", images)):
        raw = _idx_bytes(arr, 0x08, ">u1")
        # names without .gz still work when gzipped: detection is by content
        path = tmp_path / name
        path.write_bytes(gzip.compress(raw) if gz else raw)
        got = read_idx(path)
        assert got.shape == arr.shape and got.dtype == np.uint8
        assert np.array_equal(got, arr)
        got[0] = 1  # writable
    assert read_idx(str(tmp_path / "labels-idx1-ubyte")).ndim == 1


@pytest.mark.parametrize("code,be,native", [
    (0x09, ">i1", np.int8), (0x0B, ">i2", np.int16), (0x0C, ">i4", np.int32),
    (0x0D, ">f4", np.float32), (0x0E, ">f8", np.float64),
])
def test_read_idx_dtypes_big_endian(tmp_path, code, be, native):
    arr = np.array([[-3, 1, 2], [100, -120, 7]], dtype=native)
    path = tmp_path / "x.idx"
    path.write_bytes(_idx_bytes(arr, code, be))
    got = read_idx(path)
    assert got.dtype == np.dtype(native) and got.dtype.isnative
    assert np.array_equal(got, arr)


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(0, 5), min_size=1, max_size=4),
       dtype=st.sampled_from([np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]),
       gz=st.booleans())
def test_write_idx_roundtrip(tmp_path_factory, shape, dtype, gz):
    rng = np.random.default_rng(0)
    arr = (rng.normal(size=shape) * 50).astype(dtype)
    path = tmp_path_factory.mktemp("idx") / ("a.idx.gz" if gz else "a.idx")
    write_idx(path, arr)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == gz
    got = read_idx(path)
    assert got.shape == arr.shape and got.dtype == arr.dtype and np.array_equal(got, arr)


def test_write_idx_rejects_int64(tmp_path):
    with pytest.raises(TypeError, match="IDX cannot store dtype int64"):
        write_idx(tmp_path / "x", np.zeros(3, np.int64))


CORRUPT = {
    "empty": (b"", "too short for an IDX file"),
    "bad magic": (b"\x01\x02\x08\x01" + struct.pack(">I", 1) + b"\x00", "bad IDX magic number.*0x01 0x02"),
    "bad dtype": (b"\x00\x00\x0a\x01" + struct.pack(">I", 1) + b"\x00", "unknown IDX data type code 0x0A"),
    "short header": (b"\x00\x00\x08\x03" + struct.pack(">I", 5), "truncated IDX header: 3 dimensions need 16"),
    "truncated data": (b"\x00\x00\x08\x02" + struct.pack(">II", 3, 4) + bytes(10),
                       r"truncated IDX file: shape \(3, 4\) of ubyte needs 12 data bytes, the file has 10"),
    "trailing bytes": (b"\x00\x00\x08\x01" + struct.pack(">I", 2) + bytes(5), r"needs 2 data bytes.*3 too many"),
    "zero dims": (b"\x00\x00\x08\x00", "0 dimensions"),
}


@pytest.mark.parametrize("case", list(CORRUPT))
def test_read_idx_corrupt_files(tmp_path, case):
    content, message = CORRUPT[case]
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(content)
    with pytest.raises(IDXFormatError, match=message) as e:
        read_idx(path)
    assert str(path) in str(e.value)
    assert isinstance(e.value, ValueError)


def test_read_idx_truncated_gzip(tmp_path):
    raw = _idx_bytes(np.zeros((50, 28, 28), np.uint8) + 3, 0x08, ">u1")
    gz = gzip.compress(raw)
    path = tmp_path / "cut.gz"
    path.write_bytes(gz[: len(gz) // 2])
    with pytest.raises(IDXFormatError, match="broken or truncated gzip"):
        read_idx(path)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope-idx1-ubyte.gz")


# ------------------------------------------------------------------ (Fashion-)MNIST
def _write_mnist_folder(folder: Path, n_train=5, n_test=3, gz=True, seed=0) -> dict:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        imgs = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labs = rng.integers(0, 10, size=n).astype(np.uint8)
        for kind, arr in (("images-idx3-ubyte", imgs), ("labels-idx1-ubyte", labs)):
            raw = _idx_bytes(arr, 0x08, ">u1")
            name = f"{split}-{kind}" + (".gz" if gz else "")
            (folder / name).write_bytes(gzip.compress(raw) if gz else raw)
        out[split] = (imgs, labs)
    return out


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "raw"])
def test_load_fashion_mnist_from_folder(tmp_path, gz):
    ref = _write_mnist_folder(tmp_path, gz=gz)
    images, labels = load_fashion_mnist(tmp_path)
    assert images.shape == (5, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and np.array_equal(images, ref["train"][0])
    assert np.array_equal(labels, ref["train"][1])
    timg, tlab = load_fashion_mnist(str(tmp_path), train=False, as_float=True)
    assert timg.shape == (3, 28, 28) and timg.dtype == np.float32
    assert 0 <= timg.min() and timg.max() <= 1
    np.testing.assert_allclose(timg, ref["t10k"][0] / 255, rtol=1e-6)
    mi, ml = load_mnist(tmp_path, train=False)
    assert np.array_equal(mi, ref["t10k"][0]) and np.array_equal(ml, ref["t10k"][1])


def test_torchvision_layout(tmp_path):
    ref = _write_mnist_folder(tmp_path / "FashionMNIST" / "raw", gz=False)
    images, _ = load_fashion_mnist(tmp_path)
    assert np.array_equal(images, ref["train"][0])


def test_fashion_mnist_dataset(tmp_path):
    ref = _write_mnist_folder(tmp_path, n_train=9)
    ds = FashionMNIST(tmp_path)
    assert len(ds) == 9 and ds.classes[9] == "Ankle boot"
    assert ds.data.dtype == np.uint8 and ds.data.shape == (9, 28, 28)
    x, y = ds[2]
    assert isinstance(x, ag.Tensor) and x.shape == (1, 28, 28) and x.dtype == np.float32
    np.testing.assert_allclose(x.numpy()[0], ref["train"][0][2] / 255, rtol=1e-6)
    assert int(y) == ref["train"][1][2]
    xb, yb = list(DataLoader(ds, batch_size=4))[-1]
    assert xb.shape == (1, 1, 28, 28) and yb.dtype == np.int64
    assert len(MNIST(tmp_path, train=False)) == 3
    seen = []
    ds_t = FashionMNIST(tmp_path, transform=lambda t: seen.append(1) or t)
    next(iter(DataLoader(ds_t, batch_size=4)))
    assert len(seen) == 4


def test_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(DatasetNotFoundError) as e:
        load_fashion_mnist(tmp_path)
    msg = str(e.value)
    assert "sudo apt-get install dataset-fashion-mnist" in msg
    assert "train-images-idx3-ubyte.gz" in msg and "train-labels-idx1-ubyte.gz" in msg
    assert str(tmp_path) in msg
    assert isinstance(e.value, FileNotFoundError)
    # one file of the pair present: only the other is named missing
    _write_mnist_folder(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetNotFoundError, match=r"missing t10k-labels-idx1-ubyte\.gz \("):
        FashionMNIST(tmp_path, train=False)
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        FashionMNIST(tmp_path / "nowhere")
    with pytest.raises(DatasetNotFoundError, match="MNIST is not shipped.*t10k-images-idx3-ubyte.gz"):
        MNIST(tmp_path / "nowhere")


def test_mismatched_counts_error(tmp_path):
    _write_mnist_folder(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(_idx_bytes(np.zeros(4, np.uint8), 0x08, ">u1")))
    with pytest.raises(ValueError, match="has 5 images but train-labels-idx1-ubyte.gz has 4 labels"):
        load_fashion_mnist(tmp_path)


@pytest.mark.skipif(not os.path.isdir(FASHION_MNIST_DIR),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_real_fashion_mnist_from_debian_package():
    images, labels = load_fashion_mnist()
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [6000] * 10
    timages, tlabels = load_fashion_mnist(train=False)
    assert timages.shape == (10000, 28, 28) and tlabels.shape == (10000,)
    ds = FashionMNIST(train=False)
    xb, yb = next(iter(DataLoader(ds, batch_size=128)))
    assert xb.shape == (128, 1, 28, 28) and float(xb.numpy().max()) <= 1.0


# ------------------------------------------------------------------------- doctests
@pytest.mark.parametrize("module", ["utils.data.collate", "utils.data.dataloader", "utils.data.dataset",
                                    "utils.data.sampler", "utils.data.distributed",
                                    "data.datasets", "data.idx", "data.mnist"])
def test_docstring_examples_run(module):
    import importlib

    mod = importlib.import_module(f"autograd_core.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_public_api_has_examples():
    for name in data_pkg.__all__:
        obj = getattr(data_pkg, name)
        if callable(obj) and not name.isupper():
            assert obj.__doc__ and ">>>" in obj.__doc__, f"{name} has no runnable example"
            assert re.search(r"\w", obj.__doc__.split(">>>")[0]), name
