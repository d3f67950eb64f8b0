"""Device and fleet pinning through the SDK (reference 5.2, 5.6, 8.6, 8.7).

The SDK looks releases up with ``status eq 'success'`` and the device's (or fleet's) own application, so
pinning to a failed release or another fleet's release never reaches the server: it is the client-side
``ReleaseNotFound``. The server rule is what the SDK's pine client gets when it PATCHes such a release
directly; those tests use ``sdk.pine`` and expect the rule sentence.
"""

from __future__ import annotations

import pytest
from balena import exceptions

from balena_pulumi.sandbox import seed

from .conftest import DEVICE_ID, DEVICE_UUID, FAILED_RELEASE_ID, FLEET_TARGET_ID, PRODUCTION_ID, raises_api_error

DEVICE_PIN_RULE = ('It is necessary that each release that is pinned to a device, has a status that is equal to '
                   '"success" and belongs to an application1 that the device belongs to.')
APP_TARGET_RULE = ('It is necessary that each release that should be running on an application, has a status that '
                   'is equal to "success" and belongs to the application.')
PIN_FIELDS = {"$select": ["is_pinned_on__release", "should_be_running__release"]}


def test_device_pin_by_commit_sets_is_pinned_on_release(sdk, requests_log):
    sdk.models.device.pin_to_release(DEVICE_UUID, seed.COMMITS[2])
    assert requests_log() == [("GET", "/v7/device"), ("GET", "/v7/release"), ("PATCH", "/v7/device")]
    assert sdk.models.device.get(DEVICE_UUID, PIN_FIELDS) == {
        "is_pinned_on__release": {"__id": 2}, "should_be_running__release": {"__id": 2}}
    assert sdk.models.device.is_tracking_application_release(DEVICE_UUID) is False


def test_device_pin_by_release_id_and_to_a_draft_release(sdk):
    sdk.models.device.pin_to_release(DEVICE_ID, 7)  # a draft (non-final) success release may be pinned
    assert sdk.models.device.get(DEVICE_ID, PIN_FIELDS)["is_pinned_on__release"] == {"__id": 7}


def test_device_unpin_tracks_the_fleet_target_again(sdk, requests_log):
    sdk.models.device.pin_to_release(DEVICE_UUID, seed.COMMITS[1])
    requests_log()
    sdk.models.device.track_application_release(DEVICE_UUID)
    assert requests_log() == [("GET", "/v7/device"), ("PATCH", f"/v7/device({DEVICE_ID})")]
    assert sdk.models.device.get(DEVICE_UUID, PIN_FIELDS) == {
        "is_pinned_on__release": None, "should_be_running__release": {"__id": FLEET_TARGET_ID}}
    assert sdk.models.device.is_tracking_application_release(DEVICE_UUID) is True


@pytest.mark.parametrize("release", [seed.COMMITS[FAILED_RELEASE_ID], FAILED_RELEASE_ID, seed.STAGING_RELEASE_COMMIT],
                         ids=["failed by commit", "failed by id", "other fleet's release"])
def test_device_pin_to_an_unpinnable_release_is_release_not_found_before_any_patch(sdk, requests_log, release):
    with pytest.raises(exceptions.ReleaseNotFound):
        sdk.models.device.pin_to_release(DEVICE_UUID, release)
    assert [m for m, _ in requests_log()] == ["GET", "GET"]
    assert sdk.models.device.get(DEVICE_UUID, PIN_FIELDS)["is_pinned_on__release"] is None


@pytest.mark.parametrize("release_id", [FAILED_RELEASE_ID, 8], ids=["failed", "other fleet's"])
def test_device_pin_patch_to_an_unpinnable_release_is_400_with_the_rule(sdk, release_id):
    raises_api_error(lambda: sdk.pine.patch({"resource": "device", "id": DEVICE_ID,
                                             "body": {"is_pinned_on__release": release_id}}), 400, DEVICE_PIN_RULE)


def test_fleet_pin_to_release_stops_tracking_latest(sdk, requests_log):
    sdk.models.application.pin_to_release("acme/production", seed.COMMITS[2])
    assert requests_log() == [("GET", "/v7/application"), ("GET", "/v7/release"),
                              ("PATCH", f"/v7/application({PRODUCTION_ID})")]
    app = sdk.models.application.get(PRODUCTION_ID)
    assert (app["should_track_latest_release"], app["should_be_running__release"]) == (False, {"__id": 2})
    assert sdk.models.application.get_target_release_hash(PRODUCTION_ID) == seed.COMMITS[2]
    assert sdk.models.application.will_track_new_releases(PRODUCTION_ID) is False
    assert sdk.models.application.is_tracking_latest_release(PRODUCTION_ID) is False
    # unpinned devices follow the fleet target
    assert sdk.models.device.get(DEVICE_ID, PIN_FIELDS)["should_be_running__release"] == {"__id": 2}


def test_fleet_track_latest_release_goes_back_to_the_newest_trackable_release(sdk, requests_log):
    sdk.models.application.pin_to_release(PRODUCTION_ID, seed.COMMITS[1])
    requests_log()
    sdk.models.application.track_latest_release("acme/production")
    assert requests_log() == [("GET", "/v7/application"), ("PATCH", f"/v7/application({PRODUCTION_ID})")]
    app = sdk.models.application.get(PRODUCTION_ID)
    # release 7 is a draft and 6 failed: 5 is the newest final, passing, valid, successful release
    assert (app["should_track_latest_release"], app["should_be_running__release"]) == (True, {"__id": FLEET_TARGET_ID})
    assert sdk.models.application.is_tracking_latest_release(PRODUCTION_ID) is True
    assert sdk.models.application.will_track_new_releases(PRODUCTION_ID) is True


def _new_release(sdk, commit):
    return sdk.pine.post({"resource": "release", "body": {
        "belongs_to__application": PRODUCTION_ID, "commit": commit, "status": "success", "source": "cloud",
        "composition": {}, "start_timestamp": "2025-06-01T00:00:00.000Z", "semver": "9.0.0"}})


def test_a_new_release_moves_a_tracking_fleet_but_not_a_pinned_one(sdk):
    sdk.models.application.pin_to_release(PRODUCTION_ID, seed.COMMITS[4])
    _new_release(sdk, "a" * 40)
    assert sdk.models.application.get_target_release_hash(PRODUCTION_ID) == seed.COMMITS[4]
    sdk.models.application.track_latest_release(PRODUCTION_ID)
    assert sdk.models.application.get_target_release_hash(PRODUCTION_ID) == "a" * 40
    _new_release(sdk, "b" * 40)
    assert sdk.models.application.get_target_release_hash(PRODUCTION_ID) == "b" * 40


def test_fleet_pin_to_a_failed_release_is_release_not_found_and_a_direct_patch_is_the_rule(sdk, requests_log):
    with pytest.raises(exceptions.ReleaseNotFound):
        sdk.models.application.pin_to_release(PRODUCTION_ID, seed.COMMITS[FAILED_RELEASE_ID])
    assert [m for m, _ in requests_log()] == ["GET"]  # the release lookup; the id needs no lookup
    for release_id in (FAILED_RELEASE_ID, 8):
        raises_api_error(lambda: sdk.pine.patch({"resource": "application", "id": PRODUCTION_ID, "body": {
            "should_be_running__release": release_id, "should_track_latest_release": False}}), 400, APP_TARGET_RULE)
    app = sdk.models.application.get(PRODUCTION_ID)
    assert (app["should_track_latest_release"], app["should_be_running__release"]) == (True, {"__id": FLEET_TARGET_ID})
