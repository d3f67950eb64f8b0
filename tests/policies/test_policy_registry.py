"""The registry, the metadata and docs/policies.md agree; no message ever shows a secret value."""

import pkgutil
import re
from pathlib import Path

import pytest
from pulumi_policy import (EnforcementLevel, ResourceValidationPolicy, Secret, Severity,
                           StackValidationPolicy)

import balena_guardrails
import stacks
from balena_guardrails import ALL_POLICIES, POLICY_MODULES
from policy_harness import NOT_APPLICABLE, StackBuilder, check

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "policies.md").read_text()
DOC_NAMES = re.findall(r"^### `([a-z0-9-]+)`$", DOCS, re.MULTILINE)


def test_every_policy_module_is_registered():
    modules = {m.name for m in pkgutil.iter_modules(balena_guardrails.__path__)
               if not m.name.startswith("_") and m.name != "registry"}
    assert modules == {m.__name__.rsplit(".", 1)[1] for m in POLICY_MODULES}


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: p.name)
def test_every_policy_has_metadata(policy):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", policy.name)
    assert policy.description and policy.description.endswith(".")
    assert isinstance(policy.severity, Severity)
    assert isinstance(policy.enforcement_level, EnforcementLevel)
    assert isinstance(policy, (ResourceValidationPolicy, StackValidationPolicy))


def test_policy_names_are_unique():
    assert len({p.name for p in ALL_POLICIES}) == len(ALL_POLICIES)


def test_docs_list_exactly_the_registered_policies():
    assert sorted(DOC_NAMES) == sorted(p.name for p in ALL_POLICIES)


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: p.name)
def test_docs_give_severity_enforcement_and_every_config_key(policy):
    section = DOCS.split(f"### `{policy.name}`", 1)[1].split("\n### ", 1)[0]
    assert f"Severity: {policy.severity.value}." in section
    assert f"Enforcement: {policy.enforcement_level.value}." in section
    for key in (policy.config_schema.properties if policy.config_schema else {}):
        assert f"`{key}`" in section, key


def test_the_pack_main_builds_the_pack_from_the_registry():
    main = (Path(__file__).resolve().parents[2] / "policies" / "balena-guardrails" / "__main__.py").read_text()
    assert "enable_secret_detection()" in main and "policies=ALL_POLICIES" in main


# Secrets never appear in a message: every value of the non-compliant stack (not the identifiers such
# as variable names or parents) is made a secret, values are made to violate, and all policies run.

IDENTIFIERS = {"fleet", "device", "organization", "service", "name", "key", "title", "handle"}
SECRET_VALUES = {
    "value": "Zq8vN2xLp4Rt7YzWm3Hc9Jd6Fs1Bg5-value", "release_version": "9.9.9-rc.secret",
    "expiry_date": "2999-01-01", "username": "secret-user", "invitee": "secret-invitee",
    "role": "operator", "public_key": "ssh-dss secret-key-material", "description": "secret-description",
}


def _secretize(props):
    out = {}
    for k, v in props.items():
        if k in IDENTIFIERS and not isinstance(v, stacks.Ref):
            out[k] = v
        elif k == "variables":
            out[k] = {n: "Zq8vN2xLp4Rt7YzWm3Hc9Jd6Fs1Bg5-bulk" for n in v}
        elif isinstance(v, stacks.Ref):
            out[k] = v.resource.replace("fleet-", "acme/")
        else:
            out[k] = Secret(SECRET_VALUES.get(k, f"secret-{k}"))
    return out


def test_secret_values_never_appear_in_any_message(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "production")
    messages = []
    builder = StackBuilder()
    for d in stacks.NON_COMPLIANT + stacks.COMPLIANT:
        props = _secretize(d.props)
        for policy in ALL_POLICIES:
            if isinstance(policy, ResourceValidationPolicy):
                result = check(policy, d.kind, props, name=d.name)
                if result != NOT_APPLICABLE:
                    messages += result
        builder.add(d.kind, d.name + ("-2" if d.name in builder.by_name else ""), props)
    for policy in ALL_POLICIES:
        if isinstance(policy, StackValidationPolicy):
            messages += [m for _, m in builder.violations(policy)]
    text = "\n".join(messages)
    assert "[secret]" in text  # the policies did report on secret-valued props
    for value in list(SECRET_VALUES.values()) + ["Zq8vN2xLp4Rt7YzWm3Hc9Jd6Fs1Bg5-bulk", "secret-"]:
        assert value not in text
