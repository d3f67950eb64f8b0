"""Shared code of the variable kinds: name and value rules, scopes as data, one generic provider.

Each variable kind module (``fleet_env_var``, ``device_service_env_var``, ...) declares a
:class:`VariableScope` row (which API resource, which parent, which name rule) and a small pydantic
model; :class:`VariableProvider` does the rest for every scope. The bulk ``FleetEnvVars`` reuses the
rules and the duplicate-management guard (:func:`claim`).

The name rules are the API's own (reference section 5.8), checked locally so a bad name fails in
preview: environment variable names match ``[A-Za-z0-9_]`` and do not start with a digit, config variable
names may also hold ``:`` (not first); ``RESIN``, ``BALENA`` and ``USER`` are reserved in both; config
names must start with ``RESIN_`` or ``BALENA_`` and environment names must not. Values hold no line
break and at most 100000 characters.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult
from pydantic import AfterValidator, Field

from balena_pulumi.client import BalenaClient, Conflict, NotFound

from .base import Args, BalenaProvider, BalenaResourceError, is_unknown

# -- name and value rules ----------------------------------------------------------------------------

MAX_NAME_LENGTH = 255
MAX_VALUE_LENGTH = 100_000
MAX_SERVICE_NAME_LENGTH = 63
RESERVED_NAMES = ("RESIN", "BALENA", "USER")
RESERVED_NAMESPACES = ("RESIN_", "BALENA_")
SECRET_INPUTS = frozenset({"value", "variables"})  # inputs that may hold secrets

# The API's regexes (`/^\d|\W/`, `/^[\d:]|[^A-Za-z0-9_:]/`) are JavaScript, where \W is ASCII-only.
_ENV_INVALID = re.compile(r"^[0-9]|[^A-Za-z0-9_]")
_CONFIG_INVALID = re.compile(r"^[0-9:]|[^A-Za-z0-9_:]")
_FLEET_SLUG = re.compile(r"^[a-z0-9_]+/[a-z0-9_-]+$")
_DEVICE_UUID = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{62})$")


def _common_name_checks(name: str) -> None:
    if not isinstance(name, str) or name == "":
        raise ValueError("must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"must be at most {MAX_NAME_LENGTH} characters long (got {len(name)})")


def check_env_name(name: str) -> str:
    """The API's rules for environment variable names (fleet, build, service, device, device-service)."""
    _common_name_checks(name)
    if _ENV_INVALID.search(name):
        raise ValueError(
            "environment variable names may only contain letters, digits and '_' and must not start "
            f'with a digit (got "{name}")'
        )
    if name in RESERVED_NAMES:
        raise ValueError(f'RESIN, BALENA and USER are reserved names (got "{name}")')
    if name.startswith(RESERVED_NAMESPACES):
        raise ValueError(
            "environment variable names must not start with RESIN_ or BALENA_ (that namespace is for "
            f'config variables; got "{name}")'
        )
    return name


def check_config_name(name: str) -> str:
    """The API's rules for config variable names (fleet and device config)."""
    _common_name_checks(name)
    if _CONFIG_INVALID.search(name):
        raise ValueError(
            "config variable names may only contain letters, digits, '_' and ':' and must not start "
            f'with a digit or \':\' (got "{name}")'
        )
    if name in RESERVED_NAMES:
        raise ValueError(f'RESIN, BALENA and USER are reserved names (got "{name}")')
    if not name.startswith(RESERVED_NAMESPACES):
        raise ValueError(f'config variable names must start with RESIN_ or BALENA_ (got "{name}")')
    return name


def check_value(value: str) -> str:
    """Variable values: no line break, at most 100000 characters. Never echoes the value (it may be secret)."""
    if "\r" in value or "\n" in value:
        raise ValueError("must not contain line breaks (\\r or \\n)")
    if len(value) > MAX_VALUE_LENGTH:
        raise ValueError(f"must be at most {MAX_VALUE_LENGTH} characters long (got {len(value)})")
    return value


