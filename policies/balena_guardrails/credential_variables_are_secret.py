"""Credential-looking variables must be Pulumi secrets, so their values stay encrypted in state.

A variable is credential-looking when its name matches a configured pattern (TOKEN, SECRET, ...) or
its value looks random (Shannon entropy per character at or above a threshold, from a minimum length).
The rule itself is ``balena_pulumi.credentials`` (``balena-pulumi discover`` uses the same one); this
module gives it the pack's config. Messages name the variable, never its value.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy, Severity

from balena_pulumi.credentials import (
    DEFAULT_ENTROPY_MIN_LENGTH,
    DEFAULT_ENTROPY_THRESHOLD,
    DEFAULT_NAME_PATTERNS,
    shannon_entropy,
    why_credential,
)
from balena_pulumi.resources.tokens import BULK_VARIABLE_KINDS, VARIABLE_KINDS

from ._common import UNKNOWN, config, kind_of, peek
from ._secrets import is_secret, reveal, secret_detection_enabled

NAME = "credential-variables-must-be-secret"

__all__ = ["NAME", "policy", "shannon_entropy", "validate"]


def _why_credential(args: ResourceValidationArgs, name: str, value: Any) -> str | None:
    return why_credential(
        name,
        value,
        name_patterns=config(args, "namePatterns", list(DEFAULT_NAME_PATTERNS)),
        entropy_threshold=float(config(args, "entropyThreshold", DEFAULT_ENTROPY_THRESHOLD)),
        entropy_min_length=int(config(args, "entropyMinLength", DEFAULT_ENTROPY_MIN_LENGTH)),
    )


def _check(args: ResourceValidationArgs, report, name: Any, raw_value: Any, container_secret: bool) -> None:
    if not isinstance(name, str) or name in config(args, "exemptNames", []):
        return
    if container_secret or is_secret(raw_value):
        return
    value = reveal(raw_value)
    if value == "":
        return  # nothing to leak
    why = _why_credential(args, name, None if value is UNKNOWN else value)
    if why:
        report(f"variable {name} {why} but its value is not a Pulumi secret; "
               f"pass it as pulumi.Output.secret(...) or from `pulumi config set --secret`.")


def validate(args: ResourceValidationArgs, report) -> None:
    kind = kind_of(args.resource_type)
    if kind not in VARIABLE_KINDS and kind not in BULK_VARIABLE_KINDS:
        return
    if not secret_detection_enabled():
        args.not_applicable("secret detection is not enabled (call enable_secret_detection() in the pack)")
    if kind in VARIABLE_KINDS:
        name = reveal(peek(args.props, "name"))
        _check(args, report, name, peek(args.props, "value"), False)
        return
    variables = peek(args.props, "variables")
    container_secret = is_secret(variables)
    variables = reveal(variables)
    if variables is UNKNOWN or not hasattr(variables, "keys"):
        return
    for name in sorted(variables.keys()):
        try:
            raw = variables[name]
        except Exception:  # an unknown entry during preview
            raw = UNKNOWN
        _check(args, report, name, raw, container_secret)


policy = ResourceValidationPolicy(
    name=NAME,
    description="Variables whose name or value looks like a credential must be Pulumi secrets.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    config_schema=PolicyConfigSchema(properties={
        "namePatterns": {
            "type": "array", "items": {"type": "string"}, "default": list(DEFAULT_NAME_PATTERNS),
            "description": "Case-insensitive regular expressions searched in variable names.",
        },
        "entropyThreshold": {
            "type": "number", "default": DEFAULT_ENTROPY_THRESHOLD,
            "description": "Shannon entropy (bits per character) from which a value counts as a credential.",
        },
        "entropyMinLength": {
            "type": "integer", "default": DEFAULT_ENTROPY_MIN_LENGTH,
            "description": "Values shorter than this are never judged by entropy.",
        },
        "exemptNames": {
            "type": "array", "items": {"type": "string"}, "default": [],
            "description": "Variable names never required to be secret (e.g. PUBLIC_KEY_URL).",
        },
    }),
    remediation_steps="Wrap the value with pulumi.Output.secret(...) or read it from a secret stack config value.",
    tags=["secrets", "variables"],
)
