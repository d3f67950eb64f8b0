"""The contract FleetMember and OrganizationMember share, run over both kinds on the real engine.

Both manage one user's membership and role: a role change is one PATCH, drift is shown by refresh and
undone by up, a user outside the organization is refused in preview, bad input fails in preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.access.fleet_member import FleetMember
from balena_pulumi.resources.access.organization_member import OrganizationMember

from .harness import problem


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


@dataclass
class Kind:
    name: str
    parent_field: str
    parent: str
    roles: tuple[str, str]  # (declared, changed to)
    build: Callable[..., Any]
    service: Callable[[BalenaClient], Any]

    def program(self, username: str = "alice", role: str | None = None, parent: str | None = None):
        def program() -> None:
            import pulumi

            member = self.build(
                "member", **{self.parent_field: parent or self.parent, "username": username, "role": role or self.roles[0]}
            )
            pulumi.export("membership_id", member.membership_id)

        return program

    def role_of(self, client: BalenaClient, membership_id: int) -> str:
        membership = self.service(client).get(membership_id)
        role_id = membership.application_membership_role if self.name == "FleetMember" else membership.organization_membership_role
        roles = client.roles.list_fleet_roles() if self.name == "FleetMember" else client.roles.list_organization_roles()
        return next(r.name for r in roles if r.id == role_id)


KINDS = [
    Kind("FleetMember", "fleet", "acme/staging", ("developer", "operator"), FleetMember, lambda c: c.fleet_members),
    Kind(
        "OrganizationMember", "organization", "acme", ("member", "administrator"), OrganizationMember,
        lambda c: c.organization_members,
    ),
]


@pytest.fixture(params=KINDS, ids=[k.name for k in KINDS])
def kind(request) -> Kind:
    return request.param


def test_membership_is_managed_and_a_second_up_sends_no_request(deployment, kind):
    result = deployment.up(kind.program())
    assert result.summary.resource_changes.get("create") == 2
    membership_id = deployment.outputs()["membership_id"]
    assert kind.role_of(api(deployment), membership_id) == kind.roles[0]

    deployment.sandbox.clear_requests()
    again = deployment.up(kind.program())
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []


def test_a_role_change_is_one_patch(deployment, kind):
    deployment.up(kind.program())
    membership_id = deployment.outputs()["membership_id"]
    deployment.sandbox.clear_requests()

    result = deployment.up(kind.program(role=kind.roles[1]))

    assert result.summary.resource_changes.get("update") == 1
    assert [(w["method"], w["status"]) for w in deployment.writes()] == [("PATCH", 200)]
    assert deployment.outputs()["membership_id"] == membership_id
    assert kind.role_of(api(deployment), membership_id) == kind.roles[1]


def test_an_out_of_band_role_change_is_shown_by_refresh_and_undone_by_up(deployment, kind):
    deployment.up(kind.program())
    membership_id = deployment.outputs()["membership_id"]
    kind.service(api(deployment)).update_role(membership_id, kind.roles[1])

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("update") == 1
    [member] = deployment.resources(kind.name)
    assert member["outputs"]["role"] == kind.roles[1]

    deployment.sandbox.clear_requests()
    repaired = deployment.up(kind.program())
    assert repaired.summary.resource_changes.get("update") == 1
    assert [w["method"] for w in deployment.writes()] == ["PATCH"]
    assert kind.role_of(api(deployment), membership_id) == kind.roles[0]


def test_an_out_of_band_removal_is_detected_by_refresh(deployment, kind):
    deployment.up(kind.program())
    membership_id = deployment.outputs()["membership_id"]
    kind.service(api(deployment)).delete(membership_id)
    deployment.sandbox.clear_requests()

    refreshed = deployment.refresh()

    assert refreshed.summary.resource_changes.get("delete") == 1
    assert deployment.resources(kind.name) == []
    assert len(deployment.sandbox.requests()) == 1


def test_a_user_outside_the_organization_is_refused_in_preview(deployment, kind):
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(kind.program(username="carol"))
    if kind.name == "FleetMember":
        line = ("username: user 'carol' is not a member of organization 'acme', which owns fleet 'acme/staging'; a "
                "fleet member must belong to the fleet's organization (invite them with OrganizationInvite first)")
    else:
        line = ("username: user 'carol' is not a member of organization 'acme'; the API cannot add members directly: "
                "invite them with OrganizationInvite (they become members when they accept)")
    assert problem(kind.name, "member", line) in str(failure.value), str(failure.value)
    assert deployment.writes() == []


PARENT_RULES = {
    "FleetMember": "fleet: must be a fleet slug 'org_handle/fleet_name' (pass the Fleet's slug output): a handle of "
                   "[a-z0-9_], '/', and a fleet name of 4 to 100 characters [a-z0-9_-]; got 'Not A Parent!'",
    "OrganizationMember": "organization: must be an organization handle: lower-case letters, digits and '_' only, 1 to "
                          "100 characters; got 'Not A Parent!'",
}
MISSING_PARENTS = {
    "FleetMember": ("ghost/fleet", "fleet: no fleet with slug 'ghost/fleet' is visible to this token"),
    "OrganizationMember": ("ghost", "organization: no organization with handle 'ghost' is visible to this token"),
}


@pytest.mark.parametrize(
    ("change", "line", "reads"),
    [
        ({"role": "owner"}, "role: must be one of {roles}; got 'owner'", False),
        ({"username": "no-such user"}, "username: must be a balena username (letters, digits and '_', at most 73 "
                                       "characters); got 'no-such user'", False),
        ({"username": "nobody"}, "username: no user named 'nobody'", True),
        ({"parent": "Not A Parent!"}, "parent rule", False),
        ({"parent": "ghost"}, "missing parent", True),
    ],
)
def test_invalid_input_fails_in_preview_naming_the_field_and_sends_no_write(deployment, kind, change, line, reads):
    change = dict(change)
    roles = "observer, developer, operator" if kind.name == "FleetMember" else "administrator, member"
    if line == "parent rule":
        line = PARENT_RULES[kind.name]
    elif line == "missing parent":
        change["parent"], line = MISSING_PARENTS[kind.name]
    line = line.format(roles=roles)
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(kind.program(**change))
    assert problem(kind.name, "member", line) in str(failure.value), str(failure.value)
    assert deployment.writes() == [] if reads else deployment.sandbox.requests() == []


def test_state_never_holds_the_api_token(deployment, kind):
    deployment.up(kind.program())
    deployment.refresh()
    text = deployment.state_text()
    assert deployment.sandbox.session_token not in text
    assert deployment.sandbox.api_key not in text