def check_fleet_slug(slug: str) -> str:
    normalised = slug.strip().lower()
    if not _FLEET_SLUG.match(normalised):
        raise ValueError(f"must be a fleet slug 'org_handle/app_name', e.g. 'acme/production' (got {slug!r})")
    return normalised


def check_device_uuid(uuid: str) -> str:
    normalised = uuid.strip().lower()
    if not _DEVICE_UUID.match(normalised):
        raise ValueError(f"must be a full device uuid of 32 or 62 hex characters (got {uuid!r})")
    return normalised


def check_service_name(name: str) -> str:
    if not name:
        raise ValueError("must not be empty")
    if len(name) > MAX_SERVICE_NAME_LENGTH:
        raise ValueError(f"must be at most {MAX_SERVICE_NAME_LENGTH} characters long (got {len(name)})")
    return name


# Field types of the args models; the descriptions are the docs.
FleetSlug = Annotated[
    str,
    AfterValidator(check_fleet_slug),
    Field(description="Slug of the fleet, `org_handle/app_name` (pass `Fleet.slug`). A different fleet replaces."),
]
DeviceUuid = Annotated[
    str,
    AfterValidator(check_device_uuid),
    Field(description="Full uuid of the device (32 or 62 hex characters). A different device replaces."),
]
ServiceName = Annotated[
    str,
    AfterValidator(check_service_name),
    Field(description="Name of a service of the fleet (from its releases). A different service replaces."),
]
EnvVarName = Annotated[
    str,
    AfterValidator(check_env_name),
    Field(
        description="Variable name: [A-Za-z0-9_], no leading digit, not RESIN/BALENA/USER, no RESIN_/BALENA_ "
        "prefix; 1 to 255 characters. Renaming replaces."
    ),
]
ConfigVarName = Annotated[
    str,
    AfterValidator(check_config_name),
    Field(
        description="Config variable name: [A-Za-z0-9_:], no leading digit or ':', must start with RESIN_ or "
        "BALENA_; 1 to 255 characters. Renaming replaces."
    ),
]
VariableValue = Annotated[
    str,
    AfterValidator(check_value),
    Field(
        description="The value: no line breaks, at most 100000 characters; may be empty. Pass a Pulumi secret "
        "to keep it secret in state. Updated in place."
    ),
]


# -- scopes as data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parent:
    """How a scope names its parent: input properties, id outputs (the last one is the API's FK)."""

    inputs: tuple[str, ...]
    id_outputs: tuple[str, ...]
    import_shape: str
    import_example: str

    @property
    def fk_output(self) -> str:
        return self.id_outputs[-1]


FLEET = Parent(("fleet",), ("fleet_id",), "<FLEET>:<NAME>", "acme/production:LOG_LEVEL")
FLEET_SERVICE = Parent(
    ("fleet", "service"), ("fleet_id", "service_id"), "<FLEET>:<SERVICE>:<NAME>", "acme/production:main:LOG_LEVEL"
)
DEVICE = Parent(("device",), ("device_id",), "<UUID>:<NAME>", "0123456789abcdef0123456789abcdef:LOG_LEVEL")
# v7: a device service variable hangs off the device's service install, not device + service.
DEVICE_SERVICE = Parent(
    ("device", "service"),
    ("device_id", "service_id", "service_install_id"),
    "<UUID>:<SERVICE>:<NAME>",
    "0123456789abcdef0123456789abcdef:main:LOG_LEVEL",
)


@dataclass(frozen=True)
class VariableScope:
    """One row of the table: a Pulumi kind over one API variable resource."""

    kind: str  # Pulumi kind, e.g. "FleetEnvVar"
    api_kind: str  # client.variables(kind), e.g. "fleet_env"
    parent: Parent
    label: str  # "fleet environment variable"

    @property
    def output_names(self) -> tuple[str, ...]:
        return (*self.parent.id_outputs, "variable_id")


