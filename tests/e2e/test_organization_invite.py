"""OrganizationInvite specifics on the real engine (the shared contract is in test_invite_contract.py).

The sandbox has no accept route and no user can create an organization membership, so acceptance of an
organization invite by username is covered by FleetInvite's test of the shared code.
"""

from __future__ import annotations

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.access.organization_invite import OrganizationInvite

from .cases import Case, natural

# How an existing object of this kind is adopted (tests/e2e/test_import.py runs it).
IMPORT_CASE = Case(
    "OrganizationInvite",
    {"organization": "acme", "invitee": "dave@example.com", "role": "member"},
    natural("acme:dave@example.com"),
)


def invite_program(invitee: str = "new.person@example.com", role: str = "member"):
    def program() -> None:
        import pulumi

        invite = OrganizationInvite("invite", organization="acme", invitee=invitee, role=role)
        pulumi.export("invite_id", invite.invite_id)
        pulumi.export("pending", invite.pending)

    return program


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


def test_an_email_invite_that_vanishes_is_taken_as_accepted_and_never_re_sent(deployment):
    deployment.up(invite_program())
    assert deployment.outputs()["pending"] is True
    api(deployment).invites("organization").delete(deployment.outputs()["invite_id"])

    deployment.refresh()
    [invite] = deployment.resources("OrganizationInvite")
    assert invite["outputs"]["pending"] is False

    deployment.sandbox.clear_requests()
    again = deployment.up(invite_program())
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.writes() == []


def test_an_administrator_invite_carries_the_role(deployment):
    deployment.up(invite_program(invitee="carol", role="administrator"))
    client = api(deployment)
    invite = client.invites("organization").get(deployment.outputs()["invite_id"])
    assert invite.role_id == client.roles.organization_role("administrator").id
