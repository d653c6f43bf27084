"""nn.Module behaviour: registration, iteration, modes, grads, dtypes, state dicts, repr,
containers and hooks, as PyTorch's."""
from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 3)
        self.bn = nn.BatchNorm1d(3)
        self.scale = nn.Parameter(ag.ones(1))
        self.register_buffer("steps", ag.zeros(1))
        self.register_buffer("cache", ag.zeros(2), persistent=False)
        self.plain = 5

    def forward(self, x):
        return self.bn(self.fc(x)) * self.scale


# ------------------------------------------------------------------ Parameter
def test_parameter_is_tensor_and_prints_like_pytorch():
    p = nn.Parameter(ag.tensor([1.0, 2.0]))
    assert isinstance(p, nn.Parameter) and isinstance(p, ag.Tensor)
    assert p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    q = nn.Parameter(ag.zeros(2), requires_grad=False)
    assert not q.requires_grad
    assert not isinstance(p * 2, nn.Parameter)


def test_parameter_shares_memory_with_its_tensor():
    t = ag.zeros(3)
    p = nn.Parameter(t)
    t._data[0] = 7
    assert p[0].item() == 7


def test_parameter_rejects_non_tensors():
    with pytest.raises(TypeError, match="Parameter"):
        nn.Parameter([1.0, 2.0])


def test_parameter_deepcopy_and_pickle_keep_class():
    p = nn.Parameter(ag.tensor([1.0, 2.0]))
    q = copy.deepcopy(p)
    assert isinstance(q, nn.Parameter) and q.requires_grad
    assert q._data is not p._data and q.tolist() == [1.0, 2.0]
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, nn.Parameter) and r.tolist() == [1.0, 2.0]


# ------------------------------------------------------------- registration
def test_registration_by_attribute_assignment():
    m = Net()
    assert [n for n, _ in m.named_parameters()] == ["scale", "fc.weight", "fc.bias", "bn.weight",
                                                    "bn.bias"]
    assert [n for n, _ in m.named_buffers()] == ["steps", "cache", "bn.running_mean",
                                                 "bn.running_var", "bn.num_batches_tracked"]
    assert [n for n, _ in m.named_children()] == ["fc", "bn"]
    assert [n for n, _ in m.named_modules()] == ["", "fc", "bn"]
    assert m.plain == 5 and "plain" not in m._parameters
    assert len(list(m.parameters())) == 5 and len(list(m.buffers())) == 5
    assert len(list(m.parameters(recurse=False))) == 1


def test_named_modules_is_depth_first_preorder():
    m = nn.Sequential(nn.Sequential(nn.Linear(1, 1), nn.ReLU()), nn.Linear(1, 1))
    assert [n for n, _ in m.named_modules()] == ["", "0", "0.0", "0.1", "1"]
    assert [n for n, _ in m.named_modules(prefix="model")] == [
        "model", "model.0", "model.0.0", "model.0.1", "model.1"]


def test_reassignment_and_deletion():
    m = Net()
    m.fc = nn.Linear(2, 5)
    assert m.fc.out_features == 5
    with pytest.raises(TypeError, match="parameter 'scale'"):
        m.scale = ag.ones(1)
    m.scale = None
    assert "scale" not in [n for n, _ in m.named_parameters()]
    m.steps = ag.full((1,), 3.0)
    assert m.state_dict()["steps"].tolist() == [3.0]
    del m.fc
    assert not hasattr(m, "fc")
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nothing'"):
        m.nothing


def test_shared_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    m = nn.Sequential(lin, lin)
    assert len(list(m.parameters())) == 2
    assert len(list(m.named_parameters(remove_duplicate=False))) == 4
    assert len(list(m.modules())) == 2


def test_assigning_before_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ag.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_register_buffer_and_parameter_errors():
    m = nn.Module()
    with pytest.raises(TypeError, match="Tensor or None"):
        m.register_buffer("b", np.zeros(2))
    with pytest.raises(KeyError, match="empty or contain"):
        m.register_buffer("a.b", ag.zeros(1))
    with pytest.raises(TypeError, match=r"nn.Parameter or None"):
        m.register_parameter("w", ag.zeros(1))
    m.register_parameter("w", nn.Parameter(ag.zeros(1)))
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("w", ag.zeros(1))


