"""ProvisioningKey on the real engine: a secret shown once, replaced on any change, delete verified."""

from __future__ import annotations

import datetime as dt

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.base import BalenaResourceError
from balena_pulumi.resources.keys.provisioning_key import ProvisioningKey, ProvisioningKeyProvider

from tests.resources.test_key_readback import UNCONFIRMED

from .cases import Case, numeric
from .harness import Deployment, problem

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case(
    "ProvisioningKey",
    {"fleet": "acme/production", "name": "factory-line-1", "expiry_date": "2027-06-30"},
    numeric,
)

EXPIRY = (dt.date.today() + dt.timedelta(days=90)).isoformat()


def key_program(fleet: str = "acme/staging", name: str | None = "factory-line-1", description: str | None = None,
                expiry_date: str | None = EXPIRY):
    def program() -> None:
        import pulumi

        key = ProvisioningKey("prov", fleet=fleet, name=name, description=description, expiry_date=expiry_date)
        pulumi.export("api_key_id", key.api_key_id)
        pulumi.export("key", key.key)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def fleet_key_ids(deployment, slug: str = "acme/staging") -> set[int]:
    client = api(deployment)
    actor = client.fleets.get_by_slug(slug).actor
    return {k.id for k in client.api_keys.list(actor)}


def test_the_key_is_a_secret_never_in_plaintext_state_and_a_second_up_sends_no_request(deployment):
    result = deployment.up(key_program())
    assert result.summary.resource_changes.get("create") == 2
    outputs = deployment.stack.outputs()
    assert outputs["key"].secret is True and outputs["key"].value
    assert fleet_key_ids(deployment) == {outputs["api_key_id"].value}
    assert [w["method"] for w in deployment.writes()] == ["POST"]
    deployment.refresh()
    assert outputs["key"].value not in deployment.state_text()
    assert deployment.stack.outputs()["key"].value == outputs["key"].value  # kept, never read back

    deployment.sandbox.clear_requests()
    again = deployment.up(key_program())
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []


def test_an_unnamed_key_is_found_by_its_fleet(deployment):
    deployment.up(key_program(name=None))
    assert fleet_key_ids(deployment) == {deployment.outputs()["api_key_id"]}


@pytest.mark.parametrize("change", [{"name": "factory-line-2"}, {"description": "rotated"}, {"fleet": "acme/production"}])
def test_any_change_replaces_the_key_creating_the_new_one_before_deleting_the_old(deployment, change):
    deployment.up(key_program())
    old_id = deployment.outputs()["api_key_id"]
    old_key = deployment.stack.outputs()["key"].value
    deployment.sandbox.clear_requests()

    result = deployment.up(key_program(**change))

    assert result.summary.resource_changes.get("replace") == 1
    methods = [w["method"] for w in deployment.writes()]
    assert methods == ["POST", "DELETE"]  # created first: the fleet is never without a key
    new_id = deployment.outputs()["api_key_id"]
    assert new_id != old_id and deployment.stack.outputs()["key"].value != old_key
    assert fleet_key_ids(deployment, change.get("fleet", "acme/staging")) == {new_id}
    assert old_id not in fleet_key_ids(deployment)


def test_refresh_is_one_request_and_keeps_the_inputs_and_the_key(deployment):
    deployment.up(key_program())
    key_id = deployment.outputs()["api_key_id"]
    deployment.sandbox.clear_requests()
    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes == {"same": 2}
    assert len(deployment.sandbox.requests()) == 1
    [res] = deployment.resources("ProvisioningKey")
    assert res["outputs"]["api_key_id"] == key_id and res["outputs"]["expiry_date"] == EXPIRY


def test_an_out_of_band_revocation_is_detected_by_refresh(deployment):
    client = api(deployment)
    org = client.organizations.get_by_handle("acme")
    fleet = client.fleets.create(org.id, "short-lived", client.device_types.get_by_slug("intel-nuc").id)
    deployment.up(key_program(fleet="acme/short-lived"))
    client.fleets.delete(fleet.id)  # deleting the fleet revokes its keys

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("delete") == 1
    assert deployment.resources("ProvisioningKey") == []


