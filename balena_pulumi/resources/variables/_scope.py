"""What the variable kinds share: the API's name and value rules, the scopes as data, one provider.

Each variable kind module (``fleet_env_var``, ``device_service_env_var``, ...) declares a
:class:`VariableScope` row (which API resource, which parents, which name rule) and its args model;
:class:`VariableProvider` does the rest for every scope. Each bulk kind (``fleet_env_vars``, ...) is
:func:`bulk_scope` of its single kind's row, served by ``bulk.BulkProvider``: the same parent, rules and
claim family.

The name rules are the API's own, checked locally so a bad name fails in preview: environment variable
names match ``[A-Za-z0-9_]`` and do not start with a digit; config variable names may also hold ``:``
(not first); ``RESIN``, ``BALENA`` and ``USER`` are reserved in both; config names must start with
``RESIN_`` or ``BALENA_`` and environment names must not. Names are 1 to 255 characters. Values hold no
line break, no NUL byte and at most 100000 characters, and are never quoted in a message (they may be
secret).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BeforeValidator

from balena_pulumi.client import BalenaClient

from .. import refs
from ..base import BalenaProvider, Replacement
from ..bulk import BulkParent, BulkScope, EntryRules, entries_type, map_field
from ..fields import Change, check_identifier, check_text, field, quote

MAX_NAME_LENGTH = 255
MAX_VALUE_LENGTH = 100_000
RESERVED_NAMES = ("RESIN", "BALENA", "USER")
RESERVED_NAMESPACES = ("RESIN_", "BALENA_")

# The API's regexes (`/^\d|\W/`, `/^[\d:]|[^A-Za-z0-9_:]/`) are JavaScript, where \W is ASCII-only.
_ENV_INVALID = re.compile(r"^[0-9]|[^A-Za-z0-9_]")
_CONFIG_INVALID = re.compile(r"^[0-9:]|[^A-Za-z0-9_:]")


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string; got {quote(value)}")
    return value


def check_env_name(name: str) -> str:
    """The API's rules for environment variable names (fleet, build, service, device, device-service)."""
    check_identifier(name, max_length=MAX_NAME_LENGTH)
    if _ENV_INVALID.search(name):
        raise ValueError(
            "environment variable names may only contain letters, digits and '_' and must not start "
            f"with a digit; got {quote(name)}"
        )
    if name in RESERVED_NAMES:
        raise ValueError(f"RESIN, BALENA and USER are reserved names; got {quote(name)}")
    if name.startswith(RESERVED_NAMESPACES):
        raise ValueError(
            "environment variable names must not start with RESIN_ or BALENA_ (that namespace is for "
            f"config variables); got {quote(name)}"
        )
    return name


def check_config_name(name: str) -> str:
    """The API's rules for config variable names (fleet and device config)."""
    check_identifier(name, max_length=MAX_NAME_LENGTH)
    if _CONFIG_INVALID.search(name):
        raise ValueError(
            "config variable names may only contain letters, digits, '_' and ':' and must not start "
            f"with a digit or ':'; got {quote(name)}"
        )
    if name in RESERVED_NAMES:
        raise ValueError(f"RESIN, BALENA and USER are reserved names; got {quote(name)}")
    if not name.startswith(RESERVED_NAMESPACES):
        raise ValueError(f"config variable names must start with RESIN_ or BALENA_; got {quote(name)}")
    return name


def check_value(value: str) -> str:
    """Variable values: no line break, no NUL, at most 100000 characters. Never echoes the value."""
    if "\r" in value or "\n" in value:
        raise ValueError("must not contain line breaks (\\r or \\n)")
    return check_text(value, max_length=MAX_VALUE_LENGTH)


EnvVarName = Annotated[str, BeforeValidator(_str), AfterValidator(check_env_name)]
ConfigVarName = Annotated[str, BeforeValidator(_str), AfterValidator(check_config_name)]
VariableValue = Annotated[str, BeforeValidator(_str), AfterValidator(check_value)]

ENV_NAME_DOC = (
    "Variable name: [A-Za-z0-9_], no leading digit, not RESIN/BALENA/USER, no RESIN_/BALENA_ prefix; "
    "1 to 255 characters."
)
CONFIG_NAME_DOC = (
    "Config variable name: [A-Za-z0-9_:], no leading digit or ':', must start with RESIN_ or BALENA_; "
    "1 to 255 characters."
)
VALUE_DOC = (
    "The value: no line breaks, at most 100000 characters; may be empty. Pass a Pulumi secret to keep it "
    "secret in state."
)


# Field declarations shared by the variable args models.
def fleet_field() -> Any:
    return field(refs.FLEET_DOC, change=Change.PARENT)


def device_field() -> Any:
    return field(refs.DEVICE_DOC, change=Change.PARENT)


def service_field() -> Any:
    return field(refs.SERVICE_DOC, change=Change.REPLACE)


