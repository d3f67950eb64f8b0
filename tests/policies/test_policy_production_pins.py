"""production-pins-exact-release: production pins name one exact final release."""

import pytest

from balena_guardrails.production_pins_exact_release import policy
from policy_harness import NOT_APPLICABLE, check


@pytest.fixture(autouse=True)
def production(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "acme-production")


def baseline(kind="FleetPin", **changes):
    props = {"fleet": "acme/production"} if kind == "FleetPin" else {"device": "a" * 32}
    props["release_version"] = "1.1.0"
    props.update(changes)
    return {k: v for k, v in props.items() if v is not None}


@pytest.mark.parametrize("kind", ["FleetPin", "DevicePin"])
def test_baseline_passes(kind):
    assert check(policy, kind, baseline(kind)) == []


@pytest.mark.parametrize("version", ["1.1.0+rev2", "10.20.30"])
def test_final_versions_with_build_metadata_pass(version):
    assert check(policy, "FleetPin", baseline(release_version=version)) == []


def test_a_full_commit_passes():
    assert check(policy, "DevicePin", baseline("DevicePin", release_version=None, release_commit="ab" * 20)) == []


@pytest.mark.parametrize("kind", ["FleetPin", "DevicePin"])
def test_a_prerelease_fails(kind):
    assert check(policy, kind, baseline(kind, release_version="2.1.0-beta.1")) == [
        f"{kind} release_version 2.1.0-beta.1 is a prerelease; production pins need a final release."]


def test_a_partial_version_fails():
    assert check(policy, "FleetPin", baseline(release_version="1.1")) == [
        "FleetPin release_version 1.1 is not an exact semver version (MAJOR.MINOR.PATCH)."]


def test_a_short_commit_fails():
    assert check(policy, "FleetPin", baseline(release_version=None, release_commit="abc1234")) == [
        "FleetPin release_commit must be a full commit hash (32 or 40 hex characters)."]


def test_a_release_id_fails_unless_allowed():
    props = baseline(release_version=None, release_id=42)
    assert check(policy, "FleetPin", props) == [
        "FleetPin pins by release_id; use release_version or release_commit in production (or set allowReleaseId)."]
    assert check(policy, "FleetPin", props, config={"allowReleaseId": True}) == []


def test_two_selectors_fail():
    assert check(policy, "FleetPin", baseline(release_commit="ab" * 20)) == [
        "FleetPin must name exactly one of release_version, release_commit, release_id (got 2)."]


@pytest.mark.parametrize("stack", ["staging", "dev", "reproduce"])
def test_non_production_stacks_are_not_applicable(monkeypatch, stack):
    monkeypatch.setenv("PULUMI_STACK", stack)
    assert check(policy, "FleetPin", baseline(release_version="2.1.0-beta.1")) == NOT_APPLICABLE


@pytest.mark.parametrize("stack", ["prod", "production", "eu-prod", "PROD_1"])
def test_production_stack_names_match_by_default(monkeypatch, stack):
    monkeypatch.setenv("PULUMI_STACK", stack)
    assert len(check(policy, "FleetPin", baseline(release_version="2.1.0-beta.1"))) == 1


def test_production_detection_is_configurable(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "live")
    props = baseline(release_version="2.1.0-beta.1")
    assert check(policy, "FleetPin", props) == NOT_APPLICABLE
    assert len(check(policy, "FleetPin", props, config={"productionStackPatterns": ["^live$"]})) == 1
    assert len(check(policy, "FleetPin", props, config={"production": True})) == 1
    monkeypatch.setenv("PULUMI_STACK", "production")
    assert check(policy, "FleetPin", props, config={"production": False}) == NOT_APPLICABLE


def test_release_tags_are_not_concerned():
    assert check(policy, "ReleaseTag", {"fleet": "acme/production", "release_version": "2.1.0-beta.1",
                                        "key": "k"}) == []


def test_a_32_character_balena_build_commit_passes():
    assert check(policy, "FleetPin", baseline(release_version=None, release_commit="0123456789abcdef" * 2)) == []
