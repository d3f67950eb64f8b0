"""FleetMember specifics on the real engine (the shared contract is in test_membership_contract.py)."""

from __future__ import annotations

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.access.fleet_member import FleetMember

from .cases import Case, natural

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case(
    "FleetMember",
    {"fleet": "acme/production", "username": "alice", "role": "developer"},
    natural("acme/production:alice"),
)


def member_program(fleet: str = "acme/staging", username: str = "alice", role: str = "developer"):
    def program() -> None:
        import pulumi

        member = FleetMember("member", fleet=fleet, username=username, role=role)
        pulumi.export("membership_id", member.membership_id)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def memberships(deployment) -> set[tuple[int, int]]:
    client = api(deployment)
    return {(m.is_member_of__application, m.user) for f in client.fleets.list() for m in client.fleet_members.list(f.id)}


def test_a_user_change_replaces_the_membership_deleting_the_old_one_first(deployment):
    deployment.up(member_program(username="alice"))
    old_id = deployment.outputs()["membership_id"]
    deployment.sandbox.clear_requests()

    result = deployment.up(member_program(username="bob"))

    assert result.summary.resource_changes.get("replace") == 1
    assert [w["method"] for w in deployment.writes()] == ["DELETE", "POST"]
    client = api(deployment)
    assert client.fleet_members.maybe_get(old_id) is None
    new = client.fleet_members.get(deployment.outputs()["membership_id"])
    assert new.user == client.users.get_by_username("bob").id


def test_a_fleet_change_replaces_the_membership(deployment):
    deployment.up(member_program(fleet="acme/staging"))
    old_id = deployment.outputs()["membership_id"]
    result = deployment.up(member_program(fleet="acme/production"))
    assert result.summary.resource_changes.get("replace") == 1
    client = api(deployment)
    assert client.fleet_members.maybe_get(old_id) is None
    new = client.fleet_members.get(deployment.outputs()["membership_id"])
    assert new.is_member_of__application == client.fleets.get_by_slug("acme/production").id


def test_after_an_out_of_band_removal_the_next_up_adds_the_member_again(deployment):
    deployment.up(member_program())
    old_id = deployment.outputs()["membership_id"]
    api(deployment).fleet_members.delete(old_id)
    deployment.refresh()
    result = deployment.up(member_program())
    assert result.summary.resource_changes.get("create") == 1
    assert api(deployment).fleet_members.get(deployment.outputs()["membership_id"]).user is not None


def test_destroy_removes_the_membership_leaving_the_sandbox_as_seeded(deployment):
    seeded = memberships(deployment)
    deployment.up(member_program())
    assert len(memberships(deployment)) == len(seeded) + 1
    deployment.destroy()
    assert memberships(deployment) == seeded
    deployment.destroy()
    assert memberships(deployment) == seeded
