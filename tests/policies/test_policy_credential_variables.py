"""credential-variables-must-be-secret: names and high-entropy values need Pulumi secrets."""

import pytest

from balena_pulumi.resources.tokens import BULK_VARIABLE_KINDS
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, Secret
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY
from pulumi_policy.policy import _PolicyAnalyzerServicer

from balena_guardrails import _secrets
from balena_guardrails.credential_variables_are_secret import policy, shannon_entropy
from balena_pulumi.resources.tokens import VARIABLE_KINDS, token
from policy_harness import NOT_APPLICABLE, check

RANDOM = "Kq8vN2xLp4Rt7YzWm3Hc9Jd6Fs1Bg5"  # 4.9 bits per character
HINT = "pass it as pulumi.Output.secret(...) or from `pulumi config set --secret`."

PARENTS = {
    "FleetEnvVar": {"fleet": "acme/production"},
    "FleetConfigVar": {"fleet": "acme/production"},
    "FleetBuildVar": {"fleet": "acme/production"},
    "ServiceEnvVar": {"fleet": "acme/production", "service": "main"},
    "DeviceEnvVar": {"device": "a" * 32},
    "DeviceConfigVar": {"device": "a" * 32},
    "DeviceServiceEnvVar": {"device": "a" * 32, "service": "main"},
}


def baseline(kind="FleetEnvVar", **changes):
    props = {**PARENTS[kind], "name": "DB_PASSWORD", "value": Secret("hunter2")}
    props.update(changes)
    return kind, props


@pytest.mark.parametrize("kind", VARIABLE_KINDS)
def test_a_secret_credential_passes_in_every_variable_scope(kind):
    assert check(policy, *baseline(kind)) == []


@pytest.mark.parametrize("kind", VARIABLE_KINDS)
def test_a_plain_credential_name_fails_in_every_variable_scope(kind):
    assert check(policy, *baseline(kind, value="hunter2")) == [
        f"variable DB_PASSWORD has a credential-looking name but its value is not a Pulumi secret; {HINT}"]


def test_a_plain_high_entropy_value_fails_whatever_the_name():
    assert check(policy, *baseline(name="GREETING", value=RANDOM)) == [
        f"variable GREETING has a high-entropy value but its value is not a Pulumi secret; {HINT}"]


def test_a_plain_ordinary_variable_passes():
    assert check(policy, *baseline(name="LOG_LEVEL", value="debug")) == []


def test_an_empty_value_has_nothing_to_leak():
    assert check(policy, *baseline(value="")) == []


def test_an_unknown_plain_value_with_a_credential_name_fails():
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
    assert len(check(policy, *baseline(value=UNKNOWN_STRING_VALUE))) == 1


def test_name_patterns_are_configurable():
    kind, props = baseline(name="LICENSE", value="abc")
    assert check(policy, kind, props) == []
    assert check(policy, kind, props, config={"namePatterns": ["^LICEN[CS]E$"]}) == [
        f"variable LICENSE has a credential-looking name but its value is not a Pulumi secret; {HINT}"]


def test_entropy_threshold_and_min_length_are_configurable():
    kind, props = baseline(name="GREETING", value=RANDOM)
    assert check(policy, kind, props, config={"entropyThreshold": 5.5}) == []
    assert check(policy, kind, props, config={"entropyMinLength": 40}) == []


def test_exempt_names_are_never_flagged():
    assert check(policy, *baseline(value="hunter2"), config={"exemptNames": ["DB_PASSWORD"]}) == []


def test_bulk_variables_are_checked_per_name():
    props = {"fleet": "acme/production",
             "variables": {"API_TOKEN": "t0ken", "MODE": "fast", "SALT": RANDOM, "DB_KEY": Secret("k")}}
    assert check(policy, "FleetEnvVars", props) == [
        f"variable API_TOKEN has a credential-looking name but its value is not a Pulumi secret; {HINT}",
        f"variable SALT has a high-entropy value but its value is not a Pulumi secret; {HINT}",
    ]


@pytest.mark.parametrize("kind", BULK_VARIABLE_KINDS)
def test_every_bulk_variable_kind_is_checked_per_name(kind):
    props = {"variables": {"DB_PASSWORD": "hunter2", "REGION": "eu", "API_KEY": Secret("k")}}
    assert check(policy, kind, props) == [
        f"variable DB_PASSWORD has a credential-looking name but its value is not a Pulumi secret; {HINT}"]


def test_a_bulk_map_given_as_one_secret_passes():
    props = {"fleet": "acme/production", "variables": Secret({"API_TOKEN": "t0ken", "SALT": RANDOM})}
    assert check(policy, "FleetEnvVars", props) == []


def test_other_kinds_are_ignored():
    assert check(policy, "FleetTag", {"fleet": "acme/production", "key": "TOKEN", "value": "x"}) == []


def test_without_secret_detection_the_policy_declares_itself_not_applicable():
    _secrets.disable_secret_detection()
    assert check(policy, *baseline(value="hunter2")) == NOT_APPLICABLE


def test_shannon_entropy():
    assert shannon_entropy("") == 0
    assert shannon_entropy("aaaa") == 0
    assert shannon_entropy("abcd") == 2


# What pulumi-policy 1.21.0 itself does with a secret input, through its analyzer servicer (no engine,
# no server): the engine marshals secrets with KeepSecrets, i.e. wrapped in the secret signature.

def _analyze(value_wire):
    servicer = _PolicyAnalyzerServicer("balena-guardrails", "0.0.1", [policy], EnforcementLevel.MANDATORY)
    props = json_format.ParseDict({"fleet": "acme/production", "name": "DB_PASSWORD", "value": value_wire},
                                  struct_pb2.Struct())
    request = proto.AnalyzeRequest(type=token("FleetEnvVar"), urn="urn:pulumi:prod::p::t::v", name="v",
                                   properties=props)
    return [d.message for d in servicer.Analyze(request, None).diagnostics]


SECRET_ON_THE_WIRE = {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": "hunter2"}


def test_through_the_analyzer_a_secret_input_passes_and_a_plain_one_fails():
    assert _analyze(SECRET_ON_THE_WIRE) == []
    assert _analyze("hunter2") == [  # the analyzer prefixes the policy description
        f"{policy.description}\nvariable DB_PASSWORD has a credential-looking name but its value is not a Pulumi secret; {HINT}"]


def test_stock_pulumi_policy_unwraps_secrets_before_validate():
    """Why enable_secret_detection exists: unpatched 1.21.0 hands validate the bare plaintext."""
    _secrets.disable_secret_detection()
    seen = []
    from pulumi_policy import ResourceValidationPolicy
    spy = ResourceValidationPolicy("spy", "spy", validate=lambda args, report: seen.append(args.props["value"]))
    servicer = _PolicyAnalyzerServicer("p", "0.0.1", [spy], EnforcementLevel.MANDATORY)
    props = json_format.ParseDict({"value": SECRET_ON_THE_WIRE}, struct_pb2.Struct())
    servicer.Analyze(proto.AnalyzeRequest(type="t", urn="u", name="n", properties=props), None)
    assert seen == ["hunter2"]
