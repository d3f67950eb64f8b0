"""The input rules, checked locally (no engine, no network): they are the API's, and one per parent.

Every kind's ``check`` runs here as the engine would call it in preview; each failure is one line naming
the field and the rule, never the property (the engine would print the value beside it), never a secret
value, and at most 80 characters of any bad value.
"""

from __future__ import annotations

import pytest

from balena_pulumi.resources import provider_class, refs
from balena_pulumi.resources.errors import ResourceError
from balena_pulumi.resources.fields import Change, change_of
from balena_pulumi.resources.guard import DuplicateManagementError, _register
from balena_pulumi.resources.variables import _scope as v

FLEET = "acme/production"
DEVICE = "ab" * 16
SLUG_RULE = (
    "fleet: must be a fleet slug 'org_handle/fleet_name' (pass the Fleet's slug output): a handle of [a-z0-9_], "
    "'/', and a fleet name of 4 to 100 characters [a-z0-9_-]; got {!r}"
)

# Valid inputs of every kind that names a fleet; the tests change one field at a time.
FLEET_KINDS = {
    "FleetEnvVar": {"fleet": FLEET, "name": "LOG_LEVEL", "value": "info"},
    "FleetConfigVar": {"fleet": FLEET, "name": "BALENA_HOST_CONFIG_gpu_mem", "value": "64"},
    "FleetBuildVar": {"fleet": FLEET, "name": "NPM_REGISTRY", "value": "x"},
    "ServiceEnvVar": {"fleet": FLEET, "service": "main", "name": "PORT", "value": "8080"},
    "FleetEnvVars": {"fleet": FLEET, "variables": {"A": "1"}},
    "FleetTag": {"fleet": FLEET, "key": "owner", "value": "x"},
    "ReleaseTag": {"fleet": FLEET, "release_version": "1.1.0", "key": "qa", "value": "x"},
    "FleetPin": {"fleet": FLEET, "release_version": "1.1.0"},
    "FleetMember": {"fleet": FLEET, "username": "alice", "role": "developer"},
    "FleetInvite": {"fleet": FLEET, "invitee": "erin@example.com", "role": "observer"},
    "ProvisioningKey": {"fleet": FLEET, "name": "factory"},
}


def failures(kind: str, inputs: dict) -> list[str]:
    """The failure lines of a local check (a kind with remote checks only gets them for valid input)."""
    result = provider_class(kind)().check({}, dict(inputs))
    if not result.failures:
        return []
    [failure] = result.failures  # one failure per resource: a headline, then one line per problem
    assert failure.property == "", "a failure names its property (the engine would print its value)"
    headline, *lines = failure.reason.split("\n")
    assert headline == (f"{len(lines)} invalid inputs:" if len(lines) > 1 else "invalid input:")
    return lines


@pytest.mark.parametrize("kind", sorted(FLEET_KINDS))
@pytest.mark.parametrize("slug", ["acme/abc", "acme/x", "acme", "acme/prod uction", "acme/prod/x", "Ac-me/production"])
def test_every_kind_that_takes_a_fleet_refuses_the_same_slugs_with_the_same_words(kind, slug):
    assert failures(kind, {**FLEET_KINDS[kind], "fleet": slug}) == [SLUG_RULE.format(slug)]


@pytest.mark.parametrize("kind", sorted(FLEET_KINDS))
def test_every_kind_that_takes_a_fleet_accepts_any_case_and_stores_the_api_s_lower_case(kind):
    assert refs.check_fleet_slug(" Acme/Production ") == "acme/production"
    model = provider_class(kind).args_model
    assert model.model_validate({**FLEET_KINDS[kind], "fleet": "Acme/Production"}).fleet == "acme/production"


@pytest.mark.parametrize("kind", sorted(FLEET_KINDS))
def test_every_fleet_input_is_a_parent_whose_rename_is_no_replacement(kind):
    provider = provider_class(kind)
    assert change_of(provider.args_model, "fleet") is Change.PARENT
    assert provider.parents["fleet"] == ("fleet", "fleet_id")


