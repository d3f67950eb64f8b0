"""Fleets (applications) through the SDK: create / get / rename / remove and their rejections (reference 5.2, 8.1)."""

from __future__ import annotations

import re

import pytest
from balena import exceptions

from balena_pulumi.sandbox import seed

from .conftest import PRODUCTION_ID, raises_api_error

APP_NAME_CHARS = "App name may only contain [a-zA-Z0-9_-]."
APP_NAME_LENGTH = ("It is necessary that each application has an app name that has a Length (Type) that is greater "
                   "than or equal to 4 and is less than or equal to 100.")
SLUG_UNIQUE = '"slug" must be unique.'


def test_create_with_device_type_slug_and_org_handle_returns_the_full_fleet(sdk, requests_log):
    app = sdk.models.application.create("NewFleet", "raspberrypi4-64", "acme")
    assert requests_log() == [("GET", "/v7/device_type"), ("GET", "/v7/organization(handle='acme')"),
                              ("POST", "/v7/application")]
    assert app["app_name"] == "NewFleet"
    assert app["slug"] == "acme/newfleet"  # lower-cased handle/app_name
    assert app["organization"] == {"__id": 1}
    assert app["is_for__device_type"] == {"__id": 1}
    assert app["should_track_latest_release"] is True
    assert app["should_be_running__release"] is None
    assert app["is_of__class"] == "fleet"
    assert re.fullmatch(r"[0-9a-f]{32}", app["uuid"])
    assert isinstance(app["actor"], dict) and set(app["actor"]) == {"__id"}


def test_create_resolves_a_device_type_alias_and_an_org_id_and_sends_the_class(sdk):
    app = sdk.models.application.create("blocky", "nuc", 1, "block")
    assert (app["is_for__device_type"], app["organization"], app["is_of__class"]) == ({"__id": 5}, {"__id": 1}, "block")


def test_create_with_an_unknown_device_type_or_org_fails_client_side(sdk, requests_log):
    with pytest.raises(exceptions.InvalidDeviceType):
        sdk.models.application.create("somefleet", "no-such-board", "acme")
    with pytest.raises(exceptions.OrganizationNotFound):
        sdk.models.application.create("somefleet", "raspberrypi4-64", "nope")
    assert ("POST", "/v7/application") not in requests_log()


def test_create_with_a_name_differing_only_in_case_is_409_slug_unique(sdk):
    raises_api_error(lambda: sdk.models.application.create("Production", "raspberrypi4-64", "acme"), 409, SLUG_UNIQUE)


@pytest.mark.parametrize("name", ["bad name", "dots.not.ok", "slash/no", "ünï"])
def test_create_with_characters_outside_the_app_name_set_is_400(sdk, name):
    raises_api_error(lambda: sdk.models.application.create(name, "raspberrypi4-64", "acme"), 400, APP_NAME_CHARS)


@pytest.mark.parametrize("name", ["abc", "x" * 101])
def test_create_with_a_name_shorter_than_4_or_longer_than_100_is_400_rule(sdk, name):
    raises_api_error(lambda: sdk.models.application.create(name, "raspberrypi4-64", "acme"), 400, APP_NAME_LENGTH)


def test_get_by_slug_is_case_insensitive_and_matches_get_by_id_and_uuid(sdk, requests_log):
    by_slug = sdk.models.application.get("ACME/Production")
    assert requests_log() == [("GET", "/v7/application")]  # $filter=(slug eq ...) or (uuid eq ...)
    by_id = sdk.models.application.get(PRODUCTION_ID)
    assert requests_log() == [("GET", f"/v7/application({PRODUCTION_ID})")]
    by_uuid = sdk.models.application.get(seed.PRODUCTION_UUID.upper())
    assert by_slug == by_id == by_uuid
    assert by_id["slug"] == "acme/production" and by_id["should_be_running__release"] == {"__id": 5}


def test_get_of_a_missing_fleet_is_application_not_found(sdk):
    with pytest.raises(exceptions.ApplicationNotFound):
        sdk.models.application.get("acme/nothing-here")
    with pytest.raises(exceptions.ApplicationNotFound):
        sdk.models.application.get(999)  # 200 {"d": []} on the wire


def test_rename_recomputes_the_slug(sdk):
    sdk.models.application.create("before", "raspberrypi4-64", "acme")
    sdk.models.application.rename("acme/before", "After_2")
    app = sdk.models.application.get("acme/after_2")
    assert (app["app_name"], app["slug"]) == ("After_2", "acme/after_2")
    with pytest.raises(exceptions.ApplicationNotFound):
        sdk.models.application.get("acme/before")


def test_rename_to_an_invalid_name_is_400_and_to_a_taken_name_is_409(sdk):
    raises_api_error(lambda: sdk.models.application.rename("acme/staging", "has space"), 400, APP_NAME_CHARS)
    raises_api_error(lambda: sdk.models.application.rename("acme/staging", "abc"), 400, APP_NAME_LENGTH)
    raises_api_error(lambda: sdk.models.application.rename("acme/staging", "PRODUCTION"), 409, SLUG_UNIQUE)
    assert sdk.models.application.get("acme/staging")["app_name"] == "staging"


def test_remove_by_slug_deletes_the_fleet(sdk, requests_log):
    sdk.models.application.create("doomed", "raspberrypi4-64", "acme")
    requests_log()
    sdk.models.application.remove("acme/doomed")
    assert [m for m, _ in requests_log()] == ["GET", "DELETE"]
    assert not sdk.models.application.has("acme/doomed")


def test_remove_of_a_fleet_with_a_target_release_and_pinned_devices_cascades(sdk):
    sdk.models.device.pin_to_release(seed.PRODUCTION_DEVICE_UUIDS[0], seed.COMMITS[2])
    sdk.models.application.remove(PRODUCTION_ID)
    with pytest.raises(exceptions.DeviceNotFound):
        sdk.models.device.get(seed.PRODUCTION_DEVICE_UUIDS[0])
    with pytest.raises(exceptions.ReleaseNotFound):
        sdk.models.release.get(seed.COMMITS[2])


def test_remove_of_a_missing_id_is_the_404_the_sdk_turns_into_application_not_found(sdk, clean_sandbox):
    clean_sandbox.clear_requests()
    with pytest.raises(exceptions.ApplicationNotFound):
        sdk.models.application.remove(999)
    assert [(r["method"], r["path"], r["status"]) for r in clean_sandbox.requests()] == [
        ("DELETE", "/v7/application(999)", 404)]
    # the body behind it, as the SDK's pine client sees it
    raises_api_error(lambda: sdk.pine.delete({"resource": "application", "id": 999}), 404, "Application(s) not found.")
