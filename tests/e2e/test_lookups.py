"""Program-time lookups (balena_pulumi.resources.lookups): inside a Pulumi program with the stack's
config, and directly with the environment fallback."""

from __future__ import annotations

import dataclasses

import pytest

from balena_pulumi.client import clear_clients
from balena_pulumi.errors import BalenaPulumiError
from balena_pulumi.resources import lookups
from balena_pulumi.resources.fleets.fleet_pin import FleetPin
from balena_pulumi.sandbox.seed import COMMITS, PRODUCTION_DEVICE_UUIDS


def test_lookups_run_in_a_program_with_the_stack_config_and_feed_resources(deployment):
    def program() -> None:
        import pulumi

        org = lookups.get_organization("acme")
        fleet = lookups.get_fleet("acme/production")
        device = lookups.get_device(PRODUCTION_DEVICE_UUIDS[0])
        release = lookups.get_release(fleet.slug, version="1.1.0+rev1")
        FleetPin("hold", fleet=fleet.slug, release_commit=release.commit)
        pulumi.export("found", [org.handle, fleet.id, fleet.organization_id == org.id, device.fleet_id, release.id])

    deployment.up(program)

    assert deployment.outputs()["found"] == ["acme", 1, True, 1, 3]
    assert deployment.sandbox.session_token not in deployment.state_text()


def test_a_lookup_miss_fails_the_program_with_what_was_not_found(deployment):
    from pulumi import automation as auto

    def program() -> None:
        lookups.get_release("acme/production", version="7.7.7")

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(program)
    text = str(failure.value)
    # One plain message: once, with no traceback and no exception class.
    assert text.count("fleet acme/production has no release with version 7.7.7") == 1, text
    assert "Traceback" not in text and "BalenaLookupError" not in text, text


@pytest.fixture
def env_credentials(clean_sandbox, monkeypatch):
    monkeypatch.setenv("BALENA_API_URL", clean_sandbox.url)
    monkeypatch.setenv("BALENA_API_KEY", clean_sandbox.api_key)
    yield clean_sandbox
    clear_clients()


def test_lookups_outside_a_program_use_the_environment(env_credentials):
    fleet = lookups.get_fleet("ACME/Production")  # slugs are case-insensitive
    assert (fleet.slug, fleet.should_track_latest_release, fleet.target_release_id) == ("acme/production", True, 5)
    draft = lookups.get_release("acme/production", commit=COMMITS[7])
    assert (draft.status, draft.is_final, draft.version.startswith("2.2.0-")) == ("success", False, True)
    assert lookups.get_release("acme/production", version="1.1.0").id == 2
    assert lookups.get_release("acme/production", version="1.1.0+rev1").id == 3
    device = lookups.get_device(PRODUCTION_DEVICE_UUIDS[1])
    assert (device.fleet_id, device.pinned_release_id, device.target_release_id) == (1, None, 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fleet.slug = "x"  # type: ignore[misc]


def test_lookups_are_cached_per_client(env_credentials):
    lookups.get_organization("acme")
    env_credentials.clear_requests()
    lookups.get_organization("acme")
    lookups.get_fleet("acme/production")
    lookups.get_fleet("acme/production")
    assert len(env_credentials.requests()) == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lookups.get_organization("umbrella"),
         "no organization with handle 'umbrella' is visible to this token"),
        (lambda: lookups.get_fleet("acme/nowhere"), "no fleet with slug 'acme/nowhere' is visible to this token"),
        (lambda: lookups.get_device("0" * 32), f"no device with uuid {'0' * 32} is visible to this token"),
        (lambda: lookups.get_device("abc"),
         "get_device: must be a full device uuid of 32 or 62 hex characters; got 'abc'"),
        (lambda: lookups.get_release("acme/production", commit="abc123"),
         "get_release: commit: must be a full commit hash (32 or 40 hex characters); got 'abc123'"),
        (lambda: lookups.get_release("acme/nowhere", version="1.0.0"),
         "no fleet with slug 'acme/nowhere' is visible to this token"),
    ],
    ids=["organization", "fleet", "device", "malformed-uuid", "short-commit", "release-of-missing-fleet"],
)
def test_a_miss_raises_a_lookup_error_naming_what_was_not_found(env_credentials, call, message):
    with pytest.raises(lookups.BalenaLookupError) as failure:
        call()
    assert isinstance(failure.value, LookupError) and isinstance(failure.value, BalenaPulumiError)
    assert str(failure.value) == f"lookup failed:\n{message}"


def test_get_release_needs_exactly_one_of_version_and_commit(env_credentials):
    with pytest.raises(lookups.BalenaLookupError, match="^lookup failed:\nget_release: give exactly one of version= and commit=$"):
        lookups.get_release("acme/production")
