"""Config variables live in the BALENA_/RESIN_ namespaces, environment variables outside them.

The API refuses both mistakes only at apply time, and it does not refuse the supervisor's
``blackListedNames`` at all (balena API 5.8): those are silently ignored or dangerous on devices. The bulk
kinds are checked name by name, with the rules of their scope (``FleetConfigVars`` as config variables).
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy, Severity

from balena_pulumi.resources.tokens import (
    BULK_CONFIG_VARIABLE_KINDS,
    BULK_ENV_VARIABLE_KINDS,
    CONFIG_VARIABLE_KINDS,
    ENV_VARIABLE_KINDS,
)

from ._common import UNKNOWN, config, kind_of, peek, plain
from ._secrets import reveal

NAME = "variable-namespaces"
NAMESPACES = ("BALENA_", "RESIN_")
RESERVED_NAMES = ("BALENA", "RESIN", "USER")
SUPERVISOR_REFUSED = ("RESTART", "DEVICE_RESTART", "SUPERVISOR_OVERRIDE_LOCK", "SUPERVISOR_NATIVE_LOGGER",
                      "HOST_LOG_TO_DISPLAY")
DEFAULT_REFUSED_CONFIG_NAMES = [p + n for p in NAMESPACES for n in SUPERVISOR_REFUSED]


def _check_env_name(kind: str, name: str, report) -> None:
    if name in RESERVED_NAMES:
        report(f"{kind} name {name} is reserved (BALENA, RESIN, USER).")
    elif name.startswith(NAMESPACES):
        report(f"{kind} name {name} is in the BALENA_/RESIN_ namespace reserved for config variables; "
               f"use a FleetConfigVar/DeviceConfigVar or rename it.")


def _check_config_name(args: ResourceValidationArgs, kind: str, name: str, report) -> None:
    if not name.startswith(NAMESPACES):
        report(f"{kind} name {name} must start with BALENA_ or RESIN_.")
    elif name in config(args, "refusedConfigNames", DEFAULT_REFUSED_CONFIG_NAMES):
        report(f"{kind} name {name} is refused by the balena supervisor (blackListedNames).")


def _names(args: ResourceValidationArgs, kind: str) -> list[str]:
    """The names a resource manages: its `name`, or every key of a bulk kind's `variables` map."""
    if kind in BULK_CONFIG_VARIABLE_KINDS or kind in BULK_ENV_VARIABLE_KINDS:
        variables = reveal(peek(args.props, "variables"))
        if variables is UNKNOWN or not hasattr(variables, "keys"):
            return []
        return sorted(variables.keys())
    name = plain(args.props, "name")
    return [name] if isinstance(name, str) else []


def validate(args: ResourceValidationArgs, report) -> None:
    kind = kind_of(args.resource_type)
    if kind in CONFIG_VARIABLE_KINDS or kind in BULK_CONFIG_VARIABLE_KINDS:
        for name in _names(args, kind):
            _check_config_name(args, kind, name, report)
    elif kind in ENV_VARIABLE_KINDS or kind in BULK_ENV_VARIABLE_KINDS:
        for name in _names(args, kind):
            _check_env_name(kind, name, report)


policy = ResourceValidationPolicy(
    name=NAME,
    description="Config variables must be BALENA_/RESIN_ names the supervisor accepts; environment variables must not use those namespaces.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    config_schema=PolicyConfigSchema(properties={
        "refusedConfigNames": {
            "type": "array", "items": {"type": "string"}, "default": DEFAULT_REFUSED_CONFIG_NAMES,
            "description": "Config variable names refused (the supervisor's blackListedNames from GET /config/vars).",
        },
    }),
    remediation_steps="Rename the variable or move it to the right kind (config vs environment).",
    tags=["variables"],
)
