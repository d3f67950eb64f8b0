"""DeviceEnvVar on the real engine: the variable contract (``variable_contract.py``) run for this scope."""

from __future__ import annotations

import pytest

from .variable_contract import *  # noqa: F401,F403  (the shared contract tests, collected here)
from .variable_contract import CASES, Case
from .cases import DEVICE, Case, natural

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case("DeviceEnvVar", {"device": DEVICE, "name": "CANARY", "value": "true"}, natural(f"{DEVICE}:CANARY"))


@pytest.fixture
def case() -> Case:
    return CASES["DeviceEnvVar"]
