"""The contract OrganizationInvite and FleetInvite share, run over both kinds on the real engine.

An invite is created pending, never changed in place (any input change revokes and re-invites), a
revocation made outside Pulumi is detected by refresh, destroy revokes, bad input fails in preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest
from pulumi import automation as auto

from balena_pulumi.client import BalenaClient
from balena_pulumi.resources.access.fleet_invite import FleetInvite
from balena_pulumi.resources.access.organization_invite import OrganizationInvite

from .harness import problem


def api(deployment) -> BalenaClient:
    return BalenaClient(deployment.sandbox.url, deployment.sandbox.session_token)


@dataclass
class Kind:
    name: str
    scope: str  # the client's invite kind
    parent_field: str
    parent: str
    roles: tuple[str, str]
    member: str  # a user who is already a member of the parent
    build: Callable[..., Any]

    def program(self, invitee: str = "carol", role: str | None = None, message: str | None = "welcome",
                parent: str | None = None):
        def program() -> None:
            import pulumi

            invite = self.build(
                "invite",
                **{self.parent_field: parent or self.parent},
                invitee=invitee,
                role=role or self.roles[0],
                message=message,
            )
            pulumi.export("invite_id", invite.invite_id)
            pulumi.export("pending", invite.pending)

        return program

    def parent_id(self, client: BalenaClient) -> int:
        if self.scope == "fleet":
            return client.fleets.get_by_slug(self.parent).id
        return client.organizations.get_by_handle(self.parent).id

    def invite_ids(self, client: BalenaClient) -> set[int]:
        return {i.id for i in client.invites(self.scope).list(self.parent_id(client))}


KINDS = [
    Kind("OrganizationInvite", "organization", "organization", "acme", ("member", "administrator"), "bob",
         OrganizationInvite),
    Kind("FleetInvite", "fleet", "fleet", "acme/staging", ("developer", "observer"), "", FleetInvite),
]


@pytest.fixture(params=KINDS, ids=[k.name for k in KINDS])
def kind(request) -> Kind:
    return request.param


def test_invite_is_created_pending_and_a_second_up_sends_no_request(deployment, kind):
    result = deployment.up(kind.program())
    assert result.summary.resource_changes.get("create") == 2
    outputs = deployment.outputs()
    assert outputs["pending"] is True
    invite = api(deployment).invites(kind.scope).get(outputs["invite_id"])
    assert invite.message == "welcome"
    assert [w["method"] for w in deployment.writes()] == ["POST"]

    deployment.sandbox.clear_requests()
    again = deployment.up(kind.program())
    assert again.summary.resource_changes == {"same": 2}
    assert deployment.sandbox.requests() == []


@pytest.mark.parametrize("change", ["role", "message", "invitee"])
def test_any_change_revokes_and_invites_again(deployment, kind, change):
    deployment.up(kind.program())
    old_id = deployment.outputs()["invite_id"]
    deployment.sandbox.clear_requests()

    new_values = {"role": kind.roles[1], "message": "hello again", "invitee": "dana@example.com"}
    result = deployment.up(kind.program(**{change: new_values[change]}))

    assert result.summary.resource_changes.get("replace") == 1
    assert [w["method"] for w in deployment.writes()] == ["DELETE", "POST"]
    assert kind.invite_ids(api(deployment)) == {deployment.outputs()["invite_id"]} != {old_id}


def test_an_out_of_band_revocation_is_detected_and_the_next_up_invites_again(deployment, kind):
    deployment.up(kind.program())
    old_id = deployment.outputs()["invite_id"]
    api(deployment).invites(kind.scope).delete(old_id)

    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes.get("delete") == 1
    assert deployment.resources(kind.name) == []

    deployment.up(kind.program())
    assert deployment.outputs()["pending"] is True
    assert kind.invite_ids(api(deployment)) == {deployment.outputs()["invite_id"]}


def test_refresh_of_a_pending_invite_is_one_request(deployment, kind):
    deployment.up(kind.program())
    deployment.sandbox.clear_requests()
    refreshed = deployment.refresh()
    assert refreshed.summary.resource_changes == {"same": 2}
    assert len(deployment.sandbox.requests()) == 1


def test_destroy_revokes_leaving_the_sandbox_as_seeded(deployment, kind):
    seeded = kind.invite_ids(api(deployment))
    deployment.up(kind.program())
    deployment.destroy()
    assert kind.invite_ids(api(deployment)) == seeded
    deployment.destroy()
    assert kind.invite_ids(api(deployment)) == seeded


def _parent_rule(kind) -> str:
    if kind.parent_field == "organization":
        return ("organization: must be an organization handle: lower-case letters, digits and '_' only, 1 to 100 "
                "characters; got 'Bad Parent'")
    return ("fleet: must be a fleet slug 'org_handle/fleet_name' (pass the Fleet's slug output): a handle of "
            "[a-z0-9_], '/', and a fleet name of 4 to 100 characters [a-z0-9_-]; got 'Bad Parent'")


@pytest.mark.parametrize(
    ("change", "line", "reads"),
    [
        ({"role": "owner"}, "role: must be one of {roles}; got 'owner'", False),
        ({"invitee": "not an email"}, "invitee: must be an email address or a balena username; got 'not an email'",
         False),
        ({"invitee": "x@y"}, "invitee: must be an email address or a balena username; got 'x@y'", False),
        ({"invitee": "nobody"}, "invitee: no user named 'nobody'; invite people without an account by email address",
         True),
        ({"message": "hi\x00"}, "message: must not contain NUL bytes (found one at position 2); the API keeps text in "
                                "PostgreSQL, which cannot store them", False),
        ({"parent": "Bad Parent"}, None, False),
    ],
)
def test_invalid_input_fails_in_preview_naming_the_field_and_sends_no_write(deployment, kind, change, line, reads):
    roles = {"organization": "administrator, member", "fleet": "observer, developer, operator"}[kind.parent_field]
    line = _parent_rule(kind) if line is None else line.format(roles=roles)
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(kind.program(**change))
    assert problem(kind.name, "invite", line) in str(failure.value), str(failure.value)
    assert deployment.writes() == [] if reads else deployment.sandbox.requests() == []


def test_inviting_someone_who_is_already_a_member_is_refused_in_preview(deployment, kind):
    member = kind.member
    if not member:  # make alice a member of the fleet first
        client = api(deployment)
        client.fleet_members.create(kind.parent_id(client), "alice", "observer")
        member = "alice"
    deployment.sandbox.clear_requests()
    with pytest.raises(auto.errors.CommandError) as failure:
        deployment.preview(kind.program(invitee=member))
    line = (
        f"invitee: '{member}' is already a member of {kind.parent_field} '{kind.parent}'; manage the membership with "
        f"{kind.name.replace('Invite', 'Member')} instead"
    )
    assert problem(kind.name, "invite", line) in str(failure.value), str(failure.value)
    assert deployment.writes() == []


def test_state_never_holds_the_api_token(deployment, kind):
    deployment.up(kind.program())
    deployment.refresh()
    text = deployment.state_text()
    assert deployment.sandbox.session_token not in text
    assert deployment.sandbox.api_key not in text
