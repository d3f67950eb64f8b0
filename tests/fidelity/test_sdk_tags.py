"""Tags at every scope the SDK offers (application, device, release): set (upsert), get, list, remove, and the
key rules of reference 5.7."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest

from balena_pulumi.sandbox import seed

from .conftest import DEVICE_ID, DEVICE_UUID, PRODUCTION_ID, raises_api_error


@dataclass
class Scope:
    id: str
    model: Callable[[Any], Any]
    parent: Any
    list_all: Callable[[Any, Any], list]
    fk: tuple[str, int]
    words: str  # resource words in the length rule
    key_max: int


SCOPES = [
    Scope("application", lambda m: m.application.tags, "acme/production",
          lambda t, p: t.get_all_by_application(p), ("application", PRODUCTION_ID), "application tag", 100),
    Scope("device", lambda m: m.device.tags, DEVICE_UUID,
          lambda t, p: t.get_all_by_device(p), ("device", DEVICE_ID), "device tag", 100),
    Scope("release (commit)", lambda m: m.release.tags, seed.COMMITS[2],
          lambda t, p: t.get_all_by_release(p), ("release", 2), "release tag", 164),
    Scope("release (id)", lambda m: m.release.tags, 3,
          lambda t, p: t.get_all_by_release(p), ("release", 3), "release tag", 164),
]


def tag_value(scope, tags, key):
    if hasattr(tags, "get"):  # device and release tags have get(); application tags only list
        return tags.get(scope.parent, key)
    return next((r["value"] for r in scope.list_all(tags, scope.parent) if r["tag_key"] == key), None)


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s.id)
def test_set_upsert_list_and_remove(sdk, scope):
    tags = scope.model(sdk.models)
    tags.set(scope.parent, "owner", "team-a")
    tags.set(scope.parent, "owner", "team-b")  # 409 "unique" -> PATCH
    tags.set(scope.parent, "Owner", "")  # keys are case-sensitive; empty values are allowed
    assert tag_value(scope, tags, "owner") == "team-b"
    rows = scope.list_all(tags, scope.parent)
    assert sorted((r["tag_key"], r["value"]) for r in rows) == [("Owner", ""), ("owner", "team-b")]
    assert all(r[scope.fk[0]] == {"__id": scope.fk[1]} for r in rows)
    tags.remove(scope.parent, "owner")
    tags.remove(scope.parent, "owner")  # nothing left to delete: still 200
    assert [r["tag_key"] for r in scope.list_all(tags, scope.parent)] == ["Owner"]


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s.id)
def test_key_rules(sdk, scope):
    tags = scope.model(sdk.models)
    for key in ("has space", "tab\there", "new\nline"):
        raises_api_error(lambda: tags.set(scope.parent, key, "v"), 400, "Tag keys cannot contain whitespace.")
    raises_api_error(lambda: tags.set(scope.parent, "io.resin.x", "v"), 400, "Tag keys beginning with io.resin. are reserved.")
    raises_api_error(lambda: tags.set(scope.parent, "io.balena.x", "v"), 400,
                     "Tag keys beginning with io.balena. are reserved.")
    rule = (f"It is necessary that each {scope.words} has a tag key that has a Length (Type) that is greater than 0 "
            f"and is less than or equal to {scope.key_max}.")
    raises_api_error(lambda: tags.set(scope.parent, "k" * (scope.key_max + 1), "v"), 400, rule)
    raises_api_error(lambda: tags.set(scope.parent, "", "v"), 400, rule)
    tags.set(scope.parent, "k" * scope.key_max, "v")  # the limit itself is fine
    assert [r["tag_key"] for r in scope.list_all(tags, scope.parent)] == ["k" * scope.key_max]


def test_value_limits_differ_per_resource(sdk):
    raises_api_error(lambda: sdk.models.application.tags.set(PRODUCTION_ID, "k", "v" * 1001), 400,
                     "It is necessary that each application tag has a value that has a Length (Type) that is less "
                     "than or equal to 1000.")
    sdk.models.device.tags.set(DEVICE_ID, "k", "v" * 10000)
    raises_api_error(lambda: sdk.models.device.tags.set(DEVICE_ID, "k2", "v" * 10001), 400,
                     "It is necessary that each device tag has a value that has a Length (Type) that is less than or "
                     "equal to 10000.")
