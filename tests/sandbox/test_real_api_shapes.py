"""Bodies as a real open-balena-api v7 server answers them: field sets, modified_at, created bodies equal
to what a GET returns, images in releases, and service installs following the release a device runs."""

from __future__ import annotations

import json
import re
import time

from balena_pulumi.sandbox import seed

from .helpers import session

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")

# open-balena-api's v7 model (translations/v7/v7.sbvr plus pine's created_at/modified_at)
FLEET_FIELDS = {
    "id", "created_at", "modified_at", "actor", "app_name", "organization", "is_for__device_type", "slug", "uuid",
    "should_track_latest_release", "should_be_running__release", "application_type", "is_of__class", "is_host",
    "is_archived", "is_public"}
DEVICE_FIELDS = {
    "id", "created_at", "modified_at", "actor", "api_heartbeat_state", "changed_api_heartbeat_state_on__date",
    "uuid", "local_id", "device_name", "note", "is_of__device_type", "belongs_to__application", "is_online",
    "last_connectivity_event", "is_connected_to_vpn", "last_vpn_event", "is_locked_until__date", "public_address",
    "ip_address", "mac_address", "is_web_accessible", "memory_usage", "memory_total", "storage_block_device",
    "storage_usage", "storage_total", "cpu_usage", "cpu_temp", "is_undervolted", "cpu_id", "is_running__release",
    "download_progress", "status", "os_version", "os_variant", "supervisor_version", "provisioning_progress",
    "provisioning_state", "api_port", "api_secret", "is_managed_by__service_instance", "is_pinned_on__release",
    "should_be_running__release", "should_be_operated_by__release", "should_be_managed_by__release",
    "update_status", "last_update_status_event", "is_frozen", "overall_status", "overall_progress"}
RELEASE_FIELDS = {
    "id", "created_at", "modified_at", "belongs_to__application", "commit", "composition", "status", "source",
    "build_log", "is_invalidated", "start_timestamp", "end_timestamp", "update_timestamp", "release_version",
    "contract", "is_passing_tests", "is_finalized_at__date", "phase", "semver_major", "semver_minor",
    "semver_patch", "semver_prerelease", "semver_build", "variant", "revision", "known_issue_list", "note",
    "invalidation_reason", "is_final", "semver", "raw_version", "version"}
IMAGE_FIELDS = {
    "id", "created_at", "modified_at", "start_timestamp", "end_timestamp", "dockerfile", "is_a_build_of__service",
    "image_size", "is_stored_at__image_location", "project_type", "error_message", "build_log", "push_timestamp",
    "status", "content_hash", "contract"}
NEW_COMMIT = "f" * 40


def release_body(app=1, commit=NEW_COMMIT, status="success", **extra):
    return {"belongs_to__application": app, "commit": commit, "composition": {}, "status": status,
            "source": "cloud", "start_timestamp": "2025-01-01T00:00:00.000Z", **extra}


CREATES = {
    "application": {"app_name": "newfleet", "organization": 1, "is_for__device_type": 1},
    "application_environment_variable": {"application": 1, "name": "A", "value": "1"},
    "application_config_variable": {"application": 1, "name": "BALENA_A", "value": "1"},
    "build_environment_variable": {"application": 1, "name": "B", "value": "1"},
    "service_environment_variable": {"service": 1, "name": "S", "value": "1"},
    "device_environment_variable": {"device": 1, "name": "D", "value": "1"},
    "device_config_variable": {"device": 1, "name": "BALENA_D", "value": "1"},
    "device_service_environment_variable": {"service_install": 1, "name": "X", "value": "1"},
    "application_tag": {"application": 1, "tag_key": "k", "value": "v"},
    "device_tag": {"device": 1, "tag_key": "k", "value": "v"},
    "release_tag": {"release": 1, "tag_key": "k", "value": "v"},
    "release": release_body(),
    "service": {"application": 1, "service_name": "extra"},
    "device": {"belongs_to__application": 1, "is_of__device_type": 1},
    "user__has__public_key": {"user": 1, "title": "laptop", "public_key": "ssh-ed25519 AAAA"},
}


def test_created_objects_come_back_with_modified_at_equal_to_created_at(clean_sandbox):
    api = session(clean_sandbox)
    for resource, body in CREATES.items():
        r = api.post(f"/v7/{resource}", body)
        assert r.status_code == 201, (resource, r.text)
        created = r.json()
        assert ISO.fullmatch(created["modified_at"]), resource
        assert created["modified_at"] == created["created_at"], resource
        assert api.d(f"/v7/{resource}({created['id']})") == [created], resource


