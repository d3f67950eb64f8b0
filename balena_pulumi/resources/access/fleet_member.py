"""``FleetMember``: a user's membership of a fleet, with its role (API resource ``user__is_member_of__application``).

Type token ``pulumi-python:dynamic/balena:FleetMember``. Import id: ``org/fleet:USERNAME`` or the numeric
membership id. The user must already belong to the fleet's organization (checked in preview). A role
change is one PATCH; a renamed fleet changes nothing; another fleet or user replaces the membership
(deleted first: the pair is unique). Delete removes the user from the fleet (not from the organization).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator

from balena_pulumi.client import BadRequest, BalenaClient, NotFound

from .. import refs
from ..base import Args, BalenaProvider, resource_props
from ..errors import ResourceError
from ..fields import Change, field, quote
from ..tokens import FLEET_ROLES
from ._rules import check_username, role_name, role_rule

OUTPUTS = ("membership_id", "fleet_id", "user_id", "role_id")


class FleetMemberArgs(Args):
    fleet: refs.FleetSlug = field(refs.FLEET_DOC, change=Change.PARENT)
    username: Annotated[str, AfterValidator(check_username)] = field(
        "Username of an existing user who is a member of the fleet's organization.", change=Change.REPLACE
    )
    role: Annotated[str, AfterValidator(role_rule(FLEET_ROLES))] = field(
        "`observer`, `developer` or `operator`.", change=Change.UPDATE, default="developer"
    )


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
    noun = "fleet membership"
    args_model = FleetMemberArgs
    parents = {"fleet": ("fleet", "fleet_id")}
    import_id = refs.ImportId(("fleet", "username"), "<FLEET>:<USERNAME>", "acme/production:alice")

    def validate_remote(self, client: BalenaClient, args: FleetMemberArgs, changed: set[str]) -> list[str]:
        failures: list[str] = []
        if changed & {"fleet", "username"}:
            fleet = user = None
            try:
                fleet = refs.fleet(client, args.fleet)
            except refs.MissingParent as missing:
                failures.append(str(missing))
            try:
                user = client.users.get_by_username(args.username)
            except NotFound:
                failures.append(f"username: no user named {quote(args.username)}")
            if fleet is not None and user is not None:
                try:
                    client.organization_members.find(int(fleet.organization), user.id)
                except NotFound:
                    handle = fleet.slug.split("/", 1)[0]
                    failures.append(
                        f"username: user {args.username!r} is not a member of organization {handle!r}, which "
                        f"owns fleet {args.fleet!r}; a fleet member must belong to the fleet's organization "
                        "(invite them with OrganizationInvite first)"
                    )
        if "role" in changed:
            client.roles.fleet_role(args.role)  # warms the cache, so the write is a single request
        return failures

    def create_object(self, client: BalenaClient, args: FleetMemberArgs) -> tuple[str, dict[str, Any]]:
        fleet = refs.fleet_id(client, args.fleet)
        try:
            membership = client.fleet_members.create(fleet, args.username, args.role)
        except BadRequest as exc:
            raise ResourceError(
                f"{self.describe(args.model_dump())}: the API refused the membership: {exc.api_message}"
            ) from None
        return str(membership.id), _outputs(membership, args.fleet, args.username, args.role)

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        if id_.isdigit():
            membership = client.fleet_members.maybe_get(int(id_))
        else:
            parts = self.import_id.parse(self.kind, id_)  # type: ignore[union-attr]
            fleet = refs.fleet_id(client, parts["fleet"])
            user = client.users.get_by_username(parts["username"])
            membership = client.fleet_members.find(fleet, user.id)
        if membership is None:
            return None
        fleet_slug = props.get("fleet")
        if not fleet_slug or membership.is_member_of__application != props.get("fleet_id"):
            fleet_slug = refs.fleet_slug_of(client, int(membership.is_member_of__application))
        username = props.get("username")
        if not username or membership.user != props.get("user_id"):
            username = client.users.get(int(membership.user)).username
        role = role_name(
            membership.application_membership_role, props.get("role_id"), props.get("role"),
            client.roles.list_fleet_roles,
        )
        outs = _outputs(membership, fleet_slug, username, role)
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
        inputs = {"fleet": fleet, "username": username, "role": role}
        super().__init__(FleetMemberProvider(), resource_name, resource_props(inputs, OUTPUTS), opts)
