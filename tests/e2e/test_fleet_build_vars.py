"""FleetBuildVars on the real engine: its lifecycle is in the bulk contract (test_bulk_contract.py)."""

from __future__ import annotations

from .cases import Case, by_natural_key

INPUTS = {"fleet": "acme/production", "variables": {"NPM_REGISTRY": "https://npm.example", "NODE_ENV": "production"}}
# How an existing map is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case("FleetBuildVars", INPUTS, by_natural_key("FleetBuildVars", INPUTS), same_outputs=("variable_ids",))
