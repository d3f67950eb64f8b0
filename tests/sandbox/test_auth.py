"""Credentials: session token vs API key differences, guests, expired keys, the custom key routes."""

import base64
import json

from .helpers import Api, apikey, guest, session


def test_session_token_is_jwt_shaped_and_api_key_is_opaque_32_chars(sandbox):
    parts = sandbox.session_token.split(".")
    assert len(parts) == 3
    assert json.loads(base64.urlsafe_b64decode(parts[0] + "==="))["alg"]
    assert len(sandbox.api_key) == 32 and "." not in sandbox.api_key


def test_whoami_shapes(sandbox):
    for api in (session(sandbox), apikey(sandbox)):
        assert api.get("/user/v1/whoami").json() == {"id": 1, "username": "admin", "email": "admin@acme.example"}
        assert api.get("/actor/v1/whoami").json() == {"id": 1, "actorType": "user", "actorTypeId": 1,
                                                      "username": "admin", "email": "admin@acme.example"}
    for path in ("/user/v1/whoami", "/actor/v1/whoami"):
        r = guest(sandbox).get(path)
        assert r.status_code == 401 and r.content == b""


def test_apikey_query_parameter_authenticates(sandbox):
    r = guest(sandbox).get(f"/user/v1/whoami?apikey={sandbox.api_key}")
    assert r.status_code == 200 and r.json()["username"] == "admin"


def test_guest_reads_device_types_and_public_fleets_only(clean_sandbox):
    g = guest(clean_sandbox)
    assert len(g.d("/v7/device_type")) == 6
    assert g.d("/v7/application") == []
    r = g.get("/v7/application_environment_variable")
    assert r.status_code == 401 and r.content == b""
    session(clean_sandbox).patch("/v7/application(2)", {"is_public": True})
    assert [a["id"] for a in g.d("/v7/application")] == [2]
    assert [r["id"] for r in g.d("/v7/release")] == [8]


def test_invalid_token_behaves_like_guest(sandbox):
    bad = Api(sandbox.url, "not-a-real-key-000000000000000000")
    assert bad.get("/v7/device_type").status_code == 200
    assert bad.get("/v7/device").status_code == 401
    forged_jwt = sandbox.session_token[:-4] + "AAAA"
    assert Api(sandbox.url, forged_jwt).get("/v7/device").status_code == 401


def test_user_full_key_route_needs_a_session_token(clean_sandbox):
    r = session(clean_sandbox).post("/api-key/user/full", {"name": "ci", "description": "d"})
    assert r.status_code == 200
    key = r.json()
    assert isinstance(key, str) and len(key) == 32
    assert Api(clean_sandbox.url, key).get("/user/v1/whoami").json()["username"] == "admin"
    r = apikey(clean_sandbox).post("/api-key/user/full", {"name": "ci"})
    assert r.status_code == 401 and r.content == b""
    r = session(clean_sandbox).post("/api-key/user/full", {"name": ""})
    assert r.status_code == 400 and r.content == b""
    r = session(clean_sandbox).post("/api-key/user/full", {"name": "x" * 51})
    assert r.status_code == 400 and r.json() == ("It is necessary that each api key that has a name, has a name that "
                                                 "has a Length (Type) that is less than or equal to 50.")
    r = session(clean_sandbox).post("/api-key/user/full", {"name": "x", "expiryDate": "soon"})
    assert r.status_code == 400 and r.json() == "Key expiry date should be a valid date"


def test_expired_api_key_acts_as_guest(clean_sandbox):
    key = session(clean_sandbox).post("/api-key/user/full", {"name": "old",
                                                             "expiryDate": "2000-01-01T00:00:00.000Z"}).json()
    assert Api(clean_sandbox.url, key).get("/user/v1/whoami").status_code == 401


def test_provisioning_key_route(clean_sandbox):
    r = apikey(clean_sandbox).post("/api-key/application/1/provisioning", {"name": "prov"})
    assert r.status_code == 200 and isinstance(r.json(), str)
    r = session(clean_sandbox).post("/api-key/application/abc/provisioning", {})
    assert r.status_code == 400 and r.text == "Application id must be a number"
    who = Api(clean_sandbox.url, apikey(clean_sandbox).post("/api-key/application/1/provisioning", {}).json())
    assert who.get("/actor/v1/whoami").json()["actorType"] == "application"


