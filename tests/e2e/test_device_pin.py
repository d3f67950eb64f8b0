"""DevicePin on the real engine against the sandbox, including the staged-rollout shape: canary devices
pinned to a newer release while a FleetPin holds the fleet on the older one."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.devices.device_pin import DevicePin
from balena_pulumi.resources.fleets.fleet_pin import FleetPin
from balena_pulumi.sandbox.seed import COMMITS, PRODUCTION_DEVICE_UUIDS, STAGING_DEVICE_UUID, STAGING_RELEASE_COMMIT

from .cases import DEVICE, Case, natural
from .harness import problem

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case("DevicePin", {"device": DEVICE, "release_version": "1.1.0"}, natural(DEVICE))

CANARY = PRODUCTION_DEVICE_UUIDS[0]


def pin_program(device: str = CANARY, **selector):
    def program() -> None:
        import pulumi

        pin = DevicePin("canary", device=device, **selector)
        pulumi.export("release", [pin.release_id, pin.release_version, pin.release_commit])
        pulumi.export("device_id", pin.device_id)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def device_state(deployment, uuid: str = CANARY) -> tuple[int | None, int | None]:
    """(is_pinned_on__release, computed should_be_running__release)."""
    device = api(deployment).devices.get_by_uuid(uuid)
    fresh = api(deployment).devices.get(device.id)
    return fresh.is_pinned_on__release, fresh.should_be_running__release


@pytest.mark.parametrize(
    "selector", [{"release_version": "2.0.0"}, {"release_commit": COMMITS[4]}, {"release_id": 4}], ids=str
)
def test_pinning_a_device_by_any_selector_is_one_patch_of_the_device(deployment, selector):
    assert device_state(deployment) == (None, 5)
    deployment.sandbox.clear_requests()

    deployment.up(pin_program(**selector))

    device_id = deployment.outputs()["device_id"]
    assert [(w["method"], w["path"]) for w in deployment.writes()] == [("PATCH", f"/v7/device({device_id})")]
    assert device_state(deployment) == (4, 4)
    assert deployment.outputs()["release"] == [4, "2.0.0", COMMITS[4]]
    deployment.sandbox.clear_requests()
    assert deployment.up(pin_program(**selector)).summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []


def test_changing_the_release_is_one_patch_in_place(deployment):
    deployment.up(pin_program(release_version="1.1.0"))
    deployment.sandbox.clear_requests()
    result = deployment.up(pin_program(release_version="1.1.0+rev1"))
    assert result.summary.resource_changes.get("update") == 1
    assert [w["method"] for w in deployment.writes()] == ["PATCH"]
    assert device_state(deployment) == (3, 3)


def test_destroy_unpins_so_the_device_follows_its_fleet_again(deployment):
    deployment.up(pin_program(release_id=2))
    deployment.sandbox.clear_requests()
    deployment.destroy()
    assert [w["method"] for w in deployment.writes()] == ["PATCH"]
    assert device_state(deployment) == (None, 5)
    deployment.destroy()
    assert device_state(deployment) == (None, 5)


def test_a_successful_draft_may_be_pinned_on_a_device(deployment):
    deployment.up(pin_program(release_id=7))
    assert device_state(deployment) == (7, 7)


def test_another_pin_set_by_hand_is_drift_that_up_repairs(deployment):
    deployment.up(pin_program(release_version="2.0.0"))
    device_id = deployment.outputs()["device_id"]
    api(deployment).devices.pin(device_id, 1)

    deployment.sandbox.clear_requests()
    assert deployment.refresh().summary.resource_changes.get("update") == 1
    assert len(deployment.sandbox.requests()) == 1
    [pin] = deployment.resources("DevicePin")
    assert pin["outputs"]["release_version"] == "1.0.0"

    deployment.sandbox.clear_requests()
    deployment.up(pin_program(release_version="2.0.0"))
    assert [w["method"] for w in deployment.writes()] == ["PATCH"]
    assert device_state(deployment) == (4, 4)


def test_an_unpin_by_hand_means_the_pin_is_gone_and_up_pins_again(deployment):
    deployment.up(pin_program(release_version="2.0.0"))
    api(deployment).devices.pin(deployment.outputs()["device_id"], None)
    assert deployment.refresh().summary.resource_changes.get("delete") == 1
    deployment.up(pin_program(release_version="2.0.0"))
    assert device_state(deployment) == (4, 4)


def test_staged_rollout_canaries_on_the_new_release_while_the_fleet_holds_the_old(deployment):
    def rollout(canary_version: str):
        def program() -> None:
            hold = FleetPin("hold", fleet="acme/production", release_version="1.1.0")
            for n, uuid in enumerate(PRODUCTION_DEVICE_UUIDS[:2]):
                DevicePin(f"canary-{n}", device=uuid, release_version=canary_version,
                          opts=__import__("pulumi").ResourceOptions(depends_on=[hold]))

        return program

    deployment.up(rollout("2.0.0"))
    assert device_state(deployment, PRODUCTION_DEVICE_UUIDS[0]) == (4, 4)
    assert device_state(deployment, PRODUCTION_DEVICE_UUIDS[1]) == (4, 4)
    assert device_state(deployment, PRODUCTION_DEVICE_UUIDS[2]) == (None, 2)  # follows the held fleet

    deployment.sandbox.clear_requests()
    deployment.up(rollout("1.1.0+rev1"))  # next canary wave: two PATCHes, the fleet untouched
    assert sorted(w["path"] for w in deployment.writes()) == ["/v7/device(1)", "/v7/device(2)"]
    assert device_state(deployment, PRODUCTION_DEVICE_UUIDS[2]) == (None, 2)

    deployment.destroy()
    assert [device_state(deployment, u) for u in PRODUCTION_DEVICE_UUIDS] == [(None, 5)] * 3


@pytest.mark.parametrize(
    ("kwargs", "line", "reads"),
    [
        (
            {"release_commit": STAGING_RELEASE_COMMIT},
            f"release_commit: fleet acme/production (the fleet of device {CANARY}) has no release with commit "
            f"{STAGING_RELEASE_COMMIT}",
            True,
        ),
        (
            {"device": STAGING_DEVICE_UUID, "release_id": 2},
            f"release_id: fleet acme/staging (the fleet of device {STAGING_DEVICE_UUID}) has no release with id 2",
            True,
        ),
        (
            {"release_version": "2.1.0"},
            f"release_version: release 2.1.0 of the fleet of device {CANARY} has status 'failed'; only a release "
            "with status 'success' can be pinned",
            True,
        ),
        ({"device": "f" * 32, "release_id": 2}, f"device: no device with uuid {'f' * 32} is visible to this token", True),
        ({"device": "xyz", "release_id": 2}, "device: must be a full device uuid of 32 or 62 hex characters; got 'xyz'",
         False),
        ({"release_id": 0}, "release_id: must be a positive release id; got 0", False),
    ],
    ids=str,
)
def test_a_release_not_pinnable_on_the_device_fails_in_preview_naming_the_field(deployment, kwargs, line, reads):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(pin_program(**kwargs))
    assert problem("DevicePin", "canary", line) in str(failure.value), str(failure.value)
    assert deployment.writes() == [] if reads else deployment.sandbox.requests() == []
