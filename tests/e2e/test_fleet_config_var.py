"""FleetConfigVar on the real engine: the variable contract (``variable_contract.py``) run for this scope."""

from __future__ import annotations

import pytest

from . import cases
from .variable_contract import *  # noqa: F401,F403  (the shared contract tests, collected here)
from .variable_contract import test_a_renamed_parent_fleet_does_not_replace_the_variable  # noqa: F401
from .variable_contract import CASES, Case

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = cases.Case(
    "FleetConfigVar",
    {"fleet": "acme/production", "name": "BALENA_HOST_CONFIG_gpu_mem", "value": "64"},
    cases.natural("acme/production:BALENA_HOST_CONFIG_gpu_mem"),
)


@pytest.fixture
def case() -> Case:
    return CASES["FleetConfigVar"]
