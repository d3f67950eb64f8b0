"""DeviceConfigVar on the real engine: the variable contract (``variable_contract.py``) run for this scope."""

from __future__ import annotations

import pytest

from .variable_contract import *  # noqa: F401,F403  (the shared contract tests, collected here)
from .variable_contract import CASES, Case


@pytest.fixture
def case() -> Case:
    return CASES["DeviceConfigVar"]
