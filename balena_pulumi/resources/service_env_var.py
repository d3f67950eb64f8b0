"""``ServiceEnvVar``: an environment variable of one service of a fleet, on every device (API resource
``service_environment_variable``).

Type token ``pulumi-python:dynamic/balena:ServiceEnvVar``. Import id: ``org/fleet:SERVICE:NAME`` or the
numeric variable id. A new value is updated in place (one PATCH); a new name or parent replaces,
deleting first. Names follow the environment variable rules of ``_variables``.
"""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from ._variables import (
    FLEET_SERVICE,
    EnvVarName,
    FleetSlug,
    ServiceName,
    VariableValue,
    VariableProvider,
    VariableScope,
    guard,
    resource_props,
)
from .base import Args

SCOPE = VariableScope(
    kind="ServiceEnvVar",
    api_kind="service_env",
    parent=FLEET_SERVICE,
    label="service environment variable",
)
REPLACE_ON = frozenset({"fleet", "service", "name"})


class ServiceEnvVarArgs(Args):
    fleet: FleetSlug
    service: ServiceName
    name: EnvVarName
    value: VariableValue


class ServiceEnvVarProvider(VariableProvider):
    scope = SCOPE
    args_model = ServiceEnvVarArgs
    replace_on = REPLACE_ON


class ServiceEnvVar(dynamic.Resource, module="balena", name="ServiceEnvVar"):
    """An environment variable of one service of a fleet, on every device. Outputs: every input,
    ``fleet_id``, ``service_id``, ``variable_id``."""

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
        props = resource_props(SCOPE, guard(SCOPE, resource_name, inputs))
        super().__init__(ServiceEnvVarProvider(), resource_name, props, opts)
