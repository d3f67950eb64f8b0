"""User API keys need a recent login: the real ``POST /api-key/user/full`` refuses a session token whose
user authenticated more than 20 minutes ago with 401 ``"Fresh authentication token required"``. The
control API mints session tokens of any age so tests can reach that branch."""

from __future__ import annotations

import base64
import datetime as dt
import json

import requests

from .helpers import Api, session

FRESH = "Fresh authentication token required"


def jwt_payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_a_session_older_than_20_minutes_cannot_create_a_user_key(clean_sandbox):
    stale = clean_sandbox.session_token_aged(1500)
    r = Api(clean_sandbox.url, stale["session_token"]).post("/api-key/user/full", {"name": "ci"})
    assert r.status_code == 401
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.content == b'"Fresh authentication token required"'
    assert session(clean_sandbox).d("/v7/api_key?$select=name") == [{"name": "sandbox admin key"}]  # none made


def test_a_stale_session_still_reads_and_writes_everything_else(clean_sandbox):
    api = Api(clean_sandbox.url, clean_sandbox.session_token_aged(3600)["session_token"])
    assert api.get("/user/v1/whoami").json()["username"] == "admin"
    assert api.post("/v7/application_tag", {"application": 1, "tag_key": "k", "value": "v"}).status_code == 201
    assert api.post("/api-key/application/1/provisioning", {"name": "p"}).status_code == 200


def test_freshness_is_checked_after_the_body_and_before_the_length_rules(clean_sandbox):
    api = Api(clean_sandbox.url, clean_sandbox.session_token_aged(1201)["session_token"])
    r = api.post("/api-key/user/full", {"name": ""})
    assert (r.status_code, r.content) == (400, b"")
    r = api.post("/api-key/user/full", {"name": "ci", "expiryDate": "not a date"})
    assert (r.status_code, r.json()) == (400, "Key expiry date should be a valid date")
    r = api.post("/api-key/user/full", {"name": "x" * 51})
    assert (r.status_code, r.json()) == (401, FRESH)
    r = api.post("/api-key/v1", {"actorType": "user", "actorTypeId": 1, "roles": ["named-user-api-key"],
                                 "name": "k"})
    assert (r.status_code, r.json()) == (401, FRESH)


def test_a_session_just_under_20_minutes_old_is_fresh(clean_sandbox):
    aged = clean_sandbox.session_token_aged(19 * 60)
    r = Api(clean_sandbox.url, aged["session_token"]).post("/api-key/user/full", {"name": "ci"})
    assert r.status_code == 200 and len(r.json()) == 32


def test_the_owner_session_counts_as_a_fresh_login_at_each_reset(clean_sandbox):
    r = session(clean_sandbox).post("/api-key/user/full", {"name": "ci"})
    assert r.status_code == 200


def test_control_api_mints_a_session_token_of_a_given_age(clean_sandbox):
    before = dt.datetime.now(dt.timezone.utc)
    r = requests.post(clean_sandbox.url + "/_sandbox/session-token", json={"age_seconds": 1500})
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"session_token", "user_id", "username", "auth_time", "age_seconds"}
    assert (body["user_id"], body["username"], body["age_seconds"]) == (1, "admin", 1500)
    auth_time = dt.datetime.fromisoformat(body["auth_time"].replace("Z", "+00:00"))
    assert dt.timedelta(seconds=1499) < before - auth_time < dt.timedelta(seconds=1510)
    claims = jwt_payload(body["session_token"])
    assert claims["authTime"] == int(auth_time.timestamp() * 1000) and claims["username"] == "admin"
    r = Api(clean_sandbox.url, body["session_token"]).post("/api-key/user/full", {"name": "ci"})
    assert (r.status_code, r.json()) == (401, FRESH)

    r = requests.post(clean_sandbox.url + "/_sandbox/session-token", json={"username": "carol"})
    assert r.status_code == 201 and r.json()["username"] == "carol" and r.json()["age_seconds"] == 0
    assert Api(clean_sandbox.url, r.json()["session_token"]).get("/user/v1/whoami").json()["username"] == "carol"


def test_control_api_session_token_rejects_bad_input(clean_sandbox):
    url = clean_sandbox.url + "/_sandbox/session-token"
    r = requests.post(url, json={"age_seconds": -1})
    assert (r.status_code, r.json()) == (400, {"error": "age_seconds must be a number >= 0"})
    r = requests.post(url, json={"age_seconds": "old"})
    assert (r.status_code, r.json()) == (400, {"error": "age_seconds must be a number >= 0"})
    r = requests.post(url, json={"username": "nobody"})
    assert (r.status_code, r.json()) == (404, {"error": "no user 'nobody'"})
    r = requests.post(url, json={"age": 5})
    assert (r.status_code, r.json()) == (400, {"error": "unknown field(s) ['age']; expected age_seconds, username"})
