"""``DeviceEnvVar``: an environment variable of every service on one device (API resource
``device_environment_variable``).

Type token ``pulumi-python:dynamic/balena:DeviceEnvVar``. Import id: ``UUID:NAME`` or the numeric variable id.
What each input's change does is declared next to it; the rules are the API's (see ``_scope``).
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ..base import Args
from ..refs import DeviceUuid
from ._scope import (
    DEVICE,
    ENV_NAME_DOC,
    EnvVarName,
    VariableProvider,
    VariableScope,
    VariableValue,
    device_field,
    name_field,
    value_field,
    variable_props,
)

SCOPE = VariableScope(kind="DeviceEnvVar", api_kind="device_env", parent=DEVICE, label="device environment variable")


class DeviceEnvVarArgs(Args):
    device: DeviceUuid = device_field()
    name: EnvVarName = name_field(ENV_NAME_DOC)
    value: VariableValue = value_field()


class DeviceEnvVarProvider(VariableProvider):
    scope = SCOPE
    args_model = DeviceEnvVarArgs


class DeviceEnvVar(dynamic.Resource, module="balena", name="DeviceEnvVar"):
    """An environment variable of every service on one device (API resource ``device_environment_variable``). Outputs: every input, ``device_id``, ``variable_id``."""

    device: pulumi.Output[str]
    name: pulumi.Output[str]
    value: pulumi.Output[str]
    device_id: pulumi.Output[int]
    variable_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        device: pulumi.Input[str],
        name: pulumi.Input[str],
        value: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"device": device, "name": name, "value": value}
        super().__init__(DeviceEnvVarProvider(), resource_name, variable_props(SCOPE, resource_name, inputs), opts)
