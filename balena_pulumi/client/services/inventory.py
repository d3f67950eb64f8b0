"""Everything one organization holds, read with a fixed number of requests (for ``balena-pulumi discover``).

:func:`read_organization` lists each kind once for the whole organization (or for a chosen set of its
fleets), reaching the organization through the kind's navigation path (``application/organization``,
``service_install/device/belongs_to__application/organization``, ...) and expanding the names a config
needs (device type slugs, usernames, role names, service names, release versions) into the same
request. The number of requests therefore depends on nothing but which kinds exist: 21 at most, whatever
the number of fleets, devices, variables or tags (there is no paging; the API pages only on request).

Values come back as the API holds them; nothing here decides what is adoptable or secret. Reads only:
no request here changes anything.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import odata
from ..errors import NotFound
from ._base import Service as _Service

if TYPE_CHECKING:
    from ..client import BalenaClient

__all__ = [
    "Entry",
    "FleetInfo",
    "DeviceInfo",
    "Person",
    "InviteInfo",
    "KeyInfo",
    "SshKeyInfo",
    "OrganizationInventory",
    "VARIABLE_LISTINGS",
    "TAG_LISTINGS",
    "read_organization",
]


@dataclass(frozen=True)
class ReleaseRef:
    id: int
    raw_version: str | None
    commit: str | None


@dataclass(frozen=True)
class FleetInfo:
    id: int
    name: str
    slug: str
    fleet_class: str
    device_type: str | None
    actor: int | None
    pinned: ReleaseRef | None  # None when the fleet tracks its latest release
    is_archived: bool


@dataclass(frozen=True)
class DeviceInfo:
    id: int
    uuid: str
    name: str | None
    fleet_id: int | None
    pinned: ReleaseRef | None


@dataclass(frozen=True)
class Entry:
    """One variable or tag. ``fleet_id``/``device_id`` name its owner; ``service`` and ``release`` narrow it."""

    id: int
    name: str
    value: str
    fleet_id: int | None = None
    device_id: int | None = None
    service: str | None = None
    release: ReleaseRef | None = None


@dataclass(frozen=True)
class Person:
    """A membership: ``parent_id`` is the organization or the fleet."""

    id: int
    parent_id: int | None
    username: str | None
    role: str | None


@dataclass(frozen=True)
class InviteInfo:
    id: int
    parent_id: int | None
    email: str | None
    role: str | None
    message: str | None


@dataclass(frozen=True)
class KeyInfo:
    """An API key's metadata (its secret is never readable). ``actor`` tells whose key it is."""

    id: int
    name: str | None
    description: str | None
    expiry_date: _dt.datetime | None
    actor: int | None


@dataclass(frozen=True)
class SshKeyInfo:
    id: int
    title: str
    public_key: str


@dataclass
class OrganizationInventory:
    organization_id: int
    handle: str
    name: str
    user_id: int | None
    username: str | None
    fleets: list[FleetInfo] = field(default_factory=list)
    devices: list[DeviceInfo] = field(default_factory=list)
    variables: dict[str, list[Entry]] = field(default_factory=dict)  # scope -> entries (VARIABLE_LISTINGS)
    tags: dict[str, list[Entry]] = field(default_factory=dict)  # fleet | device | release
    organization_members: list[Person] = field(default_factory=list)
    fleet_members: list[Person] = field(default_factory=list)
    organization_invites: list[InviteInfo] = field(default_factory=list)
    fleet_invites: list[InviteInfo] = field(default_factory=list)
    api_keys: list[KeyInfo] = field(default_factory=list)
    provisioning_keys: list[KeyInfo] = field(default_factory=list)
    ssh_keys: list[SshKeyInfo] = field(default_factory=list)


@dataclass(frozen=True)
class _Listing:
    resource: str
    fleet_path: str  # navigation from a row to its fleet (an application FK)
    owner: str  # "fleet", "device", "service", "service_install" or "release": where the row hangs


