"""``models.api_key`` with a session token and with an API key login (reference 4.2, 5.12, 8.4).

``api_key.create`` POSTs ``/api-key/user/full`` and returns the body with quotes stripped **without checking
the status**. With a session token that is the new key. With an API-key login the server answers 401 with an
empty body, so the SDK returns ``""``; a 400 with a message (bad expiry date, over-long name) comes back as
if the message were the key. Callers must validate what they get.
"""

from __future__ import annotations

import re

import pytest

from .conftest import api_error


def test_create_with_a_session_token_returns_a_working_key(sdk, make_sdk, requests_log):
    key = sdk.models.api_key.create("ci", "for CI", "2099-01-01T00:00:00.000Z")
    assert requests_log() == [("POST", "/api-key/user/full")]
    assert re.fullmatch(r"[A-Za-z0-9]{32}", key)
    assert make_sdk(key).auth.whoami()["username"] == "admin"
    named = {k["name"]: k for k in sdk.models.api_key.get_all_named_user_api_keys()}
    assert named["ci"]["description"] == "for CI" and named["ci"]["expiry_date"] == "2099-01-01T00:00:00.000Z"
    assert "key" not in named["ci"]  # the secret is never readable back


def test_create_with_an_api_key_login_returns_an_empty_string(key_sdk, clean_sandbox):
    before = len(key_sdk.models.api_key.get_all())
    clean_sandbox.clear_requests()
    assert key_sdk.models.api_key.create("nope") == ""
    assert [(r["path"], r["status"]) for r in clean_sandbox.requests()] == [("/api-key/user/full", 401)]
    assert len(key_sdk.models.api_key.get_all()) == before


def test_create_returns_a_400_message_as_if_it_were_the_key(sdk):
    assert sdk.models.api_key.create("x", None, "not-a-date") == "Key expiry date should be a valid date"
    assert sdk.models.api_key.create("n" * 51) == ("It is necessary that each api key that has a name, has a name that "
                                                   "has a Length (Type) that is less than or equal to 50.")
    assert sdk.models.api_key.create("") == ""  # zod: 400 with an empty body


def test_update_and_revoke_work_with_a_session_token(sdk):
    sdk.models.api_key.create("temp", "d")
    key_id = next(k["id"] for k in sdk.models.api_key.get_all() if k["name"] == "temp")
    sdk.models.api_key.update(key_id, {"name": "renamed"})
    got = next(k for k in sdk.models.api_key.get_all() if k["id"] == key_id)
    assert (got["name"], got["description"]) == ("renamed", None)  # update always sends description (here null)
    sdk.models.api_key.revoke(key_id)
    assert all(k["id"] != key_id for k in sdk.models.api_key.get_all())


@pytest.mark.parametrize("call", ["update", "revoke"])
def test_update_and_revoke_with_an_api_key_login_are_401_with_an_empty_body(key_sdk, call):
    from balena import exceptions

    key_id = key_sdk.models.api_key.get_all()[0]["id"]
    with pytest.raises(exceptions.RequestError) as info:
        if call == "update":
            key_sdk.models.api_key.update(key_id, {"name": "x"})
        else:
            key_sdk.models.api_key.revoke(key_id)
    assert api_error(info.value) == (401, "")


def test_an_api_key_login_can_still_manage_fleet_resources(key_sdk):
    key_sdk.models.application.env_var.set("acme/production", "FROM_KEY", "1")
    assert key_sdk.models.application.env_var.get("acme/production", "FROM_KEY") == "1"
    assert key_sdk.auth.whoami()["actorType"] == "user"
