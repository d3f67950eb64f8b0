"""DeviceConfigVars on the real engine: its lifecycle is in the bulk contract (test_bulk_contract.py)."""

from __future__ import annotations

from .cases import DEVICE, Case, by_natural_key

INPUTS = {"device": DEVICE, "variables": {"BALENA_SUPERVISOR_POLL_INTERVAL": "600000"}}
# How an existing map is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case("DeviceConfigVars", INPUTS, by_natural_key("DeviceConfigVars", INPUTS), same_outputs=("variable_ids",))
