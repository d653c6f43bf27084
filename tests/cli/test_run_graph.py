"""autograd-core run --graph: the picture of an unmodified PyTorch script's first backward pass.

Each run is a real process (``run`` makes ``import torch`` this library for the whole
process, which must not leak into the test session)."""
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from autograd_cli.program_graph import EXPLAIN_LIMIT, PROGRAM_MAX_NODES
from autograd_core.viz import dot_program
from tests.helpers import REPO

SMALL = textwrap.dedent("""\
    import torch
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))

        def forward(self, x):
            return self.body(x)

    model = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for name, param in model.named_parameters():
        print(name, tuple(param.shape))
    inputs = torch.randn(5, 4)
    targets = torch.tensor([0, 1, 2, 1, 0])
    for step in range(3):
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        print("step", step)
    """)


def run(*argv, cwd=None):
    p = subprocess.run([sys.executable, "-m", "autograd_cli", "run", *map(str, argv)],
                       capture_output=True, text=True, cwd=cwd or REPO, timeout=300)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    script = folder / "small.py"
    script.write_text(SMALL)
    return script


def boxes(source: str) -> int:
    """Boxes drawn: values (v...) and groups (g...); ops are the ellipses between them."""
    return len(re.findall(r"^\s*[vg]\d+ \[", source, flags=re.M))


def test_small_script_clusters_named_as_in_the_model_and_shapes(small, tmp_path):
    out = tmp_path / "g.dot"
    code, stdout, stderr = run("--graph", out, small)
    assert code == 0, stderr
    source = out.read_text()
    for cluster in ("body (Sequential)", "body.0 (Linear)", "body.1 (ReLU)", "body.2 (Linear)",
                    "criterion (CrossEntropyLoss)"):  # a loss module: the script's name for it
        assert f'label="{cluster}"' in source
    for name in ("body.0.weight", "body.2.bias", "inputs", "loss"):
        assert f"<B>{name}</B>" in source
    assert "<B>param</B>" not in source  # parameters keep the model's names, not a loop's
    assert "(5, 4) float32" in source and "(8, 4) float32" in source and "(5, 3) float32" in source
    assert "#fef3c7" in source  # parameters amber, as draw_graph colours them
    # stopped after the first backward: the script's own print never ran
    assert "step 0" not in stdout and f"wrote {out}" in stderr and "--continue" in stderr


def test_continue_runs_the_script_to_its_end(small, tmp_path):
    out = tmp_path / "g.dot"
    code, stdout, stderr = run("--graph", out, "--continue", small)
    assert code == 0, stderr
    assert stdout.splitlines()[-3:] == ["step 0", "step 1", "step 2"] and out.exists()


def test_explain_prints_the_chain_rule_of_a_small_graph(small, tmp_path):
    code, stdout, stderr = run("--graph", tmp_path / "g.dot", "--explain", small)
    assert code == 0, stderr
    assert "\nBackward pass through loss = cross_entropy(" in stdout
    assert "step 1: loss = cross_entropy(" in stdout and "∂loss/∂body.0.weight = " in stdout


def test_resnet_collapses_to_its_blocks(tmp_path):
    out = tmp_path / "resnet.dot"
    code, stdout, stderr = run("--graph", out, "--max-nodes", 16,
                               REPO / "tests/programs/resnet_cifar.py", "--epochs", 1,
                               "--train-size", 2, "--batch-size", 2, "--test-size", 2)
    assert code == 0, stderr
    source = out.read_text()
    assert boxes(source) <= 16
    assert "<B>layer1.0</B> · BasicBlock" in source and "<B>layer3.0</B> · BasicBlock" in source
    assert "in (2, 8, 32, 32)" in source and "out (2, 16, 16, 16) float32" in source


RESNET18 = textwrap.dedent("""\
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class BasicBlock(nn.Module):
        def __init__(self, in_planes, planes, stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.shortcut = nn.Sequential()
            if stride != 1 or in_planes != planes:
                self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False),
                                              nn.BatchNorm2d(planes))

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += self.shortcut(x)
            return F.relu(out)


    class ResNet18(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.in_planes = 64
            self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.layer1 = self._make_layer(64, 1)
            self.layer2 = self._make_layer(128, 2)
            self.layer3 = self._make_layer(256, 2)
            self.layer4 = self._make_layer(512, 2)
            self.linear = nn.Linear(512, num_classes)

        def _make_layer(self, planes, stride):
            layers = [BasicBlock(self.in_planes, planes, stride), BasicBlock(planes, planes)]
            self.in_planes = planes
            return nn.Sequential(*layers)

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
            out = F.adaptive_avg_pool2d(out, 1).flatten(1)
            return self.linear(out)


    net = ResNet18()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    inputs, targets = torch.randn(2, 3, 32, 32), torch.tensor([3, 7])
    for epoch in range(2):
        optimizer.zero_grad()
        loss = criterion(net(inputs), targets)
        loss.backward()
        optimizer.step()
    """)


def test_a_resnet18_is_drawn_as_its_eight_blocks_by_default(tmp_path):
    script = tmp_path / "resnet18.py"
    script.write_text(RESNET18)
    out = tmp_path / "resnet18.dot"
    code, _, stderr = run("--graph", out, script)
    assert code == 0, stderr
    source = out.read_text()
    assert boxes(source) <= PROGRAM_MAX_NODES
    for layer in range(1, 5):
        assert f'label="layer{layer} (Sequential)"' in source
        for block in range(2):
            assert f"<B>layer{layer}.{block}</B> · BasicBlock" in source
    assert "in (2, 64, 32, 32)" in source and "out (2, 128, 16, 16) float32" in source
    assert "<B>conv1</B> · Conv2d" in source and 'label="criterion (CrossEntropyLoss)"' in source


