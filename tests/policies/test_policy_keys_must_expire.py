"""keys-must-expire: ApiKey and ProvisioningKey expire within maxDays."""

from datetime import datetime, timezone

import pytest

from balena_guardrails import keys_must_expire
from balena_guardrails.keys_must_expire import policy
from policy_harness import check

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(keys_must_expire, "clock", lambda: NOW)


def baseline(kind="ApiKey", **changes):
    props = {"name": "ci", "description": "CI deploys", "expiry_date": "2026-03-01"}
    if kind == "ProvisioningKey":
        props["fleet"] = "acme/production"
    props.update(changes)
    return {k: v for k, v in props.items() if v is not None}


@pytest.mark.parametrize("kind", ["ApiKey", "ProvisioningKey"])
def test_baseline_passes(kind):
    assert check(policy, kind, baseline(kind)) == []


@pytest.mark.parametrize("kind", ["ApiKey", "ProvisioningKey"])
def test_a_missing_expiry_fails(kind):
    assert check(policy, kind, baseline(kind, expiry_date=None)) == [
        f"{kind} has no expiry_date; set one at most 90 days ahead."]


def test_an_expiry_beyond_the_limit_fails():
    assert check(policy, "ApiKey", baseline(expiry_date="2026-06-01T00:00:00Z")) == [
        "ApiKey expiry_date 2026-06-01T00:00:00Z is later than the allowed 90 days (latest 2026-04-01)."]


def test_max_days_is_configurable():
    assert check(policy, "ApiKey", baseline(), config={"maxDays": 30}) == [
        "ApiKey expiry_date 2026-03-01 is later than the allowed 30 days (latest 2026-01-31)."]


def test_an_unparseable_expiry_fails():
    assert check(policy, "ProvisioningKey", baseline("ProvisioningKey", expiry_date="next year")) == [
        "ProvisioningKey expiry_date next year is not an ISO 8601 date or datetime."]


def test_datetimes_with_offsets_are_compared_in_utc():
    assert check(policy, "ApiKey", baseline(expiry_date="2026-04-01T13:00:00+02:00")) == []


def test_ssh_keys_are_not_concerned():
    assert check(policy, "SshKey", {"title": "t", "public_key": "x"}) == []
