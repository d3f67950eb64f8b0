"""Every Fleet in the stack carries FleetTags for the required keys, with allowed values.

Tags are separate ``FleetTag`` resources, so this is a stack policy. A tag belongs to a fleet when
its ``fleet`` input was computed from that Fleet resource (the engine's property dependencies,
which also work during preview while the slug is unknown) or when its ``fleet`` value equals the
Fleet's slug (its ``slug`` output, else ``organization/name`` lower-cased).
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationArgs, StackValidationPolicy, Severity

from ._common import UNKNOWN, config, fleet_slug, of_kind, parent_key, plain, shown

NAME = "fleets-require-tags"
DEFAULT_REQUIRED_KEYS = ["owner", "environment"]
DEFAULT_ALLOWED_VALUES = {"environment": ["production", "staging", "development"]}


def validate(args: StackValidationArgs, report) -> None:
    required = list(config(args, "requiredTagKeys", DEFAULT_REQUIRED_KEYS))
    allowed_values = dict(config(args, "allowedTagValues", DEFAULT_ALLOWED_VALUES))
    tags_by_parent: dict[str, dict[str, list]] = {}
    for tag in of_kind(args.resources, "FleetTag"):
        parent = parent_key(tag, "fleet")
        key = plain(tag.props, "key")
        if parent is None or not isinstance(key, str):
            continue
        tags_by_parent.setdefault(parent, {}).setdefault(key, []).append(tag)

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
            for tag in found:
                value = plain(tag.props, "value", "")
                if value is UNKNOWN or value in allowed_values[key]:
                    continue
                report(f"FleetTag {tag.name} sets {key}={shown(tag.props, 'value', '')} on fleet {label}; allowed values: "
                       f"{', '.join(allowed_values[key])}.", tag.urn)


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
    remediation_steps="Add FleetTag resources for the missing keys, referencing the fleet's slug output.",
    tags=["tags", "ownership"],
)
