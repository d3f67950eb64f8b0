"""ApiKey on the real engine: a secret shown once and kept as a Pulumi secret, in-place edits, session-only."""

from __future__ import annotations

import datetime as dt

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient, Unauthorized
from balena_pulumi.resources.keys.api_key import ApiKey

from .cases import Case, numeric
from .harness import Deployment, problem

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case("ApiKey", {"name": "ci-deploy", "description": "CI deploys", "expiry_date": "2027-12-31"}, numeric)

EXPIRY = (dt.date.today() + dt.timedelta(days=400)).isoformat()


def key_program(name: str = "ci-deployer", description: str | None = "used by CI", expiry_date: str | None = EXPIRY):
    def program() -> None:
        import pulumi

        key = ApiKey("key", name=name, description=description, expiry_date=expiry_date)
        pulumi.export("api_key_id", key.api_key_id)
        pulumi.export("key", key.key)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def key_ids(deployment) -> set[int]:
    return {k.id for k in api(deployment).api_keys.list()}


def secret_key(deployment) -> str:
    return deployment.stack.outputs()["key"].value


def test_the_key_is_a_secret_output_that_works_and_never_appears_in_plaintext_state(deployment):
    result = deployment.up(key_program())
    assert result.summary.resource_changes.get("create") == 2
    outputs = deployment.stack.outputs()
    assert outputs["key"].secret is True
    key = outputs["key"].value
    assert key and BalenaClient(deployment.sandbox.url, key).whoami().username == "admin"  # a working key
    deployment.refresh()
    text = deployment.state_text()
    assert key not in text
    assert deployment.sandbox.session_token not in text
    [res] = deployment.resources("ApiKey")
    assert res["outputs"]["key"]["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"


def test_the_key_is_shown_once_refresh_never_asks_for_it_and_keeps_it(deployment):
    deployment.up(key_program())
    key = secret_key(deployment)
    deployment.sandbox.clear_requests()

    refreshed = deployment.refresh()

    assert refreshed.summary.resource_changes == {"same": 2}
    paths = [r["path"] for r in deployment.sandbox.requests()]
    assert len(paths) == 1 and paths[0].startswith("/v7/api_key")
    assert secret_key(deployment) == key


def test_a_second_up_sends_no_request(deployment):
    deployment.up(key_program())
    deployment.sandbox.clear_requests()
    again = deployment.up(key_program())
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []


def test_a_rename_is_one_patch_that_keeps_description_and_expiry_and_the_key(deployment):
    deployment.up(key_program())
    key_id, key = deployment.outputs()["api_key_id"], secret_key(deployment)
    deployment.sandbox.clear_requests()

    result = deployment.up(key_program(name="ci-deployer-2"))

    assert result.summary.resource_changes.get("update") == 1
    [patch] = deployment.writes()
    assert patch["method"] == "PATCH"
    stored = api(deployment).api_keys.get(key_id)
    assert (stored.name, stored.description) == ("ci-deployer-2", "used by CI")
    assert stored.expiry_date.date().isoformat() == EXPIRY
    assert secret_key(deployment) == key


def test_an_out_of_band_change_is_shown_by_refresh_and_undone_by_up(deployment):
    deployment.up(key_program())
    key_id = deployment.outputs()["api_key_id"]
    api(deployment).api_keys.update(key_id, name="hand-edited", description=None, expiry_date=None)

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("update") == 1
    [res] = deployment.resources("ApiKey")
    assert res["outputs"]["name"] == "hand-edited" and res["outputs"].get("expiry_date") is None

    repaired = deployment.up(key_program())
    assert repaired.summary.resource_changes.get("update") == 1
    stored = api(deployment).api_keys.get(key_id)
    assert (stored.name, stored.description) == ("ci-deployer", "used by CI")
    assert stored.expiry_date.date().isoformat() == EXPIRY


def test_an_out_of_band_delete_is_detected_and_the_next_up_creates_a_new_key(deployment):
    deployment.up(key_program())
    key_id = deployment.outputs()["api_key_id"]
    api(deployment).api_keys.delete(key_id)

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("delete") == 1
    deployment.up(key_program())
    assert deployment.outputs()["api_key_id"] != key_id


def test_destroy_deletes_the_key_leaving_the_sandbox_as_seeded(deployment):
    seeded = key_ids(deployment)
    deployment.up(key_program())
    key = secret_key(deployment)
    deployment.destroy()
    assert key_ids(deployment) == seeded
    deployment.destroy()
    assert key_ids(deployment) == seeded
    with pytest.raises(Unauthorized):  # the deleted key no longer logs in
        BalenaClient(deployment.sandbox.url, key).whoami(refresh=True)


def test_creating_with_an_api_key_login_fails_in_preview_saying_a_session_token_is_needed(
    clean_sandbox, pulumi_bin, tmp_path
):
    deployment = Deployment(clean_sandbox, pulumi_bin, tmp_path, token=clean_sandbox.api_key)
    clean_sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(key_program())
    text = str(failure.value)
    line = (
        "balena:apiToken: creating or changing an ApiKey needs a session token (a JWT from `balena login`), but this "
        "stack is logged in with an API key, which the API refuses (401) for user key routes. Set balena:apiToken "
        "to a session token for this change."
    )
    assert problem("ApiKey", "key", line) in text, text
    assert clean_sandbox.api_key not in text
    assert deployment.writes() == []


@pytest.mark.parametrize(
    ("kwargs", "line", "reads"),
    [
        ({"name": ""}, "name: must not be empty", False),
        ({"name": "n" * 51}, f"name: must be at most 50 characters long (got 51): {'n' * 51!r}", False),
        ({"description": "d" * 151}, "description: must be at most 150 characters long (got 151)", False),
        ({"expiry_date": "next tuesday"}, "expiry_date: must be an ISO 8601 date or datetime, e.g. '2027-01-31' or '2027-01-31T12:00:00Z'; got 'next tuesday'", False),
        ({"expiry_date": "2030-02-30"}, "expiry_date: must be an ISO 8601 date or datetime, e.g. '2027-01-31' or '2027-01-31T12:00:00Z'; got '2030-02-30'", False),
        ({"expiry_date": "2030-01-01T10:00:00"}, "expiry_date: must say its timezone (e.g. '2027-01-31T12:00:00Z' or a "
                                                 "plain date '2027-01-31'); got '2030-01-01T10:00:00'", False),
        ({"expiry_date": "2020-01-01"}, "expiry_date: must be in the future (it is ", False),
    ],
)
def test_invalid_input_fails_in_preview_naming_the_field_and_sends_no_write(deployment, kwargs, line, reads):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(key_program(**kwargs))
    assert problem("ApiKey", "key", line) in str(failure.value), str(failure.value)
    # Input the rules refuse never reaches the API; only a lookup may read.
    assert deployment.writes() == [] if reads else deployment.sandbox.requests() == []
