"""Shared test configuration: hypothesis profile and the problem factory as fixtures."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))  # `import _reference` under any import mode

from hypothesis import HealthCheck, settings  # noqa: E402

import _reference  # noqa: E402

# Small, deterministic property tests (the suite must stay fast on 2 cores).
settings.register_profile(
    "regularized",
    max_examples=15,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("REGULARIZED_HYPOTHESIS_PROFILE", "regularized"))


@pytest.fixture(scope="session")
def tall_problem():
    """n > p dense regression problem (X, y, w)."""
    return _reference.make_problem(60, 12, seed=0)


@pytest.fixture(scope="session")
def wide_problem():
    """p > n dense regression problem (X, y, w)."""
    return _reference.make_problem(25, 40, seed=1)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