def test_nn_buffer_assignment_registers_a_buffer():
    m = nn.Module()
    m.stat = nn.Buffer(ag.zeros(2))
    m.tmp = nn.Buffer(ag.zeros(2), persistent=False)
    assert list(m.state_dict()) == ["stat"]
    assert [n for n, _ in m.named_buffers()] == ["stat", "tmp"]


def test_get_submodule_and_parameter():
    m = nn.Sequential(nn.Sequential(nn.Linear(2, 3)))
    assert m.get_submodule("0.0") is m[0][0]
    assert m.get_parameter("0.0.weight") is m[0][0].weight
    with pytest.raises(AttributeError):
        m.get_submodule("0.5")


def test_apply_visits_children_first():
    seen = []
    m = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_missing_forward_is_reported():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(ag.zeros(1))


# ---------------------------------------------------------------- modes, grads
def test_train_eval_propagate():
    m = Net()
    assert m.training and m.bn.training
    assert m.eval() is m
    assert not m.training and not m.fc.training and not m.bn.training
    m.train()
    assert m.bn.training
    with pytest.raises(ValueError):
        m.train("yes")


def test_zero_grad_to_none_and_to_zero():
    m = nn.Linear(3, 2)
    m(ag.ones(4, 3)).sum().backward()
    g = m.weight.grad
    assert g is not None
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is g and float(g.abs().sum()) == 0.0
    m(ag.ones(4, 3)).sum().backward()
    assert m.bias.grad.tolist() == [4.0, 4.0]
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_requires_grad_freezes():
    m = Net()
    m.fc.requires_grad_(False)
    assert not m.fc.weight.requires_grad and m.bn.weight.requires_grad
    out = m(ag.randn(4, 2)).sum()
    out.backward()
    assert m.fc.weight.grad is None and m.bn.weight.grad is not None


def test_float_double_cast_in_place():
    m = Net()
    w = m.fc.weight
    m.double()
    assert m.fc.weight is w and w.dtype == np.float64
    assert m.bn.running_mean.dtype == np.float64 and m.steps.dtype == np.float64
    assert m.bn.num_batches_tracked.dtype == np.int64
    y = m(ag.randn(4, 2, dtype=ag.float64))
    assert y.dtype == np.float64
    m.float()
    assert w.dtype == np.float32 and m.bn.running_var.dtype == np.float32
    m.to(ag.float64)
    assert w.dtype == np.float64
    m.to("cpu")
    with pytest.raises(AssertionError, match="not compiled with CUDA"):  # PyTorch's CPU build
        m.to("cuda")


def test_forward_and_pre_hooks():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append("pre"))
    h2 = m.register_forward_hook(lambda mod, args, out: out * 0)
    out = m(ag.ones(1, 2))
    assert calls == ["pre"] and out.tolist() == [[0.0, 0.0]]
    h1.remove()
    h2.remove()
    assert float(m(ag.ones(1, 2)).abs().sum()) > 0


def test_global_forward_hooks_run_for_every_module_before_its_own():
    from autograd_core.nn.modules.module import (register_module_forward_hook,
                                                 register_module_forward_pre_hook)
    m = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    calls = []
    own = m[0].register_forward_hook(lambda mod, args, out: calls.append("own"))
    pre = register_module_forward_pre_hook(lambda mod, args: calls.append(("pre", type(mod).__name__)))
    post = register_module_forward_hook(lambda mod, args, out: calls.append(("post", type(mod).__name__)))
    try:
        m(ag.ones(1, 2))
    finally:
        pre.remove()
        post.remove()
    assert calls == [("pre", "Sequential"), ("pre", "Linear"), ("post", "Linear"), "own",
                     ("pre", "ReLU"), ("post", "ReLU"), ("post", "Sequential")]
    calls.clear()
    own.remove()
    m(ag.ones(1, 2))
    assert calls == []  # removed: modules run without them
    replace = register_module_forward_hook(lambda mod, args, out: out * 0)
    with replace:
        # a result replaces the output (exact: out * 0)
        assert m(ag.ones(1, 2)).tolist() == [[0.0, 0.0]]