# -- variables ------------------------------------------------------------------------------------------

ENV_OK = ["LOG_LEVEL", "a", "_private", "x1", "balena_lower_is_allowed", "RESINX", "USERS", "A" * 255]
CONFIG_OK = ["BALENA_HOST_CONFIG_gpu_mem", "RESIN_SUPERVISOR_POLL_INTERVAL", "BALENA_X:Y", "BALENA_"]


@pytest.mark.parametrize("name", ENV_OK)
def test_environment_names_the_api_accepts_pass(name):
    assert v.check_env_name(name) == name


@pytest.mark.parametrize("name", CONFIG_OK)
def test_config_names_the_api_accepts_pass(name):
    assert v.check_config_name(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "must not be empty"),
        ("A" * 256, f"must be at most 255 characters long (got 256): {'A' * 80!r}... (256 characters)"),
        ("1BAD", "environment variable names may only contain letters, digits and '_' and must not start with a "
                 "digit; got '1BAD'"),
        ("BAD-NAME", "environment variable names may only contain letters, digits and '_' and must not start "
                     "with a digit; got 'BAD-NAME'"),
        ("caf\u00e9", "environment variable names may only contain letters, digits and '_' and must not start "
                      "with a digit; got 'caf\u00e9'"),  # \W is ASCII-only in the API's JavaScript
        ("RESIN", "RESIN, BALENA and USER are reserved names; got 'RESIN'"),
        ("BALENA_X", "environment variable names must not start with RESIN_ or BALENA_ (that namespace is for "
                     "config variables); got 'BALENA_X'"),
        ("A\x00B", "must not contain NUL bytes (found one at position 1); the API keeps text in PostgreSQL, "
                   "which cannot store them"),
        ("A\x07B", "must not contain control characters (found U+0007 at position 1): 'A\\x07B'"),
    ],
)
def test_environment_names_the_api_refuses_fail_with_the_rule(name, message):
    with pytest.raises(ValueError) as failure:
        v.check_env_name(name)
    assert str(failure.value) == message


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("LOG_LEVEL", "config variable names must start with RESIN_ or BALENA_; got 'LOG_LEVEL'"),
        ("balena_lower", "config variable names must start with RESIN_ or BALENA_; got 'balena_lower'"),
        (":BALENA_X", "config variable names may only contain letters, digits, '_' and ':' and must not start "
                      "with a digit or ':'; got ':BALENA_X'"),
        ("BALENA", "RESIN, BALENA and USER are reserved names; got 'BALENA'"),
    ],
)
def test_config_names_the_api_refuses_fail_with_the_rule(name, message):
    with pytest.raises(ValueError) as failure:
        v.check_config_name(name)
    assert str(failure.value) == message


def test_values_may_be_empty_or_exactly_100000_characters():
    assert v.check_value("") == ""
    assert len(v.check_value("x" * 100_000)) == 100_000


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("s3cret\nline", "must not contain line breaks (\\r or \\n)"),
        ("s3cret\rline", "must not contain line breaks (\\r or \\n)"),
        ("s3cret" * 20_000, "must be at most 100000 characters long (got 120000)"),
        ("s3cret\x00", "must not contain NUL bytes (found one at position 6); the API keeps text in PostgreSQL, "
                       "which cannot store them"),
    ],
)
def test_bad_values_fail_without_echoing_the_value(value, message):
    with pytest.raises(ValueError) as failure:
        v.check_value(value)
    assert str(failure.value) == message


def test_check_reports_every_bad_field_by_name_and_rule_without_the_value():
    lines = failures("FleetEnvVar", {"fleet": "acme", "name": "1BAD", "value": "top\nsecret"})
    assert lines == [
        SLUG_RULE.format("acme"),
        "name: environment variable names may only contain letters, digits and '_' and must not start with a "
        "digit; got '1BAD'",
        "value: must not contain line breaks (\\r or \\n)",
    ]


