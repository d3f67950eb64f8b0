"""``DeviceEnvVar``: an environment variable of one device, for all its services (API resource
``device_environment_variable``).

Type token ``pulumi-python:dynamic/balena:DeviceEnvVar``. Import id: ``UUID:NAME`` or the numeric
variable id. A new value is updated in place (one PATCH); a new name or parent replaces, deleting first.
Names follow the environment variable rules of ``_variables``.
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ._variables import (
    DEVICE,
    DeviceUuid,
    EnvVarName,
    VariableValue,
    VariableProvider,
    VariableScope,
    guard,
    resource_props,
)
from .base import Args

SCOPE = VariableScope(
    kind="DeviceEnvVar",
    api_kind="device_env",
    parent=DEVICE,
    label="device environment variable",
)
REPLACE_ON = frozenset({"device", "name"})


class DeviceEnvVarArgs(Args):
    device: DeviceUuid
    name: EnvVarName
    value: VariableValue


class DeviceEnvVarProvider(VariableProvider):
    scope = SCOPE
    args_model = DeviceEnvVarArgs
    replace_on = REPLACE_ON


class DeviceEnvVar(dynamic.Resource, module="balena", name="DeviceEnvVar"):
    """An environment variable of one device, for all its services. Outputs: every input, ``device_id``,
    ``variable_id``."""

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
        props = resource_props(SCOPE, guard(SCOPE, resource_name, inputs))
        super().__init__(DeviceEnvVarProvider(), resource_name, props, opts)
