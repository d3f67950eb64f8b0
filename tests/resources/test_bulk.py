"""The bulk kinds without the engine: each scope's entry rules, import ids, and the diff per entry.

The lifecycle on the real engine is tests/e2e/test_bulk_contract.py.
"""

from __future__ import annotations

import pytest
from pulumi.output import Unknown

from balena_pulumi.resources import REGISTRY, provider_class
from balena_pulumi.resources.fields import quote
from balena_pulumi.resources.bulk import BulkProvider, decode_keys, encode_keys, property_path
from balena_pulumi.resources.tokens import BULK_MAP_INPUT, BULK_TAG_KINDS, BULK_VARIABLE_KINDS, SINGLE_OF_BULK
from balena_pulumi.sandbox.seed import COMMITS

UUID = "0123456789abcdef0123456789abcdef"
PARENTS = {
    "FleetEnvVars": {"fleet": "acme/production"},
    "FleetConfigVars": {"fleet": "acme/production"},
    "FleetBuildVars": {"fleet": "acme/production"},
    "ServiceEnvVars": {"fleet": "acme/production", "service": "main"},
    "DeviceEnvVars": {"device": UUID},
    "DeviceConfigVars": {"device": UUID},
    "DeviceServiceEnvVars": {"device": UUID, "service": "main"},
    "FleetTags": {"fleet": "acme/production"},
    "DeviceTags": {"device": UUID},
    "ReleaseTags": {"fleet": "acme/production", "release_version": "1.1.0"},
}
CONFIG = {"FleetConfigVars", "DeviceConfigVars"}


