"""Memberships and invites get the least privilege that works.

Organization administrators can delete fleets and manage every member, so only an allow-list of
usernames may hold or be invited to that role; fleet roles are limited to a configured set.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy, Severity

from ._common import UNKNOWN, config, kind_of, plain, shown

NAME = "membership-roles-least-privilege"
DEFAULT_ALLOWED_FLEET_ROLES = ["observer", "developer"]
DEFAULT_FLEET_ROLE = "developer"  # the resource's default (docs/resource-contract.md)
DEFAULT_ORGANIZATION_ROLE = "member"

_WHO = {"OrganizationMember": "username", "OrganizationInvite": "invitee",
        "FleetMember": "username", "FleetInvite": "invitee"}


def validate(args: ResourceValidationArgs, report) -> None:
    kind = kind_of(args.resource_type)
    if kind not in _WHO:
        return
    who = plain(args.props, _WHO[kind])
    role = plain(args.props, "role")
    if role is UNKNOWN or who is UNKNOWN:
        return
    if kind in ("OrganizationMember", "OrganizationInvite"):
        role = role or DEFAULT_ORGANIZATION_ROLE
        allowed_admins = config(args, "administratorAllowList", [])
        if role == "administrator" and who not in allowed_admins:
            who_may = (f"only {', '.join(allowed_admins)} may be organization administrators" if allowed_admins
                       else "no one may be an organization administrator")
            report(f"{kind} gives {shown(args.props, _WHO[kind])} the administrator role; "
                   f"{who_may} (administratorAllowList).")
        return
    role = role or DEFAULT_FLEET_ROLE
    allowed_roles = config(args, "allowedFleetRoles", DEFAULT_ALLOWED_FLEET_ROLES)
    if role not in allowed_roles:
        report(f"{kind} gives {shown(args.props, _WHO[kind])} the {shown(args.props, 'role', role)} role; allowed fleet roles: {_listing(allowed_roles)}.")


def _listing(items) -> str:
    return ", ".join(items) if items else "nobody"


policy = ResourceValidationPolicy(
    name=NAME,
    description="Organization administrators only from an allow-list; fleet members and invites only with allowed roles.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(properties={
        "administratorAllowList": {
            "type": "array", "items": {"type": "string"}, "default": [],
            "description": "Usernames (or invitee emails) that may be organization administrators.",
        },
        "allowedFleetRoles": {
            "type": "array", "items": {"type": "string", "enum": ["observer", "developer", "operator"]},
            "default": DEFAULT_ALLOWED_FLEET_ROLES,
            "description": "Roles FleetMember and FleetInvite may grant.",
        },
    }),
    remediation_steps="Grant a lower role, or add the user to administratorAllowList after review.",
    tags=["access"],
)