def test_a_patch_moves_modified_at_and_keeps_created_at(clean_sandbox):
    api = session(clean_sandbox)
    created = api.post("/v7/application_tag", CREATES["application_tag"]).json()
    deadline = time.monotonic() + 5
    while time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) <= created["created_at"][:19]:
        assert time.monotonic() < deadline  # wait for the clock to pass the creation second
    assert api.patch(f"/v7/application_tag({created['id']})", {"value": "w"}).status_code == 200
    row = api.d(f"/v7/application_tag({created['id']})")[0]
    assert row["created_at"] == created["created_at"]
    assert row["modified_at"] > created["modified_at"]
    assert api.d(f"/v7/application_tag?$select=id&$filter=modified_at gt datetime'{created['created_at']}'") == [
        {"id": created["id"]}]


def test_a_fleet_has_exactly_the_v7_fields(clean_sandbox):
    api = session(clean_sandbox)
    created = api.post("/v7/application", CREATES["application"]).json()
    assert set(created) == FLEET_FIELDS
    assert set(api.d("/v7/application(1)")[0]) == FLEET_FIELDS


def test_a_created_device_comes_back_with_the_full_body_a_get_returns(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/device", {"belongs_to__application": 1, "is_of__device_type": 1, "device_name": "d9",
                                "os_version": "balenaOS 6.0.0", "os_variant": "prod"})
    assert r.status_code == 201
    dev = r.json()
    assert set(dev) == DEVICE_FIELDS
    assert dev == api.d(f"/v7/device({dev['id']})")[0]
    assert {k: dev[k] for k in ("api_heartbeat_state", "is_online", "is_connected_to_vpn", "is_undervolted",
                                "is_web_accessible", "is_frozen", "overall_status", "overall_progress",
                                "os_version", "os_variant", "should_be_running__release", "actor")} == {
        "api_heartbeat_state": "unknown", "is_online": False, "is_connected_to_vpn": False,
        "is_undervolted": False, "is_web_accessible": False, "is_frozen": False, "overall_status": "configuring",
        "overall_progress": None, "os_version": "balenaOS 6.0.0", "os_variant": "prod",
        "should_be_running__release": {"__id": 5}, "actor": dev["actor"]}
    assert isinstance(dev["actor"]["__id"], int)


def test_overall_status_follows_the_reported_state(clean_sandbox):
    api = session(clean_sandbox)
    api.patch("/v7/device(1)", {"last_connectivity_event": "2025-01-01T00:00:00.000Z"})
    assert api.d("/v7/device(1)?$select=overall_status")[0] == {"overall_status": "disconnected"}
    api.patch("/v7/device(1)", {"is_connected_to_vpn": True, "provisioning_progress": 50})
    row = api.d("/v7/device(1)?$select=overall_status,overall_progress")[0]
    assert row == {"overall_status": "configuring", "overall_progress": 50}
    api.patch("/v7/device(1)", {"provisioning_progress": None})
    assert api.d("/v7/device(1)?$select=overall_status")[0] == {"overall_status": "reduced-functionality"}
    assert api.d("/v7/device?$select=id&$filter=overall_status eq 'reduced-functionality'") == [{"id": 1}]