def name_field(doc: str) -> Any:
    return field(doc, change=Change.REPLACE)


def value_field() -> Any:
    return field(VALUE_DOC, change=Change.UPDATE, secret=True)


# -- scopes as data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParentShape:
    """How a scope names its parent: input properties, id outputs (the last one is the API's FK)."""

    inputs: tuple[str, ...]
    id_outputs: tuple[str, ...]
    import_id: refs.ImportId

    @property
    def fk_output(self) -> str:
        return self.id_outputs[-1]


FLEET = ParentShape(
    ("fleet",), ("fleet_id",), refs.ImportId(("fleet", "name"), "<FLEET>:<NAME>", "acme/production:LOG_LEVEL")
)
FLEET_SERVICE = ParentShape(
    ("fleet", "service"),
    ("fleet_id", "service_id"),
    refs.ImportId(("fleet", "service", "name"), "<FLEET>:<SERVICE>:<NAME>", "acme/production:main:LOG_LEVEL"),
)
DEVICE = ParentShape(
    ("device",),
    ("device_id",),
    refs.ImportId(("device", "name"), "<UUID>:<NAME>", "0123456789abcdef0123456789abcdef:LOG_LEVEL"),
)
# v7: a device service variable hangs off the device's service install, not device + service.
DEVICE_SERVICE = ParentShape(
    ("device", "service"),
    ("device_id", "service_id", "service_install_id"),
    refs.ImportId(
        ("device", "service", "name"), "<UUID>:<SERVICE>:<NAME>", "0123456789abcdef0123456789abcdef:main:LOG_LEVEL"
    ),
)


@dataclass(frozen=True)
class VariableScope:
    """One row of the table: a Pulumi kind over one API variable resource."""

    kind: str  # Pulumi kind, e.g. "FleetEnvVar"
    api_kind: str  # client.variables(kind), e.g. "fleet_env"
    parent: ParentShape
    label: str  # "fleet environment variable"

    @property
    def output_names(self) -> tuple[str, ...]:
        return (*self.parent.id_outputs, "variable_id")


def resolve_parent(client: BalenaClient, parent: ParentShape, values: Mapping[str, Any]) -> dict[str, int]:
    """The parent ids of a variable from its natural-key inputs (cached GETs); MissingParent otherwise."""
    ids: dict[str, int] = {}
    fleet: int | None = None
    dev = None
    if "fleet" in parent.inputs:
        fleet = ids["fleet_id"] = refs.fleet_id(client, values["fleet"])
    if "device" in parent.inputs:
        dev = refs.device(client, values["device"])
        ids["device_id"] = dev.id
        fleet = dev.belongs_to__application
    if "service" in parent.inputs:
        name = values["service"]
        where = f"fleet {values['fleet']}" if "fleet" in parent.inputs else f"the fleet of device {values['device']}"
        if fleet is None:
            raise refs.MissingParent("device", f"device {values['device']} belongs to no fleet")
        ids["service_id"] = refs.service_id(client, int(fleet), name, where)
        if dev is not None:
            ids["service_install_id"] = refs.service_install_id(client, dev.id, ids["service_id"], values["device"], name)
    return ids


def parent_from_ids(client: BalenaClient, parent: ParentShape, fk_id: int) -> tuple[dict[str, Any], dict[str, int]]:
    """The natural-key inputs and ids of a parent known only by the variable's FK (import by numeric id)."""
    if parent is FLEET:
        fleet = client.fleets.get(fk_id)
        return {"fleet": fleet.slug}, {"fleet_id": fleet.id}
    if parent is FLEET_SERVICE:
        service = client.services.get(fk_id)
        fleet = client.fleets.get(int(service.application))
        return {"fleet": fleet.slug, "service": service.service_name}, {"fleet_id": fleet.id, "service_id": service.id}
    if parent is DEVICE:
        dev = client.devices.get(fk_id)
        return {"device": dev.uuid}, {"device_id": dev.id}
    install = client.service_installs.get(fk_id)
    dev = client.devices.get(int(install.device))
    service = client.services.get(int(install.installs__service))
    return (
        {"device": dev.uuid, "service": service.service_name},
        {"device_id": dev.id, "service_id": service.id, "service_install_id": install.id},
    )


# -- the generic provider ------------------------------------------------------------------------------