# ----------------------------------------------------------------- state dict
def test_state_dict_keys_follow_pytorch():
    m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 1, bias=False))
    assert list(m.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias",
                                    "1.running_mean", "1.running_var", "1.num_batches_tracked",
                                    "3.weight"]
    sd = Net().state_dict()
    assert "cache" not in sd and "steps" in sd and "bn.num_batches_tracked" in sd


def test_state_dict_values_are_detached_views():
    m = nn.Linear(2, 2)
    sd = m.state_dict()
    assert not sd["weight"].requires_grad
    assert sd["weight"]._data is m.weight._data
    assert m.state_dict(keep_vars=True)["weight"] is m.weight


def test_load_state_dict_round_trip_with_tensors_and_arrays():
    a, b = Net(), Net()
    a.bn(ag.randn(8, 3))  # move running stats
    b.load_state_dict(a.state_dict())
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb and np.array_equal(va.numpy(), vb.numpy())
    c = Net()
    res = c.load_state_dict({k: v.numpy().copy() for k, v in a.state_dict().items()})
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert np.array_equal(c.fc.weight.detach().numpy(), a.fc.weight.detach().numpy())
    assert int(c.bn.num_batches_tracked) == 1
    # loading copies: the model does not alias the given arrays
    arr = {k: v.numpy().copy() for k, v in a.state_dict().items()}
    c.load_state_dict(arr)
    arr["fc.weight"][:] = 100
    assert float(c.fc.weight.max()) < 100


def test_load_state_dict_casts_to_the_model_dtype():
    m = nn.Linear(2, 2)
    m.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(2)})
    assert m.weight.dtype == np.float32 and m.weight.tolist() == [[1, 1], [1, 1]]


def test_load_state_dict_errors_name_keys_and_shapes():
    m = nn.Sequential(nn.Linear(2, 4), nn.Linear(4, 1))
    sd = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    sd["0.weight"] = np.zeros((3, 2), dtype=np.float32)
    del sd["1.bias"]
    sd["extra"] = np.zeros(1)
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(sd)
    msg = str(e.value)
    assert msg.startswith("Error(s) in loading state_dict for Sequential:\n\t")
    assert 'Missing key(s) in state_dict: "1.bias".' in msg
    assert 'Unexpected key(s) in state_dict: "extra".' in msg
    assert ("size mismatch for 0.weight: copying a param with shape (3, 2) from checkpoint, "
            "the shape in current model is (4, 2).") in msg
    # a size mismatch is an error even when not strict; missing/unexpected are not
    with pytest.raises(RuntimeError, match="size mismatch for 0.weight"):
        m.load_state_dict(sd, strict=False)
    sd["0.weight"] = np.zeros((4, 2), dtype=np.float32)
    res = m.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["1.bias"] and res.unexpected_keys == ["extra"]
    assert float(m[0].weight.abs().sum()) == 0.0


def test_load_state_dict_rejects_non_mappings_and_bad_values():
    m = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="dict-like"):
        m.load_state_dict([("weight", np.zeros((1, 1)))])
    with pytest.raises(RuntimeError, match="'weight' is a str"):
        m.load_state_dict({"weight": "zeros", "bias": np.zeros(1)})


def test_non_persistent_buffers_are_neither_saved_nor_expected():
    m = Net()
    sd = m.state_dict()
    Net().load_state_dict(sd)  # no "missing cache"


# ------------------------------------------------------------------------ repr
def test_repr_matches_pytorch_layout():
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Dropout(0.1), nn.Tanh()))
    assert repr(m) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.1, inplace=False)\n"
        "    (1): Tanh()\n"
        "  )\n"
        ")")
    assert repr(nn.Linear(3, 1, bias=False)) == "Linear(in_features=3, out_features=1, bias=False)"


def test_modulelist_repr_compresses_repeats_as_pytorch():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
    assert repr(ml) == ("ModuleList(\n"
                        "  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
                        "  (3): ReLU()\n"
                        ")")