def test_api_key_resource_post_is_401_and_patch_delete_need_a_session(clean_sandbox):
    s, k = session(clean_sandbox), apikey(clean_sandbox)
    assert s.post("/v7/api_key", {"name": "x"}).status_code == 401
    key_id = s.d("/v7/api_key?$select=id&$orderby=id asc")[0]["id"]
    r = k.patch(f"/v7/api_key({key_id})", {"name": "renamed"})
    assert r.status_code == 401 and r.content == b""
    assert k.delete(f"/v7/api_key({key_id})").status_code == 401
    assert k.delete("/v7/api_key(99999)").status_code == 401  # no permission at all, not "nothing matched"
    assert s.patch(f"/v7/api_key({key_id})", {"name": "renamed"}).status_code == 200
    r = s.patch(f"/v7/api_key({key_id})", {"description": "d" * 151})
    assert r.status_code == 400 and r.json() == ("It is necessary that each api key that has a description, has a "
                                                 "description that has a Length (Type) that is less than or equal to "
                                                 "150.")


def test_public_keys_are_own_only(clean_sandbox):
    s = session(clean_sandbox)
    r = s.post("/v7/user__has__public_key", {"user": 2, "public_key": "ssh-rsa X", "title": "t"})
    assert r.status_code == 401
    r = s.post("/v7/user__has__public_key", {"user": 1, "public_key": "not-a-key", "title": "t"})
    assert r.status_code == 201
    assert s.patch(f"/v7/user__has__public_key({r.json()['id']})", {"title": "new"}).status_code == 200
    r = s.post("/v7/user__has__public_key", {"user": 1, "public_key": "k2", "title": "t" * 121})
    assert r.status_code == 400


def test_outsider_sees_nothing_of_the_org(clean_sandbox):
    carol = Api(clean_sandbox.url, clean_sandbox.tokens_for("carol")["session_token"])
    assert carol.d("/v7/application") == []
    assert carol.d("/v7/device") == []
    r = carol.post("/v7/application_environment_variable", {"application": 1, "name": "A", "value": "1"})
    assert r.status_code == 401
    assert carol.patch("/v7/application(1)", {"is_archived": True}).status_code == 200  # matched nothing
    assert session(clean_sandbox).d("/v7/application(1)?$select=is_archived") == [{"is_archived": False}]
    r = carol.post("/v7/organization", {"name": "Carol Co", "handle": "carol_co"})
    assert r.status_code == 201


def test_org_member_who_is_not_admin_cannot_edit_the_org(clean_sandbox):
    alice = Api(clean_sandbox.url, clean_sandbox.tokens_for("alice")["api_key"])
    assert alice.d("/v7/organization?$select=handle") == [{"handle": "acme"}]
    assert alice.patch("/v7/organization(1)", {"name": "Hacked"}).status_code == 200  # no match for writes
    assert session(clean_sandbox).d("/v7/organization(1)?$select=name") == [{"name": "Acme Corp"}]


def test_org_members_reach_only_fleets_they_are_members_of_and_observers_only_read(clean_sandbox):
    admin = session(clean_sandbox)
    alice = Api(clean_sandbox.url, clean_sandbox.tokens_for("alice")["api_key"])
    var = {"application": 1, "name": "A", "value": "1"}
    assert alice.d("/v7/application") == []
    assert alice.post("/v7/application_environment_variable", var).status_code == 401
    admin.post("/v7/user__is_member_of__application", {"username": "alice", "is_member_of__application": 1,
                                                        "application_membership_role": 1})  # observer
    assert [a["id"] for a in alice.d("/v7/application")] == [1]
    assert alice.d("/v7/application?$select=id&$filter=is_directly_accessible_by__user/any(dau:true)") == [{"id": 1}]
    assert alice.post("/v7/application_environment_variable", var).status_code == 401
    admin.patch("/v7/user__is_member_of__application(user=2,is_member_of__application=1)",
                {"application_membership_role": 2})  # developer
    assert alice.post("/v7/application_environment_variable", var).status_code == 201


