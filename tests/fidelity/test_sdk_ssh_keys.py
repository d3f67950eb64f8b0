"""SSH keys through ``models.key`` (reference 5.13, 8.5)."""

from __future__ import annotations

import pytest
from balena import exceptions

from .conftest import raises_api_error

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFidelity test@sandbox"


def test_create_uses_whoami_then_posts_the_stripped_key(sdk, requests_log):
    created = sdk.models.key.create("laptop", f"  {KEY} \n")
    assert requests_log() == [("GET", "/actor/v1/whoami"), ("POST", "/v7/user__has__public_key")]
    assert created["public_key"] == KEY and created["title"] == "laptop" and created["user"] == {"__id": 1}


def test_get_get_all_and_remove(sdk):
    created = sdk.models.key.create("laptop", KEY)
    assert sdk.models.key.get(created["id"]) == created
    assert [k["id"] for k in sdk.models.key.get_all()] == [created["id"]]
    sdk.models.key.remove(created["id"])
    with pytest.raises(exceptions.KeyNotFound):
        sdk.models.key.get(created["id"])  # 200 {"d": []}
    sdk.models.key.remove(created["id"])  # DELETE of a missing id: still 200


def test_adding_the_same_key_twice_is_409_unique(sdk):
    sdk.models.key.create("laptop", KEY)
    raises_api_error(lambda: sdk.models.key.create("other title", KEY + "\n"), 409,
                     '"user" and "public_key" must be unique.')


def test_the_key_text_is_not_validated_by_the_server(sdk):
    assert sdk.models.key.create("junk", "not-a-key")["public_key"] == "not-a-key"


def test_each_user_sees_only_their_own_keys(sdk, make_sdk, clean_sandbox):
    sdk.models.key.create("admin's", KEY)
    carol = make_sdk(clean_sandbox.tokens_for("carol")["session_token"])
    assert carol.models.key.get_all() == []
    mine = carol.models.key.create("carol's", KEY)  # the same text for another user is fine
    assert mine["user"] == {"__id": 4}
    assert [k["title"] for k in sdk.models.key.get_all()] == ["admin's"]
