"""Per-family services of the balena client (attached to :class:`~balena_pulumi.client.BalenaClient`)."""

from .access import ApiKeys, FleetMembers, Invites, OrganizationMembers, Roles, SshKeys, WhoamiCache
from .core import DeviceTypes, Devices, Fleets, Organizations, Releases, ServiceInstalls, Services, Users
from .scoped import TAG_SCOPES, VARIABLE_SCOPES, Scope, Tags, Variables

__all__ = [
    "ApiKeys",
    "FleetMembers",
    "Invites",
    "OrganizationMembers",
    "Roles",
    "SshKeys",
    "WhoamiCache",
    "DeviceTypes",
    "Devices",
    "Fleets",
    "Organizations",
    "Releases",
    "ServiceInstalls",
    "Services",
    "Users",
    "TAG_SCOPES",
    "VARIABLE_SCOPES",
    "Scope",
    "Tags",
    "Variables",
]
