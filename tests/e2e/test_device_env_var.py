"""DeviceEnvVar on the real engine: the variable contract (``variable_contract.py``) run for this scope."""

from __future__ import annotations

import pytest

from . import cases
from .variable_contract import *  # noqa: F401,F403  (the shared contract tests, collected here)
from .variable_contract import CASES, Case

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = cases.Case("DeviceEnvVar", {"device": cases.DEVICE, "name": "CANARY", "value": "true"}, cases.natural(f"{cases.DEVICE}:CANARY"))


@pytest.fixture
def case() -> Case:
    return CASES["DeviceEnvVar"]