# Variables by scope (the client's scope names), tags by parent kind.
VARIABLE_LISTINGS: dict[str, _Listing] = {
    "fleet_env": _Listing("application_environment_variable", "application", "fleet"),
    "fleet_config": _Listing("application_config_variable", "application", "fleet"),
    "fleet_build": _Listing("build_environment_variable", "application", "fleet"),
    "service_env": _Listing("service_environment_variable", "service/application", "service"),
    "device_env": _Listing("device_environment_variable", "device/belongs_to__application", "device"),
    "device_config": _Listing("device_config_variable", "device/belongs_to__application", "device"),
    "device_service_env": _Listing(
        "device_service_environment_variable", "service_install/device/belongs_to__application", "service_install"
    ),
}
TAG_LISTINGS: dict[str, _Listing] = {
    "fleet": _Listing("application_tag", "application", "fleet"),
    "device": _Listing("device_tag", "device/belongs_to__application", "device"),
    "release": _Listing("release_tag", "release/belongs_to__application", "release"),
}

_RELEASE_FIELDS = ["id", "raw_version", "commit"]


class _Reader(_Service[Any]):
    """Plain rows of one resource (no model: each listing reads its own fields)."""

    def __init__(self, client: "BalenaClient", resource: str) -> None:
        super().__init__(client)
        self.resource = resource
        self.label = resource

    def rows(self, **opts: Any) -> list[dict[str, Any]]:
        opts.setdefault("orderby", "id asc")
        return self._get_rows(**opts)


def _fk(value: Any) -> int | None:
    if isinstance(value, Mapping):
        return value.get("__id", value.get("id"))
    if isinstance(value, list):
        return _fk(value[0]) if value else None
    return value


def _one(value: Any) -> Mapping[str, Any] | None:
    """An expanded to-one navigation: ``[row]`` (or ``[]``)."""
    if isinstance(value, list):
        return value[0] if value else None
    if isinstance(value, Mapping) and "__id" not in value:
        return value
    return None


def _field(value: Any, name: str) -> Any:
    row = _one(value)
    return None if row is None else row.get(name)


def _release(value: Any) -> ReleaseRef | None:
    row = _one(value)
    if row is None:
        return None
    return ReleaseRef(int(row["id"]), row.get("raw_version"), row.get("commit"))


def _date(value: Any) -> _dt.datetime | None:
    if not value:
        return None
    text = str(value)
    return _dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)


class _Scope:
    """Where the listings of one inventory look: the whole organization, or some of its fleets."""

    def __init__(self, organization_id: int, fleet_ids: Sequence[int] | None) -> None:
        self.organization_id = organization_id
        self.fleet_ids = None if fleet_ids is None else sorted(int(i) for i in fleet_ids)

    def of(self, fleet_path: str) -> odata.Filter:
        if self.fleet_ids is None:
            return odata.eq(f"{fleet_path}/organization", self.organization_id)
        return odata.in_(fleet_path, self.fleet_ids)


