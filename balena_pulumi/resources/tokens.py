"""Type tokens and input property names of every balena resource kind.

This module is the only part of ``balena_pulumi.resources`` that policy packs import, so it must stay
free of Pulumi and client imports. docs/resource-contract.md describes the same list for people.
"""

from __future__ import annotations

MODULE = "balena"
TOKEN_PREFIX = "pulumi-python:dynamic/balena:"

KINDS: tuple[str, ...] = (
    "Organization",
    "Fleet",
    "FleetPin",
    "DevicePin",
    "FleetEnvVar",
    "FleetConfigVar",
    "FleetBuildVar",
    "ServiceEnvVar",
    "DeviceEnvVar",
    "DeviceConfigVar",
    "DeviceServiceEnvVar",
    "FleetEnvVars",
    "FleetConfigVars",
    "FleetBuildVars",
    "ServiceEnvVars",
    "DeviceEnvVars",
    "DeviceConfigVars",
    "DeviceServiceEnvVars",
    "FleetTag",
    "DeviceTag",
    "ReleaseTag",
    "FleetTags",
    "DeviceTags",
    "ReleaseTags",
    "FleetMember",
    "OrganizationMember",
    "OrganizationInvite",
    "FleetInvite",
    "ApiKey",
    "ProvisioningKey",
    "SshKey",
)


def token(kind: str) -> str:
    """The Pulumi type token of a kind, e.g. ``pulumi-python:dynamic/balena:Fleet``."""
    if kind not in KINDS:
        raise KeyError(f"unknown balena resource kind {kind!r}")
    return TOKEN_PREFIX + kind


TOKENS: dict[str, str] = {kind: TOKEN_PREFIX + kind for kind in KINDS}

# Families, for policies and contract tests that treat every scope alike.
VARIABLE_KINDS: tuple[str, ...] = (
    "FleetEnvVar",
    "FleetConfigVar",
    "FleetBuildVar",
    "ServiceEnvVar",
    "DeviceEnvVar",
    "DeviceConfigVar",
    "DeviceServiceEnvVar",
)
CONFIG_VARIABLE_KINDS: tuple[str, ...] = ("FleetConfigVar", "DeviceConfigVar")
ENV_VARIABLE_KINDS: tuple[str, ...] = tuple(k for k in VARIABLE_KINDS if k not in CONFIG_VARIABLE_KINDS)
# Bulk kinds: one resource holds a map of entries (input `variables` or `tags`), each entry one API object.
BULK_VARIABLE_KINDS: tuple[str, ...] = (
    "FleetEnvVars",
    "FleetConfigVars",
    "FleetBuildVars",
    "ServiceEnvVars",
    "DeviceEnvVars",
    "DeviceConfigVars",
    "DeviceServiceEnvVars",
)
BULK_CONFIG_VARIABLE_KINDS: tuple[str, ...] = ("FleetConfigVars", "DeviceConfigVars")
BULK_ENV_VARIABLE_KINDS: tuple[str, ...] = tuple(k for k in BULK_VARIABLE_KINDS if k not in BULK_CONFIG_VARIABLE_KINDS)
TAG_KINDS: tuple[str, ...] = ("FleetTag", "DeviceTag", "ReleaseTag")
BULK_TAG_KINDS: tuple[str, ...] = ("FleetTags", "DeviceTags", "ReleaseTags")
# Each bulk kind and the single kind whose objects its map entries are (same API resource, same parent).
SINGLE_OF_BULK: dict[str, str] = {
    **{bulk: bulk[:-1] for bulk in BULK_VARIABLE_KINDS},
    **{bulk: bulk[:-1] for bulk in BULK_TAG_KINDS},
}
# The map input of a bulk kind.
BULK_MAP_INPUT: dict[str, str] = {
    **{bulk: "variables" for bulk in BULK_VARIABLE_KINDS},
    **{bulk: "tags" for bulk in BULK_TAG_KINDS},
}
PIN_KINDS: tuple[str, ...] = ("FleetPin", "DevicePin")
MEMBER_KINDS: tuple[str, ...] = ("FleetMember", "OrganizationMember")
INVITE_KINDS: tuple[str, ...] = ("OrganizationInvite", "FleetInvite")
KEY_KINDS: tuple[str, ...] = ("ApiKey", "ProvisioningKey", "SshKey")

# Input property names shared across kinds (see docs/resource-contract.md).
RELEASE_SELECTORS: tuple[str, ...] = ("release_version", "release_commit", "release_id")

FLEET_ROLES: tuple[str, ...] = ("observer", "developer", "operator")
ORGANIZATION_ROLES: tuple[str, ...] = ("administrator", "member")
