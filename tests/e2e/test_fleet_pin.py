"""FleetPin on the real engine against the sandbox: pin, re-pin, drift, unpin.

Seed (balena_pulumi/sandbox/seed.py): acme/production tracks latest and targets release 5
(2.1.0-beta.1); releases 1 1.0.0, 2 1.1.0, 3 1.1.0+rev1, 4 2.0.0, 6 2.1.0 (failed), 7 a successful
draft; release 8 is staging's.
"""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.fleets.fleet_pin import FleetPin
from balena_pulumi.sandbox.seed import COMMITS, STAGING_RELEASE_COMMIT

from .cases import Case, natural
from .harness import problem

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case("FleetPin", {"fleet": "acme/production", "release_version": "1.1.0"}, natural("acme/production"))

PRODUCTION_ID = 1


def pin_program(fleet: str = "acme/production", **selector):
    def program() -> None:
        import pulumi

        pin = FleetPin("hold", fleet=fleet, **selector)
        pulumi.export("release", [pin.release_id, pin.release_version, pin.release_commit])
        pulumi.export("fleet_id", pin.fleet_id)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def target(deployment, fleet_id: int = PRODUCTION_ID) -> tuple[bool, int | None]:
    fleet = api(deployment).fleets.get(fleet_id)
    return fleet.should_track_latest_release, fleet.should_be_running__release


@pytest.mark.parametrize(
    "selector", [{"release_version": "1.1.0"}, {"release_commit": COMMITS[2]}, {"release_id": 2}], ids=str
)
def test_pinning_by_any_selector_is_one_patch_and_stops_tracking_latest(deployment, selector):
    assert target(deployment) == (True, 5)
    deployment.sandbox.clear_requests()

    result = deployment.up(pin_program(**selector))

    assert result.summary.resource_changes.get("create") == 2
    assert [(w["method"], w["path"]) for w in deployment.writes()] == [("PATCH", f"/v7/application({PRODUCTION_ID})")]
    assert target(deployment) == (False, 2)
    assert deployment.outputs() == {"release": [2, "1.1.0", COMMITS[2]], "fleet_id": PRODUCTION_ID}

    deployment.sandbox.clear_requests()
    assert deployment.up(pin_program(**selector)).summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []


def test_1_1_0_and_1_1_0_rev1_are_different_releases_and_switching_is_one_patch(deployment):
    deployment.up(pin_program(release_version="1.1.0"))
    assert target(deployment) == (False, 2)
    deployment.sandbox.clear_requests()

    result = deployment.up(pin_program(release_version="1.1.0+rev1"))

    assert result.summary.resource_changes.get("update") == 1
    assert [w["method"] for w in deployment.writes()] == ["PATCH"]
    assert target(deployment) == (False, 3)
    assert deployment.outputs()["release"] == [3, "1.1.0+rev1", COMMITS[3]]


def test_naming_the_same_release_by_another_selector_is_no_change(deployment):
    deployment.up(pin_program(release_version="2.0.0"))
    deployment.sandbox.clear_requests()
    result = deployment.up(pin_program(release_id=4))
    # One release, however it is named: nothing to show, nothing to write (check reads which release the
    # new selector names).
    assert result.summary.resource_changes == {"same": 2}
    assert deployment.writes() == []
    assert target(deployment) == (False, 4)


def test_a_successful_draft_may_be_pinned_as_the_api_rule_allows(deployment):
    draft = api(deployment).releases.get(7)
    assert draft.status == "success" and draft.is_final is False
    deployment.up(pin_program(release_version=draft.raw_version))
    assert target(deployment) == (False, 7)


def test_destroy_returns_the_fleet_to_tracking_its_latest_release(deployment):
    deployment.up(pin_program(release_version="1.0.0"))
    assert target(deployment) == (False, 1)
    deployment.sandbox.clear_requests()

    deployment.destroy()

    assert target(deployment) == (True, 5)  # as seeded: the newest trackable release
    assert [w["method"] for w in deployment.writes()] == ["PATCH"]
    deployment.destroy()
    assert target(deployment) == (True, 5)


def test_another_release_pinned_by_hand_is_drift_that_up_repairs(deployment):
    deployment.up(pin_program(release_version="1.1.0"))
    api(deployment).fleets.pin(PRODUCTION_ID, 4)

    deployment.sandbox.clear_requests()
    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("update") == 1
    assert len(deployment.sandbox.requests()) == 1  # one GET, the target release expanded
    [pin] = deployment.resources("FleetPin")
    assert (pin["outputs"]["release_version"], pin["inputs"]["release_version"]) == ("2.0.0", "2.0.0")

    deployment.sandbox.clear_requests()
    repaired = deployment.up(pin_program(release_version="1.1.0"))
    assert repaired.summary.resource_changes.get("update") == 1
    assert [w["method"] for w in deployment.writes()] == ["PATCH"]
    assert target(deployment) == (False, 2)


def test_track_latest_re_enabled_by_hand_means_the_pin_is_gone_and_up_pins_again(deployment):
    deployment.up(pin_program(release_version="1.1.0"))
    api(deployment).fleets.track_latest(PRODUCTION_ID)
    assert target(deployment) == (True, 5)

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("delete") == 1
    assert deployment.resources("FleetPin") == []

    deployment.up(pin_program(release_version="1.1.0"))
    assert target(deployment) == (False, 2)


def test_pinning_another_fleet_replaces_and_releases_the_first(deployment):
    deployment.up(pin_program(release_version="1.1.0"))
    staging_id = api(deployment).fleets.get_by_slug("acme/staging").id

    result = deployment.up(pin_program(fleet="acme/staging", release_commit=STAGING_RELEASE_COMMIT))

    assert result.summary.resource_changes.get("replace") == 1
    assert target(deployment) == (True, 5)
    assert target(deployment, staging_id) == (False, 8)


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        (
            {"release_version": "2.1.0"},
            "release_version: release 2.1.0 of fleet acme/production has status 'failed'; "
            "only a release with status 'success' can be pinned",
        ),
        (
            {"release_commit": STAGING_RELEASE_COMMIT},
            f"release_commit: fleet acme/production has no release with commit {STAGING_RELEASE_COMMIT}",
        ),
        ({"release_id": 8}, "release_id: fleet acme/production has no release with id 8"),
        ({"release_version": "9.0.0"}, "release_version: fleet acme/production has no release with version 9.0.0"),
        ({"release_version": "latest"}, "release_version: must be a release version as balena writes it, e.g. 1.2.3, "
                                        "1.2.3+rev1 or 1.2.3-beta.1; got 'latest'"),
        ({}, "release_version: exactly one of release_version, release_commit, release_id must be set (got none)"),
        (
            {"release_version": "1.1.0", "release_commit": COMMITS[2]},
            "release_version: exactly one of release_version, release_commit, release_id must be set "
            "(got release_version and release_commit)",
        ),
        ({"fleet": "acme/nowhere", "release_id": 2}, "fleet: no fleet with slug 'acme/nowhere' is visible to this token"),
    ],
    ids=str,
)
def test_an_unpinnable_release_fails_in_preview_naming_the_selector_with_no_write(deployment, kwargs, rule):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(pin_program(**kwargs))
    assert problem("FleetPin", "hold", rule) in str(failure.value), str(failure.value)
    assert deployment.writes() == []
    assert target(deployment) == (True, 5)
