"""Program-time lookups of existing balena objects (dynamic resources have no invokes).

Plain functions that call the API while the Pulumi program runs and return small frozen dataclasses:
:func:`get_organization`, :func:`get_fleet`, :func:`get_device`, :func:`get_release`. A miss raises
:class:`BalenaLookupError` (a ``LookupError``) naming what was not found. Credentials come from the stack
config ``balena:apiUrl`` and secret ``balena:apiToken``, else ``BALENA_API_URL`` / ``BALENA_API_KEY``;
requests go through the cached client of :func:`balena_pulumi.client.get_client`, so repeated lookups
of the same natural key cost one request per program run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from balena_pulumi.client import BalenaClient, NotFound, get_client
from balena_pulumi.client.models import Release as _WireRelease

from . import refs
from .base import DEFAULT_API_URL
from .errors import ProgramError

__all__ = [
    "BalenaLookupError",
    "Organization",
    "Fleet",
    "Device",
    "Release",
    "get_organization",
    "get_fleet",
    "get_device",
    "get_release",
]


class BalenaLookupError(ProgramError, LookupError):
    """Nothing (visible to this token) matches the lookup; the message names what was looked for."""

    def __init__(self, detail: str) -> None:
        super().__init__("lookup failed:", detail)


@dataclass(frozen=True)
class Organization:
    id: int
    handle: str
    name: str


@dataclass(frozen=True)
class Fleet:
    id: int
    slug: str
    name: str
    uuid: Optional[str]
    organization_id: Optional[int]
    device_type_id: Optional[int]
    fleet_class: str
    should_track_latest_release: bool
    target_release_id: Optional[int]


@dataclass(frozen=True)
class Device:
    id: int
    uuid: str
    name: Optional[str]
    fleet_id: Optional[int]
    device_type_id: Optional[int]
    pinned_release_id: Optional[int]
    target_release_id: Optional[int]


@dataclass(frozen=True)
class Release:
    id: int
    fleet_id: Optional[int]
    commit: str
    version: Optional[str]  # raw_version: 1.2.3, 1.2.3+rev1, or 2.2.0-<ms> for a draft
    semver: Optional[str]
    status: str
    is_final: Optional[bool]
    is_invalidated: bool
    revision: Optional[int]


def _client() -> BalenaClient:
    url = token = None
    try:
        import pulumi

        config = pulumi.Config("balena")
        url, token = config.get("apiUrl"), config.get("apiToken")
    except Exception:  # not inside a Pulumi program: environment only
        pass
    url = url or os.environ.get("BALENA_API_URL") or DEFAULT_API_URL
    token = token or os.environ.get("BALENA_API_KEY") or os.environ.get("BALENA_API_TOKEN")
    if not token:
        raise BalenaLookupError(
            "no balena API token: set the secret stack config balena:apiToken or the BALENA_API_KEY environment variable"
        )
    return get_client(url, token)


def _checked(rule, value, what: str):
    """An argument checked with the same rule the resources use (refs), or a lookup error saying which."""
    try:
        return rule(value)
    except ValueError as exc:
        raise BalenaLookupError(f"{what}: {exc}") from None


def get_organization(handle: str) -> Organization:
    """The organization with this handle."""
    handle = _checked(refs.check_handle, handle, "get_organization")
    try:
        org = _client().organizations.get_by_handle(handle)
    except NotFound:
        raise BalenaLookupError(f"no organization with handle {refs.quote(handle)} is visible to this token") from None
    return Organization(id=org.id, handle=org.handle, name=org.name)


def get_fleet(slug: str) -> Fleet:
    """The fleet with this slug (``org_handle/app_name``, case-insensitive)."""
    slug = _checked(refs.check_fleet_slug, slug, "get_fleet")
    try:
        fleet = _client().fleets.get_by_slug(slug)
    except NotFound:
        raise BalenaLookupError(f"no fleet with slug {refs.quote(slug)} is visible to this token") from None
    return Fleet(
        id=fleet.id,
        slug=fleet.slug,
        name=fleet.app_name,
        uuid=fleet.uuid,
        organization_id=fleet.organization,
        device_type_id=fleet.is_for__device_type,
        fleet_class=fleet.is_of__class,
        should_track_latest_release=fleet.should_track_latest_release,
        target_release_id=fleet.should_be_running__release,
    )


def get_device(uuid: str) -> Device:
    """The device with this full uuid (32 or 62 hex characters)."""
    uuid = _checked(refs.check_device_uuid, uuid, "get_device")
    try:
        device = _client().devices.get_by_uuid(uuid)
    except NotFound:
        raise BalenaLookupError(f"no device with uuid {uuid} is visible to this token") from None
    return Device(
        id=device.id,
        uuid=device.uuid,
        name=device.device_name,
        fleet_id=device.belongs_to__application,
        device_type_id=device.is_of__device_type,
        pinned_release_id=device.is_pinned_on__release,
        target_release_id=device.should_be_running__release,
    )


def get_release(fleet_slug: str, version: Optional[str] = None, commit: Optional[str] = None) -> Release:
    """A release of a fleet by raw version (``1.2.3`` and ``1.2.3+rev1`` differ) or by full commit hash.

    Give exactly one of ``version`` and ``commit``. When failed attempts share a commit or version with a
    successful release, the successful one is returned; check ``status`` before pinning.
    """
    if (version is None) == (commit is None):
        raise BalenaLookupError("get_release: give exactly one of version= and commit=")
    version = _checked(refs.check_release_version, version, "get_release: version")
    commit = _checked(refs.check_release_commit, commit, "get_release: commit")
    fleet = get_fleet(fleet_slug)
    client = _client()
    what = f"version {version}" if version is not None else f"commit {commit}"
    try:
        if version is not None:
            found = client.releases.find_by_version(fleet.id, version)
        else:
            found = client.releases.find_by_commit(fleet.id, str(commit))
    except NotFound:
        raise BalenaLookupError(f"fleet {fleet.slug} has no release with {what}") from None
    return _release(found)


def _release(found: _WireRelease) -> Release:
    return Release(
        id=found.id,
        fleet_id=found.belongs_to__application,
        commit=found.commit,
        version=found.raw_version,
        semver=found.semver,
        status=found.status,
        is_final=found.is_final,
        is_invalidated=found.is_invalidated,
        revision=found.revision,
    )