class MissingParent(Exception):
    """A parent named by an input does not exist (or is not visible); ``field`` is the input to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def resolve_parent(client: BalenaClient, parent: Parent, values: Mapping[str, Any]) -> dict[str, int]:
    """Look up the parent ids of a variable from its natural-key inputs (cached GETs)."""
    ids: dict[str, int] = {}
    fleet_id: int | None = None
    device = None
    if "fleet" in parent.inputs:
        slug = values["fleet"]
        try:
            fleet_id = ids["fleet_id"] = client.fleets.get_by_slug(slug).id
        except NotFound:
            raise MissingParent("fleet", f"no fleet with slug {slug!r} is visible to this token") from None
    if "device" in parent.inputs:
        uuid = values["device"]
        try:
            device = client.devices.get_by_uuid(uuid)
        except NotFound:
            raise MissingParent("device", f"no device with uuid {uuid} is visible to this token") from None
        ids["device_id"] = device.id
        fleet_id = device.belongs_to__application
    if "service" in parent.inputs:
        name = values["service"]
        where = f"fleet {values['fleet']!r}" if "fleet" in parent.inputs else f"the fleet of device {values['device']}"
        try:
            if fleet_id is None:
                raise NotFound("device has no fleet", status=None)
            service = client.services.find(fleet_id, name)
        except NotFound:
            raise MissingParent("service", f"{where} has no service named {name!r}") from None
        ids["service_id"] = service.id
        if device is not None:
            try:
                ids["service_install_id"] = client.service_installs.find(device.id, service.id).id
            except NotFound:
                raise MissingParent(
                    "service", f"service {name!r} is not installed on device {values['device']}"
                ) from None
    return ids


def parent_from_ids(client: BalenaClient, parent: Parent, fk_id: int) -> tuple[dict[str, Any], dict[str, int]]:
    """The natural-key inputs and ids of a parent known only by the variable's FK (import by numeric id)."""
    if parent is FLEET:
        fleet = client.fleets.get(fk_id)
        return {"fleet": fleet.slug}, {"fleet_id": fleet.id}
    if parent is FLEET_SERVICE:
        service = client.services.get(fk_id)
        fleet = client.fleets.get(int(service.application))
        return {"fleet": fleet.slug, "service": service.service_name}, {"fleet_id": fleet.id, "service_id": service.id}
    if parent is DEVICE:
        device = client.devices.get(fk_id)
        return {"device": device.uuid}, {"device_id": device.id}
    install = client.service_installs.get(fk_id)
    device = client.devices.get(int(install.device))
    service = client.services.get(int(install.installs__service))
    return (
        {"device": device.uuid, "service": service.service_name},
        {"device_id": device.id, "service_id": service.id, "service_install_id": install.id},
    )


def parse_import_id(kind: str, parent: Parent, id_: str) -> dict[str, str]:
    """Split a natural-key import id (``org/fleet:NAME``...) into inputs; the name takes the rest."""
    parts = id_.split(":", len(parent.inputs))
    if len(parts) != len(parent.inputs) + 1 or not all(parts):
        raise BalenaResourceError(
            f"{kind}: malformed import id {id_!r}: expected {parent.import_shape} "
            f"(e.g. {parent.import_example}) or the variable's numeric id"
        )
    return dict(zip((*parent.inputs, "name"), parts))


# -- duplicate management guard ---------------------------------------------------------------------

# Claims of this program run: (family, parent key, name) -> 'Kind "resource name"'. Keyed by the run's
# root stack resource, so inline programs run again in one process (Automation API) start afresh.
_CLAIMS: "weakref.WeakKeyDictionary[Any, dict[tuple[str, tuple[str, ...], str], str]]" = weakref.WeakKeyDictionary()
_GLOBAL_CLAIMS: dict[tuple[str, tuple[str, ...], str], str] = {}


class DuplicateManagementError(BalenaResourceError):
    """Two resources of one stack manage the same variable."""


def _claims_of_run(root: Any) -> dict[tuple[str, tuple[str, ...], str], str]:
    if root is None:
        return _GLOBAL_CLAIMS
    claims = _CLAIMS.get(root)
    if claims is None:
        claims = _CLAIMS[root] = {}
    return claims


