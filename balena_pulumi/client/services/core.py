"""Services for the core families: organizations, fleets, device types, releases, services, devices, users."""

from __future__ import annotations

import re
from typing import Any

import semver

from .. import odata
from ..errors import NotFound
from ..models import Device, DeviceType, Fleet, Organization, Release, Service, ServiceInstall, User
from ._base import Service as _Service
from ._base import drop_none

FLEET_CLASSES = ("fleet", "block", "app")
TRACKABLE = odata.and_(
    odata.eq("is_final", True),
    odata.eq("is_passing_tests", True),
    odata.eq("is_invalidated", False),
    odata.eq("status", "success"),
)
_COMMIT_RE = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{40})$")
_UUID_RE = re.compile(r"^[0-9a-f]{32}(?:[0-9a-f]{30})?$")


class Organizations(_Service[Organization]):
    resource, model, label, cache_ns = "organization", Organization, "organization", "organization"

    def get_by_handle(self, handle: str) -> Organization:
        """Organization by handle (cached per client)."""
        h = handle.strip().lower()

        def fetch():
            rows = self._get_rows({"handle": h})
            return self._from_wire(rows[0]) if rows else None

        return self._cached(("handle", h), fetch, f"with handle {h!r}")

    def list(self) -> list[Organization]:
        return self._list()

    def create(self, name: str, handle: str | None = None) -> Organization:
        org = self._create(drop_none(name=name, handle=handle))
        return self._remember(("handle", org.handle), org)

    def update(self, id: int, *, name: str | None = None, handle: str | None = None) -> None:
        self._patch(id, drop_none(name=name, handle=handle))


class Fleets(_Service[Fleet]):
    resource, model, label, cache_ns = "application", Fleet, "fleet", "application"

    def get_by_slug(self, slug: str) -> Fleet:
        """Fleet by ``org/app`` slug, lower-cased (cached per client)."""
        s = slug.strip().lower()

        def fetch():
            rows = self._get_rows({"slug": s})
            return self._from_wire(rows[0]) if rows else None

        return self._cached(("slug", s), fetch, f"with slug {s!r}")

    def list(self, organization_id: int | None = None) -> list[Fleet]:
        f = odata.eq("organization", organization_id) if organization_id is not None else None
        return self._list(f)

    def create(self, organization_id: int, name: str, device_type_id: int, fleet_class: str = "fleet") -> Fleet:
        """One POST. The API forces ``should_track_latest_release`` to true on creation."""
        if fleet_class not in FLEET_CLASSES:
            raise ValueError(f"fleet_class must be one of {FLEET_CLASSES}, not {fleet_class!r}")
        fleet = self._create(
            {
                "app_name": name,
                "organization": int(organization_id),
                "is_for__device_type": int(device_type_id),
                "is_of__class": fleet_class,
            }
        )
        return self._remember(("slug", fleet.slug), fleet)

    def update(
        self,
        id: int,
        *,
        name: str | None = None,
        device_type_id: int | None = None,
        fleet_class: str | None = None,
        is_archived: bool | None = None,
    ) -> None:
        """One PATCH (a rename recomputes the slug server-side; cached slugs of this fleet are dropped)."""
        if fleet_class is not None and fleet_class not in FLEET_CLASSES:
            raise ValueError(f"fleet_class must be one of {FLEET_CLASSES}, not {fleet_class!r}")
        self._patch(
            id,
            drop_none(
                app_name=name, is_for__device_type=device_type_id, is_of__class=fleet_class, is_archived=is_archived
            ),
        )

    def pin(self, fleet_id: int, release_id: int) -> None:
        """Pin the fleet to a release: one PATCH that also stops tracking latest (else the next release wins)."""
        self._patch(fleet_id, {"should_be_running__release": int(release_id), "should_track_latest_release": False},
                    invalidate=False)

    def get_with_target(self, id: int) -> tuple[Fleet, Release | None]:
        """The fleet and its target release (``should_be_running__release``), in one request."""
        rows = self._get_rows(int(id), expand="should_be_running__release")
        if not rows:
            raise self._not_found(f"with id {id}")
        return self._from_wire(rows[0]), _expanded_release(rows[0].get("should_be_running__release"))

    def latest_trackable_release(self, fleet_id: int) -> Release | None:
        """The newest final, test-passing, non-invalidated, successful release (one request)."""
        rows = self._client.releases._get_rows(
            filter=odata.and_(odata.eq("belongs_to__application", int(fleet_id)), TRACKABLE),
            orderby=[("start_timestamp", "desc"), ("id", "desc")],
            top=1,
        )
        return Release.model_validate(rows[0]) if rows else None

    def track_latest(self, fleet_id: int) -> int | None:
        """Track the latest release: two requests (find it, PATCH). Returns the release id now targeted."""
        latest = self.latest_trackable_release(fleet_id)
        body: dict[str, Any] = {"should_track_latest_release": True}
        if latest is not None:
            body["should_be_running__release"] = latest.id
        self._patch(fleet_id, body, invalidate=False)
        return latest.id if latest else None