def test_destroy_revokes_the_key_leaving_the_sandbox_as_seeded(deployment):
    seeded = fleet_key_ids(deployment)
    deployment.up(key_program())
    deployment.destroy()
    assert fleet_key_ids(deployment) == seeded
    deployment.destroy()
    assert fleet_key_ids(deployment) == seeded


def test_a_delete_the_api_silently_ignores_is_reported_instead_of_leaking_the_key(deployment):
    """PATCH/DELETE narrowed to nothing by permissions still answer 200: the provider checks and says so.

    Driven at the provider level: the engine deletes with the login recorded in the state, so a stack
    cannot easily be made to delete with a weaker login."""
    deployment.up(key_program())
    [res] = deployment.resources("ProvisioningKey")
    key_id = deployment.outputs()["api_key_id"]
    client = api(deployment)
    client.fleet_members.create(client.fleets.get_by_slug("acme/staging").id, "bob", "observer")  # reads, cannot write
    bob = BalenaClient(deployment.sandbox.url, deployment.sandbox.tokens_for("bob")["session_token"])

    with pytest.raises(BalenaResourceError) as failure:
        ProvisioningKeyProvider().delete_object(bob, str(key_id), res["outputs"])
    text = str(failure.value)
    assert text.startswith("ProvisioningKey acme/staging:factory-line-1: the API accepted the delete but the key still exists")
    assert deployment.stack.outputs()["key"].value not in text
    assert key_id in fleet_key_ids(deployment)


def test_a_login_not_shown_to_read_the_fleets_keys_is_refused_in_preview_and_up_before_any_write(
    clean_sandbox, pulumi_bin, tmp_path
):
    # An organization member developing on the fleet: on a server that hides keys (open-balena) the fleet's
    # keys are an empty list to it, exactly as here before the fleet has a key.
    admin = BalenaClient(clean_sandbox.url, clean_sandbox.session_token)
    admin.fleet_members.create(admin.fleets.get_by_slug("acme/staging").id, "bob", "developer")
    bob = Deployment(clean_sandbox, pulumi_bin, tmp_path, token=clean_sandbox.tokens_for("bob")["session_token"])
    clean_sandbox.clear_requests()
    for step in (bob.preview, bob.up):
        with pytest.raises(auto.errors.CommandError) as failure:
            step(key_program())
        assert problem("ProvisioningKey", "prov", UNCONFIRMED) in str(failure.value), str(failure.value)
    assert bob.writes() == []
    assert fleet_key_ids(bob) == set()


@pytest.mark.parametrize(
    ("kwargs", "line", "reads"),
    [
        ({"fleet": "production"}, "fleet: must be a fleet slug 'org_handle/fleet_name' (pass the Fleet's slug output): a "
                                  "handle of [a-z0-9_], '/', and a fleet name of 4 to 100 characters [a-z0-9_-]; got "
                                  "'production'", False),
        ({"fleet": "acme/nothing"}, "fleet: no fleet with slug 'acme/nothing' is visible to this token", True),
        ({"name": ""}, "name: must not be empty", False),
        ({"name": "n" * 51}, f"name: must be at most 50 characters long (got 51): {'n' * 51!r}", False),
        ({"description": "d" * 151}, "description: must be at most 150 characters long (got 151)", False),
        ({"expiry_date": "soon"}, "expiry_date: must be an ISO 8601 date or datetime, e.g. '2027-01-31' or '2027-01-31T12:00:00Z'; got 'soon'", False),
        ({"expiry_date": "2001-09-09T01:46:40Z"}, "expiry_date: must be in the future (it is ", False),
    ],
)
def test_invalid_input_fails_in_preview_naming_the_field_and_sends_no_write(deployment, kwargs, line, reads):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(key_program(**kwargs))
    assert problem("ProvisioningKey", "prov", line) in str(failure.value), str(failure.value)
    # Input the rules refuse never reaches the API; only a lookup may read.
    assert deployment.writes() == [] if reads else deployment.sandbox.requests() == []
