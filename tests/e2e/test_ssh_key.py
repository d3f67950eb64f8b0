"""SshKey on the real engine: keys validated locally (the API checks nothing), any change replaces."""

from __future__ import annotations

import base64
import struct

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.keys.ssh_key import SshKey

from .cases import SSH_KEY, Case, numeric
from .harness import problem

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case("SshKey", {"title": "ops laptop", "public_key": SSH_KEY}, numeric)


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def key_line(key_type: str, body: bytes = _string(bytes(range(32))), declared: str | None = None,
             comment: str = "alice@laptop") -> str:
    blob = _string(key_type.encode()) + body
    return f"{declared or key_type} {base64.b64encode(blob).decode()} {comment}".strip()


ED25519 = key_line("ssh-ed25519")
ED25519_OTHER = key_line("ssh-ed25519", _string(bytes(range(1, 33))))


def ssh_program(title: str = "alice laptop", public_key: str = ED25519):
    def program() -> None:
        import pulumi

        key = SshKey("ssh", title=title, public_key=public_key)
        pulumi.export("ssh_key_id", key.ssh_key_id)
        pulumi.export("fingerprint", key.fingerprint)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def keys(deployment) -> dict[int, tuple[str, str]]:
    return {k.id: (k.title, k.public_key) for k in api(deployment).ssh_keys.list()}


def test_key_is_created_stripped_and_a_second_up_sends_no_request(deployment):
    result = deployment.up(ssh_program(public_key=f"  {ED25519}\n"))
    assert result.summary.resource_changes.get("create") == 2
    outputs = deployment.outputs()
    assert keys(deployment) == {outputs["ssh_key_id"]: ("alice laptop", ED25519)}
    assert outputs["fingerprint"].startswith("SHA256:")

    deployment.sandbox.clear_requests()
    again = deployment.up(ssh_program(public_key=f"  {ED25519}\n"))
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []


@pytest.mark.parametrize("change", [{"title": "alice desktop"}, {"public_key": ED25519_OTHER}])
def test_any_change_replaces_the_key_deleting_the_old_one_first(deployment, change):
    deployment.up(ssh_program())
    old_id = deployment.outputs()["ssh_key_id"]
    deployment.sandbox.clear_requests()

    result = deployment.up(ssh_program(**change))

    assert result.summary.resource_changes.get("replace") == 1
    assert [w["method"] for w in deployment.writes()] == ["DELETE", "POST"]  # same key twice would be a 409
    assert old_id not in keys(deployment) and len(keys(deployment)) == 1


def test_an_out_of_band_title_change_is_shown_by_refresh_and_undone_by_up(deployment):
    deployment.up(ssh_program())
    key_id = deployment.outputs()["ssh_key_id"]
    api(deployment).ssh_keys.update(key_id, title="edited by hand")

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("update") == 1
    [res] = deployment.resources("SshKey")
    assert res["outputs"]["title"] == "edited by hand"

    repaired = deployment.up(ssh_program())
    assert repaired.summary.resource_changes.get("replace") == 1
    assert list(keys(deployment).values()) == [("alice laptop", ED25519)]


def test_an_out_of_band_delete_is_detected_and_the_next_up_adds_the_key_again(deployment):
    deployment.up(ssh_program())
    api(deployment).ssh_keys.delete(deployment.outputs()["ssh_key_id"])
    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("delete") == 1
    deployment.up(ssh_program())
    assert list(keys(deployment).values()) == [("alice laptop", ED25519)]


def test_destroy_leaves_the_sandbox_as_seeded(deployment):
    seeded = keys(deployment)
    deployment.up(ssh_program())
    deployment.destroy()
    assert keys(deployment) == seeded
    deployment.destroy()
    assert keys(deployment) == seeded


@pytest.mark.parametrize(
    ("public_key", "rule"),
    [
        ("not-a-key", "key type must be one of ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, "
                      "ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com, ssh-dss; "
                      "got 'not-a-key'"),
        ("ssh-ed25519", "must be 'TYPE BASE64 [comment]'; the base64 key data after 'ssh-ed25519' is missing"),
        ("ssh-ed25519 AAAA$$$$ me@host", "the key data (second word) is not valid base64"),
        (key_line("ssh-rsa", declared="ssh-ed25519"), "the key data says its type is 'ssh-rsa', but the line says "
                                                       "'ssh-ed25519'"),
        (key_line("ssh-ed25519", body=b""), "the key data holds a type but no key"),
        (f"{ED25519}\n{ED25519_OTHER}", "must be a single OpenSSH public key line; got several lines"),
        ("", "must be an OpenSSH public key line 'TYPE BASE64 [comment]'; got an empty value"),
        ("ssh-ed25519 AAAA\x00", "must not contain NUL bytes (found one at position 16); the API keeps text in "
                                 "PostgreSQL, which cannot store them"),
    ],
)
def test_a_malformed_public_key_is_refused_in_preview_with_the_rule(deployment, public_key, rule):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(ssh_program(public_key=public_key))
    assert problem("SshKey", "ssh", f"public_key: {rule}") in str(failure.value), str(failure.value)
    assert deployment.sandbox.requests() == []


@pytest.mark.parametrize(
    ("title", "rule"),
    [
        ("", "must not be empty"),
        ("   ", "must not be blank"),
        ("t" * 121, f"must be at most 120 characters long (got 121): {'t' * 80!r}... (121 characters)"),
    ],
)
def test_an_invalid_title_is_refused_in_preview(deployment, title, rule):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(ssh_program(title=title))
    assert problem("SshKey", "ssh", f"title: {rule}") in str(failure.value), str(failure.value)
    assert deployment.sandbox.requests() == []


def test_state_never_holds_the_api_token(deployment):
    deployment.up(ssh_program())
    deployment.refresh()
    text = deployment.state_text()
    assert deployment.sandbox.session_token not in text
    assert deployment.sandbox.api_key not in text
