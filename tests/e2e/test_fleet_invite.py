"""FleetInvite specifics on the real engine: acceptance (the shared contract is in test_invite_contract.py)."""

from __future__ import annotations

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.access.fleet_invite import FleetInvite

from .cases import Case, natural

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case(
    "FleetInvite",
    {"fleet": "acme/production", "invitee": "erin@example.com", "role": "observer"},
    natural("acme/production:erin@example.com"),
)


def invite_program(invitee: str = "alice"):
    def program() -> None:
        import pulumi

        invite = FleetInvite("invite", fleet="acme/staging", invitee=invitee, role="observer")
        pulumi.export("invite_id", invite.invite_id)
        pulumi.export("pending", invite.pending)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def accept(deployment, invite_id: int, username: str) -> None:
    """What accepting does (the sandbox has no accept route): the invite goes, the membership comes."""
    client = api(deployment)
    client.invites("fleet").delete(invite_id)
    client.fleet_members.create(client.fleets.get_by_slug("acme/staging").id, username, "observer")


def test_an_accepted_invite_stays_with_pending_false_and_destroy_leaves_the_member(deployment):
    deployment.up(invite_program())
    invite_id = deployment.outputs()["invite_id"]
    accept(deployment, invite_id, "alice")

    deployment.refresh()
    [invite] = deployment.resources("FleetInvite")
    assert invite["outputs"]["pending"] is False

    deployment.sandbox.clear_requests()
    again = deployment.up(invite_program())
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.writes() == []

    deployment.sandbox.clear_requests()
    deployment.refresh()
    assert len(deployment.sandbox.requests()) == 1  # only the membership is checked now

    deployment.destroy()
    assert deployment.writes() == []  # nothing to revoke; the membership is not the invite's
    client = api(deployment)
    fleet_id = client.fleets.get_by_slug("acme/staging").id
    assert client.fleet_members.find(fleet_id, client.users.get_by_username("alice").id)


def test_an_invite_revoked_before_acceptance_is_gone_not_accepted(deployment):
    deployment.up(invite_program())
    api(deployment).invites("fleet").delete(deployment.outputs()["invite_id"])
    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("delete") == 1