@pytest.fixture(autouse=True)
def no_api(monkeypatch):
    """A token, and an API nobody listens on: a check that sent a request would fail loudly."""
    monkeypatch.setenv("BALENA_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("BALENA_API_KEY", "unit-test-key")


def failures(kind: str, entries: dict) -> list[str]:
    # The parent is unchanged since the last run, so valid input is not looked up: local rules only.
    olds = {**PARENTS[kind], BULK_MAP_INPUT[kind]: {}}
    result = provider_class(kind)().check(olds, {**PARENTS[kind], BULK_MAP_INPUT[kind]: entries})
    if not result.failures:
        return []
    [failure] = result.failures  # one failure per resource: a headline, then one line per problem
    assert failure.property == "", "a failure names its property (the engine would echo it)"
    headline, *lines = failure.reason.split("\n")
    assert headline == (f"{len(lines)} invalid inputs:" if len(lines) > 1 else "invalid input:")
    return lines


def test_every_bulk_kind_is_registered_with_its_single_kind_and_map():
    bulk = set(BULK_VARIABLE_KINDS) | set(BULK_TAG_KINDS)
    assert bulk == set(PARENTS) and bulk <= set(REGISTRY)
    for kind in bulk:
        provider = provider_class(kind)
        assert issubclass(provider, BulkProvider) and provider.kind == kind
        assert SINGLE_OF_BULK[kind] in REGISTRY
        assert provider.scope.claim_family in ("fleet_tag", "device_tag", "release_tag") or (
            provider.scope.claim_family == provider_class(SINGLE_OF_BULK[kind]).scope.api_kind
        )
        assert set(provider.args_model.model_fields) == {*provider.scope.parent.inputs, BULK_MAP_INPUT[kind]}


@pytest.mark.parametrize("kind", sorted(BULK_VARIABLE_KINDS))
def test_variable_names_and_values_follow_the_single_kinds_rules_all_problems_at_once(kind):
    good = "BALENA_OK" if kind in CONFIG else "OK"
    bad_name = "LOG_LEVEL" if kind in CONFIG else "BALENA_X"
    rule = (
        "config variable names must start with RESIN_ or BALENA_"
        if kind in CONFIG
        else "environment variable names must not start with RESIN_ or BALENA_ (that namespace is for config variables)"
    )
    assert failures(kind, {good: "fine", bad_name: "x", "A_SECRET": "hidden\nvalue", "": "y"}) == [
        f"variables: name '': must not be empty; value of A_SECRET: must not contain line breaks (\\r or \\n); "
        f"name {bad_name!r}: {rule}"
        if kind not in CONFIG
        else f"variables: name '': must not be empty; name 'A_SECRET': {rule}; value of 'A_SECRET': must not "
        f"contain line breaks (\\r or \\n); name {bad_name!r}: {rule}"
    ]
    assert failures(kind, {good: "x" * 100_000}) == []


@pytest.mark.parametrize("kind", sorted(BULK_TAG_KINDS))
def test_tag_keys_and_values_follow_the_single_kinds_rules(kind):
    value_max = 10_000 if kind == "DeviceTags" else 1000
    key_max = 164 if kind == "ReleaseTags" else 100
    assert failures(kind, {"owner": "x", "two words": "y", "io.resin.x": "z", "big": "v" * (value_max + 1),
                           "k" * (key_max + 1): ""}) == [
        f"tags: value of big: must be at most {value_max} characters long (got {value_max + 1}); key 'io.resin.x': "
        f"tag keys beginning with io.resin. are reserved; key {quote('k' * (key_max + 1))}: must be at most {key_max} "
        f"characters long (got {key_max + 1}); key 'two words': tag keys cannot contain whitespace"
    ]
    assert failures(kind, {"k" * key_max: "v" * value_max, "": ""}) == ["tags: key '': must not be empty"]


def test_a_value_is_never_quoted_and_at_most_ten_problems_are_spelled_out():
    lines = failures("FleetEnvVars", {f"BAD{i}": "s3cr3t\n" for i in range(12)})
    assert "s3cr3t" not in lines[0]
    assert lines[0].count("value of BAD") == 10 and lines[0].endswith("; and 2 more")


def test_a_map_that_is_not_a_map_and_a_value_that_is_not_text_are_refused():
    assert failures("FleetTags", ["owner"]) == ["tags: must be a map of keys to values; got a list"]
    assert failures("DeviceEnvVars", {"COUNT": 3}) == ["variables: value of COUNT: must be a string"]


def test_known_entries_are_checked_when_other_values_are_not_known_yet():
    provider = provider_class("FleetEnvVars")()
    result = provider.check({}, {"fleet": "acme/production", "variables": {"LATER": Unknown(), "1BAD": "x", "OK": "a\nb"}})
    assert [f.reason for f in result.failures] == [
        "variables: name '1BAD': environment variable names may only contain letters, digits and '_' and must not "
        "start with a digit; value of OK: must not contain line breaks (\\r or \\n)"
    ]
    clean = provider.check({}, {"fleet": "acme/production", "variables": {"LATER": Unknown(), "OK": "a"}})
    assert clean.failures == []


# -- import ids -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "inputs", "expected"),
    [
        ("FleetEnvVars", {"variables": {"MQTT_HOST": "m", "LOG_LEVEL": "i"}}, "acme/production:LOG_LEVEL,MQTT_HOST"),
        ("FleetConfigVars", {"variables": {"BALENA_HOST_CONFIG_x:y": "1"}}, "acme/production:BALENA_HOST_CONFIG_x:y"),
        ("ServiceEnvVars", {"variables": {"PORT": "1"}}, "acme/production:main:PORT"),
        ("DeviceServiceEnvVars", {"variables": {"DEBUG": "1"}}, f"{UUID}:main:DEBUG"),
        ("DeviceTags", {"tags": {"b": "", "a,b": "", "100%": ""}}, f"{UUID}:100%25,a%2Cb,b"),
        ("ReleaseTags", {"tags": {"qa": "x"}}, "acme/production@1.1.0:qa"),
        ("ReleaseTags", {"release_version": None, "release_commit": COMMITS[2], "tags": {"qa": "x"}},
         f"acme/production@{COMMITS[2]}:qa"),
        ("ReleaseTags", {"release_version": None, "release_id": 2, "tags": {}}, "acme/production@2:"),
    ],
)
def test_the_natural_key_lists_the_keys_the_map_adopts(kind, inputs, expected):
    assert provider_class(kind)().natural_key({**PARENTS[kind], **inputs}) == expected