def test_config_scopes_use_the_config_rules():
    assert failures("DeviceConfigVar", {"device": DEVICE, "name": "LOG_LEVEL", "value": "1"}) == [
        "name: config variable names must start with RESIN_ or BALENA_; got 'LOG_LEVEL'"
    ]


def test_bulk_variables_are_checked_name_by_name_without_echoing_values():
    lines = failures(
        "FleetEnvVars", {"fleet": FLEET, "variables": {"OK": "1", "1BAD": "x", "BALENA_X": "y", "NL": "hidden\nvalue"}}
    )
    assert lines == [
        "variables: name '1BAD': environment variable names may only contain letters, digits and '_' and must not "
        "start with a digit; name 'BALENA_X': environment variable names must not start with RESIN_ or BALENA_ "
        "(that namespace is for config variables); value of NL: must not contain line breaks (\\r or \\n)"
    ]


# -- the text rules, on every kind -----------------------------------------------------------------------

HUGE = "n" * 10_240


@pytest.mark.parametrize(
    ("kind", "inputs", "expected"),
    [
        ("FleetTag", {"fleet": FLEET, "key": HUGE, "value": ""},
         f"key: must be at most 100 characters long (got 10240): {'n' * 80!r}... (10240 characters)"),
        ("FleetTag", {"fleet": FLEET, "key": "owner\x00", "value": ""},
         "key: must not contain NUL bytes (found one at position 5); the API keeps text in PostgreSQL, which "
         "cannot store them"),
        ("FleetTag", {"fleet": FLEET, "key": "own\x1ber", "value": ""},
         "key: must not contain control characters (found U+001B at position 3): 'own\\x1ber'"),
        ("FleetTag", {"fleet": FLEET, "key": "owner", "value": "x\x00y"},
         "value: must not contain NUL bytes (found one at position 1); the API keeps text in PostgreSQL, which "
         "cannot store them"),
        ("Organization", {"name": HUGE},
         f"name: must be at most 100 characters long (got 10240): {'n' * 80!r}... (10240 characters)"),
        ("Fleet", {"organization": "acme", "name": HUGE, "device_type": "raspberrypi4-64"},
         f"name: must be at most 100 characters long (got 10240): {'n' * 80!r}... (10240 characters)"),
        ("SshKey", {"title": "ops\x00", "public_key": "ssh-ed25519 AAAA"},
         "title: must not contain NUL bytes (found one at position 3); the API keeps text in PostgreSQL, which "
         "cannot store them"),
        ("FleetInvite", {"fleet": FLEET, "invitee": "erin@example.com", "message": "hi\x00"},
         "message: must not contain NUL bytes (found one at position 2); the API keeps text in PostgreSQL, which "
         "cannot store them"),
        ("ApiKey", {"name": "ci\tdeploy"},
         "name: must not contain control characters (found U+0009 at position 2): 'ci\\tdeploy'"),
    ],
)
def test_input_the_api_cannot_store_fails_in_check_quoting_at_most_80_characters(kind, inputs, expected):
    lines = failures(kind, inputs)
    assert expected in lines
    assert all(len(line) < 400 for line in lines)


def test_a_nul_byte_in_a_bulk_map_is_refused_for_the_name_and_the_value_alike():
    lines = failures("FleetEnvVars", {"fleet": FLEET, "variables": {"A\x00": "1", "B": "x\x00"}})
    assert lines == [
        "variables: name 'A\\x00': must not contain NUL bytes (found one at position 1); the API keeps text in "
        "PostgreSQL, which cannot store them; value of B: must not contain NUL bytes (found one at position 1); "
        "the API keeps text in PostgreSQL, which cannot store them"
    ]


# -- releases --------------------------------------------------------------------------------------------


def test_a_release_named_by_commit_version_or_id_is_one_release():
    olds = {"release_id": 2, "release_version": "1.1.0", "release_commit": "ab" * 20, refs.SELECTOR_KEY: "release_version"}
    assert refs.same_release(olds, {"release_commit": "AB" * 20})
    assert refs.same_release(olds, {"release_id": 2})
    assert refs.same_release(olds, {"release_version": "1.1.0"})
    assert not refs.same_release(olds, {"release_version": "1.1.0+rev1"})
    assert not refs.same_release(olds, {"release_id": 3})