def test_a_created_release_has_no_is_created_by__user(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/release", release_body())
    assert r.status_code == 201
    assert set(r.json()) == RELEASE_FIELDS
    assert "is_created_by__user" not in r.json()
    r = api.get("/v7/release?$select=is_created_by__user")
    assert r.status_code == 500 and r.content == b""  # not a field of the v7 release


# ---------------------------------------------------------------------------------------------------------
# images


def test_the_default_seed_releases_hold_their_services_through_images(sandbox):
    api = session(sandbox)
    rel = api.d("/v7/release(5)?$select=id&$expand=contains__image($select=id;$expand=image("
                "$select=is_a_build_of__service,status))")[0]
    assert sorted(ci["image"][0]["is_a_build_of__service"]["__id"] for ci in rel["contains__image"]) == [1, 2]
    assert all(ci["image"][0]["status"] == "success" for ci in rel["contains__image"])
    staging = api.d("/v7/release(8)?$select=id&$expand=release_image($expand=image($select=is_a_build_of__service))")
    assert [ri["image"][0]["is_a_build_of__service"] for ri in staging[0]["release_image"]] == [{"__id": 3}]
    svc = api.d("/v7/service(1)?$select=service_name&$expand=is_built_by__image/$count")[0]
    assert svc == {"service_name": "main", "is_built_by__image": 7}  # releases 1-7 of production hold main
    assert api.get("/v7/image/$count").json() == {"d": 15}
    assert api.get("/v7/image__is_part_of__release/$count").json() == {"d": 15}


def test_an_image_is_created_with_a_server_chosen_location_and_linked_to_a_release(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/image", {"is_a_build_of__service": 1, "start_timestamp": "2025-01-01T00:00:00.000Z",
                               "status": "running", "image_size": 123456789012, "is_stored_at__image_location": "x"})
    assert r.status_code == 201
    img = r.json()
    assert set(img) == IMAGE_FIELDS
    assert re.fullmatch(r"registry2\.sandbox\.invalid/v2/[0-9a-f]{32}", img["is_stored_at__image_location"])
    assert img["image_size"] == "123456789012"  # Big Integer reads as a string
    assert img["is_a_build_of__service"] == {"__id": 1} and img["modified_at"] == img["created_at"]
    rel = api.post("/v7/release", release_body(status="running")).json()
    r = api.post("/v7/image__is_part_of__release", {"image": img["id"], "is_part_of__release": rel["id"]})
    assert r.status_code == 201
    link = r.json()
    assert set(link) == {"id", "created_at", "modified_at", "image", "is_part_of__release"}
    assert link["image"] == {"__id": img["id"]} and link["is_part_of__release"] == {"__id": rel["id"]}
    assert api.d(f"/v7/release_image?$select=release,contains__image&$filter=release eq {rel['id']}") == [
        {"release": {"__id": rel["id"]}, "contains__image": {"__id": img["id"]}}]
    r = api.post("/v7/image__is_part_of__release", {"image": img["id"], "is_part_of__release": rel["id"]})
    assert r.status_code == 409 and r.json() == '"image" and "is_part_of__release" must be unique.'


def test_image_rules_push_timestamp_and_multicontainer(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/image", {"is_a_build_of__service": 1, "start_timestamp": "2025-01-01T00:00:00.000Z",
                               "status": "success"})
    assert r.status_code == 400
    assert r.json() == 'It is necessary that each image that has a status that is equal to "success", has a push timestamp.'
    img = api.post("/v7/image", {"is_a_build_of__service": 1, "start_timestamp": "2025-01-01T00:00:00.000Z",
                                 "status": "running"}).json()
    assert api.patch(f"/v7/image({img['id']})", {"status": "success"}).status_code == 400
    assert api.patch(f"/v7/image({img['id']})", {"status": "success",
                                                 "push_timestamp": "2025-01-01T00:01:00.000Z"}).status_code == 200

    doc = json.loads(json.dumps(seed.DEFAULT_SEED))
    doc["application_types"] = [{"slug": "essentials", "name": "Starter", "supports_multicontainer": False}]
    for release in doc["fleets"][0]["releases"]:
        release["services"] = ["main"]  # single-container releases, as such a fleet can only have
    clean_sandbox.reset(doc)
    api = session(clean_sandbox)
    rel = api.post("/v7/release", release_body(status="running")).json()
    for service in (1, 2):
        img = api.post("/v7/image", {"is_a_build_of__service": service, "status": "running",
                                     "start_timestamp": "2025-01-01T00:00:00.000Z"}).json()
        r = api.post("/v7/image__is_part_of__release", {"image": img["id"], "is_part_of__release": rel["id"]})
    assert r.status_code == 400
    assert r.json() == ("It is necessary that each application that owns a release that contains at least 2 "
                        "images, has an application type that supports multicontainer.")
    assert api.get(f"/v7/image__is_part_of__release/$count?$filter=is_part_of__release eq {rel['id']}").json() == {
        "d": 1}


def test_deleting_a_release_or_a_service_takes_its_images_along(clean_sandbox):
    api = session(clean_sandbox)
    assert api.delete("/v7/release(1)").status_code == 200
    assert api.get("/v7/image__is_part_of__release/$count?$filter=is_part_of__release eq 1").json() == {"d": 0}
    assert api.delete("/v7/service(2)").status_code == 200
    assert api.get("/v7/image/$count?$filter=is_a_build_of__service eq 2").json() == {"d": 0}
    assert api.get("/v7/service_install/$count?$filter=installs__service eq 2").json() == {"d": 0}


# ---------------------------------------------------------------------------------------------------------
# service installs follow the release a device should run


