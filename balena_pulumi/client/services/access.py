"""Services for who may do what: roles, memberships, invites, API keys, SSH keys and whoami."""

from __future__ import annotations

import datetime as _dt
import threading
from typing import Any, Mapping

from pydantic import SecretStr

from .. import odata
from ..errors import FreshLoginRequired, NotFound, SessionTokenRequired, Unauthorized, UnexpectedResponse
from ..models import ApiKey, FleetMembership, Invite, NewApiKey, OrganizationMembership, Role, SshKey, Whoami
from ._base import Service as _Service

ROLE_RESOURCES = {"fleet": "application_membership_role", "organization": "organization_membership_role"}


class Roles:
    """Membership roles by name (cached per client): fleet roles observer/developer/operator, org roles
    administrator/member."""

    def __init__(self, client) -> None:
        self._fleet = _RoleService(client, "fleet")
        self._org = _RoleService(client, "organization")

    def fleet_role(self, name: str) -> Role:
        return self._fleet.by_name(name)

    def organization_role(self, name: str) -> Role:
        return self._org.by_name(name)

    def list_fleet_roles(self) -> list[Role]:
        return self._fleet._list()

    def list_organization_roles(self) -> list[Role]:
        return self._org._list()


class _RoleService(_Service[Role]):
    model = Role

    def __init__(self, client, kind: str) -> None:
        super().__init__(client)
        self.resource = ROLE_RESOURCES[kind]
        self.label = f"{kind} role"
        self.cache_ns = self.resource

    def by_name(self, name: str) -> Role:
        def fetch():
            rows = self._get_rows(filter=odata.eq("name", name), top=1, orderby="id asc")
            return self._from_wire(rows[0]) if rows else None

        return self._cached(name, fetch, f"named {name!r}")


class FleetMembers(_Service[FleetMembership]):
    resource, model, label = "user__is_member_of__application", FleetMembership, "fleet membership"

    def list(self, fleet_id: int) -> list[FleetMembership]:
        return self._list(odata.eq("is_member_of__application", int(fleet_id)))

    def find(self, fleet_id: int, user_id: int) -> FleetMembership:
        rows = self._get_rows(
            filter=odata.and_(odata.eq("is_member_of__application", int(fleet_id)), odata.eq("user", int(user_id))),
            top=1,
            orderby="id asc",
        )
        if not rows:
            raise self._not_found(f"of user {user_id} in fleet {fleet_id}")
        return self._from_wire(rows[0])

    def create(self, fleet_id: int, username: str, role: str = "developer") -> FleetMembership:
        """Add a user (by username) to a fleet; one POST once the role name is cached."""
        role_id = self._client.roles.fleet_role(role).id
        return self._create(
            {
                "username": username.strip().lower(),
                "is_member_of__application": int(fleet_id),
                "application_membership_role": role_id,
            }
        )

    def update_role(self, id: int, role: str) -> None:
        self._patch(id, {"application_membership_role": self._client.roles.fleet_role(role).id})


class OrganizationMembers(_Service[OrganizationMembership]):
    """Organization memberships. The API has no create: members join through invites."""

    resource, model, label = "organization_membership", OrganizationMembership, "organization membership"

    def list(self, organization_id: int) -> list[OrganizationMembership]:
        return self._list(odata.eq("is_member_of__organization", int(organization_id)))

    def find(self, organization_id: int, user_id: int) -> OrganizationMembership:
        rows = self._get_rows({"user": int(user_id), "is_member_of__organization": int(organization_id)})
        if not rows:
            raise self._not_found(f"of user {user_id} in organization {organization_id}")
        return self._from_wire(rows[0])

    def update_role(self, id: int, role: str) -> None:
        self._patch(id, {"organization_membership_role": self._client.roles.organization_role(role).id})


INVITE_SCOPES = {
    "fleet": ("invitee__is_invited_to__application", "is_invited_to__application", "application_membership_role"),
    "organization": (
        "invitee__is_invited_to__organization",
        "is_invited_to__organization",
        "organization_membership_role",
    ),
}