def _register(root: Any, family: str, label: str, owner: str, parent: tuple[str, ...], names: Iterable[str]) -> None:
    claims = _claims_of_run(root)
    parent_key = tuple(str(p).strip().lower() for p in parent)
    for name in names:
        key = (family, parent_key, name)
        holder = claims.get(key)
        if holder is not None and holder != owner:
            raise DuplicateManagementError(
                f"{holder} and {owner} both manage the {label} {name} of {':'.join(parent_key)}; "
                "a variable must be managed by one resource only, or the two overwrite each other on "
                "every `pulumi up` (keep it in one of them)"
            )
        claims[key] = owner


def claim(
    family: str,
    label: str,
    owner: str,
    parents: Mapping[str, Any],
    names: Any,
) -> dict[str, Any]:
    """Record that ``owner`` manages ``names`` under ``parents`` in this program run.

    Raises :class:`DuplicateManagementError` at once when every value is plain. With Output inputs the
    check runs when they resolve, and the first parent input is routed through it, so the second
    resource never registers: the program fails with the error instead of two resources fighting.
    Returns the parent inputs to pass on (the first one possibly wrapped).
    """
    root = pulumi.runtime.get_root_resource()
    values = list(parents.values())
    plain = all(isinstance(v, str) for v in values) and not isinstance(names, pulumi.Output)
    if plain and isinstance(names, (list, tuple)):
        plain = all(isinstance(n, str) for n in names)
    if plain:
        _register(root, family, label, owner, tuple(values), names)
        return dict(parents)

    names_output = pulumi.Output.unsecret(pulumi.Output.from_input(names).apply(lambda ns: sorted(ns)))
    first = next(iter(parents))

    def check(resolved: list[Any]) -> Any:
        *parent_values, resolved_names = resolved
        _register(root, family, label, owner, tuple(parent_values), resolved_names)
        return parent_values[0]

    routed = pulumi.Output.all(*(pulumi.Output.from_input(v) for v in values), names_output).apply(check)
    if not isinstance(parents[first], pulumi.Output):
        # A plain parent input stays plain even when another parent input is a secret.
        routed = pulumi.Output.unsecret(routed)
    return {**parents, first: routed}


def names_of(variables: Any) -> Any:
    """The names of a variables map (plain list when the map is plain, else an Output)."""
    if isinstance(variables, Mapping):
        return sorted(variables)
    return pulumi.Output.from_input(variables).apply(lambda v: sorted(v or {}))


# -- the generic provider ------------------------------------------------------------------------------


def without_echo(result: CheckResult, fields: frozenset[str]) -> CheckResult:
    """Report failures of possibly secret fields without naming the property.

    The engine prints ``property <p> value {<value>} has a problem: ...`` for a failure that names an
    input, in plaintext even when the value is a secret; a failure with no property prints only the
    reason (which already starts with the field name).
    """
    result.failures = [
        CheckFailure("", f.reason) if f.property.split(".")[0] in fields else f for f in result.failures or []
    ]
    return result


