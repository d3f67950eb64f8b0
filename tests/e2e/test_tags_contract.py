"""The tag contract, run over every tag scope (FleetTag, DeviceTag, ReleaseTag) on the real engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.tags.device_tag import DeviceTag
from balena_pulumi.resources.tags.fleet_tag import FleetTag
from balena_pulumi.resources.tags.release_tag import ReleaseTag
from balena_pulumi.sandbox.seed import PRODUCTION_DEVICE_UUIDS, STAGING_DEVICE_UUID

from .harness import problem


@dataclass(frozen=True)
class Scope:
    kind: str
    cls: type
    api_kind: str
    parent: dict[str, Any]  # inputs naming the parent
    other_parent: dict[str, Any]  # inputs naming another parent of the same kind
    key_max: int
    value_max: int

    def parent_ids(self, client: BalenaClient) -> tuple[int, int]:
        def one(inputs):
            if self.api_kind == "device":
                return client.devices.get_by_uuid(inputs["device"]).id
            fleet = client.fleets.get_by_slug(inputs["fleet"])
            if self.api_kind == "fleet":
                return fleet.id
            return client.releases.find_by_version(fleet.id, inputs["release_version"]).id

        return one(self.parent), one(self.other_parent)

    def __str__(self) -> str:
        return self.kind


SCOPES = [
    Scope("FleetTag", FleetTag, "fleet", {"fleet": "acme/production"}, {"fleet": "acme/staging"}, 100, 1000),
    Scope(
        "DeviceTag", DeviceTag, "device", {"device": PRODUCTION_DEVICE_UUIDS[0]}, {"device": STAGING_DEVICE_UUID},
        100, 10000,
    ),
    # 1.1.0 and 1.1.0+rev1 are two releases: moving the tag from one to the other replaces it.
    Scope(
        "ReleaseTag", ReleaseTag, "release", {"fleet": "acme/production", "release_version": "1.1.0"},
        {"fleet": "acme/production", "release_version": "1.1.0+rev1"}, 164, 1000,
    ),
]


@pytest.fixture(params=SCOPES, ids=str)
def scope(request) -> Scope:
    return request.param


def tag_program(scope: Scope, key: str = "owner", value: Any = "team-a", parent: dict | None = None, secret=False):
    def program() -> None:
        import pulumi

        shown = pulumi.Output.secret(value) if secret else value
        tag = scope.cls("tag", key=key, value=shown, **(parent if parent is not None else scope.parent))
        pulumi.export("tag_id", tag.tag_id)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def tags_of(deployment, scope: Scope) -> dict[int, dict[str, str]]:
    """Every tag of the scope's two parents: parent id -> {key: value}."""
    client = api(deployment)
    service = client.tags(scope.api_kind)
    return {pid: {t.tag_key: t.value for t in service.list(pid)} for pid in scope.parent_ids(client)}


def write_calls(deployment) -> list[tuple[str, str]]:
    return [(w["method"], w["path"].split("(")[0]) for w in deployment.writes()]


def test_tag_is_created_with_one_post_and_a_second_up_sends_no_write(deployment, scope):
    seeded = tags_of(deployment, scope)
    deployment.sandbox.clear_requests()
    result = deployment.up(tag_program(scope))
    assert result.summary.resource_changes.get("create") == 2
    assert [w["method"] for w in deployment.writes()] == ["POST"]
    parent_id, _ = scope.parent_ids(api(deployment))
    assert tags_of(deployment, scope)[parent_id] == {**seeded[parent_id], "owner": "team-a"}

    deployment.sandbox.clear_requests()
    again = deployment.up(tag_program(scope))
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []  # not even a GET


def test_value_change_is_one_patch_in_place(deployment, scope):
    deployment.up(tag_program(scope))
    tag_id = deployment.outputs()["tag_id"]
    deployment.sandbox.clear_requests()

    result = deployment.up(tag_program(scope, value="team-b"))

    assert result.summary.resource_changes.get("update") == 1
    # One request in all: the parent is known from state, not looked up again.
    assert [(r["method"], r["status"]) for r in deployment.sandbox.requests()] == [("PATCH", 200)]
    assert deployment.outputs()["tag_id"] == tag_id
    assert api(deployment).tags(scope.api_kind).get(tag_id).value == "team-b"


def test_key_change_replaces_deleting_first_so_there_is_no_conflict(deployment, scope):
    deployment.up(tag_program(scope))
    old_id = deployment.outputs()["tag_id"]
    deployment.sandbox.clear_requests()

    result = deployment.up(tag_program(scope, key="team"))

    assert result.summary.resource_changes.get("replace") == 1
    assert [(w["method"], w["status"]) for w in deployment.writes()] == [("DELETE", 200), ("POST", 201)]
    parent_id, _ = scope.parent_ids(api(deployment))
    tags = tags_of(deployment, scope)[parent_id]
    assert tags.get("team") == "team-a" and "owner" not in tags
    assert api(deployment).tags(scope.api_kind).maybe_get(old_id) is None


def test_moving_the_tag_to_another_parent_replaces_it(deployment, scope):
    deployment.up(tag_program(scope))
    result = deployment.up(tag_program(scope, parent=scope.other_parent))
    assert result.summary.resource_changes.get("replace") == 1
    parent_id, other_id = scope.parent_ids(api(deployment))
    tags = tags_of(deployment, scope)
    assert "owner" not in tags[parent_id]
    assert tags[other_id]["owner"] == "team-a"


