"""Input the real API cannot store: NUL characters (PostgreSQL text columns refuse them; pine answers the
database error with a 500 and an empty body, after the hooks have run) and the base model's length rules.
Nothing is stored when a write is refused."""

from __future__ import annotations

import pytest

from .helpers import session

NUL = "a\x00b"

# (resource, body with a NUL in a column pine stores as-is): no hook looks at these values first
REFUSED_BY_THE_DATABASE = [
    ("application_environment_variable", {"application": 1, "name": "A", "value": NUL}),
    ("device_config_variable", {"device": 1, "name": "BALENA_X", "value": NUL}),
    ("device_service_environment_variable", {"service_install": 1, "name": "X", "value": NUL}),
    ("application_tag", {"application": 1, "tag_key": NUL, "value": "v"}),
    ("device_tag", {"device": 1, "tag_key": "k", "value": NUL}),
    ("release_tag", {"release": 1, "tag_key": "k", "value": NUL}),
    ("device", {"belongs_to__application": 1, "is_of__device_type": 1, "device_name": NUL}),
    ("user__has__public_key", {"user": 1, "title": NUL, "public_key": "ssh-ed25519 AAAA"}),
    ("organization", {"name": NUL, "handle": "nulorg"}),
    ("release", {"belongs_to__application": 1, "commit": "c" * 40, "composition": {"k": NUL}, "status": "success",
                 "source": "cloud", "start_timestamp": "2025-01-01T00:00:00.000Z"}),
]


@pytest.mark.parametrize(("resource", "body"), REFUSED_BY_THE_DATABASE, ids=[r for r, _ in REFUSED_BY_THE_DATABASE])
def test_a_nul_character_is_a_500_with_an_empty_body_and_nothing_is_stored(clean_sandbox, resource, body):
    api = session(clean_sandbox)
    before = api.get(f"/v7/{resource}/$count").json()["d"]
    r = api.post(f"/v7/{resource}", body)
    assert (r.status_code, r.content) == (500, b"")
    assert api.get(f"/v7/{resource}/$count").json()["d"] == before


def test_a_nul_character_in_a_patch_is_refused_and_the_value_kept(clean_sandbox):
    api = session(clean_sandbox)
    var = api.post("/v7/application_environment_variable", {"application": 1, "name": "A", "value": "ok"}).json()
    r = api.patch(f"/v7/application_environment_variable({var['id']})", {"value": NUL})
    assert (r.status_code, r.content) == (500, b"")
    assert api.d(f"/v7/application_environment_variable({var['id']})?$select=value") == [{"value": "ok"}]
    r = api.patch("/v7/application(1)", {"app_name": "prod\x00x"})
    assert r.status_code == 400 and r.json() == "App name may only contain [a-zA-Z0-9_-]."


