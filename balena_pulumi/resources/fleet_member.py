"""``FleetMember``: a user's membership of a fleet, with its role (API resource ``user__is_member_of__application``).

Type token ``pulumi-python:dynamic/balena:FleetMember``. Import id: the numeric membership id or
``org/fleet:USERNAME``. The user must already belong to the fleet's organization (checked in preview).
A role change is one PATCH; a change of fleet or user replaces the membership (deleted first: the pair
is unique). Delete removes the user from the fleet (not from the organization).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi import dynamic
from pulumi.dynamic import CheckFailure
from pydantic import Field, field_validator

from balena_pulumi.client import BadRequest, BalenaClient, Conflict, NotFound

from ._access import check_fleet_slug, check_role, check_username, role_name, split_import_id
from .base import Args, BalenaProvider, BalenaResourceError
from .tokens import FLEET_ROLES


class FleetMemberArgs(Args):
    fleet: str = Field(description="Slug of the fleet, `org_handle/fleet_name`. Changing it replaces.")
    username: str = Field(
        description="Username of an existing user who is a member of the fleet's organization. Changing it replaces."
    )
    role: str = Field(default="developer", description="`observer`, `developer` or `operator`. Updated in place.")

    @field_validator("fleet")
    @classmethod
    def _fleet(cls, value: str) -> str:
        return check_fleet_slug(value)

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        return check_username(value)

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        return check_role(value, FLEET_ROLES)


def _outputs(membership: Any, fleet: str, username: str, role: str) -> dict[str, Any]:
    return {
        "fleet": fleet,
        "username": username,
        "role": role,
        "membership_id": membership.id,
        "fleet_id": membership.is_member_of__application,
        "user_id": membership.user,
        "role_id": membership.application_membership_role,
    }


class FleetMemberProvider(BalenaProvider):
    kind = "FleetMember"
    args_model = FleetMemberArgs
    replace_on = frozenset({"fleet", "username"})

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"FleetMember {inputs.get('fleet')}:{inputs.get('username')}"

    def validate_remote(self, client: BalenaClient, args: FleetMemberArgs, changed: set[str]) -> list[CheckFailure]:
        failures: list[CheckFailure] = []
        if changed & {"fleet", "username"}:
            fleet = user = None
            try:
                fleet = client.fleets.get_by_slug(args.fleet)
            except NotFound:
                failures.append(CheckFailure("fleet", f"fleet: no fleet with slug {args.fleet!r} is visible to this token"))
            try:
                user = client.users.get_by_username(args.username)
            except NotFound:
                failures.append(CheckFailure("username", f"username: no user named {args.username!r}"))
            if fleet is not None and user is not None:
                try:
                    client.organization_members.find(int(fleet.organization), user.id)
                except NotFound:
                    handle = fleet.slug.split("/", 1)[0]
                    failures.append(
                        CheckFailure(
                            "username",
                            f"username: user {args.username!r} is not a member of organization {handle!r}, which "
                            f"owns fleet {args.fleet!r}; a fleet member must belong to the fleet's organization "
                            "(invite them with OrganizationInvite first)",
                        )
                    )
        if "role" in changed:
            client.roles.fleet_role(args.role)  # warms the cache, so the write is a single request
        return failures

    def create_object(self, client: BalenaClient, args: FleetMemberArgs) -> tuple[str, dict[str, Any]]:
        fleet = client.fleets.get_by_slug(args.fleet)
        try:
            membership = client.fleet_members.create(fleet.id, args.username, args.role)
        except Conflict:
            raise BalenaResourceError(
                f"{self.describe(args.model_dump())}: {args.username!r} is already a member of fleet {args.fleet!r}; "
                f"import it (id '{args.fleet}:{args.username}') or remove that membership first"
            ) from None
        except BadRequest as exc:
            raise BalenaResourceError(f"{self.describe(args.model_dump())}: the API refused the membership: {exc.api_message}") from None
        return str(membership.id), _outputs(membership, args.fleet, args.username, args.role)

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        if id_.isdigit():
            membership = client.fleet_members.maybe_get(int(id_))
        else:
            slug, username = split_import_id(id_, "'org/fleet:USERNAME'")
            fleet = client.fleets.get_by_slug(slug)
            user = client.users.get_by_username(username)
            membership = client.fleet_members.find(fleet.id, user.id)
        if membership is None:
            return None
        fleet = props.get("fleet")
        if not fleet or membership.is_member_of__application != props.get("fleet_id"):
            fleet = client.fleets.get(int(membership.is_member_of__application)).slug
        username = props.get("username")
        if not username or membership.user != props.get("user_id"):
            username = client.users.get(int(membership.user)).username
        role = role_name(
            membership.application_membership_role, props.get("role_id"), props.get("role"),
            client.roles.list_fleet_roles,
        )
        outs = _outputs(membership, fleet, username, role)
        outs["__id"] = membership.id
        return outs

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: FleetMemberArgs) -> dict[str, Any]:
        role_id = client.roles.fleet_role(args.role).id
        if role_id != olds.get("role_id"):
            client.fleet_members.update_role(int(id_), args.role)
        return {
            "membership_id": int(id_),
            "fleet_id": olds.get("fleet_id"),
            "user_id": olds.get("user_id"),
            "role_id": role_id,
        }

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        client.fleet_members.delete(int(id_))


class FleetMember(dynamic.Resource, module="balena", name="FleetMember"):
    """A user's membership of a fleet. Outputs: ``membership_id``, ``fleet_id``, ``user_id``, ``role_id``."""

    fleet: pulumi.Output[str]
    username: pulumi.Output[str]
    role: pulumi.Output[str]
    membership_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        username: pulumi.Input[str],
        role: pulumi.Input[str] = "developer",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            FleetMemberProvider(),
            resource_name,
            {
                "fleet": fleet,
                "username": username,
                "role": role,
                "membership_id": None,
                "fleet_id": None,
                "user_id": None,
                "role_id": None,
            },
            opts,
        )
