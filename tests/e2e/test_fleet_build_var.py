"""FleetBuildVar on the real engine: the variable contract (``variable_contract.py``) run for this scope."""

from __future__ import annotations

import pytest

from . import cases
from .variable_contract import *  # noqa: F401,F403  (the shared contract tests, collected here)
from .variable_contract import test_a_renamed_parent_fleet_does_not_replace_the_variable  # noqa: F401
from .variable_contract import CASES, Case

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = cases.Case(
    "FleetBuildVar",
    {"fleet": "acme/production", "name": "NPM_REGISTRY", "value": "https://npm.example"},
    cases.natural("acme/production:NPM_REGISTRY"),
)


@pytest.fixture
def case() -> Case:
    return CASES["FleetBuildVar"]
