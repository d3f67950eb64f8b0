"""``OrganizationInvite``: an invite to join an organization (API ``invitee__is_invited_to__organization``).

Type token ``pulumi-python:dynamic/balena:OrganizationInvite``. Import id: the numeric invite id or
``HANDLE:EMAIL``. Any input change replaces the invite (revoke, then invite again). Output ``pending``
stays true until the invite is accepted; an accepted invite keeps the resource with ``pending: false``.
Delete revokes a pending invite (already gone is fine); it never removes a member.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import Field, field_validator

from balena_pulumi.client import BalenaClient, NotFound

from ._access import check_handle, check_invitee, check_role
from ._invites import InviteProvider
from .base import Args
from .tokens import ORGANIZATION_ROLES


class OrganizationInviteArgs(Args):
    organization: str = Field(description="Handle of the organization. Changing it replaces the invite.")
    invitee: str = Field(
        description=(
            "Email address, or the username of an existing user (who must not be a member yet). "
            "Changing it replaces the invite."
        )
    )
    role: str = Field(default="member", description="`administrator` or `member`. Changing it replaces the invite.")
    message: str | None = Field(default=None, description="Text sent with the invite. Changing it replaces the invite.")

    @field_validator("organization")
    @classmethod
    def _organization(cls, value: str) -> str:
        return check_handle(value)

    @field_validator("invitee")
    @classmethod
    def _invitee(cls, value: str) -> str:
        return check_invitee(value)

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        return check_role(value, ORGANIZATION_ROLES)


class OrganizationInviteProvider(InviteProvider):
    kind = "OrganizationInvite"
    args_model = OrganizationInviteArgs
    replace_on = frozenset(OrganizationInviteArgs.model_fields)
    invite_kind = "organization"
    parent_field = "organization"
    parent_id_field = "organization_id"
    member_kind = "OrganizationMember"
    import_form = "'HANDLE:EMAIL'"

    def parent_id(self, client: BalenaClient, key: str) -> int:
        return client.organizations.get_by_handle(key).id

    def parent_key(self, client: BalenaClient, parent_id: int) -> str:
        return client.organizations.get(parent_id).handle

    def parent_missing(self, key: str) -> str:
        return f"no organization with handle {key!r} is visible to this token"

    def is_member(self, client: BalenaClient, parent_id: int, user_id: int) -> bool:
        try:
            client.organization_members.find(parent_id, user_id)
        except NotFound:
            return False
        return True

    def list_roles(self, client: BalenaClient) -> list[Any]:
        return client.roles.list_organization_roles()

    def role_id(self, client: BalenaClient, role: str) -> int:
        return client.roles.organization_role(role).id


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
        super().__init__(
            OrganizationInviteProvider(),
            resource_name,
            {
                "organization": organization,
                "invitee": invitee,
                "role": role,
                "message": message,
                "invite_id": None,
                "organization_id": None,
                "user_id": None,
                "role_id": None,
                "pending": None,
            },
            opts,
        )
