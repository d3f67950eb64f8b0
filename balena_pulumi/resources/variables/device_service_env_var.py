"""``DeviceServiceEnvVar``: an environment variable of one service on one device, kept on the device's service install
(API resource ``device_service_environment_variable``).

Type token ``pulumi-python:dynamic/balena:DeviceServiceEnvVar``. Import id: ``UUID:SERVICE:NAME`` or the numeric variable id.
What each input's change does is declared next to it; the rules are the API's (see ``_scope``).
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ..base import Args
from ..refs import DeviceUuid, ServiceName
from ._scope import (
    DEVICE_SERVICE,
    ENV_NAME_DOC,
    EnvVarName,
    VariableProvider,
    VariableScope,
    VariableValue,
    device_field,
    name_field,
    service_field,
    value_field,
    variable_props,
)

SCOPE = VariableScope(kind="DeviceServiceEnvVar", api_kind="device_service_env", parent=DEVICE_SERVICE, label="device service environment variable")


class DeviceServiceEnvVarArgs(Args):
    device: DeviceUuid = device_field()
    service: ServiceName = service_field()
    name: EnvVarName = name_field(ENV_NAME_DOC)
    value: VariableValue = value_field()


class DeviceServiceEnvVarProvider(VariableProvider):
    scope = SCOPE
    args_model = DeviceServiceEnvVarArgs


class DeviceServiceEnvVar(dynamic.Resource, module="balena", name="DeviceServiceEnvVar"):
    """An environment variable of one service on one device, kept on the device's service install (API resource ``device_service_environment_variable``). Outputs: every input, ``device_id``, ``service_id``, ``service_install_id``, ``variable_id``."""

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
        super().__init__(DeviceServiceEnvVarProvider(), resource_name, variable_props(SCOPE, resource_name, inputs), opts)
