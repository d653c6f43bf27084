"""autograd-core graph: forward, backward, the picture, and a parser that refuses anything else."""
import os
import shutil
import subprocess
import sys

import pytest

from autograd_cli.cli import SUBCOMMANDS, build_parser, main
from autograd_cli.expression import ExpressionError, evaluate, parse
from tests.helpers import REPO


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_output_and_every_gradient(capsys):
    code, out, err = run(capsys, "graph", "(x + y) * z", "x=1", "y=-3", "z=4")
    assert code == 0 and err == ""
    assert out.splitlines() == ["f = (x + y) * z = -8", "df/dx = 4", "df/dy = 4", "df/dz = -2"]


def test_sigmoid_neuron_and_unused_variables(capsys):
    code, out, _ = run(capsys, "graph", "sigmoid(w1*x1 + w2*x2 + b)", "w1=1", "x1=2", "w2=-1",
                       "x2=3", "b=1", "c=5")
    assert code == 0
    assert out.splitlines() == ["f = sigmoid(w1*x1 + w2*x2 + b) = 0.5", "df/dw1 = 0.5",
                                "df/dx1 = 0.25", "df/dw2 = 0.75", "df/dx2 = -0.25",
                                "df/db = 0.25", "df/dc = 0  (not used)"]


def test_numbers_powers_and_functions(capsys):
    code, out, _ = run(capsys, "graph", "exp(x) + log(x) + tanh(0*x) + relu(-x) + x**2 / 2 - 1",
                       "x=1")
    assert code == 0
    # d/dx = e + 1 + 0 + 0 + x = e + 2
    assert "df/dx = 4.71828" in out


def test_explain_flag(capsys):
    code, out, _ = run(capsys, "graph", "(x + y) * z", "x=1", "y=-3", "z=4", "--explain")
    assert code == 0
    assert "step 2: x + y, upstream ∂f/∂(x + y) = 4" in out


def test_writes_svg_png_and_dot(capsys, tmp_path):
    if shutil.which("dot") is None and shutil.which("graphviz-pure") is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI renders with Graphviz's dot: make test installs it")
        pytest.skip("no dot to render with")
    svg = tmp_path / "graph.svg"
    code, out, _ = run(capsys, "graph", "(x + y) * z", "x=1", "y=-3", "z=4", "-o", str(svg))
    assert code == 0 and out.endswith(f"wrote {svg}\n")
    assert svg.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
    png = tmp_path / "graph.png"
    assert run(capsys, "graph", "x * x", "x=3", "-o", str(png), "--rankdir", "TB")[0] == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    dot = tmp_path / "graph.dot"
    assert run(capsys, "graph", "x * x", "x=3", "-o", str(dot))[0] == 0
    assert dot.read_text(encoding="utf-8").startswith("digraph")


def test_bad_output_name(capsys, tmp_path):
    code, _, err = run(capsys, "graph", "x", "x=1", "-o", str(tmp_path / "g.txt"))
    assert code == 2 and "use a file ending in .svg" in err


REFUSED = [
    ("__import__('os').system('echo hi')", "attribute access '.system'"),
    ("__import__('os')", "calling '__import__' is not allowed"),
    ("x.real", "attribute access '.real'"),
    ("x.__class__", "attribute access '.__class__'"),
    ("(lambda: 1)()", "lambda"),
    ("(lambda q: q)(x)", "lambda"),
    ("w + x", "unknown name 'w'"),
    ("open('f')", "calling 'open' is not allowed"),
    ("eval('1')", "calling 'eval' is not allowed"),
    ("[x for x in ()]", "comprehension"),
    ("'a' * 3", "strings are not allowed"),
    ("x if x else 1", "conditional expression"),
    ("x < 1", "comparison"),
    ("x // 2", "operator '//'"),
    ("x % 2", "operator '%'"),
    ("x[0]", "subscripts"),
    ("exp", "'exp' is a function"),
    ("exp(x, x)", "exp() takes exactly one argument"),
    ("exp(x=1)", "exp() takes exactly one argument"),
    ("(x := 2)", "assignment ':='"),
    ("True + x", "the constant True"),
    ("1j * x", "the constant 1j"),
    ("f'{x}'", "f-string"),
    ("import os", "not a valid expression"),
    ("x; y", "not a valid expression"),
    ("x +", "not a valid expression"),
    ("", "empty"),
]