def test_repr_matches_torch(torch):
    tnn = torch.nn
    pairs = [
        (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.BatchNorm1d(3), nn.Dropout(0.2)),
         tnn.Sequential(tnn.Linear(2, 3), tnn.ReLU(), tnn.BatchNorm1d(3), tnn.Dropout(0.2))),
        (nn.LayerNorm(8), tnn.LayerNorm(8)),
        (nn.Embedding(10, 3, padding_idx=0), tnn.Embedding(10, 3, padding_idx=0)),
        (nn.Conv2d(1, 8, 3, padding=1), tnn.Conv2d(1, 8, 3, padding=1)),
        (nn.Conv1d(4, 8, 5, stride=2, bias=False), tnn.Conv1d(4, 8, 5, stride=2, bias=False)),
        (nn.MaxPool2d(2), tnn.MaxPool2d(2)),
        (nn.AvgPool2d(2), tnn.AvgPool2d(2)),
        (nn.AdaptiveAvgPool2d((1, 1)), tnn.AdaptiveAvgPool2d((1, 1))),
        (nn.MultiheadAttention(8, 2), tnn.MultiheadAttention(8, 2)),
        (nn.ModuleList([nn.Linear(1, 1)] * 2), tnn.ModuleList([tnn.Linear(1, 1)] * 2)),
        (nn.GELU(approximate="tanh"), tnn.GELU(approximate="tanh")),
        (nn.LeakyReLU(0.2), tnn.LeakyReLU(0.2)),
        (nn.ELU(), tnn.ELU()),
        (nn.Softmax(dim=1), tnn.Softmax(dim=1)),
        (nn.LogSoftmax(dim=1), tnn.LogSoftmax(dim=1)),
        (nn.Flatten(), tnn.Flatten()),
        (nn.CrossEntropyLoss(), tnn.CrossEntropyLoss()),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


# ----------------------------------------------------------------- containers
def test_sequential_indexing_len_append_slice():
    s = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    assert len(s) == 2 and isinstance(s[-1], nn.ReLU)
    s.append(nn.Linear(3, 1))
    assert len(s) == 3 and s(ag.ones(4, 2)).shape == (4, 1)
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2
    assert list(sub.state_dict()) == ["2.weight", "2.bias"]
    s[1] = nn.Tanh()
    assert isinstance(s[1], nn.Tanh)
    del s[0]
    assert [n for n, _ in s.named_children()] == ["0", "1"]
    with pytest.raises(IndexError, match="out of range"):
        s[5]
    with pytest.raises(TypeError, match="expected an nn.Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_sequential_from_ordered_dict():
    s = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(s.state_dict()) == ["fc.weight", "fc.bias"]
    assert s["fc"] is s[0]


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(1, 2), nn.Linear(2, 3)])
    ml.append(nn.ReLU())
    ml += [nn.Tanh()]
    assert len(ml) == 4 and [type(m).__name__ for m in ml] == ["Linear", "Linear", "ReLU", "Tanh"]
    assert list(ml.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    ml.insert(0, nn.Identity())
    assert isinstance(ml[0], nn.Identity) and isinstance(ml[1], nn.Linear)
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.Linear(1, 2)
    assert list(md.keys()) == ["a", "b"] and "b" in md and len(md) == 2
    assert list(md.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]
    md.pop("a")
    assert list(md) == ["b"]


def test_parameter_list_and_dict():
    pl = nn.ParameterList([nn.Parameter(ag.zeros(2)), ag.ones(3)])
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    assert isinstance(pl[1], nn.Parameter)
    pd = nn.ParameterDict({"a": nn.Parameter(ag.zeros(1))})
    assert list(pd.state_dict()) == ["a"]


def test_deepcopy_gives_an_independent_model():
    m = Net()
    c = copy.deepcopy(m)
    with ag.no_grad():
        c.fc.weight.fill_(0)
    assert float(m.fc.weight.abs().sum()) > 0
    assert isinstance(c.fc.weight, nn.Parameter)
    assert [n for n, _ in c.named_parameters()] == [n for n, _ in m.named_parameters()]


def test_missing_num_batches_tracked_is_tolerated_as_pytorch():
    bn = nn.BatchNorm1d(2)
    sd = {k: v.numpy().copy() for k, v in bn.state_dict().items() if "num_batches" not in k}
    res = nn.BatchNorm1d(2).load_state_dict(sd)
    assert res.missing_keys == [] and res.unexpected_keys == []
