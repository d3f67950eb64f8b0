"""``DeviceConfigVar``: a configuration variable of one device (`RESIN_`/`BALENA_` namespace) (API resource
``device_config_variable``).

Type token ``pulumi-python:dynamic/balena:DeviceConfigVar``. Import id: ``UUID:NAME`` or the numeric
variable id. A new value is updated in place (one PATCH); a new name or parent replaces, deleting first.
Names follow the config variable rules of ``_variables``.
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ._variables import (
    DEVICE,
    ConfigVarName,
    DeviceUuid,
    VariableValue,
    VariableProvider,
    VariableScope,
    guard,
    resource_props,
)
from .base import Args

SCOPE = VariableScope(
    kind="DeviceConfigVar",
    api_kind="device_config",
    parent=DEVICE,
    label="device config variable",
)
REPLACE_ON = frozenset({"device", "name"})


class DeviceConfigVarArgs(Args):
    device: DeviceUuid
    name: ConfigVarName
    value: VariableValue


class DeviceConfigVarProvider(VariableProvider):
    scope = SCOPE
    args_model = DeviceConfigVarArgs
    replace_on = REPLACE_ON


class DeviceConfigVar(dynamic.Resource, module="balena", name="DeviceConfigVar"):
    """A configuration variable of one device (`RESIN_`/`BALENA_` namespace). Outputs: every input,
    ``device_id``, ``variable_id``."""

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
        super().__init__(DeviceConfigVarProvider(), resource_name, props, opts)
