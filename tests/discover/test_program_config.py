"""The root program's ``secrets`` and ``adopt`` config: validation with exact messages, and what the
adoption transformation does to each resource the program registers."""

from __future__ import annotations

import pulumi
import pytest

from balena_pulumi.program import NAMESPACE, Adoption, ConfigError, parse_spec
from balena_pulumi.resources.tokens import TOKEN_PREFIX

BASE = {"organization": "acme", "fleets": [{"name": "production", "manage": False, "variables": {"LOG_LEVEL": "info"}}],
        "devices": [{"uuid": "d82f3c6b77f09441738b4a846666b0ea"}]}


def _raw(**extra):
    import copy

    return {**copy.deepcopy(BASE), **extra}


def test_secret_values_join_the_scope_they_belong_to():
    spec = parse_spec(_raw(secrets={
        "fleets": {"production": {"variables": {"API_TOKEN": "t0k"}, "service_variables": {"main": {"DB_PASSWORD": "pw"}}}},
        "devices": {"d82f3c6b77f09441738b4a846666b0ea": {"config_variables": {"BALENA_X_KEY": "k"}}},
    }))
    fleet = spec.fleets[0]
    assert fleet.variables == {"LOG_LEVEL": "info", "API_TOKEN": "t0k"}
    assert fleet.service_variables == {"main": {"DB_PASSWORD": "pw"}}
    assert spec.devices[0].config_variables == {"BALENA_X_KEY": "k"}
    assert spec._secret_pairs == {("API_TOKEN", "t0k"), ("DB_PASSWORD", "pw"), ("BALENA_X_KEY", "k")}


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        ({"fleets": {"staging": {"variables": {"A": "x"}}}},
         f"{NAMESPACE}:secrets.fleets.staging: {NAMESPACE}:fleets has no fleet named 'staging'"),
        ({"devices": {"0" * 32: {"variables": {"A": "x"}}}},
         f"{NAMESPACE}:secrets.devices.{'0' * 32}: {NAMESPACE}:devices has no device with uuid '{'0' * 32}'"),
        ({"fleets": {"production": {"variables": {"LOG_LEVEL": "x"}}}},
         f"{NAMESPACE}:secrets.fleets.production.variables.LOG_LEVEL: LOG_LEVEL is also given in plain config; "
         "keep it in one place (the secret one)"),
        ({"fleets": {"production": {"tags": {"A": "x"}}}},
         f"{NAMESPACE}:secrets.fleets.production.tags: unknown scope; one of variables, config_variables, "
         "build_variables, service_variables"),
        ({"fleets": {"production": {"variables": {"A": 5}}}},
         f"{NAMESPACE}:secrets.fleets.production.variables.A must be a string"),
        ({"people": {}}, f"{NAMESPACE}:secrets.people: unknown key; {NAMESPACE}:secrets holds fleets and devices"),
    ],
)
def test_bad_secrets_config_names_the_path_and_the_rule(secrets, message):
    with pytest.raises(ConfigError) as failure:
        parse_spec(_raw(secrets=secrets))
    assert str(failure.value) == f"invalid stack config:\n  {message}"


def test_adopt_names_kinds_the_package_has():
    with pytest.raises(ConfigError) as failure:
        parse_spec(_raw(adopt={"organization": "acme", "resources": {"Flet": {"production": "acme/production"}}}))
    assert str(failure.value).startswith(
        f"invalid stack config:\n  {NAMESPACE}:adopt.resources: 'Flet' is not a balena resource kind (one of ApiKey, "
    )


def _args(kind: str, name: str, props: dict) -> pulumi.ResourceTransformationArgs:
    return pulumi.ResourceTransformationArgs(
        resource=None, type_=TOKEN_PREFIX + kind, name=name, props=props, opts=pulumi.ResourceOptions()  # type: ignore[arg-type]
    )


def test_a_named_resource_is_adopted_with_its_recorded_id_and_protected():
    adoption = Adoption(parse_spec(_raw(adopt={"organization": "acme", "resources": {
        "FleetTag": {"production-tag-owner": "acme/production:owner"}, "ApiKey": {"api-key-ci": "12"}}})))
    result = adoption(_args("FleetTag", "production-tag-owner", {"key": "owner"}))
    assert result.opts.import_ == "acme/production:owner" and result.opts.protect is True
    assert adoption(_args("FleetTag", "production-tag-other", {"key": "other"})) is None
    assert adoption.unused() == ["ApiKey api-key-ci"]


def test_protect_false_adopts_without_protecting():
    adoption = Adoption(parse_spec(_raw(adopt={"organization": "acme", "protect": False, "resources": {
        "FleetTag": {"production-tag-owner": "acme/production:owner"}}})))
    result = adoption(_args("FleetTag", "production-tag-owner", {}))
    assert result.opts.import_ == "acme/production:owner" and not result.opts.protect


def test_another_organization_adopts_only_what_belongs_to_the_user():
    spec = parse_spec(_raw(organization="beta", adopt={"organization": "acme", "resources": {
        "Fleet": {"production": "acme/production"}, "ApiKey": {"api-key-ci": "12"}, "SshKey": {"ssh-key-a": "3"}}}))
    adoption = Adoption(spec)
    assert adoption(_args("Fleet", "production", {})) is None
    assert adoption(_args("ApiKey", "api-key-ci", {})).opts.import_ == "12"
    assert adoption(_args("SshKey", "ssh-key-a", {})).opts.import_ == "3"
    assert adoption.unused() == []


def test_a_value_from_the_secret_config_reaches_its_resource_as_a_secret():
    spec = parse_spec(_raw(secrets={"fleets": {"production": {"variables": {"API_TOKEN": "t0k"}}}}))
    adoption = Adoption(spec)
    single = adoption(_args("FleetEnvVar", "x", {"name": "API_TOKEN", "value": "t0k"}))
    assert isinstance(single.props["value"], pulumi.Output)
    bulk = adoption(_args("FleetEnvVars", "x", {"variables": {"API_TOKEN": "t0k", "LOG_LEVEL": "info"}}))
    assert isinstance(bulk.props["variables"], pulumi.Output)
    # The same name with another value, or another name with the same value, is not that secret.
    assert adoption(_args("FleetEnvVar", "y", {"name": "API_TOKEN", "value": "other"})) is None
    assert adoption(_args("DeviceEnvVar", "z", {"name": "OTHER", "value": "t0k"})) is None
