"""The official balena Python SDK (balena-sdk 17.x) driven against the sandbox: a fidelity check.

If the SDK's own request shapes (upserts on 409, pin helpers, membership by username, whoami) work here,
the sandbox answers them the way the real API does.
"""

import pytest

from balena_pulumi.sandbox import seed

balena_mod = pytest.importorskip("balena")


@pytest.fixture
def sdk(clean_sandbox, tmp_path):
    first = balena_mod.Balena({"data_directory": str(tmp_path)})
    first.settings.set("api_endpoint", clean_sandbox.url + "/")
    first.settings.set("pine_endpoint", clean_sandbox.url + "/v7/")
    b = balena_mod.Balena({"data_directory": str(tmp_path)})  # the pine client reads endpoints at construction
    b.auth.login_with_token(clean_sandbox.api_key)
    return b


def test_sdk_fleet_create_and_variable_upsert(sdk):
    app = sdk.models.application.create("sdkfleet", "raspberrypi4-64", "acme")
    assert app["slug"] == "acme/sdkfleet"
    sdk.models.application.env_var.set("acme/sdkfleet", "FOO", "1")
    sdk.models.application.env_var.set("acme/sdkfleet", "FOO", "2")  # 409 -> PATCH upsert
    assert [(v["name"], v["value"]) for v in sdk.models.application.env_var.get_all_by_application("acme/sdkfleet")] == [
        ("FOO", "2")]
    sdk.models.application.remove("acme/sdkfleet")


def test_sdk_pins_and_track_latest(sdk):
    sdk.models.device.pin_to_release(seed.PRODUCTION_DEVICE_UUIDS[0], seed.COMMITS[2])
    assert sdk.models.device.get(seed.PRODUCTION_DEVICE_UUIDS[0])["is_pinned_on__release"] == {"__id": 2}
    sdk.models.application.pin_to_release("acme/production", seed.COMMITS[4])
    assert sdk.models.application.get("acme/production")["should_be_running__release"] == {"__id": 4}
    sdk.models.application.track_latest_release("acme/production")
    assert sdk.models.application.get("acme/production")["should_be_running__release"] == {"__id": 5}


def test_sdk_tags_memberships_service_vars_and_keys(sdk, clean_sandbox):
    sdk.models.application.tags.set("acme/production", "k", "v")
    sdk.models.application.tags.set("acme/production", "k", "v2")
    assert sdk.models.application.tags.get_all_by_application("acme/production")[0]["value"] == "v2"
    sdk.models.application.membership.create("acme/production", "alice")
    assert len(sdk.models.application.membership.get_all_by_application("acme/production")) == 1
    uuid = seed.PRODUCTION_DEVICE_UUIDS[0]
    sdk.models.device.service_var.set(uuid, "main", "X", "1")
    sdk.models.device.service_var.set(uuid, "main", "X", "2")
    assert [v["value"] for v in sdk.models.device.service_var.get_all_by_device(uuid)] == ["2"]
    assert sdk.models.release.get(seed.COMMITS[3], {"$select": ["raw_version"]}) == {"raw_version": "1.1.0+rev1"}
    sdk.models.organization.invite.create("acme", "carol", "member", "hi")
    sdk.auth.login_with_token(clean_sandbox.session_token)
    assert len(sdk.models.api_key.create("sdk key", "desc")) == 32
    assert sdk.models.key.create("laptop", "ssh-ed25519 AAAA x ")["public_key"] == "ssh-ed25519 AAAA x"
    assert sdk.models.device_type.get("nuc")["slug"] == "intel-nuc"
