"""variable-namespaces: config vars inside BALENA_/RESIN_ (minus supervisor-refused names), env vars outside."""

import pytest

from balena_guardrails.variable_namespaces import policy
from balena_pulumi.resources.tokens import (
    BULK_CONFIG_VARIABLE_KINDS,
    BULK_ENV_VARIABLE_KINDS,
    BULK_VARIABLE_KINDS,
    CONFIG_VARIABLE_KINDS,
    ENV_VARIABLE_KINDS,
)
from policy_harness import check

PARENT = {"FleetEnvVar": {"fleet": "acme/production"}, "FleetConfigVar": {"fleet": "acme/production"},
          "FleetBuildVar": {"fleet": "acme/production"},
          "ServiceEnvVar": {"fleet": "acme/production", "service": "main"},
          "DeviceEnvVar": {"device": "a" * 32}, "DeviceConfigVar": {"device": "a" * 32},
          "DeviceServiceEnvVar": {"device": "a" * 32, "service": "main"}}


def var(kind, name):
    return {**PARENT[kind], "name": name, "value": "1"}


@pytest.mark.parametrize("kind", CONFIG_VARIABLE_KINDS)
def test_config_baseline_passes(kind):
    assert check(policy, kind, var(kind, "BALENA_HOST_CONFIG_gpu_mem")) == []
    assert check(policy, kind, var(kind, "RESIN_SUPERVISOR_POLL_INTERVAL")) == []


@pytest.mark.parametrize("kind", ENV_VARIABLE_KINDS)
def test_env_baseline_passes(kind):
    assert check(policy, kind, var(kind, "LOG_LEVEL")) == []
    assert check(policy, kind, var(kind, "balena_lower_case_is_allowed")) == []


@pytest.mark.parametrize("kind", CONFIG_VARIABLE_KINDS)
def test_a_config_var_outside_the_namespaces_fails(kind):
    assert check(policy, kind, var(kind, "LOG_LEVEL")) == [f"{kind} name LOG_LEVEL must start with BALENA_ or RESIN_."]


@pytest.mark.parametrize("name", ["BALENA_RESTART", "RESIN_DEVICE_RESTART", "BALENA_SUPERVISOR_OVERRIDE_LOCK",
                                  "RESIN_SUPERVISOR_NATIVE_LOGGER", "BALENA_HOST_LOG_TO_DISPLAY"])
def test_a_supervisor_refused_config_var_fails(name):
    assert check(policy, "FleetConfigVar", var("FleetConfigVar", name)) == [
        f"FleetConfigVar name {name} is refused by the balena supervisor (blackListedNames)."]


def test_refused_config_names_are_configurable():
    config = {"refusedConfigNames": ["BALENA_HOST_CONFIG_gpu_mem"]}
    assert check(policy, "DeviceConfigVar", var("DeviceConfigVar", "BALENA_RESTART"), config=config) == []
    assert len(check(policy, "DeviceConfigVar", var("DeviceConfigVar", "BALENA_HOST_CONFIG_gpu_mem"),
                     config=config)) == 1


@pytest.mark.parametrize("kind", ENV_VARIABLE_KINDS)
def test_an_env_var_in_the_namespaces_fails(kind):
    assert check(policy, kind, var(kind, "RESIN_MODE")) == [
        f"{kind} name RESIN_MODE is in the BALENA_/RESIN_ namespace reserved for config variables; "
        "use a FleetConfigVar/DeviceConfigVar or rename it."]


def test_a_reserved_env_name_fails():
    assert check(policy, "DeviceEnvVar", var("DeviceEnvVar", "USER")) == [
        "DeviceEnvVar name USER is reserved (BALENA, RESIN, USER)."]


def test_bulk_keys_follow_the_env_rules():
    props = {"fleet": "acme/production", "variables": {"MODE": "a", "BALENA_X": "b", "RESIN": "c"}}
    assert check(policy, "FleetEnvVars", props) == [
        "FleetEnvVars name BALENA_X is in the BALENA_/RESIN_ namespace reserved for config variables; "
        "use a FleetConfigVar/DeviceConfigVar or rename it.",
        "FleetEnvVars name RESIN is reserved (BALENA, RESIN, USER).",
    ]


BULK_PARENT = {"FleetEnvVars": {"fleet": "acme/production"}, "FleetConfigVars": {"fleet": "acme/production"},
               "FleetBuildVars": {"fleet": "acme/production"},
               "ServiceEnvVars": {"fleet": "acme/production", "service": "main"},
               "DeviceEnvVars": {"device": "a" * 32}, "DeviceConfigVars": {"device": "a" * 32},
               "DeviceServiceEnvVars": {"device": "a" * 32, "service": "main"}}


@pytest.mark.parametrize("kind", BULK_CONFIG_VARIABLE_KINDS)
def test_every_name_of_a_bulk_config_map_follows_the_config_rules(kind):
    props = {**BULK_PARENT[kind], "variables": {"BALENA_HOST_CONFIG_gpu_mem": "1", "LOG_LEVEL": "2", "BALENA_RESTART": "3"}}
    assert check(policy, kind, props) == [
        f"{kind} name BALENA_RESTART is refused by the balena supervisor (blackListedNames).",
        f"{kind} name LOG_LEVEL must start with BALENA_ or RESIN_.",
    ]


@pytest.mark.parametrize("kind", BULK_ENV_VARIABLE_KINDS)
def test_every_name_of_a_bulk_env_map_follows_the_env_rules(kind):
    props = {**BULK_PARENT[kind], "variables": {"LOG_LEVEL": "1", "RESIN_MODE": "2"}}
    assert check(policy, kind, props) == [
        f"{kind} name RESIN_MODE is in the BALENA_/RESIN_ namespace reserved for config variables; "
        "use a FleetConfigVar/DeviceConfigVar or rename it."]


def test_every_bulk_variable_kind_is_covered():
    assert set(BULK_CONFIG_VARIABLE_KINDS) | set(BULK_ENV_VARIABLE_KINDS) == set(BULK_VARIABLE_KINDS) == set(BULK_PARENT)
