"""Each variable and each tag is managed by one resource only.

Two resources owning the same variable (same scope, parent and name; a bulk kind such as ``FleetEnvVars``
owns each name of its map) or the same tag (same scope, parent and key; ``FleetTags`` owns each key of
its map) overwrite each other on every
``pulumi up`` and the loser's delete removes the winner's value. Parents are matched as in
``fleets-require-tags``: through the Fleet a prop was computed from, else by the prop's value.
"""

from __future__ import annotations

from collections import defaultdict

from pulumi_policy import EnforcementLevel, PolicyResource, StackValidationArgs, StackValidationPolicy, Severity

from balena_pulumi.resources.tokens import BULK_MAP_INPUT, SINGLE_OF_BULK

from ._common import UNKNOWN, kind_of, parent_key, peek, plain
from ._secrets import reveal

NAME = "no-duplicate-management"

# kind -> (scope label, parent props joined into the parent identity); a bulk kind takes its single kind's
# row, so an entry of its map and a single resource of the same name collide.
VARIABLE_SCOPES = {
    "FleetEnvVar": ("fleet environment variable", ("fleet",)),
    "FleetConfigVar": ("fleet config variable", ("fleet",)),
    "FleetBuildVar": ("fleet build variable", ("fleet",)),
    "ServiceEnvVar": ("service environment variable", ("fleet", "service")),
    "DeviceEnvVar": ("device environment variable", ("device",)),
    "DeviceConfigVar": ("device config variable", ("device",)),
    "DeviceServiceEnvVar": ("device service environment variable", ("device", "service")),
}
TAG_SCOPES = {
    "FleetTag": ("fleet tag", ("fleet",)),
    "DeviceTag": ("device tag", ("device",)),
    "ReleaseTag": ("release tag", ("fleet", "release_version", "release_commit", "release_id")),
}
for _bulk, _single in SINGLE_OF_BULK.items():
    (VARIABLE_SCOPES if _single in VARIABLE_SCOPES else TAG_SCOPES)[_bulk] = (
        VARIABLE_SCOPES.get(_single) or TAG_SCOPES[_single]
    )


def _parent(resource: PolicyResource, props: tuple[str, ...]) -> str | None:
    parts = []
    for prop in props:
        if prop in ("fleet", "device"):
            key = parent_key(resource, prop)
            if key is None:
                return None
            parts.append(key)
        else:
            value = plain(resource.props, prop)
            if value is UNKNOWN:
                return None
            if value is not None and value != "":
                parts.append(f"{prop}={value}")
    return ":".join(parts)


def _names(resource: PolicyResource, kind: str) -> list[str]:
    if kind in BULK_MAP_INPUT:
        entries = reveal(peek(resource.props, BULK_MAP_INPUT[kind]))
        return sorted(entries.keys()) if hasattr(entries, "keys") else []
    name = plain(resource.props, "key" if kind in TAG_SCOPES else "name")
    return [name] if isinstance(name, str) else []


def validate(args: StackValidationArgs, report) -> None:
    owners: dict[tuple[str, str, str], list[PolicyResource]] = defaultdict(list)
    for resource in args.resources:
        kind = kind_of(resource.resource_type)
        scope = VARIABLE_SCOPES.get(kind) or TAG_SCOPES.get(kind)
        if scope is None:
            continue
        label, parent_props = scope
        parent = _parent(resource, parent_props)
        if parent is None:
            continue
        for name in _names(resource, kind):
            owners[(label, parent, name)].append(resource)

    for (label, parent, name), resources in owners.items():
        if len(resources) < 2:
            continue
        word = "key" if label.endswith("tag") else "name"
        for resource in resources:
            others = ", ".join(f"{kind_of(o.resource_type)} {o.name}" for o in resources if o is not resource)
            report(f"{kind_of(resource.resource_type)} {resource.name} manages {label} {word} {name} of "
                   f"{parent}, which {others} also manages.", resource.urn)


policy = StackValidationPolicy(
    name=NAME,
    description="A variable (scope, parent, name) or tag (kind, parent, key) must be managed by one resource only.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Keep one resource per variable or tag: drop the duplicate or move the name out of the bulk resource's map.",
    tags=["variables", "tags"],
)