class VariableProvider(BalenaProvider):
    """One provider for every variable scope; a kind sets ``scope`` and ``args_model``."""

    scope: ClassVar[VariableScope]
    replacement = Replacement.DELETE_FIRST  # (parent, name) is unique: the old one must go first

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = cls.scope.kind
        cls.noun = cls.scope.label
        cls.import_id = cls.scope.parent.import_id
        cls.parents = {
            name: (name, f"{name}_id") for name in cls.scope.parent.inputs if name in ("fleet", "device")
        }

    def api(self, client: BalenaClient):
        return client.variables(self.scope.api_kind)

    def validate_remote(self, client: BalenaClient, args: Any, changed: set[str]) -> list[str]:
        if changed & set(self.scope.parent.inputs):
            resolve_parent(client, self.scope.parent, args.model_dump())
        return []

    def create_object(self, client: BalenaClient, args: Any) -> tuple[str, dict[str, Any]]:
        ids = resolve_parent(client, self.scope.parent, args.model_dump())
        variable = self.api(client).create(ids[self.scope.parent.fk_output], args.name, args.value)
        return str(variable.id), {**ids, "variable_id": variable.id}

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
            inputs = parent.import_id.parse(self.kind, id_)
            ids = resolve_parent(client, parent, inputs)
            variable = api.find(ids[parent.fk_output], inputs["name"])
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
        # Only the value changes in place; a parent change that reaches here is a renamed one (same id).
        if args.value != olds.get("value"):
            self.api(client).update(int(id_), value=args.value)
        return {**{k: olds.get(k) for k in self.scope.parent.id_outputs}, "variable_id": int(id_)}

    def delete_object(self, client: BalenaClient, id_: str, props: Mapping[str, Any]) -> None:
        self.api(client).delete(int(id_))


def variable_props(scope: VariableScope, resource_name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The property bag of a single-variable resource, through the duplicate-management guard."""
    from ..base import resource_props
    from ..guard import claim_inputs, one_name

    owner = f'{scope.kind} "{resource_name}"'
    routed = claim_inputs(scope.api_kind, scope.label, owner, inputs, scope.parent.inputs, one_name(inputs["name"]))
    return resource_props(routed, scope.output_names)


# -- the bulk kinds ---------------------------------------------------------------------------------------


class VariableParent(BulkParent):
    """A variable scope's parent for the bulk kinds: the single kinds' resolution, by the same shape."""

    def __init__(self, parent: ParentShape) -> None:
        self.parent = parent
        self.inputs = parent.inputs
        self.outputs = parent.id_outputs
        self.fk_output = parent.fk_output
        self.shape = parent.import_id.shape.rsplit(":", 1)[0]
        self.example = parent.import_id.example.rsplit(":", 1)[0]
        self.judged = {name: (name, f"{name}_id") for name in parent.inputs if name in ("fleet", "device")}

    def resolve(self, client: BalenaClient, values: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        ids = resolve_parent(client, self.parent, values)
        return ids[self.fk_output], ids

    def from_id(self, client: BalenaClient, fk: int) -> tuple[dict[str, Any], dict[str, Any]]:
        inputs, ids = parent_from_ids(client, self.parent, fk)
        return inputs, dict(ids)

    def exists(self, client: BalenaClient, fk: int) -> bool:
        service = {
            "fleet_id": client.fleets,
            "service_id": client.services,
            "device_id": client.devices,
            "service_install_id": client.service_installs,
        }[self.fk_output]
        return service.maybe_get(int(fk)) is not None


PARENTS = {shape.import_id.shape: VariableParent(shape) for shape in (FLEET, FLEET_SERVICE, DEVICE, DEVICE_SERVICE)}

ENV_RULES = EntryRules("name", check_env_name, check_value)
CONFIG_RULES = EntryRules("name", check_config_name, check_value)
EnvVariables = entries_type(ENV_RULES)
ConfigVariables = entries_type(CONFIG_RULES)
_VALUES_TEXT = "Values: no line breaks, at most 100000 characters, may be empty."
ENV_MAP_TEXT = (
    "Names: [A-Za-z0-9_], no leading digit, not RESIN/BALENA/USER, no RESIN_/BALENA_ prefix, 1 to 255 characters. "
    + _VALUES_TEXT
)
CONFIG_MAP_TEXT = (
    "Names: [A-Za-z0-9_:], no leading digit or ':', must start with RESIN_ or BALENA_, 1 to 255 characters. "
    + _VALUES_TEXT
)


def bulk_scope(kind: str, single: VariableScope, *, config: bool = False) -> BulkScope:
    """The bulk kind over the same API resource, parent and rules as the single kind ``single``."""
    return BulkScope(
        kind=kind,
        family="variables",
        api_kind=single.api_kind,
        label=single.label,
        claim_family=single.api_kind,  # the single kind's: one variable, one owner, whichever kind
        parent=PARENTS[single.parent.import_id.shape],
        rules=CONFIG_RULES if config else ENV_RULES,
        example_keys=("BALENA_HOST_CONFIG_gpu_mem", "BALENA_SUPERVISOR_POLL_INTERVAL") if config else ("LOG_LEVEL", "MQTT_HOST"),
    )


def variables_field(config: bool = False) -> Any:
    return map_field("variables", CONFIG_MAP_TEXT if config else ENV_MAP_TEXT)
