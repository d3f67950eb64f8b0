"""The reference layer: how every kind names its parents, written once.

A kind never names a parent by numeric id in its inputs; it names it by natural key, and this module owns,
for each parent:

* the one validation rule (the API's own rule), as a pydantic field type (:data:`FleetSlug`, ...);
* how it resolves to an id, with the client's caches (:func:`resolve`);
* how it appears in an import id (its natural key, parts joined by ``:``; :func:`parse_import_id`);
* how a change of it is judged (:func:`same_parent`): the same parent under a new name (a renamed fleet,
  a new organization handle) is an update in place, another parent replaces.

Parents: ``organization`` (handle), ``fleet`` (slug ``handle/app_name``), ``device`` (uuid), ``service``
(name, within the fleet, or the fleet of the device) and the release, named by exactly one of
``release_version``, ``release_commit`` or ``release_id`` within the fleet (or the device's fleet). A
release named by commit, by version or by id is one release (:func:`same_release`).

During one deployment a parent can change its natural key before its children are diffed: a fleet
renamed in the same ``pulumi up``. The parent kinds tell :data:`PLANNED` what they are about to do when
they are diffed (the engine diffs a parent before any child that takes its outputs), so a child in
preview resolves the parent's new name, or an unknown one, to the same object instead of planning a
replacement.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Optional

import semver
from pydantic import AfterValidator, BeforeValidator

from balena_pulumi.client import BalenaClient, NotFound

from .errors import ResourceError
from .fields import check_identifier, quote

RELEASE_SELECTORS: tuple[str, ...] = ("release_version", "release_commit", "release_id")
SELECTOR_KEY = "release_selector"

_HANDLE = re.compile(r"^[a-z0-9_]{1,100}$")
_APP_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_UUID = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{62})$")
_COMMIT = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{40})$")
MAX_SERVICE_NAME = 63


class MissingParent(ResourceError):
    """A parent named by an input does not exist or is not visible; ``field`` is the input to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


# -- the rules, one per parent -------------------------------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string; got {quote(value)}")
    return value


def check_handle(value: str) -> str:
    """An organization handle: ``[a-z0-9_]``, 1 to 100 characters (the API refuses anything else)."""
    check_identifier(value, max_length=100)
    if not _HANDLE.match(value):
        raise ValueError(
            "must be an organization handle: lower-case letters, digits and '_' only, 1 to 100 characters; "
            f"got {quote(value)}"
        )
    return value


def check_app_name(value: str) -> str:
    """A fleet name (``app_name``): ``[a-zA-Z0-9_-]``, 4 to 100 characters."""
    check_identifier(value, max_length=100)
    if not _APP_NAME.match(value):
        raise ValueError(f"may only contain letters, digits, '_' and '-' ([a-zA-Z0-9_-]); got {quote(value)}")
    if len(value) < 4:
        raise ValueError(f"must be 4 to 100 characters long; got {len(value)}: {quote(value)}")
    return value


def check_fleet_slug(value: str) -> str:
    """A fleet slug ``handle/app_name``, in lower case as the API computes it (any case accepted)."""
    check_identifier(value, max_length=201)
    lowered = value.strip().lower()
    handle, sep, name = lowered.partition("/")
    if not sep or not _HANDLE.match(handle) or not _APP_NAME.match(name) or not 4 <= len(name) <= 100:
        raise ValueError(
            "must be a fleet slug 'org_handle/fleet_name' (pass the Fleet's slug output): a handle of "
            "[a-z0-9_], '/', and a fleet name of 4 to 100 characters [a-z0-9_-]; "
            f"got {quote(value)}"
        )
    return lowered


def check_device_uuid(value: str) -> str:
    """A full device uuid: 32 or 62 hex characters (stored in lower case)."""
    check_identifier(value, max_length=62)
    lowered = value.strip().lower()
    if not _UUID.match(lowered):
        raise ValueError(f"must be a full device uuid of 32 or 62 hex characters; got {quote(value)}")
    return lowered


def check_service_name(value: str) -> str:
    """A service name as releases define it: 1 to 63 characters."""
    return check_identifier(value, max_length=MAX_SERVICE_NAME)


