"""The variable name and value rules, checked locally (no engine, no network): they must match the API's."""

from __future__ import annotations

import pytest

from balena_pulumi.resources import _variables as v
from balena_pulumi.resources.base import BalenaResourceError
from balena_pulumi.resources.device_config_var import DeviceConfigVarProvider
from balena_pulumi.resources.fleet_env_var import FleetEnvVarProvider
from balena_pulumi.resources.fleet_env_vars import FleetEnvVarsProvider

ENV_OK = ["LOG_LEVEL", "a", "_private", "x1", "balena_lower_is_allowed", "RESINX", "USERS", "A" * 255]
CONFIG_OK = ["BALENA_HOST_CONFIG_gpu_mem", "RESIN_SUPERVISOR_POLL_INTERVAL", "BALENA_X:Y", "BALENA_"]


@pytest.mark.parametrize("name", ENV_OK)
def test_environment_names_the_api_accepts_pass(name):
    assert v.check_env_name(name) == name


@pytest.mark.parametrize("name", CONFIG_OK)
def test_config_names_the_api_accepts_pass(name):
    assert v.check_config_name(name) == name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "must not be empty"),
        ("A" * 256, "must be at most 255 characters long (got 256)"),
        ("1BAD", 'may only contain letters, digits and \'_\' and must not start with a digit (got "1BAD")'),
        ("BAD-NAME", "may only contain letters, digits and '_'"),
        ("WITH:COLON", "may only contain letters, digits and '_'"),
        ("caf\u00e9", "may only contain letters, digits and '_'"),  # \W is ASCII-only in the API's JavaScript
        ("RESIN", 'RESIN, BALENA and USER are reserved names (got "RESIN")'),
        ("BALENA", "reserved names"),
        ("USER", "reserved names"),
        ("BALENA_X", 'must not start with RESIN_ or BALENA_'),
        ("RESIN_", "must not start with RESIN_ or BALENA_"),
    ],
)
def test_environment_names_the_api_refuses_fail_with_the_rule(name, rule):
    with pytest.raises(ValueError) as failure:
        v.check_env_name(name)
    assert rule in str(failure.value)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "must not be empty"),
        ("BALENA_" + "X" * 249, "must be at most 255 characters long (got 256)"),
        ("LOG_LEVEL", 'config variable names must start with RESIN_ or BALENA_ (got "LOG_LEVEL")'),
        ("balena_lower", "must start with RESIN_ or BALENA_"),  # the namespace check is case-sensitive
        (":BALENA_X", "must not start with a digit or ':'"),
        ("1BALENA", "must not start with a digit or ':'"),
        ("BALENA_X-Y", "may only contain letters, digits, '_' and ':'"),
        ("BALENA", 'RESIN, BALENA and USER are reserved names (got "BALENA")'),
        ("USER", "reserved names"),
    ],
)
def test_config_names_the_api_refuses_fail_with_the_rule(name, rule):
    with pytest.raises(ValueError) as failure:
        v.check_config_name(name)
    assert rule in str(failure.value)


def test_values_may_be_empty_or_exactly_100000_characters():
    assert v.check_value("") == ""
    assert len(v.check_value("x" * 100_000)) == 100_000


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("s3cret\nline", "must not contain line breaks"),
        ("s3cret\rline", "must not contain line breaks"),
        ("s3cret" * 20_000, "must be at most 100000 characters long (got 120000)"),
    ],
)
def test_bad_values_fail_without_echoing_the_value(value, rule):
    with pytest.raises(ValueError) as failure:
        v.check_value(value)
    assert rule in str(failure.value)
    assert "s3cret" not in str(failure.value)


def test_parents_are_normalised_and_checked():
    assert v.check_fleet_slug(" Acme/Production ") == "acme/production"
    assert v.check_device_uuid("AB" * 16) == "ab" * 16
    for bad in ("production", "acme/", "acme/prod/x", "acme/prod uction"):
        with pytest.raises(ValueError, match="must be a fleet slug 'org_handle/app_name'"):
            v.check_fleet_slug(bad)
    for bad in ("abc", "g" * 32, "a" * 33):
        with pytest.raises(ValueError, match="must be a full device uuid of 32 or 62 hex characters"):
            v.check_device_uuid(bad)
    with pytest.raises(ValueError, match="at most 63"):
        v.check_service_name("s" * 64)


