"""``Fleet``: a balena fleet (API resource ``application``).

Type token ``pulumi-python:dynamic/balena:Fleet``. Import id: the numeric fleet id or the slug
``org_handle/app_name``. Renames and same-architecture device type changes are updated in place;
a change of organization, of class, or of device type to another CPU architecture replaces the fleet
(deleting a fleet deletes its devices, releases and variables: protect production fleets).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi import dynamic
from pulumi.dynamic import CheckFailure
from pydantic import Field, field_validator

from balena_pulumi.client import BalenaClient, NotFound

from .base import Args, BalenaProvider, is_unknown

FLEET_CLASSES = ("fleet", "block", "app")
_APP_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_HANDLE = re.compile(r"^[a-z0-9_]+$")


def check_app_name(value: str) -> None:
    """The API's rules for ``app_name`` (hook regex, then the 4..100 length rule)."""
    if not _APP_NAME.match(value):
        raise ValueError(f"may only contain letters, digits, '_' and '-' ([a-zA-Z0-9_-]); got {value!r}")
    if not 4 <= len(value) <= 100:
        raise ValueError(f"must be 4 to 100 characters long; got {len(value)}")


class FleetArgs(Args):
    organization: str = Field(description="Handle of the organization that owns the fleet (lower case).")
    name: str = Field(description="The fleet name (`app_name`): [a-zA-Z0-9_-], 4 to 100 characters.")
    device_type: str = Field(description="Default device type, by slug or alias, e.g. `raspberrypi4-64`.")
    fleet_class: str = Field(default="fleet", description="`fleet`, `block` or `app`. Changing it replaces.")

    @field_validator("organization")
    @classmethod
    def _organization(cls, value: str) -> str:
        if not value or not _HANDLE.match(value):
            raise ValueError(f"must be an organization handle (lower-case letters, digits, '_'); got {value!r}")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        check_app_name(value)
        return value

    @field_validator("device_type")
    @classmethod
    def _device_type(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must be a device type slug or alias, e.g. raspberrypi4-64")
        return value

    @field_validator("fleet_class")
    @classmethod
    def _fleet_class(cls, value: str) -> str:
        if value not in FLEET_CLASSES:
            raise ValueError(f"must be one of {', '.join(FLEET_CLASSES)}; got {value!r}")
        return value


def _outputs(fleet: Any, organization: str, device_type: str) -> dict[str, Any]:
    return {
        "organization": organization,
        "name": fleet.app_name,
        "device_type": device_type,
        "fleet_class": fleet.is_of__class,
        "fleet_id": fleet.id,
        "slug": fleet.slug,
        "uuid": fleet.uuid,
        "organization_id": fleet.organization,
        "device_type_id": fleet.is_for__device_type,
    }


class FleetProvider(BalenaProvider):
    kind = "Fleet"
    args_model = FleetArgs
    replace_on = frozenset({"organization", "fleet_class"})

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"Fleet {inputs.get('organization')}/{inputs.get('name')}"

    def validate_remote(self, client: BalenaClient, args: FleetArgs, changed: set[str]) -> list[CheckFailure]:
        failures = []
        if "organization" in changed:
            try:
                client.organizations.get_by_handle(args.organization)
            except NotFound:
                failures.append(
                    CheckFailure("organization", f"organization: no organization with handle {args.organization!r} is visible to this token")
                )
        if "device_type" in changed:
            try:
                client.device_types.get_by_slug(args.device_type)
            except NotFound:
                failures.append(
                    CheckFailure("device_type", f"device_type: no device type with slug or alias {args.device_type!r}")
                )
        return failures

    def equivalent(self, field: str, old: Any, new: Any, olds: Mapping[str, Any]) -> bool:
        if field == "device_type" and olds.get("device_type_id") is not None:
            # An alias and the canonical slug of one device type are the same input.
            try:
                return self.client().device_types.get_by_slug(new).id == olds["device_type_id"]
            except NotFound:
                return False
        return old == new

    def replace_reasons(self, olds: Mapping[str, Any], news: Mapping[str, Any], changed: set[str]) -> set[str]:
        reasons = super().replace_reasons(olds, news, changed)
        if "organization" in reasons and olds.get("organization_id") is not None:
            # The organization changed its handle: the same organization, so the fleet is updated (its
            # slug follows), not replaced. A value not known yet (preview) stays a conservative replace.
            new_handle = news.get("organization")
            if isinstance(new_handle, str) and not is_unknown(new_handle):
                try:
                    if self.client().organizations.get_by_handle(new_handle).id == olds["organization_id"]:
                        reasons.discard("organization")
                except NotFound:
                    pass
        if "device_type" in changed and olds.get("device_type_id") is not None:
            if is_unknown(news.get("device_type")):
                return reasons | {"device_type"}  # not known until up: answer conservatively
            client = self.client()
            try:
                new_type = client.device_types.get_by_slug(news["device_type"])
                old_type = client.device_types.get(int(olds["device_type_id"]))
            except NotFound:
                return reasons | {"device_type"}
            if new_type.is_of__cpu_architecture != old_type.is_of__cpu_architecture:
                # The API refuses a default device type of another CPU architecture.
                reasons.add("device_type")
        return reasons

    def create_object(self, client: BalenaClient, args: FleetArgs) -> tuple[str, dict[str, Any]]:
        org = client.organizations.get_by_handle(args.organization)
        device_type = client.device_types.get_by_slug(args.device_type)
        fleet = client.fleets.create(org.id, args.name, device_type.id, args.fleet_class)
        return str(fleet.id), _outputs(fleet, args.organization, args.device_type)

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        if id_.isdigit():
            fleet = client.fleets.maybe_get(int(id_))
        else:  # adoption by slug
            try:
                fleet = client.fleets.get_by_slug(id_)
            except NotFound:
                fleet = None
        if fleet is None:
            return None
        # The slug is `handle/app_name` in lower case, so the handle needs no extra request.
        organization = fleet.slug.split("/", 1)[0]
        device_type = props.get("device_type")
        if fleet.is_for__device_type != props.get("device_type_id") or not device_type:
            device_type = client.device_types.get(int(fleet.is_for__device_type)).slug
        outs = _outputs(fleet, organization, device_type)
        outs["__id"] = fleet.id
        return outs

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: FleetArgs) -> dict[str, Any]:
        device_type = client.device_types.get_by_slug(args.device_type)
        name = args.name if args.name != olds.get("name") else None
        device_type_id = device_type.id if device_type.id != olds.get("device_type_id") else None
        if name is not None or device_type_id is not None:
            client.fleets.update(int(id_), name=name, device_type_id=device_type_id)
        slug = f"{args.organization}/{args.name}".lower()
        return {
            "fleet_id": int(id_),
            "slug": slug,
            "uuid": olds.get("uuid"),
            "organization_id": olds.get("organization_id"),
            "device_type_id": device_type.id,
        }

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        client.fleets.delete(int(id_))


class Fleet(dynamic.Resource, module="balena", name="Fleet"):
    """A balena fleet. Outputs: ``fleet_id``, ``slug`` (`org/app`, what other resources take), ``uuid``."""

    organization: pulumi.Output[str]
    name: pulumi.Output[str]
    device_type: pulumi.Output[str]
    fleet_class: pulumi.Output[str]
    fleet_id: pulumi.Output[int]
    slug: pulumi.Output[str]
    uuid: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        organization: pulumi.Input[str],
        name: pulumi.Input[str],
        device_type: pulumi.Input[str],
        fleet_class: pulumi.Input[str] = "fleet",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            FleetProvider(),
            resource_name,
            {
                "organization": organization,
                "name": name,
                "device_type": device_type,
                "fleet_class": fleet_class,
                "fleet_id": None,
                "slug": None,
                "uuid": None,
                "organization_id": None,
                "device_type_id": None,
            },
            opts,
        )
