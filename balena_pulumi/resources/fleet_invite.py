"""``FleetInvite``: an invite to join a fleet (API ``invitee__is_invited_to__application``).

Type token ``pulumi-python:dynamic/balena:FleetInvite``. Import id: the numeric invite id or
``org/fleet:EMAIL``. Any input change replaces the invite (revoke, then invite again). Output ``pending``
stays true until the invite is accepted; an accepted invite keeps the resource with ``pending: false``.
Delete revokes a pending invite (already gone is fine); it never removes a member.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import Field, field_validator

from balena_pulumi.client import BalenaClient, NotFound

from ._access import check_fleet_slug, check_invitee, check_role
from ._invites import InviteProvider
from .base import Args
from .tokens import FLEET_ROLES


class FleetInviteArgs(Args):
    fleet: str = Field(description="Slug of the fleet, `org_handle/fleet_name`. Changing it replaces the invite.")
    invitee: str = Field(
        description=(
            "Email address, or the username of an existing user (who must not be a member of the fleet yet). "
            "Changing it replaces the invite."
        )
    )
    role: str = Field(
        default="developer", description="`observer`, `developer` or `operator`. Changing it replaces the invite."
    )
    message: str | None = Field(default=None, description="Text sent with the invite. Changing it replaces the invite.")

    @field_validator("fleet")
    @classmethod
    def _fleet(cls, value: str) -> str:
        return check_fleet_slug(value)

    @field_validator("invitee")
    @classmethod
    def _invitee(cls, value: str) -> str:
        return check_invitee(value)

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        return check_role(value, FLEET_ROLES)


class FleetInviteProvider(InviteProvider):
    kind = "FleetInvite"
    args_model = FleetInviteArgs
    replace_on = frozenset(FleetInviteArgs.model_fields)
    invite_kind = "fleet"
    parent_field = "fleet"
    parent_id_field = "fleet_id"
    member_kind = "FleetMember"
    import_form = "'org/fleet:EMAIL'"

    def parent_id(self, client: BalenaClient, key: str) -> int:
        return client.fleets.get_by_slug(key).id

    def parent_key(self, client: BalenaClient, parent_id: int) -> str:
        return client.fleets.get(parent_id).slug

    def parent_missing(self, key: str) -> str:
        return f"no fleet with slug {key!r} is visible to this token"

    def is_member(self, client: BalenaClient, parent_id: int, user_id: int) -> bool:
        try:
            client.fleet_members.find(parent_id, user_id)
        except NotFound:
            return False
        return True

    def list_roles(self, client: BalenaClient) -> list[Any]:
        return client.roles.list_fleet_roles()

    def role_id(self, client: BalenaClient, role: str) -> int:
        return client.roles.fleet_role(role).id


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
        super().__init__(
            FleetInviteProvider(),
            resource_name,
            {
                "fleet": fleet,
                "invitee": invitee,
                "role": role,
                "message": message,
                "invite_id": None,
                "fleet_id": None,
                "user_id": None,
                "role_id": None,
                "pending": None,
            },
            opts,
        )