def read_organization(
    client: "BalenaClient", handle: str, *, fleets: Iterable[str] | None = None
) -> OrganizationInventory:
    """Everything the token can see in organization ``handle``.

    ``fleets``: names or slugs to narrow the fleet-scoped kinds to (organization members, organization
    invites, the user's API keys and SSH keys are read all the same). Raises :class:`NotFound` naming what
    is missing: the organization, or a fleet not in it.
    """
    h = handle.strip().lower()
    org_rows = _Reader(client, "organization").rows(filter=odata.eq("handle", h), select=["id", "name", "handle"])
    if not org_rows:
        raise NotFound(f"no organization with handle {h!r} is visible to this token", status=None)
    org = org_rows[0]
    me = client.whoami()
    inv = OrganizationInventory(
        organization_id=int(org["id"]),
        handle=org["handle"],
        name=org["name"],
        user_id=me.user_id,
        username=me.username,
    )

    # Fleets first: the other listings are narrowed to them and name them by id.
    fleet_rows = _Reader(client, "application").rows(
        filter=odata.and_(odata.eq("organization", inv.organization_id), odata.eq("is_host", False)),
        select=["id", "app_name", "slug", "is_of__class", "should_track_latest_release", "actor", "is_archived"],
        expand=[
            odata.Expand("is_for__device_type", select=["slug"]),
            odata.Expand("should_be_running__release", select=_RELEASE_FIELDS),
        ],
    )
    all_fleets = [
        FleetInfo(
            id=int(r["id"]),
            name=r["app_name"],
            slug=r["slug"],
            fleet_class=r.get("is_of__class") or "fleet",
            device_type=_field(r.get("is_for__device_type"), "slug"),
            actor=_fk(r.get("actor")),
            pinned=None if r.get("should_track_latest_release", True) else _release(r.get("should_be_running__release")),
            is_archived=bool(r.get("is_archived")),
        )
        for r in fleet_rows
    ]
    scope = _Scope(inv.organization_id, None)
    if fleets is not None:
        wanted = [f.strip().lower() for f in fleets]
        by_key = {f.slug.lower(): f for f in all_fleets} | {f.name.lower(): f for f in all_fleets}
        missing = [w for w in wanted if w not in by_key and f"{h}/{w}" not in by_key]
        if missing:
            raise NotFound(
                f"organization {h!r} has no fleet {', '.join(repr(m) for m in missing)} visible to this token",
                status=None,
            )
        chosen = {(by_key.get(w) or by_key[f"{h}/{w}"]).id for w in wanted}
        all_fleets = [f for f in all_fleets if f.id in chosen]
        scope = _Scope(inv.organization_id, sorted(chosen))
    inv.fleets = all_fleets

    _read_people(client, inv, scope)
    _read_user_keys(client, inv, me.id)
    if inv.fleets:
        _read_fleet_children(client, inv, scope)
    return inv


def _read_people(client: "BalenaClient", inv: OrganizationInventory, scope: _Scope) -> None:
    org = inv.organization_id
    inv.organization_members = [
        Person(int(r["id"]), org, _field(r.get("user"), "username"), _field(r.get("organization_membership_role"), "name"))
        for r in _Reader(client, "organization_membership").rows(
            filter=odata.eq("is_member_of__organization", org),
            select=["id", "user", "organization_membership_role"],
            expand=[
                odata.Expand("user", select=["username"]),
                odata.Expand("organization_membership_role", select=["name"]),
            ],
        )
    ]
    inv.organization_invites = [
        InviteInfo(
            int(r["id"]),
            org,
            _field(r.get("invitee"), "email"),
            _field(r.get("organization_membership_role"), "name"),
            r.get("message"),
        )
        for r in _Reader(client, "invitee__is_invited_to__organization").rows(
            filter=odata.eq("is_invited_to__organization", org),
            select=["id", "message", "invitee", "organization_membership_role"],
            expand=[
                odata.Expand("invitee", select=["email"]),
                odata.Expand("organization_membership_role", select=["name"]),
            ],
        )
    ]


def _read_user_keys(client: "BalenaClient", inv: OrganizationInventory, actor_id: int) -> None:
    """The logged-in user's named API keys and SSH keys (they belong to the user, not to an organization)."""
    key_fields = ["id", "name", "description", "expiry_date", "is_of__actor"]
    inv.api_keys = [
        _key(r)
        for r in _Reader(client, "api_key").rows(
            filter=odata.and_(odata.eq("is_of__actor", actor_id), odata.ne("name", None)), select=key_fields
        )
    ]
    if inv.user_id is not None:
        inv.ssh_keys = [
            SshKeyInfo(int(r["id"]), r["title"], r["public_key"])
            for r in _Reader(client, "user__has__public_key").rows(
                filter=odata.eq("user", inv.user_id), select=["id", "title", "public_key"]
            )
        ]


def _key(row: Mapping[str, Any]) -> KeyInfo:
    return KeyInfo(
        int(row["id"]), row.get("name"), row.get("description"), _date(row.get("expiry_date")), _fk(row.get("is_of__actor"))
    )


