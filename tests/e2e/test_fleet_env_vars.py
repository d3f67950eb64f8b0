"""FleetEnvVars on the real engine. The lifecycle every bulk kind keeps is in test_bulk_contract.py; here,
what that contract does not show: the exact requests of an update, a whole map given as one secret, the
fleet deleted or renamed outside Pulumi, and the one-owner guard with Output inputs."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import unquote

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.variables.fleet_env_var import FleetEnvVar
from balena_pulumi.resources.variables.fleet_env_vars import FleetEnvVars

from .cases import Case, by_natural_key
from .harness import problem

INPUTS = {"fleet": "acme/production", "variables": {"LOG_LEVEL": "info", "MQTT_HOST": "mqtt"}}
# How an existing map is adopted (tests/e2e/test_import.py runs it): `acme/production:LOG_LEVEL,MQTT_HOST`.
IMPORT_CASE = Case("FleetEnvVars", INPUTS, by_natural_key("FleetEnvVars", INPUTS), same_outputs=("variable_ids",))

FLEET = "acme/production"
RESOURCE = "/v7/application_environment_variable"


def bulk_program(variables: Any, fleet: str = FLEET, secret: bool = False):
    def program() -> None:
        import pulumi

        value = pulumi.Output.secret(variables) if secret else variables
        bulk = FleetEnvVars("env", fleet=fleet, variables=value)
        pulumi.export("variable_ids", bulk.variable_ids)
        pulumi.export("fleet_id", bulk.fleet_id)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def fleet_vars(deployment, fleet: str = FLEET) -> dict[str, str]:
    client = api(deployment)
    return {v.name: v.value for v in client.variables("fleet_env").list(client.fleets.get_by_slug(fleet).id)}


def test_an_update_sends_exactly_the_change_set(deployment):
    deployment.up(bulk_program({"KEEP": "1", "CHANGE": "old", "DROP": "x", "DROP_TOO": "y"}))
    ids = deployment.outputs()["variable_ids"]
    deployment.sandbox.clear_requests()

    result = deployment.up(bulk_program({"KEEP": "1", "CHANGE": "new", "ADD": "a", "ADD_TOO": "b"}))

    assert result.summary.resource_changes.get("update") == 1
    requests = [(r["method"], r["path"]) for r in deployment.sandbox.requests()]
    # One DELETE for every removed name, first; then one PATCH per changed value and one POST per new name,
    # at once; nothing else, not even a GET.
    assert requests[0] == ("DELETE", RESOURCE)
    assert Counter(requests[1:]) == {("PATCH", f"{RESOURCE}({ids['CHANGE']})"): 1, ("POST", RESOURCE): 2}
    [delete] = [r for r in deployment.sandbox.requests() if r["method"] == "DELETE"]
    query = unquote(delete["query"])
    assert f"id in ({min(ids['DROP'], ids['DROP_TOO'])},{max(ids['DROP'], ids['DROP_TOO'])})" in query
    assert f"application eq {deployment.outputs()['fleet_id']}" in query
    assert fleet_vars(deployment) == {"KEEP": "1", "CHANGE": "new", "ADD": "a", "ADD_TOO": "b"}
    new_ids = deployment.outputs()["variable_ids"]
    assert new_ids["KEEP"] == ids["KEEP"] and new_ids["CHANGE"] == ids["CHANGE"]


def test_a_map_given_as_one_secret_stays_secret_whole(deployment):
    deployment.up(bulk_program({"API_TOKEN": "s3cr3t-one", "OTHER": "s3cr3t-two"}, secret=True))
    deployment.refresh()
    deployment.up(bulk_program({"API_TOKEN": "s3cr3t-three"}, secret=True))
    assert fleet_vars(deployment) == {"API_TOKEN": "s3cr3t-three"}
    assert "s3cr3t" not in deployment.state_text()
    [bulk] = deployment.resources("FleetEnvVars")
    assert "ciphertext" in bulk["outputs"]["variables"] and "ciphertext" in bulk["inputs"]["variables"]

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(bulk_program({"API_TOKEN": "s3cr3t\nbroken"}, secret=True))
    line = "variables: value of API_TOKEN: must not contain line breaks (\\r or \\n)"
    assert problem("FleetEnvVars", "env", line) in str(failure.value), str(failure.value)
    assert "s3cr3t" not in str(failure.value)


def test_the_fleet_deleted_out_of_band_removes_the_resource_on_refresh(deployment):
    client = api(deployment)
    fleet = client.fleets.create(client.organizations.get_by_handle("acme").id, "doomed", 1)
    deployment.up(bulk_program({"A": "1"}, fleet="acme/doomed"))
    client.fleets.delete(fleet.id)

    refreshed = deployment.refresh()

    assert refreshed.summary.resource_changes.get("delete") == 1
    assert deployment.resources("FleetEnvVars") == []


def test_a_renamed_fleet_does_not_replace_the_variables(deployment):
    deployment.up(bulk_program({"A": "1"}))
    ids = deployment.outputs()["variable_ids"]
    client = api(deployment)
    client.fleets.update(client.fleets.get_by_slug(FLEET).id, name="production-eu")
    deployment.sandbox.clear_requests()

    result = deployment.up(bulk_program({"A": "1"}, fleet="acme/production-eu"))

    assert "replace" not in result.summary.resource_changes
    assert deployment.writes() == []
    assert deployment.outputs()["variable_ids"] == ids
    [bulk] = deployment.resources("FleetEnvVars")
    assert bulk["outputs"]["fleet"] == "acme/production-eu"


def test_a_fleet_that_does_not_exist_fails_in_preview_naming_fleet(deployment):
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(bulk_program({"OK": "1"}, fleet="acme/nowhere"))
    assert "fleet: no fleet with slug 'acme/nowhere' is visible to this token" in str(failure.value)
    assert deployment.writes() == []


def duplicate_program(as_outputs: bool):
    def program() -> None:
        import pulumi

        fleet = pulumi.Output.from_input(FLEET) if as_outputs else FLEET
        FleetEnvVar("single", fleet=fleet, name="LOG_LEVEL", value="info")
        FleetEnvVars("bulk", fleet=fleet, variables={"OTHER": "1", "LOG_LEVEL": "debug"})

    return program


@pytest.mark.parametrize("as_outputs", [False, True], ids=["plain-inputs", "output-inputs"])
def test_one_variable_managed_by_a_single_and_a_bulk_resource_is_a_program_error(deployment, as_outputs):
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.up(duplicate_program(as_outputs))
    text = str(failure.value)
    message = (
        'FleetEnvVar "single" and FleetEnvVars "bulk" both manage the fleet environment variable LOG_LEVEL '
        "of acme/production; it must be managed by one resource only, or the two overwrite each other on every "
        "`pulumi up` (keep it in one of them)"
    )
    # One plain message: printed once, with no traceback and no exception class name.
    assert text.count(message) == 1, text
    assert "Traceback" not in text and "DuplicateManagementError" not in text, text
    assert "LOG_LEVEL" not in fleet_vars(deployment) or fleet_vars(deployment)["LOG_LEVEL"] == "info"
    assert deployment.resources("FleetEnvVars") == []  # the second owner never registered