def installed(api, device_id) -> list[str]:
    rows = api.d(f"/v7/service_install?$filter=device eq {device_id}&$expand=installs__service($select=service_name)")
    return sorted(r["installs__service"][0]["service_name"] for r in rows)


def new_release(api, services: list[int], app=1, commit=NEW_COMMIT, start="2025-01-01T00:00:00.000Z"):
    """A release built the way a builder does it: running, its images linked, then successful."""
    rel = api.post("/v7/release", release_body(app, commit, status="running", start_timestamp=start)).json()
    for svc in services:
        img = api.post("/v7/image", {"is_a_build_of__service": svc, "status": "running",
                                     "start_timestamp": start}).json()
        api.post("/v7/image__is_part_of__release", {"image": img["id"], "is_part_of__release": rel["id"]})
    return rel["id"]


def test_registration_installs_the_services_of_the_fleet_target(clean_sandbox):
    api = session(clean_sandbox)
    assert [installed(api, d) for d in (1, 2, 3, 4)] == [["main", "worker"]] * 3 + [["main"]]
    worker_only = new_release(api, [2])  # a running release: the fleet target does not move
    api.patch(f"/v7/release({worker_only})", {"status": "success"})  # now it does (track latest)
    assert api.d("/v7/application(1)?$select=should_be_running__release")[0] == {
        "should_be_running__release": {"__id": worker_only}}
    dev = api.post("/v7/device", {"belongs_to__application": 1, "is_of__device_type": 1}).json()
    assert installed(api, dev["id"]) == ["worker"]


def test_a_new_release_reaches_unpinned_devices_only(clean_sandbox):
    api = session(clean_sandbox)
    extra = api.post("/v7/service", {"application": 1, "service_name": "extra"}).json()["id"]
    api.patch("/v7/device(3)", {"is_pinned_on__release": 4})
    rel = new_release(api, [1, extra])
    assert installed(api, 1) == ["main", "worker"]  # still running: nothing moves yet
    api.patch(f"/v7/release({rel})", {"status": "success"})
    assert installed(api, 1) == installed(api, 2) == ["extra", "main", "worker"]  # added, never removed
    assert installed(api, 3) == ["main", "worker"]  # pinned elsewhere
    assert installed(api, 4) == ["main"]  # another fleet


def test_a_release_without_images_installs_nothing_and_pins_bring_their_services(clean_sandbox):
    api = session(clean_sandbox)
    extra = api.post("/v7/service", {"application": 1, "service_name": "extra"}).json()["id"]
    api.post("/v7/release", release_body())  # no images: the target moves, no service comes with it
    assert installed(api, 1) == ["main", "worker"]
    api.patch("/v7/application(1)", {"should_track_latest_release": False})
    pinned = new_release(api, [extra], commit="e" * 40, start="2024-06-01T00:00:00.000Z")
    api.patch(f"/v7/release({pinned})", {"status": "success"})
    assert installed(api, 1) == ["main", "worker"]  # the fleet does not track latest any more
    api.patch("/v7/device(1)", {"is_pinned_on__release": pinned})
    assert installed(api, 1) == ["extra", "main", "worker"]
    assert installed(api, 2) == ["main", "worker"]
    api.patch("/v7/application(1)", {"should_be_running__release": pinned})
    assert installed(api, 2) == ["extra", "main", "worker"]


def test_pinning_and_unpinning_install_the_services_of_the_release_to_run(clean_sandbox):
    api = session(clean_sandbox)
    api.delete("/v7/service_install?$filter=device eq 1")  # a device whose installs are gone
    assert installed(api, 1) == []
    api.patch("/v7/device(1)", {"is_pinned_on__release": 2})
    assert installed(api, 1) == ["main", "worker"]  # release 2 holds both
    api.delete("/v7/service_install?$filter=device eq 1")
    assert api.patch("/v7/device(1)", {"is_pinned_on__release": None}).status_code == 200
    assert installed(api, 1) == ["main", "worker"]  # back to the fleet target, release 5


def test_moving_a_device_drops_the_old_fleets_installs_and_their_variables(clean_sandbox):
    api = session(clean_sandbox)
    api.post("/v7/device_service_environment_variable", {"service_install": 1, "name": "X", "value": "1"})
    assert api.patch("/v7/device(1)", {"belongs_to__application": 2}).status_code == 200
    assert installed(api, 1) == ["main"]
    assert api.d("/v7/service_install?$select=installs__service&$filter=device eq 1") == [
        {"installs__service": {"__id": 3}}]
    assert api.d("/v7/device_service_environment_variable") == []
