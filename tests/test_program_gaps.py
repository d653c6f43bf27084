"""What the program suite (tests/programs/, run by test_programs.py) found missing or
different from PyTorch, one test each, against PyTorch itself."""
import pickle

import pytest

import autograd_core as ag
from autograd_core import nn


# ---------------------------------------------------------------- Tensor.__format__
@pytest.mark.parametrize("spec", ["", ".4f", "+.2f", "8.3e", ">10.1f", "g"])
def test_a_0d_tensor_formats_as_its_number(torch, spec):
    for value, req in ((2.5, False), (-0.123456789, True), (3.0, False)):
        ours = ag.tensor(value, dtype=ag.float64, requires_grad=req)
        theirs = torch.tensor(value, dtype=torch.float64, requires_grad=req)
        assert format(ours, spec) == format(theirs, spec)
    assert format(ag.tensor(7), spec if "f" in spec or not spec else "d") == \
        format(torch.tensor(7), spec if "f" in spec or not spec else "d")


def test_format_of_other_tensors_raises_as_pytorchs(torch):
    cases = [(lambda m: m.tensor([1.0, 2.0]), ".2f"),
             (lambda m: m.nn.Parameter(m.tensor(1.0)), ".2f")]
    for make, spec in cases:
        with pytest.raises(TypeError) as theirs:
            format(make(torch), spec)
        with pytest.raises(TypeError) as ours:
            format(make(ag), spec)
        assert str(ours.value) == str(theirs.value).replace("torch.", "")
    # an empty spec is object's str()
    assert format(ag.tensor([1.0, 2.0]), "") == str(ag.tensor([1.0, 2.0]))


# ---------------------------------------------------------------- bfloat16
def test_bfloat16_is_a_dtype_programs_can_name(torch):
    table = {"float32": ag.float32, "bfloat16": ag.bfloat16, "float16": ag.float16}
    assert table["bfloat16"] is ag.bfloat16
    assert ag.bfloat16 != ag.float32 and ag.bfloat16 != ag.float16 and ag.bfloat16 == ag.bfloat16
    assert repr(ag.bfloat16) == repr(torch.bfloat16) and str(ag.bfloat16) == str(torch.bfloat16)
    for attr in ("is_floating_point", "is_complex", "is_signed", "itemsize"):
        assert getattr(ag.bfloat16, attr) == getattr(torch.bfloat16, attr)
    assert pickle.loads(pickle.dumps(ag.bfloat16)) is ag.bfloat16


def test_a_bfloat16_tensor_is_refused_naming_the_dtype():
    for make in (lambda: ag.zeros(2, dtype=ag.bfloat16), lambda: ag.tensor([1.0], dtype=ag.bfloat16),
                 lambda: ag.randn(2, dtype=ag.bfloat16), lambda: ag.set_default_dtype(ag.bfloat16)):
        with pytest.raises(TypeError, match="no torch.bfloat16 tensors"):
            make()
    assert ag.get_default_dtype() == ag.float32
