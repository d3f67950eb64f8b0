"""OrganizationMember specifics on the real engine (the shared contract is in test_membership_contract.py).

The API cannot add organization members, so the resource adopts an existing membership, records its
original role, and its destroy removes the member from the organization.
"""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.access.organization_member import OrganizationMember

from .cases import Case, natural
from .harness import problem

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case(
    "OrganizationMember",
    {"organization": "acme", "username": "bob", "role": "member"},
    natural("acme:bob"),
)


def member_program(username: str = "alice", role: str = "administrator"):
    def program() -> None:
        import pulumi

        member = OrganizationMember("member", organization="acme", username=username, role=role)
        pulumi.export("membership_id", member.membership_id)
        pulumi.export("original_role", member.original_role)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def members(deployment) -> dict[str, str]:
    client = api(deployment)
    roles = {r.id: r.name for r in client.roles.list_organization_roles()}
    org = client.organizations.get_by_handle("acme")
    return {
        client.users.get(m.user).username: roles[m.organization_membership_role]
        for m in client.organization_members.list(org.id)
    }


def test_create_adopts_the_existing_membership_records_the_original_role_and_sets_the_new_one(deployment):
    assert members(deployment)["alice"] == "member"
    deployment.sandbox.clear_requests()

    result = deployment.up(member_program(role="administrator"))

    assert result.summary.resource_changes.get("create") == 2
    assert deployment.outputs()["original_role"] == "member"
    assert [w["method"] for w in deployment.writes()] == ["PATCH"]  # no POST: the API has no create
    assert members(deployment)["alice"] == "administrator"


def test_destroy_removes_the_member_from_the_organization(deployment):
    seeded = members(deployment)
    deployment.up(member_program(role="member"))
    deployment.destroy()
    assert members(deployment) == {k: v for k, v in seeded.items() if k != "alice"}
    deployment.destroy()  # already gone: fine
    assert "alice" not in members(deployment)


def test_after_an_out_of_band_removal_the_next_up_says_to_use_an_invite(deployment):
    deployment.up(member_program())
    api(deployment).organization_members.delete(deployment.outputs()["membership_id"])
    deployment.refresh()
    deployment.sandbox.clear_requests()

    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.up(member_program())
    line = (
        "username: user 'alice' is not a member of organization 'acme'; the API cannot add members directly: invite "
        "them with OrganizationInvite (they become members when they accept)"
    )
    assert problem("OrganizationMember", "member", line) in str(failure.value), str(failure.value)
    assert deployment.writes() == []


def test_the_stacks_own_user_is_refused_so_it_cannot_demote_or_remove_itself(deployment):
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(member_program(username="admin", role="member"))
    line = (
        "username: 'admin' is the user this stack logs in as; managing its own membership could demote it or, on "
        "destroy, remove it from the organization: change it by hand"
    )
    assert problem("OrganizationMember", "member", line) in str(failure.value), str(failure.value)
    assert deployment.writes() == []
