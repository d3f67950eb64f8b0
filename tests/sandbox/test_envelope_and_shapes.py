"""Wire shapes a client relies on: envelope, FKs, expands, counts, statuses of odd requests."""

import re

from balena_pulumi.sandbox import seed

from .helpers import apikey, guest, session


def test_list_is_wrapped_in_d_with_fks_as_id_objects(sandbox):
    r = session(sandbox).get("/v7/application?$filter=slug eq 'acme/production'")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["Content-Type"].startswith("application/json")
    app = r.json()["d"][0]
    assert app["organization"] == {"__id": 1}
    assert app["should_be_running__release"] == {"__id": 5}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", app["created_at"])
    assert app["uuid"] == seed.PRODUCTION_UUID


def test_to_one_expand_is_a_one_element_array(sandbox):
    app = session(sandbox).d("/v7/application(1)?$select=id&$expand=organization($select=handle)")[0]
    assert app == {"id": 1, "organization": [{"handle": "acme"}]}


def test_null_fk_is_null_and_empty_to_one_expand_is_empty_array(sandbox):
    dev = session(sandbox).d("/v7/device(1)?$select=is_pinned_on__release&$expand=is_pinned_on__release")[0]
    assert dev["is_pinned_on__release"] == []
    dev = session(sandbox).d("/v7/device(1)?$select=is_pinned_on__release")[0]
    assert dev["is_pinned_on__release"] is None


def test_expand_count_is_an_integer_and_path_count_is_d_number(sandbox):
    api = session(sandbox)
    app = api.d("/v7/application(1)?$select=id&$expand=owns__device/$count")[0]
    assert app["owns__device"] == 3
    assert api.get("/v7/device/$count?$filter=belongs_to__application eq 1").json() == {"d": 3}
    app = api.d("/v7/application(1)?$select=id&$expand=owns__release/$count($filter=status eq 'failed')")[0]
    assert app["owns__release"] == 1


def test_get_of_missing_id_is_200_with_empty_d(sandbox):
    r = session(sandbox).get("/v7/application(999999)")
    assert r.status_code == 200 and r.json() == {"d": []}


def test_unknown_resource_is_401_empty_and_unknown_path_is_404_empty(sandbox):
    r = session(sandbox).get("/v7/my_application")
    assert r.status_code == 401 and r.content == b""
    r = session(sandbox).get("/nothing/here")
    assert r.status_code == 404 and r.content == b""


def test_unknown_field_in_select_or_filter_is_500_empty(sandbox):
    for q in ("$select=nope", "$filter=nope eq 1", "$orderby=nope asc"):
        r = session(sandbox).get("/v7/application?" + q)
        assert r.status_code == 500 and r.content == b"", q


def test_unsupported_but_real_function_is_501_naming_it(sandbox):
    r = session(sandbox).get("/v7/application?$filter=year(created_at) eq 2024")
    assert r.status_code == 501
    assert "year()" in r.json()


def test_garbage_filter_is_400_malformed_url(sandbox):
    r = session(sandbox).get("/v7/application?$filter=slug eq")
    assert r.status_code == 400 and r.json().startswith("Malformed url: ")


def test_decimal_compared_with_integer_field_is_500(sandbox):
    r = session(sandbox).get("/v7/application?$filter=id gt 1.5")
    assert r.status_code == 500 and r.content == b""


def test_synonyms_reach_the_same_resource(sandbox):
    api = session(sandbox)
    assert api.d("/v7/service_install?$select=id") == api.d("/v7/device__installs__service?$select=id")
    assert api.d("/v7/service?$select=id") == api.d("/v7/application__has__service_name?$select=id")
    assert api.get("/v7/user_application_membership").status_code == 200
    assert api.get("/v7/user__is_member_of__application").status_code == 200
    assert api.get("/v7/organization_invite").status_code == 200
    assert api.get("/v7/invitee__is_invited_to__organization").status_code == 200
    assert api.get("/v7/user_public_key").status_code == 200
    assert api.get("/v7/device__installs__application__has__service_name__has__name").status_code == 200


