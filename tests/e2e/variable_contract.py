"""The lifecycle contract every single-variable kind keeps, on the real engine against the sandbox.

Not collected by itself: each ``test_<kind module>.py`` imports these tests and defines the ``case``
fixture for its kind, so ``pytest tests/e2e/test_device_env_var.py`` runs the contract for that scope and
the whole directory runs it once per scope. ``FLEET_TESTS`` apply only to scopes whose parent is named
by a fleet slug.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.variables.device_config_var import DeviceConfigVar
from balena_pulumi.resources.variables.device_env_var import DeviceEnvVar
from balena_pulumi.resources.variables.device_service_env_var import DeviceServiceEnvVar
from balena_pulumi.resources.variables.fleet_build_var import FleetBuildVar
from balena_pulumi.resources.variables.fleet_config_var import FleetConfigVar
from balena_pulumi.resources.variables.fleet_env_var import FleetEnvVar
from balena_pulumi.resources.variables.service_env_var import ServiceEnvVar
from balena_pulumi.sandbox.seed import PRODUCTION_DEVICE_UUIDS

from .harness import problem

__all__ = [
    "test_variable_is_created_and_a_second_up_sends_no_request",
    "test_a_value_change_is_one_patch_in_place",
    "test_renaming_a_variable_replaces_it_deleting_first_without_a_conflict",
    "test_out_of_band_value_change_is_shown_by_refresh_and_repaired_by_up",
    "test_out_of_band_delete_is_detected_by_refresh_and_the_next_up_recreates",
    "test_destroy_leaves_the_sandbox_as_seeded_and_is_idempotent",
    "test_a_secret_value_never_appears_in_plaintext_in_state",
    "test_invalid_input_fails_in_preview_naming_field_and_rule_with_no_write",
]
FLEET_TESTS = ["test_a_renamed_parent_fleet_does_not_replace_the_variable"]

DEVICE = PRODUCTION_DEVICE_UUIDS[0]
ENV_NAMES = ("LOG_LEVEL", "LOG_VERBOSITY")
CONFIG_NAMES = ("BALENA_SUPERVISOR_POLL_INTERVAL", "BALENA_HOST_CONFIG_gpu_mem")
ENV_BAD = [
    ({"name": "BALENA_LOG", "value": "a\nb"}, [
        "name: environment variable names must not start with RESIN_ or BALENA_ (that namespace is for config "
        "variables); got 'BALENA_LOG'",
        "value: must not contain line breaks (\\r or \\n)",
    ]),
    ({"name": "1BAD", "value": "x" * 100_001}, [
        "name: environment variable names may only contain letters, digits and '_' and must not start with a "
        "digit; got '1BAD'",
        "value: must be at most 100000 characters long (got 100001)",
    ]),
    ({"name": "USER"}, ["name: RESIN, BALENA and USER are reserved names; got 'USER'"]),
    ({"name": "LOG\x00LEVEL"}, [
        "name: must not contain NUL bytes (found one at position 3); the API keeps text in PostgreSQL, which "
        "cannot store them"
    ]),
    ({"name": "N" * 10_240}, [f"name: must be at most 255 characters long (got 10240): {'N' * 80!r}... (10240 characters)"]),
]
CONFIG_BAD = [
    ({"name": "LOG_LEVEL", "value": "a\rb"}, [
        "name: config variable names must start with RESIN_ or BALENA_; got 'LOG_LEVEL'",
        "value: must not contain line breaks (\\r or \\n)",
    ]),
    ({"name": ":BALENA_X", "value": "x" * 100_001}, [
        "name: config variable names may only contain letters, digits, '_' and ':' and must not start with a digit "
        "or ':'; got ':BALENA_X'",
        "value: must be at most 100000 characters long (got 100001)",
    ]),
    ({"name": ""}, ["name: must not be empty"]),
]


@dataclass(frozen=True)
class Case:
    kind: str
    build: Callable[..., Any]
    api_kind: str
    parent: dict[str, str]
    parent_id: Callable[[BalenaClient], int]  # the variable's FK, from the client
    names: tuple[str, str]
    bad: list = field(default_factory=list)  # (inputs, [the exact "field: rule" lines, in field order])

    def program(self, name: str | None = None, value: Any = "info", **parent: str):
        def program() -> None:
            import pulumi

            name_ = self.names[0] if name is None else name
            var = self.build("var", **{**self.parent, **parent}, name=name_, value=value)
            pulumi.export("variable_id", var.variable_id)

        return program

    def listing(self, deployment) -> dict[str, str]:
        client = api(deployment)
        return {v.name: v.value for v in client.variables(self.api_kind).list(self.parent_id(client))}


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def _fleet(client: BalenaClient, slug: str = "acme/production") -> int:
    return client.fleets.get_by_slug(slug).id


def _service(client: BalenaClient, service: str) -> int:
    return client.services.find(_fleet(client), service).id


def _device(client: BalenaClient) -> int:
    return client.devices.get_by_uuid(DEVICE).id


def _install(client: BalenaClient, service: str) -> int:
    device = client.devices.get_by_uuid(DEVICE)
    return client.service_installs.find(device.id, client.services.find(device.belongs_to__application, service).id).id


FLEET = {"fleet": "acme/production"}
MISSING_FLEET = ({"fleet": "acme/nowhere"}, ["fleet: no fleet with slug 'acme/nowhere' is visible to this token"])
MISSING_DEVICE = (
    {"device": "0" * 32},
    [f"device: no device with uuid {'0' * 32} is visible to this token"],
)

CASES = {
    c.kind: c
    for c in (
        Case("FleetEnvVar", FleetEnvVar, "fleet_env", FLEET, _fleet, ENV_NAMES, [*ENV_BAD, MISSING_FLEET]),
        Case("FleetConfigVar", FleetConfigVar, "fleet_config", FLEET, _fleet, CONFIG_NAMES,
             [*CONFIG_BAD, MISSING_FLEET]),
        Case("FleetBuildVar", FleetBuildVar, "fleet_build", FLEET, _fleet, ENV_NAMES, [*ENV_BAD, MISSING_FLEET]),
        Case(
            "ServiceEnvVar", ServiceEnvVar, "service_env", {**FLEET, "service": "worker"},
            lambda c: _service(c, "worker"), ENV_NAMES,
            [*ENV_BAD, MISSING_FLEET,
             ({"service": "db"}, ["service: fleet acme/production has no service named 'db'"])],
        ),
        Case("DeviceEnvVar", DeviceEnvVar, "device_env", {"device": DEVICE}, _device, ENV_NAMES,
             [*ENV_BAD, MISSING_DEVICE]),
        Case("DeviceConfigVar", DeviceConfigVar, "device_config", {"device": DEVICE}, _device, CONFIG_NAMES,
             [*CONFIG_BAD, MISSING_DEVICE]),
        Case(
            "DeviceServiceEnvVar", DeviceServiceEnvVar, "device_service_env", {"device": DEVICE, "service": "main"},
            lambda c: _install(c, "main"), ENV_NAMES,
            [*ENV_BAD, MISSING_DEVICE,
             ({"service": "db"}, [f"service: the fleet of device {DEVICE} has no service named 'db'"])],
        ),
    )
}


def writes(deployment) -> list[tuple[str, str, int]]:
    return [(w["method"], w["path"], w["status"]) for w in deployment.writes()]


# -- the contract -----------------------------------------------------------------------------------


def test_variable_is_created_and_a_second_up_sends_no_request(deployment, case: Case):
    seeded = case.listing(deployment)
    result = deployment.up(case.program(value="info"))
    assert result.summary.resource_changes.get("create") == 2  # the stack and the variable
    assert case.listing(deployment) == {**seeded, case.names[0]: "info"}
    [var] = deployment.resources(case.kind)
    assert var["id"] == str(deployment.outputs()["variable_id"])
    assert var["outputs"]["name"] == case.names[0]
    assert all(var["outputs"][k] == v for k, v in case.parent.items())

    deployment.sandbox.clear_requests()
    again = deployment.up(case.program(value="info"))
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []


def test_a_value_change_is_one_patch_in_place(deployment, case: Case):
    deployment.up(case.program(value="info"))
    variable_id = deployment.outputs()["variable_id"]
    deployment.sandbox.clear_requests()

    result = deployment.up(case.program(value="debug"))

    assert result.summary.resource_changes.get("update") == 1
    assert deployment.outputs()["variable_id"] == variable_id
    requests = [(r["method"], r["path"], r["status"]) for r in deployment.sandbox.requests()]
    resource = api(deployment).variables(case.api_kind).resource
    assert requests == [("PATCH", f"/v7/{resource}({variable_id})", 200)]
    assert case.listing(deployment)[case.names[0]] == "debug"


def test_renaming_a_variable_replaces_it_deleting_first_without_a_conflict(deployment, case: Case):
    deployment.up(case.program(name=case.names[0]))
    old_id = deployment.outputs()["variable_id"]
    deployment.sandbox.clear_requests()

    result = deployment.up(case.program(name=case.names[1]))

    assert result.summary.resource_changes.get("replace") == 1
    assert [(m, s) for m, _, s in writes(deployment)] == [("DELETE", 200), ("POST", 201)]
    listing = case.listing(deployment)
    assert case.names[0] not in listing and listing[case.names[1]] == "info"
    assert api(deployment).variables(case.api_kind).maybe_get(old_id) is None


def test_out_of_band_value_change_is_shown_by_refresh_and_repaired_by_up(deployment, case: Case):
    deployment.up(case.program(value="info"))
    variable_id = deployment.outputs()["variable_id"]
    api(deployment).variables(case.api_kind).update(variable_id, value="changed-by-hand")
    deployment.sandbox.clear_requests()

    refreshed = deployment.refresh()

    assert refreshed.summary.resource_changes.get("update") == 1
    assert [r["method"] for r in deployment.sandbox.requests()] == ["GET"]  # one read per resource
    [var] = deployment.resources(case.kind)
    assert var["outputs"]["value"] == "changed-by-hand"

    repaired = deployment.up(case.program(value="info"))
    assert repaired.summary.resource_changes.get("update") == 1
    assert case.listing(deployment)[case.names[0]] == "info"


def test_out_of_band_delete_is_detected_by_refresh_and_the_next_up_recreates(deployment, case: Case):
    deployment.up(case.program())
    variable_id = deployment.outputs()["variable_id"]
    api(deployment).variables(case.api_kind).delete(variable_id)

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("delete") == 1
    assert deployment.resources(case.kind) == []

    deployment.up(case.program())
    assert deployment.outputs()["variable_id"] != variable_id
    assert case.listing(deployment)[case.names[0]] == "info"


def test_destroy_leaves_the_sandbox_as_seeded_and_is_idempotent(deployment, case: Case):
    seeded = case.listing(deployment)
    deployment.up(case.program())
    deployment.destroy()
    assert case.listing(deployment) == seeded
    deployment.sandbox.clear_requests()
    deployment.destroy()  # nothing left to delete: no error, no request
    assert deployment.sandbox.requests() == []
    assert case.listing(deployment) == seeded


def test_a_secret_value_never_appears_in_plaintext_in_state(deployment, case: Case):
    def secret_program(value: str):
        def program() -> None:
            import pulumi

            case.program(value=pulumi.Output.secret(value))()

        return program

    deployment.up(secret_program("s3cr3t-first-value"))
    deployment.refresh()
    deployment.up(secret_program("s3cr3t-second-value"))
    assert case.listing(deployment)[case.names[0]] == "s3cr3t-second-value"

    text = deployment.state_text()
    assert "s3cr3t" not in text
    [var] = deployment.resources(case.kind)
    assert "ciphertext" in var["outputs"]["value"] and "ciphertext" in var["inputs"]["value"]
    assert b"s3cr3t" not in base64.b64decode(var["inputs"]["__provider"])
    assert deployment.sandbox.session_token not in text

    # A secret that breaks a rule is refused without being printed (the engine would echo a named property).
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(secret_program("s3cr3t-with\nline-break"))
    assert problem(case.kind, "var", "value: must not contain line breaks (\\r or \\n)") in str(failure.value)
    assert "s3cr3t" not in str(failure.value)


def test_invalid_input_fails_in_preview_naming_field_and_rule_with_no_write(deployment, case: Case):
    for inputs, lines in case.bad:
        deployment.sandbox.clear_requests()
        with pytest.raises(auto.errors.CommandError) as failure:
            deployment.preview(case.program(**inputs))
        text = str(failure.value)
        assert problem(case.kind, "var", *lines) in text, f"{inputs}: the exact problem is not in:\n{text}"
        assert "a\nb" not in text and "x" * 1000 not in text and "N" * 81 not in text  # values are not echoed
        missing_parent = any(k in inputs for k in ("fleet", "device", "service"))
        # Input the rules refuse never reaches the API; only a parent lookup may read.
        assert deployment.writes() == [] if missing_parent else deployment.sandbox.requests() == []


def test_a_renamed_parent_fleet_does_not_replace_the_variable(deployment, case: Case):
    deployment.up(case.program(fleet="acme/production"))
    variable_id = deployment.outputs()["variable_id"]
    client = api(deployment)
    client.fleets.update(client.fleets.get_by_slug("acme/production").id, name="production-eu")
    deployment.sandbox.clear_requests()

    result = deployment.up(case.program(fleet="acme/production-eu"))

    assert "replace" not in result.summary.resource_changes
    assert result.summary.resource_changes.get("update") == 1  # the slug in state follows, nothing is sent
    assert deployment.writes() == []
    assert deployment.outputs()["variable_id"] == variable_id
    [var] = deployment.resources(case.kind)
    assert var["outputs"]["fleet"] == "acme/production-eu"
