"""Pydantic models of the balena API v7 wire objects.

Wire names are kept (``app_name``, ``is_for__device_type``) so a model reads like the API; a few friendly
properties sit on top. Foreign keys come back as ``{"__id": n}``, as ``null``, or, when expanded, as a
one-element array: all of them become ``int | None``. Unknown fields are ignored, so server additions
never break the client.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr

__all__ = [
    "WireModel",
    "FK",
    "Organization",
    "Fleet",
    "DeviceType",
    "Release",
    "Service",
    "ServiceInstall",
    "Device",
    "Variable",
    "Tag",
    "OrganizationMembership",
    "FleetMembership",
    "Invite",
    "Role",
    "ApiKey",
    "NewApiKey",
    "SshKey",
    "User",
    "Whoami",
]


def _fk(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, dict):
        return value.get("__id", value.get("id"))
    if isinstance(value, list):  # an expanded to-one navigation
        if not value:
            return None
        first = value[0]
        return first.get("id", first.get("__id")) if isinstance(first, dict) else first
    return value


FK = Annotated[Optional[int], BeforeValidator(_fk)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    id: int
    created_at: Optional[_dt.datetime] = None


class Organization(WireModel):
    name: str
    handle: str


class Fleet(WireModel):
    """An ``application`` (fleet, block or app)."""

    app_name: str
    slug: str
    uuid: Optional[str] = None
    organization: FK = None
    is_for__device_type: FK = None
    should_track_latest_release: bool = True
    should_be_running__release: FK = None
    is_of__class: str = "fleet"
    is_host: bool = False
    is_archived: bool = False
    is_public: bool = False
    actor: FK = None

    @property
    def name(self) -> str:
        return self.app_name


class DeviceType(WireModel):
    slug: str
    name: str
    is_of__cpu_architecture: FK = None
    belongs_to__device_family: FK = None
    is_private: Optional[bool] = None


class Release(WireModel):
    belongs_to__application: FK = None
    commit: str
    status: str
    source: Optional[str] = None
    is_final: Optional[bool] = None
    is_invalidated: bool = False
    is_passing_tests: bool = True
    revision: Optional[int] = None
    raw_version: Optional[str] = None
    semver: Optional[str] = None
    variant: Optional[str] = None
    start_timestamp: Optional[_dt.datetime] = None
    end_timestamp: Optional[_dt.datetime] = None

    @property
    def fleet_id(self) -> Optional[int]:
        return self.belongs_to__application


class Service(WireModel):
    application: FK = None
    service_name: str


class ServiceInstall(WireModel):
    device: FK = None
    installs__service: FK = Field(default=None, validation_alias="installs__service")


class Device(WireModel):
    uuid: str
    device_name: Optional[str] = None
    note: Optional[str] = None
    belongs_to__application: FK = None
    is_of__device_type: FK = None
    is_pinned_on__release: FK = None
    should_be_running__release: FK = None
    is_running__release: FK = None
    is_online: Optional[bool] = None
    os_version: Optional[str] = None
    supervisor_version: Optional[str] = None
    overall_status: Optional[str] = None
    actor: FK = None


class Variable(WireModel):
    """Any of the seven variable kinds; ``parent_id`` is filled from the kind's parent FK field."""

    name: str
    value: str
    parent_id: Optional[int] = None
    kind: Optional[str] = None


class Tag(WireModel):
    tag_key: str
    value: str
    parent_id: Optional[int] = None
    kind: Optional[str] = None

    @property
    def key(self) -> str:
        return self.tag_key


class Role(WireModel):
    name: str


class OrganizationMembership(WireModel):
    user: FK = None
    is_member_of__organization: FK = None
    organization_membership_role: FK = None


class FleetMembership(WireModel):
    user: FK = None
    is_member_of__application: FK = None
    application_membership_role: FK = None


class Invite(WireModel):
    """An application or organization invite; ``parent_id`` and ``role_id`` are filled by kind."""

    invitee: Any = None
    message: Optional[str] = None
    parent_id: Optional[int] = None
    role_id: Optional[int] = None
    kind: Optional[str] = None


class ApiKey(WireModel):
    is_of__actor: FK = None
    name: Optional[str] = None
    description: Optional[str] = None
    expiry_date: Optional[_dt.datetime] = None


class NewApiKey(BaseModel):
    """A freshly created key. The secret is only ever in ``key`` (a SecretStr: hidden in repr/str)."""

    model_config = ConfigDict(frozen=True)

    key: SecretStr
    id: Optional[int] = None
    name: Optional[str] = None


class SshKey(WireModel):
    user: FK = None
    title: str
    public_key: str


class User(WireModel):
    username: str
    actor: FK = None


class Whoami(BaseModel):
    """``/actor/v1/whoami``: ``id`` is the actor id, ``actor_type_id`` the user (or app/device) id."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    id: int
    actor_type: str = Field(alias="actorType")
    actor_type_id: int = Field(alias="actorTypeId")
    username: Optional[str] = None
    email: Optional[str] = None

    @property
    def user_id(self) -> Optional[int]:
        return self.actor_type_id if self.actor_type == "user" else None
