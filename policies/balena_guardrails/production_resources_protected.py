"""In production stacks, Fleet and Organization must carry the ``protect`` resource option.

Deleting a fleet cascades to its devices, variables, tags and releases (balena API 5.2);
``protect`` makes a stray code change or ``pulumi destroy`` fail instead.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy, Severity

from ._common import PRODUCTION_CONFIG_SCHEMA, kind_of, production_stack

NAME = "production-resources-protected"
KINDS = ("Fleet", "Organization")


def validate(args: ResourceValidationArgs, report) -> None:
    kind = kind_of(args.resource_type)
    if kind not in KINDS:
        return
    production, reason = production_stack(args)
    if not production:
        args.not_applicable(reason)
    if not args.opts.protect:
        report(f"{kind} in a production stack must set the protect resource option "
               f"(opts=pulumi.ResourceOptions(protect=True)).")


policy = ResourceValidationPolicy(
    name=NAME,
    description="In production stacks, Fleet and Organization resources must be protected against deletion.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(properties=dict(PRODUCTION_CONFIG_SCHEMA)),
    remediation_steps="Add protect=True to the resource options.",
    tags=["production"],
)
