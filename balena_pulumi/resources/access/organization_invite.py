"""``OrganizationInvite``: an invite to join an organization (API ``invitee__is_invited_to__organization``).

Type token ``pulumi-python:dynamic/balena:OrganizationInvite``. Import id: ``HANDLE:INVITEE`` or the numeric
invite id. Any input change replaces the invite (revoke, then invite again), except a new name of the same
organization, which changes nothing. Output ``pending`` stays true until the invite is accepted; an accepted
invite keeps the resource with ``pending: false``. Delete revokes a pending invite (already gone is fine); it
never removes a member.
"""

from __future__ import annotations

from typing import Annotated, Optional

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator

from .. import refs
from ..base import Args, resource_props
from ..fields import Change, field
from ..tokens import ORGANIZATION_ROLES
from ._invites import ORGANIZATION, OUTPUTS, InviteProvider, check_message
from ._rules import check_invitee, role_rule


class OrganizationInviteArgs(Args):
    organization: refs.OrgHandle = field(refs.ORGANIZATION_DOC, change=Change.PARENT)
    invitee: Annotated[str, AfterValidator(check_invitee)] = field(
        "Email address, or the username of an existing user (who must not be a member yet).", change=Change.REPLACE
    )
    role: Annotated[str, AfterValidator(role_rule(ORGANIZATION_ROLES))] = field(
        "`administrator` or `member`.", change=Change.REPLACE, default="member"
    )
    message: Annotated[Optional[str], AfterValidator(check_message)] = field(
        "Text sent with the invite, at most 1000 characters.", change=Change.REPLACE, default=None
    )


class OrganizationInviteProvider(InviteProvider):
    kind = "OrganizationInvite"
    noun = "organization invite"
    args_model = OrganizationInviteArgs
    import_id = refs.ImportId(("organization", "invitee"), "<HANDLE>:<INVITEE>", "acme:dave@example.com")
    parent = ORGANIZATION


class OrganizationInvite(dynamic.Resource, module="balena", name="OrganizationInvite"):
    """An invite to an organization. Outputs: ``invite_id``, ``organization_id``, ``pending``."""

    organization: pulumi.Output[str]
    invitee: pulumi.Output[str]
    role: pulumi.Output[str]
    message: pulumi.Output[str | None]
    invite_id: pulumi.Output[int]
    pending: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        *,
        organization: pulumi.Input[str],
        invitee: pulumi.Input[str],
        role: pulumi.Input[str] = "member",
        message: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"organization": organization, "invitee": invitee, "role": role, "message": message}
        outputs = (*OUTPUTS, "organization_id")
        super().__init__(OrganizationInviteProvider(), resource_name, resource_props(inputs, outputs), opts)
