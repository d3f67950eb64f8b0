"""``Fleet``: a balena fleet (API resource ``application``).

Type token ``pulumi-python:dynamic/balena:Fleet``. Import id: the slug ``org_handle/app_name`` or the
numeric fleet id. Renames and same-architecture device type changes are updated in place, and so is a
new handle of the same organization; another organization, another class, or a device type of another
CPU architecture replaces the fleet (deleting a fleet deletes its devices, releases and variables:
protect production fleets). A rename keeps everything that hangs off the fleet: their ``fleet`` input
follows the new slug, which is an update without any request (``refs``), in preview as in ``up``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator, BeforeValidator

from balena_pulumi.client import BalenaClient, NotFound

from .. import refs
from ..base import UNKNOWN, Args, BalenaProvider, Replacement, is_unknown, resource_props
from ..fields import Change, check_identifier, field, quote

FLEET_CLASSES = ("fleet", "block", "app")
OUTPUTS = ("fleet_id", "slug", "uuid", "organization_id", "device_type_id")


def check_app_name(value: str) -> str:
    """The API's rules for ``app_name`` (hook regex, then the 4..100 length rule)."""
    return refs.check_app_name(value)


def _device_type(value: str) -> str:
    check_identifier(value, max_length=255)
    if not value.strip():
        raise ValueError("must be a device type slug or alias, e.g. raspberrypi4-64")
    return value


def _fleet_class(value: str) -> str:
    if value not in FLEET_CLASSES:
        raise ValueError(f"must be one of {', '.join(FLEET_CLASSES)}; got {quote(value)}")
    return value


class FleetArgs(Args):
    organization: refs.OrgHandle = field(
        "Handle of the organization that owns the fleet (pass the Organization's `handle` output, or a plain handle).",
        change=Change.PARENT,
        docs_change="the same organization under a new handle: update (the slug follows); another organization: replace",
    )
    name: Annotated[str, BeforeValidator(refs._text), AfterValidator(check_app_name)] = field(
        "The fleet name (`app_name`): [a-zA-Z0-9_-], 4 to 100 characters. The slug is `handle/name` in lower case.",
        change=Change.UPDATE,
        docs_change="update in place (one PATCH); the slug follows, and what hangs off the fleet is kept",
    )
    device_type: Annotated[str, BeforeValidator(refs._text), AfterValidator(_device_type)] = field(
        "Default device type, by slug or alias, e.g. `raspberrypi4-64`.",
        change=Change.JUDGED,
        docs_change="an alias of the same type: nothing; same CPU architecture: update; another architecture: replace",
    )
    fleet_class: Annotated[str, AfterValidator(_fleet_class)] = field(
        "`fleet`, `block` or `app`.", change=Change.REPLACE, default="fleet"
    )


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


def _slug(organization: Any, name: Any) -> str | None:
    if isinstance(organization, str) and isinstance(name, str) and not is_unknown(organization) and not is_unknown(name):
        return f"{organization}/{name}".lower()
    return None


class FleetProvider(BalenaProvider):
    kind = "Fleet"
    noun = "fleet"
    args_model = FleetArgs
    parents = {"organization": ("organization", "organization_id")}
    import_id = refs.ImportId(("slug",), "<ORG_HANDLE>/<FLEET_NAME>", "acme/production")
    # A replacement keeps the slug when only the class changes, and the API refuses a second fleet with
    # the same slug: the old one goes first (the plan shows the replacement; protect fleets with devices).
    replacement = Replacement.DELETE_FIRST

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"Fleet {inputs.get('organization')}/{inputs.get('name')}"

    def natural_key(self, inputs: Mapping[str, Any]) -> str | None:
        return _slug(inputs.get("organization"), inputs.get("name"))

    def validate_remote(self, client: BalenaClient, args: FleetArgs, changed: set[str]) -> list[str]:
        failures = []
        if "organization" in changed:
            try:
                refs.organization_id(client, args.organization)
            except refs.MissingParent as missing:
                failures.append(str(missing))
        if "device_type" in changed:
            try:
                client.device_types.get_by_slug(args.device_type)
            except NotFound:
                failures.append(f"device_type: no device type with slug or alias {quote(args.device_type)}")
        return failures

    def equivalent(self, field: str, old: Any, new: Any, olds: Mapping[str, Any]) -> bool:
        if field == "device_type" and olds.get("device_type_id") is not None:
            # An alias and the canonical slug of one device type are the same input.
            try:
                return self.client().device_types.get_by_slug(new).id == olds["device_type_id"]
            except NotFound:
                return False
        return old == new

    def judge(self, field: str, olds: Mapping[str, Any], news: Mapping[str, Any], unknown: bool) -> bool:
        # device_type: the API refuses a default device type of another CPU architecture.
        if unknown or olds.get("device_type_id") is None:
            return True
        client = self.client()
        try:
            new_type = client.device_types.get_by_slug(news["device_type"])
            old_type = client.device_types.get(int(olds["device_type_id"]))
        except NotFound:
            return True
        return new_type.is_of__cpu_architecture != old_type.is_of__cpu_architecture

    def planned(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any], replaced: bool) -> None:
        if not replaced and olds.get("fleet_id") is not None:
            # Children diffed after this one resolve the new slug (or an unknown one) to this fleet.
            refs.PLANNED.updating("fleet", int(olds["fleet_id"]), _slug(news.get("organization"), news.get("name")))

    def preview_update(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """The outputs an in-place update will give, for the engine's preview: the new slug is known."""
        slug = _slug(news.get("organization"), news.get("name"))
        return {
            **news,
            "fleet_id": olds.get("fleet_id"),
            "slug": slug or UNKNOWN,
            "uuid": olds.get("uuid"),
            "organization_id": olds.get("organization_id"),
            "device_type_id": olds.get("device_type_id") if news.get("device_type") == olds.get("device_type") else UNKNOWN,
        }

    def holds(self, args: FleetArgs, outs: Mapping[str, Any]) -> bool:
        try:
            type_id = self.client().device_types.get_by_slug(args.device_type).id
        except NotFound:
            return False
        return (
            outs.get("organization") == args.organization
            and outs.get("name") == args.name
            and outs.get("fleet_class") == args.fleet_class
            and outs.get("device_type_id") == type_id
        )

    def create_object(self, client: BalenaClient, args: FleetArgs) -> tuple[str, dict[str, Any]]:
        org = refs.organization_id(client, args.organization)
        device_type = client.device_types.get_by_slug(args.device_type)
        fleet = client.fleets.create(org, args.name, device_type.id, args.fleet_class)
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
        return {
            "fleet_id": int(id_),
            "slug": f"{args.organization}/{args.name}".lower(),
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
        inputs = {"organization": organization, "name": name, "device_type": device_type, "fleet_class": fleet_class}
        super().__init__(FleetProvider(), resource_name, resource_props(inputs, OUTPUTS), opts)
