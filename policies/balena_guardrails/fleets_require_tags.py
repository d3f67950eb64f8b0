"""Every Fleet in the stack carries FleetTags for the required keys, with allowed values.

Tags are separate ``FleetTag`` resources or the keys of ``FleetTags`` maps, so this is a stack policy. A
tag belongs to a fleet when its ``fleet`` input was computed from that Fleet resource (the engine's
property dependencies, which also work during preview while the slug is unknown) or when its ``fleet``
value equals the Fleet's slug (its ``slug`` output, else ``organization/name`` lower-cased).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    Secret,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from ._common import UNKNOWN, config, fleet_slug, kind_of, of_kind, parent_key, peek, plain
from ._secrets import is_secret, reveal


def _tags_of(tag: PolicyResource) -> list[tuple[str, Any]]:
    """(key, raw value) of a FleetTag, or of each entry of a FleetTags map (a secret value stays marked)."""
    if kind_of(tag.resource_type) == "FleetTag":
        key = plain(tag.props, "key")
        return [(key, peek(tag.props, "value", ""))] if isinstance(key, str) else []
    entries = peek(tag.props, "tags")
    whole_secret = is_secret(entries)
    entries = reveal(entries)
    if entries is UNKNOWN or not hasattr(entries, "keys"):
        return []
    found = []
    for key in sorted(entries.keys()):
        try:
            value = entries[key]
        except Exception:  # an entry not known during preview
            value = UNKNOWN
        found.append((key, Secret(value) if whole_secret and not is_secret(value) else value))
    return found


NAME = "fleets-require-tags"
DEFAULT_REQUIRED_KEYS = ["owner", "environment"]
DEFAULT_ALLOWED_VALUES = {"environment": ["production", "staging", "development"]}


def validate(args: StackValidationArgs, report) -> None:
    required = list(config(args, "requiredTagKeys", DEFAULT_REQUIRED_KEYS))
    allowed_values = dict(config(args, "allowedTagValues", DEFAULT_ALLOWED_VALUES))
    tags_by_parent: dict[str, dict[str, list]] = {}
    for tag in of_kind(args.resources, "FleetTag", "FleetTags"):
        parent = parent_key(tag, "fleet")
        if parent is None:
            continue
        for key, value in _tags_of(tag):
            tags_by_parent.setdefault(parent, {}).setdefault(key, []).append((tag, value))

    for fleet in of_kind(args.resources, "Fleet"):
        slug = fleet_slug(fleet)
        tags = dict(tags_by_parent.get(fleet.urn, {}))
        if slug is not UNKNOWN:
            for key, found in tags_by_parent.get(slug, {}).items():
                tags.setdefault(key, []).extend(found)
        label = fleet.name if slug is UNKNOWN else f"{fleet.name} ({slug})"
        for key in required:
            if key not in tags:
                report(f"Fleet {label} has no FleetTag with key {key}.", fleet.urn)
        for key, found in sorted(tags.items()):
            if key not in allowed_values:
                continue
            for tag, value in found:
                if reveal(value) is UNKNOWN or reveal(value) in allowed_values[key]:
                    continue
                kind = "FleetTags" if kind_of(tag.resource_type) == "FleetTags" else "FleetTag"
                report(f"{kind} {tag.name} sets {key}={'[secret]' if is_secret(value) else reveal(value)} on fleet "
                       f"{label}; allowed values: {', '.join(allowed_values[key])}.", tag.urn)


policy = StackValidationPolicy(
    name=NAME,
    description="Every Fleet must have FleetTags for the required keys, with values from the allowed lists.",
    validate=validate,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    config_schema=PolicyConfigSchema(properties={
        "requiredTagKeys": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_REQUIRED_KEYS,
                            "description": "Tag keys every fleet must have."},
        "allowedTagValues": {
            "type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "default": DEFAULT_ALLOWED_VALUES,
            "description": "For some tag keys, the only values allowed; keys not listed take any value.",
        },
    }),
    remediation_steps="Add FleetTag resources (or keys of a FleetTags map) for the missing keys, referencing the fleet's slug output.",
    tags=["tags", "ownership"],
)