def check_release_version(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    check_identifier(value, max_length=255)
    try:
        semver.Version.parse(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"must be a release version as balena writes it, e.g. 1.2.3, 1.2.3+rev1 or 1.2.3-beta.1; got {quote(value)}"
        ) from None
    return value


def check_release_commit(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    check_identifier(value, max_length=40)
    lowered = value.lower()
    if not _COMMIT.match(lowered):
        raise ValueError(f"must be a full commit hash (32 or 40 hex characters); got {quote(value)}")
    return lowered


def check_release_id(value: Optional[int]) -> Optional[int]:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"must be a positive release id; got {quote(value)}")
    return value


# Field types: every kind that takes a parent uses these, so one input is valid for all or for none.
OrgHandle = Annotated[str, BeforeValidator(_text), AfterValidator(check_handle)]
FleetSlug = Annotated[str, BeforeValidator(_text), AfterValidator(check_fleet_slug)]
DeviceUuid = Annotated[str, BeforeValidator(_text), AfterValidator(check_device_uuid)]
ServiceName = Annotated[str, BeforeValidator(_text), AfterValidator(check_service_name)]
ReleaseVersion = Annotated[Optional[str], AfterValidator(check_release_version)]
ReleaseCommit = Annotated[Optional[str], AfterValidator(check_release_commit)]
ReleaseId = Annotated[Optional[int], AfterValidator(check_release_id)]

FLEET_DOC = "Slug of the fleet, `org_handle/fleet_name` (pass the Fleet's `slug` output)."
DEVICE_DOC = "Full uuid of the device (32 or 62 hex characters)."
ORGANIZATION_DOC = "Handle of the organization (pass the Organization's `handle` output, or a plain handle)."
SERVICE_DOC = "Name of a service of the fleet, as its releases define it (1 to 63 characters)."
RELEASE_DOCS = {
    "release_version": "Raw version of the release: `1.2.3` and `1.2.3+rev1` are different releases.",
    "release_commit": "Full commit hash of the release (32 or 40 hex characters).",
    "release_id": "Numeric id of the release.",
}


# -- identities planned during this deployment -------------------------------------------------------


class Planned:
    """Parents updated in place during this deployment, with the natural key they will have.

    Filled by the parent kinds' ``diff`` (Fleet, Organization); read when a child's parent input is a
    name the API does not know yet (preview of a rename) or a value not known yet.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[tuple[str, str], int] = {}
        self._updating: set[tuple[str, int]] = set()

    def updating(self, kind: str, id_: int, new_key: str | None) -> None:
        with self._lock:
            self._updating.add((kind, int(id_)))
            if new_key:
                self._by_key[(kind, new_key)] = int(id_)

    def id_for(self, kind: str, key: str) -> int | None:
        with self._lock:
            return self._by_key.get((kind, key))

    def is_updating(self, kind: str, id_: Any) -> bool:
        if id_ is None:
            return False
        with self._lock:
            return (kind, int(id_)) in self._updating


PLANNED = Planned()


# -- resolution ---------------------------------------------------------------------------------------


def organization_id(client: BalenaClient, handle: str) -> int:
    try:
        return client.organizations.get_by_handle(handle).id
    except NotFound:
        planned = PLANNED.id_for("organization", handle)
        if planned is None:
            raise MissingParent(
                "organization", f"no organization with handle {quote(handle)} is visible to this token"
            ) from None
        return planned


def fleet(client: BalenaClient, slug: str) -> Any:
    """The fleet with this slug (cached), or the fleet being renamed to it in this deployment."""
    try:
        return client.fleets.get_by_slug(slug)
    except NotFound:
        planned = PLANNED.id_for("fleet", slug)
        if planned is None:
            raise MissingParent("fleet", f"no fleet with slug {quote(slug)} is visible to this token") from None
        return client.fleets.get(planned)


def fleet_id(client: BalenaClient, slug: str) -> int:
    try:
        return client.fleets.get_by_slug(slug).id
    except NotFound:
        planned = PLANNED.id_for("fleet", slug)
        if planned is None:
            raise MissingParent("fleet", f"no fleet with slug {quote(slug)} is visible to this token") from None
        return planned


def device(client: BalenaClient, uuid: str) -> Any:
    try:
        return client.devices.get_by_uuid(uuid)
    except NotFound:
        raise MissingParent("device", f"no device with uuid {uuid} is visible to this token") from None


def device_fleet_id(client: BalenaClient, uuid: str) -> int:
    found = device(client, uuid)
    if found.belongs_to__application is None:
        raise MissingParent("device", f"device {uuid} belongs to no fleet")
    return int(found.belongs_to__application)


def service_id(client: BalenaClient, fleet: int, name: str, where: str) -> int:
    try:
        return client.services.find(fleet, name).id
    except NotFound:
        raise MissingParent("service", f"{where} has no service named {quote(name)}") from None


def service_install_id(client: BalenaClient, device_id: int, service: int, uuid: str, name: str) -> int:
    try:
        return client.service_installs.find(device_id, service).id
    except NotFound:
        raise MissingParent(
            "service",
            f"service {quote(name)} is not installed on device {uuid} (a device gets the services of the "
            "release it runs)",
        ) from None


def fleet_slug_of(client: BalenaClient, id_: int) -> str:
    return client.fleets.get(int(id_)).slug


def handle_of(client: BalenaClient, id_: int) -> str:
    return client.organizations.get(int(id_)).handle


# -- judging a change of parent -------------------------------------------------------------------------


def same_parent(client: BalenaClient, kind: str, old_id: Any, new_value: Any, *, unknown: bool) -> bool:
    """Whether a changed parent input still names the parent with id ``old_id``.

    ``unknown``: the new value is not known yet (preview). Then it is the same parent exactly when that
    parent is being updated in place in this deployment (its new name is what is not known yet);
    otherwise the answer is the conservative one: another parent.
    """
    if old_id is None:
        return False
    if unknown:
        return PLANNED.is_updating(kind, old_id)
    try:
        if kind == "fleet":
            return fleet_id(client, new_value) == int(old_id)
        if kind == "organization":
            return organization_id(client, new_value) == int(old_id)
        if kind == "device":
            return device(client, new_value).id == int(old_id)
    except MissingParent:
        return False
    return False


# -- releases -----------------------------------------------------------------------------------------


def given_selector(values: Mapping[str, Any] | Any) -> tuple[str, Any] | None:
    """The one release selector given (name, value), or None when none is."""
    get = values.get if isinstance(values, Mapping) else (lambda k: getattr(values, k, None))
    for name in RELEASE_SELECTORS:
        value = get(name)
        if value is not None and value != "":
            return name, value
    return None


def selector_problem(news: Mapping[str, Any]) -> str | None:
    """The exactly-one rule. An unknown value counts as given (it is known at `up` time)."""
    given = [s for s in RELEASE_SELECTORS if news.get(s) is not None and news.get(s) != ""]
    if len(given) == 1:
        return None
    got = "none" if not given else " and ".join(given)
    field = given[0] if given else RELEASE_SELECTORS[0]
    return f"{field}: exactly one of release_version, release_commit, release_id must be set (got {got})"


def selector_text(inputs: Mapping[str, Any]) -> str:
    found = given_selector(inputs)
    return f"{found[0]} {found[1]}" if found else "no release"


def find_release(client: BalenaClient, fleet: int, values: Mapping[str, Any] | Any) -> Any:
    """The release the selector names within the fleet; NotFound otherwise (releases of other fleets too)."""
    found = given_selector(values)
    if found is None:
        raise NotFound("no release selector", status=None)
    name, value = found
    if name == "release_version":
        return client.releases.find_by_version(fleet, value)
    if name == "release_commit":
        return client.releases.find_by_commit(fleet, value)
    return client.releases.find_by_id(fleet, int(value))


def missing_release(values: Mapping[str, Any] | Any, where: str) -> MissingParent:
    name, value = given_selector(values) or ("release_version", None)
    what = {"release_version": "version", "release_commit": "commit", "release_id": "id"}[name]
    return MissingParent(name, f"{where} has no release with {what} {value}")


def release_outputs(release: Any, selector: str) -> dict[str, Any]:
    """The resolved release under all three selector names, and which one the program gave."""
    return {
        "release_id": release.id,
        "release_version": release.raw_version,
        "release_commit": release.commit,
        SELECTOR_KEY: selector,
    }


def kept_release_outputs(olds: Mapping[str, Any]) -> dict[str, Any]:
    return {k: olds.get(k) for k in (*RELEASE_SELECTORS, SELECTOR_KEY)}


def same_release(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """Whether the selector in ``news`` names the release recorded in ``olds``, however it names it.

    ``olds`` holds the resolved release under all three names, so this needs no request: ``release_commit
    abc`` and ``release_version 1.1.0`` of the same release are the same release.
    """
    found = given_selector(news)
    if found is None:
        return False
    name, value = found
    old = olds.get(name)
    if old is None:
        return False
    if name == "release_id":
        return int(old) == int(value)
    return str(old).lower() == str(value).lower() if name == "release_commit" else str(old) == str(value)


def unpinnable(release: Any, values: Any, where: str) -> MissingParent | None:
    """The API's pin rule: only a release with status ``success`` may be pinned (drafts included)."""
    if release.status == "success":
        return None
    name, _ = given_selector(values) or ("release_version", None)
    return MissingParent(
        name,
        f"release {release.raw_version} of {where} has status {release.status!r}; "
        "only a release with status 'success' can be pinned",
    )


# -- import ids ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportId:
    """The natural-key import id of a kind: its parts, joined by ``:``; the last part takes the rest."""

    parts: tuple[str, ...]  # input names, e.g. ("fleet", "name")
    shape: str  # for messages, e.g. "<FLEET>:<NAME>"
    example: str  # e.g. "acme/production:LOG_LEVEL"
    numeric: bool = True  # the object's numeric id is accepted as well

    def format(self, values: Mapping[str, Any]) -> str:
        return ":".join(str(values.get(p)) for p in self.parts)

    def parse(self, kind: str, id_: str) -> dict[str, str]:
        pieces = id_.split(":", len(self.parts) - 1)
        if len(pieces) != len(self.parts) or not all(pieces):
            alternatives = " or the numeric id" if self.numeric else ""
            raise ResourceError(
                f"{kind}: malformed import id {quote(id_)}: expected {self.shape} (e.g. {self.example}){alternatives}"
            )
        return dict(zip(self.parts, pieces))
