"""``FleetEnvVars``: several environment variables of one fleet, managed as one map (bulk).

Type token ``pulumi-python:dynamic/balena:FleetEnvVars``. Import id: the fleet slug ``org/fleet`` (it
adopts the names of the ``variables`` input that exist on the fleet, or every variable of the fleet
when no inputs are given). The resource is authoritative over the names it owns only: it never
touches other variables of the fleet. An update sends the change set with the fewest requests: one
POST per new name, one PATCH per changed value, one DELETE for all removed names, nothing for the
rest. A name also managed by a ``FleetEnvVar`` (or another ``FleetEnvVars``) of the same program is an
error at program time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi import dynamic
from pydantic import field_validator

from balena_pulumi.client import BalenaClient, BalenaError, Conflict, NotFound

from .. import refs
from ..base import Args, BalenaProvider, Replacement, resource_props
from ..errors import ResourceError
from ..fields import Change, field, quote
from ..guard import claim, names_of
from ..refs import FleetSlug
from ._scope import FLEET, check_env_name, check_value, fleet_field, resolve_parent

FAMILY, LABEL = "fleet_env", "fleet environment variable"  # shared with FleetEnvVar: the same API resource
OUTPUTS = ("fleet_id", "variable_ids")


class FleetEnvVarsArgs(Args):
    fleet: FleetSlug = fleet_field()
    variables: dict[str, str] = field(
        "Map of variable name to value. Names follow the environment variable rules; values hold no line "
        "break and at most 100000 characters. Pass the map (or its values) as secrets to keep them secret in "
        "state. Names added, changed or removed are created, updated or deleted in place.",
        change=Change.UPDATE,
        secret=True,
    )

    @field_validator("variables")
    @classmethod
    def _variables(cls, variables: dict[str, str]) -> dict[str, str]:
        problems = []
        for name in sorted(variables):
            try:
                check_env_name(name)
            except ValueError as exc:
                problems.append(str(exc) if quote(name) in str(exc) else f"name {quote(name)}: {exc}")
            try:
                check_value(variables[name])
            except ValueError as exc:  # never echo the value: it may be secret
                problems.append(f"value of {name}: {exc}")
        if problems:
            raise ValueError("; ".join(problems))
        return variables


class FleetEnvVarsProvider(BalenaProvider):
    kind = "FleetEnvVars"
    args_model = FleetEnvVarsArgs
    parents = {"fleet": ("fleet", "fleet_id")}
    import_id = refs.ImportId(("fleet",), "<FLEET>[:NAME,NAME,...]", "acme/production:LOG_LEVEL,MQTT_HOST")
    replacement = Replacement.DELETE_FIRST
    noun = "fleet environment variables"

    def describe(self, inputs: Mapping[str, Any]) -> str:
        return f"FleetEnvVars {inputs.get('fleet')}"

    def natural_key(self, inputs: Mapping[str, Any]) -> str | None:
        # The names of the map belong in the id: a bare slug would adopt every variable of the fleet,
        # including ones made after the id was written, and the first update would delete those.
        variables = inputs.get("variables")
        if isinstance(variables, Mapping) and variables:
            return f"{inputs.get('fleet')}:{','.join(sorted(variables))}"
        return super().natural_key(inputs)

    def api(self, client: BalenaClient):
        return client.variables(FAMILY)

    def validate_remote(self, client: BalenaClient, args: FleetEnvVarsArgs, changed: set[str]) -> list[str]:
        if "fleet" in changed:
            resolve_parent(client, FLEET, {"fleet": args.fleet})
        return []

    def _post_all(
        self, client: BalenaClient, fleet_id: int, items: Mapping[str, str], what: str, slug: str
    ) -> dict[str, int]:
        """POST each new name; on a failure, delete what this call created (so a retry starts clean)."""
        created: dict[str, int] = {}
        try:
            for name in sorted(items):
                created[name] = self.api(client).create(fleet_id, name, items[name]).id
        except BalenaError as exc:
            self.api(client).delete_many(fleet_id, list(created.values()))
            if isinstance(exc, Conflict):
                raise ResourceError(
                    f"{what}: the fleet already has an environment variable named {name} that this resource "
                    f"does not own: adopt it with import id '{slug}:{name}' (the names after ':' are adopted), "
                    "delete it first, or leave it out of `variables`"
                ) from None
            raise
        return created

    def create_object(self, client: BalenaClient, args: FleetEnvVarsArgs) -> tuple[str, dict[str, Any]]:
        fleet_id = resolve_parent(client, FLEET, {"fleet": args.fleet})["fleet_id"]
        ids = self._post_all(client, fleet_id, args.variables, self.describe(args.model_dump()), args.fleet)
        return str(fleet_id), {"fleet_id": fleet_id, "variable_ids": ids}

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        fleet_id = props.get("fleet_id")
        slug = props.get("fleet")
        listed: set[str] = set()
        if fleet_id is None:  # adoption: `org/fleet` (or the fleet id), optionally `:NAME,NAME,...`
            ref, _, names = id_.partition(":")
            listed = {n.strip() for n in names.split(",") if n.strip()}
            try:
                fleet = client.fleets.get(int(ref)) if ref.isdigit() else client.fleets.get_by_slug(ref)
            except NotFound:
                return None
            fleet_id, slug = fleet.id, fleet.slug
        owned = set(props.get("variable_ids") or {}) or set(props.get("variables") or {}) or listed
        adopting_all = props.get("variable_ids") is None and props.get("variables") is None and not listed
        rows = self.api(client).list(int(fleet_id)) if owned or adopting_all else []
        if not rows and client.fleets.maybe_get(int(fleet_id)) is None:
            return None  # the fleet itself is gone, and its variables with it
        mine = [v for v in rows if adopting_all or v.name in owned]
        return {
            "fleet": slug,
            "variables": {v.name: v.value for v in mine},
            "fleet_id": int(fleet_id),
            "variable_ids": {v.name: v.id for v in mine},
            "__id": int(fleet_id),
        }

    def update_object(
        self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: FleetEnvVarsArgs
    ) -> dict[str, Any]:
        fleet_id = int(olds["fleet_id"])
        old_values: dict[str, str] = dict(olds.get("variables") or {})
        ids: dict[str, int] = dict(olds.get("variable_ids") or {})
        new_values = args.variables
        removed = sorted(n for n in ids if n not in new_values)
        changed = sorted(n for n in new_values if n in ids and old_values.get(n) != new_values[n])
        added = {n: v for n, v in new_values.items() if n not in ids}
        what = self.describe(args.model_dump())
        self.api(client).delete_many(fleet_id, [ids[n] for n in removed])  # one request for all
        for name in removed:
            ids.pop(name)
        for name in changed:
            self.api(client).update(ids[name], value=new_values[name])
        ids.update(self._post_all(client, fleet_id, added, what, args.fleet))
        return {"fleet_id": fleet_id, "variable_ids": ids}

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        ids = list((props.get("variable_ids") or {}).values())
        if ids:
            self.api(client).delete_many(int(props["fleet_id"]), ids)


class FleetEnvVars(dynamic.Resource, module="balena", name="FleetEnvVars"):
    """Environment variables of a fleet as one map. Outputs: every input, ``fleet_id``, ``variable_ids``
    (name -> variable id)."""

    fleet: pulumi.Output[str]
    variables: pulumi.Output[dict[str, str]]
    fleet_id: pulumi.Output[int]
    variable_ids: pulumi.Output[dict[str, int]]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        variables: pulumi.Input[Mapping[str, pulumi.Input[str]]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        routed = claim(FAMILY, LABEL, f'FleetEnvVars "{resource_name}"', {"fleet": fleet}, names_of(variables))
        inputs = {"fleet": routed["fleet"], "variables": variables}
        super().__init__(FleetEnvVarsProvider(), resource_name, resource_props(inputs, OUTPUTS), opts)
