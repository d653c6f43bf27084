"""Shared test settings: the hypothesis profile, the ``torch`` fixture and the seeds.

PyTorch is a reference only. Parity tests take it from the ``torch`` fixture (or call
``tests.helpers.torch_or_skip()`` where a fixture cannot be used): on a developer's machine
without the local wheel they skip, but under CI (``CI=true``) a missing torch is an error,
so CI can never pass by skipping them.

The test folders are packages (``tests``, ``tests.nn``, ...), so test files in different
folders may share a name; helpers shared by several files live in ``tests/helpers.py``.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import autograd_core as ag
from tests.helpers import torch_or_skip

settings.register_profile(
    "default", max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("default")


@pytest.fixture
def torch():
    return torch_or_skip()


@pytest.fixture(autouse=True)
def _seed():
    ag.manual_seed(0)
    np.random.seed(0)
    yield
