"""DeviceEnvVars on the real engine: its lifecycle is in the bulk contract (test_bulk_contract.py)."""

from __future__ import annotations

from .cases import DEVICE, Case, by_natural_key

INPUTS = {"device": DEVICE, "variables": {"CANARY": "true", "LOG_LEVEL": "debug"}}
# How an existing map is adopted (tests/e2e/test_import.py runs it): `<uuid>:CANARY,LOG_LEVEL`.
IMPORT_CASE = Case("DeviceEnvVars", INPUTS, by_natural_key("DeviceEnvVars", INPUTS), same_outputs=("variable_ids",))
