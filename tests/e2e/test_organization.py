"""Organization on the real Pulumi engine against the sandbox: create or adopt, rename, drift, release vs delete."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.access.organization import Organization

from .cases import Case, natural
from .harness import failed, problem

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case("Organization", {"name": "Globex", "handle": "globex"}, natural("globex"), ("handle",))


def org_program(name: str = "Widgets Ltd", handle: str | None = "widgets"):
    def program() -> None:
        import pulumi

        org = Organization("org", name=name, handle=handle)
        pulumi.export("organization_id", org.organization_id)
        pulumi.export("handle", org.handle)
        pulumi.export("adopted", org.adopted)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def orgs(deployment) -> dict[str, str]:
    return {o.handle: o.name for o in api(deployment).organizations.list()}


def test_a_new_handle_is_created_and_a_second_up_sends_no_write(deployment):
    seeded = orgs(deployment)
    result = deployment.up(org_program())
    assert result.summary.resource_changes.get("create") == 2
    assert deployment.outputs()["adopted"] is False
    assert orgs(deployment) == {**seeded, "widgets": "Widgets Ltd"}
    assert [(w["method"], w["path"]) for w in deployment.writes()] == [("POST", "/v7/organization")]

    deployment.sandbox.clear_requests()
    again = deployment.up(org_program())
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []  # not even a read: nothing changed


def test_an_existing_handle_is_adopted_and_destroy_only_releases_it(deployment):
    result = deployment.up(org_program(name="Acme Corporation", handle="acme"))
    assert result.summary.resource_changes.get("create") == 2
    outputs = deployment.outputs()
    assert outputs["adopted"] is True and outputs["handle"] == "acme"
    assert [w["method"] for w in deployment.writes()] == ["PATCH"]  # the name, nothing created
    assert orgs(deployment)["acme"] == "Acme Corporation"

    deployment.sandbox.clear_requests()
    deployment.destroy()
    assert deployment.writes() == []  # released from management, not deleted
    assert orgs(deployment)["acme"] == "Acme Corporation"
    assert {f.slug for f in api(deployment).fleets.list()} >= {"acme/production", "acme/staging"}


def test_renaming_updates_in_place_with_one_patch(deployment):
    deployment.up(org_program())
    org_id = deployment.outputs()["organization_id"]
    deployment.sandbox.clear_requests()

    result = deployment.up(org_program(name="Widgets International"))

    assert result.summary.resource_changes.get("update") == 1
    assert [(w["method"], w["status"]) for w in deployment.writes()] == [("PATCH", 200)]
    assert api(deployment).organizations.get(org_id).name == "Widgets International"


def test_a_handle_change_updates_in_place_and_the_api_renames_fleet_slugs(deployment):
    deployment.up(org_program())
    org_id = deployment.outputs()["organization_id"]
    client = api(deployment)
    device_type = client.device_types.get_by_slug("raspberrypi4-64")
    fleet = client.fleets.create(org_id, "gateways", device_type.id)
    deployment.sandbox.clear_requests()

    result = deployment.up(org_program(handle="widgets_intl"))

    assert result.summary.resource_changes.get("update") == 1
    assert deployment.outputs()["organization_id"] == org_id
    assert [w["method"] for w in deployment.writes()] == ["PATCH"]
    assert client.fleets.get(fleet.id).slug == "widgets_intl/gateways"
    client.fleets.delete(fleet.id)


def test_without_a_handle_the_derived_one_is_kept_and_causes_no_diff(deployment):
    deployment.up(org_program(name="Blue Sky", handle=None))
    assert deployment.outputs()["handle"] == "blue_sky"
    deployment.sandbox.clear_requests()
    again = deployment.up(org_program(name="Blue Sky", handle=None))
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.writes() == []


def test_out_of_band_rename_is_shown_by_refresh_and_undone_by_up(deployment):
    deployment.up(org_program())
    org_id = deployment.outputs()["organization_id"]
    api(deployment).organizations.update(org_id, name="Renamed By Hand")
    deployment.sandbox.clear_requests()

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("update") == 1
    assert len(deployment.sandbox.requests()) == 1  # one GET for one resource
    [org] = deployment.resources("Organization")
    assert org["outputs"]["name"] == "Renamed By Hand"

    repaired = deployment.up(org_program())
    assert repaired.summary.resource_changes.get("update") == 1
    assert api(deployment).organizations.get(org_id).name == "Widgets Ltd"


def test_out_of_band_delete_is_detected_and_the_next_up_recreates(deployment):
    deployment.up(org_program())
    org_id = deployment.outputs()["organization_id"]
    api(deployment).organizations.delete(org_id)

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("delete") == 1
    assert deployment.resources("Organization") == []

    deployment.up(org_program())
    assert deployment.outputs()["organization_id"] != org_id
    assert "widgets" in orgs(deployment)


def test_destroy_deletes_a_created_organization_leaving_the_sandbox_as_seeded(deployment):
    seeded = orgs(deployment)
    deployment.up(org_program())
    deployment.destroy()
    assert orgs(deployment) == seeded
    deployment.destroy()
    assert orgs(deployment) == seeded


def test_destroying_a_created_organization_that_still_owns_fleets_fails_readably(deployment):
    deployment.up(org_program())
    org_id = deployment.outputs()["organization_id"]
    client = api(deployment)
    fleet = client.fleets.create(org_id, "leftover", client.device_types.get_by_slug("intel-nuc").id)

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.destroy()
    message = (
        "Organization widgets: cannot delete the organization while it still owns fleets (the API said: Data is "
        "referenced by application.). Delete or move its fleets first."
    )
    assert str(failure.value).count(failed("delete", message)) == 1, str(failure.value)
    assert client.organizations.get(org_id).handle == "widgets"

    client.fleets.delete(fleet.id)
    deployment.destroy()
    assert "widgets" not in orgs(deployment)


@pytest.mark.parametrize(
    ("kwargs", "line", "reads"),
    [
        ({"name": ""}, "name: must not be empty", False),
        ({"name": "x" * 101}, f"name: must be at most 100 characters long (got 101): {'x' * 80!r}... (101 characters)", False),
        ({"handle": "Widgets"}, "handle: must be an organization handle: lower-case letters, digits and '_' only, 1 to 100 "
                                "characters; got 'Widgets'", False),
        ({"handle": "wid-gets"}, "handle: must be an organization handle: lower-case letters, digits and '_' only, 1 to "
                                 "100 characters; got 'wid-gets'", False),
        ({"handle": "w" * 101}, f"handle: must be at most 100 characters long (got 101): {'w' * 80!r}... (101 characters)",
         False),
        ({"name": "Widgets\x00"}, "name: must not contain NUL bytes (found one at position 7); the API keeps text in "
                                  "PostgreSQL, which cannot store them", False),
    ],
)
def test_invalid_input_fails_in_preview_naming_the_field_and_sends_no_write(deployment, kwargs, line, reads):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(org_program(**kwargs))
    assert problem("Organization", "org", line) in str(failure.value), str(failure.value)
    # Input the rules refuse never reaches the API; only a lookup may read.
    assert deployment.writes() == [] if reads else deployment.sandbox.requests() == []


def test_state_never_holds_the_api_token(deployment):
    deployment.up(org_program())
    deployment.refresh()
    text = deployment.state_text()
    assert deployment.sandbox.session_token not in text
    assert deployment.sandbox.api_key not in text
