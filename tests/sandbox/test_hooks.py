"""Server-side rules: slugs, track-latest, pins, release versioning and deletion guards, cascades."""

import re

from balena_pulumi.sandbox import seed

from .helpers import session

PIN_RULE = ('It is necessary that each release that is pinned to a device, has a status that is equal to "success" '
            'and belongs to an application1 that the device belongs to.')
TARGET_RULE = ('It is necessary that each release that should be running on an application, has a status that is '
               'equal to "success" and belongs to the application.')


def new_fleet(api, name="newfleet", **extra):
    r = api.post("/v7/application", {"app_name": name, "organization": 1, "is_for__device_type": 1, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def new_release(api, app=1, commit="c" * 40, status="success", **extra):
    body = {"belongs_to__application": app, "commit": commit, "status": status, "source": "cloud",
            "composition": {}, "start_timestamp": "2025-01-01T00:00:00.000Z", **extra}
    return api.post("/v7/release", body)


def test_fleet_post_computes_slug_uuid_class_and_forces_track_latest(clean_sandbox):
    app = new_fleet(session(clean_sandbox), "MyFleet", should_track_latest_release=False)
    assert app["slug"] == "acme/myfleet"
    assert re.fullmatch(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}", app["uuid"])
    assert app["should_track_latest_release"] is True
    assert app["is_of__class"] == "fleet"
    assert app["actor"]["__id"] > 0


def test_fleet_name_rules(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/application", {"app_name": "bad name", "organization": 1, "is_for__device_type": 1})
    assert r.status_code == 400 and r.json() == "App name may only contain [a-zA-Z0-9_-]."
    r = api.post("/v7/application", {"app_name": "abc", "organization": 1, "is_for__device_type": 1})
    assert r.status_code == 400 and r.json() == (
        "It is necessary that each application has an app name that has a Length (Type) that is greater than or "
        "equal to 4 and is less than or equal to 100.")
    r = api.post("/v7/application", {"organization": 1, "is_for__device_type": 1})
    assert r.status_code == 400 and r.json() == "Missing application name"
    r = api.post("/v7/application", {"app_name": "abcd", "organization": 1, "is_for__device_type": 1,
                                     "uuid": "0" * 32})
    assert r.status_code == 400 and r.json() == "Application UUID must be a 32 character long lower case UUID version 4."
    r = api.post("/v7/application", {"app_name": "abcd", "organization": 1, "is_for__device_type": 1,
                                     "is_of__class": "nope"})
    assert r.status_code == 400


def test_rename_and_org_handle_change_recompute_slugs(clean_sandbox):
    api = session(clean_sandbox)
    assert api.patch("/v7/application(1)", {"app_name": "Prod2"}).status_code == 200
    assert api.d("/v7/application(1)?$select=slug") == [{"slug": "acme/prod2"}]
    assert api.patch("/v7/organization(1)", {"handle": "acme2"}).status_code == 200
    assert [a["slug"] for a in api.d("/v7/application?$select=slug&$orderby=id asc")] == ["acme2/prod2", "acme2/staging"]


def test_org_handle_rules(clean_sandbox):
    api = session(clean_sandbox)
    r = api.patch("/v7/organization(1)", {"handle": "Acme"})
    assert r.status_code == 400 and r.json() == "Handles must be lowercase"
    r = api.patch("/v7/organization(1)", {"handle": "ac-me"})
    assert r.status_code == 400 and r.json() == "Handles can only contain alphanumeric characters and underscores"


def test_org_create_makes_creator_administrator_and_delete_with_fleets_is_409(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/organization", {"name": "New Org!"})
    assert r.status_code == 201 and r.json()["handle"] == "new_org_"
    org_id = r.json()["id"]
    mem = api.d(f"/v7/organization_membership?$filter=is_member_of__organization eq {org_id}"
                "&$expand=organization_membership_role($select=name)")
    assert mem[0]["user"] == {"__id": 1} and mem[0]["organization_membership_role"] == [{"name": "administrator"}]
    r = api.delete("/v7/organization(1)")
    assert r.status_code == 409 and r.json() == "Data is referenced by application."
    assert api.delete(f"/v7/organization({org_id})").status_code == 200


def test_device_type_change_must_keep_cpu_architecture(clean_sandbox):
    api = session(clean_sandbox)
    assert api.patch("/v7/application(1)", {"is_for__device_type": 2}).status_code == 200  # generic-aarch64
    r = api.patch("/v7/application(1)", {"is_for__device_type": 5})  # intel-nuc
    assert r.status_code == 400
    assert r.json() == "The new default device type should be of the same cpu architecture as the previous one."


def test_fleet_target_must_be_a_successful_release_of_the_same_fleet(clean_sandbox):
    api = session(clean_sandbox)
    for rid in (6, 8):  # failed release; staging's release
        r = api.patch("/v7/application(1)", {"should_be_running__release": rid})
        assert r.status_code == 400 and r.json() == TARGET_RULE
    assert api.patch("/v7/application(1)", {"should_be_running__release": 7,  # draft with status success
                                             "should_track_latest_release": False}).status_code == 200


def test_track_latest_moves_target_on_new_release_but_not_when_pinned(clean_sandbox):
    api = session(clean_sandbox)
    r = new_release(api, semver="3.0.0", start_timestamp="2030-01-01T00:00:00.000Z")
    assert r.status_code == 201 and r.json()["raw_version"] == "3.0.0"
    assert api.d("/v7/application(1)?$select=should_be_running__release")[0]["should_be_running__release"] == {
        "__id": r.json()["id"]}
    api.patch("/v7/application(1)", {"should_be_running__release": 4, "should_track_latest_release": False})
    new_release(api, commit="d" * 40, semver="4.0.0", start_timestamp="2031-01-01T00:00:00.000Z")
    assert api.d("/v7/application(1)?$select=should_be_running__release")[0]["should_be_running__release"] == {
        "__id": 4}


def test_track_latest_on_release_patch_to_success(clean_sandbox):
    api = session(clean_sandbox)
    rel = new_release(api, status="running", start_timestamp="2030-01-01T00:00:00.000Z").json()
    assert api.d("/v7/application(1)?$select=should_be_running__release")[0]["should_be_running__release"] == {
        "__id": 5}
    assert api.patch(f"/v7/release({rel['id']})", {"status": "success"}).status_code == 200
    assert api.d("/v7/application(1)?$select=should_be_running__release")[0]["should_be_running__release"] == {
        "__id": rel["id"]}


def test_release_versioning_revisions_and_drafts(clean_sandbox):
    api = session(clean_sandbox)
    a = new_release(api, commit="1" * 40, semver="1.2.3").json()
    b = new_release(api, commit="2" * 40, semver="1.2.3").json()
    assert (a["raw_version"], a["revision"]) == ("1.2.3", 0)
    assert (b["raw_version"], b["revision"]) == ("1.2.3+rev1", 1)
    c = new_release(api, commit="3" * 40).json()
    assert c["raw_version"] == "0.0.0" and c["semver"] == "0.0.0"
    d = new_release(api, commit="4" * 40, semver="5.0.0-beta3", is_final=False).json()
    assert d["revision"] is None and re.fullmatch(r"5\.0\.0-beta3\.\d{13}", d["raw_version"])
    r = api.patch(f"/v7/release({d['id']})", {"is_final": True})
    assert r.status_code == 200
    assert api.d(f"/v7/release({d['id']})?$select=raw_version,revision")[0] == {"raw_version": "5.0.0-beta3",
                                                                                 "revision": 0}
    r = api.patch(f"/v7/release({a['id']})", {"is_final": False})
    assert r.status_code == 400 and r.json() == "Finalized releases cannot be converted to draft."
    r = new_release(api, commit="5" * 40, semver="1.x")
    assert r.status_code == 400 and r.json() == "Invalid semver format"
    r = new_release(api, commit="6" * 40, semver="1.2.3+rev7")
    assert r.status_code == 400 and r.json() == "The provided revision does not match the autogenerated one."


def test_one_successful_release_per_commit_per_fleet(clean_sandbox):
    api = session(clean_sandbox)
    r = new_release(api, commit=seed.COMMITS[1])
    assert r.status_code == 400 and r.json().startswith("It is necessary that each application that owns a release1")
    assert new_release(api, commit=seed.COMMITS[1], status="failed").status_code == 201
    assert new_release(api, app=2, commit=seed.COMMITS[1]).status_code == 201


def test_release_deletion_guards(clean_sandbox):
    api = session(clean_sandbox)
    r = api.delete("/v7/release(5)")
    assert r.status_code == 400 and r.json() == ("Unable to delete release 2.1.0-beta.1 because it is the fleet's "
                                                 "target release.")
    assert api.patch("/v7/device(1)", {"is_pinned_on__release": 2}).status_code == 200
    r = api.delete("/v7/release(2)")
    assert r.status_code == 400 and r.json() == "Unable to delete a release because device(s) are pinned to it."
    assert api.delete("/v7/release(6)").status_code == 200
    assert api.d("/v7/release(6)") == []


def test_device_pin_rule_and_computed_should_be_running(clean_sandbox):
    api = session(clean_sandbox)
    for rid in (6, 8):
        r = api.patch("/v7/device(1)", {"is_pinned_on__release": rid})
        assert r.status_code == 400 and r.json() == PIN_RULE
    assert api.patch("/v7/device(1)", {"is_pinned_on__release": 7}).status_code == 200  # draft, success
    dev = api.d("/v7/device(1)?$select=is_pinned_on__release,should_be_running__release")[0]
    assert dev == {"is_pinned_on__release": {"__id": 7}, "should_be_running__release": {"__id": 7}}
    r = api.patch("/v7/device(1)", {"should_be_running__release": 4})
    assert r.status_code == 500  # computed in v7: ignored, and nothing else to update
    assert api.patch("/v7/device(1)", {"is_pinned_on__release": None}).status_code == 200
    assert api.d("/v7/device(1)?$select=should_be_running__release")[0]["should_be_running__release"] == {"__id": 5}


def test_moving_a_device_clears_its_pin_and_rebuilds_service_installs(clean_sandbox):
    api = session(clean_sandbox)
    api.patch("/v7/device(1)", {"is_pinned_on__release": 4})
    assert api.patch("/v7/device(1)", {"belongs_to__application": 2}).status_code == 200
    dev = api.d("/v7/device(1)?$select=is_pinned_on__release,should_be_running__release")[0]
    assert dev == {"is_pinned_on__release": None, "should_be_running__release": {"__id": 8}}
    sis = api.d("/v7/service_install?$filter=device eq 1&$expand=installs__service($select=id,service_name)")
    assert [s["installs__service"][0]["service_name"] for s in sis] == ["main"]
    assert api.d(f"/v7/service({sis[0]['installs__service'][0]['id']})?$select=application") == [
        {"application": {"__id": 2}}]
    r = api.patch("/v7/device(1)", {"belongs_to__application": 999})
    assert r.status_code == 404 and r.json() == "Application doesn't exist or you have no access to it."


def test_device_post_validation_and_generated_name(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/device", {"belongs_to__application": 1, "is_of__device_type": 1, "uuid": "ABC"})
    assert r.status_code == 400
    assert r.json() == "Device UUID must be a 32 or 62 character long lower case hex string."
    r = api.post("/v7/device", {"belongs_to__application": 1, "is_of__device_type": 1, "device_name": "a\nb"})
    assert r.status_code == 400 and r.json() == "Device name cannot contain any newline characters."
    r = api.post("/v7/device", {"belongs_to__application": 1, "is_of__device_type": 1, "device_name": 5})
    assert r.status_code == 400 and r.json() == "Device name must be a string if provided."
    r = api.post("/v7/device", {"belongs_to__application": 1, "is_of__device_type": 1})
    assert r.status_code == 201
    dev = r.json()
    assert re.fullmatch(r"[0-9a-f]{32}", dev["uuid"]) and re.fullmatch(r"[a-z]+-[a-z]+", dev["device_name"])
    # registration installs the services of the fleet's target release (release 5 holds main and worker)
    sis = api.d(f"/v7/service_install?$select=installs__service&$filter=device eq {dev['id']}&$orderby=id asc")
    assert sis == [{"installs__service": {"__id": 1}}, {"installs__service": {"__id": 2}}]
    assert api.delete(f"/v7/service_install?$filter=device eq {dev['id']} and installs__service eq 1").status_code == 200
    r = api.post("/v7/service_install", {"device": dev["id"], "installs__service": 1})  # users may create them
    assert r.status_code == 201


def test_device_service_variable_is_keyed_by_service_install(clean_sandbox):
    api = session(clean_sandbox)
    si = api.d("/v7/service_install?$select=id&$filter=device eq 1 and installs__service/any(s:s/service_name eq 'worker')")
    r = api.post("/v7/device_service_environment_variable", {"service_install": si[0]["id"], "name": "X", "value": "1"})
    assert r.status_code == 201 and set(r.json()) >= {"service_install", "name", "value"}
    assert "device" not in r.json()
    got = api.d("/v7/device_service_environment_variable?$filter=service_install/any(si:si/device eq 1)")
    assert len(got) == 1
    r = api.post("/v7/device_service_environment_variable", {"service_install": 9999, "name": "X", "value": "1"})
    assert r.status_code == 401


def test_fleet_delete_unpins_and_cascades(clean_sandbox):
    api = session(clean_sandbox)
    api.post("/v7/application_environment_variable", {"application": 1, "name": "A", "value": "1"})
    api.post("/v7/device_tag", {"device": 1, "tag_key": "k", "value": "v"})
    api.patch("/v7/device(2)", {"is_pinned_on__release": 3})
    assert api.delete("/v7/application(slug='acme/production')").status_code == 200
    for res in ("device", "release", "service", "application_environment_variable", "device_tag"):
        assert api.get(f"/v7/{res}/$count?$filter=id gt 0").json()["d"] == (
            {"device": 1, "release": 1, "service": 1}.get(res, 0)), res
    assert api.get("/v7/service_install/$count").json()["d"] == 1


def test_device_delete_cascades_to_its_variables_and_installs(clean_sandbox):
    api = session(clean_sandbox)
    api.post("/v7/device_environment_variable", {"device": 1, "name": "A", "value": "1"})
    assert api.delete(f"/v7/device(uuid='{seed.PRODUCTION_DEVICE_UUIDS[0]}')").status_code == 200
    assert api.d("/v7/device_environment_variable") == []
    assert api.d("/v7/service_install?$filter=device eq 1") == []


def test_fleet_membership_by_username_requires_org_membership(clean_sandbox):
    api = session(clean_sandbox)
    role = api.d("/v7/application_membership_role(name='operator')?$select=id")[0]["id"]
    r = api.post("/v7/user__is_member_of__application", {"username": "alice", "is_member_of__application": 1,
                                                          "application_membership_role": role})
    assert r.status_code == 201 and r.json()["user"] == {"__id": 2}
    r = api.post("/v7/user_application_membership", {"user": 2, "is_member_of__application": 1})
    assert r.status_code == 409 and "unique" in r.json()
    r = api.post("/v7/user__is_member_of__application", {"username": "carol", "is_member_of__application": 1})
    assert r.status_code == 400 and r.json() == (
        "It is necessary that each user (Auth) that is member of an application that has an organization, is member "
        "of the organization")
    r = api.post("/v7/user_application_membership", {"username": "bob", "is_member_of__application": 1})
    assert r.json()["application_membership_role"] == {"__id": 2}  # developer by default


def test_org_membership_cannot_be_posted_but_role_can_change(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/organization_membership", {"user": 4, "is_member_of__organization": 1,
                                                 "organization_membership_role": 2})
    assert r.status_code == 401 and r.content == b""
    admin_role = api.d("/v7/organization_membership_role(name='administrator')?$select=id")[0]["id"]
    r = api.patch("/v7/organization_membership(user=2,is_member_of__organization=1)",
                  {"organization_membership_role": admin_role})
    assert r.status_code == 200
    assert api.delete("/v7/organization_membership(user=3,is_member_of__organization=1)").status_code == 200
    assert len(api.d("/v7/organization_membership")) == 2


def test_invites_store_invitee_and_can_be_revoked(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/invitee__is_invited_to__organization", {"invitee": "carol", "is_invited_to__organization": 1,
                                                               "message": "hi"})
    assert r.status_code == 201 and r.json()["message"] == "hi"
    inv = api.d(f"/v7/organization_invite({r.json()['id']})?$expand=invitee($select=email)")[0]
    assert inv["invitee"] == [{"email": "carol@example.com"}]
    r2 = api.post("/v7/application_invite", {"invitee": "new@example.com", "is_invited_to__application": 1})
    assert r2.status_code == 201
    assert api.delete(f"/v7/organization_invite({r.json()['id']})").status_code == 200
    assert api.d("/v7/organization_invite") == []


def test_deleting_a_fleet_or_device_removes_its_api_keys(clean_sandbox):
    api = session(clean_sandbox)
    api.post("/api-key/application/2/provisioning", {"name": "p"})
    api.post("/api-key/device/1/device-key", {})
    before = len(api.d("/v7/api_key"))
    assert api.delete("/v7/application(2)").status_code == 200
    assert api.delete("/v7/device(1)").status_code == 200
    assert len(api.d("/v7/api_key")) == before - 2


def test_fleet_in_a_missing_or_foreign_organization_is_401(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/application", {"app_name": "ghost", "organization": 999, "is_for__device_type": 1})
    assert r.status_code == 401 and r.content == b""
    carol = clean_sandbox.tokens_for("carol")["session_token"]
    from .helpers import Api

    r = Api(clean_sandbox.url, carol).post("/v7/application", {"app_name": "intruder", "organization": 1,
                                                               "is_for__device_type": 1})
    assert r.status_code == 401
    assert api.get("/v7/application/$count").json() == {"d": 2}
