"""nn.utils besides gradient clipping (test_clip_grad.py): parameters_to_vector /
vector_to_parameters (``nn/utils/convert_parameters.py``) and rnn.pad_sequence
(``nn/utils/rnn.py``): PyTorch parity, gradcheck, errors and their docstring examples."""
from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn.utils import parameters_to_vector, vector_to_parameters
from autograd_core.nn.utils.rnn import pad_sequence
from tests.helpers import Draw, leaf

draw = Draw(7)
arr, parity = draw.arr, draw.parity


def test_parameters_to_vector_and_back(torch):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                                 torch.nn.Linear(4, 2)).double()
    tmodel.load_state_dict({k: torch.tensor(v.detach().numpy())
                            for k, v in model.state_dict().items()})
    vec = parameters_to_vector(model.parameters())
    tvec = torch.nn.utils.parameters_to_vector(tmodel.parameters())
    np.testing.assert_array_equal(vec.detach().numpy(), tvec.detach().numpy())
    g = arr(vec.shape[0])
    (vec * ag.tensor(g)).sum().backward()
    np.testing.assert_array_equal(model[0].weight.grad.numpy().reshape(-1), g[:12])
    new = arr(vec.shape[0])
    vector_to_parameters(ag.tensor(new), model.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tmodel.parameters())
    for (k, p), (_, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), tp.detach().numpy(), err_msg=k)
    x = arr(2, 3)
    np.testing.assert_allclose(model(ag.tensor(x)).detach().numpy(),
                               tmodel(torch.tensor(x)).detach().numpy(), atol=1e-12)
    with pytest.raises(TypeError, match="vector_to_parameters: expected vec to be a Tensor, but "
                                        "got: list"):
        vector_to_parameters([1.0], model.parameters())
    with pytest.raises(ValueError, match=r"expected a 1-D vec of 26 elements \(the parameters' "
                                         r"total\), got shape \(5,\)"):
        vector_to_parameters(ag.ones(5), model.parameters())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch(torch, batch_first, side):
    seqs = [arr(3, 2), arr(5, 2), arr(1, 2)]
    parity(torch, lambda *s: pad_sequence(list(s), batch_first, -1.5, side),
           lambda *s: torch.nn.utils.rnn.pad_sequence(list(s), batch_first, -1.5, side), *seqs)
    one_d = [arr(2), arr(4)]
    parity(torch, lambda *s: pad_sequence(list(s), batch_first, padding_side=side),
           lambda *s: torch.nn.utils.rnn.pad_sequence(list(s), batch_first, padding_side=side),
           *one_d)


def test_pad_sequence_errors_and_gradcheck():
    assert ag.gradcheck(lambda a, b: pad_sequence([a, b], True, 0.5), (leaf(arr(2, 3)),
                                                                       leaf(arr(4, 3))))
    with pytest.raises(ValueError, match="expected padding_side to be one of left or right, but "
                                         "got middle"):
        pad_sequence([ag.ones(2)], padding_side="middle")
    with pytest.raises(ValueError, match=r"same trailing dims, got shapes \[\(2, 3\), \(2, 4\)\]"):
        pad_sequence([ag.ones(2, 3), ag.ones(2, 4)])
    with pytest.raises(ValueError, match="received an empty list"):
        pad_sequence([])


def test_utils_docstring_examples():
    import autograd_core.nn.utils.convert_parameters as convert_parameters
    import autograd_core.nn.utils.rnn as rnn
    for module in (convert_parameters, rnn):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS |
                                 doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0
    assert math.isfinite(1.0)
