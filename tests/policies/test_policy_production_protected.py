"""production-resources-protected: Fleet and Organization carry protect in production stacks."""

import pytest

from balena_guardrails.production_resources_protected import policy
from policy_harness import NOT_APPLICABLE, check

PROPS = {"Fleet": {"organization": "acme", "name": "production", "device_type": "raspberrypi4-64"},
         "Organization": {"name": "Acme", "handle": "acme"}}


@pytest.fixture(autouse=True)
def production(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "production")


@pytest.mark.parametrize("kind", list(PROPS))
def test_baseline_protected_passes(kind):
    assert check(policy, kind, PROPS[kind], protect=True) == []


@pytest.mark.parametrize("kind", list(PROPS))
def test_an_unprotected_resource_fails(kind):
    assert check(policy, kind, PROPS[kind]) == [
        f"{kind} in a production stack must set the protect resource option "
        "(opts=pulumi.ResourceOptions(protect=True))."]


def test_non_production_stacks_are_not_applicable(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "staging")
    assert check(policy, "Fleet", PROPS["Fleet"]) == NOT_APPLICABLE


def test_the_production_override_applies():
    assert check(policy, "Fleet", PROPS["Fleet"], config={"production": False}) == NOT_APPLICABLE


def test_other_kinds_are_ignored():
    assert check(policy, "FleetTag", {"fleet": "acme/production", "key": "k"}) == []
