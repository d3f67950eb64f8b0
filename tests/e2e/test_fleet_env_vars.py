"""FleetEnvVars (bulk) on the real engine: authoritative over its own names only, fewest requests per change."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.variables.fleet_env_var import FleetEnvVar
from balena_pulumi.resources.variables.fleet_env_vars import FleetEnvVars

from .cases import Case, natural
from .harness import problem

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case(
    "FleetEnvVars",
    {"fleet": "acme/production", "variables": {"LOG_LEVEL": "info", "MQTT_HOST": "mqtt"}},
    natural("acme/production"),
)

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


def requests(deployment) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in deployment.sandbox.requests()]


def test_create_posts_each_name_and_a_second_up_sends_no_request(deployment):
    result = deployment.up(bulk_program({"A": "1", "B": "2", "C": "3"}))
    assert result.summary.resource_changes.get("create") == 2
    assert fleet_vars(deployment) == {"A": "1", "B": "2", "C": "3"}
    assert set(deployment.outputs()["variable_ids"]) == {"A", "B", "C"}

    deployment.sandbox.clear_requests()
    again = deployment.up(bulk_program({"A": "1", "B": "2", "C": "3"}))
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []


def test_an_update_sends_exactly_the_change_set(deployment):
    deployment.up(bulk_program({"KEEP": "1", "CHANGE": "old", "DROP": "x", "DROP_TOO": "y"}))
    ids = deployment.outputs()["variable_ids"]
    deployment.sandbox.clear_requests()

    result = deployment.up(bulk_program({"KEEP": "1", "CHANGE": "new", "ADD": "a"}))

    assert result.summary.resource_changes.get("update") == 1
    # One DELETE for every removed name, one PATCH per changed value, one POST per new name, nothing else.
    assert requests(deployment) == [
        ("DELETE", RESOURCE),
        ("PATCH", f"{RESOURCE}({ids['CHANGE']})"),
        ("POST", RESOURCE),
    ]
    [delete] = [r for r in deployment.sandbox.requests() if r["method"] == "DELETE"]
    query = unquote(delete["query"])
    assert f"id in ({min(ids['DROP'], ids['DROP_TOO'])},{max(ids['DROP'], ids['DROP_TOO'])})" in query
    assert f"application eq {deployment.outputs()['fleet_id']}" in query
    assert fleet_vars(deployment) == {"KEEP": "1", "CHANGE": "new", "ADD": "a"}
    new_ids = deployment.outputs()["variable_ids"]
    assert new_ids["KEEP"] == ids["KEEP"] and new_ids["CHANGE"] == ids["CHANGE"]


def test_names_it_does_not_own_are_never_touched(deployment):
    client = api(deployment)
    fleet_id = client.fleets.get_by_slug(FLEET).id
    client.variables("fleet_env").create(fleet_id, "HAND_MADE", "keep me")

    deployment.up(bulk_program({"A": "1"}))
    deployment.up(bulk_program({"B": "2"}))
    deployment.refresh()
    assert fleet_vars(deployment) == {"HAND_MADE": "keep me", "B": "2"}
    [bulk] = deployment.resources("FleetEnvVars")
    assert bulk["outputs"]["variables"] == {"B": "2"}  # refresh does not adopt foreign names

    deployment.sandbox.clear_requests()
    deployment.destroy()
    assert [m for m, _ in requests(deployment) if m != "GET"] == ["DELETE"]  # one request for all its names
    assert fleet_vars(deployment) == {"HAND_MADE": "keep me"}
    deployment.destroy()
    assert fleet_vars(deployment) == {"HAND_MADE": "keep me"}


def test_an_existing_name_it_does_not_own_is_a_clear_error_and_nothing_is_left_behind(deployment):
    client = api(deployment)
    client.variables("fleet_env").create(client.fleets.get_by_slug(FLEET).id, "TAKEN", "theirs")

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.up(bulk_program({"A_FIRST": "1", "TAKEN": "mine"}))

    text = str(failure.value)
    assert (
        "FleetEnvVars acme/production: the fleet already has an environment variable named TAKEN that this resource "
        "does not own: adopt it with import id 'acme/production:TAKEN' (the names after ':' are adopted), delete it "
        "first, or leave it out of `variables`"
    ) in text
    assert fleet_vars(deployment) == {"TAKEN": "theirs"}  # A_FIRST was rolled back, TAKEN untouched


def test_refresh_detects_drift_of_its_own_names_and_up_repairs_it_with_the_fewest_requests(deployment):
    deployment.up(bulk_program({"A": "1", "B": "2", "C": "3"}))
    ids = deployment.outputs()["variable_ids"]
    vars_api = api(deployment).variables("fleet_env")
    vars_api.update(ids["A"], value="changed-by-hand")
    vars_api.delete(ids["B"])
    deployment.sandbox.clear_requests()

    refreshed = deployment.refresh()

    assert refreshed.summary.resource_changes.get("update") == 1
    assert [m for m, _ in requests(deployment)] == ["GET"]
    [bulk] = deployment.resources("FleetEnvVars")
    assert bulk["outputs"]["variables"] == {"A": "changed-by-hand", "C": "3"}

    deployment.sandbox.clear_requests()
    deployment.up(bulk_program({"A": "1", "B": "2", "C": "3"}))
    assert requests(deployment) == [("PATCH", f"{RESOURCE}({ids['A']})"), ("POST", RESOURCE)]
    assert fleet_vars(deployment) == {"A": "1", "B": "2", "C": "3"}


def test_the_fleet_deleted_out_of_band_removes_the_resource_on_refresh(deployment):
    client = api(deployment)
    fleet = client.fleets.create(client.organizations.get_by_handle("acme").id, "doomed", 1)
    deployment.up(bulk_program({"A": "1"}, fleet="acme/doomed"))
    client.fleets.delete(fleet.id)

    refreshed = deployment.refresh()

    assert refreshed.summary.resource_changes.get("delete") == 1
    assert deployment.resources("FleetEnvVars") == []


def test_a_secret_map_stays_secret_in_state(deployment):
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


def test_moving_to_another_fleet_replaces_deleting_the_old_names_first(deployment):
    deployment.up(bulk_program({"A": "1", "B": "2"}))
    deployment.sandbox.clear_requests()

    result = deployment.up(bulk_program({"A": "1", "B": "2"}, fleet="acme/staging"))

    assert result.summary.resource_changes.get("replace") == 1
    assert [m for m, _ in requests(deployment) if m != "GET"] == ["DELETE", "POST", "POST"]
    assert fleet_vars(deployment) == {}
    assert fleet_vars(deployment, "acme/staging") == {"A": "1", "B": "2"}


@pytest.mark.parametrize(
    ("kwargs", "line", "reads"),
    [
        ({"variables": {"1BAD": "x", "BALENA_X": "y"}},
         "variables: environment variable names may only contain letters, digits and '_' and must not start with a "
         "digit; got '1BAD'; environment variable names must not start with RESIN_ or BALENA_ (that namespace is for "
         "config variables); got 'BALENA_X'", False),
        ({"variables": {"OK": "x" * 100_001}},
         "variables: value of OK: must be at most 100000 characters long (got 100001)", False),
        ({"variables": {"OK": "1"}, "fleet": "acme/nowhere"},
         "fleet: no fleet with slug 'acme/nowhere' is visible to this token", True),
    ],
)
def test_invalid_input_fails_in_preview_naming_field_and_rule_with_no_write(deployment, kwargs, line, reads):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(bulk_program(**kwargs))
    text = str(failure.value)
    assert problem("FleetEnvVars", "env", line) in text, text
    assert "x" * 1000 not in text
    assert deployment.writes() == [] if reads else deployment.sandbox.requests() == []


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
