"""Credential-looking variables must be Pulumi secrets, so their values stay encrypted in state.

A variable is credential-looking when its name matches a configured pattern (TOKEN, SECRET, ...) or
its value looks random (Shannon entropy per character at or above a threshold, from a minimum length).
Messages name the variable, never its value.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy, Severity

from balena_pulumi.resources.tokens import BULK_VARIABLE_KINDS, VARIABLE_KINDS

from ._common import UNKNOWN, config, kind_of, peek
from ._secrets import is_secret, reveal, secret_detection_enabled

NAME = "credential-variables-must-be-secret"

DEFAULT_NAME_PATTERNS = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "PWD", "KEY", "CREDENTIAL", "PRIVATE", "AUTH"]
DEFAULT_ENTROPY_THRESHOLD = 4.5
DEFAULT_ENTROPY_MIN_LENGTH = 20


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text``."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def _why_credential(args: ResourceValidationArgs, name: str, value: Any) -> str | None:
    for pattern in config(args, "namePatterns", DEFAULT_NAME_PATTERNS):
        if re.search(pattern, name, re.IGNORECASE):
            return "has a credential-looking name"
    threshold = float(config(args, "entropyThreshold", DEFAULT_ENTROPY_THRESHOLD))
    min_length = int(config(args, "entropyMinLength", DEFAULT_ENTROPY_MIN_LENGTH))
    if isinstance(value, str) and len(value) >= min_length and shannon_entropy(value) >= threshold:
        return "has a high-entropy value"
    return None


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
            "type": "array", "items": {"type": "string"}, "default": DEFAULT_NAME_PATTERNS,
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