class Invites(_Service[Invite]):
    """Invites to a fleet (``kind="fleet"``) or an organization (``kind="organization"``)."""

    model = Invite

    def __init__(self, client, kind: str) -> None:
        if kind not in INVITE_SCOPES:
            raise ValueError(f"unknown invite kind {kind!r}; one of {sorted(INVITE_SCOPES)}")
        super().__init__(client)
        self.kind = kind
        self.resource, self.parent_field, self.role_field = INVITE_SCOPES[kind]
        self.label = f"{kind} invite"

    def _from_wire(self, row: Mapping[str, Any]) -> Invite:
        data = dict(row)
        data["parent_id"] = _fk(row.get(self.parent_field))
        data["role_id"] = _fk(row.get(self.role_field))
        data["kind"] = self.kind
        return Invite.model_validate(data)

    def _role_id(self, role: str) -> int:
        roles = self._client.roles
        return (roles.fleet_role(role) if self.kind == "fleet" else roles.organization_role(role)).id

    def list(self, parent_id: int) -> list[Invite]:
        return self._list(odata.eq(self.parent_field, int(parent_id)))

    def find(self, parent_id: int, email: str) -> Invite:
        """The invite of this email address to the parent (one request); :class:`NotFound` when none."""
        rows = self._get_rows(
            filter=odata.and_(odata.eq(self.parent_field, int(parent_id)), odata.eq("invitee/email", email)),
            top=1,
            orderby="id asc",
        )
        if not rows:
            raise self._not_found(f"of {email!r} to {self.kind} {parent_id}")
        return self._from_wire(rows[0])

    def create(self, parent_id: int, invitee: str, role: str | None = None, message: str | None = None) -> Invite:
        body: dict[str, Any] = {"invitee": invitee, self.parent_field: int(parent_id), "message": message}
        if role is not None:
            body[self.role_field] = self._role_id(role)
        return self._create(body)


def _fk(value: Any) -> int | None:
    if isinstance(value, dict):
        return value.get("__id")
    if isinstance(value, list):
        return value[0].get("id") if value else None
    return value


