"""Fleet on the real Pulumi engine against the sandbox: the whole lifecycle a user goes through."""

from __future__ import annotations

import base64

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.fleets.fleet import Fleet

from .cases import Case, natural
from .harness import problem

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case(
    "Fleet",
    {"organization": "acme", "name": "imported", "device_type": "raspberrypi4-64"},
    natural("acme/imported"),
    ("slug",),
)


def fleet_program(name: str = "edge-gateways", device_type: str = "raspberrypi4-64", fleet_class: str = "fleet"):
    def program() -> None:
        import pulumi

        fleet = Fleet("gw", organization="acme", name=name, device_type=device_type, fleet_class=fleet_class)
        pulumi.export("slug", fleet.slug)
        pulumi.export("fleet_id", fleet.fleet_id)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def fleet_slugs(deployment) -> set[str]:
    return {f.slug for f in api(deployment).fleets.list()}


def test_fleet_is_created_and_a_second_up_sends_no_write(deployment):
    seeded = fleet_slugs(deployment)
    result = deployment.up(fleet_program())
    assert result.summary.resource_changes.get("create") == 2  # the stack and the fleet
    assert deployment.outputs()["slug"] == "acme/edge-gateways"
    assert fleet_slugs(deployment) == seeded | {"acme/edge-gateways"}

    deployment.sandbox.clear_requests()
    again = deployment.up(fleet_program())
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.writes() == []


def test_renaming_a_fleet_updates_it_in_place(deployment):
    deployment.up(fleet_program())
    fleet_id = deployment.outputs()["fleet_id"]
    deployment.sandbox.clear_requests()

    result = deployment.up(fleet_program(name="edge-gateways-v2"))

    assert result.summary.resource_changes.get("update") == 1
    assert deployment.outputs() == {"slug": "acme/edge-gateways-v2", "fleet_id": fleet_id}
    assert [(w["method"], w["status"]) for w in deployment.writes()] == [("PATCH", 200)]


def test_changing_the_fleet_class_replaces_the_fleet(deployment):
    deployment.up(fleet_program())
    old_id = deployment.outputs()["fleet_id"]

    result = deployment.up(fleet_program(fleet_class="block"))

    assert result.summary.resource_changes.get("replace") == 1
    new_id = deployment.outputs()["fleet_id"]
    assert new_id != old_id
    client = api(deployment)
    assert client.fleets.maybe_get(old_id) is None
    assert client.fleets.get(new_id).is_of__class == "block"


def test_same_architecture_device_type_change_is_an_update_other_architecture_replaces(deployment):
    deployment.up(fleet_program(device_type="raspberrypi4-64"))
    first = deployment.outputs()["fleet_id"]

    same_arch = deployment.up(fleet_program(device_type="generic-aarch64"))
    assert same_arch.summary.resource_changes.get("update") == 1
    assert deployment.outputs()["fleet_id"] == first

    other_arch = deployment.up(fleet_program(device_type="intel-nuc"))
    assert other_arch.summary.resource_changes.get("replace") == 1
    assert deployment.outputs()["fleet_id"] != first


def test_out_of_band_rename_is_shown_by_refresh_and_undone_by_up(deployment):
    deployment.up(fleet_program())
    fleet_id = deployment.outputs()["fleet_id"]
    api(deployment).fleets.update(fleet_id, name="renamed-by-hand")

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("update") == 1
    [fleet] = deployment.resources("Fleet")
    assert fleet["outputs"]["name"] == "renamed-by-hand"

    repaired = deployment.up(fleet_program())
    assert repaired.summary.resource_changes.get("update") == 1
    assert api(deployment).fleets.get(fleet_id).app_name == "edge-gateways"


def test_out_of_band_delete_is_detected_and_the_next_up_recreates(deployment):
    deployment.up(fleet_program())
    fleet_id = deployment.outputs()["fleet_id"]
    api(deployment).fleets.delete(fleet_id)

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("delete") == 1
    assert deployment.resources("Fleet") == []

    deployment.up(fleet_program())
    assert deployment.outputs()["fleet_id"] != fleet_id
    assert "acme/edge-gateways" in fleet_slugs(deployment)


def test_destroy_leaves_the_sandbox_as_seeded_and_is_idempotent(deployment):
    seeded = fleet_slugs(deployment)
    deployment.up(fleet_program())
    deployment.destroy()
    assert fleet_slugs(deployment) == seeded
    deployment.destroy()  # nothing left to delete: no error
    assert fleet_slugs(deployment) == seeded


@pytest.mark.parametrize(
    ("kwargs", "line", "reads"),
    [
        ({"name": "edge gateways"}, "name: may only contain letters, digits, '_' and '-' ([a-zA-Z0-9_-]); got "
                                    "'edge gateways'", False),
        ({"name": "gw"}, "name: must be 4 to 100 characters long; got 2: 'gw'", False),
        ({"device_type": "toaster-9000"}, "device_type: no device type with slug or alias 'toaster-9000'", True),
        ({"fleet_class": "cluster"}, "fleet_class: must be one of fleet, block, app; got 'cluster'", False),
    ],
)
def test_invalid_input_fails_in_preview_naming_the_field_and_sends_no_write(deployment, kwargs, line, reads):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(fleet_program(**kwargs))
    assert problem("Fleet", "gw", line) in str(failure.value), str(failure.value)
    assert deployment.writes() == [] if reads else deployment.sandbox.requests() == []


def test_state_never_holds_the_api_token_not_even_inside_the_serialized_provider(deployment):
    deployment.up(fleet_program())
    deployment.refresh()
    text = deployment.state_text()
    assert deployment.sandbox.session_token not in text
    assert deployment.sandbox.api_key not in text
    [fleet] = deployment.resources("Fleet")
    blob = base64.b64decode(fleet["inputs"]["__provider"])
    assert deployment.sandbox.session_token.encode() not in blob
    assert b"balena_pulumi.resources.fleets.fleet" in blob  # pickled by reference, not by value


def test_an_organization_handle_change_updates_the_fleet_instead_of_replacing_it(deployment):
    from balena_pulumi.resources.access.organization import Organization

    def program(handle: str):
        def run() -> None:
            import pulumi

            org = Organization("acme", name="Acme Corp", handle=handle)
            fleet = Fleet("gw", organization=org.handle, name="edge-gateways", device_type="raspberrypi4-64")
            pulumi.export("slug", fleet.slug)
            pulumi.export("fleet_id", fleet.fleet_id)

        return run

    deployment.up(program("acme"))
    fleet_id = deployment.outputs()["fleet_id"]

    result = deployment.up(program("acme_corp"))

    assert "replace" not in result.summary.resource_changes
    assert deployment.outputs() == {"slug": "acme_corp/edge-gateways", "fleet_id": fleet_id}
    assert api(deployment).fleets.get(fleet_id).slug == "acme_corp/edge-gateways"
