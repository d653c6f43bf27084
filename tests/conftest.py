"""Shared test settings.

PyTorch is a reference only. Parity tests import it with ``torch_or_skip()``:
on a developer's machine without the local wheel they skip, but under CI
(``CI=true``) a missing torch is an error, so CI can never pass by skipping them.
"""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import autograd_core as ag

settings.register_profile(
    "default", max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("default")


def torch_or_skip():
    try:
        import torch
    except ImportError:
        if os.environ.get("CI"):
            raise RuntimeError("CI runs the PyTorch parity tests: install torch==2.13.0 "
                               "(make test does, from the local wheel)")
        pytest.skip("torch is not installed (make test installs the local CPU wheel)")
    return torch


@pytest.fixture
def torch():
    return torch_or_skip()


@pytest.fixture(autouse=True)
def _seed():
    ag.manual_seed(0)
    np.random.seed(0)
    yield
