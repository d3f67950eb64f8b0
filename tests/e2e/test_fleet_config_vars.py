"""FleetConfigVars on the real engine: its lifecycle is in the bulk contract (test_bulk_contract.py)."""

from __future__ import annotations

from .cases import Case, by_natural_key

INPUTS = {"fleet": "acme/production", "variables": {"BALENA_HOST_CONFIG_gpu_mem": "64", "BALENA_HOST_CONFIG_x:y": "1"}}
# How an existing map is adopted (tests/e2e/test_import.py runs it): `acme/production:NAME,NAME`, the
# names after the fleet, where a config variable name may hold ':'.
IMPORT_CASE = Case("FleetConfigVars", INPUTS, by_natural_key("FleetConfigVars", INPUTS), same_outputs=("variable_ids",))
