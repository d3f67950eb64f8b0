"""``FleetInvite``: an invite to join a fleet (API ``invitee__is_invited_to__application``).

Type token ``pulumi-python:dynamic/balena:FleetInvite``. Import id: ``org/fleet:INVITEE`` or the numeric
invite id. Any input change replaces the invite (revoke, then invite again), except a new name of the same
fleet, which changes nothing. Output ``pending`` stays true until the invite is accepted; an accepted invite
keeps the resource with ``pending: false``. Delete revokes a pending invite (already gone is fine); it never
removes a member.
"""

from __future__ import annotations

from typing import Annotated, Optional

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator

from .. import refs
from ..base import Args, resource_props
from ..fields import Change, field
from ..tokens import FLEET_ROLES
from ._invites import FLEET, OUTPUTS, InviteProvider, check_message
from ._rules import check_invitee, role_rule


class FleetInviteArgs(Args):
    fleet: refs.FleetSlug = field(refs.FLEET_DOC, change=Change.PARENT)
    invitee: Annotated[str, AfterValidator(check_invitee)] = field(
        "Email address, or the username of an existing user (who must not be a member yet).", change=Change.REPLACE
    )
    role: Annotated[str, AfterValidator(role_rule(FLEET_ROLES))] = field(
        "`observer`, `developer` or `operator`.", change=Change.REPLACE, default="developer"
    )
    message: Annotated[Optional[str], AfterValidator(check_message)] = field(
        "Text sent with the invite, at most 1000 characters.", change=Change.REPLACE, default=None
    )


class FleetInviteProvider(InviteProvider):
    kind = "FleetInvite"
    noun = "fleet invite"
    args_model = FleetInviteArgs
    import_id = refs.ImportId(("fleet", "invitee"), "<FLEET>:<INVITEE>", "acme/production:erin@example.com")
    parent = FLEET


class FleetInvite(dynamic.Resource, module="balena", name="FleetInvite"):
    """An invite to a fleet. Outputs: ``invite_id``, ``fleet_id``, ``pending``."""

    fleet: pulumi.Output[str]
    invitee: pulumi.Output[str]
    role: pulumi.Output[str]
    message: pulumi.Output[str | None]
    invite_id: pulumi.Output[int]
    pending: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        invitee: pulumi.Input[str],
        role: pulumi.Input[str] = "developer",
        message: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"fleet": fleet, "invitee": invitee, "role": role, "message": message}
        outputs = (*OUTPUTS, "fleet_id")
        super().__init__(FleetInviteProvider(), resource_name, resource_props(inputs, outputs), opts)