def _read_fleet_children(client: "BalenaClient", inv: OrganizationInventory, scope: _Scope) -> None:
    inv.devices = [
        DeviceInfo(int(r["id"]), r["uuid"], r.get("device_name"), _fk(r.get("belongs_to__application")),
                   _release(r.get("is_pinned_on__release")))
        for r in _Reader(client, "device").rows(
            filter=scope.of("belongs_to__application"),
            select=["id", "uuid", "device_name", "belongs_to__application", "is_pinned_on__release"],
            expand=[odata.Expand("is_pinned_on__release", select=_RELEASE_FIELDS)],
        )
    ]
    for kind, listing in VARIABLE_LISTINGS.items():
        inv.variables[kind] = _entries(client, listing, scope, "name")
    for kind, listing in TAG_LISTINGS.items():
        inv.tags[kind] = _entries(client, listing, scope, "tag_key")

    inv.fleet_members = [
        Person(int(r["id"]), _fk(r.get("is_member_of__application")), _field(r.get("user"), "username"),
               _field(r.get("application_membership_role"), "name"))
        for r in _Reader(client, "user__is_member_of__application").rows(
            filter=scope.of("is_member_of__application"),
            select=["id", "user", "is_member_of__application", "application_membership_role"],
            expand=[odata.Expand("user", select=["username"]),
                    odata.Expand("application_membership_role", select=["name"])],
        )
    ]
    inv.fleet_invites = [
        InviteInfo(int(r["id"]), _fk(r.get("is_invited_to__application")), _field(r.get("invitee"), "email"),
                   _field(r.get("application_membership_role"), "name"), r.get("message"))
        for r in _Reader(client, "invitee__is_invited_to__application").rows(
            filter=scope.of("is_invited_to__application"),
            select=["id", "message", "invitee", "is_invited_to__application", "application_membership_role"],
            expand=[odata.Expand("invitee", select=["email"]),
                    odata.Expand("application_membership_role", select=["name"])],
        )
    ]
    actors = sorted({f.actor for f in inv.fleets if f.actor is not None})
    if actors:
        inv.provisioning_keys = [
            _key(r)
            for r in _Reader(client, "api_key").rows(
                filter=odata.in_("is_of__actor", actors),
                select=["id", "name", "description", "expiry_date", "is_of__actor"],
            )
        ]


def _entries(client: "BalenaClient", listing: _Listing, scope: _Scope, key_field: str) -> list[Entry]:
    select = ["id", key_field, "value"]
    expand: list[odata.Expand] = []
    if listing.owner == "fleet":
        select.append("application")
    elif listing.owner == "device":
        select.append("device")
    elif listing.owner == "service":
        select.append("service")
        expand.append(odata.Expand("service", select=["service_name", "application"]))
    elif listing.owner == "service_install":
        select.append("service_install")
        expand.append(
            odata.Expand(
                "service_install",
                select=["device", "installs__service"],
                expand=[odata.Expand("installs__service", select=["service_name"])],
            )
        )
    elif listing.owner == "release":
        select.append("release")
        expand.append(odata.Expand("release", select=[*_RELEASE_FIELDS, "belongs_to__application"]))
    rows = _Reader(client, listing.resource).rows(filter=scope.of(listing.fleet_path), select=select, expand=expand or None)
    out = []
    for r in rows:
        entry: dict[str, Any] = {"id": int(r["id"]), "name": r[key_field], "value": r.get("value") or ""}
        if listing.owner == "fleet":
            entry["fleet_id"] = _fk(r.get("application"))
        elif listing.owner == "device":
            entry["device_id"] = _fk(r.get("device"))
        elif listing.owner == "service":
            service = _one(r.get("service")) or {}
            entry["fleet_id"] = _fk(service.get("application"))
            entry["service"] = service.get("service_name")
        elif listing.owner == "service_install":
            install = _one(r.get("service_install")) or {}
            entry["device_id"] = _fk(install.get("device"))
            entry["service"] = _field(install.get("installs__service"), "service_name")
        elif listing.owner == "release":
            release = _one(r.get("release")) or {}
            entry["fleet_id"] = _fk(release.get("belongs_to__application"))
            entry["release"] = _release(r.get("release"))
        out.append(Entry(**entry))
    return out
