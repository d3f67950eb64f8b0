"""The example stacks in stacks.py, run through every policy without the engine.

Refs are resolved the two ways the engine can present them: known (an update, slug output set) and
unknown (a first preview), with the property dependency pointing at the Fleet either way.
"""

import pytest
from pulumi_policy import ResourceValidationPolicy, Secret as PolicySecret, StackValidationPolicy
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

import stacks
from balena_guardrails import ALL_POLICIES
from policy_harness import NOT_APPLICABLE, StackBuilder, check


def _convert(value, known, deps, prop, by_name):
    if isinstance(value, stacks.Secret):
        return PolicySecret(_convert(value.value, known, deps, prop, by_name))
    if isinstance(value, stacks.Ref):
        deps[prop] = value.resource
        target = by_name[value.resource]
        return f"{target.props['organization']}/{target.props['name']}" if known else UNKNOWN_STRING_VALUE
    if isinstance(value, dict):
        return {k: _convert(v, known, deps, prop, by_name) for k, v in value.items()}
    return value


def run_all(declarations, known=True):
    by_name = {d.name: d for d in declarations}
    found = set()
    builder = StackBuilder()
    for d in declarations:
        deps = {}
        props = {k: _convert(v, known, deps, k, by_name) for k, v in d.props.items()}
        if d.kind == "Fleet" and known:
            props["slug"] = f"{props['organization']}/{props['name']}"
        builder.add(d.kind, d.name, props, protect=d.options.get("protect", False), depends=deps)
        for policy in ALL_POLICIES:
            if isinstance(policy, ResourceValidationPolicy):
                result = check(policy, d.kind, props, name=d.name, protect=d.options.get("protect", False),
                               config=stacks.PACK_CONFIG.get(policy.name))
                if result != NOT_APPLICABLE and result:
                    found.add((policy.name, d.name))
    for policy in ALL_POLICIES:
        if isinstance(policy, StackValidationPolicy):
            for name, _ in builder.violations(policy, stacks.PACK_CONFIG.get(policy.name)):
                found.add((policy.name, name))
    return found


@pytest.fixture(autouse=True)
def production_stack(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", stacks.STACK_NAME)


@pytest.mark.parametrize("known", [True, False], ids=["update", "first-preview"])
def test_the_compliant_stack_has_no_violation(known):
    assert run_all(stacks.COMPLIANT, known) == set()


@pytest.mark.parametrize("known", [True, False], ids=["update", "first-preview"])
def test_the_non_compliant_stack_has_exactly_the_expected_violations(known):
    assert run_all(stacks.NON_COMPLIANT, known) == stacks.EXPECTED_VIOLATIONS


def test_every_policy_is_exercised_by_the_non_compliant_stack():
    assert {p for p, _ in stacks.EXPECTED_VIOLATIONS} == {p.name for p in ALL_POLICIES}


def test_declarations_use_only_contract_kinds_and_unique_names():
    from balena_pulumi.resources.tokens import KINDS
    for declarations in (stacks.COMPLIANT, stacks.NON_COMPLIANT):
        assert all(d.kind in KINDS for d in declarations)
        assert len({d.name for d in declarations}) == len(declarations)