def test_alternate_keys_from_the_reference_work(sandbox):
    api = session(sandbox)
    assert api.d("/v7/application(slug='acme/production')?$select=id") == [{"id": 1}]
    assert api.d("/v7/application(slug='acme%2Fproduction')?$select=id") == [{"id": 1}]
    assert api.d(f"/v7/application(uuid='{seed.PRODUCTION_UUID}')?$select=id") == [{"id": 1}]
    assert api.d(f"/v7/device(uuid='{seed.PRODUCTION_DEVICE_UUIDS[0]}')?$select=id") == [{"id": 1}]
    assert api.d("/v7/organization(handle='acme')?$select=id") == [{"id": 1}]
    assert api.d("/v7/user(username='bob')?$select=id") == [{"id": 3}]
    assert api.d("/v7/device_type(slug='raspberrypi4-64')?$select=id") == [{"id": 1}]
    assert api.d("/v7/service(application=1,service_name='main')?$select=id") == [{"id": 1}]
    assert api.d("/v7/application_membership_role(name='developer')?$select=name") == [{"name": "developer"}]
    assert api.d("/v7/organization(@id)?@id=1&$select=handle") == [{"handle": "acme"}]


def test_non_unique_alternate_key_is_500_empty(sandbox):
    r = session(sandbox).get("/v7/application(app_name='production')")
    assert r.status_code == 500 and r.content == b""
    r = session(sandbox).get("/v7/release(commit='x')")
    assert r.status_code == 500


def test_release_exposes_computed_version_fields(sandbox):
    rels = session(sandbox).d("/v7/release?$filter=belongs_to__application eq 1&$orderby=id asc"
                              "&$select=id,raw_version,semver,revision,is_final,version,commit,status")
    assert [r["raw_version"] for r in rels[:6]] == ["1.0.0", "1.1.0", "1.1.0+rev1", "2.0.0", "2.1.0-beta.1", "2.1.0"]
    assert rels[2]["revision"] == 1 and rels[2]["semver"] == "1.1.0"
    assert rels[2]["version"]["raw"] == "1.1.0+rev1"
    assert rels[6]["is_final"] is False and rels[6]["revision"] is None
    assert re.fullmatch(r"2\.2\.0-\d{13}", rels[6]["raw_version"])
    assert rels[0]["commit"] == seed.COMMITS[1]
    assert rels[5]["status"] == "failed"


def test_device_should_be_running_release_is_the_fleet_target(sandbox):
    devs = session(sandbox).d("/v7/device?$select=uuid,should_be_running__release&$orderby=id asc")
    assert devs[0]["should_be_running__release"] == {"__id": 5}
    assert devs[3]["uuid"] == seed.STAGING_DEVICE_UUID
    assert devs[3]["should_be_running__release"] == {"__id": 8}


def test_api_key_resource_never_shows_the_key(sandbox):
    keys = apikey(sandbox).d("/v7/api_key")
    assert keys and all("key" not in k for k in keys)


def test_config_vars_lists_the_name_rules_without_auth(sandbox):
    body = guest(sandbox).get("/config/vars").json()
    assert body["invalidRegex"] == "/^\\d|\\W/"
    assert "BALENA_" in body["reservedNamespaces"]


def test_real_resources_the_sandbox_does_not_model_are_501_naming_them(sandbox):
    r = session(sandbox).get("/v7/image_install?$select=id")
    assert r.status_code == 501 and r.json() == "balena sandbox does not implement the v7 resource 'image_install'"


def test_put_batch_and_metadata_are_501(sandbox):
    api = session(sandbox)
    assert api.s.put(sandbox.url + "/v7/application(1)", json={"app_name": "x"}).status_code == 501
    assert api.get("/v7/$metadata").status_code == 501
    assert api.post("/v7/$batch", {}).status_code == 501
    assert api.get("/v7/application(1)/owns__device").status_code == 501


def test_hostile_alternate_key_values_do_not_alter_the_query(sandbox):
    api = session(sandbox)
    assert api.d("/v7/application(slug='x'' or 1 eq 1 or slug eq ''y')") == []
    assert api.d("/v7/user(username='%27%27;DROP TABLE user;--')") == []
    assert api.d("/v7/user(username='bob')?$select=username") == [{"username": "bob"}]


def test_to_one_read_aliases_work_as_fks_in_select_filter_and_orderby(sandbox):
    api = session(sandbox)
    assert api.d("/v7/service_install(1)?$select=service") == [{"service": {"__id": 1}}]
    assert [s["id"] for s in api.d("/v7/service_install?$select=id&$filter=service eq 2")] == [2, 4, 6]
    assert api.d("/v7/service_install(1)?$select=id&$expand=service($select=service_name)") == [
        {"id": 1, "service": [{"service_name": "main"}]}]
    m = api.d("/v7/organization_membership?$select=organization,includes__user&$filter=includes__user eq 2")
    assert m == [{"organization": {"__id": 1}, "includes__user": {"__id": 2}}]
    assert api.d("/v7/organization_membership?$select=id&$orderby=includes__user desc&$top=1") == [{"id": 3}]