def _expanded_release(value: Any) -> Release | None:
    # An expanded to-one navigation is a list of zero or one rows.
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return Release.model_validate(value[0])
    return None


class DeviceTypes(_Service[DeviceType]):
    resource, model, label, cache_ns = "device_type", DeviceType, "device type", "device_type"

    def get_by_slug(self, slug_or_alias: str) -> DeviceType:
        """Device type by slug or alias (``device_type_alias/any(...)``, as the SDKs do); cached per client."""
        s = slug_or_alias.strip()

        def fetch():
            rows = self._get_rows(
                filter=odata.any_("device_type_alias", lambda a: odata.eq(f"{a}/is_referenced_by__alias", s)),
                orderby="name asc",
                top=1,
            )
            return self._from_wire(rows[0]) if rows else None

        return self._cached(("slug", s), fetch, f"with slug or alias {s!r}")

    def list(self) -> list[DeviceType]:
        return self._list()


def parse_version(version: str) -> str:
    """Normalise a release version the way the API writes ``raw_version`` (``1.2.3``, ``1.2.3+rev1``)."""
    text = version.strip()
    if text[:1] in ("v", "V"):
        text = text[1:]
    try:
        return str(semver.Version.parse(text))
    except ValueError:
        raise ValueError(f"not a semantic version: {version!r}") from None


class Releases(_Service[Release]):
    resource, model, label, cache_ns = "release", Release, "release", "release"

    def list(self, fleet_id: int) -> list[Release]:
        return self._list(odata.eq("belongs_to__application", int(fleet_id)))

    def _pick(self, rows: list[dict[str, Any]]) -> Release | None:
        # Several releases may share a commit (failed attempts); the successful one wins, else the newest.
        models = [self._from_wire(r) for r in rows]
        for m in models:
            if m.status == "success":
                return m
        return models[0] if models else None

    def _find(self, fleet_id: int, field: str, value: str, what: str) -> Release:
        key = (int(fleet_id), field, value)
        hit = self._cache.get(self.cache_ns, key)
        if hit is not None:
            return hit
        rows = self._get_rows(
            filter=odata.and_(odata.eq("belongs_to__application", int(fleet_id)), odata.eq(field, value)),
            orderby=[("created_at", "desc"), ("id", "desc")],
        )
        found = self._pick(rows)
        if found is None:
            raise NotFound(f"release {what} not found in fleet {fleet_id}", status=None)
        if found.status == "success":  # only a finished release is stable enough to cache
            self._cache.put(self.cache_ns, key, found)
        return found

    def find_by_commit(self, fleet_id: int, commit: str) -> Release:
        """Release of a fleet by its full commit hash (exact match, no prefixes). Check ``status`` to pin."""
        c = commit.strip().lower()
        if not _COMMIT_RE.match(c):
            raise ValueError(f"commit must be a full 32- or 40-character hex hash, not {commit!r}")
        return self._find(fleet_id, "commit", c, f"with commit {c}")

    def find_by_id(self, fleet_id: int, release_id: int) -> Release:
        """Release by id, only if it belongs to this fleet (one request; cached once successful)."""
        return self._find(fleet_id, "id", int(release_id), f"with id {int(release_id)}")

    def find_by_version(self, fleet_id: int, version: str) -> Release:
        """Release of a fleet by raw version: ``1.2.3`` and ``1.2.3+rev1`` are different releases."""
        v = parse_version(version)
        return self._find(fleet_id, "raw_version", v, f"with version {v}")