def test_out_of_band_value_change_is_shown_by_refresh_and_repaired_by_up(deployment, scope):
    deployment.up(tag_program(scope))
    tag_id = deployment.outputs()["tag_id"]
    api(deployment).tags(scope.api_kind).update(tag_id, value="changed-by-hand")

    deployment.sandbox.clear_requests()
    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("update") == 1
    assert [(r["method"], r["path"]) for r in deployment.sandbox.requests()] == [
        ("GET", f"/v7/{scope.api_kind if scope.api_kind != 'fleet' else 'application'}_tag({tag_id})")
    ]
    [tag] = deployment.resources(scope.kind)
    assert tag["outputs"]["value"] == "changed-by-hand"

    deployment.sandbox.clear_requests()
    repaired = deployment.up(tag_program(scope))
    assert repaired.summary.resource_changes.get("update") == 1
    assert [w["method"] for w in deployment.writes()] == ["PATCH"]
    assert api(deployment).tags(scope.api_kind).get(tag_id).value == "team-a"


def test_out_of_band_delete_is_detected_and_the_next_up_recreates(deployment, scope):
    deployment.up(tag_program(scope))
    tag_id = deployment.outputs()["tag_id"]
    api(deployment).tags(scope.api_kind).delete(tag_id)

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("delete") == 1
    assert deployment.resources(scope.kind) == []

    deployment.up(tag_program(scope))
    assert deployment.outputs()["tag_id"] != tag_id
    parent_id, _ = scope.parent_ids(api(deployment))
    assert tags_of(deployment, scope)[parent_id]["owner"] == "team-a"


def test_destroy_leaves_the_sandbox_as_seeded_and_is_idempotent(deployment, scope):
    seeded = tags_of(deployment, scope)
    deployment.up(tag_program(scope))
    deployment.destroy()
    assert tags_of(deployment, scope) == seeded
    deployment.destroy()
    assert tags_of(deployment, scope) == seeded


def test_a_secret_value_stays_secret_in_state(deployment, scope):
    deployment.up(tag_program(scope, value="s3cr3t-tag-value", secret=True))
    deployment.refresh()
    deployment.up(tag_program(scope, value="s3cr3t-tag-value", secret=True))
    assert "s3cr3t-tag-value" not in deployment.state_text()
    assert deployment.sandbox.session_token not in deployment.state_text()


SLUG_RULE = (
    "fleet: must be a fleet slug 'org_handle/fleet_name' (pass the Fleet's slug output): a handle of [a-z0-9_], "
    "'/', and a fleet name of 4 to 100 characters [a-z0-9_-]; got 'production'"
)


def _invalid_cases():
    """(scope, program arguments, the exact problem lines, whether the API may be read)."""
    for scope in SCOPES:
        too_long = "k" * (scope.key_max + 1)
        yield scope, {"key": "two words"}, ["key: tag keys cannot contain whitespace; got 'two words'"], False
        yield scope, {"key": "io.resin.owner"}, ["key: tag keys beginning with io.resin. are reserved; got "
                                                  "'io.resin.owner'"], False
        yield scope, {"key": "io.balena.owner"}, ["key: tag keys beginning with io.balena. are reserved; got "
                                                   "'io.balena.owner'"], False
        yield scope, {"key": ""}, ["key: must not be empty"], False
        yield scope, {"key": too_long}, [
            f"key: must be at most {scope.key_max} characters long (got {scope.key_max + 1}): {'k' * 80!r}... "
            f"({scope.key_max + 1} characters)"
        ], False
        yield scope, {"value": "v" * (scope.value_max + 1)}, [
            f"value: must be at most {scope.value_max} characters long (got {scope.value_max + 1})"
        ], False
        yield scope, {"key": "own\x00er"}, [
            "key: must not contain NUL bytes (found one at position 3); the API keeps text in PostgreSQL, which "
            "cannot store them"
        ], False
    yield SCOPES[0], {"parent": {"fleet": "acme/nowhere"}}, [
        "fleet: no fleet with slug 'acme/nowhere' is visible to this token"
    ], True
    yield SCOPES[0], {"parent": {"fleet": "production"}}, [SLUG_RULE], False
    yield SCOPES[1], {"parent": {"device": "0" * 32}}, [f"device: no device with uuid {'0' * 32} is visible to this token"], True
    yield SCOPES[1], {"parent": {"device": "abc"}}, [
        "device: must be a full device uuid of 32 or 62 hex characters; got 'abc'"
    ], False
    yield SCOPES[2], {"parent": {"fleet": "acme/production", "release_version": "9.9.9"}}, [
        "release_version: fleet acme/production has no release with version 9.9.9"
    ], True
    yield SCOPES[2], {"parent": {"fleet": "acme/production"}}, [
        "release_version: exactly one of release_version, release_commit, release_id must be set (got none)"
    ], False


@pytest.mark.parametrize(("scope", "kwargs", "lines", "reads"), list(_invalid_cases()), ids=lambda v: str(v)[:40])
def test_invalid_input_fails_in_preview_naming_field_and_rule_with_no_write(deployment, scope, kwargs, lines, reads):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(tag_program(scope, **kwargs))
    text = str(failure.value)
    assert problem(scope.kind, "tag", *lines) in text, text
    assert "vvvvvvvvvv" not in text and "k" * 81 not in text  # values are never echoed whole
    assert deployment.writes() == [] if reads else deployment.sandbox.requests() == []


def test_an_invalid_secret_value_is_reported_without_echoing_it(deployment, scope):
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(tag_program(scope, value="x" * scope.value_max + "TOPSECRET", secret=True))
    text = str(failure.value)
    line = f"value: must be at most {scope.value_max} characters long (got {scope.value_max + len('TOPSECRET')})"
    assert problem(scope.kind, "tag", line) in text, text
    assert "TOPSECRET" not in text
