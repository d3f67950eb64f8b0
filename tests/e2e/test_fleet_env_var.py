"""FleetEnvVar on the real engine: the variable contract (``variable_contract.py``) run for this scope."""

from __future__ import annotations

import pytest

from . import cases
from .variable_contract import *  # noqa: F401,F403  (the shared contract tests, collected here)
from .variable_contract import test_a_renamed_parent_fleet_does_not_replace_the_variable  # noqa: F401
from .variable_contract import CASES, Case

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = cases.Case(
    "FleetEnvVar",
    {"fleet": "acme/production", "name": "LOG_LEVEL", "value": "info"},
    cases.natural("acme/production:LOG_LEVEL"),
)


@pytest.fixture
def case() -> Case:
    return CASES["FleetEnvVar"]


def test_renaming_the_fleet_resource_of_the_same_stack_updates_the_variable_without_replacing_it(deployment):
    def program(fleet_name: str):
        def run() -> None:
            import pulumi

            from balena_pulumi.resources.fleets.fleet import Fleet
            from balena_pulumi.resources.variables.fleet_env_var import FleetEnvVar

            fleet = Fleet("gw", organization="acme", name=fleet_name, device_type="raspberrypi4-64")
            var = FleetEnvVar("log", fleet=fleet.slug, name="LOG_LEVEL", value="info")
            pulumi.export("variable_id", var.variable_id)

        return run

    # The slug is unknown until the fleet exists: preview validates what it can and sends no write.
    deployment.preview(program("edge-gateways"))
    assert deployment.writes() == []
    deployment.up(program("edge-gateways"))
    variable_id = deployment.outputs()["variable_id"]
    deployment.sandbox.clear_requests()

    # A renamed fleet is the same fleet, in preview (the fleet's new slug is predicted, and its diff tells
    # the reference layer it is updated in place) as in the up.
    preview = deployment.preview(program("edge-gateways-v2"))
    assert preview.change_summary == {"same": 1, "update": 2}
    assert deployment.writes() == []
    result = deployment.up(program("edge-gateways-v2"))

    assert "replace" not in result.summary.resource_changes
    assert result.summary.resource_changes.get("update") == 2  # the fleet, and the slug kept by the variable
    assert [(w["method"], w["path"].split("(")[0]) for w in deployment.writes()] == [("PATCH", "/v7/application")]
    assert deployment.outputs()["variable_id"] == variable_id
    [var] = deployment.resources("FleetEnvVar")
    assert var["outputs"]["fleet"] == "acme/edge-gateways-v2"