@pytest.mark.parametrize(
    ("kind", "import_id", "parent", "keys"),
    [
        ("FleetEnvVars", "acme/production", "acme/production", None),
        ("FleetEnvVars", "acme/production:", "acme/production", ""),
        ("FleetConfigVars", "acme/production:BALENA_A:B,BALENA_C", "acme/production", "BALENA_A:B,BALENA_C"),
        ("ServiceEnvVars", "acme/production:main", "acme/production:main", None),
        ("ServiceEnvVars", "acme/production:main:PORT", "acme/production:main", "PORT"),
        ("ServiceEnvVars", "17:PORT", "17", "PORT"),
        ("DeviceEnvVars", f"{UUID}:A,B", UUID, "A,B"),
        ("ReleaseTags", "acme/production@1.1.0+rev1:qa", "acme/production@1.1.0+rev1", "qa"),
    ],
)
def test_an_import_id_splits_into_the_parent_and_the_keys(kind, import_id, parent, keys):
    assert provider_class(kind)()._split_import_id(import_id) == (parent, keys)


def test_release_tags_name_the_release_by_version_commit_or_id_in_an_import_id():
    parent = provider_class("ReleaseTags").scope.parent
    assert parent.parse("ReleaseTags", "acme/production@1.1.0+rev1") == {
        "fleet": "acme/production", "release_version": "1.1.0+rev1"
    }
    assert parent.parse("ReleaseTags", f"acme/production@{COMMITS[2].upper()}") == {
        "fleet": "acme/production", "release_commit": COMMITS[2]
    }
    assert parent.parse("ReleaseTags", "acme/production@2") == {"fleet": "acme/production", "release_id": 2}
    with pytest.raises(Exception) as failure:
        parent.parse("ReleaseTags", "acme/production")
    assert "malformed import id 'acme/production': expected <FLEET>@<VERSION|COMMIT|ID>" in str(failure.value)


def test_keys_round_trip_through_an_import_id():
    keys = ["plain", "a,b", "50%", "x:y", "ünï"]
    assert sorted(decode_keys(encode_keys(keys))) == sorted(keys)


# -- the diff per entry ---------------------------------------------------------------------------------


def olds(kind: str, entries: dict) -> dict:
    return {**PARENTS[kind], BULK_MAP_INPUT[kind]: entries, "fleet_id": 1, "device_id": 1}


def test_the_diff_names_each_entry_added_changed_or_removed_and_nothing_else():
    provider = provider_class("FleetTags")()
    diff = provider.diff(
        "1",
        olds("FleetTags", {"same": "1", "changed": "a", "gone": "x", "app.owner": "p"}),
        {**PARENTS["FleetTags"], "tags": {"same": "1", "changed": "b", "new": "n", "app.owner": Unknown()}},
    )
    assert diff.changes and diff.replaces == []
    assert diff.detailed_diff == {
        "tags.changed": "UPDATE",
        "tags.gone": "DELETE",
        "tags.new": "ADD",
        'tags["app.owner"]': "UPDATE",
    }


def test_no_change_is_no_diff_and_another_parent_is_a_replacement_named_as_such():
    provider = provider_class("DeviceEnvVars")()
    same = provider.diff("1", olds("DeviceEnvVars", {"A": "1"}), {**PARENTS["DeviceEnvVars"], "variables": {"A": "1"}})
    assert not same.changes
    provider = provider_class("DeviceServiceEnvVars")()
    other = provider.diff(
        "1", olds("DeviceServiceEnvVars", {"A": "1"}), {"device": UUID, "service": "worker", "variables": {"A": "2"}}
    )
    assert other.replaces == ["service"] and other.delete_before_replace
    assert other.detailed_diff == {"service": "UPDATE_REPLACE", "variables.A": "UPDATE"}


def test_property_paths_quote_keys_that_are_not_identifiers():
    assert property_path("variables", "LOG_LEVEL") == "variables.LOG_LEVEL"
    assert property_path("tags", "app.owner") == 'tags["app.owner"]'
    assert property_path("tags", 'say "hi"') == 'tags["say \\"hi\\""]'
