"""``Organization``: a balena organization, created or adopted by handle.

Type token ``pulumi-python:dynamic/balena:Organization``. Import id: the handle or the numeric
organization id. ``create`` adopts an organization that already exists with the given handle and is
visible to the token (output ``adopted: true``) and otherwise creates one; destroying an adopted
organization only releases it from management, destroying a created one deletes it (refused while it
still owns fleets). Name and handle changes are updated in place; a new handle makes the API recompute
every fleet slug of the organization, and the fleets and what hangs off them follow without replacement.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Optional

import pulumi
from pulumi import dynamic
from pydantic import AfterValidator

from balena_pulumi.client import BalenaClient, Conflict, NotFound

from .. import refs
from ..base import Args, BalenaProvider, resource_props
from ..errors import ResourceError
from ..fields import Change, check_identifier, field

OUTPUTS = ("organization_id", "adopted")


def _name(value: str) -> str:
    return check_identifier(value, max_length=100)


def _handle(value: Optional[str]) -> Optional[str]:
    return None if value is None else refs.check_handle(value)


class OrganizationArgs(Args):
    name: Annotated[str, AfterValidator(_name)] = field("Display name, 1 to 100 characters.", change=Change.UPDATE)
    handle: Annotated[Optional[str], AfterValidator(_handle)] = field(
        "Unique handle (`[a-z0-9_]`, 1 to 100 characters). An existing organization with this handle is adopted "
        "instead of created. Without it the API derives one from the name.",
        change=Change.UPDATE,
        default=None,
        docs_change="update in place; every fleet slug of the organization follows, nothing that hangs off them is replaced",
    )


def _outputs(org: Any, adopted: bool) -> dict[str, Any]:
    return {"name": org.name, "handle": org.handle, "organization_id": org.id, "adopted": adopted}


class OrganizationProvider(BalenaProvider):
    kind = "Organization"
    noun = "organization"
    args_model = OrganizationArgs
    import_id = refs.ImportId(("handle",), "<HANDLE>", "acme")

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"Organization {inputs.get('handle') or inputs.get('name')}"

    def equivalent(self, field: str, old: Any, new: Any, olds: Mapping[str, Any]) -> bool:
        # Without a handle in the program, the one the API derived at creation is the desired one.
        if field == "handle" and new is None:
            return True
        return old == new

    def planned(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any], replaced: bool) -> None:
        if not replaced and olds.get("organization_id") is not None:
            new_handle = news.get("handle")
            refs.PLANNED.updating(
                "organization", int(olds["organization_id"]), new_handle if isinstance(new_handle, str) else None
            )

    def preview_update(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **news,
            "handle": news.get("handle") or olds.get("handle"),
            "organization_id": olds.get("organization_id"),
            "adopted": olds.get("adopted"),
        }

    def create_object(self, client: BalenaClient, args: OrganizationArgs) -> tuple[str, dict[str, Any]]:
        if args.handle is not None:
            try:
                existing = client.organizations.get_by_handle(args.handle)
            except NotFound:
                existing = None
            if existing is not None:
                if existing.name != args.name:
                    client.organizations.update(existing.id, name=args.name)
                return str(existing.id), {**_outputs(existing, True), "name": args.name}
        try:
            org = client.organizations.create(args.name, args.handle)
        except Conflict as exc:
            taken = f"handle {args.handle!r}" if args.handle else "handle the API derived from the name"
            raise ResourceError(
                f"{self.describe(args.model_dump())}: the {taken} belongs to an organization this token cannot "
                f"see (the API said: {exc.api_message}); choose another handle"
            ) from None
        return str(org.id), _outputs(org, False)

    def find_existing(self, client: BalenaClient, args: Any) -> dict[str, Any] | None:
        # A lost answer: an organization with the given handle, or (no handle) with the exact name.
        if args.handle is None:
            matches = [o for o in client.organizations.list() if o.name == args.name]
            if len(matches) != 1:
                return None
            return {**_outputs(matches[0], False), "__id": matches[0].id}
        try:
            org = client.organizations.get_by_handle(args.handle)
        except NotFound:
            return None
        return {**_outputs(org, False), "__id": org.id}

    def holds(self, args: Any, outs: Mapping[str, Any]) -> bool:
        return outs.get("name") == args.name and (args.handle is None or outs.get("handle") == args.handle)

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        if id_.isdigit():
            org = client.organizations.maybe_get(int(id_))
        else:  # import by handle: it existed before Pulumi, so it is adopted
            org = client.organizations.get_by_handle(id_)
        if org is None:
            return None
        adopted = props.get("adopted")
        outs = _outputs(org, True if adopted is None else bool(adopted))
        outs["__id"] = org.id
        return outs

    def update_object(
        self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: OrganizationArgs
    ) -> dict[str, Any]:
        name = args.name if args.name != olds.get("name") else None
        handle = args.handle if args.handle is not None and args.handle != olds.get("handle") else None
        if name is not None or handle is not None:
            try:
                client.organizations.update(int(id_), name=name, handle=handle)
            except Conflict as exc:
                raise ResourceError(
                    f"{self.describe(args.model_dump())}: cannot change the handle to {args.handle!r}: "
                    f"{exc.api_message} (another organization has it, or a fleet slug would collide)"
                ) from None
            if handle is not None:
                # Every fleet slug of the organization changed on the server.
                client.clear_cache()
        return {
            "handle": handle or olds.get("handle"),
            "organization_id": int(id_),
            "adopted": bool(olds.get("adopted")),
        }

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        if props.get("adopted"):
            return  # adopted, not created: only released from management, never deleted
        try:
            client.organizations.delete(int(id_))
        except Conflict as exc:
            raise ResourceError(
                f"{self.describe(props)}: cannot delete the organization while it still owns fleets "
                f"(the API said: {exc.api_message}). Delete or move its fleets first."
            ) from None


class Organization(dynamic.Resource, module="balena", name="Organization"):
    """A balena organization, created, or adopted when its handle already exists.

    Outputs: ``organization_id``, ``handle`` (what other resources take as ``organization``), ``adopted``.
    """

    name: pulumi.Output[str]
    handle: pulumi.Output[str]
    organization_id: pulumi.Output[int]
    adopted: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        handle: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"name": name, "handle": handle}
        super().__init__(OrganizationProvider(), resource_name, resource_props(inputs, OUTPUTS), opts)