def test_provisioning_route_parses_the_id_like_parseint_and_checks_metadata(clean_sandbox):
    s = session(clean_sandbox)
    assert s.post("/api-key/application/1abc/provisioning", {}).status_code == 200
    r = s.post("/api-key/application/1/provisioning", {"description": 5})
    assert r.status_code == 400 and r.json() == "Key description should be a string value"
    assert s.post("/api-key/application/999/provisioning", {}).status_code == 403
    assert guest(clean_sandbox).post("/api-key/application/1/provisioning", {}).status_code == 401


def test_device_key_route_and_device_whoami(clean_sandbox):
    r = session(clean_sandbox).post("/api-key/device/1/device-key", {"apiKey": "chosen-device-key"})
    assert r.status_code == 200 and r.json() == "chosen-device-key"
    who = Api(clean_sandbox.url, "chosen-device-key").get("/actor/v1/whoami").json()
    assert who["actorType"] == "device" and who["actorTypeId"] == 1 and len(who["uuid"]) == 32
    r = session(clean_sandbox).post("/api-key/device/x/device-key", {})
    assert r.status_code == 400 and r.text == "Device id must be a number"


def test_generic_key_routes_v1_and_v2(clean_sandbox):
    s = session(clean_sandbox)
    r = s.post("/api-key/v1", {"actorType": "application", "actorTypeId": 1, "roles": ["provisioning-api-key"]})
    assert r.status_code == 200 and isinstance(r.json(), str)
    r = s.post("/api-key/v1", {"actorType": "application", "actorTypeId": 1, "roles": ["a", "b"]})
    assert r.status_code == 400 and r.json() == "API Keys currently only support a single role"
    r = s.post("/api-key/v1", {"actorType": "user", "actorTypeId": 1, "roles": ["named-user-api-key"]})
    assert r.status_code == 400 and r.json() == "API keys with the 'named-user-api-key' role require a name"
    r = s.post("/api-key/v1", {"actorType": "robot", "actorTypeId": 1, "roles": ["x"]})
    assert r.status_code == 400 and r.content == b""
    r = s.post("/api-key/v2", {"actorType": "user", "actorTypeId": 1, "roles": ["named-user-api-key"], "name": "n"})
    assert r.status_code == 400 and r.json() == "Key expiry date should be a valid date"
    r = s.post("/api-key/v2", {"actorType": "user", "actorTypeId": 1, "roles": ["named-user-api-key"], "name": "n",
                               "expiryDate": None})
    assert r.status_code == 200
    r = apikey(clean_sandbox).post("/api-key/v2", {"actorType": "user", "actorTypeId": 1,
                                                   "roles": ["named-user-api-key"], "name": "n", "expiryDate": None})
    assert r.status_code == 401


def test_guest_cannot_read_roles_users_or_invitees(sandbox):
    for res in ("organization_membership_role", "user", "invitee", "organization"):
        r = guest(sandbox).get(f"/v7/{res}")
        assert r.status_code == 401 and r.content == b"", res


def test_org_administrator_can_revoke_a_fleet_provisioning_key_but_a_member_cannot(clean_sandbox):
    s = session(clean_sandbox)
    s.post("/api-key/application/1/provisioning", {"name": "factory"})
    actor = s.d("/v7/application(1)?$select=actor")[0]["actor"]["__id"]
    key_id = s.d(f"/v7/api_key?$filter=is_of__actor eq {actor}&$select=id")[0]["id"]
    alice = Api(clean_sandbox.url, clean_sandbox.tokens_for("alice")["session_token"])
    assert alice.d(f"/v7/api_key?$filter=is_of__actor eq {actor}&$select=id") == []  # not a fleet member
    assert alice.delete(f"/v7/api_key({key_id})").status_code == 200  # matches nothing she may delete
    assert s.d(f"/v7/api_key({key_id})?$select=id") == [{"id": key_id}]
    assert s.delete(f"/v7/api_key({key_id})").status_code == 200
    assert s.d(f"/v7/api_key({key_id})") == []
