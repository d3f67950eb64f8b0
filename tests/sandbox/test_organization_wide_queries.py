"""Listing a child resource for a whole organization in one request, as the real API allows: navigation
paths and lambdas in ``$filter``, nested ``$expand`` with ``$select``/``$filter``/``$orderby``, paging with
``$top``/``$skip``, ordering with explicit directions and through navigations. What the sandbox does not
support answers 501 naming the feature.

The seed has two organizations the admin administers: ``acme`` (id 1: production, staging) and ``other``
(id 2: one fleet), with children of every kind in both; each query must return exactly acme's.
"""

from __future__ import annotations

import json

import pytest

from balena_pulumi.sandbox import seed

from .helpers import session


def two_org_seed() -> dict:
    doc = json.loads(json.dumps(seed.DEFAULT_SEED))
    doc["organizations"].append({"handle": "other", "name": "Other", "members": {"admin": "administrator",
                                                                                 "bob": "member"}})
    doc["fleets"][0].update(env={"P": "1"}, config={"BALENA_P": "1"}, tags={"p": "1"})
    doc["fleets"][1].update(env={"S": "1"}, tags={"s": "1"})
    doc["fleets"].append({
        "organization": "other", "app_name": "elsewhere", "device_type": "raspberrypi4-64", "services": ["main"],
        "releases": [{"commit": "d" * 40, "semver": "1.0.0", "status": "success",
                      "start_timestamp": "2024-05-01T00:00:00.000Z", "composition": {}}],
        "devices": [{"uuid": "a" * 32, "device_name": "elsewhere-1"}],
        "env": {"E": "1"}, "config": {"BALENA_E": "1"}, "tags": {"e": "1"}})
    return doc


@pytest.fixture(scope="module")
def orgs(sandbox):
    """-> {resource: ids that belong to acme}; children are created in both organizations."""
    sandbox.reset(two_org_seed())
    api = session(sandbox)
    fleets = {a["slug"]: a["id"] for a in api.d("/v7/application?$select=id,slug")}
    assert fleets == {"acme/production": 1, "acme/staging": 2, "other/elsewhere": 3}
    other_device = api.d(f"/v7/device(uuid='{'a' * 32}')?$select=id")[0]["id"]
    other_service = api.d("/v7/service?$select=id&$filter=application eq 3")[0]["id"]
    other_release = api.d("/v7/release?$select=id&$filter=belongs_to__application eq 3")[0]["id"]
    other_install = api.d(f"/v7/service_install?$select=id&$filter=device eq {other_device}")[0]["id"]
    acme: dict[str, set[int]] = {}

    def post(resource, body, in_acme):
        r = api.post(f"/v7/{resource}", body)
        assert r.status_code == 201, (resource, r.text)
        if in_acme:
            acme.setdefault(resource, set()).add(r.json()["id"])

    for dev, in_acme in ((1, True), (4, True), (other_device, False)):
        post("device_environment_variable", {"device": dev, "name": "V", "value": "1"}, in_acme)
        post("device_config_variable", {"device": dev, "name": "BALENA_V", "value": "1"}, in_acme)
        post("device_tag", {"device": dev, "tag_key": "k", "value": "v"}, in_acme)
    for svc, in_acme in ((1, True), (3, True), (other_service, False)):
        post("service_environment_variable", {"service": svc, "name": "V", "value": "1"}, in_acme)
    for si, in_acme in ((1, True), (7, True), (other_install, False)):
        post("device_service_environment_variable", {"service_install": si, "name": "V", "value": "1"}, in_acme)
    for rel, in_acme in ((1, True), (8, True), (other_release, False)):
        post("release_tag", {"release": rel, "tag_key": "k", "value": "v"}, in_acme)
    for app, in_acme in ((1, True), (2, True), (3, False)):
        post("build_environment_variable", {"application": app, "name": "B", "value": "1"}, in_acme)
        post("user__is_member_of__application", {"username": "bob", "is_member_of__application": app}, in_acme)
        post("invitee__is_invited_to__application", {"invitee": f"x{app}@example.com",
                                                      "is_invited_to__application": app}, in_acme)
    for org, in_acme in ((1, True), (2, False)):
        post("invitee__is_invited_to__organization", {"invitee": "y@example.com", "is_invited_to__organization": org},
             in_acme)
    for resource, key in (("application_environment_variable", "application"),
                          ("application_config_variable", "application"), ("application_tag", "application"),
                          ("device", "belongs_to__application"), ("release", "belongs_to__application"),
                          ("service", "application")):
        acme[resource] = {r["id"] for r in api.d(f"/v7/{resource}?$select=id&$filter={key} in (1, 2)")}
    acme["application"] = {1, 2}
    yield acme
    sandbox.reset("default")
    sandbox.clear_requests()


