"""ONNX export, checked by the real consumers: ``onnx.checker.check_model(full_check=True)``
and ONNX Runtime, whose outputs must equal ours to 1e-5 (float32), at another batch size
than the one exported with when the batch axis is dynamic."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn

onnx = pytest.importorskip("onnx", reason="the [onnx] extra is not installed "
                           "(pip install 'autograd-core[onnx]'; make test installs it)")
ort = pytest.importorskip("onnxruntime", reason="the [onnx] extra is not installed")

from autograd_core.onnx import OnnxExporterError, UnsupportedOperatorError  # noqa: E402

B = "B"


def _inputs(shapes, batch, ints):
    xs = []
    for i, s in enumerate(shapes):
        s = tuple(batch if d == B else d for d in s)
        xs.append(ag.randint(0, ints[i], s) if i in ints else ag.randn(*s))
    return xs


def export_and_compare(model, shapes, tmp_path, ints=None, dynamic=True, batch=3, other=5,
                       tol=1e-5, opset=None):
    """Export at ``batch``, run ONNX Runtime at ``other``; returns the max abs difference."""
    ints = ints or {}
    model.eval()
    xs = _inputs(shapes, batch, ints)
    names = [f"in{i}" for i in range(len(xs))]
    dyn = {n: {s.index(B): "batch"} for n, s in zip(names, shapes) if B in s} if dynamic \
        else None
    path = tmp_path / "model.onnx"
    proto = ag.onnx.export(model, tuple(xs), str(path), input_names=names, dynamic_axes=dyn,
                           opset_version=opset)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    xs2 = _inputs(shapes, other if dynamic else batch, ints)
    with ag.no_grad():
        ours = model(*xs2)
    ours = [o for o in (ours if isinstance(ours, (tuple, list)) else [ours]) if o is not None]
    got = ag.onnx.run(str(path), xs2)
    assert len(got) == len(ours)
    diff = 0.0
    for g, o in zip(got, ours):
        assert g.shape == o.shape
        diff = max(diff, float(np.abs(g.astype(np.float64) - o.numpy()).max()))
    assert diff <= tol, diff
    return proto


class LSTMNet(nn.Module):
    def __init__(self, batch_first=True, bidirectional=True, layers=2):
        super().__init__()
        self.lstm = nn.LSTM(5, 12, num_layers=layers, batch_first=batch_first,
                            bidirectional=bidirectional)
        self.fc = nn.Linear(24 if bidirectional else 12, 3)
        self.batch_first = batch_first

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        last = out[:, -1] if self.batch_first else out[-1]
        return self.fc(last), h, c


class GRUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(5, 12)
        self.fc = nn.Linear(12, 3)

    def forward(self, x):
        out, h = self.gru(x)
        return self.fc(out.mean(0)), h


class TokenClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 16, padding_idx=0)
        self.enc = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(16, 4, 32, dropout=0.1, batch_first=True), 2)
        self.fc = nn.Linear(16, 3)

    def forward(self, x):
        return F.log_softmax(self.fc(self.enc(self.emb(x)).mean(1)), dim=-1)


MODELS = {
    "mlp": (lambda: nn.MLP(6, [16, 8], 3, activation="gelu", dropout=0.2), [(B, 6)], {}),
    "cnn": (lambda: nn.CNN(1, 10, image_size=12, hidden=32, dropout=0.1), [(B, 1, 12, 12)], {}),
    "resnet": (lambda: nn.ResNet(3, 10, widths=(8, 16), blocks=(1, 1)), [(B, 3, 16, 16)], {}),
    "residual_block": (lambda: nn.ResidualBlock(8), [(B, 8)], {}),
    "transformer_batch_first": (
        lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(
            16, 4, 32, dropout=0.1, batch_first=True), 2), [(B, 7, 16)], {}),
    "transformer_norm_first_gelu": (
        lambda: nn.TransformerEncoderLayer(16, 4, 32, activation="gelu", norm_first=True),
        [(7, B, 16)], {}),
    "token_classifier": (TokenClassifier, [(B, 6)], {0: 20}),
    "lstm": (LSTMNet, [(B, 6, 5)], {}),
    "lstm_time_major": (lambda: LSTMNet(False, False, 1), [(4, B, 5)], {}),
    "gru": (GRUNet, [(6, B, 5)], {}),
    "conv1d_pools": (lambda: nn.Sequential(
        nn.Conv1d(3, 8, 3, stride=2, padding=1, dilation=2), nn.BatchNorm1d(8), nn.ReLU(),
        nn.MaxPool1d(2), nn.AvgPool1d(2, ceil_mode=True), nn.AdaptiveAvgPool1d(3),
        nn.AdaptiveMaxPool1d(2), nn.Flatten()), [(B, 3, 30)], {}),
    "conv2d_groups_pools": (lambda: nn.Sequential(
        nn.Conv2d(4, 8, 3, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
        nn.BatchNorm2d(8), nn.Hardtanh(), nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.AvgPool2d(2, padding=1, count_include_pad=False), nn.AdaptiveAvgPool2d((3, 2)),
        nn.Flatten(), nn.Linear(48, 4)), [(B, 4, 17, 15)], {}),
    "conv_transpose": (lambda: nn.Sequential(
        nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(6, 2, (2, 3), stride=(1, 2), groups=2, dilation=(2, 1))),
        [(B, 4, 5, 6)], {}),
    "adaptive_max": (lambda: nn.Sequential(nn.AdaptiveMaxPool2d((3, 4)), nn.Flatten()),
                     [(B, 2, 7, 9)], {}),
    "layer_norm_dropout": (lambda: nn.Sequential(
        nn.LayerNorm((4, 5)), nn.LayerNorm(5, elementwise_affine=False), nn.Dropout(0.5)),
        [(B, 3, 4, 5)], {}),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_ort_equals_ours_with_a_dynamic_batch(name, tmp_path):
    make, shapes, ints = MODELS[name]
    export_and_compare(make(), shapes, tmp_path, ints=ints)


@pytest.mark.parametrize("opset", [13, 14, 17, 20])
@pytest.mark.parametrize("name", ["token_classifier", "lstm", "gru", "conv2d_groups_pools"])
def test_older_and_newer_opsets(name, opset, tmp_path):
    make, shapes, ints = MODELS[name]
    proto = export_and_compare(make(), shapes, tmp_path, ints=ints, opset=opset)
    assert proto.opset_import[0].version == opset


def test_multihead_attention_with_weights_and_masks(tmp_path):
    class MHA(nn.Module):
        def __init__(self):
            super().__init__()
            self.m = nn.MultiheadAttention(16, 4, batch_first=True)

        def forward(self, q, k):
            mask = ag.triu(ag.ones(5, 7, dtype=ag.bool), 1)
            o, w = self.m(q, k, k, attn_mask=mask)
            o2, _ = self.m(q, q, q, need_weights=False)
            return o, w, o2

    export_and_compare(MHA(), [(B, 5, 16), (B, 7, 16)], tmp_path)


ACTIVATIONS = [nn.ReLU(), nn.ReLU6(), nn.LeakyReLU(0.2), nn.ELU(), nn.SELU(), nn.CELU(0.5),
               nn.GELU(), nn.GELU("tanh"), nn.SiLU(), nn.Mish(), nn.Sigmoid(), nn.Tanh(),
               nn.Softplus(beta=2), nn.Softsign(), nn.Hardtanh(-0.5, 0.5), nn.Hardsigmoid(),
               nn.Hardswish(), nn.LogSigmoid(), nn.Tanhshrink(), nn.Softshrink(),
               nn.Hardshrink(), nn.Threshold(0.1, 2.0), nn.PReLU(), nn.Softmax(dim=1),
               nn.LogSoftmax(dim=1), nn.Softmin(dim=1), nn.GLU()]


@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda a: type(a).__name__)
def test_activations(act, tmp_path):
    export_and_compare(nn.Sequential(nn.Linear(6, 6), act), [(B, 6)], tmp_path)


class Losses(nn.Module):
    """The fused regression losses (one op each) and mean() in an exported graph."""

    def forward(self, x, y):
        return (F.mse_loss(x, y) + F.l1_loss(x, y, reduction="sum")
                + F.smooth_l1_loss(x, y, beta=0.5) + F.huber_loss(x, y, delta=0.7)
                + F.smooth_l1_loss(x, y, reduction="none").mean(1).sum() + x.mean())


def test_regression_losses_and_mean(tmp_path):
    export_and_compare(Losses(), [(B, 4), (B, 4)], tmp_path)


def test_hardtanh_with_every_value_inside_still_clamps_in_the_file(tmp_path):
    # the example input never leaves the bounds: the file must still clamp
    model = nn.Hardtanh(-10.0, 10.0).eval()
    path = tmp_path / "h.onnx"
    ag.onnx.export(model, ag.randn(3, 4), str(path))
    x = ag.randn(3, 4) * 100
    assert np.allclose(ag.onnx.run(str(path), x)[0], model(x).numpy())


class TensorOps(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(ag.randn(5, 4))

    def forward(self, x, y):
        a = x.reshape(x.shape[0], -1)
        b = x.permute(0, 2, 1)
        c = ag.cat([b, b * 2], dim=1)
        d = c[:, 1:8:2, ::2]
        e = c[:, -1] + c[:, 0, None].squeeze(1)
        f = ag.bmm(x, b)
        g = x @ self.w
        h = (f + g).sum(dim=(1, 2)) + a.mean(1) + a.std(1) + d.amax((1, 2)) + e.norm(dim=1)
        i = y.unsqueeze(-1).expand(-1, -1, 3).flatten(1)
        j = ag.stack([i, i.flip(1)], 0).transpose(0, 1).max(1).values
        k = ag.where(j > 0, j, j.exp() - 1).clamp(-0.5, 2.0).split(3, dim=1)[1]
        v = x @ self.w[:, 0] + (y @ self.w[1:4]).unsqueeze(1)   # vector operands
        return h, k, x.sum(0) / x.shape[0], (x.abs() + 1).log().sqrt().pow(3).mean(), \
            y.argmax(1), a.var(0), v, x.logsumexp(2), a.logsumexp((0, 1), keepdim=True)


def test_shape_ops_reductions_and_arithmetic(tmp_path):
    export_and_compare(TensorOps(), [(B, 4, 5), (B, 3)], tmp_path)


def test_static_export_and_default_names(tmp_path):
    model = nn.MLP(4, [8], 2)
    export_and_compare(model, [(2, 4)], tmp_path, dynamic=False)
    proto = ag.onnx.export(model, ag.randn(2, 4), None)
    assert [i.name for i in proto.graph.input] == ["input"]
    assert [o.name for o in proto.graph.output] == ["output"]
    assert [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim] == [2, 4]


def test_initializers_carry_state_dict_keys_and_the_batch_axis_is_named(tmp_path):
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    proto = ag.onnx.export(model, (ag.randn(3, 4),), None, input_names=["x"],
                           output_names=["logits"], dynamic_axes={"x": {0: "batch"},
                                                                  "logits": {0: "batch"}})
    names = {t.name for t in proto.graph.initializer}
    assert {"0.weight", "0.bias", "2.weight", "2.bias"} <= names
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and dims[1].dim_value == 4
    assert proto.graph.output[0].type.tensor_type.shape.dim[0].dim_param == "batch"


def test_the_model_runs_in_eval_mode_and_its_modes_come_back(tmp_path):
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.BatchNorm1d(4))
    model.train()
    export_and_compare(model, [(B, 4)], tmp_path)
    model.train()
    ag.onnx.export(model, ag.randn(3, 4), None)
    assert all(m.training for m in model.modules())


def test_export_writes_atomically_and_to_file_objects(tmp_path):
    import io
    buf = io.BytesIO()
    ag.onnx.export(nn.Linear(2, 2), ag.randn(1, 2), buf)
    assert onnx.load_from_string(buf.getvalue()).graph.node
    path = tmp_path / "m.onnx"
    path.write_bytes(b"old")
    ag.onnx.export(nn.Linear(2, 2), ag.randn(1, 2), path)
    assert onnx.load(str(path)).graph.node
    assert sorted(os.listdir(tmp_path)) == ["m.onnx"]


# -- what cannot be exported stops with a clear error ---------------------------------------
class Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x).unfold(1, 2, 1)


def test_an_op_without_export_names_the_op_and_the_module():
    with pytest.raises(UnsupportedOperatorError, match=r"Unfold.*Unsupported \(the model\)"):
        ag.onnx.export(Unsupported(), ag.randn(2, 4), None)


def test_a_loss_inside_the_model_is_named():
    class WithLoss(nn.Module):
        def __init__(self):
            super().__init__()
            self.loss = nn.CrossEntropyLoss()

        def forward(self, x):
            return self.loss(x, ag.tensor([0, 1]))

    with pytest.raises(UnsupportedOperatorError, match="CrossEntropyIndex.*a loss.*'loss'"):
        ag.onnx.export(WithLoss(), ag.randn(2, 3), None)


def test_a_branch_on_data_is_refused():
    class Branchy(nn.Module):
        def forward(self, x):
            return x * 2 if (x.sum() > 0) else x * 3

    with pytest.raises(OnnxExporterError, match="Python branch on data"):
        ag.onnx.export(Branchy(), ag.randn(2, 3), None)


def test_values_computed_outside_the_graph_are_not_frozen():
    class Leaky(nn.Module):
        def forward(self, x):
            return x + ag.from_numpy(np.sort(x.numpy(), axis=1))

    with pytest.raises(OnnxExporterError, match="made outside the recorded ops"):
        ag.onnx.export(Leaky(), ag.randn(2, 3), None)


def test_an_unused_input_is_an_error():
    class OneOfTwo(nn.Module):
        def forward(self, x, mask):
            return x * 2

    with pytest.raises(OnnxExporterError, match="input 'mask' does not reach the outputs"):
        ag.onnx.export(OneOfTwo(), (ag.randn(2, 3), ag.ones(2, 3)), None)


def test_a_shape_that_a_dynamic_axis_cannot_follow_is_named():
    class Square(nn.Module):
        def forward(self, x):
            n = x.shape[0]
            return x.reshape(-1)[: n * n]

    with pytest.raises(OnnxExporterError, match=r"#\d+ Index"):
        ag.onnx.export(Square(), ag.randn(4, 8), None, input_names=["x"],
                       dynamic_axes={"x": [0]})


def test_bad_arguments():
    with pytest.raises(ValueError, match="opset_version 11 is not supported; use 13 to"):
        ag.onnx.export(nn.Linear(2, 2), ag.randn(1, 2), None, opset_version=11)
    with pytest.raises(ValueError, match="dynamic axis 3 of input 'x' is out of range"):
        ag.onnx.export(nn.Linear(2, 2), ag.randn(1, 2), None, input_names=["x"],
                       dynamic_axes={"x": [3]})


# -- reading files back -------------------------------------------------------------------------
def test_a_truncated_or_corrupt_onnx_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "m.onnx"
    ag.onnx.export(nn.Linear(3, 2), ag.randn(1, 3), str(path))
    data = path.read_bytes()
    for bad in (data[: len(data) // 2], b"not an onnx file at all", b""):
        path.write_bytes(bad)
        with pytest.raises(OnnxExporterError, match="m.onnx") as info:
            ag.onnx.run(str(path), ag.randn(1, 3))
        assert "\n" not in str(info.value)
    with pytest.raises(FileNotFoundError, match="nothing.onnx"):
        ag.onnx.run(str(tmp_path / "nothing.onnx"), ag.randn(1, 3))


def test_run_checks_the_inputs(tmp_path):
    path = tmp_path / "m.onnx"
    ag.onnx.export(nn.Linear(3, 2), ag.randn(1, 3), str(path), input_names=["x"])
    with pytest.raises(ValueError, match="input 'x' must have shape"):
        ag.onnx.run(str(path), ag.randn(2, 3))
    with pytest.raises(ValueError, match="no input 'y'"):
        ag.onnx.run(str(path), {"y": ag.randn(1, 3)})
    with pytest.raises(TypeError, match="input 'x' must be float32"):
        ag.onnx.run(str(path), np.ones((1, 3), dtype=np.int64))


def test_importing_the_library_imports_none_of_onnx_onnxruntime_safetensors():
    code = ("import sys, autograd_core, autograd_core.nn, autograd_core.onnx, "
            "autograd_core.safetensors\n"
            "bad = [m for m in ('onnx', 'onnxruntime', 'safetensors') if m in sys.modules]\n"
            "print(bad)\n")
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# -- the application -------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["mlp", "cnn", "resnet", "attention"])
def test_the_training_models_export(model, tmp_path):
    from autograd_cli.models import build_model
    shapes = {"mlp": (4,), "cnn": (1, 8, 8), "resnet": (1, 8, 8), "attention": (1, 8, 8)}
    data = {"mlp": "iris", "cnn": "digits", "resnet": "digits", "attention": "digits"}
    net = build_model(model, shapes[model], 3, data[model])
    export_and_compare(net, [(B,) + shapes[model]], tmp_path)


def test_train_exports_onnx_and_evaluate_runs_it(tmp_path, capsys):
    from autograd_cli.cli import main
    out = tmp_path / "run"
    assert main(["train", "--data", "iris", "--epochs", "2", "--no-progress", "--no-graph",
                 "--out", str(out), "--export-onnx"]) == 0
    assert (out / "model.onnx").is_file()
    capsys.readouterr()
    assert main(["evaluate", str(out / "model.onnx")]) == 0
    text = capsys.readouterr().out
    assert "onnxruntime test accuracy" in text and "same predictions: 1.0000" in text
    (tmp_path / "bad.onnx").write_bytes((out / "model.onnx").read_bytes()[:100])
    (tmp_path / "checkpoint.npz").write_bytes((out / "checkpoint.npz").read_bytes())
    assert main(["evaluate", str(tmp_path / "bad.onnx")]) == 2
    assert "bad.onnx: not a valid ONNX model" in capsys.readouterr().err


class Shortcuts(nn.Module):
    """Ops that, with nothing to record, make their result without ``Function.apply``
    (``x[i]``, iteration and ``unbind``, ``stack``, in-place arithmetic): export must see
    them all the same, or the graph would take their results for constants."""

    def forward(self, x):
        y = x * 1.0
        y.add_(2.0)
        y.mul_(y[:, :1])
        rows = list(y.transpose(0, 1))            # unbind(0) over the features
        z = ag.stack([rows[0], rows[2] * rows[1], y[:, 0]], dim=1)
        return z + x[0][1:] + y.unbind(1)[3].unsqueeze(1)


def test_export_sees_the_ops_made_without_function_apply(tmp_path):
    export_and_compare(Shortcuts(), [(B, 4)], tmp_path)
    export_and_compare(Shortcuts(), [(B, 4)], tmp_path, dynamic=False)
