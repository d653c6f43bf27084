"""Devices as PyTorch has them on a CPU-only build: device objects and strings, ``device=``
on every creation function, ``.to(device)``, and the cuda/accelerator/backends/amp
modules that scripts written for GPUs touch. Each case against PyTorch."""
from __future__ import annotations

import pytest

import autograd_core as ag

CREATION = {
    "tensor": lambda m, d: m.tensor([1.0, 2.0], device=d),
    "as_tensor": lambda m, d: m.as_tensor([1.0, 2.0], device=d),
    "zeros": lambda m, d: m.zeros(2, 3, device=d),
    "ones": lambda m, d: m.ones((2, 3), device=d),
    "empty": lambda m, d: m.empty(2, device=d),
    "full": lambda m, d: m.full((2,), 7.0, device=d),
    "eye": lambda m, d: m.eye(3, device=d),
    "arange": lambda m, d: m.arange(5, device=d),
    "linspace": lambda m, d: m.linspace(0, 1, 5, device=d),
    "rand": lambda m, d: m.rand(2, device=d),
    "randn": lambda m, d: m.randn(2, device=d),
    "randint": lambda m, d: m.randint(0, 5, (3,), device=d),
    "randperm": lambda m, d: m.randperm(4, device=d),
    "zeros_like": lambda m, d: m.zeros_like(m.ones(2), device=d),
    "ones_like": lambda m, d: m.ones_like(m.ones(2), device=d),
    "full_like": lambda m, d: m.full_like(m.ones(2), 3.0, device=d),
    "rand_like": lambda m, d: m.rand_like(m.ones(2), device=d),
    "randn_like": lambda m, d: m.randn_like(m.ones(2), device=d),
    "new_zeros": lambda m, d: m.ones(2).new_zeros(3, device=d),
    "new_ones": lambda m, d: m.ones(2).new_ones(3, device=d),
    "new_full": lambda m, d: m.ones(2).new_full((3,), 1.0, device=d),
    "new_tensor": lambda m, d: m.ones(2).new_tensor([1.0], device=d),
    "to": lambda m, d: m.ones(2).to(d),
    "to_kw": lambda m, d: m.ones(2).to(device=d, dtype=m.float64),
}


def outcome(fn):
    try:
        t = fn()
        return ("ok", str(t.device), str(t.dtype).replace("torch.", ""))
    except BaseException as e:  # noqa: BLE001
        return (type(e).__name__, str(e).splitlines()[0][:60])


@pytest.mark.parametrize("name", sorted(CREATION))
@pytest.mark.parametrize("dev", ["cpu", "cuda", "cuda:0", "device_cpu", "device_cuda"])
def test_device_argument_everywhere_as_pytorch(torch, name, dev):
    def d(m):
        return {"device_cpu": m.device("cpu"), "device_cuda": m.device("cuda")}.get(dev, dev)
    ours = outcome(lambda: CREATION[name](ag, d(ag)))
    theirs = outcome(lambda: CREATION[name](torch, d(torch)))
    assert ours == theirs


def test_device_objects(torch):
    for m in (ag, torch):
        d = m.device("cuda:1")
        assert (d.type, d.index, str(d), repr(d)) == ("cuda", 1, "cuda:1",
                                                     "device(type='cuda', index=1)")
        assert m.device("cpu") == m.device("cpu") and m.device("cpu") != "cpu"
        assert m.device("cuda", 0) == m.device("cuda:0") and hash(m.device("cuda", 0))
        assert m.ones(1).device == m.device("cpu") and str(m.ones(1).device) == "cpu"
        assert (m.ones(1).is_cuda, m.ones(1).is_cpu, m.ones(1).get_device()) == (False, True, -1)
    for bad in ("foo", "cuda:x"):
        with pytest.raises(RuntimeError):
            ag.device(bad)
        with pytest.raises(RuntimeError):
            torch.device(bad)


def test_moving_to_a_gpu_raises_pytorchs_cpu_build_error(torch):
    for m in (ag, torch):
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            m.ones(2).cuda()
        with pytest.raises(RuntimeError, match="Cannot access accelerator device"):
            m.ones(2).pin_memory()
        x = m.ones(2)
        assert x.to("cpu") is x and x.cpu() is x


def test_cuda_accelerator_and_backends_modules(torch):
    for m in (ag, torch):
        assert m.cuda.is_available() is False and m.cuda.device_count() == 0
        assert m.cuda.is_bf16_supported() is False
        m.cuda.manual_seed(0)
        m.cuda.manual_seed_all(0)
        with pytest.raises(AssertionError, match="not compiled with CUDA"):
            m.cuda.current_device()
        assert m.accelerator.is_available() is False
        assert m.accelerator.current_accelerator() is None
        assert m.backends.cudnn.is_available() is False
        assert m.backends.mps.is_available() is False and m.backends.mps.is_built() is False
        m.backends.cudnn.benchmark = True
        m.backends.cuda.matmul.allow_tf32 = True
        m.backends.cudnn.benchmark = False
        m.set_float32_matmul_precision("high")
        assert m.get_float32_matmul_precision() == "high"
        m.set_float32_matmul_precision("highest")


def test_device_dependent_idiom_of_gpu_scripts_runs_on_the_cpu():
    device = "cuda" if ag.cuda.is_available() else ("mps" if ag.backends.mps.is_available()
                                                      else "cpu")
    device_type = "cuda" if "cuda" in device else "cpu"
    x = ag.randn(4, 3, device=device)
    with ag.autocast(device_type=device_type, dtype=ag.float32):
        y = (x @ x.T).sum()
    scaler = ag.amp.GradScaler(enabled=False)
    assert scaler.scale(y) is y and y.device == ag.device(device)


def test_grad_scaler_on_an_unavailable_device_warns_and_disables(torch):
    for m in (ag, torch):
        with pytest.warns(UserWarning):
            s = m.amp.GradScaler("cuda", enabled=True)
        assert s.is_enabled() is False


def test_compile_returns_the_same_computation():
    model = ag.nn.Linear(3, 2)
    assert ag.compile(model) is model
    assert ag.compile(mode="reduce-overhead")(model) is model
