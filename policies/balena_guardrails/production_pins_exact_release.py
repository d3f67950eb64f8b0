"""In production stacks, fleet and device pins must name one exact, final release.

A pin to a prerelease, a partial version or a mutable selector can move a production fleet to code
nobody released. Final means valid semver without a prerelease part (build metadata such as
``+rev1``, balena's revision suffix, is allowed), or a full commit (32 hex characters as balena builds assign, or 40 as git does); ``release_id`` is allowed
only when configured.
"""

from __future__ import annotations

import re

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy, Severity

from balena_pulumi.resources.tokens import PIN_KINDS, RELEASE_SELECTORS

from ._common import PRODUCTION_CONFIG_SCHEMA, UNKNOWN, config, kind_of, plain, production_stack, shown

NAME = "production-pins-exact-release"

# semver.org's grammar, with the prerelease group captured to refuse it.
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
FULL_COMMIT = re.compile(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40})$")


def validate(args: ResourceValidationArgs, report) -> None:
    kind = kind_of(args.resource_type)
    if kind not in PIN_KINDS:
        return
    production, reason = production_stack(args)
    if not production:
        args.not_applicable(reason)
    given = {s: plain(args.props, s) for s in RELEASE_SELECTORS}
    given = {s: v for s, v in given.items() if v is not None and v != ""}
    if len(given) != 1:
        report(f"{kind} must name exactly one of release_version, release_commit, release_id "
               f"(got {len(given)}).")
        return
    (selector, value), = given.items()
    if value is UNKNOWN:
        return
    if selector == "release_version":
        match = SEMVER.match(str(value))
        if not match:
            report(f"{kind} release_version {shown(args.props, 'release_version')} is not an exact semver version (MAJOR.MINOR.PATCH).")
        elif match.group(4):
            report(f"{kind} release_version {shown(args.props, 'release_version')} is a prerelease; production pins need a final release.")
    elif selector == "release_commit":
        if not FULL_COMMIT.match(str(value)):
            report(f"{kind} release_commit must be a full commit hash (32 or 40 hex characters).")
    elif not config(args, "allowReleaseId", False):
        report(f"{kind} pins by release_id; use release_version or release_commit in production "
               f"(or set allowReleaseId).")


policy = ResourceValidationPolicy(
    name=NAME,
    description="In production stacks, FleetPin and DevicePin must name an exact final release.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(properties={
        **PRODUCTION_CONFIG_SCHEMA,
        "allowReleaseId": {"type": "boolean", "default": False,
                           "description": "Accept pins by numeric release_id."},
    }),
    remediation_steps="Pin to a final version such as 1.1.0 (or 1.1.0+rev2) or a full commit hash.",
    tags=["releases", "production"],
)
