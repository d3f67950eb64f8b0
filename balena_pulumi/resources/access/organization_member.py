"""``OrganizationMember``: the role of an existing member of an organization (API ``organization_membership``).

Type token ``pulumi-python:dynamic/balena:OrganizationMember``. Import id: ``HANDLE:USERNAME`` or the
numeric membership id. The API cannot add members (people join by accepting an invite), so "create"
finds the user's membership, records its role as ``original_role`` and sets the declared role; a user who
is not a member fails in preview (use ``OrganizationInvite``). A role change is one PATCH; a new handle
of the same organization changes nothing; another organization or user replaces. **Delete removes the
user from the organization** (and so from its fleets).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator

from balena_pulumi.client import BalenaClient, NotFound

from .. import refs
from ..base import Args, BalenaProvider, resource_props
from ..fields import Change, field, quote
from ..tokens import ORGANIZATION_ROLES
from ._rules import check_username, role_name, role_rule

OUTPUTS = ("membership_id", "organization_id", "user_id", "role_id", "original_role")


class OrganizationMemberArgs(Args):
    organization: refs.OrgHandle = field(refs.ORGANIZATION_DOC, change=Change.PARENT)
    username: Annotated[str, AfterValidator(check_username)] = field(
        "Username of a user who is already a member.", change=Change.REPLACE
    )
    role: Annotated[str, AfterValidator(role_rule(ORGANIZATION_ROLES))] = field(
        "`administrator` or `member`.", change=Change.UPDATE, default="member"
    )


def _outputs(membership: Any, organization: str, username: str, role: str | None) -> dict[str, Any]:
    return {
        "organization": organization,
        "username": username,
        "role": role,
        "membership_id": membership.id,
        "organization_id": membership.is_member_of__organization,
        "user_id": membership.user,
        "role_id": membership.organization_membership_role,
    }


class OrganizationMemberProvider(BalenaProvider):
    kind = "OrganizationMember"
    noun = "organization membership"
    args_model = OrganizationMemberArgs
    parents = {"organization": ("organization", "organization_id")}
    import_id = refs.ImportId(("organization", "username"), "<HANDLE>:<USERNAME>", "acme:alice")

    def validate_remote(self, client: BalenaClient, args: OrganizationMemberArgs, changed: set[str]) -> list[str]:
        failures: list[str] = []
        if changed & {"organization", "username"}:
            org = user = None
            try:
                org = refs.organization_id(client, args.organization)
            except refs.MissingParent as missing:
                failures.append(str(missing))
            try:
                user = client.users.get_by_username(args.username)
            except NotFound:
                failures.append(f"username: no user named {quote(args.username)}")
            if user is not None and user.id == client.user_id():
                failures.append(
                    f"username: {args.username!r} is the user this stack logs in as; managing its own membership "
                    "could demote it or, on destroy, remove it from the organization: change it by hand"
                )
            elif org is not None and user is not None:
                try:
                    client.organization_members.find(org, user.id)
                except NotFound:
                    failures.append(
                        f"username: user {args.username!r} is not a member of organization {args.organization!r}; "
                        "the API cannot add members directly: invite them with OrganizationInvite "
                        "(they become members when they accept)"
                    )
        if "role" in changed:
            client.roles.organization_role(args.role)  # warms the cache, so the write is a single request
        return failures

    def create_object(self, client: BalenaClient, args: OrganizationMemberArgs) -> tuple[str, dict[str, Any]]:
        org = refs.organization_id(client, args.organization)
        user = client.users.get_by_username(args.username)
        membership = client.organization_members.find(org, user.id)
        role_id = client.roles.organization_role(args.role).id
        original = role_name(
            membership.organization_membership_role, role_id, args.role, client.roles.list_organization_roles
        )
        if membership.organization_membership_role != role_id:
            client.organization_members.update_role(membership.id, args.role)
        outs = _outputs(membership, args.organization, args.username, args.role)
        return str(membership.id), {**outs, "role_id": role_id, "original_role": original}

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        if id_.isdigit():
            membership = client.organization_members.maybe_get(int(id_))
        else:
            parts = self.import_id.parse(self.kind, id_)  # type: ignore[union-attr]
            org = refs.organization_id(client, parts["organization"])
            user = client.users.get_by_username(parts["username"])
            membership = client.organization_members.find(org, user.id)
        if membership is None:
            return None
        organization = props.get("organization")
        if not organization or membership.is_member_of__organization != props.get("organization_id"):
            organization = refs.handle_of(client, int(membership.is_member_of__organization))
        username = props.get("username")
        if not username or membership.user != props.get("user_id"):
            username = client.users.get(int(membership.user)).username
        role = role_name(
            membership.organization_membership_role, props.get("role_id"), props.get("role"),
            client.roles.list_organization_roles,
        )
        outs = _outputs(membership, organization, username, role)
        outs["original_role"] = props.get("original_role") or role
        outs["__id"] = membership.id
        return outs

    def update_object(
        self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: OrganizationMemberArgs
    ) -> dict[str, Any]:
        role_id = client.roles.organization_role(args.role).id
        if role_id != olds.get("role_id"):
            client.organization_members.update_role(int(id_), args.role)
        return {
            "membership_id": int(id_),
            "organization_id": olds.get("organization_id"),
            "user_id": olds.get("user_id"),
            "role_id": role_id,
            "original_role": olds.get("original_role"),
        }

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        # The membership was never created by Pulumi, but destroying the resource means "this person is no
        # longer a member": the API has no way to give the original state back other than a new invite.
        client.organization_members.delete(int(id_))


class OrganizationMember(dynamic.Resource, module="balena", name="OrganizationMember"):
    """The role of an existing organization member. Destroying it REMOVES the member from the organization.

    Outputs: ``membership_id``, ``organization_id``, ``user_id``, ``role_id``, ``original_role``.
    """

    organization: pulumi.Output[str]
    username: pulumi.Output[str]
    role: pulumi.Output[str]
    membership_id: pulumi.Output[int]
    original_role: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        organization: pulumi.Input[str],
        username: pulumi.Input[str],
        role: pulumi.Input[str] = "member",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"organization": organization, "username": username, "role": role}
        super().__init__(OrganizationMemberProvider(), resource_name, resource_props(inputs, OUTPUTS), opts)
