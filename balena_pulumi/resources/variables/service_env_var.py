"""``ServiceEnvVar``: an environment variable of one service of a fleet, on every device (API resource
``service_environment_variable``).

Type token ``pulumi-python:dynamic/balena:ServiceEnvVar``. Import id: ``org/fleet:SERVICE:NAME`` or the numeric variable id.
What each input's change does is declared next to it; the rules are the API's (see ``_scope``).
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ..base import Args
from ..refs import FleetSlug, ServiceName
from ._scope import (
    ENV_NAME_DOC,
    EnvVarName,
    FLEET_SERVICE,
    VariableProvider,
    VariableScope,
    VariableValue,
    fleet_field,
    name_field,
    service_field,
    value_field,
    variable_props,
)

SCOPE = VariableScope(kind="ServiceEnvVar", api_kind="service_env", parent=FLEET_SERVICE, label="service environment variable")


class ServiceEnvVarArgs(Args):
    fleet: FleetSlug = fleet_field()
    service: ServiceName = service_field()
    name: EnvVarName = name_field(ENV_NAME_DOC)
    value: VariableValue = value_field()


class ServiceEnvVarProvider(VariableProvider):
    scope = SCOPE
    args_model = ServiceEnvVarArgs


class ServiceEnvVar(dynamic.Resource, module="balena", name="ServiceEnvVar"):
    """An environment variable of one service of a fleet, on every device (API resource ``service_environment_variable``). Outputs: every input, ``fleet_id``, ``service_id``, ``variable_id``."""

    fleet: pulumi.Output[str]
    service: pulumi.Output[str]
    name: pulumi.Output[str]
    value: pulumi.Output[str]
    fleet_id: pulumi.Output[int]
    service_id: pulumi.Output[int]
    variable_id: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        fleet: pulumi.Input[str],
        service: pulumi.Input[str],
        name: pulumi.Input[str],
        value: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {"fleet": fleet, "service": service, "name": name, "value": value}
        super().__init__(ServiceEnvVarProvider(), resource_name, variable_props(SCOPE, resource_name, inputs), opts)
