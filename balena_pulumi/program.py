"""The root project's program: a whole balena organization from structured stack config.

``Pulumi.yaml`` at the repository root runs this (``__main__.py`` calls ``main()``), and so does
``balena-pulumi up``. Config lives under the project namespace ``balena-org``; Pulumi.demo.yaml is a
complete example. Top-level keys: ``organization`` (handle, required), ``organizationName`` (adopt the
organization and manage its name), ``members`` (username -> role of existing members), ``invites``,
``apiKeys``, ``sshKeys``, ``fleets`` and ``devices``; the secret object ``secretVariables``
(fleet -> name -> value) holds the values of the names each fleet lists in ``secret_variables``.
Items use the resources' own input names (docs/resource-contract.md). Two more keys, written by
``balena-pulumi discover`` (docs/adopt.md) but open to anyone:

* ``secrets``: variable values kept as Pulumi secrets, at any scope, in the shape of the config they
  belong to (``fleets.<fleet name>.variables|config_variables|build_variables.<NAME>``,
  ``fleets.<fleet name>.service_variables.<service>.<NAME>``, ``devices.<uuid>.variables|
  config_variables.<NAME>``, ``devices.<uuid>.service_variables.<service>.<NAME>``). Each value joins
  its scope's map and reaches its resource as a secret.
* ``adopt``: objects that exist already. ``resources`` maps a kind to resource names and the import id
  each one adopts (``Fleet: {production: acme/production}``); ``organization`` is the organization they
  were found in (adoption applies only while ``organization`` is that one, except for API keys and SSH
  keys, which belong to the user); ``protect`` (default true) protects what is adopted.

Each map of variables or tags is one bulk resource, so a map is one engine step however many entries
it has (docs/performance.md):

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

import copy
from typing import Any

import pulumi
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from balena_pulumi import resources as r
from balena_pulumi.resources import tokens
from balena_pulumi.resources.errors import ProgramError
from balena_pulumi.resources.fields import quote
from balena_pulumi.resources.fleets.fleet import FLEET_CLASSES, check_app_name

NAMESPACE = "balena-org"


class ConfigError(ProgramError):
    """The stack config does not describe a valid organization (reported without a traceback)."""

    def __init__(self, detail: str) -> None:
        # One problem per line, under the headline.
        super().__init__("invalid stack config:", "\n".join(f"  {line.strip()}" for line in detail.splitlines()))


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


# Kinds whose objects belong to the logged-in user rather than to an organization: adopting them does not
# depend on which organization the stack manages.
USER_KINDS: tuple[str, ...] = ("ApiKey", "SshKey")


class AdoptSpec(_Spec):
    """Existing objects the program adopts (``import_``) instead of creating, by resource name."""

    organization: str = Field(description="Handle of the organization these objects were found in.")
    protect: bool = Field(default=True, description="Protect every adopted resource against deletion by Pulumi.")
    resources: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="kind -> resource name -> import id of the object it adopts"
    )

    @field_validator("resources")
    @classmethod
    def _known_kinds(cls, resources: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for kind, ids in resources.items():
            if kind not in tokens.KINDS:
                raise ValueError(f"{kind!r} is not a balena resource kind (one of {', '.join(sorted(tokens.KINDS))})")
            for name, import_id in ids.items():
                if not str(import_id).strip():
                    raise ValueError(f"{kind} {name!r}: the import id is empty")
        return resources


class OrganizationSpec(_Spec):
    organization: str = Field(description="Handle of the organization that owns the fleets.")
    organization_name: str | None = Field(default=None, description="Manage the organization's name (adopts it).")
    members: dict[str, str] = Field(default_factory=dict, description="Existing members: username -> role")
    invites: list[InviteSpec] = Field(default_factory=list)
    api_keys: list[KeySpec] = Field(default_factory=list)
    ssh_keys: list[SshKeySpec] = Field(default_factory=list)
    fleets: list[FleetSpec] = Field(default_factory=list)
    devices: list[DeviceSpec] = Field(default_factory=list)
    adopt: AdoptSpec | None = None
    # (name, value) of every variable whose value came from the secret config ``secrets``.
    _secret_pairs: set[tuple[str, str]] = PrivateAttr(default_factory=set)

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
    "adopt": "adopt",
    "secrets": "secrets",
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
    raw = dict(raw)
    secrets = raw.pop("secrets", None)
    if secrets is not None:
        raw = copy.deepcopy(raw)  # the secret values join the caller's fleet and device items otherwise
    pairs = merge_secrets(raw, secrets)
    try:
        spec = OrganizationSpec.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    spec._secret_pairs = pairs
    return spec


# -- secret values at any scope (config key ``secrets``) --------------------------------------------

FLEET_SECRET_SCOPES = ("variables", "config_variables", "build_variables", "service_variables")
DEVICE_SECRET_SCOPES = ("variables", "config_variables", "service_variables")


def merge_secrets(raw: dict[str, Any], secrets: Any) -> set[tuple[str, str]]:
    """Move the values of the secret config ``secrets`` into the scopes of ``raw`` they belong to.

    Returns the (name, value) pairs that came from it, so the program can hand those values to their
    resources as secrets. Errors name the path under ``balena-org:secrets`` and never a value.
    """
    pairs: set[tuple[str, str]] = set()
    if secrets is None:
        return pairs
    where = f"{NAMESPACE}:secrets"
    if not isinstance(secrets, dict):
        raise ConfigError(f"{where} must be an object with the keys fleets and devices")
    unknown = sorted(set(secrets) - {"fleets", "devices"})
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown key; {where} holds fleets and devices")
    for group, items_key, id_key, scopes in (
        ("fleets", "fleets", "name", FLEET_SECRET_SCOPES),
        ("devices", "devices", "uuid", DEVICE_SECRET_SCOPES),
    ):
        entries = secrets.get(group) or {}
        if not isinstance(entries, dict):
            raise ConfigError(f"{where}.{group} must be an object keyed by {'fleet name' if group == 'fleets' else 'device uuid'}")
        items = raw.get(items_key) or []
        by_id = {str(item.get(id_key)).lower(): item for item in items if isinstance(item, dict)}
        for owner, values in entries.items():
            item = by_id.get(str(owner).lower())
            if item is None:
                raise ConfigError(
                    f"{where}.{group}.{owner}: {NAMESPACE}:{items_key} has no "
                    f"{'fleet named' if group == 'fleets' else 'device with uuid'} {owner!r}"
                )
            if not isinstance(values, dict):
                raise ConfigError(f"{where}.{group}.{owner} must be an object with the keys {', '.join(scopes)}")
            for scope, names in values.items():
                path = f"{where}.{group}.{owner}.{scope}"
                if scope not in scopes:
                    raise ConfigError(f"{path}: unknown scope; one of {', '.join(scopes)}")
                if not isinstance(names, dict):
                    raise ConfigError(f"{path} must be an object")
                target = item.setdefault(scope, {})
                if not isinstance(target, dict):
                    raise ConfigError(f"{NAMESPACE}:{items_key}: {scope} of {owner!r} must be an object")
                if scope == "service_variables":
                    for service, svc_names in names.items():
                        if not isinstance(svc_names, dict):
                            raise ConfigError(f"{path}.{service} must be an object of name -> value")
                        _merge_names(f"{path}.{service}", target.setdefault(service, {}), svc_names, pairs)
                else:
                    also = item.get("secret_variables") if scope == "variables" else ()
                    _merge_names(path, target, names, pairs, also)
    return pairs


def _merge_names(
    path: str, target: dict[str, Any], values: dict[str, Any], pairs: set[tuple[str, str]], also: Any = ()
) -> None:
    for name, value in values.items():
        if not isinstance(value, str):
            raise ConfigError(f"{path}.{name} must be a string")
        if name in target:
            raise ConfigError(
                f"{path}.{name}: {name} is also given in plain config; keep it in one place (the secret one)"
            )
        if isinstance(also, list) and name in also:
            raise ConfigError(f"{path}.{name}: {name} is also listed in secret_variables; keep it in one place")
        target[name] = value
        pairs.add((str(name), value))


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
        shown = err.get("input")
        if err.get("type") != "missing" and isinstance(shown, (str, int)) and f"got {shown!r}" not in msg:
            msg += f" (got {quote(shown)})"
        lines.append(f"  {where}: {msg}")
    return "\n".join(lines)


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


# -- adoption (config key ``adopt``) and secret values, applied to whatever build() registers ------------


class Adoption:
    """A stack transformation: every balena resource the program registers passes through it.

    * A resource named in ``adopt.resources`` under its kind gets ``import_`` with the recorded id (and
      ``protect`` when ``adopt.protect``). The id of a resource never changes from one run to the next:
      once adopted, the engine finds the same import id in the state and does nothing more, while a
      resource already in the state that were given *another* import id would be "import-replaced", which
      deletes the object it held (docs/adopt.md). Names are matched, not computed from inputs, so the
      mechanism works whichever kinds build() uses.
    * A variable value that came from the secret config ``secrets`` is made a Pulumi secret: the ``value``
      of a single variable, or the whole map of a bulk resource holding one.
    """

    def __init__(self, spec: OrganizationSpec) -> None:
        self.spec = spec
        self.adopt = spec.adopt
        self.pairs = spec._secret_pairs
        self.same_organization = self.adopt is not None and self.adopt.organization == spec.organization
        self.adopted: dict[str, set[str]] = {}

    def applies_to(self, kind: str) -> bool:
        return self.adopt is not None and (self.same_organization or kind in USER_KINDS)

    def import_id(self, kind: str, name: str) -> str | None:
        if not self.applies_to(kind):
            return None
        return self.adopt.resources.get(kind, {}).get(name)  # type: ignore[union-attr]

    def _secret_props(self, kind: str, props: dict[str, Any]) -> dict[str, Any] | None:
        if not self.pairs:
            return None
        changed = dict(props)
        touched = False
        name, value = props.get("name"), props.get("value")
        if kind in tokens.VARIABLE_KINDS and isinstance(name, str) and isinstance(value, str) and (name, value) in self.pairs:
            changed["value"] = pulumi.Output.secret(value)
            touched = True
        for key, entries in props.items():
            if isinstance(entries, dict) and any(
                isinstance(v, str) and (str(k), v) in self.pairs for k, v in entries.items()
            ):
                changed[key] = pulumi.Output.secret(entries)
                touched = True
        return changed if touched else None

    def __call__(self, args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if not args.type_.startswith(tokens.TOKEN_PREFIX):
            return None
        kind = args.type_[len(tokens.TOKEN_PREFIX):]
        props = self._secret_props(kind, args.props) if kind in tokens.KINDS else None
        import_id = self.import_id(kind, args.name)
        if props is None and import_id is None:
            return None
        opts = args.opts
        if import_id is not None:
            self.adopted.setdefault(kind, set()).add(args.name)
            adopt = pulumi.ResourceOptions(import_=import_id, protect=True if self.adopt.protect else None)  # type: ignore[union-attr]
            opts = pulumi.ResourceOptions.merge(opts, adopt)
        return pulumi.ResourceTransformationResult(props if props is not None else args.props, opts)

    def unused(self) -> list[str]:
        """Entries of ``adopt.resources`` that named no resource of this run (``Kind name``)."""
        if self.adopt is None:
            return []
        return [
            f"{kind} {name}"
            for kind, ids in sorted(self.adopt.resources.items())
            if self.applies_to(kind)
            for name in sorted(ids)
            if name not in self.adopted.get(kind, set())
        ]

    def report(self) -> None:
        """Tell the user, once per run, what adoption did not apply to."""
        if self.adopt is None:
            return
        if not self.same_organization:
            pulumi.log.warn(
                f"{NAMESPACE}:adopt was written for organization {self.adopt.organization!r}, but this stack manages "
                f"{self.spec.organization!r}: its objects are created, not adopted (API keys and SSH keys, which "
                "belong to your user, are still adopted)"
            )
        unused = self.unused()
        if unused:
            shown = ", ".join(unused[:10]) + (f" and {len(unused) - 10} more" if len(unused) > 10 else "")
            pulumi.log.warn(
                f"{NAMESPACE}:adopt names {len(unused)} resource(s) this program does not declare, so nothing "
                f"adopts them: {shown}"
            )


def install_adoption(spec: OrganizationSpec) -> Adoption | None:
    """Register the :class:`Adoption` transformation for every resource registered after this call."""
    if spec.adopt is None and not spec._secret_pairs:
        return None
    adoption = Adoption(spec)
    pulumi.runtime.register_stack_transformation(adoption)
    return adoption


def main() -> None:
    spec = load_spec()
    adoption = install_adoption(spec)
    build(spec)
    if adoption is not None:
        adoption.report()
