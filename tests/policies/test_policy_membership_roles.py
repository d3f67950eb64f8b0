"""membership-roles-least-privilege: administrators from an allow-list, fleet roles limited."""

import pytest

from balena_guardrails.membership_roles_least_privilege import policy
from policy_harness import check

ADMINS = {"administratorAllowList": ["alice"]}

BASELINES = {
    "OrganizationMember": {"organization": "acme", "username": "alice", "role": "administrator"},
    "OrganizationInvite": {"organization": "acme", "invitee": "bob", "role": "member"},
    "FleetMember": {"fleet": "acme/production", "username": "bob", "role": "developer"},
    "FleetInvite": {"fleet": "acme/staging", "invitee": "carol", "role": "observer"},
}


@pytest.mark.parametrize("kind", list(BASELINES))
def test_baseline_passes(kind):
    assert check(policy, kind, BASELINES[kind], config=ADMINS) == []


@pytest.mark.parametrize("kind,who", [("OrganizationMember", "username"), ("OrganizationInvite", "invitee")])
def test_an_administrator_outside_the_allow_list_fails(kind, who):
    props = {**BASELINES[kind], who: "bob", "role": "administrator"}
    assert check(policy, kind, props, config=ADMINS) == [
        f"{kind} gives bob the administrator role; only alice may be organization administrators "
        "(administratorAllowList)."]


def test_by_default_nobody_may_be_administrator():
    assert check(policy, "OrganizationMember", BASELINES["OrganizationMember"]) == [
        "OrganizationMember gives alice the administrator role; no one may be an organization administrator "
        "(administratorAllowList)."]


@pytest.mark.parametrize("kind,who", [("FleetMember", "bob"), ("FleetInvite", "carol")])
def test_the_operator_fleet_role_fails_by_default(kind, who):
    assert check(policy, kind, {**BASELINES[kind], "role": "operator"}) == [
        f"{kind} gives {who} the operator role; allowed fleet roles: observer, developer."]


def test_allowed_fleet_roles_are_configurable():
    props = {**BASELINES["FleetMember"], "role": "developer"}
    assert check(policy, "FleetMember", props, config={"allowedFleetRoles": ["observer"]}) == [
        "FleetMember gives bob the developer role; allowed fleet roles: observer."]


def test_a_missing_fleet_role_counts_as_the_default_developer():
    props = {k: v for k, v in BASELINES["FleetMember"].items() if k != "role"}
    assert check(policy, "FleetMember", props, config={"allowedFleetRoles": ["observer"]}) == [
        "FleetMember gives bob the developer role; allowed fleet roles: observer."]