class Services(_Service[Service]):
    resource, model, label, cache_ns = "service", Service, "service", "service"

    def find(self, fleet_id: int, name: str) -> Service:
        """Service of a fleet by name (cached per client)."""

        def fetch():
            rows = self._get_rows({"application": int(fleet_id), "service_name": name})
            return self._from_wire(rows[0]) if rows else None

        return self._cached((int(fleet_id), name), fetch, f"{name!r} of fleet {fleet_id}")

    def list(self, fleet_id: int) -> list[Service]:
        return self._list(odata.eq("application", int(fleet_id)))

    def create(self, fleet_id: int, name: str) -> Service:
        svc = self._create({"application": int(fleet_id), "service_name": name})
        return self._remember((int(fleet_id), name), svc)


class ServiceInstalls(_Service[ServiceInstall]):
    resource, model, label, cache_ns = "service_install", ServiceInstall, "service install", "service_install"

    def find(self, device_id: int, service_id: int) -> ServiceInstall:
        """Service install of (device, service) (cached per client)."""

        def fetch():
            rows = self._get_rows(
                filter=odata.and_(odata.eq("device", int(device_id)), odata.eq("installs__service", int(service_id))),
                top=1,
                orderby="id asc",
            )
            return self._from_wire(rows[0]) if rows else None

        return self._cached(
            (int(device_id), int(service_id)), fetch, f"of service {service_id} on device {device_id}"
        )

    def list(self, device_id: int) -> list[ServiceInstall]:
        return self._list(odata.eq("device", int(device_id)))

    def create(self, device_id: int, service_id: int) -> ServiceInstall:
        si = self._create({"device": int(device_id), "installs__service": int(service_id)})
        return self._remember((int(device_id), int(service_id)), si)


class Devices(_Service[Device]):
    resource, model, label, cache_ns = "device", Device, "device", "device"

    def get_by_uuid(self, uuid: str) -> Device:
        """Device by full uuid (32 or 62 lower-case hex; cached per client)."""
        u = uuid.strip().lower()
        if not _UUID_RE.match(u):
            raise ValueError(f"device uuid must be 32 or 62 hex characters, not {uuid!r}")

        def fetch():
            rows = self._get_rows({"uuid": u})
            return self._from_wire(rows[0]) if rows else None

        return self._cached(("uuid", u), fetch, f"with uuid {u}")

    def list(self, fleet_id: int | None = None) -> list[Device]:
        f = odata.eq("belongs_to__application", int(fleet_id)) if fleet_id is not None else None
        return self._list(f)

    def create(
        self, fleet_id: int, device_type_id: int, *, uuid: str | None = None, name: str | None = None
    ) -> Device:
        dev = self._create(
            drop_none(
                belongs_to__application=int(fleet_id),
                is_of__device_type=int(device_type_id),
                uuid=uuid,
                device_name=name,
            )
        )
        return self._remember(("uuid", dev.uuid), dev)

    def update(
        self, id: int, *, name: str | None = None, note: str | None = None, fleet_id: int | None = None
    ) -> None:
        self._patch(id, drop_none(device_name=name, note=note, belongs_to__application=fleet_id))

    def get_with_pin(self, id: int) -> tuple[Device, Release | None]:
        """The device and the release it is pinned on (``is_pinned_on__release``), in one request."""
        rows = self._get_rows(int(id), expand="is_pinned_on__release")
        if not rows:
            raise self._not_found(f"with id {id}")
        return self._from_wire(rows[0]), _expanded_release(rows[0].get("is_pinned_on__release"))

    def pin(self, device_id: int, release_id: int | None) -> None:
        """Pin a device to a release, or unpin with None (``is_pinned_on__release``; one PATCH)."""
        self._patch(device_id, {"is_pinned_on__release": None if release_id is None else int(release_id)},
                    invalidate=False)


class Users(_Service[User]):
    resource, model, label, cache_ns = "user", User, "user", "user"

    def get_by_username(self, username: str) -> User:
        """User by username, lower-cased (usernames are normalised to lower case; cached per client)."""
        u = username.strip().lower()

        def fetch():
            rows = self._get_rows(filter=odata.eq("username", u), top=1, orderby="id asc")
            return self._from_wire(rows[0]) if rows else None

        return self._cached(("username", u), fetch, f"with username {u!r}")

    def list(self) -> list[User]:
        return self._list()
