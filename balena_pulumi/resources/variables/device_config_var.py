"""``DeviceConfigVar``: a configuration variable of one device, read by its supervisor and host OS (API resource
``device_config_variable``).

Type token ``pulumi-python:dynamic/balena:DeviceConfigVar``. Import id: ``UUID:NAME`` or the numeric variable id.
What each input's change does is declared next to it; the rules are the API's (see ``_scope``).
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ..base import Args
from ..refs import DeviceUuid
from ._scope import (
    CONFIG_NAME_DOC,
    ConfigVarName,
    DEVICE,
    VariableProvider,
    VariableScope,
    VariableValue,
    device_field,
    name_field,
    value_field,
    variable_props,
)

SCOPE = VariableScope(kind="DeviceConfigVar", api_kind="device_config", parent=DEVICE, label="device config variable")


class DeviceConfigVarArgs(Args):
    device: DeviceUuid = device_field()
    name: ConfigVarName = name_field(CONFIG_NAME_DOC)
    value: VariableValue = value_field()


class DeviceConfigVarProvider(VariableProvider):
    scope = SCOPE
    args_model = DeviceConfigVarArgs


class DeviceConfigVar(dynamic.Resource, module="balena", name="DeviceConfigVar"):
    """A configuration variable of one device, read by its supervisor and host OS (API resource ``device_config_variable``). Outputs: every input, ``device_id``, ``variable_id``."""

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
        super().__init__(DeviceConfigVarProvider(), resource_name, variable_props(SCOPE, resource_name, inputs), opts)
