"""``DeviceServiceEnvVar``: an environment variable of one service on one device, kept on the device's
service install (API resource ``device_service_environment_variable``).

Type token ``pulumi-python:dynamic/balena:DeviceServiceEnvVar``. Import id: ``UUID:SERVICE:NAME`` or the
numeric variable id. A new value is updated in place (one PATCH); a new name or parent replaces,
deleting first. Names follow the environment variable rules of ``_variables``.
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ._variables import (
    DEVICE_SERVICE,
    DeviceUuid,
    EnvVarName,
    ServiceName,
    VariableValue,
    VariableProvider,
    VariableScope,
    guard,
    resource_props,
)
from .base import Args

SCOPE = VariableScope(
    kind="DeviceServiceEnvVar",
    api_kind="device_service_env",
    parent=DEVICE_SERVICE,
    label="device service environment variable",
)
REPLACE_ON = frozenset({"device", "service", "name"})


class DeviceServiceEnvVarArgs(Args):
    device: DeviceUuid
    service: ServiceName
    name: EnvVarName
    value: VariableValue


class DeviceServiceEnvVarProvider(VariableProvider):
    scope = SCOPE
    args_model = DeviceServiceEnvVarArgs
    replace_on = REPLACE_ON


class DeviceServiceEnvVar(dynamic.Resource, module="balena", name="DeviceServiceEnvVar"):
    """An environment variable of one service on one device, kept on the device's service install. Outputs:
    every input, ``device_id``, ``service_id``, ``service_install_id``, ``variable_id``."""

    device: pulumi.Output[str]
    service: pulumi.Output[str]
    name: pulumi.Output[str]
    value: pulumi.Output[str]
    device_id: pulumi.Output[int]
    service_id: pulumi.Output[int]
    service_install_id: pulumi.Output[int]
    variable_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        device: pulumi.Input[str],
        service: pulumi.Input[str],
        name: pulumi.Input[str],
        value: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"device": device, "service": service, "name": name, "value": value}
        props = resource_props(SCOPE, guard(SCOPE, resource_name, inputs))
        super().__init__(DeviceServiceEnvVarProvider(), resource_name, props, opts)
