"""ServiceEnvVars on the real engine: its lifecycle is in the bulk contract (test_bulk_contract.py)."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from balena_pulumi.resources.variables.service_env_vars import ServiceEnvVars

from .cases import Case, by_natural_key

INPUTS = {"fleet": "acme/production", "service": "main", "variables": {"PORT": "8080", "WORKERS": "4"}}
# How an existing map is adopted (tests/e2e/test_import.py runs it): `acme/production:main:PORT,WORKERS`.
IMPORT_CASE = Case("ServiceEnvVars", INPUTS, by_natural_key("ServiceEnvVars", INPUTS), same_outputs=("service_id",))


def test_a_service_no_release_defines_fails_in_preview_naming_service(deployment):
    def program() -> None:
        ServiceEnvVars("metrics", fleet="acme/production", service="metrics", variables={"PORT": "9100"})

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(program)
    assert "service: fleet acme/production has no service named 'metrics'" in str(failure.value)
    assert deployment.writes() == []