def test_hooks_that_check_a_name_answer_before_the_database_does(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/v7/application_environment_variable", {"application": 1, "name": "A\x00B", "value": "1"})
    assert r.status_code == 400
    assert r.json() == "Environment variable names can only contain alphanumeric characters and underscores."
    r = api.post("/v7/application_config_variable", {"application": 1, "name": "BALENA_\x00", "value": "1"})
    assert r.status_code == 400
    assert r.json() == "Configuration variable names can only contain alphanumeric characters, underscores or a colon"
    r = api.post("/v7/device_tag", {"device": 1, "tag_key": "k", "value": "a\nb\x00"})
    assert (r.status_code, r.content) == (500, b"")  # tag values may hold line breaks; the NUL is the problem
    r = api.post("/v7/application", {"app_name": "a\x00bcd", "organization": 1, "is_for__device_type": 1})
    assert r.status_code == 400 and r.json() == "App name may only contain [a-zA-Z0-9_-]."


def test_a_nul_character_in_a_url_literal_is_a_500(clean_sandbox):
    api = session(clean_sandbox)
    for path in ("/v7/application_environment_variable?$filter=name eq 'A%00'",
                 "/v7/application(slug='acme%00')",
                 "/v7/device_tag?$filter=tag_key eq 'k%00' and device eq 1"):
        r = api.get(path)
        assert (r.status_code, r.content) == (500, b""), path
    r = api.delete("/v7/application_tag?$filter=tag_key eq '%00'")
    assert (r.status_code, r.content) == (500, b"")


def test_api_key_routes_refuse_a_nul_in_the_name(clean_sandbox):
    api = session(clean_sandbox)
    r = api.post("/api-key/user/full", {"name": "ci\x00"})
    assert (r.status_code, r.content) == (500, b"")
    r = api.post("/api-key/application/1/provisioning", {"name": "p", "description": "d\x00"})
    assert (r.status_code, r.content) == (500, b"")
    assert [k["name"] for k in api.d("/v7/api_key?$select=name")] == ["sandbox admin key"]


# ---------------------------------------------------------------------------------------------------------
# length rules of the base model and the field-size hooks


def rule(text: str) -> str:
    return f"It is necessary that each {text}."


LENGTHS = [
    ("release", {"belongs_to__application": 1, "commit": "c" * 41, "composition": {}, "status": "success",
                 "source": "cloud", "start_timestamp": "2025-01-01T00:00:00.000Z"},
     rule("release has a commit that has a Length (Type) that is less than or equal to 40")),
    ("release", {"belongs_to__application": 1, "commit": "c" * 40, "composition": {}, "status": "running",
                 "source": "cloud", "start_timestamp": "2025-01-01T00:00:00.000Z", "known_issue_list": "k" * 1001},
     rule("release that has a known issue list, has a known issue list that has a Length (Type) that is less "
          "than or equal to 1000")),
    ("release", {"belongs_to__application": 1, "commit": "c" * 40, "composition": {}, "status": "running",
                 "source": "cloud", "start_timestamp": "2025-01-01T00:00:00.000Z", "release_version": "v" * 82},
     rule("release that has a release version, has a release version that has a Length (Type) that is less than "
          "or equal to 81")),
    ("release", {"belongs_to__application": 1, "commit": "c" * 40, "composition": {}, "status": "running",
                 "source": "cloud", "start_timestamp": "2025-01-01T00:00:00.000Z", "semver": "1.0.0-" + "p" * 101},
     rule("release has a semver prerelease that has a Length (Type) that is less than or equal to 100")),
    ("release", {"belongs_to__application": 1, "commit": "c" * 40, "composition": {}, "status": "running",
                 "source": "cloud", "start_timestamp": "2025-01-01T00:00:00.000Z", "invalidation_reason": "why"},
     "It is necessary that each release that has an invalidation reason, is invalidated."),
    ("organization", {"name": "n" * 101, "handle": "longname"},
     rule("organization has a name that has a Length (Type) that is less than or equal to 100")),
    ("organization", {"name": "", "handle": "emptyname"},
     rule("name (Auth) of an organization, has a Length (Type) that is greater than 0 and is less than or equal "
          "to 220")),
    ("organization", {"name": "Org", "handle": "h" * 101},
     rule("organization has a handle that has a Length (Type) that is less than or equal to 100")),
    ("user__has__public_key", {"user": 1, "title": "t" * 121, "public_key": "ssh-ed25519 AAAA"},
     rule("user public key has a title that has a Length (Type) that is less than or equal to 120")),
    ("user__has__public_key", {"user": 1, "title": "t", "public_key": "k" * 2851},
     rule("user public key has a public key that has a Length (Type) that is less than or equal to 2850")),
    ("service", {"application": 1, "service_name": "s" * 64},
     rule("service has a service name that has a Length (Type) that is greater than 0 and is less than or equal "
          "to 63")),
    ("device", {"belongs_to__application": 1, "is_of__device_type": 1, "os_version": "v" * 71},
     rule("device that has an os version, has an os version that has a Length (Type) that is less than or equal "
          "to 70")),
    ("device", {"belongs_to__application": 1, "is_of__device_type": 1, "supervisor_version": "v" * 21},
     rule("device that has a supervisor version, has a supervisor version that has a Length (Type) that is less "
          "than or equal to 20")),
    ("image", {"is_a_build_of__service": 1, "start_timestamp": "2025-01-01T00:00:00.000Z", "status": "running",
               "content_hash": "h" * 72},
     rule("image that has a content hash, has a content hash that has a Length (Type) that is less than or equal "
          "to 71")),
]


@pytest.mark.parametrize(("resource", "body", "message"), LENGTHS,
                         ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(LENGTHS)])
def test_length_rules_answer_400_with_the_rule_and_store_nothing(clean_sandbox, resource, body, message):
    api = session(clean_sandbox)
    before = api.get(f"/v7/{resource}/$count").json()["d"]
    r = api.post(f"/v7/{resource}", body)
    assert (r.status_code, r.json()) == (400, message)
    assert api.get(f"/v7/{resource}/$count").json()["d"] == before


def test_length_rules_hold_on_patch_too(clean_sandbox):
    api = session(clean_sandbox)
    r = api.patch("/v7/release(1)", {"known_issue_list": "k" * 1001})
    assert r.status_code == 400
    assert r.json() == rule("release that has a known issue list, has a known issue list that has a Length (Type) "
                            "that is less than or equal to 1000")
    r = api.patch("/v7/release(1)", {"note": "n" * 600_000})  # the 1 MB rules sit behind the 512 kB body limit
    assert (r.status_code, r.content, r.headers["Connection"]) == (413, b"", "close")
    r = api.patch("/v7/device(1)", {"status": "s" * 51})
    assert r.status_code == 400
    assert r.json() == rule("device that has a status, has a status that has a Length (Type) that is less than or "
                            "equal to 50")
    assert api.patch("/v7/release(1)", {"is_invalidated": True, "invalidation_reason": "broken"}).status_code == 200
    r = api.patch("/v7/release(1)", {"is_invalidated": False})
    assert r.status_code == 400 and r.json() == "It is necessary that each release that has an invalidation reason, is invalidated."
