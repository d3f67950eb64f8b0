"""What ``OrganizationInvite`` and ``FleetInvite`` share: an invite is immutable and tracks its acceptance.

Every input change replaces the invite (revoke, then invite again: the (invitee, parent) pair is unique).
``pending`` is true while the invite exists. When it is gone, a username invitee who is now a member means
the invite was accepted: ``pending`` turns false and the resource stays. A username invitee who is not a
member means it was revoked: the resource is gone. An email invitee cannot be matched to a user through
the API (emails are not readable), so a vanished email invite is taken as accepted, never re-sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pulumi.dynamic import CheckFailure

from balena_pulumi.client import BalenaClient, Conflict, NotFound

from ._access import role_name, split_import_id
from .base import BalenaProvider, BalenaResourceError


class InviteProvider(BalenaProvider):
    """Base of the two invite kinds; subclasses name the parent and its lookups."""

    invite_kind: ClassVar[str] = ""  # "organization" or "fleet": the client's invite scope
    parent_field: ClassVar[str] = ""  # input naming the parent (natural key)
    parent_id_field: ClassVar[str] = ""  # output holding the parent's id
    member_kind: ClassVar[str] = ""  # the resource that manages a membership of this parent
    import_form: ClassVar[str] = ""

    # -- kind specifics ----------------------------------------------------------------------------
    def parent_id(self, client: BalenaClient, key: str) -> int:
        raise NotImplementedError

    def parent_key(self, client: BalenaClient, parent_id: int) -> str:
        raise NotImplementedError

    def parent_missing(self, key: str) -> str:
        raise NotImplementedError

    def is_member(self, client: BalenaClient, parent_id: int, user_id: int) -> bool:
        raise NotImplementedError

    def list_roles(self, client: BalenaClient) -> list[Any]:
        raise NotImplementedError

    def role_id(self, client: BalenaClient, role: str) -> int:
        raise NotImplementedError

    # -- lifecycle ---------------------------------------------------------------------------------
    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"{self.kind} {inputs.get(self.parent_field)}:{inputs.get('invitee')}"

    def validate_remote(self, client: BalenaClient, args: Any, changed: set[str]) -> list[CheckFailure]:
        failures: list[CheckFailure] = []
        key = getattr(args, self.parent_field)
        if changed & {self.parent_field, "invitee"}:
            parent_id = user = None
            try:
                parent_id = self.parent_id(client, key)
            except NotFound:
                failures.append(CheckFailure(self.parent_field, f"{self.parent_field}: {self.parent_missing(key)}"))
            if "@" not in args.invitee:
                try:
                    user = client.users.get_by_username(args.invitee)
                except NotFound:
                    failures.append(
                        CheckFailure(
                            "invitee",
                            f"invitee: no user named {args.invitee!r}; invite people without an account by email address",
                        )
                    )
            if parent_id is not None and user is not None and self.is_member(client, parent_id, user.id):
                failures.append(
                    CheckFailure(
                        "invitee",
                        f"invitee: {args.invitee!r} is already a member of {self.parent_field} {key!r}; "
                        f"manage the membership with {self.member_kind} instead",
                    )
                )
        if "role" in changed:
            self.role_id(client, args.role)  # warms the cache, so the create is a single request
        return failures

    def create_object(self, client: BalenaClient, args: Any) -> tuple[str, dict[str, Any]]:
        parent_id = self.parent_id(client, getattr(args, self.parent_field))
        user_id = None if "@" in args.invitee else client.users.get_by_username(args.invitee).id
        try:
            invite = client.invites(self.invite_kind).create(parent_id, args.invitee, args.role, args.message)
        except Conflict:
            raise BalenaResourceError(
                f"{self.describe(args.model_dump())}: {args.invitee!r} already has an invite to this "
                f"{self.parent_field}; revoke it or import it"
            ) from None
        return str(invite.id), {
            "invite_id": invite.id,
            self.parent_id_field: parent_id,
            "user_id": user_id,
            "role_id": invite.role_id,
            "pending": True,
        }

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        invites = client.invites(self.invite_kind)
        if not id_.isdigit():
            key, invitee = split_import_id(id_, self.import_form)
            parent_id = self.parent_id(client, key)
            invite = invites.find(parent_id, invitee)
            props = {**props, self.parent_field: key, "invitee": invitee, "message": invite.message}
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
            key = self.parent_key(client, int(parent_id))
        role = role_name(invite.role_id, props.get("role_id"), props.get("role"), lambda: self.list_roles(client))
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
        raise BalenaResourceError(f"{self.describe(olds)}: an invite cannot be changed, only replaced")

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        if props.get("pending") is False:
            return  # accepted: the invite is gone and the membership belongs to the member resources
        client.invites(self.invite_kind).delete(int(id_))
