"""What ``OrganizationInvite`` and ``FleetInvite`` share: an invite is immutable and tracks its acceptance.

Every input change replaces the invite (revoke, then invite again: the (invitee, parent) pair is unique),
except a new name of the same parent (a renamed fleet, a new organization handle), which changes nothing.
``pending`` is true while the invite exists. When it is gone, a username invitee who is now a member means
the invite was accepted: ``pending`` turns false and the resource stays. A username invitee who is not a
member means it was revoked: the resource is gone. An email invitee cannot be matched to a user through
the API (emails are not readable), so a vanished email invite is taken as accepted, never re-sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from balena_pulumi.client import BalenaClient, NotFound

from .. import refs
from ..base import BalenaProvider, Replacement
from ..fields import check_text, quote
from ._rules import role_name

OUTPUTS = ("invite_id", "user_id", "role_id", "pending")
MAX_MESSAGE = 1000


def check_message(value: str | None) -> str | None:
    return None if value is None else check_text(value, max_length=MAX_MESSAGE)


@dataclass(frozen=True)
class InviteParent:
    """What an invite kind needs to know of its parent (an organization or a fleet), as data."""

    field: str  # input naming the parent by natural key
    id_output: str  # output holding the parent's id
    invite_kind: str  # the client's invite scope
    member_kind: str  # the resource that manages a membership of this parent
    resolve: Callable[[BalenaClient, str], int]
    name_of: Callable[[BalenaClient, int], str]
    memberships: Callable[[BalenaClient], Any]  # the client's membership service of this parent
    roles: Callable[[BalenaClient], list[Any]]
    role: Callable[[BalenaClient, str], Any]


ORGANIZATION = InviteParent(
    "organization",
    "organization_id",
    "organization",
    "OrganizationMember",
    refs.organization_id,
    refs.handle_of,
    lambda c: c.organization_members,
    lambda c: c.roles.list_organization_roles(),
    lambda c, r: c.roles.organization_role(r),
)
FLEET = InviteParent(
    "fleet",
    "fleet_id",
    "fleet",
    "FleetMember",
    refs.fleet_id,
    refs.fleet_slug_of,
    lambda c: c.fleet_members,
    lambda c: c.roles.list_fleet_roles(),
    lambda c, r: c.roles.fleet_role(r),
)


class InviteProvider(BalenaProvider):
    """One provider for both invite kinds; a kind sets ``parent`` (the table row above) and its args model."""

    parent: ClassVar[InviteParent]
    replacement = Replacement.DELETE_FIRST

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.parents = {cls.parent.field: (cls.parent.field, cls.parent.id_output)}

    def natural_key(self, inputs: Mapping[str, Any]) -> str | None:
        # The API keeps an invite's invitee as an email address, which it does not show for a user invited
        # by username: such an invite can be adopted only by its numeric id.
        if "@" not in str(inputs.get("invitee") or ""):
            return None
        return super().natural_key(inputs)

    @property
    def parent_field(self) -> str:
        return self.parent.field

    @property
    def parent_id_field(self) -> str:
        return self.parent.id_output

    def invites(self, client: BalenaClient) -> Any:
        return client.invites(self.parent.invite_kind)

    def is_member(self, client: BalenaClient, parent_id: int, user_id: int) -> bool:
        try:
            self.parent.memberships(client).find(parent_id, user_id)
        except NotFound:
            return False
        return True

    # -- lifecycle ---------------------------------------------------------------------------------
    def validate_remote(self, client: BalenaClient, args: Any, changed: set[str]) -> list[str]:
        failures: list[str] = []
        key = getattr(args, self.parent_field)
        if changed & {self.parent_field, "invitee"}:
            parent_id = user = None
            try:
                parent_id = self.parent.resolve(client, key)
            except refs.MissingParent as missing:
                failures.append(str(missing))
            if "@" not in args.invitee:
                try:
                    user = client.users.get_by_username(args.invitee)
                except NotFound:
                    failures.append(
                        f"invitee: no user named {quote(args.invitee)}; invite people without an account by email address"
                    )
            if parent_id is not None and user is not None and self.is_member(client, parent_id, user.id):
                failures.append(
                    f"invitee: {args.invitee!r} is already a member of {self.parent_field} {key!r}; "
                    f"manage the membership with {self.parent.member_kind} instead"
                )
        if "role" in changed:
            self.parent.role(client, args.role)  # warms the cache, so the create is a single request
        return failures

    def create_object(self, client: BalenaClient, args: Any) -> tuple[str, dict[str, Any]]:
        parent_id = self.parent.resolve(client, getattr(args, self.parent_field))
        user_id = None if "@" in args.invitee else client.users.get_by_username(args.invitee).id
        invite = self.invites(client).create(parent_id, args.invitee, args.role, args.message)
        return str(invite.id), {
            "invite_id": invite.id,
            self.parent_id_field: parent_id,
            "user_id": user_id,
            "role_id": invite.role_id,
            "pending": True,
        }

    def holds(self, args: Any, outs: Mapping[str, Any]) -> bool:
        return outs.get("role") == args.role and (outs.get("message") or None) == (args.message or None)

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        invites = self.invites(client)
        if not id_.isdigit():
            parts = self.import_id.parse(self.kind, id_)  # type: ignore[union-attr]
            key, invitee = parts[self.parent_field], parts["invitee"]
            parent_id = self.parent.resolve(client, key)
            try:
                invite = invites.find(parent_id, invitee)
            except NotFound:
                return None
            user_id = None
            if "@" not in invitee:
                try:
                    user_id = client.users.get_by_username(invitee).id
                except NotFound:
                    pass
            props = {
                **props,
                self.parent_field: key,
                "invitee": invitee,
                "message": invite.message,
                self.parent_id_field: parent_id,
                "user_id": user_id,
            }
            id_ = str(invite.id)
        outs = {
            name: props.get(name)
            for name in (*self.input_fields, "invite_id", self.parent_id_field, "user_id", "role_id", "pending")
        }
        user_id = props.get("user_id")
        parent_id = props.get(self.parent_id_field)
        if props.get("pending") is False:
            # Accepted earlier: it stays while the invitee is still a member (one request).
            if user_id is not None and not self.is_member(client, int(parent_id), int(user_id)):
                return None
            return outs
        invite = invites.maybe_get(int(id_))
        if invite is None:
            if user_id is None:  # an email invitee: cannot tell accepted from revoked, so never re-send
                return {**outs, "pending": False}
            if parent_id is not None and self.is_member(client, int(parent_id), int(user_id)):
                return {**outs, "pending": False}
            return None
        parent_id = invite.parent_id
        key = props.get(self.parent_field)
        if not key or parent_id != props.get(self.parent_id_field):
            key = self.parent.name_of(client, int(parent_id))
        role = role_name(invite.role_id, props.get("role_id"), props.get("role"), lambda: self.parent.roles(client))
        return {
            **outs,
            self.parent_field: key,
            "role": role,
            "message": invite.message,
            "invite_id": invite.id,
            self.parent_id_field: parent_id,
            "role_id": invite.role_id,
            "pending": True,
            "__id": invite.id,
        }

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: Any) -> dict[str, Any]:
        # Only a new name of the same parent reaches here (every other change replaces): nothing to send.
        return {name: olds.get(name) for name in (*OUTPUTS, self.parent_id_field)}

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        if props.get("pending") is False:
            return  # accepted: the invite is gone and the membership belongs to the member resources
        self.invites(client).delete(int(id_))