@pytest.mark.parametrize("kind", ["FleetPin", "DevicePin", "ReleaseTag"])
def test_another_selector_of_the_same_release_is_no_change(kind):
    provider = provider_class(kind)()
    parent = {"device": DEVICE} if kind == "DevicePin" else {"fleet": FLEET}
    extra = {"key": "qa", "value": "x"} if kind == "ReleaseTag" else {}
    olds = {**parent, **extra, "release_id": 2, "release_version": "1.1.0", "release_commit": "ab" * 20,
            refs.SELECTOR_KEY: "release_version", "fleet_id": 1, "device_id": 1}
    news = {**parent, **extra, "release_version": None, "release_commit": "ab" * 20, "release_id": None}
    assert provider.diff("1", olds, news).changes is False


# -- import ids ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parent", "import_id", "expected"),
    [
        (v.FLEET, "acme/production:LOG_LEVEL", {"fleet": "acme/production", "name": "LOG_LEVEL"}),
        (v.FLEET, "acme/production:BALENA_X:Y", {"fleet": "acme/production", "name": "BALENA_X:Y"}),
        (v.FLEET_SERVICE, "acme/production:main:X", {"fleet": "acme/production", "service": "main", "name": "X"}),
        (v.DEVICE, "abc:X", {"device": "abc", "name": "X"}),
        (v.DEVICE_SERVICE, "abc:main:X", {"device": "abc", "service": "main", "name": "X"}),
    ],
)
def test_import_ids_split_into_inputs_and_the_name_keeps_its_colons(parent, import_id, expected):
    assert parent.import_id.parse("Kind", import_id) == expected


@pytest.mark.parametrize(
    ("parent", "import_id", "message"),
    [
        (v.FLEET, "acme/production",
         "FleetEnvVar: malformed import id 'acme/production': expected <FLEET>:<NAME> (e.g. "
         "acme/production:LOG_LEVEL) or the numeric id"),
        (v.FLEET_SERVICE, "acme/production:X",
         "FleetEnvVar: malformed import id 'acme/production:X': expected <FLEET>:<SERVICE>:<NAME> (e.g. "
         "acme/production:main:LOG_LEVEL) or the numeric id"),
        (v.DEVICE, ":X",
         "FleetEnvVar: malformed import id ':X': expected <UUID>:<NAME> (e.g. "
         "0123456789abcdef0123456789abcdef:LOG_LEVEL) or the numeric id"),
    ],
)
def test_a_malformed_import_id_says_what_was_expected(parent, import_id, message):
    with pytest.raises(ResourceError) as failure:
        parent.import_id.parse("FleetEnvVar", import_id)
    assert str(failure.value) == message


# -- one resource per object -----------------------------------------------------------------------------


def test_two_owners_of_one_variable_in_one_run_are_refused_naming_both():
    def register(run, owner, fleet, names):
        _register(run, "fleet_env", "fleet environment variable", owner, (fleet,), names)

    run = object.__new__(type("Root", (), {}))
    register(run, 'FleetEnvVar "single"', FLEET, ["X"])
    register(run, 'FleetEnvVar "single"', FLEET, ["X"])  # the same owner again is no conflict
    register(run, 'FleetEnvVars "bulk"', "acme/staging", ["X"])  # another fleet
    with pytest.raises(DuplicateManagementError) as failure:
        register(run, 'FleetEnvVars "bulk"', "Acme/Production", ["Y", "X"])
    assert str(failure.value) == "two resources manage one object:\n" + (
        'FleetEnvVar "single" and FleetEnvVars "bulk" both manage the fleet environment variable X of '
        "acme/production; it must be managed by one resource only, or the two overwrite each other on every "
        "`pulumi up` (keep it in one of them)"
    )
    other_run = object.__new__(type("Root", (), {}))  # a new program run starts with no claims
    register(other_run, 'FleetEnvVars "bulk"', FLEET, ["X"])