ORG_FILTERS = {
    "application": ["organization eq 1", "organization/any(o:o/handle eq 'acme')", "organization/handle eq 'acme'"],
    "application_environment_variable": ["application/organization eq 1", "application/any(a:a/organization eq 1)",
                                         "application/organization/handle eq 'acme'"],
    "application_config_variable": ["application/organization eq 1", "application/any(a:a/organization eq 1)"],
    "build_environment_variable": ["application/organization eq 1", "application/any(a:a/organization eq 1)"],
    "application_tag": ["application/organization eq 1", "application/any(a:a/organization/any(o:o/handle eq 'acme'))"],
    "device": ["belongs_to__application/organization eq 1", "belongs_to__application/any(a:a/organization eq 1)"],
    "device_environment_variable": ["device/belongs_to__application/organization eq 1",
                                    "device/any(d:d/belongs_to__application/any(a:a/organization eq 1))"],
    "device_config_variable": ["device/belongs_to__application/organization eq 1",
                               "device/any(d:d/belongs_to__application/organization eq 1)"],
    "device_tag": ["device/belongs_to__application/organization eq 1",
                   "device/any(d:d/belongs_to__application/any(a:a/organization eq 1))"],
    "service": ["application/organization eq 1"],
    "service_environment_variable": ["service/application/organization eq 1",
                                     "service/any(s:s/application/any(a:a/organization eq 1))"],
    "device_service_environment_variable": [
        "service_install/device/belongs_to__application/organization eq 1",
        "service_install/any(si:si/device/any(d:d/belongs_to__application/any(a:a/organization eq 1)))",
        "service_install/installs__service/application/organization eq 1"],
    "release": ["belongs_to__application/organization eq 1"],
    "release_tag": ["release/belongs_to__application/organization eq 1",
                    "release/any(r:r/belongs_to__application/any(a:a/organization eq 1))"],
    "user__is_member_of__application": ["is_member_of__application/organization eq 1",
                                        "application/organization eq 1",
                                        "is_member_of__application/any(a:a/organization eq 1)"],
    "invitee__is_invited_to__application": ["is_invited_to__application/organization eq 1",
                                            "is_invited_to__application/any(a:a/organization/handle eq 'acme')"],
    "invitee__is_invited_to__organization": ["is_invited_to__organization eq 1",
                                             "is_invited_to__organization/any(o:o/handle eq 'acme')"],
}
CASES = [(res, flt) for res, filters in ORG_FILTERS.items() for flt in filters]


@pytest.mark.parametrize(("resource", "flt"), CASES, ids=[f"{r}:{f}" for r, f in CASES])
def test_one_request_lists_a_whole_organization(sandbox, orgs, resource, flt):
    api = session(sandbox)
    rows = api.d(f"/v7/{resource}?$select=id&$filter={flt}")
    assert {r["id"] for r in rows} == orgs[resource]
    everything = api.get(f"/v7/{resource}/$count").json()["d"]
    assert everything > len(orgs[resource])  # the other organization's rows exist and were filtered out


def test_nested_expand_with_select_filter_and_orderby(sandbox, orgs):
    api = session(sandbox)
    fleets = api.d("/v7/application?$select=slug&$filter=organization/handle eq 'acme'&$orderby=slug asc"
                   "&$expand=application_tag($select=tag_key,value;$filter=value eq '1';$orderby=tag_key desc),"
                   "owns__device($select=uuid;$orderby=id asc;$expand=device_environment_variable("
                   "$select=name;$filter=startswith(name,'V')))")
    assert [f["slug"] for f in fleets] == ["acme/production", "acme/staging"]
    assert fleets[0]["application_tag"] == [{"tag_key": "p", "value": "1"}]
    assert [d["uuid"] for d in fleets[0]["owns__device"]] == seed.PRODUCTION_DEVICE_UUIDS
    assert fleets[0]["owns__device"][0]["device_environment_variable"] == [{"name": "V"}]
    assert fleets[0]["owns__device"][1]["device_environment_variable"] == []
    assert fleets[1]["owns__device"] == [{"uuid": seed.STAGING_DEVICE_UUID,
                                          "device_environment_variable": [{"name": "V"}]}]


def test_paging_with_top_skip_and_explicit_directions(sandbox, orgs):
    api = session(sandbox)
    base = "/v7/device_tag?$select=id&$filter=device/belongs_to__application/organization eq 1"
    asc = [r["id"] for r in api.d(base + "&$orderby=id asc")]
    desc = [r["id"] for r in api.d(base + "&$orderby=id desc")]
    assert asc == sorted(orgs["device_tag"]) and desc == asc[::-1]
    pages = [api.d(base + f"&$orderby=id asc&$top=1&$skip={n}") for n in range(len(asc) + 1)]
    assert [p[0]["id"] for p in pages[:-1]] == asc and pages[-1] == []


def test_ordering_through_a_navigation(sandbox, orgs):
    api = session(sandbox)
    rows = api.d("/v7/application_environment_variable?$select=name&$filter=application/organization eq 1"
                 "&$orderby=application/app_name desc,name asc&$expand=application($select=app_name)")
    assert [(r["application"][0]["app_name"], r["name"]) for r in rows] == [("staging", "S"), ("production", "P")]


@pytest.mark.parametrize(("query", "feature"), [
    ("$expand=application/organization", "$expand through a path (application/organization)"),
    ("$filter=indexof(name,'P') eq 0", "the OData function indexof()"),
    ("$count=true", "the $count query option"),
    ("$inlinecount=allpages", "the $inlinecount query option"),
])
def test_what_the_sandbox_does_not_support_is_501_naming_it(sandbox, query, feature):
    r = session(sandbox).get(f"/v7/application_environment_variable?{query}")
    assert (r.status_code, r.json()) == (501, f"balena sandbox does not implement {feature}")
