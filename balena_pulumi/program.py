"""The root project's program: a whole balena organization from structured stack config.

``Pulumi.yaml`` at the repository root runs this (``__main__.py`` calls ``main()``), and so does
``balena-pulumi up``. Config lives under the project namespace ``balena-org``; Pulumi.demo.yaml is a
complete example. Top-level keys: ``organization`` (handle, required), ``organizationName`` (adopt the
organization and manage its name), ``members`` (username -> role of existing members), ``invites``,
``apiKeys``, ``sshKeys``, ``fleets`` and ``devices``; the secret object ``secretVariables``
(fleet -> name -> value) holds the values of the names each fleet lists in ``secret_variables``.
Items use the resources' own input names (docs/resource-contract.md). Each map of variables or tags is one
bulk resource, so a map is one engine step however many entries it has (docs/performance.md):

==========================  ===================================================
``fleets[]``                Fleet (or an existing fleet with ``manage: false``)
``fleets[].variables``      one FleetEnvVars (bulk, authoritative over its names),
``fleets[].secret_variables``  with the secret variables as secret entries
``fleets[].config_variables``  one FleetConfigVars
``fleets[].build_variables``   one FleetBuildVars
``fleets[].service_variables`` one ServiceEnvVars per service
``fleets[].tags``           one FleetTags
``fleets[].release_tags``   one ReleaseTags per release
``fleets[].members / invites / pin / provisioning_keys``
                            FleetMember / FleetInvite / FleetPin / ProvisioningKey
``devices[].variables / config_variables / service_variables / tags``
                            one DeviceEnvVars / DeviceConfigVars / DeviceServiceEnvVars
                            (per service) / DeviceTags
``devices[].pin``           DevicePin
==========================  ===================================================

Invalid config fails before any resource is registered, naming the config key, the item and the rule.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from balena_pulumi import resources as r
from balena_pulumi.resources.errors import ResourceError
from balena_pulumi.resources.fleets.fleet import FLEET_CLASSES, check_app_name

NAMESPACE = "balena-org"


class ConfigError(ResourceError):
    """The stack config does not describe a valid organization (reported without a traceback)."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReleaseSelector(_Spec):
    """Exactly one of a release version (``1.2.3``, ``1.2.3+rev1``), a full commit, or an id."""

    release_version: str | None = None
    release_commit: str | None = None
    release_id: int | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "ReleaseSelector":
        given = [k for k in ("release_version", "release_commit", "release_id") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of release_version, release_commit, release_id")
        return self

    def selector(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class ReleaseTagSpec(ReleaseSelector):
    key: str
    value: str = ""


class InviteSpec(_Spec):
    invitee: str = Field(description="Email or username.")
    role: str | None = None
    message: str | None = None


class KeySpec(_Spec):
    name: str | None = None
    description: str | None = None
    expiry_date: str | None = Field(default=None, description="ISO 8601 date or datetime.")


class SshKeySpec(_Spec):
    title: str
    public_key: str


class FleetSpec(_Spec):
    name: str = Field(description="The fleet's app_name.")
    device_type: str | None = Field(default=None, description="Default device type slug or alias (managed fleets).")
    fleet_class: str = Field(default="fleet", description="fleet, block or app.")
    manage: bool = Field(default=True, description="false: the fleet exists already; only what hangs off it is managed.")
    protect: bool = Field(default=False, description="Protect the fleet against deletion by Pulumi.")
    variables: dict[str, str] = Field(default_factory=dict, description="Env vars, as one FleetEnvVars resource.")
    config_variables: dict[str, str] = Field(default_factory=dict)
    build_variables: dict[str, str] = Field(default_factory=dict)
    secret_variables: list[str] = Field(
        default_factory=list,
        description="Env var names whose values come from the secret config object secretVariables[fleet][name].",
    )
    service_variables: dict[str, dict[str, str]] = Field(default_factory=dict, description="service -> name -> value")
    tags: dict[str, str] = Field(default_factory=dict)
    members: dict[str, str] = Field(default_factory=dict, description="username -> role")
    invites: list[InviteSpec] = Field(default_factory=list)
    pin: ReleaseSelector | None = None
    release_tags: list[ReleaseTagSpec] = Field(default_factory=list)
    provisioning_keys: list[KeySpec] = Field(default_factory=list)

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

    @model_validator(mode="after")
    def _device_type_when_managed(self) -> "FleetSpec":
        if self.manage and not self.device_type:
            raise ValueError(f"fleet {self.name!r}: device_type is required for a fleet this stack creates")
        return self


class DeviceSpec(_Spec):
    uuid: str = Field(description="Full device uuid (32 or 62 lower-case hex characters).")
    variables: dict[str, str] = Field(default_factory=dict)
    config_variables: dict[str, str] = Field(default_factory=dict)
    service_variables: dict[str, dict[str, str]] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)
    pin: ReleaseSelector | None = None


class OrganizationSpec(_Spec):
    organization: str = Field(description="Handle of the organization that owns the fleets.")
    organization_name: str | None = Field(default=None, description="Manage the organization's name (adopts it).")
    members: dict[str, str] = Field(default_factory=dict, description="Existing members: username -> role")
    invites: list[InviteSpec] = Field(default_factory=list)
    api_keys: list[KeySpec] = Field(default_factory=list)
    ssh_keys: list[SshKeySpec] = Field(default_factory=list)
    fleets: list[FleetSpec] = Field(default_factory=list)
    devices: list[DeviceSpec] = Field(default_factory=list)

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


_KEYS = {
    "organization": "organization",
    "organizationName": "organization_name",
    "members": "members",
    "invites": "invites",
    "apiKeys": "api_keys",
    "sshKeys": "ssh_keys",
    "fleets": "fleets",
    "devices": "devices",
}


def load_spec(config: pulumi.Config | None = None) -> OrganizationSpec:
    config = config or pulumi.Config(NAMESPACE)
    raw: dict[str, Any] = {}
    for key, field in _KEYS.items():
        value = config.get_object(key) if key not in ("organization", "organizationName") else config.get(key)
        if value is not None:
            raw[field] = value
    return parse_spec(raw)


def parse_spec(raw: dict[str, Any]) -> OrganizationSpec:
    """Validate config already read into model field names; errors name the config keys."""
    if raw.get("organization") is None:
        raise ConfigError(f"{NAMESPACE}:organization is required: the handle of the organization to manage")
    try:
        return OrganizationSpec.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _secret_value(values: Any, fleet: str, name: str) -> str:
    try:
        value = values[fleet][name]
    except (KeyError, TypeError):
        raise ConfigError(
            f"{NAMESPACE}:fleets lists secret variable {name!r} for fleet {fleet!r}, but the secret config "
            f"{NAMESPACE}:secretVariables has no value for it: pulumi config set --secret --path "
            f"'secretVariables.{fleet}.{name}' <value>"
        ) from None
    if not isinstance(value, str):
        raise ConfigError(f"{NAMESPACE}:secretVariables.{fleet}.{name} must be a string")
    return value


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = err["loc"]
        key = next((k for k, f in _KEYS.items() if f == loc[0]), str(loc[0]))
        where = f"{NAMESPACE}:{key}" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
        msg = err["msg"].removeprefix("Value error, ")
        if "input" in err and err.get("type") not in ("missing",) and isinstance(err["input"], (str, int)):
            msg += f" (got {err['input']!r})"
        lines.append(f"  {where}: {msg}")
    return "invalid stack config:\n" + "\n".join(lines)


def _slug_name(text: str) -> str:
    return text.replace("/", "-").replace(":", "-")


def _secret_entry(fleet: str, name: str) -> Any:
    """The value of one secret variable: a Pulumi secret from the secret config object ``secretVariables``."""
    secrets = pulumi.Config(NAMESPACE).get_secret_object("secretVariables") or pulumi.Output.secret({})
    return secrets.apply(lambda values: _secret_value(values, fleet, name))


def _release_tags(tags: list[ReleaseTagSpec]) -> dict[tuple[tuple[str, Any], ...], dict[str, str]]:
    """The release tags of a fleet grouped by release (the one selector each names it by): key -> value."""
    grouped: dict[tuple[tuple[str, Any], ...], dict[str, str]] = {}
    for tag in tags:
        selector = ReleaseSelector.model_validate({k: getattr(tag, k) for k in ("release_version", "release_commit", "release_id")})
        grouped.setdefault(tuple(selector.selector().items()), {})[tag.key] = tag.value
    return grouped


def build(spec: OrganizationSpec) -> dict[str, Any]:
    """Register every resource the spec describes; returns them by name for exports and tests."""
    made: dict[str, Any] = {}
    org = spec.organization
    org_input: Any = org
    if spec.organization_name is not None:
        organization = r.Organization(f"org-{org}", name=spec.organization_name, handle=org)
        made[f"org-{org}"] = organization
        org_input = organization.handle
    for username, role in spec.members.items():
        made[f"member-{username}"] = r.OrganizationMember(f"member-{username}", organization=org_input, username=username, role=role)
    for invite in spec.invites:
        name = f"invite-{_slug_name(invite.invitee)}"
        made[name] = r.OrganizationInvite(name, organization=org_input, **invite.model_dump(exclude_none=True))
    for key in spec.api_keys:
        name = f"api-key-{key.name}"
        made[name] = r.ApiKey(name, **key.model_dump(exclude_none=True))
    for ssh in spec.ssh_keys:
        name = f"ssh-key-{_slug_name(ssh.title.replace(' ', '-'))}"
        made[name] = r.SshKey(name, title=ssh.title, public_key=ssh.public_key)

    fleets: dict[str, Any] = {}
    for f in spec.fleets:
        if f.manage:
            fleet = r.Fleet(
                f.name,
                organization=org_input,
                name=f.name,
                device_type=f.device_type,
                fleet_class=f.fleet_class,
                opts=pulumi.ResourceOptions(protect=f.protect),
            )
            made[f.name] = fleet
            slug: Any = fleet.slug
        else:
            slug = f"{org}/{f.name}".lower()
        fleets[f.name] = slug
        p = f.name
        variables = {**f.variables, **{name: _secret_entry(f.name, name) for name in f.secret_variables}}
        if variables:
            made[f"{p}-env"] = r.FleetEnvVars(f"{p}-env", fleet=slug, variables=variables)
        if f.config_variables:
            made[f"{p}-config"] = r.FleetConfigVars(f"{p}-config", fleet=slug, variables=f.config_variables)
        if f.build_variables:
            made[f"{p}-build"] = r.FleetBuildVars(f"{p}-build", fleet=slug, variables=f.build_variables)
        for service, values in f.service_variables.items():
            rn = f"{p}-service-{service}"
            made[rn] = r.ServiceEnvVars(rn, fleet=slug, service=service, variables=values)
        if f.tags:
            made[f"{p}-tags"] = r.FleetTags(f"{p}-tags", fleet=slug, tags=f.tags)
        for username, role in f.members.items():
            made[f"{p}-member-{username}"] = r.FleetMember(f"{p}-member-{username}", fleet=slug, username=username, role=role)
        for invite in f.invites:
            rn = f"{p}-invite-{_slug_name(invite.invitee)}"
            made[rn] = r.FleetInvite(rn, fleet=slug, **invite.model_dump(exclude_none=True))
        if f.pin is not None:
            made[f"{p}-pin"] = r.FleetPin(f"{p}-pin", fleet=slug, **f.pin.selector())
        for selector, tags in _release_tags(f.release_tags).items():
            rn = f"{p}-release-{_slug_name(str(selector[0][1]))}-tags"
            made[rn] = r.ReleaseTags(rn, fleet=slug, tags=tags, **dict(selector))
        for i, key in enumerate(f.provisioning_keys):
            rn = f"{p}-provisioning-{key.name or i}"
            made[rn] = r.ProvisioningKey(rn, fleet=slug, **key.model_dump(exclude_none=True))

    for d in spec.devices:
        short = d.uuid[:7]
        if d.variables:
            made[f"device-{short}-env"] = r.DeviceEnvVars(f"device-{short}-env", device=d.uuid, variables=d.variables)
        if d.config_variables:
            rn = f"device-{short}-config"
            made[rn] = r.DeviceConfigVars(rn, device=d.uuid, variables=d.config_variables)
        for service, values in d.service_variables.items():
            rn = f"device-{short}-service-{service}"
            made[rn] = r.DeviceServiceEnvVars(rn, device=d.uuid, service=service, variables=values)
        if d.tags:
            made[f"device-{short}-tags"] = r.DeviceTags(f"device-{short}-tags", device=d.uuid, tags=d.tags)
        if d.pin is not None:
            made[f"device-{short}-pin"] = r.DevicePin(f"device-{short}-pin", device=d.uuid, **d.pin.selector())

    pulumi.export("fleets", fleets)
    api_keys = {name: res.key for name, res in made.items() if name.startswith("api-key-")}
    if api_keys:
        pulumi.export("api_keys", api_keys)  # secret outputs: `pulumi stack output --show-secrets`
    return made


def main() -> None:
    build(load_spec())
