"""The root project's program: a whole balena organization from structured stack config.

``Pulumi.yaml`` at the repository root runs this (``__main__.py`` calls ``main()``), and so does
``balena-pulumi up``. The config lives under the project's namespace ``balena-org``::

    config:
      balena-org:organization: acme          # handle of an existing organization
      balena-org:fleets:
        - name: edge-gateways                # app_name: [a-zA-Z0-9_-], 4..100 characters
          device_type: raspberrypi4-64       # slug or alias
          fleet_class: fleet                 # fleet | block | app (default fleet)

Invalid config fails before any resource is registered, with the config key, the item and the rule.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from balena_pulumi.resources.fleet import FLEET_CLASSES, Fleet, check_app_name

NAMESPACE = "balena-org"


class ConfigError(Exception):
    """The stack config does not describe a valid organization."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FleetSpec(_Spec):
    name: str = Field(description="The fleet's app_name.")
    device_type: str = Field(description="Default device type slug or alias.")
    fleet_class: str = Field(default="fleet", description="fleet, block or app.")
    protect: bool = Field(default=False, description="Protect the fleet against deletion by Pulumi.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        check_app_name(value)
        return value

    @field_validator("fleet_class")
    @classmethod
    def _class(cls, value: str) -> str:
        if value not in FLEET_CLASSES:
            raise ValueError(f"must be one of {', '.join(FLEET_CLASSES)}")
        return value


class OrganizationSpec(_Spec):
    organization: str = Field(description="Handle of the organization that owns the fleets.")
    fleets: list[FleetSpec] = Field(default_factory=list)

    @field_validator("fleets")
    @classmethod
    def _unique(cls, fleets: list[FleetSpec]) -> list[FleetSpec]:
        seen: set[str] = set()
        for spec in fleets:
            key = spec.name.lower()
            if key in seen:
                raise ValueError(f"fleet {spec.name!r} is listed twice (fleet names are unique, ignoring case)")
            seen.add(key)
        return fleets


def load_spec(config: pulumi.Config | None = None) -> OrganizationSpec:
    config = config or pulumi.Config(NAMESPACE)
    raw: dict[str, Any] = {"organization": config.get("organization")}
    for key in ("fleets",):
        value = config.get_object(key)
        if value is not None:
            raw[key] = value
    if raw["organization"] is None:
        raise ConfigError(f"{NAMESPACE}:organization is required: the handle of the organization to manage")
    try:
        return OrganizationSpec.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = err["loc"]
            where = f"{NAMESPACE}:{loc[0]}" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"  {where}: {msg}")
        raise ConfigError("invalid stack config:\n" + "\n".join(lines)) from None


def build(spec: OrganizationSpec) -> dict[str, Any]:
    """Register every resource the spec describes; returns them by kind for exports and tests."""
    fleets: dict[str, Fleet] = {}
    for fleet_spec in spec.fleets:
        fleets[fleet_spec.name] = Fleet(
            fleet_spec.name,
            organization=spec.organization,
            name=fleet_spec.name,
            device_type=fleet_spec.device_type,
            fleet_class=fleet_spec.fleet_class,
            opts=pulumi.ResourceOptions(protect=fleet_spec.protect),
        )
    pulumi.export("fleets", {name: fleet.slug for name, fleet in fleets.items()})
    return {"fleets": fleets}


def main() -> None:
    build(load_spec())
