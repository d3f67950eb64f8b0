"""DeviceConfigVar on the real engine: the variable contract (``variable_contract.py``) run for this scope."""

from __future__ import annotations

import pytest

from . import cases
from .variable_contract import *  # noqa: F401,F403  (the shared contract tests, collected here)
from .variable_contract import CASES, Case

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = cases.Case(
    "DeviceConfigVar",
    {"device": cases.DEVICE, "name": "BALENA_SUPERVISOR_POLL_INTERVAL", "value": "600000"},
    cases.natural(f"{cases.DEVICE}:BALENA_SUPERVISOR_POLL_INTERVAL"),
)


@pytest.fixture
def case() -> Case:
    return CASES["DeviceConfigVar"]
