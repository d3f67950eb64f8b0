"""Pulumi dynamic resources for balena, one kind per module.

``REGISTRY`` maps each kind to its module; a test checks that every kind in
``tokens.KINDS`` that is registered here has its module, test file and doc page. Classes are loaded on
first access so that importing the package stays cheap inside the provider process.
"""

from __future__ import annotations

import importlib
from typing import Any

# kind -> module (within this package) that defines the resource class of the same name.
REGISTRY: dict[str, str] = {
    "Fleet": "fleet",
    "FleetPin": "fleet_pin",
    "DevicePin": "device_pin",
    "FleetEnvVar": "fleet_env_var",
    "FleetConfigVar": "fleet_config_var",
    "FleetBuildVar": "fleet_build_var",
    "ServiceEnvVar": "service_env_var",
    "DeviceEnvVar": "device_env_var",
    "DeviceConfigVar": "device_config_var",
    "DeviceServiceEnvVar": "device_service_env_var",
    "FleetEnvVars": "fleet_env_vars",
    "FleetTag": "fleet_tag",
    "DeviceTag": "device_tag",
    "ReleaseTag": "release_tag",
    "Organization": "organization",
    "FleetMember": "fleet_member",
    "OrganizationMember": "organization_member",
    "OrganizationInvite": "organization_invite",
    "FleetInvite": "fleet_invite",
    "ApiKey": "api_key",
    "ProvisioningKey": "provisioning_key",
    "SshKey": "ssh_key",
}


def __getattr__(name: str) -> Any:
    module = REGISTRY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = sorted(REGISTRY)