def test_check_reports_every_bad_field_by_name_and_rule_without_the_value():
    result = FleetEnvVarProvider().check({}, {"fleet": "acme", "name": "1BAD", "value": "top\nsecret"})
    reasons = sorted(f.reason for f in result.failures)
    assert reasons == [
        "fleet: must be a fleet slug 'org_handle/app_name', e.g. 'acme/production' (got 'acme')",
        'name: environment variable names may only contain letters, digits and \'_\' and must not start with a '
        'digit (got "1BAD")',
        "value: must not contain line breaks (\\r or \\n)",
    ]
    assert all("secret" not in r for r in reasons)
    # The engine prints the value of a failure's property next to it, even a secret: value failures name none.
    assert {f.property for f in result.failures} == {"fleet", "name", ""}


def test_config_scopes_use_the_config_rules():
    result = DeviceConfigVarProvider().check({}, {"device": "ab" * 16, "name": "LOG_LEVEL", "value": "1"})
    assert [f.reason for f in result.failures] == [
        'name: config variable names must start with RESIN_ or BALENA_ (got "LOG_LEVEL")'
    ]


def test_bulk_variables_are_checked_name_by_name_without_echoing_values():
    result = FleetEnvVarsProvider().check(
        {}, {"fleet": "acme/production", "variables": {"OK": "1", "1BAD": "x", "BALENA_X": "y", "NL": "hidden\nvalue"}}
    )
    [failure] = result.failures
    assert failure.property == ""  # a named property would make the engine print the whole map
    assert failure.reason.startswith("variables: ")
    assert 'name \'1BAD\': environment variable names may only contain letters' in failure.reason
    assert "name 'BALENA_X': environment variable names must not start with RESIN_ or BALENA_" in failure.reason
    assert "value of NL: must not contain line breaks" in failure.reason
    assert "hidden" not in failure.reason


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
    assert v.parse_import_id("Kind", parent, import_id) == expected


@pytest.mark.parametrize(
    ("parent", "import_id", "shape"),
    [
        (v.FLEET, "acme/production", "expected <FLEET>:<NAME>"),
        (v.FLEET, "acme/production:", "expected <FLEET>:<NAME>"),
        (v.FLEET_SERVICE, "acme/production:X", "expected <FLEET>:<SERVICE>:<NAME>"),
        (v.DEVICE, ":X", "expected <UUID>:<NAME>"),
        (v.DEVICE_SERVICE, "abc:X", "expected <UUID>:<SERVICE>:<NAME>"),
    ],
)
def test_a_malformed_import_id_says_what_was_expected(parent, import_id, shape):
    with pytest.raises(BalenaResourceError) as failure:
        v.parse_import_id("FleetEnvVar", parent, import_id)
    assert shape in str(failure.value)
    assert repr(import_id) in str(failure.value)


def test_two_owners_of_one_variable_in_one_run_are_refused_naming_both():
    def register(run, owner, fleet, names):
        v._register(run, "fleet_env", "fleet environment variable", owner, (fleet,), names)

    run = object.__new__(type("Root", (), {}))
    register(run, 'FleetEnvVar "single"', "acme/production", ["X"])
    register(run, 'FleetEnvVar "single"', "acme/production", ["X"])  # the same owner again is no conflict
    register(run, 'FleetEnvVars "bulk"', "acme/staging", ["X"])  # another fleet
    with pytest.raises(v.DuplicateManagementError) as failure:
        register(run, 'FleetEnvVars "bulk"', "Acme/Production", ["Y", "X"])
    assert str(failure.value).startswith(
        'FleetEnvVar "single" and FleetEnvVars "bulk" both manage the fleet environment variable X of '
        "acme/production"
    )
    other_run = object.__new__(type("Root", (), {}))  # a new program run starts with no claims
    register(other_run, 'FleetEnvVars "bulk"', "acme/production", ["X"])