class VariableProvider(BalenaProvider):
    """One provider for every variable scope; subclasses set ``scope``, ``args_model`` and ``replace_on``."""

    scope: ClassVar[VariableScope]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = cls.scope.kind

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return without_echo(super().check(olds, news), SECRET_INPUTS)

    def api(self, client: BalenaClient):
        return client.variables(self.scope.api_kind)

    def describe(self, inputs: Mapping[str, Any]) -> str:
        key = ":".join(str(inputs.get(p)) for p in (*self.scope.parent.inputs, "name"))
        return f"{self.scope.kind} {key}"

    def validate_remote(self, client: BalenaClient, args: Any, changed: set[str]) -> list[CheckFailure]:
        if not changed & set(self.scope.parent.inputs):
            return []
        try:
            resolve_parent(client, self.scope.parent, args.model_dump())
        except MissingParent as missing:
            return [CheckFailure(missing.field, str(missing))]
        return []

    def replace_reasons(self, olds: Mapping[str, Any], news: Mapping[str, Any], changed: set[str]) -> set[str]:
        reasons = super().replace_reasons(olds, news, changed)
        parent = self.scope.parent
        if "fleet" in reasons and reasons & set(parent.inputs) == {"fleet"} and olds.get("fleet_id") is not None:
            # A renamed fleet has a new slug but is the same fleet: not a reason to replace.
            new_slug = news.get("fleet")
            if not is_unknown(new_slug):
                try:
                    same = self.client().fleets.get_by_slug(new_slug).id == olds["fleet_id"]
                except NotFound:
                    same = False
                if same:
                    reasons.discard("fleet")
        return reasons

    def _outputs(self, args: Any, ids: Mapping[str, int], variable_id: int) -> dict[str, Any]:
        return {**{k: ids.get(k) for k in self.scope.parent.id_outputs}, "variable_id": variable_id}

    def create_object(self, client: BalenaClient, args: Any) -> tuple[str, dict[str, Any]]:
        inputs = args.model_dump()
        try:
            ids = resolve_parent(client, self.scope.parent, inputs)
        except MissingParent as missing:
            raise BalenaResourceError(f"{self.describe(inputs)}: {missing}") from None
        try:
            variable = self.api(client).create(ids[self.scope.parent.fk_output], args.name, args.value)
        except Conflict:
            key = ":".join(str(inputs[p]) for p in (*self.scope.parent.inputs, "name"))
            raise BalenaResourceError(
                f"{self.describe(inputs)}: a {self.scope.label} named {args.name} already exists and is not "
                f"managed by this resource: delete it, or adopt it with import id {key!r}"
            ) from None
        return str(variable.id), self._outputs(args, ids, variable.id)

    def read_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> dict[str, Any] | None:
        parent = self.scope.parent
        api = self.api(client)
        if id_.isdigit():
            variable = api.maybe_get(int(id_))
            if variable is None:
                return None
            known = all(props.get(k) is not None for k in (*parent.inputs, *parent.id_outputs))
            if known and variable.parent_id == props.get(parent.fk_output):
                inputs = {k: props[k] for k in parent.inputs}
                ids = {k: props[k] for k in parent.id_outputs}
            else:  # adoption by numeric id: name the parent from its ids
                inputs, ids = parent_from_ids(client, parent, int(variable.parent_id))
        else:  # adoption by natural key
            inputs = parse_import_id(self.scope.kind, parent, id_)
            try:
                ids = resolve_parent(client, parent, inputs)
                variable = api.find(ids[parent.fk_output], inputs["name"])
            except (MissingParent, NotFound):
                return None
            inputs.pop("name")
        return {
            **inputs,
            "name": variable.name,
            "value": variable.value,
            **{k: ids.get(k) for k in parent.id_outputs},
            "variable_id": variable.id,
            "__id": variable.id,
        }

    def update_object(self, client: BalenaClient, id_: str, olds: Mapping[str, Any], args: Any) -> dict[str, Any]:
        # Only the value changes in place; a parent change that reaches here is a renamed fleet (same id).
        if args.value != olds.get("value"):
            self.api(client).update(int(id_), value=args.value)
        return {
            **{k: olds.get(k) for k in self.scope.parent.id_outputs},
            "variable_id": int(id_),
        }

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        self.api(client).delete(int(id_))


def resource_props(scope: VariableScope, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The property bag of a variable resource: its inputs, then None for each output the provider fills."""
    return {**inputs, **{name: None for name in scope.output_names}}


def guard(scope: VariableScope, resource_name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Apply the duplicate-management guard to a single-variable resource's inputs."""
    parents = {k: inputs[k] for k in scope.parent.inputs}
    name = inputs["name"]
    names = [name] if isinstance(name, str) else pulumi.Output.from_input(name).apply(lambda n: [n])
    routed = claim(scope.api_kind, scope.label, f'{scope.kind} "{resource_name}"', parents, names)
    return {**inputs, **routed}