def _iso(value: _dt.datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("expiry_date needs a timezone")
    return value.astimezone(_dt.timezone.utc).isoformat().replace("+00:00", "Z")


class ApiKeys(_Service[ApiKey]):
    """API keys. Secrets are only in :class:`NewApiKey.key`; they are never logged nor in an error."""

    resource, model, label = "api_key", ApiKey, "api key"

    def list(self, actor_id: int | None = None) -> list[ApiKey]:
        """Keys of an actor (default: the caller's own named keys)."""
        if actor_id is None:
            f = odata.and_(odata.eq("is_of__actor", self._client.whoami().id), odata.ne("name", None))
        else:
            f = odata.eq("is_of__actor", int(actor_id))
        return self._list(f)

    def any_of(self, actor_id: int) -> bool:
        """Whether this login is shown at least one key of the actor (one GET of one id).

        The API hides the keys a login may not read rather than refusing, so False means "none shown":
        either there is none, or this login may not see them.
        """
        return bool(self._get_rows(filter=odata.eq("is_of__actor", int(actor_id)), top=1, select=["id"]))

    def _post_key(self, path: str, body: dict[str, Any]) -> str:
        try:
            data = self._http.request("POST", path, json_body=body, ok=(200, 201))
        except FreshLoginRequired:
            raise  # a session, but too old: the remedy is a new login, not another kind of credential
        except Unauthorized as err:
            if path == "/api-key/user/full" and self._client.token_kind != "session":
                raise SessionTokenRequired(
                    method="POST", path=path, status=401, api_message=err.api_message, refusal=err.refusal
                ) from None
            raise
        # The body is the key as a JSON string; anything else is not a key, and is not echoed.
        if not isinstance(data, str) or not data:
            raise UnexpectedResponse("the API did not answer with a key", method="POST", path=path, status=200)
        return data

    def _find_new(self, actor_id: int, name: str | None) -> int | None:
        # The actor's newest key with this name (``name eq null`` for an unnamed provisioning key).
        rows = self._get_rows(
            filter=odata.and_(odata.eq("is_of__actor", actor_id), odata.eq("name", name)),
            orderby=[("created_at", "desc"), ("id", "desc")],
            top=1,
            select=["id"],
        )
        return rows[0]["id"] if rows else None

    def create_user_key(
        self,
        name: str,
        description: str | None = None,
        expiry_date: _dt.datetime | str | None = None,
        *,
        resolve_id: bool = True,
    ) -> NewApiKey:
        """Named user key via ``POST /api-key/user/full`` (needs a session token).

        The route answers only the key; with ``resolve_id`` one more GET finds its id (newest key of
        the caller with that name).
        """
        if not name:
            raise ValueError("an API key needs a name")
        body = {"name": name, "description": description, "expiryDate": _iso(expiry_date)}
        key = self._post_key("/api-key/user/full", body)
        key_id = self._find_new(self._client.whoami().id, name) if resolve_id else None
        return NewApiKey(key=SecretStr(key), id=key_id, name=name)

    def create_provisioning_key(
        self,
        fleet_id: int,
        name: str | None = None,
        description: str | None = None,
        expiry_date: _dt.datetime | str | None = None,
        *,
        resolve_id: bool = True,
        actor_id: int | None = None,
    ) -> NewApiKey:
        """Provisioning key of a fleet via ``POST /api-key/application/<id>/provisioning``.

        With ``resolve_id`` one more GET finds its id (the fleet actor's newest key with that name, or
        unnamed); pass the fleet's ``actor_id`` when known to save the GET of the fleet.
        """
        body = {"name": name, "description": description, "expiryDate": _iso(expiry_date)}
        key = self._post_key(f"/api-key/application/{int(fleet_id)}/provisioning", body)
        key_id = None
        if resolve_id:
            actor = actor_id if actor_id is not None else self._client.fleets.get(fleet_id).actor
            key_id = self._find_new(actor, name) if actor is not None else None
        return NewApiKey(key=SecretStr(key), id=key_id, name=name)

    def update(
        self, id: int, *, name: str | None, description: str | None, expiry_date: _dt.datetime | str | None
    ) -> None:
        """One PATCH that always re-sends all three fields, so a rename keeps description and expiry."""
        self._patch(id, {"name": name, "description": description, "expiry_date": _iso(expiry_date)})


class SshKeys(_Service[SshKey]):
    resource, model, label = "user__has__public_key", SshKey, "ssh key"

    def list(self) -> list[SshKey]:
        return self._list(odata.eq("user", self._client.user_id()))

    def create(self, title: str, public_key: str) -> SshKey:
        """One POST once whoami is cached. The key text is stripped (the API does not validate it)."""
        return self._create({"title": title, "public_key": public_key.strip(), "user": self._client.user_id()})

    def update(self, id: int, *, title: str) -> None:
        self._patch(id, {"title": title})


class WhoamiCache:
    """Who the client's credentials belong to, asked once per client.

    Callers that arrive while the question is on the wire wait for its answer instead of asking again
    (the engine runs many resources at once, and each may need the user id); a failed question is not
    cached, so the next caller asks again.
    """

    def __init__(self, client) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._value: Whoami | None = None

    def __call__(self, refresh: bool = False) -> Whoami:
        with self._lock:
            if self._value is not None and not refresh:
                return self._value
            data = self._client.transport.request("GET", "/actor/v1/whoami")
            if not isinstance(data, dict):
                raise UnexpectedResponse("whoami answered without an object", method="GET", path="/actor/v1/whoami")
            self._value = Whoami.model_validate(data)
            return self._value


__all__ = ["Roles", "FleetMembers", "OrganizationMembers", "Invites", "ApiKeys", "SshKeys", "WhoamiCache"]