def test_gpt_collapses_to_its_blocks_and_explain_names_its_limit(tmp_path):
    out = tmp_path / "gpt.dot"
    code, stdout, stderr = run("--graph", out, "--max-nodes", 20, "--explain", REPO / "tests/programs/gpt.py",
                          "--steps", 1, "--n-layer", 3, "--batch-size", 2, "--eval-iters", 1,
                          "--block-size", 8)
    assert code == 0, stderr
    source = out.read_text()
    assert boxes(source) <= 20
    for k in range(3):
        assert f"<B>transformer.h.{k}</B> · Block" in source
    assert 'label="transformer.h (ModuleList)"' in source and "<B>logits</B>" in source
    assert f"at most {EXPLAIN_LIMIT} ops" in stdout and "too many" in stdout


def test_bad_extension_and_flags_without_graph_are_usage_errors(small, tmp_path):
    code, _, stderr = run("--graph", tmp_path / "g.txt", small)
    assert code == 2 and "cannot write" in stderr and ".svg" in stderr and ".dot" in stderr
    code, _, stderr = run("--continue", small)
    assert code == 2 and "--continue goes with --graph FILE" in stderr
    assert not (tmp_path / "g.txt").exists()


def test_a_format_the_renderer_cannot_write_is_refused_before_the_script_runs(small, tmp_path,
                                                                              monkeypatch):
    monkeypatch.setenv("AUTOGRAD_CORE_DOT", str(tmp_path / "no-such-dot"))
    code, stdout, stderr = run("--graph", tmp_path / "g.svg", small)
    assert code == 1 and stdout == "" and "apt-get install graphviz" in stderr
    assert run("--graph", tmp_path / "g.dot", small)[0] == 0  # the DOT text needs no renderer
    pure = shutil.which("graphviz-pure", path=os.path.dirname(sys.executable)) or \
        shutil.which("graphviz-pure")
    if pure is None:
        pytest.skip("graphviz-pure is not installed")
    monkeypatch.setenv("AUTOGRAD_CORE_DOT", pure)  # writes svg and png, not pdf
    code, stdout, stderr = run("--graph", tmp_path / "g.pdf", small)
    assert code == 2 and stdout == "" and "pdf" in stderr and "svg" in stderr


def test_a_script_without_backward_writes_nothing_and_says_so(tmp_path):
    script = tmp_path / "forward_only.py"
    script.write_text("import torch\nprint(torch.ones(2).sum().item())\n")
    out = tmp_path / "g.svg"
    code, stdout, stderr = run("--graph", out, script)
    assert code == 1 and stdout == "2.0\n"
    assert "never called backward()" in stderr and not out.exists()


@pytest.mark.skipif(dot_program() is None, reason="no dot to render with")
def test_writes_an_svg(small, tmp_path):
    out = tmp_path / "g.svg"
    code, _, stderr = run("--graph", out, small)
    assert code == 0, stderr
    text = out.read_text(encoding="utf-8")
    assert text.lstrip().startswith(("<?xml", "<svg")) and "criterion (CrossEntropyLoss)" in text


# ------------------------------------------------------- FirstBackward in this process
def _owners(capture):
    """{op: module name or '' (the model's own)} of the captured drawing."""
    d = capture.drawing
    return {n.op: d.owner.get(n.index, "") for n in d.graph.nodes if not n.is_leaf}


def test_modules_called_with_keywords_claim_only_their_own_ops():
    import autograd_core as ag
    from autograd_core import nn
    from autograd_cli.program_graph import FirstBackward

    class Scores(nn.Module):
        def __init__(self):
            super().__init__()
            self.q = nn.Linear(4, 4)

        def forward(self, query, key):
            return (self.q(query) @ key.transpose(-2, -1)).softmax(-1)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.scores = Scores()

        def forward(self, x):
            h = x.tanh()
            return self.scores(query=h, key=h)

    net = Net()
    with FirstBackward(keep_running=True, max_nodes=None) as capture:
        net(ag.randn(3, 4, requires_grad=True)).sum().backward()
    owners = _owners(capture)
    assert owners["tanh"] == "" and owners["softmax"] == "scores" and owners["linear"] == "scores.q"


def test_an_output_changed_in_place_stays_its_modules_and_the_stop_is_restored():
    import autograd_core as ag
    import autograd_core.autograd as autograd
    from autograd_core import nn
    from autograd_cli.program_graph import FirstBackward

    class Residual(nn.Module):  # ResNet's out = self.bn(...); out += x
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            out = self.fc(x)
            out += x
            return out.relu()

    model = Residual()
    before = autograd.backward
    with FirstBackward(keep_running=True, max_nodes=None) as capture:
        loss = model(ag.randn(2, 3, requires_grad=True)).sum()
        loss.backward()
        model(ag.randn(2, 3)).sum().backward()  # a second backward: not drawn again
    assert autograd.backward is before and capture.root_name == "loss"
    owners = _owners(capture)
    assert owners["linear"] == "fc" and owners["add"] == "" and owners["relu"] == ""