@pytest.mark.parametrize("expr,reason", REFUSED)
def test_refuses_everything_else_with_exit_code_2(capsys, expr, reason):
    code, out, err = run(capsys, "graph", expr, "x=1", "y=2")
    assert code == 2 and out == ""
    assert reason in err and "refused" in err


def test_refused_code_is_never_run(capsys, tmp_path):
    marker = tmp_path / "ran"
    attempts = [f"__import__('os').system('touch {marker}')",
                f"open('{marker}', 'w')",
                f"[__import__('pathlib').Path('{marker}').touch() for _ in [1]]",
                f"(lambda: __import__('os').system('touch {marker}'))()",
                f"x + __import__('os').system('touch {marker}')"]
    for expr in attempts:
        assert run(capsys, "graph", expr, "x=1")[0] == 2
    assert not marker.exists()


def test_nothing_is_evaluated_before_the_whole_tree_is_checked(monkeypatch):
    from autograd_cli import expression
    calls = []
    monkeypatch.setattr(expression, "_apply", lambda *a: calls.append(a))
    with pytest.raises(ExpressionError):
        evaluate("exp(x) + x.real", {"x": 1.0})
    assert calls == []


def test_bad_variables(capsys):
    for args, reason in [(["x=abc"], "must be a number"), (["x"], "NAME=VALUE"),
                         (["x=1", "x=2"], "given twice"), (["exp=1"], "function name"),
                         (["__x=1"], "not a usable"), (["x=nan"], "finite"),
                         (["1x=1"], "not a usable")]:
        code, _, err = run(capsys, "graph", "x", *args)
        assert code == 2 and reason in err, args


def test_arithmetic_failures_exit_1(capsys):
    for expr, reason in [("x / (x - 1)", "division by zero"), ("log(x - 1)", "positive"),
                         ("exp(1000 * x)", "overflow"), ("(0 - x) ** 0.5", "not a real number")]:
        code, _, err = run(capsys, "graph", expr, "x=1")
        assert code == 1 and reason in err, expr


def test_long_and_deep_input_is_refused_or_handled():
    with pytest.raises(ExpressionError, match="longer than"):
        parse("x+" * 2000 + "x", {"x": 1})
    deep = "(" * 300 + "x" + ")" * 300
    with pytest.raises(ExpressionError):
        parse(deep, {"x": 1})
    long_sum = "+".join(["x"] * 600)           # evaluated with a stack, not recursion
    assert evaluate(long_sum, {"x": 1.0}).data == 600.0


def test_literal_exponents_stay_numbers():
    y = evaluate("x ** 2", {"x": 3.0})
    assert y._op == "**2" and len(y._prev) == 1
    y = evaluate("x ** -1", {"x": 2.0})
    assert y.data == 0.5 and y._op == "**-1"
    y = evaluate("2 ** x", {"x": 3.0})
    assert y.data == 8.0 and len(y._prev) == 2


def test_no_eval_or_exec_in_the_parser():
    import inspect
    from autograd_cli import expression
    source = inspect.getsource(expression)
    assert "eval(" not in source.replace("evaluate(", "").replace("mode=\"eval\"", "")
    assert "exec(" not in source and "compile(" not in source


def test_subcommand_registry_and_usage(capsys):
    assert "graph" in [c.name for c in SUBCOMMANDS]
    parser = build_parser()
    assert "graph" in parser.format_help()
    assert run(capsys, )[0] == 2


def test_module_entry_point_exits_with_2_for_a_refusal():
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-m", "autograd_cli", "graph",
                        "__import__('os').system('echo hi')", "x=1"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "hi" not in r.stdout
    assert "attribute access '.system'" in r.stderr
